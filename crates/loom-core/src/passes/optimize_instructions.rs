//! `optimize-instructions`: rewrites expressions with the ISLE rules in
//! `rules/*.isle` (see `rules/README.md` and `crate::rules`): constant
//! folding, algebraic identities, strength reduction, select and comparison
//! simplification, and moving added constants into load/store offsets where
//! that cannot change which accesses trap.
//!
//! Expressions are visited bottom-up, so a rule always sees simplified
//! operands, and each one is rewritten until no rule matches; the nodes a
//! rewrite builds are simplified the same way before their parent is
//! retried. Running the pass again therefore finds nothing to do.
//!
//! Termination: every rule either removes nodes or keeps the node count and
//! makes a one-way canonical step (a constant moves to the right of a
//! commutative operator, `x - c` becomes `x + -c` only when `-c` encodes no
//! longer (and the reverse only when strictly shorter), a multiplication,
//! unsigned division or remainder becomes a shift or mask, `select` sheds an
//! `eqz`); no rule undoes another, so rewriting stops. [`FUEL_PER_NODE`]
//! still bounds the work in case a future rule breaks this.
//!
//! Added constants: `(load offset=o (i32.add p (i32.const c)))` becomes
//! `(load offset=o+c p)` (and the same for stores and for memory64 with
//! `i64.add`) only when `p + c` cannot wrap, i.e. `p_max + c < 2^32` (2^64)
//! with c unsigned and `p_max` a proven upper bound of p (and-masks,
//! zero-extending loads, `shr_u` by a constant, ...), and `o + c` fits the
//! offset field; the wrapped sum and the unwrapped effective address then
//! agree, so the same accesses trap. A constant p is folded with c instead.
//!
//! Rules only replace numeric, `select`, load and store nodes, never a
//! label, so branch targets stay valid; a subexpression is dropped only
//! when the effects analysis says it is removable.

use crate::ir::{ExprId, Function};
use crate::pass::Changed;
use crate::rules::Rewriter;

/// Rewrites allowed per node of the function (plus a constant), bounding the
/// work if rules ever failed to make progress.
const FUEL_PER_NODE: usize = 4;
/// How deeply the nodes built by one rewrite are themselves simplified
/// (rules build at most a few levels).
const MAX_NESTING: u32 = 8;

pub fn run(func: &mut Function<'_>) -> Changed {
    let order = func.walk(func.body);
    let mut driver = Driver {
        fuel: FUEL_PER_NODE * order.len() + 64,
        replaced: Vec::new(),
        changed: false,
    };
    let mut rewriter = Rewriter::new(func);
    // Reverse pre-order: operands and bodies before their owner.
    for &id in order.iter().rev() {
        driver.update_children(&mut rewriter, id);
        let new = driver.settle(&mut rewriter, id, 0);
        driver.replace(id, new);
    }
    driver.changed
}

struct Driver {
    fuel: usize,
    /// `replaced[id]`: what node `id` became, if it was rewritten.
    replaced: Vec<Option<ExprId>>,
    changed: bool,
}

impl Driver {
    fn replace(&mut self, old: ExprId, new: ExprId) {
        if old == new {
            return;
        }
        if self.replaced.len() <= old.index() {
            self.replaced.resize(old.index() + 1, None);
        }
        self.replaced[old.index()] = Some(new);
        self.changed = true;
    }

    fn current(&self, id: ExprId) -> ExprId {
        self.replaced
            .get(id.index())
            .copied()
            .flatten()
            .unwrap_or(id)
    }

    /// Points `id`'s operands and body statements at their rewritten forms.
    fn update_children(&self, rw: &mut Rewriter<'_, '_>, id: ExprId) {
        let expr = rw.func.expr(id);
        if expr.args.iter().any(|&a| self.current(a) != a) {
            let args = expr.args.iter().map(|&a| self.current(a)).collect();
            rw.func.expr_mut(id).args = args;
        }
        for body in rw.func.bodies_mut(id) {
            for stmt in body.iter_mut() {
                *stmt = self.current(*stmt);
            }
        }
    }

    /// Rewrites `id` until no rule matches; returns the final node.
    fn settle(&mut self, rw: &mut Rewriter<'_, '_>, id: ExprId, nesting: u32) -> ExprId {
        let mut current = id;
        while self.fuel > 0 {
            let built_from = rw.func.exprs.len();
            let Some(next) = rw.simplify(current) else {
                break;
            };
            self.fuel -= 1;
            // Simplify the nodes this rewrite built, operands first (they
            // were built in that order), unless nested too deeply.
            if nesting < MAX_NESTING {
                for n in built_from..rw.func.exprs.len() {
                    let n = ExprId(n as u32);
                    self.update_children(rw, n);
                    if n != next {
                        let settled = self.settle(rw, n, nesting + 1);
                        self.replace(n, settled);
                    }
                }
            }
            current = self.current(next);
        }
        current
    }
}
