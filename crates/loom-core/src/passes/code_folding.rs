//! `code-folding`: tail merging. Code that ends several paths to the same
//! point is kept once, at that point. Two shapes: an `if` whose arms end
//! with the same statements keeps them once after it (an `if` with a value
//! whose arms end with the same value becomes a statement followed by that
//! code, when it ends its body); a `block` whose body falls through after
//! the same code that precedes some `br`s to it (each the last of an `if`
//! arm or other body inside it) gets an inner block: those `br`s go to the
//! inner block's end, which is followed by that code once. Without a
//! fall-through, `br`s with the same code before them share it likewise.
//!
//! Identical means the same tree: operators with their immediates, types,
//! and branch targets (labels inside the compared code must correspond).
//! Moved code runs right where it ran before, after the same code, so only
//! labels matter: an `if` something branches to keeps its tails (the branch
//! would run them too), and a tail never leaves a `try`. Merging tails
//! across functions (shared returns) needs the module and is not done here.

use crate::effects;
use crate::ir::{ExprId, Function, Kind, Results};
use crate::pass::Changed;
use smallvec::smallvec;
use std::collections::HashMap;
use wasmparser::{BlockType, Catch, Operator};

/// How many node pairs may be compared per function (bounds the work of
/// finding identical code on huge functions).
const COMPARE_FUEL: usize = 1 << 20;

/// How many `br` exits of one block are considered (each is compared with
/// one reference tail). An interpreter's function can end hundreds of
/// paths with the same epilogue: at 32, pglite's largest function was
/// still folding more of them in the 8th round of its stage.
const EXITS_PER_BLOCK: usize = 1024;

/// How many containers deep a `br` exit may sit in its block (bounds the
/// walk up from each `br`).
const EXIT_DEPTH: usize = 64;

/// Bytes a new inner `block` costs (`block`, its type, `end`).
const BLOCK_COST: usize = 3;

pub fn run(func: &mut Function<'_>) -> Changed {
    let order = func.walk(func.body);
    let mut parent = vec![func.body; func.exprs.len()];
    let mut named = vec![false; func.exprs.len()];
    let mut exits: HashMap<ExprId, Vec<Exit>> = HashMap::new();
    for &owner in &order {
        for label in named_labels(func, owner) {
            named[label.index()] = true;
        }
        for &arg in &func.expr(owner).args {
            parent[arg.index()] = owner;
        }
        for (arm, body) in func.bodies(owner).into_iter().enumerate() {
            for &statement in body {
                parent[statement.index()] = owner;
            }
            if let Some(&last) = body.last() {
                if let Some(label) = plain_br(func, last) {
                    if label != owner && outside_of_try(func, &parent, owner, label) {
                        exits.entry(label).or_default().push(Exit {
                            owner,
                            arm,
                            br: last,
                        });
                    }
                }
            }
        }
    }
    let mut pass = Folding {
        fuel: COMPARE_FUEL,
        dead: vec![false; func.exprs.len()],
        named,
        changed: false,
    };
    // Innermost first, so outer tails see inner folds done.
    for &owner in order.iter().rev() {
        if pass.is_dead(owner) {
            continue;
        }
        let arms = func.bodies(owner).len();
        for arm in 0..arms {
            let body = std::mem::take(func.bodies_mut(owner).swap_remove(arm));
            let new = pass.fold_ifs(func, body);
            *func.bodies_mut(owner).swap_remove(arm) = new;
        }
        if let Some(mut exits) = exits.remove(&owner) {
            exits.truncate(EXITS_PER_BLOCK);
            pass.fold_exits(func, owner, exits);
        }
    }
    pass.changed
}

/// Whether `owner` is inside `label` with no `try` or `try_table` between
/// (code moved out of one would escape its handlers), within
/// `EXIT_DEPTH` steps. `parent` may be stale only by naming extra nodes.
fn outside_of_try(func: &Function<'_>, parent: &[ExprId], owner: ExprId, label: ExprId) -> bool {
    let mut node = owner;
    for _ in 0..EXIT_DEPTH {
        if node == label {
            return true;
        }
        if matches!(func.expr(node).kind, Kind::Try(_) | Kind::TryTable(_)) || node == func.body {
            return false;
        }
        node = parent[node.index()];
    }
    false
}

