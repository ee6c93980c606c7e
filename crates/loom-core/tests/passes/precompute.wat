;; loom: --pass precompute
;; Constant trees fold to one constant when it is no larger than the tree
;; (else their subtrees are tried: i64.rotr 1 1, i64.extend_i32_u -1 and
;; f64.promote 1.5 below stay, their constants would be longer);
;; operations that would trap stay; conditions that became constant are
;; folded (by remove-unused-brs).
(module
  (global $g (mut i32) (i32.const 0))
  (tag $e (param i32))
  (func $effect (result i32) (global.set $g (i32.const 1)) (i32.const 2))

  ;; a whole tree folds: (1 + 2) * 7 - 1 = 20, wrapping at the top
  (func (export "tree") (result i32)
    (i32.sub (i32.mul (i32.add (i32.const 1) (i32.const 2)) (i32.const 7)) (i32.const 1)))
  (func (export "wrap") (result i32 i64)
    (i32.add (i32.const 0x7fffffff) (i32.const 1))
    (i64.mul (i64.const 0x100000000) (i64.const 0x100000000)))
  ;; shift counts are masked, rotations wrap around
  (func (export "shifts") (result i32 i32 i64 i64)
    (i32.shl (i32.const 1) (i32.const 33))
    (i32.rotl (i32.const 0x80000001) (i32.const 1))
    (i64.shr_s (i64.const 0x8000000000000000) (i64.const 127))
    (i64.rotr (i64.const 1) (i64.const 1)))
  (func (export "counts") (result i32 i32 i64)
    (i32.clz (i32.const 0)) (i32.ctz (i32.const 0x100)) (i64.popcnt (i64.const -1)))
  (func (export "compare") (result i32 i32 i32 i32)
    (i32.lt_u (i32.const -1) (i32.const 0))
    (i64.gt_s (i64.const 1) (i64.const -1))
    (f32.eq (f32.const nan) (f32.const nan))
    (f64.ne (f64.const nan) (f64.const 0)))
  (func (export "convert") (result i64 i32 f32 f64 i32 i64)
    (i64.extend_i32_u (i32.const -1))
    (i32.wrap_i64 (i64.const 0x1ffffffff))
    (f32.convert_i32_s (i32.const 16777217))
    (f64.promote_f32 (f32.const 1.5))
    (i32.trunc_f64_s (f64.const -2147483648.9))
    (i64.trunc_f32_u (f32.const 1e10)))
  (func (export "extend") (result i32 i64)
    (i32.extend8_s (i32.const 0x80)) (i64.extend32_s (i64.const 0xffffffff)))
  ;; saturating truncation never traps: NaN is 0, out of range clamps
  (func (export "saturate") (result i32 i32 i64)
    (i32.trunc_sat_f32_s (f32.const nan))
    (i32.trunc_sat_f64_u (f64.const -5))
    (i64.trunc_sat_f64_s (f64.const inf)))
  ;; these trap on their constants: all stay as they are
  (func (export "traps_kept") (result i32 i32 i64 i32 i32 i64)
    (i32.div_s (i32.const 1) (i32.const 0))
    (i32.div_s (i32.const 0x80000000) (i32.const -1))
    (i64.rem_u (i64.const 1) (i64.const 0))
    (i32.trunc_f32_s (f32.const nan))
    (i32.trunc_f64_u (f64.const -1))
    (i64.trunc_f64_s (f64.const 9223372036854775808)))
  ;; rem_s of INT_MIN by -1 is 0, it does not trap
  (func (export "rem_no_trap") (result i32)
    (i32.rem_s (i32.const 0x80000000) (i32.const -1)))
  ;; NaN results are the canonical NaN; neg/abs/copysign keep NaN bits;
  ;; the sign of zero is kept
  (func (export "floats") (result f32 f32 f64 f64 f32 f64)
    (f32.add (f32.const -nan:0x200001) (f32.const 1))
    (f32.neg (f32.const nan:0x200001))
    (f64.min (f64.const 0) (f64.const -0))
    (f64.div (f64.const 0) (f64.const 0))
    (f32.nearest (f32.const -0.5))
    (f64.copysign (f64.const 2) (f64.const -0)))
  ;; folded, the constant would be a byte longer than the tree: it stays
  ;; (its subtrees are already as small as they get)
  (func (export "longer_kept") (result i64 f64)
    (i64.shl (i64.extend_i32_u (i32.const 6)) (i64.const 32))
    (f64.convert_i32_s (i32.const 1)))
  ;; a longer constant as a condition still folds: the if goes
  (func (export "longer_condition") (result i32)
    (if (result i32) (i32.wrap_i64 (i64.shl (i64.extend_i32_u (i32.const 6)) (i64.const 32)))
      (then (i32.const 1)) (else (i32.const 2))))
  ;; an operand that is not constant stops the fold above it only
  (func (export "partial") (param $x i32) (result i32)
    (i32.add (local.get $x) (i32.mul (i32.const 6) (i32.const 7))))
  ;; an operand with effects is not a constant
  (func (export "effects_kept") (result i32)
    (i32.add (call $effect) (i32.const 0)))
  ;; a folded condition: the if becomes its taken arm; the branch out of
  ;; the arm to the if's own label keeps a block to target
  (func (export "if_const") (param $x i32) (result i32)
    (if (result i32) (i32.eq (i32.const 1) (i32.const 1))
      (then
        (br_if 0 (i32.const 10) (local.get $x))
        (drop)
        (i32.const 11))
      (else (i32.const 12))))
  (func (export "if_const_else") (result i32)
    (if (result i32) (i32.ne (i32.const 1) (i32.const 1))
      (then (call $effect))
      (else (i32.const 12))))
  ;; br_if on a folded condition: taken becomes br, not taken goes
  (func (export "br_if_const") (result i32)
    (block $b (result i32)
      (drop (br_if $b (i32.const 1) (i32.gt_u (i32.const 0) (i32.const 1))))
      (br_if $b (i32.const 2) (i32.lt_u (i32.const 0) (i32.const 1)))))
  ;; br_table on a folded index: a br to the chosen target
  (func (export "br_table_const") (result i32)
    (block $a
      (block $b
        (br_table $a $b $a (i32.add (i32.const 0) (i32.const 1))))
      (return (i32.const 1)))
    (i32.const 2))
  ;; select on a folded condition: the unchosen arm goes when pure
  (func (export "select_pure") (param $x i32) (result i32)
    (select (local.get $x) (i32.const 5) (i32.and (i32.const 2) (i32.const 1))))
  ;; the unchosen arm has effects: both run in their order
  (func (export "select_effects_second") (param $x i32) (result i32)
    (select (local.get $x) (call $effect) (i32.const 1)))
  (func (export "select_effects_first") (param $x i32) (result i32)
    (select (call $effect) (local.get $x) (i32.const 0)))
  ;; folding inside unreachable code and try bodies is harmless
  (func (export "in_try") (result i32)
    try (result i32)
      (i32.add (i32.const 1) (i32.const 2))
    catch $e
      (drop)
      (i32.mul (i32.const 3) (i32.const 4))
    end)
  (func (export "in_try_table") (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (i32.xor (i32.const 3) (i32.const 5)))))
  (func (export "after_unreachable") (result i32)
    (unreachable)
    (i32.add (i32.const 1) (i32.const 1))
    (drop)
    (i32.const 0))
)
