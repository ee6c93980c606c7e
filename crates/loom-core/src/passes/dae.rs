//! `dae` (dead argument elimination): changes the signature of functions
//! whose signature nothing outside the module's direct calls can see, so
//! that values nobody needs are neither passed nor returned.
//!
//! Such a function is defined here, not exported, not in any element
//! segment, not named by `ref.func`, not the start function, called only by
//! lifted code (a kept-as-read body's calls cannot be rewritten), and its
//! type is a plain function type (final, no supertype, alone in its
//! recursion group: GC type hierarchies are left alone). For each one:
//!
//! - a parameter whose incoming value is never read is removed from the
//!   function and from every call; reads that only pass the parameter on
//!   to the same position of a recursive call do not count, and neither
//!   does a parameter the body overwrites (at its top level, before any
//!   read) — it becomes a local. The dropped arguments' effects are kept,
//!   in order: an argument with effects becomes a `drop` evaluated where it
//!   was, folded into the next kept argument (or, after the last one, into
//!   it through a local; with no kept argument, before the call);
//! - a parameter that every call passes the same constant is removed and
//!   set to that constant at entry (a recursive call passing the parameter
//!   itself, never written, counts as passing the constant);
//! - a single result that every call drops is removed: the function's
//!   returns drop their values (keeping their effects) and the calls lose
//!   their `drop`. Not when the function makes a tail call (its callee's
//!   results must match its own), is itself tail-called (likewise for its
//!   caller), or receives values on its own label from a conditional branch.
//!
//! New signatures reuse an existing plain function type or are appended to
//! the type section (see `module::TypeChanges`). Removing parameters from
//! one function can leave its callers' parameters unread, so the pass
//! repeats until a round changes nothing (at most `MAX_ROUNDS`).
//!
//! Not done: parameters of non-nullable reference type (they would become
//! locals needing initialization), multi-value results, and functions
//! whose calls do not pass one expression per parameter.

use crate::effects;
use crate::error::Error;
use crate::ir::{Args, ExprId, FastMap, Function, Kind, Results};
use crate::module::{Code, Module, Signatures, TypeKey};
use crate::pass::Changed;
use rayon::prelude::*;
use wasmparser::{BinaryReader, BlockType, FunctionBody, Operator, ValType};

/// Bounds the rounds; each round is one walk over the module's code, and a
/// chain of callers whose parameters only become dead one level at a time,
/// deeper than this, is finished by a later run of the pass.
const MAX_ROUNDS: usize = 8;

pub fn run(module: &mut Module<'_>) -> Result<Changed, Error> {
    let total = module.imported_functions as usize + module.code.len();
    let canon = module.maps.representative_functions(total);
    let fixed = fixed_functions(module, &canon).map_err(|e| Error::Encode(e.to_string()))?;
    let mut calls: Vec<Calls> = (0..module.code.len())
        .into_par_iter()
        .map(|caller| Calls::of(module, &fixed, &canon, caller))
        .collect();
    // Functions whose body changed in the last round: only they, and the
    // functions they call, can have new opportunities.
    let mut dirty = vec![true; module.code.len()];
    let mut changed = false;
    for _ in 0..MAX_ROUNDS {
        let changed_now = round(module, &fixed, &calls, &dirty);
        if changed_now.is_empty() {
            break;
        }
        changed = true;
        dirty = vec![false; module.code.len()];
        for caller in changed_now {
            dirty[caller] = true;
            if let Code::Lifted(func) = &mut module.code[caller] {
                func.dirty = true;
            }
            calls[caller] = Calls::of(module, &fixed, &canon, caller);
        }
    }
    module.local_names_stale |= changed;
    Ok(changed)
}

