//! `duplicate-import-elimination`: function imports with the same module
//! name, field name and type are merged into the first of them; every call,
//! `ref.func`, export, element and start naming a duplicate then names the
//! survivor (the index maps merge them, see `remap`), and the duplicate's
//! import entry is not written.
//!
//! Linking looks imports up by name, so both resolve to the same function
//! and the checks linking makes are the same for both. Imports of other
//! kinds are left alone, and so are function imports whose types differ
//! (each is checked against its own type when the module is linked).

use crate::error::Error;
use crate::module::Module;
use crate::pass::Changed;
use crate::remap::{compact, REMOVED};
use std::collections::HashMap;
use wasmparser::types::CoreTypeId;
use wasmparser::TypeRef;

pub fn run(module: &mut Module<'_>) -> Result<Changed, Error> {
    let Some((_, reader)) = module.section_readers().find(|(id, _)| *id == 2) else {
        return Ok(false);
    };
    let parse = |e: wasmparser::BinaryReaderError| Error::Encode(e.to_string());
    let types = module.types.as_ref();
    // Whether the import is `exact` is part of what linking checks.
    let mut first_of: HashMap<(&str, &str, CoreTypeId, bool), u32> = HashMap::new();
    let mut merges = Vec::new();
    let mut function = 0u32;
    for import in wasmparser::ImportSectionReader::new(reader)
        .map_err(parse)?
        .into_imports()
    {
        let import = import.map_err(parse)?;
        let exact = match import.ty {
            TypeRef::Func(_) => false,
            TypeRef::FuncExact(_) => true,
            _ => continue,
        };
        let f = function;
        function += 1;
        if module.maps.function(f).is_none() {
            continue;
        }
        let key = (import.module, import.name, types.core_function_at(f), exact);
        match first_of.get(&key) {
            Some(&original) => merges.push((f, original)),
            None => {
                first_of.insert(key, f);
            }
        }
    }
    if merges.is_empty() {
        return Ok(false);
    }
    let total = module.imported_functions + module.code.len() as u32;
    let mut map: Vec<u32> = (0..total)
        .map(|f| module.maps.function(f).unwrap_or(REMOVED))
        .collect();
    let mut changed = false;
    for (duplicate, original) in merges {
        changed |= map[duplicate as usize] != map[original as usize];
        map[duplicate as usize] = map[original as usize];
    }
    if !changed {
        return Ok(false);
    }
    compact(&mut map);
    module.maps.functions = Some(map);
    Ok(true)
}
