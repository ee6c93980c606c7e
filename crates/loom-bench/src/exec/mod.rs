//! `loom-bench exec`: does the optimized program run faster, and does it still behave?
//!
//! Each benchmark (see `suite`) is optimized by LOOM (the library, with the CLI's
//! pipeline for the level) and by wasm-opt at the same level; optimizing runs `jobs`
//! benchmarks at a time. Then, one benchmark after another and strictly sequentially so
//! runs do not compete with each other, every variant (original, LOOM, wasm-opt) is run in
//! each engine: one warm-up, then `iterations` timed runs in round-robin order, the order
//! rotating each iteration so no variant always runs first after another. Every run's
//! stdout and stderr are compared byte for byte with the expected files; a variant that
//! fails to build or compile, traps, exits non-zero, or prints anything else even once is
//! reported as a failure, never as a number.

pub mod engine;
mod report;
pub mod suite;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde::Serialize;

use crate::inputs;
use crate::progress;
use crate::runner;
use crate::tools::Tool;
use engine::{Engine, Kind};
use suite::Benchmark;

pub use report::{write, Meta};

/// How the programs are optimized and run.
pub struct Config {
    /// The level both optimizers run at, e.g. `O3`.
    pub level: String,
    pub engines: Vec<Kind>,
    /// Timed runs per variant and engine.
    pub iterations: usize,
    /// Untimed runs per variant and engine before them (checked all the same).
    pub warmup: usize,
    /// Benchmarks optimized at the same time.
    pub jobs: usize,
    /// Limit on one wasm-opt run.
    pub timeout: Duration,
    pub progress: bool,
}

/// The three programs compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    Original,
    Loom,
    WasmOpt,
}

impl Variant {
    pub fn name(self) -> &'static str {
        match self {
            Variant::Original => "original",
            Variant::Loom => "LOOM",
            Variant::WasmOpt => "wasm-opt",
        }
    }
}

/// One variant of a benchmark's module, before it is run.
#[derive(Clone, Debug, Serialize)]
pub struct Build {
    pub variant: Variant,
    /// Why there is no module (the optimizer failed), if so.
    pub error: Option<String>,
    pub bytes: u64,
    /// Wall time the optimizer took (0 for the original).
    pub optimize_s: f64,
    #[serde(skip)]
    wasm: Vec<u8>,
}

/// One variant's runs in one engine.
#[derive(Clone, Debug, Serialize)]
pub struct Timing {
    pub variant: Variant,
    /// The first failure; then there are no numbers.
    pub error: Option<String>,
    /// Measured CPU time of every timed run, in run order.
    pub samples_s: Vec<f64>,
    pub median_s: f64,
    pub min_s: f64,
    pub max_s: f64,
    /// Interquartile range over the median: the spread of the typical run.
    pub iqr_rel: f64,
}

/// All variants of one benchmark in one engine, and LOOM's ratios (medians; `None` where
/// either side failed).
#[derive(Clone, Debug, Serialize)]
pub struct EngineResult {
    pub engine: Kind,
    pub timings: Vec<Timing>,
    pub loom_vs_original: Option<f64>,
    pub loom_vs_wasm_opt: Option<f64>,
}

/// Everything measured on one benchmark.
#[derive(Clone, Debug, Serialize)]
pub struct BenchResult {
    pub name: String,
    pub wasm: String,
    pub stdout_checked: bool,
    pub stderr_checked: bool,
    pub builds: Vec<Build>,
    pub engines: Vec<EngineResult>,
}

impl BenchResult {
    /// Every failure as (engine or `None` for the build, variant, reason).
    pub fn failures(&self) -> impl Iterator<Item = (Option<Kind>, Variant, &str)> {
        let builds = self
            .builds
            .iter()
            .filter_map(|b| Some((None, b.variant, b.error.as_deref()?)));
        let runs = self.engines.iter().flat_map(|e| {
            e.timings
                .iter()
                .filter_map(move |t| Some((Some(e.engine), t.variant, t.error.as_deref()?)))
        });
        builds.chain(runs)
    }
}