/// Per function index, whether its signature must stay as it is; `canon`
/// gives the function whose body each function index runs.
fn fixed_functions(module: &Module<'_>, canon: &[u32]) -> wasmparser::Result<Vec<bool>> {
    let imported = module.imported_functions;
    let total = imported as usize + module.code.len();
    let mut fixed = vec![false; total];
    let mut fix = |f: u32| {
        if let Some(slot) = fixed.get_mut(f as usize) {
            *slot = true;
        }
    };
    (0..imported).for_each(&mut fix);
    // Functions an earlier pass merged (duplicate-function-elimination)
    // share one output index and run the representative's body: calls to
    // any of them are calls of the representative (see `Calls::of`), the
    // others' bodies are never written and keep their signatures.
    for (f, &representative) in canon.iter().enumerate() {
        if representative != f as u32 {
            fix(f as u32);
        }
    }
    crate::function_uses::for_each(module, |f, how| {
        if how != crate::function_uses::FunctionUse::Call {
            fix(f);
            fix(canon.get(f as usize).copied().unwrap_or(f));
        }
    })?;
    for (i, code) in module.code.iter().enumerate() {
        let f = imported + i as u32;
        let body = match code {
            Code::Lifted(_) => {
                if !plain_type(module, f) {
                    fix(f);
                }
                continue;
            }
            Code::Raw(body) => body.clone(),
            Code::Encoded(bytes) => FunctionBody::new(BinaryReader::new(bytes, 0)),
        };
        fix(f);
        for op in body.get_operators_reader()? {
            if let Operator::Call { function_index } | Operator::ReturnCall { function_index } = op?
            {
                fix(function_index);
                fix(canon
                    .get(function_index as usize)
                    .copied()
                    .unwrap_or(function_index));
            }
        }
    }
    Ok(fixed)
}

/// Whether function `f`'s current type is a plain function type: final,
/// without supertype, not shared, alone in its recursion group (as every
/// type a pass appends is).
fn plain_type(module: &Module<'_>, f: u32) -> bool {
    let TypeKey::Input(id) = module.function_type_key(f) else {
        return true;
    };
    let types = module.types.as_ref();
    let sub = &types[id];
    sub.is_final
        && sub.supertype_idxs.is_empty()
        && !sub.composite_type.shared
        && types.rec_group_elements(types.rec_group_id_of(id)).len() == 1
}

/// A `call` or `return_call` of a function this pass may change.
struct Site {
    /// Index of the called function in `module.code`.
    callee: usize,
    /// Index of the calling function in `module.code`.
    caller: usize,
    call: ExprId,
    tail: bool,
    /// The `drop` whose only operand the call is.
    dropped_by: Option<ExprId>,
    /// The call passes exactly one single-valued expression per parameter
    /// (otherwise parameters cannot be matched to arguments).
    regular: bool,
}

/// The calls one function makes.
#[derive(Default)]
struct Calls {
    sites: Vec<Site>,
    makes_tail_calls: bool,
    /// Whether the function has any `Pop` (rare: block parameters, caught
    /// values), which argument rewriting must not move.
    has_pops: bool,
}

impl Calls {
    /// `canon` gives the function whose body each function index runs.
    fn of(module: &Module<'_>, fixed: &[bool], canon: &[u32], caller: usize) -> Calls {
        let mut calls = Calls::default();
        let Code::Lifted(func) = &module.code[caller] else {
            return calls;
        };
        let imported = module.imported_functions;
        let mut drops: FastMap<ExprId, ExprId> = FastMap::default();
        for id in func.walk(func.body) {
            let expr = func.expr(id);
            let op = match &expr.kind {
                Kind::Op(op) => op,
                Kind::Pop => {
                    calls.has_pops = true;
                    continue;
                }
                _ => continue,
            };
            let (f, tail) = match *op {
                Operator::Drop => {
                    drops.insert(expr.args[0], id);
                    continue;
                }
                Operator::Call { function_index } => (function_index, false),
                Operator::ReturnCall { function_index } => {
                    calls.makes_tail_calls = true;
                    (function_index, true)
                }
                Operator::ReturnCallIndirect { .. } | Operator::ReturnCallRef { .. } => {
                    calls.makes_tail_calls = true;
                    continue;
                }
                _ => continue,
            };
            let Some(&f) = canon.get(f as usize) else {
                continue;
            };
            if fixed[f as usize] {
                continue;
            }
            let callee = (f - imported) as usize;
            let Some(Code::Lifted(target)) = module.code.get(callee) else {
                continue;
            };
            let regular = expr.args.len() == target.params.len()
                && expr
                    .args
                    .iter()
                    .all(|&a| matches!(func.expr(a).results, Results::One(_)));
            calls.sites.push(Site {
                callee,
                caller,
                call: id,
                tail,
                dropped_by: drops.get(&id).copied(),
                regular,
            });
        }
        calls
    }
}

