//! `loom-bench size`: LOOM and wasm-opt on the same modules at the same levels.
//!
//! For every module and level both tools optimize the same input file; which one runs
//! first alternates from module to module, so neither always gets the warm page cache or
//! the quiet moment. Every output is validated against the input's own feature set
//! (see `inputs`), and a tool that crashes, times out, exits non-zero or writes an
//! invalid module is recorded as a failure for that module — the bench itself goes on.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;
use wasmparser::Validator;

use crate::inputs::{self, Input, Needs, Skip};
use crate::progress;
use crate::runner;
use crate::tools::{Tool, Which};

/// How a comparison is run.
pub struct Config {
    pub levels: Vec<String>,
    pub jobs: usize,
    /// Runs per tool and level; times are the minimum over them (sizes are deterministic).
    pub repeat: usize,
    pub timeout: Duration,
    /// Extra arguments given to both tools (e.g. `--strip-debug`).
    pub extra_args: Vec<String>,
    pub progress: bool,
}

/// One tool's result on one module at one level.
#[derive(Clone, Debug, Serialize)]
pub struct Measurement {
    /// `None` if the output exists and validates; else what went wrong.
    pub error: Option<String>,
    pub bytes: u64,
    pub code_bytes: u64,
    pub wall_s: f64,
    pub cpu_s: f64,
    pub max_rss_kib: u64,
}

impl Measurement {
    fn failed(error: String) -> Measurement {
        Measurement {
            error: Some(error),
            bytes: 0,
            code_bytes: 0,
            wall_s: 0.0,
            cpu_s: 0.0,
            max_rss_kib: 0,
        }
    }

    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// Both tools on one module at one level.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub id: String,
    pub level: String,
    pub input_bytes: u64,
    pub input_code_bytes: u64,
    /// wasm-opt feature names the input needs (passed as `--enable-NAME`).
    pub features: Vec<String>,
    /// Which tool ran first for this module.
    pub first: Which,
    pub loom: Measurement,
    pub wasm_opt: Measurement,
}

/// What each tool costs on an empty module: its start-up, to read the times against
/// (the npm build of wasm-opt runs under node, which takes a while to start).
#[derive(Clone, Debug, Serialize)]
pub struct Startup {
    pub loom: Measurement,
    pub wasm_opt: Measurement,
}

/// Everything `size` measured.
#[derive(Clone, Debug, Serialize)]
pub struct Results {
    pub rows: Vec<Row>,
    pub skipped: Vec<Skip>,
    pub startup: Startup,
}

/// Runs the comparison over `modules` (plus `skipped`, carried into the results).
pub fn run(
    modules: &[Input],
    skipped: Vec<Skip>,
    loom: &Tool,
    wasm_opt: &Tool,
    config: &Config,
) -> Result<Results> {
    let scratch = tempfile::tempdir()?;
    let startup = startup(scratch.path(), loom, wasm_opt, config)?;
    let bar = config
        .progress
        .then(|| progress::bar(modules.len() * config.levels.len(), true));
    let next = AtomicUsize::new(0);
    let rows = Mutex::new(Vec::new());
    let skips = Mutex::new(skipped);
    std::thread::scope(|scope| {
        for _ in 0..config.jobs.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(module) = modules.get(i) else { break };
                match &bar {
                    Some(bar) => bar.set_message(module.id.clone()),
                    // A log still shows where a long run is.
                    None => eprintln!("[{}/{}] {}", i + 1, modules.len(), module.id),
                }
                let first = if i % 2 == 0 {
                    Which::Loom
                } else {
                    Which::WasmOpt
                };
                match compare(
                    module,
                    first,
                    scratch.path(),
                    loom,
                    wasm_opt,
                    config,
                    &|| {
                        if let Some(bar) = &bar {
                            bar.inc(1);
                        }
                    },
                ) {
                    Ok(mut r) => rows.lock().unwrap().append(&mut r),
                    Err(reason) => {
                        if let Some(bar) = &bar {
                            bar.inc(config.levels.len() as u64);
                        }
                        skips.lock().unwrap().push(Skip {
                            id: module.id.clone(),
                            reason,
                        })
                    }
                }
            });
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut rows = rows.into_inner().unwrap();
    let order = |id: &str| modules.iter().position(|m| m.id == id);
    let level_order = |l: &str| config.levels.iter().position(|x| x == l);
    rows.sort_by_key(|r| (level_order(&r.level), order(&r.id)));
    let mut skipped = skips.into_inner().unwrap();
    skipped.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Results {
        rows,
        skipped,
        startup,
    })
}

