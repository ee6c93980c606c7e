//! What the criterion benches share: the modules they measure, and whether criterion is
//! really benchmarking or only checking that each bench runs (`cargo test --benches`).

use std::path::{Path, PathBuf};

use loom_corpus::{cache_dir, Kind, Manifest};

/// A module to measure: a name for the report and its bytes.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Environment variable naming the corpus modules to measure (`id,id` or paths).
pub const MODULES_ENV: &str = "LOOM_BENCH_MODULES";

/// True unless criterion will really benchmark: `cargo bench` passes `--bench`; `cargo test
/// --benches` does not, and `-- --test` asks for test mode explicitly.
pub fn test_mode() -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test")
}

/// The modules `LOOM_BENCH_MODULES` names, or `defaults`; those not available (the corpus
/// cache may be empty) are reported with `bench`'s name and skipped.
pub fn corpus_inputs(bench: &str, requested: Option<&str>, defaults: &[&str]) -> Vec<Input> {
    let ids: Vec<String> = match requested {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        None => defaults.iter().map(|s| s.to_string()).collect(),
    };
    let manifest = match Manifest::bundled() {
        Ok(m) => Some(m),
        Err(e) => {
            eprintln!("{bench} bench: cannot load the corpus manifest: {e:#}");
            None
        }
    };
    let cache = cache_dir();
    let mut inputs = Vec::new();
    for id in ids {
        let entry = manifest.as_ref().and_then(|m| m.get(&id));
        let path: PathBuf = match entry {
            Some(entry) if entry.kind != Kind::Core => {
                eprintln!("{bench} bench: skipping {id}: a component, not a core module");
                continue;
            }
            Some(entry) => match entry.cached_path(&cache) {
                Some(path) => path,
                None => {
                    eprintln!(
                        "{bench} bench: skipping {id}: {} in {} \
                         (fetch it with `cargo run -p loom-corpus -- fetch {id}`)",
                        entry.cache_state(&cache).describe(),
                        cache.display()
                    );
                    continue;
                }
            },
            // Not a corpus id: a path to a module.
            None => PathBuf::from(&id),
        };
        match std::fs::read(&path) {
            Ok(bytes) if wasmparser::Parser::is_core_wasm(&bytes) => inputs.push(Input {
                name: entry.map_or_else(|| display_name(&path), |e| e.id.clone()),
                bytes,
            }),
            Ok(_) => eprintln!(
                "{bench} bench: skipping {}: not a core wasm module",
                path.display()
            ),
            Err(e) => eprintln!(
                "{bench} bench: skipping {id}: not a corpus id, and cannot read {}: {e}",
                path.display()
            ),
        }
    }
    inputs
}

/// A benchmark-id-friendly name for a module given by path: its file stem.
pub fn display_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
