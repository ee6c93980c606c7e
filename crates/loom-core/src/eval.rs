//! Constant evaluation of wasm's scalar numeric instructions: the one copy
//! of their semantics, used by every pass that folds constants (precompute,
//! the rewrite rules). Results follow the spec exactly: integer arithmetic
//! wraps, shift and rotate counts are taken modulo the bit width, float
//! arithmetic is IEEE 754 with round-to-nearest-even, saturating
//! truncations clamp (NaN gives 0). Where the spec lets a NaN result be any
//! NaN, the positive canonical NaN is produced (what engines that
//! canonicalize produce); the bit operations `abs`, `neg`, `copysign` and
//! `reinterpret` keep NaN bits as they are.
//!
//! An operation that traps on its operands (division or remainder by zero,
//! `INT_MIN / -1`, truncation of a NaN or out-of-range float) evaluates to
//! [`Trap`], so a caller can leave it in place. SIMD and reference
//! instructions are not evaluated (`None`).

use wasmparser::{Ieee32, Ieee64, Operator, ValType};

/// A scalar constant; floats are kept as their bits, so NaN payloads and
/// the sign of zero survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
}

/// The operation traps on these operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trap;

/// The canonical NaNs (positive sign, only the quiet bit set).
const F32_NAN: u32 = 0x7fc0_0000;
const F64_NAN: u64 = 0x7ff8_0000_0000_0000;

impl Value {
    /// The constant a `*.const` instruction pushes.
    pub fn of_const(op: &Operator<'_>) -> Option<Value> {
        Some(match *op {
            Operator::I32Const { value } => Value::I32(value),
            Operator::I64Const { value } => Value::I64(value),
            Operator::F32Const { value } => Value::F32(value.bits()),
            Operator::F64Const { value } => Value::F64(value.bits()),
            _ => return None,
        })
    }

    /// The `*.const` instruction that pushes this value (through the float
    /// type, which keeps every bit: `from_bits` and `to_le_bytes` copy them).
    pub fn to_const(self) -> Operator<'static> {
        match self {
            Value::I32(value) => Operator::I32Const { value },
            Value::I64(value) => Operator::I64Const { value },
            Value::F32(bits) => Operator::F32Const {
                value: Ieee32::from(f32::from_bits(bits)),
            },
            Value::F64(bits) => Operator::F64Const {
                value: Ieee64::from(f64::from_bits(bits)),
            },
        }
    }

    pub fn ty(self) -> ValType {
        match self {
            Value::I32(_) => ValType::I32,
            Value::I64(_) => ValType::I64,
            Value::F32(_) => ValType::F32,
            Value::F64(_) => ValType::F64,
        }
    }

    /// The value a local of type `ty` holds before it is first set, when
    /// it is a scalar.
    pub fn zero(ty: ValType) -> Option<Value> {
        Some(match ty {
            ValType::I32 => Value::I32(0),
            ValType::I64 => Value::I64(0),
            ValType::F32 => Value::F32(0),
            ValType::F64 => Value::F64(0),
            _ => return None,
        })
    }
}

/// Float results: NaNs become the canonical NaN.
fn f32v(x: f32) -> Value {
    Value::F32(if x.is_nan() { F32_NAN } else { x.to_bits() })
}

fn f64v(x: f64) -> Value {
    Value::F64(if x.is_nan() { F64_NAN } else { x.to_bits() })
}

fn b(c: bool) -> Value {
    Value::I32(c as i32)
}

/// wasm's `min`/`max`: NaN if either operand is, and `-0 < +0`.
fn fmin<F: Float>(x: F, y: F) -> F {
    if x.nan() || y.nan() {
        F::NAN
    } else if x.zero() && y.zero() {
        if x.negative() {
            x
        } else {
            y
        }
    } else if x < y {
        x
    } else {
        y
    }
}

fn fmax<F: Float>(x: F, y: F) -> F {
    if x.nan() || y.nan() {
        F::NAN
    } else if x.zero() && y.zero() {
        if x.negative() {
            y
        } else {
            x
        }
    } else if x > y {
        x
    } else {
        y
    }
}

/// What `fmin`/`fmax` need of `f32` and `f64`.
trait Float: Copy + PartialOrd {
    const NAN: Self;
    fn nan(self) -> bool;
    fn zero(self) -> bool;
    fn negative(self) -> bool;
}

impl Float for f32 {
    const NAN: f32 = f32::NAN;
    fn nan(self) -> bool {
        self.is_nan()
    }
    fn zero(self) -> bool {
        self == 0.0
    }
    fn negative(self) -> bool {
        self.is_sign_negative()
    }
}

impl Float for f64 {
    const NAN: f64 = f64::NAN;
    fn nan(self) -> bool {
        self.is_nan()
    }
    fn zero(self) -> bool {
        self == 0.0
    }
    fn negative(self) -> bool {
        self.is_sign_negative()
    }
}

