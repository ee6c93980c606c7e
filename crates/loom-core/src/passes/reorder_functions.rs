//! `reorder-functions`: gives the most-referenced defined functions the
//! lowest indices, so the LEB128 indices in calls, `ref.func`, element
//! segments and exports are as short as they can be (the first 128 indices
//! take one byte, the next 16,256 two). Imports keep their indices. Static
//! reference counts decide; ties keep input order, so output is
//! deterministic.

use crate::error::Error;
use crate::ir::Kind;
use crate::module::{Code, Module};
use crate::pass::Changed;
use crate::remap::REMOVED;
use wasmparser::{ElementItems, Operator};

pub fn run(module: &mut Module<'_>) -> Result<Changed, Error> {
    let imported = module.imported_functions as usize;
    let total = imported + module.code.len();
    let mut refs = vec![0u64; total];
    count_references(module, &mut refs).map_err(|e| Error::Encode(e.to_string()))?;

    // Only functions that survive earlier passes take part, by output index
    // (functions merged into one index count together).
    let mut outputs: Vec<(u32, u64)> = Vec::new();
    let mut by_output: Vec<(u32, u32)> = (imported as u32..total as u32)
        .filter_map(|f| module.maps.function(f).map(|out| (out, f)))
        .collect();
    by_output.sort_unstable();
    for (out, f) in &by_output {
        match outputs.last_mut() {
            Some((last, count)) if last == out => *count += refs[*f as usize],
            _ => outputs.push((*out, refs[*f as usize])),
        }
    }
    let mut order = outputs.clone();
    order.sort_by_key(|&(_, count)| std::cmp::Reverse(count));
    if order == outputs {
        return Ok(false);
    }
    let first = outputs.first().map_or(0, |&(out, _)| out);
    let rank: std::collections::HashMap<u32, u32> = order
        .iter()
        .enumerate()
        .map(|(position, &(out, _))| (out, first + position as u32))
        .collect();
    let map: Vec<u32> = (0..total as u32)
        .map(|f| match module.maps.function(f) {
            Some(out) if f >= imported as u32 => rank[&out],
            Some(out) => out,
            None => REMOVED,
        })
        .collect();
    module.maps.functions = Some(map);
    Ok(true)
}

/// Counts every place a function index is written: code, element segments,
/// global initializers, exports and start.
fn count_references(module: &Module<'_>, refs: &mut [u64]) -> wasmparser::Result<()> {
    let mut tally = Tally { refs };
    for code in &module.code {
        match code {
            Code::Lifted(func) => {
                for id in func.walk(func.body) {
                    if let Kind::Op(op) = &func.expr(id).kind {
                        tally.operator(op);
                    }
                }
            }
            Code::Raw(body) => tally.operators(body.get_operators_reader()?)?,
            Code::Encoded(bytes) => {
                let body = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(bytes, 0));
                tally.operators(body.get_operators_reader()?)?
            }
        }
    }
    for (id, reader) in module.section_readers() {
        match id {
            6 => {
                for global in wasmparser::GlobalSectionReader::new(reader)? {
                    tally.operators(global?.init_expr.get_operators_reader())?;
                }
            }
            7 => {
                for export in wasmparser::ExportSectionReader::new(reader)? {
                    let export = export?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        tally.function(export.index);
                    }
                }
            }
            8 => {
                let mut reader = reader;
                tally.function(reader.read_var_u32()?);
            }
            9 => {
                for element in wasmparser::ElementSectionReader::new(reader)? {
                    match element?.items {
                        ElementItems::Functions(functions) => {
                            for f in functions {
                                tally.function(f?);
                            }
                        }
                        ElementItems::Expressions(_, exprs) => {
                            for expr in exprs {
                                tally.operators(expr?.get_operators_reader())?;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

struct Tally<'r> {
    refs: &'r mut [u64],
}

impl Tally<'_> {
    fn function(&mut self, index: u32) {
        if let Some(count) = self.refs.get_mut(index as usize) {
            *count += 1;
        }
    }

    fn operator(&mut self, op: &Operator<'_>) {
        if let Operator::Call { function_index }
        | Operator::ReturnCall { function_index }
        | Operator::RefFunc { function_index } = op
        {
            self.function(*function_index);
        }
    }

    fn operators(&mut self, mut ops: wasmparser::OperatorsReader<'_>) -> wasmparser::Result<()> {
        while !ops.eof() {
            self.operator(&ops.read()?);
        }
        Ok(())
    }
}