/// What one round changes in one function.
struct Plan<'a> {
    code: usize,
    remove: Vec<bool>,
    /// The constant each removed parameter is set to at entry, if any.
    constants: Vec<Option<Operator<'a>>>,
    drop_results: bool,
}

/// Plans and makes this round's changes to the functions `dirty` marks
/// and to the functions they call; returns the functions whose code
/// changed.
fn round(module: &mut Module<'_>, fixed: &[bool], calls: &[Calls], dirty: &[bool]) -> Vec<usize> {
    let imported = module.imported_functions;
    let mut sites: Vec<Vec<&Site>> = (0..module.code.len()).map(|_| Vec::new()).collect();
    for site in calls.iter().flat_map(|c| &c.sites) {
        sites[site.callee].push(site);
    }
    let mut plans = Vec::new();
    for (i, code) in module.code.iter().enumerate() {
        let Code::Lifted(func) = code else { continue };
        let sites = &sites[i];
        let candidate = dirty[i] || sites.iter().any(|s| dirty[s.caller]);
        if !candidate
            || fixed[imported as usize + i]
            || sites.is_empty()
            || sites.iter().any(|s| !s.regular)
        {
            continue;
        }
        if let Some(plan) = plan(module, i, func, sites, calls) {
            plans.push(plan);
        }
    }
    let mut changed = Vec::new();
    if plans.is_empty() {
        return changed;
    }

    let mut signatures = Signatures::of(module);
    for plan in &plans {
        let f = imported + plan.code as u32;
        let Code::Lifted(func) = &module.code[plan.code] else {
            continue;
        };
        let params = func.params.clone();
        for site in &sites[plan.code] {
            if let Code::Lifted(caller) = &mut module.code[site.caller] {
                remove_arguments(caller, site.call, &plan.remove, &params);
            }
            changed.push(site.caller);
        }
        let Code::Lifted(func) = &mut module.code[plan.code] else {
            continue;
        };
        rewrite_callee(func, plan);
        changed.push(plan.code);
        let kept: Vec<ValType> = (0..params.len())
            .filter(|&p| !plan.remove[p])
            .map(|p| params[p])
            .collect();
        let results = func.expr(func.body).results.types().to_vec();
        let ty = signatures.get(&mut module.type_changes.added, kept, results);
        func.type_index = ty;
        module.type_changes.functions.insert(f, ty);
        if plan.drop_results {
            for site in &sites[plan.code] {
                if let (Code::Lifted(caller), Some(dropped_by)) =
                    (&mut module.code[site.caller], site.dropped_by)
                {
                    remove_drop(caller, dropped_by, site.call);
                }
            }
        }
    }
    changed.sort_unstable();
    changed.dedup();
    changed
}

