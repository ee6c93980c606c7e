//! `simplify-locals`: fewer `local.set`/`local.get`s, the main source of
//! size in compiler output (Binaryen's SimplifyLocals, written anew for the
//! tree IR). One walk per round in execution order does all of it:
//!
//! - sinking: `local.set $x (V)` whose local has a single `local.get` in the
//!   function, reached on the straight line from the set, becomes `V` in the
//!   get's place, when nothing evaluated in between (which includes the
//!   operands evaluated before the get in its own expression) conflicts with
//!   `V` by the effects analysis;
//! - tees: when `$x` has more gets, the set and the first get on the straight
//!   line after it become one `local.tee` there (always smaller: it saves one
//!   `local.get`), when nothing in between can leave for code reading `$x`;
//! - dead stores: a set whose value no get can read becomes a `drop` of its
//!   value (nothing when the value only reads state); a dead `local.tee`
//!   becomes its value. Dead means the local has no gets at all, or it is
//!   written again (or the function is left) on every path from the set
//!   before any read. Parameters are locals like any other here;
//! - structure: an `if` whose two arms both end in `local.set $x` becomes
//!   one `local.set $x` of an `if` with a result (one set fewer);
//! - peepholes: `drop (local.get)` goes, `drop (local.tee)` becomes a set,
//!   `local.set $x (local.get $x)` goes, `local.tee $x (local.get $x)`
//!   becomes the get.
//!
//! The straight line is followed into block bodies and if conditions; it
//! ends (pending sinks are forgotten) at if arms, loop bodies and ends, ends
//! of blocks some branch targets, and try bodies and handlers, so a value is
//! never moved to where it would run a different number of times. Work is
//! linear: each visited node is checked against a bounded number of waiting
//! sets, and a value is summarised only up to a bounded size.

use crate::effects::{self, Effects};
use crate::ir::{ExprId, Function, Kind, Results};
use crate::pass::Changed;
use smallvec::SmallVec;
use wasmparser::{Operator, ValType};

/// Most nodes a set's value may have to be sunk, or to be found free of
/// side effects when its set is dead (bounds the summary work per set).
const MAX_VALUE_NODES: usize = 64;

/// Most sets waiting for their get at once; every visited node is checked
/// against each, so this bounds the "in between" work per node. The oldest
/// is forgotten first.
const MAX_WAITING_SETS: usize = 32;

/// Most rounds per function (one sinking can enable another through a
/// count that reached one; a round is one linear walk).
const MAX_ROUNDS: usize = 4;

pub fn run(func: &mut Function<'_>) -> Changed {
    let mut changed = false;
    for _ in 0..MAX_ROUNDS {
        let mut removed = vec![false; func.exprs.len()];
        let mut round = peepholes(func, &mut removed);
        round |= Walk::new(func, &mut removed).run();
        if !round {
            break;
        }
        if removed.contains(&true) {
            sweep(func, &removed);
        }
        changed = true;
    }
    changed
}

/// Where a node stands: which slot of which parent holds its id.
#[derive(Clone, Copy, Debug)]
enum Pos {
    Root,
    /// `args[1]` of the node.
    Arg(ExprId, u32),
    /// Statement `2` of body `1` (as `Function::bodies` numbers them) of the node.
    Stmt(ExprId, u32, u32),
}

/// What a value does, as far as moving it is concerned.
struct Summary {
    /// Effects other than on locals.
    effects: Effects,
    reads: SmallVec<[u32; 4]>,
    writes: SmallVec<[u32; 4]>,
}

