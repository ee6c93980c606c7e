//! Proves ISLE rules: for every named `(rule name (simplify lhs) rhs)`, encodes both
//! sides as Z3 terms over free variables for the rule's pattern variables and checks,
//! for all inputs satisfying the rule's match conditions, that (a) the right side traps
//! exactly when the left side traps and (b) when neither traps their values (and the
//! memory after them) are equal.
//!
//! Modelling choices:
//! - A pattern variable of type `Expr` is an arbitrary subexpression: a free value of
//!   the type its position requires plus a free trap condition. `removable` constrains
//!   its trap to false. Effects other than traps are checked syntactically: the
//!   sequence of non-removable subexpressions, loads and stores must be the same on
//!   both sides (nothing effectful is dropped, duplicated or reordered).
//! - Constants (`Const`, integer primitives) bound by patterns are free bit-vectors;
//!   extractors and `if-let` helpers add their models as constraints, and a partial
//!   helper's failure to match means the rule does not fire (an assumption).
//! - A variable of an enum type (`BinOp` ...) is proved once per variant; a position
//!   whose wasm type is not fixed by the rule (`select`'s operands) once per type.
//! - wasm instruction terms (`i32_add`, and `binary`/`unary`/`load`/`store` with an
//!   operator) get the semantics of [`crate::semantics`], memory accesses abstracted.
//! - Where Z3's bit-blasting is slow on a symbolic amount (the exponent from `log2`,
//!   the first count of `shift_sum`) the proof splits into one instance per value.

use crate::ops::{op_info, NumType};
use crate::rules::RuleSet;
use crate::semantics::Machine;
use crate::z3w::{Check, T, Z3};
use cranelift_isle::ast::{Decl, Def, Expr, Extractor, IfLet, Pattern, Rule};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// A symbolic value of some ISLE type.
#[derive(Clone, Debug)]
pub enum Sym {
    /// An expression: its wasm type, value, trap condition, and whether it is known
    /// removable (reads state only, never traps).
    Expr {
        ty: NumType,
        v: T,
        trap: T,
        removable: bool,
    },
    /// A typed constant (`Const`).
    Const {
        ty: NumType,
        v: T,
    },
    /// An integer primitive (`u64`, `i32` ...) of a width.
    Int {
        width: u32,
        v: T,
    },
    Bool(T),
    /// A concrete enum variant (`BinOp.i32_add` → `("BinOp", "i32_add")`).
    Variant(String, String),
    /// A memarg: its static offset (64-bit).
    MemArg {
        offset: T,
    },
}

/// Why an encoding stopped.
#[derive(Debug)]
pub enum Stop {
    /// The pattern cannot match in this instance (e.g. `i32_value` at an i64
    /// position): the rule never fires there.
    NoMatch,
    Error(String),
}

impl From<String> for Stop {
    fn from(s: String) -> Self {
        Stop::Error(s)
    }
}

type R<X> = Result<X, Stop>;

/// One thing with effects, in evaluation order (see the module comment).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Event {
    Var(String),
    Memory(String),
}

/// The outcome of proving one rule.
#[derive(Debug)]
pub struct Verdict {
    pub name: String,
    /// Instances (enum variants × types) checked; all proved when `failure` is none.
    pub instances: usize,
    /// Instances where the left side can never match.
    pub vacuous: usize,
    pub failure: Option<String>,
    pub time: Duration,
}

/// The rule vocabulary of a [`RuleSet`].
pub struct Prover<'a> {
    decls: HashMap<String, &'a Decl>,
    enums: HashMap<String, Vec<String>>,
    macros: HashMap<String, &'a Extractor>,
    /// Per-query solver time limit.
    pub timeout_ms: u32,
}

/// Per-instance state: the choices of enum variables and free types, and what the
/// encoding has bound and assumed so far.
struct Enc<'z> {
    m: Machine<'z>,
    initial_memory: T,
    /// Variant (or type name, for `$type`) chosen per enumerated variable.
    choice: BTreeMap<String, String>,
    /// Enumerated variables met but not in `choice` yet: (name, possible values).
    open: Vec<(String, Vec<String>)>,
    vars: HashMap<String, Sym>,
    assumptions: Vec<T>,
    events: Vec<Event>,
    /// The effect events of each left-side variable's subexpression, replayed where
    /// the right side uses it.
    var_events: HashMap<String, Vec<Event>>,
    /// Integer values known bounded by a `possible_bits` mask: (value, 64-bit mask).
    bounds: Vec<(T, T)>,
    /// Named terms to print in a counterexample.
    shown: Vec<(String, T)>,
    fresh: usize,
}

const TYPE_VAR: &str = "$type";
const TYPES: [NumType; 4] = [NumType::I32, NumType::I64, NumType::F32, NumType::F64];

fn int_width(ty: &str) -> Option<u32> {
    Some(match ty {
        "u8" | "i8" => 8,
        "u16" | "i16" => 16,
        "u32" | "i32" => 32,
        "u64" | "i64" | "usize" | "isize" => 64,
        _ => return None,
    })
}

impl<'a> Prover<'a> {
    pub fn new(set: &'a RuleSet) -> Self {
        let mut decls = HashMap::new();
        let mut macros = HashMap::new();
        for d in &set.defs {
            match d {
                Def::Decl(decl) => {
                    decls.insert(decl.term.0.clone(), decl);
                }
                Def::Extractor(e) => {
                    macros.insert(e.term.0.clone(), e);
                }
                _ => {}
            }
        }
        // 10 s per query (one rule instance): the slowest proved queries (a load or
        // store moving an address constant, a 64-bit shift chain) take 0.2-1.5 s on a
        // busy 2-core machine; a query still running after 10 s is one Z3 cannot
        // decide, reported as a failure rather than waited on, which also bounds the
        // test's time.
        Prover {
            decls,
            enums: set.enums(),
            macros,
            timeout_ms: 10_000,
        }
    }

