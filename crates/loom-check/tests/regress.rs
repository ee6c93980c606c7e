//! Regression modules: every `tests/regress/*.wat` (at the repository root),
//! usually a minimized module the differential fuzzer once caught, goes
//! through every level and every single pass; each output must validate and
//! behave as the input does under the fuzzer's executor (same argument
//! vectors, same comparison of results, traps, memories and globals).
//!
//! A file whose comments contain `status: open` records a bug not fixed yet:
//! it is expected to fail, and the test fails when it stops failing, so the
//! marker is removed together with the fix.

use std::path::{Path, PathBuf};

use loom_check::diff::{self, Variant, Verdict};

fn regress_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/regress");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wat"))
        .collect();
    files.sort();
    files
}

#[test]
fn regress_modules_keep_their_behaviour() {
    let engine = diff::engine().unwrap();
    let mut problems = Vec::new();
    for path in regress_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let open = text
            .lines()
            .any(|line| line.trim_start().starts_with(";;") && line.contains("status: open"));
        let wasm = loom_core::parse_input(text.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .into_owned();
        wasmparser::Validator::new_with_features(loom_core::features::accepted())
            .validate_all(&wasm)
            .unwrap_or_else(|e| panic!("{name} is not a valid module: {e}"));
        let engine = engine.clone();
        let results =
            diff::with_stack(move || diff::check_module(&engine, &wasm, &Variant::all())).results;
        let failures: Vec<String> = results
            .iter()
            .filter_map(|r| match &r.verdict {
                Verdict::Fail { kind, detail } => Some(format!(
                    "{name} at {}: [{kind:?}] {detail}",
                    r.variant.name()
                )),
                Verdict::Pass { executed: false } => Some(format!(
                    "{name} at {}: not executed (wasmtime rejects it or it exhausts its fuel)",
                    r.variant.name()
                )),
                Verdict::Pass { executed: true } => None,
            })
            .collect();
        match (open, failures.is_empty()) {
            (false, false) => problems.extend(failures),
            (true, true) => problems.push(format!(
                "{name} is marked `status: open` but now passes everywhere: remove the marker"
            )),
            (true, false) => println!(
                "{name}: open bug, still failing:\n  {}",
                failures.join("\n  ")
            ),
            (false, true) => println!("{name}: ok"),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
