//! What optimizing costs: each pipeline level, and each function pass on its own.
//!
//! For every module, the group `pipeline/<module>` measures `loom_core::optimize` at `-O1`,
//! `-O2` and `-Os`, and the group `pass/<module>` measures every function pass run alone,
//! next to `read+write` (no pass at all), which every other entry includes: a pass's own
//! cost is its time minus that one.
//!
//! Modules: the project's own, always present — two of its benchmark programs
//! (`benches/programs`, C built by clang: `interp/O0.wasm` is naive code with every local
//! in memory traffic, `sort/O2.wasm` is already optimized) and the largest pass test input
//! (`tests/passes/simplify-locals.wat`) — plus two small corpus modules if the corpus cache
//! has them (a note says which are skipped); `LOOM_BENCH_MODULES=id,id` replaces the corpus
//! ones (a corpus id or a path to any `.wasm`).
//!
//! Run with `cargo bench -p loom-core --bench passes` (filter after `--`, e.g. `-- pipeline`).
//! Samples are few (10, ~3 s per benchmark) so the set finishes in minutes on two cores.
//! Under `cargo test --benches` only the small test input is used, each bench run once.

use std::path::Path;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use loom_core::pass::{registry, PassKind};
use loom_core::{OptLevel, Options};

mod common;
use common::{corpus_inputs, display_name, test_mode, Input, MODULES_ENV};

/// The project's own modules, relative to this crate.
const PROJECT_MODULES: &[&str] = &[
    "tests/passes/simplify-locals.wat",
    "../../benches/programs/interp/O0.wasm",
    "../../benches/programs/sort/O2.wasm",
];

/// Small corpus modules (tens of KB): C compiled by Emscripten, AssemblyScript.
const CORPUS_MODULES: &[&str] = &["markdown-md4c", "as-chacha20"];

/// The levels measured.
const LEVELS: &[(&str, OptLevel)] = &[
    ("O1", OptLevel::O1),
    ("O2", OptLevel::O2),
    ("Os", OptLevel::Os),
];

fn project_input(rel: &str) -> Input {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("the project's module {} is missing: {e}", path.display()));
    let bytes = loom_core::parse_input(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_owned();
    // Both programs are called O*.wasm: name them by their folder too.
    let folder = path
        .parent()
        .map(display_name)
        .filter(|f| f != "passes")
        .map_or_else(String::new, |f| format!("{f}-"));
    Input {
        name: format!("{folder}{}", display_name(&path)),
        bytes,
    }
}

fn inputs() -> Vec<Input> {
    if test_mode() {
        return vec![project_input(PROJECT_MODULES[0])];
    }
    let mut inputs: Vec<Input> = PROJECT_MODULES.iter().map(|r| project_input(r)).collect();
    let requested = std::env::var(MODULES_ENV)
        .ok()
        .filter(|s| !s.trim().is_empty());
    inputs.extend(corpus_inputs(
        "passes",
        requested.as_deref(),
        CORPUS_MODULES,
    ));
    inputs
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>, bytes: usize) {
    group
        .throughput(Throughput::Bytes(bytes as u64))
        // Iterations of the larger modules take tens of milliseconds: flat sampling keeps
        // the total time bounded.
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
}

fn optimize(bytes: &[u8], options: &Options) {
    let out = loom_core::optimize(bytes, options).expect("the module optimizes");
    std::hint::black_box(out);
}

fn main() {
    let inputs = inputs();
    let mut c = Criterion::default().configure_from_args();
    let function_passes: Vec<&str> = registry()
        .iter()
        .filter(|p| matches!(p.kind, PassKind::Function(_)))
        .map(|p| p.name)
        .collect();
    for input in &inputs {
        let mut group = c.benchmark_group(format!("pipeline/{}", input.name));
        configure(&mut group, input.bytes.len());
        for &(name, level) in LEVELS {
            let options = Options::new(level);
            group.bench_with_input(BenchmarkId::from_parameter(name), &input.bytes, |b, w| {
                b.iter(|| optimize(w, &options))
            });
        }
        group.finish();

        let mut group = c.benchmark_group(format!("pass/{}", input.name));
        configure(&mut group, input.bytes.len());
        let baseline = std::iter::once(("read+write", Options::only_passes(&[])));
        let passes = function_passes
            .iter()
            .map(|&name| (name, Options::only_passes(&[name])));
        for (name, options) in baseline.chain(passes) {
            group.bench_with_input(BenchmarkId::from_parameter(name), &input.bytes, |b, w| {
                b.iter(|| optimize(w, &options))
            });
        }
        group.finish();
    }
    c.final_summary();
}
