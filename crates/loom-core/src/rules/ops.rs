//! The numeric operators the rules name, as enums whose variants are the
//! wasm text names with `.` → `_` (`i32_add`, `i64_extend_i32_u`), each with
//! its wasmparser operator and its operand and result types. `rules/prelude.isle`
//! declares the same variants.

use wasmparser::{Operator, ValType};

macro_rules! ops {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $op:ident : $arg:ident -> $res:ident),* $(,)? }) => {
        $(#[$doc])*
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn from_operator(op: &Operator<'_>) -> Option<$name> {
                match op {
                    $(Operator::$op => Some($name::$variant),)*
                    _ => None,
                }
            }

            pub fn operator(self) -> Operator<'static> {
                match self { $($name::$variant => Operator::$op),* }
            }

            /// The wasm text name with `.` → `_`, as in the rule files.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => stringify!($variant)),* }
            }

            /// The type of the operand(s).
            pub fn operand_type(self) -> ValType {
                match self { $($name::$variant => ValType::$arg),* }
            }

            pub fn result_type(self) -> ValType {
                match self { $($name::$variant => ValType::$res),* }
            }
        }
    };
}

ops!(
    /// Operators with two operands and one result.
    BinOp {
    i32_add = I32Add: I32 -> I32, i32_sub = I32Sub: I32 -> I32, i32_mul = I32Mul: I32 -> I32,
    i32_div_s = I32DivS: I32 -> I32, i32_div_u = I32DivU: I32 -> I32,
    i32_rem_s = I32RemS: I32 -> I32, i32_rem_u = I32RemU: I32 -> I32,
    i32_and = I32And: I32 -> I32, i32_or = I32Or: I32 -> I32, i32_xor = I32Xor: I32 -> I32,
    i32_shl = I32Shl: I32 -> I32, i32_shr_s = I32ShrS: I32 -> I32, i32_shr_u = I32ShrU: I32 -> I32,
    i32_rotl = I32Rotl: I32 -> I32, i32_rotr = I32Rotr: I32 -> I32,
    i32_eq = I32Eq: I32 -> I32, i32_ne = I32Ne: I32 -> I32,
    i32_lt_s = I32LtS: I32 -> I32, i32_lt_u = I32LtU: I32 -> I32,
    i32_gt_s = I32GtS: I32 -> I32, i32_gt_u = I32GtU: I32 -> I32,
    i32_le_s = I32LeS: I32 -> I32, i32_le_u = I32LeU: I32 -> I32,
    i32_ge_s = I32GeS: I32 -> I32, i32_ge_u = I32GeU: I32 -> I32,
    i64_add = I64Add: I64 -> I64, i64_sub = I64Sub: I64 -> I64, i64_mul = I64Mul: I64 -> I64,
    i64_div_s = I64DivS: I64 -> I64, i64_div_u = I64DivU: I64 -> I64,
    i64_rem_s = I64RemS: I64 -> I64, i64_rem_u = I64RemU: I64 -> I64,
    i64_and = I64And: I64 -> I64, i64_or = I64Or: I64 -> I64, i64_xor = I64Xor: I64 -> I64,
    i64_shl = I64Shl: I64 -> I64, i64_shr_s = I64ShrS: I64 -> I64, i64_shr_u = I64ShrU: I64 -> I64,
    i64_rotl = I64Rotl: I64 -> I64, i64_rotr = I64Rotr: I64 -> I64,
    i64_eq = I64Eq: I64 -> I32, i64_ne = I64Ne: I64 -> I32,
    i64_lt_s = I64LtS: I64 -> I32, i64_lt_u = I64LtU: I64 -> I32,
    i64_gt_s = I64GtS: I64 -> I32, i64_gt_u = I64GtU: I64 -> I32,
    i64_le_s = I64LeS: I64 -> I32, i64_le_u = I64LeU: I64 -> I32,
    i64_ge_s = I64GeS: I64 -> I32, i64_ge_u = I64GeU: I64 -> I32,
    f32_add = F32Add: F32 -> F32, f32_sub = F32Sub: F32 -> F32, f32_mul = F32Mul: F32 -> F32,
    f32_div = F32Div: F32 -> F32, f32_min = F32Min: F32 -> F32, f32_max = F32Max: F32 -> F32,
    f32_copysign = F32Copysign: F32 -> F32,
    f32_eq = F32Eq: F32 -> I32, f32_ne = F32Ne: F32 -> I32, f32_lt = F32Lt: F32 -> I32,
    f32_gt = F32Gt: F32 -> I32, f32_le = F32Le: F32 -> I32, f32_ge = F32Ge: F32 -> I32,
    f64_add = F64Add: F64 -> F64, f64_sub = F64Sub: F64 -> F64, f64_mul = F64Mul: F64 -> F64,
    f64_div = F64Div: F64 -> F64, f64_min = F64Min: F64 -> F64, f64_max = F64Max: F64 -> F64,
    f64_copysign = F64Copysign: F64 -> F64,
    f64_eq = F64Eq: F64 -> I32, f64_ne = F64Ne: F64 -> I32, f64_lt = F64Lt: F64 -> I32,
    f64_gt = F64Gt: F64 -> I32, f64_le = F64Le: F64 -> I32, f64_ge = F64Ge: F64 -> I32,
});

