//! `memory-packing`: active data segments lose the zero bytes that would be
//! written over memory already known to be zero: leading and trailing zeros
//! go, and a long run of interior zeros splits a segment in two where the
//! second segment's header costs less than the zeros it saves.
//!
//! Memory is known to be zero at instantiation when the module defines it,
//! or, for an imported memory, when the user says so
//! (`--zero-filled-memory`, as in wasm-opt). A zero byte may go only if no
//! earlier segment writes that address; a later segment overwriting it does
//! not matter. Nothing changes in a module where some active segment's
//! offset is not a constant or the segment does not fit the memory's
//! initial size: instantiation could trap there, and which segments were
//! written before the trap must stay the same. Passive segments are left
//! alone (splitting one would change `memory.init`'s bounds checks).
//!
//! Split-off pieces are appended after all segments, so every existing data
//! index (`memory.init`, `data.drop`, names) keeps its segment; a segment is
//! only split if no other segment overlaps it, so writing the piece last
//! writes the same bytes. The data count section follows the new count.
//! Adjacent segments are not merged: that would renumber segments.

use crate::error::Error;
use crate::leb;
use crate::module::Module;
use crate::pass::Changed;
use crate::remap::{read_all, ImportCounts, REMOVED};
use std::ops::Range;
use wasm_encoder::Encode;
use wasmparser::{BinaryReader, DataKind, Operator};

/// Bounds a group of mutually overlapping segments that is still trimmed:
/// each member is compared with every earlier member. Larger groups are
/// left as they are.
const MAX_OVERLAPPING: usize = 1000;

/// Bytes written at an offset.
type Piece<'a> = (u64, &'a [u8]);

/// Bytes of the largest segment length field (a 32-bit LEB128).
const MAX_LENGTH_FIELD: usize = 5;

/// An active segment with a constant offset.
#[derive(Clone, Copy)]
struct Active<'a> {
    /// Index in the data section.
    index: usize,
    memory: u32,
    memory64: bool,
    offset: u64,
    data: &'a [u8],
}

