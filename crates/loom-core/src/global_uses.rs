//! Where a module names its globals: reads and writes in code, initializers
//! of other globals and of tables, element and data segments, and exports.
//! One scan serves every pass that counts or classifies global uses.
//!
//! In code, the instructions that name a global are matched by name (every
//! such operator of wasmparser 0.263: a per-instruction `Reencode` would
//! cost as much as lifting on large modules). In sections, indices are
//! found with wasm-encoder's `Reencode` hooks, the table the writer uses.

use crate::ir::Kind;
use crate::module::{Code, Module};
use rayon::prelude::*;
use std::convert::Infallible;
use wasm_encoder::reencode::{Error as ReencodeError, Reencode};
use wasmparser::{BinaryReader, ExternalKind, FunctionBody, Operator};

/// How a global index is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobalUse {
    /// `global.get` in code.
    Get,
    /// `global.set` in code.
    Set,
    /// Any other instruction naming the global (atomic reads, writes and
    /// read-modify-writes): a read and a write.
    Access,
    /// In the initializer of the global with this (input) index.
    Initializer(u32),
    /// In a table initializer, or an element or data segment.
    Segment,
    /// An export: the host can read it (and write it, when mutable).
    Export,
}

/// Calls `visit` for every place a global index is written.
pub fn for_each(
    module: &Module<'_>,
    mut visit: impl FnMut(u32, GlobalUse),
) -> Result<(), crate::Error> {
    let encode = |e: ReencodeError<Infallible>| crate::Error::Encode(e.to_string());
    let parse = |e: wasmparser::BinaryReaderError| crate::Error::Encode(e.to_string());
    // Functions are scanned in parallel, then reported in order.
    let in_code = module
        .code
        .par_iter()
        .map(|code| {
            let mut uses = Vec::new();
            let mut note = |g, how| uses.push((g, how));
            match code {
                Code::Lifted(func) => {
                    for id in func.walk(func.body) {
                        if let Kind::Op(op) = &func.expr(id).kind {
                            operator(op, &mut note);
                        }
                    }
                }
                Code::Raw(raw) => body(raw, &mut note)?,
                Code::Encoded(bytes) => {
                    body(&FunctionBody::new(BinaryReader::new(bytes, 0)), &mut note)?
                }
            }
            Ok(uses)
        })
        .collect::<Result<Vec<_>, crate::Error>>()?;
    for (g, how) in in_code.into_iter().flatten() {
        visit(g, how);
    }
    let mut found = Recorder::default();
    let mut first_defined = module.types.as_ref().global_count();
    for (id, reader) in module.section_readers() {
        match id {
            6 => {
                let globals =
                    crate::remap::read_all::<wasmparser::Global>(reader).map_err(parse)?;
                first_defined -= globals.len() as u32;
                for (i, global) in globals.into_iter().enumerate() {
                    found
                        .parse_global(&mut wasm_encoder::GlobalSection::new(), global)
                        .map_err(encode)?;
                    let owner = first_defined + i as u32;
                    found.report(&mut visit, GlobalUse::Initializer(owner));
                }
            }
            4 => {
                for table in crate::remap::read_all::<wasmparser::Table>(reader).map_err(parse)? {
                    found
                        .parse_table(&mut wasm_encoder::TableSection::new(), table)
                        .map_err(encode)?;
                }
            }
            7 => {
                for export in crate::remap::read_all::<wasmparser::Export>(reader).map_err(parse)? {
                    if export.kind == ExternalKind::Global {
                        visit(export.index, GlobalUse::Export);
                    }
                }
            }
            9 => {
                for element in
                    crate::remap::read_all::<wasmparser::Element>(reader).map_err(parse)?
                {
                    found
                        .parse_element(&mut wasm_encoder::ElementSection::new(), element)
                        .map_err(encode)?;
                }
            }
            11 => {
                for data in crate::remap::read_all::<wasmparser::Data>(reader).map_err(parse)? {
                    found
                        .parse_data(&mut wasm_encoder::DataSection::new(), data)
                        .map_err(encode)?;
                }
            }
            _ => {}
        }
        found.report(&mut visit, GlobalUse::Segment);
    }
    Ok(())
}

/// A `Reencode` that maps nothing and records every global index it is
/// asked about.
#[derive(Default)]
struct Recorder {
    globals: Vec<u32>,
}

impl Recorder {
    fn report(&mut self, visit: &mut impl FnMut(u32, GlobalUse), how: GlobalUse) {
        for g in self.globals.drain(..) {
            visit(g, how);
        }
    }
}

/// Reports the global an instruction in code names, if any.
fn operator(op: &Operator<'_>, visit: &mut impl FnMut(u32, GlobalUse)) {
    match *op {
        Operator::GlobalGet { global_index } => visit(global_index, GlobalUse::Get),
        Operator::GlobalSet { global_index } => visit(global_index, GlobalUse::Set),
        Operator::GlobalAtomicGet { global_index, .. }
        | Operator::GlobalAtomicSet { global_index, .. }
        | Operator::GlobalAtomicRmwAdd { global_index, .. }
        | Operator::GlobalAtomicRmwSub { global_index, .. }
        | Operator::GlobalAtomicRmwAnd { global_index, .. }
        | Operator::GlobalAtomicRmwOr { global_index, .. }
        | Operator::GlobalAtomicRmwXor { global_index, .. }
        | Operator::GlobalAtomicRmwXchg { global_index, .. }
        | Operator::GlobalAtomicRmwCmpxchg { global_index, .. } => {
            visit(global_index, GlobalUse::Access)
        }
        _ => {}
    }
}

/// Reports the globals a function body's instructions name.
fn body(
    body: &FunctionBody<'_>,
    visit: &mut impl FnMut(u32, GlobalUse),
) -> Result<(), crate::Error> {
    let parse = |e: wasmparser::BinaryReaderError| crate::Error::Encode(e.to_string());
    let mut ops = body.get_operators_reader().map_err(parse)?;
    while !ops.eof() {
        operator(&ops.read().map_err(parse)?, visit);
    }
    Ok(())
}

impl Reencode for Recorder {
    type Error = Infallible;

    fn global_index(&mut self, index: u32) -> Result<u32, ReencodeError<Infallible>> {
        self.globals.push(index);
        Ok(index)
    }
}
