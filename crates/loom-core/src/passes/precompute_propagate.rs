//! `precompute-propagate`: `precompute`, plus constants carried through
//! locals. A `local.get` that reads the same constant on every path that
//! reaches it becomes that constant; then everything folds again, which
//! may make more reads constant (a branch on a now-constant condition goes,
//! and with it a set on the way not taken), up to `ROUNDS` times.
//!
//! The analysis is constant propagation over the structured tree: one
//! forward walk in execution order carries, for every tracked local, the
//! constant it holds or "varies" (the join of two different values). What
//! reaches a label (branches, the end of the body, a `try_table` catch) is
//! joined there; a loop's body is walked again while its back edges bring
//! in something new (each local can only go from a constant to "varies",
//! so this ends). Every point in a `try` body may throw, so its handlers
//! start from the join of everything the body's locals held; that join is
//! kept by recording every store inside the body. Code after a branch,
//! `return`, `throw` or `unreachable` is not walked (it never runs), nor
//! is the arm an `if` on a constant never takes. Stores compute their value
//! from the constants known so far (so `x = y + 1` with `y` constant is
//! constant), with `crate::eval`'s semantics; one that would trap varies.
//!
//! Tracked are the locals of scalar numeric type: declared ones start at
//! zero, parameters vary (the caller gives them) until set. A local none of
//! whose stores could ever compute a constant (all load, call, ...
//! results) is not tracked either, which keeps states small; so a read of
//! such a local before its first store is not made the zero it is.
//!
//! A read becomes its constant only where that pays: the constant is no
//! larger than the `local.get`, or its user then folds, or it is a
//! condition (the control flow then folds). A large constant put where
//! nothing folds would only grow the code.
//!
//! Costs are bounded: a function whose analysis would take more than
//! `BUDGET` steps (nodes walked plus locals joined or copied), or nest
//! deeper than `MAX_DEPTH`, keeps its locals (it is still folded).

use crate::eval::{self, Value};
use crate::ir::{ExprId, FastMap, Function, Kind, Results};
use crate::pass::Changed;
use crate::passes::precompute;
use wasmparser::Operator;

/// Rounds of propagation and folding (each round may enable the next: a
/// folded condition removes a store on the path not taken).
const ROUNDS: usize = 4;

/// Steps one analysis may take: nodes walked plus tracked locals joined or
/// copied at labels, loops and handlers (tens of milliseconds).
const BUDGET: u64 = 20_000_000;

/// How deep the walk may nest (bodies and operands): it recurses.
const MAX_DEPTH: usize = 1_000;

/// How deep a store's value is looked into to see whether it could be a
/// constant (bounds the tracking filter's work per store).
const CAPABLE_DEPTH: usize = 6;

pub fn run(func: &mut Function<'_>) -> Changed {
    let mut changed = precompute::run(func);
    for _ in 0..ROUNDS {
        let Some(constants) = analyze(func) else {
            break;
        };
        let worth = worth_replacing(func, &constants);
        if worth.is_empty() {
            break;
        }
        for (get, value) in worth {
            func.expr_mut(get).kind = Kind::Op(value.to_const());
        }
        changed = true;
        precompute::run(func);
    }
    changed
}

/// The reads of locals that always see one constant, or `None` when the
/// function is over budget.
fn analyze(func: &Function<'_>) -> Option<Vec<(ExprId, Value)>> {
    let (slots, entry) = tracked(func);
    if entry.is_empty() {
        return Some(Vec::new());
    }
    let mut walk = Walk {
        func,
        slots,
        state: Some(entry),
        pending: FastMap::default(),
        handlers: Vec::new(),
        reads: vec![Read::NotRun; func.exprs.len()],
        steps: 0,
        depth: 0,
    };
    walk.visit(func.body).ok()?;
    let constants = walk
        .reads
        .into_iter()
        .enumerate()
        .filter_map(|(get, read)| match read {
            Read::Always(value) => Some((ExprId(get as u32), value)),
            _ => None,
        })
        .collect();
    Some(constants)
}

