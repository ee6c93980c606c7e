//! The IR: one function is a tree of expressions in an arena (`Vec<Expr>`),
//! the shape Binaryen proved for wasm-to-wasm work. A node's `args` are its
//! operands in evaluation order; block-like nodes also own bodies, which are
//! sequences of nodes. Every instruction the validator accepts fits: the few
//! that shape control flow get their own kind, all others are one generic
//! `Op` node that carries wasmparser's `Operator` (the opcode and its
//! immediates) untouched.
//!
//! Branch targets are not depths but the `ExprId` of the targeted block-like
//! node (the root block for the function's own label), so passes can move and
//! merge blocks without renumbering; the writer computes depths.
//!
//! Stack code that is not a tree becomes one through scratch locals (see
//! `lift`), and two small kinds keep stack facts explicit: `Pop` is a value
//! already on the stack when a body starts (block parameters, caught
//! exception values), and `Assign` stores several stacked values at once
//! (multi-value results).

use smallvec::{smallvec, SmallVec};
use wasmparser::{BlockType, Catch, Operator, ValType};

/// Operands of a node; most have at most two, kept inline.
pub type Args = SmallVec<[ExprId; 2]>;

/// The statement sequences a node owns, in execution order: most nodes own
/// none, `if` and `try` own two or more (inline so walking does not allocate).
pub type Bodies<'a> = SmallVec<[&'a [ExprId]; 2]>;

/// Index of an expression in its function's arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u32);

impl ExprId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The values an expression leaves on the stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Results {
    /// Nothing: a statement.
    None,
    /// Control never falls through (`br`, `return`, `unreachable`, ...).
    Unreachable,
    One(ValType),
    /// Boxed twice so the pointer is thin: every node holds a `Results`,
    /// and multi-value results are rare.
    Many(Box<Box<[ValType]>>),
}

impl Results {
    pub fn from_types(types: &[ValType]) -> Results {
        match types {
            [] => Results::None,
            [t] => Results::One(*t),
            many => Results::Many(Box::new(many.into())),
        }
    }

    /// How many stack values this pushes.
    pub fn arity(&self) -> usize {
        match self {
            Results::None | Results::Unreachable => 0,
            Results::One(_) => 1,
            Results::Many(types) => types.len(),
        }
    }

    pub fn types(&self) -> &[ValType] {
        match self {
            Results::None | Results::Unreachable => &[],
            Results::One(t) => std::slice::from_ref(t),
            Results::Many(types) => types,
        }
    }
}

/// A legacy exception handler: `catch $tag` (values arrive as `Pop`s at the
/// start of `body`) or `catch_all` (`tag` is `None`).
#[derive(Clone, Debug)]
pub struct LegacyCatch {
    pub tag: Option<u32>,
    pub body: Vec<ExprId>,
}

/// A legacy `try`.
#[derive(Clone, Debug)]
pub struct Try {
    pub ty: BlockType,
    pub body: Vec<ExprId>,
    pub catches: Vec<LegacyCatch>,
    pub delegate: Option<ExprId>,
}

/// A `try_table`; each catch's own label field is stale, `targets[i]` is
/// the label of `catches[i]`.
#[derive(Clone, Debug)]
pub struct TryTable {
    pub ty: BlockType,
    pub catches: Vec<Catch>,
    pub targets: Vec<ExprId>,
    pub body: Vec<ExprId>,
}