/// Decides what to change in defined function `code` (`func`), if anything.
fn plan<'a>(
    module: &Module<'a>,
    code: usize,
    func: &Function<'a>,
    sites: &[&Site],
    calls: &[Calls],
) -> Option<Plan<'a>> {
    let n = func.params.len();
    let mut reads = vec![0usize; n];
    let mut written = vec![false; n];
    for id in func.local_accesses() {
        match &func.expr(id).kind {
            Kind::Op(Operator::LocalGet { local_index }) if (*local_index as usize) < n => {
                reads[*local_index as usize] += 1
            }
            Kind::Op(Operator::LocalSet { local_index } | Operator::LocalTee { local_index })
                if (*local_index as usize) < n =>
            {
                written[*local_index as usize] = true
            }
            Kind::Assign { locals } => {
                for &l in locals.iter().filter(|&&l| (l as usize) < n) {
                    written[l as usize] = true;
                }
            }
            _ => {}
        }
    }
    let arg = |site: &Site, p: usize| -> Option<(&Function<'a>, ExprId)> {
        match &module.code[site.caller] {
            Code::Lifted(caller) => Some((caller, caller.expr(site.call).args[p])),
            _ => None,
        }
    };
    let passes_itself = |site: &Site, p: usize| {
        site.caller == code
            && arg(site, p).is_some_and(|(caller, a)| {
                matches!(caller.expr(a).kind,
                    Kind::Op(Operator::LocalGet { local_index }) if local_index as usize == p)
            })
    };
    let overwritten = overwritten_at_entry(func);
    let mut remove = vec![false; n];
    let mut constants = vec![None; n];
    for p in 0..n {
        if !func.params[p].is_defaultable() {
            continue;
        }
        let self_passes = sites.iter().filter(|s| passes_itself(s, p)).count();
        let unused = reads[p] == self_passes || overwritten[p];
        if !unused {
            constants[p] = common_constant(sites, p, &arg, |s| passes_itself(s, p) && !written[p]);
            if constants[p].is_none() {
                continue;
            }
        }
        // Arguments with effects must be kept as drops; that cannot move a
        // `Pop`, nor wrap a call whose results need a function block type.
        let many_results = matches!(func.expr(func.body).results, Results::Many(_));
        remove[p] = sites.iter().all(|site| {
            let Some((caller, a)) = arg(site, p) else {
                return false;
            };
            let movable = !(calls[site.caller].has_pops && has_pop(caller, site.call));
            effects::of_tree(caller, a).removable() || (!many_results && movable)
        });
        if !remove[p] {
            constants[p] = None;
        }
    }
    let drop_results = matches!(func.expr(func.body).results, Results::One(_))
        && !calls[code].makes_tail_calls
        && sites.iter().all(|s| !s.tail && s.dropped_by.is_some())
        && values_reach_own_label_only_by_br(func);
    (remove.contains(&true) || drop_results).then_some(Plan {
        code,
        remove,
        constants,
        drop_results,
    })
}

/// The constant every call passes as parameter `p`, if they all pass the
/// same one (`passes_itself` sites pass the parameter itself, which then is
/// that constant too).
fn common_constant<'a, 'f>(
    sites: &[&Site],
    p: usize,
    arg: &impl Fn(&Site, usize) -> Option<(&'f Function<'a>, ExprId)>,
    passes_itself: impl Fn(&Site) -> bool,
) -> Option<Operator<'a>>
where
    'a: 'f,
{
    let mut found: Option<Operator<'a>> = None;
    for &site in sites {
        if passes_itself(site) {
            continue;
        }
        let (caller, a) = arg(site, p)?;
        let Kind::Op(op) = &caller.expr(a).kind else {
            return None;
        };
        let constant = crate::ir::is_constant(op);
        match &found {
            _ if !constant => return None,
            Some(previous) if previous != op => return None,
            Some(_) => {}
            None => found = Some(op.clone()),
        }
    }
    found
}

/// Per parameter, whether the body's top level overwrites it before
/// anything reads it (so its incoming value is never read). Top-level
/// statements run in order; one that reads the parameter anywhere inside
/// it, before a top-level write, makes the incoming value live.
fn overwritten_at_entry(func: &Function<'_>) -> Vec<bool> {
    let n = func.params.len();
    // None: undecided; Some(true): overwritten first; Some(false): read first.
    let mut state: Vec<Option<bool>> = vec![None; n];
    let Kind::Block { body, .. } = &func.expr(func.body).kind else {
        return vec![false; n];
    };
    for &statement in body {
        if state.iter().all(Option::is_some) {
            break;
        }
        for id in func.walk(statement) {
            if let Kind::Op(Operator::LocalGet { local_index }) = func.expr(id).kind {
                if let Some(s @ None) = state.get_mut(local_index as usize) {
                    *s = Some(false);
                }
            }
        }
        let expr = func.expr(statement);
        let targets: &[u32] = match &expr.kind {
            Kind::Op(Operator::LocalSet { local_index }) => std::slice::from_ref(local_index),
            Kind::Assign { locals } => locals,
            _ => &[],
        };
        for &l in targets {
            if let Some(s @ None) = state.get_mut(l as usize) {
                *s = Some(true);
            }
        }
    }
    state.into_iter().map(|s| s == Some(true)).collect()
}

/// Whether any argument of call `call` contains a `Pop` (a value that must
/// stay first in its body, so the arguments cannot be wrapped).
fn has_pop(func: &Function<'_>, call: ExprId) -> bool {
    func.expr(call).args.iter().any(|&a| {
        func.walk(a)
            .iter()
            .any(|&n| matches!(func.expr(n).kind, Kind::Pop))
    })
}