impl Summary {
    /// The summary of the tree at `root`, or `None` when it has more than
    /// `MAX_VALUE_NODES` nodes or branches (branches inside cannot move).
    /// A call counts as a branch only where `calls_may_throw_here`: in a
    /// function without `try`, a call that throws leaves the function,
    /// where its locals are dead, so it may move past local writes like
    /// any trap (the effects analysis still orders it against every other
    /// effect).
    fn of(func: &Function<'_>, root: ExprId, calls_may_throw_here: bool) -> Option<Summary> {
        let mut summary = Summary {
            effects: Effects::NONE,
            reads: SmallVec::new(),
            writes: SmallVec::new(),
        };
        let mut work = vec![root];
        let mut nodes = 0;
        while let Some(id) = work.pop() {
            nodes += 1;
            if nodes > MAX_VALUE_NODES {
                return None;
            }
            let expr = func.expr(id);
            match &expr.kind {
                Kind::Op(Operator::LocalGet { local_index }) => summary.reads.push(*local_index),
                Kind::Op(
                    Operator::LocalSet { local_index } | Operator::LocalTee { local_index },
                ) => summary.writes.push(*local_index),
                Kind::Assign { locals } => summary.writes.extend(locals.iter().copied()),
                Kind::Op(
                    Operator::Call { .. }
                    | Operator::CallIndirect { .. }
                    | Operator::CallRef { .. },
                ) if !calls_may_throw_here => {
                    summary.effects |= Effects::ALL.without(Effects::BRANCHES)
                }
                Kind::Op(op) => summary.effects |= effects::of_operator(op),
                Kind::Block { .. } | Kind::Loop { .. } | Kind::If { .. } => {}
                Kind::Branch { .. } | Kind::Pop | Kind::Try(_) | Kind::TryTable(_) => return None,
            }
            if summary.effects.intersects(Effects::BRANCHES) {
                return None;
            }
            work.extend(expr.args.iter().copied());
            for body in func.bodies(id) {
                work.extend(body.iter().copied());
            }
        }
        Some(summary)
    }

    /// Whether dropping the value instead of evaluating it changes nothing.
    fn removable(&self) -> bool {
        self.effects.removable() && self.writes.is_empty()
    }
}

/// Whether two evaluations with these (non-local) effects may not swap.
/// Traps may swap with traps and reads (the outcome is the same trap), but
/// not with writes, calls or control transfer.
fn must_keep_order(a: Effects, b: Effects) -> bool {
    let one_way = |a: Effects, b: Effects| {
        let non_local = Effects::READS_GLOBAL
            | Effects::WRITES_GLOBAL
            | Effects::READS_MEMORY
            | Effects::WRITES_MEMORY
            | Effects::TRAPS
            | Effects::CALLS
            | Effects::BRANCHES
            | Effects::OTHER_STATE;
        let acts = Effects::WRITES_GLOBAL
            | Effects::WRITES_MEMORY
            | Effects::CALLS
            | Effects::BRANCHES
            | Effects::OTHER_STATE;
        (a.intersects(Effects::WRITES_MEMORY)
            && b.intersects(Effects::READS_MEMORY | Effects::WRITES_MEMORY))
            || (a.intersects(Effects::WRITES_GLOBAL)
                && b.intersects(Effects::READS_GLOBAL | Effects::WRITES_GLOBAL))
            || (a.intersects(Effects::CALLS | Effects::OTHER_STATE) && b.intersects(non_local))
            || (a.intersects(Effects::BRANCHES) && b.intersects(acts | Effects::TRAPS))
            || (a.intersects(Effects::TRAPS) && b.intersects(acts))
    };
    one_way(a, b) || one_way(b, a)
}

/// How control may leave the straight line at a node.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// It falls through.
    None,
    /// It may leave the function (locals are dead there) or fall through.
    MayLeaveFunction,
    /// It always leaves the function.
    LeavesFunction,
    /// It may go somewhere in the function that could read any local.
    Elsewhere,
}

/// A `local.set` waiting for its get on the straight line.
struct Waiting {
    set: ExprId,
    pos: Pos,
    local: u32,
    value: Summary,
    /// Nothing since the set could leave for code reading the local, so the
    /// write may move to the first get as a tee.
    tee_ok: bool,
    /// The visit count when it was made (to find sets inside a value).
    made_at: u32,
}

enum Task {
    Visit(ExprId, Pos),
    /// Enters a body of the node.
    Arm(ExprId),
    /// After the node's operands and bodies; `2` is the visit count when
    /// its subtree started.
    Exit(ExprId, Pos, u32),
}

struct Walk<'f, 'a> {
    func: &'f mut Function<'a>,
    removed: &'f mut Vec<bool>,
    local_types: Vec<ValType>,
    gets: Vec<u32>,
    targeted: Vec<bool>,
    has_try: bool,
    waiting: Vec<Waiting>,
    /// Per local: its last write, not read since on any path so far.
    pending: Vec<Option<(ExprId, Pos)>>,
    pending_locals: Vec<u32>,
    visits: u32,
    changed: bool,
}