/// What an expression does; see the module documentation.
#[derive(Clone, Debug)]
pub enum Kind<'a> {
    /// `block`. Args are the block's parameters.
    Block { ty: BlockType, body: Vec<ExprId> },
    /// `loop`. Args are the loop's parameters; a branch here re-enters it.
    Loop { ty: BlockType, body: Vec<ExprId> },
    /// `if`. Args are the parameters, then the condition.
    If {
        ty: BlockType,
        then_body: Vec<ExprId>,
        else_body: Option<Vec<ExprId>>,
    },
    /// Legacy `try` with `catch`/`catch_all` handlers, or ending in
    /// `delegate` to the given label (boxed: rare, and large).
    Try(Box<Try>),
    /// `try_table` (boxed: rare, and large).
    TryTable(Box<TryTable>),
    /// An instruction with branch labels (`br`, `br_if`, `br_table`,
    /// `br_on_*`, `rethrow`). The depths inside `op` are stale; `targets`
    /// holds the labels (for `br_table`, the default last). The operator is
    /// boxed to keep every node small.
    Branch {
        op: Box<Operator<'a>>,
        targets: Args,
    },
    /// Any other instruction; args are its operands.
    Op(Operator<'a>),
    /// A value already on the stack when the enclosing body starts.
    Pop,
    /// Evaluates args (together pushing one value per local) and stores
    /// them, the last value into the last local.
    Assign { locals: Vec<u32> },
}

/// One node of the tree.
#[derive(Clone, Debug)]
pub struct Expr<'a> {
    pub kind: Kind<'a>,
    pub args: Args,
    pub results: Results,
}

/// A function's code: locals and the expression arena.
#[derive(Clone, Debug)]
pub struct Function<'a> {
    /// Index into the type section.
    pub type_index: u32,
    pub params: Vec<ValType>,
    /// Declared locals after the parameters, in index order.
    pub locals: Vec<ValType>,
    /// Locals from this index on were added by LOOM (scratch, unnamed): the
    /// writer may drop the unused ones and renumber the rest.
    pub scratch_from: u32,
    pub exprs: Vec<Expr<'a>>,
    /// The root `Block`, whose label is the function's own.
    pub body: ExprId,
    /// A module pass changed this function since the last function stage:
    /// a stage that repeats an earlier one re-optimizes only such functions
    /// (see `PassManager::run`). A module pass that changes a body sets it.
    pub dirty: bool,
    /// A hash of the body as duplicate-function-elimination compares it,
    /// kept while the body does not change (cleared wherever it may have:
    /// see `PassManager::run_passes`).
    pub fingerprint: Option<u64>,
}

impl<'a> Function<'a> {
    pub fn expr(&self, id: ExprId) -> &Expr<'a> {
        &self.exprs[id.index()]
    }

    pub fn expr_mut(&mut self, id: ExprId) -> &mut Expr<'a> {
        &mut self.exprs[id.index()]
    }

    /// Adds a node to the arena.
    pub fn add(&mut self, kind: Kind<'a>, args: Args, results: Results) -> ExprId {
        let id = ExprId(self.exprs.len() as u32);
        self.exprs.push(Expr {
            kind,
            args,
            results,
        });
        id
    }

    /// Declares a new local and returns its index.
    pub fn add_local(&mut self, ty: ValType) -> u32 {
        self.locals.push(ty);
        (self.params.len() + self.locals.len() - 1) as u32
    }

    /// The nested sequences a node owns, in execution order.
    pub fn bodies(&self, id: ExprId) -> Bodies<'_> {
        match &self.expr(id).kind {
            Kind::Block { body, .. } | Kind::Loop { body, .. } => smallvec![body.as_slice()],
            Kind::TryTable(t) => smallvec![t.body.as_slice()],
            Kind::If {
                then_body,
                else_body,
                ..
            } => {
                let mut bodies: Bodies<'_> = smallvec![then_body.as_slice()];
                bodies.extend(else_body.as_deref());
                bodies
            }
            Kind::Try(t) => {
                let mut bodies: Bodies<'_> = smallvec![t.body.as_slice()];
                bodies.extend(t.catches.iter().map(|c| c.body.as_slice()));
                bodies
            }
            Kind::Branch { .. } | Kind::Op(_) | Kind::Pop | Kind::Assign { .. } => SmallVec::new(),
        }
    }

    /// How many statement sequences node `id` owns.
    pub fn body_count(&self, id: ExprId) -> usize {
        match &self.expr(id).kind {
            Kind::Block { .. } | Kind::Loop { .. } | Kind::TryTable(_) => 1,
            Kind::If { else_body, .. } => 1 + usize::from(else_body.is_some()),
            Kind::Try(t) => 1 + t.catches.len(),
            Kind::Branch { .. } | Kind::Op(_) | Kind::Pop | Kind::Assign { .. } => 0,
        }
    }

    /// The nested sequences a node owns, mutably, in execution order.
    pub fn bodies_mut(&mut self, id: ExprId) -> SmallVec<[&mut Vec<ExprId>; 2]> {
        match &mut self.expr_mut(id).kind {
            Kind::Block { body, .. } | Kind::Loop { body, .. } => smallvec![body],
            Kind::TryTable(t) => smallvec![&mut t.body],
            Kind::If {
                then_body,
                else_body,
                ..
            } => {
                let mut bodies: SmallVec<[&mut Vec<ExprId>; 2]> = smallvec![then_body];
                bodies.extend(else_body.as_mut());
                bodies
            }
            Kind::Try(t) => {
                let Try { body, catches, .. } = &mut **t;
                let mut bodies: SmallVec<[&mut Vec<ExprId>; 2]> = smallvec![body];
                bodies.extend(catches.iter_mut().map(|c| &mut c.body));
                bodies
            }
            Kind::Branch { .. } | Kind::Op(_) | Kind::Pop | Kind::Assign { .. } => SmallVec::new(),
        }
    }

    /// Every node reachable from `root`, parents before children, without
    /// recursion (bodies nest as deep as the input does).
    pub fn walk(&self, root: ExprId) -> Vec<ExprId> {
        // The whole function is walked by almost every pass: size it once.
        let whole = if root == self.body {
            self.exprs.len()
        } else {
            0
        };
        let mut order = Vec::with_capacity(whole);
        let mut work = vec![root];
        while let Some(id) = work.pop() {
            order.push(id);
            let expr = self.expr(id);
            // Most nodes own no bodies: skip collecting them.
            if !matches!(
                expr.kind,
                Kind::Op(_) | Kind::Branch { .. } | Kind::Pop | Kind::Assign { .. }
            ) {
                for body in self.bodies(id).into_iter().rev() {
                    work.extend(body.iter().rev());
                }
            }
            work.extend(expr.args.iter().rev());
        }
        order
    }
}

