//! `duplicate-function-elimination`: defined functions with the same type
//! and the same encoded body are merged into one of them (one whose
//! identity can be observed, see below, if there is one); every call,
//! `ref.func`, export, element and start naming a duplicate then names the
//! survivor (the index maps merge them, see `remap`). The duplicate's own
//! code is then dropped (`Module::after_change`), so later passes neither
//! optimize it nor count the calls it made.
//!
//! A function whose identity can be observed (exported, in an element
//! segment, or named by `ref.func`: a host can compare the references) is
//! never merged into another; others may be merged into it.
//!
//! Two functions are equal when their types are the same canonical type and
//! their bodies encode to the same bytes under the maps so far; so once two
//! callees are merged their callers become equal too, and the pass repeats
//! until a round merges nothing (bounded by `MAX_ROUNDS`).

use crate::error::Error;
use crate::function_uses::{self, FunctionUse};
use crate::ir::Function;
use crate::module::{encode_body, Code, Module, TypeKey};
use crate::pass::Changed;
use crate::remap::{compact, IndexMaps, REMOVED};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// Bounds the rounds of merging; each round re-encodes the functions that
/// are left, and chains of callers that only become equal one level at a
/// time deeper than this are left for a later run of the pass.
const MAX_ROUNDS: usize = 8;

pub fn run(module: &mut Module<'_>) -> Result<Changed, Error> {
    let imported = module.imported_functions;
    let total = imported as usize + module.code.len();
    let escaping = escaping_functions(module).map_err(|e| Error::Encode(e.to_string()))?;
    let mut changed = false;
    for _ in 0..MAX_ROUNDS {
        let maps = &module.maps;
        // A function merged into an earlier one has no entry of its own.
        let mut seen = HashSet::new();
        let own_entry: Vec<bool> = (0..module.code.len() as u32)
            .map(|i| {
                maps.function(imported + i)
                    .is_some_and(|out| seen.insert(out))
            })
            .collect();
        // Bodies are compared as encoded with each function index standing
        // for the function whose body it runs and every other index as it
        // is in the input: equal so exactly when equal in the output, and
        // unchanged while the body is, so a body's fingerprint (a hash) is
        // kept from one run to the next. Only functions whose fingerprints
        // and types agree are encoded again to compare.
        let canonical = canonical_maps(module, total);
        let fingerprints: Vec<Option<u64>> = module
            .code
            .par_iter_mut()
            .zip(&own_entry)
            .map(|(code, &own)| own.then(|| fingerprint(code, &canonical)).flatten())
            .collect();
        let mut candidates: HashMap<(TypeKey, u64), Vec<u32>> = HashMap::new();
        for (i, fingerprint) in fingerprints.iter().enumerate() {
            let Some(fingerprint) = fingerprint else {
                continue;
            };
            let f = imported + i as u32;
            candidates
                .entry((module.function_type_key(f), *fingerprint))
                .or_default()
                .push(f);
        }
        // Each group of equal functions is merged into one that escapes,
        // if one does (it cannot be merged away), else into the first: so
        // the merges do not depend on the order of the functions, which
        // reorder-functions changes.
        let mut groups: Vec<Vec<u32>> = Vec::new();
        for members in candidates.values().filter(|members| members.len() > 1) {
            let mut by_body: HashMap<Vec<u8>, Vec<u32>> = HashMap::new();
            for &f in members {
                let code = &module.code[(f - imported) as usize];
                if let Ok(body) = encode_body(code, &canonical) {
                    by_body.entry(body).or_default().push(f);
                }
            }
            groups.extend(by_body.into_values());
        }
        let mut merges = Vec::new();
        for members in groups.iter().filter(|members| members.len() > 1) {
            let representative = members
                .iter()
                .copied()
                .find(|&f| escaping[f as usize])
                .unwrap_or(members[0]);
            merges.extend(
                members
                    .iter()
                    .filter(|&&f| f != representative && !escaping[f as usize])
                    .map(|&f| (f, representative)),
            );
        }
        if merges.is_empty() {
            break;
        }
        // A duplicate may itself be where earlier duplicates were merged:
        // its whole output index moves, so they follow it.
        let redirect: HashMap<u32, u32> = merges
            .iter()
            .filter_map(|&(duplicate, original)| {
                Some((maps.function(duplicate)?, maps.function(original)?))
            })
            .collect();
        let mut map: Vec<u32> = (0..total as u32)
            .map(|f| match maps.function(f) {
                Some(out) => redirect.get(&out).copied().unwrap_or(out),
                None => REMOVED,
            })
            .collect();
        compact(&mut map);
        module.maps.functions = Some(map);
        // Callers of merged functions now call the survivor, and only
        // their fingerprints change. (The merged functions' own code goes
        // in `Module::after_change`.)
        module.rename_merged_functions(module.maps.representative_functions(total));
        changed = true;
    }
    Ok(changed)
}

/// Maps under which bodies are compared: each function index to the
/// function whose body it runs (see `representative_functions`), every
/// other index space unchanged.
fn canonical_maps(module: &Module<'_>, total: usize) -> IndexMaps {
    let representatives = module.maps.representative_functions(total);
    let merged = representatives
        .iter()
        .enumerate()
        .any(|(f, &r)| r != f as u32);
    IndexMaps {
        functions: merged.then_some(representatives),
        ..IndexMaps::default()
    }
}

/// The hash of `code`'s body encoded under `canonical`, kept in a lifted
/// function until its body changes; `None` when it cannot be encoded.
fn fingerprint(code: &mut Code<'_>, canonical: &IndexMaps) -> Option<u64> {
    if let Code::Lifted(Function {
        fingerprint: Some(known),
        ..
    }) = code
    {
        return Some(*known);
    }
    let body = encode_body(code, canonical).ok()?;
    let mut hasher = std::hash::DefaultHasher::new();
    body.hash(&mut hasher);
    let hash = hasher.finish();
    if let Code::Lifted(function) = code {
        function.fingerprint = Some(hash);
    }
    Some(hash)
}

/// Per function index, whether references to it can reach the host, which
/// could tell two merged functions apart: exports, element segments, and
/// `ref.func` in global initializers and code.
fn escaping_functions(module: &Module<'_>) -> wasmparser::Result<Vec<bool>> {
    let total = module.imported_functions as usize + module.code.len();
    let mut escaping = vec![false; total];
    function_uses::for_each(module, |f, how| {
        if how == FunctionUse::Reference {
            if let Some(slot) = escaping.get_mut(f as usize) {
                *slot = true;
            }
        }
    })?;
    Ok(escaping)
}