impl<'f, 'a> Walk<'f, 'a> {
    fn new(func: &'f mut Function<'a>, removed: &'f mut Vec<bool>) -> Self {
        let local_types: Vec<ValType> = func.params.iter().chain(&func.locals).copied().collect();
        let mut gets = vec![0u32; local_types.len()];
        let mut targeted = vec![false; func.exprs.len()];
        let mut has_try = false;
        for id in func.walk(func.body) {
            match &func.expr(id).kind {
                Kind::Op(Operator::LocalGet { local_index }) => {
                    if let Some(count) = gets.get_mut(*local_index as usize) {
                        *count += 1;
                    }
                }
                Kind::Branch { targets, .. } => {
                    for t in targets {
                        targeted[t.index()] = true;
                    }
                }
                Kind::Try(t) => {
                    has_try = true;
                    if let Some(d) = t.delegate {
                        targeted[d.index()] = true;
                    }
                }
                Kind::TryTable(t) => {
                    has_try = true;
                    for target in &t.targets {
                        targeted[target.index()] = true;
                    }
                }
                _ => {}
            }
        }
        Walk {
            func,
            removed,
            pending: vec![None; local_types.len()],
            local_types,
            gets,
            targeted,
            has_try,
            waiting: Vec::new(),
            pending_locals: Vec::new(),
            visits: 0,
            changed: false,
        }
    }

    fn run(mut self) -> bool {
        let mut tasks = vec![Task::Visit(self.func.body, Pos::Root)];
        while let Some(task) = tasks.pop() {
            match task {
                Task::Visit(id, pos) => {
                    tasks.push(Task::Exit(id, pos, self.visits));
                    let bodies = self.func.bodies(id);
                    for (arm, body) in bodies.iter().enumerate().rev() {
                        for (i, &stmt) in body.iter().enumerate().rev() {
                            tasks.push(Task::Visit(stmt, Pos::Stmt(id, arm as u32, i as u32)));
                        }
                        tasks.push(Task::Arm(id));
                    }
                    let args = &self.func.expr(id).args;
                    for (i, &arg) in args.iter().enumerate().rev() {
                        tasks.push(Task::Visit(arg, Pos::Arg(id, i as u32)));
                    }
                }
                Task::Arm(id) => self.enter_arm(id),
                Task::Exit(id, pos, started) => self.exit(id, pos, started),
            }
        }
        self.changed
    }

    fn enter_arm(&mut self, id: ExprId) {
        match &self.func.expr(id).kind {
            // A block body continues the straight line.
            Kind::Block { .. } => {}
            // A loop body may run again: nothing moves into it.
            Kind::Loop { .. } => self.waiting.clear(),
            // Arms and handlers run or not: nothing moves into them, and a
            // store before them is not dead by what they do.
            _ => {
                self.waiting.clear();
                self.forget_pending();
            }
        }
    }

    fn exit(&mut self, id: ExprId, pos: Pos, started: u32) {
        match &self.func.expr(id).kind {
            Kind::Block { .. } => {
                if id == self.func.body {
                    // Returning: no store still pending is ever read.
                    self.kill_pending();
                } else if self.targeted[id.index()] {
                    // Branches join here: what follows is not reached only
                    // from the sets before. (Pending stores stay: every
                    // branch here already forgot them.)
                    self.waiting.clear();
                }
            }
            // A value from the loop's last run must not replace all runs.
            Kind::Loop { .. } => self.waiting.clear(),
            Kind::If { .. } => {
                self.waiting.clear();
                self.if_result(id, pos);
            }
            Kind::Try(_) | Kind::TryTable(_) => {
                self.waiting.clear();
                self.forget_pending();
            }
            Kind::Op(_) | Kind::Branch { .. } | Kind::Assign { .. } | Kind::Pop => {
                self.visits += 1;
                self.visit(id, pos, started);
            }
        }
    }

