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

/// Encodes one function: local declarations and instructions.
pub fn lower(func: &Function<'_>, reencoder: &mut impl Reencode<Error = crate::remap::Unmapped>) -> Result<Vec<u8>, LowerError> {
    let mut locals = Vec::new();
    for ty in &func.locals {
        let ty = reencoder.val_type(*ty)?;
        match locals.last_mut() {
            Some((count, last)) if *last == ty => *count += 1,
            _ => locals.push((1u32, ty)),
        }
    }
    let mut out = wasm_encoder::Function::new(locals);
    // label_pos[id] = position of id's label on the label stack while open.
    let mut label_pos = vec![u32::MAX; func.exprs.len()];
    let mut labels: Vec<ExprId> = vec![func.body];
    label_pos[func.body.index()] = 0;
    let depth = |label_pos: &[u32], labels: &[ExprId], target: ExprId| -> u32 {
        labels.len() as u32 - 1 - label_pos[target.index()]
    };

    let mut work = vec![Work::Close(func.body)];
    push_body(&mut work, root_body(func));
    while let Some(item) = work.pop() {
        match item {
            Work::Visit(id) => {
                let expr = func.expr(id);
                match &expr.kind {
                    Kind::Block { .. } | Kind::Loop { .. } | Kind::If { .. } | Kind::Try { .. } | Kind::TryTable { .. } => {
                        work.push(Work::Close(id));
                        let bodies = func.bodies(id);
                        let mut arms = bodies.iter().enumerate().rev();
                        for (index, body) in arms.by_ref() {
                            push_body(&mut work, body);
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
            Work::Emit(id) => match &func.expr(id).kind {
                Kind::Op(op) => {
                    out.instruction(&reencoder.instruction(op.clone())?);
                }
                Kind::Branch { op, targets } => {
                    let depths: Vec<u32> = targets.iter().map(|t| depth(&label_pos, &labels, *t)).collect();
                    let instruction = branch_instruction(op, &depths, reencoder)?;
                    out.instruction(&instruction);
                }
                Kind::Pop => {}
                Kind::Assign { locals } => {
                    for local in locals.iter().rev() {
                        out.instruction(&Instruction::LocalSet(*local));
                    }
                }
                _ => unreachable!("block-like nodes are opened, not emitted"),
            },
            Work::Open(id) => {
                let instruction = match &func.expr(id).kind {
                    Kind::Block { ty, .. } => Instruction::Block(reencoder.block_type(*ty)?),
                    Kind::Loop { ty, .. } => Instruction::Loop(reencoder.block_type(*ty)?),
                    Kind::If { ty, .. } => Instruction::If(reencoder.block_type(*ty)?),
                    Kind::Try { ty, .. } => Instruction::Try(reencoder.block_type(*ty)?),
                    Kind::TryTable { ty, catches, targets, .. } => {
                        // Catch depths count from outside the try_table.
                        let catches = catches
                            .iter()
                            .zip(targets)
                            .map(|(c, t)| with_label(c, depth(&label_pos, &labels, *t)))
                            .map(|c| reencoder.catch(c))
                            .collect::<Result<Vec<_>, _>>()?;
                        Instruction::TryTable(reencoder.block_type(*ty)?, Cow::Owned(catches))
                    }
                    _ => unreachable!("only block-like nodes are opened"),
                };
                out.instruction(&instruction);
                label_pos[id.index()] = labels.len() as u32;
                labels.push(id);
            }
            Work::Else => {
                out.instruction(&Instruction::Else);
            }
            Work::Catch(Some(tag)) => {
                out.instruction(&Instruction::Catch(reencoder.tag_index(tag)?));
            }
            Work::Catch(None) => {
                out.instruction(&Instruction::CatchAll);
            }
            Work::Close(id) => {
                labels.pop();
                label_pos[id.index()] = u32::MAX;
                match &func.expr(id).kind {
                    Kind::Try { delegate: Some(target), .. } => {
                        let d = depth(&label_pos, &labels, *target);
                        out.instruction(&Instruction::Delegate(d));
                    }
                    _ => {
                        out.instruction(&Instruction::End);
                    }
                }
            }
        }
    }
    Ok(out.into_raw_body())
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
        Kind::Try { catches, .. } => Work::Catch(catches[index - 1].tag),
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
    let d = depths[0];
    let op = match op {
        Operator::BrTable { .. } => {
            let (default, targets) = depths.split_last().expect("br_table has a default");
            return Ok(Instruction::BrTable(Cow::Owned(targets.to_vec()), *default));
        }
        Operator::Br { .. } => Operator::Br { relative_depth: d },
        Operator::BrIf { .. } => Operator::BrIf { relative_depth: d },
        Operator::BrOnNull { .. } => Operator::BrOnNull { relative_depth: d },
        Operator::BrOnNonNull { .. } => Operator::BrOnNonNull { relative_depth: d },
        Operator::Rethrow { .. } => Operator::Rethrow { relative_depth: d },
        Operator::BrOnCast {
            from_ref_type,
            to_ref_type,
            ..
        } => Operator::BrOnCast {
            relative_depth: d,
            from_ref_type: *from_ref_type,
            to_ref_type: *to_ref_type,
        },
        Operator::BrOnCastFail {
            from_ref_type,
            to_ref_type,
            ..
        } => Operator::BrOnCastFail {
            relative_depth: d,
            from_ref_type: *from_ref_type,
            to_ref_type: *to_ref_type,
        },
        other => unreachable!("not a branch: {other:?}"),
    };
    reencoder.instruction(op)
}