ops!(
    /// Operators with one operand and one result (tests, bit counts, float
    /// unary arithmetic, conversions, sign extensions).
    UnOp {
    i32_eqz = I32Eqz: I32 -> I32, i32_clz = I32Clz: I32 -> I32, i32_ctz = I32Ctz: I32 -> I32,
    i32_popcnt = I32Popcnt: I32 -> I32,
    i64_eqz = I64Eqz: I64 -> I32, i64_clz = I64Clz: I64 -> I64, i64_ctz = I64Ctz: I64 -> I64,
    i64_popcnt = I64Popcnt: I64 -> I64,
    f32_abs = F32Abs: F32 -> F32, f32_neg = F32Neg: F32 -> F32, f32_ceil = F32Ceil: F32 -> F32,
    f32_floor = F32Floor: F32 -> F32, f32_trunc = F32Trunc: F32 -> F32,
    f32_nearest = F32Nearest: F32 -> F32, f32_sqrt = F32Sqrt: F32 -> F32,
    f64_abs = F64Abs: F64 -> F64, f64_neg = F64Neg: F64 -> F64, f64_ceil = F64Ceil: F64 -> F64,
    f64_floor = F64Floor: F64 -> F64, f64_trunc = F64Trunc: F64 -> F64,
    f64_nearest = F64Nearest: F64 -> F64, f64_sqrt = F64Sqrt: F64 -> F64,
    i32_wrap_i64 = I32WrapI64: I64 -> I32,
    i32_trunc_f32_s = I32TruncF32S: F32 -> I32, i32_trunc_f32_u = I32TruncF32U: F32 -> I32,
    i32_trunc_f64_s = I32TruncF64S: F64 -> I32, i32_trunc_f64_u = I32TruncF64U: F64 -> I32,
    i64_extend_i32_s = I64ExtendI32S: I32 -> I64, i64_extend_i32_u = I64ExtendI32U: I32 -> I64,
    i64_trunc_f32_s = I64TruncF32S: F32 -> I64, i64_trunc_f32_u = I64TruncF32U: F32 -> I64,
    i64_trunc_f64_s = I64TruncF64S: F64 -> I64, i64_trunc_f64_u = I64TruncF64U: F64 -> I64,
    f32_convert_i32_s = F32ConvertI32S: I32 -> F32, f32_convert_i32_u = F32ConvertI32U: I32 -> F32,
    f32_convert_i64_s = F32ConvertI64S: I64 -> F32, f32_convert_i64_u = F32ConvertI64U: I64 -> F32,
    f32_demote_f64 = F32DemoteF64: F64 -> F32,
    f64_convert_i32_s = F64ConvertI32S: I32 -> F64, f64_convert_i32_u = F64ConvertI32U: I32 -> F64,
    f64_convert_i64_s = F64ConvertI64S: I64 -> F64, f64_convert_i64_u = F64ConvertI64U: I64 -> F64,
    f64_promote_f32 = F64PromoteF32: F32 -> F64,
    i32_reinterpret_f32 = I32ReinterpretF32: F32 -> I32,
    i64_reinterpret_f64 = I64ReinterpretF64: F64 -> I64,
    f32_reinterpret_i32 = F32ReinterpretI32: I32 -> F32,
    f64_reinterpret_i64 = F64ReinterpretI64: I64 -> F64,
    i32_extend8_s = I32Extend8S: I32 -> I32, i32_extend16_s = I32Extend16S: I32 -> I32,
    i64_extend8_s = I64Extend8S: I64 -> I64, i64_extend16_s = I64Extend16S: I64 -> I64,
    i64_extend32_s = I64Extend32S: I64 -> I64,
    i32_trunc_sat_f32_s = I32TruncSatF32S: F32 -> I32, i32_trunc_sat_f32_u = I32TruncSatF32U: F32 -> I32,
    i32_trunc_sat_f64_s = I32TruncSatF64S: F64 -> I32, i32_trunc_sat_f64_u = I32TruncSatF64U: F64 -> I32,
    i64_trunc_sat_f32_s = I64TruncSatF32S: F32 -> I64, i64_trunc_sat_f32_u = I64TruncSatF32U: F32 -> I64,
    i64_trunc_sat_f64_s = I64TruncSatF64S: F64 -> I64, i64_trunc_sat_f64_u = I64TruncSatF64U: F64 -> I64,
});

