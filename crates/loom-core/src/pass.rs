//! The pass manager: the one place that runs passes, for the command line,
//! the library and everything built on them. Consecutive function passes
//! form a stage that runs on all functions in parallel and repeats on each
//! function while it still changes (bounded), so a pipeline reaches a fixed
//! point where the work is; module passes run in order between stages. It
//! times each pass, honours a bisect limit, and (in debug and test builds)
//! re-validates the module after every module pass and stage so a broken
//! pass is caught where it broke.

use crate::error::Error;
use crate::ir::Function;
use crate::module::{Code, Finish, Module};
use crate::stats::Stats;
use crate::Options;
use rayon::prelude::*;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Whether a pass changed anything.
pub type Changed = bool;

/// What a pass works on.
pub enum PassKind {
    /// Runs on each function on its own; the manager runs functions in parallel.
    Function(fn(&mut Function<'_>) -> Changed),
    /// Sees the whole module.
    Module(fn(&mut Module<'_>) -> Result<Changed, Error>),
}

/// A pass: its CLI name, a one-line description, and what it runs.
pub struct Pass {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: PassKind,
    /// Gives locals new indices, so the name section's local names go stale.
    pub renumbers_locals: bool,
}

/// The preset optimization levels of wasm-opt's command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptLevel {
    O0,
    O1,
    O2,
    O3,
    O4,
    Os,
    Oz,
}

impl OptLevel {
    /// Parses the part after `-O` (`""` is wasm-opt's `-O`, which means `-Os`).
    pub fn parse(text: &str) -> Option<OptLevel> {
        Some(match text {
            "0" => OptLevel::O0,
            "1" => OptLevel::O1,
            "2" => OptLevel::O2,
            "3" => OptLevel::O3,
            "4" => OptLevel::O4,
            "s" | "" => OptLevel::Os,
            "z" => OptLevel::Oz,
            _ => return None,
        })
    }

    /// The passes this level runs, in order: the one place pipelines are
    /// defined. Runs of function passes are iterated per function to a
    /// fixed point (see `MAX_ROUNDS`).
    ///
    /// `-O1` runs only cheap function passes, so each function is optimized
    /// and encoded in one step, never holding the whole module's IR. `-O2`
    /// and up:
    /// 1. module clean-up first, so no time goes into dead or duplicate
    ///    functions, and duplicate imports, constant globals and zero data
    ///    are known early (calls to two copies of one import are then the
    ///    same call for every pass that compares code);
    /// 2. the function pipeline (rules, constant propagation, locals and
    ///    register allocation, control flow, dead code);
    /// 3. direct calls and constant globals;
    /// 4. the converging group (`Pipeline::converge`): merging equal
    ///    functions (and at `-Os`/`-Oz` those that differ only in constants,
    ///    where that is smaller), removing what died, direct calls, dead
    ///    arguments and inlining, then the function pipeline again on only
    ///    the functions these changed (`PassManager::run`); it repeats while
    ///    its module passes still change something, so the output is a
    ///    fixed point;
    /// 5. what became dead, and shorter indices for the most used
    ///    functions and globals.
    ///
    /// `-O3`/`-O4` add merge-locals before register allocation and inline
    /// for speed; `-Os` adds local-cse, code-folding and
    /// merge-similar-functions; `-Oz` adds merge-locals to `-Os`.
    pub fn pipeline(self) -> Pipeline {
        let (speed, size) = match self {
            OptLevel::O0 => return Pipeline::default(),
            OptLevel::O1 => {
                return Pipeline {
                    passes: O1.to_vec(),
                    converge: None,
                }
            }
            OptLevel::O2 => (false, false),
            OptLevel::O3 | OptLevel::O4 => (true, false),
            OptLevel::Os => (false, true),
            OptLevel::Oz => (true, true),
        };
        let inlining = if speed && !size {
            "inlining-speed"
        } else {
            "inlining"
        };
        let functions = function_pipeline(speed, size);
        let mut passes = vec![
            "duplicate-import-elimination",
            "duplicate-function-elimination",
            "remove-unused-module-elements",
            "memory-packing",
            "simplify-globals",
        ];
        passes.extend(&functions);
        passes.extend(["directize", "simplify-globals"]);
        // The converging group repeats until its module passes find nothing
        // more: everything that can make work for another pass is in it, so
        // the output is a fixed point and optimizing it again changes
        // nothing. Functions that became identical or similar are merged
        // first (at -Os/-Oz the thunks of similar ones are then inlined
        // into their direct callers), and functions that died in the last
        // round (their callers were inlined or optimized away) go before
        // their calls would count as uses.
        let interprocedural = passes.len();
        passes.push("duplicate-function-elimination");
        if size {
            passes.push("merge-similar-functions");
        }
        passes.extend([
            "remove-unused-module-elements",
            "directize",
            "dae",
            inlining,
        ]);
        passes.extend(&functions);
        let converge = Some(interprocedural..passes.len());
        passes.extend([
            "remove-unused-module-elements",
            "reorder-globals",
            "reorder-functions",
        ]);
        Pipeline { passes, converge }
    }
}

/// A level's passes by CLI name, in order.
#[derive(Clone, Debug, Default)]
pub struct Pipeline {
    pub passes: Vec<&'static str>,
    /// Positions in `passes` that repeat, up to `MAX_CONVERGE_ROUNDS` times
    /// in all, while their module passes still change something.
    pub converge: Option<std::ops::Range<usize>>,
}

/// Bounds the repeats of a level's converging group: each repeat runs its
/// module passes over the whole module, so a chain of inlining that only
/// opens up one level per round deeper than this is left to a later run.
const MAX_CONVERGE_ROUNDS: usize = 8;

/// The function passes of `-O2` and up, in order; `speed` adds
/// merge-locals, `size` local-cse and code-folding.
fn function_pipeline(speed: bool, size: bool) -> Vec<&'static str> {
    let only = |on: bool, pass: &'static str| on.then_some(pass);
    [
        Some("dce"),
        Some("remove-unused-names"),
        Some("remove-unused-brs"),
        Some("remove-unused-names"),
        Some("optimize-instructions"),
        Some("precompute-propagate"),
        Some("simplify-locals"),
        Some("vacuum"),
        Some("reorder-locals"),
        only(speed, "merge-locals"),
        Some("coalesce-locals"),
        only(size, "local-cse"),
        Some("simplify-locals"),
        Some("vacuum"),
        Some("reorder-locals"),
        Some("coalesce-locals"),
        Some("reorder-locals"),
        Some("vacuum"),
        only(size, "code-folding"),
        Some("merge-blocks"),
        Some("remove-unused-brs"),
        Some("remove-unused-names"),
        Some("merge-blocks"),
        Some("optimize-instructions"),
        Some("redundant-set-elimination"),
        Some("vacuum"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// `-O1`'s passes (see `OptLevel::pipeline`).
const O1: &[&str] = &[
    "dce",
    "remove-unused-names",
    "remove-unused-brs",
    "simplify-locals",
    "vacuum",
    "reorder-locals",
    "coalesce-locals",
    "reorder-locals",
    "merge-blocks",
    "remove-unused-names",
    "vacuum",
];

/// Every pass LOOM has, in the order `--list-passes` shows them.
pub fn registry() -> &'static [Pass] {
    crate::passes::REGISTRY
}

/// Looks a pass up by its CLI name; an unknown name lists the valid ones.
pub fn find(name: &str) -> Result<&'static Pass, Error> {
    registry()
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| Error::UnknownPass {
            name: name.to_string(),
            valid: registry()
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// An ordered list of passes, ready to run.
pub struct PassManager {
    passes: Vec<&'static Pass>,
    /// Bound on rounds of each function stage: a preset level iterates to a
    /// fixed point, passes named alone run once each (as in wasm-opt).
    rounds: usize,
    /// Passes that repeat while their module passes change something (see
    /// `Pipeline::converge`).
    converge: Option<std::ops::Range<usize>>,
    /// `Options::zero_filled_memory`, handed to the module.
    zero_filled_memory: bool,
}

impl PassManager {
    /// The level's pipeline followed by the explicitly named passes, cut to
    /// `pass_limit` when bisecting.
    pub fn from_options(options: &Options) -> Result<PassManager, Error> {
        let preset = options.level.map(OptLevel::pipeline).unwrap_or_default();
        let mut passes = preset
            .passes
            .iter()
            .copied()
            .chain(options.passes.iter().map(String::as_str))
            .map(find)
            .collect::<Result<Vec<_>, _>>()?;
        let mut converge = preset.converge;
        if let Some(limit) = options.pass_limit {
            // Bisecting counts each pass once: a cut group does not repeat.
            passes.truncate(limit);
            converge = converge.filter(|group| group.end <= limit);
        }
        let rounds = if options.level.is_some() {
            MAX_ROUNDS
        } else {
            1
        };
        Ok(PassManager {
            passes,
            rounds,
            converge,
            zero_filled_memory: options.zero_filled_memory,
        })
    }

    pub fn passes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.passes.iter().map(|p| p.name)
    }

    /// Whether every pass works function by function, so that each function
    /// can be lifted, optimized and encoded in one step.
    pub fn function_passes_only(&self) -> bool {
        self.passes
            .iter()
            .all(|p| matches!(p.kind, PassKind::Function(_)))
    }

    /// Reads `bytes` and runs the pipeline: function by function, encoding
    /// each as soon as it is optimized, when the pipeline allows it;
    /// otherwise the whole module's IR is built and every pass run in order.
    pub fn read_and_run<'a>(
        &self,
        bytes: &'a [u8],
        features: wasmparser::WasmFeatures,
        stats: &mut Stats,
    ) -> Result<Module<'a>, Error> {
        let start = Instant::now();
        if !self.function_passes_only() {
            let mut module = Module::read(bytes, features)?;
            module.zero_filled_memory = self.zero_filled_memory;
            stats.read_time = start.elapsed();
            self.run(&mut module, stats)?;
            return Ok(module);
        }
        let stage = FunctionStage::new(&self.passes, self.rounds);
        let run_stage = |function: &mut Function<'_>| {
            stage.run(function);
        };
        let mut module = Module::read_with(bytes, features, Finish::Encode(&run_stage))?;
        stats.read_time = start.elapsed();
        module.local_names_stale = stage.report(stats);
        Ok(module)
    }

    /// Runs the pipeline on a module read whole: each run of consecutive
    /// function passes as one stage over all functions in parallel, module
    /// passes in order between them. A stage that repeats an earlier one
    /// (the same passes) runs only on the functions module passes changed
    /// since (`Function::dirty`): the others are already at that stage's
    /// fixed point, so the pipeline re-optimizes inlined and rewritten code
    /// without paying for the whole module twice.
    ///
    /// The converging group repeats while its module passes change
    /// something: what they change is re-optimized by the group's function
    /// stages, which may make new work for them.
    pub fn run(&self, module: &mut Module<'_>, stats: &mut Stats) -> Result<(), Error> {
        let mut stages_run = Vec::new();
        let Some(group) = self.converge.clone() else {
            self.run_passes(&self.passes, module, stats, &mut stages_run)?;
            return Ok(());
        };
        let (before, rest) = self.passes.split_at(group.start);
        let (repeated, after) = rest.split_at(group.len());
        self.run_passes(before, module, stats, &mut stages_run)?;
        for _ in 0..MAX_CONVERGE_ROUNDS {
            if !self.run_passes(repeated, module, stats, &mut stages_run)? {
                break;
            }
        }
        self.run_passes(after, module, stats, &mut stages_run)?;
        Ok(())
    }

    /// Runs `passes` in order (see [`PassManager::run`]); `stages_run` lists
    /// the function stages already run. Returns whether a module pass
    /// changed anything.
    fn run_passes<'p>(
        &self,
        passes: &'p [&'static Pass],
        module: &mut Module<'_>,
        stats: &mut Stats,
        stages_run: &mut Vec<&'p [&'static Pass]>,
    ) -> Result<Changed, Error> {
        let mut module_changed = false;
        let mut rest = passes;
        while let Some(pass) = rest.first() {
            if let PassKind::Module(run) = pass.kind {
                let start = Instant::now();
                let changed = run(module)?;
                if changed {
                    module.after_change();
                }
                stats
                    .passes
                    .push((pass.name.to_string(), start.elapsed(), changed));
                if cfg!(debug_assertions) && changed {
                    check_valid(pass.name, module)?;
                }
                module_changed |= changed;
                rest = &rest[1..];
                continue;
            }
            let length = rest
                .iter()
                .position(|p| matches!(p.kind, PassKind::Module(_)))
                .unwrap_or(rest.len());
            let passes = &rest[..length];
            let repeat = stages_run
                .iter()
                .any(|earlier| same_passes(earlier, passes));
            stages_run.push(passes);
            let stage = FunctionStage::new(passes, self.rounds);
            let changed = module
                .code
                .par_iter_mut()
                .map(|code| match code {
                    Code::Lifted(function) => {
                        let run = !repeat || function.dirty;
                        function.dirty = false;
                        run && stage.run(function)
                    }
                    Code::Raw(_) | Code::Encoded(_) => false,
                })
                .reduce(|| false, |a, b| a | b);
            module.local_names_stale |= stage.report(stats);
            if cfg!(debug_assertions) && changed {
                let names: Vec<_> = rest[..length].iter().map(|p| p.name).collect();
                check_valid(&names.join(","), module)?;
            }
            rest = &rest[length..];
        }
        Ok(module_changed)
    }
}