    /// One instruction, after its operands.
    fn visit(&mut self, id: ExprId, pos: Pos, started: u32) {
        let expr = self.func.expr(id);
        let mut read = None;
        let mut writes: SmallVec<[u32; 2]> = SmallVec::new();
        let effects = match &expr.kind {
            Kind::Op(Operator::LocalGet { local_index }) => {
                read = Some(*local_index);
                Effects::NONE
            }
            Kind::Op(Operator::LocalSet { local_index } | Operator::LocalTee { local_index }) => {
                writes.push(*local_index);
                Effects::NONE
            }
            Kind::Assign { locals } => {
                writes.extend(locals.iter().copied());
                Effects::NONE
            }
            Kind::Op(op) => effects::of_operator(op),
            Kind::Branch { .. } => Effects::BRANCHES,
            Kind::Pop | Kind::Block { .. } | Kind::Loop { .. } | Kind::If { .. } => Effects::NONE,
            Kind::Try(_) | Kind::TryTable(_) => Effects::ALL,
        };
        let exit = self.exit_kind(id, effects);
        let own = match expr.kind {
            Kind::Op(Operator::LocalSet { local_index }) => Some((local_index, false)),
            Kind::Op(Operator::LocalTee { local_index }) => Some((local_index, true)),
            _ => None,
        };

        if let Some(local) = read {
            self.forget_pending_of(local);
            self.sink_or_tee(id, pos, local);
        }

        self.waiting.retain_mut(|w| {
            if exit == Exit::Elsewhere {
                w.tee_ok = false;
            }
            let clash = writes.iter().any(|l| {
                *l == w.local || w.value.reads.contains(l) || w.value.writes.contains(l)
            }) || read.is_some_and(|l| w.value.writes.contains(&l))
                // The value's own local writes must not move past an exit.
                || (!w.value.writes.is_empty() && exit == Exit::Elsewhere)
                || must_keep_order(w.value.effects, effects);
            !clash
        });

        match own {
            Some((local, false)) => self.visit_set(id, pos, local, started),
            Some((local, true)) => self.visit_tee(id, pos, local),
            // An `Assign`: each write ends the pending store before it.
            None => {
                for local in writes {
                    self.kill_pending_of(local);
                }
            }
        }

        match exit {
            Exit::None | Exit::MayLeaveFunction => {}
            Exit::LeavesFunction => self.kill_pending(),
            Exit::Elsewhere => self.forget_pending(),
        }
    }

    fn exit_kind(&self, id: ExprId, effects: Effects) -> Exit {
        let leaves_if_uncaught = if self.has_try {
            Exit::Elsewhere
        } else {
            Exit::LeavesFunction
        };
        match &self.func.expr(id).kind {
            Kind::Op(
                Operator::Return
                | Operator::Unreachable
                | Operator::ReturnCall { .. }
                | Operator::ReturnCallIndirect { .. }
                | Operator::ReturnCallRef { .. },
            ) => Exit::LeavesFunction,
            Kind::Op(Operator::Throw { .. } | Operator::ThrowRef) => leaves_if_uncaught,
            // A call (or an unknown instruction) may throw.
            Kind::Op(_) if effects.intersects(Effects::CALLS) => {
                if self.has_try {
                    Exit::Elsewhere
                } else {
                    Exit::MayLeaveFunction
                }
            }
            Kind::Op(_) if effects.intersects(Effects::BRANCHES) => Exit::Elsewhere,
            Kind::Branch { op, targets } => {
                if targets.iter().any(|t| *t != self.func.body) {
                    Exit::Elsewhere
                } else if matches!(**op, Operator::Br { .. } | Operator::BrTable { .. }) {
                    Exit::LeavesFunction
                } else {
                    Exit::MayLeaveFunction
                }
            }
            _ => Exit::None,
        }
    }

