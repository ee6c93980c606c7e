//! Effects analysis: what evaluating an expression can do besides computing
//! its value. Every pass that removes, moves or duplicates code asks this,
//! never its own list of opcodes. Unknown instructions count as doing
//! everything, so a new proposal's instructions are safe by default.

use crate::ir::{ExprId, Function, Kind};
use wasmparser::Operator;

/// A set of effects, as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Effects(u16);

impl Effects {
    pub const NONE: Effects = Effects(0);
    pub const READS_LOCAL: Effects = Effects(1 << 0);
    pub const WRITES_LOCAL: Effects = Effects(1 << 1);
    pub const READS_GLOBAL: Effects = Effects(1 << 2);
    pub const WRITES_GLOBAL: Effects = Effects(1 << 3);
    pub const READS_MEMORY: Effects = Effects(1 << 4);
    pub const WRITES_MEMORY: Effects = Effects(1 << 5);
    /// May trap (out of bounds, division by zero, null, failed cast, ...).
    pub const TRAPS: Effects = Effects(1 << 6);
    /// Calls code that may do anything.
    pub const CALLS: Effects = Effects(1 << 7);
    /// Transfers control: branches, return, throw, unreachable.
    pub const BRANCHES: Effects = Effects(1 << 8);
    /// Reads or writes tables, GC heap objects or other state.
    pub const OTHER_STATE: Effects = Effects(1 << 9);
    /// Everything: for instructions this analysis does not know.
    pub const ALL: Effects = Effects(0x3ff);

    pub fn contains(self, other: Effects) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn intersects(self, other: Effects) -> bool {
        self.0 & other.0 != 0
    }

    pub fn without(self, other: Effects) -> Effects {
        Effects(self.0 & !other.0)
    }

    /// Whether removing the expression (keeping nothing of it) is safe:
    /// it only reads state.
    pub fn removable(self) -> bool {
        !self.intersects(
            Effects::WRITES_LOCAL
                | Effects::WRITES_GLOBAL
                | Effects::WRITES_MEMORY
                | Effects::TRAPS
                | Effects::CALLS
                | Effects::BRANCHES
                | Effects::OTHER_STATE,
        )
    }
}

impl std::ops::BitOr for Effects {
    type Output = Effects;
    fn bitor(self, other: Effects) -> Effects {
        Effects(self.0 | other.0)
    }
}

impl std::ops::BitOrAssign for Effects {
    fn bitor_assign(&mut self, other: Effects) {
        self.0 |= other.0;
    }
}

/// The effects of one instruction itself, not counting its operands.
pub fn of_operator(op: &Operator<'_>) -> Effects {
    use Operator::*;
    match op {
        Nop
        | Drop
        | Select
        | TypedSelect { .. }
        | I32Const { .. }
        | I64Const { .. }
        | F32Const { .. }
        | F64Const { .. }
        | V128Const { .. }
        | RefNull { .. }
        | RefIsNull
        | RefFunc { .. }
        | RefEq => Effects::NONE,
        LocalGet { .. } => Effects::READS_LOCAL,
        LocalSet { .. } | LocalTee { .. } => Effects::WRITES_LOCAL,
        GlobalGet { .. } => Effects::READS_GLOBAL,
        GlobalSet { .. } => Effects::WRITES_GLOBAL,
        // Integer arithmetic that cannot trap; float arithmetic (a dropped
        // result's NaN bits are not observable); non-trapping conversions.
        I32Eqz | I32Eq | I32Ne | I32LtS | I32LtU | I32GtS | I32GtU | I32LeS | I32LeU | I32GeS
        | I32GeU | I64Eqz | I64Eq | I64Ne | I64LtS | I64LtU | I64GtS | I64GtU | I64LeS | I64LeU
        | I64GeS | I64GeU | F32Eq | F32Ne | F32Lt | F32Gt | F32Le | F32Ge | F64Eq | F64Ne
        | F64Lt | F64Gt | F64Le | F64Ge | I32Clz | I32Ctz | I32Popcnt | I32Add | I32Sub
        | I32Mul | I32And | I32Or | I32Xor | I32Shl | I32ShrS | I32ShrU | I32Rotl | I32Rotr
        | I64Clz | I64Ctz | I64Popcnt | I64Add | I64Sub | I64Mul | I64And | I64Or | I64Xor
        | I64Shl | I64ShrS | I64ShrU | I64Rotl | I64Rotr | F32Abs | F32Neg | F32Ceil | F32Floor
        | F32Trunc | F32Nearest | F32Sqrt | F32Add | F32Sub | F32Mul | F32Div | F32Min | F32Max
        | F32Copysign | F64Abs | F64Neg | F64Ceil | F64Floor | F64Trunc | F64Nearest | F64Sqrt
        | F64Add | F64Sub | F64Mul | F64Div | F64Min | F64Max | F64Copysign | I32WrapI64
        | I64ExtendI32S | I64ExtendI32U | F32ConvertI32S | F32ConvertI32U | F32ConvertI64S
        | F32ConvertI64U | F32DemoteF64 | F64ConvertI32S | F64ConvertI32U | F64ConvertI64S
        | F64ConvertI64U | F64PromoteF32 | I32ReinterpretF32 | I64ReinterpretF64
        | F32ReinterpretI32 | F64ReinterpretI64 | I32Extend8S | I32Extend16S | I64Extend8S
        | I64Extend16S | I64Extend32S | I32TruncSatF32S | I32TruncSatF32U | I32TruncSatF64S
        | I32TruncSatF64U | I64TruncSatF32S | I64TruncSatF32U | I64TruncSatF64S
        | I64TruncSatF64U => Effects::NONE,
        I32DivS | I32DivU | I32RemS | I32RemU | I64DivS | I64DivU | I64RemS | I64RemU
        | I32TruncF32S | I32TruncF32U | I32TruncF64S | I32TruncF64U | I64TruncF32S
        | I64TruncF32U | I64TruncF64S | I64TruncF64U | RefAsNonNull => Effects::TRAPS,
        I32Load { .. }
        | I64Load { .. }
        | F32Load { .. }
        | F64Load { .. }
        | I32Load8S { .. }
        | I32Load8U { .. }
        | I32Load16S { .. }
        | I32Load16U { .. }
        | I64Load8S { .. }
        | I64Load8U { .. }
        | I64Load16S { .. }
        | I64Load16U { .. }
        | I64Load32S { .. }
        | I64Load32U { .. }
        | V128Load { .. } => Effects::READS_MEMORY | Effects::TRAPS,
        I32Store { .. }
        | I64Store { .. }
        | F32Store { .. }
        | F64Store { .. }
        | I32Store8 { .. }
        | I32Store16 { .. }
        | I64Store8 { .. }
        | I64Store16 { .. }
        | I64Store32 { .. }
        | V128Store { .. } => Effects::WRITES_MEMORY | Effects::TRAPS,
        MemorySize { .. } => Effects::READS_MEMORY,
        MemoryGrow { .. } => Effects::READS_MEMORY | Effects::WRITES_MEMORY,
        Call { .. } | CallIndirect { .. } | CallRef { .. } => Effects::ALL,
        Unreachable
        | Return
        | Throw { .. }
        | ThrowRef
        | ReturnCall { .. }
        | ReturnCallIndirect { .. }
        | ReturnCallRef { .. } => Effects::BRANCHES | Effects::TRAPS,
        _ => simd_effects(op).unwrap_or(Effects::ALL),
    }
}

