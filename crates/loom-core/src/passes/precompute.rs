//! `precompute`: evaluates at compile time what only depends on constants.
//! Every pure numeric instruction whose operands are all constants becomes
//! the constant it computes, when that is no larger than the code it
//! replaces or is a condition (the semantics are `crate::eval`'s, the one
//! copy); one that would trap on them (division by zero, `INT_MIN / -1`,
//! truncation of NaN or of a float out of range) stays, so the trap
//! happens as before. Operands are folded before their users, so a whole
//! constant tree folds in one run.
//!
//! Control flow on a constant condition (`if`, `br_if`, `br_table`,
//! `select`) is folded by remove-unused-brs, which already does it (keeping
//! labels branched to from inside a taken arm); this pass runs it when a
//! fold left such a condition, rather than keeping a second copy. One case
//! it leaves is done here: `select` on a constant whose unchosen arm has
//! effects keeps both arms in their order, the unchosen one dropped.

use crate::effects;
use crate::eval::{self, Value};
use crate::ir::{Args, ExprId, FastMap, Function, Kind, Results};
use crate::leb;
use crate::pass::Changed;
use crate::passes::remove_unused_brs;
use smallvec::smallvec;
use wasmparser::{BlockType, Operator};

pub fn run(func: &mut Function<'_>) -> Changed {
    let mut changed = fold(func);
    if has_constant_condition(func) {
        changed |= remove_unused_brs::run(func);
    }
    changed
}

/// Folds constant trees; whether any folded. A tree becomes its constant
/// when the constant takes no more bytes than the tree (`i64.const 6 << 32`
/// is a byte longer folded), or when it is a condition (the control flow
/// then folds away); otherwise its subtrees are tried.
pub(crate) fn fold(func: &mut Function<'_>) -> Changed {
    let order = func.walk(func.body);
    // Bottom-up: the value and encoded bytes of every constant tree.
    let mut known: FastMap<ExprId, (Value, usize)> = FastMap::default();
    for &id in order.iter().rev() {
        if let Some(value) = constant(func, id) {
            known.insert(id, (value, encoded_size(value)));
        } else if let Some(tree) = evaluate(func, id, &known) {
            known.insert(id, tree);
        }
    }
    // Top-down: fold the largest trees that pay.
    let mut changed = false;
    let mut work = vec![func.body];
    while let Some(id) = work.pop() {
        let expr = func.expr(id);
        let condition = is_conditional(expr)
            .then(|| expr.args.last().copied())
            .flatten();
        let children: Vec<ExprId> = expr
            .args
            .iter()
            .copied()
            .chain(func.bodies(id).into_iter().flatten().copied())
            .collect();
        for child in children {
            match known.get(&child) {
                Some(&(value, bytes))
                    if constant(func, child).is_none()
                        && (encoded_size(value) <= bytes || Some(child) == condition) =>
                {
                    let node = func.expr_mut(child);
                    node.kind = Kind::Op(value.to_const());
                    node.args.clear();
                    changed = true;
                }
                _ => work.push(child),
            }
        }
    }
    for id in func.walk(func.body) {
        if let Some(new) = select_with_effects(func, id) {
            *func.expr_mut(id) = new;
            changed = true;
        }
    }
    changed
}

/// The value node `id` computes and the bytes of its tree, when it is an
/// operation on constant trees (in `known`) that does not trap.
fn evaluate(
    func: &Function<'_>,
    id: ExprId,
    known: &FastMap<ExprId, (Value, usize)>,
) -> Option<(Value, usize)> {
    let expr = func.expr(id);
    let Kind::Op(op) = &expr.kind else {
        return None;
    };
    if expr.args.is_empty() || !matches!(expr.results, Results::One(_)) {
        return None;
    }
    let mut operands: smallvec::SmallVec<[Value; 2]> = smallvec::SmallVec::new();
    let mut bytes = op_size(op);
    for arg in &expr.args {
        let (value, size) = known.get(arg)?;
        operands.push(*value);
        bytes += size;
    }
    let value = eval::eval(op, &operands)?.ok()?;
    (expr.results == Results::One(value.ty())).then_some((value, bytes))
}

