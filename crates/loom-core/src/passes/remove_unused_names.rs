//! `remove-unused-names`: removes labels no branch needs. In this IR a
//! `block` exists only for its label, so removing an unused name means
//! removing the block: its statements take its place in the enclosing body.
//! Three steps, in order:
//! 1. A block that ends its parent's body, yielding exactly what the parent
//!    yields, ends where the parent ends: branches to it are retargeted to
//!    the parent's label (a `block`, `if`, `try`, `try_table` or the
//!    function; not a `loop`, whose label is its start).
//! 2. A `loop` nothing branches to (no back-edge) is a `block`.
//! 3. Every `block` in a body that nothing targets and that takes no
//!    parameters is spliced into that body.
//!
//! Blocks in operand positions are `merge-blocks`' work (it also splices,
//! with step 3's code). Splicing keeps the stack effect of the code; a
//! block with a value in the middle of a body only exists before code that
//! never falls through, and stays valid spliced.

use crate::ir::{ExprId, Function, Kind};
use crate::pass::Changed;
use wasmparser::Operator;

pub fn run(func: &mut Function<'_>) -> Changed {
    let mut changed = retarget(func);
    let uses = func.label_use_counts();
    for id in func.walk(func.body) {
        if uses[id.index()] == 0 {
            if let Kind::Loop { ty, body } = &mut func.expr_mut(id).kind {
                let (ty, body) = (*ty, std::mem::take(body));
                func.expr_mut(id).kind = Kind::Block { ty, body };
                changed = true;
            }
        }
    }
    for id in func.walk(func.body) {
        for arm in 0..func.body_count(id) {
            let body = std::mem::take(func.bodies_mut(id).swap_remove(arm));
            let (flat, spliced) = splice_blocks(func, body, &uses, |_, _| Vec::new());
            changed |= spliced;
            *func.bodies_mut(id).swap_remove(arm) = flat;
        }
    }
    changed
}

/// Step 1: every label that ends exactly where an enclosing one does, with
/// the same values, hands its branches to the outermost such label.
fn retarget(func: &mut Function<'_>) -> Changed {
    // A block that a `delegate` names keeps its label: delegating is not
    // a branch, and where the exception goes depends on the exact label.
    let mut delegated = vec![false; func.exprs.len()];
    let order = func.walk(func.body);
    for &id in &order {
        if let Kind::Try(t) = &func.expr(id).kind {
            if let Some(target) = t.delegate {
                delegated[target.index()] = true;
            }
        }
    }
    let mut representative: Vec<ExprId> = (0..func.exprs.len() as u32).map(ExprId).collect();
    // Pre-order: a parent's representative is final before its children's.
    for &parent in &order {
        if matches!(func.expr(parent).kind, Kind::Loop { .. }) {
            continue;
        }
        for body in func.bodies(parent) {
            let Some((&last, init)) = body.split_last() else {
                continue;
            };
            let child = func.expr(last);
            let ends_together = matches!(child.kind, Kind::Block { .. })
                && child.args.is_empty()
                && child.results == func.expr(parent).results
                && init.iter().all(|s| func.expr(*s).results.arity() == 0)
                && !delegated[last.index()];
            if ends_together {
                representative[last.index()] = representative[parent.index()];
            }
        }
    }
    let mut changed = false;
    for &id in &order {
        let targets: &mut [ExprId] = match &mut func.expr_mut(id).kind {
            Kind::Branch { op, targets } if !matches!(**op, Operator::Rethrow { .. }) => targets,
            Kind::TryTable(t) => &mut t.targets,
            _ => continue,
        };
        for target in targets {
            let outer = representative[target.index()];
            if outer != *target {
                *target = outer;
                changed = true;
            }
        }
    }
    changed
}

/// `body` with every parameterless block that `uses` says nothing targets
/// replaced by its own (likewise spliced) statements. Every other item is
/// given to `hoist`, which may change it and returns statements that must
/// run just before it; those are spliced the same way. Also says whether
/// the statements changed (a block spliced or a statement hoisted).
pub(crate) fn splice_blocks<'a>(
    func: &mut Function<'a>,
    body: Vec<ExprId>,
    uses: &[u32],
    mut hoist: impl FnMut(&mut Function<'a>, ExprId) -> Vec<ExprId>,
) -> (Vec<ExprId>, Changed) {
    enum Work {
        Visit(ExprId),
        Keep(ExprId),
    }
    let mut out = Vec::with_capacity(body.len());
    let mut changed = false;
    let mut work: Vec<Work> = body.into_iter().rev().map(Work::Visit).collect();
    while let Some(item) = work.pop() {
        let id = match item {
            Work::Keep(id) => {
                out.push(id);
                continue;
            }
            Work::Visit(id) => id,
        };
        let expr = func.expr_mut(id);
        let unused = uses.get(id.index()).is_none_or(|u| *u == 0);
        match &mut expr.kind {
            Kind::Block { body, .. } if unused && expr.args.is_empty() => {
                work.extend(std::mem::take(body).into_iter().rev().map(Work::Visit));
                changed = true;
            }
            _ => {
                let before = hoist(func, id);
                changed |= !before.is_empty();
                work.push(Work::Keep(id));
                work.extend(before.into_iter().rev().map(Work::Visit));
            }
        }
    }
    (out, changed)
}