/// Trapping float-to-integer truncation: `x` truncated when `lo <= t < hi`
/// (bounds exact in `f64`), a trap for NaN and values out of range.
fn trunc(x: f64, lo: f64, hi: f64) -> Result<f64, Trap> {
    let t = x.trunc();
    if t >= lo && t < hi {
        Ok(t)
    } else {
        Err(Trap)
    }
}

const I32_LO: f64 = -2147483648.0;
const I32_HI: f64 = 2147483648.0;
const U32_HI: f64 = 4294967296.0;
const I64_LO: f64 = -9223372036854775808.0;
const I64_HI: f64 = 9223372036854775808.0;
const U64_HI: f64 = 18446744073709551616.0;

/// The result of `op` on `args` (its operands in order), `Err(Trap)` when
/// it traps, or `None` when `op` is not a scalar numeric instruction this
/// evaluates or the operands do not have its types.
pub fn eval(op: &Operator<'_>, args: &[Value]) -> Option<Result<Value, Trap>> {
    use Operator::*;
    use Value::{F32, F64, I32, I64};
    let f32_of = f32::from_bits;
    let f64_of = f64::from_bits;
    let value = match (op, args) {
        (I32Const { .. } | I64Const { .. } | F32Const { .. } | F64Const { .. }, []) => {
            Value::of_const(op)?
        }

        // i32 tests and comparisons.
        (I32Eqz, &[I32(x)]) => b(x == 0),
        (I32Eq, &[I32(x), I32(y)]) => b(x == y),
        (I32Ne, &[I32(x), I32(y)]) => b(x != y),
        (I32LtS, &[I32(x), I32(y)]) => b(x < y),
        (I32LtU, &[I32(x), I32(y)]) => b((x as u32) < (y as u32)),
        (I32GtS, &[I32(x), I32(y)]) => b(x > y),
        (I32GtU, &[I32(x), I32(y)]) => b((x as u32) > (y as u32)),
        (I32LeS, &[I32(x), I32(y)]) => b(x <= y),
        (I32LeU, &[I32(x), I32(y)]) => b((x as u32) <= (y as u32)),
        (I32GeS, &[I32(x), I32(y)]) => b(x >= y),
        (I32GeU, &[I32(x), I32(y)]) => b((x as u32) >= (y as u32)),

        // i64 tests and comparisons.
        (I64Eqz, &[I64(x)]) => b(x == 0),
        (I64Eq, &[I64(x), I64(y)]) => b(x == y),
        (I64Ne, &[I64(x), I64(y)]) => b(x != y),
        (I64LtS, &[I64(x), I64(y)]) => b(x < y),
        (I64LtU, &[I64(x), I64(y)]) => b((x as u64) < (y as u64)),
        (I64GtS, &[I64(x), I64(y)]) => b(x > y),
        (I64GtU, &[I64(x), I64(y)]) => b((x as u64) > (y as u64)),
        (I64LeS, &[I64(x), I64(y)]) => b(x <= y),
        (I64LeU, &[I64(x), I64(y)]) => b((x as u64) <= (y as u64)),
        (I64GeS, &[I64(x), I64(y)]) => b(x >= y),
        (I64GeU, &[I64(x), I64(y)]) => b((x as u64) >= (y as u64)),

        // Float comparisons (false when either is NaN, except `ne`).
        (F32Eq, &[F32(x), F32(y)]) => b(f32_of(x) == f32_of(y)),
        (F32Ne, &[F32(x), F32(y)]) => b(f32_of(x) != f32_of(y)),
        (F32Lt, &[F32(x), F32(y)]) => b(f32_of(x) < f32_of(y)),
        (F32Gt, &[F32(x), F32(y)]) => b(f32_of(x) > f32_of(y)),
        (F32Le, &[F32(x), F32(y)]) => b(f32_of(x) <= f32_of(y)),
        (F32Ge, &[F32(x), F32(y)]) => b(f32_of(x) >= f32_of(y)),
        (F64Eq, &[F64(x), F64(y)]) => b(f64_of(x) == f64_of(y)),
        (F64Ne, &[F64(x), F64(y)]) => b(f64_of(x) != f64_of(y)),
        (F64Lt, &[F64(x), F64(y)]) => b(f64_of(x) < f64_of(y)),
        (F64Gt, &[F64(x), F64(y)]) => b(f64_of(x) > f64_of(y)),
        (F64Le, &[F64(x), F64(y)]) => b(f64_of(x) <= f64_of(y)),
        (F64Ge, &[F64(x), F64(y)]) => b(f64_of(x) >= f64_of(y)),

        // i32 arithmetic.
        (I32Clz, &[I32(x)]) => I32(x.leading_zeros() as i32),
        (I32Ctz, &[I32(x)]) => I32(x.trailing_zeros() as i32),
        (I32Popcnt, &[I32(x)]) => I32(x.count_ones() as i32),
        (I32Add, &[I32(x), I32(y)]) => I32(x.wrapping_add(y)),
        (I32Sub, &[I32(x), I32(y)]) => I32(x.wrapping_sub(y)),
        (I32Mul, &[I32(x), I32(y)]) => I32(x.wrapping_mul(y)),
        (I32DivS, &[I32(x), I32(y)]) => match x.checked_div(y) {
            Some(q) => I32(q),
            None => return Some(Err(Trap)),
        },
        (I32DivU, &[I32(x), I32(y)]) => match (x as u32).checked_div(y as u32) {
            Some(q) => I32(q as i32),
            None => return Some(Err(Trap)),
        },
        // `INT_MIN % -1` is 0, not a trap.
        (I32RemS, &[I32(x), I32(y)]) if y != 0 => I32(x.wrapping_rem(y)),
        (I32RemU, &[I32(x), I32(y)]) if y != 0 => I32(((x as u32) % (y as u32)) as i32),
        (I32RemS | I32RemU, &[I32(_), I32(0)]) => return Some(Err(Trap)),
        (I32And, &[I32(x), I32(y)]) => I32(x & y),
        (I32Or, &[I32(x), I32(y)]) => I32(x | y),
        (I32Xor, &[I32(x), I32(y)]) => I32(x ^ y),
        (I32Shl, &[I32(x), I32(y)]) => I32(x.wrapping_shl(y as u32)),
        (I32ShrS, &[I32(x), I32(y)]) => I32(x.wrapping_shr(y as u32)),
        (I32ShrU, &[I32(x), I32(y)]) => I32((x as u32).wrapping_shr(y as u32) as i32),
        (I32Rotl, &[I32(x), I32(y)]) => I32(x.rotate_left(y as u32 % 32)),
        (I32Rotr, &[I32(x), I32(y)]) => I32(x.rotate_right(y as u32 % 32)),

        // i64 arithmetic.
        (I64Clz, &[I64(x)]) => I64(x.leading_zeros() as i64),
        (I64Ctz, &[I64(x)]) => I64(x.trailing_zeros() as i64),
        (I64Popcnt, &[I64(x)]) => I64(x.count_ones() as i64),
        (I64Add, &[I64(x), I64(y)]) => I64(x.wrapping_add(y)),
        (I64Sub, &[I64(x), I64(y)]) => I64(x.wrapping_sub(y)),
        (I64Mul, &[I64(x), I64(y)]) => I64(x.wrapping_mul(y)),
        (I64DivS, &[I64(x), I64(y)]) => match x.checked_div(y) {
            Some(q) => I64(q),
            None => return Some(Err(Trap)),
        },
        (I64DivU, &[I64(x), I64(y)]) => match (x as u64).checked_div(y as u64) {
            Some(q) => I64(q as i64),
            None => return Some(Err(Trap)),
        },
        (I64RemS, &[I64(x), I64(y)]) if y != 0 => I64(x.wrapping_rem(y)),
        (I64RemU, &[I64(x), I64(y)]) if y != 0 => I64(((x as u64) % (y as u64)) as i64),
        (I64RemS | I64RemU, &[I64(_), I64(0)]) => return Some(Err(Trap)),
        (I64And, &[I64(x), I64(y)]) => I64(x & y),
        (I64Or, &[I64(x), I64(y)]) => I64(x | y),
        (I64Xor, &[I64(x), I64(y)]) => I64(x ^ y),
        (I64Shl, &[I64(x), I64(y)]) => I64(x.wrapping_shl(y as u32)),
        (I64ShrS, &[I64(x), I64(y)]) => I64(x.wrapping_shr(y as u32)),
        (I64ShrU, &[I64(x), I64(y)]) => I64((x as u64).wrapping_shr(y as u32) as i64),
        (I64Rotl, &[I64(x), I64(y)]) => I64(x.rotate_left((y as u64 % 64) as u32)),
        (I64Rotr, &[I64(x), I64(y)]) => I64(x.rotate_right((y as u64 % 64) as u32)),

        // f32 arithmetic; abs, neg and copysign only touch the sign bit.
        (F32Abs, &[F32(x)]) => F32(x & 0x7fff_ffff),
        (F32Neg, &[F32(x)]) => F32(x ^ 0x8000_0000),
        (F32Copysign, &[F32(x), F32(y)]) => F32((x & 0x7fff_ffff) | (y & 0x8000_0000)),
        (F32Ceil, &[F32(x)]) => f32v(f32_of(x).ceil()),
        (F32Floor, &[F32(x)]) => f32v(f32_of(x).floor()),
        (F32Trunc, &[F32(x)]) => f32v(f32_of(x).trunc()),
        (F32Nearest, &[F32(x)]) => f32v(f32_of(x).round_ties_even()),
        (F32Sqrt, &[F32(x)]) => f32v(f32_of(x).sqrt()),
        (F32Add, &[F32(x), F32(y)]) => f32v(f32_of(x) + f32_of(y)),
        (F32Sub, &[F32(x), F32(y)]) => f32v(f32_of(x) - f32_of(y)),
        (F32Mul, &[F32(x), F32(y)]) => f32v(f32_of(x) * f32_of(y)),
        (F32Div, &[F32(x), F32(y)]) => f32v(f32_of(x) / f32_of(y)),
        (F32Min, &[F32(x), F32(y)]) => f32v(fmin(f32_of(x), f32_of(y))),
        (F32Max, &[F32(x), F32(y)]) => f32v(fmax(f32_of(x), f32_of(y))),

        // f64 arithmetic.
        (F64Abs, &[F64(x)]) => F64(x & 0x7fff_ffff_ffff_ffff),
        (F64Neg, &[F64(x)]) => F64(x ^ 0x8000_0000_0000_0000),
        (F64Copysign, &[F64(x), F64(y)]) => {
            F64((x & 0x7fff_ffff_ffff_ffff) | (y & 0x8000_0000_0000_0000))
        }
        (F64Ceil, &[F64(x)]) => f64v(f64_of(x).ceil()),
        (F64Floor, &[F64(x)]) => f64v(f64_of(x).floor()),
        (F64Trunc, &[F64(x)]) => f64v(f64_of(x).trunc()),
        (F64Nearest, &[F64(x)]) => f64v(f64_of(x).round_ties_even()),
        (F64Sqrt, &[F64(x)]) => f64v(f64_of(x).sqrt()),
        (F64Add, &[F64(x), F64(y)]) => f64v(f64_of(x) + f64_of(y)),
        (F64Sub, &[F64(x), F64(y)]) => f64v(f64_of(x) - f64_of(y)),
        (F64Mul, &[F64(x), F64(y)]) => f64v(f64_of(x) * f64_of(y)),
        (F64Div, &[F64(x), F64(y)]) => f64v(f64_of(x) / f64_of(y)),
        (F64Min, &[F64(x), F64(y)]) => f64v(fmin(f64_of(x), f64_of(y))),
        (F64Max, &[F64(x), F64(y)]) => f64v(fmax(f64_of(x), f64_of(y))),

        // Integer conversions.
        (I32WrapI64, &[I64(x)]) => I32(x as i32),
        (I64ExtendI32S, &[I32(x)]) => I64(x as i64),
        (I64ExtendI32U, &[I32(x)]) => I64(x as u32 as i64),
        (I32Extend8S, &[I32(x)]) => I32(x as i8 as i32),
        (I32Extend16S, &[I32(x)]) => I32(x as i16 as i32),
        (I64Extend8S, &[I64(x)]) => I64(x as i8 as i64),
        (I64Extend16S, &[I64(x)]) => I64(x as i16 as i64),
        (I64Extend32S, &[I64(x)]) => I64(x as i32 as i64),

        // Trapping float-to-integer truncations (`f32` widens to `f64`
        // exactly, so one range check serves both).
        (I32TruncF32S, &[F32(x)]) => {
            return Some(trunc(f32_of(x) as f64, I32_LO, I32_HI).map(|t| I32(t as i32)))
        }
        (I32TruncF64S, &[F64(x)]) => {
            return Some(trunc(f64_of(x), I32_LO, I32_HI).map(|t| I32(t as i32)))
        }
        (I32TruncF32U, &[F32(x)]) => {
            return Some(trunc(f32_of(x) as f64, 0.0, U32_HI).map(|t| I32(t as u32 as i32)))
        }
        (I32TruncF64U, &[F64(x)]) => {
            return Some(trunc(f64_of(x), 0.0, U32_HI).map(|t| I32(t as u32 as i32)))
        }
        (I64TruncF32S, &[F32(x)]) => {
            return Some(trunc(f32_of(x) as f64, I64_LO, I64_HI).map(|t| I64(t as i64)))
        }
        (I64TruncF64S, &[F64(x)]) => {
            return Some(trunc(f64_of(x), I64_LO, I64_HI).map(|t| I64(t as i64)))
        }
        (I64TruncF32U, &[F32(x)]) => {
            return Some(trunc(f32_of(x) as f64, 0.0, U64_HI).map(|t| I64(t as u64 as i64)))
        }
        (I64TruncF64U, &[F64(x)]) => {
            return Some(trunc(f64_of(x), 0.0, U64_HI).map(|t| I64(t as u64 as i64)))
        }

        // Saturating truncations: Rust's `as` is exactly wasm's `trunc_sat`.
        (I32TruncSatF32S, &[F32(x)]) => I32(f32_of(x) as i32),
        (I32TruncSatF32U, &[F32(x)]) => I32(f32_of(x) as u32 as i32),
        (I32TruncSatF64S, &[F64(x)]) => I32(f64_of(x) as i32),
        (I32TruncSatF64U, &[F64(x)]) => I32(f64_of(x) as u32 as i32),
        (I64TruncSatF32S, &[F32(x)]) => I64(f32_of(x) as i64),
        (I64TruncSatF32U, &[F32(x)]) => I64(f32_of(x) as u64 as i64),
        (I64TruncSatF64S, &[F64(x)]) => I64(f64_of(x) as i64),
        (I64TruncSatF64U, &[F64(x)]) => I64(f64_of(x) as u64 as i64),

        // Integer-to-float conversions round to nearest, ties to even
        // (Rust's `as` does exactly that).
        (F32ConvertI32S, &[I32(x)]) => f32v(x as f32),
        (F32ConvertI32U, &[I32(x)]) => f32v(x as u32 as f32),
        (F32ConvertI64S, &[I64(x)]) => f32v(x as f32),
        (F32ConvertI64U, &[I64(x)]) => f32v(x as u64 as f32),
        (F64ConvertI32S, &[I32(x)]) => f64v(x as f64),
        (F64ConvertI32U, &[I32(x)]) => f64v(x as u32 as f64),
        (F64ConvertI64S, &[I64(x)]) => f64v(x as f64),
        (F64ConvertI64U, &[I64(x)]) => f64v(x as u64 as f64),
        (F32DemoteF64, &[F64(x)]) => f32v(f64_of(x) as f32),
        (F64PromoteF32, &[F32(x)]) => f64v(f32_of(x) as f64),

        // Reinterpretations keep every bit.
        (I32ReinterpretF32, &[F32(x)]) => I32(x as i32),
        (I64ReinterpretF64, &[F64(x)]) => I64(x as i64),
        (F32ReinterpretI32, &[I32(x)]) => F32(x as u32),
        (F64ReinterpretI64, &[I64(x)]) => F64(x as u64),

        _ => return None,
    };
    Some(Ok(value))
}

