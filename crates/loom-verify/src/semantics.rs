//! Z3 semantics of the wasm numeric instructions: each instruction, given Z3 terms for
//! its immediates and operands, yields its result term and the condition under which it
//! traps. Shared by the ISLE rule proofs and (later) per-function translation validation.
//!
//! Representation: every value is a bit-vector of its type's width; floats are their
//! IEEE bits, converted to Z3 floating point for arithmetic and back. Keeping bits makes
//! `abs`/`neg`/`copysign`/`reinterpret`/loads/stores exact (wasm defines them on bits,
//! NaN payloads included). Arithmetic that yields a NaN yields the canonical NaN here:
//! wasm leaves the payload nondeterministic, so results must be compared with
//! [`Machine::same_value`], which treats any two NaNs as equal and keeps +0 ≠ -0.
//!
//! Memory is a byte array indexed by 64-bit addresses with a free size in bytes; an
//! access traps when `zext(address) + offset + bytes > size` (computed without
//! overflow), so two accesses read the same bytes exactly when their effective
//! addresses are equal. With `abstract_memory` (used by the rule proofs) an access is
//! an uninterpreted function of (memory state, effective address) per access size and
//! a store an uninterpreted new memory state: results are equal exactly when the
//! effective addresses (and stored values) are, which is all a rewrite that keeps its
//! memory accesses needs, and far easier for Z3 than byte arrays; likewise the bound
//! check is an uninterpreted predicate of (effective address, memory size), so traps
//! agree when the addresses do. The byte-exact model is what the wasmi cross-check tests.

use crate::ops::{memory_access, op_info, NumType, INT_COMPARE};
use crate::z3w::{Round, T, Z3};

/// The result of one instruction.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    /// Its value (`None` for stores).
    pub value: Option<T>,
    /// When it traps (a Boolean term); its operands' traps are not included.
    pub trap: T,
}

/// Evaluation state: the memory (threaded through stores, in evaluation order) and its size.
pub struct Machine<'z> {
    pub z: &'z Z3,
    pub memory: T,
    /// Memory size in bytes (a 64-bit bit-vector).
    pub memory_size: T,
    /// Accesses as uninterpreted functions of the effective address (module comment).
    pub abstract_memory: bool,
}

const F32_CANONICAL_NAN: u64 = 0x7fc0_0000;
const F64_CANONICAL_NAN: u64 = 0x7ff8_0000_0000_0000;

impl<'z> Machine<'z> {
    /// A machine over a free memory and size named with `prefix`.
    pub fn new(z: &'z Z3, prefix: &str) -> Self {
        Machine {
            z,
            memory: z.memory_const(&format!("{prefix}memory")),
            memory_size: z.bv_const(&format!("{prefix}memory_size"), 64),
            abstract_memory: false,
        }
    }

    /// Equality of two results of type `ty`: bit equality, except that all NaNs are one
    /// value (wasm NaN payloads are nondeterministic). +0 and -0 stay distinct.
    pub fn same_value(&self, ty: NumType, a: T, b: T) -> T {
        let z = self.z;
        if !ty.is_float() {
            return z.eq(a, b);
        }
        let both_nan = z.and(&[
            z.fp_is_nan(z.fp_from_bits(a)),
            z.fp_is_nan(z.fp_from_bits(b)),
        ]);
        z.or(&[z.eq(a, b), both_nan])
    }

