;; loom: --pass code-folding
;; The arms' shared tail `struct.get (local.get $x)` moves after the `if`,
;; where the arms' writes of $x no longer count for wasm's local
;; initialization rule: the writer makes $x nullable and reads it through
;; `ref.as_non_null` (local_init.rs), so the output validates.
(module
  (type $s (struct (field i32)))
  (func (export "f") (param i32) (result i32) (local $x (ref $s))
    (if (result i32) (local.get 0)
      (then (local.set $x (struct.new $s (i32.const 1))) (struct.get $s 0 (local.get $x)))
      (else (local.set $x (struct.new $s (i32.const 2))) (struct.get $s 0 (local.get $x))))))
