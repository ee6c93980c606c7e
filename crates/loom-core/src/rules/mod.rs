//! Expression rewriting rules written in ISLE (`rules/*.isle`, compiled by
//! `build.rs` with cranelift-isle) and the glue that lets them match and
//! build expressions of our IR directly: [`Rewriter`] implements the
//! generated `Context` trait on a [`Function`] arena. The
//! `optimize-instructions` pass drives them; the pure helpers the rules call
//! live in [`helpers`] so the rule proofs can run them on concrete values.

pub mod helpers;
pub mod ops;

use crate::effects;
use crate::ir::{Args, ExprId, Function, Kind, Results};
pub use helpers::Const;
pub use ops::{BinOp, LoadOp, StoreOp, UnOp};
use smallvec::smallvec;
use wasmparser::{MemArg, Operator, ValType};

/// The ISLE `Expr` type.
pub type Expr = ExprId;

#[allow(dead_code, unreachable_code, unreachable_patterns, unused_imports)]
#[allow(unused_variables, non_snake_case, unused_mut, irrefutable_let_patterns)]
#[allow(unused_assignments, non_camel_case_types, clippy::all)]
mod generated {
    extern crate alloc;
    include!(concat!(env!("OUT_DIR"), "/isle_rules.rs"));
}

/// What an expression is, as far as the rules care (the ISLE `Inst`).
#[derive(Clone, Copy, Debug)]
pub enum Inst {
    Const(Const),
    Binary(BinOp, Expr, Expr),
    Unary(UnOp, Expr),
    Select(Expr, Expr, Expr),
    Load(LoadOp, MemArg, Expr),
    Store(StoreOp, MemArg, Expr, Expr),
    Other,
}

/// The value of a constant instruction.
fn const_of(op: &Operator<'_>) -> Option<Const> {
    Some(match *op {
        Operator::I32Const { value } => Const::I32(value),
        Operator::I64Const { value } => Const::I64(value),
        Operator::F32Const { value } => Const::F32(value.bits()),
        Operator::F64Const { value } => Const::F64(value.bits()),
        _ => return None,
    })
}

/// How deep `possible_bits` looks into operands (each level is one node).
const BITS_DEPTH: u32 = 8;
/// How many node pairs `same_value` compares before giving up.
const SAME_BUDGET: u32 = 64;

/// The rules' view of one function.
pub struct Rewriter<'f, 'a> {
    pub func: &'f mut Function<'a>,
}

impl<'f, 'a> Rewriter<'f, 'a> {
    pub fn new(func: &'f mut Function<'a>) -> Self {
        Rewriter { func }
    }

    /// One rewrite of the root of `id`, if a rule matches.
    pub fn simplify(&mut self, id: ExprId) -> Option<ExprId> {
        generated::constructor_simplify(self, id)
    }

