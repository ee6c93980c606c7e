;; loom: --pass optimize-instructions
(module
  (global $g (mut i32) (i32.const 0))
  (memory 1)
  (func $side (result i32) (global.set $g (i32.const 1)) (i32.const 7))
  ;; -> shl 3
  (func (export "i32_mul_pow2") (param i32) (result i32)
    (i32.mul (local.get 0) (i32.const 8)))
  ;; -> shr_u 4
  (func (export "i32_div_u_pow2") (param i32) (result i32)
    (i32.div_u (local.get 0) (i32.const 16)))
  ;; -> and 15
  (func (export "i32_rem_u_pow2") (param i32) (result i32)
    (i32.rem_u (local.get 0) (i32.const 16)))
  ;; must NOT fire: signed division rounds toward zero
  (func (export "i32_div_s_pow2_kept") (param i32) (result i32)
    (i32.div_s (local.get 0) (i32.const 16)))
  ;; must NOT fire
  (func (export "i32_mul_not_pow2") (param i32) (result i32)
    (i32.mul (local.get 0) (i32.const 12)))
  ;; must NOT fire: traps
  (func (export "i32_div_u_zero_kept") (param i32) (result i32)
    (i32.div_u (local.get 0) (i32.const 0)))
  ;; -> shl 3
  (func (export "i64_mul_pow2") (param i64) (result i64)
    (i64.mul (local.get 0) (i64.const 8)))
  ;; -> shr_u 4
  (func (export "i64_div_u_pow2") (param i64) (result i64)
    (i64.div_u (local.get 0) (i64.const 16)))
  ;; -> and 15
  (func (export "i64_rem_u_pow2") (param i64) (result i64)
    (i64.rem_u (local.get 0) (i64.const 16)))
  ;; must NOT fire: signed division rounds toward zero
  (func (export "i64_div_s_pow2_kept") (param i64) (result i64)
    (i64.div_s (local.get 0) (i64.const 16)))
  ;; must NOT fire
  (func (export "i64_mul_not_pow2") (param i64) (result i64)
    (i64.mul (local.get 0) (i64.const 12)))
  ;; must NOT fire: traps
  (func (export "i64_div_u_zero_kept") (param i64) (result i64)
    (i64.div_u (local.get 0) (i64.const 0)))
  ;; 2^31 -> shl 31
  (func (export "i32_mul_min") (param i32) (result i32)
    (i32.mul (local.get 0) (i32.const 0x80000000)))
  ;; -> and 0 -> 0 (local.get is removable)
  (func (export "i32_rem_u_one") (param i32) (result i32)
    (i32.rem_u (local.get 0) (i32.const 1)))
)
