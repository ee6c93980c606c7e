//! Lifting: one function body, a stack-machine instruction sequence, becomes
//! an expression tree. Validation happens in the same walk (the validator
//! also tells each instruction's arity and result types), so a module is
//! parsed and validated once.
//!
//! Each open block keeps a stack of entries: expressions whose values (if
//! any) have not been consumed yet. An instruction pops its operands from
//! the top. When a value is popped from under a statement (a value-less
//! entry pushed after it), moving the value below the statement would change
//! evaluation order, so the value is first stored in a scratch local (the
//! writer puts such values back on the stack, restoring the input's shape,
//! so lifting and writing are a fixed point). A multi-value entry that is
//! consumed only in part is spread into scratch locals likewise. Code after an unconditional branch, up to the end of its
//! block, can never run; it is validated but not lifted.

use crate::ir::{Args, ExprId, Function, Kind, LegacyCatch, Results, Try, TryTable};
use std::collections::HashMap;
use wasmparser::types::CoreTypeId;
use wasmparser::{
    BinaryReaderError, BlockType, FuncValidator, FunctionBody, HeapType, Operator, RefType,
    UnpackedIndex, ValType, ValidatorResources, WasmModuleResources,
};

/// Why lifting stopped.
#[derive(Debug)]
pub enum LiftError {
    /// The body is malformed or invalid: the module must be rejected.
    Invalid(BinaryReaderError),
    /// Valid code this lifter cannot shape (a LOOM limitation): the body is
    /// kept byte-for-byte.
    Unsupported(&'static str),
}

impl From<BinaryReaderError> for LiftError {
    fn from(e: BinaryReaderError) -> Self {
        LiftError::Invalid(e)
    }
}

/// Canonical type ids back to module type indices. The validator names
/// concrete reference types by canonical id; the IR, like the binary, by
/// index. Identical types share an id, and any of their indices will do.
#[derive(Default)]
pub struct TypeIndexes(HashMap<CoreTypeId, u32>);

impl TypeIndexes {
    pub fn of(types: &wasmparser::types::Types) -> TypeIndexes {
        let types = types.as_ref();
        let mut map = HashMap::new();
        for index in 0..types.core_type_count_in_module() {
            map.entry(types.core_type_at_in_module(index))
                .or_insert(index);
        }
        TypeIndexes(map)
    }

    /// `ty` with every canonical type id replaced by a module type index.
    fn module_form(&self, ty: ValType) -> Result<ValType, LiftError> {
        let ValType::Ref(r) = ty else { return Ok(ty) };
        let heap = match r.heap_type() {
            HeapType::Concrete(UnpackedIndex::Id(id)) => {
                HeapType::Concrete(UnpackedIndex::Module(self.index(id)?))
            }
            HeapType::Exact(UnpackedIndex::Id(id)) => {
                HeapType::Exact(UnpackedIndex::Module(self.index(id)?))
            }
            _ => return Ok(ty),
        };
        RefType::new(r.is_nullable(), heap)
            .map(ValType::Ref)
            .ok_or(LiftError::Unsupported("type index too large"))
    }

    fn index(&self, id: CoreTypeId) -> Result<u32, LiftError> {
        self.0
            .get(&id)
            .copied()
            .ok_or(LiftError::Unsupported("type without index"))
    }

