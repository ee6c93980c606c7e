//! `redundant-set-elimination`: removes a `local.set` that stores the value
//! the local already holds on every path reaching it (a `local.tee` becomes
//! its value). Compilers emit these for loop counters that start at zero
//! (locals already are zero) and for copies back and forth between locals.
//!
//! A value-numbering walk over the structured control flow gives each local
//! a number: constants (and the implicit zero of declared locals at entry)
//! by their value, copies the number of their source, integer operations on
//! numbered operands the same number when repeated, anything else a fresh
//! number. Where paths merge (after a block or `if` reached by branches) a
//! local keeps its number only if all incoming paths agree. A loop is first
//! walked assuming its header sees its entry state; if every back edge then
//! brings that same state, the assumption is a fixed point, otherwise the
//! body is walked again with every local the loop writes unknown at the
//! header. A `catch` (legacy or `try_table`) can be reached from any point
//! in the `try` body, so there every local the body writes is unknown.
//! Calls do not change locals. A removed set's value is kept as a `drop`
//! when it has effects. The analysis is also `merge-locals`' (through
//! [`number_locals`] and an [`Observer`]).

use crate::effects;
use crate::ir::{initial_value, Args, ExprId, FastMap, Function, Kind, OpKey, Results};
use crate::pass::Changed;
use smallvec::SmallVec;
use std::collections::{HashMap, HashSet};
use wasmparser::{Operator, ValType};

/// Bounds the analysis work (node visits and copied local-state cells) per
/// function node, plus a fixed allowance: beyond it the function is left
/// unchanged rather than slowing down on pathological nesting.
const WORK_PER_NODE: u64 = 64;
const WORK_BASE: u64 = 20_000_000;
/// Optimistic loop walks (which may walk a loop twice) stop once this many
/// visits per function node have been spent; later loops go straight to the
/// conservative walk, so nested loops cannot multiply the work.
const OPTIMISTIC_VISITS_PER_NODE: u64 = 4;
/// Bounds the walks of one loop looking for a fixed point (each round
/// makes at least one more local unknown at the header).
const LOOP_ROUNDS: usize = 3;
/// Bounds the recursion depth (nesting of expressions and bodies): deeper
/// functions are left unchanged instead of overflowing the stack.
const MAX_DEPTH: u32 = 1000;

pub fn run(func: &mut Function<'_>) -> Changed {
    let mut finder = Redundant {
        tracked: (0..func.params.len() + func.locals.len())
            .map(|local| !non_nullable(func, local as u32))
            .collect(),
        redundant: vec![false; func.exprs.len()],
    };
    if number_locals(func, &mut finder).is_none() {
        return false;
    }
    let redundant: Vec<ExprId> = (finder.redundant.iter().enumerate())
        .filter(|(_, r)| **r)
        .map(|(id, _)| ExprId(id as u32))
        .collect();
    if redundant.is_empty() {
        return false;
    }
    remove(func, &redundant);
    true
}

/// What the value numbering tells about each local access, as it walks.
/// A node may be walked more than once (a loop walked again after a failed
/// fixed-point attempt); the last time counts. Unreachable code is not
/// reported.
pub(crate) trait Observer {
    /// A `local.get` of `local`; `values` are all locals' numbers there,
    /// `position` orders accesses by evaluation in the final walk.
    fn get(&mut self, id: ExprId, local: u32, values: &[u32], position: u32);
    /// A `local.set` or `local.tee` of `local` to a value numbered `value`;
    /// `values` are all locals' numbers before the store.
    fn set(&mut self, id: ExprId, local: u32, value: u32, values: &[u32], position: u32);
}

/// Finds the sets that store the number the local already has.
struct Redundant {
    /// By local: whether its sets may be removed.
    tracked: Vec<bool>,
    /// By node: whether the set or tee is redundant.
    redundant: Vec<bool>,
}

impl Observer for Redundant {
    fn get(&mut self, _: ExprId, _: u32, _: &[u32], _: u32) {}

    fn set(&mut self, id: ExprId, local: u32, value: u32, values: &[u32], _: u32) {
        self.redundant[id.index()] =
            self.tracked[local as usize] && values[local as usize] == value;
    }
}

/// Whether the validator tracks the local's initialization: removing a set
/// of it, or reading it elsewhere, could leave a read uninitialized in its
/// eyes (initialization does not survive the end of a block).
pub(crate) fn non_nullable(func: &Function<'_>, local: u32) -> bool {
    let params = func.params.len();
    let ty = match (local as usize).checked_sub(params) {
        None => func.params.get(local as usize),
        Some(i) => func.locals.get(i),
    };
    matches!(ty, Some(ValType::Ref(r)) if !r.is_nullable())
}

