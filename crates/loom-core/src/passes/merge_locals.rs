//! `merge-locals`: after a copy `local.set $a (local.get $b)` both locals
//! hold the same value, and a later read of one could read the other. When
//! every read of `$b`'s copied value after the copy can read `$a` instead,
//! they do, and `$b`'s live range ends at the copy; otherwise, when every
//! read of `$a`'s copied value can read `$b`, they do, and the copy itself
//! becomes dead. Either way `$a` and `$b` stop interfering, so
//! `coalesce-locals` can give them one index (the copy becomes a set of a
//! local to itself) or `simplify-locals` can drop the dead copy. This pass
//! only renames reads; on its own it does not shrink code.
//!
//! Which locals hold equal values at each read comes from the value
//! numbering of `redundant-set-elimination` (flow-sensitive, so a local
//! written again in between no longer counts as equal). Every rewritten
//! read reads a local holding the same value at that point, so any set of
//! rewrites is correct; the all-or-nothing choice per copy is only about
//! whether it pays. Locals of different types, and non-nullable locals
//! (whose initialization the validator tracks by structure), are left
//! alone.

use super::redundant_set_elimination::{non_nullable, number_locals, Observer};
use crate::ir::{ExprId, FastMap, Function, Kind};
use crate::pass::Changed;
use smallvec::SmallVec;
use wasmparser::{Operator, ValType};

/// Bounds the copy partners tracked per local, and so the work per read.
const MAX_PARTNERS: usize = 8;
/// Bounds the rounds per function: renaming reads can open new chances
/// (chains of copies), so the pass repeats until nothing changes, the reads
/// repeat an earlier round's (see `run`), or this.
const MAX_ROUNDS: usize = 8;

/// Rounds until the reads settle. Renames for one copy can undo another's
/// (in a knot of copies that all hold one value, reads move back and forth
/// between its locals), so the reads may cycle instead of settling. On a
/// cycle the pass keeps the least of its states (comparing the locals read,
/// in walk order): the same state whichever one it entered the cycle at, so
/// running the pass on its own output changes nothing and the function
/// stage does not spend its rounds on it.
pub fn run(func: &mut Function<'_>) -> Changed {
    let mut copies = find_copies(func);
    if copies.is_empty() {
        return false;
    }
    let gets: Vec<ExprId> = func
        .local_accesses()
        .into_iter()
        .filter(|&id| matches!(func.expr(id).kind, Kind::Op(Operator::LocalGet { .. })))
        .collect();
    let read_locals = |func: &Function<'_>| -> Vec<u32> {
        gets.iter()
            .map(|&id| match func.expr(id).kind {
                Kind::Op(Operator::LocalGet { local_index }) => local_index,
                _ => unreachable!("merge-locals renames reads, never removes them"),
            })
            .collect()
    };
    let mut states = vec![read_locals(func)];
    for _ in 0..MAX_ROUNDS {
        if !round(func, &copies) {
            break;
        }
        let now = read_locals(func);
        if let Some(first) = states.iter().position(|state| *state == now) {
            let least = states[first..].iter().min().expect("the cycle holds `now`");
            for (&id, &local) in gets.iter().zip(least) {
                func.expr_mut(id).kind = Kind::Op(Operator::LocalGet { local_index: local });
            }
            return *least != states[0];
        }
        states.push(now);
        copies = find_copies(func);
    }
    states.len() > 1
}

/// One analysis and the renames it allows, for the copies the function has.
fn round(func: &mut Function<'_>, copies: &[Copy]) -> Changed {
    let mut partners: Vec<SmallVec<[u32; 4]>> =
        vec![SmallVec::new(); func.params.len() + func.locals.len()];
    for copy in copies {
        for (x, y) in [(copy.to, copy.from), (copy.from, copy.to)] {
            let list = &mut partners[x as usize];
            if !list.contains(&y) && list.len() < MAX_PARTNERS {
                list.push(y);
            }
        }
    }
    let mut facts = Facts {
        partners,
        gets: FastMap::default(),
        sets: FastMap::default(),
    };
    if number_locals(func, &mut facts).is_none() {
        return false;
    }

    // Reads by the local they read and the value they see, in order.
    let mut reads: FastMap<(u32, u32), Vec<ExprId>> = FastMap::default();
    let mut ordered: Vec<(&ExprId, &Read)> = facts.gets.iter().collect();
    ordered.sort_by_key(|(_, read)| read.position);
    for (id, read) in &ordered {
        reads
            .entry((read.local, read.value))
            .or_default()
            .push(**id);
    }

    let mut renamed: FastMap<ExprId, u32> = FastMap::default();
    for copy in copies {
        let Some(&(value, position)) = facts.sets.get(&copy.set) else {
            continue;
        };
        let after = |local: u32| -> Vec<ExprId> {
            reads
                .get(&(local, value))
                .map(|ids| {
                    ids.iter()
                        .copied()
                        .filter(|id| facts.gets[id].position > position)
                        .collect()
                })
                .unwrap_or_default()
        };
        let source_reads = after(copy.from);
        if source_reads.is_empty() {
            // `$b` already dies at the copy.
            continue;
        }
        let can_read = |ids: &[ExprId], other: u32| {
            ids.iter()
                .all(|id| !renamed.contains_key(id) && facts.gets[id].equal.contains(&other))
        };
        let chosen = if can_read(&source_reads, copy.to) {
            Some((source_reads, copy.to))
        } else {
            let copy_reads = after(copy.to);
            (!copy_reads.is_empty() && can_read(&copy_reads, copy.from))
                .then_some((copy_reads, copy.from))
        };
        if let Some((ids, local)) = chosen {
            for id in ids {
                renamed.insert(id, local);
            }
        }
    }
    for (&id, &local) in &renamed {
        func.expr_mut(id).kind = Kind::Op(Operator::LocalGet { local_index: local });
    }
    !renamed.is_empty()
}