    /// Applies the instruction `name` to its immediates and operands (all bit-vectors).
    pub fn apply(&mut self, name: &str, imms: &[T], args: &[T]) -> Result<Outcome, String> {
        let info = op_info(name).ok_or_else(|| format!("no semantics for `{name}`"))?;
        if imms.len() != info.immediates.len() || args.len() != info.params.len() {
            return Err(format!(
                "`{name}` takes {} immediates and {} operands, got {} and {}",
                info.immediates.len(),
                info.params.len(),
                imms.len(),
                args.len()
            ));
        }
        let z = self.z;
        let no_trap = z.bool(false);
        let value = |v: T| {
            Ok(Outcome {
                value: Some(v),
                trap: no_trap,
            })
        };
        if name == "select" {
            let c = z.not(z.eq(args[2], z.bv(0, 32)));
            return value(z.ite(c, args[0], args[1]));
        }
        if let Some(access) = memory_access(name) {
            return Ok(self.memory_op(name, access, imms[0], args));
        }
        let (ty, op) = name.split_once('_').expect("checked by op_info");
        let t = match ty {
            "i32" => NumType::I32,
            "i64" => NumType::I64,
            "f32" => NumType::F32,
            _ => NumType::F64,
        };
        let w = t.bits();
        if op == "const" {
            return value(imms[0]);
        }
        let b2i = |c: T| z.ite(c, z.bv(1, 32), z.bv(0, 32));
        if !t.is_float() && args.len() == 2 && !INT_COMPARE.contains(&op) {
            return Ok(self.int_binary(op, w, args[0], args[1]));
        }
        if !t.is_float() && args.len() == 2 {
            let (a, b) = (args[0], args[1]);
            let c = match op {
                "eq" => z.eq(a, b),
                "ne" => z.not(z.eq(a, b)),
                "lt_s" => z.slt(a, b),
                "lt_u" => z.ult(a, b),
                "gt_s" => z.sgt(a, b),
                "gt_u" => z.ugt(a, b),
                "le_s" => z.sle(a, b),
                "le_u" => z.ule(a, b),
                "ge_s" => z.sge(a, b),
                _ => z.uge(a, b),
            };
            return value(b2i(c));
        }
        if t.is_float() && args.len() == 2 {
            return value(self.float_binary(op, t, args[0], args[1]));
        }
        let a = args[0];
        let from = info.params[0].expect("unary operand type");
        let bit = |i: u32| z.eq(z.extract(i, i, a), z.bv(1, 1));
        Ok(match op {
            "eqz" => Outcome {
                value: Some(b2i(z.eq(a, z.bv(0, w)))),
                trap: no_trap,
            },
            "clz" => {
                let mut r = z.bv(w as u64, w);
                for i in 0..w {
                    r = z.ite(bit(i), z.bv((w - 1 - i) as u64, w), r);
                }
                Outcome {
                    value: Some(r),
                    trap: no_trap,
                }
            }
            "ctz" => {
                let mut r = z.bv(w as u64, w);
                for i in (0..w).rev() {
                    r = z.ite(bit(i), z.bv(i as u64, w), r);
                }
                Outcome {
                    value: Some(r),
                    trap: no_trap,
                }
            }
            "popcnt" => {
                let mut r = z.bv(0, w);
                for i in 0..w {
                    r = z.bvadd(r, z.zext(w - 1, z.extract(i, i, a)));
                }
                Outcome {
                    value: Some(r),
                    trap: no_trap,
                }
            }
            "extend8_s" | "extend16_s" | "extend32_s" => {
                let n: u32 = op["extend".len()..op.len() - 2].parse().expect("width");
                Outcome {
                    value: Some(z.sext(w - n, z.extract(n - 1, 0, a))),
                    trap: no_trap,
                }
            }
            "wrap_i64" => Outcome {
                value: Some(z.extract(31, 0, a)),
                trap: no_trap,
            },
            "extend_i32_s" => Outcome {
                value: Some(z.sext(32, a)),
                trap: no_trap,
            },
            "extend_i32_u" => Outcome {
                value: Some(z.zext(32, a)),
                trap: no_trap,
            },
            _ if op.starts_with("reinterpret_") => Outcome {
                value: Some(a),
                trap: no_trap,
            },
            _ if op.starts_with("trunc_") && !t.is_float() => {
                self.truncate(op.starts_with("trunc_sat"), op.ends_with("_s"), w, a)
            }
            _ if op.starts_with("convert_") => Outcome {
                value: Some(self.bits(z.fp_from_int(a, op.ends_with("_s"), w), t)),
                trap: no_trap,
            },
            "demote_f64" | "promote_f32" => Outcome {
                value: Some(self.bits(z.fp_convert(z.fp_from_bits(a), w), t)),
                trap: no_trap,
            },
            _ => {
                debug_assert_eq!(from, t);
                Outcome {
                    value: Some(self.float_unary(op, t, a)),
                    trap: no_trap,
                }
            }
        })
    }

