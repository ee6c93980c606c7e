;; loom: --pass optimize-instructions
(module
  ;; Every binary operator on constants folds to its result.
  (func (export "const_fold_binary") (result i32)
    (i32.add (i32.const 0x7fffffff) (i32.const 1)))
  ;; Every unary operator on constants folds to its result.
  (func (export "const_fold_unary") (result i32)
    (i32.clz (i32.const 1)))

  ;; Folding is bottom-up: a whole constant tree becomes one constant.
  (func (export "nested") (result i64)
    (i64.mul (i64.add (i64.const 3) (i64.const 4)) (i64.extend_i32_u (i32.const -1))))
  ;; Shift and rotate counts are masked by the width.
  (func (export "shift_masked") (result i32)
    (i32.add (i32.shl (i32.const 1) (i32.const 33)) (i32.rotl (i32.const 1) (i32.const -1))))
  (func (export "shift_masked_64") (result i64)
    (i64.shr_u (i64.const -1) (i64.const 127)))
  ;; Comparisons, signed and unsigned.
  (func (export "compare") (result i32)
    (i32.add (i32.lt_s (i32.const -1) (i32.const 0)) (i32.lt_u (i32.const -1) (i32.const 0))))
  ;; rem_s of INT_MIN by -1 is 0 (no trap): folded.
  (func (export "rem_s_min") (result i32)
    (i32.rem_s (i32.const 0x80000000) (i32.const -1)))
  ;; Must NOT fold: these trap.
  (func (export "div_by_zero") (result i32)
    (i32.div_u (i32.const 1) (i32.const 0)))
  (func (export "rem_by_zero") (result i64)
    (i64.rem_s (i64.const 1) (i64.const 0)))
  (func (export "div_s_overflow") (result i32)
    (i32.div_s (i32.const 0x80000000) (i32.const -1)))
  (func (export "trunc_nan") (result i32)
    (i32.trunc_f32_s (f32.const nan)))
  (func (export "trunc_overflow") (result i32)
    (i32.trunc_f64_u (f64.const 4294967296)))
  ;; In range just below the limit: folds.
  (func (export "trunc_in_range") (result i32)
    (i32.trunc_f64_u (f64.const 4294967295.9)))
  ;; Saturating truncations never trap: NaN gives 0, overflow saturates.
  (func (export "trunc_sat") (result i64)
    (i64.add (i64.trunc_sat_f32_s (f32.const nan)) (i64.trunc_sat_f64_u (f64.const 1e30))))
  ;; Floats: -0.0 kept; min(-0, 0) is -0; NaN results are canonical.
  (func (export "float_zero_sign") (result f32)
    (f32.min (f32.const 0) (f32.neg (f32.const 0))))
  (func (export "float_nan") (result f64)
    (f64.div (f64.const 0) (f64.const 0)))
  ;; neg and copysign keep NaN payloads exactly (bit operations).
  (func (export "float_neg_nan_payload") (result f32)
    (f32.neg (f32.const nan:0x200000)))
  (func (export "conversions") (result f64)
    (f64.promote_f32 (f32.demote_f64 (f64.convert_i64_u (i64.const -1)))))
  (func (export "sign_extension") (result i32)
    (i32.extend8_s (i32.const 0x80)))
  (func (export "reinterpret") (result i32)
    (i32.reinterpret_f32 (f32.const -0)))
  (func (export "nearest_ties_even") (result f32)
    (f32.nearest (f32.const 2.5)))
)