/// The analysis gave up (too deep or too much work).
struct GiveUp;

/// Value numbers of all locals at a program point; `None` where the point is
/// unreachable.
type State = Option<Vec<u32>>;

/// What a value number stands for, when it is not just "fresh".
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key<'a> {
    /// Any null reference: all are the same value whatever their type.
    Null,
    /// A constant (no operands) or an integer operation on numbered values.
    Op(OpKey<'a>, SmallVec<[u32; 2]>),
}

struct Analysis<'f, 'a, 'o, O> {
    func: &'f Function<'a>,
    observer: &'o mut O,
    /// Counts visits, ordering accesses for the observer.
    position: u32,
    keys: FastMap<Key<'a>, u32>,
    next_number: u32,
    /// States branching to each open label (for a loop: its back edges).
    incoming: FastMap<ExprId, Vec<Vec<u32>>>,
    /// Labels in the order states were pushed, to undo a failed loop walk.
    pushed: Vec<ExprId>,
    work_left: u64,
    optimistic_visits_left: u64,
    depth: u32,
}

/// Walks `func` numbering the locals' values, reporting to `observer`;
/// `None` when the function is too deep or too large to analyse.
pub(crate) fn number_locals<O: Observer>(func: &Function<'_>, observer: &mut O) -> Option<()> {
    let nodes = func.exprs.len() as u64;
    let mut analysis = Analysis {
        func,
        observer,
        position: 0,
        keys: FastMap::default(),
        next_number: 0,
        incoming: FastMap::default(),
        pushed: Vec::new(),
        work_left: WORK_PER_NODE * nodes + WORK_BASE,
        optimistic_visits_left: OPTIMISTIC_VISITS_PER_NODE * nodes,
        depth: 0,
    };
    let mut entry: Vec<u32> = (0..func.params.len()).map(|_| analysis.fresh()).collect();
    for ty in &func.locals {
        entry.push(analysis.initial(*ty));
    }
    let mut state = Some(entry);
    analysis.eval(func.body, &mut state).ok().map(|_| ())
}

impl<'a, O: Observer> Analysis<'_, 'a, '_, O> {
    fn fresh(&mut self) -> u32 {
        self.next_number += 1;
        self.next_number
    }

    fn number(&mut self, key: Key<'a>) -> u32 {
        if let Some(n) = self.keys.get(&key) {
            return *n;
        }
        let n = self.fresh();
        self.keys.insert(key, n);
        n
    }

    /// The number of a declared local's value at function entry.
    fn initial(&mut self, ty: ValType) -> u32 {
        match (ty, initial_value(ty)) {
            // One null value whatever its heap type, as `ref.null` reads get.
            (ValType::Ref(_), Some(_)) => self.number(Key::Null),
            (_, Some(zero)) => self.number(Key::Op(OpKey(zero), SmallVec::new())),
            // Must be set before use: nothing is known.
            (_, None) => self.fresh(),
        }
    }

    fn spend(&mut self, work: u64) -> Result<(), GiveUp> {
        self.work_left = self.work_left.checked_sub(work).ok_or(GiveUp)?;
        Ok(())
    }

    fn copy(&mut self, state: &State) -> Result<State, GiveUp> {
        self.spend(state.as_ref().map_or(1, |s| s.len() as u64))?;
        Ok(state.clone())
    }

    fn push(&mut self, label: ExprId, state: &State) -> Result<(), GiveUp> {
        if let Some(s) = self.copy(state)? {
            self.incoming.entry(label).or_default().push(s);
            self.pushed.push(label);
        }
        Ok(())
    }

    /// Forgets the states pushed since `mark` (a loop walk being redone).
    fn undo(&mut self, mark: usize) {
        for label in self.pushed.drain(mark..) {
            if let Some(states) = self.incoming.get_mut(&label) {
                states.pop();
            }
        }
    }

    /// The state where `fallthrough` and the branches to `label` meet.
    fn merge(&mut self, fallthrough: State, label: ExprId) -> Result<State, GiveUp> {
        let mut states = self.incoming.remove(&label).unwrap_or_default();
        states.extend(fallthrough);
        let Some(first) = states.pop() else {
            return Ok(None);
        };
        if states.is_empty() {
            return Ok(Some(first));
        }
        self.spend(((states.len() + 1) * first.len()) as u64)?;
        // Locals that disagree get one number per combination of incoming
        // numbers, so copies made on every path stay copies.
        let mut merged: FastMap<SmallVec<[u32; 4]>, u32> = FastMap::default();
        let mut out = first;
        for local in 0..out.len() {
            if states.iter().all(|s| s[local] == out[local]) {
                continue;
            }
            let combination: SmallVec<[u32; 4]> = states
                .iter()
                .map(|s| s[local])
                .chain([out[local]])
                .collect();
            let n = match merged.get(&combination) {
                Some(n) => *n,
                None => {
                    let n = self.fresh();
                    merged.insert(combination, n);
                    n
                }
            };
            out[local] = n;
        }
        Ok(Some(out))
    }