#[cfg(test)]
mod tests {
    //! Expected values are written from the spec's definitions, not from
    //! the code above.
    use super::*;
    use Operator::*;
    use Value::{F32, F64, I32, I64};

    fn ok(op: Operator<'_>, args: &[Value]) -> Value {
        match eval(&op, args) {
            Some(Ok(v)) => v,
            other => panic!("{op:?} {args:?}: {other:?}"),
        }
    }

    fn traps(op: Operator<'_>, args: &[Value]) -> bool {
        eval(&op, args) == Some(Err(Trap))
    }

    fn f32c(x: f32) -> Value {
        F32(x.to_bits())
    }

    fn f64c(x: f64) -> Value {
        F64(x.to_bits())
    }

    const MIN32: i32 = i32::MIN;
    const MIN64: i64 = i64::MIN;

    #[test]
    fn integer_arithmetic_wraps() {
        assert_eq!(ok(I32Add, &[I32(i32::MAX), I32(1)]), I32(MIN32));
        assert_eq!(ok(I32Sub, &[I32(MIN32), I32(1)]), I32(i32::MAX));
        assert_eq!(ok(I32Mul, &[I32(0x10000), I32(0x10000)]), I32(0));
        assert_eq!(ok(I64Add, &[I64(i64::MAX), I64(1)]), I64(MIN64));
        assert_eq!(ok(I64Mul, &[I64(MIN64), I64(-1)]), I64(MIN64));
        assert_eq!(ok(I32And, &[I32(0b1100), I32(0b1010)]), I32(0b1000));
        assert_eq!(ok(I32Or, &[I32(0b1100), I32(0b1010)]), I32(0b1110));
        assert_eq!(ok(I64Xor, &[I64(-1), I64(0xff)]), I64(!0xff));
    }

