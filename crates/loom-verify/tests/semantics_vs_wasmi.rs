//! Checks the Z3 semantics of every covered instruction against an independent engine,
//! wasmi: each instruction runs in a one-function module on edge values (0, ±1,
//! INT_MIN/MAX, shift counts around the width, ±0, ±inf, NaNs with payloads,
//! subnormals, truncation bounds) and seeded random ones, and Z3's evaluation of the
//! semantics must give the same value or the same trap. Float results of arithmetic
//! compare NaN ≡ NaN (wasm leaves their payload open); bit-level operations
//! (abs, neg, copysign, reinterpret, loads, stores, select, const) compare exact bits.

use loom_verify::ops::{all_names, memory_access, op_info, NumType};
use loom_verify::semantics::Machine;
use loom_verify::z3w::Z3;
use wasmi::{Engine, Linker, Module, Store, Val};

mod common;
use common::{edges, Rng};

fn to_val(t: NumType, bits: u64) -> Val {
    match t {
        NumType::I32 => Val::I32(bits as u32 as i32),
        NumType::I64 => Val::I64(bits as i64),
        NumType::F32 => Val::F32(wasmi::F32::from_bits(bits as u32)),
        NumType::F64 => Val::F64(wasmi::F64::from_bits(bits)),
    }
}

fn from_val(v: &Val) -> u64 {
    match v {
        Val::I32(x) => *x as u32 as u64,
        Val::I64(x) => *x as u64,
        Val::F32(x) => x.to_bits() as u64,
        Val::F64(x) => x.to_bits(),
        _ => unreachable!("numeric results only"),
    }
}

fn is_nan(t: NumType, bits: u64) -> bool {
    match t {
        NumType::F32 => f32::from_bits(bits as u32).is_nan(),
        NumType::F64 => f64::from_bits(bits).is_nan(),
        _ => false,
    }
}

/// Bytes 0..16 of memory, set by a data segment (so loads see something non-zero).
const DATA: [u8; 16] = [
    0x01, 0x82, 0x03, 0x84, 0x75, 0xf6, 0x07, 0x88, 0xff, 0x80, 0x7f, 0x00, 0xaa, 0x55, 0xc3, 0x3c,
];
const PAGE: u64 = 65536;

struct Counts {
    cases: usize,
    traps: usize,
    mismatches: Vec<String>,
}

fn wat_text(name: &str, params: &[NumType], result: Option<NumType>, imm: &str) -> String {
    let ps: Vec<&str> = params.iter().map(|t| t.name()).collect();
    let gets: String = (0..params.len())
        .map(|i| format!("local.get {i} "))
        .collect();
    let data: String = DATA.iter().map(|b| format!("\\{b:02x}")).collect();
    let res = result
        .map(|r| format!("(result {})", r.name()))
        .unwrap_or_default();
    let read = "(func (export \"read\") (param i32) (result i32) local.get 0 i32.load8_u)";
    format!(
        "(module (memory 1) (data (i32.const 0) \"{data}\") {read} (func (export \"f\") {} {res} {gets} {} {imm}))",
        if ps.is_empty() { String::new() } else { format!("(param {})", ps.join(" ")) },
        name.replacen('_', ".", 1)
    )
}

