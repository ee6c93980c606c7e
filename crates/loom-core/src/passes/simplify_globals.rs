//! `simplify-globals`: uses globals' known values in code, and removes
//! writes nobody can read.
//!
//! A global's value is fixed when it is immutable, or mutable but neither
//! exported nor imported (a host can write those) and never written with
//! anything but its initial value (the same constant, or a read of the same
//! immutable global). A fixed global whose initializer is one constant instruction
//! (`*.const`, `ref.null`, `ref.func`) has every `global.get` in code
//! replaced by that constant; one whose initializer is `global.get` of
//! another fixed global reads that one instead (or its constant). Nothing
//! else changes: a mutable global's write (the shadow-stack pointer's, say)
//! makes its value unknown.
//!
//! A defined global that is written but never read (no `global.get` or
//! other access in code, no initializer or segment names it, not exported)
//! has each `global.set` turned into a `drop` of the stored value, which
//! keeps the value's side effects; the global is then unused and
//! `remove-unused-module-elements` removes it. The writes of a fixed global
//! (its initial value again) become drops too.
//!
//! Code the IR could not lift keeps its instructions (its uses still count,
//! so nothing it relies on changes). Initializers, segment offsets and the
//! mutability flag are left as they are: sections are written as read, and
//! once code stops reading a global, removing it is worth more than
//! rewriting it.

use crate::error::Error;
use crate::global_uses::{self, GlobalUse};
use crate::ir::Kind;
use crate::module::{Code, Module};
use crate::pass::Changed;
use rayon::prelude::*;
use wasmparser::Operator;

/// What a `global.get` of a fixed global can become.
#[derive(Clone, Debug)]
enum Value<'a> {
    /// This constant instruction.
    Constant(Operator<'a>),
    /// A `global.get` of this other fixed global.
    Alias(u32),
}

pub fn run(module: &mut Module<'_>) -> Result<Changed, Error> {
    let count = module.types.as_ref().global_count() as usize;
    let mut sets = vec![0usize; count];
    let mut accessed = vec![false; count];
    let mut read = vec![false; count];
    let mut exported = vec![false; count];
    global_uses::for_each(module, |g, how| {
        let g = g as usize;
        if g >= count {
            return;
        }
        match how {
            GlobalUse::Set => sets[g] += 1,
            GlobalUse::Access => {
                accessed[g] = true;
                read[g] = true;
            }
            GlobalUse::Get | GlobalUse::Initializer(_) | GlobalUse::Segment => read[g] = true,
            GlobalUse::Export => exported[g] = true,
        }
    })?;
    let initializers = initializers(module)?;
    let imported = count - initializers.len();
    let types = module.types.as_ref();
    // Only globals a host cannot write, with writes of their own, can
    // have writes of their initial value.
    let candidates: Vec<bool> = (0..count)
        .map(|g| {
            g >= imported
                && sets[g] > 0
                && !accessed[g]
                && !exported[g]
                && initializers[g - imported].is_some()
                && types.global_at(g as u32).mutable
        })
        .collect();
    let same_value_sets = if candidates.contains(&true) {
        same_value_sets(module, &initializers, &candidates, imported)
    } else {
        vec![0; count]
    };
    // A write of the value the global starts with changes nothing.
    let written: Vec<bool> = (0..count)
        .map(|g| accessed[g] || sets[g] > same_value_sets[g])
        .collect();

    let fixed: Vec<bool> = (0..count)
        .map(|g| {
            let ty = types.global_at(g as u32);
            // A shared global can be written by other threads' instances.
            !ty.mutable || !(g < imported || exported[g] || written[g] || ty.shared)
        })
        .collect();
    let mut values: Vec<Option<Value<'_>>> = vec![None; count];
    for (i, init) in initializers.into_iter().enumerate() {
        let g = imported + i;
        if !fixed[g] {
            continue;
        }
        values[g] = match init {
            Some(Operator::GlobalGet { global_index: h })
                if fixed.get(h as usize) == Some(&true) =>
            {
                // Initializers only read earlier globals: `h`'s value is known.
                Some(values[h as usize].clone().unwrap_or(Value::Alias(h)))
            }
            Some(op) if crate::ir::is_constant(&op) => Some(Value::Constant(op)),
            _ => None,
        };
    }
    // Writes nobody can read, and (for a fixed global, whose every write
    // stores its initial value) writes that change nothing, become drops.
    let useless_set: Vec<bool> = (0..count)
        .map(|g| g >= imported && (fixed[g] || !read[g] && !exported[g]))
        .collect();
    let rewrites = (0..count).any(|g| values[g].is_some() && read[g])
        || (0..count).any(|g| useless_set[g] && sets[g] > 0);
    if !rewrites {
        return Ok(false);
    }
    let changed = module
        .code
        .par_iter_mut()
        .map(|code| {
            let Code::Lifted(func) = code else {
                return false;
            };
            let mut changed = false;
            for id in func.walk(func.body) {
                let Kind::Op(op) = &mut func.expr_mut(id).kind else {
                    continue;
                };
                let new = match *op {
                    Operator::GlobalGet { global_index } => {
                        match values.get(global_index as usize) {
                            Some(Some(Value::Constant(constant))) => constant.clone(),
                            Some(Some(Value::Alias(h))) => Operator::GlobalGet { global_index: *h },
                            _ => continue,
                        }
                    }
                    Operator::GlobalSet { global_index }
                        if useless_set.get(global_index as usize) == Some(&true) =>
                    {
                        Operator::Drop
                    }
                    _ => continue,
                };
                *op = new;
                changed = true;
            }
            // Constants in place of reads are new work for function passes.
            func.dirty |= changed;
            changed
        })
        .reduce(|| false, |a, b| a | b);
    Ok(changed)
}

