;; loom: -Os
;; Two imports of the same function: they are merged before the function
;; passes run, so the two arms below call the same function and fold into
;; one call. (Merged only at the end, the arms stayed apart until a second
;; run of -Os folded them: python-sandbox-component was not a fixed point.)
(module
  (import "env" "f" (func $f1 (param i32)))
  (import "env" "f" (func $f2 (param i32)))
  (func (export "pick") (param i32 i32)
    (if (local.get 0)
      (then (call $f1 (local.get 1)))
      (else (call $f2 (local.get 1))))))