/// Whether two stages are the same passes in the same order.
fn same_passes(a: &[&'static Pass], b: &[&'static Pass]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.name == y.name)
}

/// How many times one function's stage of passes runs at most: after the
/// first round, the stage repeats on a function only while it still changes
/// it, so the pipeline reaches a fixed point locally (what `--converge` does
/// for the whole module in wasm-opt) without unbounded work on a function
/// whose passes undo each other. Most functions settle in two rounds; at 4,
/// the largest (ruffle's two largest among them) were still changing,
/// which left work for a second run of the level.
const MAX_ROUNDS: usize = 8;

/// Consecutive function passes, run on each function to a fixed point,
/// with their time and whether they changed anything summed over functions.
struct FunctionStage<'p> {
    passes: &'p [&'static Pass],
    rounds: usize,
    /// Per pass: CPU time summed over functions, and whether it changed any.
    totals: Vec<Mutex<(Duration, bool)>>,
}

impl<'p> FunctionStage<'p> {
    fn new(passes: &'p [&'static Pass], rounds: usize) -> FunctionStage<'p> {
        FunctionStage {
            passes,
            rounds,
            totals: passes.iter().map(|_| Default::default()).collect(),
        }
    }

    /// Runs the passes on `function` until a round changes nothing (or the
    /// round bound); returns whether anything changed.
    ///
    /// A pass is skipped where it would see the function exactly as it
    /// last left it unchanged: a function pass depends on nothing but the
    /// function, so it would find nothing again. That skips the repeats of
    /// a pass in one round (vacuum, say, with nothing in between having
    /// changed the code) and, in the round that confirms the fixed point,
    /// every pass after the last one that changed something.
    fn run(&self, function: &mut Function<'_>) -> Changed {
        let mut changed_any = false;
        // Changes made to the function so far, and per pass (by name), the
        // count at which it last ran and changed nothing.
        let mut changes = 0u32;
        let mut found_nothing_at: Vec<(&str, u32)> = Vec::new();
        for _ in 0..self.rounds {
            let mut changed_round = false;
            for (pass, total) in self.passes.iter().zip(&self.totals) {
                let PassKind::Function(run) = pass.kind else {
                    unreachable!("a stage holds function passes only")
                };
                if found_nothing_at.contains(&(pass.name, changes)) {
                    continue;
                }
                let started = Instant::now();
                let changed = run(function);
                found_nothing_at.retain(|(name, _)| *name != pass.name);
                if changed {
                    changes += 1;
                } else {
                    found_nothing_at.push((pass.name, changes));
                }
                let mut total = total.lock().expect("no pass panics while holding this");
                total.0 += started.elapsed();
                total.1 |= changed;
                changed_round |= changed;
            }
            changed_any |= changed_round;
            if !changed_round {
                break;
            }
        }
        if changed_any {
            function.compact();
            function.fingerprint = None;
        }
        changed_any
    }

    /// Adds the stage's passes to `stats`; returns whether a pass that
    /// renumbers locals changed anything.
    fn report(self, stats: &mut Stats) -> bool {
        let mut renumbered = false;
        for (pass, total) in self.passes.iter().zip(self.totals) {
            let (time, changed) = total.into_inner().expect("no pass panicked");
            stats.passes.push((pass.name.to_string(), time, changed));
            renumbered |= changed && pass.renumbers_locals;
        }
        renumbered
    }
}

