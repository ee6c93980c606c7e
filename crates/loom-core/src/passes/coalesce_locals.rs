//! `coalesce-locals`: register allocation for locals. Locals whose live
//! ranges do not overlap share one index, so a function declares fewer
//! locals, and a copy `local.set $a (local.get $b)` whose two locals end up
//! sharing an index disappears. This is where most of wasm-opt's gain on
//! compiler output comes from (its `CoalesceLocals`); the algorithm here is
//! our own and stays near-linear:
//!
//! 1. The tree becomes a control-flow graph of basic blocks, each a list of
//!    local reads and writes. Branches go to their label's block; inside a
//!    `try` or `try_table` body, every block (and a split before every
//!    write) also flows to the handlers, since a throw anywhere in the body
//!    reaches each of them with the locals as they are at that point.
//! 2. Liveness is computed one local at a time, walking backwards from its
//!    reads until its writes (cost: the size of the live sets, no
//!    iteration to a fixpoint), and kept as sparse lists per block.
//! 3. Each local's values are split into webs (writes and the reads they
//!    reach), each web a local of its own numbered by its first access
//!    (see `split_webs`); their liveness follows from the locals'.
//! 4. Two locals of the same type interfere when one is written while the
//!    other is live, except that a copy `$a = $b` (or `$a = tee $b ..`)
//!    does not make `$a` and `$b` interfere (they hold the same value).
//!    Function entry writes every local: the parameters their arguments,
//!    the others zero, so a local read before any write interferes with
//!    every parameter, but not with other zero-initialized locals. A write
//!    to a local that is not live afterwards is removed (its value is
//!    dropped) instead.
//! 5. Greedy colouring, parameters first (they never move, but a declared
//!    local may join one), then locals by how many copies they take part
//!    in, each joining the colour that removes the most copies, else the
//!    lowest free colour of its type. Two orders are tried; the one
//!    removing more copies, then using fewer locals, wins.
//!
//! A local set once and then read once in the same body gets a colour of
//! its own: the writer keeps such a value on the operand stack (see
//! `lower::keep_on_stack`), which merging would prevent. Non-nullable
//! reference locals are left alone (they must be written before each
//! read, which merging could break). Declared locals are then renumbered
//! compactly in the order of their first member; the writer may drop
//! the ones it leaves unused. Functions beyond the budgets below are left
//! unchanged, so the work stays bounded on huge functions.

use crate::ir::{ExprId, Function, Kind, Results};
use crate::pass::Changed;
use std::collections::HashMap;
use wasmparser::{Operator, ValType};

/// Most (block, live local) pairs liveness may record in one function:
/// bounds its memory (8 bytes each) and time. A function beyond it is
/// left unchanged.
const LIVENESS_BUDGET: usize = 1 << 22;

/// Most live locals the interference scan may visit in one function (each
/// write visits the locals live after it): bounds its time, and its memory
/// (up to 8 bytes each). A function beyond it is left unchanged.
const INTERFERENCE_BUDGET: usize = 1 << 22;

/// No local: an action that is not a copy, an unassigned colour.
const NONE: u32 = u32::MAX;

pub fn run(func: &mut Function<'_>) -> Changed {
    let mut types: Vec<ValType> = func.params.iter().chain(&func.locals).copied().collect();
    // Non-nullable references must be written before they are read: leave
    // them (and all their uses) out.
    let mut tracked: Vec<bool> = types
        .iter()
        .map(|t| !matches!(t, ValType::Ref(r) if !r.is_nullable()))
        .collect();
    let mut cfg = Cfg::build(func, &tracked);
    let preds = cfg.predecessors();
    let Some((mut liveness, live_in)) = Liveness::compute(&cfg, &preds, types.len()) else {
        return false;
    };
    let locals_before = func.locals.clone();
    // Per local, the input local it is a web of.
    let mut input_local: Vec<u32> = (0..types.len() as u32).collect();
    if let Some(webs) = split_webs(
        &cfg,
        &preds,
        &liveness,
        live_in,
        types.len(),
        func.params.len(),
    ) {
        for (i, &web) in webs.local_of_action.iter().enumerate() {
            let action = &mut cfg.actions[i];
            if action.local != web {
                action.local = web;
                set_action_local(func, action);
            }
        }
        for i in 0..cfg.actions.len() {
            if cfg.actions[i].copy_of != NONE {
                // The copied value is the one the previous action (the
                // copy's `get` or `tee`) accessed.
                debug_assert_eq!(
                    func.expr(cfg.actions[i].expr).args[0],
                    cfg.actions[i - 1].expr
                );
                cfg.actions[i].copy_of = cfg.actions[i - 1].local;
            }
        }
        for &local in &webs.new_local_of {
            let ty = types[local as usize];
            func.locals.push(ty);
            types.push(ty);
            tracked.push(true);
            input_local.push(local);
        }
        liveness = webs.liveness;
        if cfg!(debug_assertions) {
            if let Some((computed, _)) = Liveness::compute(&cfg, &preds, types.len()) {
                debug_assert!(
                    liveness.same_as(&computed),
                    "webs' liveness derived wrongly"
                );
            }
        }
    }
    let Some(graph) = Interference::compute(func, &cfg, &liveness, &types) else {
        // Undo the split: each action back to its input local.
        for action in &mut cfg.actions {
            let input = input_local[action.local as usize];
            if action.local != input {
                action.local = input;
                set_action_local(func, action);
            }
        }
        func.locals = locals_before;
        return false;
    };
    let params = func.params.len();
    let locals = Locals {
        types: &types,
        tracked: &tracked,
        input_local: &input_local,
    };
    let colouring = pick_colours(&cfg, &graph, &locals, params);
    apply(func, &cfg, &graph, &colouring, &locals, &locals_before)
}

/// The locals `apply` renumbers: each one's type, whether the pass tracks
/// it, and the input local it is a web of.
struct Locals<'l> {
    types: &'l [ValType],
    tracked: &'l [bool],
    input_local: &'l [u32],
}

