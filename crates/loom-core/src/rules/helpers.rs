//! The pure functions the rules call (`extern constructor`s and
//! `extern extractor`s in `rules/prelude.isle` that do not look at the IR).
//! Each one is a function of concrete values only, so the rule proofs can
//! call it and compare it with its model. Meanings are documented here and
//! in prelude.isle, and must stay identical.

use super::ops::{BinOp, UnOp};

/// A typed wasm constant: the evaluator's value, floats kept as their
/// bits so NaN payloads and the sign of zero are exact.
pub type Const = crate::eval::Value;

/// The result of `op` on constant operands per the wasm spec, or `None`
/// when the operation traps on them (division or remainder by zero,
/// `INT_MIN / -1` for `div_s`) or the operands do not have `op`'s types.
/// Float NaN results are the canonical NaN; `-0.0` is kept exactly. The
/// one evaluator `crate::eval` computes it, so the rule proofs' check of
/// this helper against its Z3 model checks the evaluator too.
pub fn fold_binary(op: BinOp, a: Const, b: Const) -> Option<Const> {
    crate::eval::eval(&op.operator(), &[a, b])?.ok()
}

/// The result of `op` on a constant operand per the wasm spec, or `None`
/// when it traps (a trapping `trunc` of NaN or of a value out of range) or
/// the operand does not have `op`'s type. Float NaN results of arithmetic
/// are the canonical NaN; `neg`, `abs`, `copysign` and reinterpretations
/// work on the bits and keep NaN payloads exactly; `-0.0` is kept exactly.
pub fn fold_unary(op: UnOp, a: Const) -> Option<Const> {
    crate::eval::eval(&op.operator(), &[a])?.ok()
}

/// Whether `op` is an integer operator with `op x y == op y x`.
pub fn commutative(op: BinOp) -> bool {
    use BinOp::*;
    matches!(
        op,
        i32_add
            | i32_mul
            | i32_and
            | i32_or
            | i32_xor
            | i32_eq
            | i32_ne
            | i64_add
            | i64_mul
            | i64_and
            | i64_or
            | i64_xor
            | i64_eq
            | i64_ne
    )
}

/// Whether `op` is an integer operator with `op (op x a) b == op x (op a b)`.
pub fn associative(op: BinOp) -> bool {
    use BinOp::*;
    matches!(
        op,
        i32_add
            | i32_mul
            | i32_and
            | i32_or
            | i32_xor
            | i64_add
            | i64_mul
            | i64_and
            | i64_or
            | i64_xor
    )
}

/// Whether `op` is an integer shift or rotation.
pub fn shift_or_rotate(op: BinOp) -> bool {
    use BinOp::*;
    matches!(
        op,
        i32_shl
            | i32_shr_s
            | i32_shr_u
            | i32_rotl
            | i32_rotr
            | i64_shl
            | i64_shr_s
            | i64_shr_u
            | i64_rotl
            | i64_rotr
    )
}

/// For two shift counts of the same integer type: the sum of the counts
/// modulo the width `w`, when it is below `w`; `None` otherwise.
pub fn shift_sum(c1: Const, c2: Const) -> Option<Const> {
    match (c1, c2) {
        (Const::I32(a), Const::I32(b)) => {
            let s = (a & 31) + (b & 31);
            (s < 32).then_some(Const::I32(s))
        }
        (Const::I64(a), Const::I64(b)) => {
            let s = (a & 63) + (b & 63);
            (s < 64).then_some(Const::I64(s))
        }
        _ => None,
    }
}

/// For an integer constant that is a power of two (as an unsigned number):
/// its exponent, as a constant of the same type. `None` otherwise.
pub fn log2(c: Const) -> Option<Const> {
    match c {
        Const::I32(v) if (v as u32).is_power_of_two() => {
            Some(Const::I32(v.trailing_zeros() as i32))
        }
        Const::I64(v) if (v as u64).is_power_of_two() => {
            Some(Const::I64(v.trailing_zeros() as i64))
        }
        _ => None,
    }
}

/// Bytes of the signed LEB128 encoding of an integer constant (as
/// `i32.const`/`i64.const` immediates are encoded); 0 for floats.
pub fn const_len(c: Const) -> u64 {
    match c {
        Const::I32(v) => crate::leb::signed_size(v.into()) as u64,
        Const::I64(v) => crate::leb::signed_size(v) as u64,
        Const::F32(_) | Const::F64(_) => 0,
    }
}

/// Whether the integer constant `a` encodes in no more bytes than `b`.
pub fn len_le(a: Const, b: Const) -> bool {
    const_len(a) <= const_len(b)
}

/// Whether every bit set in `possible` is also set in the integer constant
/// `mask` (taken as unsigned): then `x & mask == x` for every `x` whose set
/// bits lie within `possible`.
pub fn mask_keeps(possible: u64, mask: Const) -> bool {
    let mask = match mask {
        Const::I32(v) => v as u32 as u64,
        Const::I64(v) => v as u64,
        Const::F32(_) | Const::F64(_) => return false,
    };
    possible & !mask == 0
}