    fn op(&self, id: ExprId) -> Option<&Operator<'a>> {
        match &self.func.expr(id).kind {
            Kind::Op(op) => Some(op),
            _ => None,
        }
    }

    /// What `e` is for the rules; `None` for `Inst::Other`.
    fn classify(&self, e: Expr) -> Option<Inst> {
        let expr = self.func.expr(e);
        let op = self.op(e)?;
        let args = &expr.args;
        let arg = |i: usize, ty: ValType| args.get(i).copied().filter(|&a| self.yields(a, ty));
        if let Some(c) = const_of(op) {
            return Some(Inst::Const(c));
        }
        if let Some(bin) = BinOp::from_operator(op) {
            let ty = bin.operand_type();
            return Some(Inst::Binary(bin, arg(0, ty)?, arg(1, ty)?));
        }
        if let Some(un) = UnOp::from_operator(op) {
            return Some(Inst::Unary(un, arg(0, un.operand_type())?));
        }
        if let Some((load, memarg)) = LoadOp::from_operator(op) {
            return Some(Inst::Load(load, memarg, *args.first()?));
        }
        if let Some((store, memarg)) = StoreOp::from_operator(op) {
            return Some(Inst::Store(store, memarg, *args.first()?, *args.get(1)?));
        }
        if matches!(op, Operator::Select | Operator::TypedSelect { .. }) {
            let Results::One(ty) = expr.results else {
                return None;
            };
            return Some(Inst::Select(
                arg(0, ty)?,
                arg(1, ty)?,
                arg(2, ValType::I32)?,
            ));
        }
        None
    }

    /// Whether `id` yields exactly one value of type `ty`.
    fn yields(&self, id: ExprId, ty: ValType) -> bool {
        self.func.expr(id).results == Results::One(ty)
    }

    fn add(&mut self, op: Operator<'static>, args: Args, results: Results) -> ExprId {
        self.func.add(Kind::Op(op), args, results)
    }

    fn build_binary(&mut self, op: BinOp, a: Expr, b: Expr) -> Expr {
        self.add(
            op.operator(),
            smallvec![a, b],
            Results::One(op.result_type()),
        )
    }

    fn build_unary(&mut self, op: UnOp, a: Expr) -> Expr {
        self.add(op.operator(), smallvec![a], Results::One(op.result_type()))
    }

    fn bits(&self, id: ExprId, depth: u32) -> u64 {
        let all = match self.func.expr(id).results {
            Results::One(ValType::I32) => u32::MAX as u64,
            Results::One(ValType::I64) => u64::MAX,
            _ => return u64::MAX,
        };
        if depth == 0 {
            return all;
        }
        let args = &self.func.expr(id).args;
        // One multi-value operand can stand for both of a binary operator's
        // operands: then nothing is known of each.
        let arg = |i: usize| args.get(i).map_or(all, |&a| self.bits(a, depth - 1));
        let Some(op) = self.op(id) else { return all };
        let known = if let Some((load, _)) = LoadOp::from_operator(op) {
            load.possible_bits()
        } else if let Some(bin) = BinOp::from_operator(op) {
            use BinOp::*;
            match bin {
                i32_and | i64_and => arg(0) & arg(1),
                i32_or | i64_or | i32_xor | i64_xor => arg(0) | arg(1),
                i32_shr_u | i64_shr_u => match args.get(1).and_then(|&a| self.op(a)) {
                    Some(Operator::I32Const { value }) => arg(0) >> (*value as u32 & 31),
                    Some(Operator::I64Const { value }) => arg(0) >> (*value as u64 & 63),
                    _ => all,
                },
                _ if bin.result_type() == ValType::I32 && bin.operand_type() != ValType::I32 => 1,
                i32_eq | i32_ne | i32_lt_s | i32_lt_u | i32_gt_s | i32_gt_u | i32_le_s
                | i32_le_u | i32_ge_s | i32_ge_u => 1,
                _ => all,
            }
        } else if let Some(un) = UnOp::from_operator(op) {
            match un {
                UnOp::i32_eqz | UnOp::i64_eqz => 1,
                UnOp::i64_extend_i32_u => arg(0) & u32::MAX as u64,
                UnOp::i32_wrap_i64 => arg(0) & u32::MAX as u64,
                _ => all,
            }
        } else {
            match *op {
                Operator::I32Const { value } => value as u32 as u64,
                Operator::I64Const { value } => value as u64,
                _ => all,
            }
        };
        known & all
    }

    /// Structural equality of two `Op` trees, within `budget` nodes.
    fn same_tree(&self, a: ExprId, b: ExprId, budget: &mut u32) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let (ea, eb) = (self.func.expr(a), self.func.expr(b));
        match (&ea.kind, &eb.kind) {
            (Kind::Op(x), Kind::Op(y)) => {
                x == y
                    && ea.results == eb.results
                    && ea.args.len() == eb.args.len()
                    && ea
                        .args
                        .iter()
                        .zip(&eb.args)
                        .all(|(&p, &q)| self.same_tree(p, q, budget))
            }
            _ => false,
        }
    }
}

/// The per-instruction constructors: `(i32_add x y)` builds
/// `(binary (BinOp.i32_add) x y)`.
macro_rules! instruction_constructors {
    (binary: $($b:ident),*; unary: $($u:ident),*) => {
        $(fn $b(&mut self, a: Expr, b: Expr) -> Expr { self.build_binary(BinOp::$b, a, b) })*
        $(fn $u(&mut self, a: Expr) -> Expr { self.build_unary(UnOp::$u, a) })*
    };
}

