//! Runs the `loom` binary over the real-world corpus at `-O0` and checks the basics hold;
//! `optimized_twice_is_identical` checks that `-Os` and `-Oz` give valid output and reach a
//! fixed point.
//!
//! Spec tests exercise each instruction in isolation; the corpus (see `corpus/manifest.tsv`
//! and the `loom-corpus` crate) is 44 binaries from many toolchains, which is where reader,
//! writer and round-trip bugs really show. For every module present and verified in the
//! cache (`loom-corpus fetch` fills it), `loom -O0 in -o out` must exit 0, its output must
//! validate with every proposal enabled, a core module must not grow by more than 0.5 %, and
//! a second `-O0` run on the output must reproduce it byte for byte (idempotence). Every
//! module is checked and all failures are reported together at the end. A table of sizes
//! goes to stdout as each module finishes (written past the test harness's capture, so it
//! shows without `--nocapture`). With an empty cache the test says so and passes, so it
//! costs nothing where the corpus was never fetched.
//!
//! A module listed in `OPEN` with a kind of problem is known to have it (a bug not fixed
//! yet): problems of that kind are printed, not counted, and the check fails when such a
//! module stops having it, so the entry is removed together with the fix (like
//! `status: open` in `tests/regress`). Every other problem of the module still counts.
//!
//! Environment: `LOOM_CORPUS_ONLY=id,id` restricts the run to those modules;
//! `LOOM_CORPUS_CACHE` selects the cache; `LOOM_CORPUS_TIMEOUT` (seconds, default 600) bounds
//! each `loom` run so a hang fails that module instead of the whole test run.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use loom_corpus::{cache_dir, Entry, Kind, Manifest};
use wasmparser::{Validator, WasmFeatures};

const LOOM: &str = env!("CARGO_BIN_EXE_loom");

/// Output of a core module may be at most this many thousandths of its input.
const MAX_GROWTH_PER_MILLE: u64 = 1005;

/// Prints straight to the process's stdout, which the test harness does not capture.
macro_rules! out {
    ($($arg:tt)*) => {{
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, $($arg)*);
        let _ = stdout.flush();
    }};
}

/// Known problems: (module id, kind, what happens). Kinds: `o0-growth` (the `-O0` output
/// grows by more than the limit), `o0-idempotence` (`-O0` of the `-O0` output differs),
/// `fixed-point` (a second `-Os`/`-Oz` run changes the output).
const OPEN: &[(&str, &str, &str)] = &[
    // Partly consumed multi-value results (`call $two; drop; local.set $z`) no longer
    // gain scratch locals on every round trip (lift.rs `reads_scratch`, lower.rs blame
    // in `simulate`), but some shapes in these modules still do. (dart-fmt-dart2wasm-
    // unopt's -O0 output is 40 % smaller, not larger, though its code grows: its 1 MB
    // name section is dropped whole because the local-name map lists locals out of
    // order, `names out of order`.)
    (
        "flet-web-dart2wasm",
        "o0-idempotence",
        "-O0 of the -O0 output grows by 1.6 KB: scratch locals of some multi-value \
         shapes are spilled again",
    ),
    (
        "flet-web-dart2wasm",
        "fixed-point",
        "a second -Os/-Oz run shrinks the output by 94 bytes",
    ),
    (
        "dart-fmt-dart2wasm",
        "fixed-point",
        "a second -Os/-Oz run shrinks the output by 54 bytes",
    ),
    (
        "dart-fmt-dart2wasm-unopt",
        "o0-idempotence",
        "-O0 of the -O0 output grows by 38 KB (scratch locals spilled again)",
    ),
    (
        "dart-fmt-dart2wasm-unopt",
        "fixed-point",
        "a second -Os/-Oz run grows the output by 7.9 KB (the same re-spilling)",
    ),
];

/// The kind of a problem as `OPEN` names it, if it is one `OPEN` can excuse.
fn problem_kind(problem: &str) -> Option<&'static str> {
    if problem.starts_with("output grew") {
        Some("o0-growth")
    } else if problem.starts_with("not idempotent") {
        Some("o0-idempotence")
    } else if problem.contains("second run gives") {
        Some("fixed-point")
    } else {
        None
    }
}

