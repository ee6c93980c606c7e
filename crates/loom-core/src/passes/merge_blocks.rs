//! `merge-blocks`: flattens blocks, moving their contents outward. In every
//! body, a parameterless `block` nothing targets is spliced into the body
//! (the code `remove-unused-names` uses). A parameterless `block` nothing
//! targets in an operand position, `(op .. (block s1 .. sn v) ..)`, becomes
//! `s1 .. sn (op .. v ..)`: its statements move out before the statement
//! that contains it and its value takes its place. That moves the
//! statements before the operands evaluated earlier than the block, so it
//! is done only when the effects analysis says they commute (always, when
//! nothing is evaluated earlier). A value block without statements is
//! simply replaced by its value.
//!
//! Not done: moving out the leading statements of a block that is branched
//! to, or of a `loop`/`if` in operand position.

use super::remove_unused_names::splice_blocks;
use crate::effects::{self, Effects};
use crate::ir::{ExprId, Function, Kind, Results};
use crate::pass::Changed;
use wasmparser::Operator;

/// How many nodes of earlier operands one statement's scan may inspect to
/// decide whether statements can move before them (bounds the work on huge
/// expressions; past it, statements move only where nothing is earlier).
const EARLIER_OPERANDS_FUEL: usize = 4096;

pub fn run(func: &mut Function<'_>) -> Changed {
    let uses = func.label_use_counts();
    let mut changed = false;
    // Pre-order: a body's spliced blocks' statements are handled with it;
    // the spliced blocks' own bodies are empty by the time they are visited.
    for id in func.walk(func.body) {
        for arm in 0..func.body_count(id) {
            let body = std::mem::take(func.bodies_mut(id).swap_remove(arm));
            let (flat, spliced) = splice_blocks(func, body, &uses, |func, item| {
                hoist(func, item, &uses, &mut changed)
            });
            changed |= spliced;
            *func.bodies_mut(id).swap_remove(arm) = flat;
        }
    }
    changed
}

/// Moves the statements of blocks in `item`'s operands out; returns them,
/// to run before `item`, in order.
fn hoist(func: &mut Function<'_>, item: ExprId, uses: &[u32], changed: &mut bool) -> Vec<ExprId> {
    struct Open {
        node: ExprId,
        next: usize,
        /// `earlier.len()` when the node's first operand started.
        earlier_from: usize,
    }
    let mut hoisted = Vec::new();
    // Roots of the operand trees evaluated so far (complete ones only).
    let mut earlier: Vec<ExprId> = Vec::new();
    let mut fuel = EARLIER_OPERANDS_FUEL;
    let mut open = vec![Open {
        node: item,
        next: 0,
        earlier_from: 0,
    }];
    while let Some(top) = open.last_mut() {
        let (node, position) = (top.node, top.next);
        if position == func.expr(node).args.len() {
            // The node is evaluated: it stands for its whole subtree.
            let from = top.earlier_from;
            open.pop();
            earlier.truncate(from);
            earlier.push(node);
            continue;
        }
        top.next += 1;
        let mut operand = func.expr(node).args[position];
        while let Some((statements, value)) = value_block(func, operand, uses) {
            if !statements.is_empty() && !commutes(func, &statements, &earlier, &mut fuel) {
                break;
            }
            if let Kind::Block { body, .. } = &mut func.expr_mut(operand).kind {
                body.clear();
            }
            func.expr_mut(node).args[position] = value;
            hoisted.extend(statements);
            *changed = true;
            operand = value;
        }
        open.push(Open {
            node: operand,
            next: 0,
            earlier_from: earlier.len(),
        });
    }
    hoisted
}

/// A parameterless block nothing targets, made of statements and then one
/// value of the block's type: the statements and the value.
fn value_block(func: &Function<'_>, id: ExprId, uses: &[u32]) -> Option<(Vec<ExprId>, ExprId)> {
    let expr = func.expr(id);
    let Kind::Block { body, .. } = &expr.kind else {
        return None;
    };
    let (&value, statements) = body.split_last()?;
    let fits = expr.args.is_empty()
        && uses.get(id.index()).is_none_or(|u| *u == 0)
        && func.expr(value).results == expr.results
        && statements
            .iter()
            .all(|s| func.expr(*s).results == Results::None);
    fits.then(|| (statements.to_vec(), value))
}

/// What a group of trees does, with locals tracked by index.
#[derive(Default)]
struct Summary {
    effects: Effects,
    reads: Vec<u32>,
    writes: Vec<u32>,
    /// Reads or writes locals it does not name (an unknown instruction).
    any_local: bool,
    /// Holds a `Pop`, which must stay first in its body.
    pop: bool,
}