/// The constant reads worth replacing: where the constant is no larger
/// than the `local.get`, where its user then folds, and where it is a
/// condition (control flow then folds). Elsewhere a large constant would
/// only grow the code.
fn worth_replacing(func: &Function<'_>, constants: &[(ExprId, Value)]) -> Vec<(ExprId, Value)> {
    let known: FastMap<ExprId, Value> = constants.iter().copied().collect();
    let mut parent = FastMap::default();
    for id in func.walk(func.body) {
        for &arg in &func.expr(id).args {
            if known.contains_key(&arg) {
                parent.insert(arg, id);
            }
        }
    }
    let value_of = |id: ExprId| {
        known
            .get(&id)
            .copied()
            .or_else(|| precompute::constant(func, id))
    };
    let pays = |get: ExprId, value: Value| {
        let Kind::Op(Operator::LocalGet { local_index }) = func.expr(get).kind else {
            return false;
        };
        if precompute::encoded_size(value) <= 1 + crate::leb::unsigned_size(local_index.into()) {
            return true;
        }
        let Some(&user) = parent.get(&get) else {
            return false;
        };
        let expr = func.expr(user);
        let condition = expr.args.last() == Some(&get) && precompute::is_conditional(expr);
        let folds = || {
            let Kind::Op(op) = &expr.kind else {
                return false;
            };
            let operands: Option<Vec<Value>> = expr.args.iter().map(|a| value_of(*a)).collect();
            operands.is_some_and(|args| matches!(eval::eval(op, &args), Some(Ok(_))))
        };
        condition || folds()
    };
    constants
        .iter()
        .copied()
        .filter(|&(get, value)| pays(get, value))
        .collect()
}

