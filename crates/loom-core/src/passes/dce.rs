//! `dce`: removes code that can never run. An expression *diverges* when
//! control never comes out of it: its type is unreachable (`br`, `br_table`,
//! `return`, `throw`, `unreachable`, ...), one of its operands diverges, or
//! it is a block-like node that cannot fall through (every body ends
//! diverging and nothing branches to its end). In every body, what follows a
//! diverging statement is removed; an expression whose operand diverges is
//! replaced by the operands evaluated before that one (those with effects
//! stay as values left on the stack, those without go) followed by the
//! diverging operand. A `block` that diverges and that nothing targets has
//! no use for its label and is spliced into its body's place (this is how a
//! block "of unreachable type" is written in this IR). Lifting already drops
//! code after unconditional branches, so this matters after other passes
//! and for values computed by blocks that never finish.
//!
//! Types stay valid: a body that now ends with a diverging block, `if`,
//! `loop` or `try` whose results are not what the body must yield, or with
//! values left under it, gets an `unreachable` after it (wasm's stack is
//! polymorphic only after an instruction of unreachable type, not after a
//! block). Values are left on the stack only in bodies that end so.
//! Calls to functions that never return are not known here: function
//! passes see one function.

use crate::effects;
use crate::ir::{ExprId, Function, Kind, Results};
use crate::pass::Changed;
use wasmparser::{Operator, ValType};

pub fn run(func: &mut Function<'_>) -> Changed {
    let mut dce = Dce {
        uses: func.label_use_counts(),
        diverges: vec![false; func.exprs.len()],
        changed: false,
    };
    // Reverse pre-order: children (operands and bodies) before their owner,
    // so a node's divergence is known when its owner's body is cleaned.
    for id in func.walk(func.body).into_iter().rev() {
        let arms = func.bodies(id).len();
        if arms > 0 {
            let expected = func.expr(id).results.types().to_vec();
            for arm in 0..arms {
                let body = std::mem::take(func.bodies_mut(id).swap_remove(arm));
                let cleaned = dce.clean(func, &body, &expected);
                dce.changed |= cleaned != body;
                *func.bodies_mut(id).swap_remove(arm) = cleaned;
            }
        }
        let diverges = dce.node_diverges(func, id);
        dce.diverges[id.index()] = diverges;
    }
    dce.changed
}

struct Dce {
    /// Label references per node, kept current as code is removed.
    uses: Vec<u32>,
    /// Per node: control never comes out of it (known for visited nodes).
    diverges: Vec<bool>,
    changed: bool,
}

impl Dce {
    fn div(&self, id: ExprId) -> bool {
        self.diverges.get(id.index()).copied().unwrap_or(false)
    }

    fn body_diverges(&self, body: &[ExprId]) -> bool {
        body.last().is_some_and(|last| self.div(*last))
    }

    /// Whether `id` diverges, given its operands and cleaned bodies.
    fn node_diverges(&self, func: &Function<'_>, id: ExprId) -> bool {
        let expr = func.expr(id);
        if expr.results == Results::Unreachable || expr.args.iter().any(|a| self.div(*a)) {
            return true;
        }
        // A label with references may be branched to: it may fall through.
        let unreferenced = self.uses[id.index()] == 0;
        match &expr.kind {
            Kind::Block { body, .. } => unreferenced && self.body_diverges(body),
            // Branches to a loop go back to its start.
            Kind::Loop { body, .. } => self.body_diverges(body),
            Kind::If {
                then_body,
                else_body: Some(else_body),
                ..
            } => unreferenced && self.body_diverges(then_body) && self.body_diverges(else_body),
            Kind::Try(t) => {
                unreferenced
                    && self.body_diverges(&t.body)
                    && t.catches.iter().all(|c| self.body_diverges(&c.body))
            }
            Kind::TryTable(t) => unreferenced && self.body_diverges(&t.body),
            _ => false,
        }
    }