pub fn run<'a>(module: &mut Module<'a>) -> Result<Changed, Error> {
    let parse_error = |e: wasmparser::BinaryReaderError| Error::Encode(e.to_string());
    let Some(data_section) = module.sections.iter().position(|s| s.id == 11) else {
        return Ok(false);
    };
    let bytes = module.bytes;
    let range = module.sections[data_section].range.clone();
    let reader = BinaryReader::new(&bytes[range.clone()], range.start as u64);
    let segments: Vec<wasmparser::Data<'_>> = read_all(reader).map_err(parse_error)?;
    let imported_memories = match module.sections.iter().find(|s| s.id == 2) {
        Some(s) => {
            ImportCounts::of(bytes, s.range.clone())
                .map_err(parse_error)?
                .memories
        }
        None => 0,
    };

    let types = module.types.as_ref();
    let mut active = Vec::new();
    for (index, segment) in segments.iter().enumerate() {
        let DataKind::Active {
            memory_index,
            offset_expr,
        } = &segment.kind
        else {
            continue;
        };
        let Some(offset) = constant_offset(offset_expr) else {
            return Ok(false);
        };
        let memory = types.memory_at(*memory_index);
        let size = u128::from(memory.initial) << memory.page_size_log2.unwrap_or(16);
        if u128::from(offset) + segment.data.len() as u128 > size {
            return Ok(false);
        }
        active.push(Active {
            index,
            memory: *memory_index,
            memory64: memory.memory64,
            offset,
            data: segment.data,
        });
    }

    // Per segment, the (offset, bytes) pieces it becomes; `None` = as it is.
    let mut packed: Vec<Option<Vec<Piece<'_>>>> = vec![None; segments.len()];
    let zero_filled = |memory: u32| memory >= imported_memories || module.zero_filled_memory;
    let mut memories: Vec<u32> = active.iter().map(|a| a.memory).collect();
    memories.sort_unstable();
    memories.dedup();
    for memory in memories.into_iter().filter(|&m| zero_filled(m)) {
        let by_offset = |mut segments: Vec<Active<'a>>| {
            segments.retain(|a| !a.data.is_empty());
            segments.sort_by_key(|a| a.offset);
            segments
        };
        let members = by_offset(
            active
                .iter()
                .filter(|a| a.memory == memory)
                .copied()
                .collect(),
        );
        // Overlapping segments are trimmed first: that may leave some of
        // them overlapping nothing, and those can then be split.
        let mut trimmed = Vec::new();
        for group in overlapping_groups(&members) {
            if group.len() == 1 || group.len() > MAX_OVERLAPPING {
                trimmed.extend_from_slice(group);
                continue;
            }
            let mut in_order = group.to_vec();
            in_order.sort_by_key(|a| a.index);
            // What the members so far write once trimmed: memory outside
            // these spans is still zero.
            let mut written: Vec<Range<u64>> = Vec::new();
            for member in in_order {
                let pieces = trim_unwritten(&member, &written);
                for &(offset, data) in &pieces {
                    written.push(offset..offset + data.len() as u64);
                    trimmed.push(Active {
                        offset,
                        data,
                        ..member
                    });
                }
                packed[member.index] = Some(pieces);
            }
        }
        for group in overlapping_groups(&by_offset(trimmed)) {
            if let [alone] = group {
                packed[alone.index] = Some(split(alone));
            }
        }
    }
    let unchanged = |a: &Active<'_>| match &packed[a.index] {
        None => true,
        Some(pieces) => pieces[..] == [(a.offset, a.data)],
    };
    if active.iter().all(unchanged) {
        return Ok(false);
    }

    let mut section = wasm_encoder::DataSection::new();
    let mut appended = Vec::new();
    let mut next_active = active.iter().peekable();
    for (index, segment) in segments.iter().enumerate() {
        let Some(a) = next_active.next_if(|a| a.index == index) else {
            section.passive(segment.data.iter().copied());
            continue;
        };
        let pieces = packed[index]
            .clone()
            .unwrap_or_else(|| vec![(a.offset, a.data)]);
        // A segment left with no bytes stays (its index may be named), as
        // the cheapest empty segment.
        let empty: Piece<'_> = (0, &[]);
        let (first, rest) = pieces.split_first().unwrap_or((&empty, &[]));
        write_active(&mut section, a, *first);
        appended.extend(rest.iter().map(|&piece| (a, piece)));
    }
    for &(a, piece) in &appended {
        write_active(&mut section, a, piece);
    }

    let mut replacements = vec![(data_section, contents(&section))];
    if !appended.is_empty() {
        match &mut module.maps.data {
            Some(map) => {
                // The pieces come after every surviving segment.
                let next = map
                    .iter()
                    .filter(|&&i| i != REMOVED)
                    .max()
                    .map_or(0, |&i| i + 1);
                map.extend(next..next + appended.len() as u32);
            }
            None => {
                if let Some(count) = module.sections.iter().position(|s| s.id == 12) {
                    let mut new_count = Vec::new();
                    ((segments.len() + appended.len()) as u32).encode(&mut new_count);
                    replacements.push((count, new_count));
                }
            }
        }
    }
    module.replace_sections(replacements);
    Ok(true)
}

/// The value of an offset expression that is a single constant.
fn constant_offset(expr: &wasmparser::ConstExpr<'_>) -> Option<u64> {
    let mut ops = expr.get_operators_reader();
    let value = match ops.read().ok()? {
        Operator::I32Const { value } => u64::from(value as u32),
        Operator::I64Const { value } => value as u64,
        _ => return None,
    };
    matches!(ops.read().ok()?, Operator::End).then_some(value)
}

/// Splits segments sorted by offset into maximal runs whose ranges overlap
/// (transitively); a segment that overlaps nothing is a group of one.
fn overlapping_groups<'s, 'a>(sorted: &'s [Active<'a>]) -> Vec<&'s [Active<'a>]> {
    let mut groups = Vec::new();
    let mut start = 0;
    let mut end = 0u64;
    for (i, a) in sorted.iter().enumerate() {
        if i > start && a.offset >= end {
            groups.push(&sorted[start..i]);
            start = i;
        }
        let a_end = a.offset + a.data.len() as u64;
        end = if i == start { a_end } else { end.max(a_end) };
    }
    if start < sorted.len() {
        groups.push(&sorted[start..]);
    }
    groups
}