/// The new static offset when the constant `c` of an address
/// `(i32.add p (i32.const c))` (or `i64.add` for memory64) moves into a
/// load's or store's offset `offset`, or `None` when that could change the
/// effective address. The add wraps modulo 2^32 (2^64), the effective
/// address `address + offset` does not, so the move is exact only when
/// `p + c` cannot wrap: `p_max + c < 2^32` (`2^64`), with `c` unsigned and
/// `p_max` an upper bound of `p`. The new offset `offset + c` must also fit
/// the offset field: below 2^32 for memory32 (an i32 `c`), below 2^64 for
/// memory64 (an i64 `c`).
pub fn added_offset(offset: u64, p_max: u64, c: Const) -> Option<u64> {
    let (c, limit) = match c {
        Const::I32(v) => (v as u32 as u128, 1u128 << 32),
        Const::I64(v) => (v as u64 as u128, 1u128 << 64),
        Const::F32(_) | Const::F64(_) => return None,
    };
    let no_wrap = (p_max as u128) + c < limit;
    let new_offset = offset as u128 + c;
    (no_wrap && new_offset < limit).then_some(new_offset as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traps_are_never_folded() {
        let i32s = |a, b| (Const::I32(a), Const::I32(b));
        for (op, (a, b)) in [
            (BinOp::i32_div_s, i32s(1, 0)),
            (BinOp::i32_div_u, i32s(1, 0)),
            (BinOp::i32_rem_s, i32s(1, 0)),
            (BinOp::i32_rem_u, i32s(1, 0)),
            (BinOp::i32_div_s, i32s(i32::MIN, -1)),
        ] {
            assert_eq!(fold_binary(op, a, b), None, "{op:?}");
        }
        assert_eq!(
            fold_binary(BinOp::i32_rem_s, Const::I32(i32::MIN), Const::I32(-1)),
            Some(Const::I32(0))
        );
        let nan = Const::F32(f32::NAN.to_bits());
        assert_eq!(fold_unary(UnOp::i32_trunc_f32_s, nan), None);
        assert_eq!(
            fold_unary(UnOp::i32_trunc_sat_f32_s, nan),
            Some(Const::I32(0))
        );
        assert_eq!(
            fold_unary(UnOp::i32_trunc_f64_s, Const::F64(2147483648.0f64.to_bits())),
            None
        );
        assert_eq!(
            fold_unary(
                UnOp::i32_trunc_f64_s,
                Const::F64((-2147483648.9f64).to_bits())
            ),
            Some(Const::I32(i32::MIN))
        );
        assert_eq!(
            fold_unary(UnOp::i32_trunc_f64_u, Const::F64((-0.9f64).to_bits())),
            Some(Const::I32(0))
        );
        assert_eq!(
            fold_unary(
                UnOp::i64_trunc_f64_s,
                Const::F64((-9223372036854775808.0f64).to_bits())
            ),
            Some(Const::I64(i64::MIN))
        );
        assert_eq!(
            fold_unary(
                UnOp::i64_trunc_f64_s,
                Const::F64(9223372036854775808.0f64.to_bits())
            ),
            None
        );
    }

    #[test]
    fn shifts_mask_the_count() {
        assert_eq!(
            fold_binary(BinOp::i32_shl, Const::I32(1), Const::I32(33)),
            Some(Const::I32(2))
        );
        assert_eq!(
            fold_binary(BinOp::i64_rotl, Const::I64(1), Const::I64(-1)),
            Some(Const::I64(i64::MIN))
        );
    }

    #[test]
    fn float_min_max_and_zero_signs() {
        let z = Const::F32(0);
        let nz = Const::F32(0x8000_0000);
        assert_eq!(fold_binary(BinOp::f32_min, z, nz), Some(nz));
        assert_eq!(fold_binary(BinOp::f32_max, z, nz), Some(z));
    }

    #[test]
    fn encoding_lengths() {
        assert_eq!(const_len(Const::I32(63)), 1);
        assert_eq!(const_len(Const::I32(64)), 2);
        assert_eq!(const_len(Const::I32(-64)), 1);
        assert_eq!(const_len(Const::I32(-65)), 2);
        assert_eq!(const_len(Const::I32(i32::MIN)), 5);
        assert_eq!(const_len(Const::I64(i64::MIN)), 10);
    }

    #[test]
    fn offsets() {
        assert_eq!(added_offset(4, 0xff, Const::I32(16)), Some(20));
        assert_eq!(added_offset(0, u32::MAX as u64, Const::I32(1)), None);
        assert_eq!(added_offset(0, 0xff, Const::I32(-1)), None);
    }
}
