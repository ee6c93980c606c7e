//! Real WasmGC programs, run before and after optimization (issue 19).
//!
//! `tests/gc-programs/*.wasm` are Python programs compiled by p2w, a
//! Python-to-WasmGC compiler (structs, arrays, i31, casts, `try_table` and
//! `throw_ref`, `call_ref`; see that folder's README). Each is run in
//! wasmtime with a small host implementing the imports p2w's modules need
//! (the same as p2w's JavaScript runner: output written byte by byte,
//! integers and floats formatted as JavaScript formats them, the DOM stubs
//! answering zero), and must print exactly the `.out` beside it, which node 22
//! printed for the unoptimized module. Then every level, and every single pass
//! on its own, must give a valid module that prints the same and exits the
//! same way.
//!
//! Nearly all the time goes to wasmtime compiling the modules (about 0.3 s of
//! CPU for each 80 KB program, once per level or pass). The levels are checked
//! in every `cargo test`; every single pass (some 220 compilations, over a
//! minute) only when asked for, as `.ci/run` does:
//! `cargo test --workspace --test gc_programs -- --ignored`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use loom_core::Options;
use rayon::prelude::*;
use wasmtime::{Caller, Engine, Extern, Linker, Module, Store, Val, ValType};

/// Fuel per run (one unit per wasm instruction or so): the programs use
/// under 300 000 each, so this bounds a miscompiled infinite loop, not a
/// legitimate run.
const FUEL: u64 = 100_000_000;
/// Native stack of the threads that optimize and run (as diff.rs's workers),
/// and the wasm stack wasmtime may use on them (well below it).
const WORKER_STACK: usize = 64 << 20;
const MAX_WASM_STACK: usize = 1 << 20;

struct Program {
    name: String,
    wasm: Vec<u8>,
    expected: String,
}

fn programs() -> Vec<Program> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/gc-programs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no programs in {}", dir.display());
    paths
        .into_iter()
        .map(|path| {
            let out = path.with_extension("out");
            Program {
                name: path.file_stem().unwrap().to_string_lossy().into_owned(),
                wasm: std::fs::read(&path).unwrap(),
                expected: std::fs::read_to_string(&out)
                    .unwrap_or_else(|e| panic!("reading {}: {e}", out.display())),
            }
        })
        .collect()
}

/// What one run printed and how it ended: `_start`'s result (the exit code
/// p2w's runner passes to `process.exit`), or the trap or uncaught exception.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    output: String,
    exit: Result<i32, String>,
}

/// The store's state: the bytes written so far.
#[derive(Default)]
struct Host {
    output: Vec<u8>,
}

/// The engine: the features p2w's modules use, compiled as fast as possible
/// (Cranelift without optimizations, single-pass register allocation: the
/// speed of the code does not matter here), fuel counted.
fn engine() -> Engine {
    let mut config = wasmtime::Config::new();
    config
        .consume_fuel(true)
        .cranelift_opt_level(wasmtime::OptLevel::None)
        .cranelift_regalloc_algorithm(wasmtime::RegallocAlgorithm::SinglePass)
        .parallel_compilation(false)
        .max_wasm_stack(MAX_WASM_STACK)
        .wasm_reference_types(true)
        .wasm_function_references(true)
        .wasm_gc(true)
        .wasm_exceptions(true)
        .wasm_tail_call(true)
        .wasm_multi_value(true)
        .wasm_bulk_memory(true);
    Engine::new(&config).expect("wasmtime engine")
}

/// Runs a p2w module's `_start` with the host p2w's node runner provides.
/// `Err` when the module cannot even be instantiated.
fn run(engine: &Engine, wasm: &[u8]) -> Result<Run, String> {
    let module = Module::new(engine, wasm).map_err(|e| format!("compiling: {e:#}"))?;
    let mut linker: Linker<Host> = Linker::new(engine);
    define_env(&mut linker).map_err(|e| format!("defining the host: {e:#}"))?;
    // The DOM and canvas imports ("js"): stubs answering zero, as in p2w's
    // runner. Anything else imported is an error, not a silent default.
    for import in module.imports() {
        if import.module() == "js" {
            let Some(ty) = import.ty().func().cloned() else {
                return Err(format!("js.{} is not a function", import.name()));
            };
            let zeros: Vec<Val> = ty.results().map(|t| zero(&t)).collect();
            linker
                .func_new("js", import.name(), ty, move |_, _, results| {
                    results.clone_from_slice(&zeros);
                    Ok(())
                })
                .map_err(|e| format!("js.{}: {e:#}", import.name()))?;
        }
    }
    let mut store = Store::new(engine, Host::default());
    store.set_fuel(FUEL).map_err(|e| e.to_string())?;
    let instance = linker
        .instantiate(&mut store, &module)
        .map_err(|e| format!("instantiating: {e:#}"))?;
    let start = instance
        .get_typed_func::<(), i32>(&mut store, "_start")
        .map_err(|e| format!("_start: {e:#}"))?;
    let exit = start.call(&mut store, ()).map_err(|e| format!("{e:#}"));
    // TextDecoder('utf-8') in the runner: invalid sequences become U+FFFD.
    let output = String::from_utf8_lossy(&store.data().output).into_owned();
    Ok(Run { output, exit })
}

