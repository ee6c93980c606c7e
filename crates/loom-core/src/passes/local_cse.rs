//! `local-cse`: an expression tree computed again, with the same operators,
//! immediates and operand values, is computed once: the first occurrence
//! stores its value in a new local with `local.tee`, later ones read it with
//! `local.get`, where that makes the code smaller.
//!
//! Trees are numbered bottom-up by hashing (operator, operand numbers), so
//! the pass is linear. What a tree reads is part of its number: a
//! `local.get` carries how many times that local has been written so far, a
//! `global.get` the writes of that global and of any global (by calls), a
//! load the writes to memory (stores, calls, unknown instructions). So two
//! trees with one number compute one value. A tree qualifies when every
//! node only reads state, or may trap (a repeat of a computation that did
//! not trap cannot trap), and it gives one non-reference value; calls,
//! writes, control flow and unknown instructions never do.
//!
//! A first occurrence is reused only where it dominates: later in its own
//! body or in bodies nested there. Inside a loop, trees from before the
//! loop are not reused (the loop may write what they read after the point
//! where they would be reused, on the next iteration). Code after a block,
//! `if` or `try` does not reuse what was computed inside it.

use crate::effects::{self, Effects};
use crate::ir::{ExprId, FastMap, Function, Kind, OpKey, Results};
use crate::pass::Changed;
use smallvec::SmallVec;
use wasmparser::{Operator, ValType};

/// Bounds the recursion depth (nesting of expressions and bodies): deeper
/// functions are left unchanged instead of overflowing the stack.
const MAX_DEPTH: u32 = 1000;
/// Bytes a new local's declaration may cost (a count and a type).
const DECLARATION_BYTES: u64 = 2;

pub fn run(func: &mut Function<'_>) -> Changed {
    let mut finder = Finder {
        func,
        numbers: FastMap::default(),
        number_of: vec![None; func.exprs.len()],
        size: vec![0; func.exprs.len()],
        visible: FastMap::default(),
        inserted: Vec::new(),
        repeat_of: vec![None; func.exprs.len()],
        repeats: FastMap::default(),
        local_writes: vec![0; func.params.len() + func.locals.len()],
        global_writes: FastMap::default(),
        any_global_writes: 0,
        memory_writes: 0,
        loop_epoch: 0,
        epochs: 0,
        depth: 0,
    };
    if finder.eval(func.body).is_err() {
        return false;
    }
    let Finder {
        repeats,
        size,
        repeat_of,
        ..
    } = finder;
    let mut firsts: Vec<(ExprId, Vec<ExprId>)> = repeats
        .into_iter()
        .map(|(first, later)| {
            let later: Vec<ExprId> = later
                .into_iter()
                .filter(|r| repeat_of[r.index()] == Some(first))
                .collect();
            (first, later)
        })
        .filter(|(_, later)| !later.is_empty())
        .collect();
    firsts.sort_by_key(|(first, _)| *first);
    // Every new local is priced at the index the first would get:
    // coalesce-locals then packs them with the others. Priced one by one,
    // those past an index of 127 cost a byte more per access, so each run
    // took only the few that fit below it, and a function with many locals
    // kept changing round after round (esbuild's largest, 20 rounds).
    let access = 1 + leb_len((func.params.len() + func.locals.len()) as u64);
    let mut changed = false;
    for (first, later) in firsts {
        let Results::One(ty) = func.expr(first).results else {
            continue;
        };
        let saved = later.len() as u64 * size[first.index()];
        let cost = access * (later.len() as u64 + 1) + DECLARATION_BYTES;
        if saved <= cost {
            continue;
        }
        let local = func.add_local(ty);
        // The first occurrence moves to a new node under a tee in its place
        // (it is no label: nothing refers to it by id).
        let moved = func.exprs[first.index()].clone();
        let moved_id = func.add(moved.kind, moved.args, moved.results);
        let tee = func.expr_mut(first);
        tee.kind = Kind::Op(Operator::LocalTee { local_index: local });
        tee.args = smallvec::smallvec![moved_id];
        for id in later {
            let get = func.expr_mut(id);
            get.kind = Kind::Op(Operator::LocalGet { local_index: local });
            get.args.clear();
        }
        changed = true;
    }
    changed
}

