//! Index remapping for everything encoded: when a pass renumbers or removes
//! functions, globals, tables, memories, tags, or data and element segments,
//! every place such an index appears is rewritten through these maps, by
//! wasm-encoder's `Reencode` hooks, never by patching bytes: code, element
//! segments and their expressions, global initializers, exports, start, the
//! data count and the name section.
//!
//! The IR and the module's sections always stay in the input's index space;
//! `IndexMaps` says where each input index goes in the output. A pass that
//! renumbers composes its change onto the maps already there.
//!
//! Several input indices may map to one output index: that merges them
//! (duplicate functions, duplicate imports). The first of them in input
//! order keeps its entry; the others' entries are dropped and every use of
//! them now names the first.

use wasm_encoder::reencode::{Error, Reencode};
use wasmparser::{BinaryReader, FromReader, TypeRef};

/// An index that has no new value: it named something a pass removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unmapped {
    pub space: &'static str,
    pub index: u32,
}

impl std::fmt::Display for Unmapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} was removed but is still used",
            self.space, self.index
        )
    }
}

/// Removed entries map to this.
pub const REMOVED: u32 = u32::MAX;

/// Old-to-new index maps, one per index space; `None` means unchanged.
#[derive(Clone, Debug, Default)]
pub struct IndexMaps {
    pub functions: Option<Vec<u32>>,
    pub globals: Option<Vec<u32>>,
    pub tables: Option<Vec<u32>>,
    pub memories: Option<Vec<u32>>,
    pub tags: Option<Vec<u32>>,
    pub types: Option<Vec<u32>>,
    pub data: Option<Vec<u32>>,
    pub elements: Option<Vec<u32>>,
}

impl IndexMaps {
    pub fn is_identity(&self) -> bool {
        self.functions.is_none()
            && self.globals.is_none()
            && self.tables.is_none()
            && self.memories.is_none()
            && self.tags.is_none()
            && self.types.is_none()
            && self.data.is_none()
            && self.elements.is_none()
    }
}

fn apply(map: &Option<Vec<u32>>, space: &'static str, index: u32) -> Result<u32, Error<Unmapped>> {
    remap_one(map, index).ok_or(Error::UserError(Unmapped { space, index }))
}

/// The `Reencode` implementation that applies [`IndexMaps`].
pub struct Remapper<'m> {
    pub maps: &'m IndexMaps,
}

impl Reencode for Remapper<'_> {
    type Error = Unmapped;

    fn function_index(&mut self, index: u32) -> Result<u32, Error<Unmapped>> {
        apply(&self.maps.functions, "function", index)
    }
    fn global_index(&mut self, index: u32) -> Result<u32, Error<Unmapped>> {
        apply(&self.maps.globals, "global", index)
    }
    fn table_index(&mut self, index: u32) -> Result<u32, Error<Unmapped>> {
        apply(&self.maps.tables, "table", index)
    }
    fn memory_index(&mut self, index: u32) -> Result<u32, Error<Unmapped>> {
        apply(&self.maps.memories, "memory", index)
    }
    fn tag_index(&mut self, index: u32) -> Result<u32, Error<Unmapped>> {
        apply(&self.maps.tags, "tag", index)
    }
    fn type_index(&mut self, index: u32) -> Result<u32, Error<Unmapped>> {
        apply(&self.maps.types, "type", index)
    }
    fn data_index(&mut self, index: u32) -> Result<u32, Error<Unmapped>> {
        apply(&self.maps.data, "data segment", index)
    }
    fn element_index(&mut self, index: u32) -> Result<u32, Error<Unmapped>> {
        apply(&self.maps.elements, "element segment", index)
    }
}

/// Renumbers a map's outputs densely from 0, keeping their order and which
/// inputs share one output; `REMOVED` stays removed.
pub fn compact(map: &mut [u32]) {
    let mut outputs: Vec<u32> = map.iter().copied().filter(|&i| i != REMOVED).collect();
    outputs.sort_unstable();
    outputs.dedup();
    for index in map.iter_mut().filter(|i| **i != REMOVED) {
        *index = outputs.binary_search(index).expect("collected above") as u32;
    }
}

impl IndexMaps {
    /// The output index of input function `index`, if it survives.
    pub fn function(&self, index: u32) -> Option<u32> {
        remap_one(&self.functions, index)
    }

    /// The output index of input element segment `index`, if it survives.
    pub fn element(&self, index: u32) -> Option<u32> {
        remap_one(&self.elements, index)
    }

