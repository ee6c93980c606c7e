//! Lowering: an expression tree back to a wasm function body. A post-order
//! walk with an explicit work stack (bodies nest as deep as the input), in
//! which every branch label becomes a depth again and every index goes
//! through the reencoder, so an index remapping applies to code too.

use crate::ir::{ExprId, Function, Kind};
use std::borrow::Cow;
use wasm_encoder::reencode::Reencode;
use wasm_encoder::Instruction;
use wasmparser::{Catch, Operator};

/// Why a function could not be encoded.
pub type LowerError = wasm_encoder::reencode::Error<crate::remap::Unmapped>;

enum Work {
    Visit(ExprId),
    /// Emits the node's own instruction after its args.
    Emit(ExprId),
    /// Emits the opening of a block-like node and pushes its label.
    Open(ExprId),
    Else,
    Catch(Option<u32>),
    /// Emits `end` (or `delegate`) and pops the label.
    Close(ExprId),
}

/// One instruction as emitted: where its bytes are, and the stack facts
/// scheduling needs (kept small: there is one per instruction).
struct Emitted {
    /// Its encoding is `code[start..end]`; empty for values already on the
    /// stack when a body starts.
    start: u32,
    end: u32,
    pops: u32,
    pushes: u32,
    shape: Shape,
    /// Which body (block arm) it stands in.
    body: u32,
}

/// What scheduling needs to know of an instruction beyond its arity.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Plain,
    /// Pops everything down to its body's base (ends control flow).
    Unwinds,
    /// Opens a body (`block`, `loop`, `if`, `try`, `try_table`).
    Open,
    /// Ends one arm and starts the next (`else`, `catch`, `catch_all`).
    Arm,
    /// Ends a body (`end`, `delegate`).
    Close,
    LocalGet(u32),
    LocalSet(u32),
    LocalTee(u32),
}

impl Shape {
    fn to_base(self) -> bool {
        matches!(self, Shape::Unwinds | Shape::Arm | Shape::Close)
    }
}

/// An open body while walking: where its stack starts, and its identity.
struct Frame {
    base: i64,
    body: u32,
}

/// Encodes one function: local declarations and instructions. Where the
/// passes moved a read of a non-nullable local out of the block that writes
/// it, the local is written nullable (see `local_init`).
pub fn lower(
    func: &Function<'_>,
    reencoder: &mut impl Reencode<Error = crate::remap::Unmapped>,
) -> Result<Vec<u8>, LowerError> {
    match crate::local_init::repaired(func) {
        Some(repaired) => lower_valid(&repaired, reencoder),
        None => lower_valid(func, reencoder),
    }
}

/// Encodes a function whose reads all keep the local initialization rule.
fn lower_valid(
    func: &Function<'_>,
    reencoder: &mut impl Reencode<Error = crate::remap::Unmapped>,
) -> Result<Vec<u8>, LowerError> {
    let (code, mut emitted) = emit(func, reencoder)?;
    keep_on_stack(&mut emitted);
    let (locals, new_index) = renumber_scratch_locals(func, &emitted);
    let mut declared = Vec::new();
    for ty in locals {
        let ty = reencoder.val_type(ty)?;
        match declared.last_mut() {
            Some((count, last)) if *last == ty => *count += 1,
            _ => declared.push((1u32, ty)),
        }
    }
    let mut out = wasm_encoder::Function::new(declared);
    let first_scratch = func.scratch_from;
    for e in &emitted {
        let renumbered = |l: u32| {
            (l >= first_scratch)
                .then(|| new_index[(l - first_scratch) as usize])
                .filter(|&n| n != l)
        };
        match e.shape {
            Shape::LocalGet(l) if renumbered(l).is_some() => {
                out.instruction(&Instruction::LocalGet(renumbered(l).expect("checked")))
            }
            Shape::LocalSet(l) if renumbered(l).is_some() => {
                out.instruction(&Instruction::LocalSet(renumbered(l).expect("checked")))
            }
            Shape::LocalTee(l) if renumbered(l).is_some() => {
                out.instruction(&Instruction::LocalTee(renumbered(l).expect("checked")))
            }
            _ => out.raw(code[e.start as usize..e.end as usize].iter().copied()),
        };
    }
    Ok(out.into_raw_body())
}

