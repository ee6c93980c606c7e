//! Finding benchmarks laid out the way Bytecode Alliance's sightglass lays them out.
//!
//! A benchmark is a `.wasm` file in a folder; the folder is its working directory (its
//! input files are opened by name through `.`), and `<stem>.stdout.expected` /
//! `<stem>.stderr.expected` beside it hold what it must print. Sightglass has one folder
//! per benchmark with `benchmark.wasm`, and some folders with several programs
//! (`shootout/shootout-sieve.wasm`); LOOM's programs have `O0.wasm` and `O2.wasm` per
//! folder. `default.*.expected` is accepted when there is no `<stem>.*.expected` (the
//! team's shared kernels use it). A missing expected file means that stream is not
//! checked, and the report says so.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// One benchmark program.
#[derive(Clone, Debug)]
pub struct Benchmark {
    /// The folder relative to the root given, plus the stem unless it is `benchmark`:
    /// `bz2`, `fib/O0`.
    pub name: String,
    pub wasm: PathBuf,
    pub stdout_expected: Option<PathBuf>,
    pub stderr_expected: Option<PathBuf>,
}

impl Benchmark {
    /// The program's working directory.
    pub fn dir(&self) -> &Path {
        self.wasm.parent().unwrap_or(Path::new("."))
    }
}

/// How deep folders are searched below a root: sightglass's tree is two levels deep, and
/// the bound keeps a mistaken root (such as `/`) from walking the whole disk.
const MAX_DEPTH: usize = 4;

/// Every benchmark under `roots` (folders, searched recursively, or `.wasm` files), in
/// name order within each root.
pub fn find(roots: &[PathBuf]) -> Result<Vec<Benchmark>> {
    let mut found = Vec::new();
    for root in roots {
        let before = found.len();
        if root.is_file() {
            if root.extension().is_none_or(|e| e != "wasm") {
                bail!("{} is not a .wasm file or a folder", root.display());
            }
            let dir = root.parent().unwrap_or(Path::new("."));
            let label = dir.file_name().map_or_else(
                || "benchmark".to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            found.push(benchmark(root, &label));
        } else {
            walk(root, "", 0, &mut found)
                .with_context(|| format!("cannot read {}", root.display()))?;
        }
        if found.len() == before {
            bail!("no benchmark (.wasm file) under {}", root.display());
        }
    }
    Ok(found)
}

fn walk(dir: &Path, rel: &str, depth: usize, found: &mut Vec<Benchmark>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    for path in &entries {
        if path.is_file() && path.extension().is_some_and(|e| e == "wasm") {
            found.push(benchmark(path, rel));
        }
    }
    if depth >= MAX_DEPTH {
        return Ok(());
    }
    for path in &entries {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if path.is_dir() && !name.starts_with('.') {
            let rel = if rel.is_empty() {
                name.into_owned()
            } else {
                format!("{rel}/{name}")
            };
            walk(path, &rel, depth + 1, found)?;
        }
    }
    Ok(())
}

fn benchmark(wasm: &Path, rel: &str) -> Benchmark {
    let stem = wasm.file_stem().unwrap_or_default().to_string_lossy();
    let name = match (rel, stem.as_ref()) {
        (_, "benchmark") if !rel.is_empty() => rel.to_string(),
        ("", stem) => stem.to_string(),
        (rel, stem) => format!("{rel}/{stem}"),
    };
    let expected = |stream: &str| {
        [stem.as_ref(), "default"]
            .iter()
            .map(|s| wasm.with_file_name(format!("{s}.{stream}.expected")))
            .find(|p| p.is_file())
    };
    Benchmark {
        name,
        wasm: wasm.to_path_buf(),
        stdout_expected: expected("stdout"),
        stderr_expected: expected("stderr"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_expected_files_follow_sightglass() {
        let root = tempfile::tempdir().unwrap();
        let touch = |rel: &str| {
            let path = root.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"").unwrap();
        };
        for rel in [
            "bz2/benchmark.wasm",
            "bz2/benchmark.stdout.expected",
            "fib/O0.wasm",
            "fib/O0.stdout.expected",
            "fib/O2.wasm",
            "fib/default.stdout.expected",
            "fib/default.stderr.expected",
        ] {
            touch(rel);
        }
        let found = find(&[root.path().to_path_buf()]).unwrap();
        let names: Vec<&str> = found.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["bz2", "fib/O0", "fib/O2"]);
        let file = |p: &Option<PathBuf>| p.as_ref().map(|p| p.file_name().unwrap().to_owned());
        assert_eq!(
            file(&found[0].stdout_expected).unwrap(),
            "benchmark.stdout.expected"
        );
        assert!(found[0].stderr_expected.is_none());
        assert_eq!(
            file(&found[1].stdout_expected).unwrap(),
            "O0.stdout.expected"
        );
        assert_eq!(
            file(&found[2].stdout_expected).unwrap(),
            "default.stdout.expected"
        );
        let one = find(&[root.path().join("bz2/benchmark.wasm")]).unwrap();
        assert_eq!(one[0].name, "bz2");
        assert!(find(&[root.path().join("bz2/benchmark.stdout.expected")]).is_err());
        assert!(find(&[root.path().join("missing")]).is_err());
    }
}
