;; loom: --pass merge-similar-functions
;; Functions of one type whose code differs only in constants' values become
;; thunks (same index, type, export, table slot) calling one shared function
;; appended at the end, which takes the differing values as extra parameters
;; after its own; only when that makes the code smaller.
(module
  (type $binop (func (param i32 i32) (result i32)))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) func $slot_a $slot_b)
  (tag $e (param i32))

  ;; Three members with a declared local: the first constant position
  ;; differs as 1000/2000/1000, the last as 1000/2000/3000, so two extra
  ;; parameters (i32, i32); the shift by 7 is the same everywhere and stays.
  ;; The local becomes local 3 of the shared function.
  (func $scale_a (export "scale_a") (param i32) (result i32) (local i32)
    (local.set 1 (i32.mul (local.get 0) (i32.const 1000)))
    (local.set 1 (i32.xor (local.get 1) (i32.shr_u (local.get 1) (i32.const 7))))
    (local.set 1 (i32.add (local.get 1) (i32.load offset=4 (local.get 0))))
    (i32.store (local.get 0) (local.get 1))
    (i32.add (local.get 1) (i32.const 1000)))
  (func $scale_b (export "scale_b") (param i32) (result i32) (local i32)
    (local.set 1 (i32.mul (local.get 0) (i32.const 2000)))
    (local.set 1 (i32.xor (local.get 1) (i32.shr_u (local.get 1) (i32.const 7))))
    (local.set 1 (i32.add (local.get 1) (i32.load offset=4 (local.get 0))))
    (i32.store (local.get 0) (local.get 1))
    (i32.add (local.get 1) (i32.const 2000)))
  (func $scale_c (export "scale_c") (param i32) (result i32) (local i32)
    (local.set 1 (i32.mul (local.get 0) (i32.const 1000)))
    (local.set 1 (i32.xor (local.get 1) (i32.shr_u (local.get 1) (i32.const 7))))
    (local.set 1 (i32.add (local.get 1) (i32.load offset=4 (local.get 0))))
    (i32.store (local.get 0) (local.get 1))
    (i32.add (local.get 1) (i32.const 3000)))

  ;; Every numeric type differs, floats by bits only: a NaN payload, the
  ;; sign of zero. Multi-value result. Four extra parameters i64 f32 f64 i32.
  (func $kinds_a (export "kinds_a") (param i32) (result i64 f32 f64)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
    (i64.store (local.get 0) (i64.const 1))
    (f32.store offset=8 (local.get 0) (f32.const nan:0x200000))
    (f64.store offset=16 (local.get 0) (f64.const 0))
    (i32.store offset=24 (local.get 0) (i32.const 5))
    (i64.load (local.get 0))
    (f32.load offset=8 (local.get 0))
    (f64.load offset=16 (local.get 0)))
  (func $kinds_b (export "kinds_b") (param i32) (result i64 f32 f64)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
    (i64.store (local.get 0) (i64.const 2))
    (f32.store offset=8 (local.get 0) (f32.const nan:0x200001))
    (f64.store offset=16 (local.get 0) (f64.const -0))
    (i32.store offset=24 (local.get 0) (i32.const 6))
    (i64.load (local.get 0))
    (f32.load offset=8 (local.get 0))
    (f64.load offset=16 (local.get 0)))

  ;; Equal float constants (the same NaN, the same zero) are no difference:
  ;; only the i32 differs, one extra parameter.
  (func $same_floats_a (export "same_floats_a") (param i32)
    (f32.store (local.get 0) (f32.const nan:0x123))
    (f64.store offset=8 (local.get 0) (f64.const -0))
    (f32.store offset=16 (local.get 0) (f32.const nan:0x123))
    (f64.store offset=24 (local.get 0) (f64.const -0))
    (i32.store offset=32 (local.get 0) (i32.const 1)))
  (func $same_floats_b (export "same_floats_b") (param i32)
    (f32.store (local.get 0) (f32.const nan:0x123))
    (f64.store offset=8 (local.get 0) (f64.const -0))
    (f32.store offset=16 (local.get 0) (f32.const nan:0x123))
    (f64.store offset=24 (local.get 0) (f64.const -0))
    (i32.store offset=32 (local.get 0) (i32.const 2)))

  ;; A loop carrying a value and a constant branched to the function's own
  ;; label from inside it: both constants become parameters.
  (func $loop_a (export "loop_a") (param i32) (result i32)
    (loop $l (result i32)
      (if (i32.eqz (local.get 0)) (then (br 2 (i32.const 11))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (i32.store (local.get 0) (local.get 0))
      (br_if $l (i32.and (local.get 0) (i32.const 255)))
      (i32.const 12)))
  (func $loop_b (export "loop_b") (param i32) (result i32)
    (loop $l (result i32)
      (if (i32.eqz (local.get 0)) (then (br 2 (i32.const 21))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (i32.store (local.get 0) (local.get 0))
      (br_if $l (i32.and (local.get 0) (i32.const 255)))
      (i32.const 22)))

  ;; In a table, called indirectly: they become thunks in place, so the
  ;; table's entries and their types stay.
  (func $slot_a (type $binop)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
    (i32.store (local.get 0) (local.get 1))
    (i32.store offset=4 (local.get 1) (local.get 0))
    (i32.add (i32.mul (local.get 0) (local.get 1)) (i32.const 77)))
  (func $slot_b (type $binop)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
    (i32.store (local.get 0) (local.get 1))
    (i32.store offset=4 (local.get 1) (local.get 0))
    (i32.add (i32.mul (local.get 0) (local.get 1)) (i32.const 78)))
  (func (export "slots") (param i32) (result i32)
    (call_indirect (type $binop) (local.get 0) (local.get 0) (local.get 0)))

  ;; try_table and legacy try with differing constants in body and handler.
  (func $try_a (export "try_a") (param i32) (result i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
    (block $caught (result i32)
      (try_table (catch $e $caught)
        (if (local.get 0) (then (throw $e (i32.const 100))))
        (i32.store (local.get 0) (i32.const 101)))
      try
        (i32.store offset=4 (local.get 0) (i32.const 102))
      catch_all
        (i32.store offset=8 (local.get 0) (i32.const 103))
      end
      (i32.const 104)))
  (func $try_b (export "try_b") (param i32) (result i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
    (block $caught (result i32)
      (try_table (catch $e $caught)
        (if (local.get 0) (then (throw $e (i32.const 200))))
        (i32.store (local.get 0) (i32.const 201)))
      try
        (i32.store offset=4 (local.get 0) (i32.const 202))
      catch_all
        (i32.store offset=8 (local.get 0) (i32.const 203))
      end
      (i32.const 204)))

  ;; v128 constants differ: one v128 parameter.
  (func $simd_a (export "simd_a") (param i32)
    (v128.store (local.get 0) (v128.const i32x4 1 2 3 4))
    (v128.store offset=16 (local.get 0) (i32x4.splat (i32.load (local.get 0))))
    (v128.store offset=32 (local.get 0) (i32x4.splat (i32.load offset=4 (local.get 0)))))
  (func $simd_b (export "simd_b") (param i32)
    (v128.store (local.get 0) (v128.const i32x4 5 6 7 8))
    (v128.store offset=16 (local.get 0) (i32x4.splat (i32.load (local.get 0))))
    (v128.store offset=32 (local.get 0) (i32x4.splat (i32.load offset=4 (local.get 0)))))

  ;; Recursive: each calls itself. The shared function calls itself,
  ;; passing its extra parameter on.
  (func $countdown_a (export "countdown_a") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else
        (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
        (i32.store (local.get 0) (local.get 0))
        (i32.add (call $countdown_a (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func $countdown_b (export "countdown_b") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else
        (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
        (i32.store (local.get 0) (local.get 0))
        (i32.add (call $countdown_b (i32.sub (local.get 0) (i32.const 1))) (i32.const 2)))))

  ;; Not merged: too small, a thunk is as big as the body. (Each other case
  ;; that is not merged is big enough to pay if it were similar.)
  (func $tiny_a (export "tiny_a") (result i32) (i32.const 1))
  (func $tiny_b (export "tiny_b") (result i32) (i32.const 2))

  ;; Not merged: an operator differs, not just a constant.
  (func $op_a (export "op_a") (param i32) (result i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
    (i32.store (local.get 0) (i32.const 9))
    (i32.store offset=4 (local.get 0) (i32.const 9))
    (i32.add (i32.load (local.get 0)) (i32.const 9)))
  (func $op_b (export "op_b") (param i32) (result i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
    (i32.store (local.get 0) (i32.const 10))
    (i32.store offset=4 (local.get 0) (i32.const 9))
    (i32.sub (i32.load (local.get 0)) (i32.const 9)))

  ;; Equal, and exported so their identities stay apart: thunks without
  ;; extra parameters.
  (func $equal_a (export "equal_a") (param i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
    (i32.store (local.get 0) (i32.const 3))
    (i32.store offset=4 (local.get 0) (i32.const 4))
    (i32.store offset=8 (local.get 0) (i32.const 5)))
  (func $equal_b (export "equal_b") (param i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
    (i32.store (local.get 0) (i32.const 3))
    (i32.store offset=4 (local.get 0) (i32.const 4))
    (i32.store offset=8 (local.get 0) (i32.const 5)))

  ;; Not merged: they call different functions (the equal ones above).
  (func $calls_a (export "calls_a") (param i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
    (call $equal_a (local.get 0)))
  (func $calls_b (export "calls_b") (param i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.store offset=64 (local.get 0) (i32.load offset=68 (local.get 0)))
    (call $equal_b (local.get 0)))
)