/// Optimizes and runs every benchmark; `wasm_opt` is `None` when it is not compared.
pub fn run(
    benchmarks: &[Benchmark],
    wasm_opt: Option<&Tool>,
    config: &Config,
) -> Result<Vec<BenchResult>> {
    let level = loom_core::OptLevel::parse(config.level.trim_start_matches('O'))
        .ok_or_else(|| anyhow::anyhow!("unknown level {}", config.level))?;
    let scratch = tempfile::tempdir()?;
    let built = build_all(benchmarks, level, wasm_opt, scratch.path(), config);
    let engines = config
        .engines
        .iter()
        .map(|&k| Engine::new(k).map(|e| (k, e)))
        .collect::<Result<Vec<_>>>()?;
    let runs_per_variant = config.warmup + config.iterations;
    let total: usize = built.iter().map(|b| b.len()).sum::<usize>() * engines.len();
    let bar = progress::bar(total * runs_per_variant, config.progress);
    let mut results = Vec::new();
    for (bench, builds) in benchmarks.iter().zip(built) {
        if bar.is_hidden() {
            eprintln!("running {}", bench.name);
        }
        bar.set_message(bench.name.clone());
        let expected = Expected::read(bench)?;
        let mut per_engine = Vec::new();
        for (kind, engine) in &engines {
            let timings = measure(bench, &builds, engine, &expected, config, &|| bar.inc(1));
            let median = |v: Variant| {
                timings
                    .iter()
                    .find(|t| t.variant == v && t.error.is_none())
                    .map(|t| t.median_s)
            };
            let ratio = |a: Option<f64>, b: Option<f64>| Some(a? / b?).filter(|r| r.is_finite());
            per_engine.push(EngineResult {
                engine: *kind,
                loom_vs_original: ratio(median(Variant::Loom), median(Variant::Original)),
                loom_vs_wasm_opt: ratio(median(Variant::Loom), median(Variant::WasmOpt)),
                timings,
            });
        }
        results.push(BenchResult {
            name: bench.name.clone(),
            wasm: bench.wasm.display().to_string(),
            stdout_checked: expected.stdout.is_some(),
            stderr_checked: expected.stderr.is_some(),
            builds,
            engines: per_engine,
        });
    }
    bar.finish_and_clear();
    Ok(results)
}

