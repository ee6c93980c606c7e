//! Read + IR + write throughput on real modules.
//!
//! For each module three benchmarks, all reported in bytes of input per second:
//!
//! * `validate` — `wasmparser::Validator::validate_all` with LOOM's accepted features: the
//!   baseline, since validation alone is the least any optimizer must do;
//! * `read` — `Module::read`: parse, validate (once) and lift every function to the IR;
//! * `read+write` — `Module::read` then `Module::write` with `-O0` options: the full round
//!   trip without passes.
//!
//! Modules come from the corpus cache (`$LOOM_CORPUS_CACHE`, default `~/.cache/loom-corpus`,
//! filled by `cargo run -p loom-corpus -- fetch`): by default the three largest core modules
//! of the original corpus (`flite-dwarf`, `ruby`, `onnxruntime`); `LOOM_BENCH_MODULES=id,id`
//! picks others (a corpus id, or a path to any `.wasm` file). If none is available the bench
//! says so and measures a small module built from WAT instead, so `cargo bench` still runs.
//!
//! Run with `cargo bench -p loom-core --bench roundtrip` (criterion arguments go after `--`,
//! e.g. `-- read` to filter). Sample counts are low (10 flat samples, ~10 s per benchmark) so
//! the default set finishes in a few minutes on two cores.
//!
//! `LOOM_BENCH_ONCE=N` skips criterion and just times each stage N times (default 3 if the
//! value is not a number), printing the best wall time and MB/s per module: a quick look,
//! not a statistic.
//!
//! Under `cargo test --benches` (criterion's test mode: no `--bench` argument) only the small
//! built-in module is used unless `LOOM_BENCH_MODULES` is set, so tests stay fast.

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use loom_core::{features, Module, OptLevel, Options, Stats};
use loom_corpus::cache_dir;

mod common;
use common::{corpus_inputs, test_mode, Input, MODULES_ENV};

/// The default modules: the largest core modules of the corpus.
const DEFAULT_MODULES: &[&str] = &["flite-dwarf", "ruby", "onnxruntime"];

/// Environment variable selecting the plain timing mode instead of criterion.
const ONCE_ENV: &str = "LOOM_BENCH_ONCE";

/// The fallback module: a few functions with loops, calls, memory and locals, so that every
/// stage has some work to do.
const FALLBACK_WAT: &str = r#"
(module
  (memory (export "memory") 1)
  (global $seed (mut i32) (i32.const 17))
  (func $mix (param $a i32) (param $b i32) (result i32)
    local.get $a
    i32.const 0x9e3779b9
    i32.mul
    local.get $b
    i32.xor
    i32.const 13
    i32.rotl)
  (func $fill (export "fill") (param $n i32)
    (local $i i32)
    (block $done
      (loop $next
        local.get $i
        local.get $n
        i32.ge_u
        br_if $done
        local.get $i
        i32.const 2
        i32.shl
        local.get $i
        global.get $seed
        call $mix
        i32.store
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $next)))
  (func $sum (export "sum") (param $n i32) (result i64)
    (local $i i32) (local $acc i64)
    (block $done
      (loop $next
        local.get $i
        local.get $n
        i32.ge_u
        br_if $done
        local.get $acc
        local.get $i
        i32.const 2
        i32.shl
        i64.load32_u
        i64.add
        local.set $acc
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $next))
    local.get $acc)
  (func $fib (export "fib") (param $n i32) (result i32)
    local.get $n
    i32.const 2
    i32.lt_u
    if (result i32)
      local.get $n
    else
      local.get $n
      i32.const 1
      i32.sub
      call $fib
      local.get $n
      i32.const 2
      i32.sub
      call $fib
      i32.add
    end)
)
"#;

fn fallback_input() -> Input {
    let bytes = loom_core::parse_input(FALLBACK_WAT.as_bytes())
        .expect("the fallback WAT parses")
        .into_owned();
    Input {
        name: "builtin-wat".to_string(),
        bytes,
    }
}