/// Writes the action's local into its node.
fn set_action_local(func: &mut Function<'_>, action: &Action) {
    match &mut func.expr_mut(action.expr).kind {
        Kind::Op(
            Operator::LocalGet { local_index }
            | Operator::LocalSet { local_index }
            | Operator::LocalTee { local_index },
        ) => *local_index = action.local,
        Kind::Assign { locals } => locals[action.slot as usize] = action.local,
        _ => unreachable!("actions are local accesses"),
    }
}

/// Live-range splitting: the values a local holds form webs, each a set of
/// writes and the reads they reach, and two webs of one local never meet
/// at a read. Compilers reuse one local for unrelated values, and inlining
/// stores a callee's arguments into its parameters; coloured as one, such
/// a local interferes with everything any of its values does, and copies
/// between its values and others' cannot go. So every web becomes a local
/// of its own, numbered in the order of its first access, except the
/// argument a parameter holds at entry, which keeps the parameter. Writes
/// read by nothing stay where they are (they are removed anyway).
///
/// Colouring then sees the same locals in the same order whatever the
/// numbering it was given: optimizing its own output again, it makes the
/// same choices instead of ones shaped by its last answer.
struct Webs {
    /// Per action, the local of its web.
    local_of_action: Vec<u32>,
    /// Per new local (numbered from the old count), the local it came from.
    new_local_of: Vec<u32>,
    /// Liveness of the locals with each web its own.
    liveness: Liveness,
}

fn split_webs(
    cfg: &Cfg,
    preds: &Lists,
    liveness: &Liveness,
    live_in: Vec<(u32, u32)>,
    locals: usize,
    params: usize,
) -> Option<Webs> {
    let blocks = cfg.blocks();
    let actions = cfg.actions.len();
    // Nodes: the actions, then each value live into a block (numbered as
    // `live_in` lists them, grouped by local).
    let entry_node = |k: usize| (actions + k) as u32;
    let mut webs = UnionFind::new(actions + live_in.len());
    // Within a block, a read reaches the last write before it, else the
    // value live in.
    let in_block = Lists::from_iter(
        blocks,
        live_in.iter().enumerate().map(|(k, &(b, _))| (b, k as u32)),
    );
    let mut current = vec![NONE; locals];
    // Per local, its writes; per action, its block.
    let mut writes = Vec::new();
    let mut block_of = vec![0u32; actions];
    for block in 0..blocks {
        for &k in in_block.of(block) {
            current[live_in[k as usize].1 as usize] = entry_node(k as usize);
        }
        let (start, end) = cfg.ranges[block];
        for i in start..end {
            let action = &cfg.actions[i as usize];
            let l = action.local as usize;
            block_of[i as usize] = block as u32;
            if action.access == Access::Get {
                webs.union(i, current[l]);
            } else {
                current[l] = i;
                writes.push((action.local, i));
            }
        }
    }
    // Across edges: a value live into a block is, from each predecessor,
    // the last write there, else the value live into it.
    let writes = Lists::from_pairs(locals, &writes);
    let mut last_write = vec![NONE; blocks];
    let mut written_by = vec![NONE; blocks];
    let mut entry_of = vec![NONE; blocks];
    let mut entry_by = vec![NONE; blocks];
    let mut from = 0;
    while from < live_in.len() {
        let x = live_in[from].1;
        let to = from + live_in[from..].iter().take_while(|p| p.1 == x).count();
        // In action order, so the last write of a block stays.
        for &i in writes.of(x as usize) {
            let b = block_of[i as usize] as usize;
            last_write[b] = i;
            written_by[b] = x;
        }
        for (k, &(b, _)) in live_in.iter().enumerate().take(to).skip(from) {
            entry_of[b as usize] = entry_node(k);
            entry_by[b as usize] = x;
        }
        for (k, &(b, _)) in live_in.iter().enumerate().take(to).skip(from) {
            for &p in preds.of(b as usize) {
                let p = p as usize;
                let value = if written_by[p] == x {
                    last_write[p]
                } else if entry_by[p] == x {
                    entry_of[p]
                } else {
                    // Not reached: live into a block is live out of each
                    // predecessor, so written there or live into it too.
                    debug_assert!(false, "local {x} live into {b} but not out of {p}");
                    continue;
                };
                webs.union(entry_node(k), value);
            }
        }
        from = to;
    }

    let mut read = vec![false; webs.parent.len()];
    for (i, action) in cfg.actions.iter().enumerate() {
        if action.access == Access::Get {
            read[webs.find(i as u32) as usize] = true;
        }
    }
    let mut web_local = vec![NONE; webs.parent.len()];
    for &k in in_block.of(ENTRY as usize) {
        let l = live_in[k as usize].1;
        if (l as usize) < params {
            web_local[webs.find(entry_node(k as usize)) as usize] = l;
        }
    }
    let mut new_local_of = Vec::new();
    let mut local_of_action = Vec::with_capacity(actions);
    for (i, action) in cfg.actions.iter().enumerate() {
        let web = webs.find(i as u32) as usize;
        if web_local[web] == NONE {
            web_local[web] = if read[web] {
                new_local_of.push(action.local);
                (locals + new_local_of.len() - 1) as u32
            } else {
                action.local
            };
        }
        local_of_action.push(web_local[web]);
    }
    if new_local_of.is_empty() {
        return None;
    }
    // The webs' liveness, from their locals': a value live at a point is
    // the one its web holds there.
    let mut web_of = |node: u32| web_local[webs.find(node) as usize];
    // The same counts per block as the locals', in the same order.
    let mut live_out = Vec::with_capacity(liveness.live_out.items.len());
    for block in 0..blocks {
        // Live out: written last here, or live in and not written.
        for &k in in_block.of(block) {
            current[live_in[k as usize].1 as usize] = web_of(entry_node(k as usize));
        }
        let (start, end) = cfg.ranges[block];
        for i in start..end {
            let action = &cfg.actions[i as usize];
            if action.access != Access::Get {
                current[action.local as usize] = local_of_action[i as usize];
            }
        }
        let start = live_out.len();
        live_out.extend(
            liveness
                .live_out
                .of(block)
                .iter()
                .map(|&l| current[l as usize]),
        );
        live_out[start..].sort_unstable();
    }
    let live_at_entry = in_block
        .of(ENTRY as usize)
        .iter()
        .map(|&k| web_of(entry_node(k as usize)))
        .collect();
    Some(Webs {
        local_of_action,
        new_local_of,
        liveness: Liveness {
            live_out: Lists {
                starts: liveness.live_out.starts.clone(),
                items: live_out,
            },
            live_at_entry,
            reachable: liveness.reachable.clone(),
        },
    })
}