    #[test]
    fn division_and_remainder() {
        assert_eq!(
            ok(I32DivS, &[I32(-7), I32(2)]),
            I32(-3),
            "rounds toward zero"
        );
        assert_eq!(ok(I32DivU, &[I32(-1), I32(2)]), I32(0x7fff_ffff));
        assert_eq!(ok(I32RemS, &[I32(-7), I32(2)]), I32(-1), "sign of dividend");
        assert_eq!(ok(I32RemU, &[I32(-1), I32(10)]), I32(5)); // 4294967295 % 10
        assert_eq!(ok(I32RemS, &[I32(MIN32), I32(-1)]), I32(0), "no trap");
        assert_eq!(ok(I64RemS, &[I64(MIN64), I64(-1)]), I64(0));
        assert_eq!(ok(I64DivU, &[I64(-1), I64(3)]), I64(0x5555_5555_5555_5555));
        assert!(traps(I32DivS, &[I32(MIN32), I32(-1)]), "overflow traps");
        assert!(traps(I64DivS, &[I64(MIN64), I64(-1)]));
        for op in [I32DivS, I32DivU, I32RemS, I32RemU] {
            assert!(traps(op.clone(), &[I32(5), I32(0)]), "{op:?}");
        }
        for op in [I64DivS, I64DivU, I64RemS, I64RemU] {
            assert!(traps(op.clone(), &[I64(5), I64(0)]), "{op:?}");
        }
    }