/// Label references, for passes that remove, merge or retarget labels.
impl Function<'_> {
    /// The labels node `id` itself refers to: a branch's targets, a
    /// `try_table`'s catch labels, a `try`'s `delegate` label.
    pub fn labels_used_by(&self, id: ExprId) -> &[ExprId] {
        match &self.expr(id).kind {
            Kind::Branch { targets, .. } => targets,
            Kind::TryTable(t) => &t.targets,
            Kind::Try(t) => t.delegate.as_slice(),
            _ => &[],
        }
    }

    /// For every node (indexed by `ExprId`), how many references it has as
    /// a label from the tree under the root. Zero means nothing branches to
    /// it, delegates to it or catches into it.
    pub fn label_use_counts(&self) -> Vec<u32> {
        let mut uses = vec![0; self.exprs.len()];
        for id in self.walk(self.body) {
            for label in self.labels_used_by(id) {
                uses[label.index()] += 1;
            }
        }
        uses
    }
}

/// Renumbering of locals, shared by the passes that reallocate them.
impl<'a> Function<'a> {
    /// Gives every local `l` used in the code reachable from the root the
    /// index `new_index[l]`, and makes `locals` the declared locals. No
    /// declared local keeps its input index afterwards, so all of them are
    /// left to the writer to drop when unused (`scratch_from` = first
    /// declared local).
    pub fn renumber_locals(&mut self, new_index: &[u32], locals: Vec<ValType>) {
        for id in self.local_accesses() {
            match &mut self.exprs[id.index()].kind {
                Kind::Op(
                    Operator::LocalGet { local_index }
                    | Operator::LocalSet { local_index }
                    | Operator::LocalTee { local_index },
                ) => *local_index = new_index[*local_index as usize],
                Kind::Assign { locals } => {
                    for l in locals {
                        *l = new_index[*l as usize];
                    }
                }
                _ => {}
            }
        }
        self.locals = locals;
        self.scratch_from = self.params.len() as u32;
    }

