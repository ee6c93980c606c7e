//! Local initialization: wasm lets a function read a non-defaultable local
//! (a non-nullable reference) only where a `local.set` or `local.tee` of it
//! comes earlier in the same block or in a block around it. The rule is
//! structural: any pass that moves a read out of the block that sets it
//! (inlining, tail merging, block splicing, sinking) can break it, although
//! every read still runs after a write, exactly as in the input.
//!
//! So the writer, through which every function passes, asks this analysis
//! and repairs what it finds the way Binaryen's `TypeUpdating` does: a local
//! with a read the rule rejects becomes nullable, and each of its reads (and
//! tees) is wrapped in `ref.as_non_null`. That keeps every value's type, and
//! the check never traps, since the read runs after a write as it did
//! before. Passes need not keep the rule themselves; they may avoid the
//! repair's bytes where that is cheap.

use crate::ir::{Args, ExprId, Function, Kind, Results};
use smallvec::smallvec;
use wasmparser::{Operator, ValType};

/// The declared locals with a read the initialization rule rejects, in
/// index order; empty (without walking) where no local is non-defaultable.
pub fn uninitialized_reads(func: &Function<'_>) -> Vec<u32> {
    // Lowering asks for every function: most have no such local.
    if func.locals.iter().all(|ty| ty.is_defaultable()) {
        return Vec::new();
    }
    let params = func.params.len();
    let tracked: Vec<bool> = (0..params)
        .map(|_| false)
        .chain(func.locals.iter().map(|ty| !ty.is_defaultable()))
        .collect();
    enum Work {
        Visit(ExprId),
        /// The node's own access, after its operands and bodies.
        Access(ExprId),
        /// A body starts: writes from here on count until it ends.
        Enter,
        Exit,
    }
    let mut set = vec![false; tracked.len()];
    let mut rejected = vec![false; tracked.len()];
    // Locals marked set, in order, and where each open body's marks start.
    let mut marked: Vec<u32> = Vec::new();
    let mut body_starts: Vec<usize> = Vec::new();
    let mark = |local: u32, set: &mut Vec<bool>, marked: &mut Vec<u32>| {
        let l = local as usize;
        if tracked[l] && !set[l] {
            set[l] = true;
            marked.push(local);
        }
    };
    let mut work = vec![Work::Visit(func.body)];
    while let Some(item) = work.pop() {
        match item {
            Work::Visit(id) => {
                work.push(Work::Access(id));
                for body in func.bodies(id).into_iter().rev() {
                    work.push(Work::Exit);
                    work.extend(body.iter().rev().map(|&s| Work::Visit(s)));
                    work.push(Work::Enter);
                }
                work.extend(func.expr(id).args.iter().rev().map(|&a| Work::Visit(a)));
            }
            Work::Access(id) => match &func.expr(id).kind {
                Kind::Op(Operator::LocalGet { local_index }) => {
                    let l = *local_index as usize;
                    rejected[l] |= tracked[l] && !set[l];
                }
                Kind::Op(
                    Operator::LocalSet { local_index } | Operator::LocalTee { local_index },
                ) => mark(*local_index, &mut set, &mut marked),
                Kind::Assign { locals } => {
                    for &local in locals {
                        mark(local, &mut set, &mut marked);
                    }
                }
                _ => {}
            },
            Work::Enter => body_starts.push(marked.len()),
            Work::Exit => {
                let start = body_starts.pop().expect("every exit follows its enter");
                for local in marked.drain(start..) {
                    set[local as usize] = false;
                }
            }
        }
    }
    (0..rejected.len() as u32)
        .filter(|&l| rejected[l as usize])
        .collect()
}

/// Makes each of `locals` (declared, non-nullable references) nullable and
/// wraps its reads and tees in `ref.as_non_null`, so every value keeps its
/// type. The wrapped node keeps its id (its parent needs no change); the
/// access moves to a new node beneath it.
pub fn make_nullable(func: &mut Function<'_>, locals: &[u32]) {
    let params = func.params.len();
    for &local in locals {
        let slot = &mut func.locals[local as usize - params];
        let ValType::Ref(r) = *slot else {
            unreachable!("only non-nullable references are rejected")
        };
        *slot = ValType::Ref(r.nullable());
    }
    for id in func.local_accesses() {
        let expr = func.expr(id);
        let (Kind::Op(Operator::LocalGet { local_index })
        | Kind::Op(Operator::LocalTee { local_index })) = expr.kind
        else {
            continue;
        };
        if !locals.contains(&local_index) {
            continue;
        }
        let nullable = func.locals[local_index as usize - params];
        let access = Kind::Op(match expr.kind {
            Kind::Op(Operator::LocalGet { .. }) => Operator::LocalGet { local_index },
            _ => Operator::LocalTee { local_index },
        });
        let args: Args = expr.args.clone();
        let inner = func.add(access, args, Results::One(nullable));
        let wrapper = func.expr_mut(id);
        wrapper.kind = Kind::Op(Operator::RefAsNonNull);
        wrapper.args = smallvec![inner];
    }
}

