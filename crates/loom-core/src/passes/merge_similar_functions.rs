//! `merge-similar-functions`: defined functions of the same type whose code
//! is the same except for the values of some constants become one shared
//! function that takes those values as extra parameters, and each of them
//! becomes a thunk that calls it, passing its own parameters and its own
//! constants (Binaryen measured +1.2% code size without this on LLVM -O2
//! output: compilers emit many such near-copies, e.g. per-type
//! instantiations).
//!
//! Each thunk keeps its index, type, exports, table entries and name, so
//! nothing observable changes: only the code behind the index does. The
//! shared function is appended after all functions (`Module::add_functions`)
//! with a plain function type: the original parameters, then one per
//! differing constant position (positions whose values differ the same way
//! in every member share one parameter), with the body's declared locals
//! renumbered after them.
//!
//! Two functions are similar when their types are the same canonical type,
//! their declared locals are the same, and their trees are equal node for
//! node (every operator and immediate, branch targets by position, block
//! types, results) except for constants' values and direct calls of
//! themselves: a constant in one must be a constant of the same type in
//! the other, and where one calls itself the other calls itself. Float
//! constants are compared by their bits, so NaN payloads and the sign of
//! zero count. In the shared function a self call calls the shared function,
//! passing the extra parameters on. Everything else must match exactly,
//! other callees included. (Binaryen also parameterizes differing callees
//! with a typed function reference and `call_ref`; that needs the
//! function-references feature and a declaration of each `ref.func` in an
//! element segment, which this pass does not add.) Equal functions merge
//! too, without extra parameters, when it pays: those left after
//! duplicate-function-elimination are exported or in tables, so they keep
//! their identities as thunks.
//!
//! Functions are grouped by a serialization of their code without constant
//! values (one linear walk each, in parallel) used as a hash key, so no
//! pairs are compared. A group is merged only when the code gets smaller:
//! the encoded sizes of the members are weighed against the encoded shared
//! function, the thunks, and the function and type entries added, and the
//! difference must reach `MIN_SAVED_BYTES`. A second run finds nothing: the
//! thunks of a group are similar to each other, but merging them never pays.

use crate::error::Error;
use crate::ir::{Args, ExprId, Function, Kind, Results};
use crate::module::{Code, Module, Signatures, TypeKey};
use crate::pass::Changed;
use crate::remap::{IndexMaps, Remapper};
use rayon::prelude::*;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use wasm_encoder::reencode::Reencode;
use wasm_encoder::Encode;
use wasmparser::{BlockType, Catch, Operator, ValType};

/// Bounds the parameters a shared function gets beyond the original ones:
/// a group that differs in more ways is left alone (each thunk passes them
/// all, and arguments beyond the registers an engine passes them in go
/// through memory). On the corpus, 8 kept about 85% of what 64 saves, 32
/// about 97%.
const MAX_EXTRA_PARAMS: usize = 32;

/// The validator's limits on a function's parameters and on its locals
/// (parameters included), which the shared function must respect.
const MAX_PARAMS: usize = 1000;
const MAX_LOCALS: usize = 50_000;

/// Bytes a group must save before it is merged: the size estimate ignores
/// section-count growth, and merging for a byte or two only costs a call.
const MIN_SAVED_BYTES: usize = 8;