fn startup(scratch: &Path, loom: &Tool, wasm_opt: &Tool, config: &Config) -> Result<Startup> {
    let empty = scratch.join("empty.wasm");
    std::fs::write(&empty, b"\0asm\x01\0\0\0")?;
    let needs = inputs::needs(b"\0asm\x01\0\0\0")?;
    let level = config.levels.first().map_or("O2", String::as_str);
    let one = |tool: &Tool| measure(tool, level, &needs, &empty, scratch, "empty", config);
    Ok(Startup {
        loom: one(loom),
        wasm_opt: one(wasm_opt),
    })
}

/// Both tools on one module at every level; `Err` if the input itself cannot be used.
fn compare(
    module: &Input,
    first: Which,
    scratch: &Path,
    loom: &Tool,
    wasm_opt: &Tool,
    config: &Config,
    tick: &dyn Fn(),
) -> std::result::Result<Vec<Row>, String> {
    let wasm = std::fs::read(&module.path)
        .map_err(|e| format!("cannot read {}: {e}", module.path.display()))?;
    let needs = inputs::needs(&wasm).map_err(|e| format!("{e:#}"))?;
    let input_bytes = wasm.len() as u64;
    let input_code_bytes = inputs::code_bytes(&wasm);
    drop(wasm);
    let mut rows = Vec::new();
    for level in &config.levels {
        let run = |tool: &Tool| {
            measure(
                tool,
                level,
                &needs,
                &module.path,
                scratch,
                &module.id,
                config,
            )
        };
        let (loom_m, wasm_opt_m) = match first {
            Which::Loom => {
                let l = run(loom);
                (l, run(wasm_opt))
            }
            Which::WasmOpt => {
                let w = run(wasm_opt);
                (run(loom), w)
            }
        };
        rows.push(Row {
            id: module.id.clone(),
            level: level.clone(),
            input_bytes,
            input_code_bytes,
            features: needs.flags.iter().map(|f| f.to_string()).collect(),
            first,
            loom: loom_m,
            wasm_opt: wasm_opt_m,
        });
        tick();
    }
    Ok(rows)
}

/// Runs `tool` `config.repeat` times on `input` and checks its output.
fn measure(
    tool: &Tool,
    level: &str,
    needs: &Needs,
    input: &Path,
    scratch: &Path,
    id: &str,
    config: &Config,
) -> Measurement {
    let output: PathBuf = scratch.join(format!(
        "{id}.{level}.{}.wasm",
        match tool.which {
            Which::Loom => "loom",
            Which::WasmOpt => "wasm-opt",
        }
    ));
    let mut argv = tool.command(level, &needs.flags, input, &output);
    argv.extend(config.extra_args.iter().cloned());
    let (mut wall, mut cpu, mut max_rss_kib) = (Duration::MAX, Duration::MAX, 0);
    for _ in 0..config.repeat.max(1) {
        let _ = std::fs::remove_file(&output);
        let m = match runner::run(&argv, config.timeout) {
            Ok(m) => m,
            Err(e) => return Measurement::failed(format!("{e:#}")),
        };
        if m.timed_out {
            return Measurement::failed(format!("timed out after {:?}", config.timeout));
        }
        if !m.status.success() {
            let last = m.stderr.lines().last().unwrap_or("").to_string();
            return Measurement::failed(format!("{}: {last}", m.status));
        }
        wall = wall.min(m.wall);
        cpu = cpu.min(m.cpu);
        max_rss_kib = max_rss_kib.max(m.max_rss_kib);
    }
    let out = match std::fs::read(&output) {
        Ok(bytes) => bytes,
        Err(e) => return Measurement::failed(format!("no output: {e}")),
    };
    let _ = std::fs::remove_file(&output);
    let mut m = Measurement {
        error: None,
        bytes: out.len() as u64,
        code_bytes: inputs::code_bytes(&out),
        wall_s: wall.as_secs_f64(),
        cpu_s: cpu.as_secs_f64(),
        max_rss_kib,
    };
    if let Err(e) = Validator::new_with_features(needs.features).validate_all(&out) {
        m.error = Some(format!("invalid output (with the input's features): {e}"));
    }
    m
}
