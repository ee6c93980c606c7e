//! `loom-bench`: the evidence for choosing an optimizer, reproducible by anyone.
//!
//! `size` runs LOOM and wasm-opt side by side over the corpus (or a folder of modules)
//! and writes `report.md`, `report.json` and charts; `exec` runs benchmark programs before
//! and after each optimizer in wasmtime and wasmi and compares speed and output; `time`
//! shows where LOOM's own time goes on one module, phase by phase. Errors are one line on
//! stderr (exit status 2).

mod chart;
mod exec;
mod inputs;
mod progress;
mod report;
mod runner;
mod size;
mod time;
mod tools;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand};

use crate::tools::{Tool, Which};

#[derive(Parser)]
#[command(
    name = "loom-bench",
    about = "LOOM vs wasm-opt: output size, optimizer cost and execution speed"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Optimize modules with LOOM and wasm-opt at the same levels; write a report.
    Size(SizeArgs),
    /// Run benchmark programs (sightglass layout) before and after each optimizer.
    Exec(ExecArgs),
    /// LOOM's own time per phase and pass on one module (library pipeline, in process).
    Time(TimeArgs),
}

#[derive(Args)]
struct SizeArgs {
    /// A folder of .wasm files (default: the corpus, from the cache).
    dir: Option<PathBuf>,
    /// Levels to compare, e.g. Os,Oz,O2.
    #[arg(long, value_delimiter = ',', default_value = "Os")]
    levels: Vec<String>,
    /// The loom binary (default: `loom` beside this executable, else target/release/loom).
    #[arg(long, value_name = "PATH")]
    loom: Option<PathBuf>,
    /// The wasm-opt executable (default: node_modules/binaryen of --binaryen, of the current
    /// folder or an ancestor, else wasm-opt on PATH).
    #[arg(long, value_name = "PATH")]
    wasm_opt: Option<PathBuf>,
    /// Folder holding node_modules/binaryen.
    #[arg(long, value_name = "DIR")]
    binaryen: Option<PathBuf>,
    /// Modules optimized in parallel (each tool may use several threads itself).
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Runs per tool, module and level; times are the minimum.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Seconds before a tool run is killed and counted as a failure.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    /// Pass --strip-debug to both tools (wasm-opt drops the name section anyway).
    #[arg(long)]
    strip_debug: bool,
    /// Corpus manifest (default: the repository's corpus/manifest.tsv).
    #[arg(long, value_name = "PATH")]
    manifest: Option<PathBuf>,
    /// Corpus cache (default: $LOOM_CORPUS_CACHE, else ~/.cache/loom-corpus).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Only these corpus ids (comma-separated).
    #[arg(long, value_name = "ID,ID", value_delimiter = ',')]
    only: Option<Vec<String>>,
    /// Where report.md, report.json and the charts go.
    #[arg(long, value_name = "DIR", default_value = "benches/report")]
    out: PathBuf,
}

#[derive(Args)]
struct ExecArgs {
    /// Benchmark folders in sightglass layout, or .wasm files (default: benches/programs).
    dirs: Vec<PathBuf>,
    /// Level both optimizers run at.
    #[arg(long, default_value = "O3")]
    level: String,
    /// Engines to run in.
    #[arg(long, value_delimiter = ',', default_value = "wasmtime,wasmi")]
    engines: Vec<String>,
    /// Timed runs per variant and engine (the medians are over these).
    #[arg(long, default_value_t = 10)]
    iterations: usize,
    /// Untimed runs per variant and engine before the timed ones (outputs still checked).
    #[arg(long, default_value_t = 1)]
    warmup: usize,
    /// Only benchmarks whose name contains one of these (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "TEXT,TEXT")]
    filter: Vec<String>,
    /// The wasm-opt executable (default: as for `size`).
    #[arg(long, value_name = "PATH")]
    wasm_opt: Option<PathBuf>,
    /// Folder holding node_modules/binaryen.
    #[arg(long, value_name = "DIR")]
    binaryen: Option<PathBuf>,
    /// Compare only the original and LOOM.
    #[arg(long, conflicts_with_all = ["wasm_opt", "binaryen"])]
    no_wasm_opt: bool,
    /// Benchmarks optimized in parallel (the runs themselves are always sequential).
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Seconds before a wasm-opt run is killed and counted as a failure.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    /// Where report.md and report.json go.
    #[arg(long, value_name = "DIR", default_value = "benches/report/exec")]
    out: PathBuf,
}

