//! Running one benchmark program once, in wasmtime (a JIT) or wasmi (an interpreter).
//!
//! Both engines give the program the same world, the one sightglass gives it: WASI
//! preview1 with the benchmark's folder pre-opened read-only as `.`, its file name as the
//! only argument, no environment, and stdout/stderr captured in memory to be compared with
//! the expected output. The `bench.start`/`bench.end` imports read this thread's CPU
//! clock: the program runs on the calling thread in both engines, so the difference is
//! the CPU time of exactly the measured region, untouched by other processes competing
//! for the cores (which wall-clock time is not, on a shared machine).

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::Serialize;

/// Which engine runs the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Wasmtime,
    Wasmi,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Wasmtime => "wasmtime",
            Kind::Wasmi => "wasmi",
        }
    }

    /// The engine, its version and how it is configured, for the report.
    pub fn description(self) -> &'static str {
        match self {
            Kind::Wasmtime => "wasmtime 48.0.8 (Cranelift, default settings)",
            Kind::Wasmi => "wasmi 2.0.0 (eager translation)",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        [Kind::Wasmtime, Kind::Wasmi]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

/// What one run produced; `error` is set if it trapped, exited non-zero or did not call
/// `bench.start` and `bench.end` once each (then `cpu` is meaningless).
#[derive(Debug)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub cpu: Duration,
    pub error: Option<String>,
}

/// Largest stdout or stderr kept per run: far above any benchmark's expected output, and
/// a runaway program gets an error instead of eating the memory.
const OUTPUT_CAPACITY: usize = 64 << 20;

/// CPU time consumed so far by the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // Cannot fail for this clock on Linux; a zero reading would show up as a 0 time.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The readings of `bench.start` and `bench.end`, and how often each was called.
#[derive(Default)]
struct Timer {
    start: Option<Duration>,
    end: Option<Duration>,
    starts: u32,
    ends: u32,
}

impl Timer {
    fn start(&mut self) {
        self.starts += 1;
        self.start = Some(thread_cpu());
    }

    fn end(&mut self) {
        self.end = Some(thread_cpu());
        self.ends += 1;
    }

    /// The measured CPU time, or why there is none.
    fn measured(&self) -> Result<Duration, String> {
        match (self.starts, self.ends, self.start, self.end) {
            (1, 1, Some(start), Some(end)) if end >= start => Ok(end - start),
            (starts, ends, ..) => Err(format!(
                "bench.start called {starts} times and bench.end {ends} times (expected once each, in order)"
            )),
        }
    }
}

/// Combines how the program ended (`Ok` for a normal return or exit status 0) with the
/// timer into an outcome.
fn outcome(ended: Result<(), String>, timer: &Timer, stdout: Vec<u8>, stderr: Vec<u8>) -> Outcome {
    let (cpu, error) = match ended.and_then(|()| timer.measured()) {
        Ok(cpu) => (cpu, None),
        Err(e) => (Duration::ZERO, Some(e)),
    };
    Outcome {
        stdout,
        stderr,
        cpu,
        error,
    }
}

/// An engine with its WASI and bench imports defined once, reused for every run.
pub enum Engine {
    Wasmtime {
        engine: wasmtime::Engine,
        linker: wasmtime::Linker<WasmtimeHost>,
    },
    Wasmi {
        engine: wasmi::Engine,
        linker: wasmi::Linker<WasmiHost>,
    },
}

/// A program compiled for one engine (compiled once, instantiated afresh for every run).
pub enum Compiled {
    Wasmtime(wasmtime::Module),
    Wasmi(wasmi::Module),
}

pub struct WasmtimeHost {
    wasi: wasmtime_wasi::p1::WasiP1Ctx,
    timer: Timer,
}

pub struct WasmiHost {
    wasi: wasmi_wasi::WasiCtx,
    timer: Timer,
}