/// Encodes the module and validates the result, blaming `pass` on failure.
fn check_valid(pass: &str, module: &Module<'_>) -> Result<(), Error> {
    let options = Options::new(OptLevel::O0);
    let bytes = module.write(&options, &mut Stats::default())?;
    check_output(pass, &bytes)
}

/// Validates encoded output, blaming `pass` on failure.
pub fn check_output(pass: &str, bytes: &[u8]) -> Result<(), Error> {
    wasmparser::Validator::new_with_features(crate::features::accepted())
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|e| Error::PassBroke {
            pass: pass.to_string(),
            message: format!("at byte offset {:#x}: {}", e.offset(), e.message()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static VISITS: AtomicUsize = AtomicUsize::new(0);

    fn count_visit(_: &mut Function<'_>) -> Changed {
        VISITS.fetch_add(1, Ordering::SeqCst);
        false
    }

    fn dirty_first_function(module: &mut Module<'_>) -> Result<Changed, Error> {
        if let Code::Lifted(function) = &mut module.code[0] {
            function.dirty = true;
        }
        Ok(true)
    }

    static COUNT: Pass = Pass {
        name: "count",
        description: "counts the functions it runs on",
        kind: PassKind::Function(count_visit),
        renumbers_locals: false,
    };
    static DIRTY: Pass = Pass {
        name: "dirty-first",
        description: "marks the first function changed",
        kind: PassKind::Module(dirty_first_function),
        renumbers_locals: false,
    };

    /// Runs `passes` on the module `wat` once `prepare` has seen it.
    fn run_on(
        wat: &str,
        passes: Vec<&'static Pass>,
        rounds: usize,
        prepare: impl FnOnce(&mut Module<'_>),
    ) {
        let wasm = wat::parse_str(wat).unwrap();
        let mut module = Module::read(&wasm, wasmparser::WasmFeatures::default()).unwrap();
        prepare(&mut module);
        let manager = PassManager {
            passes,
            rounds,
            converge: None,
            zero_filled_memory: false,
        };
        manager.run(&mut module, &mut Stats::default()).unwrap();
    }

    #[test]
    fn a_repeated_stage_runs_only_on_functions_module_passes_changed() {
        run_on(
            "(module (func) (func) (func))",
            vec![&COUNT, &DIRTY, &COUNT],
            1,
            |_| {},
        );
        // Three functions in the first stage, the one marked in the repeat.
        assert_eq!(VISITS.load(Ordering::SeqCst), 4);
    }

    static SKIP_VISITS: AtomicUsize = AtomicUsize::new(0);

    fn count_skip_visit(_: &mut Function<'_>) -> Changed {
        SKIP_VISITS.fetch_add(1, Ordering::SeqCst);
        false
    }

    fn change_once(function: &mut Function<'_>) -> Changed {
        // Changes the function the first time only: it resets scratch_from.
        let first = function.scratch_from != 0;
        function.scratch_from = 0;
        first
    }

    static SKIP_COUNT: Pass = Pass {
        name: "skip-count",
        description: "counts the functions it runs on",
        kind: PassKind::Function(count_skip_visit),
        renumbers_locals: false,
    };
    static CHANGE_ONCE: Pass = Pass {
        name: "change-once",
        description: "changes each function once",
        kind: PassKind::Function(change_once),
        renumbers_locals: false,
    };

    #[test]
    fn a_pass_is_skipped_where_nothing_changed_since_it_found_nothing() {
        run_on(
            "(module (func (local i32)))",
            vec![&SKIP_COUNT, &SKIP_COUNT, &CHANGE_ONCE, &SKIP_COUNT],
            4,
            |module| {
                if let Code::Lifted(function) = &mut module.code[0] {
                    function.scratch_from = 1;
                }
            },
        );
        // Round 1: the first run, its repeat skipped, the run after the
        // change. Round 2 (nothing changes): the first run is skipped too.
        assert_eq!(SKIP_VISITS.load(Ordering::SeqCst), 2);
    }

    /// A pass that says it changed a function when it did not makes every
    /// function stage run all its rounds (vacuum once re-made every kept
    /// `drop`, doubling the pipeline's time with identical output). So:
    /// applied again and again to its own output, each function pass soon
    /// says "no change", on every function of every filetest input.
    #[test]
    fn every_function_pass_settles_on_the_filetest_inputs() {
        const RUNS: usize = 6;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/passes");
        let mut inputs: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "wat"))
            .collect();
        inputs.sort();
        assert!(inputs.len() > 20, "filetest inputs found in {dir}");
        let mut unsettled = Vec::new();
        for path in &inputs {
            let wasm = wat::parse_file(path).unwrap();
            let module = Module::read(&wasm, crate::features::accepted()).unwrap();
            for pass in registry() {
                let PassKind::Function(run) = pass.kind else {
                    continue;
                };
                for (index, code) in module.code.iter().enumerate() {
                    let Code::Lifted(original) = code else {
                        continue;
                    };
                    let mut function = original.clone();
                    if (0..RUNS).all(|_| run(&mut function)) {
                        let file = path.file_name().unwrap().to_string_lossy();
                        unsettled.push(format!("{} on {file} function {index}", pass.name));
                    }
                }
            }
        }
        assert!(
            unsettled.is_empty(),
            "still changing after {RUNS} runs: {unsettled:#?}"
        );
    }
}