/// Whether every branch to the function's own label is an unconditional
/// `br` (so its value can be dropped there), and no handler targets it.
fn values_reach_own_label_only_by_br(func: &Function<'_>) -> bool {
    func.walk(func.body).into_iter().all(|id| {
        !func.labels_used_by(id).contains(&func.body)
            || matches!(&func.expr(id).kind,
                Kind::Branch { op, .. } if matches!(**op, Operator::Br { .. }))
    })
}

/// Removes the arguments of call `call` at the positions `remove` marks,
/// keeping the effects of each in order (see the module documentation).
fn remove_arguments(func: &mut Function<'_>, call: ExprId, remove: &[bool], params: &[ValType]) {
    let args = func.expr(call).args.clone();
    let mut kept = Args::new();
    let mut kept_types = Vec::new();
    let mut pending: Vec<ExprId> = Vec::new();
    for (i, &a) in args.iter().enumerate() {
        if remove[i] {
            if !effects::of_tree(func, a).removable() {
                pending.push(func.add(
                    Kind::Op(Operator::Drop),
                    smallvec::smallvec![a],
                    Results::None,
                ));
            }
            continue;
        }
        let a = if pending.is_empty() {
            a
        } else {
            let mut body = std::mem::take(&mut pending);
            body.push(a);
            block(
                func,
                BlockType::Type(params[i]),
                body,
                Results::One(params[i]),
            )
        };
        kept.push(a);
        kept_types.push(params[i]);
    }
    if !pending.is_empty() {
        if let (Some(last), Some(&ty)) = (kept.last_mut(), kept_types.last()) {
            // The last kept value is computed before the dropped ones run.
            let local = func.add_local(ty);
            let set = func.add(
                Kind::Op(Operator::LocalSet { local_index: local }),
                smallvec::smallvec![*last],
                Results::None,
            );
            let get = func.add(
                Kind::Op(Operator::LocalGet { local_index: local }),
                Args::new(),
                Results::One(ty),
            );
            let mut body = vec![set];
            body.append(&mut pending);
            body.push(get);
            *last = block(func, BlockType::Type(ty), body, Results::One(ty));
        } else {
            // No argument is left: the drops run before the call.
            let ty = match func.expr(call).results {
                Results::One(t) => BlockType::Type(t),
                _ => BlockType::Empty,
            };
            let moved = func.expr(call).clone();
            let inner = func.add(moved.kind, Args::new(), moved.results.clone());
            pending.push(inner);
            let expr = func.expr_mut(call);
            expr.kind = Kind::Block { ty, body: pending };
            expr.args = Args::new();
            return;
        }
    }
    func.expr_mut(call).args = kept;
}

fn block<'a>(
    func: &mut Function<'a>,
    ty: BlockType,
    body: Vec<ExprId>,
    results: Results,
) -> ExprId {
    func.add(Kind::Block { ty, body }, Args::new(), results)
}

/// Removes the planned parameters from the callee (they become locals,
/// constants set at entry) and, if planned, its result.
fn rewrite_callee<'a>(func: &mut Function<'a>, plan: &Plan<'a>) {
    let n = func.params.len();
    let total = n + func.locals.len();
    let kept: Vec<usize> = (0..n).filter(|&p| !plan.remove[p]).collect();
    let mut new_index = vec![0u32; total];
    for (k, &p) in kept.iter().enumerate() {
        new_index[p] = k as u32;
    }
    for (l, index) in new_index.iter_mut().enumerate().skip(n) {
        *index = (kept.len() + l - n) as u32;
    }
    let mut locals = func.locals.clone();
    for p in (0..n).filter(|&p| plan.remove[p]) {
        new_index[p] = (kept.len() + locals.len()) as u32;
        locals.push(func.params[p]);
    }
    let params: Vec<ValType> = kept.iter().map(|&p| func.params[p]).collect();
    let removed_types = func.params.clone();
    func.params = params;
    func.renumber_locals(&new_index, locals);
    let mut entry = Vec::new();
    for (p, constant) in plan.constants.iter().enumerate() {
        if let (true, Some(op)) = (plan.remove[p], constant) {
            let value = func.add(
                Kind::Op(op.clone()),
                Args::new(),
                Results::One(removed_types[p]),
            );
            entry.push(func.add(
                Kind::Op(Operator::LocalSet {
                    local_index: new_index[p],
                }),
                smallvec::smallvec![value],
                Results::None,
            ));
        }
    }
    if plan.drop_results {
        drop_results(func);
    }
    if let Kind::Block { body, .. } = &mut func.expr_mut(func.body).kind {
        body.splice(0..0, entry);
    }
}

