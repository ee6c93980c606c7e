//! `remove-unused-brs`: removes branches that do not need to be branches and
//! resolves control flow whose condition is a constant. A `br` (or a `br_if`
//! without values) that is the last thing before its own label's end, also
//! through nested containers that end where the label ends, goes (a `br`'s
//! values become the body's value). `br_table` whose targets are all the
//! same becomes `br`. `if (c) (br $l)` becomes `br_if $l c`, also with an
//! `else` arm that then follows it; `block $l` whose only branch is a
//! top-level `br_if $l c` becomes `if (eqz c)` over the code after it.
//! `br_if`, `br_table`, `if` and `select` on a constant condition keep only
//! the way taken. An `if` whose arms are one local read or constant each
//! becomes a `select` (1 byte instead of 4 of structure).
//!
//! Bodies are handled innermost first, so each rewrite sees its operands
//! already simplified. Labels are counted once (every branch, `try_table`
//! catch and `delegate` that names them); removing a branch lowers the
//! count, code dropped whole leaves counts high, which is only conservative.
//! Chains of `if (x == k) br` are not yet turned into `br_table`.

use crate::effects::{self, Effects};
use crate::ir::{Args, ExprId, Function, Kind, Results};
use crate::pass::Changed;
use smallvec::smallvec;
use wasmparser::{BlockType, Operator, ValType};

/// How many containers deep a branch is still looked for as falling
/// through to its label's end (bounds the work per label).
const TAIL_DEPTH: usize = 32;

/// How many rewrites one node gets in a row (each may expose another, such
/// as an `if` on a constant whose arm is then a `select`).
const REWRITES_PER_NODE: usize = 4;

pub fn run(func: &mut Function<'_>) -> Changed {
    let mut pass = Brs {
        uses: count_uses(func),
        changed: false,
    };
    // Reverse pre-order: a node's operands and bodies are done before it.
    for owner in func.walk(func.body).into_iter().rev() {
        for i in 0..func.expr(owner).args.len() {
            let arg = func.expr(owner).args[i];
            let new = pass.simplify(func, arg);
            func.expr_mut(owner).args[i] = new;
        }
        let arms = func.bodies(owner).len();
        for arm in 0..arms {
            let body = std::mem::take(func.bodies_mut(owner).swap_remove(arm));
            let new = pass.body(func, body);
            *func.bodies_mut(owner).swap_remove(arm) = new;
        }
        pass.remove_tail_branches(func, owner);
    }
    pass.changed
}

/// How many places name each label, indexed by node.
fn count_uses(func: &Function<'_>) -> Vec<u32> {
    let mut uses = vec![0u32; func.exprs.len()];
    for id in func.walk(func.body) {
        let named: &[ExprId] = match &func.expr(id).kind {
            Kind::Branch { targets, .. } => targets,
            Kind::TryTable(t) => &t.targets,
            Kind::Try(t) => t.delegate.as_slice(),
            _ => &[],
        };
        for label in named {
            uses[label.index()] += 1;
        }
    }
    uses
}

struct Brs {
    uses: Vec<u32>,
    changed: bool,
}

impl Brs {
    fn uses(&self, label: ExprId) -> u32 {
        self.uses.get(label.index()).copied().unwrap_or(0)
    }

    fn unuse(&mut self, label: ExprId) {
        if let Some(n) = self.uses.get_mut(label.index()) {
            *n = n.saturating_sub(1);
        }
    }

    /// `id` after the expression rewrites: the same node, changed in place,
    /// or the node that replaces it.
    fn simplify(&mut self, func: &mut Function<'_>, mut id: ExprId) -> ExprId {
        for _ in 0..REWRITES_PER_NODE {
            match self.rewrite(func, id) {
                Some(new) => {
                    self.changed = true;
                    id = new;
                }
                None => break,
            }
        }
        id
    }