/// Bytes of a numeric instruction's opcode (the saturating truncations
/// have a prefix byte).
fn op_size(op: &Operator<'_>) -> usize {
    use Operator::*;
    match op {
        I32TruncSatF32S | I32TruncSatF32U | I32TruncSatF64S | I32TruncSatF64U | I64TruncSatF32S
        | I64TruncSatF32U | I64TruncSatF64S | I64TruncSatF64U => 2,
        _ => 1,
    }
}

/// Bytes of the `*.const` instruction for `value`.
pub(crate) fn encoded_size(value: Value) -> usize {
    match value {
        Value::I32(v) => 1 + leb::signed_size(v.into()),
        Value::I64(v) => 1 + leb::signed_size(v),
        Value::F32(_) => 5,
        Value::F64(_) => 9,
    }
}

/// Whether `expr` chooses by its last operand (`if`, `br_if`, `br_table`,
/// `select`).
pub(crate) fn is_conditional(expr: &crate::ir::Expr<'_>) -> bool {
    match &expr.kind {
        Kind::If { .. } | Kind::Op(Operator::Select | Operator::TypedSelect { .. }) => true,
        Kind::Branch { op, .. } => matches!(**op, Operator::BrIf { .. } | Operator::BrTable { .. }),
        _ => false,
    }
}

/// The value of a constant node.
pub(crate) fn constant(func: &Function<'_>, id: ExprId) -> Option<Value> {
    match &func.expr(id).kind {
        Kind::Op(op) => Value::of_const(op),
        _ => None,
    }
}

/// `select` on a constant whose unchosen arm has effects (a pure one is
/// remove-unused-brs' case): a block that runs both arms in order and
/// yields the chosen one, `(drop a) b` or `(local.set $t a) (drop b)
/// (local.get $t)` through a new scratch local.
fn select_with_effects<'a>(func: &mut Function<'a>, id: ExprId) -> Option<crate::ir::Expr<'a>> {
    let expr = func.expr(id);
    if !matches!(
        expr.kind,
        Kind::Op(Operator::Select | Operator::TypedSelect { .. })
    ) || expr.args.len() != 3
    {
        return None;
    }
    let Results::One(ty) = expr.results else {
        return None;
    };
    let Some(Value::I32(k)) = constant(func, expr.args[2]) else {
        return None;
    };
    let (first, second) = (expr.args[0], expr.args[1]);
    let unchosen = if k != 0 { second } else { first };
    if effects::of_tree(func, unchosen).removable() {
        return None;
    }
    let drop = |func: &mut Function<'a>, value| {
        func.add(Kind::Op(Operator::Drop), smallvec![value], Results::None)
    };
    let body = if k == 0 {
        vec![drop(func, first), second]
    } else {
        let local = func.add_local(ty);
        let set = func.add(
            Kind::Op(Operator::LocalSet { local_index: local }),
            smallvec![first],
            Results::None,
        );
        let get = func.add(
            Kind::Op(Operator::LocalGet { local_index: local }),
            Args::new(),
            Results::One(ty),
        );
        vec![set, drop(func, second), get]
    };
    Some(crate::ir::Expr {
        kind: Kind::Block {
            ty: BlockType::Type(ty),
            body,
        },
        args: Args::new(),
        results: Results::One(ty),
    })
}

/// Whether an `if`, `br_if`, `br_table` or `select` reachable from the
/// root has a constant condition (remove-unused-brs' work).
fn has_constant_condition(func: &Function<'_>) -> bool {
    func.walk(func.body).into_iter().any(|id| {
        let expr = func.expr(id);
        is_conditional(expr)
            && expr
                .args
                .last()
                .is_some_and(|c| matches!(constant(func, *c), Some(Value::I32(_))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_sizes() {
        assert_eq!(encoded_size(Value::I32(i32::MIN)), 6);
        // 6 << 32: one byte more than `i32.const 6 i64.extend_i32_u i64.const 32 i64.shl`.
        assert_eq!(encoded_size(Value::I64(25769803776)), 7);
    }
}
