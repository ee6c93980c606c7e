//! `reorder-locals`: gives the most-used locals the lowest indices, so
//! that most `local.get`/`set`/`tee` indices take one LEB byte (indices
//! below 128), and removes declared locals that are never used. Locals
//! are sorted by use count (ties: first use in the order the code runs,
//! operands before their users, which is the order the writer emits and
//! lifting does not change: so optimizing the output again keeps it); then, within each range of indices of the same encoded
//! size, where the order costs nothing, locals of one type are put
//! together so the declarations need fewer (count, type) runs.
//! Parameters never move.

use crate::ir::{ExprId, Function, Kind};
use crate::pass::Changed;
use wasmparser::{Operator, ValType};

pub fn run(func: &mut Function<'_>) -> Changed {
    let params = func.params.len();
    let total = params + func.locals.len();
    let mut uses = vec![0u32; total];
    let mut first_use = vec![u32::MAX; total];
    let mut seen = 0u32;
    let mut count = |l: u32| {
        let l = l as usize;
        uses[l] += 1;
        if first_use[l] == u32::MAX {
            first_use[l] = seen;
            seen += 1;
        }
    };
    for id in accesses_in_evaluation_order(func) {
        match &func.expr(id).kind {
            Kind::Op(
                Operator::LocalGet { local_index }
                | Operator::LocalSet { local_index }
                | Operator::LocalTee { local_index },
            ) => count(*local_index),
            Kind::Assign { locals } => locals.iter().for_each(|l| count(*l)),
            _ => {}
        }
    }
    let mut order: Vec<u32> = (params as u32..total as u32)
        .filter(|&l| uses[l as usize] > 0)
        .collect();
    order.sort_by_key(|&l| (std::cmp::Reverse(uses[l as usize]), first_use[l as usize]));
    let types: Vec<ValType> = func.params.iter().chain(&func.locals).copied().collect();
    group_by_type(&mut order, params, &types);

    let mut new_index: Vec<u32> = (0..total as u32).collect();
    for (position, &l) in order.iter().enumerate() {
        new_index[l as usize] = (params + position) as u32;
    }
    let unchanged = order.len() == func.locals.len()
        && order
            .iter()
            .enumerate()
            .all(|(position, &l)| l as usize == params + position);
    if unchanged {
        // Locals the writer keeps on the stack are only dropped by it when
        // it may renumber them: from here on, it may renumber all.
        let changed = func.scratch_from != params as u32;
        func.scratch_from = params as u32;
        return changed;
    }
    let locals = order.iter().map(|&l| types[l as usize]).collect();
    func.renumber_locals(&new_index, locals);
    true
}

/// The nodes that read or write locals, each after its operands and
/// bodies (post-order).
fn accesses_in_evaluation_order(func: &Function<'_>) -> Vec<ExprId> {
    let mut order = Vec::new();
    let mut work = vec![(func.body, false)];
    while let Some((id, operands_done)) = work.pop() {
        let expr = func.expr(id);
        if operands_done {
            if matches!(
                expr.kind,
                Kind::Op(
                    Operator::LocalGet { .. }
                        | Operator::LocalSet { .. }
                        | Operator::LocalTee { .. }
                ) | Kind::Assign { .. }
            ) {
                order.push(id);
            }
            continue;
        }
        work.push((id, true));
        for body in func.bodies(id).into_iter().rev() {
            work.extend(body.iter().rev().map(|&e| (e, false)));
        }
        work.extend(expr.args.iter().rev().map(|&e| (e, false)));
    }
    order
}

/// Within each range of indices whose LEB encoding has the same length
/// (below 2^7, 2^14, ...), puts locals of the same type together: types
/// in the order they first appear in the range, locals keeping their order.
fn group_by_type(order: &mut [u32], params: usize, types: &[ValType]) {
    let mut start = 0;
    while start < order.len() {
        let first_index = params + start;
        let mut limit = 128usize;
        while limit <= first_index {
            limit <<= 7;
        }
        let end = order.len().min(limit - params);
        let range = &mut order[start..end];
        let mut type_rank: Vec<(ValType, usize)> = Vec::new();
        for &l in range.iter() {
            let ty = types[l as usize];
            if !type_rank.iter().any(|(t, _)| *t == ty) {
                type_rank.push((ty, type_rank.len()));
            }
        }
        let rank = |l: u32| {
            let ty = types[l as usize];
            type_rank
                .iter()
                .find(|(t, _)| *t == ty)
                .map_or(0, |(_, r)| *r)
        };
        range.sort_by_key(|&l| rank(l));
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_types_within_one_leb_length() {
        let types = vec![ValType::I32, ValType::I64, ValType::I32, ValType::I64];
        // Parameter 0, then locals 1..=3 by use count: 1 (i64), 2 (i32), 3 (i64).
        let mut order = vec![1, 2, 3];
        group_by_type(&mut order, 1, &types);
        assert_eq!(order, vec![1, 3, 2]);
    }

    #[test]
    fn does_not_group_across_leb_lengths() {
        // 127 i32 locals fill indices 1..=127 after one parameter; an i64
        // at index 128 must not be moved in front of them.
        let mut types = vec![ValType::I32; 128];
        types.push(ValType::I64);
        types.push(ValType::I32);
        let mut order: Vec<u32> = (1..=127).collect();
        order.push(128);
        order.push(129);
        group_by_type(&mut order, 1, &types);
        assert_eq!(order[126], 127);
        assert_eq!(&order[127..], &[128, 129]);
    }
}