/// The analysis gave up (too deep).
struct GiveUp;

/// What makes two trees equal: the operator, its operands' numbers and the
/// writes seen so far of the state it reads.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key<'a> {
    op: OpKey<'a>,
    operands: SmallVec<[u32; 2]>,
    /// Writes seen of what it reads (two counts), and the loop it is in.
    state: [u64; 3],
}

struct Finder<'f, 'a> {
    func: &'f Function<'a>,
    numbers: FastMap<Key<'a>, u32>,
    /// By node: its tree's number, when it qualifies.
    number_of: Vec<Option<u32>>,
    /// By node: its tree's estimated encoded size in bytes.
    size: Vec<u64>,
    /// Tree numbers with a first occurrence that dominates the current point.
    visible: FastMap<u32, ExprId>,
    /// Numbers made visible, in order, to hide them when their body ends.
    inserted: Vec<u32>,
    /// By node: the first occurrence it repeats (cleared when a repeat
    /// inside a larger repeat is subsumed by it).
    repeat_of: Vec<Option<ExprId>>,
    repeats: FastMap<ExprId, Vec<ExprId>>,
    local_writes: Vec<u64>,
    global_writes: FastMap<u32, u64>,
    any_global_writes: u64,
    memory_writes: u64,
    /// Which loop body (or none) the walk is in; part of every state read.
    loop_epoch: u64,
    epochs: u64,
    depth: u32,
}

