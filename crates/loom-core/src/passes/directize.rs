//! `directize`: a `call_indirect` (or `return_call_indirect`) with a constant
//! index into a table whose contents are known at compile time becomes a
//! direct `call` (`return_call`), which engines call faster and later passes
//! (inlining, dead argument elimination) can see through.
//!
//! A table's contents are known when nothing outside the module can see or
//! change it and nothing inside changes it after instantiation: it is
//! defined here (not imported), not exported, starts out null (no
//! initializer expression), is filled only by active element segments with
//! constant offsets and constant items (applied in order, as instantiation
//! does, so overlaps are modelled), and no code anywhere writes it
//! (`table.set`, `table.grow`, `table.fill`, `table.copy` into it,
//! `table.init` into it).
//!
//! For a constant index: a slot holding a function of exactly the call's
//! type (the same canonical type) becomes a direct call; the arguments are
//! kept as they are and the constant index, which has no effects, goes. An
//! index out of bounds or a null slot traps, and so does a function of
//! another type when that type has no declared supertype (with GC subtyping
//! a subtype would pass the check, so such calls are left alone): the call
//! becomes a block that evaluates the arguments (dropped, in order) and
//! then traps with `unreachable`. A non-constant index is left alone.

use crate::effects;
use crate::error::Error;
use crate::ir::{Args, ExprId, Function, Kind, Results};
use crate::module::{Code, Module};
use crate::pass::Changed;
use crate::remap::read_all;
use rayon::prelude::*;
use wasmparser::types::TypesRef;
use wasmparser::{
    BinaryReader, BlockType, ElementItems, ElementKind, ExternalKind, FunctionBody, Operator,
    TableInit,
};

/// Largest table whose contents are modelled, in slots: bounds the memory
/// the model takes (real tables of function pointers are far smaller).
const MAX_TABLE_SLOTS: u64 = 1 << 20;

pub fn run(module: &mut Module<'_>) -> Result<Changed, Error> {
    let tables = known_tables(module).map_err(|e| Error::Encode(e.to_string()))?;
    if tables.iter().all(Option::is_none) {
        return Ok(false);
    }
    let types = module.types.as_ref();
    let changed = module
        .code
        .par_iter_mut()
        .map(|code| match code {
            Code::Lifted(func) => {
                let directized = directize_function(func, &tables, types);
                func.dirty |= directized;
                directized
            }
            Code::Raw(_) | Code::Encoded(_) => false,
        })
        .reduce(|| false, |a, b| a | b);
    Ok(changed)
}

/// A table slot's known contents: a function index or null.
type Slots = Vec<Option<u32>>;

/// Per table index, the slots of every table whose contents are known.
fn known_tables(module: &Module<'_>) -> wasmparser::Result<Vec<Option<Slots>>> {
    let mut tables: Vec<Option<Slots>> = Vec::new();
    let mut segments = Vec::new();
    for (id, reader) in module.section_readers() {
        match id {
            2 => {
                tables = vec![None; imported_tables(reader)? as usize];
            }
            4 => {
                for table in read_all::<wasmparser::Table>(reader)? {
                    let known = matches!(table.init, TableInit::RefNull)
                        && table.ty.initial <= MAX_TABLE_SLOTS;
                    tables.push(known.then(|| vec![None; table.ty.initial as usize]));
                }
            }
            7 => {
                for export in read_all::<wasmparser::Export>(reader)? {
                    if export.kind == ExternalKind::Table {
                        forget(&mut tables, export.index);
                    }
                }
            }
            9 => segments = read_all::<wasmparser::Element>(reader)?,
            _ => {}
        }
    }
    for segment in segments {
        let ElementKind::Active {
            table_index,
            offset_expr,
        } = segment.kind
        else {
            continue;
        };
        let table = table_index.unwrap_or(0);
        let items = segment_items(&segment.items)?;
        let offset = constant(&mut offset_expr.get_operators_reader())?;
        let Some(Some(slots)) = tables.get_mut(table as usize) else {
            continue;
        };
        let placed = match (offset, items) {
            (Some(offset), Some(items)) => {
                let end = offset.checked_add(items.len() as u64);
                match end.filter(|&end| end <= slots.len() as u64) {
                    Some(_) => {
                        slots[offset as usize..][..items.len()].copy_from_slice(&items);
                        true
                    }
                    // Instantiation traps: nothing runs, nothing to model.
                    None => false,
                }
            }
            _ => false,
        };
        if !placed {
            forget(&mut tables, table);
        }
    }
    for code in &module.code {
        match code {
            Code::Lifted(func) => {
                for id in func.walk(func.body) {
                    if let Kind::Op(op) = &func.expr(id).kind {
                        forget_written(&mut tables, op);
                    }
                }
            }
            Code::Raw(body) => forget_written_by(&mut tables, body)?,
            Code::Encoded(bytes) => {
                forget_written_by(&mut tables, &FunctionBody::new(BinaryReader::new(bytes, 0)))?
            }
        }
    }
    Ok(tables)
}

fn imported_tables(reader: BinaryReader<'_>) -> wasmparser::Result<u32> {
    let mut count = 0;
    for import in wasmparser::ImportSectionReader::new(reader)?.into_imports() {
        if let wasmparser::TypeRef::Table(_) = import?.ty {
            count += 1;
        }
    }
    Ok(count)
}

fn forget(tables: &mut [Option<Slots>], table: u32) {
    if let Some(slot) = tables.get_mut(table as usize) {
        *slot = None;
    }
}

