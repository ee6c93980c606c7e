;; From issue 19's closed-profile fuzz campaign (loom-check fuzz --profile
;; closed --seed 19, index 134, -O1), minimized by hand. remove-unused-brs
;; turned `if (c) (br $l v)` into `br_if $l v c`, which evaluates the value
;; before the condition; it allowed that when the value has no effects. Here
;; the condition is a block parameter (a `Pop`: already on the stack, below
;; where the value goes), so the output read `i64.const 7; br_if` with the
;; i32 under the i64: `type mismatch: expected i32, found i64`. The rewrite
;; now leaves a condition holding a `Pop` alone.
;;
;; Expected at every level and pass: a valid module; `f` and `g` return 7
;; for a non-zero argument and 3 for 0.
(module
  (func (export "f") (param i32) (result i64)
    (block $l (result i64)
      (local.get 0)
      (block (param i32)
        (if (then (br $l (i64.const 7)))))
      (i64.const 3)))
  (func (export "g") (param i32) (result i64)
    (block $l (result i64)
      (local.get 0)
      (i32.eqz)
      (block (param i32)
        (if (then (nop)) (else (br $l (i64.const 7)))))
      (i64.const 3))))
