//! `remove-unused-module-elements`: removes functions, globals, tables,
//! memories, tags, and element and data segments that nothing observable
//! can reach.
//!
//! What is observable, and so a root: every export; every import (linking
//! checks each one, so removing one could make a failing instantiation
//! succeed); the start function;
//! every active element and data segment (instantiation writes them into a
//! table or memory and traps when they do not fit, so they stay whole, with
//! their table or memory); every declarative element segment (it is what
//! lets `ref.func` name a function, kept whole rather than rewritten); every
//! global, table and element segment whose initializer may fail to allocate
//! an array (instantiation traps then). A
//! function that live code names with `ref.func` keeps one item that
//! declares it (a passive segment or a global) when no live item does. From
//! the roots, liveness follows every index an item holds: the instructions
//! of a live function's body (calls, `ref.func`, globals, tables, memories,
//! tags, segments), live globals' initializers, live segments' offsets and
//! items, live tables' initializers.
//!
//! Indices are found by running wasm-encoder's `Reencode` over each item with
//! hooks that record the index they are asked to map, so every instruction
//! of every proposal is covered by the same table the writer uses. Types are
//! not removed (the writer cannot renumber them yet).

use crate::error::Error;
use crate::ir::Kind;
use crate::module::{Code, Module};
use crate::pass::Changed;
use crate::remap::{compact, read_all, ImportCounts, REMOVED};
use std::collections::HashMap;
use std::convert::Infallible;
use wasm_encoder::reencode::{Error as ReencodeError, Reencode};
use wasmparser::{BinaryReader, ElementKind, Operator};

pub fn run(module: &mut Module<'_>) -> Result<Changed, Error> {
    let items = Items::read(module).map_err(|e| Error::Encode(e.to_string()))?;
    let live = items
        .live(module)
        .map_err(|e| Error::Encode(e.to_string()))?;
    let maps = &mut module.maps;
    let mut changed = false;
    for (space, map) in [
        (Space::Function, &mut maps.functions),
        (Space::Global, &mut maps.globals),
        (Space::Table, &mut maps.tables),
        (Space::Memory, &mut maps.memories),
        (Space::Tag, &mut maps.tags),
        (Space::Element, &mut maps.elements),
        (Space::Data, &mut maps.data),
    ] {
        changed |= compose(map, &live.sets[space as usize]);
    }
    Ok(changed)
}

/// The index spaces this pass removes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Space {
    Function,
    Global,
    Table,
    Memory,
    Tag,
    Element,
    Data,
}

const SPACES: usize = 7;
const SPACE_LIST: [Space; SPACES] = [
    Space::Function,
    Space::Global,
    Space::Table,
    Space::Memory,
    Space::Tag,
    Space::Element,
    Space::Data,
];

/// Removes the dead entries from one space's map (composed with the
/// renumbering already there; survivors keep their relative order and
/// indices merged into one stay merged). Returns whether anything was
/// removed.
fn compose(map: &mut Option<Vec<u32>>, live: &[bool]) -> bool {
    let mut new: Vec<u32> = match map {
        None => (0..live.len() as u32).collect(),
        Some(existing) => existing.clone(),
    };
    let mut removed = false;
    for (index, &live) in new.iter_mut().zip(live) {
        if !live && *index != REMOVED {
            *index = REMOVED;
            removed = true;
        }
    }
    if removed {
        compact(&mut new);
        *map = Some(new);
    }
    removed
}

/// The module's items that hold indices, read from their sections.
struct Items<'a> {
    imports: [u32; SPACES],
    globals: Vec<wasmparser::Global<'a>>,
    tables: Vec<wasmparser::Table<'a>>,
    exports: Vec<wasmparser::Export<'a>>,
    start: Option<u32>,
    elements: Vec<wasmparser::Element<'a>>,
    data: Vec<wasmparser::Data<'a>>,
}

/// Per space, whether each index (imports first) is live.
struct Live {
    sets: [Vec<bool>; SPACES],
}

