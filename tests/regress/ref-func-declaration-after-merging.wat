;; From issue 19, found by hand (and by wasm-smith with a profile that does
;; not export every function). At -O2 and up, duplicate-function-elimination
;; merged $c into $a, simplify-globals put the global's `ref.func` into code,
;; and remove-unused-module-elements removed the only item that declared it:
;; `undeclared function reference`. The same happened with an unused passive
;; `(elem func ...)` as the declaration ($d) and with two identical imports
;; merged ($i1, $i2).
;;
;; Expected at every level and pass: a valid module; `f` returns 1, `g` 3 and
;; `h` the import's call count through either reference.
(module
  (type $v (func (result i32)))
  (import "host" "count" (func $i1 (result i32)))
  (import "host" "count" (func $i2 (result i32)))
  (global $g (ref $v) (ref.func $c))
  (global $gi (ref $v) (ref.func $i2))
  (elem func $d)
  (func $a (result i32) (i32.const 1))
  (func $c (result i32) (i32.const 1))
  (func $b (result i32) (i32.const 3))
  (func $d (result i32) (i32.const 3))
  (func (export "f") (result i32) (call_ref $v (global.get $g)))
  (func (export "g") (result i32) (drop (call $b)) (call_ref $v (ref.func $d)))
  (func (export "h") (result i32)
    (i32.add (call $i1) (call_ref $v (global.get $gi)))))