/// Loads: `memarg` immediates, one address operand, one result.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadOp {
    i32_load,
    i64_load,
    f32_load,
    f64_load,
    i32_load8_s,
    i32_load8_u,
    i32_load16_s,
    i32_load16_u,
    i64_load8_s,
    i64_load8_u,
    i64_load16_s,
    i64_load16_u,
    i64_load32_s,
    i64_load32_u,
}

/// Stores: `memarg` immediates, address and value operands, no result.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreOp {
    i32_store,
    i64_store,
    f32_store,
    f64_store,
    i32_store8,
    i32_store16,
    i64_store8,
    i64_store16,
    i64_store32,
}

impl LoadOp {
    pub fn from_operator(op: &Operator<'_>) -> Option<(LoadOp, wasmparser::MemArg)> {
        use Operator as O;
        Some(match *op {
            O::I32Load { memarg } => (LoadOp::i32_load, memarg),
            O::I64Load { memarg } => (LoadOp::i64_load, memarg),
            O::F32Load { memarg } => (LoadOp::f32_load, memarg),
            O::F64Load { memarg } => (LoadOp::f64_load, memarg),
            O::I32Load8S { memarg } => (LoadOp::i32_load8_s, memarg),
            O::I32Load8U { memarg } => (LoadOp::i32_load8_u, memarg),
            O::I32Load16S { memarg } => (LoadOp::i32_load16_s, memarg),
            O::I32Load16U { memarg } => (LoadOp::i32_load16_u, memarg),
            O::I64Load8S { memarg } => (LoadOp::i64_load8_s, memarg),
            O::I64Load8U { memarg } => (LoadOp::i64_load8_u, memarg),
            O::I64Load16S { memarg } => (LoadOp::i64_load16_s, memarg),
            O::I64Load16U { memarg } => (LoadOp::i64_load16_u, memarg),
            O::I64Load32S { memarg } => (LoadOp::i64_load32_s, memarg),
            O::I64Load32U { memarg } => (LoadOp::i64_load32_u, memarg),
            _ => return None,
        })
    }