    #[test]
    fn shifts_and_rotations_mask_the_count() {
        assert_eq!(ok(I32Shl, &[I32(1), I32(33)]), I32(2));
        assert_eq!(ok(I32Shl, &[I32(1), I32(-1)]), I32(MIN32), "count 31");
        assert_eq!(ok(I32ShrS, &[I32(MIN32), I32(31)]), I32(-1));
        assert_eq!(ok(I32ShrU, &[I32(MIN32), I32(31)]), I32(1));
        assert_eq!(ok(I32ShrU, &[I32(-1), I32(32)]), I32(-1), "count 0");
        assert_eq!(ok(I64Shl, &[I64(1), I64(65)]), I64(2));
        assert_eq!(ok(I64ShrS, &[I64(MIN64), I64(63)]), I64(-1));
        assert_eq!(ok(I64ShrU, &[I64(MIN64), I64(63 + 128)]), I64(1));
        assert_eq!(ok(I32Rotl, &[I32(0x8000_0001u32 as i32), I32(1)]), I32(3));
        assert_eq!(ok(I32Rotr, &[I32(3), I32(33)]), I32(0x8000_0001u32 as i32));
        assert_eq!(ok(I32Rotl, &[I32(0x1234_5678), I32(-32)]), I32(0x1234_5678));
        assert_eq!(ok(I64Rotl, &[I64(MIN64 | 1), I64(1)]), I64(3));
        assert_eq!(
            ok(I64Rotr, &[I64(3), I64(-63)]),
            I64(MIN64 | 1),
            "-63 mod 64 is 1"
        );
    }

