//! `loom-corpus`: fetch and list LOOM's real-world wasm corpus.
//!
//! The corpus modules are too large to keep in git, so developers and CI fetch them once into
//! a local cache (`$LOOM_CORPUS_CACHE`, else `~/.cache/loom-corpus`) where the `loom`
//! integration tests find them. `fetch` downloads whatever is missing or wrong and verifies
//! every file against the manifest's sha256, printing one line per module and a summary (exit
//! status 1 if any module failed); `list` shows what the manifest holds and what is cached.
//! Errors are reported as one line on stderr (exit status 2).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use loom_corpus::{cache_dir, fetch_with, CacheState, Entry, Manifest, Outcome};

#[derive(Parser)]
#[command(
    name = "loom-corpus",
    about = "Fetch and list LOOM's corpus of real-world wasm modules"
)]
struct Cli {
    /// Manifest to use (default: the repository's corpus/manifest.tsv).
    #[arg(long, global = true, value_name = "PATH")]
    manifest: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Download missing modules into the cache and verify them.
    Fetch(Selection),
    /// List the manifest's modules and whether each is cached.
    List(Selection),
}

#[derive(Args)]
struct Selection {
    /// Only these module ids (comma-separated).
    #[arg(long, value_name = "ID,ID", value_delimiter = ',')]
    only: Option<Vec<String>>,
    /// Cache directory (default: $LOOM_CORPUS_CACHE, else ~/.cache/loom-corpus).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("loom-corpus: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let manifest = match &cli.manifest {
        Some(path) => Manifest::load(path)?,
        None => Manifest::bundled()?,
    };
    match cli.command {
        Command::Fetch(sel) => fetch(&manifest, sel),
        Command::List(sel) => list(&manifest, sel),
    }
}

fn fetch(manifest: &Manifest, sel: Selection) -> Result<ExitCode> {
    let entries = manifest.select(sel.only.as_deref())?;
    let cache = sel.cache.unwrap_or_else(cache_dir);
    let width = id_width(&entries);
    let total = entries.len();
    let (mut fetched, mut fetched_bytes, mut cached, mut failed) = (0, 0u64, 0, 0);
    fetch_with(entries.iter().copied(), &cache, |i, e, outcome| {
        let status = match outcome {
            Outcome::Cached => {
                cached += 1;
                "cached".to_string()
            }
            Outcome::Fetched => {
                fetched += 1;
                fetched_bytes += e.bytes;
                "fetched".to_string()
            }
            Outcome::Failed(msg) => {
                failed += 1;
                format!("FAILED: {msg}")
            }
        };
        println!(
            "[{:>3}/{total}] {:<width$} {:>9}  {status}",
            i + 1,
            e.id,
            human(e.bytes)
        );
    })?;
    println!(
        "{total} modules: {fetched} fetched ({}), {cached} cached, {failed} failed; cache: {}",
        human(fetched_bytes),
        cache.display()
    );
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn list(manifest: &Manifest, sel: Selection) -> Result<ExitCode> {
    let entries = manifest.select(sel.only.as_deref())?;
    let cache = sel.cache.unwrap_or_else(cache_dir);
    let width = id_width(&entries).max(2);
    println!("{:<width$}  {:<9}  {:>10}  status", "id", "kind", "bytes");
    let (mut n_cached, mut cached_bytes, mut all_bytes) = (0, 0u64, 0u64);
    for e in &entries {
        let state = e.cache_state(&cache);
        all_bytes += e.bytes;
        if let CacheState::Ok(_) = state {
            n_cached += 1;
            cached_bytes += e.bytes;
        }
        println!(
            "{:<width$}  {:<9}  {:>10}  {}",
            e.id,
            e.kind,
            e.bytes,
            state.describe()
        );
    }
    println!(
        "{n_cached} of {} modules cached ({} of {}); cache: {}",
        entries.len(),
        human(cached_bytes),
        human(all_bytes),
        cache.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn id_width(entries: &[&Entry]) -> usize {
    entries.iter().map(|e| e.id.len()).max().unwrap_or(0)
}

/// `1.2 MB` / `3.4 KB`, as in the corpus README.
fn human(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1e6)
    } else {
        format!("{:.1} KB", n as f64 / 1e3)
    }
}