/// For every local, its slot in the state (`NONE` when not tracked), and
/// the entry state (declared locals zero, parameters varying).
fn tracked(func: &Function<'_>) -> (Vec<u32>, State) {
    let params = func.params.len();
    let count = params + func.locals.len();
    // Tracked unless some store shows it never could be constant: all of
    // its stores compute values that cannot be constants.
    let mut stores = vec![0u32; count];
    let mut capable_stores = vec![0u32; count];
    for id in func.local_accesses() {
        let expr = func.expr(id);
        match &expr.kind {
            Kind::Op(Operator::LocalSet { local_index } | Operator::LocalTee { local_index }) => {
                let l = *local_index as usize;
                if l < count {
                    stores[l] += 1;
                    capable_stores[l] += capable(func, expr.args[0], 0) as u32;
                }
            }
            Kind::Assign { locals } => {
                for &l in locals {
                    if let Some(n) = stores.get_mut(l as usize) {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    let mut slots = vec![NONE; count];
    let mut entry = Vec::new();
    let types = func.params.iter().chain(&func.locals);
    for (l, ty) in types.enumerate() {
        let Some(zero) = Value::zero(*ty) else {
            continue;
        };
        // Parameters hold what the caller passed: they vary until set.
        let (initial, unset_matters) = if l < params {
            (None, false)
        } else {
            (Some(zero), true)
        };
        if capable_stores[l] > 0 || (unset_matters && stores[l] == 0) {
            slots[l] = entry.len() as u32;
            entry.push(initial);
        }
    }
    (slots, entry)
}

/// Whether `id` could compute a constant once the locals it reads are
/// known: constants, local reads and numeric operations on such values.
fn capable(func: &Function<'_>, id: ExprId, depth: usize) -> bool {
    let expr = func.expr(id);
    let Kind::Op(op) = &expr.kind else {
        return false;
    };
    match op {
        Operator::LocalGet { .. } => true,
        Operator::LocalTee { .. } => {
            depth < CAPABLE_DEPTH && capable(func, expr.args[0], depth + 1)
        }
        _ if Value::of_const(op).is_some() => true,
        _ => {
            depth < CAPABLE_DEPTH
                && is_numeric(op)
                && expr.args.iter().all(|a| capable(func, *a, depth + 1))
        }
    }
}

/// Whether `eval` knows `op`: it answers for any operands of the types.
fn is_numeric(op: &Operator<'_>) -> bool {
    // `eval` answers `None` only for instructions it does not evaluate or
    // operands of the wrong types: one operand list per signature tells.
    let probes: [&[Value]; 8] = [
        &[Value::I32(1)],
        &[Value::I64(1)],
        &[Value::F32(0)],
        &[Value::F64(0)],
        &[Value::I32(1), Value::I32(1)],
        &[Value::I64(1), Value::I64(1)],
        &[Value::F32(0), Value::F32(0)],
        &[Value::F64(0), Value::F64(0)],
    ];
    probes.iter().any(|args| eval::eval(op, args).is_some())
}

const NONE: u32 = u32::MAX;

/// What a `local.get` read, over every time the walk reached it.
#[derive(Clone, Copy)]
enum Read {
    NotRun,
    Always(Value),
    Varies,
}

/// What every tracked local holds: `Some` constant, or `None` (varies).
type State = Vec<Option<Value>>;

/// The walk is over budget or too deep.
struct Stop;

struct Walk<'f, 'a> {
    func: &'f Function<'a>,
    slots: Vec<u32>,
    /// At the current point; `None` where control never gets.
    state: Option<State>,
    /// What branches brought to each label so far.
    pending: FastMap<ExprId, State>,
    /// For each `try` and `try_table` body being walked, innermost last:
    /// the join of all states inside it so far (what its handlers see).
    handlers: Vec<State>,
    /// For each node (by `ExprId`): if a read of a tracked local that
    /// runs, what it reads.
    reads: Vec<Read>,
    steps: u64,
    depth: usize,
}

impl Walk<'_, '_> {
    fn charge(&mut self, steps: usize) -> Result<(), Stop> {
        self.steps += steps as u64;
        if self.steps > BUDGET {
            Err(Stop)
        } else {
            Ok(())
        }
    }

    /// Walks `id` (if control gets there); the constant it computes, if any.
    fn visit(&mut self, id: ExprId) -> Result<Option<Value>, Stop> {
        if self.state.is_none() {
            return Ok(None);
        }
        self.charge(1)?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Stop);
        }
        let value = self.visit_inner(id);
        self.depth -= 1;
        value
    }

    fn visit_inner(&mut self, id: ExprId) -> Result<Option<Value>, Stop> {
        let func = self.func;
        let expr = func.expr(id);
        match &expr.kind {
            Kind::Op(op) => {
                let mut operands: smallvec::SmallVec<[Option<Value>; 2]> = Default::default();
                for &arg in &expr.args {
                    operands.push(self.visit(arg)?);
                }
                let Some(state) = &self.state else {
                    return Ok(None);
                };
                match *op {
                    Operator::LocalGet { local_index } => {
                        let Some(slot) = self.slot(local_index) else {
                            return Ok(None);
                        };
                        let value = state[slot];
                        let read = &mut self.reads[id.index()];
                        *read = match (*read, value) {
                            (Read::NotRun, Some(v)) => Read::Always(v),
                            (Read::Always(seen), Some(v)) if seen == v => Read::Always(v),
                            _ => Read::Varies,
                        };
                        Ok(value)
                    }
                    Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                        let value = operands.first().copied().flatten();
                        self.store(local_index, value)?;
                        Ok(value)
                    }
                    _ => {
                        if expr.results == Results::Unreachable {
                            self.state = None;
                            return Ok(None);
                        }
                        if operands.iter().any(Option::is_none) {
                            return Ok(None);
                        }
                        let known: smallvec::SmallVec<[Value; 2]> =
                            operands.into_iter().flatten().collect();
                        Ok(eval::eval(op, &known).and_then(|result| result.ok()))
                    }
                }
            }
            Kind::Assign { locals } => {
                let mut operands = Vec::with_capacity(expr.args.len());
                for &arg in &expr.args {
                    operands.push(self.visit(arg)?);
                }
                let single = expr.args.len() == locals.len()
                    && expr.args.iter().all(|a| func.expr(*a).results.arity() == 1);
                for (i, &l) in locals.iter().enumerate() {
                    let value = if single { operands[i] } else { None };
                    self.store(l, value)?;
                }
                Ok(None)
            }
            Kind::Pop => Ok(None),
            Kind::Branch { op, targets } => {
                let mut last = None;
                for &arg in &expr.args {
                    last = self.visit(arg)?;
                }
                if self.state.is_none() {
                    return Ok(None);
                }
                match **op {
                    // Throws: the handlers have seen every state already.
                    Operator::Rethrow { .. } => {}
                    Operator::BrIf { .. } => match last {
                        Some(Value::I32(0)) => {}
                        Some(Value::I32(_)) => {
                            self.branch(targets[0])?;
                            self.state = None;
                        }
                        _ => self.branch(targets[0])?,
                    },
                    Operator::BrTable { .. } => match last {
                        Some(Value::I32(k)) => {
                            if let Some((default, cases)) = targets.split_last() {
                                self.branch(*cases.get(k as u32 as usize).unwrap_or(default))?;
                            }
                        }
                        _ => {
                            for &target in targets {
                                self.branch(target)?;
                            }
                        }
                    },
                    _ => {
                        for &target in targets {
                            self.branch(target)?;
                        }
                    }
                }
                if expr.results == Results::Unreachable {
                    self.state = None;
                }
                Ok(None)
            }
            Kind::Block { body, .. } => {
                self.operands(&expr.args)?;
                self.body(body)?;
                self.end_label(id)?;
                Ok(None)
            }
            Kind::Loop { body, .. } => {
                self.operands(&expr.args)?;
                let Some(mut header) = self.state.take() else {
                    return Ok(None);
                };
                loop {
                    self.charge(header.len())?;
                    self.state = Some(header.clone());
                    self.body(body)?;
                    let Some(back) = self.pending.remove(&id) else {
                        break;
                    };
                    let entered = join(header.clone(), &back);
                    if entered == header {
                        break;
                    }
                    header = entered;
                }
                Ok(None)
            }
            Kind::If {
                then_body,
                else_body,
                ..
            } => {
                let mut condition = None;
                for &arg in &expr.args {
                    condition = self.visit(arg)?;
                }
                let Some(entry) = self.state.clone() else {
                    return Ok(None);
                };
                self.charge(entry.len())?;
                let (then_runs, else_runs) = match condition {
                    Some(Value::I32(0)) => (false, true),
                    Some(Value::I32(_)) => (true, false),
                    _ => (true, true),
                };
                let mut then_out = None;
                if then_runs {
                    self.body(then_body)?;
                    then_out = self.state.take();
                }
                if else_runs {
                    self.state = Some(entry);
                    if let Some(else_body) = else_body {
                        self.body(else_body)?;
                    }
                }
                let else_out = self.state.take();
                self.state = self.join_states(then_out, else_out)?;
                self.end_label(id)?;
                Ok(None)
            }
            Kind::Try(t) => {
                let Some(caught) = self.protected(&expr.args, &t.body)? else {
                    return Ok(None);
                };
                let mut out = self.state.take();
                for catch in &t.catches {
                    self.charge(caught.len())?;
                    self.state = Some(caught.clone());
                    self.body(&catch.body)?;
                    let handled = self.state.take();
                    out = self.join_states(out, handled)?;
                }
                self.state = out;
                self.end_label(id)?;
                Ok(None)
            }
            Kind::TryTable(t) => {
                let Some(caught) = self.protected(&expr.args, &t.body)? else {
                    return Ok(None);
                };
                for &target in &t.targets {
                    self.join_into(target, &caught)?;
                }
                self.end_label(id)?;
                Ok(None)
            }
        }
    }

    /// Evaluates a `try`'s or `try_table`'s operands and body; returns the
    /// state its handlers start from (the entry joined with every store in
    /// the body), or `None` when the try is unreachable.
    fn protected(&mut self, args: &[ExprId], body: &[ExprId]) -> Result<Option<State>, Stop> {
        self.operands(args)?;
        let Some(entry) = self.state.clone() else {
            return Ok(None);
        };
        self.charge(entry.len())?;
        self.handlers.push(entry);
        self.body(body)?;
        Ok(Some(self.handlers.pop().expect("pushed above")))
    }

    fn slot(&self, local: u32) -> Option<usize> {
        match self.slots.get(local as usize) {
            Some(&s) if s != NONE => Some(s as usize),
            _ => None,
        }
    }

    fn operands(&mut self, args: &[ExprId]) -> Result<(), Stop> {
        for &arg in args {
            self.visit(arg)?;
        }
        Ok(())
    }

    fn body(&mut self, body: &[ExprId]) -> Result<(), Stop> {
        for &id in body {
            if self.state.is_none() {
                break;
            }
            self.visit(id)?;
        }
        Ok(())
    }

    /// `local = value` at the current point (reachable), also seen by the
    /// handlers of every `try` being walked.
    fn store(&mut self, local: u32, value: Option<Value>) -> Result<(), Stop> {
        let Some(slot) = self.slot(local) else {
            return Ok(());
        };
        if let Some(state) = &mut self.state {
            state[slot] = value;
        }
        self.charge(self.handlers.len())?;
        for seen in &mut self.handlers {
            seen[slot] = join_one(seen[slot], value);
        }
        Ok(())
    }

    /// The current state joined into what reaches `label`.
    fn branch(&mut self, label: ExprId) -> Result<(), Stop> {
        if let Some(state) = self.state.take() {
            let result = self.join_into(label, &state);
            self.state = Some(state);
            result?;
        }
        Ok(())
    }

    fn join_into(&mut self, label: ExprId, state: &State) -> Result<(), Stop> {
        // A branch to the function's own label is a return.
        if label == self.func.body {
            return Ok(());
        }
        self.charge(state.len())?;
        match self.pending.get_mut(&label) {
            Some(seen) => {
                for (a, b) in seen.iter_mut().zip(state) {
                    *a = join_one(*a, *b);
                }
            }
            None => {
                self.pending.insert(label, state.clone());
            }
        }
        Ok(())
    }

    /// The join of two states (`None` where control does not get).
    fn join_states(&mut self, a: Option<State>, b: Option<State>) -> Result<Option<State>, Stop> {
        Ok(match (a, b) {
            (Some(a), Some(b)) => {
                self.charge(a.len())?;
                Some(join(a, &b))
            }
            (a, b) => a.or(b),
        })
    }

    /// At the end of block-like `id`: what fell through joined with what
    /// branched there.
    fn end_label(&mut self, id: ExprId) -> Result<(), Stop> {
        if let Some(branched) = self.pending.remove(&id) {
            self.charge(branched.len())?;
            self.state = Some(match self.state.take() {
                Some(state) => join(state, &branched),
                None => branched,
            });
        }
        Ok(())
    }
}

fn join_one(a: Option<Value>, b: Option<Value>) -> Option<Value> {
    if a == b {
        a
    } else {
        None
    }
}

fn join(mut a: State, b: &State) -> State {
    for (x, y) in a.iter_mut().zip(b) {
        *x = join_one(*x, *y);
    }
    a
}
