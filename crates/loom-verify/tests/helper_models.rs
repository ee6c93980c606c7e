//! The rule proofs trust the Z3 models of the pure helpers (`fold_binary`, `log2` ...);
//! this test checks those models against the Rust helpers the optimizer actually runs
//! (`loom_core::rules::helpers`), on edge values and seeded random ones: for every
//! input, the Rust result (or its absence) must equal the model's evaluation. So a wrong
//! Rust constant folder fails here even though the proofs used the model.

mod common;
use common::{edges, Rng};
use loom_core::rules::helpers::{self, Const};
use loom_core::rules::ops::{BinOp, UnOp};
use loom_verify::ops::NumType;
use loom_verify::prover::{helper_model, Sym};
use loom_verify::semantics::Machine;
use loom_verify::z3w::Z3;
use wasmparser::ValType;

fn num(t: ValType) -> NumType {
    match t {
        ValType::I32 => NumType::I32,
        ValType::I64 => NumType::I64,
        ValType::F32 => NumType::F32,
        ValType::F64 => NumType::F64,
        other => panic!("not a number type: {other:?}"),
    }
}

fn rust_const(t: NumType, bits: u64) -> Const {
    match t {
        NumType::I32 => Const::I32(bits as u32 as i32),
        NumType::I64 => Const::I64(bits as i64),
        NumType::F32 => Const::F32(bits as u32),
        NumType::F64 => Const::F64(bits),
    }
}

fn const_bits(c: Const) -> (NumType, u64) {
    match c {
        Const::I32(v) => (NumType::I32, v as u32 as u64),
        Const::I64(v) => (NumType::I64, v as u64),
        Const::F32(v) => (NumType::F32, v as u64),
        Const::F64(v) => (NumType::F64, v),
    }
}

/// What a helper returned, in a form both sides can produce.
#[derive(Debug, PartialEq, Eq)]
enum Out {
    None,
    Const(NumType, u64),
    Int(u64),
    Bool(bool),
}

fn rust_out_const(c: Option<Const>) -> Out {
    c.map(|c| {
        let (t, b) = const_bits(c);
        Out::Const(t, b)
    })
    .unwrap_or(Out::None)
}

struct Checker {
    cases: usize,
    mismatches: Vec<String>,
}

impl Checker {
    /// Evaluates the model of `name` on concrete arguments.
    fn model(&self, name: &str, args: &[Sym], z: &Z3) -> Out {
        let mut m = Machine::new(z, "");
        let (s, defined) =
            helper_model(&mut m, name, args).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        if !z.eval_bool(defined).expect("definedness evaluates") {
            return Out::None;
        }
        match s {
            Sym::Const { ty, v } => Out::Const(ty, z.eval_bv(v).expect("value")),
            Sym::Int { v, .. } => Out::Int(z.eval_bv(v).expect("value")),
            Sym::Bool(b) => Out::Bool(z.eval_bool(b).expect("value")),
            other => panic!("{name} gave {other:?}"),
        }
    }

    fn compare(&mut self, case: String, rust: Out, model: Out) {
        self.cases += 1;
        if rust != model {
            self.mismatches
                .push(format!("{case}: Rust {rust:?}, model {model:?}"));
        }
    }
}

fn sym_const(z: &Z3, t: NumType, bits: u64) -> Sym {
    Sym::Const {
        ty: t,
        v: z.bv(bits, t.bits()),
    }
}

fn variant(e: &str, v: &str) -> Sym {
    Sym::Variant(e.into(), v.into())
}