    /// The nodes reachable from the root that read or write locals
    /// (`local.get`, `local.set`, `local.tee`, `Assign`), in `walk` order.
    /// Unlike `walk`, allocates nothing per node: it runs on every function.
    pub fn local_accesses(&self) -> Vec<ExprId> {
        let mut found = Vec::new();
        let mut work = vec![self.body];
        while let Some(id) = work.pop() {
            let expr = self.expr(id);
            match &expr.kind {
                Kind::Op(
                    Operator::LocalGet { .. }
                    | Operator::LocalSet { .. }
                    | Operator::LocalTee { .. },
                )
                | Kind::Assign { .. } => found.push(id),
                Kind::Block { body, .. } | Kind::Loop { body, .. } => {
                    work.extend(body.iter().rev())
                }
                Kind::TryTable(t) => work.extend(t.body.iter().rev()),
                Kind::If {
                    then_body,
                    else_body,
                    ..
                } => {
                    for body in else_body.iter() {
                        work.extend(body.iter().rev());
                    }
                    work.extend(then_body.iter().rev());
                }
                Kind::Try(t) => {
                    for c in t.catches.iter().rev() {
                        work.extend(c.body.iter().rev());
                    }
                    work.extend(t.body.iter().rev());
                }
                Kind::Branch { .. } | Kind::Op(_) | Kind::Pop => {}
            }
            work.extend(expr.args.iter().rev());
        }
        found
    }
}

/// An operator usable as a hash-map key (wasmparser's `Operator` is `Eq`
/// but not `Hash`), for value numbering and common-subexpression passes.
/// Equality is the operator's own; the hash covers the opcode and the
/// immediates that usually tell apart equal opcodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpKey<'a>(pub Operator<'a>);

impl std::hash::Hash for OpKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::mem::discriminant(&self.0).hash(state);
        match &self.0 {
            Operator::I32Const { value } => value.hash(state),
            Operator::I64Const { value } => value.hash(state),
            Operator::F32Const { value } => value.bits().hash(state),
            Operator::F64Const { value } => value.bits().hash(state),
            Operator::V128Const { value } => value.bytes().hash(state),
            Operator::LocalGet { local_index } => local_index.hash(state),
            Operator::GlobalGet { global_index } => global_index.hash(state),
            Operator::I32Load { memarg }
            | Operator::I64Load { memarg }
            | Operator::I32Load8U { memarg }
            | Operator::I32Load8S { memarg }
            | Operator::I32Load16U { memarg }
            | Operator::I32Load16S { memarg } => memarg.offset.hash(state),
            _ => {}
        }
    }
}

