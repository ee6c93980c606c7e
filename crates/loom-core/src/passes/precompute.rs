//! `precompute`: evaluates at compile time what only depends on constants.
//! Every pure numeric instruction whose operands are all constants becomes
//! the constant it computes (the semantics are `crate::eval`'s, the one
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
use crate::ir::{Args, ExprId, Function, Kind, Results};
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

/// Folds constant operations, operands first; whether any folded.
pub(crate) fn fold(func: &mut Function<'_>) -> Changed {
    let mut changed = false;
    // Reverse pre-order: operands are folded before their users.
    for id in func.walk(func.body).into_iter().rev() {
        if let Some(value) = evaluate(func, id) {
            let node = func.expr_mut(id);
            node.kind = Kind::Op(value.to_const());
            node.args.clear();
            changed = true;
        } else if let Some(new) = select_with_effects(func, id) {
            let node = func.expr_mut(id);
            *node = new;
            changed = true;
        }
    }
    changed
}

/// The constant node `id` computes, when it is an operation (not itself a
/// constant) on constants that does not trap.
fn evaluate(func: &Function<'_>, id: ExprId) -> Option<Value> {
    let expr = func.expr(id);
    let Kind::Op(op) = &expr.kind else {
        return None;
    };
    if expr.args.is_empty() || !matches!(expr.results, Results::One(_)) {
        return None;
    }
    let operands: Option<smallvec::SmallVec<[Value; 2]>> =
        expr.args.iter().map(|a| constant(func, *a)).collect();
    let value = eval::eval(op, &operands?)?.ok()?;
    (expr.results == Results::One(value.ty())).then_some(value)
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
        let conditional = match &expr.kind {
            Kind::If { .. } | Kind::Op(Operator::Select | Operator::TypedSelect { .. }) => true,
            Kind::Branch { op, .. } => {
                matches!(**op, Operator::BrIf { .. } | Operator::BrTable { .. })
            }
            _ => false,
        };
        conditional
            && expr
                .args
                .last()
                .is_some_and(|c| matches!(constant(func, *c), Some(Value::I32(_))))
    })
}