    pub fn operator(self, memarg: wasmparser::MemArg) -> Operator<'static> {
        use Operator as O;
        match self {
            LoadOp::i32_load => O::I32Load { memarg },
            LoadOp::i64_load => O::I64Load { memarg },
            LoadOp::f32_load => O::F32Load { memarg },
            LoadOp::f64_load => O::F64Load { memarg },
            LoadOp::i32_load8_s => O::I32Load8S { memarg },
            LoadOp::i32_load8_u => O::I32Load8U { memarg },
            LoadOp::i32_load16_s => O::I32Load16S { memarg },
            LoadOp::i32_load16_u => O::I32Load16U { memarg },
            LoadOp::i64_load8_s => O::I64Load8S { memarg },
            LoadOp::i64_load8_u => O::I64Load8U { memarg },
            LoadOp::i64_load16_s => O::I64Load16S { memarg },
            LoadOp::i64_load16_u => O::I64Load16U { memarg },
            LoadOp::i64_load32_s => O::I64Load32S { memarg },
            LoadOp::i64_load32_u => O::I64Load32U { memarg },
        }
    }

    pub fn result_type(self) -> ValType {
        match self {
            LoadOp::i32_load
            | LoadOp::i32_load8_s
            | LoadOp::i32_load8_u
            | LoadOp::i32_load16_s
            | LoadOp::i32_load16_u => ValType::I32,
            LoadOp::f32_load => ValType::F32,
            LoadOp::f64_load => ValType::F64,
            _ => ValType::I64,
        }
    }

    /// The bits a loaded value can have set: the zero-extending loads
    /// leave the upper bits zero.
    pub fn possible_bits(self) -> u64 {
        match self {
            LoadOp::i32_load8_u | LoadOp::i64_load8_u => 0xff,
            LoadOp::i32_load16_u | LoadOp::i64_load16_u => 0xffff,
            LoadOp::i32_load | LoadOp::i64_load32_u => 0xffff_ffff,
            LoadOp::i32_load8_s | LoadOp::i32_load16_s => 0xffff_ffff,
            _ => u64::MAX,
        }
    }
}

impl StoreOp {
    pub fn from_operator(op: &Operator<'_>) -> Option<(StoreOp, wasmparser::MemArg)> {
        use Operator as O;
        Some(match *op {
            O::I32Store { memarg } => (StoreOp::i32_store, memarg),
            O::I64Store { memarg } => (StoreOp::i64_store, memarg),
            O::F32Store { memarg } => (StoreOp::f32_store, memarg),
            O::F64Store { memarg } => (StoreOp::f64_store, memarg),
            O::I32Store8 { memarg } => (StoreOp::i32_store8, memarg),
            O::I32Store16 { memarg } => (StoreOp::i32_store16, memarg),
            O::I64Store8 { memarg } => (StoreOp::i64_store8, memarg),
            O::I64Store16 { memarg } => (StoreOp::i64_store16, memarg),
            O::I64Store32 { memarg } => (StoreOp::i64_store32, memarg),
            _ => return None,
        })
    }

    pub fn operator(self, memarg: wasmparser::MemArg) -> Operator<'static> {
        use Operator as O;
        match self {
            StoreOp::i32_store => O::I32Store { memarg },
            StoreOp::i64_store => O::I64Store { memarg },
            StoreOp::f32_store => O::F32Store { memarg },
            StoreOp::f64_store => O::F64Store { memarg },
            StoreOp::i32_store8 => O::I32Store8 { memarg },
            StoreOp::i32_store16 => O::I32Store16 { memarg },
            StoreOp::i64_store8 => O::I64Store8 { memarg },
            StoreOp::i64_store16 => O::I64Store16 { memarg },
            StoreOp::i64_store32 => O::I64Store32 { memarg },
        }
    }
}