    #[test]
    fn bit_counts() {
        assert_eq!(ok(I32Clz, &[I32(0)]), I32(32));
        assert_eq!(ok(I32Clz, &[I32(1)]), I32(31));
        assert_eq!(ok(I32Ctz, &[I32(0)]), I32(32));
        assert_eq!(ok(I32Ctz, &[I32(MIN32)]), I32(31));
        assert_eq!(ok(I32Popcnt, &[I32(-1)]), I32(32));
        assert_eq!(ok(I64Clz, &[I64(0)]), I64(64));
        assert_eq!(ok(I64Ctz, &[I64(MIN64)]), I64(63));
        assert_eq!(ok(I64Popcnt, &[I64(0x0f0f)]), I64(8));
    }

    #[test]
    fn comparisons() {
        assert_eq!(ok(I32LtS, &[I32(-1), I32(0)]), I32(1));
        assert_eq!(ok(I32LtU, &[I32(-1), I32(0)]), I32(0));
        assert_eq!(ok(I32GeU, &[I32(-1), I32(0)]), I32(1));
        assert_eq!(ok(I32Eqz, &[I32(0)]), I32(1));
        assert_eq!(ok(I64Eqz, &[I64(MIN64)]), I32(0));
        assert_eq!(ok(I64GtS, &[I64(MIN64), I64(0)]), I32(0));
        assert_eq!(ok(I64GtU, &[I64(MIN64), I64(0)]), I32(1));
        assert_eq!(ok(I64LeS, &[I64(5), I64(5)]), I32(1));
        let nan = f32c(f32::NAN);
        assert_eq!(ok(F32Eq, &[nan, nan]), I32(0));
        assert_eq!(ok(F32Ne, &[nan, nan]), I32(1));
        assert_eq!(ok(F32Lt, &[nan, f32c(1.0)]), I32(0));
        assert_eq!(ok(F32Ge, &[nan, f32c(1.0)]), I32(0));
        assert_eq!(ok(F32Eq, &[f32c(0.0), f32c(-0.0)]), I32(1), "-0 == +0");
        assert_eq!(ok(F64Lt, &[f64c(-0.0), f64c(0.0)]), I32(0));
        assert_eq!(ok(F64Le, &[f64c(f64::NEG_INFINITY), f64c(-1e308)]), I32(1));
        assert_eq!(ok(F64Ne, &[f64c(f64::NAN), f64c(1.0)]), I32(1));
    }

    #[test]
    fn float_arithmetic() {
        assert_eq!(ok(F32Add, &[f32c(0.1), f32c(0.2)]), f32c(0.1f32 + 0.2f32));
        assert_eq!(
            ok(F64Add, &[f64c(0.1), f64c(0.2)]),
            F64(0x3FD3_3333_3333_3334)
        );
        assert_eq!(ok(F32Div, &[f32c(1.0), f32c(0.0)]), f32c(f32::INFINITY));
        assert_eq!(
            ok(F32Div, &[f32c(1.0), f32c(-0.0)]),
            f32c(f32::NEG_INFINITY)
        );
        assert_eq!(
            ok(F64Div, &[f64c(0.0), f64c(0.0)]),
            F64(F64_NAN),
            "0/0 is NaN, not a trap"
        );
        assert_eq!(ok(F32Sub, &[f32c(0.0), f32c(0.0)]), f32c(0.0));
        assert_eq!(ok(F32Add, &[f32c(-0.0), f32c(-0.0)]), f32c(-0.0));
        assert_eq!(ok(F32Mul, &[f32c(-0.0), f32c(5.0)]), f32c(-0.0));
        assert_eq!(ok(F32Sqrt, &[f32c(4.0)]), f32c(2.0));
        assert_eq!(ok(F64Sqrt, &[f64c(-0.0)]), f64c(-0.0));
        assert_eq!(ok(F64Sqrt, &[f64c(-1.0)]), F64(F64_NAN));
        assert_eq!(ok(F32Mul, &[f32c(f32::INFINITY), f32c(0.0)]), F32(F32_NAN));
    }

