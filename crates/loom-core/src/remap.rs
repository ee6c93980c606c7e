//! Index remapping for everything encoded: when a pass renumbers or removes
//! functions, globals, tables, memories, tags, types, or data and element
//! segments, every place such an index appears is rewritten through these
//! maps, by wasm-encoder's `Reencode` hooks, never by patching bytes.

use wasm_encoder::reencode::{Error, Reencode};

/// An index that has no new value: it named something a pass removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unmapped {
    pub space: &'static str,
    pub index: u32,
}

impl std::fmt::Display for Unmapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} was removed but is still used", self.space, self.index)
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
    match map {
        None => Ok(index),
        Some(map) => match map.get(index as usize) {
            Some(&new) if new != REMOVED => Ok(new),
            _ => Err(Error::UserError(Unmapped { space, index })),
        },
    }
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