    /// The output index of input global `index`, if it survives.
    pub fn global(&self, index: u32) -> Option<u32> {
        remap_one(&self.globals, index)
    }

    /// The output index of input table `index`, if it survives.
    pub fn table(&self, index: u32) -> Option<u32> {
        remap_one(&self.tables, index)
    }

    /// Per function index below `total`, the index whose body is written
    /// for it: functions merged into one output index (duplicates) run the
    /// first one's body; others, removed ones included, stand for themselves.
    pub fn representative_functions(&self, total: usize) -> Vec<u32> {
        let mut first: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
        (0..total as u32)
            .map(|f| match self.function(f) {
                Some(out) => *first.entry(out).or_insert(f),
                None => f,
            })
            .collect()
    }
}

/// Keeps the entries of one index space that survive, in output order,
/// with their output indices.
fn surviving<T>(
    map: &Option<Vec<u32>>,
    first_index: u32,
    entries: impl IntoIterator<Item = T>,
) -> Vec<(u32, T)> {
    let mut kept: Vec<(u32, T)> = entries
        .into_iter()
        .enumerate()
        .filter_map(|(i, entry)| {
            let old = first_index + i as u32;
            let new = match map {
                None => old,
                Some(map) => *map.get(old as usize)?,
            };
            (new != REMOVED).then_some((new, entry))
        })
        .collect();
    // Stable: of entries merged into one index, the first in input order stays.
    kept.sort_by_key(|(new, _)| *new);
    kept.dedup_by_key(|(new, _)| *new);
    kept
}

/// How many imports each index space starts with.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportCounts {
    pub functions: u32,
    pub tables: u32,
    pub memories: u32,
    pub globals: u32,
    pub tags: u32,
}

impl ImportCounts {
    pub fn of(bytes: &[u8], range: std::ops::Range<usize>) -> wasmparser::Result<ImportCounts> {
        let mut counts = ImportCounts::default();
        let reader = wasmparser::ImportSectionReader::new(BinaryReader::new(
            &bytes[range.clone()],
            range.start as u64,
        ))?;
        for import in reader.into_imports() {
            match import?.ty {
                TypeRef::Func(_) | TypeRef::FuncExact(_) => counts.functions += 1,
                TypeRef::Table(_) => counts.tables += 1,
                TypeRef::Memory(_) => counts.memories += 1,
                TypeRef::Global(_) => counts.globals += 1,
                TypeRef::Tag(_) => counts.tags += 1,
            }
        }
        Ok(counts)
    }
}

/// Failure to rewrite a section under the maps.
#[derive(Debug)]
pub enum RemapError {
    Parse(wasmparser::BinaryReaderError),
    Encode(Error<Unmapped>),
    /// A renumbering this writer does not do (types are never renumbered yet).
    Unsupported(&'static str),
}

impl From<wasmparser::BinaryReaderError> for RemapError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        RemapError::Parse(e)
    }
}

impl From<Error<Unmapped>> for RemapError {
    fn from(e: Error<Unmapped>) -> Self {
        RemapError::Encode(e)
    }
}

impl std::fmt::Display for RemapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RemapError::Parse(e) => write!(f, "{e}"),
            RemapError::Encode(e) => write!(f, "{e}"),
            RemapError::Unsupported(what) => f.write_str(what),
        }
    }
}

