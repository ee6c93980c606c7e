//! The copy itself: one callee's tree placed in a caller instead of a call.
//!
//! The call node's own arena slot becomes a block holding a copy of the
//! callee's body, so whatever held the call (a body or an operand list)
//! now holds the block, and the callee's own label (its root block) is that
//! block: `return` and every branch to the callee's label leave it with the
//! same values. Every callee local gets a fresh caller local; the
//! parameters are stored from the call's arguments at the block's start.

use crate::ir::{initial_value, Args, Expr, ExprId, Function, Kind, Results};
use smallvec::smallvec;
use wasmparser::{BlockType, Operator};

/// Replaces the `call` node `call` of `caller` with the inlined body of
/// `callee`. `zero_locals` re-zeroes the callee's declared locals at the
/// block's start: needed when the site can run more than once per call of
/// the caller (inside a loop), since a local read before it is written must
/// read zero each time, as it did in a fresh frame of the callee.
pub(super) fn inline_call<'a>(
    caller: &mut Function<'a>,
    call: ExprId,
    callee: &Function<'a>,
    zero_locals: bool,
) {
    let site = caller.expr(call).clone();
    let local_map: Vec<u32> = callee
        .params
        .iter()
        .chain(&callee.locals)
        .map(|&ty| caller.add_local(ty))
        .collect();

    // The root maps to the call's slot; every other reachable node to a new
    // slot, in walk order (the copies are pushed in the same order below).
    let order = callee.walk(callee.body);
    let mut new_id = vec![ExprId(u32::MAX); callee.exprs.len()];
    let mut next = caller.exprs.len() as u32;
    for &old in &order {
        new_id[old.index()] = if old == callee.body {
            call
        } else {
            next += 1;
            ExprId(next - 1)
        };
    }
    let mut read = vec![false; local_map.len()];
    let mut root_body = Vec::new();
    for &old in &order {
        let mut copy = callee.expr(old).clone();
        if let Kind::Op(Operator::LocalGet { local_index }) = copy.kind {
            read[local_index as usize] = true;
        }
        remap(&mut copy, &new_id, &local_map, call);
        if old == callee.body {
            if let Kind::Block { body, .. } = copy.kind {
                root_body = body;
            }
        } else {
            caller.exprs.push(copy);
        }
    }

    let params = &local_map[..callee.params.len()];
    // Arguments that are not one value each, a `Pop` that must stay first in
    // its body, or several results (a block type naming them needs a type
    // index): the arguments become the block's parameters, typed by the
    // callee's own type.
    let params_form = site.results.arity() > 1
        || site
            .args
            .iter()
            .any(|&a| caller.expr(a).results.arity() != 1)
        || site
            .args
            .first()
            .is_some_and(|&a| starts_with_pop(caller, a));
    let mut body = Vec::new();
    let (ty, args) = if params_form {
        match params {
            [] => {}
            [local] => {
                let pop = caller.add(Kind::Pop, Args::new(), Results::One(callee.params[0]));
                body.push(local_set(caller, *local, pop));
            }
            many => {
                let pop = caller.add(Kind::Pop, Args::new(), Results::from_types(&callee.params));
                body.push(caller.add(
                    Kind::Assign {
                        locals: many.to_vec(),
                    },
                    smallvec![pop],
                    Results::None,
                ));
            }
        }
        (BlockType::FuncType(callee.type_index), site.args.clone())
    } else {
        // Each argument is stored as soon as it is computed: still in order,
        // and no argument can see another's fresh local.
        for (&arg, &local) in site.args.iter().zip(params) {
            body.push(local_set(caller, local, arg));
        }
        let ty = match site.results.types() {
            [] => BlockType::Empty,
            [t] => BlockType::Type(*t),
            _ => unreachable!("several results take the params form"),
        };
        (ty, Args::new())
    };
    if zero_locals {
        let declared = callee.params.len()..local_map.len();
        for (l, &ty) in declared.zip(&callee.locals) {
            if let (true, Some(zero)) = (read[l], initial_value(ty)) {
                let value = caller.add(Kind::Op(zero), Args::new(), Results::One(ty));
                body.push(local_set(caller, local_map[l], value));
            }
        }
    }
    body.extend(root_body);
    caller.exprs[call.index()] = Expr {
        kind: Kind::Block { ty, body },
        args,
        results: site.results,
    };
}

/// Rewrites a copied node's references: operands, bodies and labels to the
/// copies, locals to the fresh ones, and `return` to a branch out of the
/// inlined block `exit` (with the same values).
fn remap(copy: &mut Expr<'_>, new_id: &[ExprId], local_map: &[u32], exit: ExprId) {
    copy.for_each_id_mut(|id| *id = new_id[id.index()]);
    match &mut copy.kind {
        Kind::Op(
            Operator::LocalGet { local_index }
            | Operator::LocalSet { local_index }
            | Operator::LocalTee { local_index },
        ) => *local_index = local_map[*local_index as usize],
        Kind::Op(Operator::Return) => {
            copy.kind = Kind::Branch {
                op: Box::new(Operator::Br { relative_depth: 0 }),
                targets: smallvec![exit],
            };
        }
        Kind::Assign { locals } => {
            for l in locals {
                *l = local_map[*l as usize];
            }
        }
        _ => {}
    }
}

fn local_set<'a>(func: &mut Function<'a>, local: u32, value: ExprId) -> ExprId {
    func.add(
        Kind::Op(Operator::LocalSet { local_index: local }),
        smallvec![value],
        Results::None,
    )
}

/// Whether the tree under `id` is evaluated starting with a `Pop` (which
/// is always first in its body, so only the first operands can lead to one).
fn starts_with_pop(func: &Function<'_>, mut id: ExprId) -> bool {
    loop {
        let expr = func.expr(id);
        match (&expr.kind, expr.args.first()) {
            (Kind::Pop, _) => return true,
            (_, Some(&first)) => id = first,
            (_, None) => return false,
        }
    }
}
