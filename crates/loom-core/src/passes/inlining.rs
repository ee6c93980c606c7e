//! `inlining` and `inlining-speed`: copy callees' bodies into their callers
//! in place of the calls, so the function passes that run afterwards see
//! (and simplify) the callee's code together with the caller's arguments,
//! and a callee whose every call was inlined disappears.
//!
//! What gets inlined, at every call site (`call`, not `return_call`):
//! - a function whose inlined copy is no larger than the call it replaces
//!   (estimated in bytes: its instructions, parameter passing, a block when
//!   something branches to its label), exported or not;
//! - a function only called (not exported, not in a table or element
//!   segment, not named by `ref.func`, not the start function, not called
//!   from code LOOM keeps as raw bytes or by a tail call) when copying it to
//!   all its call sites costs fewer bytes than the function itself takes:
//!   always so for a function called once;
//! - with `inlining-speed` (for `-O3`/`-O4`) also every function of at most
//!   `SPEED_MAX_BYTES` instruction bytes without loops, even when the module
//!   grows (Binaryen's flexible inlining).
//!
//! Never inlined: imported functions; functions in a call cycle (one never
//! gets copied into itself, directly or through others); functions using
//! tail calls (`return_call*`: inlined, they would return from the caller);
//! functions with a legacy `try ... delegate` to their own label (it would
//! need turning into a rethrow to the call site's handlers); functions LOOM
//! keeps as raw bytes. A site is skipped when its caller would grow past
//! `CALLER_MAX_BYTES` or `CALLER_MAX_LOCALS`.
//!
//! The pass is linear in the module: one scan plans, then functions are
//! visited once, callees before callers (in the order Tarjan's algorithm
//! finds the call graph's strongly connected components), so a callee is
//! copied with its own callees already inlined, and nothing is visited
//! twice. A function that was inlined somewhere and is no longer called or
//! referenced from code that is written is removed through the index maps.

mod copy;

use crate::error::Error;
use crate::function_uses::{self, FunctionUse};
use crate::ir::{ExprId, Function, Kind};
use crate::module::{Code, Module};
use crate::pass::Changed;
use crate::remap::{compact, Remapper, REMOVED};
use rayon::prelude::*;
use wasmparser::{BinaryReader, FunctionBody, Operator, ValType};

pub fn run(module: &mut Module<'_>) -> Result<Changed, Error> {
    inline(module, Mode::Size)
}

/// `inlining-speed`.
pub fn run_speed(module: &mut Module<'_>) -> Result<Changed, Error> {
    inline(module, Mode::Speed)
}

/// How much growth the pass accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Only what makes the module smaller (by the estimate).
    Size,
    /// Also small functions everywhere.
    Speed,
}

/// With `inlining-speed`, functions of at most this many instruction bytes
/// (about Binaryen's flexible-inline-max-size of 20 expressions) and no
/// loops are inlined at every call site, whatever the growth.
const SPEED_MAX_BYTES: i64 = 40;

/// Inlining stops adding to a caller once its estimated size reaches this:
/// later function passes (register allocation above all) cost more than
/// linear time in a function's size, and a huge function gains little.
const CALLER_MAX_BYTES: i64 = 100_000;

/// Inlining stops adding to a caller whose locals would pass this (every
/// inlined copy brings fresh locals; validation allows 50 000, and later
/// passes add scratch locals).
const CALLER_MAX_LOCALS: usize = 40_000;

/// Bytes of a block and its `end` around a copy that something branches
/// out of (otherwise cleanup passes remove the block).
const BLOCK_BYTES: i64 = 3;

/// Bytes to store a value in a local (`local.set` and a one-byte index).
const SET_BYTES: i64 = 2;

/// Bytes of a zeroing `local.set` (a constant and the set).
const ZERO_BYTES: i64 = 4;