    #[test]
    fn nan_results_are_canonical_but_bit_ops_keep_bits() {
        let payload = F32(0xffa0_0001); // negative NaN with a payload
        assert_eq!(ok(F32Add, &[payload, f32c(1.0)]), F32(F32_NAN));
        assert_eq!(ok(F32Ceil, &[payload]), F32(F32_NAN));
        assert_eq!(ok(F64PromoteF32, &[payload]), F64(F64_NAN));
        assert_eq!(
            ok(F32DemoteF64, &[F64(0x7ff0_0000_0000_0001)]),
            F32(F32_NAN)
        );
        assert_eq!(ok(F32Neg, &[payload]), F32(0x7fa0_0001));
        assert_eq!(ok(F32Abs, &[payload]), F32(0x7fa0_0001));
        assert_eq!(ok(F32Copysign, &[F32(0x7fa0_0001), f32c(-1.0)]), payload);
        assert_eq!(ok(F64Neg, &[f64c(0.0)]), f64c(-0.0));
        assert_eq!(ok(F64Abs, &[f64c(-0.0)]), f64c(0.0));
        assert_eq!(ok(F64Copysign, &[f64c(3.0), f64c(-0.0)]), f64c(-3.0));
        assert_eq!(
            ok(I32ReinterpretF32, &[payload]),
            I32(0xffa0_0001u32 as i32)
        );
        assert_eq!(ok(F64ReinterpretI64, &[I64(-1)]), F64(u64::MAX));
    }

    #[test]
    fn min_max_order_zeros_and_propagate_nan() {
        assert_eq!(ok(F32Min, &[f32c(0.0), f32c(-0.0)]), f32c(-0.0));
        assert_eq!(ok(F32Min, &[f32c(-0.0), f32c(0.0)]), f32c(-0.0));
        assert_eq!(ok(F32Max, &[f32c(-0.0), f32c(0.0)]), f32c(0.0));
        assert_eq!(ok(F64Max, &[f64c(0.0), f64c(-0.0)]), f64c(0.0));
        assert_eq!(ok(F64Min, &[f64c(1.0), f64c(f64::NAN)]), F64(F64_NAN));
        assert_eq!(ok(F32Max, &[f32c(f32::NAN), f32c(1.0)]), F32(F32_NAN));
        assert_eq!(ok(F64Min, &[f64c(-1.0), f64c(2.0)]), f64c(-1.0));
        assert_eq!(
            ok(F32Max, &[f32c(-1.0), f32c(f32::NEG_INFINITY)]),
            f32c(-1.0)
        );
    }

    #[test]
    fn rounding() {
        assert_eq!(ok(F32Nearest, &[f32c(2.5)]), f32c(2.0), "ties to even");
        assert_eq!(ok(F32Nearest, &[f32c(3.5)]), f32c(4.0));
        assert_eq!(ok(F64Nearest, &[f64c(-0.5)]), f64c(-0.0), "keeps the sign");
        assert_eq!(ok(F32Ceil, &[f32c(-0.5)]), f32c(-0.0));
        assert_eq!(ok(F64Floor, &[f64c(-0.5)]), f64c(-1.0));
        assert_eq!(ok(F64Trunc, &[f64c(-1.7)]), f64c(-1.0));
        assert_eq!(ok(F32Floor, &[f32c(f32::INFINITY)]), f32c(f32::INFINITY));
    }

    #[test]
    fn trapping_truncation() {
        assert_eq!(ok(I32TruncF32S, &[f32c(-2147483648.0)]), I32(MIN32));
        assert!(traps(I32TruncF32S, &[f32c(2147483648.0)]));
        assert_eq!(ok(I32TruncF64S, &[f64c(2147483647.9)]), I32(i32::MAX));
        assert_eq!(ok(I32TruncF64S, &[f64c(-2147483648.9)]), I32(MIN32));
        assert!(traps(I32TruncF64S, &[f64c(-2147483649.0)]));
        assert_eq!(
            ok(I32TruncF64U, &[f64c(-0.9)]),
            I32(0),
            "truncates to -0, in range"
        );
        assert!(traps(I32TruncF64U, &[f64c(-1.0)]));
        assert_eq!(ok(I32TruncF64U, &[f64c(4294967295.9)]), I32(-1));
        assert!(traps(I32TruncF64U, &[f64c(4294967296.0)]));
        assert_eq!(
            ok(I64TruncF64S, &[f64c(-9223372036854775808.0)]),
            I64(MIN64)
        );
        assert!(traps(I64TruncF64S, &[f64c(9223372036854775808.0)]));
        assert!(traps(I64TruncF32U, &[f32c(18446744073709551616.0)]));
        assert_eq!(
            ok(I64TruncF32U, &[f32c(18446742974197923840.0)]),
            I64(-1099511627776)
        );
        assert_eq!(
            ok(I64TruncF64U, &[f64c(1e19)]),
            I64(10000000000000000000u64 as i64)
        );
        for op in [I32TruncF32S, I32TruncF32U, I64TruncF32S, I64TruncF32U] {
            assert!(traps(op.clone(), &[f32c(f32::NAN)]), "{op:?}");
            assert!(traps(op.clone(), &[f32c(f32::INFINITY)]), "{op:?}");
        }
        for op in [I32TruncF64S, I32TruncF64U, I64TruncF64S, I64TruncF64U] {
            assert!(traps(op.clone(), &[f64c(f64::NAN)]), "{op:?}");
            assert!(traps(op.clone(), &[f64c(f64::NEG_INFINITY)]), "{op:?}");
        }
    }