/// A body inside a block that ends with a plain `br` to it.
#[derive(Clone, Copy)]
struct Exit {
    owner: ExprId,
    arm: usize,
    br: ExprId,
}

struct Folding {
    fuel: usize,
    /// Nodes of code dropped as a duplicate (no longer in the function).
    dead: Vec<bool>,
    /// Labels something branches to (or catches, delegates to), as read.
    named: Vec<bool>,
    changed: bool,
}

impl Folding {
    fn is_dead(&self, id: ExprId) -> bool {
        self.dead.get(id.index()).copied().unwrap_or(false)
    }

    fn bury(&mut self, func: &Function<'_>, roots: &[ExprId]) {
        for &root in roots {
            for id in func.walk(root) {
                if let Some(d) = self.dead.get_mut(id.index()) {
                    *d = true;
                }
            }
        }
    }

    /// A body with every `if` in it (not nested deeper) folded.
    fn fold_ifs(&mut self, func: &mut Function<'_>, body: Vec<ExprId>) -> Vec<ExprId> {
        let len = body.len();
        let mut out = Vec::with_capacity(len);
        // Whether a value stands before: a folded tail must not come
        // between values.
        let mut values_before = false;
        for (i, id) in body.into_iter().enumerate() {
            out.push(id);
            let expr = func.expr(id);
            let first_value = !values_before;
            values_before |= expr.results.arity() > 0;
            let Kind::If {
                then_body,
                else_body: Some(else_body),
                ..
            } = &expr.kind
            else {
                continue;
            };
            // A branch to the `if`'s end would run the folded tail too.
            // A value-yielding `if` loses its value: it must end its body.
            if self.named[id.index()]
                || expr.args.len() != 1
                || func.expr(expr.args[0]).results.arity() != 1
                || (expr.results.arity() > 0 && (i + 1 != len || !first_value))
            {
                continue;
            }
            let (then_body, else_body) = (then_body.clone(), else_body.clone());
            let k = self.common_tail(func, &then_body, &else_body);
            let rest_ok = |body: &[ExprId]| {
                body[..body.len() - k]
                    .iter()
                    .all(|s| func.expr(*s).results.arity() == 0)
            };
            if k == 0 || !rest_ok(&then_body) || !rest_ok(&else_body) {
                continue;
            }
            let tail = then_body[then_body.len() - k..].to_vec();
            self.bury(func, &else_body[else_body.len() - k..]);
            let condition = expr.args[0];
            let empty = then_body.len() == k && else_body.len() == k;
            let node = func.expr_mut(id);
            if let Kind::If {
                ty,
                then_body,
                else_body: Some(else_body),
            } = &mut node.kind
            {
                *ty = BlockType::Empty;
                then_body.truncate(then_body.len() - k);
                else_body.truncate(else_body.len() - k);
            }
            node.results = Results::None;
            if empty {
                out.pop();
                if !effects::of_tree(func, condition).removable() {
                    out.push(func.add(
                        Kind::Op(Operator::Drop),
                        smallvec![condition],
                        Results::None,
                    ));
                }
            }
            out.extend(tail);
            self.changed = true;
        }
        out
    }