/// Makes the function return nothing: every value that reached its end,
/// a `return` or a `br` to its label is dropped there instead.
fn drop_results(func: &mut Function<'_>) {
    let root = func.body;
    for id in func.walk(root) {
        let expr = func.expr(id);
        let exits = match &expr.kind {
            Kind::Op(Operator::Return) => true,
            Kind::Branch { targets, .. } => targets.contains(&root),
            _ => false,
        };
        if !exits || expr.args.is_empty() {
            continue;
        }
        // The exit moves into a new node; this one becomes a block that
        // drops the values, then exits.
        let mut exit = func.expr(id).clone();
        let values = std::mem::take(&mut exit.args);
        let exit = func.add(exit.kind, Args::new(), Results::Unreachable);
        let mut body: Vec<ExprId> = values.into_iter().map(|v| drop_value(func, v)).collect();
        body.push(exit);
        let expr = func.expr_mut(id);
        expr.kind = Kind::Block {
            ty: BlockType::Empty,
            body,
        };
        expr.args = Args::new();
        expr.results = Results::Unreachable;
    }
    func.expr_mut(root).results = Results::None;
    if let Kind::Block { body, .. } = &func.expr(root).kind {
        if let Some(&last) = body.last() {
            let dropped = drop_value(func, last);
            if let Kind::Block { body, .. } = &mut func.expr_mut(root).kind {
                *body.last_mut().expect("checked above") = dropped;
            }
        }
    }
}

/// `drop` of `value` when it has a value; itself when it never falls through.
fn drop_value(func: &mut Function<'_>, value: ExprId) -> ExprId {
    match func.expr(value).results {
        Results::One(_) => func.add(
            Kind::Op(Operator::Drop),
            smallvec::smallvec![value],
            Results::None,
        ),
        _ => value,
    }
}

/// `drop (call)` becomes the call, which returns nothing now.
fn remove_drop(func: &mut Function<'_>, dropped_by: ExprId, call: ExprId) {
    let mut expr = func.expr(call).clone();
    expr.results = Results::None;
    if let Kind::Block { ty, body } = &mut expr.kind {
        // The call was wrapped to keep dropped arguments' effects.
        *ty = BlockType::Empty;
        if let Some(&inner) = body.last() {
            func.expr_mut(inner).results = Results::None;
        }
    }
    *func.expr_mut(dropped_by) = expr;
}

#[cfg(test)]
mod tests {
    use crate::run_passes_for_test as run;

    /// `$a` loses its parameter and so its old type; a later
    /// duplicate-function-elimination must see the new type and not merge
    /// it into `$b`, whose body is the same.
    #[test]
    fn later_passes_see_the_new_type() {
        let wat = r#"(module
            (func $a (param i32))
            (func $b (export "b") (param i32))
            (func (export "main") (call $a (i32.const 1)) (call $b (i32.const 2))))"#;
        let bytes = run(&["dae", "duplicate-function-elimination"], wat);
        let text = wasmprinter::print_bytes(&bytes).expect("prints");
        let functions = text.lines().filter(|l| l.starts_with("  (func ")).count();
        assert_eq!(functions, 3, "{text}");
    }

    /// A second run finds nothing left to do.
    #[test]
    fn idempotent() {
        let wat = r#"(module
            (func $inner (param i32 i32) (result i32) (local.get 1))
            (func $outer (param i32) (result i32) (call $inner (local.get 0) (i32.const 3)))
            (func (export "main") (param i32) (result i32) (call $outer (local.get 0))))"#;
        let once = wasmprinter::print_bytes(run(&["dae"], wat)).expect("prints");
        let twice = wasmprinter::print_bytes(run(&["dae"], &once)).expect("prints");
        assert!(
            once.contains("(func $outer (;1;) (type 2) (result i32)"),
            "{once}"
        );
        assert_eq!(once, twice);
    }
}