impl Engine {
    pub fn new(kind: Kind) -> Result<Engine> {
        Ok(match kind {
            Kind::Wasmtime => {
                let engine = wasmtime::Engine::default();
                let mut linker = wasmtime::Linker::new(&engine);
                wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |h: &mut WasmtimeHost| {
                    &mut h.wasi
                })?;
                linker.func_wrap(
                    "bench",
                    "start",
                    |mut c: wasmtime::Caller<'_, WasmtimeHost>| c.data_mut().timer.start(),
                )?;
                linker.func_wrap(
                    "bench",
                    "end",
                    |mut c: wasmtime::Caller<'_, WasmtimeHost>| c.data_mut().timer.end(),
                )?;
                Engine::Wasmtime { engine, linker }
            }
            Kind::Wasmi => {
                // Eager translation: lazily translated functions would be translated inside
                // the first run's measured region.
                let mut config = wasmi::Config::default();
                config.compilation_mode(wasmi::CompilationMode::Eager);
                let engine = wasmi::Engine::new(&config);
                let mut linker = wasmi::Linker::new(&engine);
                wasmi_wasi::add_to_linker(&mut linker, |h: &mut WasmiHost| &mut h.wasi)
                    .map_err(|e| anyhow::anyhow!("wasmi WASI: {e}"))?;
                linker.func_wrap("bench", "start", |mut c: wasmi::Caller<'_, WasmiHost>| {
                    c.data_mut().timer.start()
                })?;
                linker.func_wrap("bench", "end", |mut c: wasmi::Caller<'_, WasmiHost>| {
                    c.data_mut().timer.end()
                })?;
                Engine::Wasmi { engine, linker }
            }
        })
    }

    pub fn compile(&self, wasm: &[u8]) -> Result<Compiled> {
        Ok(match self {
            Engine::Wasmtime { engine, .. } => {
                Compiled::Wasmtime(wasmtime::Module::new(engine, wasm)?)
            }
            Engine::Wasmi { engine, .. } => {
                Compiled::Wasmi(wasmi::Module::new(engine, wasm).map_err(anyhow::Error::msg)?)
            }
        })
    }

    /// Runs `_start` of `compiled` once with `dir` as the program's `.`; `Err` only if the
    /// run could not be set up (the folder cannot be opened), not for the program failing.
    pub fn run(&self, compiled: &Compiled, dir: &Path, arg0: &str) -> Result<Outcome> {
        match (self, compiled) {
            (Engine::Wasmtime { engine, linker }, Compiled::Wasmtime(module)) => {
                run_wasmtime(engine, linker, module, dir, arg0)
            }
            (Engine::Wasmi { engine, linker }, Compiled::Wasmi(module)) => {
                run_wasmi(engine, linker, module, dir, arg0)
            }
            _ => anyhow::bail!("a module compiled for one engine run in the other"),
        }
    }
}

fn run_wasmtime(
    engine: &wasmtime::Engine,
    linker: &wasmtime::Linker<WasmtimeHost>,
    module: &wasmtime::Module,
    dir: &Path,
    arg0: &str,
) -> Result<Outcome> {
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
    let stdout = MemoryOutputPipe::new(OUTPUT_CAPACITY);
    let stderr = MemoryOutputPipe::new(OUTPUT_CAPACITY);
    let wasi = wasmtime_wasi::WasiCtxBuilder::new()
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .args(&[arg0])
        .preopened_dir(dir, ".", wasmtime_wasi::FsPerms::ReadOnly)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", dir.display()))?
        .build_p1();
    let mut store = wasmtime::Store::new(
        engine,
        WasmtimeHost {
            wasi,
            timer: Timer::default(),
        },
    );
    let ended = linker
        .instantiate(&mut store, module)
        .and_then(|instance| instance.get_typed_func::<(), ()>(&mut store, "_start"))
        .and_then(|start| start.call(&mut store, ()));
    let ended = match ended {
        Ok(()) => Ok(()),
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(wasmtime_wasi::I32Exit(0)) => Ok(()),
            Some(wasmtime_wasi::I32Exit(status)) => Err(format!("exit status {status}")),
            None => Err(one_line(&format!("{e:#}"))),
        },
    };
    let timer = std::mem::take(&mut store.data_mut().timer);
    drop(store);
    Ok(outcome(
        ended,
        &timer,
        stdout.contents().to_vec(),
        stderr.contents().to_vec(),
    ))
}

fn run_wasmi(
    engine: &wasmi::Engine,
    linker: &wasmi::Linker<WasmiHost>,
    module: &wasmi::Module,
    dir: &Path,
    arg0: &str,
) -> Result<Outcome> {
    use wasmi_wasi::wasi_common::pipe::WritePipe;
    use wasmi_wasi::{ambient_authority, Dir};
    let stdout = WritePipe::new_in_memory();
    let stderr = WritePipe::new_in_memory();
    let preopen = Dir::open_ambient_dir(dir, ambient_authority())
        .with_context(|| format!("cannot open {}", dir.display()))?;
    let wasi = wasmi_wasi::WasiCtxBuilder::new()
        .stdout(Box::new(stdout.clone()))
        .stderr(Box::new(stderr.clone()))
        .args(&[arg0.to_string()])
        .map_err(|e| anyhow::anyhow!("WASI arguments: {e}"))?
        .preopened_dir(preopen, ".")
        .map_err(|e| anyhow::anyhow!("cannot pre-open {}: {e}", dir.display()))?
        .build();
    let mut store = wasmi::Store::new(
        engine,
        WasmiHost {
            wasi,
            timer: Timer::default(),
        },
    );
    let ended = linker
        .instantiate_and_start(&mut store, module)
        .and_then(|instance| instance.get_typed_func::<(), ()>(&store, "_start"))
        .and_then(|start| start.call(&mut store, ()));
    let ended = match ended {
        Ok(()) => Ok(()),
        Err(e) => match e.i32_exit_status() {
            Some(0) => Ok(()),
            Some(status) => Err(format!("exit status {status}")),
            None => Err(one_line(&e.to_string())),
        },
    };
    let timer = std::mem::take(&mut store.data_mut().timer);
    // The store holds the WASI context's clones of the pipes: drop it to take the bytes.
    drop(store);
    let bytes = |pipe: WritePipe<std::io::Cursor<Vec<u8>>>| {
        pipe.try_into_inner()
            .map(|cursor| cursor.into_inner())
            .unwrap_or_default()
    };
    Ok(outcome(ended, &timer, bytes(stdout), bytes(stderr)))
}

/// Engine errors can span lines (backtraces): a report cell needs one.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