/// Re-encodes one non-code, non-custom section under `maps`: entries of a
/// removed index are dropped, the rest are put in output order and every
/// index they hold is remapped.
pub fn section(
    id: u8,
    data: &[u8],
    offset: usize,
    maps: &IndexMaps,
    imports: ImportCounts,
    out: &mut wasm_encoder::Module,
) -> Result<(), RemapError> {
    let mut r = Remapper { maps };
    let reader = BinaryReader::new(data, offset as u64);
    match id {
        1 => {
            if maps.types.is_some() {
                return Err(RemapError::Unsupported("renumbering types"));
            }
            out.section(&wasm_encoder::RawSection { id, data });
        }
        2 => {
            let mut section = wasm_encoder::ImportSection::new();
            // Per space: imports read so far, and how many of them survive.
            let mut counts = ImportCounts::default();
            let mut kept = ImportCounts::default();
            for import in wasmparser::ImportSectionReader::new(reader)?.into_imports() {
                let import = import?;
                let (map, counter, survivors) = match import.ty {
                    TypeRef::Func(_) | TypeRef::FuncExact(_) => {
                        (&maps.functions, &mut counts.functions, &mut kept.functions)
                    }
                    TypeRef::Table(_) => (&maps.tables, &mut counts.tables, &mut kept.tables),
                    TypeRef::Memory(_) => {
                        (&maps.memories, &mut counts.memories, &mut kept.memories)
                    }
                    TypeRef::Global(_) => (&maps.globals, &mut counts.globals, &mut kept.globals),
                    TypeRef::Tag(_) => (&maps.tags, &mut counts.tags, &mut kept.tags),
                };
                let old = *counter;
                *counter += 1;
                if let Some(map) = map {
                    match map.get(old as usize) {
                        Some(&REMOVED) | None => continue,
                        // Merged into an earlier import of the same space.
                        Some(&new) if new < *survivors => continue,
                        // Imports can be removed and merged, not reordered.
                        Some(&new) if new > *survivors => {
                            return Err(RemapError::Unsupported("reordering imports"));
                        }
                        Some(_) => {}
                    }
                }
                *survivors += 1;
                r.parse_import(&mut section, import)?;
            }
            out.section(&section);
        }
        3 => {
            let mut section = wasm_encoder::FunctionSection::new();
            let entries = read_all::<u32>(reader)?;
            for (_, ty) in surviving(&maps.functions, imports.functions, entries) {
                section.function(r.type_index(ty)?);
            }
            out.section(&section);
        }
        4 => {
            let mut section = wasm_encoder::TableSection::new();
            let entries = read_all::<wasmparser::Table>(reader)?;
            for (_, table) in surviving(&maps.tables, imports.tables, entries) {
                r.parse_table(&mut section, table)?;
            }
            out.section(&section);
        }
        5 => {
            let mut section = wasm_encoder::MemorySection::new();
            let entries = read_all::<wasmparser::MemoryType>(reader)?;
            for (_, memory) in surviving(&maps.memories, imports.memories, entries) {
                section.memory(r.memory_type(memory)?);
            }
            out.section(&section);
        }
        6 => {
            let mut section = wasm_encoder::GlobalSection::new();
            let entries = read_all::<wasmparser::Global>(reader)?;
            for (_, global) in surviving(&maps.globals, imports.globals, entries) {
                r.parse_global(&mut section, global)?;
            }
            out.section(&section);
        }
        7 => {
            let mut section = wasm_encoder::ExportSection::new();
            for export in read_all::<wasmparser::Export>(reader)? {
                r.parse_export(&mut section, export)?;
            }
            out.section(&section);
        }
        8 => {
            let mut reader = reader;
            let start = reader.read_var_u32()?;
            out.section(&wasm_encoder::StartSection {
                function_index: r.start_section(start)?,
            });
        }
        9 => {
            out.section(&element_section(data, offset, maps, &[])?);
        }
        11 => {
            let mut section = wasm_encoder::DataSection::new();
            let entries = read_all::<wasmparser::Data>(reader)?;
            for (_, data) in surviving(&maps.data, 0, entries) {
                r.parse_data(&mut section, data)?;
            }
            out.section(&section);
        }
        12 => {
            let mut reader = reader;
            let count = reader.read_var_u32()?;
            let kept = match &maps.data {
                None => count,
                Some(map) => map.iter().filter(|&&i| i != REMOVED).count() as u32,
            };
            out.section(&wasm_encoder::DataCountSection { count: kept });
        }
        13 => {
            let mut section = wasm_encoder::TagSection::new();
            let entries = read_all::<wasmparser::TagType>(reader)?;
            for (_, tag) in surviving(&maps.tags, imports.tags, entries) {
                section.tag(r.tag_type(tag)?);
            }
            out.section(&section);
        }
        _ => {
            out.section(&wasm_encoder::RawSection { id, data });
        }
    }
    Ok(())
}

/// The element section under `maps`, followed by a declarative segment of
/// the output functions `declare` when there are any (functions code takes
/// with `ref.func` that nothing else declares any more). Appended last, it
/// leaves every other segment its index.
pub fn element_section(
    data: &[u8],
    offset: usize,
    maps: &IndexMaps,
    declare: &[u32],
) -> Result<wasm_encoder::ElementSection, RemapError> {
    let mut r = Remapper { maps };
    let mut section = wasm_encoder::ElementSection::new();
    let entries = read_all::<wasmparser::Element>(BinaryReader::new(data, offset as u64))?;
    for (_, element) in surviving(&maps.elements, 0, entries) {
        r.parse_element(&mut section, element)?;
    }
    if !declare.is_empty() {
        section.declared(wasm_encoder::Elements::Functions(declare.into()));
    }
    Ok(section)
}

