//! The pure functions the rules call (`extern constructor`s and
//! `extern extractor`s in `rules/prelude.isle` that do not look at the IR).
//! Each one is a function of concrete values only, so the rule proofs can
//! call it and compare it with its model. Meanings are documented here and
//! in prelude.isle, and must stay identical.

use super::ops::{BinOp, UnOp};

/// A typed wasm constant. Floats are kept as their bits so NaN payloads
/// and the sign of zero are exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Const {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
}

/// The canonical NaNs (quiet, payload zero, positive): the result of a
/// folded float operation that produces a NaN. The wasm spec allows any
/// NaN in the arithmetic (or canonical) set there, and the canonical NaN
/// belongs to both sets.
const F32_CANONICAL_NAN: u32 = 0x7fc0_0000;
const F64_CANONICAL_NAN: u64 = 0x7ff8_0000_0000_0000;

fn f32_result(v: f32) -> Const {
    Const::F32(if v.is_nan() {
        F32_CANONICAL_NAN
    } else {
        v.to_bits()
    })
}

fn f64_result(v: f64) -> Const {
    Const::F64(if v.is_nan() {
        F64_CANONICAL_NAN
    } else {
        v.to_bits()
    })
}

fn bool_result(b: bool) -> Const {
    Const::I32(b as i32)
}

/// wasm `fmin`/`fmax`: NaN if either is NaN, and -0 < +0.
fn f32_min_max(a: f32, b: f32, max: bool) -> Const {
    if a.is_nan() || b.is_nan() {
        return Const::F32(F32_CANONICAL_NAN);
    }
    if a == b {
        // Equal values differ at most in the sign of zero.
        let bits = if max {
            a.to_bits() & b.to_bits()
        } else {
            a.to_bits() | b.to_bits()
        };
        return Const::F32(bits);
    }
    f32_result(if (a < b) != max { a } else { b })
}

fn f64_min_max(a: f64, b: f64, max: bool) -> Const {
    if a.is_nan() || b.is_nan() {
        return Const::F64(F64_CANONICAL_NAN);
    }
    if a == b {
        let bits = if max {
            a.to_bits() & b.to_bits()
        } else {
            a.to_bits() | b.to_bits()
        };
        return Const::F64(bits);
    }
    f64_result(if (a < b) != max { a } else { b })
}