/// The zero of a result type (only numbers occur in p2w's imports; a
/// reference would be answered with an i32, and wasmtime would say so).
fn zero(ty: &ValType) -> Val {
    match ty {
        ValType::I64 => Val::I64(0),
        ValType::F32 => Val::F32(0),
        ValType::F64 => Val::F64(0),
        _ => Val::I32(0),
    }
}

fn push_str(caller: &mut Caller<'_, Host>, text: &str) {
    caller.data_mut().output.extend_from_slice(text.as_bytes());
}

/// Writes `text` into the exported memory at `offset` and returns its length,
/// as the runner's `f64_to_string` and `f64_format_precision` do.
fn write_to_memory(
    caller: &mut Caller<'_, Host>,
    offset: i32,
    text: &str,
) -> wasmtime::Result<i32> {
    let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
        wasmtime::bail!("no exported memory");
    };
    memory.write(&mut *caller, offset as u32 as usize, text.as_bytes())?;
    Ok(text.len() as i32)
}

fn define_env(linker: &mut Linker<Host>) -> wasmtime::Result<()> {
    linker.func_wrap(
        "env",
        "write_char",
        |mut caller: Caller<'_, Host>, byte: i32| {
            // `new Uint8Array(outputBytes)` keeps the low eight bits.
            caller.data_mut().output.push(byte as u8);
        },
    )?;
    linker.func_wrap(
        "env",
        "write_i32",
        |mut caller: Caller<'_, Host>, value: i32| {
            push_str(&mut caller, &value.to_string());
        },
    )?;
    linker.func_wrap(
        "env",
        "write_i64",
        |mut caller: Caller<'_, Host>, value: i64| {
            push_str(&mut caller, &value.to_string());
        },
    )?;
    linker.func_wrap(
        "env",
        "write_f64",
        |mut caller: Caller<'_, Host>, value: f64| {
            push_str(&mut caller, &python_style(value));
        },
    )?;
    linker.func_wrap(
        "env",
        "f64_to_string",
        |mut caller: Caller<'_, Host>, value: f64, offset: i32| {
            write_to_memory(&mut caller, offset, &python_style(value))
        },
    )?;
    linker.func_wrap(
        "env",
        "f64_format_precision",
        |mut caller: Caller<'_, Host>, value: f64, precision: i32, offset: i32| {
            write_to_memory(
                &mut caller,
                offset,
                &js_to_fixed(value, precision.clamp(0, 100) as usize),
            )
        },
    )?;
    // `Math.pow`: V8's may differ from the C library's in the last bit for
    // some arguments; no program here prints such a power.
    linker.func_wrap("env", "math_pow", |base: f64, exp: f64| base.powf(exp))?;
    Ok(())
}

/// The runner's float formatting: JavaScript's `String(value)`, with `.0`
/// added to finite values printed without a point or an exponent.
fn python_style(value: f64) -> String {
    let mut text = js_number_to_string(value);
    if value.is_finite() && !text.contains('.') && !text.contains('e') {
        text.push_str(".0");
    }
    text
}

/// ECMAScript `Number::toString(x)` (radix 10, ECMA-262 §6.1.6.1.20): the
/// shortest digits that read back as `x`, placed by the exponent.
fn js_number_to_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x < 0.0 {
        return format!("-{}", js_number_to_string(-x));
    }
    if x.is_infinite() {
        return "Infinity".into();
    }
    // Rust's `{:e}` prints the same shortest round-trip digits: d.ddde±x.
    let scientific = format!("{x:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap();
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let n = exponent.parse::<i32>().unwrap() + 1;
    if k <= n && n <= 21 {
        digits + &"0".repeat((n - k) as usize)
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let sign = if e < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        format!("{first}{point}e{sign}{}", e.abs())
    }
}

/// ECMAScript `Number.prototype.toFixed` (§21.1.3.3): the exact value
/// rounded to `digits` decimals, ties away from zero (unlike Rust's `{:.N}`).
fn js_to_fixed(x: f64, digits: usize) -> String {
    if !x.is_finite() || x.abs() >= 1e21 {
        return js_number_to_string(x);
    }
    // A double's exact decimal expansion ends within 1074 fractional digits.
    let exact = format!("{:.1100}", x.abs());
    let (int_part, fraction) = exact.split_once('.').unwrap();
    let mut kept: Vec<u8> = int_part
        .bytes()
        .chain(fraction.bytes().take(digits))
        .collect();
    let mut int_len = int_part.len();
    if fraction.as_bytes()[digits] >= b'5' {
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, b'1');
                int_len += 1;
                break;
            }
            i -= 1;
            if kept[i] == b'9' {
                kept[i] = b'0';
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    let kept = String::from_utf8(kept).unwrap();
    let body = if digits == 0 {
        kept
    } else {
        format!("{}.{}", &kept[..int_len], &kept[int_len..])
    };
    // `-0` is not below zero: (-0).toFixed(2) is "0.00".
    if x < 0.0 {
        format!("-{body}")
    } else {
        body
    }
}