#[test]
fn helpers_match_their_models() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let mut c = Checker {
        cases: 0,
        mismatches: Vec::new(),
    };
    let z = Z3::new();

    for &op in BinOp::ALL {
        let t = num(op.operand_type());
        let values = edges(t, &mut rng);
        for &a in &values {
            for &b in &values {
                let rust =
                    rust_out_const(helpers::fold_binary(op, rust_const(t, a), rust_const(t, b)));
                let args = [
                    variant("BinOp", op.name()),
                    sym_const(&z, t, a),
                    sym_const(&z, t, b),
                ];
                let model = c.model("fold_binary", &args, &z);
                c.compare(
                    format!("fold_binary {} {a:#x} {b:#x}", op.name()),
                    rust,
                    model,
                );
            }
        }
        // Operands of the wrong type: no result.
        let wrong = if t == NumType::I32 {
            NumType::I64
        } else {
            NumType::I32
        };
        let rust = rust_out_const(helpers::fold_binary(
            op,
            rust_const(wrong, 1),
            rust_const(wrong, 1),
        ));
        let args = [
            variant("BinOp", op.name()),
            sym_const(&z, wrong, 1),
            sym_const(&z, wrong, 1),
        ];
        let model = c.model("fold_binary", &args, &z);
        c.compare(
            format!("fold_binary {} on {}", op.name(), wrong.name()),
            rust,
            model,
        );

        let predicates = [
            ("commutative", helpers::commutative as fn(BinOp) -> bool),
            ("associative", helpers::associative),
            ("shift_or_rotate", helpers::shift_or_rotate),
        ];
        for (name, f) in predicates {
            let model = c.model(name, &[variant("BinOp", op.name())], &z);
            c.compare(format!("{name} {}", op.name()), Out::Bool(f(op)), model);
        }
    }

    for &op in UnOp::ALL {
        let t = num(op.operand_type());
        for a in edges(t, &mut rng) {
            let rust = rust_out_const(helpers::fold_unary(op, rust_const(t, a)));
            let model = c.model(
                "fold_unary",
                &[variant("UnOp", op.name()), sym_const(&z, t, a)],
                &z,
            );
            c.compare(format!("fold_unary {} {a:#x}", op.name()), rust, model);
        }
    }

    let types = [NumType::I32, NumType::I64, NumType::F32, NumType::F64];
    let mut consts = Vec::new();
    for t in types {
        for v in edges(t, &mut rng) {
            consts.push((t, v));
        }
        for k in 0..t.bits() {
            consts.push((t, 1u64 << k));
            consts.push((
                t,
                (1u64 << k)
                    ^ if t.bits() == 32 {
                        0xffff_ffff
                    } else {
                        u64::MAX
                    },
            ));
        }
    }
    for &(t, v) in &consts {
        let rust = rust_out_const(helpers::log2(rust_const(t, v)));
        let model = c.model("log2", &[sym_const(&z, t, v)], &z);
        c.compare(format!("log2 {}:{v:#x}", t.name()), rust, model);
    }
    let sample: Vec<(NumType, u64)> = consts.iter().step_by(3).copied().collect();
    for &(ta, a) in &sample {
        for &(tb, b) in &sample {
            let rust = rust_out_const(helpers::shift_sum(rust_const(ta, a), rust_const(tb, b)));
            let model = c.model(
                "shift_sum",
                &[sym_const(&z, ta, a), sym_const(&z, tb, b)],
                &z,
            );
            c.compare(
                format!("shift_sum {}:{a:#x} {}:{b:#x}", ta.name(), tb.name()),
                rust,
                model,
            );
        }
    }
    for (ta, a) in [
        (NumType::I32, 31),
        (NumType::I32, 1),
        (NumType::I64, 63),
        (NumType::I64, 0),
    ] {
        for b in [0u64, 1, 31, 32, 33, 63, 64, 65, u64::MAX] {
            let b = if ta == NumType::I32 {
                b & 0xffff_ffff
            } else {
                b
            };
            let rust = rust_out_const(helpers::shift_sum(rust_const(ta, a), rust_const(ta, b)));
            let model = c.model(
                "shift_sum",
                &[sym_const(&z, ta, a), sym_const(&z, ta, b)],
                &z,
            );
            c.compare(
                format!("shift_sum {}:{a:#x} {b:#x}", ta.name()),
                rust,
                model,
            );
        }
    }
    for &(ta, a) in &sample {
        for &(tb, b) in &sample {
            let rust = Out::Bool(helpers::len_le(rust_const(ta, a), rust_const(tb, b)));
            let model = c.model("len_le", &[sym_const(&z, ta, a), sym_const(&z, tb, b)], &z);
            c.compare(
                format!("len_le {}:{a:#x} {}:{b:#x}", ta.name(), tb.name()),
                rust,
                model,
            );
        }
    }
    let u64s: Vec<u64> = edges(NumType::I64, &mut rng)
        .into_iter()
        .chain([
            0xff,
            0xffff,
            0xffff_0000,
            u32::MAX as u64 + 1,
            0xffff_ffff_0000_0000,
        ])
        .collect();
    for &possible in &u64s {
        for &(t, mask) in &sample {
            let rust = Out::Bool(helpers::mask_keeps(possible, rust_const(t, mask)));
            let args = [
                Sym::Int {
                    width: 64,
                    v: z.bv(possible, 64),
                },
                sym_const(&z, t, mask),
            ];
            let model = c.model("mask_keeps", &args, &z);
            c.compare(
                format!("mask_keeps {possible:#x} {}:{mask:#x}", t.name()),
                rust,
                model,
            );
        }
    }
    for &offset in &u64s {
        for &p_max in u64s.iter().step_by(2) {
            for &(t, v) in sample.iter().step_by(2) {
                let rust = helpers::added_offset(offset, p_max, rust_const(t, v))
                    .map_or(Out::None, Out::Int);
                let args = [
                    Sym::Int {
                        width: 64,
                        v: z.bv(offset, 64),
                    },
                    Sym::Int {
                        width: 64,
                        v: z.bv(p_max, 64),
                    },
                    sym_const(&z, t, v),
                ];
                let model = c.model("added_offset", &args, &z);
                c.compare(
                    format!("added_offset {offset:#x} {p_max:#x} {}:{v:#x}", t.name()),
                    rust,
                    model,
                );
            }
        }
    }

    println!(
        "{} helper cases, {} mismatches",
        c.cases,
        c.mismatches.len()
    );
    for m in c.mismatches.iter().take(40) {
        println!("{m}");
    }
    assert!(c.mismatches.is_empty());
}
