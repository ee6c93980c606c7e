//! The two optimizers under comparison: where they are and how each is invoked.
//!
//! Both are run as separate processes with the same level, the same input file and an
//! output file, so each pays its own start-up, reading and writing, as a user would.
//! wasm-opt is found the way a user would have it: an explicit path, the `binaryen` npm
//! package (its `bin/wasm-opt` runs under node) in a given folder or in the current
//! folder or one of its ancestors (as node resolves packages), or `wasm-opt` on `PATH`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use crate::runner;

/// Which optimizer a measurement belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Which {
    Loom,
    WasmOpt,
}

impl Which {
    pub fn name(self) -> &'static str {
        match self {
            Which::Loom => "LOOM",
            Which::WasmOpt => "wasm-opt",
        }
    }
}

/// An optimizer command: the program and its leading arguments, and its version line.
#[derive(Clone, Debug)]
pub struct Tool {
    pub which: Which,
    pub argv: Vec<String>,
    pub version: String,
}

impl Tool {
    pub fn new(which: Which, argv: Vec<String>) -> Tool {
        let version = runner::version(&argv);
        Tool {
            which,
            argv,
            version,
        }
    }

    /// The full command optimizing `input` into `output` at `level` (e.g. `Os`);
    /// `enable` are the wasm-opt feature names the input needs.
    pub fn command(
        &self,
        level: &str,
        enable: &[&str],
        input: &Path,
        output: &Path,
    ) -> Vec<String> {
        let mut argv = self.argv.clone();
        argv.push(format!("-{level}"));
        if self.which == Which::WasmOpt {
            // Only the input's features: wasm-opt's defaults would let it emit others.
            argv.push("--mvp-features".into());
            argv.extend(enable.iter().map(|f| format!("--enable-{f}")));
        }
        argv.push(input.display().to_string());
        argv.push("-o".into());
        argv.push(output.display().to_string());
        argv
    }
}

/// The `loom` binary: `explicit`, else `loom` next to this executable (both are built
/// into the same target folder), else the release build under the current folder.
pub fn find_loom(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("loom")));
    let candidates = beside
        .into_iter()
        .chain([PathBuf::from("target/release/loom")]);
    for candidate in candidates {
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    bail!(
        "no loom binary found: build it (`cargo build --release -p loom-cli`) or pass --loom PATH"
    )
}

/// The wasm-opt command: `explicit`, else `node_modules/binaryen/bin/wasm-opt` under
/// `binaryen_dir` or (without it) the current folder or an ancestor, else `wasm-opt` on
/// `PATH`.
pub fn find_wasm_opt(explicit: Option<&Path>, binaryen_dir: Option<&Path>) -> Result<Vec<String>> {
    if let Some(path) = explicit {
        return Ok(vec![path.display().to_string()]);
    }
    let npm = Path::new("node_modules/binaryen/bin/wasm-opt");
    let dirs: Vec<PathBuf> = match binaryen_dir {
        Some(dir) => vec![dir.to_path_buf()],
        None => std::env::current_dir()
            .map(|cwd| cwd.ancestors().map(Path::to_path_buf).collect())
            .unwrap_or_default(),
    };
    for dir in &dirs {
        let script = dir.join(npm);
        if script.is_file() {
            // The npm script is JavaScript: run it with node rather than rely on its
            // executable bit and shebang surviving the package manager.
            return Ok(vec!["node".into(), script.display().to_string()]);
        }
    }
    if let Some(dir) = binaryen_dir {
        bail!("no {} under {}", npm.display(), dir.display());
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join("wasm-opt").is_file()))
        .unwrap_or(false);
    if on_path {
        return Ok(vec!["wasm-opt".into()]);
    }
    bail!("no wasm-opt found: install binaryen (npm or apt), or pass --wasm-opt PATH or --binaryen DIR")
}