/// Sorts `problems` of module `id` by `OPEN`, for a check whose problems can be of `kinds`:
/// those it does not excuse go to `failures`, the excused ones are printed, and an `OPEN`
/// entry of `kinds` without its problem is a failure too.
fn judge_open(id: &str, kinds: &[&str], problems: Vec<String>, failures: &mut Vec<String>) {
    for (_, kind, why) in OPEN
        .iter()
        .filter(|(i, k, _)| *i == id && kinds.contains(k))
    {
        if problems.iter().any(|p| problem_kind(p) == Some(*kind)) {
            out!("{id}: open bug ({kind}), still there: {why}");
        } else {
            failures.push(format!(
                "{id}: listed in OPEN as {kind} ({why}) but no longer has it: remove the entry"
            ));
        }
    }
    for p in problems {
        let excused = problem_kind(&p)
            .is_some_and(|kind| OPEN.iter().any(|(i, k, _)| *i == id && *k == kind));
        if !excused {
            failures.push(format!("{id}: {p}"));
        }
    }
}

#[test]
fn corpus_o0_roundtrip() {
    let manifest = Manifest::bundled().unwrap_or_else(|e| panic!("{e:#}"));
    let only: Option<Vec<String>> = std::env::var("LOOM_CORPUS_ONLY")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.split(',').map(|id| id.trim().to_string()).collect());
    let entries = manifest
        .select(only.as_deref())
        .unwrap_or_else(|e| panic!("LOOM_CORPUS_ONLY: {e:#}"));
    let timeout = Duration::from_secs(
        std::env::var("LOOM_CORPUS_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(600),
    );

    let cache = cache_dir();
    let cached: Vec<(&Entry, std::path::PathBuf)> = entries
        .iter()
        .filter_map(|e| e.cached_path(&cache).map(|p| (*e, p)))
        .collect();
    if cached.is_empty() {
        out!(
            "corpus cache empty ({} holds none of the {} selected modules; \
             run: cargo run -p loom-corpus -- fetch); skipping",
            cache.display(),
            entries.len()
        );
        return;
    }
    if cached.len() < entries.len() {
        let missing: Vec<&str> = entries
            .iter()
            .filter(|e| !cached.iter().any(|(c, _)| c.id == e.id))
            .map(|e| e.id.as_str())
            .collect();
        out!(
            "corpus: {} of {} selected modules not cached, skipped: {}",
            missing.len(),
            entries.len(),
            missing.join(", ")
        );
    }

    let width = cached.iter().map(|(e, _)| e.id.len()).max().unwrap_or(2);
    out!(
        "{:<width$}  {:<9}  {:>10}  {:>10}  {:>7}  {:>7}  result",
        "id",
        "kind",
        "in bytes",
        "out bytes",
        "ratio",
        "secs"
    );
    let mut failures = Vec::new();
    let (mut total_in, mut total_out) = (0u64, 0u64);
    for (entry, input) in &cached {
        let start = Instant::now();
        let (out_bytes, problems) = check(entry, input, timeout);
        let secs = start.elapsed().as_secs_f64();
        let (out_col, ratio_col) = match out_bytes {
            Some(n) => {
                total_in += entry.bytes;
                total_out += n;
                (
                    n.to_string(),
                    format!("{:.4}", n as f64 / entry.bytes as f64),
                )
            }
            None => ("-".to_string(), "-".to_string()),
        };
        let result = if problems.is_empty() {
            "ok".to_string()
        } else {
            format!("FAIL: {}", problems.join("; "))
        };
        out!(
            "{:<width$}  {:<9}  {:>10}  {:>10}  {:>7}  {:>7.1}  {result}",
            entry.id,
            entry.kind.as_str(),
            entry.bytes,
            out_col,
            ratio_col,
            secs
        );
        judge_open(
            &entry.id,
            &["o0-growth", "o0-idempotence"],
            problems,
            &mut failures,
        );
    }
    if total_in > 0 {
        out!(
            "{:<width$}  {:<9}  {:>10}  {:>10}  {:>7.4}",
            "total",
            "",
            total_in,
            total_out,
            total_out as f64 / total_in as f64
        );
    }
    assert!(
        failures.is_empty(),
        "{} problem(s) in {} corpus module(s):\n  {}",
        failures.len(),
        cached.len(),
        failures.join("\n  ")
    );
}

