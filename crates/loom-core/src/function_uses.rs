//! Where a module names its functions: calls in code, and references that
//! let a function's identity reach other code or the host (`ref.func`,
//! exports, element segments), plus the start function. One scan serves
//! every pass that counts or classifies function uses.

use crate::module::{Code, Module};
use rayon::prelude::*;
use wasmparser::{ElementItems, ExternalKind, Operator, OperatorsReader};

/// How a function index is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionUse {
    /// `call` or `return_call`.
    Call,
    /// `ref.func`, an export or an element segment entry.
    Reference,
    /// The start function.
    Start,
}

/// Calls `visit` for every place a function index is written: code,
/// table and global initializers, exports, start and element segments.
/// What passes removed (through `Module::maps`) is not written, so its uses
/// do not count.
pub fn for_each(
    module: &Module<'_>,
    mut visit: impl FnMut(u32, FunctionUse),
) -> wasmparser::Result<()> {
    for (i, code) in module.code.iter().enumerate() {
        if module
            .maps
            .function(module.imported_functions + i as u32)
            .is_some()
        {
            in_function(code, &mut visit)?;
        }
    }
    outside_code(module, &mut visit)
}

/// The functions that written code takes with `ref.func` but that no
/// written item outside code declares (an export, an element segment, a
/// global or table initializer), as sorted output indices. Validation wants
/// each declared; passes that merge functions or remove unused items can
/// leave one undeclared, and the writer then declares it.
pub fn undeclared_references(module: &Module<'_>) -> wasmparser::Result<Vec<u32>> {
    let maps = &module.maps;
    let mut declared = std::collections::HashSet::new();
    outside_code(module, &mut |f, how| {
        if how == FunctionUse::Reference {
            declared.extend(maps.function(f));
        }
    })?;
    let per_function = module
        .code
        .par_iter()
        .enumerate()
        .filter(|(i, _)| {
            maps.function(module.imported_functions + *i as u32)
                .is_some()
        })
        .map(|(_, code)| {
            let mut taken = Vec::new();
            in_function(code, &mut |f, how| {
                if how == FunctionUse::Reference {
                    taken.extend(maps.function(f).filter(|out| !declared.contains(out)));
                }
            })?;
            Ok(taken)
        })
        .collect::<wasmparser::Result<Vec<Vec<u32>>>>()?;
    let mut undeclared: Vec<u32> = per_function.into_iter().flatten().collect();
    undeclared.sort_unstable();
    undeclared.dedup();
    Ok(undeclared)
}

/// The uses in one function's code.
fn in_function(code: &Code<'_>, visit: &mut dyn FnMut(u32, FunctionUse)) -> wasmparser::Result<()> {
    let mut uses = Uses { visit };
    code.for_each_operator(&mut |op| uses.operator(op))
}

/// The uses outside code: table and global initializers, exports, start
/// and element segments that are written.
fn outside_code(
    module: &Module<'_>,
    visit: &mut dyn FnMut(u32, FunctionUse),
) -> wasmparser::Result<()> {
    let mut uses = Uses { visit };
    let maps = &module.maps;
    for (id, mut reader) in module.section_readers() {
        match id {
            4 => {
                let tables = wasmparser::TableSectionReader::new(reader)?;
                let imported = module.types.as_ref().table_count() - tables.count();
                for (i, table) in tables.into_iter().enumerate() {
                    if let wasmparser::TableInit::Expr(init) = table?.init {
                        if maps.table(imported + i as u32).is_some() {
                            uses.operators(init.get_operators_reader())?;
                        }
                    }
                }
            }
            6 => {
                let globals = wasmparser::GlobalSectionReader::new(reader)?;
                let imported = module.types.as_ref().global_count() - globals.count();
                for (i, global) in globals.into_iter().enumerate() {
                    let global = global?;
                    if maps.global(imported + i as u32).is_some() {
                        uses.operators(global.init_expr.get_operators_reader())?;
                    }
                }
            }
            7 => {
                for export in wasmparser::ExportSectionReader::new(reader)? {
                    let export = export?;
                    if export.kind == ExternalKind::Func {
                        (uses.visit)(export.index, FunctionUse::Reference);
                    }
                }
            }
            8 => (uses.visit)(reader.read_var_u32()?, FunctionUse::Start),
            9 => {
                for (i, element) in wasmparser::ElementSectionReader::new(reader)?
                    .into_iter()
                    .enumerate()
                {
                    let element = element?;
                    if maps.element(i as u32).is_none() {
                        continue;
                    }
                    match element.items {
                        ElementItems::Functions(functions) => {
                            for f in functions {
                                (uses.visit)(f?, FunctionUse::Reference);
                            }
                        }
                        ElementItems::Expressions(_, exprs) => {
                            for expr in exprs {
                                uses.operators(expr?.get_operators_reader())?;
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

struct Uses<'v> {
    visit: &'v mut dyn FnMut(u32, FunctionUse),
}

impl Uses<'_> {
    fn operator(&mut self, op: &Operator<'_>) {
        match *op {
            Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                (self.visit)(function_index, FunctionUse::Call)
            }
            Operator::RefFunc { function_index } => {
                (self.visit)(function_index, FunctionUse::Reference)
            }
            _ => {}
        }
    }

    fn operators(&mut self, ops: OperatorsReader<'_>) -> wasmparser::Result<()> {
        for op in ops {
            self.operator(&op?);
        }
        Ok(())
    }
}