    fn int_binary(&self, op: &str, w: u32, a: T, b: T) -> Outcome {
        let z = self.z;
        let zero = z.bv(0, w);
        let divisor_zero = z.eq(b, zero);
        let int_min = z.bv(1u64 << (w - 1), w);
        let minus_one = z.bvnot(zero);
        // Shift and rotate counts are taken modulo the width.
        let count = z.bvand(b, z.bv((w - 1) as u64, w));
        let (v, trap) = match op {
            "add" => (z.bvadd(a, b), None),
            "sub" => (z.bvsub(a, b), None),
            "mul" => (z.bvmul(a, b), None),
            "div_s" => (
                z.bvsdiv(a, b),
                Some(z.or(&[divisor_zero, z.and(&[z.eq(a, int_min), z.eq(b, minus_one)])])),
            ),
            "div_u" => (z.bvudiv(a, b), Some(divisor_zero)),
            // SMT's bvsrem takes the dividend's sign, as wasm does; INT_MIN % -1 is 0.
            "rem_s" => (z.bvsrem(a, b), Some(divisor_zero)),
            "rem_u" => (z.bvurem(a, b), Some(divisor_zero)),
            "and" => (z.bvand(a, b), None),
            "or" => (z.bvor(a, b), None),
            "xor" => (z.bvxor(a, b), None),
            "shl" => (z.bvshl(a, count), None),
            "shr_s" => (z.bvashr(a, count), None),
            "shr_u" => (z.bvlshr(a, count), None),
            "rotl" => (z.rotl(a, count), None),
            _ => (z.rotr(a, count), None),
        };
        Outcome {
            value: Some(v),
            trap: trap.unwrap_or_else(|| z.bool(false)),
        }
    }

    /// The IEEE bits of a float result, NaNs canonical (see the module comment).
    fn bits(&self, fp: T, t: NumType) -> T {
        let z = self.z;
        let nan = if t == NumType::F32 {
            F32_CANONICAL_NAN
        } else {
            F64_CANONICAL_NAN
        };
        z.ite(z.fp_is_nan(fp), z.bv(nan, t.bits()), z.fp_to_ieee_bv(fp))
    }

    fn float_binary(&self, op: &str, t: NumType, a: T, b: T) -> T {
        let z = self.z;
        let w = t.bits();
        let (x, y) = (z.fp_from_bits(a), z.fp_from_bits(b));
        let b2i = |c: T| z.ite(c, z.bv(1, 32), z.bv(0, 32));
        let sign = z.bv(1u64 << (w - 1), w);
        match op {
            "add" => self.bits(z.fp_add(x, y), t),
            "sub" => self.bits(z.fp_sub(x, y), t),
            "mul" => self.bits(z.fp_mul(x, y), t),
            "div" => self.bits(z.fp_div(x, y), t),
            "min" | "max" => {
                // Z3 leaves min(-0, +0) unspecified; wasm picks -0 for min, +0 for max.
                // Equal operands differ at most in the sign of a zero: OR/AND the bits.
                let any_nan = z.or(&[z.fp_is_nan(x), z.fp_is_nan(y)]);
                let nan = self.bits(z.fp_add(x, y), t);
                let (first, tie) = if op == "min" {
                    (z.fp_lt(x, y), z.bvor(a, b))
                } else {
                    (z.fp_gt(x, y), z.bvand(a, b))
                };
                z.ite(any_nan, nan, z.ite(first, a, z.ite(z.fp_eq(x, y), tie, b)))
            }
            "copysign" => z.bvor(z.bvand(a, z.bvnot(sign)), z.bvand(b, sign)),
            "eq" => b2i(z.fp_eq(x, y)),
            "ne" => b2i(z.not(z.fp_eq(x, y))),
            "lt" => b2i(z.fp_lt(x, y)),
            "gt" => b2i(z.fp_gt(x, y)),
            "le" => b2i(z.fp_le(x, y)),
            _ => b2i(z.fp_ge(x, y)),
        }
    }