/// Core modules up to this size are optimized twice by `optimized_twice_is_identical`
/// (together about 20 s of CPU at `-Os` and `-Oz`).
const TWICE_MAX_BYTES: u64 = 700_000;

/// Whether `optimized_twice_is_identical` checks `entry`: core modules up to
/// `TWICE_MAX_BYTES`, and every module that uses GC whatever its size. The corpus has few
/// of those and they exercise what no other module does (non-nullable locals, casts,
/// typed function references); the three dart2wasm modules add about 100 s of CPU
/// (flet-web-dart2wasm 70 s of it, as measured).
fn checked_twice(entry: &Entry) -> bool {
    entry.kind == Kind::Core
        && (entry.bytes <= TWICE_MAX_BYTES || entry.features.iter().any(|f| f == "gc"))
}

/// `-Os` and `-Oz` give a valid module and reach a fixed point: optimizing a module's
/// output again at the same level gives the same bytes (the second run on one thread, so
/// the bytes do not depend on the thread count either). Checked on the cached modules that
/// `checked_twice` selects; as measured, all 41 corpus modules but a few of the largest
/// reach the fixed point.
#[test]
fn optimized_twice_is_identical() {
    let manifest = Manifest::bundled().unwrap_or_else(|e| panic!("{e:#}"));
    let cache = cache_dir();
    let cached: Vec<(&Entry, std::path::PathBuf)> = manifest
        .select::<&str>(None)
        .unwrap_or_else(|e| panic!("{e:#}"))
        .into_iter()
        .filter(|e| checked_twice(e))
        .filter_map(|e| e.cached_path(&cache).map(|p| (e, p)))
        .collect();
    if cached.is_empty() {
        out!("corpus cache empty: optimizing twice not checked");
        return;
    }
    let timeout = Duration::from_secs(600);
    let mut failures = Vec::new();
    for (entry, input) in &cached {
        let mut problems = Vec::new();
        for level in ["-Os", "-Oz"] {
            let tmp = tempfile::tempdir().expect("cannot create a temporary directory");
            let (first, second) = (tmp.path().join("1.wasm"), tmp.path().join("2.wasm"));
            let log = tmp.path().join("log");
            let outcome = run_loom(level, input, &first, &log, timeout, None)
                .and_then(|()| {
                    let once =
                        fs::read(&first).map_err(|e| format!("cannot read the output: {e}"))?;
                    Validator::new_with_features(WasmFeatures::all())
                        .validate_all(&once)
                        .map(|_| ())
                        .map_err(|e| {
                            format!("output does not validate: {}", one_line(&e.to_string()))
                        })
                })
                .and_then(|()| run_loom(level, &first, &second, &log, timeout, Some(1)))
                .and_then(|()| {
                    let (once, twice) = (fs::read(&first), fs::read(&second));
                    match (once, twice) {
                        (Ok(once), Ok(twice)) if once == twice => Ok(()),
                        (Ok(once), Ok(twice)) => Err(format!(
                            "second run gives {} bytes instead of {}",
                            twice.len(),
                            once.len()
                        )),
                        _ => Err("cannot read an output".to_string()),
                    }
                });
            if let Err(e) = outcome {
                problems.push(format!("{level}: {e}"));
            }
        }
        judge_open(&entry.id, &["fixed-point"], problems, &mut failures);
    }
    out!(
        "optimized twice: {} core modules at -Os and -Oz",
        cached.len()
    );
    assert!(
        failures.is_empty(),
        "not valid or not a fixed point:\n  {}",
        failures.join("\n  ")
    );
}