/// Optimizes `program` with `options` and checks the result validates and
/// runs as the original did; `None` when it does, else what went wrong.
fn check(engine: &Engine, program: &Program, options: &Options, cache: &Cache) -> Option<String> {
    let optimized = match loom_core::optimize(&program.wasm, options) {
        Ok(output) => output.bytes,
        Err(e) => return Some(format!("LOOM error: {e}")),
    };
    if let Some(verdict) = cache.lock().unwrap().get(&optimized) {
        return verdict.clone();
    }
    let verdict = verdict(engine, program, &optimized);
    cache.lock().unwrap().insert(optimized, verdict.clone());
    verdict
}

fn verdict(engine: &Engine, program: &Program, optimized: &[u8]) -> Option<String> {
    if let Err(e) = wasmparser::Validator::new_with_features(loom_core::features::accepted())
        .validate_all(optimized)
    {
        return Some(format!("invalid output: {e}"));
    }
    match run(engine, optimized) {
        Err(e) => Some(e),
        Ok(Run {
            output,
            exit: Ok(0),
        }) if output == program.expected => None,
        Ok(Run { output, exit }) => Some(format!(
            "ends with {exit:?}, prints {}",
            if output == program.expected {
                "the same".to_string()
            } else {
                format!("{output:?}")
            }
        )),
    }
}

/// Verdicts by output bytes: passes that change nothing give the same module.
type Cache = Mutex<HashMap<Vec<u8>, Option<String>>>;

/// Runs `variants` (name, options) on every program on a pool of large-stack
/// threads and returns the failures, one line each.
fn check_all(variants: Vec<(String, Options)>) -> Vec<String> {
    let engine = engine();
    let programs = programs();
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK)
        .build()
        .unwrap();
    pool.install(|| {
        // Every original first: the host must reproduce node's output.
        let originals: Vec<String> = programs
            .par_iter()
            .filter_map(|program| match run(&engine, &program.wasm) {
                Ok(Run {
                    output,
                    exit: Ok(0),
                }) if output == program.expected => None,
                other => Some(format!("{} (unoptimized): {other:?}", program.name)),
            })
            .collect();
        assert!(
            originals.is_empty(),
            "the host does not run the originals as node does:\n{}",
            originals.join("\n")
        );
        let caches: Vec<Cache> = programs.iter().map(|_| Mutex::default()).collect();
        let jobs: Vec<(usize, &(String, Options))> = (0..programs.len())
            .flat_map(|p| variants.iter().map(move |v| (p, v)))
            .collect();
        let mut failures: Vec<String> = jobs
            .par_iter()
            .filter_map(|(p, (name, options))| {
                check(&engine, &programs[*p], options, &caches[*p])
                    .map(|problem| format!("{} at {name}: {problem}", programs[*p].name))
            })
            .collect();
        failures.sort();
        failures
    })
}

#[test]
fn gc_programs_print_the_same_at_every_level() {
    // O0 only re-encodes: every single pass covers it.
    let variants = loom_check::diff::LEVELS[1..]
        .iter()
        .map(|level| (format!("{level:?}"), Options::new(*level)))
        .collect();
    let failures = check_all(variants);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[ignore = "over a minute of wasmtime compilation: run with --ignored (.ci/run does)"]
fn gc_programs_print_the_same_after_every_single_pass() {
    let variants = loom_core::pass::registry()
        .iter()
        .map(|pass| (pass.name.to_string(), Options::only_passes(&[pass.name])))
        .collect();
    let failures = check_all(variants);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn host_formats_numbers_as_javascript_does() {
    // Expected strings are what node 22 prints for String(x) / x.toFixed(d).
    for (x, js) in [
        (0.1 + 0.2, "0.30000000000000004"),
        (1e21, "1e+21"),
        (123456789012345680000.0, "123456789012345680000"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (-2.5, "-2.5"),
        (f64::NEG_INFINITY, "-Infinity"),
        (-0.0, "0"),
        (5e-324, "5e-324"),
    ] {
        assert_eq!(js_number_to_string(x), js, "String({x:e})");
    }
    for (x, d, js) in [
        (2.5, 0, "3"),
        (0.125, 2, "0.13"),
        (1.005, 2, "1.00"),
        (-1.0 / 3.0, 4, "-0.3333"),
        (-0.0001, 2, "-0.00"),
        (9.995, 2, "9.99"),
        (99.5, 0, "100"),
        (1e21, 2, "1e+21"),
    ] {
        assert_eq!(js_to_fixed(x, d), js, "({x}).toFixed({d})");
    }
    assert_eq!(python_style(3.0), "3.0");
    assert_eq!(python_style(1e21), "1e+21");
}
