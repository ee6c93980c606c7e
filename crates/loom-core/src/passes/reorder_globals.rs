//! `reorder-globals`: gives the most-used defined globals the lowest
//! indices, so the LEB128 indices in `global.get`/`global.set`,
//! initializers, segments and exports are as short as they can be (the
//! first 128 indices take one byte). Imports keep their indices.
//!
//! An initializer may only read globals before its own, so the new order
//! is a topological order of the "initializer reads" relation: among the
//! globals whose dependencies are already placed, the most-used goes next
//! (ties keep input order, so output is deterministic). Static use counts
//! decide; the pass changes nothing unless the new order encodes in fewer
//! bytes.

use crate::error::Error;
use crate::global_uses::{self, GlobalUse};
use crate::module::Module;
use crate::pass::Changed;
use crate::remap::REMOVED;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

pub fn run(module: &mut Module<'_>) -> Result<Changed, Error> {
    let total = module.types.as_ref().global_count() as usize;
    let output = |g: usize| match &module.maps.globals {
        None => Some(g as u32),
        Some(map) => map.get(g).copied().filter(|&i| i != REMOVED),
    };
    let mut uses = vec![0u64; total];
    let mut reads: Vec<(usize, usize)> = Vec::new();
    global_uses::for_each(module, |g, how| {
        if let Some(count) = uses.get_mut(g as usize) {
            *count += 1;
        }
        if let GlobalUse::Initializer(owner) = how {
            reads.push((owner as usize, g as usize));
        }
    })?;
    let imported = match module.sections.iter().find(|s| s.id == 2) {
        Some(s) => {
            crate::remap::ImportCounts::of(module.bytes, s.range.clone())
                .map_err(|e| Error::Encode(e.to_string()))?
                .globals as usize
        }
        None => 0,
    };

    // Surviving defined globals by output index (globals merged into one
    // index count together), in current order.
    let mut by_output: Vec<(u32, usize)> = (imported..total)
        .filter_map(|g| output(g).map(|out| (out, g)))
        .collect();
    by_output.sort_unstable();
    let mut outputs: Vec<(u32, u64)> = Vec::new();
    for &(out, g) in &by_output {
        match outputs.last_mut() {
            Some((last, count)) if *last == out => *count += uses[g],
            _ => outputs.push((out, uses[g])),
        }
    }
    let Some(&(first, _)) = outputs.first() else {
        return Ok(false);
    };
    let position: HashMap<u32, usize> = outputs
        .iter()
        .enumerate()
        .map(|(i, &(out, _))| (out, i))
        .collect();

    // Dependencies between positions: an initializer's reads of other
    // defined globals must stay before it.
    let mut waiting_on = vec![0usize; outputs.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); outputs.len()];
    for (owner, read) in reads {
        let at = |g: usize| output(g).and_then(|out| position.get(&out).copied());
        if let (Some(owner), Some(read)) = (at(owner), at(read)) {
            waiting_on[owner] += 1;
            dependents[read].push(owner);
        }
    }
    // Two candidate orders: by each global's own count, and by its count
    // plus those of the globals that wait for it (a rarely used global that
    // a hot one depends on moves up with it); the smaller encoding wins.
    let counts: Vec<u64> = outputs.iter().map(|&(_, count)| count).collect();
    let mut with_dependents = counts.clone();
    let Some(by_count) = topological(&counts, &waiting_on, &dependents) else {
        // A cycle cannot occur in a valid module; change nothing.
        return Ok(false);
    };
    for &p in by_count.iter().rev() {
        // Dependents come later in any topological order: already summed.
        let extra = dependents[p]
            .iter()
            .fold(0u64, |sum, &d| sum.saturating_add(with_dependents[d]));
        with_dependents[p] = with_dependents[p].saturating_add(extra);
    }
    let by_weight =
        topological(&with_dependents, &waiting_on, &dependents).unwrap_or_else(|| by_count.clone());
    let size = |order: &[usize]| -> u64 {
        order
            .iter()
            .enumerate()
            .map(|(rank, &p)| counts[p] * leb_size(first + rank as u32))
            .sum()
    };
    let before: u64 = outputs
        .iter()
        .map(|&(out, count)| count * leb_size(out))
        .sum();
    let order = if size(&by_weight) < size(&by_count) {
        by_weight
    } else {
        by_count
    };
    if size(&order) >= before {
        return Ok(false);
    }
    let mut rank_of = vec![0u32; outputs.len()];
    for (rank, &p) in order.iter().enumerate() {
        rank_of[p] = first + rank as u32;
    }
    let map: Vec<u32> = (0..total)
        .map(|g| match output(g) {
            Some(out) => position.get(&out).map_or(out, |&p| rank_of[p]),
            None => REMOVED,
        })
        .collect();
    module.maps.globals = Some(map);
    Ok(true)
}

/// The positions in an order where each comes after everything it waits
/// for, taking the highest `priority` among those ready (ties: lowest
/// position first); `None` when the graph has a cycle.
fn topological(
    priority: &[u64],
    waiting_on: &[usize],
    dependents: &[Vec<usize>],
) -> Option<Vec<usize>> {
    let mut waiting_on = waiting_on.to_vec();
    let mut ready: BinaryHeap<(u64, Reverse<usize>)> = (0..priority.len())
        .filter(|&p| waiting_on[p] == 0)
        .map(|p| (priority[p], Reverse(p)))
        .collect();
    let mut order = Vec::with_capacity(priority.len());
    while let Some((_, Reverse(p))) = ready.pop() {
        order.push(p);
        for &next in &dependents[p] {
            waiting_on[next] -= 1;
            if waiting_on[next] == 0 {
                ready.push((priority[next], Reverse(next)));
            }
        }
    }
    (order.len() == priority.len()).then_some(order)
}

/// Bytes of an unsigned LEB128 encoding of `index`.
fn leb_size(index: u32) -> u64 {
    crate::leb::unsigned_size(index.into()) as u64
}
