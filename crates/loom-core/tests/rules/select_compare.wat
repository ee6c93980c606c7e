;; loom: --pass optimize-instructions
(module
  (global $g (mut i32) (i32.const 0))
  (memory 1)
  (func $side (result i32) (global.set $g (i32.const 1)) (i32.const 7))
  ;; -> local.get 1
  (func (export "select_false") (param i32) (param i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.const 0)))
  ;; -> local.get 0
  (func (export "select_true") (param f64) (param f64) (result f64)
    (select (local.get 0) (local.get 1) (i32.const 5)))
  ;; must NOT fire: the call in the dropped arm stays
  (func (export "select_true_side_effect") (param i32) (result i32)
    (select (local.get 0) (call $side) (i32.const 1)))
  ;; -> the add
  (func (export "select_same_arms") (param i32) (param i32) (result i32)
    (select (i32.add (local.get 0) (i32.const 1)) (i32.add (local.get 0) (i32.const 1)) (local.get 1)))
  ;; must NOT fire (floats excluded)
  (func (export "select_same_arms_float_kept") (param f32) (param i32) (result f32)
    (select (local.get 0) (local.get 0) (local.get 1)))
  ;; -> select 1 0 2
  (func (export "select_eqz_swap") (param i32) (param i32) (param i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.eqz (local.get 2))))
  ;; must NOT fire: swapping would reorder the call
  (func (export "select_eqz_swap_side_effect") (param i32) (param i32) (result i32)
    (select (call $side) (local.get 0) (i32.eqz (local.get 1))))
  ;; -> 0
  (func (export "i32_lt_u_zero") (param i32) (result i32)
    (i32.lt_u (local.get 0) (i32.const 0)))
  ;; -> 1
  (func (export "i32_ge_u_zero") (param i32) (result i32)
    (i32.ge_u (local.get 0) (i32.const 0)))
  ;; -> 0
  (func (export "i32_gt_u_max") (param i32) (result i32)
    (i32.gt_u (local.get 0) (i32.const -1)))
  ;; -> 1
  (func (export "i32_le_u_max") (param i32) (result i32)
    (i32.le_u (local.get 0) (i32.const -1)))
  ;; -> i32.eqz
  (func (export "i32_eq_zero") (param i32) (result i32)
    (i32.eq (local.get 0) (i32.const 0)))
  ;; -> i32.ne
  (func (export "i32_eqz_eq") (param i32) (param i32) (result i32)
    (i32.eqz (i32.eq (local.get 0) (local.get 1))))
  ;; -> i32.eq
  (func (export "i32_eqz_ne") (param i32) (param i32) (result i32)
    (i32.eqz (i32.ne (local.get 0) (local.get 1))))
  ;; -> i32.ge_s
  (func (export "i32_eqz_lt_s") (param i32) (param i32) (result i32)
    (i32.eqz (i32.lt_s (local.get 0) (local.get 1))))
  ;; -> i32.ge_u
  (func (export "i32_eqz_lt_u") (param i32) (param i32) (result i32)
    (i32.eqz (i32.lt_u (local.get 0) (local.get 1))))
  ;; -> i32.le_s
  (func (export "i32_eqz_gt_s") (param i32) (param i32) (result i32)
    (i32.eqz (i32.gt_s (local.get 0) (local.get 1))))
  ;; -> i32.le_u
  (func (export "i32_eqz_gt_u") (param i32) (param i32) (result i32)
    (i32.eqz (i32.gt_u (local.get 0) (local.get 1))))
  ;; -> i32.gt_s
  (func (export "i32_eqz_le_s") (param i32) (param i32) (result i32)
    (i32.eqz (i32.le_s (local.get 0) (local.get 1))))
  ;; -> i32.gt_u
  (func (export "i32_eqz_le_u") (param i32) (param i32) (result i32)
    (i32.eqz (i32.le_u (local.get 0) (local.get 1))))
  ;; -> i32.lt_s
  (func (export "i32_eqz_ge_s") (param i32) (param i32) (result i32)
    (i32.eqz (i32.ge_s (local.get 0) (local.get 1))))
  ;; -> i32.lt_u
  (func (export "i32_eqz_ge_u") (param i32) (param i32) (result i32)
    (i32.eqz (i32.ge_u (local.get 0) (local.get 1))))
  ;; -> 0
  (func (export "i64_lt_u_zero") (param i64) (result i32)
    (i64.lt_u (local.get 0) (i64.const 0)))
  ;; -> 1
  (func (export "i64_ge_u_zero") (param i64) (result i32)
    (i64.ge_u (local.get 0) (i64.const 0)))
  ;; -> 0
  (func (export "i64_gt_u_max") (param i64) (result i32)
    (i64.gt_u (local.get 0) (i64.const -1)))
  ;; -> 1
  (func (export "i64_le_u_max") (param i64) (result i32)
    (i64.le_u (local.get 0) (i64.const -1)))
  ;; -> i64.eqz
  (func (export "i64_eq_zero") (param i64) (result i32)
    (i64.eq (local.get 0) (i64.const 0)))
  ;; -> i64.ne
  (func (export "i64_eqz_eq") (param i64) (param i64) (result i32)
    (i32.eqz (i64.eq (local.get 0) (local.get 1))))
  ;; -> i64.eq
  (func (export "i64_eqz_ne") (param i64) (param i64) (result i32)
    (i32.eqz (i64.ne (local.get 0) (local.get 1))))
  ;; -> i64.ge_s
  (func (export "i64_eqz_lt_s") (param i64) (param i64) (result i32)
    (i32.eqz (i64.lt_s (local.get 0) (local.get 1))))
  ;; -> i64.ge_u
  (func (export "i64_eqz_lt_u") (param i64) (param i64) (result i32)
    (i32.eqz (i64.lt_u (local.get 0) (local.get 1))))
  ;; -> i64.le_s
  (func (export "i64_eqz_gt_s") (param i64) (param i64) (result i32)
    (i32.eqz (i64.gt_s (local.get 0) (local.get 1))))
  ;; -> i64.le_u
  (func (export "i64_eqz_gt_u") (param i64) (param i64) (result i32)
    (i32.eqz (i64.gt_u (local.get 0) (local.get 1))))
  ;; -> i64.gt_s
  (func (export "i64_eqz_le_s") (param i64) (param i64) (result i32)
    (i32.eqz (i64.le_s (local.get 0) (local.get 1))))
  ;; -> i64.gt_u
  (func (export "i64_eqz_le_u") (param i64) (param i64) (result i32)
    (i32.eqz (i64.le_u (local.get 0) (local.get 1))))
  ;; -> i64.lt_s
  (func (export "i64_eqz_ge_s") (param i64) (param i64) (result i32)
    (i32.eqz (i64.ge_s (local.get 0) (local.get 1))))
  ;; -> i64.lt_u
  (func (export "i64_eqz_ge_u") (param i64) (param i64) (result i32)
    (i32.eqz (i64.ge_u (local.get 0) (local.get 1))))
  ;; must NOT fire: the call stays
  (func (export "i32_lt_u_zero_side_effect") (result i32)
    (i32.lt_u (call $side) (i32.const 0)))
  ;; must NOT fire: NaN makes lt and ge both false
  (func (export "f32_eqz_lt_kept") (param f32) (param f32) (result i32)
    (i32.eqz (f32.lt (local.get 0) (local.get 1))))
  ;; -> local.get 0
  (func (export "i32_wrap_extend_s") (param i32) (result i32)
    (i32.wrap_i64 (i64.extend_i32_s (local.get 0))))
  ;; -> local.get 0
  (func (export "i32_wrap_extend_u") (param i32) (result i32)
    (i32.wrap_i64 (i64.extend_i32_u (local.get 0))))
  ;; Regression (fuzzer): condition 0 whose false arm is removable but whose
  ;; true arm has a call: select_false cannot drop the call, and select_true
  ;; must NOT take 0 as true. Nothing fires.
  (func (export "select_zero_cond_side_effect_arm") (param i32) (result i32)
    (select (call $side) (i32.xor (local.get 0) (local.get 0)) (i32.const 0)))
)