    fn visit_set(&mut self, id: ExprId, pos: Pos, local: u32, started: u32) {
        let Some(&value) = self.func.expr(id).args.first() else {
            return;
        };
        if self.is_get_of(value, local) || self.gets.get(local as usize) == Some(&0) {
            self.drop_store(id, pos);
            return;
        }
        self.kill_pending_of(local);
        if !self.defaultable(local) {
            return;
        }
        self.note_pending(local, id, pos);
        if !matches!(pos, Pos::Stmt(..)) {
            return;
        }
        let Some(summary) = Summary::of(self.func, value, self.has_try) else {
            return;
        };
        if summary.writes.contains(&local) {
            return;
        }
        // Sets inside the value would move with it: they wait no more.
        self.waiting.retain(|w| w.made_at <= started);
        if self.waiting.len() == MAX_WAITING_SETS {
            self.waiting.remove(0);
        }
        self.waiting.push(Waiting {
            set: id,
            pos,
            local,
            value: summary,
            tee_ok: true,
            made_at: self.visits,
        });
    }

    fn visit_tee(&mut self, id: ExprId, pos: Pos, local: u32) {
        if self.gets.get(local as usize) == Some(&0) {
            self.drop_store(id, pos);
            return;
        }
        self.kill_pending_of(local);
        if self.defaultable(local) {
            self.note_pending(local, id, pos);
        }
    }

    /// A get of `local`: takes the set waiting for it, if any.
    fn sink_or_tee(&mut self, get: ExprId, pos: Pos, local: u32) {
        let Some(i) = self.waiting.iter().position(|w| w.local == local) else {
            return;
        };
        let w = self.waiting.remove(i);
        let still_there = self.holds(w.pos, w.set)
            && matches!(self.func.expr(w.set).kind,
                Kind::Op(Operator::LocalSet { local_index }) if local_index == local);
        if !still_there || !self.holds(pos, get) {
            return;
        }
        let Some(&value) = self.func.expr(w.set).args.first() else {
            return;
        };
        if self.gets[local as usize] == 1 {
            if let Some(slot) = self.slot(pos) {
                *slot = value;
            }
        } else if w.tee_ok {
            let tee = self.func.expr_mut(get);
            tee.kind = Kind::Op(Operator::LocalTee { local_index: local });
            tee.args = smallvec::smallvec![value];
            // The write now happens here, and may itself turn out dead.
            self.note_pending(local, get, pos);
        } else {
            return;
        }
        self.make_nop(w.set);
        self.changed = true;
    }

    /// `if c (then .. (local.set $x A)) (else .. (local.set $x B))` becomes
    /// `local.set $x (if (result t) c (then .. A) (else .. B))`: one set
    /// fewer. Only for an `if` without parameters or result that no branch
    /// targets (a branch to it would have to carry the value), and only for
    /// locals whose type is one byte as a block type (numbers and vectors),
    /// so it is always smaller.
    fn if_result(&mut self, id: ExprId, pos: Pos) {
        if !matches!(pos, Pos::Stmt(..)) || !self.holds(pos, id) {
            return;
        }
        let Some((local, then_value, else_value)) = if_arms_set(self.func, id, &self.targeted)
        else {
            return;
        };
        let Some(&ty) = self.local_types.get(local as usize) else {
            return;
        };
        if matches!(ty, ValType::Ref(_)) {
            return;
        }
        let Kind::If {
            ty: block_ty,
            then_body,
            else_body: Some(else_body),
        } = &mut self.func.expr_mut(id).kind
        else {
            return;
        };
        let (Some(then_last), Some(else_last)) = (then_body.last_mut(), else_body.last_mut())
        else {
            return;
        };
        *then_last = then_value;
        *else_last = else_value;
        *block_ty = wasmparser::BlockType::Type(ty);
        self.func.expr_mut(id).results = Results::One(ty);
        let set = self.func.add(
            Kind::Op(Operator::LocalSet { local_index: local }),
            smallvec::smallvec![id],
            Results::None,
        );
        if let Some(slot) = self.slot(pos) {
            *slot = set;
        }
        // The arms' stores are now this one.
        self.forget_pending_of(local);
        self.note_pending(local, set, pos);
        self.changed = true;
    }