/// Disjoint sets of nodes, with path halving.
struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(nodes: usize) -> UnionFind {
        UnionFind {
            parent: (0..nodes as u32).collect(),
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a.max(b) as usize] = a.min(b);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Access {
    Get,
    Set,
    Tee,
    /// One of the locals an `Assign` stores; consecutive actions of the
    /// same node are its locals.
    Assign,
}

/// A read or write of a tracked local.
#[derive(Clone, Copy, Debug)]
struct Action {
    access: Access,
    local: u32,
    expr: ExprId,
    /// For a `set`/`tee` of a `local.get`, the local copied; else `NONE`.
    copy_of: u32,
    /// For an `Assign`, the position of the local among its locals.
    slot: u32,
    /// The body (block arm) it stands in, numbered in walk order.
    body: u32,
}

/// The control-flow graph: blocks are ranges of `actions` (each block's
/// actions are contiguous, as a block is current only once) and edges.
struct Cfg {
    actions: Vec<Action>,
    ranges: Vec<(u32, u32)>,
    edges: Vec<(u32, u32)>,
}

/// The entry block; nothing branches to it (a loop starts its own block).
const ENTRY: u32 = 0;

enum Work {
    Visit(ExprId),
    Emit(ExprId),
    Open(ExprId),
    /// An edge from the current block to this one.
    Goto(u32),
    /// This block becomes the current one.
    Switch(u32),
    /// Goto, then Switch.
    Join(u32),
    /// Leaves the innermost `try`/`try_table` body.
    PopHandlers,
    EnterBody,
    LeaveBody,
}

struct Builder<'f, 'a> {
    func: &'f Function<'a>,
    tracked: &'f [bool],
    cfg: Cfg,
    current: u32,
    /// The block a branch to each label node goes to (`NONE` elsewhere).
    label_block: Vec<u32>,
    /// Handler dispatch blocks of the enclosing `try`/`try_table` bodies:
    /// every block created inside flows to the innermost.
    handlers: Vec<u32>,
    /// Each legacy `try`'s dispatch block, for `delegate` to it.
    try_dispatch: HashMap<ExprId, u32>,
    /// The bodies (block arms) open, innermost last, and how many so far.
    bodies: Vec<u32>,
    body_count: u32,
}

impl Cfg {
    fn build(func: &Function<'_>, tracked: &[bool]) -> Cfg {
        let mut b = Builder {
            func,
            tracked,
            cfg: Cfg {
                actions: Vec::new(),
                ranges: Vec::new(),
                edges: Vec::new(),
            },
            current: ENTRY,
            label_block: vec![NONE; func.exprs.len()],
            handlers: Vec::new(),
            try_dispatch: HashMap::new(),
            bodies: vec![0],
            body_count: 1,
        };
        let entry = b.new_block();
        debug_assert_eq!(entry, ENTRY);
        let mut work = vec![Work::Visit(func.body)];
        while let Some(item) = work.pop() {
            b.step(item, &mut work);
        }
        let end = b.cfg.actions.len() as u32;
        b.cfg.ranges[b.current as usize].1 = end;
        b.cfg
    }

    fn blocks(&self) -> usize {
        self.ranges.len()
    }

    /// Each block's predecessors.
    fn predecessors(&self) -> Lists {
        let swapped: Vec<(u32, u32)> = self.edges.iter().map(|&(from, to)| (to, from)).collect();
        Lists::from_pairs(self.blocks(), &swapped)
    }

    fn actions_of(&self, block: usize) -> &[Action] {
        let (start, end) = self.ranges[block];
        &self.actions[start as usize..end as usize]
    }
}

impl Builder<'_, '_> {
    fn new_block(&mut self) -> u32 {
        let block = self.cfg.ranges.len() as u32;
        self.cfg.ranges.push((0, 0));
        if let Some(&dispatch) = self.handlers.last() {
            self.cfg.edges.push((block, dispatch));
        }
        block
    }

    fn edge_to(&mut self, to: u32) {
        self.cfg.edges.push((self.current, to));
    }

    fn switch(&mut self, to: u32) {
        let at = self.cfg.actions.len() as u32;
        self.cfg.ranges[self.current as usize].1 = at;
        self.cfg.ranges[to as usize].0 = at;
        self.current = to;
    }

    /// Continues in a new block reached only from the current one.
    fn fall_through(&mut self) {
        let next = self.new_block();
        self.edge_to(next);
        self.switch(next);
    }

    /// Before a write inside a `try` body: the handlers must see the
    /// locals as they are before it (a throw may come first).
    fn before_write(&mut self) {
        if !self.handlers.is_empty() {
            self.fall_through();
        }
    }

    fn push(&mut self, access: Access, local: u32, expr: ExprId, copy_of: u32, slot: u32) {
        self.cfg.actions.push(Action {
            access,
            local,
            expr,
            copy_of,
            slot,
            body: *self.bodies.last().expect("the root body is open"),
        });
    }

    fn step(&mut self, item: Work, work: &mut Vec<Work>) {
        let func = self.func;
        match item {
            Work::Visit(id) => {
                let expr = func.expr(id);
                let labeled = matches!(
                    expr.kind,
                    Kind::Block { .. }
                        | Kind::Loop { .. }
                        | Kind::If { .. }
                        | Kind::Try(_)
                        | Kind::TryTable(_)
                );
                work.push(if labeled {
                    Work::Open(id)
                } else {
                    Work::Emit(id)
                });
                work.extend(expr.args.iter().rev().map(|a| Work::Visit(*a)));
            }
            Work::Open(id) => self.open(id, work),
            Work::Emit(id) => self.emit(id),
            Work::Goto(to) => self.edge_to(to),
            Work::Switch(to) => self.switch(to),
            Work::Join(to) => {
                self.edge_to(to);
                self.switch(to);
            }
            Work::PopHandlers => {
                self.handlers.pop();
            }
            Work::EnterBody => {
                self.bodies.push(self.body_count);
                self.body_count += 1;
            }
            Work::LeaveBody => {
                self.bodies.pop();
            }
        }
    }

    fn visit_body(work: &mut Vec<Work>, body: &[ExprId]) {
        work.push(Work::LeaveBody);
        work.extend(body.iter().rev().map(|id| Work::Visit(*id)));
        work.push(Work::EnterBody);
    }

    /// Enters a labeled node, its operands evaluated; pushes the work for
    /// its bodies.
    fn open(&mut self, id: ExprId, work: &mut Vec<Work>) {
        let func = self.func;
        match &func.expr(id).kind {
            Kind::Block { body, .. } => {
                let after = self.new_block();
                self.label_block[id.index()] = after;
                work.push(Work::Join(after));
                Self::visit_body(work, body);
            }
            Kind::Loop { body, .. } => {
                let top = self.new_block();
                self.label_block[id.index()] = top;
                self.edge_to(top);
                self.switch(top);
                Self::visit_body(work, body);
            }
            Kind::If {
                then_body,
                else_body,
                ..
            } => {
                let condition = self.current;
                let after = self.new_block();
                self.label_block[id.index()] = after;
                let then_block = self.new_block();
                self.cfg.edges.push((condition, then_block));
                work.push(Work::Join(after));
                match else_body {
                    Some(else_body) => {
                        let else_block = self.new_block();
                        self.cfg.edges.push((condition, else_block));
                        Self::visit_body(work, else_body);
                        work.push(Work::Switch(else_block));
                        work.push(Work::Goto(after));
                    }
                    None => self.cfg.edges.push((condition, after)),
                }
                Self::visit_body(work, then_body);
                work.push(Work::Switch(then_block));
            }
            Kind::Try(t) => {
                let after = self.new_block();
                self.label_block[id.index()] = after;
                // Created outside the body: what a handler does not catch
                // goes on to the enclosing handlers.
                let dispatch = self.new_block();
                self.try_dispatch.insert(id, dispatch);
                if let Some(target) = t.delegate {
                    if let Some(&outer) = self.try_dispatch.get(&target) {
                        self.cfg.edges.push((dispatch, outer));
                    }
                }
                let catch_blocks: Vec<u32> = t.catches.iter().map(|_| self.new_block()).collect();
                for &c in &catch_blocks {
                    self.cfg.edges.push((dispatch, c));
                }
                work.push(Work::Switch(after));
                for (catch, &block) in t.catches.iter().zip(&catch_blocks).rev() {
                    work.push(Work::Goto(after));
                    Self::visit_body(work, &catch.body);
                    work.push(Work::Switch(block));
                }
                work.push(Work::PopHandlers);
                work.push(Work::Goto(after));
                Self::visit_body(work, &t.body);
                self.handlers.push(dispatch);
                self.fall_through();
            }
            Kind::TryTable(t) => {
                let after = self.new_block();
                self.label_block[id.index()] = after;
                let dispatch = self.new_block();
                for target in &t.targets {
                    let to = self.label_block[target.index()];
                    self.cfg.edges.push((dispatch, to));
                }
                work.push(Work::Join(after));
                work.push(Work::PopHandlers);
                Self::visit_body(work, &t.body);
                self.handlers.push(dispatch);
                self.fall_through();
            }
            _ => unreachable!("only labeled nodes are opened"),
        }
    }

    /// Records what a node without bodies does, its operands evaluated.
    fn emit(&mut self, id: ExprId) {
        let func = self.func;
        let expr = func.expr(id);
        match &expr.kind {
            Kind::Op(Operator::LocalGet { local_index }) if self.tracked[*local_index as usize] => {
                self.push(Access::Get, *local_index, id, NONE, 0);
            }
            Kind::Op(
                op @ (Operator::LocalSet { local_index } | Operator::LocalTee { local_index }),
            ) if self.tracked[*local_index as usize] => {
                // A `tee` just wrote the value it gives: `$a = tee $b ..`
                // copies `$b` as much as `$a = $b` does.
                let copy_of = match func.expr(expr.args[0]).kind {
                    Kind::Op(
                        Operator::LocalGet { local_index: from }
                        | Operator::LocalTee { local_index: from },
                    ) if self.tracked[from as usize] => from,
                    _ => NONE,
                };
                let access = match op {
                    Operator::LocalSet { .. } => Access::Set,
                    _ => Access::Tee,
                };
                self.before_write();
                self.push(access, *local_index, id, copy_of, 0);
            }
            Kind::Assign { locals } => {
                self.before_write();
                for (slot, &local) in locals.iter().enumerate() {
                    if self.tracked[local as usize] {
                        self.push(Access::Assign, local, id, NONE, slot as u32);
                    }
                }
            }
            Kind::Branch { op, targets } => {
                // `rethrow` throws: it reaches the handlers, not its label.
                if !matches!(**op, Operator::Rethrow { .. }) {
                    for target in targets {
                        let to = self.label_block[target.index()];
                        self.edge_to(to);
                    }
                }
                if expr.results == Results::Unreachable {
                    let dead = self.new_block();
                    self.switch(dead);
                } else {
                    self.fall_through();
                }
            }
            _ if expr.results == Results::Unreachable => {
                let dead = self.new_block();
                self.switch(dead);
            }
            _ => {}
        }
    }
}

/// Compressed lists: `items[starts[k]..starts[k + 1]]` belong to key `k`.
struct Lists {
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    /// Groups `(key, item)` pairs by key, keeping their order within a key.
    fn from_pairs(keys: usize, pairs: &[(u32, u32)]) -> Lists {
        Lists::from_iter(keys, pairs.iter().copied())
    }

    /// The same from pairs made on the fly (read twice), when listing
    /// them first would take memory.
    fn from_iter(keys: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Lists {
        let mut starts = vec![0u32; keys + 1];
        for (k, _) in pairs.clone() {
            starts[k as usize + 1] += 1;
        }
        for k in 0..keys {
            starts[k + 1] += starts[k];
        }
        let mut fill = starts.clone();
        let mut items = vec![0u32; starts[keys] as usize];
        for (k, item) in pairs {
            items[fill[k as usize] as usize] = item;
            fill[k as usize] += 1;
        }
        Lists { starts, items }
    }

    fn of(&self, key: usize) -> &[u32] {
        &self.items[self.starts[key] as usize..self.starts[key + 1] as usize]
    }
}

struct Liveness {
    /// The locals live at the end of each block, ascending.
    live_out: Lists,
    /// The locals live at function entry (read before written on some path).
    live_at_entry: Vec<u32>,
    /// Blocks reachable from the entry.
    reachable: Vec<bool>,
}

impl Liveness {
    /// The liveness, and each (block, local) with the local live at the
    /// block's start, grouped by local (what `split_webs` starts from).
    /// `None` when the function is over `LIVENESS_BUDGET`.
    fn compute(cfg: &Cfg, preds: &Lists, locals: usize) -> Option<(Liveness, Vec<(u32, u32)>)> {
        let blocks = cfg.blocks();
        // Per local: blocks reading it before writing it, blocks writing it.
        let mut reads_first = Vec::new();
        let mut writes = Vec::new();
        let mut read_in = vec![NONE; locals];
        let mut written_in = vec![NONE; locals];
        for block in 0..blocks {
            let b = block as u32;
            for action in cfg.actions_of(block) {
                let l = action.local as usize;
                if action.access == Access::Get {
                    if written_in[l] != b && read_in[l] != b {
                        read_in[l] = b;
                        reads_first.push((action.local, b));
                    }
                } else if written_in[l] != b {
                    written_in[l] = b;
                    writes.push((action.local, b));
                }
            }
        }
        let reads_first = Lists::from_pairs(locals, &reads_first);
        let writes = Lists::from_pairs(locals, &writes);

        // Walk each local's live range backwards from its reads, stopping
        // at blocks that write it. Stamps hold the local last processed.
        let mut kills = vec![NONE; blocks];
        let mut live_in = vec![NONE; blocks];
        let mut live_out_mark = vec![NONE; blocks];
        let mut live_out = Vec::new();
        let mut live_in_pairs = Vec::new();
        let mut live_at_entry = Vec::new();
        let mut work = Vec::new();
        for local in 0..locals {
            let x = local as u32;
            for &b in writes.of(local) {
                kills[b as usize] = x;
            }
            for &b in reads_first.of(local) {
                if live_in[b as usize] != x {
                    live_in[b as usize] = x;
                    live_in_pairs.push((b, x));
                    work.push(b);
                }
            }
            while let Some(b) = work.pop() {
                if b == ENTRY {
                    live_at_entry.push(x);
                }
                for &p in preds.of(b as usize) {
                    let p = p as usize;
                    if live_out_mark[p] != x {
                        live_out_mark[p] = x;
                        live_out.push((p as u32, x));
                        if live_out.len() > LIVENESS_BUDGET {
                            return None;
                        }
                    }
                    if kills[p] != x && live_in[p] != x {
                        live_in[p] = x;
                        live_in_pairs.push((p as u32, x));
                        work.push(p as u32);
                    }
                }
            }
        }

        let successors = Lists::from_pairs(blocks, &cfg.edges);
        let mut reachable = vec![false; blocks];
        reachable[ENTRY as usize] = true;
        let mut work = vec![ENTRY];
        while let Some(b) = work.pop() {
            for &s in successors.of(b as usize) {
                if !std::mem::replace(&mut reachable[s as usize], true) {
                    work.push(s);
                }
            }
        }
        Some((
            Liveness {
                live_out: Lists::from_pairs(blocks, &live_out),
                live_at_entry,
                reachable,
            },
            live_in_pairs,
        ))
    }
}

impl Liveness {
    /// Whether both say the same (for checking a derived one).
    fn same_as(&self, other: &Liveness) -> bool {
        fn sorted<T: Clone + Ord>(items: &[T]) -> Vec<T> {
            let mut items = items.to_vec();
            items.sort_unstable();
            items
        }
        self.live_out.starts == other.live_out.starts
            && self.live_out.items == other.live_out.items
            && sorted(&self.live_at_entry) == sorted(&other.live_at_entry)
            && self.reachable == other.reachable
    }
}

/// A set of locals with constant-time insert, remove, clear and membership
/// (Briggs and Torczon's sparse set).
struct SparseSet {
    dense: Vec<u32>,
    sparse: Vec<u32>,
}

impl SparseSet {
    fn new(universe: usize) -> SparseSet {
        SparseSet {
            dense: Vec::new(),
            sparse: vec![0; universe],
        }
    }

    fn contains(&self, x: u32) -> bool {
        let at = self.sparse[x as usize] as usize;
        at < self.dense.len() && self.dense[at] == x
    }

    fn insert(&mut self, x: u32) {
        if !self.contains(x) {
            self.sparse[x as usize] = self.dense.len() as u32;
            self.dense.push(x);
        }
    }

    fn remove(&mut self, x: u32) {
        if self.contains(x) {
            let at = self.sparse[x as usize] as usize;
            let last = *self.dense.last().expect("contains x");
            self.dense.swap_remove(at);
            if last != x {
                self.sparse[last as usize] = at as u32;
            }
        }
    }
}

/// Most locals for which [`PairSet`] keeps a bit matrix (512 KiB).
const MATRIX_LOCALS: usize = 2048;

/// Interfering pairs of locals, each kept once. The scan finds the same
/// pair again at every write while the other local is live: a bit matrix
/// takes the repeats for free where it is small; beyond that the pairs are
/// listed and sorted (the lower local in the high half, as one integer).
enum PairSet {
    Matrix { locals: usize, bits: Vec<u64> },
    List(Vec<u64>),
}

impl PairSet {
    fn new(locals: usize) -> PairSet {
        if locals <= MATRIX_LOCALS {
            PairSet::Matrix {
                locals,
                bits: vec![0; (locals * locals).div_ceil(64)],
            }
        } else {
            PairSet::List(Vec::new())
        }
    }

    fn insert(&mut self, a: u32, b: u32) {
        let (low, high) = (a.min(b), a.max(b));
        match self {
            PairSet::Matrix { locals, bits } => {
                let at = low as usize * *locals + high as usize;
                bits[at / 64] |= 1 << (at % 64);
            }
            PairSet::List(pairs) => pairs.push((low as u64) << 32 | high as u64),
        }
    }

    /// The pairs, lower local in the high half, ascending, without repeats.
    fn into_sorted(self) -> Vec<u64> {
        match self {
            PairSet::Matrix { locals, bits } => {
                let mut pairs = Vec::new();
                for (word_index, &word) in bits.iter().enumerate() {
                    let mut word = word;
                    while word != 0 {
                        let at = word_index * 64 + word.trailing_zeros() as usize;
                        word &= word - 1;
                        pairs.push(((at / locals) as u64) << 32 | (at % locals) as u64);
                    }
                }
                pairs
            }
            PairSet::List(mut pairs) => {
                pairs.sort_unstable();
                pairs.dedup();
                pairs
            }
        }
    }
}

struct Interference {
    /// Each local's interfering locals (same type only).
    neighbours: Lists,
    /// Each local's copy partners (each copy listed once per direction).
    copies: Lists,
    /// Per action: a write never read, to remove.
    dead: Vec<bool>,
}

impl Interference {
    /// `None` when the function is over `INTERFERENCE_BUDGET`.
    fn compute(
        func: &Function<'_>,
        cfg: &Cfg,
        liveness: &Liveness,
        types: &[ValType],
    ) -> Option<Interference> {
        let locals = types.len();
        let params = func.params.len() as u32;
        let mut pairs = PairSet::new(locals);
        let mut visited = 0usize;
        let mut dead = vec![false; cfg.actions.len()];
        let mut live = SparseSet::new(locals);
        let mut interfere_with_live =
            |x: u32, except: u32, live: &SparseSet, pairs: &mut PairSet| {
                for &y in &live.dense {
                    if y != x && y != except && types[y as usize] == types[x as usize] {
                        pairs.insert(x, y);
                    }
                }
                visited += live.dense.len();
                visited <= INTERFERENCE_BUDGET
            };
        for block in 0..cfg.blocks() {
            let reachable = liveness.reachable[block];
            live.dense.clear();
            for &l in liveness.live_out.of(block) {
                live.insert(l);
            }
            let (start, end) = cfg.ranges[block];
            let mut i = end as usize;
            while i > start as usize {
                i -= 1;
                let action = cfg.actions[i];
                let x = action.local;
                match action.access {
                    Access::Get => live.insert(x),
                    Access::Set | Access::Tee => {
                        if !live.contains(x) && removable(func, &action) {
                            dead[i] = true;
                            continue;
                        }
                        if reachable && !interfere_with_live(x, action.copy_of, &live, &mut pairs) {
                            return None;
                        }
                        live.remove(x);
                    }
                    Access::Assign => {
                        // All locals of one `Assign` are written at once:
                        // they interfere with each other and what is live.
                        let mut first = i;
                        while first > start as usize
                            && cfg.actions[first - 1].access == Access::Assign
                            && cfg.actions[first - 1].expr == action.expr
                        {
                            first -= 1;
                        }
                        let group = &cfg.actions[first..=i];
                        if reachable {
                            for (k, a) in group.iter().enumerate() {
                                if !interfere_with_live(a.local, NONE, &live, &mut pairs) {
                                    return None;
                                }
                                for b in &group[k + 1..] {
                                    if a.local != b.local
                                        && types[a.local as usize] == types[b.local as usize]
                                    {
                                        pairs.insert(a.local, b.local);
                                    }
                                }
                            }
                        }
                        for a in group {
                            live.remove(a.local);
                        }
                        i = first;
                    }
                }
            }
        }
        // Entry writes each parameter's argument and every other local's
        // zero: a local read before written interferes with the parameters.
        for &x in &liveness.live_at_entry {
            if x < params {
                continue;
            }
            for p in 0..params {
                if types[p as usize] == types[x as usize] {
                    pairs.insert(x, p);
                }
            }
            visited += params as usize;
            if visited > INTERFERENCE_BUDGET {
                return None;
            }
        }
        let pairs: Vec<(u32, u32)> = pairs
            .into_sorted()
            .into_iter()
            .flat_map(|p| {
                let (a, b) = ((p >> 32) as u32, p as u32);
                [(a, b), (b, a)]
            })
            .collect();
        let copies: Vec<(u32, u32)> = cfg
            .actions
            .iter()
            .enumerate()
            .filter(|&(i, a)| {
                a.copy_of != NONE
                    && a.copy_of != a.local
                    && types[a.copy_of as usize] == types[a.local as usize]
                    && !dead[i]
            })
            .flat_map(|(_, a)| [(a.local, a.copy_of), (a.copy_of, a.local)])
            .collect();
        Some(Interference {
            neighbours: Lists::from_pairs(locals, &pairs),
            copies: Lists::from_pairs(locals, &copies),
            dead,
        })
    }
}

/// Whether a write found dead can go: a `set` becomes a `drop` of its
/// value, a `tee` its value, which must then not be a labeled node
/// (branches name labels by node id, which the move would change).
fn removable(func: &Function<'_>, action: &Action) -> bool {
    match action.access {
        Access::Set => true,
        Access::Tee => {
            let value = func.expr(action.expr).args[0];
            !matches!(
                func.expr(value).kind,
                Kind::Block { .. }
                    | Kind::Loop { .. }
                    | Kind::If { .. }
                    | Kind::Try(_)
                    | Kind::TryTable(_)
            )
        }
        Access::Get | Access::Assign => false,
    }
}

/// The chosen colour of each local (`NONE` for unused ones), parameters
/// being their own colours.
struct Colouring {
    colour: Vec<u32>,
    removed_copies: u32,
    colours: u32,
}

fn pick_colours(cfg: &Cfg, graph: &Interference, locals: &Locals, params: usize) -> Colouring {
    let types = locals.types;
    let mut used = vec![false; types.len()];
    for (a, &dead) in cfg.actions.iter().zip(&graph.dead) {
        used[a.local as usize] |= !dead;
    }
    let on_stack = kept_on_stack(cfg, graph, locals, &used);
    // Copies with a local left to the writer never go (it keeps a colour of
    // its own): they do not count. (Such locals are often the lifter's,
    // gone from the written code: counted, they would order this
    // differently when it optimizes its own output.)
    let copy_count = |l: usize| {
        graph
            .copies
            .of(l)
            .iter()
            .filter(|&&y| !on_stack[y as usize])
            .count()
    };
    let mut order: Vec<u32> = (params as u32..types.len() as u32)
        .filter(|&l| used[l as usize])
        .collect();
    // Most copies first, then input order; and the same with ties in
    // reverse order, which sometimes does better.
    order.sort_by_key(|&l| std::cmp::Reverse(copy_count(l as usize)));
    let natural = colour_in_order(&order, graph, types, params, &on_stack);
    order.sort_by_key(|&l| {
        (
            std::cmp::Reverse(copy_count(l as usize)),
            std::cmp::Reverse(l),
        )
    });
    let reversed = colour_in_order(&order, graph, types, params, &on_stack);
    if (reversed.removed_copies, std::cmp::Reverse(reversed.colours))
        > (natural.removed_copies, std::cmp::Reverse(natural.colours))
    {
        reversed
    } else {
        natural
    }
}

/// The locals the writer will likely keep on the operand stack instead
/// (see `set_get_pairs`): merging one would take two instructions away
/// from the writer to save at best the same two, and often nothing. Only
/// a whole input local counts, not one web of several: the writer keeps
/// many such pairs on the stack but far from all, and a web that misses
/// would cost a local of its own where it used to share one.
fn kept_on_stack(cfg: &Cfg, graph: &Interference, locals: &Locals, used: &[bool]) -> Vec<bool> {
    let mut webs_of_input = vec![0u32; locals.types.len()];
    for (l, _) in used.iter().enumerate().filter(|(_, &u)| u) {
        webs_of_input[locals.input_local[l] as usize] += 1;
    }
    set_get_pairs(cfg, locals.types.len(), |action| graph.dead[action])
        .iter()
        .enumerate()
        .map(|(l, pair)| pair.is_some() && webs_of_input[locals.input_local[l] as usize] == 1)
        .collect()
}

/// For each local whose uses are one `local.set` and then one `local.get`
/// in the same body, that set and get: the shape the writer keeps on the
/// operand stack (`lower::keep_on_stack`). Actions (by index) for which
/// `ignored` holds are left out.
fn set_get_pairs(
    cfg: &Cfg,
    locals: usize,
    ignored: impl Fn(usize) -> bool,
) -> Vec<Option<(Action, Action)>> {
    #[derive(Clone, Copy, Default)]
    struct Uses {
        sets: u32,
        gets: u32,
        others: u32,
        set: Option<Action>,
        get: Option<Action>,
    }
    let mut uses = vec![Uses::default(); locals];
    for (i, a) in cfg.actions.iter().enumerate() {
        if ignored(i) {
            continue;
        }
        let u = &mut uses[a.local as usize];
        match a.access {
            Access::Set => (u.sets, u.set) = (u.sets + 1, Some(*a)),
            // A get before the set does not count as the pair's (for a
            // parameter, it reads the incoming value).
            Access::Get if u.sets == 1 => (u.gets, u.get) = (u.gets + 1, Some(*a)),
            _ => u.others += 1,
        }
    }
    uses.iter()
        .map(|u| match (u.set, u.get) {
            (Some(set), Some(get))
                if (u.sets, u.gets, u.others) == (1, 1, 0) && set.body == get.body =>
            {
                Some((set, get))
            }
            _ => None,
        })
        .collect()
}

/// Greedy colouring in the given order: each local takes the free colour
/// (one with no interfering member) of its type that removes the most
/// copies, else the lowest free one, else a new one. Locals left for the
/// writer to keep on the stack get colours of their own.
fn colour_in_order(
    order: &[u32],
    graph: &Interference,
    types: &[ValType],
    params: usize,
    on_stack: &[bool],
) -> Colouring {
    let mut colour = vec![NONE; types.len()];
    let mut colour_type: Vec<ValType> = Vec::new();
    let mut by_type: HashMap<ValType, Vec<u32>> = HashMap::new();
    for (p, ty) in types.iter().enumerate().take(params) {
        colour[p] = p as u32;
        colour_type.push(*ty);
        by_type.entry(*ty).or_default().push(p as u32);
    }
    // Stamps: `taken[c] == x` when colour c has a member interfering with
    // x; `gain[c]` counts x's copies into c when `gain_of[c] == x`.
    let mut taken: Vec<u32> = vec![NONE; params];
    let mut gain: Vec<u32> = vec![0; params];
    let mut gain_of: Vec<u32> = vec![NONE; params];
    let mut removed_copies = 0;
    for &x in order {
        let xs = x as usize;
        if on_stack[xs] {
            colour[xs] = colour_type.len() as u32;
            colour_type.push(types[xs]);
            taken.push(NONE);
            gain.push(0);
            gain_of.push(NONE);
            continue;
        }
        for &y in graph.neighbours.of(xs) {
            let c = colour[y as usize];
            if c != NONE {
                taken[c as usize] = x;
            }
        }
        let mut best: Option<(u32, u32)> = None;
        for &y in graph.copies.of(xs) {
            let c = colour[y as usize];
            if c == NONE
                || on_stack[y as usize]
                || taken[c as usize] == x
                || colour_type[c as usize] != types[xs]
            {
                continue;
            }
            let c = c as usize;
            if gain_of[c] != x {
                gain_of[c] = x;
                gain[c] = 0;
            }
            gain[c] += 1;
            if best.is_none_or(|(g, bc)| gain[c] > g || (gain[c] == g && (c as u32) < bc)) {
                best = Some((gain[c], c as u32));
            }
        }
        let ty = types[xs];
        let chosen = match best {
            Some((g, c)) => {
                removed_copies += g;
                c
            }
            None => {
                let same_type = by_type.entry(ty).or_default();
                match same_type.iter().find(|&&c| taken[c as usize] != x) {
                    Some(&c) => c,
                    None => {
                        let c = colour_type.len() as u32;
                        colour_type.push(ty);
                        taken.push(NONE);
                        gain.push(0);
                        gain_of.push(NONE);
                        same_type.push(c);
                        c
                    }
                }
            }
        };
        colour[xs] = chosen;
    }
    Colouring {
        colour,
        removed_copies,
        colours: colour_type.len() as u32,
    }
}

/// Renumbers the locals by colour and removes dead writes and copies that
/// became `$a = $a` (or `$a = tee $a v`, which becomes `$a = v`). Returns whether anything changed.
fn apply(
    func: &mut Function<'_>,
    cfg: &Cfg,
    graph: &Interference,
    colouring: &Colouring,
    locals: &Locals,
    locals_before: &[ValType],
) -> Changed {
    let (types, tracked) = (locals.types, locals.tracked);
    let params = func.params.len();
    // Declared slots: colours and untracked locals, in the order of the
    // input locals they come from (a colour by its first member), so an
    // order another pass chose (reorder-locals) stands.
    let mut order: Vec<usize> = (params..types.len()).collect();
    order.sort_by_key(|&l| locals.input_local[l]);
    let mut first_member: Vec<u32> = vec![NONE; colouring.colours as usize];
    let mut slots: Vec<u32> = Vec::new();
    for l in order {
        if !tracked[l] {
            slots.push(l as u32);
            continue;
        }
        let c = colouring.colour[l];
        if c != NONE && c as usize >= params && first_member[c as usize] == NONE {
            first_member[c as usize] = l as u32;
            slots.push(l as u32);
        }
    }
    let mut new_index: Vec<u32> = (0..types.len() as u32).collect();
    for (position, &first) in slots.iter().enumerate() {
        new_index[first as usize] = (params + position) as u32;
    }
    for l in params..types.len() {
        if tracked[l] {
            let c = colouring.colour[l];
            new_index[l] = if c == NONE {
                NONE
            } else if (c as usize) < params {
                c
            } else {
                new_index[first_member[c as usize] as usize]
            };
        }
    }
    let renumbered =
        slots.len() != func.locals.len() || (params..types.len()).any(|l| new_index[l] != l as u32);
    // Locals left for the writer to keep on the stack are only dropped
    // by it when it may renumber them: all of them may be, as here.
    let mut changed = func.scratch_from != params as u32;
    func.scratch_from = params as u32;
    if renumbered {
        let locals: Vec<ValType> = slots.iter().map(|&l| types[l as usize]).collect();
        func.renumber_locals(&new_index, locals);
    } else {
        new_index = (0..types.len() as u32).collect();
    }
    // Compared with the input, not the split: webs joined again as they
    // were change nothing.
    changed |= func.locals != locals_before
        || (params..locals_before.len() + params).any(|l| !tracked[l] && new_index[l] != l as u32)
        || cfg.actions.iter().any(|action| {
            new_index[action.local as usize] != locals.input_local[action.local as usize]
        });
    for (i, _) in graph.dead.iter().enumerate().filter(|(_, &d)| d) {
        changed = true;
        let id = cfg.actions[i].expr;
        let expr = func.expr_mut(id);
        match cfg.actions[i].access {
            Access::Set => expr.kind = Kind::Op(Operator::Drop),
            _ => {
                let value = expr.args[0];
                let nop = crate::ir::Expr {
                    kind: Kind::Op(Operator::Nop),
                    args: Default::default(),
                    results: Results::None,
                };
                func.exprs[id.index()] = std::mem::replace(&mut func.exprs[value.index()], nop);
            }
        }
    }
    let mut removed = vec![false; func.exprs.len()];
    let mut any_removed = false;
    for (action, &dead) in cfg.actions.iter().zip(&graph.dead) {
        if !matches!(action.access, Access::Set | Access::Tee) || dead {
            continue;
        }
        let expr = func.expr(action.expr);
        let local = match expr.kind {
            Kind::Op(Operator::LocalSet { local_index } | Operator::LocalTee { local_index }) => {
                local_index
            }
            _ => continue,
        };
        let value = expr.args[0];
        match func.expr(value).kind {
            Kind::Op(Operator::LocalGet { local_index }) if local_index == local => {}
            // `$a = tee $a v` is `$a = v`: the write takes the tee's value
            // (the same node, so a label in it keeps its id).
            Kind::Op(Operator::LocalTee { local_index }) if local_index == local => {
                let inner = func.expr(value).args[0];
                func.expr_mut(action.expr).args[0] = inner;
                changed = true;
                continue;
            }
            _ => continue,
        }
        changed = true;
        let expr = func.expr_mut(action.expr);
        expr.args.clear();
        if action.access == Access::Tee {
            expr.kind = Kind::Op(Operator::LocalGet { local_index: local });
        } else {
            expr.kind = Kind::Op(Operator::Nop);
            removed[action.expr.index()] = true;
            any_removed = true;
        }
    }
    if any_removed {
        for owner in func.walk(func.body) {
            for body in func.bodies_mut(owner) {
                body.retain(|id| !removed[id.index()]);
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_set_insert_remove() {
        let mut set = SparseSet::new(8);
        set.insert(3);
        set.insert(5);
        set.insert(3);
        assert_eq!(set.dense, vec![3, 5]);
        set.remove(3);
        assert!(!set.contains(3) && set.contains(5));
        set.remove(3);
        set.insert(7);
        set.remove(5);
        assert_eq!(set.dense, vec![7]);
        // A stale sparse entry must not make a removed element reappear.
        set.dense.clear();
        assert!(!set.contains(7));
    }

    #[test]
    fn lists_group_by_key_in_order() {
        let lists = Lists::from_pairs(3, &[(2, 10), (0, 11), (2, 12)]);
        assert_eq!(lists.of(0), &[11]);
        assert!(lists.of(1).is_empty());
        assert_eq!(lists.of(2), &[10, 12]);
    }

    #[test]
    fn pair_set_matrix_and_list_agree() {
        let inserts = [(5, 1), (1, 5), (0, 7), (7, 0), (3, 4), (6, 2), (4, 3)];
        let mut matrix = PairSet::new(8);
        let mut list = PairSet::List(Vec::new());
        for (a, b) in inserts {
            matrix.insert(a, b);
            list.insert(a, b);
        }
        assert!(matches!(matrix, PairSet::Matrix { .. }));
        let expected: Vec<u64> = [(0, 7), (1, 5), (2, 6), (3, 4)]
            .iter()
            .map(|&(a, b)| (a as u64) << 32 | b)
            .collect();
        assert_eq!(matrix.into_sorted(), expected);
        assert_eq!(list.into_sorted(), expected);
        assert!(matches!(PairSet::new(MATRIX_LOCALS + 1), PairSet::List(_)));
    }
}