    fn all_module_form(&self, types: &[ValType]) -> Result<Vec<ValType>, LiftError> {
        types.iter().map(|t| self.module_form(*t)).collect()
    }
}

/// Lifts and validates one function body.
pub fn lift<'a>(
    body: &FunctionBody<'a>,
    validator: &mut FuncValidator<ValidatorResources>,
    type_indexes: &TypeIndexes,
) -> Result<Function<'a>, LiftError> {
    let type_index = validator
        .resources()
        .type_index_of_function(validator.index())
        .ok_or(LiftError::Unsupported("function without type"))?;
    let func_type = validator
        .resources()
        .sub_type_at(type_index)
        .ok_or(LiftError::Unsupported("function type missing"))?
        .unwrap_func()
        .clone();

    let mut locals = Vec::new();
    let mut locals_reader = body.get_locals_reader()?;
    for _ in 0..locals_reader.get_count() {
        let offset = locals_reader.original_position();
        let (count, ty) = locals_reader.read()?;
        validator.define_locals(offset, count, ty)?;
        locals.extend(std::iter::repeat_n(ty, count as usize));
    }

    let scratch_from = (func_type.params().len() + locals.len()) as u32;
    let mut func = Function {
        type_index,
        params: type_indexes.all_module_form(func_type.params())?,
        locals,
        scratch_from,
        // Instructions average about two bytes: this rarely grows.
        exprs: Vec::with_capacity(body.as_bytes().len() / 2),
        body: ExprId(0),
        dirty: false,
        fingerprint: None,
    };
    let root = func.add(
        Kind::Block {
            ty: BlockType::Empty,
            body: Vec::new(),
        },
        Args::new(),
        Results::from_types(&type_indexes.all_module_form(func_type.results())?),
    );
    func.body = root;
    let mut builder = Builder {
        func,
        types: type_indexes,
        frames: vec![Frame {
            node: root,
            stack: Vec::new(),
            arm: 0,
            dead: false,
        }],
        skip_depth: None,
    };

    let mut reader = body.get_operators_reader()?;
    let mut failure = None;
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset()?;
        let arity = op.operator_arity(&*validator);
        validator.op(offset, &op)?;
        if failure.is_none() {
            if let Err(e) = builder.step(op, arity, validator) {
                failure = Some(e);
            }
        }
    }
    reader.finish()?;
    match failure {
        Some(e) => Err(e),
        None => Ok(builder.func),
    }
}

struct Frame {
    /// The block-like node this body belongs to.
    node: ExprId,
    stack: Vec<ExprId>,
    /// Which of the node's bodies this is: 0 the first, then `else` or
    /// each `catch` in turn.
    arm: usize,
    /// After an unconditional branch: the rest of this body never runs.
    dead: bool,
}

struct Builder<'a, 't> {
    func: Function<'a>,
    types: &'t TypeIndexes,
    frames: Vec<Frame>,
    /// While skipping dead code: how many blocks opened inside it.
    skip_depth: Option<u32>,
}

/// Where a body ends and what comes next.
enum BodyEnd {
    Else,
    Catch(Option<u32>),
    End,
    Delegate(u32),
}