pub fn run(module: &mut Module<'_>) -> Result<Changed, Error> {
    let imported = module.imported_functions as usize;
    let total = imported + module.code.len();
    let representative = module.maps.representative_functions(total);
    let shapes: Vec<Option<Shape>> = module
        .code
        .par_iter()
        .enumerate()
        .map(|(i, code)| {
            let f = imported + i;
            // A function merged into another (or removed) is not written.
            let written = module.maps.function(f as u32).is_some() && representative[f] == f as u32;
            match code {
                Code::Lifted(func) if written => Shape::of(func, f as u32, &module.maps),
                _ => None,
            }
        })
        .collect();

    // Groups in order of their first member, members in index order.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: HashMap<(TypeKey, &[u8]), usize> = HashMap::new();
    for (i, shape) in shapes.iter().enumerate() {
        let Some(shape) = shape else { continue };
        let key = (
            module.function_type_key((imported + i) as u32),
            &shape.key[..],
        );
        match group_of.entry(key) {
            Entry::Occupied(group) => groups[*group.get()].push(i),
            Entry::Vacant(slot) => {
                slot.insert(groups.len());
                groups.push(vec![i]);
            }
        }
    }
    drop(group_of);
    groups.retain(|members| members.len() >= 2);
    let plans: Vec<Plan> = groups
        .into_iter()
        .filter_map(|members| Plan::of(members, &shapes))
        .collect();
    if plans.is_empty() {
        return Ok(false);
    }

    // Measured in parallel; decided in order, since each merge may add a
    // type a later one reuses and takes the next function index.
    // Self calls in shared functions are measured with an index at least
    // as long as the one they get (see `Measured::of`).
    let last_output = module.next_function_output() + plans.len() as u32;
    let measured: Vec<Option<Measured<'_>>> = plans
        .par_iter()
        .map(|plan| Measured::of(module, &shapes, plan, last_output))
        .collect::<Result<_, _>>()?;
    let mut signatures = Signatures::of(module);
    let mut added_types = Vec::new();
    let first_index = module.imported_functions + module.code.len() as u32;
    let first_output = module.next_function_output();
    let mut merges: Vec<(&Plan, Function<'_>)> = Vec::new();
    for (plan, measured) in plans.iter().zip(measured) {
        let Some(measured) = measured else { continue };
        let output = first_output + merges.len() as u32;
        let mut after = measured.after
            + plan.members.len() * (crate::leb::unsigned_size(u64::from(output)) - 1);
        if !signatures.has(&measured.signature) {
            // The form, the counts and at least a byte per value type.
            after += 3 + measured.signature.0.len() + measured.signature.1.len();
        }
        if measured.before < after + MIN_SAVED_BYTES {
            continue;
        }
        let (params, results) = measured.signature;
        let mut shared = measured.shared;
        shared.type_index = signatures.get(&mut added_types, params, results);
        merges.push((plan, shared));
    }
    if merges.is_empty() {
        return Ok(false);
    }

    // In a module with tail calls a member may sit on a loop of them: its
    // thunk must reach the shared body by a tail call too, or every trip
    // would keep a frame (and a long loop overflow the stack).
    let tail = uses_tail_calls(module)?;
    let mut thunks = Vec::new();
    for (j, (plan, shared)) in merges.iter_mut().enumerate() {
        if let Some(primary) = &shapes[plan.members[0]] {
            call_self(shared, &primary.self_calls, first_index + j as u32);
        }
        let results = shared.expr(shared.body).results.types();
        for &m in &plan.members {
            if let (Code::Lifted(func), Some(shape)) = (&module.code[m], &shapes[m]) {
                let index = first_index + j as u32;
                let thunk = thunk(func, &shape.constants, index, &plan.params, results, tail);
                thunks.push((m, thunk));
            }
        }
    }
    for (m, thunk) in thunks {
        module.code[m] = Code::Lifted(thunk);
    }
    module.type_changes.added.extend(added_types);
    let shared = merges.into_iter().map(|(_, shared)| shared).collect();
    module.add_functions(shared)?;
    module.local_names_stale = true;
    Ok(true)
}

/// Whether any code of the module makes a tail call (`return_call*`).
fn uses_tail_calls(module: &Module<'_>) -> Result<bool, Error> {
    let mut found = false;
    for code in &module.code {
        code.for_each_operator(&mut |op| {
            found |= matches!(
                op,
                Operator::ReturnCall { .. }
                    | Operator::ReturnCallIndirect { .. }
                    | Operator::ReturnCallRef { .. }
            )
        })
        .map_err(|e| Error::from_parser(e, false))?;
        if found {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A constant's type and bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Bits {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
}

impl Bits {
    fn of(op: &Operator<'_>) -> Option<Bits> {
        Some(match *op {
            Operator::I32Const { value } => Bits::I32(value),
            Operator::I64Const { value } => Bits::I64(value),
            Operator::F32Const { value } => Bits::F32(value.bits()),
            Operator::F64Const { value } => Bits::F64(value.bits()),
            Operator::V128Const { value } => Bits::V128(value.into()),
            _ => return None,
        })
    }

    fn ty(self) -> ValType {
        match self {
            Bits::I32(_) => ValType::I32,
            Bits::I64(_) => ValType::I64,
            Bits::F32(_) => ValType::F32,
            Bits::F64(_) => ValType::F64,
            Bits::V128(_) => ValType::V128,
        }
    }
}

/// A function's code without its constants' values or its own index, and
/// the constants and calls of itself.
struct Shape {
    /// Declared locals, then every node in `walk` order (kind, immediates,
    /// operand and body counts, branch targets as walk positions, results);
    /// a constant contributes its type only, a direct call of the function
    /// itself only that it is one. Equal keys (with equal types) mean equal
    /// code up to constant values and which function recursion calls.
    key: Vec<u8>,
    /// The constants, in walk order.
    constants: Vec<(ExprId, Bits)>,
    /// The `call`s and `return_call`s of the function itself.
    self_calls: Vec<ExprId>,
}

impl Shape {
    /// The shape of function `own`; `None` when it cannot be encoded.
    fn of(func: &Function<'_>, own: u32, maps: &IndexMaps) -> Option<Shape> {
        let mut shape = Shape {
            key: Vec::with_capacity(func.exprs.len() * 4),
            constants: Vec::new(),
            self_calls: Vec::new(),
        };
        // Calls of a function merged into this one run this body too.
        let own = maps.function(own);
        let mut r = Remapper { maps };
        let key = &mut shape.key;
        func.locals.len().encode(key);
        for &ty in &func.locals {
            r.val_type(ty).ok()?.encode(key);
        }
        let walk = func.walk(func.body);
        let mut position = vec![u32::MAX; func.exprs.len()];
        for (at, &id) in walk.iter().enumerate() {
            position[id.index()] = at as u32;
        }
        let label = |key: &mut Vec<u8>, target: &ExprId| position[target.index()].encode(key);
        let body = |key: &mut Vec<u8>, body: &[ExprId]| body.len().encode(key);
        for &id in &walk {
            let expr = func.expr(id);
            expr.args.len().encode(key);
            match &expr.results {
                Results::None => key.push(0),
                Results::Unreachable => key.push(1),
                results => {
                    key.push(2);
                    results.arity().encode(key);
                    for &ty in results.types() {
                        r.val_type(ty).ok()?.encode(key);
                    }
                }
            }
            match &expr.kind {
                Kind::Block { ty, body: b } | Kind::Loop { ty, body: b } => {
                    key.push(if matches!(expr.kind, Kind::Block { .. }) {
                        0
                    } else {
                        1
                    });
                    r.block_type(*ty).ok()?.encode(key);
                    body(key, b);
                }
                Kind::If {
                    ty,
                    then_body,
                    else_body,
                } => {
                    key.push(2);
                    r.block_type(*ty).ok()?.encode(key);
                    body(key, then_body);
                    match else_body {
                        None => key.push(0),
                        Some(b) => {
                            key.push(1);
                            body(key, b);
                        }
                    }
                }
                Kind::Try(t) => {
                    key.push(3);
                    r.block_type(t.ty).ok()?.encode(key);
                    body(key, &t.body);
                    t.catches.len().encode(key);
                    for c in &t.catches {
                        match c.tag {
                            None => key.push(0),
                            Some(tag) => {
                                key.push(1);
                                r.tag_index(tag).ok()?.encode(key);
                            }
                        }
                        body(key, &c.body);
                    }
                    match &t.delegate {
                        None => key.push(0),
                        Some(target) => {
                            key.push(1);
                            label(key, target);
                        }
                    }
                }
                Kind::TryTable(t) => {
                    key.push(4);
                    r.block_type(t.ty).ok()?.encode(key);
                    body(key, &t.body);
                    t.catches.len().encode(key);
                    for c in &t.catches {
                        let (kind, tag) = match *c {
                            Catch::One { tag, .. } => (0, Some(tag)),
                            Catch::OneRef { tag, .. } => (1, Some(tag)),
                            Catch::All { .. } => (2, None),
                            Catch::AllRef { .. } => (3, None),
                        };
                        key.push(kind);
                        if let Some(tag) = tag {
                            r.tag_index(tag).ok()?.encode(key);
                        }
                    }
                    t.targets.iter().for_each(|target| label(key, target));
                }
                Kind::Branch { op, targets } => {
                    key.push(5);
                    r.instruction(without_depths(op)).ok()?.encode(key);
                    targets.len().encode(key);
                    targets.iter().for_each(|target| label(key, target));
                }
                Kind::Op(op) => match (Bits::of(op), op) {
                    (Some(bits), _) => {
                        // The constant's type stands for it.
                        key.push(6);
                        r.val_type(bits.ty()).ok()?.encode(key);
                        shape.constants.push((id, bits));
                    }
                    (
                        None,
                        &(Operator::Call { function_index }
                        | Operator::ReturnCall { function_index }),
                    ) if maps.function(function_index) == own => {
                        let tail = matches!(op, Operator::ReturnCall { .. });
                        key.push(if tail { 11 } else { 10 });
                        shape.self_calls.push(id);
                    }
                    (None, _) => {
                        key.push(7);
                        r.instruction(op.clone()).ok()?.encode(key);
                    }
                },
                Kind::Pop => key.push(8),
                Kind::Assign { locals } => {
                    key.push(9);
                    locals.encode(key);
                }
            }
        }
        Some(shape)
    }
}

/// A branch operator with its (stale) depths zeroed: the targets are in
/// the shape by position.
fn without_depths<'a>(op: &Operator<'a>) -> Operator<'a> {
    match op {
        Operator::BrTable { .. } => Operator::Br {
            relative_depth: u32::MAX,
        },
        other => crate::lower::with_relative_depth(other, 0).unwrap_or_else(|| other.clone()),
    }
}

/// A group of similar functions and the parameters merging it takes.
struct Plan {
    /// Indices into `module.code`, the first one's body becomes shared.
    members: Vec<usize>,
    /// Per extra parameter, the constants (indices into `Shape::constants`)
    /// it replaces; its values are those constants' in each member.
    params: Vec<Vec<usize>>,
}

impl Plan {
    /// `None` when the members differ in more than `MAX_EXTRA_PARAMS` ways.
    /// Members that do not differ at all (equal functions that
    /// duplicate-function-elimination leaves alone because their identity
    /// escapes, or recursive ones) merge without extra parameters.
    fn of(members: Vec<usize>, shapes: &[Option<Shape>]) -> Option<Plan> {
        let constants: Vec<&[(ExprId, Bits)]> = members
            .iter()
            .map(|&m| shapes[m].as_ref().map(|s| &s.constants[..]))
            .collect::<Option<_>>()?;
        let mut params: Vec<Vec<usize>> = Vec::new();
        let mut param_of: HashMap<Vec<Bits>, usize> = HashMap::new();
        for position in 0..constants[0].len() {
            let values: Vec<Bits> = constants.iter().map(|c| c[position].1).collect();
            if values.iter().all(|&v| v == values[0]) {
                continue;
            }
            match param_of.entry(values) {
                Entry::Occupied(param) => params[*param.get()].push(position),
                Entry::Vacant(slot) => {
                    if params.len() == MAX_EXTRA_PARAMS {
                        return None;
                    }
                    slot.insert(params.len());
                    params.push(vec![position]);
                }
            }
        }
        Some(Plan { members, params })
    }
}

/// A planned merge's shared function and the code sizes it is judged by.
struct Measured<'a> {
    shared: Function<'a>,
    /// Parameters and results of the shared function.
    signature: (Vec<ValType>, Vec<ValType>),
    /// Bytes of the members' bodies as written now (with their size fields).
    before: usize,
    /// Bytes of the shared body, its function section entry and the thunks,
    /// these measured calling function 0: a longer index adds to each.
    after: usize,
}