/// The result of `op` on constant operands per the wasm spec, or `None`
/// when the operation traps on them (division or remainder by zero,
/// `INT_MIN / -1` for `div_s`) or the operands do not have `op`'s types.
/// Float NaN results are the canonical NaN; `-0.0` is kept exactly.
pub fn fold_binary(op: BinOp, a: Const, b: Const) -> Option<Const> {
    use BinOp::*;
    Some(match (a, b) {
        (Const::I32(x), Const::I32(y)) => match op {
            i32_add => Const::I32(x.wrapping_add(y)),
            i32_sub => Const::I32(x.wrapping_sub(y)),
            i32_mul => Const::I32(x.wrapping_mul(y)),
            i32_div_s => Const::I32(x.checked_div(y)?),
            i32_div_u => Const::I32((x as u32).checked_div(y as u32)? as i32),
            // `INT_MIN % -1` is 0 in wasm (no trap), unlike `checked_rem`.
            i32_rem_s if y == 0 => return None,
            i32_rem_s => Const::I32(x.wrapping_rem(y)),
            i32_rem_u => Const::I32((x as u32).checked_rem(y as u32)? as i32),
            i32_and => Const::I32(x & y),
            i32_or => Const::I32(x | y),
            i32_xor => Const::I32(x ^ y),
            i32_shl => Const::I32(x.wrapping_shl(y as u32)),
            i32_shr_s => Const::I32(x.wrapping_shr(y as u32)),
            i32_shr_u => Const::I32((x as u32).wrapping_shr(y as u32) as i32),
            i32_rotl => Const::I32(x.rotate_left(y as u32 & 31)),
            i32_rotr => Const::I32(x.rotate_right(y as u32 & 31)),
            i32_eq => bool_result(x == y),
            i32_ne => bool_result(x != y),
            i32_lt_s => bool_result(x < y),
            i32_lt_u => bool_result((x as u32) < (y as u32)),
            i32_gt_s => bool_result(x > y),
            i32_gt_u => bool_result((x as u32) > (y as u32)),
            i32_le_s => bool_result(x <= y),
            i32_le_u => bool_result((x as u32) <= (y as u32)),
            i32_ge_s => bool_result(x >= y),
            i32_ge_u => bool_result((x as u32) >= (y as u32)),
            _ => return None,
        },
        (Const::I64(x), Const::I64(y)) => match op {
            i64_add => Const::I64(x.wrapping_add(y)),
            i64_sub => Const::I64(x.wrapping_sub(y)),
            i64_mul => Const::I64(x.wrapping_mul(y)),
            i64_div_s => Const::I64(x.checked_div(y)?),
            i64_div_u => Const::I64((x as u64).checked_div(y as u64)? as i64),
            i64_rem_s if y == 0 => return None,
            i64_rem_s => Const::I64(x.wrapping_rem(y)),
            i64_rem_u => Const::I64((x as u64).checked_rem(y as u64)? as i64),
            i64_and => Const::I64(x & y),
            i64_or => Const::I64(x | y),
            i64_xor => Const::I64(x ^ y),
            i64_shl => Const::I64(x.wrapping_shl(y as u32)),
            i64_shr_s => Const::I64(x.wrapping_shr(y as u32)),
            i64_shr_u => Const::I64((x as u64).wrapping_shr(y as u32) as i64),
            i64_rotl => Const::I64(x.rotate_left((y & 63) as u32)),
            i64_rotr => Const::I64(x.rotate_right((y & 63) as u32)),
            i64_eq => bool_result(x == y),
            i64_ne => bool_result(x != y),
            i64_lt_s => bool_result(x < y),
            i64_lt_u => bool_result((x as u64) < (y as u64)),
            i64_gt_s => bool_result(x > y),
            i64_gt_u => bool_result((x as u64) > (y as u64)),
            i64_le_s => bool_result(x <= y),
            i64_le_u => bool_result((x as u64) <= (y as u64)),
            i64_ge_s => bool_result(x >= y),
            i64_ge_u => bool_result((x as u64) >= (y as u64)),
            _ => return None,
        },
        (Const::F32(xb), Const::F32(yb)) => {
            let (x, y) = (f32::from_bits(xb), f32::from_bits(yb));
            match op {
                f32_add => f32_result(x + y),
                f32_sub => f32_result(x - y),
                f32_mul => f32_result(x * y),
                f32_div => f32_result(x / y),
                f32_min => f32_min_max(x, y, false),
                f32_max => f32_min_max(x, y, true),
                f32_copysign => Const::F32((xb & 0x7fff_ffff) | (yb & 0x8000_0000)),
                f32_eq => bool_result(x == y),
                f32_ne => bool_result(x != y),
                f32_lt => bool_result(x < y),
                f32_gt => bool_result(x > y),
                f32_le => bool_result(x <= y),
                f32_ge => bool_result(x >= y),
                _ => return None,
            }
        }
        (Const::F64(xb), Const::F64(yb)) => {
            let (x, y) = (f64::from_bits(xb), f64::from_bits(yb));
            match op {
                f64_add => f64_result(x + y),
                f64_sub => f64_result(x - y),
                f64_mul => f64_result(x * y),
                f64_div => f64_result(x / y),
                f64_min => f64_min_max(x, y, false),
                f64_max => f64_min_max(x, y, true),
                f64_copysign => Const::F64((xb & !(1 << 63)) | (yb & (1 << 63))),
                f64_eq => bool_result(x == y),
                f64_ne => bool_result(x != y),
                f64_lt => bool_result(x < y),
                f64_gt => bool_result(x > y),
                f64_le => bool_result(x <= y),
                f64_ge => bool_result(x >= y),
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// Float-to-integer truncation that traps: the value truncated toward zero
/// if it lies in `[min, max]` (given as exact float bounds of the target
/// range, exclusive), otherwise `None` (NaN or overflow trap).
fn trunc_checked(v: f64, lower_exclusive: f64, upper_exclusive: f64) -> Option<f64> {
    let t = v.trunc();
    (t > lower_exclusive && t < upper_exclusive).then_some(t)
}

/// The result of `op` on a constant operand per the wasm spec, or `None`
/// when it traps (a trapping `trunc` of NaN or of a value out of range) or
/// the operand does not have `op`'s type. Float NaN results of arithmetic
/// are the canonical NaN; `neg`, `abs`, `copysign` and reinterpretations
/// work on the bits and keep NaN payloads exactly; `-0.0` is kept exactly.
pub fn fold_unary(op: UnOp, a: Const) -> Option<Const> {
    use UnOp::*;
    Some(match a {
        Const::I32(x) => match op {
            i32_eqz => bool_result(x == 0),
            i32_clz => Const::I32(x.leading_zeros() as i32),
            i32_ctz => Const::I32(x.trailing_zeros() as i32),
            i32_popcnt => Const::I32(x.count_ones() as i32),
            i64_extend_i32_s => Const::I64(x as i64),
            i64_extend_i32_u => Const::I64(x as u32 as i64),
            f32_convert_i32_s => f32_result(x as f32),
            f32_convert_i32_u => f32_result(x as u32 as f32),
            f64_convert_i32_s => f64_result(x as f64),
            f64_convert_i32_u => f64_result(x as u32 as f64),
            f32_reinterpret_i32 => Const::F32(x as u32),
            i32_extend8_s => Const::I32(x as i8 as i32),
            i32_extend16_s => Const::I32(x as i16 as i32),
            _ => return None,
        },
        Const::I64(x) => match op {
            i64_eqz => bool_result(x == 0),
            i64_clz => Const::I64(x.leading_zeros() as i64),
            i64_ctz => Const::I64(x.trailing_zeros() as i64),
            i64_popcnt => Const::I64(x.count_ones() as i64),
            i32_wrap_i64 => Const::I32(x as i32),
            // Rust's int-to-float `as` rounds to nearest, ties to even,
            // exactly like wasm's `convert`.
            f32_convert_i64_s => f32_result(x as f32),
            f32_convert_i64_u => f32_result(x as u64 as f32),
            f64_convert_i64_s => f64_result(x as f64),
            f64_convert_i64_u => f64_result(x as u64 as f64),
            f64_reinterpret_i64 => Const::F64(x as u64),
            i64_extend8_s => Const::I64(x as i8 as i64),
            i64_extend16_s => Const::I64(x as i16 as i64),
            i64_extend32_s => Const::I64(x as i32 as i64),
            _ => return None,
        },
        Const::F32(bits) => {
            let x = f32::from_bits(bits);
            match op {
                f32_abs => Const::F32(bits & 0x7fff_ffff),
                f32_neg => Const::F32(bits ^ 0x8000_0000),
                f32_ceil => f32_result(x.ceil()),
                f32_floor => f32_result(x.floor()),
                f32_trunc => f32_result(x.trunc()),
                f32_nearest => f32_result(x.round_ties_even()),
                f32_sqrt => f32_result(x.sqrt()),
                f64_promote_f32 => f64_result(x as f64),
                i32_reinterpret_f32 => Const::I32(bits as i32),
                _ => return fold_float_to_int(op, x as f64),
            }
        }
        Const::F64(bits) => {
            let x = f64::from_bits(bits);
            match op {
                f64_abs => Const::F64(bits & !(1 << 63)),
                f64_neg => Const::F64(bits ^ (1 << 63)),
                f64_ceil => f64_result(x.ceil()),
                f64_floor => f64_result(x.floor()),
                f64_trunc => f64_result(x.trunc()),
                f64_nearest => f64_result(x.round_ties_even()),
                f64_sqrt => f64_result(x.sqrt()),
                f32_demote_f64 => f32_result(x as f32),
                i64_reinterpret_f64 => Const::I64(bits as i64),
                _ => return fold_float_to_int(op, x),
            }
        }
    })
}

/// Float-to-integer conversions of a value already widened to f64 (exact
/// for f32 operands; the operand type was checked by the caller's match on
/// the constant). Saturating ones use Rust's `as`, which saturates and maps
/// NaN to 0 exactly like `trunc_sat`; trapping ones give `None` on NaN or
/// overflow.
fn fold_float_to_int(op: UnOp, x: f64) -> Option<Const> {
    use UnOp::*;
    const TWO_31: f64 = 2147483648.0;
    const TWO_32: f64 = 4294967296.0;
    const TWO_63: f64 = 9223372036854775808.0;
    const TWO_64: f64 = 18446744073709551616.0;
    let from_f32 = matches!(
        op,
        i32_trunc_f32_s
            | i32_trunc_f32_u
            | i64_trunc_f32_s
            | i64_trunc_f32_u
            | i32_trunc_sat_f32_s
            | i32_trunc_sat_f32_u
            | i64_trunc_sat_f32_s
            | i64_trunc_sat_f32_u
    );
    let from_f64 = matches!(
        op,
        i32_trunc_f64_s
            | i32_trunc_f64_u
            | i64_trunc_f64_s
            | i64_trunc_f64_u
            | i32_trunc_sat_f64_s
            | i32_trunc_sat_f64_u
            | i64_trunc_sat_f64_s
            | i64_trunc_sat_f64_u
    );
    if !from_f32 && !from_f64 {
        return None;
    }
    Some(match op {
        i32_trunc_f32_s | i32_trunc_f64_s => {
            Const::I32(trunc_checked(x, -TWO_31 - 1.0, TWO_31)? as i32)
        }
        i32_trunc_f32_u | i32_trunc_f64_u => {
            Const::I32(trunc_checked(x, -1.0, TWO_32)? as u32 as i32)
        }
        i64_trunc_f32_s | i64_trunc_f64_s => {
            // -2^63 - 1 is not an f64; -2^63 itself is in range.
            if x.trunc() == -TWO_63 {
                Const::I64(i64::MIN)
            } else {
                Const::I64(trunc_checked(x, -TWO_63, TWO_63)? as i64)
            }
        }
        i64_trunc_f32_u | i64_trunc_f64_u => {
            Const::I64(trunc_checked(x, -1.0, TWO_64)? as u64 as i64)
        }
        i32_trunc_sat_f32_s | i32_trunc_sat_f64_s => Const::I32(x as i32),
        i32_trunc_sat_f32_u | i32_trunc_sat_f64_u => Const::I32(x as u32 as i32),
        i64_trunc_sat_f32_s | i64_trunc_sat_f64_s => Const::I64(x as i64),
        i64_trunc_sat_f32_u | i64_trunc_sat_f64_u => Const::I64(x as u64 as i64),
        _ => return None,
    })
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
    let v = match c {
        Const::I32(v) => v as i64,
        Const::I64(v) => v,
        Const::F32(_) | Const::F64(_) => return 0,
    };
    // Significant bits plus a sign bit, 7 per byte.
    let bits = 65
        - if v < 0 {
            v.leading_ones()
        } else {
            v.leading_zeros()
        };
    bits.div_ceil(7) as u64
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