/// What planning needs to know of one function as a callee.
#[derive(Clone, Debug, Default)]
struct Info {
    /// Encoded size of the body: locals declaration, instructions, `end`.
    body_bytes: i64,
    /// Instruction bytes (without the locals declaration and final `end`).
    instr_bytes: i64,
    /// Estimated bytes of passing the arguments in locals: a parameter read
    /// once and never written usually goes back onto the stack (its get
    /// disappears), one never read leaves a `drop`, others a `local.set`.
    param_bytes: i64,
    /// `return` or a branch to the function's label: the copy needs a block.
    label_used: bool,
    /// Declared locals (nullable or numeric) that are read: zeroed at sites
    /// in loops.
    zeroed_locals: i64,
    has_loop: bool,
    /// Free of what cannot be copied (see the module documentation).
    copyable: bool,
}

impl Info {
    /// Estimated bytes of the inlined copy at one site (arguments excluded:
    /// they are there either way).
    fn site_bytes(&self, in_loop: bool) -> i64 {
        self.instr_bytes
            + self.param_bytes
            + if self.label_used { BLOCK_BYTES } else { 0 }
            + if in_loop {
                ZERO_BYTES * self.zeroed_locals
            } else {
                0
            }
    }
}

/// A `call` in a lifted function.
#[derive(Clone, Copy, Debug)]
struct Site {
    call: ExprId,
    callee: u32,
    /// Under a `loop`: may run several times per call of the caller.
    in_loop: bool,
}

/// One lifted function's scan.
struct Scan {
    info: Info,
    sites: Vec<Site>,
    /// Callees of `return_call`: never inlined there, so never removed.
    tail_calls: Vec<u32>,
}

/// Call sites of one callee: how many, and how many of them in loops.
#[derive(Clone, Copy, Default)]
struct SiteCount {
    all: i64,
    in_loop: i64,
}

fn inline(module: &mut Module<'_>, mode: Mode) -> Result<Changed, Error> {
    let imported = module.imported_functions;
    let total = imported as usize + module.code.len();
    let canon = module.maps.representative_functions(total);
    let live = |f: usize| module.maps.function(f as u32).is_some();

    // A call's size, from the number of functions rather than the callee's
    // index: indices change when functions are reordered at the end of the
    // pipeline, and decisions that hinge on them would differ when the
    // output is optimized again. Function indices inside bodies are
    // counted at this size too.
    let live_functions = (0..total).filter(|&f| live(f)).count() as u32;
    let call_bytes = 1 + crate::leb::unsigned_size(u64::from(live_functions)) as i64;

    let scans: Vec<Option<Scan>> = module
        .code
        .par_iter()
        .enumerate()
        .map(|(i, code)| match code {
            Code::Lifted(func) if live(imported as usize + i) => {
                scan(func, &module.maps, call_bytes - 1)
            }
            _ => None,
        })
        .collect();

    // Uses that keep a function (escaping ones, calls that are not inlined).
    let mut escaping = vec![false; total];
    let mut pinned_calls = vec![0i64; total];
    function_uses::for_each(module, |f, how| {
        if how != FunctionUse::Call {
            if let Some(&c) = canon.get(f as usize) {
                escaping[c as usize] = true;
            }
        }
    })
    .map_err(|e| Error::Encode(e.to_string()))?;
    for (i, code) in module.code.iter().enumerate() {
        if live(imported as usize + i) && !matches!(code, Code::Lifted(_)) {
            for f in raw_calls(code).map_err(|e| Error::Encode(e.to_string()))? {
                pinned_calls[canon[f as usize] as usize] += 1;
            }
        }
    }
    let mut sites = vec![SiteCount::default(); total];
    let mut graph: Vec<Vec<u32>> = vec![Vec::new(); total];
    for (i, scan) in scans.iter().enumerate() {
        let Some(scan) = scan else { continue };
        for site in &scan.sites {
            let c = canon[site.callee as usize];
            sites[c as usize].all += 1;
            sites[c as usize].in_loop += i64::from(site.in_loop);
            graph[imported as usize + i].push(c);
        }
        for &callee in &scan.tail_calls {
            let c = canon[callee as usize];
            pinned_calls[c as usize] += 1;
            graph[imported as usize + i].push(c);
        }
    }
    let mut infos: Vec<Option<Info>> = scans
        .iter()
        .map(|s| s.as_ref().map(|s| s.info.clone()))
        .collect();

    let order = strongly_connected(&graph);
    let mut plan = vec![false; total];
    let mut inlined = vec![false; total];
    let mut changed = false;
    for component in &order {
        let recursive = component.len() > 1 || graph[component[0] as usize].contains(&component[0]);
        for &f in component {
            let Some(d) = (f as usize).checked_sub(imported as usize) else {
                continue;
            };
            let Some(scan) = &scans[d] else { continue };
            let Code::Lifted(mut caller) =
                std::mem::replace(&mut module.code[d], Code::Raw(empty_body()))
            else {
                unreachable!("scanned functions are lifted")
            };
            for site in &scan.sites {
                let g = canon[site.callee as usize];
                if !plan[g as usize] {
                    continue;
                }
                let gd = (g - imported) as usize;
                let (Code::Lifted(callee), Some(callee_info)) =
                    (&module.code[gd], infos[gd].clone())
                else {
                    continue;
                };
                let growth = callee_info.site_bytes(site.in_loop) - call_bytes;
                let caller_info = infos[d].as_mut().expect("scanned");
                let locals = caller.params.len() + caller.locals.len();
                if (growth > 0 && caller_info.body_bytes + growth > CALLER_MAX_BYTES)
                    || locals + callee.params.len() + callee.locals.len() > CALLER_MAX_LOCALS
                {
                    continue;
                }
                copy::inline_call(&mut caller, site.call, callee, site.in_loop);
                caller_info.body_bytes += growth;
                caller_info.instr_bytes += growth;
                caller_info.has_loop |= callee_info.has_loop;
                caller_info.zeroed_locals += callee_info.zeroed_locals + callee.params.len() as i64;
                inlined[g as usize] = true;
                caller.dirty = true;
                changed = true;
            }
            module.code[d] = Code::Lifted(caller);
            if !recursive {
                if let Some(info) = &infos[d] {
                    let removable = !escaping[f as usize] && pinned_calls[f as usize] == 0;
                    plan[f as usize] =
                        worth_inlining(info, sites[f as usize], call_bytes, removable, mode);
                }
            }
        }
    }
    if changed {
        remove_inlined(module, &canon, &order, &inlined, &escaping)?;
    }
    Ok(changed)
}