/// A fast non-cryptographic hasher (the Fx hash of rustc) for maps keyed by
/// small values the input controls only weakly, such as value numbers.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(n.into());
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map with [`FastHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

/// The constant a fresh frame gives a declared local of type `ty` (zero or
/// null); `None` for a non-nullable reference, which validation makes the
/// function set before any read.
pub fn initial_value(ty: ValType) -> Option<Operator<'static>> {
    Some(match ty {
        ValType::I32 => Operator::I32Const { value: 0 },
        ValType::I64 => Operator::I64Const { value: 0 },
        ValType::F32 => Operator::F32Const {
            value: wasmparser::Ieee32::from(0.0f32),
        },
        ValType::F64 => Operator::F64Const {
            value: wasmparser::Ieee64::from(0.0f64),
        },
        ValType::V128 => Operator::V128Const {
            value: wasmparser::V128::from(0u128),
        },
        ValType::Ref(r) if r.is_nullable() => Operator::RefNull { hty: r.heap_type() },
        ValType::Ref(_) => return None,
    })
}

/// Whether `op` pushes a constant and reads nothing: a number or vector
/// `*.const`, `ref.null` or `ref.func`.
pub fn is_constant(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::I32Const { .. }
            | Operator::I64Const { .. }
            | Operator::F32Const { .. }
            | Operator::F64Const { .. }
            | Operator::V128Const { .. }
            | Operator::RefNull { .. }
            | Operator::RefFunc { .. }
    )
}

impl Expr<'_> {
    /// Calls `f` on every node id this node holds: its operands, the
    /// statements of its bodies, and the labels it names (branch,
    /// `try_table` and `delegate` targets).
    pub fn for_each_id_mut(&mut self, mut f: impl FnMut(&mut ExprId)) {
        self.args.iter_mut().for_each(&mut f);
        match &mut self.kind {
            Kind::Block { body, .. } | Kind::Loop { body, .. } => body.iter_mut().for_each(f),
            Kind::If {
                then_body,
                else_body,
                ..
            } => {
                then_body.iter_mut().for_each(&mut f);
                else_body.iter_mut().flatten().for_each(f);
            }
            Kind::Try(t) => {
                t.body.iter_mut().for_each(&mut f);
                for catch in &mut t.catches {
                    catch.body.iter_mut().for_each(&mut f);
                }
                t.delegate.iter_mut().for_each(f);
            }
            Kind::TryTable(t) => {
                t.body.iter_mut().for_each(&mut f);
                t.targets.iter_mut().for_each(f);
            }
            Kind::Branch { targets, .. } => targets.iter_mut().for_each(f),
            Kind::Op(_) | Kind::Pop | Kind::Assign { .. } => {}
        }
    }
}

/// Arena housekeeping.
impl Function<'_> {
    /// Drops the nodes passes left unreachable and renumbers the rest in
    /// tree order, leaving the arena a little room to grow: passes add
    /// nodes and orphan old ones, and a `Vec` that is full doubles on the
    /// next push, so without this a function's arena holds up to twice its
    /// live nodes plus its garbage for the rest of the pipeline.
    pub fn compact(&mut self) {
        let order = self.walk(self.body);
        let headroom = order.len() / 8 + 4;
        if order.len() == self.exprs.len() && self.exprs.capacity() <= order.len() + headroom {
            return;
        }
        let mut renumber = vec![ExprId(u32::MAX); self.exprs.len()];
        for (new, old) in order.iter().enumerate() {
            renumber[old.index()] = ExprId(new as u32);
        }
        let mut old_exprs = std::mem::take(&mut self.exprs);
        let mut exprs = Vec::with_capacity(order.len() + headroom);
        for id in order {
            let mut expr = std::mem::replace(
                &mut old_exprs[id.index()],
                Expr {
                    kind: Kind::Pop,
                    args: Args::new(),
                    results: Results::None,
                },
            );
            expr.for_each_id_mut(|id| *id = renumber[id.index()]);
            exprs.push(expr);
        }
        self.exprs = exprs;
        self.body = renumber[self.body.index()];
    }
}

#[cfg(test)]
mod compact_tests {
    use crate::module::{encode_body, Code, Module};
    use crate::remap::IndexMaps;

    /// Compacting drops orphaned nodes and changes no encoded byte, with
    /// labels (branch, `try_table` and `delegate` targets), nested bodies
    /// and arguments all renumbered.
    #[test]
    fn compact_keeps_the_code_and_drops_orphans() {
        let wat = r#"(module
            (tag $e (param i32))
            (func (param i32) (result i32)
              (block $out (result i32)
                (try_table (catch $e $out)
                  (if (local.get 0)
                    (then (br_if $out (i32.const 1) (local.get 0)) (drop))
                    (else (loop $l (br_if $l (i32.eqz (local.get 0)))))))
                try
                  nop
                delegate 0
                (i32.add (local.get 0) (i32.const 2)))))"#;
        let wasm = wat::parse_str(wat).unwrap();
        let mut module = Module::read(&wasm, crate::features::accepted()).unwrap();
        let Code::Lifted(function) = &mut module.code[0] else {
            panic!("lifted")
        };
        let before = encode_body(&Code::Lifted(function.clone()), &IndexMaps::default()).unwrap();
        let live = function.walk(function.body).len();
        for _ in 0..10 {
            function.add(super::Kind::Pop, super::Args::new(), super::Results::None);
        }
        function.compact();
        assert_eq!(function.exprs.len(), live);
        let after = encode_body(&Code::Lifted(function.clone()), &IndexMaps::default()).unwrap();
        assert_eq!(before, after);
    }
}
