;; loom: --pass duplicate-function-elimination --pass simplify-globals --pass remove-unused-module-elements
;; $c merges into $a, simplify-globals puts the global's `ref.func` into the
;; code and the global goes: nothing outside code declares $a any more, so
;; the writer adds `(elem declare func $a)`.
(module
  (type $v (func (result i32)))
  (global $g (ref $v) (ref.func $c))
  (func $a (result i32) (i32.const 1))
  (func $c (result i32) (i32.const 1))
  (func (export "f") (result i32) (call_ref $v (global.get $g))))