    /// `state` with a fresh number for every local written inside `bodies`.
    fn clobber(&mut self, state: &State, bodies: &[&[ExprId]]) -> Result<State, GiveUp> {
        let mut out = self.copy(state)?;
        let Some(values) = &mut out else {
            return Ok(None);
        };
        let mut written = Vec::new();
        for body in bodies {
            for &stmt in *body {
                let nodes = self.func.walk(stmt);
                self.spend(nodes.len() as u64)?;
                for id in nodes {
                    match &self.func.expr(id).kind {
                        Kind::Op(
                            Operator::LocalSet { local_index } | Operator::LocalTee { local_index },
                        ) => written.push(*local_index),
                        Kind::Assign { locals } => written.extend(locals),
                        _ => {}
                    }
                }
            }
        }
        written.sort_unstable();
        written.dedup();
        for local in written {
            let n = self.fresh();
            if let Some(v) = values.get_mut(local as usize) {
                *v = n;
            }
        }
        Ok(out)
    }

    fn eval_body(&mut self, body: &[ExprId], state: &mut State) -> Result<(), GiveUp> {
        for &stmt in body {
            self.eval(stmt, state)?;
        }
        Ok(())
    }

    /// Walks `id` from `state`, leaving the state after it; returns the
    /// number of its value (fresh when it has no single known value).
    fn eval(&mut self, id: ExprId, state: &mut State) -> Result<u32, GiveUp> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        self.spend(1)?;
        self.position += 1;
        self.optimistic_visits_left = self.optimistic_visits_left.saturating_sub(1);
        let func = self.func;
        let expr = func.expr(id);
        let mut operands: SmallVec<[u32; 2]> = SmallVec::new();
        for &arg in &expr.args {
            operands.push(self.eval(arg, state)?);
        }
        let mut number = None;
        match &expr.kind {
            Kind::Op(op) => number = self.operator(id, op, &operands, state),
            Kind::Branch { op, targets } => {
                if !matches!(**op, Operator::Rethrow { .. }) {
                    let mut seen: SmallVec<[ExprId; 4]> = SmallVec::new();
                    for &target in targets {
                        if !seen.contains(&target) {
                            seen.push(target);
                            self.push(target, state)?;
                        }
                    }
                }
            }
            Kind::Pop => {}
            Kind::Assign { locals } => {
                for &local in locals {
                    let n = self.fresh();
                    if let Some(v) = state.as_mut().and_then(|s| s.get_mut(local as usize)) {
                        *v = n;
                    }
                }
            }
            Kind::Block { body, .. } => {
                self.eval_body(body, state)?;
                *state = self.merge(state.take(), id)?;
            }
            Kind::Loop { body, .. } => self.eval_loop(id, body, state)?,
            Kind::If {
                then_body,
                else_body,
                ..
            } => {
                let mut other = self.copy(state)?;
                self.eval_body(then_body, state)?;
                if let Some(else_body) = else_body {
                    self.eval_body(else_body, &mut other)?;
                }
                if let Some(s) = self.copy(&other)? {
                    self.incoming.entry(id).or_default().push(s);
                }
                *state = self.merge(state.take(), id)?;
            }
            Kind::Try(t) => {
                let handler = self.clobber(state, &[&t.body])?;
                self.eval_body(&t.body, state)?;
                for catch in &t.catches {
                    let mut s = self.copy(&handler)?;
                    self.eval_body(&catch.body, &mut s)?;
                    if let Some(s) = s {
                        self.incoming.entry(id).or_default().push(s);
                    }
                }
                *state = self.merge(state.take(), id)?;
            }
            Kind::TryTable(t) => {
                let handler = self.clobber(state, &[&t.body])?;
                let mut seen: SmallVec<[ExprId; 4]> = SmallVec::new();
                for &target in &t.targets {
                    if !seen.contains(&target) {
                        seen.push(target);
                        self.push(target, &handler)?;
                    }
                }
                self.eval_body(&t.body, state)?;
                *state = self.merge(state.take(), id)?;
            }
        }
        if expr.results == Results::Unreachable {
            *state = None;
        }
        self.depth -= 1;
        Ok(number.unwrap_or_else(|| self.fresh()))
    }

    /// A loop. The header is first assumed to see the entry state; each
    /// local some back edge disagrees on becomes unknown at the header and
    /// the body is walked again, until the back edges agree (a fixed point)
    /// or the rounds run out and every local the loop writes is unknown.
    fn eval_loop(&mut self, id: ExprId, body: &[ExprId], state: &mut State) -> Result<(), GiveUp> {
        let entry = self.copy(state)?;
        let mut header = self.copy(state)?;
        let mut unknown = vec![false; entry.as_ref().map_or(0, Vec::len)];
        for _ in 0..LOOP_ROUNDS {
            if self.optimistic_visits_left == 0 {
                break;
            }
            let mark = self.pushed.len();
            *state = self.copy(&header)?;
            self.eval_body(body, state)?;
            let back_edges = self.incoming.remove(&id).unwrap_or_default();
            let Some(values) = &mut header else {
                return Ok(());
            };
            let mut agreed = true;
            for local in 0..values.len() {
                if !unknown[local] && back_edges.iter().any(|b| b[local] != values[local]) {
                    unknown[local] = true;
                    values[local] = self.fresh();
                    agreed = false;
                }
            }
            if agreed {
                return Ok(());
            }
            self.undo(mark);
        }
        *state = self.clobber(&entry, &[body])?;
        self.eval_body(body, state)?;
        self.incoming.remove(&id);
        Ok(())
    }

    /// Effects of a plain instruction on the state; its value's number when
    /// it has one beyond "fresh".
    fn operator(
        &mut self,
        id: ExprId,
        op: &Operator<'a>,
        operands: &[u32],
        state: &mut State,
    ) -> Option<u32> {
        match *op {
            Operator::LocalGet { local_index } => {
                let values = state.as_ref()?;
                let number = values.get(local_index as usize).copied()?;
                self.observer.get(id, local_index, values, self.position);
                Some(number)
            }
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                let value = *operands.first()?;
                let values = state.as_mut()?;
                values.get(local_index as usize)?;
                self.observer
                    .set(id, local_index, value, values, self.position);
                values[local_index as usize] = value;
                Some(value)
            }
            Operator::RefNull { .. } => Some(self.number(Key::Null)),
            Operator::I32Const { .. }
            | Operator::I64Const { .. }
            | Operator::F32Const { .. }
            | Operator::F64Const { .. }
            | Operator::V128Const { .. }
            | Operator::RefFunc { .. } => {
                Some(self.number(Key::Op(OpKey(op.clone()), SmallVec::new())))
            }
            // Integer results of operations that only compute: the same
            // operation on the same values gives the same value (float
            // results are left out: NaN bits need not repeat).
            _ if effects::of_operator(op) == effects::Effects::NONE
                && matches!(
                    self.func.expr(id).results,
                    Results::One(ValType::I32 | ValType::I64)
                )
                && !matches!(op, Operator::Drop | Operator::Nop) =>
            {
                Some(self.number(Key::Op(OpKey(op.clone()), operands.into())))
            }
            _ => None,
        }
    }
}