/// Whether to inline `info`'s function at all of its `sites`.
fn worth_inlining(
    info: &Info,
    sites: SiteCount,
    call_bytes: i64,
    removable: bool,
    mode: Mode,
) -> bool {
    if !info.copyable || sites.all == 0 {
        return false;
    }
    let outside = info.site_bytes(false) - call_bytes;
    let inside = info.site_bytes(true) - call_bytes;
    if outside.max(if sites.in_loop > 0 { inside } else { outside }) <= 0 {
        return true;
    }
    if removable && sites.all == 1 {
        // Its one copy replaces the function: whatever the estimate says,
        // the bytes are about even and the call is gone.
        return true;
    }
    if removable {
        let growth = (sites.all - sites.in_loop) * outside + sites.in_loop * inside;
        // The body, its size field, and its type index in the function section.
        let size_field = crate::leb::unsigned_size(info.body_bytes.max(0) as u64) as i64;
        let saving = info.body_bytes + size_field + 1;
        if growth < saving {
            return true;
        }
    }
    mode == Mode::Speed && info.instr_bytes <= SPEED_MAX_BYTES && !info.has_loop
}

/// Scans one lifted function: its calls, and its size and shape as a
/// callee, with every function index counted as `function_index_bytes`
/// long. `None` when it cannot be encoded (it names something removed:
/// dead code of an earlier pass's making, never written).
fn scan(
    func: &Function<'_>,
    maps: &crate::remap::IndexMaps,
    function_index_bytes: i64,
) -> Option<Scan> {
    let bytes = crate::lower::lower(func, &mut Remapper { maps }).ok()?;
    let instr_start = FunctionBody::new(BinaryReader::new(&bytes, 0))
        .get_operators_reader()
        .ok()?
        .original_position() as i64;
    let local_count = func.params.len() + func.locals.len();
    let mut reads = vec![0u32; local_count];
    let mut writes = vec![0u32; local_count];
    let mut result = Scan {
        info: Info {
            body_bytes: bytes.len() as i64,
            instr_bytes: bytes.len() as i64 - instr_start - 1,
            copyable: true,
            ..Info::default()
        },
        sites: Vec::new(),
        tail_calls: Vec::new(),
    };
    let info = &mut result.info;
    let mut work = vec![(func.body, false)];
    while let Some((id, in_loop)) = work.pop() {
        let expr = func.expr(id);
        info.label_used |= func.labels_used_by(id).contains(&func.body);
        if let Kind::Op(
            Operator::Call { function_index }
            | Operator::ReturnCall { function_index }
            | Operator::RefFunc { function_index },
        ) = &expr.kind
        {
            let written = maps
                .function(*function_index)
                .map_or(0, |out| crate::leb::unsigned_size(u64::from(out)) as i64);
            info.instr_bytes += function_index_bytes - written;
            info.body_bytes += function_index_bytes - written;
        }
        match &expr.kind {
            Kind::Op(Operator::Call { function_index }) => result.sites.push(Site {
                call: id,
                callee: *function_index,
                in_loop,
            }),
            Kind::Op(Operator::ReturnCall { function_index }) => {
                result.tail_calls.push(*function_index);
                info.copyable = false;
            }
            Kind::Op(Operator::ReturnCallIndirect { .. } | Operator::ReturnCallRef { .. }) => {
                info.copyable = false
            }
            Kind::Op(Operator::Return) => info.label_used = true,
            Kind::Op(Operator::LocalGet { local_index }) => reads[*local_index as usize] += 1,
            Kind::Op(Operator::LocalSet { local_index } | Operator::LocalTee { local_index }) => {
                writes[*local_index as usize] += 1
            }
            Kind::Assign { locals } => {
                for &l in locals {
                    writes[l as usize] += 1;
                }
            }
            Kind::Try(t) if t.delegate == Some(func.body) => info.copyable = false,
            Kind::Loop { .. } => info.has_loop = true,
            _ => {}
        }
        let inner = in_loop || matches!(expr.kind, Kind::Loop { .. });
        for body in func.bodies(id) {
            work.extend(body.iter().map(|&e| (e, inner)));
        }
        work.extend(expr.args.iter().map(|&e| (e, in_loop)));
    }
    for p in 0..func.params.len() {
        info.param_bytes += match (reads[p], writes[p]) {
            (1, 0) => -SET_BYTES,
            (0, 0) => 1,
            _ => SET_BYTES,
        };
    }
    info.zeroed_locals = func
        .locals
        .iter()
        .enumerate()
        .filter(|&(i, ty)| {
            reads[func.params.len() + i] > 0 && !matches!(ty, ValType::Ref(r) if !r.is_nullable())
        })
        .count() as i64;
    Some(result)
}