impl generated::Context for Rewriter<'_, '_> {
    instruction_constructors!(binary: i32_add, i32_sub, i32_mul, i32_div_s, i32_div_u, i32_rem_s, i32_rem_u, i32_and, i32_or, i32_xor, i32_shl, i32_shr_s, i32_shr_u, i32_rotl, i32_rotr, i32_eq, i32_ne, i32_lt_s, i32_lt_u, i32_gt_s, i32_gt_u, i32_le_s, i32_le_u, i32_ge_s, i32_ge_u, i64_add, i64_sub, i64_mul, i64_div_s, i64_div_u, i64_rem_s, i64_rem_u, i64_and, i64_or, i64_xor, i64_shl, i64_shr_s, i64_shr_u, i64_rotl, i64_rotr, i64_eq, i64_ne, i64_lt_s, i64_lt_u, i64_gt_s, i64_gt_u, i64_le_s, i64_le_u, i64_ge_s, i64_ge_u, f32_add, f32_sub, f32_mul, f32_div, f32_min, f32_max, f32_copysign, f32_eq, f32_ne, f32_lt, f32_gt, f32_le, f32_ge, f64_add, f64_sub, f64_mul, f64_div, f64_min, f64_max, f64_copysign, f64_eq, f64_ne, f64_lt, f64_gt, f64_le, f64_ge; unary: i32_eqz, i32_clz, i32_ctz, i32_popcnt, i64_eqz, i64_clz, i64_ctz, i64_popcnt, f32_abs, f32_neg, f32_ceil, f32_floor, f32_trunc, f32_nearest, f32_sqrt, f64_abs, f64_neg, f64_ceil, f64_floor, f64_trunc, f64_nearest, f64_sqrt, i32_wrap_i64, i32_trunc_f32_s, i32_trunc_f32_u, i32_trunc_f64_s, i32_trunc_f64_u, i64_extend_i32_s, i64_extend_i32_u, i64_trunc_f32_s, i64_trunc_f32_u, i64_trunc_f64_s, i64_trunc_f64_u, f32_convert_i32_s, f32_convert_i32_u, f32_convert_i64_s, f32_convert_i64_u, f32_demote_f64, f64_convert_i32_s, f64_convert_i32_u, f64_convert_i64_s, f64_convert_i64_u, f64_promote_f32, i32_reinterpret_f32, i64_reinterpret_f64, f32_reinterpret_i32, f64_reinterpret_i64, i32_extend8_s, i32_extend16_s, i64_extend8_s, i64_extend16_s, i64_extend32_s, i32_trunc_sat_f32_s, i32_trunc_sat_f32_u, i32_trunc_sat_f64_s, i32_trunc_sat_f64_u, i64_trunc_sat_f32_s, i64_trunc_sat_f32_u, i64_trunc_sat_f64_s, i64_trunc_sat_f64_u);

    fn inst(&mut self, e: Expr) -> Inst {
        self.classify(e).unwrap_or(Inst::Other)
    }

    fn make_const(&mut self, c: &Const) -> Expr {
        let (op, ty) = match *c {
            Const::I32(value) => (Operator::I32Const { value }, ValType::I32),
            Const::I64(value) => (Operator::I64Const { value }, ValType::I64),
            Const::F32(bits) => (
                Operator::F32Const {
                    value: wasmparser::Ieee32::from(f32::from_bits(bits)),
                },
                ValType::F32,
            ),
            Const::F64(bits) => (
                Operator::F64Const {
                    value: wasmparser::Ieee64::from(f64::from_bits(bits)),
                },
                ValType::F64,
            ),
        };
        self.add(op, Args::new(), Results::One(ty))
    }

    fn i32_const(&mut self, v: i32) -> Expr {
        self.make_const(&Const::I32(v))
    }

    fn i64_const(&mut self, v: i64) -> Expr {
        self.make_const(&Const::I64(v))
    }

    fn make_binary(&mut self, op: &BinOp, a: Expr, b: Expr) -> Expr {
        self.build_binary(*op, a, b)
    }

    fn make_unary(&mut self, op: &UnOp, a: Expr) -> Expr {
        self.build_unary(*op, a)
    }

    fn make_select(&mut self, a: Expr, b: Expr, c: Expr) -> Expr {
        let ty = self.func.expr(a).results.types()[0];
        let op = match ty {
            ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64 | ValType::V128 => {
                Operator::Select
            }
            ValType::Ref(_) => Operator::TypedSelect { ty },
        };
        self.add(op, smallvec![a, b, c], Results::One(ty))
    }

    fn make_load(&mut self, op: &LoadOp, memarg: MemArg, address: Expr) -> Expr {
        let results = Results::One(op.result_type());
        self.add(op.operator(memarg), smallvec![address], results)
    }