/// Removes the redundant sets and tees: a set becomes a `drop` of its value
/// (nothing when the value only reads state), a tee its value.
fn remove(func: &mut Function<'_>, redundant: &[ExprId]) {
    let mut tee_values: HashMap<ExprId, ExprId> = HashMap::new();
    for &id in redundant {
        let expr = func.expr(id);
        let value = expr.args[0];
        // The value's own type must be the tee's (a subtype would change
        // the enclosing expression's type).
        if matches!(expr.kind, Kind::Op(Operator::LocalTee { .. }))
            && func.expr(value).results == expr.results
        {
            tee_values.insert(id, value);
        }
    }
    // A tee's value may itself be a removed tee.
    let resolve = |mut id: ExprId| {
        while let Some(value) = tee_values.get(&id) {
            id = *value;
        }
        id
    };
    for owner in func.walk(func.body) {
        let args: Args = func.expr(owner).args.iter().map(|a| resolve(*a)).collect();
        func.expr_mut(owner).args = args;
        for body in func.bodies_mut(owner) {
            for stmt in body.iter_mut() {
                *stmt = resolve(*stmt);
            }
        }
    }
    // Sets after tees: a set's value may have been a tee, now gone.
    let mut gone = HashSet::new();
    for &id in redundant {
        if let Kind::Op(Operator::LocalSet { .. }) = func.expr(id).kind {
            if effects::of_tree(func, func.expr(id).args[0]).removable() {
                gone.insert(id);
            } else {
                func.expr_mut(id).kind = Kind::Op(Operator::Drop);
            }
        }
    }
    for owner in func.walk(func.body) {
        for body in func.bodies_mut(owner) {
            body.retain(|s| !gone.contains(s));
        }
    }
}