/// The functions called (`call`, `return_call`) by code kept as bytes.
fn raw_calls(code: &Code<'_>) -> wasmparser::Result<Vec<u32>> {
    let body = match code {
        Code::Raw(body) => body.clone(),
        Code::Encoded(bytes) => FunctionBody::new(BinaryReader::new(bytes, 0)),
        Code::Lifted(_) => return Ok(Vec::new()),
    };
    let mut calls = Vec::new();
    for op in body.get_operators_reader()? {
        if let Operator::Call { function_index } | Operator::ReturnCall { function_index } = op? {
            calls.push(function_index);
        }
    }
    Ok(calls)
}

/// A placeholder body while a caller is taken out of the module.
fn empty_body() -> FunctionBody<'static> {
    FunctionBody::new(BinaryReader::new(&[0, 0x0b], 0))
}

/// Removes, through the index maps, the functions that were inlined
/// somewhere and that nothing written calls or references any more.
/// Callers are decided before their callees (reverse of `order`), so a
/// chain of them goes at once.
fn remove_inlined(
    module: &mut Module<'_>,
    canon: &[u32],
    order: &[Vec<u32>],
    inlined: &[bool],
    escaping: &[bool],
) -> Result<(), Error> {
    let imported = module.imported_functions as usize;
    let total = canon.len();
    let mut calls = vec![0u32; total];
    // Per canonical function, the calls its bodies (its own and its
    // duplicates') make.
    let mut calls_from: Vec<Vec<u32>> = vec![Vec::new(); total];
    for (i, code) in module.code.iter().enumerate() {
        let f = imported + i;
        if module.maps.function(f as u32).is_none() {
            continue;
        }
        let callees = match code {
            Code::Lifted(func) => func
                .walk(func.body)
                .into_iter()
                .filter_map(|id| match func.expr(id).kind {
                    Kind::Op(
                        Operator::Call { function_index } | Operator::ReturnCall { function_index },
                    ) => Some(function_index),
                    _ => None,
                })
                .collect(),
            _ => raw_calls(code).map_err(|e| Error::Encode(e.to_string()))?,
        };
        for c in callees {
            let c = canon[c as usize];
            calls[c as usize] += 1;
            calls_from[canon[f] as usize].push(c);
        }
    }
    let mut removed = vec![false; total];
    for &f in order.iter().rev().flatten() {
        let f = f as usize;
        if inlined[f] && !escaping[f] && calls[f] == 0 {
            removed[f] = true;
            for &c in &calls_from[f] {
                calls[c as usize] -= 1;
            }
        }
    }
    let mut map: Vec<u32> = (0..total as u32)
        .map(|f| match module.maps.function(f) {
            Some(_) if removed[canon[f as usize] as usize] => REMOVED,
            Some(out) => out,
            None => REMOVED,
        })
        .collect();
    if removed.iter().any(|&r| r) {
        compact(&mut map);
        module.maps.functions = Some(map);
    }
    Ok(())
}

