;; loom: --pass simplify-locals
;; An if whose arms both store a local becomes one store of the if's value;
;; a later store in the same run then kills that new store (this panicked).
(module
  (func (export "f") (param i32) (result i32) (local i32)
    (if (local.get 0)
      (then (local.set 1 (i32.const 1)))
      (else (local.set 1 (i32.const 2))))
    (local.set 1 (i32.const 3))
    (local.get 1)))