    /// A store nobody reads: a set keeps only its value's side effects, a
    /// tee becomes its value.
    fn drop_store(&mut self, id: ExprId, pos: Pos) {
        let expr = self.func.expr(id);
        let Some(&value) = expr.args.first() else {
            return;
        };
        match expr.kind {
            Kind::Op(Operator::LocalSet { .. }) => {
                if Summary::of(self.func, value, self.has_try).is_some_and(|s| s.removable()) {
                    self.make_nop(id);
                } else {
                    let expr = self.func.expr_mut(id);
                    expr.kind = Kind::Op(Operator::Drop);
                    expr.results = Results::None;
                }
            }
            Kind::Op(Operator::LocalTee { .. }) => match self.slot(pos) {
                Some(slot) => *slot = value,
                None => return,
            },
            _ => return,
        }
        self.changed = true;
    }

    fn note_pending(&mut self, local: u32, id: ExprId, pos: Pos) {
        let entry = &mut self.pending[local as usize];
        if entry.is_none() {
            self.pending_locals.push(local);
        }
        *entry = Some((id, pos));
    }

    fn forget_pending_of(&mut self, local: u32) {
        if let Some(entry) = self.pending.get_mut(local as usize) {
            *entry = None;
        }
    }

    /// Another write of `local` follows its pending store unread.
    fn kill_pending_of(&mut self, local: u32) {
        let Some(Some((id, pos))) = self.pending.get_mut(local as usize).map(Option::take) else {
            return;
        };
        let still_there = self.holds(pos, id)
            && matches!(self.func.expr(id).kind,
                Kind::Op(Operator::LocalSet { local_index } | Operator::LocalTee { local_index })
                    if local_index == local);
        if still_there {
            // It no longer waits to be sunk either.
            self.waiting.retain(|w| w.set != id);
            self.drop_store(id, pos);
        }
    }

    /// Paths may go where any local is read: no pending store is dead.
    fn forget_pending(&mut self) {
        for local in self.pending_locals.drain(..) {
            self.pending[local as usize] = None;
        }
    }

    /// The function is left: every pending store is dead.
    fn kill_pending(&mut self) {
        for local in std::mem::take(&mut self.pending_locals) {
            self.kill_pending_of(local);
        }
    }

    fn defaultable(&self, local: u32) -> bool {
        self.local_types
            .get(local as usize)
            .is_some_and(|ty| match ty {
                ValType::Ref(r) => r.is_nullable(),
                _ => true,
            })
    }

    fn is_get_of(&self, id: ExprId, local: u32) -> bool {
        matches!(self.func.expr(id).kind,
            Kind::Op(Operator::LocalGet { local_index }) if local_index == local)
    }

    fn slot(&mut self, pos: Pos) -> Option<&mut ExprId> {
        match pos {
            Pos::Root => None,
            Pos::Arg(parent, i) => self.func.expr_mut(parent).args.get_mut(i as usize),
            Pos::Stmt(owner, arm, i) => {
                body_mut(self.func, owner, arm as usize)?.get_mut(i as usize)
            }
        }
    }

    /// Whether `pos` still holds `id` (things move while walking).
    fn holds(&mut self, pos: Pos, id: ExprId) -> bool {
        self.slot(pos).is_some_and(|slot| *slot == id)
    }

    fn make_nop(&mut self, id: ExprId) {
        make_nop(self.func, self.removed, id);
    }
}

/// Body `arm` of `owner` (numbered as `Function::bodies` does), without
/// collecting the others.
fn body_mut<'f>(
    func: &'f mut Function<'_>,
    owner: ExprId,
    arm: usize,
) -> Option<&'f mut Vec<ExprId>> {
    match (&mut func.expr_mut(owner).kind, arm) {
        (Kind::Block { body, .. } | Kind::Loop { body, .. }, 0) => Some(body),
        (Kind::TryTable(t), 0) => Some(&mut t.body),
        (Kind::If { then_body, .. }, 0) => Some(then_body),
        (Kind::If { else_body, .. }, 1) => else_body.as_mut(),
        (Kind::Try(t), 0) => Some(&mut t.body),
        (Kind::Try(t), arm) => t.catches.get_mut(arm - 1).map(|c| &mut c.body),
        _ => None,
    }
}

/// Turns a statement into a `nop` that `sweep` removes (it may be a node
/// added in this round, such as the store an `if` with stores in both arms
/// becomes, when a later store makes it dead).
fn make_nop(func: &mut Function<'_>, removed: &mut Vec<bool>, id: ExprId) {
    let expr = func.expr_mut(id);
    expr.kind = Kind::Op(Operator::Nop);
    expr.args.clear();
    expr.results = Results::None;
    if removed.len() <= id.index() {
        removed.resize(func.exprs.len(), false);
    }
    removed[id.index()] = true;
}

