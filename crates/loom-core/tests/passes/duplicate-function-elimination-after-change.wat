;; loom: --pass duplicate-function-elimination --pass optimize-instructions --pass duplicate-function-elimination
;; $plus_zero differs from $same until optimize-instructions removes the
;; `+ 0`: the second run must compare its new body, not what it remembered
;; of the first run (both functions merge into one).
(module
  (func $same (param i32) (result i32) (local.get 0))
  (func $plus_zero (param i32) (result i32) (i32.add (local.get 0) (i32.const 0)))
  (func (export "main") (param i32) (result i32)
    (i32.add (call $same (local.get 0)) (call $plus_zero (local.get 0)))))