/// Walks the tree in execution order and produces its instructions.
fn emit(
    func: &Function<'_>,
    reencoder: &mut impl Reencode<Error = crate::remap::Unmapped>,
) -> Result<(Vec<u8>, Vec<Emitted>), LowerError> {
    let mut out: Vec<Emitted> = Vec::with_capacity(func.exprs.len() + 8);
    let mut code: Vec<u8> = Vec::with_capacity(func.exprs.len() * 2);
    // label_pos[id] = position of id's label on the label stack while open.
    let mut label_pos = vec![u32::MAX; func.exprs.len()];
    let mut labels: Vec<ExprId> = vec![func.body];
    label_pos[func.body.index()] = 0;
    let depth = |label_pos: &[u32], labels: &[ExprId], target: ExprId| -> u32 {
        labels.len() as u32 - 1 - label_pos[target.index()]
    };
    let mut frames = vec![Frame { base: 0, body: 0 }];
    let mut bodies = 0u32;
    let mut height = 0i64;
    let arity = |id: ExprId| func.expr(id).results.arity() as i64;
    let args_arity = |id: ExprId| func.expr(id).args.iter().map(|a| arity(*a)).sum::<i64>();

    let mut work = vec![Work::Close(func.body)];
    push_body(&mut work, root_body(func));
    while let Some(item) = work.pop() {
        let frame = frames.last().expect("the root body is open until the end");
        let (base, body) = (frame.base, frame.body);
        let mut push = |instruction: Option<Instruction<'_>>,
                        height: &mut i64,
                        shape: Shape,
                        pops: i64,
                        pushes: i64| {
            let start = code.len() as u32;
            if let Some(instruction) = &instruction {
                wasm_encoder::Encode::encode(instruction, &mut code);
            }
            let shape = match (shape, &instruction) {
                (Shape::Plain, Some(Instruction::LocalGet(l))) => Shape::LocalGet(*l),
                (Shape::Plain, Some(Instruction::LocalSet(l))) => Shape::LocalSet(*l),
                (Shape::Plain, Some(Instruction::LocalTee(l))) => Shape::LocalTee(*l),
                _ => shape,
            };
            let pops = if shape.to_base() {
                *height - base
            } else {
                pops
            };
            out.push(Emitted {
                start,
                end: code.len() as u32,
                pops: pops as u32,
                pushes: pushes as u32,
                shape,
                body,
            });
            *height += pushes - pops;
        };
        match item {
            Work::Visit(id) => {
                let expr = func.expr(id);
                match &expr.kind {
                    Kind::Block { .. }
                    | Kind::Loop { .. }
                    | Kind::If { .. }
                    | Kind::Try(_)
                    | Kind::TryTable(_) => {
                        work.push(Work::Close(id));
                        let arms = func.bodies(id);
                        for (index, arm) in arms.iter().enumerate().rev() {
                            push_body(&mut work, arm);
                            if index > 0 {
                                work.push(arm_start(&expr.kind, index));
                            }
                        }
                        work.push(Work::Open(id));
                    }
                    _ => work.push(Work::Emit(id)),
                }
                work.extend(expr.args.iter().rev().map(|a| Work::Visit(*a)));
            }
            Work::Emit(id) => {
                let expr = func.expr(id);
                let pops = args_arity(id);
                let (shape, pushes) = match expr.results {
                    crate::ir::Results::Unreachable => (Shape::Unwinds, 0),
                    ref r => (Shape::Plain, r.arity() as i64),
                };
                match &expr.kind {
                    Kind::Op(op) => push(
                        Some(reencoder.instruction(op.clone())?),
                        &mut height,
                        shape,
                        pops,
                        pushes,
                    ),
                    Kind::Branch { op, targets } => {
                        let depths: smallvec::SmallVec<[u32; 2]> = targets
                            .iter()
                            .map(|t| depth(&label_pos, &labels, *t))
                            .collect();
                        push(
                            Some(branch_instruction(op, &depths, reencoder)?),
                            &mut height,
                            shape,
                            pops,
                            pushes,
                        );
                    }
                    Kind::Pop => push(None, &mut height, Shape::Plain, 0, pushes),
                    Kind::Assign { locals } => {
                        for local in locals.iter().rev() {
                            push(
                                Some(Instruction::LocalSet(*local)),
                                &mut height,
                                Shape::Plain,
                                1,
                                0,
                            );
                        }
                    }
                    _ => unreachable!("block-like nodes are opened, not emitted"),
                }
            }
            Work::Open(id) => {
                let instruction = match &func.expr(id).kind {
                    Kind::Block { ty, .. } => Instruction::Block(reencoder.block_type(*ty)?),
                    Kind::Loop { ty, .. } => Instruction::Loop(reencoder.block_type(*ty)?),
                    Kind::If { ty, .. } => Instruction::If(reencoder.block_type(*ty)?),
                    Kind::Try(t) => Instruction::Try(reencoder.block_type(t.ty)?),
                    Kind::TryTable(t) => {
                        // Catch depths count from outside the try_table.
                        let catches = t
                            .catches
                            .iter()
                            .zip(&t.targets)
                            .map(|(c, t)| {
                                reencoder.catch(with_label(c, depth(&label_pos, &labels, *t)))
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        Instruction::TryTable(reencoder.block_type(t.ty)?, Cow::Owned(catches))
                    }
                    _ => unreachable!("only block-like nodes are opened"),
                };
                let pops = args_arity(id);
                push(Some(instruction), &mut height, Shape::Open, pops, 0);
                label_pos[id.index()] = labels.len() as u32;
                labels.push(id);
                bodies += 1;
                frames.push(Frame {
                    base: height,
                    body: bodies,
                });
            }
            Work::Else | Work::Catch(_) => {
                let instruction = match item {
                    Work::Else => Instruction::Else,
                    Work::Catch(Some(tag)) => Instruction::Catch(reencoder.tag_index(tag)?),
                    _ => Instruction::CatchAll,
                };
                push(Some(instruction), &mut height, Shape::Arm, 0, 0);
                bodies += 1;
                frames.last_mut().expect("an arm is inside its node").body = bodies;
            }
            Work::Close(id) => {
                labels.pop();
                label_pos[id.index()] = u32::MAX;
                let instruction = match &func.expr(id).kind {
                    Kind::Try(t) if t.delegate.is_some() => Instruction::Delegate(depth(
                        &label_pos,
                        &labels,
                        t.delegate.expect("checked"),
                    )),
                    _ => Instruction::End,
                };
                push(Some(instruction), &mut height, Shape::Close, 0, arity(id));
                frames.pop();
            }
        }
    }
    Ok((code, out))
}

/// How many times scheduling may narrow its choice before it gives up on a
/// function (each round drops at least one pair; bounds the work per function).
const STACK_SCHEDULING_ROUNDS: usize = 32;

/// Write-time stack scheduling: `local.set $x` ... `local.get $x`, where `$x`
/// has no other use and both stand in the same body, becomes the value
/// simply staying on the operand stack (both instructions disappear) when
/// that leaves every other instruction popping the same values. This is the
/// shape lifting gives to values computed under statements and to partly
/// used multi-value results, and a common one in input.
fn keep_on_stack(emitted: &mut Vec<Emitted>) {
    #[derive(Clone, Copy, Default)]
    struct Uses {
        sets: u32,
        gets: u32,
        tees: u32,
        set_at: usize,
        get_at: usize,
    }
    let mut uses: Vec<Uses> = Vec::new();
    for (i, e) in emitted.iter().enumerate() {
        let (local, kind) = match e.shape {
            Shape::LocalSet(l) => (l, 0),
            Shape::LocalGet(l) => (l, 1),
            Shape::LocalTee(l) => (l, 2),
            _ => continue,
        };
        if uses.len() <= local as usize {
            uses.resize(local as usize + 1, Uses::default());
        }
        let u = &mut uses[local as usize];
        match kind {
            0 => (u.sets, u.set_at) = (u.sets + 1, i),
            1 => (u.gets, u.get_at) = (u.gets + 1, i),
            _ => u.tees += 1,
        }
    }
    let pairs: Vec<(usize, usize)> = uses
        .iter()
        .filter(|u| u.sets == 1 && u.gets == 1 && u.tees == 0 && u.set_at < u.get_at)
        .map(|u| (u.set_at, u.get_at))
        .filter(|&(set, get)| emitted[set].body == emitted[get].body)
        .collect();
    if pairs.is_empty() {
        return;
    }
    let mut role = vec![Role::Kept; emitted.len()];
    for (pair, &(set, get)) in pairs.iter().enumerate() {
        role[set] = Role::Set(pair);
        role[get] = Role::Get(pair);
    }
    let mut active = vec![true; pairs.len()];
    for _ in 0..STACK_SCHEDULING_ROUNDS {
        let conflicts = simulate(emitted, &role, &active);
        if conflicts.is_empty() {
            let mut index = 0;
            emitted.retain(|_| {
                index += 1;
                !matches!(role[index - 1], Role::Set(p) | Role::Get(p) if active[p])
            });
            return;
        }
        for pair in conflicts {
            active[pair] = false;
        }
    }
}

#[derive(Clone, Copy)]
enum Role {
    Kept,
    Set(usize),
    Get(usize),
}

/// Runs the stack effects of the instructions twice over symbolic values:
/// as written, and with the active pairs removed. Returns the pairs to give
/// up: those whose value was still stored when an instruction found
/// different values in the two runs (none means the removal is exact).
fn simulate(emitted: &[Emitted], role: &[Role], active: &[bool]) -> Vec<usize> {
    let mut written: Vec<u32> = Vec::new();
    let mut scheduled: Vec<u32> = Vec::new();
    let mut bases: Vec<(usize, usize)> = vec![(0, 0)];
    let mut stored = vec![u32::MAX; active.len()];
    // Where each pair's set stands.
    let mut stored_at = vec![0usize; active.len()];
    let mut live: Vec<usize> = Vec::new();
    let mut next = 0u32;
    let mut popped_written = Vec::new();
    let mut popped_scheduled = Vec::new();
    for (at, (e, role)) in emitted.iter().zip(role).enumerate() {
        match *role {
            Role::Set(p) if active[p] => {
                let base = bases.last().map_or(0, |b| b.0);
                match written.pop().filter(|_| written.len() >= base) {
                    Some(value) => (stored[p], stored_at[p]) = (value, at),
                    None => return vec![p],
                }
                live.push(p);
                continue;
            }
            Role::Get(p) if active[p] => {
                written.push(stored[p]);
                live.retain(|&q| q != p);
                continue;
            }
            _ => {}
        }
        let (base_w, base_s) = *bases.last().expect("the function body is open");
        let take = |stack: &mut Vec<u32>, base: usize, popped: &mut Vec<u32>| {
            let keep = if e.shape.to_base() {
                base
            } else {
                stack.len().saturating_sub(e.pops as usize).max(base)
            };
            popped.clear();
            popped.extend(stack.drain(keep..));
        };
        take(&mut written, base_w, &mut popped_written);
        take(&mut scheduled, base_s, &mut popped_scheduled);
        if popped_written != popped_scheduled {
            // Blame, for each value popped, the pair that stored it last:
            // a value copied from local to local (`local.get $a; local.set
            // $b`) is stored by each pair of the chain, and only the last
            // one can have left it in the wrong place.
            let mut blamed: Vec<usize> = Vec::new();
            for value in popped_written.iter().chain(&popped_scheduled) {
                let last = (0..active.len())
                    .filter(|&p| active[p] && stored[p] == *value)
                    .max_by_key(|&p| stored_at[p]);
                if let Some(p) = last.filter(|p| !blamed.contains(p)) {
                    blamed.push(p);
                }
            }
            return if blamed.is_empty() { live } else { blamed };
        }
        match e.shape {
            Shape::Open => bases.push((written.len(), scheduled.len())),
            Shape::Close => {
                bases.pop();
            }
            _ => {}
        }
        for _ in 0..e.pushes {
            written.push(next);
            scheduled.push(next);
            next += 1;
        }
    }
    Vec::new()
}

/// Drops LOOM's scratch locals that are no longer used; returns the
/// declared locals and the new index of each scratch local. Input locals
/// keep their indices (the name section refers to them).
fn renumber_scratch_locals(
    func: &Function<'_>,
    emitted: &[Emitted],
) -> (Vec<wasmparser::ValType>, Vec<u32>) {
    let first = func.scratch_from as usize;
    let declared_first = func.params.len();
    let total = declared_first + func.locals.len();
    let mut used = vec![false; total.saturating_sub(first)];
    for e in emitted {
        if let Shape::LocalGet(l) | Shape::LocalSet(l) | Shape::LocalTee(l) = e.shape {
            if let Some(slot) = (l as usize).checked_sub(first) {
                used[slot] = true;
            }
        }
    }
    let mut new_index = Vec::with_capacity(used.len());
    let mut next = first as u32;
    for &u in &used {
        new_index.push(next);
        next += u as u32;
    }
    let locals = func
        .locals
        .iter()
        .enumerate()
        .filter(|(i, _)| (declared_first + i) < first || used[declared_first + i - first])
        .map(|(_, ty)| *ty)
        .collect();
    (locals, new_index)
}

fn root_body<'f>(func: &'f Function<'_>) -> &'f [ExprId] {
    match &func.expr(func.body).kind {
        Kind::Block { body, .. } => body,
        _ => unreachable!("the root is a block"),
    }
}

fn push_body(work: &mut Vec<Work>, body: &[ExprId]) {
    work.extend(body.iter().rev().map(|id| Work::Visit(*id)));
}

/// What separates body `index` (> 0) of a block-like node from the one before.
fn arm_start(kind: &Kind<'_>, index: usize) -> Work {
    match kind {
        Kind::If { .. } => Work::Else,
        Kind::Try(t) => Work::Catch(t.catches[index - 1].tag),
        _ => unreachable!("only if and try have several bodies"),
    }
}

fn with_label(catch: &Catch, label: u32) -> Catch {
    match *catch {
        Catch::One { tag, .. } => Catch::One { tag, label },
        Catch::OneRef { tag, .. } => Catch::OneRef { tag, label },
        Catch::All { .. } => Catch::All { label },
        Catch::AllRef { .. } => Catch::AllRef { label },
    }
}

/// A branch instruction with its labels turned into the current depths.
fn branch_instruction(
    op: &Operator<'_>,
    depths: &[u32],
    reencoder: &mut impl Reencode<Error = crate::remap::Unmapped>,
) -> Result<Instruction<'static>, LowerError> {
    if let Operator::BrTable { .. } = op {
        let (default, targets) = depths.split_last().expect("br_table has a default");
        return Ok(Instruction::BrTable(Cow::Owned(targets.to_vec()), *default));
    }
    let Some(op) = with_relative_depth(op, depths[0]) else {
        unreachable!("not a branch: {op:?}")
    };
    reencoder.instruction(op)
}

/// A single-target branch operator (`br`, `br_if`, `br_on_*`, `rethrow`)
/// with its depth replaced by `relative_depth`; `None` for any other
/// operator.
pub(crate) fn with_relative_depth(
    op: &Operator<'_>,
    relative_depth: u32,
) -> Option<Operator<'static>> {
    Some(match op {
        Operator::Br { .. } => Operator::Br { relative_depth },
        Operator::BrIf { .. } => Operator::BrIf { relative_depth },
        Operator::BrOnNull { .. } => Operator::BrOnNull { relative_depth },
        Operator::BrOnNonNull { .. } => Operator::BrOnNonNull { relative_depth },
        Operator::Rethrow { .. } => Operator::Rethrow { relative_depth },
        Operator::BrOnCast {
            from_ref_type,
            to_ref_type,
            ..
        } => Operator::BrOnCast {
            relative_depth,
            from_ref_type: *from_ref_type,
            to_ref_type: *to_ref_type,
        },
        Operator::BrOnCastFail {
            from_ref_type,
            to_ref_type,
            ..
        } => Operator::BrOnCastFail {
            relative_depth,
            from_ref_type: *from_ref_type,
            to_ref_type: *to_ref_type,
        },
        _ => return None,
    })
}