impl<'a> Builder<'a, '_> {
    fn step(
        &mut self,
        op: Operator<'a>,
        arity: Option<(u32, u32)>,
        validator: &FuncValidator<ValidatorResources>,
    ) -> Result<(), LiftError> {
        if let Some(depth) = self.skip_depth {
            match (&op, depth) {
                (Operator::End, 0) => {}
                (Operator::Else | Operator::Catch { .. } | Operator::CatchAll, 0) => {}
                (Operator::Delegate { .. }, 0) => {}
                (Operator::End | Operator::Delegate { .. }, _) => {
                    self.skip_depth = Some(depth - 1);
                    return Ok(());
                }
                (
                    Operator::Block { .. }
                    | Operator::Loop { .. }
                    | Operator::If { .. }
                    | Operator::Try { .. }
                    | Operator::TryTable { .. },
                    _,
                ) => {
                    self.skip_depth = Some(depth + 1);
                    return Ok(());
                }
                _ => return Ok(()),
            }
            self.skip_depth = None;
        }
        let (pops, pushes) = arity.ok_or(LiftError::Unsupported("unknown arity"))?;
        let resources = validator.resources();
        match op {
            Operator::Block { blockty } => {
                let kind = Kind::Block {
                    ty: blockty,
                    body: Vec::new(),
                };
                self.open(kind, blockty, pops, resources)?;
            }
            Operator::Loop { blockty } => {
                let kind = Kind::Loop {
                    ty: blockty,
                    body: Vec::new(),
                };
                self.open(kind, blockty, pops, resources)?;
            }
            Operator::If { blockty } => {
                let kind = Kind::If {
                    ty: blockty,
                    then_body: Vec::new(),
                    else_body: None,
                };
                self.open(kind, blockty, pops, resources)?;
            }
            Operator::Try { blockty } => {
                let kind = Kind::Try(Box::new(Try {
                    ty: blockty,
                    body: Vec::new(),
                    catches: Vec::new(),
                    delegate: None,
                }));
                self.open(kind, blockty, pops, resources)?;
            }
            Operator::TryTable { try_table } => {
                // Catch labels are relative to the try_table's surroundings.
                let targets = try_table
                    .catches
                    .iter()
                    .map(|c| match *c {
                        wasmparser::Catch::One { label, .. }
                        | wasmparser::Catch::OneRef { label, .. }
                        | wasmparser::Catch::All { label }
                        | wasmparser::Catch::AllRef { label } => self.label(label),
                    })
                    .collect::<Result<_, _>>()?;
                let kind = Kind::TryTable(Box::new(TryTable {
                    ty: try_table.ty,
                    catches: try_table.catches,
                    targets,
                    body: Vec::new(),
                }));
                self.open(kind, try_table.ty, pops, resources)?;
            }
            Operator::Else => self.close_body(BodyEnd::Else, pops, resources)?,
            Operator::Catch { tag_index: tag } => {
                self.close_body(BodyEnd::Catch(Some(tag)), pops, resources)?
            }
            Operator::CatchAll => self.close_body(BodyEnd::Catch(None), pops, resources)?,
            Operator::End => self.close_body(BodyEnd::End, pops, resources)?,
            Operator::Delegate { relative_depth } => {
                self.close_body(BodyEnd::Delegate(relative_depth), pops, resources)?
            }
            Operator::Br { relative_depth }
            | Operator::BrIf { relative_depth }
            | Operator::BrOnNull { relative_depth }
            | Operator::BrOnNonNull { relative_depth }
            | Operator::BrOnCast { relative_depth, .. }
            | Operator::BrOnCastFail { relative_depth, .. }
            | Operator::Rethrow { relative_depth } => {
                let targets = smallvec::smallvec![self.label(relative_depth)?];
                let kind = Kind::Branch {
                    op: Box::new(op),
                    targets,
                };
                self.instruction(kind, pops, pushes, validator)?;
            }
            Operator::BrTable { ref targets } => {
                let mut labels = Args::with_capacity(targets.len() as usize + 1);
                for depth in targets.targets() {
                    labels.push(self.label(depth?)?);
                }
                labels.push(self.label(targets.default())?);
                let kind = Kind::Branch {
                    op: Box::new(op.clone()),
                    targets: labels,
                };
                self.instruction(kind, pops, pushes, validator)?;
            }
            _ => self.instruction(Kind::Op(op), pops, pushes, validator)?,
        }
        Ok(())
    }

    /// The block-like node a branch depth refers to.
    fn label(&self, depth: u32) -> Result<ExprId, LiftError> {
        let index = self
            .frames
            .len()
            .checked_sub(depth as usize + 1)
            .ok_or(LiftError::Unsupported("branch depth out of range"))?;
        Ok(self.frames[index].node)
    }

    fn frame(&mut self) -> &mut Frame {
        self.frames
            .last_mut()
            .expect("the root frame outlives every instruction")
    }

    /// A plain instruction: pops its operands, pushes itself.
    fn instruction(
        &mut self,
        kind: Kind<'a>,
        pops: u32,
        pushes: u32,
        validator: &FuncValidator<ValidatorResources>,
    ) -> Result<(), LiftError> {
        let args = self.pop_values(pops as usize)?;
        let now_dead = validator
            .get_control_frame(0)
            .is_some_and(|f| f.unreachable);
        let results = if now_dead {
            Results::Unreachable
        } else {
            let result_type = |depth: u32| match validator.get_operand_type(depth as usize) {
                Some(Some(ty)) => self.types.module_form(ty),
                _ => Err(LiftError::Unsupported("result type unknown")),
            };
            match pushes {
                0 => Results::None,
                1 => Results::One(result_type(0)?),
                n => Results::Many(Box::new(
                    (0..n).rev().map(result_type).collect::<Result<_, _>>()?,
                )),
            }
        };
        let id = self.func.add(kind, args, results);
        let frame = self.frame();
        frame.stack.push(id);
        if now_dead {
            frame.dead = true;
            self.skip_depth = Some(0);
        }
        Ok(())
    }

    /// Opens a block-like node: pops its parameters and starts its body.
    fn open(
        &mut self,
        kind: Kind<'a>,
        ty: BlockType,
        pops: u32,
        resources: &ValidatorResources,
    ) -> Result<(), LiftError> {
        let args = self.pop_values(pops as usize)?;
        let (params, results) = block_signature(ty, resources, self.types)?;
        let node = self.func.add(kind, args, Results::from_types(&results));
        self.frames.push(Frame {
            node,
            stack: Vec::new(),
            arm: 0,
            dead: false,
        });
        self.push_pops(&params);
        Ok(())
    }

    /// Starts a body whose first values are already on the stack.
    fn push_pops(&mut self, types: &[ValType]) {
        match types {
            [] => {}
            [ty] => {
                let pop = self.func.add(Kind::Pop, Args::new(), Results::One(*ty));
                self.frame().stack.push(pop);
            }
            many => {
                // Several stacked values: store them at once, then read them
                // one by one, so that no `Pop` ever hides under another.
                let locals: Vec<u32> = many.iter().map(|ty| self.func.add_local(*ty)).collect();
                let pop = self
                    .func
                    .add(Kind::Pop, Args::new(), Results::from_types(many));
                let assign = self.func.add(
                    Kind::Assign {
                        locals: locals.clone(),
                    },
                    smallvec::smallvec![pop],
                    Results::None,
                );
                self.frame().stack.push(assign);
                for (local, ty) in locals.into_iter().zip(many) {
                    let get = self.local_get(local, *ty);
                    self.frame().stack.push(get);
                }
            }
        }
    }

    fn local_get(&mut self, local: u32, ty: ValType) -> ExprId {
        let op = Operator::LocalGet { local_index: local };
        self.func.add(Kind::Op(op), Args::new(), Results::One(ty))
    }

    /// Ends the current body at `else`, `catch`, `catch_all`, `end` or
    /// `delegate`, and starts the next one where there is one.
    fn close_body(
        &mut self,
        end: BodyEnd,
        pops: u32,
        resources: &ValidatorResources,
    ) -> Result<(), LiftError> {
        let results = if self.frame().dead {
            Args::new()
        } else {
            self.pop_values(pops as usize)?
        };
        let frame = self.frames.pop().expect("a body is open");
        let mut body = frame.stack;
        body.extend(results);
        let node = frame.node;
        self.store_body(node, frame.arm, body)?;
        let start_next = |builder: &mut Self, values: &[ValType]| {
            builder.frames.push(Frame {
                node,
                stack: Vec::new(),
                arm: frame.arm + 1,
                dead: false,
            });
            builder.push_pops(values);
        };
        match end {
            BodyEnd::Else => {
                let ty = match &self.func.expr(node).kind {
                    Kind::If { ty, .. } => *ty,
                    _ => return Err(LiftError::Unsupported("else outside if")),
                };
                let (params, _) = block_signature(ty, resources, self.types)?;
                start_next(self, &params);
            }
            BodyEnd::Catch(tag) => {
                let values = match tag {
                    Some(tag) => {
                        let tag = resources
                            .tag_at(tag)
                            .ok_or(LiftError::Unsupported("unknown tag"))?;
                        self.types.all_module_form(tag.params())?
                    }
                    None => Vec::new(),
                };
                if let Kind::Try(t) = &mut self.func.expr_mut(node).kind {
                    t.catches.push(LegacyCatch {
                        tag,
                        body: Vec::new(),
                    });
                }
                start_next(self, &values);
            }
            BodyEnd::Delegate(depth) => {
                let target = self.label(depth)?;
                if let Kind::Try(t) = &mut self.func.expr_mut(node).kind {
                    t.delegate = Some(target);
                }
                self.frame().stack.push(node);
            }
            BodyEnd::End => {
                if let Some(parent) = self.frames.last_mut() {
                    parent.stack.push(node);
                }
            }
        }
        Ok(())
    }

    /// Stores body number `arm` of a block-like node.
    fn store_body(&mut self, node: ExprId, arm: usize, body: Vec<ExprId>) -> Result<(), LiftError> {
        match (&mut self.func.expr_mut(node).kind, arm) {
            (Kind::Block { body: slot, .. }, 0)
            | (Kind::Loop { body: slot, .. }, 0)
            | (
                Kind::If {
                    then_body: slot, ..
                },
                0,
            ) => *slot = body,
            (Kind::TryTable(t), 0) => t.body = body,
            (Kind::Try(t), 0) => t.body = body,
            (Kind::If { else_body, .. }, 1) => *else_body = Some(body),
            (Kind::Try(t), n) if n <= t.catches.len() => t.catches[n - 1].body = body,
            _ => return Err(LiftError::Unsupported("body of a non-block")),
        }
        Ok(())
    }

    /// Stores a stack entry's values in fresh locals: returns the statement
    /// that does so and the reads that stand for the values.
    fn spill(&mut self, entry: ExprId) -> (ExprId, Vec<ExprId>) {
        let types = self.func.expr(entry).results.types().to_vec();
        let locals: Vec<u32> = types.iter().map(|ty| self.func.add_local(*ty)).collect();
        let store = match locals.as_slice() {
            [local] => Kind::Op(Operator::LocalSet {
                local_index: *local,
            }),
            _ => Kind::Assign {
                locals: locals.clone(),
            },
        };
        let statement = self
            .func
            .add(store, smallvec::smallvec![entry], Results::None);
        let gets = locals
            .iter()
            .zip(&types)
            .map(|(l, ty)| self.local_get(*l, *ty))
            .collect();
        (statement, gets)
    }

    /// Whether `entry` reads a scratch local. Lifting writes each of those
    /// once, before any read, so a read can move below any statement
    /// instead of being spilled again: a spilled multi-value whose top is
    /// dropped would otherwise gain a copy on every round trip.
    fn reads_scratch(&self, entry: ExprId) -> bool {
        matches!(
            self.func.expr(entry).kind,
            Kind::Op(Operator::LocalGet { local_index }) if local_index >= self.func.scratch_from
        )
    }

    /// Pops `n` stack values from the current body (see the module docs).
    fn pop_values(&mut self, n: usize) -> Result<Args, LiftError> {
        if n == 0 {
            return Ok(Args::new());
        }
        // Find where the n values start, spreading a partly used multi-value.
        let mut needed = n;
        let mut start = self.frame().stack.len();
        let mut statements = false;
        while needed > 0 {
            start = start
                .checked_sub(1)
                .ok_or(LiftError::Unsupported("operand stack underflow"))?;
            let entry = self.frame().stack[start];
            let arity = self.func.expr(entry).results.arity();
            if arity > needed {
                let (statement, gets) = self.spill(entry);
                let frame = self.frame();
                frame.stack[start] = statement;
                frame.stack.splice(start + 1..start + 1, gets);
                start += 1 + arity - needed;
                needed = 0;
            } else {
                statements |= arity == 0;
                needed -= arity;
            }
        }
        if !statements {
            // The common case: the values are the top entries, in order.
            return Ok(self.frame().stack.drain(start..).collect());
        }
        let tail = self.frame().stack.split_off(start);
        // From the top down: values under a statement are spilled.
        let mut values_rev = Args::new();
        let mut kept_rev = Vec::new();
        for &entry in tail.iter().rev() {
            let arity = self.func.expr(entry).results.arity();
            if arity == 0 {
                kept_rev.push(entry);
            } else if kept_rev.is_empty() || self.reads_scratch(entry) {
                values_rev.push(entry);
            } else {
                let (statement, gets) = self.spill(entry);
                kept_rev.push(statement);
                values_rev.extend(gets.into_iter().rev());
            }
        }
        let frame = self.frame();
        frame.stack.extend(kept_rev.into_iter().rev());
        values_rev.reverse();
        Ok(values_rev)
    }
}