    /// Merges the code before `br`s to `label` with the same code ending
    /// its body (or, when the body does not fall through, before another
    /// such `br`), through a new inner block.
    fn fold_exits(&mut self, func: &mut Function<'_>, label: ExprId, exits: Vec<Exit>) {
        let expr = func.expr(label);
        let Kind::Block {
            ty: BlockType::Empty,
            body,
        } = &expr.kind
        else {
            return;
        };
        if !expr.args.is_empty() || expr.results != Results::None || body.is_empty() {
            return;
        }
        let body = body.clone();
        // Exits still in place (not in dropped code, not changed since).
        let exits: Vec<Exit> = exits
            .into_iter()
            .filter(|e| {
                !self.is_dead(e.owner)
                    && func.bodies(e.owner).get(e.arm).and_then(|b| b.last()) == Some(&e.br)
                    && plain_br(func, e.br) == Some(label)
            })
            .collect();
        let falls_through =
            func.expr(*body.last().expect("checked")).results != Results::Unreachable;
        // The reference tail: the fall-through's, else the first exit's.
        let (reference, others): (Vec<ExprId>, &[Exit]) = if falls_through {
            (body.clone(), &exits[..])
        } else {
            match exits.split_first() {
                Some((first, rest)) => {
                    let b = &func.bodies(first.owner)[first.arm];
                    (b[..b.len() - 1].to_vec(), rest)
                }
                None => return,
            }
        };
        // The moved tail must be statements, and what stays of the body
        // must leave no value behind.
        let n = reference.len();
        let mut max_k = (0..n)
            .rev()
            .take_while(|&j| func.expr(reference[j]).results.arity() == 0)
            .count();
        if falls_through {
            if let Some(j) = (0..n)
                .rev()
                .find(|&j| func.expr(reference[j]).results.arity() > 0)
            {
                max_k = max_k.min(n - 1 - j);
            }
        } else {
            // A tail from inside another body must name no label between.
            let allowed = [label, func.body];
            max_k = (n - max_k..n)
                .rev()
                .take_while(|&j| names_only(func, reference[j], &allowed))
                .count();
        }
        let lengths: Vec<usize> = others
            .iter()
            .map(|e| {
                let b = func.bodies(e.owner)[e.arm].to_vec();
                let k = self.common_tail(func, &reference[n - max_k..], &b[..b.len() - 1]);
                k.min(max_k)
            })
            .collect();
        // For each tail length k (up to the longest shared): the nodes in
        // the reference's last k statements, and how many exits share them.
        let longest = lengths.iter().copied().max().unwrap_or(0);
        let mut tail_nodes = vec![0usize; longest + 1];
        let mut sharing = vec![0usize; longest + 2];
        for k in 1..=longest {
            tail_nodes[k] = tail_nodes[k - 1] + func.walk(reference[n - k]).len();
        }
        for &l in &lengths {
            sharing[l] += 1;
        }
        for k in (0..=longest).rev() {
            sharing[k] += sharing[k + 1];
        }
        // The tail length that saves the most.
        let mut best = (0usize, 0usize);
        for &k in &lengths {
            if k == 0 {
                continue;
            }
            let saved = sharing[k] * tail_nodes[k];
            if saved > BLOCK_COST && saved - BLOCK_COST > best.1 {
                best = (k, saved - BLOCK_COST);
            }
        }
        let k = best.0;
        if k == 0 {
            return;
        }
        let tail = reference[reference.len() - k..].to_vec();
        let inner = func.add(
            Kind::Block {
                ty: BlockType::Empty,
                body: Vec::new(),
            },
            Default::default(),
            Results::None,
        );
        let mut folded: Vec<&Exit> = others
            .iter()
            .zip(&lengths)
            .filter(|(_, &l)| l >= k)
            .map(|(e, _)| e)
            .collect();
        let mut inner_body = body;
        if falls_through {
            inner_body.truncate(inner_body.len() - k);
        } else {
            folded.push(&exits[0]);
        }
        for exit in folded {
            let b = func.bodies_mut(exit.owner).swap_remove(exit.arm);
            let dropped = b.split_off(b.len() - 1 - k);
            if exit.br != exits[0].br || falls_through {
                self.bury(func, &dropped[..k]);
            }
            let b = func.bodies_mut(exit.owner).swap_remove(exit.arm);
            b.push(exit.br);
            if let Kind::Branch { targets, .. } = &mut func.expr_mut(exit.br).kind {
                targets[0] = inner;
            }
        }
        if let Kind::Block { body, .. } = &mut func.expr_mut(inner).kind {
            *body = inner_body;
        }
        if let Kind::Block { body, .. } = &mut func.expr_mut(label).kind {
            *body = std::iter::once(inner).chain(tail).collect();
        }
        self.changed = true;
    }

    /// How many trailing elements of `a` and `b` are identical.
    fn common_tail(&mut self, func: &Function<'_>, a: &[ExprId], b: &[ExprId]) -> usize {
        a.iter()
            .rev()
            .zip(b.iter().rev())
            .take_while(|(x, y)| same(func, **x, **y, &mut self.fuel))
            .count()
    }
}