    /// Proves `rule` for every instance of its enumerated variables.
    pub fn prove(&self, rule: &Rule) -> Verdict {
        let start = Instant::now();
        let name = rule
            .name
            .as_ref()
            .map(|n| n.0.clone())
            .unwrap_or_else(|| "<unnamed>".into());
        let mut verdict = Verdict {
            name,
            instances: 0,
            vacuous: 0,
            failure: None,
            time: Duration::ZERO,
        };
        let z = Z3::new();
        let mut work = vec![BTreeMap::new()];
        while let Some(choice) = work.pop() {
            let mut enc = Enc::new(&z, choice.clone());
            let result = self.prove_instance(&z, &mut enc, rule);
            if let Some((var, values)) = enc.open.first().cloned() {
                // A variable to enumerate was met: split this instance.
                for v in values {
                    let mut c = choice.clone();
                    c.insert(var.clone(), v);
                    work.push(c);
                }
                continue;
            }
            verdict.instances += 1;
            match result {
                Ok(()) => {}
                Err(Stop::NoMatch) => verdict.vacuous += 1,
                Err(Stop::Error(e)) => {
                    let inst: Vec<String> =
                        choice.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                    let inst = if inst.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", inst.join(", "))
                    };
                    verdict.failure = Some(format!("{e}{inst}"));
                    break;
                }
            }
        }
        verdict.time = start.elapsed();
        verdict
    }

    fn prove_instance(&self, z: &Z3, enc: &mut Enc<'_>, rule: &Rule) -> R<()> {
        let Pattern::Term { sym, args, .. } = &rule.pattern else {
            return Err(Stop::Error("left side is not a term".into()));
        };
        if sym.0 != "simplify" || args.len() != 1 {
            return Err(Stop::Error(format!(
                "left side `{}` is not `(simplify pattern)`",
                sym.0
            )));
        }
        let lhs = self.pat(enc, &args[0], "Expr", None)?;
        for iflet in &rule.iflets {
            self.if_let(enc, iflet)?;
        }
        let lhs_events = std::mem::take(&mut enc.events);
        let lhs_memory = enc.m.memory;
        enc.m.memory = enc.initial_memory;
        let rhs = self.expr(enc, &rule.expr, "Expr")?;
        let rhs_events = std::mem::take(&mut enc.events);
        let (
            Sym::Expr {
                ty: lt,
                v: lv,
                trap: ltrap,
                ..
            },
            Sym::Expr {
                ty: rt,
                v: rv,
                trap: rtrap,
                ..
            },
        ) = (&lhs, &rhs)
        else {
            return Err(Stop::Error("a side is not an expression".into()));
        };
        let structural = if lt != rt {
            Some(format!(
                "left side is {}, right side {}",
                lt.name(),
                rt.name()
            ))
        } else if lhs_events != rhs_events {
            // Effects: the non-removable subexpressions and memory accesses, in order.
            Some(format!(
                "effects differ: left evaluates {lhs_events:?}, right {rhs_events:?}"
            ))
        } else {
            None
        };
        if let Some(why) = structural {
            // Wrong unless the rule cannot fire here at all.
            return match z.check(&enc.assumptions, &enc.shown, self.timeout_ms) {
                Check::Unsat => Err(Stop::NoMatch),
                Check::Sat(values) => Err(Stop::Error(format!(
                    "{why}; it fires for {}",
                    values.join(", ")
                ))),
                Check::Unknown(r) => Err(Stop::Error(format!(
                    "{why}; Z3 gave up on whether it fires: {r}"
                ))),
            };
        }
        let same = z.and(&[
            z.eq(*ltrap, *rtrap),
            z.or(&[*ltrap, enc.m.same_value(*lt, *lv, *rv)]),
            z.or(&[*ltrap, z.eq(lhs_memory, enc.m.memory)]),
        ]);
        let mut query = enc.assumptions.clone();
        query.push(z.not(same));
        let mut show = enc.shown.clone();
        show.push(("left".into(), *lv));
        show.push(("right".into(), *rv));
        show.push(("left traps".into(), *ltrap));
        show.push(("right traps".into(), *rtrap));
        match z.check(&query, &show, self.timeout_ms) {
            Check::Unsat => Ok(()),
            Check::Sat(values) => Err(Stop::Error(format!(
                "counterexample: {}",
                values.join(", ")
            ))),
            Check::Unknown(why) => Err(Stop::Error(format!("Z3 gave up: {why}"))),
        }
    }

    // ---- left side: patterns ----------------------------------------------

    /// Encodes the subject a pattern describes, at a position of ISLE type `ty` (and
    /// wasm type `expect` for expressions and constants).
    fn pat(&self, enc: &mut Enc<'_>, p: &Pattern, ty: &str, expect: Option<NumType>) -> R<Sym> {
        match p {
            Pattern::Var { var, .. } => {
                if let Some(s) = enc.vars.get(&var.0) {
                    let s = s.clone();
                    check_type(&s, expect)?;
                    return Ok(s);
                }
                let s = self.fresh(enc, &var.0, ty, expect)?;
                enc.bind_lhs(&var.0, s.clone());
                Ok(s)
            }
            Pattern::Wildcard { .. } => {
                let n = enc.next_name("_");
                let s = self.fresh(enc, &n, ty, expect)?;
                if matches!(s, Sym::Expr { .. }) {
                    enc.events.push(Event::Var(n));
                }
                Ok(s)
            }
            Pattern::BindPattern { var, subpat, .. } => {
                let before = enc.events.len();
                let s = self.pat(enc, subpat, ty, expect)?;
                let mut events = enc.events[before..].to_vec();
                if events.is_empty()
                    && matches!(
                        s,
                        Sym::Expr {
                            removable: false,
                            ..
                        }
                    )
                {
                    // An opaque subexpression (from an extractor): one effect.
                    events.push(Event::Var(var.0.clone()));
                    enc.events.push(Event::Var(var.0.clone()));
                }
                enc.var_events.insert(var.0.clone(), events);
                enc.vars.insert(var.0.clone(), s.clone());
                Ok(s)
            }
            Pattern::ConstInt { val, .. } => self.literal(enc, *val, ty, expect),
            Pattern::ConstBool { val, .. } => Ok(Sym::Bool(enc.m.z.bool(*val))),
            Pattern::And { subpats, .. } => {
                let (first, rest) = subpats
                    .split_first()
                    .ok_or_else(|| "empty and-pattern".to_string())?;
                let s = self.pat(enc, first, ty, expect)?;
                for p in rest {
                    self.match_pat(enc, p, &s, ty)?;
                }
                Ok(s)
            }
            Pattern::Term { sym, args, .. } => self.term_pat(enc, &sym.0, args, ty, expect),
            Pattern::ConstPrim { val, .. } => {
                Err(Stop::Error(format!("no model for constant `{}`", val.0)))
            }
            Pattern::MacroArg { .. } => Err(Stop::Error("unexpanded macro argument".into())),
        }
    }

    /// Matches pattern `p` against an already encoded subject.
    fn match_pat(&self, enc: &mut Enc<'_>, p: &Pattern, subject: &Sym, ty: &str) -> R<()> {
        match p {
            Pattern::Wildcard { .. } => Ok(()),
            Pattern::Var { var, .. } => {
                if let Some(s) = enc.vars.get(&var.0).cloned() {
                    let eq = enc.equal(&s, subject)?;
                    enc.assumptions.push(eq);
                } else {
                    enc.vars.insert(var.0.clone(), subject.clone());
                }
                Ok(())
            }
            Pattern::ConstBool { val, .. } => {
                let Sym::Bool(b) = subject else {
                    return Err(Stop::Error("bool pattern on non-bool".into()));
                };
                let z = enc.m.z;
                enc.assumptions.push(if *val { *b } else { z.not(*b) });
                Ok(())
            }
            Pattern::Term { sym, args, .. } if self.is_extern_extractor(&sym.0) => {
                self.extract(enc, &sym.0, args, subject).map(|_| ())
            }
            _ => {
                // A structural pattern: encode it and require equality with the subject.
                let s = self.pat(enc, p, ty, subject_type(subject))?;
                let eq = enc.equal(&s, subject)?;
                enc.assumptions.push(eq);
                Ok(())
            }
        }
    }

    fn is_extern_extractor(&self, name: &str) -> bool {
        matches!(name, "removable" | "possible_bits" | "memarg_offset")
    }

    fn term_pat(
        &self,
        enc: &mut Enc<'_>,
        name: &str,
        args: &[Pattern],
        ty: &str,
        expect: Option<NumType>,
    ) -> R<Sym> {
        if let Some((enum_name, variant)) = self.variant_name(name) {
            return Ok(Sym::Variant(enum_name, variant));
        }
        if self.is_extern_extractor(name) {
            let n = enc.next_name(name);
            let subject = self.fresh(enc, &n, ty, expect)?;
            return self.extract(enc, name, args, &subject);
        }
        if let Some(s) = self.wasm_term(
            enc,
            name,
            args.len(),
            expect,
            &mut |this, enc, i, aty, aexp| this.pat(enc, &args[i], aty, aexp),
        )? {
            return Ok(s);
        }
        if let Some(m) = self.macros.get(name) {
            let expanded = expand(&m.template, args);
            return self.pat(enc, &expanded, ty, expect);
        }
        Err(Stop::Error(format!("no model for extractor `{name}`")))
    }

    /// Extractors that test or take apart an already encoded subject.
    /// Returns the subject as the extractor refines it (`removable` marks it so).
    fn extract(&self, enc: &mut Enc<'_>, name: &str, args: &[Pattern], subject: &Sym) -> R<Sym> {
        let z = enc.m.z;
        match (name, subject) {
            ("removable", Sym::Expr { ty, v, trap, .. }) => {
                // Same expression, known to only read state: it cannot trap.
                let s = Sym::Expr {
                    ty: *ty,
                    v: *v,
                    trap: z.bool(false),
                    removable: true,
                };
                enc.assumptions.push(z.not(*trap));
                enc.relabel_removable(subject);
                self.match_pat(enc, &args[0], &s, "Expr")?;
                Ok(s)
            }
            ("possible_bits", Sym::Expr { ty, v, .. }) if !ty.is_float() => {
                let mask = self.pat(enc, &args[0], "u64", None)?;
                let Sym::Int { v: m, .. } = mask else {
                    return Err(Stop::Error("possible_bits mask".into()));
                };
                let wide = if ty.bits() == 64 { *v } else { z.zext(32, *v) };
                enc.assumptions
                    .push(z.eq(z.bvand(wide, z.bvnot(m)), z.bv(0, 64)));
                // Implied (bits within m make a number at most m); stated so Z3 need not
                // derive the arithmetic bound from the bitwise one.
                enc.assumptions.push(z.ule(wide, m));
                enc.bounds.push((*v, m));
                Ok(subject.clone())
            }
            ("memarg_offset", Sym::MemArg { offset }) => {
                let s = Sym::Int {
                    width: 64,
                    v: *offset,
                };
                self.match_pat(enc, &args[0], &s, "u64")?;
                Ok(subject.clone())
            }
            _ => Err(Stop::NoMatch),
        }
    }

    /// `BinOp.i32_add` → the enum and variant, if `name` is one.
    fn variant_name(&self, name: &str) -> Option<(String, String)> {
        let (e, v) = name.split_once('.')?;
        self.enums
            .get(e)?
            .iter()
            .any(|x| x == v)
            .then(|| (e.to_string(), v.to_string()))
    }

    /// Encodes a wasm instruction term (`i32_add x y`, `i32_const c`, `binary op x y`,
    /// `unary op x`, `load op m a`, `store op m a v`, `select a b c`, `const c`), with
    /// `arg(this, enc, index, isle type, wasm type)` encoding its arguments in order.
    /// `None` if `name` is not one.
    #[allow(clippy::type_complexity)]
    fn wasm_term<'z>(
        &self,
        enc: &mut Enc<'z>,
        name: &str,
        nargs: usize,
        expect: Option<NumType>,
        arg: &mut dyn FnMut(&Self, &mut Enc<'z>, usize, &str, Option<NumType>) -> R<Sym>,
    ) -> R<Option<Sym>> {
        // The instruction and where its operands start among the term's arguments.
        let (op, first) = match name {
            "binary" | "unary" | "load" | "store" => {
                let enum_ty = self
                    .decls
                    .get(name)
                    .map(|d| d.arg_tys[0].0.clone())
                    .unwrap_or_default();
                let s = arg(self, enc, 0, &enum_ty, None)?;
                let Sym::Variant(_, v) = s else {
                    return Err(Stop::Error(format!("`{name}` without operator")));
                };
                (v, 1)
            }
            "const" => {
                let c = arg(self, enc, 0, "Const", expect)?;
                let Sym::Const { ty, v } = c else {
                    return Err(Stop::Error("`const` of a non-constant".into()));
                };
                let z = enc.m.z;
                return Ok(Some(Sym::Expr {
                    ty,
                    v,
                    trap: z.bool(false),
                    removable: true,
                }));
            }
            // The typed constants `(Const.I32 v)` ... (floats by their bits).
            "Const.I32" | "Const.I64" | "Const.F32" | "Const.F64" => {
                let t = match name {
                    "Const.I32" => NumType::I32,
                    "Const.I64" => NumType::I64,
                    "Const.F32" => NumType::F32,
                    _ => NumType::F64,
                };
                if expect.is_some_and(|e| e != t) {
                    return Err(Stop::NoMatch);
                }
                let field = if t.is_float() {
                    if t.bits() == 32 {
                        "u32"
                    } else {
                        "u64"
                    }
                } else {
                    t.name()
                };
                let Sym::Int { v, .. } = arg(self, enc, 0, field, None)? else {
                    return Err(Stop::Error(format!("`{name}` of a non-integer")));
                };
                return Ok(Some(Sym::Const { ty: t, v }));
            }
            _ if op_info(name).is_some() => (name.to_string(), 0),
            _ => return Ok(None),
        };
        let info = op_info(&op).ok_or_else(|| format!("no semantics for `{op}`"))?;
        if nargs != first + info.immediates.len() + info.params.len() {
            return Err(Stop::Error(format!("`{name}` with {nargs} arguments")));
        }
        // `select`: operands of the result's type (known from the context or from
        // its first operand).
        let mut poly = if info.result == Some(None) {
            expect
        } else {
            None
        };
        if let Some(Some(r)) = info.result {
            if expect.is_some_and(|e| e != r) {
                return Err(Stop::NoMatch);
            }
        }
        let z = enc.m.z;
        let mut imms = Vec::new();
        for (i, t) in info.immediates.iter().enumerate() {
            let decl_ty = self.arg_type(name, first + i);
            let s = arg(self, enc, first + i, &decl_ty, Some(*t))?;
            imms.push(match s {
                Sym::Int { v, width } => resize(z, v, width, t.bits()),
                Sym::Const { v, .. } => v,
                Sym::MemArg { offset } => offset,
                _ => return Err(Stop::Error(format!("bad immediate of `{name}`"))),
            });
        }
        let mut vals = Vec::new();
        let mut traps = Vec::new();
        for (i, t) in info.params.iter().enumerate() {
            let at = first + info.immediates.len() + i;
            let s = arg(self, enc, at, "Expr", t.or(poly))?;
            let Sym::Expr { v, trap, ty, .. } = s else {
                return Err(Stop::Error(format!("bad operand of `{name}`")));
            };
            if t.is_none() && poly.is_none() {
                poly = Some(ty);
            }
            vals.push(v);
            traps.push(trap);
        }
        if crate::ops::memory_access(&op).is_some() {
            enc.events.push(Event::Memory(op.clone()));
        }
        let out = enc.m.apply(&op, &imms, &vals)?;
        traps.push(out.trap);
        let trap = z.or(&traps);
        let Some(v) = out.value else {
            // A store has no value: it compares as the constant 0 of its stored type
            // (only its trap and the memory after it matter).
            let ty = info.params[1].expect("stored value type");
            return Ok(Some(Sym::Expr {
                ty,
                v: z.bv(0, ty.bits()),
                trap,
                removable: false,
            }));
        };
        let ty = info.result.flatten().or(poly).expect("typed result");
        Ok(Some(Sym::Expr {
            ty,
            v,
            trap,
            removable: false,
        }))
    }

    fn arg_type(&self, term: &str, i: usize) -> String {
        self.decls
            .get(term)
            .and_then(|d| d.arg_tys.get(i))
            .map(|t| t.0.clone())
            .unwrap_or_else(|| {
                if term == "load" || term == "store" {
                    "MemArg".into()
                } else {
                    "u64".into()
                }
            })
    }

    fn literal(&self, enc: &mut Enc<'_>, val: i128, ty: &str, expect: Option<NumType>) -> R<Sym> {
        let z = enc.m.z;
        if let Some(w) = int_width(ty) {
            return Ok(Sym::Int {
                width: w,
                v: z.bv(val as u64 & mask(w), w),
            });
        }
        if ty == "Const" {
            let t = expect.ok_or_else(|| "untyped constant literal".to_string())?;
            return Ok(Sym::Const {
                ty: t,
                v: z.bv(val as u64 & mask(t.bits()), t.bits()),
            });
        }
        Err(Stop::Error(format!("integer literal at a `{ty}` position")))
    }

    /// A free value for variable `name` of ISLE type `ty`.
    fn fresh(&self, enc: &mut Enc<'_>, name: &str, ty: &str, expect: Option<NumType>) -> R<Sym> {
        let z = enc.m.z;
        if let Some(variants) = self.enums.get(ty) {
            let v = enc.choose(name, variants)?;
            return Ok(Sym::Variant(ty.to_string(), v));
        }
        if let Some(w) = int_width(ty) {
            let v = z.bv_const(name, w);
            enc.shown.push((name.to_string(), v));
            return Ok(Sym::Int { width: w, v });
        }
        Ok(match ty {
            "bool" => Sym::Bool(z.bool_const(name)),
            "MemArg" => {
                let offset = z.bv_const(&format!("{name}.offset"), 64);
                enc.shown.push((format!("{name}.offset"), offset));
                Sym::MemArg { offset }
            }
            "Expr" | "Const" => {
                let t = expect.map(Ok).unwrap_or_else(|| enc.type_var())?;
                let v = z.bv_const(name, t.bits());
                enc.shown.push((format!("{name}: {}", t.name()), v));
                if ty == "Const" {
                    Sym::Const { ty: t, v }
                } else {
                    let trap = z.bool_const(&format!("{name}.traps"));
                    enc.shown.push((format!("{name} traps"), trap));
                    Sym::Expr {
                        ty: t,
                        v,
                        trap,
                        removable: false,
                    }
                }
            }
            _ => return Err(Stop::Error(format!("no model for values of type `{ty}`"))),
        })
    }

    /// An `if-let`: its expression is a pure analysis of values already matched, so
    /// it evaluates nothing (no effect events).
    fn if_let(&self, enc: &mut Enc<'_>, iflet: &IfLet) -> R<()> {
        let ty = self.expr_type(&iflet.expr);
        let events = enc.events.len();
        let s = self.expr(enc, &iflet.expr, &ty)?;
        enc.events.truncate(events);
        self.match_pat(enc, &iflet.pattern, &s, &ty)?;
        // `same_value` holds only of removable expressions.
        if let (Pattern::ConstBool { val: true, .. }, Expr::Term { sym, args, .. }) =
            (&iflet.pattern, &iflet.expr)
        {
            if sym.0 == "same_value" {
                for a in args {
                    if let Expr::Var { name, .. } = a {
                        if let Some(s) = enc.vars.get(&name.0).cloned() {
                            enc.relabel_removable(&s);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn expr_type(&self, e: &Expr) -> String {
        match e {
            Expr::Term { sym, .. } => self
                .decls
                .get(&sym.0)
                .map(|d| d.ret_ty.0.clone())
                .unwrap_or_else(|| "Expr".into()),
            _ => "Expr".into(),
        }
    }

    // ---- right side and if-let expressions -----------------------------------

    fn expr(&self, enc: &mut Enc<'_>, e: &Expr, ty: &str) -> R<Sym> {
        match e {
            Expr::Var { name, .. } => {
                let s = enc
                    .vars
                    .get(&name.0)
                    .cloned()
                    .ok_or_else(|| format!("unbound `{}`", name.0))?;
                if let Sym::Expr {
                    removable: false, ..
                } = s
                {
                    let events = enc.var_events.get(&name.0).cloned();
                    enc.events
                        .extend(events.unwrap_or_else(|| vec![Event::Var(name.0.clone())]));
                }
                Ok(s)
            }
            Expr::ConstInt { val, .. } => self.literal(enc, *val, ty, None),
            Expr::ConstBool { val, .. } => Ok(Sym::Bool(enc.m.z.bool(*val))),
            Expr::Let { defs, body, .. } => {
                for d in defs {
                    let s = self.expr(enc, &d.val, &d.ty.0)?;
                    enc.vars.insert(d.var.0.clone(), s);
                }
                self.expr(enc, body, ty)
            }
            Expr::Term { sym, args, .. } => {
                let name = sym.0.as_str();
                if let Some((e, v)) = self.variant_name(name) {
                    return Ok(Sym::Variant(e, v));
                }
                if let Some(s) =
                    self.wasm_term(enc, name, args.len(), None, &mut |this, enc, i, aty, _| {
                        this.expr(enc, &args[i], aty)
                    })?
                {
                    return Ok(s);
                }
                let mut vals = Vec::new();
                for (i, a) in args.iter().enumerate() {
                    let aty = self.arg_type(name, i);
                    vals.push(self.expr(enc, a, &aty)?);
                }
                let (s, defined) = helper_model(&mut enc.m, name, &vals)?;
                enc.assumptions.push(defined);
                if let ("added_offset", [_, Sym::Int { v: p_max, .. }, Sym::Const { ty, v: c }]) =
                    (name, vals.as_slice())
                {
                    // Monotonicity, implied by p <= p_max: p + c <= p_max + c (no wrap in
                    // 66 bits). True, and hard for Z3's bit-blasting to find by itself.
                    // And the theorem that an add that does not overflow its width equals
                    // the wide sum (Z3 bit-blasting struggles to find either).
                    let z = enc.m.z;
                    let w = ty.bits();
                    let c66 = z.zext(66 - w, *c);
                    for (p, _) in enc.bounds.iter().filter(|(_, m)| m == p_max) {
                        if z.width(*p) != w {
                            continue;
                        }
                        let wide = z.bvadd(z.zext(66 - w, *p), c66);
                        enc.assumptions
                            .push(z.ule(wide, z.bvadd(z.zext(2, *p_max), c66)));
                        let fits = z.ult(wide, z.bvshl(z.bv(1, 66), z.bv(w as u64, 66)));
                        let narrow = z.zext(66 - w, z.bvadd(*p, *c));
                        enc.assumptions.push(z.implies(fits, z.eq(narrow, wide)));
                    }
                }
                if let ("log2", Sym::Const { ty, v }, [Sym::Const { v: c, .. }]) =
                    (name, &s, vals.as_slice())
                {
                    // Case split on the exponent (one instance per value, c = 2^k and
                    // k constant in each): a symbolic power of two is hard for Z3 in
                    // 64-bit division, a constant is not. (Names are stable: every
                    // instance encodes in the same order.)
                    let n = enc.next_name("log2");
                    let values: Vec<String> = (0..ty.bits()).map(|i| i.to_string()).collect();
                    let k: u64 = enc.choose(&n, &values)?.parse().expect("exponent");
                    let z = enc.m.z;
                    enc.assumptions.push(z.eq(*v, z.bv(k, ty.bits())));
                    enc.assumptions.push(z.eq(*c, z.bv(1 << k, ty.bits())));
                }
                if let ("shift_sum", Sym::Const { ty, .. }, [Sym::Const { v: c1, .. }, _]) =
                    (name, &s, vals.as_slice())
                {
                    // Case split on the first count (mod w): two symbolic 64-bit barrel
                    // shifters are hard for Z3, one is not.
                    let n = enc.next_name("shift_sum");
                    let w = ty.bits();
                    let values: Vec<String> = (0..w).map(|i| i.to_string()).collect();
                    let k: u64 = enc.choose(&n, &values)?.parse().expect("count");
                    let z = enc.m.z;
                    enc.assumptions
                        .push(z.eq(z.bvand(*c1, z.bv((w - 1) as u64, w)), z.bv(k, w)));
                }
                Ok(s)
            }
            Expr::ConstPrim { val, .. } => {
                Err(Stop::Error(format!("no model for constant `{}`", val.0)))
            }
        }
    }
}

/// The models of the pure helpers of `prelude.isle` (`loom_core::rules::helpers`):
/// the result and when it is defined (a partial helper that fails does not match).
/// The `helper_models` test checks each against the Rust implementation.
pub fn helper_model(m: &mut Machine<'_>, name: &str, args: &[Sym]) -> R<(Sym, T)> {
    let z = m.z;
    let yes = z.bool(true);
    let int_const = |s: &Sym| match s {
        Sym::Const { ty, v } if !ty.is_float() => Some((*ty, *v)),
        _ => None,
    };
    match (name, args) {
        (
            "fold_binary",
            [Sym::Variant(_, op), Sym::Const { ty: ta, v: a }, Sym::Const { ty: tb, v: b }],
        ) => {
            let info = op_info(op).ok_or_else(|| format!("no semantics for `{op}`"))?;
            let Some(Some(rt)) = info.result else {
                return Err(Stop::Error(format!("`{op}` folded")));
            };
            if info.params != [Some(*ta), Some(*tb)] {
                // Operand types that do not fit the operator: no result.
                return Ok((
                    Sym::Const {
                        ty: rt,
                        v: z.bv(0, rt.bits()),
                    },
                    z.bool(false),
                ));
            }
            let out = m.apply(op, &[], &[*a, *b])?;
            Ok((
                Sym::Const {
                    ty: rt,
                    v: out.value.expect("binary value"),
                },
                z.not(out.trap),
            ))
        }
        ("fold_unary", [Sym::Variant(_, op), Sym::Const { ty, v }]) => {
            let info = op_info(op).ok_or_else(|| format!("no semantics for `{op}`"))?;
            let Some(Some(rt)) = info.result else {
                return Err(Stop::Error(format!("`{op}` folded")));
            };
            if info.params != [Some(*ty)] {
                return Ok((
                    Sym::Const {
                        ty: rt,
                        v: z.bv(0, rt.bits()),
                    },
                    z.bool(false),
                ));
            }
            let out = m.apply(op, &[], &[*v])?;
            Ok((
                Sym::Const {
                    ty: rt,
                    v: out.value.expect("unary value"),
                },
                z.not(out.trap),
            ))
        }
        ("commutative", [Sym::Variant(_, op)]) => {
            let (t, o) = op.split_once('_').unwrap_or(("", ""));
            let yes_op = matches!(t, "i32" | "i64")
                && matches!(o, "add" | "mul" | "and" | "or" | "xor" | "eq" | "ne");
            Ok((Sym::Bool(z.bool(yes_op)), yes))
        }
        ("associative", [Sym::Variant(_, op)]) => {
            let (t, o) = op.split_once('_').unwrap_or(("", ""));
            let yes_op =
                matches!(t, "i32" | "i64") && matches!(o, "add" | "mul" | "and" | "or" | "xor");
            Ok((Sym::Bool(z.bool(yes_op)), yes))
        }
        ("shift_or_rotate", [Sym::Variant(_, op)]) => {
            let (t, o) = op.split_once('_').unwrap_or(("", ""));
            let yes_op = matches!(t, "i32" | "i64")
                && matches!(o, "shl" | "shr_s" | "shr_u" | "rotl" | "rotr");
            Ok((Sym::Bool(z.bool(yes_op)), yes))
        }
        ("integer", [Sym::Expr { ty, .. }]) => Ok((Sym::Bool(z.bool(!ty.is_float())), yes)),
        ("shift_sum", [a, b]) => {
            // (a mod w) + (b mod w) for two counts of one integer type, if below w.
            let (Some((ta, va)), Some((tb, vb))) = (int_const(a), int_const(b)) else {
                return Ok((a.clone(), z.bool(false)));
            };
            if ta != tb {
                return Ok((a.clone(), z.bool(false)));
            }
            let w = ta.bits();
            let low = z.bv((w - 1) as u64, w);
            let sum = z.bvadd(z.bvand(va, low), z.bvand(vb, low));
            Ok((Sym::Const { ty: ta, v: sum }, z.ult(sum, z.bv(w as u64, w))))
        }
        ("log2", [c]) => {
            let Some((ty, v)) = int_const(c) else {
                return Ok((c.clone(), z.bool(false)));
            };
            let w = ty.bits();
            let zero = z.bv(0, w);
            let power = z.and(&[
                z.not(z.eq(v, zero)),
                z.eq(z.bvand(v, z.bvsub(v, z.bv(1, w))), zero),
            ]);
            let k = m
                .apply(&format!("{}_ctz", ty.name()), &[], &[v])?
                .value
                .expect("ctz value");
            Ok((Sym::Const { ty, v: k }, power))
        }
        ("len_le", [a, b]) => {
            let la = leb_len(z, a);
            let lb = leb_len(z, b);
            Ok((Sym::Bool(z.ule(la, lb)), yes))
        }
        ("mask_keeps", [Sym::Int { v: possible, .. }, mask]) => {
            let Some((ty, v)) = int_const(mask) else {
                return Ok((Sym::Bool(z.bool(false)), yes));
            };
            let wide = if ty.bits() == 64 { v } else { z.zext(32, v) };
            Ok((
                Sym::Bool(z.eq(z.bvand(*possible, z.bvnot(wide)), z.bv(0, 64))),
                yes,
            ))
        }
        ("added_offset", [Sym::Int { v: offset, .. }, Sym::Int { v: p_max, .. }, c]) => {
            let Some((ty, v)) = int_const(c) else {
                return Ok((
                    Sym::Int {
                        width: 64,
                        v: *offset,
                    },
                    z.bool(false),
                ));
            };
            // In 66 bits nothing wraps; the limit is 2^32 (i32) or 2^64 (i64).
            let c66 = z.zext(66 - ty.bits(), v);
            let limit = if ty.bits() == 32 {
                z.bv(1 << 32, 66)
            } else {
                z.concat(z.bv(1, 2), z.bv(0, 64))
            };
            let no_wrap = z.ult(z.bvadd(z.zext(2, *p_max), c66), limit);
            let sum = z.bvadd(z.zext(2, *offset), c66);
            let fits = z.ult(sum, limit);
            Ok((
                Sym::Int {
                    width: 64,
                    v: z.extract(63, 0, sum),
                },
                z.and(&[no_wrap, fits]),
            ))
        }
        (
            "same_value",
            [Sym::Expr {
                ty: ta,
                v: a,
                trap: t1,
                ..
            }, Sym::Expr {
                ty: tb,
                v: b,
                trap: t2,
                ..
            }],
        ) => {
            // True only for removable, structurally identical expressions: equal values,
            // no traps. The result may be false for equal values (it is structural).
            let r = z.bool_const("same_value");
            if ta != tb {
                return Ok((Sym::Bool(z.bool(false)), yes));
            }
            let holds = z.and(&[z.eq(*a, *b), z.not(*t1), z.not(*t2)]);
            Ok((Sym::Bool(r), z.implies(r, holds)))
        }
        ("with_offset", [Sym::MemArg { .. }, Sym::Int { v, .. }]) => {
            Ok((Sym::MemArg { offset: *v }, yes))
        }
        _ => Err(Stop::Error(format!(
            "no model for helper `{name}` on {} arguments",
            args.len()
        ))),
    }
}

/// Bytes of the signed LEB128 encoding of an integer constant (0 for floats), as an
/// 8-bit number: the fewest bits n holding the value in two's complement, ⌈n/7⌉.
fn leb_len(z: &Z3, c: &Sym) -> T {
    let Sym::Const { ty, v } = c else {
        return z.bv(0, 8);
    };
    if ty.is_float() {
        return z.bv(0, 8);
    }
    let w = ty.bits();
    let mut len = z.bv(w.div_ceil(7) as u64, 8);
    for n in (1..w).rev() {
        let fits = z.eq(z.sext(w - n, z.extract(n - 1, 0, *v)), *v);
        len = z.ite(fits, z.bv(n.div_ceil(7) as u64, 8), len);
    }
    len
}

fn mask(w: u32) -> u64 {
    if w >= 64 {
        u64::MAX
    } else {
        (1u64 << w) - 1
    }
}

fn resize(z: &Z3, v: T, from: u32, to: u32) -> T {
    match from.cmp(&to) {
        std::cmp::Ordering::Equal => v,
        std::cmp::Ordering::Less => z.zext(to - from, v),
        std::cmp::Ordering::Greater => z.extract(to - 1, 0, v),
    }
}

fn subject_type(s: &Sym) -> Option<NumType> {
    match s {
        Sym::Expr { ty, .. } | Sym::Const { ty, .. } => Some(*ty),
        _ => None,
    }
}

fn check_type(s: &Sym, expect: Option<NumType>) -> R<()> {
    match (subject_type(s), expect) {
        (Some(a), Some(b)) if a != b => Err(Stop::NoMatch),
        _ => Ok(()),
    }
}

/// Substitutes an extractor macro's arguments into its template.
fn expand(template: &Pattern, args: &[Pattern]) -> Pattern {
    match template {
        Pattern::MacroArg { index, .. } => args[*index].clone(),
        Pattern::Term { sym, args: a, pos } => Pattern::Term {
            sym: sym.clone(),
            args: a.iter().map(|p| expand(p, args)).collect(),
            pos: *pos,
        },
        Pattern::And { subpats, pos } => Pattern::And {
            subpats: subpats.iter().map(|p| expand(p, args)).collect(),
            pos: *pos,
        },
        Pattern::BindPattern { var, subpat, pos } => Pattern::BindPattern {
            var: var.clone(),
            subpat: Box::new(expand(subpat, args)),
            pos: *pos,
        },
        other => other.clone(),
    }
}

impl<'z> Enc<'z> {
    fn new(z: &'z Z3, choice: BTreeMap<String, String>) -> Self {
        let mut m = Machine::new(z, "$");
        // Abstract accesses on a memory *version* (a bit-vector, not an array): the
        // query stays in bit-vectors and uninterpreted functions, which Z3 decides well.
        m.abstract_memory = true;
        m.memory = z.bv_const("$memory_version", 64);
        Enc {
            initial_memory: m.memory,
            m,
            choice,
            open: Vec::new(),
            vars: HashMap::new(),
            assumptions: Vec::new(),
            events: Vec::new(),
            var_events: HashMap::new(),
            bounds: Vec::new(),
            shown: Vec::new(),
            fresh: 0,
        }
    }

    fn next_name(&mut self, base: &str) -> String {
        self.fresh += 1;
        format!("{base}#{}", self.fresh)
    }

    /// The chosen value of enumerated variable `name`; the first value (and a note
    /// to enumerate) when not chosen yet.
    fn choose(&mut self, name: &str, values: &[String]) -> R<String> {
        if let Some(v) = self.choice.get(name) {
            return Ok(v.clone());
        }
        if self.open.iter().all(|(n, _)| n != name) {
            self.open.push((name.to_string(), values.to_vec()));
        }
        values
            .first()
            .cloned()
            .ok_or_else(|| Stop::Error(format!("empty enum for `{name}`")))
    }

    /// The wasm type of positions the rule leaves open (enumerated).
    fn type_var(&mut self) -> R<NumType> {
        let names: Vec<String> = TYPES.iter().map(|t| t.name().to_string()).collect();
        let t = self.choose(TYPE_VAR, &names)?;
        Ok(*TYPES.iter().find(|x| x.name() == t).expect("type name"))
    }

    fn bind_lhs(&mut self, name: &str, s: Sym) {
        if let Sym::Expr {
            removable: false, ..
        } = s
        {
            self.events.push(Event::Var(name.to_string()));
            self.var_events
                .insert(name.to_string(), vec![Event::Var(name.to_string())]);
        }
        self.vars.insert(name.to_string(), s);
    }

    /// A subject found removable: its earlier effect event (if any) goes away.
    fn relabel_removable(&mut self, subject: &Sym) {
        let Sym::Expr { v, .. } = subject else { return };
        let names: Vec<String> = self
            .vars
            .iter()
            .filter(|(_, s)| matches!(s, Sym::Expr { v: x, .. } if x == v))
            .map(|(n, _)| n.clone())
            .collect();
        self.events
            .retain(|e| !matches!(e, Event::Var(n) if names.contains(n)));
        for n in names {
            self.var_events.remove(&n);
            if let Some(Sym::Expr {
                removable, trap, ..
            }) = self.vars.get_mut(&n)
            {
                *removable = true;
                *trap = self.m.z.bool(false);
            }
        }
    }

    fn equal(&self, a: &Sym, b: &Sym) -> R<T> {
        let z = self.m.z;
        Ok(match (a, b) {
            (Sym::Expr { v: x, trap: tx, .. }, Sym::Expr { v: y, trap: ty, .. }) => {
                z.and(&[z.eq(*x, *y), z.eq(*tx, *ty)])
            }
            (Sym::Const { ty: t1, v: x }, Sym::Const { ty: t2, v: y }) => {
                if t1 != t2 {
                    return Err(Stop::NoMatch);
                }
                z.eq(*x, *y)
            }
            (Sym::Int { v: x, .. }, Sym::Int { v: y, .. }) | (Sym::Bool(x), Sym::Bool(y)) => {
                z.eq(*x, *y)
            }
            (Sym::MemArg { offset: x }, Sym::MemArg { offset: y }) => z.eq(*x, *y),
            (Sym::Variant(_, x), Sym::Variant(_, y)) => z.bool(x == y),
            _ => return Err(Stop::Error("comparing values of different kinds".into())),
        })
    }
}