/// Checks one module; returns the output size (if `loom` produced one) and every problem.
fn check(entry: &Entry, input: &Path, timeout: Duration) -> (Option<u64>, Vec<String>) {
    let mut problems = Vec::new();
    let tmp = tempfile::tempdir().expect("cannot create a temporary directory");
    let first = tmp.path().join("out.wasm");
    let second = tmp.path().join("out2.wasm");

    if let Err(e) = run_loom(
        "-O0",
        input,
        &first,
        &tmp.path().join("log1"),
        timeout,
        None,
    ) {
        problems.push(e);
        return (None, problems);
    }
    let out = match fs::read(&first) {
        Ok(bytes) => bytes,
        Err(e) => {
            problems.push(format!("cannot read loom's output: {e}"));
            return (None, problems);
        }
    };
    let out_len = out.len() as u64;

    if let Err(e) = Validator::new_with_features(WasmFeatures::all()).validate_all(&out) {
        problems.push(format!(
            "output does not validate: {}",
            one_line(&e.to_string())
        ));
    }
    if entry.kind == Kind::Core && out_len * 1000 > entry.bytes * MAX_GROWTH_PER_MILLE {
        problems.push(format!(
            "output grew from {} to {out_len} bytes ({:+.2} %, limit +0.5 %)",
            entry.bytes,
            (out_len as f64 / entry.bytes as f64 - 1.0) * 100.0
        ));
    }

    // The second run uses one thread: identical bytes show both idempotence
    // and that output does not depend on the thread count.
    match run_loom(
        "-O0",
        &first,
        &second,
        &tmp.path().join("log2"),
        timeout,
        Some(1),
    ) {
        Err(e) => problems.push(format!("second -O0 run: {e}")),
        Ok(()) => match fs::read(&second) {
            Err(e) => problems.push(format!("cannot read the second run's output: {e}")),
            Ok(again) if again != out => {
                let at = out
                    .iter()
                    .zip(&again)
                    .position(|(a, b)| a != b)
                    .unwrap_or(out.len().min(again.len()));
                problems.push(format!(
                    "not idempotent: -O0 of the output gives {} bytes instead of {out_len}, \
                     first difference at offset {at:#x}",
                    again.len()
                ));
            }
            Ok(_) => {}
        },
    }
    (Some(out_len), problems)
}

/// Runs `loom LEVEL input -o output` with stdout and stderr going to `log`; a non-zero
/// exit, a failure to start, a timeout or a missing output becomes a one-line error.
fn run_loom(
    level: &str,
    input: &Path,
    output: &Path,
    log: &Path,
    timeout: Duration,
    threads: Option<usize>,
) -> Result<(), String> {
    let log_file =
        File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let log_err = log_file
        .try_clone()
        .map_err(|e| format!("cannot duplicate a file handle: {e}"))?;
    let mut command = Command::new(LOOM);
    if let Some(threads) = threads {
        command.env("RAYON_NUM_THREADS", threads.to_string());
    }
    let mut child = command
        .arg(level)
        .arg(input)
        .arg("-o")
        .arg(output)
        .stdin(Stdio::null())
        .stdout(log_file)
        .stderr(log_err)
        .spawn()
        .map_err(|e| format!("cannot run {LOOM}: {e}"))?;
    let start = Instant::now();
    let mut nap = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "loom {level} timed out after {} s",
                    timeout.as_secs()
                ));
            }
            Ok(None) => {
                sleep(nap);
                nap = (nap * 2).min(Duration::from_millis(50));
            }
            Err(e) => return Err(format!("cannot wait for loom: {e}")),
        }
    };
    let log_text = fs::read(log).unwrap_or_default();
    let log_text = one_line(&String::from_utf8_lossy(&log_text));
    if !status.success() {
        return Err(format!("loom {level} failed ({status}): {log_text}"));
    }
    if !output.is_file() {
        return Err(format!(
            "loom {level} exited 0 but wrote no output: {log_text}"
        ));
    }
    Ok(())
}

/// Collapses whitespace (so multi-line messages fit a table cell) and caps the length.
fn one_line(text: &str) -> String {
    let mut s = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 300 {
        s = s.chars().take(300).collect::<String>() + "…";
    }
    s
}