impl<'a> Measured<'a> {
    fn of(
        module: &Module<'a>,
        shapes: &[Option<Shape>],
        plan: &Plan,
        last_output: u32,
    ) -> Result<Option<Measured<'a>>, Error> {
        let mut members = Vec::with_capacity(plan.members.len());
        for &m in &plan.members {
            match (&module.code[m], &shapes[m]) {
                (Code::Lifted(func), Some(shape)) => members.push((func, shape)),
                _ => return Ok(None),
            }
        }
        let size = |func: &Function<'_>, maps: &IndexMaps| -> Result<usize, Error> {
            let bytes = crate::lower::lower(func, &mut Remapper { maps })
                .map_err(|e| Error::Encode(e.to_string()))?;
            Ok(bytes.len() + crate::leb::unsigned_size(bytes.len() as u64))
        };
        let (primary, shape) = members[0];
        let params = primary.params.len() + plan.params.len();
        if params > MAX_PARAMS || params + primary.locals.len() > MAX_LOCALS {
            return Ok(None);
        }
        // The root's results are the function's, which the shared function
        // and the thunks take: never `Unreachable`, but do not rely on it.
        if primary.expr(primary.body).results == Results::Unreachable {
            return Ok(None);
        }
        let shared = shared_function(primary, shape, &plan.params);
        let results = shared.expr(shared.body).results.types().to_vec();
        let mut before = 0;
        for (func, _) in &members {
            before += size(func, &module.maps)?;
        }
        // Its function section entry: a type index, at most the next one.
        let types = module.types.as_ref().core_type_count_in_module() as usize
            + module.type_changes.added.len();
        let mut after = size(&shared, &module.maps)? + crate::leb::unsigned_size(types as u64);
        // Its self calls still call the primary (the shared function has no
        // index in the maps yet); they will call an index up to
        // `last_output`.
        let own = module.imported_functions + plan.members[0] as u32;
        let own_size = crate::leb::unsigned_size(u64::from(module.maps.function(own).unwrap_or(0)));
        after += shape.self_calls.len()
            * crate::leb::unsigned_size(u64::from(last_output)).saturating_sub(own_size);
        let identity = IndexMaps::default();
        // A thunk's `return_call` is as long as its `call`.
        for &(func, shape) in &members {
            after += size(
                &thunk(func, &shape.constants, 0, &plan.params, &results, false),
                &identity,
            )?;
        }
        Ok(Some(Measured {
            signature: (shared.params.clone(), results),
            shared,
            before,
            after,
        }))
    }
}