/// The parameter and result types of a block type.
fn block_signature(
    ty: BlockType,
    resources: &ValidatorResources,
    types: &TypeIndexes,
) -> Result<(Vec<ValType>, Vec<ValType>), LiftError> {
    Ok(match ty {
        BlockType::Empty => (Vec::new(), Vec::new()),
        BlockType::Type(t) => (Vec::new(), vec![types.module_form(t)?]),
        BlockType::FuncType(index) => {
            let f = resources
                .sub_type_at(index)
                .ok_or(LiftError::Unsupported("block type missing"))?
                .unwrap_func();
            (
                types.all_module_form(f.params())?,
                types.all_module_form(f.results())?,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Concrete reference types read off the validator's stack carry
    /// canonical ids; the IR must hold module type indices, or a scratch
    /// local of such a type cannot be encoded.
    #[test]
    fn canonical_type_ids_become_module_indices() {
        let wasm = wat::parse_str(
            "(module (type (func)) (type $s (struct)) (type $t (func (param i32))))",
        )
        .unwrap();
        let types = wasmparser::Validator::new_with_features(crate::features::accepted())
            .validate_all(&wasm)
            .unwrap();
        let indexes = TypeIndexes::of(&types);
        for index in 0..3 {
            let id = types.as_ref().core_type_at_in_module(index);
            let canonical = ValType::Ref(
                RefType::new(true, HeapType::Concrete(UnpackedIndex::Id(id))).unwrap(),
            );
            let expected = ValType::Ref(
                RefType::new(true, HeapType::Concrete(UnpackedIndex::Module(index))).unwrap(),
            );
            assert_eq!(indexes.module_form(canonical).unwrap(), expected);
        }
        assert_eq!(indexes.module_form(ValType::I32).unwrap(), ValType::I32);
    }
}