    fn float_unary(&self, op: &str, t: NumType, a: T) -> T {
        let z = self.z;
        let sign = z.bv(1u64 << (t.bits() - 1), t.bits());
        let x = z.fp_from_bits(a);
        match op {
            "abs" => z.bvand(a, z.bvnot(sign)),
            "neg" => z.bvxor(a, sign),
            "sqrt" => self.bits(z.fp_sqrt(x), t),
            "ceil" => self.bits(z.fp_round(Round::Up, x), t),
            "floor" => self.bits(z.fp_round(Round::Down, x), t),
            "trunc" => self.bits(z.fp_round(Round::Zero, x), t),
            _ => self.bits(z.fp_round(Round::NearestEven, x), t),
        }
    }

    /// `iN.trunc[_sat]_fM_{s,u}`: traps on NaN and out of range unless saturating.
    fn truncate(&self, saturating: bool, signed: bool, w: u32, a: T) -> Outcome {
        let z = self.z;
        let fw = z.width(a);
        let x = z.fp_from_bits(a);
        let t = z.fp_round(Round::Zero, x);
        // The integral part must lie in [lo, hi): both bounds are powers of two, exact in
        // either float width.
        let (lo, hi) = if signed {
            (-(2f64.powi(w as i32 - 1)), 2f64.powi(w as i32 - 1))
        } else {
            (0.0, 2f64.powi(w as i32))
        };
        let nan = z.fp_is_nan(x);
        let below = z.fp_lt(t, z.fp_val(lo, fw));
        let above = z.fp_ge(t, z.fp_val(hi, fw));
        let exact = z.fp_to_int(t, signed, w);
        if saturating {
            let (min, max) = if signed {
                (1u64 << (w - 1), (1u64 << (w - 1)) - 1)
            } else {
                (0, if w == 64 { u64::MAX } else { (1u64 << w) - 1 })
            };
            let v = z.ite(
                nan,
                z.bv(0, w),
                z.ite(below, z.bv(min, w), z.ite(above, z.bv(max, w), exact)),
            );
            Outcome {
                value: Some(v),
                trap: z.bool(false),
            }
        } else {
            Outcome {
                value: Some(exact),
                trap: z.or(&[nan, below, above]),
            }
        }
    }

    fn memory_op(
        &mut self,
        name: &str,
        access: crate::ops::MemoryAccess,
        offset: T,
        args: &[T],
    ) -> Outcome {
        let z = self.z;
        // Effective address and bound check in 66 bits: no wrap-around.
        let address = z.bvadd(z.zext(34, args[0]), z.zext(2, offset));
        let end = z.bvadd(address, z.bv(access.bytes as u64, 66));
        let trap = if self.abstract_memory {
            z.uf(
                &format!("out_of_bounds{}", access.bytes),
                &[address, self.memory_size],
                z.bool(false),
            )
        } else {
            z.ugt(end, z.zext(2, self.memory_size))
        };
        let ea = z.extract(63, 0, address);
        let at = |i: u32| z.bvadd(ea, z.bv(i as u64, 64));
        if access.store && self.abstract_memory {
            let v = z.extract(8 * access.bytes - 1, 0, args[1]);
            self.memory = z.uf(
                &format!("store{}", access.bytes),
                &[self.memory, ea, v],
                self.memory,
            );
            return Outcome { value: None, trap };
        }
        if access.store {
            let v = args[1];
            for i in 0..access.bytes {
                self.memory = z.store(self.memory, at(i), z.extract(8 * i + 7, 8 * i, v));
            }
            return Outcome { value: None, trap };
        }
        let mut v = if self.abstract_memory {
            let range = z.bv(0, 8 * access.bytes);
            z.uf(&format!("load{}", access.bytes), &[self.memory, ea], range)
        } else {
            let mut v = z.select(self.memory, at(0));
            for i in 1..access.bytes {
                v = z.concat(z.select(self.memory, at(i)), v);
            }
            v
        };
        let w = if name.starts_with("i64") || name.starts_with("f64") {
            64
        } else {
            32
        };
        let extra = w - 8 * access.bytes;
        if extra > 0 {
            v = if access.signed {
                z.sext(extra, v)
            } else {
                z.zext(extra, v)
            };
        }
        Outcome {
            value: Some(v),
            trap,
        }
    }
}