/// The primary's body with each differing constant replaced by a read of
/// its extra parameter, which come after the original parameters.
fn shared_function<'a>(
    primary: &Function<'a>,
    shape: &Shape,
    params: &[Vec<usize>],
) -> Function<'a> {
    let constants = &shape.constants;
    let mut shared = primary.clone();
    let original = primary.params.len();
    let declared = primary.locals.len();
    let extra: Vec<ValType> = params
        .iter()
        .map(|positions| constants[positions[0]].1.ty())
        .collect();
    shared.params.extend(&extra);
    let new_index: Vec<u32> = (0..(original + declared) as u32)
        .map(|l| {
            if (l as usize) < original {
                l
            } else {
                l + extra.len() as u32
            }
        })
        .collect();
    shared.renumber_locals(&new_index, primary.locals.clone());
    for (p, positions) in params.iter().enumerate() {
        for &position in positions {
            let (id, _) = constants[position];
            shared.expr_mut(id).kind = Kind::Op(Operator::LocalGet {
                local_index: (original + p) as u32,
            });
        }
    }
    // Recursion passes the extra parameters on (see `call_self`).
    for &call in &shape.self_calls {
        for (p, &ty) in extra.iter().enumerate() {
            let get = shared.add(
                Kind::Op(Operator::LocalGet {
                    local_index: (original + p) as u32,
                }),
                Args::new(),
                Results::One(ty),
            );
            shared.expr_mut(call).args.push(get);
        }
    }
    shared.dirty = true;
    shared
}

