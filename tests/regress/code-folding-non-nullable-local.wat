;; From issue 19, found by hand. code-folding (-Os, -Oz) moved the arms'
;; shared tail `struct.get (local.get $x)` after the `if`, where the arms'
;; `local.set $x` no longer count for wasm's local initialization rule:
;; `uninitialized local: 1`. The writer now makes such a local nullable and
;; reads it through `ref.as_non_null`.
;;
;; Expected at every level and pass: a valid module; `f` returns 2 for 0 and
;; 1 for any other argument; `g` (the shared code before a `br` out of a
;; block) likewise.
(module
  (type $s (struct (field i32)))
  (func (export "f") (param i32) (result i32) (local $x (ref $s))
    (if (result i32) (local.get 0)
      (then (local.set $x (struct.new $s (i32.const 1))) (struct.get $s 0 (local.get $x)))
      (else (local.set $x (struct.new $s (i32.const 2))) (struct.get $s 0 (local.get $x)))))
  (func (export "g") (param i32) (result i32) (local $x (ref $s))
    (block $out (result i32)
      (if (local.get 0)
        (then
          (local.set $x (struct.new $s (i32.const 1)))
          (br $out (struct.get $s 0 (local.get $x)))))
      (local.set $x (struct.new $s (i32.const 2)))
      (br $out (struct.get $s 0 (local.get $x))))))
