//! `reorder-functions`: gives the most-referenced defined functions the
//! lowest indices, so the LEB128 indices in calls, `ref.func`, element
//! segments and exports are as short as they can be (the first 128 indices
//! take one byte, the next 16,256 two). Imports keep their indices. Static
//! reference counts decide; ties keep input order, so output is
//! deterministic.

use crate::error::Error;
use crate::function_uses;
use crate::module::Module;
use crate::pass::Changed;
use crate::remap::REMOVED;

pub fn run(module: &mut Module<'_>) -> Result<Changed, Error> {
    let imported = module.imported_functions as usize;
    let total = imported + module.code.len();
    // Every place a function index is written counts: code, element
    // segments, global initializers, exports and start.
    let mut refs = vec![0u64; total];
    function_uses::for_each(module, |f, _| {
        if let Some(count) = refs.get_mut(f as usize) {
            *count += 1;
        }
    })
    .map_err(|e| Error::Encode(e.to_string()))?;

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