/// `func` as the writer must encode it: `None` where every read already
/// keeps the initialization rule, else a copy repaired by [`make_nullable`].
pub fn repaired<'a>(func: &Function<'a>) -> Option<Function<'a>> {
    let rejected = uninitialized_reads(func);
    if rejected.is_empty() {
        return None;
    }
    let mut copy = func.clone();
    make_nullable(&mut copy, &rejected);
    Some(copy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::{Code, Module};

    fn first_function(wat: &str) -> Function<'static> {
        let wasm: &'static [u8] = Box::leak(wat::parse_str(wat).unwrap().into_boxed_slice());
        let mut module = Module::read(wasm, crate::features::accepted()).unwrap();
        match module.code.swap_remove(0) {
            Code::Lifted(function) => function,
            _ => panic!("lifted"),
        }
    }

    const STRUCT: &str = "(type $s (struct (field i32)))";

    #[test]
    fn a_read_after_a_write_in_the_same_or_an_outer_block_is_accepted() {
        let func = first_function(&format!(
            "(module {STRUCT} (func (result i32) (local $x (ref $s))
               (local.set $x (struct.new $s (i32.const 1)))
               (block (result i32) (struct.get $s 0 (local.get $x)))))"
        ));
        assert!(uninitialized_reads(&func).is_empty());
    }

    #[test]
    fn a_read_after_the_block_that_wrote_is_rejected_then_repaired() {
        // As valid input, then with the read moved behind the block by hand.
        let mut func = first_function(&format!(
            "(module {STRUCT} (func (result i32) (local $x (ref $s))
               (block (local.set $x (struct.new $s (i32.const 1))) (br 0))
               (local.set $x (struct.new $s (i32.const 2)))
               (struct.get $s 0 (local.get $x))))"
        ));
        assert!(uninitialized_reads(&func).is_empty());
        let root = func.body;
        let Kind::Block { body, .. } = &mut func.expr_mut(root).kind else {
            panic!("root block")
        };
        body.remove(1);
        assert_eq!(uninitialized_reads(&func), vec![0]);
        make_nullable(&mut func, &[0]);
        assert!(uninitialized_reads(&func).is_empty());
        let ValType::Ref(r) = func.locals[0] else {
            panic!("a reference")
        };
        assert!(r.is_nullable());
        let reads = func
            .walk(func.body)
            .into_iter()
            .filter(|&id| matches!(func.expr(id).kind, Kind::Op(Operator::RefAsNonNull)))
            .count();
        assert_eq!(reads, 1);
    }

    #[test]
    fn each_if_arm_is_a_block_of_its_own() {
        let mut func = first_function(&format!(
            "(module {STRUCT} (func (param i32) (result i32) (local $x (ref $s))
               (if (local.get 0)
                 (then (local.set $x (struct.new $s (i32.const 1))))
                 (else (local.set $x (struct.new $s (i32.const 2)))))
               (i32.const 0)))"
        ));
        // Read the local in the `else` arm before its write there: the
        // `then` arm's write does not count.
        let if_id = func
            .walk(func.body)
            .into_iter()
            .find(|&id| matches!(func.expr(id).kind, Kind::If { .. }))
            .unwrap();
        let read = func.add(
            Kind::Op(Operator::LocalGet { local_index: 1 }),
            Args::new(),
            Results::One(func.locals[0]),
        );
        let drop = func.add(Kind::Op(Operator::Drop), smallvec![read], Results::None);
        let Kind::If { else_body, .. } = &mut func.expr_mut(if_id).kind else {
            unreachable!()
        };
        else_body.as_mut().unwrap().insert(0, drop);
        assert_eq!(uninitialized_reads(&func), vec![1]);
    }
}