/// The effects of a SIMD or relaxed-SIMD instruction, from wasmparser's own
/// list of them: those with a memory argument load (one result) or store
/// (none) and may trap; all others compute lanes from their operands only,
/// and never trap. `None` for every other instruction.
macro_rules! define_simd_effects {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        fn simd_effects(op: &Operator<'_>) -> Option<Effects> {
            match op {
                $( Operator::$op { .. } => Some(simd_annotation_effects!($($ann)*)), )*
                _ => None,
            }
        }
    };
}

macro_rules! simd_annotation_effects {
    (arity memarg $operands:literal -> 0) => {
        Effects::WRITES_MEMORY | Effects::TRAPS
    };
    (arity memarg $operands:literal -> 1) => {
        Effects::READS_MEMORY | Effects::TRAPS
    };
    (arity $operands:literal -> 1) => {
        Effects::NONE
    };
}

wasmparser::for_each_visit_simd_operator!(define_simd_effects);

/// The effects of evaluating `root` with all its operands and bodies. A
/// branch counts even when it targets a label inside `root` (conservative).
pub fn of_tree(func: &Function<'_>, root: ExprId) -> Effects {
    let mut effects = Effects::NONE;
    let mut work = vec![root];
    while let Some(id) = work.pop() {
        let expr = func.expr(id);
        effects |= match &expr.kind {
            Kind::Op(op) => of_operator(op),
            Kind::Branch { .. } => Effects::BRANCHES,
            Kind::Assign { .. } => Effects::WRITES_LOCAL,
            // A value already on the stack: removing it changes the stack.
            Kind::Pop => Effects::ALL,
            // Exception handlers observe throws inside.
            Kind::Try(_) | Kind::TryTable(_) => Effects::ALL,
            Kind::Block { .. } | Kind::Loop { .. } | Kind::If { .. } => Effects::NONE,
        };
        if effects == Effects::ALL {
            break;
        }
        work.extend(expr.args.iter().copied());
        for body in func.bodies(id) {
            work.extend(body.iter().copied());
        }
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert!(of_operator(&Operator::I32Add).removable());
        assert!(of_operator(&Operator::LocalGet { local_index: 0 }).removable());
        assert!(
            !of_operator(&Operator::I32DivS).removable(),
            "division traps on zero"
        );
        assert!(!of_operator(&Operator::LocalSet { local_index: 0 }).removable());
        assert!(!of_operator(&Operator::Call { function_index: 0 }).removable());
        assert!(!of_operator(&Operator::MemoryGrow { mem: 0 }).removable());
        assert_eq!(
            of_operator(&Operator::TableGrow { table: 0 }),
            Effects::ALL,
            "unknown means everything"
        );
    }

    #[test]
    fn simd_classification() {
        let memarg = wasmparser::MemArg {
            align: 4,
            max_align: 4,
            offset: 0,
            target: wasmparser::MemArgTarget::Memory(0),
            ordering: None,
        };
        assert_eq!(of_operator(&Operator::I32x4Add), Effects::NONE);
        assert_eq!(of_operator(&Operator::F32x4RelaxedMadd), Effects::NONE);
        assert_eq!(
            of_operator(&Operator::I8x16ExtractLaneU { lane: 3 }),
            Effects::NONE
        );
        assert_eq!(
            of_operator(&Operator::V128Load { memarg }),
            Effects::READS_MEMORY | Effects::TRAPS
        );
        assert_eq!(
            of_operator(&Operator::V128Load8Lane { memarg, lane: 1 }),
            Effects::READS_MEMORY | Effects::TRAPS
        );
        assert_eq!(
            of_operator(&Operator::V128Store16Lane { memarg, lane: 1 }),
            Effects::WRITES_MEMORY | Effects::TRAPS
        );
    }
}