/// The strongly connected components of a graph (node `i`'s successors in
/// `edges[i]`), every component after all components it reaches: Tarjan's
/// algorithm, with an explicit stack (call chains can be deep).
fn strongly_connected(edges: &[Vec<u32>]) -> Vec<Vec<u32>> {
    const UNSEEN: u32 = u32::MAX;
    let n = edges.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut components = Vec::new();
    let mut next = 0u32;
    // The depth-first path: (node, how many of its edges were followed).
    let mut path: Vec<(u32, usize)> = Vec::new();
    for root in 0..n as u32 {
        if index[root as usize] != UNSEEN {
            continue;
        }
        path.push((root, 0));
        while let Some(&(v, followed)) = path.last() {
            let v_ = v as usize;
            if followed == 0 && index[v_] == UNSEEN {
                index[v_] = next;
                low[v_] = next;
                next += 1;
                stack.push(v);
                on_stack[v_] = true;
            }
            if let Some(&w) = edges[v_].get(followed) {
                path.last_mut().expect("not empty").1 += 1;
                if index[w as usize] == UNSEEN {
                    path.push((w, 0));
                } else if on_stack[w as usize] {
                    low[v_] = low[v_].min(index[w as usize]);
                }
                continue;
            }
            path.pop();
            if let Some(&(u, _)) = path.last() {
                low[u as usize] = low[u as usize].min(low[v_]);
            }
            if low[v_] == index[v_] {
                let mut component = Vec::new();
                loop {
                    let w = stack.pop().expect("v is on the stack");
                    on_stack[w as usize] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    components
}

#[cfg(test)]
mod tests {
    use super::strongly_connected;

    #[test]
    fn components_come_after_what_they_reach() {
        // 0 -> 1 <-> 2 -> 3, 4 -> 4
        let edges = vec![vec![1], vec![2], vec![1, 3], vec![], vec![4]];
        let mut order = strongly_connected(&edges);
        for c in &mut order {
            c.sort();
        }
        assert_eq!(order, vec![vec![3], vec![1, 2], vec![0], vec![4]]);
    }
}