fn check_op(name: &str, rng: &mut Rng, counts: &mut Counts) {
    let info = op_info(name).expect("covered");
    let access = memory_access(name);
    // `select` is checked at each type; memory offsets at a few values.
    let types: Vec<Option<NumType>> = if name == "select" {
        [NumType::I32, NumType::I64, NumType::F32, NumType::F64]
            .into_iter()
            .map(Some)
            .collect()
    } else {
        vec![None]
    };
    for poly in types {
        let params: Vec<NumType> = info
            .params
            .iter()
            .map(|t| t.or(poly).expect("typed"))
            .collect();
        let result = info.result.map(|r| r.or(poly).expect("typed"));
        let immediates: Vec<u64> = if name.ends_with("_const") {
            edges(info.immediates[0], rng)
        } else if access.is_some() {
            vec![0, 1, 3, PAGE - 1]
        } else {
            vec![u64::MAX] // no immediate
        };
        for &imm in &immediates {
            let imm_text = match (name.ends_with("_const"), access) {
                (true, _) => {
                    let t = info.immediates[0];
                    match t {
                        NumType::I32 => format!("{}", imm as u32 as i32),
                        NumType::I64 => format!("{}", imm as i64),
                        NumType::F32 | NumType::F64 => float_text(t, imm),
                    }
                }
                (false, Some(_)) => format!("offset={imm}"),
                _ => String::new(),
            };
            let wat = wat_text(name, &params, result, &imm_text);
            let wasm = wat::parse_str(&wat).unwrap_or_else(|e| panic!("{wat}: {e}"));
            let engine = Engine::default();
            let module = Module::new(&engine, &wasm).expect("module");
            let inputs: Vec<Vec<u64>> = operand_tuples(&params, access.is_some(), rng);
            // One Z3 context per module: its terms are shared by the cases.
            let z = Z3::new();
            for input in inputs {
                let mut store = Store::new(&engine, ());
                let instance = Linker::<()>::new(&engine)
                    .instantiate_and_start(&mut store, &module)
                    .expect("instance");
                let f = instance.get_func(&store, "f").expect("f");
                let args: Vec<Val> = params
                    .iter()
                    .zip(&input)
                    .map(|(t, b)| to_val(*t, *b))
                    .collect();
                let mut out: Vec<Val> = result.iter().map(|t| to_val(*t, 0)).collect();
                let engine_result = f
                    .call(&mut store, &args, &mut out)
                    .map(|()| out.first().map(from_val));

                // Z3's evaluation of the same instruction.
                let mut m = Machine::new(&z, "");
                let mut memory = z.memory_zero();
                for (i, b) in DATA.iter().enumerate() {
                    memory = z.store(memory, z.bv(i as u64, 64), z.bv(*b as u64, 8));
                }
                m.memory = memory;
                m.memory_size = z.bv(PAGE, 64);
                let imms: Vec<_> = info
                    .immediates
                    .iter()
                    .map(|t| z.bv(imm, t.bits()))
                    .collect();
                let vals: Vec<_> = params
                    .iter()
                    .zip(&input)
                    .map(|(t, b)| z.bv(*b, t.bits()))
                    .collect();
                let o = m.apply(name, &imms, &vals).expect("semantics");
                let z_trap = z.eval_bool(o.trap).expect("trap evaluates");
                counts.cases += 1;
                let case = format!("{name} imm={imm:#x} args={input:x?}");
                match engine_result {
                    Err(_) if z_trap => counts.traps += 1,
                    Err(e) => counts
                        .mismatches
                        .push(format!("{case}: wasmi traps ({e}), Z3 does not")),
                    Ok(_) if z_trap => counts
                        .mismatches
                        .push(format!("{case}: Z3 traps, wasmi does not")),
                    Ok(v) => {
                        if let (Some(v), Some(zv)) = (v, o.value) {
                            let zv = z.eval_bv(zv).expect("value evaluates");
                            let t = result.expect("result type");
                            let exact_bits = !t.is_float()
                                || access.is_some()
                                || name == "select"
                                || name.ends_with("_const")
                                || ["abs", "neg", "copysign"].iter().any(|o| name.ends_with(o))
                                || name.contains("reinterpret");
                            let same = zv == v || !exact_bits && is_nan(t, zv) && is_nan(t, v);
                            if !same {
                                counts
                                    .mismatches
                                    .push(format!("{case}: wasmi {v:#x}, Z3 {zv:#x}"));
                            }
                        }
                        if access.is_some_and(|a| a.store) {
                            // Compare the bytes around the stored address.
                            let read = instance.get_func(&store, "read").expect("read");
                            let ea = (input[0] as u32 as u64).wrapping_add(imm);
                            for at in ea.saturating_sub(1)..(ea + 9).min(PAGE) {
                                let mut b = [Val::I32(0)];
                                read.call(&mut store, &[Val::I32(at as i32)], &mut b)
                                    .expect("read");
                                let zb = z.eval_bv(z.select(m.memory, z.bv(at, 64))).expect("byte");
                                if from_val(&b[0]) != zb {
                                    counts.mismatches.push(format!(
                                        "{case}: byte {at}: wasmi {:?}, Z3 {zb}",
                                        b[0]
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn float_text(t: NumType, bits: u64) -> String {
    // Exact hex-float text from the bits, NaN payloads included.
    let (exp_bits, man_bits): (u64, u64) = if t == NumType::F32 { (8, 23) } else { (11, 52) };
    let sign = if bits >> (exp_bits + man_bits) & 1 == 1 {
        "-"
    } else {
        ""
    };
    let exp = (bits >> man_bits) & ((1 << exp_bits) - 1);
    let man = bits & ((1 << man_bits) - 1);
    let max_exp = (1 << exp_bits) - 1;
    let bias = (1i64 << (exp_bits - 1)) - 1;
    let digits = man_bits.div_ceil(4);
    let man_hex = format!(
        "{:0width$x}",
        man << (digits * 4 - man_bits),
        width = digits as usize
    );
    if exp == max_exp {
        return if man == 0 {
            format!("{sign}inf")
        } else {
            format!("{sign}nan:0x{man:x}")
        };
    }
    if exp == 0 {
        return format!("{sign}0x0.{man_hex}p{}", 1 - bias);
    }
    format!("{sign}0x1.{man_hex}p{}", exp as i64 - bias)
}

/// Operand tuples: each operand over its edge values (all pairs for two operands, a
/// sample for three); addresses near the memory's end for loads and stores.
fn operand_tuples(params: &[NumType], memory: bool, rng: &mut Rng) -> Vec<Vec<u64>> {
    if memory {
        let addresses = [
            0u64,
            1,
            8,
            PAGE - 8,
            PAGE - 4,
            PAGE - 2,
            PAGE - 1,
            PAGE,
            0xffff_ffff,
        ];
        let values: Vec<u64> = edges(*params.last().unwrap(), rng)
            .into_iter()
            .take(4)
            .collect();
        return addresses
            .iter()
            .flat_map(|&a| {
                if params.len() == 2 {
                    values.iter().map(|&v| vec![a, v]).collect::<Vec<_>>()
                } else {
                    vec![vec![a]]
                }
            })
            .collect();
    }
    match params {
        [] => vec![vec![]],
        [a] => edges(*a, rng).into_iter().map(|x| vec![x]).collect(),
        [a, b] => {
            let eb = edges(*b, rng);
            edges(*a, rng)
                .into_iter()
                .flat_map(|x| eb.iter().map(move |&y| vec![x, y]))
                .collect()
        }
        [a, b, _] => {
            let (ea, eb) = (edges(*a, rng), edges(*b, rng));
            [0u64, 1, 0x8000_0000]
                .iter()
                .flat_map(|&cv| ea.iter().zip(&eb).map(move |(&x, &y)| vec![x, y, cv]))
                .collect()
        }
        _ => unreachable!(),
    }
}

#[test]
fn semantics_agree_with_wasmi() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut counts = Counts {
        cases: 0,
        traps: 0,
        mismatches: Vec::new(),
    };
    let names = all_names();
    for name in &names {
        check_op(name, &mut rng, &mut counts);
    }
    println!(
        "{} instructions, {} cases ({} trapping in both), {} mismatches",
        names.len(),
        counts.cases,
        counts.traps,
        counts.mismatches.len()
    );
    for m in counts.mismatches.iter().take(40) {
        println!("{m}");
    }
    assert!(counts.mismatches.is_empty());
}