impl<'a> Items<'a> {
    fn read(module: &Module<'a>) -> wasmparser::Result<Items<'a>> {
        let imports = match module.sections.iter().find(|s| s.id == 2) {
            Some(section) => ImportCounts::of(module.bytes, section.range.clone())?,
            None => ImportCounts::default(),
        };
        let mut items = Items {
            // In `Space` order; segments are never imported.
            imports: [
                imports.functions,
                imports.globals,
                imports.tables,
                imports.memories,
                imports.tags,
                0,
                0,
            ],
            globals: Vec::new(),
            tables: Vec::new(),
            exports: Vec::new(),
            start: None,
            elements: Vec::new(),
            data: Vec::new(),
        };
        for (id, reader) in module.section_readers() {
            match id {
                4 => items.tables = read_all(reader)?,
                6 => items.globals = read_all(reader)?,
                7 => items.exports = read_all(reader)?,
                8 => items.start = Some(reader.clone().read_var_u32()?),
                9 => items.elements = read_all(reader)?,
                11 => items.data = read_all(reader)?,
                _ => {}
            }
        }
        Ok(items)
    }

    /// Marks everything reachable from the roots.
    fn live(&self, module: &Module<'_>) -> Result<Live, ReencodeError<Infallible>> {
        let types = module.types.as_ref();
        let sizes = [
            // Functions passes added follow the input's.
            module.imported_functions + module.code.len() as u32,
            types.global_count(),
            types.table_count(),
            types.memory_count(),
            types.tag_count(),
            self.elements.len() as u32,
            self.data.len() as u32,
        ];
        let mut live = Live {
            sets: sizes.map(|n| vec![false; n as usize]),
        };
        let mut found = Collector::default();
        for export in &self.exports {
            found.parse_export(&mut wasm_encoder::ExportSection::new(), *export)?;
        }
        if let Some(start) = self.start {
            found.function_index(start)?;
        }
        // Imports stay: each is checked when the module is linked, so
        // dropping one could let a module instantiate that failed before.
        for space in SPACE_LIST {
            for i in 0..self.imports[space as usize] {
                found.record(space, i)?;
            }
        }
        for (i, element) in self.elements.iter().enumerate() {
            if !matches!(element.kind, ElementKind::Passive) {
                found.element_index(i as u32)?;
            }
        }
        for (i, data) in self.data.iter().enumerate() {
            if matches!(data.kind, wasmparser::DataKind::Active { .. }) {
                found.data_index(i as u32)?;
            }
        }
        // Initializers run at instantiation: one that can fail there (an
        // allocation too large) keeps its item, or a module that failed to
        // instantiate would start to succeed.
        for (g, global) in self.globals.iter().enumerate() {
            if may_fail_to_allocate(&global.init_expr) {
                found.record(
                    Space::Global,
                    self.imports[Space::Global as usize] + g as u32,
                )?;
            }
        }
        for (t, table) in self.tables.iter().enumerate() {
            if let wasmparser::TableInit::Expr(init) = &table.init {
                if may_fail_to_allocate(init) {
                    found.record(Space::Table, self.imports[Space::Table as usize] + t as u32)?;
                }
            }
        }
        for (i, element) in self.elements.iter().enumerate() {
            if let wasmparser::ElementItems::Expressions(_, items) = &element.items {
                if items
                    .clone()
                    .into_iter()
                    .any(|item| item.is_ok_and(|e| may_fail_to_allocate(&e)))
                {
                    found.element_index(i as u32)?;
                }
            }
        }
        // Functions merged into one index (duplicate-function-elimination)
        // live or die together, and the body that runs is their
        // representative's: the others' code is not written.
        let canon = module
            .maps
            .representative_functions(sizes[Space::Function as usize] as usize);
        let mut declarers: Option<HashMap<u32, Vec<(Space, u32)>>> = None;
        loop {
            self.mark(module, &canon, &mut live, &mut found)?;
            // A `ref.func` in live code needs its function declared by a
            // live item; if only dead ones declared it, the first returns.
            let declarers = declarers.get_or_insert_with(|| self.declarers());
            for f in std::mem::take(&mut found.ref_funcs) {
                let items = declarers.get(&f).map_or(&[][..], Vec::as_slice);
                let declared = items
                    .iter()
                    .any(|&(space, i)| live.sets[space as usize][i as usize]);
                if !declared {
                    found.indices.extend(items.first().copied());
                }
            }
            if found.indices.is_empty() {
                let functions = &mut live.sets[Space::Function as usize];
                for (f, &representative) in canon.iter().enumerate() {
                    functions[f] = functions[representative as usize];
                }
                return Ok(live);
            }
        }
    }

    /// For each function, the element segments and globals whose contents
    /// name it: the items that can declare it for `ref.func`.
    fn declarers(&self) -> HashMap<u32, Vec<(Space, u32)>> {
        let mut declarers: HashMap<u32, Vec<(Space, u32)>> = HashMap::new();
        let mut note = |found: Collector, item: (Space, u32)| {
            for (space, f) in found.indices {
                if space == Space::Function {
                    declarers.entry(f).or_default().push(item);
                }
            }
        };
        for (i, element) in self.elements.iter().enumerate() {
            let mut found = Collector::default();
            if found
                .parse_element(&mut wasm_encoder::ElementSection::new(), element.clone())
                .is_ok()
            {
                note(found, (Space::Element, i as u32));
            }
        }
        let imported_globals = self.imports[Space::Global as usize];
        for (g, global) in self.globals.iter().enumerate() {
            let mut found = Collector::default();
            if found
                .parse_global(&mut wasm_encoder::GlobalSection::new(), global.clone())
                .is_ok()
            {
                note(found, (Space::Global, imported_globals + g as u32));
            }
        }
        declarers
    }

    /// Marks live what the recorded indices reach, transitively; a function
    /// index stands for its representative in `canon`.
    fn mark(
        &self,
        module: &Module<'_>,
        canon: &[u32],
        live: &mut Live,
        found: &mut Collector,
    ) -> Result<(), ReencodeError<Infallible>> {
        while let Some((space, mut index)) = found.indices.pop() {
            if space == Space::Function {
                index = canon.get(index as usize).copied().unwrap_or(index);
            }
            let Some(slot) = live.sets[space as usize].get_mut(index as usize) else {
                continue;
            };
            if std::mem::replace(slot, true) {
                continue;
            }
            let defined = index.checked_sub(self.imports[space as usize]);
            match (space, defined) {
                (Space::Function, Some(f)) => found.function_body(&module.code[f as usize])?,
                (Space::Global, Some(g)) => found.parse_global(
                    &mut wasm_encoder::GlobalSection::new(),
                    self.globals[g as usize].clone(),
                )?,
                (Space::Table, Some(t)) => found.parse_table(
                    &mut wasm_encoder::TableSection::new(),
                    self.tables[t as usize].clone(),
                )?,
                (Space::Element, _) => found.parse_element(
                    &mut wasm_encoder::ElementSection::new(),
                    self.elements[index as usize].clone(),
                )?,
                (Space::Data, _) => found.parse_data(
                    &mut wasm_encoder::DataSection::new(),
                    self.data[index as usize].clone(),
                )?,
                _ => {}
            }
        }
        Ok(())
    }
}

/// Arrays of at most this many elements are taken to be allocatable; a
/// larger or computed length may exhaust memory, which traps.
const ALLOCATABLE_ELEMENTS: u32 = 1 << 16;

/// Whether evaluating a constant expression can trap: `array.new` or
/// `array.new_default` with a length that is not a small constant (the
/// only instructions of constant expressions that can fail).
fn may_fail_to_allocate(expr: &wasmparser::ConstExpr<'_>) -> bool {
    let mut length = None;
    for op in expr.get_operators_reader() {
        match op {
            Ok(Operator::ArrayNew { .. } | Operator::ArrayNewDefault { .. }) => {
                if length.is_none_or(|n| n > ALLOCATABLE_ELEMENTS) {
                    return true;
                }
            }
            Ok(Operator::I32Const { value }) => {
                length = Some(value as u32);
                continue;
            }
            Ok(_) => {}
            Err(_) => return true,
        }
        length = None;
    }
    false
}

/// A `Reencode` that maps nothing and records every index it is asked about.
#[derive(Default)]
struct Collector {
    indices: Vec<(Space, u32)>,
    /// Functions named by `ref.func` in function bodies.
    ref_funcs: Vec<u32>,
}

impl Collector {
    fn record(&mut self, space: Space, index: u32) -> Result<u32, ReencodeError<Infallible>> {
        self.indices.push((space, index));
        Ok(index)
    }