    /// The body without what cannot run; `expected` is what it must yield.
    fn clean(
        &mut self,
        func: &mut Function<'_>,
        body: &[ExprId],
        expected: &[ValType],
    ) -> Vec<ExprId> {
        let mut out = Vec::with_capacity(body.len());
        let mut rest = body.iter();
        let mut diverged = false;
        for &item in rest.by_ref() {
            diverged = self.flatten(func, item, &mut out);
            if diverged {
                break;
            }
        }
        if !diverged {
            return out;
        }
        // An `unreachable` right after the diverging statement may be the
        // one this pass added before: keep it if it is needed again.
        let mut spare = None;
        for &item in rest {
            let plain_unreachable = matches!(func.expr(item).kind, Kind::Op(Operator::Unreachable))
                && func.expr(item).args.is_empty();
            if spare.is_none() && plain_unreachable {
                spare = Some(item);
            } else {
                self.forget(func, item);
            }
        }
        let last = *out.last().expect("a diverging item was pushed");
        if self.spliceable(func, last) {
            out.pop();
            let Kind::Block { body: inner, .. } = &mut func.expr_mut(last).kind else {
                unreachable!("spliceable checks for a block")
            };
            out.append(inner);
        }
        let last = *out.last().expect("a diverging body is not empty");
        let (init, _) = out.split_at(out.len() - 1);
        let valid = func.expr(last).results == Results::Unreachable
            || (func.expr(last).results.types() == expected
                && init.iter().all(|s| func.expr(*s).results == Results::None));
        match spare {
            Some(spare) if !valid => out.push(spare),
            Some(spare) => self.forget(func, spare),
            None if !valid => {
                let stop = func.add(
                    Kind::Op(Operator::Unreachable),
                    Default::default(),
                    Results::Unreachable,
                );
                self.diverges.resize(func.exprs.len(), false);
                self.diverges[stop.index()] = true;
                out.push(stop);
            }
            None => {}
        }
        out
    }

    /// A diverging block that nothing targets and that has no parameters:
    /// its label is of no use, its body can stand in its place.
    fn spliceable(&self, func: &Function<'_>, id: ExprId) -> bool {
        matches!(func.expr(id).kind, Kind::Block { .. })
            && func.expr(id).args.is_empty()
            && self.uses[id.index()] == 0
    }

    /// Pushes `item` onto `out`, or, when one of its operands diverges, what
    /// of it still runs: the operands before that one that have effects,
    /// then (the same way, down the tree) the diverging one. Returns whether
    /// the last thing pushed diverges.
    fn flatten(&mut self, func: &mut Function<'_>, item: ExprId, out: &mut Vec<ExprId>) -> bool {
        let mut current = item;
        loop {
            if !self.div(current) {
                out.push(current);
                return false;
            }
            let args = func.expr(current).args.clone();
            let Some(k) = args.iter().position(|a| self.div(*a)) else {
                // It diverges by itself.
                out.push(current);
                return true;
            };
            for &earlier in &args[..k] {
                if effects::of_tree(func, earlier).removable() {
                    self.forget(func, earlier);
                } else {
                    out.push(earlier);
                }
            }
            for &never in &args[k + 1..] {
                self.forget(func, never);
            }
            // The node itself never runs, nor do its bodies.
            for label in func.labels_used_by(current) {
                self.uses[label.index()] = self.uses[label.index()].saturating_sub(1);
            }
            for body in func.bodies(current) {
                for &statement in body {
                    self.forget(func, statement);
                }
            }
            self.changed = true;
            current = args[k];
        }
    }

    /// Accounts for the removal of the tree under `root`: the labels it
    /// referred to lose those references.
    fn forget(&mut self, func: &Function<'_>, root: ExprId) {
        for id in func.walk(root) {
            for label in func.labels_used_by(id) {
                self.uses[label.index()] = self.uses[label.index()].saturating_sub(1);
            }
        }
    }
}
