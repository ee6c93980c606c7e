//! The modules a comparison runs over, and the facts about each that the tools need.
//!
//! Inputs are either the project's corpus (the manifest's entries found verified in the
//! cache) or every `.wasm` file of a folder. For each core module the bench works out
//! which WebAssembly proposals it actually uses, because wasm-opt must be told: with
//! `-all` it may emit features the input never used (an output the user's engine may
//! reject), and with its defaults it rejects inputs that use more. Each tool is therefore
//! held to the same contract LOOM keeps — the output may use only the input's features —
//! and every output is validated against exactly that feature set.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use loom_core::features::{accepted, FLAG_NAMES};
use wasmparser::{Validator, WasmFeatures};

/// One module to compare the tools on.
#[derive(Clone, Debug)]
pub struct Input {
    /// Corpus id, or the file name without `.wasm`.
    pub id: String,
    pub path: PathBuf,
}

/// Why an input is left out of the comparison (reported, never silently dropped).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Skip {
    pub id: String,
    pub reason: String,
}

/// The corpus entries named by `only` (all if `None`) that are cached and verified; the
/// rest are returned as skipped with the reason.
pub fn corpus(
    manifest: Option<&Path>,
    cache: Option<&Path>,
    only: Option<&[String]>,
) -> Result<(Vec<Input>, Vec<Skip>)> {
    let manifest = match manifest {
        Some(path) => loom_corpus::Manifest::load(path)?,
        None => loom_corpus::Manifest::bundled()?,
    };
    let cache = cache.map_or_else(loom_corpus::cache_dir, Path::to_path_buf);
    let mut inputs = Vec::new();
    let mut skipped = Vec::new();
    for entry in manifest.select(only)? {
        if entry.kind == loom_corpus::Kind::Component {
            skipped.push(Skip {
                id: entry.id.clone(),
                reason: "component (wasm-opt reads core modules only)".into(),
            });
            continue;
        }
        match entry.cached_path(&cache) {
            Some(path) => inputs.push(Input {
                id: entry.id.clone(),
                path,
            }),
            None => skipped.push(Skip {
                id: entry.id.clone(),
                reason: format!(
                    "not in the cache {} (run `cargo run --release -p loom-corpus -- fetch`)",
                    cache.display()
                ),
            }),
        }
    }
    Ok((inputs, skipped))
}

/// Every `*.wasm` file directly in `dir`, sorted by name.
pub fn folder(dir: &Path) -> Result<Vec<Input>> {
    let mut inputs = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wasm") && path.is_file() {
            let id = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            inputs.push(Input { id, path });
        }
    }
    if inputs.is_empty() {
        bail!("no .wasm files in {}", dir.display());
    }
    inputs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(inputs)
}

/// The proposals a module needs, as a validator feature set and as wasm-opt flag names.
#[derive(Clone, Debug)]
pub struct Needs {
    /// Validates the input; outputs are validated against it too.
    pub features: WasmFeatures,
    /// `--enable-NAME` names for wasm-opt (after `--mvp-features`).
    pub flags: Vec<&'static str>,
}

/// Works out which proposals `wasm` uses: starting from everything LOOM accepts, each
/// wasm-opt feature is switched off in turn and stays off if the module still validates.
/// Fails if the module is not a valid core module under any feature set.
pub fn needs(wasm: &[u8]) -> Result<Needs> {
    if wasmparser::Parser::is_component(wasm) {
        bail!("a component, not a core module");
    }
    let valid = |features| {
        Validator::new_with_features(features)
            .validate_all(wasm)
            .is_ok()
    };
    let mut features = accepted();
    if let Err(e) = Validator::new_with_features(features).validate_all(wasm) {
        bail!("invalid input: {e}");
    }
    let mut flags = Vec::new();
    for &(name, bits) in FLAG_NAMES {
        // Features wasm-opt knows but the validator does not model have no bits to test,
        // and a later alias (e.g. `bulk-memory-opt`) of a bit already decided adds nothing.
        if bits.is_empty() || !features.intersects(bits) {
            continue;
        }
        let without = features.difference(bits);
        if valid(without) {
            features = without;
        } else {
            flags.push(name);
        }
    }
    // An alias whose bits were kept by an earlier flag is needed too: wasm-opt splits
    // some of them (bulk-memory vs bulk-memory-opt) into separate switches.
    for &(name, bits) in FLAG_NAMES {
        if !bits.is_empty() && features.contains(bits) && !flags.contains(&name) {
            flags.push(name);
        }
    }
    Ok(Needs { features, flags })
}

/// Bytes of the code section (id, size field and bodies), 0 if there is none.
pub fn code_bytes(wasm: &[u8]) -> u64 {
    loom_core::stats::section_sizes(wasm)
        .iter()
        .filter(|(name, _)| name == "code")
        .map(|(_, n)| *n as u64)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mvp_module_needs_nothing() {
        let wasm = wat::parse_str("(module (func (result i32) i32.const 1))").unwrap();
        let needs = needs(&wasm).unwrap();
        assert!(needs.flags.is_empty(), "{:?}", needs.flags);
        assert!(code_bytes(&wasm) > 0);
    }

    #[test]
    fn detects_used_proposals() {
        let wasm = wat::parse_str(
            "(module (memory 1)
               (func (param i32) (result i32 i32)
                 (memory.fill (i32.const 0) (i32.const 0) (i32.const 1))
                 (i32.extend8_s (local.get 0)) (local.get 0)))",
        )
        .unwrap();
        let mut flags = needs(&wasm).unwrap().flags;
        flags.sort_unstable();
        assert_eq!(
            flags,
            ["bulk-memory", "bulk-memory-opt", "multivalue", "sign-ext"]
        );
    }

    #[test]
    fn invalid_module_is_an_error() {
        let wasm = wat::parse_str("(module (func (result i32) i64.const 1))");
        // The text parser does not type-check: the binary is well-formed but invalid.
        assert!(needs(&wasm.unwrap()).is_err());
    }
}
