;; loom: --pass optimize-instructions
(module
  (global $g (mut i32) (i32.const 0))
  (memory 1)
  (func $side (result i32) (global.set $g (i32.const 1)) (i32.const 7))
  ;; -> local.get 0
  (func (export "i32_add_zero") (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 0)))
  ;; -> local.get 0
  (func (export "i32_sub_zero") (param i32) (result i32)
    (i32.sub (local.get 0) (i32.const 0)))
  ;; -> local.get 0
  (func (export "i32_mul_one") (param i32) (result i32)
    (i32.mul (local.get 0) (i32.const 1)))
  ;; -> local.get 0
  (func (export "i32_div_s_one") (param i32) (result i32)
    (i32.div_s (local.get 0) (i32.const 1)))
  ;; -> local.get 0
  (func (export "i32_div_u_one") (param i32) (result i32)
    (i32.div_u (local.get 0) (i32.const 1)))
  ;; -> local.get 0
  (func (export "i32_and_minus_one") (param i32) (result i32)
    (i32.and (local.get 0) (i32.const -1)))
  ;; -> local.get 0
  (func (export "i32_or_zero") (param i32) (result i32)
    (i32.or (local.get 0) (i32.const 0)))
  ;; -> local.get 0
  (func (export "i32_xor_zero") (param i32) (result i32)
    (i32.xor (local.get 0) (i32.const 0)))
  ;; shift/rotate by a multiple of the width -> local.get 0
  (func (export "i32_shift_by_width") (param i32) (result i32)
    (i32.shl (i32.rotr (local.get 0) (i32.const 64)) (i32.const 0)))
  ;; -> i32.const 0
  (func (export "i32_mul_zero") (param i32) (result i32)
    (i32.mul (local.get 0) (i32.const 0)))
  ;; must NOT fire: the call must stay
  (func (export "i32_mul_zero_side_effect") (result i32)
    (i32.mul (call $side) (i32.const 0)))
  ;; -> i32.const 0
  (func (export "i32_and_zero") (param i32) (result i32)
    (i32.and (local.get 0) (i32.const 0)))
  ;; must NOT fire: the call must stay
  (func (export "i32_and_zero_side_effect") (result i32)
    (i32.and (call $side) (i32.const 0)))
  ;; -> i32.const -1
  (func (export "i32_or_minus_one") (param i32) (result i32)
    (i32.or (local.get 0) (i32.const -1)))
  ;; must NOT fire: the call must stay
  (func (export "i32_or_minus_one_side_effect") (result i32)
    (i32.or (call $side) (i32.const -1)))
  ;; -> i32.const 0
  (func (export "i32_sub_self") (param i32) (result i32)
    (i32.sub (i32.add (local.get 0) (i32.const 3)) (i32.add (local.get 0) (i32.const 3))))
  ;; -> i32.const 0
  (func (export "i32_xor_self") (param i32) (result i32)
    (i32.xor (i32.add (local.get 0) (i32.const 3)) (i32.add (local.get 0) (i32.const 3))))
  ;; -> x
  (func (export "i32_and_self") (param i32) (result i32)
    (i32.and (i32.add (local.get 0) (i32.const 3)) (i32.add (local.get 0) (i32.const 3))))
  ;; -> x
  (func (export "i32_or_self") (param i32) (result i32)
    (i32.or (i32.add (local.get 0) (i32.const 3)) (i32.add (local.get 0) (i32.const 3))))
  ;; -> i32.const 1
  (func (export "i32_eq_self") (param i32) (result i32)
    (i32.eq (i32.add (local.get 0) (i32.const 3)) (i32.add (local.get 0) (i32.const 3))))
  ;; -> i32.const 0
  (func (export "i32_ne_self") (param i32) (result i32)
    (i32.ne (i32.add (local.get 0) (i32.const 3)) (i32.add (local.get 0) (i32.const 3))))
  ;; must NOT fire: different operands
  (func (export "i32_sub_self_different") (param i32) (param i32) (result i32)
    (i32.sub (local.get 0) (local.get 1)))
  ;; -> local.get 0
  (func (export "i32_neg_neg") (param i32) (result i32)
    (i32.sub (i32.const 0) (i32.sub (i32.const 0) (local.get 0))))
  ;; the load already zero-extends -> just the load
  (func (export "i32_and_redundant_mask") (param i32) (result i32)
    (i32.and (i32.load8_u (local.get 0)) (i32.const 255)))
  ;; must NOT fire: the mask clears bits 8..15
  (func (export "i32_and_mask_needed") (param i32) (result i32)
    (i32.and (i32.load16_u (local.get 0)) (i32.const 255)))
  ;; 64 needs 2 bytes, -64 one -> add -64
  (func (export "i32_sub_const") (param i32) (result i32)
    (i32.sub (local.get 0) (i32.const 64)))
  ;; -> sub 64 is NOT shorter? add 64 (2 bytes) vs sub -64 (1 byte) -> sub -64
  (func (export "i32_add_const_shorter_neg") (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 64)))
  ;; -> local.get 0
  (func (export "i64_add_zero") (param i64) (result i64)
    (i64.add (local.get 0) (i64.const 0)))
  ;; -> local.get 0
  (func (export "i64_sub_zero") (param i64) (result i64)
    (i64.sub (local.get 0) (i64.const 0)))
  ;; -> local.get 0
  (func (export "i64_mul_one") (param i64) (result i64)
    (i64.mul (local.get 0) (i64.const 1)))
  ;; -> local.get 0
  (func (export "i64_div_s_one") (param i64) (result i64)
    (i64.div_s (local.get 0) (i64.const 1)))
  ;; -> local.get 0
  (func (export "i64_div_u_one") (param i64) (result i64)
    (i64.div_u (local.get 0) (i64.const 1)))
  ;; -> local.get 0
  (func (export "i64_and_minus_one") (param i64) (result i64)
    (i64.and (local.get 0) (i64.const -1)))
  ;; -> local.get 0
  (func (export "i64_or_zero") (param i64) (result i64)
    (i64.or (local.get 0) (i64.const 0)))
  ;; -> local.get 0
  (func (export "i64_xor_zero") (param i64) (result i64)
    (i64.xor (local.get 0) (i64.const 0)))
  ;; shift/rotate by a multiple of the width -> local.get 0
  (func (export "i64_shift_by_width") (param i64) (result i64)
    (i64.shl (i64.rotr (local.get 0) (i64.const 128)) (i64.const 0)))
  ;; -> i64.const 0
  (func (export "i64_mul_zero") (param i64) (result i64)
    (i64.mul (local.get 0) (i64.const 0)))
  ;; must NOT fire: the call must stay
  (func (export "i64_mul_zero_side_effect") (result i64)
    (i64.mul (i64.extend_i32_u (call $side)) (i64.const 0)))
  ;; -> i64.const 0
  (func (export "i64_and_zero") (param i64) (result i64)
    (i64.and (local.get 0) (i64.const 0)))
  ;; must NOT fire: the call must stay
  (func (export "i64_and_zero_side_effect") (result i64)
    (i64.and (i64.extend_i32_u (call $side)) (i64.const 0)))
  ;; -> i64.const -1
  (func (export "i64_or_minus_one") (param i64) (result i64)
    (i64.or (local.get 0) (i64.const -1)))
  ;; must NOT fire: the call must stay
  (func (export "i64_or_minus_one_side_effect") (result i64)
    (i64.or (i64.extend_i32_u (call $side)) (i64.const -1)))
  ;; -> i64.const 0
  (func (export "i64_sub_self") (param i64) (result i64)
    (i64.sub (i64.add (local.get 0) (i64.const 3)) (i64.add (local.get 0) (i64.const 3))))
  ;; -> i64.const 0
  (func (export "i64_xor_self") (param i64) (result i64)
    (i64.xor (i64.add (local.get 0) (i64.const 3)) (i64.add (local.get 0) (i64.const 3))))
  ;; -> x
  (func (export "i64_and_self") (param i64) (result i64)
    (i64.and (i64.add (local.get 0) (i64.const 3)) (i64.add (local.get 0) (i64.const 3))))
  ;; -> x
  (func (export "i64_or_self") (param i64) (result i64)
    (i64.or (i64.add (local.get 0) (i64.const 3)) (i64.add (local.get 0) (i64.const 3))))
  ;; -> i32.const 1
  (func (export "i64_eq_self") (param i64) (result i32)
    (i64.eq (i64.add (local.get 0) (i64.const 3)) (i64.add (local.get 0) (i64.const 3))))
  ;; -> i32.const 0
  (func (export "i64_ne_self") (param i64) (result i32)
    (i64.ne (i64.add (local.get 0) (i64.const 3)) (i64.add (local.get 0) (i64.const 3))))
  ;; must NOT fire: different operands
  (func (export "i64_sub_self_different") (param i64) (param i64) (result i64)
    (i64.sub (local.get 0) (local.get 1)))
  ;; -> local.get 0
  (func (export "i64_neg_neg") (param i64) (result i64)
    (i64.sub (i64.const 0) (i64.sub (i64.const 0) (local.get 0))))
  ;; the load already zero-extends -> just the load
  (func (export "i64_and_redundant_mask") (param i32) (result i64)
    (i64.and (i64.load8_u (local.get 0)) (i64.const 255)))
  ;; must NOT fire: the mask clears bits 8..15
  (func (export "i64_and_mask_needed") (param i32) (result i64)
    (i64.and (i64.load16_u (local.get 0)) (i64.const 255)))
  ;; 64 needs 2 bytes, -64 one -> add -64
  (func (export "i64_sub_const") (param i64) (result i64)
    (i64.sub (local.get 0) (i64.const 64)))
  ;; -> sub 64 is NOT shorter? add 64 (2 bytes) vs sub -64 (1 byte) -> sub -64
  (func (export "i64_add_const_shorter_neg") (param i64) (result i64)
    (i64.add (local.get 0) (i64.const 64)))
  ;; sign bit flipped twice -> local.get 0
  (func (export "f32_neg_neg") (param f32) (result f32)
    (f32.neg (f32.neg (local.get 0))))
  ;; -> local.get 0
  (func (export "f64_neg_neg") (param f64) (result f64)
    (f64.neg (f64.neg (local.get 0))))
  ;; must NOT fire: -0.0 + 0.0 is +0.0
  (func (export "f32_add_zero_kept") (param f32) (result f32)
    (f32.add (local.get 0) (f32.const 0)))
  ;; -> i32.lt_s
  (func (export "i32_eqz_eqz_bool") (param i32) (param i32) (result i32)
    (i32.eqz (i32.eqz (i32.lt_s (local.get 0) (local.get 1)))))
  ;; must NOT fire: x may be 2
  (func (export "i32_eqz_eqz_not_bool") (param i32) (result i32)
    (i32.eqz (i32.eqz (local.get 0))))
  ;; -> (i32.mul (local.get 0) (i32.const 3))
  (func (export "commute_const_right") (param i32) (result i32)
    (i32.mul (i32.const 3) (local.get 0)))
  ;; must NOT fire: sub is not commutative
  (func (export "commute_not_sub") (param i32) (result i32)
    (i32.sub (i32.const 3) (local.get 0)))
  ;; -> add 7
  (func (export "reassociate_const") (param i32) (result i32)
    (i32.add (i32.add (local.get 0) (i32.const 3)) (i32.const 4)))
  ;; -> xor 6
  (func (export "reassociate_xor_64") (param i64) (result i64)
    (i64.xor (i64.xor (local.get 0) (i64.const 3)) (i64.const 5)))
  ;; must NOT fire: different operators
  (func (export "reassociate_not_mixed") (param i32) (result i32)
    (i32.mul (i32.add (local.get 0) (i32.const 3)) (i32.const 4)))
  ;; (x << 3) << 4 -> x << 7; x >>u 30 >>u 1 -> x >>u 31
  (func (export "i32_shl_shl") (param i32) (result i32)
    (i32.shl (i32.shl (local.get 0) (i32.const 3)) (i32.const 4)))
  (func (export "i64_shl_shl") (param i64) (result i64)
    (i64.shl (i64.shl (local.get 0) (i64.const 3)) (i64.const 68)))
  (func (export "i32_shr_u_shr_u") (param i32) (result i32)
    (i32.shr_u (i32.shr_u (local.get 0) (i32.const 30)) (i32.const 1)))
  (func (export "i64_shr_u_shr_u") (param i64) (result i64)
    (i64.shr_u (i64.shr_u (local.get 0) (i64.const 60)) (i64.const 3)))
  ;; Must NOT fire: 16 + 16 = 32 shifts everything out, one shl by 32 is none.
  (func (export "i32_shl_shl_too_far") (param i32) (result i32)
    (i32.shl (i32.shl (local.get 0) (i32.const 16)) (i32.const 16)))
  ;; Must NOT fire: shr_s then shr_u do not combine.
  (func (export "shr_s_shr_u_mixed") (param i32) (result i32)
    (i32.shr_u (i32.shr_s (local.get 0) (i32.const 1)) (i32.const 1)))
)