    /// Records the indices a function body holds.
    fn function_body(&mut self, code: &Code<'_>) -> Result<(), ReencodeError<Infallible>> {
        let body = match code {
            Code::Lifted(func) => {
                for id in func.walk(func.body) {
                    match &func.expr(id).kind {
                        Kind::Op(op) => {
                            if let Operator::RefFunc { function_index } = op {
                                self.ref_funcs.push(*function_index);
                            }
                            self.instruction(op.clone())?;
                        }
                        Kind::Branch { op, .. } => drop(self.instruction((**op).clone())?),
                        Kind::Try(t) => {
                            for tag in t.catches.iter().filter_map(|c| c.tag) {
                                self.tag_index(tag)?;
                            }
                        }
                        Kind::TryTable(t) => {
                            for catch in &t.catches {
                                self.catch(*catch)?;
                            }
                        }
                        Kind::Block { .. }
                        | Kind::Loop { .. }
                        | Kind::If { .. }
                        | Kind::Pop
                        | Kind::Assign { .. } => {}
                    }
                }
                return Ok(());
            }
            Code::Raw(body) => body.clone(),
            Code::Encoded(bytes) => wasmparser::FunctionBody::new(BinaryReader::new(bytes, 0)),
        };
        let mut ops = body.get_operators_reader()?;
        while !ops.eof() {
            let op = ops.read()?;
            if let Operator::RefFunc { function_index } = op {
                self.ref_funcs.push(function_index);
            }
            self.instruction(op)?;
        }
        Ok(())
    }
}

impl Reencode for Collector {
    type Error = Infallible;