/// The label of a `br` without values.
fn plain_br(func: &Function<'_>, id: ExprId) -> Option<ExprId> {
    let expr = func.expr(id);
    match &expr.kind {
        Kind::Branch { op, targets }
            if matches!(**op, Operator::Br { .. }) && expr.args.is_empty() =>
        {
            Some(targets[0])
        }
        _ => None,
    }
}

/// The labels code names: branch targets, catch labels, delegates.
fn named_labels<'f>(func: &'f Function<'_>, id: ExprId) -> &'f [ExprId] {
    match &func.expr(id).kind {
        Kind::Branch { targets, .. } => targets,
        Kind::TryTable(t) => &t.targets,
        Kind::Try(t) => t.delegate.as_slice(),
        _ => &[],
    }
}

/// Whether the code at `root` names only its own labels and `allowed`.
fn names_only(func: &Function<'_>, root: ExprId, allowed: &[ExprId]) -> bool {
    let nodes = func.walk(root);
    let own: std::collections::HashSet<ExprId> = nodes.iter().copied().collect();
    nodes.iter().all(|&id| {
        named_labels(func, id)
            .iter()
            .all(|l| own.contains(l) || allowed.contains(l))
    })
}

/// Whether two trees are the same code, spending `fuel` per node pair.
fn same(func: &Function<'_>, a: ExprId, b: ExprId, fuel: &mut usize) -> bool {
    // Labels inside the compared trees: a's label to b's.
    let mut labels: HashMap<ExprId, ExprId> = HashMap::new();
    let mut work = vec![(a, b)];
    while let Some((x, y)) = work.pop() {
        if *fuel == 0 {
            return false;
        }
        *fuel -= 1;
        let (ex, ey) = (func.expr(x), func.expr(y));
        if ex.results != ey.results || ex.args.len() != ey.args.len() {
            return false;
        }
        let label = |t: &ExprId, u: &ExprId| labels.get(t).map_or(t == u, |m| m == u);
        let same_node = match (&ex.kind, &ey.kind) {
            (Kind::Op(o), Kind::Op(p)) => o == p,
            (Kind::Pop, Kind::Pop) => true,
            (Kind::Assign { locals: l }, Kind::Assign { locals: m }) => l == m,
            (Kind::Branch { op: o, targets: t }, Kind::Branch { op: p, targets: u }) => {
                same_branch_op(o, p)
                    && t.len() == u.len()
                    && t.iter().zip(u).all(|(t, u)| label(t, u))
            }
            (Kind::Block { ty: s, .. }, Kind::Block { ty: t, .. })
            | (Kind::Loop { ty: s, .. }, Kind::Loop { ty: t, .. }) => s == t,
            (
                Kind::If {
                    ty: s,
                    else_body: e,
                    ..
                },
                Kind::If {
                    ty: t,
                    else_body: f,
                    ..
                },
            ) => s == t && e.is_some() == f.is_some(),
            (Kind::Try(s), Kind::Try(t)) => {
                s.ty == t.ty
                    && s.catches.len() == t.catches.len()
                    && s.catches
                        .iter()
                        .zip(&t.catches)
                        .all(|(c, d)| c.tag == d.tag)
                    && match (s.delegate, t.delegate) {
                        (None, None) => true,
                        (Some(d), Some(e)) => label(&d, &e),
                        _ => false,
                    }
            }
            (Kind::TryTable(s), Kind::TryTable(t)) => {
                s.ty == t.ty
                    && s.catches.len() == t.catches.len()
                    && s.catches
                        .iter()
                        .zip(&t.catches)
                        .all(|(c, d)| same_catch(c, d))
                    && s.targets.iter().zip(&t.targets).all(|(t, u)| label(t, u))
            }
            _ => false,
        };
        if !same_node {
            return false;
        }
        let (bx, by) = (func.bodies(x), func.bodies(y));
        if bx.len() != by.len() || bx.iter().zip(&by).any(|(p, q)| p.len() != q.len()) {
            return false;
        }
        if !bx.is_empty() {
            labels.insert(x, y);
        }
        for (p, q) in bx.iter().zip(&by) {
            work.extend(p.iter().copied().zip(q.iter().copied()));
        }
        work.extend(ex.args.iter().copied().zip(ey.args.iter().copied()));
    }
    true
}