    /// One expression rewrite of `id`, if any applies.
    fn rewrite<'a>(&mut self, func: &mut Function<'a>, id: ExprId) -> Option<ExprId> {
        let expr = func.expr(id);
        match &expr.kind {
            Kind::Branch { op, targets } => match **op {
                Operator::BrIf { .. } => {
                    let taken = const_i32(func, *expr.args.last()?)? != 0;
                    let label = targets[0];
                    let values = expr.args[..expr.args.len() - 1].to_vec();
                    let arity = expr.results.arity();
                    if taken {
                        make_br(func, id, label, values.into());
                        return Some(id);
                    }
                    let replacement = match values.as_slice() {
                        [] => func.add(Kind::Op(Operator::Nop), Args::new(), Results::None),
                        [value] if func.expr(*value).results.arity() == arity => *value,
                        _ => return None,
                    };
                    self.unuse(label);
                    Some(replacement)
                }
                Operator::BrTable { .. } => {
                    // The index alone, not a multi-value node that also
                    // gives the values.
                    let index = *expr.args.last()?;
                    if func.expr(index).results.arity() != 1 {
                        return None;
                    }
                    let (default, cases) = targets.split_last()?;
                    let target = match const_i32(func, index) {
                        Some(k) => *cases.get(k as u32 as usize).unwrap_or(default),
                        None if cases.iter().all(|t| t == default)
                            && effects::of_tree(func, index).removable() =>
                        {
                            *default
                        }
                        None => return None,
                    };
                    let values: Args = expr.args[..expr.args.len() - 1].into();
                    for label in targets.clone() {
                        self.unuse(label);
                    }
                    self.uses[target.index()] += 1;
                    make_br(func, id, target, values);
                    Some(id)
                }
                _ => None,
            },
            Kind::If {
                ty,
                then_body,
                else_body,
            } if sole_operand(func, &expr.args).is_some() => {
                let condition = expr.args[0];
                if let Some(k) = const_i32(func, condition) {
                    // The taken arm keeps the label (branches may name it).
                    let arm = if k != 0 {
                        then_body.clone()
                    } else {
                        else_body.clone().unwrap_or_default()
                    };
                    let ty = *ty;
                    let node = func.expr_mut(id);
                    node.kind = Kind::Block { ty, body: arm };
                    node.args.clear();
                    return Some(id);
                }
                let (&[yes], Some(&[no])) = (then_body.as_slice(), else_body.as_deref()) else {
                    return None;
                };
                let Results::One(ty) = expr.results else {
                    return None;
                };
                let numeric = matches!(
                    ty,
                    ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64
                );
                let reads_local = is_local_get(func, yes) || is_local_get(func, no);
                let fits = |arm: ExprId| {
                    is_cheap_value(func, arm) && func.expr(arm).results == expr.results
                };
                if !numeric || self.uses(id) > 0 || !fits(yes) || !fits(no) {
                    return None;
                }
                // The arms now run before the condition: it must not change
                // the locals they read.
                if reads_local
                    && effects::of_tree(func, condition).intersects(Effects::WRITES_LOCAL)
                {
                    return None;
                }
                let node = func.expr_mut(id);
                node.kind = Kind::Op(Operator::Select);
                node.args = smallvec![yes, no, condition];
                Some(id)
            }
            Kind::Op(Operator::Select | Operator::TypedSelect { .. }) if expr.args.len() == 3 => {
                let k = const_i32(func, expr.args[2])?;
                let (kept, dropped) = if k != 0 {
                    (expr.args[0], expr.args[1])
                } else {
                    (expr.args[1], expr.args[0])
                };
                effects::of_tree(func, dropped).removable().then_some(kept)
            }
            _ => None,
        }
    }

    /// A body after the expression and statement rewrites.
    fn body<'a>(&mut self, func: &mut Function<'a>, body: Vec<ExprId>) -> Vec<ExprId> {
        let mut out = Vec::with_capacity(body.len());
        for id in body {
            let new = self.simplify(func, id);
            match self.statement(func, new) {
                Some(replacement) => {
                    self.changed = true;
                    out.extend(replacement);
                }
                // What is left of a `br_if` never taken (other `nop`s are
                // vacuum's).
                None if new != id && matches!(func.expr(new).kind, Kind::Op(Operator::Nop)) => {}
                None => out.push(new),
            }
        }
        out
    }

    /// Rewrites of a body element into several elements, if any applies.
    fn statement<'a>(&mut self, func: &mut Function<'a>, id: ExprId) -> Option<Vec<ExprId>> {
        let expr = func.expr(id);
        if expr.results != Results::None && !is_br_table(expr) {
            return None;
        }
        match &expr.kind {
            // The index only matters for its effects once all targets agree.
            Kind::Branch { op, targets }
                if matches!(**op, Operator::BrTable { .. })
                    && sole_operand(func, &expr.args).is_some()
                    && targets.iter().all(|t| *t == targets[0])
                    && !effects::of_tree(func, expr.args[0]).removable() =>
            {
                let index = expr.args[0];
                let label = targets[0];
                for label in targets.clone() {
                    self.unuse(label);
                }
                self.uses[label.index()] += 1;
                make_br(func, id, label, Args::new());
                Some(vec![drop_of(func, index), id])
            }
            Kind::If {
                then_body,
                else_body,
                ..
            } if sole_operand(func, &expr.args).is_some() => {
                // The label goes: nothing may name it.
                if self.uses(id) > 0 {
                    return None;
                }
                let condition = expr.args[0];
                let then_body = then_body.clone();
                let else_body = else_body.clone().unwrap_or_default();
                if let Some(br_if) = self.if_to_br_if(func, condition, &then_body) {
                    return Some(std::iter::once(br_if).chain(else_body).collect());
                }
                if !then_body.is_empty() {
                    let negated = negate(func, condition);
                    if let Some(br_if) = self.if_to_br_if(func, negated, &else_body) {
                        return Some(std::iter::once(br_if).chain(then_body).collect());
                    }
                }
                None
            }
            // What is left of an `if` on a constant, when nothing names it.
            Kind::Block {
                ty: BlockType::Empty,
                body,
            } if expr.args.is_empty() && self.uses(id) == 0 => Some(body.clone()),
            Kind::Block {
                ty: BlockType::Empty,
                body,
            } if expr.args.is_empty() && self.uses(id) == 1 => {
                // `block $l ... (br_if $l c) rest` is `... (if (eqz c) rest)`.
                let at = body.iter().position(|s| {
                    let s = func.expr(*s);
                    matches!(&s.kind, Kind::Branch { op, targets }
                        if matches!(**op, Operator::BrIf { .. }) && targets[0] == id)
                        && s.args.len() == 1
                })?;
                // Values left before it (for a `br` further on to discard)
                // would be left in the enclosing body.
                if body[..at].iter().any(|s| func.expr(*s).results.arity() > 0) {
                    return None;
                }
                let body = body.clone();
                let condition = func.expr(body[at]).args[0];
                self.unuse(id);
                let mut out = body[..at].to_vec();
                let rest = body[at + 1..].to_vec();
                if rest.is_empty() {
                    if !effects::of_tree(func, condition).removable() {
                        out.push(drop_of(func, condition));
                    }
                } else {
                    let negated = negate(func, condition);
                    let node = func.expr_mut(id);
                    node.kind = Kind::If {
                        ty: BlockType::Empty,
                        then_body: rest,
                        else_body: None,
                    };
                    node.args = smallvec![negated];
                    out.push(id);
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// `br_if` standing for `if (condition) arm` when `arm` is just a `br`
    /// without values or with one value that may run before the condition.
    fn if_to_br_if<'a>(
        &mut self,
        func: &mut Function<'a>,
        condition: ExprId,
        arm: &[ExprId],
    ) -> Option<ExprId> {
        let &[br] = arm else { return None };
        let expr = func.expr(br);
        let Kind::Branch { op, targets } = &expr.kind else {
            return None;
        };
        if !matches!(**op, Operator::Br { .. }) {
            return None;
        }
        let label = targets[0];
        let op = Operator::BrIf { relative_depth: 0 };
        match expr.args.as_slice() {
            [] => {
                let args = smallvec![condition];
                Some(func.add(
                    Kind::Branch {
                        op: Box::new(op),
                        targets: smallvec![label],
                    },
                    args,
                    Results::None,
                ))
            }
            &[value] => {
                let Results::One(ty) = func.expr(value).results else {
                    return None;
                };
                // A `Pop` in the condition is a value already on the stack,
                // below where the value would go: it cannot follow the value.
                if func
                    .walk(condition)
                    .iter()
                    .any(|&n| matches!(func.expr(n).kind, Kind::Pop))
                {
                    return None;
                }
                let value_effects = effects::of_tree(func, value);
                let reorder_ok = value_effects == Effects::NONE
                    || (value_effects.removable() && effects::of_tree(func, condition).removable());
                if !reorder_ok {
                    return None;
                }
                let kind = Kind::Branch {
                    op: Box::new(op),
                    targets: smallvec![label],
                };
                let br_if = func.add(kind, smallvec![value, condition], Results::One(ty));
                Some(drop_of(func, br_if))
            }
            _ => None,
        }
    }

    /// Removes branches to `label` that stand last before its end, also
    /// inside containers that end where it ends and yield the same values.
    fn remove_tail_branches(&mut self, func: &mut Function<'_>, label: ExprId) {
        if self.uses(label) == 0
            || !matches!(
                func.expr(label).kind,
                Kind::Block { .. } | Kind::If { .. } | Kind::Try(_) | Kind::TryTable(_)
            )
        {
            return;
        }
        let types = func.expr(label).results.types().to_vec();
        let mut work: Vec<(ExprId, usize, usize)> = (0..func.bodies(label).len())
            .map(|arm| (label, arm, 0))
            .collect();
        while let Some((owner, arm, depth)) = work.pop() {
            let Some(&last) = func.bodies(owner)[arm].last() else {
                continue;
            };
            let expr = func.expr(last);
            match &expr.kind {
                Kind::Branch { op, targets } if targets[0] == label => {
                    let body: &[ExprId] = func.bodies(owner)[arm];
                    let before_are_statements = body[..body.len() - 1]
                        .iter()
                        .all(|s| func.expr(*s).results.arity() == 0);
                    if !before_are_statements {
                        continue;
                    }
                    let values = expr.args.clone();
                    match **op {
                        Operator::Br { .. } => {
                            let body = func.bodies_mut(owner).swap_remove(arm);
                            body.pop();
                            body.extend(values);
                        }
                        // Taken or not, it reaches the same place.
                        Operator::BrIf { .. } if sole_operand(func, &values).is_some() => {
                            let condition = values[0];
                            if effects::of_tree(func, condition).removable() {
                                func.bodies_mut(owner).swap_remove(arm).pop();
                            } else {
                                let node = func.expr_mut(last);
                                node.kind = Kind::Op(Operator::Drop);
                            }
                        }
                        _ => continue,
                    }
                    self.unuse(label);
                    self.changed = true;
                    // What now stands last may branch there too.
                    work.push((owner, arm, depth));
                }
                Kind::Block { .. }
                | Kind::Loop { .. }
                | Kind::If { .. }
                | Kind::Try(_)
                | Kind::TryTable(_)
                    if depth < TAIL_DEPTH && expr.results.types() == types.as_slice() =>
                {
                    let arms = func.bodies(last).len();
                    work.extend((0..arms).map(|arm| (last, arm, depth + 1)));
                }
                _ => {}
            }
        }
    }
}

fn is_br_table(expr: &crate::ir::Expr<'_>) -> bool {
    matches!(&expr.kind, Kind::Branch { op, .. } if matches!(**op, Operator::BrTable { .. }))
}

/// Turns node `id` into `br label` with `values`.
fn make_br(func: &mut Function<'_>, id: ExprId, label: ExprId, values: Args) {
    let node = func.expr_mut(id);
    node.kind = Kind::Branch {
        op: Box::new(Operator::Br { relative_depth: 0 }),
        targets: smallvec![label],
    };
    node.args = values;
    node.results = Results::Unreachable;
}

/// The only operand, when it is one value (a condition or an index, not
/// a multi-value node that also gives parameters or branch values).
fn sole_operand(func: &Function<'_>, args: &[ExprId]) -> Option<ExprId> {
    match args {
        &[arg] if func.expr(arg).results.arity() == 1 => Some(arg),
        _ => None,
    }
}

fn const_i32(func: &Function<'_>, id: ExprId) -> Option<i32> {
    match func.expr(id).kind {
        Kind::Op(Operator::I32Const { value }) => Some(value),
        _ => None,
    }
}

fn is_local_get(func: &Function<'_>, id: ExprId) -> bool {
    matches!(func.expr(id).kind, Kind::Op(Operator::LocalGet { .. }))
}

/// A value as cheap to compute eagerly as to branch around.
fn is_cheap_value(func: &Function<'_>, id: ExprId) -> bool {
    is_local_get(func, id)
        || matches!(
            func.expr(id).kind,
            Kind::Op(
                Operator::I32Const { .. }
                    | Operator::I64Const { .. }
                    | Operator::F32Const { .. }
                    | Operator::F64Const { .. }
            )
        )
}

fn drop_of(func: &mut Function<'_>, value: ExprId) -> ExprId {
    func.add(Kind::Op(Operator::Drop), smallvec![value], Results::None)
}

/// `i32.eqz condition`, unwrapping an `i32.eqz` already there.
fn negate(func: &mut Function<'_>, condition: ExprId) -> ExprId {
    let expr = func.expr(condition);
    if matches!(expr.kind, Kind::Op(Operator::I32Eqz))
        && func.expr(expr.args[0]).results == Results::One(ValType::I32)
    {
        return expr.args[0];
    }
    func.add(
        Kind::Op(Operator::I32Eqz),
        smallvec![condition],
        Results::One(ValType::I32),
    )
}