/// Each defined global's initializer when it is a single instruction.
fn initializers<'a>(module: &Module<'a>) -> Result<Vec<Option<Operator<'a>>>, Error> {
    let parse = |e: wasmparser::BinaryReaderError| Error::Encode(e.to_string());
    let Some((_, reader)) = module.section_readers().find(|(id, _)| *id == 6) else {
        return Ok(Vec::new());
    };
    let globals = crate::remap::read_all::<wasmparser::Global>(reader).map_err(parse)?;
    globals
        .iter()
        .map(|global| {
            let mut ops = global.init_expr.get_operators_reader();
            let first = ops.read().map_err(parse)?;
            let single = matches!(ops.read().map_err(parse)?, Operator::End) && ops.eof();
            Ok(single.then_some(first))
        })
        .collect()
}

/// Per global, the `global.set`s in lifted code that store the value the
/// global was initialized with: the same constant, or `global.get` of the
/// same immutable global (initializers read only immutable ones). Values
/// that make something new (`struct.new`, say) never count.
fn same_value_sets(
    module: &Module<'_>,
    initializers: &[Option<Operator<'_>>],
    candidates: &[bool],
    imported: usize,
) -> Vec<usize> {
    let count = imported + initializers.len();
    module
        .code
        .par_iter()
        .fold(
            || vec![0usize; count],
            |mut found, code| {
                let Code::Lifted(func) = code else {
                    return found;
                };
                for id in func.walk(func.body) {
                    let expr = func.expr(id);
                    let (Kind::Op(Operator::GlobalSet { global_index }), Some(&value)) =
                        (&expr.kind, expr.args.first())
                    else {
                        continue;
                    };
                    let g = *global_index as usize;
                    if candidates.get(g) != Some(&true) {
                        continue;
                    }
                    let Some(Some(init)) =
                        g.checked_sub(imported).and_then(|i| initializers.get(i))
                    else {
                        continue;
                    };
                    let stored = func.expr(value);
                    let same = matches!(&stored.kind, Kind::Op(op) if op == init)
                        && stored.args.is_empty()
                        && (crate::ir::is_constant(init)
                            || matches!(init, Operator::GlobalGet { .. }));
                    found[g] += usize::from(same);
                }
                found
            },
        )
        .reduce(
            || vec![0; count],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
                a
            },
        )
}