/// Branch operators equal but for their (stale) depths.
fn same_branch_op(o: &Operator<'_>, p: &Operator<'_>) -> bool {
    use Operator::*;
    match (o, p) {
        (Br { .. }, Br { .. })
        | (BrIf { .. }, BrIf { .. })
        | (BrTable { .. }, BrTable { .. })
        | (BrOnNull { .. }, BrOnNull { .. })
        | (BrOnNonNull { .. }, BrOnNonNull { .. })
        | (Rethrow { .. }, Rethrow { .. }) => true,
        (
            BrOnCast {
                from_ref_type: a,
                to_ref_type: b,
                ..
            },
            BrOnCast {
                from_ref_type: c,
                to_ref_type: d,
                ..
            },
        )
        | (
            BrOnCastFail {
                from_ref_type: a,
                to_ref_type: b,
                ..
            },
            BrOnCastFail {
                from_ref_type: c,
                to_ref_type: d,
                ..
            },
        ) => a == c && b == d,
        _ => false,
    }
}

/// `try_table` catches equal but for their (stale) labels.
fn same_catch(c: &Catch, d: &Catch) -> bool {
    match (c, d) {
        (Catch::One { tag: a, .. }, Catch::One { tag: b, .. })
        | (Catch::OneRef { tag: a, .. }, Catch::OneRef { tag: b, .. }) => a == b,
        (Catch::All { .. }, Catch::All { .. }) | (Catch::AllRef { .. }, Catch::AllRef { .. }) => {
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::{Code, Module};

    /// Whether the arms of the first `if` in the module's only function
    /// are the same code.
    fn arms_same(wat: &str) -> bool {
        let wasm = wat::parse_str(wat).unwrap();
        let module = Module::read(&wasm, crate::features::accepted()).unwrap();
        let Code::Lifted(func) = &module.code[0] else {
            panic!("not lifted")
        };
        let walk = func.walk(func.body);
        let id = walk
            .into_iter()
            .find(|id| matches!(func.expr(*id).kind, Kind::If { .. }))
            .unwrap();
        let arms = func.bodies(id);
        let mut fuel = COMPARE_FUEL;
        arms[0].len() == arms[1].len()
            && arms[0]
                .iter()
                .zip(arms[1])
                .all(|(a, b)| same(func, *a, *b, &mut fuel))
    }

    fn in_if(then: &str, els: &str) -> String {
        format!(
            "(module (func (param i32) (block $o (block $p \
             (if (local.get 0) (then {then}) (else {els}))))))"
        )
    }

    #[test]
    fn labels_inside_correspond() {
        assert!(arms_same(&in_if(
            "(block $a (br $a))",
            "(block $b (br $b))"
        )));
        assert!(arms_same(&in_if("(br $o)", "(br $o)")));
        assert!(!arms_same(&in_if("(br $o)", "(br $p)")));
        assert!(!arms_same(&in_if(
            "(block $a (br $a))",
            "(block $b (br $o))"
        )));
        assert!(!arms_same(&in_if(
            "(block $a (block (br $a)))",
            "(block (block $b (br $b)))"
        )));
    }

    #[test]
    fn immediates_and_types_count() {
        assert!(!arms_same(&in_if(
            "(drop (i32.const 1))",
            "(drop (i32.const 2))"
        )));
        assert!(!arms_same(&in_if(
            "(drop (i32.const 1))",
            "(drop (i64.const 1))"
        )));
        assert!(arms_same(&in_if(
            "(drop (i32.const 1))",
            "(drop (i32.const 1))"
        )));
    }

    #[test]
    fn fuel_runs_out_as_different() {
        let wasm = wat::parse_str(in_if("(drop (i32.const 1))", "(drop (i32.const 1))")).unwrap();
        let module = Module::read(&wasm, crate::features::accepted()).unwrap();
        let Code::Lifted(func) = &module.code[0] else {
            panic!("not lifted")
        };
        let mut fuel = 0;
        assert!(!same(func, func.body, func.body, &mut fuel));
    }
}