/// Every entry of a section.
pub(crate) fn read_all<'a, T: FromReader<'a>>(
    reader: BinaryReader<'a>,
) -> wasmparser::Result<Vec<T>> {
    wasmparser::SectionLimited::<T>::new(reader)?
        .into_iter()
        .collect()
}

/// Name subsections that no longer fit the code.
#[derive(Clone, Copy, Debug, Default)]
pub struct StaleNames {
    pub labels: bool,
    pub locals: bool,
}

/// The name section under `maps`: names of removed things are dropped,
/// the rest follow their things to their new indices, in index order;
/// `stale` subsections are dropped and listed in the second result.
pub fn name_section(
    data: &[u8],
    offset: usize,
    maps: &IndexMaps,
    stale: StaleNames,
) -> Result<(wasm_encoder::NameSection, Vec<String>), RemapError> {
    let mut dropped = Vec::new();
    use wasmparser::Name;
    let mut names = wasm_encoder::NameSection::new();
    let remap_map = |map: wasmparser::NameMap<'_>,
                     space: &Option<Vec<u32>>|
     -> Result<wasm_encoder::NameMap, RemapError> {
        let entries = map.into_iter().collect::<Result<Vec<_>, _>>()?;
        let mut moved: Vec<(u32, &str)> = entries
            .iter()
            .filter_map(|n| remap_one(space, n.index).map(|i| (i, n.name)))
            .collect();
        moved.sort_by_key(|(i, _)| *i);
        moved.dedup_by_key(|(i, _)| *i);
        let mut out = wasm_encoder::NameMap::new();
        for (i, name) in moved {
            out.append(i, name);
        }
        Ok(out)
    };
    let remap_indirect = |map: wasmparser::IndirectNameMap<'_>,
                          space: &Option<Vec<u32>>|
     -> Result<wasm_encoder::IndirectNameMap, RemapError> {
        let mut moved = Vec::new();
        for naming in map {
            let naming = naming?;
            if let Some(i) = remap_one(space, naming.index) {
                moved.push((i, remap_map(naming.names, &None)?));
            }
        }
        moved.sort_by_key(|(i, _)| *i);
        moved.dedup_by_key(|(i, _)| *i);
        let mut out = wasm_encoder::IndirectNameMap::new();
        for (i, inner) in &moved {
            out.append(*i, inner);
        }
        Ok(out)
    };
    let reader = wasmparser::NameSectionReader::new(BinaryReader::new(data, offset as u64));
    for subsection in reader {
        match subsection? {
            Name::Module { name, .. } => names.module(name),
            Name::Function(map) => names.functions(&remap_map(map, &maps.functions)?),
            Name::Local(_) if stale.locals => {
                dropped.push("name: local names (locals renumbered)".to_string())
            }
            Name::Label(_) if stale.labels => {
                dropped.push("name: label names (code changed)".to_string())
            }
            Name::Local(map) => names.locals(&remap_indirect(map, &maps.functions)?),
            Name::Label(map) => names.labels(&remap_indirect(map, &maps.functions)?),
            Name::Global(map) => names.globals(&remap_map(map, &maps.globals)?),
            Name::Table(map) => names.tables(&remap_map(map, &maps.tables)?),
            Name::Memory(map) => names.memories(&remap_map(map, &maps.memories)?),
            Name::Element(map) => names.elements(&remap_map(map, &maps.elements)?),
            Name::Data(map) => names.data(&remap_map(map, &maps.data)?),
            Name::Tag(map) => names.tags(&remap_map(map, &maps.tags)?),
            Name::Type(map) => names.types(&remap_map(map, &maps.types)?),
            Name::Field(map) => names.fields(&remap_indirect(map, &maps.types)?),
            Name::Parameter(map) => names.parameters(&remap_indirect(map, &maps.types)?),
            Name::TagParameter(map) => names.tag_parameters(&remap_indirect(map, &maps.tags)?),
            Name::Unknown { ty, data, .. } => names.raw(ty, data),
        }
    }
    Ok((names, dropped))
}

fn remap_one(space: &Option<Vec<u32>>, index: u32) -> Option<u32> {
    match space {
        None => Some(index),
        Some(map) => map.get(index as usize).copied().filter(|&i| i != REMOVED),
    }
}