/// The local peepholes, in place.
fn peepholes(func: &mut Function<'_>, removed: &mut Vec<bool>) -> bool {
    let mut changed = false;
    for id in func.walk(func.body) {
        let expr = func.expr(id);
        let Some(&first) = expr.args.first() else {
            continue;
        };
        let arg = func.expr(first);
        match (&expr.kind, &arg.kind) {
            // `drop (local.get)`: reads nothing anyone sees.
            (Kind::Op(Operator::Drop), Kind::Op(Operator::LocalGet { .. })) => {
                make_nop(func, removed, id);
            }
            // `drop (local.tee $x V)` is `local.set $x V`.
            (Kind::Op(Operator::Drop), Kind::Op(Operator::LocalTee { local_index })) => {
                let local_index = *local_index;
                let value = arg.args.clone();
                let expr = func.expr_mut(id);
                expr.kind = Kind::Op(Operator::LocalSet { local_index });
                expr.args = value;
            }
            (
                Kind::Op(Operator::LocalSet { local_index: to }),
                Kind::Op(Operator::LocalGet { local_index: from }),
            ) if to == from => make_nop(func, removed, id),
            (
                Kind::Op(Operator::LocalTee { local_index: to }),
                Kind::Op(Operator::LocalGet { local_index: from }),
            ) if to == from => {
                let get = Kind::Op(Operator::LocalGet { local_index: *to });
                let expr = func.expr_mut(id);
                expr.kind = get;
                expr.args.clear();
            }
            _ => continue,
        }
        changed = true;
    }
    changed
}

/// Removes the statements made `nop` by this pass.
fn sweep(func: &mut Function<'_>, removed: &[bool]) {
    for owner in func.walk(func.body) {
        for body in func.bodies_mut(owner) {
            body.retain(|id| !removed.get(id.index()).copied().unwrap_or(false));
        }
    }
}

/// For a statement `if` of the shape `Walk::if_result` wants: the local and the
/// values its arms store last.
fn if_arms_set(
    func: &Function<'_>,
    id: ExprId,
    targeted: &[bool],
) -> Option<(u32, ExprId, ExprId)> {
    let expr = func.expr(id);
    let Kind::If {
        ty: wasmparser::BlockType::Empty,
        then_body,
        else_body: Some(else_body),
    } = &expr.kind
    else {
        return None;
    };
    if targeted[id.index()] || expr.args.len() != 1 || expr.results != Results::None {
        return None;
    }
    let stored = |body: &[ExprId]| match &func.expr(*body.last()?).kind {
        Kind::Op(Operator::LocalSet { local_index }) => {
            let last = func.expr(*body.last()?);
            let value = *last.args.first()?;
            (func.expr(value).results.arity() == 1).then_some((*local_index, value))
        }
        _ => None,
    };
    let (then_local, then_value) = stored(then_body)?;
    let (else_local, else_value) = stored(else_body)?;
    (then_local == else_local).then_some((then_local, then_value, else_value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_rules() {
        let load = Effects::READS_MEMORY | Effects::TRAPS;
        let store = Effects::WRITES_MEMORY | Effects::TRAPS;
        assert!(!must_keep_order(load, load), "reads and traps may swap");
        assert!(
            must_keep_order(load, store),
            "a store changes what a load reads"
        );
        assert!(!must_keep_order(Effects::READS_GLOBAL, store));
        assert!(
            must_keep_order(Effects::TRAPS, Effects::WRITES_GLOBAL),
            "a trap must not pass a write"
        );
        assert!(
            must_keep_order(Effects::TRAPS, Effects::BRANCHES),
            "a trap must not become conditional"
        );
        assert!(
            !must_keep_order(Effects::READS_GLOBAL, Effects::BRANCHES),
            "a read may"
        );
        assert!(
            must_keep_order(Effects::READS_GLOBAL, Effects::ALL),
            "a call may write anything"
        );
        assert!(!must_keep_order(Effects::NONE, Effects::ALL));
    }
}