/// Makes the shared function's calls of the primary (`self_calls`, which
/// pass the extra parameters on) call `index`, the shared function itself:
/// recursion in a member calls that member, which is the shared function
/// with that member's values in the extra parameters (nothing writes them).
fn call_self(shared: &mut Function<'_>, self_calls: &[ExprId], index: u32) {
    for &call in self_calls {
        if let Kind::Op(
            Operator::Call { function_index } | Operator::ReturnCall { function_index },
        ) = &mut shared.expr_mut(call).kind
        {
            *function_index = index;
        }
    }
}

/// `func` as a call of the shared function with its own parameters and its
/// own values of the extra ones.
fn thunk<'a>(
    func: &Function<'a>,
    constants: &[(ExprId, Bits)],
    shared: u32,
    params: &[Vec<usize>],
    results: &[ValType],
    tail: bool,
) -> Function<'a> {
    let mut thunk = Function {
        type_index: func.type_index,
        params: func.params.clone(),
        locals: Vec::new(),
        scratch_from: func.params.len() as u32,
        exprs: Vec::with_capacity(func.params.len() + params.len() + 2),
        body: ExprId(0),
        dirty: true,
        fingerprint: None,
    };
    thunk.body = thunk.add(
        Kind::Block {
            ty: BlockType::Empty,
            body: Vec::new(),
        },
        Args::new(),
        Results::from_types(results),
    );
    let mut args = Args::new();
    for (local, &ty) in func.params.iter().enumerate() {
        args.push(thunk.add(
            Kind::Op(Operator::LocalGet {
                local_index: local as u32,
            }),
            Args::new(),
            Results::One(ty),
        ));
    }
    for positions in params {
        let constant = func.expr(constants[positions[0]].0);
        args.push(thunk.add(constant.kind.clone(), Args::new(), constant.results.clone()));
    }
    let (call, call_results) = if tail {
        let op = Operator::ReturnCall {
            function_index: shared,
        };
        (op, Results::Unreachable)
    } else {
        let op = Operator::Call {
            function_index: shared,
        };
        (op, Results::from_types(results))
    };
    let call = thunk.add(Kind::Op(call), args, call_results);
    if let Kind::Block { body, .. } = &mut thunk.expr_mut(thunk.body).kind {
        body.push(call);
    }
    thunk
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(passes: &[&str], wat: &str) -> String {
        let bytes = crate::run_passes_for_test(passes, wat);
        wasmprinter::print_bytes(&bytes).expect("prints")
    }

    /// Later module passes treat the shared function like any other:
    /// inlining inlines the thunks into their only callers and removes
    /// them, remove-unused-module-elements keeps the shared function, and
    /// reorder-functions gives it the lowest index (it has the most calls).
    #[test]
    fn later_passes_see_the_shared_function() {
        let wat = r#"(module (memory 1)
            (func $a (param i32) (result i32)
              (i32.store offset=8 (local.get 0) (i32.load offset=4 (local.get 0)))
              (i32.store offset=8 (local.get 0) (i32.load offset=4 (local.get 0)))
              (i32.store offset=8 (local.get 0) (i32.load offset=4 (local.get 0)))
              (i32.add (local.get 0) (i32.const 1)))
            (func $b (param i32) (result i32)
              (i32.store offset=8 (local.get 0) (i32.load offset=4 (local.get 0)))
              (i32.store offset=8 (local.get 0) (i32.load offset=4 (local.get 0)))
              (i32.store offset=8 (local.get 0) (i32.load offset=4 (local.get 0)))
              (i32.add (local.get 0) (i32.const 2)))
            (func (export "main") (param i32) (result i32)
              (i32.add (call $a (local.get 0)) (call $b (local.get 0)))))"#;
        let passes = [
            "merge-similar-functions",
            "inlining",
            "remove-unused-module-elements",
            "reorder-functions",
        ];
        let out = run(&passes, wat);
        let functions = out.lines().filter(|l| l.starts_with("  (func ")).count();
        assert_eq!(functions, 2, "{out}");
        assert_eq!(out.matches("call 0").count(), 2, "{out}");
    }

    /// A second run finds nothing to merge: thunks of one group are
    /// similar, but merging them never pays.
    #[test]
    fn idempotent() {
        let wat = include_str!("../../tests/passes/merge-similar-functions.wat");
        let once = run(&["merge-similar-functions"], wat);
        assert!(once.contains("call 26"), "{once}");
        let twice = run(&["merge-similar-functions", "merge-similar-functions"], wat);
        assert_eq!(once, twice);
    }

    /// The shared function would have more parameters than the validator
    /// allows (997 and 4 extra): the group is left alone.
    #[test]
    fn parameter_limit() {
        let params = " i32".repeat(MAX_PARAMS - 3);
        let body = |c: i32| {
            let stores: String = (0..4)
                .map(|k| {
                    format!(
                        "(i32.store offset={} (local.get 0) (i32.const {}))",
                        k * 4,
                        c + k
                    )
                })
                .collect();
            stores.repeat(1000)
        };
        let wat = format!(
            "(module (memory 1)
               (func (export \"a\") (param{params}) {})
               (func (export \"b\") (param{params}) {}))",
            body(0),
            body(100)
        );
        let out = run(&["merge-similar-functions"], &wat);
        assert!(!out.contains("call "), "merged");
        // With one parameter fewer per function, the merge happens.
        let wat = wat.replace(" i32)", ")");
        let out = run(&["merge-similar-functions"], &wat);
        assert!(out.contains("call 2"), "not merged");
    }

    /// Two functions differing in `differing` constants, with enough in
    /// common that merging them pays.
    fn differing_in(differing: usize) -> String {
        let function = |name: &str, base: usize| {
            let stores: String = (0..differing)
                .map(|k| {
                    format!(
                        "(i32.store offset={} (local.get 0) (i32.const {}))",
                        k * 4,
                        base + k
                    )
                })
                .collect();
            let common =
                "(i32.store offset=8 (local.get 0) (i32.load offset=4 (local.get 0)))".repeat(100);
            format!("(func (export \"{name}\") (param i32) {stores} {common})")
        };
        format!(
            "(module (memory 1) {} {})",
            function("a", 0),
            function("b", 1000)
        )
    }

    #[test]
    fn extra_parameter_limit() {
        let merged = run(
            &["merge-similar-functions"],
            &differing_in(MAX_EXTRA_PARAMS),
        );
        assert!(merged.contains("call 2"), "not merged");
        let kept = run(
            &["merge-similar-functions"],
            &differing_in(MAX_EXTRA_PARAMS + 1),
        );
        assert!(!kept.contains("call "), "merged");
    }
}