    fn function_index(&mut self, index: u32) -> Result<u32, ReencodeError<Infallible>> {
        self.record(Space::Function, index)
    }
    fn global_index(&mut self, index: u32) -> Result<u32, ReencodeError<Infallible>> {
        self.record(Space::Global, index)
    }
    fn table_index(&mut self, index: u32) -> Result<u32, ReencodeError<Infallible>> {
        self.record(Space::Table, index)
    }
    fn memory_index(&mut self, index: u32) -> Result<u32, ReencodeError<Infallible>> {
        self.record(Space::Memory, index)
    }
    fn tag_index(&mut self, index: u32) -> Result<u32, ReencodeError<Infallible>> {
        self.record(Space::Tag, index)
    }
    fn element_index(&mut self, index: u32) -> Result<u32, ReencodeError<Infallible>> {
        self.record(Space::Element, index)
    }
    fn data_index(&mut self, index: u32) -> Result<u32, ReencodeError<Infallible>> {
        self.record(Space::Data, index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_keeps_order_of_an_earlier_renumbering() {
        // An earlier pass swapped 1 and 2; removing 0 shifts both down.
        let mut map = Some(vec![0, 2, 1]);
        assert!(compose(&mut map, &[false, true, true]));
        assert_eq!(map, Some(vec![REMOVED, 1, 0]));
        assert!(
            !compose(&mut map, &[false, true, true]),
            "nothing more to remove"
        );
        // 1 and 2 were merged into one index; they stay merged.
        let mut merged = Some(vec![0, 1, 1, 2]);
        assert!(compose(&mut merged, &[false, true, true, true]));
        assert_eq!(merged, Some(vec![REMOVED, 0, 0, 1]));
    }
}