/// What to measure: the requested or default corpus modules, else the built-in module.
fn inputs() -> Vec<Input> {
    let requested = std::env::var(MODULES_ENV)
        .ok()
        .filter(|s| !s.trim().is_empty());
    if requested.is_none() && test_mode() && std::env::var_os(ONCE_ENV).is_none() {
        return vec![fallback_input()];
    }
    let inputs = corpus_inputs("roundtrip", requested.as_deref(), DEFAULT_MODULES);
    if inputs.is_empty() {
        eprintln!(
            "roundtrip bench: no corpus module available in {} (set {} or {MODULES_ENV}); \
             measuring a small built-in module instead",
            cache_dir().display(),
            loom_corpus::CACHE_ENV
        );
        return vec![fallback_input()];
    }
    inputs
}

fn validate(bytes: &[u8]) {
    let types = wasmparser::Validator::new_with_features(features::accepted())
        .validate_all(bytes)
        .expect("module validates");
    std::hint::black_box(types);
}

fn read(bytes: &[u8]) {
    let module = Module::read(bytes, features::accepted()).expect("module reads");
    std::hint::black_box(module);
}

fn read_write(bytes: &[u8], options: &Options) -> usize {
    let module = Module::read(bytes, features::accepted()).expect("module reads");
    let mut stats = Stats::default();
    let out = module.write(options, &mut stats).expect("module writes");
    std::hint::black_box(&out);
    out.len()
}

/// The stages, by benchmark name.
const STAGES: [&str; 3] = ["validate", "read", "read+write"];

fn run_stage(stage: &str, bytes: &[u8], options: &Options) {
    match stage {
        "validate" => validate(bytes),
        "read" => read(bytes),
        _ => {
            read_write(bytes, options);
        }
    }
}

fn criterion_benches(c: &mut Criterion, inputs: &[Input]) {
    let options = Options::new(OptLevel::O0);
    for input in inputs {
        let mut group = c.benchmark_group(input.name.as_str());
        group
            .throughput(Throughput::Bytes(input.bytes.len() as u64))
            // Iterations take up to a second on large modules: flat sampling (the same
            // iteration count in every sample) keeps the total time bounded.
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_secs(2))
            .measurement_time(Duration::from_secs(10));
        for stage in STAGES {
            group.bench_with_input(
                BenchmarkId::from_parameter(stage),
                &input.bytes,
                |b, bytes| b.iter(|| run_stage(stage, bytes, &options)),
            );
        }
        group.finish();
    }
}

/// `LOOM_BENCH_ONCE` mode: best of `runs` wall times per stage, no statistics.
fn time_once(inputs: &[Input], runs: usize) {
    let options = Options::new(OptLevel::O0);
    println!(
        "{:<16} {:>12}  {:<10} {:>10} {:>10}",
        "module", "bytes", "stage", "best ms", "MB/s"
    );
    for input in inputs {
        for stage in STAGES {
            let best = (0..runs.max(1))
                .map(|_| {
                    let start = Instant::now();
                    run_stage(stage, &input.bytes, &options);
                    start.elapsed()
                })
                .min()
                .unwrap_or_default();
            let mbps = input.bytes.len() as f64 / 1e6 / best.as_secs_f64();
            println!(
                "{:<16} {:>12}  {:<10} {:>10.3} {:>10.1}",
                input.name,
                input.bytes.len(),
                stage,
                best.as_secs_f64() * 1e3,
                mbps
            );
        }
    }
}

fn main() {
    let inputs = inputs();
    for input in &inputs {
        // Fail early and clearly if a module does not round-trip at all.
        let out = read_write(&input.bytes, &Options::new(OptLevel::O0));
        eprintln!(
            "roundtrip bench: {} ({} bytes in, {} bytes out at -O0)",
            input.name,
            input.bytes.len(),
            out
        );
    }
    if let Some(runs) = std::env::var_os(ONCE_ENV) {
        let runs = runs.to_str().and_then(|s| s.parse().ok()).unwrap_or(3);
        time_once(&inputs, runs);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, &inputs);
    c.final_summary();
}
