//! `loom-check`: runs LOOM's correctness evidence at full size, where
//! `cargo test` runs bounded slices. `loom-check fuzz` is the differential
//! execution fuzzer (`loom_check::diff`); `loom-check spec` runs the spec
//! suite after optimization (`loom_check::spec`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use loom_check::diff;

#[derive(Parser)]
#[command(name = "loom-check", about = "Correctness evidence for LOOM")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Differential execution fuzzing: random wasm-smith modules run in
    /// wasmtime before and after optimization, results, traps, memories and
    /// globals compared.
    Fuzz(FuzzArgs),
    /// The WebAssembly spec suite after optimization: every assertion that
    /// holds on the original modules must hold on LOOM's output
    /// (`loom_check::spec`).
    Spec(SpecArgs),
}

#[derive(clap::Args)]
struct FuzzArgs {
    /// Seed of the run; module `I` of seed `S` (and profile `P`) is always
    /// the same module.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// What modules to generate: `swarm` (proposals as wasm-smith's swarm
    /// picks them, every item exported), `gc` (GC, function references,
    /// exceptions and tail calls always on) or `closed` (like swarm, but
    /// only a few items exported, so dead code and inlining have work).
    #[arg(long, default_value = "swarm", value_parser = diff::Profile::parse)]
    profile: diff::Profile,
    /// Number of modules to check.
    #[arg(long, conflicts_with = "time")]
    count: Option<u64>,
    /// Run for this many seconds instead of a fixed count.
    #[arg(long)]
    time: Option<u64>,
    /// First module index (with --count/--time), or the only one (alone).
    #[arg(long)]
    index: Option<u64>,
    /// `all` (every level and every pass), `levels`, `passes`, or a
    /// comma-separated list of levels (O0..O4, Os, Oz) and pass names.
    #[arg(long, default_value = "all")]
    level: String,
    /// Worker threads (default: available cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Where failing cases are saved.
    #[arg(long, default_value = "target/loom-fuzz-failures")]
    failures: PathBuf,
    /// Write the generated module of --index to this file and exit.
    #[arg(long, requires = "index")]
    emit: Option<PathBuf>,
    /// Check this module (`.wasm` or `.wat`) instead of generated ones; exits
    /// 1 when a check fails (negated, a `wasm-tools shrink` predicate).
    #[arg(long, conflicts_with_all = ["count", "time", "index", "emit"])]
    file: Option<PathBuf>,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Fuzz(args) => fuzz(args),
        Command::Spec(args) => spec(args),
    }
}

fn fuzz(args: FuzzArgs) -> Result<()> {
    let variants = diff::Variant::parse_list(&args.level).map_err(|e| anyhow!(e))?;
    if let Some(path) = &args.emit {
        let index = args.index.unwrap_or(0);
        let wasm = diff::generate(args.seed, index, args.profile).map_err(|e| anyhow!(e))?;
        std::fs::write(path, wasm)?;
        return Ok(());
    }
    if let Some(path) = &args.file {
        return check_file(path, &variants);
    }
    let first = args.index.unwrap_or(0);
    let budget = match (args.count, args.time) {
        (Some(count), None) => diff::Budget::Count { first, count },
        (None, Some(secs)) => diff::Budget::Time {
            first,
            time: Duration::from_secs(secs),
        },
        (None, None) if args.index.is_some() => diff::Budget::Count { first, count: 1 },
        (None, None) => diff::Budget::Count { first, count: 1000 },
        (Some(_), Some(_)) => bail!("--count and --time exclude each other"),
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let options = diff::RunOptions {
        seed: args.seed,
        profile: args.profile,
        budget,
        variants,
        jobs,
        failure_dir: Some(args.failures),
        progress: Some(Duration::from_secs(60)),
    };
    let summary = diff::run(&options).map_err(|e| anyhow!(e))?;
    print!("{}", summary.report());
    if summary.failed() > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// Runs the differential check on one module file and prints each variant's
/// verdict.
fn check_file(path: &std::path::Path, variants: &[diff::Variant]) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let wasm = loom_core::parse_input(&bytes)
        .with_context(|| format!("parsing {}", path.display()))?
        .into_owned();
    wasmparser::Validator::new_with_features(loom_core::features::accepted())
        .validate_all(&wasm)
        .with_context(|| format!("{} is not a valid module", path.display()))?;
    let engine = diff::engine().map_err(|e| anyhow!(e))?;
    let variants = variants.to_vec();
    let check = diff::with_stack(move || diff::check_module(&engine, &wasm, &variants));
    if let Some(reason) = &check.engine_error {
        println!("wasmtime refuses the module: {reason}");
    }
    let mut failed = 0;
    for result in &check.results {
        match &result.verdict {
            diff::Verdict::Pass { executed } => {
                let how = if *executed {
                    "same behaviour"
                } else {
                    "valid (not executed)"
                };
                println!("{:<24} ok: {how}", result.variant.name());
            }
            diff::Verdict::Fail { kind, detail } => {
                failed += 1;
                println!("{:<24} FAIL [{kind:?}] {detail}", result.variant.name());
            }
        }
    }
    println!("{} passed, {failed} failed", check.results.len() - failed);
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}

#[derive(clap::Args)]
struct SpecArgs {
    /// Comma-separated levels (O0..O4, Os, Oz) or `all`. Without --level,
    /// --pass or --all-passes, every level runs.
    #[arg(long, value_delimiter = ',')]
    level: Vec<String>,
    /// Run this pass alone (repeatable).
    #[arg(long = "pass")]
    passes: Vec<String>,
    /// Run every registered pass alone.
    #[arg(long)]
    all_passes: bool,
    /// Only scripts whose name contains this (repeatable), e.g. `i32.wast`,
    /// `proposals/gc/`.
    #[arg(long)]
    filter: Vec<String>,
    /// At most this many scripts.
    #[arg(long)]
    limit: Option<usize>,
    /// Worker threads (default: available cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Also print one line per script and pipeline.
    #[arg(long)]
    per_script: bool,
}

/// `loom-check spec`: the spec suite after optimization; exits 1 when an
/// assertion that held before optimization no longer does.
fn spec(args: SpecArgs) -> Result<()> {
    use loom_check::spec::{run_suite, Pipeline, SpecConfig};
    let mut pipelines = Vec::new();
    for level in &args.level {
        if level == "all" {
            pipelines.extend(Pipeline::all_levels());
        } else {
            pipelines.push(
                Pipeline::parse_level(level)
                    .with_context(|| format!("unknown level `{level}` (O0..O4, Os, Oz, all)"))?,
            );
        }
    }
    for name in &args.passes {
        loom_core::pass::find(name).map_err(|e| anyhow!(e))?;
        pipelines.push(Pipeline::Pass(name.clone()));
    }
    if args.all_passes {
        pipelines.extend(Pipeline::all_passes());
    }
    if pipelines.is_empty() {
        pipelines = Pipeline::all_levels();
    }
    let config = SpecConfig {
        pipelines,
        filter: args.filter,
        limit: args.limit,
        threads: args.jobs,
    };
    let report = run_suite(&config);
    if args.per_script {
        print!("{}", report.per_script());
    }
    println!("{report}");
    if report.scripts.is_empty() {
        bail!("no script ran (filter matched nothing, or every script was skipped)");
    }
    if report.total().failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}