/// Summarizes the trees under `roots`; `None` when that would take more
/// than `fuel` nodes.
fn summarize(func: &Function<'_>, roots: &[ExprId], fuel: &mut usize) -> Option<Summary> {
    let mut s = Summary::default();
    for &root in roots {
        let mut work = vec![root];
        while let Some(id) = work.pop() {
            *fuel = fuel.checked_sub(1)?;
            let expr = func.expr(id);
            let own = match &expr.kind {
                Kind::Op(Operator::LocalGet { local_index }) => {
                    s.reads.push(*local_index);
                    Effects::NONE
                }
                Kind::Op(
                    Operator::LocalSet { local_index } | Operator::LocalTee { local_index },
                ) => {
                    s.writes.push(*local_index);
                    Effects::NONE
                }
                Kind::Assign { locals } => {
                    s.writes.extend(locals);
                    Effects::NONE
                }
                // A call may do anything but touch this function's locals
                // (what else it may do is added below).
                Kind::Op(
                    Operator::Call { .. }
                    | Operator::CallIndirect { .. }
                    | Operator::CallRef { .. },
                ) => Effects::CALLS,
                Kind::Op(op) => effects::of_operator(op),
                Kind::Branch { .. } => Effects::BRANCHES,
                Kind::Pop => {
                    s.pop = true;
                    Effects::ALL
                }
                Kind::Try(_) | Kind::TryTable(_) => Effects::ALL,
                Kind::Block { .. } | Kind::Loop { .. } | Kind::If { .. } => Effects::NONE,
            };
            s.any_local |= own.intersects(Effects::READS_LOCAL | Effects::WRITES_LOCAL);
            s.effects |= own;
            work.extend(expr.args.iter().copied());
            for body in func.bodies(id) {
                work.extend(body.iter().copied());
            }
        }
    }
    if s.effects.contains(Effects::CALLS) {
        // A call may do anything but touch this function's locals.
        s.effects |= Effects::READS_GLOBAL
            | Effects::WRITES_GLOBAL
            | Effects::READS_MEMORY
            | Effects::WRITES_MEMORY
            | Effects::OTHER_STATE
            | Effects::TRAPS
            | Effects::BRANCHES;
    }
    Some(s)
}

/// Whether running `statements` before the `earlier` trees (instead of
/// after them) changes nothing observable.
fn commutes(
    func: &Function<'_>,
    statements: &[ExprId],
    earlier: &[ExprId],
    fuel: &mut usize,
) -> bool {
    if earlier.is_empty() {
        return true;
    }
    let (Some(a), Some(b)) = (
        summarize(func, statements, fuel),
        summarize(func, earlier, fuel),
    ) else {
        return false;
    };
    !(a.pop || b.pop || conflicts(&a, &b) || conflicts(&b, &a))
}

/// Whether `a` does something that `b` observes or undoes, or that decides
/// whether `b` happens at all.
fn conflicts(a: &Summary, b: &Summary) -> bool {
    let writes_local = a.any_local || !a.writes.is_empty();
    let local = writes_local
        && (b.any_local
            || a.any_local && (!b.reads.is_empty() || !b.writes.is_empty())
            || a.writes
                .iter()
                .any(|l| b.reads.contains(l) || b.writes.contains(l)));
    let state = [
        (Effects::WRITES_GLOBAL, Effects::READS_GLOBAL),
        (Effects::WRITES_MEMORY, Effects::READS_MEMORY),
        (Effects::OTHER_STATE, Effects::OTHER_STATE),
    ]
    .iter()
    .any(|&(write, read)| a.effects.intersects(write) && b.effects.intersects(write | read));
    // A trap or branch in `a` decides whether `b`'s effects happen. Local
    // writes only matter when control goes on in this function.
    let lasting = Effects::WRITES_GLOBAL
        | Effects::WRITES_MEMORY
        | Effects::OTHER_STATE
        | Effects::TRAPS
        | Effects::BRANCHES;
    let control = a.effects.intersects(Effects::TRAPS | Effects::BRANCHES)
        && (b.effects.intersects(lasting)
            || a.effects.contains(Effects::BRANCHES) && (b.any_local || !b.writes.is_empty()));
    local || state || control
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(effects: Effects, reads: &[u32], writes: &[u32]) -> Summary {
        Summary {
            effects,
            reads: reads.to_vec(),
            writes: writes.to_vec(),
            ..Summary::default()
        }
    }

    fn commute(a: &Summary, b: &Summary) -> bool {
        !(conflicts(a, b) || conflicts(b, a))
    }

    #[test]
    fn locals_by_index() {
        let set_y = summary(Effects::NONE, &[], &[1]);
        assert!(commute(&set_y, &summary(Effects::NONE, &[0], &[])));
        assert!(!commute(&set_y, &summary(Effects::NONE, &[1], &[])));
        assert!(!commute(&set_y, &summary(Effects::NONE, &[], &[1])));
        let unknown = Summary {
            any_local: true,
            ..Summary::default()
        };
        assert!(!commute(&unknown, &summary(Effects::NONE, &[0], &[])));
    }

    #[test]
    fn state_and_control() {
        let store = summary(Effects::WRITES_MEMORY | Effects::TRAPS, &[], &[]);
        let load = summary(Effects::READS_MEMORY | Effects::TRAPS, &[], &[]);
        let global_set = summary(Effects::WRITES_GLOBAL, &[], &[]);
        let pure_read = summary(Effects::NONE, &[0], &[]);
        assert!(!commute(&store, &load), "the load sees the store");
        assert!(
            !commute(&load, &global_set),
            "the trap decides whether the set happens"
        );
        assert!(commute(&global_set, &pure_read));
        assert!(
            commute(&load, &summary(Effects::NONE, &[], &[0])),
            "a trap ends the function: local writes are unobservable"
        );
        let branch = summary(Effects::BRANCHES, &[], &[]);
        assert!(
            !commute(&branch, &summary(Effects::NONE, &[], &[0])),
            "after a branch the local is read"
        );
    }
}