/// A copy `local.set $to (local.get $from)` (or a tee).
struct Copy {
    set: ExprId,
    to: u32,
    from: u32,
}

/// Copies between distinct locals of the same type, neither non-nullable.
fn find_copies(func: &Function<'_>) -> Vec<Copy> {
    let ty = |local: u32| -> Option<ValType> {
        let params = func.params.len();
        match (local as usize).checked_sub(params) {
            None => func.params.get(local as usize).copied(),
            Some(i) => func.locals.get(i).copied(),
        }
    };
    let mut copies = Vec::new();
    for id in func.walk(func.body) {
        let expr = func.expr(id);
        let (
            Kind::Op(
                Operator::LocalSet { local_index: to } | Operator::LocalTee { local_index: to },
            ),
            [value],
        ) = (&expr.kind, expr.args.as_slice())
        else {
            continue;
        };
        let Kind::Op(Operator::LocalGet { local_index: from }) = func.expr(*value).kind else {
            continue;
        };
        if *to != from
            && ty(*to).is_some()
            && ty(*to) == ty(from)
            && !non_nullable(func, *to)
            && !non_nullable(func, from)
        {
            copies.push(Copy {
                set: id,
                to: *to,
                from,
            });
        }
    }
    copies
}

/// A read of a local with copy partners.
struct Read {
    local: u32,
    /// The number of the value read.
    value: u32,
    position: u32,
    /// The partners holding the same value here.
    equal: SmallVec<[u32; 4]>,
}

/// What the value numbering says about the copies and their partners' reads.
/// (Reachability does not depend on values, so a node reported in a walk
/// that was redone is reported again: no stale fact survives.)
struct Facts {
    partners: Vec<SmallVec<[u32; 4]>>,
    gets: FastMap<ExprId, Read>,
    /// By set or tee: the stored value's number and position.
    sets: FastMap<ExprId, (u32, u32)>,
}

impl Observer for Facts {
    fn get(&mut self, id: ExprId, local: u32, values: &[u32], position: u32) {
        let partners = &self.partners[local as usize];
        if partners.is_empty() {
            return;
        }
        let value = values[local as usize];
        let equal = partners
            .iter()
            .copied()
            .filter(|p| values[*p as usize] == value)
            .collect();
        self.gets.insert(
            id,
            Read {
                local,
                value,
                position,
                equal,
            },
        );
    }

    fn set(&mut self, id: ExprId, local: u32, value: u32, _: &[u32], position: u32) {
        if !self.partners[local as usize].is_empty() {
            self.sets.insert(id, (value, position));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::{Code, Module};

    /// The copy back makes `$b` and `$a` equal again after it, and each
    /// copy's rename undoes the other's on the last read: the reads cycle.
    const COPY_BACK: &str = r#"(module
      (global $g (mut i32) (i32.const 0))
      (func (param $b i32) (result i32)
        (local $a i32)
        (local.set $a (local.get $b))
        (global.set $g (local.get $b))
        (local.set $b (local.get $a))
        (local.get $b)))"#;

    #[test]
    fn a_cycle_of_renames_settles_where_a_second_run_finds_nothing() {
        let wasm = wat::parse_str(COPY_BACK).unwrap();
        let mut module = Module::read(&wasm, wasmparser::WasmFeatures::default()).unwrap();
        let Code::Lifted(func) = &mut module.code[0] else {
            panic!("the function is lifted")
        };
        assert!(run(func));
        assert!(!run(func), "the pass's own output is a fixed point");
    }
}