#[derive(Args)]
struct TimeArgs {
    /// The module (.wasm or .wat).
    module: PathBuf,
    /// Optimization level (the part after -O: 0-4, s, z).
    #[arg(long, default_value = "s")]
    level: String,
    /// Run only these passes instead of the level's pipeline (repeatable).
    #[arg(long = "pass", value_name = "NAME")]
    passes: Vec<String>,
    /// Runs; the times shown are medians.
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("loom-bench: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Size(args) => size(args),
        Command::Exec(args) => exec(args),
        Command::Time(args) => {
            let level = loom_core::OptLevel::parse(args.level.trim_start_matches('O'))
                .ok_or_else(|| anyhow::anyhow!("unknown level {}", args.level))?;
            print!(
                "{}",
                time::run(&args.module, level, &args.passes, args.runs)?
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn size(args: SizeArgs) -> Result<ExitCode> {
    let mut levels = Vec::new();
    for level in &args.levels {
        let level = level.trim_start_matches('-').trim_start_matches('O');
        if loom_core::OptLevel::parse(level).is_none() || level.is_empty() {
            bail!("unknown level O{level} (use 0-4, s, z)");
        }
        levels.push(format!("O{level}"));
    }
    let loom = Tool::new(
        Which::Loom,
        vec![tools::find_loom(args.loom.as_deref())?
            .display()
            .to_string()],
    );
    let wasm_opt = Tool::new(
        Which::WasmOpt,
        tools::find_wasm_opt(args.wasm_opt.as_deref(), args.binaryen.as_deref())?,
    );
    let (modules, skipped) = match &args.dir {
        Some(dir) => (inputs::folder(dir)?, Vec::new()),
        None => inputs::corpus(
            args.manifest.as_deref(),
            args.cache.as_deref(),
            args.only.as_deref(),
        )?,
    };
    eprintln!(
        "loom-bench: {} modules at {}; LOOM: {}; wasm-opt: {} ({})",
        modules.len(),
        levels.join(","),
        loom.version,
        wasm_opt.version,
        wasm_opt.argv.join(" ")
    );
    let config = size::Config {
        levels: levels.clone(),
        jobs: args.jobs.max(1),
        repeat: args.repeat.max(1),
        timeout: Duration::from_secs(args.timeout),
        extra_args: if args.strip_debug {
            vec!["--strip-debug".into()]
        } else {
            Vec::new()
        },
        progress: std::io::stderr().is_terminal(),
    };
    let results = size::run(&modules, skipped, &loom, &wasm_opt, &config)?;
    let meta = report::Meta {
        date: utc_now(),
        machine: machine(),
        loom_version: loom.version.clone(),
        wasm_opt_version: wasm_opt.version.clone(),
        wasm_opt_command: wasm_opt.argv.join(" "),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        jobs: config.jobs,
        repeat: config.repeat,
    };
    let summaries = report::write(&args.out, &meta, &results, &levels)?;
    for s in &summaries {
        println!(
            "-{}: {} modules; LOOM/wasm-opt geomean: total bytes {:.3}, code bytes {:.3}, wall {:.3}, CPU {:.3}, peak memory {:.3}; total bytes W/T/L {}/{}/{}; failures LOOM {}, wasm-opt {}",
            s.level,
            s.compared,
            s.geomean_bytes,
            s.geomean_code_bytes,
            s.geomean_wall,
            s.geomean_cpu,
            s.geomean_max_rss,
            s.bytes.wins,
            s.bytes.ties,
            s.bytes.losses,
            s.loom_failures,
            s.wasm_opt_failures
        );
    }
    println!(
        "report: {} ({} not compared)",
        args.out.join("report.md").display(),
        results.skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn exec(args: ExecArgs) -> Result<ExitCode> {
    let level = format!(
        "O{}",
        args.level.trim_start_matches('-').trim_start_matches('O')
    );
    if loom_core::OptLevel::parse(&level[1..]).is_none() || level.len() == 1 {
        bail!("unknown level {} (use O0-O4, Os, Oz)", args.level);
    }
    let engines = args
        .engines
        .iter()
        .map(|name| {
            exec::engine::Kind::parse(name)
                .ok_or_else(|| anyhow::anyhow!("unknown engine {name} (use wasmtime, wasmi)"))
        })
        .collect::<Result<Vec<_>>>()?;
    if args.iterations == 0 {
        bail!("--iterations must be at least 1");
    }
    let dirs = if args.dirs.is_empty() {
        vec![PathBuf::from("benches/programs")]
    } else {
        args.dirs.clone()
    };
    let mut benchmarks = exec::suite::find(&dirs)?;
    if !args.filter.is_empty() {
        benchmarks.retain(|b| args.filter.iter().any(|f| b.name.contains(f.as_str())));
        if benchmarks.is_empty() {
            bail!(
                "no benchmark name contains any of {}",
                args.filter.join(", ")
            );
        }
    }
    // Without wasm-opt the comparison with the original still stands: say so and go on.
    let (wasm_opt, wasm_opt_note) = if args.no_wasm_opt {
        (None, Some("--no-wasm-opt".to_string()))
    } else {
        match tools::find_wasm_opt(args.wasm_opt.as_deref(), args.binaryen.as_deref()) {
            Ok(argv) => (Some(Tool::new(Which::WasmOpt, argv)), None),
            Err(e) if args.wasm_opt.is_none() && args.binaryen.is_none() => {
                eprintln!("loom-bench: note: {e:#}; comparing the original and LOOM only");
                (None, Some(format!("{e:#}")))
            }
            Err(e) => return Err(e),
        }
    };
    let loom_version = format!(
        "loom-core {} (library, in process, the `loom` CLI's pipeline)",
        env!("CARGO_PKG_VERSION")
    );
    eprintln!(
        "loom-bench: {} benchmarks at -{level}; LOOM: {loom_version}; wasm-opt: {}",
        benchmarks.len(),
        wasm_opt.as_ref().map_or_else(
            || "not compared".to_string(),
            |t| format!("{} ({})", t.version, t.argv.join(" "))
        )
    );
    let config = exec::Config {
        level: level.clone(),
        engines: engines.clone(),
        iterations: args.iterations,
        warmup: args.warmup,
        jobs: args.jobs.max(1),
        timeout: Duration::from_secs(args.timeout),
        progress: std::io::stderr().is_terminal(),
    };
    let results = exec::run(&benchmarks, wasm_opt.as_ref(), &config)?;
    let meta = exec::Meta {
        date: utc_now(),
        machine: machine(),
        loom_version,
        wasm_opt_version: wasm_opt.as_ref().map(|t| t.version.clone()),
        wasm_opt_command: wasm_opt.as_ref().map(|t| t.argv.join(" ")),
        wasm_opt_note,
        engines: engines
            .iter()
            .map(|k| k.description().to_string())
            .collect(),
        level,
        iterations: config.iterations,
        warmup: config.warmup,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let summaries = exec::write(&args.out, &meta, &engines, &results)?;
    for s in &summaries {
        println!(
            "{}: LOOM/original {:.3} ({} benchmarks), LOOM/wasm-opt {:.3} ({} benchmarks) (geometric means of median CPU time)",
            s.engine.name(),
            s.loom_vs_original,
            s.loom_vs_original_count,
            s.loom_vs_wasm_opt,
            s.loom_vs_wasm_opt_count
        );
    }
    let failures: usize = results.iter().map(|b| b.failures().count()).sum();
    println!(
        "report: {} ({failures} failures)",
        args.out.join("report.md").display()
    );
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `YYYY-MM-DD HH:MM UTC` for now (days-to-civil conversion, proleptic Gregorian).
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// CPU model, core count and OS, e.g. `AMD EPYC 7B13, 2 cores, Linux 6.1 x86_64`.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    let os = if unsafe { libc::uname(&mut uts) } == 0 {
        let field = |f: &[libc::c_char]| {
            let bytes: Vec<u8> = f
                .iter()
                .take_while(|&&c| c != 0)
                .map(|&c| c as u8)
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        format!(
            "{} {} {}",
            field(&uts.sysname),
            field(&uts.release),
            field(&uts.machine)
        )
    } else {
        std::env::consts::OS.to_string()
    };
    format!("{cpu}, {cores} cores, {os}")
}