/// Every benchmark's variants, optimized `config.jobs` at a time, in benchmark order.
fn build_all(
    benchmarks: &[Benchmark],
    level: loom_core::OptLevel,
    wasm_opt: Option<&Tool>,
    scratch: &Path,
    config: &Config,
) -> Vec<Vec<Build>> {
    let next = AtomicUsize::new(0);
    let built = Mutex::new(vec![Vec::new(); benchmarks.len()]);
    let bar = progress::bar(benchmarks.len(), config.progress);
    bar.set_message("optimizing");
    std::thread::scope(|scope| {
        for _ in 0..config.jobs.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(bench) = benchmarks.get(i) else {
                    break;
                };
                let out = scratch.join(format!("{i}.wasm-opt.wasm"));
                let builds = build(bench, level, wasm_opt, &out, config);
                built.lock().unwrap_or_else(|e| e.into_inner())[i] = builds;
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    built.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// The original and its optimized variants (a build that failed carries the reason).
fn build(
    bench: &Benchmark,
    level: loom_core::OptLevel,
    wasm_opt: Option<&Tool>,
    out: &Path,
    config: &Config,
) -> Vec<Build> {
    let made = |variant, result: Result<Vec<u8>, String>, took: Duration| match result {
        Ok(wasm) => Build {
            variant,
            error: None,
            bytes: wasm.len() as u64,
            optimize_s: took.as_secs_f64(),
            wasm,
        },
        Err(e) => Build {
            variant,
            error: Some(e),
            bytes: 0,
            optimize_s: took.as_secs_f64(),
            wasm: Vec::new(),
        },
    };
    let original = match std::fs::read(&bench.wasm) {
        Ok(wasm) => wasm,
        Err(e) => {
            let e = format!("cannot read {}: {e}", bench.wasm.display());
            return vec![made(Variant::Original, Err(e), Duration::ZERO)];
        }
    };
    let start = Instant::now();
    let loom = optimize_loom(&original, level);
    let loom = made(Variant::Loom, loom, start.elapsed());
    let mut builds = vec![
        made(Variant::Original, Ok(original.clone()), Duration::ZERO),
        loom,
    ];
    if let Some(tool) = wasm_opt {
        let start = Instant::now();
        let result = optimize_wasm_opt(tool, &original, &bench.wasm, out, config);
        builds.push(made(Variant::WasmOpt, result, start.elapsed()));
    }
    builds
}

/// LOOM in process, as `loom -O<level>` would run it; a panic is a failure of the build
/// (and a bug to report), not the end of the benchmark run.
fn optimize_loom(wasm: &[u8], level: loom_core::OptLevel) -> Result<Vec<u8>, String> {
    let options = loom_core::Options::new(level);
    match std::panic::catch_unwind(|| loom_core::optimize(wasm, &options)) {
        Ok(Ok(output)) => Ok(output.bytes),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("LOOM panicked".into()),
    }
}

/// wasm-opt as a process, allowed exactly the features the input uses (see `inputs`).
fn optimize_wasm_opt(
    tool: &Tool,
    wasm: &[u8],
    input: &Path,
    out: &Path,
    config: &Config,
) -> Result<Vec<u8>, String> {
    let needs = inputs::needs(wasm).map_err(|e| format!("{e:#}"))?;
    let argv = tool.command(&config.level, &needs.flags, input, out);
    let m = runner::run(&argv, config.timeout).map_err(|e| format!("{e:#}"))?;
    if m.timed_out {
        return Err(format!("timed out after {:?}", config.timeout));
    }
    if !m.status.success() {
        return Err(format!(
            "{}: {}",
            m.status,
            m.stderr.lines().last().unwrap_or("")
        ));
    }
    let bytes = std::fs::read(out).map_err(|e| format!("no output: {e}"))?;
    let _ = std::fs::remove_file(out);
    Ok(bytes)
}

/// The expected output of a benchmark (`None`: that stream is not checked).
struct Expected {
    stdout: Option<Vec<u8>>,
    stderr: Option<Vec<u8>>,
}

impl Expected {
    fn read(bench: &Benchmark) -> Result<Expected> {
        let read = |p: &Option<std::path::PathBuf>| -> Result<Option<Vec<u8>>> {
            p.as_ref()
                .map(|p| {
                    std::fs::read(p)
                        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display()))
                })
                .transpose()
        };
        Ok(Expected {
            stdout: read(&bench.stdout_expected)?,
            stderr: read(&bench.stderr_expected)?,
        })
    }

    /// Why `outcome`'s output is not the expected one, if it is not.
    fn mismatch(&self, outcome: &engine::Outcome) -> Option<String> {
        [
            ("stdout", &self.stdout, &outcome.stdout),
            ("stderr", &self.stderr, &outcome.stderr),
        ]
        .into_iter()
        .find_map(|(stream, expected, got)| {
            let expected = expected.as_ref()?;
            (expected != got).then(|| {
                let at = expected
                    .iter()
                    .zip(got.iter())
                    .position(|(a, b)| a != b)
                    .unwrap_or(expected.len().min(got.len()));
                format!(
                    "{stream} differs from the expected output at byte {at} ({} bytes expected, {} printed)",
                    expected.len(),
                    got.len()
                )
            })
        })
    }
}

/// Runs every variant of one benchmark in one engine: warm-up, then the timed rounds.
fn measure(
    bench: &Benchmark,
    builds: &[Build],
    engine: &Engine,
    expected: &Expected,
    config: &Config,
    tick: &dyn Fn(),
) -> Vec<Timing> {
    let arg0 = bench
        .wasm
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    struct State {
        compiled: Option<engine::Compiled>,
        error: Option<String>,
        samples: Vec<f64>,
    }
    let mut states: Vec<State> = builds
        .iter()
        .map(|b| {
            let compiled = match &b.error {
                Some(e) => Err(format!("not built: {e}")),
                None => engine
                    .compile(&b.wasm)
                    .map_err(|e| format!("does not compile: {e:#}")),
            };
            match compiled {
                Ok(c) => State {
                    compiled: Some(c),
                    error: None,
                    samples: Vec::new(),
                },
                Err(e) => State {
                    compiled: None,
                    error: Some(e),
                    samples: Vec::new(),
                },
            }
        })
        .collect();
    for round in 0..config.warmup + config.iterations {
        for k in 0..states.len() {
            tick();
            let state = &mut states[(round + k) % builds.len()];
            let Some(compiled) = state.compiled.as_ref().filter(|_| state.error.is_none()) else {
                continue;
            };
            let outcome = match engine.run(compiled, bench.dir(), &arg0) {
                Ok(o) => o,
                Err(e) => {
                    state.error = Some(format!("{e:#}"));
                    continue;
                }
            };
            state.error = outcome
                .error
                .clone()
                .or_else(|| expected.mismatch(&outcome));
            if state.error.is_none() && round >= config.warmup {
                state.samples.push(outcome.cpu.as_secs_f64());
            }
        }
    }
    builds
        .iter()
        .zip(states)
        .map(|(b, s)| timing(b.variant, s.error, s.samples))
        .collect()
}

fn timing(variant: Variant, error: Option<String>, samples: Vec<f64>) -> Timing {
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    let median = quantile(&sorted, 0.5);
    let ok = error.is_none() && !sorted.is_empty();
    let iqr = quantile(&sorted, 0.75) - quantile(&sorted, 0.25);
    Timing {
        variant,
        error,
        median_s: if ok { median } else { 0.0 },
        min_s: if ok { sorted[0] } else { 0.0 },
        max_s: if ok { sorted[sorted.len() - 1] } else { 0.0 },
        iqr_rel: if ok && median > 0.0 {
            iqr / median
        } else {
            0.0
        },
        samples_s: samples,
    }
}

/// The `q` quantile of sorted `values` by linear interpolation (0 for none).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.25), 2.0);
        assert_eq!(quantile(&[1.0, 2.0], 0.5), 1.5);
        let t = timing(Variant::Loom, None, vec![3.0, 1.0, 2.0, 4.0, 5.0]);
        assert_eq!((t.median_s, t.min_s, t.max_s), (3.0, 1.0, 5.0));
        assert!((t.iqr_rel - 2.0 / 3.0).abs() < 1e-12);
    }
}