/// A segment no other segment overlaps: its nonzero parts, split at every
/// zero run longer than the header and length a new segment would cost.
fn split<'a>(a: &Active<'a>) -> Vec<Piece<'a>> {
    let data = a.data;
    let Some(first) = data.iter().position(|&b| b != 0) else {
        return Vec::new();
    };
    let last = data
        .iter()
        .rposition(|&b| b != 0)
        .expect("a nonzero byte exists");
    let mut pieces = Vec::new();
    let mut start = first;
    let mut i = first;
    while i <= last {
        if data[i] != 0 {
            i += 1;
            continue;
        }
        let zeros = i;
        while data[i] == 0 {
            i += 1;
        }
        // Splitting here saves the zeros and cannot grow the first piece's
        // length field; it costs a header and a length field. The length
        // field is counted at its largest so that the decision does not
        // depend on the rest of the segment: a second run splits nothing
        // more.
        let offset = a.offset + i as u64;
        let cost = header_size(a.memory, a.memory64, offset) + MAX_LENGTH_FIELD;
        if i - zeros > cost {
            pieces.push(start..zeros);
            start = i;
        }
    }
    pieces.push(start..last + 1);
    pieces_of(a, pieces)
}

/// A segment that overlaps others: only leading and trailing zeros that no
/// earlier segment has written over go (an earlier nonzero byte there must
/// be overwritten with zero); `written` is what earlier segments write.
fn trim_unwritten<'a>(a: &Active<'a>, written: &[Range<u64>]) -> Vec<Piece<'a>> {
    let end = a.offset + a.data.len() as u64;
    // The span of this segment that earlier segments write, in its own
    // coordinates (gaps inside it are kept too).
    let mut covered: Option<Range<usize>> = None;
    for earlier in written {
        let lo = earlier.start.max(a.offset);
        let hi = earlier.end.min(end);
        if lo < hi {
            let span = (lo - a.offset) as usize..(hi - a.offset) as usize;
            covered = Some(match covered {
                None => span,
                Some(c) => c.start.min(span.start)..c.end.max(span.end),
            });
        }
    }
    let first = a.data.iter().position(|&b| b != 0);
    let last = a.data.iter().rposition(|&b| b != 0);
    let kept = match (first.zip(last), covered) {
        (None, None) => return Vec::new(),
        (None, Some(c)) => c,
        (Some((f, l)), None) => f..l + 1,
        (Some((f, l)), Some(c)) => f.min(c.start)..(l + 1).max(c.end),
    };
    pieces_of(a, vec![kept])
}

fn pieces_of<'a>(a: &Active<'a>, ranges: Vec<Range<usize>>) -> Vec<Piece<'a>> {
    ranges
        .into_iter()
        .map(|r| (a.offset + r.start as u64, &a.data[r]))
        .collect()
}

fn write_active(
    section: &mut wasm_encoder::DataSection,
    a: &Active<'_>,
    (offset, data): Piece<'_>,
) {
    let offset = if a.memory64 {
        wasm_encoder::ConstExpr::i64_const(offset as i64)
    } else {
        wasm_encoder::ConstExpr::i32_const(offset as u32 as i32)
    };
    section.active(a.memory, &offset, data.iter().copied());
}

/// Bytes of an active segment's encoding before its length field, as
/// wasm-encoder writes it: flags (and memory index), offset expression.
fn header_size(memory: u32, memory64: bool, offset: u64) -> usize {
    let flags = if memory == 0 {
        1
    } else {
        1 + leb::unsigned_size(u64::from(memory))
    };
    let constant = if memory64 {
        leb::signed_size(offset as i64)
    } else {
        leb::signed_size(i64::from(offset as u32 as i32))
    };
    flags + 1 + constant + 1
}

/// A section's contents: its encoding without the leading size field.
fn contents(section: &impl Encode) -> Vec<u8> {
    let mut encoded = Vec::new();
    section.encode(&mut encoded);
    let size_length = encoded
        .iter()
        .position(|b| b & 0x80 == 0)
        .map_or(0, |p| p + 1);
    encoded.split_off(size_length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_matches_encoder() {
        for (memory, memory64, offset) in [
            (0, false, 5),
            (0, false, 70_000),
            (1, false, 0),
            (0, true, 1 << 40),
        ] {
            let a = Active {
                index: 0,
                memory,
                memory64,
                offset,
                data: &[],
            };
            let mut section = wasm_encoder::DataSection::new();
            write_active(&mut section, &a, (offset, &[]));
            // Contents: count, header, length 0.
            assert_eq!(
                contents(&section).len(),
                1 + header_size(memory, memory64, offset) + 1
            );
        }
    }
}