    fn make_store(&mut self, op: &StoreOp, memarg: MemArg, address: Expr, value: Expr) -> Expr {
        self.add(
            op.operator(memarg),
            smallvec![address, value],
            Results::None,
        )
    }

    fn memarg_offset(&mut self, m: MemArg) -> Option<u64> {
        Some(m.offset)
    }

    fn with_offset(&mut self, m: MemArg, offset: u64) -> MemArg {
        MemArg { offset, ..m }
    }

    fn removable(&mut self, e: Expr) -> Option<Expr> {
        effects::of_tree(self.func, e).removable().then_some(e)
    }

    fn same_value(&mut self, a: Expr, b: Expr) -> bool {
        let mut budget = SAME_BUDGET;
        self.same_tree(a, b, &mut budget)
            && effects::of_tree(self.func, a).removable()
            && effects::of_tree(self.func, b).removable()
    }

    fn integer(&mut self, e: Expr) -> bool {
        matches!(
            self.func.expr(e).results,
            Results::One(ValType::I32 | ValType::I64)
        )
    }

    fn possible_bits(&mut self, e: Expr) -> Option<u64> {
        match self.func.expr(e).results {
            Results::One(ValType::I32 | ValType::I64) => Some(self.bits(e, BITS_DEPTH)),
            _ => None,
        }
    }

    fn fold_binary(&mut self, op: &BinOp, a: &Const, b: &Const) -> Option<Const> {
        helpers::fold_binary(*op, *a, *b)
    }

    fn fold_unary(&mut self, op: &UnOp, a: &Const) -> Option<Const> {
        helpers::fold_unary(*op, *a)
    }

    fn commutative(&mut self, op: &BinOp) -> bool {
        helpers::commutative(*op)
    }

    fn associative(&mut self, op: &BinOp) -> bool {
        helpers::associative(*op)
    }

    fn shift_or_rotate(&mut self, op: &BinOp) -> bool {
        helpers::shift_or_rotate(*op)
    }

    fn shift_sum(&mut self, c1: &Const, c2: &Const) -> Option<Const> {
        helpers::shift_sum(*c1, *c2)
    }

    fn log2(&mut self, c: &Const) -> Option<Const> {
        helpers::log2(*c)
    }

    fn len_le(&mut self, a: &Const, b: &Const) -> bool {
        helpers::len_le(*a, *b)
    }

    fn mask_keeps(&mut self, possible: u64, mask: &Const) -> bool {
        helpers::mask_keeps(possible, *mask)
    }

    fn added_offset(&mut self, offset: u64, p_max: u64, c: &Const) -> Option<u64> {
        helpers::added_offset(offset, p_max, *c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cranelift_isle::ast::{Def, TypeValue};

    /// The operator enums in prelude.isle list exactly the Rust variants, in
    /// the same order (the proofs read the names from the ISLE side).
    #[test]
    fn prelude_enums_match_rust() {
        let text = include_str!("../../rules/prelude.isle");
        let lexer = cranelift_isle::lexer::Lexer::new(0, text).unwrap();
        let defs = cranelift_isle::parser::parse(lexer).unwrap();
        let variants = |name: &str| -> Vec<String> {
            defs.iter()
                .find_map(|d| match d {
                    Def::Type(t) if t.name.0 == name => match &t.ty {
                        TypeValue::Enum(vs, _) => {
                            Some(vs.iter().map(|v| v.name.0.clone()).collect())
                        }
                        _ => None,
                    },
                    _ => None,
                })
                .unwrap_or_else(|| panic!("no enum {name} in prelude.isle"))
        };
        let rust = |names: Vec<&str>| names.into_iter().map(String::from).collect::<Vec<_>>();
        assert_eq!(
            variants("BinOp"),
            rust(BinOp::ALL.iter().map(|o| o.name()).collect())
        );
        assert_eq!(
            variants("UnOp"),
            rust(UnOp::ALL.iter().map(|o| o.name()).collect())
        );
    }

    /// Each operator maps to its wasmparser operator and back.
    #[test]
    fn operators_round_trip() {
        for &op in BinOp::ALL {
            assert_eq!(BinOp::from_operator(&op.operator()), Some(op));
        }
        for &op in UnOp::ALL {
            assert_eq!(UnOp::from_operator(&op.operator()), Some(op));
        }
    }
}
