//! `vacuum`: removes code that does nothing. In every body: `nop`s; `drop`s
//! of expressions that only read state (a dropped expression that does
//! more keeps just the operands that do); empty `block`s and `loop`s; `if`s
//! with empty arms, keeping a condition with effects as a `drop`. Bodies are
//! cleaned innermost first, so a block emptied here goes in the same run.
//! What may be removed is decided by the effects analysis alone.

use crate::effects::{self, Effects};
use crate::ir::{ExprId, Function, Kind, Results};
use crate::pass::Changed;
use wasmparser::Operator;

pub fn run(func: &mut Function<'_>) -> Changed {
    let mut changed = false;
    // Reverse pre-order: every body is cleaned before its owner's body.
    for owner in func.walk(func.body).into_iter().rev() {
        let arms = func.bodies(owner).len();
        for arm in 0..arms {
            let body = std::mem::take(func.bodies_mut(owner).swap_remove(arm));
            let cleaned = clean(func, &body);
            changed |= cleaned != body;
            *func.bodies_mut(owner).swap_remove(arm) = cleaned;
        }
    }
    changed
}

/// The body without what does nothing.
fn clean(func: &mut Function<'_>, body: &[ExprId]) -> Vec<ExprId> {
    let mut out = Vec::with_capacity(body.len());
    for &id in body {
        let expr = func.expr(id);
        if expr.results != Results::None {
            out.push(id);
            continue;
        }
        match &expr.kind {
            Kind::Op(Operator::Nop) => {}
            Kind::Op(Operator::Drop) => match drop_what_matters(func, expr.args[0]) {
                Some(kept) => out.extend(kept),
                None => out.push(id),
            },
            Kind::Block { body, .. } | Kind::Loop { body, .. }
                if body.is_empty() && expr.args.is_empty() => {}
            Kind::If {
                then_body,
                else_body,
                ..
            } if then_body.is_empty()
                && else_body.as_ref().is_none_or(Vec::is_empty)
                && expr.args.len() == 1 =>
            {
                let condition = expr.args[0];
                out.extend(
                    drop_what_matters(func, condition)
                        .unwrap_or_else(|| vec![drop(func, condition)]),
                );
            }
            _ => out.push(id),
        }
    }
    out
}

/// Statements that keep the effects of evaluating `value` and dropping it:
/// none when it only reads state; drops of its operands when only they do
/// more; `None` when the drop of `value` itself must stay (so an existing
/// drop is kept as it is, and a pass that changes nothing says so).
fn drop_what_matters(func: &mut Function<'_>, value: ExprId) -> Option<Vec<ExprId>> {
    if effects::of_tree(func, value).removable() {
        return Some(Vec::new());
    }
    let expr = func.expr(value);
    let own = match &expr.kind {
        Kind::Op(op) => effects::of_operator(op),
        _ => Effects::ALL,
    };
    let operands_single = expr.args.iter().all(|a| func.expr(*a).results.arity() == 1);
    if !(own.removable() && operands_single && expr.results.arity() == 1) {
        return None;
    }
    let args = expr.args.clone();
    let kept = args
        .into_iter()
        .flat_map(|a| drop_what_matters(func, a).unwrap_or_else(|| vec![drop(func, a)]))
        .collect();
    Some(kept)
}

/// A new `drop` of `value`.
fn drop(func: &mut Function<'_>, value: ExprId) -> ExprId {
    func.add(
        Kind::Op(Operator::Drop),
        smallvec::smallvec![value],
        Results::None,
    )
}