impl<'a> Finder<'_, 'a> {
    fn body(&mut self, body: &[ExprId]) -> Result<(), GiveUp> {
        let mark = self.inserted.len();
        for &stmt in body {
            self.eval(stmt)?;
        }
        for number in self.inserted.drain(mark..) {
            self.visible.remove(&number);
        }
        Ok(())
    }

    fn eval(&mut self, id: ExprId) -> Result<(), GiveUp> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        let func = self.func;
        let expr = func.expr(id);
        for &arg in &expr.args {
            self.eval(arg)?;
        }
        match &expr.kind {
            Kind::Op(op) => self.operator(id, op),
            Kind::Block { body, .. } => self.body(body)?,
            Kind::Loop { body, .. } => {
                let outer = self.loop_epoch;
                self.epochs += 1;
                self.loop_epoch = self.epochs;
                self.body(body)?;
                self.loop_epoch = outer;
            }
            Kind::If {
                then_body,
                else_body,
                ..
            } => {
                self.body(then_body)?;
                if let Some(else_body) = else_body {
                    self.body(else_body)?;
                }
            }
            Kind::Try(t) => {
                self.body(&t.body)?;
                for catch in &t.catches {
                    self.body(&catch.body)?;
                }
            }
            Kind::TryTable(t) => self.body(&t.body)?,
            Kind::Assign { locals } => {
                for &local in locals {
                    self.wrote_local(local);
                }
            }
            Kind::Branch { .. } | Kind::Pop => {}
        }
        self.depth -= 1;
        Ok(())
    }

    fn wrote_local(&mut self, local: u32) {
        if let Some(writes) = self.local_writes.get_mut(local as usize) {
            *writes += 1;
        }
    }

    fn operator(&mut self, id: ExprId, op: &Operator<'a>) {
        let effects = effects::of_operator(op);
        match *op {
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                self.wrote_local(local_index)
            }
            Operator::GlobalSet { global_index } => {
                *self.global_writes.entry(global_index).or_default() += 1
            }
            _ => {}
        }
        if effects.intersects(Effects::CALLS | Effects::OTHER_STATE) {
            self.any_global_writes += 1;
        }
        if effects.intersects(Effects::WRITES_MEMORY | Effects::CALLS | Effects::OTHER_STATE) {
            self.memory_writes += 1;
        }
        let Some(key) = self.key(id, op, effects) else {
            return;
        };
        let expr = self.func.expr(id);
        self.size[id.index()] =
            immediate_bytes(op) + 1 + expr.args.iter().map(|a| self.size[a.index()]).sum::<u64>();
        let next = self.numbers.len() as u32;
        let number = *self.numbers.entry(key).or_insert(next);
        self.number_of[id.index()] = Some(number);
        match self.visible.get(&number) {
            Some(&first) => {
                self.repeat_of[id.index()] = Some(first);
                self.repeats.entry(first).or_default().push(id);
                // The operands' own repeats are part of this one.
                for arg in &expr.args {
                    self.repeat_of[arg.index()] = None;
                }
            }
            None => {
                self.visible.insert(number, id);
                self.inserted.push(number);
            }
        }
    }

    /// The key of a qualifying tree rooted at `id`, `None` if it does not
    /// qualify.
    fn key(&self, id: ExprId, op: &Operator<'a>, effects: Effects) -> Option<Key<'a>> {
        let allowed =
            Effects::READS_LOCAL | Effects::READS_GLOBAL | Effects::READS_MEMORY | Effects::TRAPS;
        if !allowed.contains(effects) || matches!(op, Operator::Drop | Operator::Nop) {
            return None;
        }
        let expr = self.func.expr(id);
        match expr.results {
            Results::One(
                ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64 | ValType::V128,
            ) => {}
            _ => return None,
        }
        let operands = expr
            .args
            .iter()
            .map(|a| self.number_of[a.index()])
            .collect::<Option<SmallVec<[u32; 2]>>>()?;
        let state = match *op {
            Operator::LocalGet { local_index } => [
                *self.local_writes.get(local_index as usize)?,
                0,
                self.loop_epoch,
            ],
            Operator::GlobalGet { global_index } => [
                self.global_writes.get(&global_index).copied().unwrap_or(0),
                self.any_global_writes,
                self.loop_epoch,
            ],
            _ if effects.contains(Effects::READS_MEMORY) => {
                [self.memory_writes, 0, self.loop_epoch]
            }
            _ => [0, 0, 0],
        };
        Some(Key {
            op: OpKey(op.clone()),
            operands,
            state,
        })
    }
}

/// Estimated bytes of an operator's immediates.
fn immediate_bytes(op: &Operator<'_>) -> u64 {
    match *op {
        Operator::I32Const { value } => sleb_len(value.into()),
        Operator::I64Const { value } => sleb_len(value),
        Operator::F32Const { .. } => 4,
        Operator::F64Const { .. } => 8,
        Operator::V128Const { .. } => 17,
        Operator::LocalGet { local_index } => leb_len(local_index.into()),
        Operator::GlobalGet { global_index } => leb_len(global_index.into()),
        Operator::I32Load { memarg }
        | Operator::I64Load { memarg }
        | Operator::F32Load { memarg }
        | Operator::F64Load { memarg }
        | Operator::I32Load8S { memarg }
        | Operator::I32Load8U { memarg }
        | Operator::I32Load16S { memarg }
        | Operator::I32Load16U { memarg }
        | Operator::I64Load8S { memarg }
        | Operator::I64Load8U { memarg }
        | Operator::I64Load16S { memarg }
        | Operator::I64Load16U { memarg }
        | Operator::I64Load32S { memarg }
        | Operator::I64Load32U { memarg }
        | Operator::V128Load { memarg } => 1 + leb_len(memarg.offset),
        _ => 0,
    }
}

/// Bytes of `n` as an unsigned LEB128.
fn leb_len(n: u64) -> u64 {
    crate::leb::unsigned_size(n) as u64
}

/// Bytes of `n` as a signed LEB128.
fn sleb_len(n: i64) -> u64 {
    crate::leb::signed_size(n) as u64
}