/// Forgets the table `op` writes, if any.
fn forget_written(tables: &mut [Option<Slots>], op: &Operator<'_>) {
    match *op {
        Operator::TableSet { table }
        | Operator::TableGrow { table }
        | Operator::TableFill { table }
        | Operator::TableInit { table, .. }
        | Operator::TableCopy {
            dst_table: table, ..
        } => forget(tables, table),
        _ => {}
    }
}

fn forget_written_by(
    tables: &mut [Option<Slots>],
    body: &FunctionBody<'_>,
) -> wasmparser::Result<()> {
    for op in body.get_operators_reader()? {
        forget_written(tables, &op?);
    }
    Ok(())
}

/// The value of a constant offset expression (`i32.const` or `i64.const`).
fn constant(ops: &mut wasmparser::OperatorsReader<'_>) -> wasmparser::Result<Option<u64>> {
    let value = match ops.read()? {
        Operator::I32Const { value } => u64::from(value as u32),
        Operator::I64Const { value } => value as u64,
        _ => return Ok(None),
    };
    Ok(matches!(ops.read()?, Operator::End).then_some(value))
}

/// A segment's items as slots, or `None` when one is not a constant
/// function reference or null.
fn segment_items(items: &ElementItems<'_>) -> wasmparser::Result<Option<Slots>> {
    let mut slots = Vec::new();
    match items {
        ElementItems::Functions(functions) => {
            for f in functions.clone() {
                slots.push(Some(f?));
            }
        }
        ElementItems::Expressions(_, exprs) => {
            for expr in exprs.clone() {
                let mut ops = expr?.get_operators_reader();
                let slot = match ops.read()? {
                    Operator::RefFunc { function_index } => Some(function_index),
                    Operator::RefNull { .. } => None,
                    _ => return Ok(None),
                };
                if !matches!(ops.read()?, Operator::End) {
                    return Ok(None);
                }
                slots.push(slot);
            }
        }
    }
    Ok(Some(slots))
}

/// What a call through a known slot does.
enum Target {
    Direct(u32),
    Traps,
}

fn directize_function(
    func: &mut Function<'_>,
    tables: &[Option<Slots>],
    types: TypesRef<'_>,
) -> bool {
    let mut changed = false;
    for id in func.walk(func.body) {
        let expr = func.expr(id);
        let (Kind::Op(Operator::CallIndirect {
            type_index,
            table_index,
        })
        | Kind::Op(Operator::ReturnCallIndirect {
            type_index,
            table_index,
        })) = expr.kind
        else {
            continue;
        };
        let Some(Some(slots)) = tables.get(table_index as usize) else {
            continue;
        };
        let Some(&index) = expr.args.last() else {
            continue;
        };
        let slot = match func.expr(index).kind {
            Kind::Op(Operator::I32Const { value }) => u64::from(value as u32),
            Kind::Op(Operator::I64Const { value }) => value as u64,
            _ => continue,
        };
        let expected = types.core_type_at_in_module(type_index);
        let target = match usize::try_from(slot).ok().and_then(|s| slots.get(s)) {
            None | Some(None) => Target::Traps,
            Some(&Some(f)) => {
                let actual = types.core_function_at(f);
                if actual == expected {
                    Target::Direct(f)
                } else if types.supertype_of(actual).is_none() {
                    Target::Traps
                } else {
                    continue;
                }
            }
        };
        let tail = matches!(expr.kind, Kind::Op(Operator::ReturnCallIndirect { .. }));
        changed |= match target {
            Target::Direct(function_index) => {
                let expr = func.expr_mut(id);
                expr.args.pop();
                expr.kind = Kind::Op(if tail {
                    Operator::ReturnCall { function_index }
                } else {
                    Operator::Call { function_index }
                });
                true
            }
            Target::Traps => make_trap(func, id),
        };
    }
    changed
}

/// Turns call `id` into a block that evaluates its arguments but the last
/// (the constant index), drops their values, and traps. Returns false (and
/// changes nothing) when the arguments cannot be dropped one by one or a
/// block cannot stand where the call is.
///
/// A tail call is stack-polymorphic (values may be left under it) and a
/// block is not, so a tail call becomes a bare `unreachable`, and only when
/// its arguments have no effects.
fn make_trap(func: &mut Function<'_>, id: ExprId) -> bool {
    let expr = func.expr(id);
    let ty = match &expr.results {
        Results::None => BlockType::Empty,
        Results::One(t) => BlockType::Type(*t),
        Results::Unreachable => {
            if !expr
                .args
                .iter()
                .all(|&a| effects::of_tree(func, a).removable())
            {
                return false;
            }
            let expr = func.expr_mut(id);
            expr.kind = Kind::Op(Operator::Unreachable);
            expr.args = Args::new();
            return true;
        }
        Results::Many(_) => return false,
    };
    let values = &expr.args[..expr.args.len() - 1];
    let droppable = values.iter().all(|&a| {
        matches!(func.expr(a).results, Results::One(_))
            && !func
                .walk(a)
                .iter()
                .any(|&n| matches!(func.expr(n).kind, Kind::Pop))
    });
    if !droppable {
        return false;
    }
    let values = values.to_vec();
    let mut body: Vec<ExprId> = values
        .into_iter()
        .map(|a| {
            func.add(
                Kind::Op(Operator::Drop),
                smallvec::smallvec![a],
                Results::None,
            )
        })
        .collect();
    body.push(func.add(
        Kind::Op(Operator::Unreachable),
        Args::new(),
        Results::Unreachable,
    ));
    let expr = func.expr_mut(id);
    expr.kind = Kind::Block { ty, body };
    expr.args = Args::new();
    true
}