    #[test]
    fn saturating_truncation() {
        assert_eq!(ok(I32TruncSatF32S, &[f32c(f32::NAN)]), I32(0));
        assert_eq!(ok(I32TruncSatF32S, &[f32c(3e9)]), I32(i32::MAX));
        assert_eq!(ok(I32TruncSatF64S, &[f64c(-3e9)]), I32(MIN32));
        assert_eq!(ok(I32TruncSatF32U, &[f32c(-5.0)]), I32(0));
        assert_eq!(ok(I32TruncSatF64U, &[f64c(5e9)]), I32(-1));
        assert_eq!(ok(I64TruncSatF64S, &[f64c(f64::INFINITY)]), I64(i64::MAX));
        assert_eq!(ok(I64TruncSatF32U, &[f32c(f32::NEG_INFINITY)]), I64(0));
        assert_eq!(ok(I64TruncSatF64U, &[f64c(-0.5)]), I64(0));
        assert_eq!(ok(I64TruncSatF32S, &[f32c(-1.5)]), I64(-1));
    }

    #[test]
    fn conversions() {
        assert_eq!(ok(I32WrapI64, &[I64(0x1_8000_0000)]), I32(MIN32));
        assert_eq!(ok(I64ExtendI32S, &[I32(-1)]), I64(-1));
        assert_eq!(ok(I64ExtendI32U, &[I32(-1)]), I64(0xffff_ffff));
        assert_eq!(ok(I32Extend8S, &[I32(0x80)]), I32(-128));
        assert_eq!(ok(I32Extend8S, &[I32(0x17f)]), I32(127));
        assert_eq!(ok(I32Extend16S, &[I32(0x8000)]), I32(-32768));
        assert_eq!(ok(I64Extend8S, &[I64(0xff)]), I64(-1));
        assert_eq!(ok(I64Extend16S, &[I64(0x7fff)]), I64(0x7fff));
        assert_eq!(ok(I64Extend32S, &[I64(0x8000_0000)]), I64(-2147483648));
        // 16777217 is not an f32: ties to even gives 16777216.
        assert_eq!(ok(F32ConvertI32S, &[I32(16777217)]), f32c(16777216.0));
        assert_eq!(ok(F32ConvertI32S, &[I32(16777219)]), f32c(16777220.0));
        assert_eq!(ok(F32ConvertI32U, &[I32(-1)]), f32c(4294967296.0));
        assert_eq!(ok(F64ConvertI32U, &[I32(-1)]), f64c(4294967295.0));
        assert_eq!(ok(F32ConvertI64U, &[I64(-1)]), f32c(18446744073709551616.0));
        assert_eq!(
            ok(F64ConvertI64S, &[I64(MIN64)]),
            f64c(-9223372036854775808.0)
        );
        assert_eq!(
            ok(F64ConvertI64U, &[I64(0x8000_0000_0000_0401u64 as i64)]),
            f64c(9223372036854777856.0),
            "rounds up past the halfway point"
        );
        assert_eq!(ok(F32DemoteF64, &[f64c(1e40)]), f32c(f32::INFINITY));
        assert_eq!(ok(F32DemoteF64, &[f64c(-0.0)]), f32c(-0.0));
        assert_eq!(ok(F64PromoteF32, &[f32c(0.1)]), f64c(0.1f32 as f64));
    }

    #[test]
    fn not_evaluated() {
        assert_eq!(eval(&LocalGet { local_index: 0 }, &[]), None);
        assert_eq!(eval(&I32Add, &[I64(1), I64(2)]), None, "ill-typed operands");
        assert_eq!(eval(&I32Add, &[I32(1)]), None);
        assert_eq!(eval(&Call { function_index: 0 }, &[]), None);
    }

    #[test]
    fn constants_round_trip() {
        for v in [I32(-5), I64(MIN64), F32(0xffa0_0001), F64(1)] {
            assert_eq!(Value::of_const(&v.to_const()), Some(v));
            assert_eq!(ok(v.to_const(), &[]), v);
        }
        assert_eq!(Value::zero(ValType::F64), Some(f64c(0.0)));
        assert_eq!(Value::zero(ValType::V128), None);
    }
}
