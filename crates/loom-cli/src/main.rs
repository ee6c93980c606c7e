//! `loom`: the command line, a drop-in for wasm-opt's common use
//! (`loom -Os in.wasm -o out.wasm`). Errors are one line on stderr and exit
//! code 1; output goes to a temporary file beside the target that is renamed
//! into place only when everything succeeded, so no failure leaves a partial
//! file and `-o INPUT` is safe.

use anyhow::{bail, Context, Result};
use clap::Parser;
use loom_core::{features, OptLevel, Options};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Inputs larger than this are refused up front (no real module comes close;
/// it bounds the memory a mistaken argument can take).
const MAX_INPUT_BYTES: u64 = 1 << 30;

#[derive(Parser, Debug)]
#[command(
    name = "loom",
    version,
    about = "LOOM: a WebAssembly optimizer for core modules and components",
    after_help = "Levels: -O0 -O1 -O2 -O3 -O4 -Os -Oz (-O means -Os, as in wasm-opt).\n\
                  Features: --enable-NAME, --disable-NAME, --all-features (-all), --mvp-features (-mvp).\n\
                  A pass name given as a flag (--NAME) runs that pass, like --pass NAME."
)]
struct Cli {
    /// Input module or component, binary or text (detected by content).
    input: Option<PathBuf>,
    /// Where to write the result (nothing is written without it).
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    /// Write WebAssembly text instead of binary.
    #[arg(short = 'S', long = "emit-text", visible_alias = "wat")]
    emit_text: bool,
    /// Keep debug information (DWARF kept even if code changed: then flagged stale).
    #[arg(short = 'g', long = "debuginfo")]
    debuginfo: bool,
    /// Remove the name section and DWARF.
    #[arg(long)]
    strip_debug: bool,
    /// Remove DWARF sections.
    #[arg(long)]
    strip_dwarf: bool,
    /// Remove the producers section.
    #[arg(long)]
    strip_producers: bool,
    /// Run a single pass (repeatable, in order, after the -O pipeline).
    #[arg(long = "pass", value_name = "NAME")]
    passes: Vec<String>,
    /// Run only the first N passes (to bisect a miscompile).
    #[arg(long, value_name = "N")]
    pass_limit: Option<usize>,
    /// Imported memories are zero at instantiation (memory-packing may trim their segments).
    #[arg(long)]
    zero_filled_memory: bool,
    /// List the passes and exit.
    #[arg(long)]
    list_passes: bool,
    /// Print section sizes before/after and time per pass to stderr.
    #[arg(long)]
    stats: bool,
    /// Print nothing but errors.
    #[arg(short = 'q', long)]
    quiet: bool,
}

fn main() {
    if let Err(e) = run() {
        eprintln!("loom: error: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let (args, level, feature_flags) = split_wasm_opt_flags(std::env::args().collect())?;
    let cli = Cli::try_parse_from(args).unwrap_or_else(|e| e.exit());
    if cli.list_passes {
        for pass in loom_core::pass::registry() {
            println!("{:<32} {}", pass.name, pass.description);
        }
        return Ok(());
    }
    let input = cli
        .input
        .clone()
        .context("no input file given (usage: loom [OPTIONS] INPUT -o OUTPUT)")?;
    let mut options = Options::new(level.unwrap_or(OptLevel::O0));
    options.level = level;
    options.passes = cli.passes.clone();
    options.features = features::apply_flags(features::accepted(), &feature_flags)?;
    options.debuginfo = cli.debuginfo;
    options.strip_debug = cli.strip_debug;
    options.strip_dwarf = cli.strip_dwarf;
    options.strip_producers = cli.strip_producers;
    options.pass_limit = cli.pass_limit;
    options.zero_filled_memory = cli.zero_filled_memory;

    let bytes = read_input(&input)?;
    let result =
        loom_core::optimize(&bytes, &options).with_context(|| input.display().to_string())?;
    let encoded = if cli.emit_text {
        let mut text = wasmprinter::print_bytes(&result.bytes).context("printing text")?;
        text.push('\n');
        text.into_bytes()
    } else {
        result.bytes
    };
    if let Some(output) = &cli.output {
        write_output(output, &encoded)?;
    } else if !cli.quiet && !cli.stats {
        eprintln!("loom: note: no output file given (-o); nothing written");
    }
    if cli.stats && !cli.quiet {
        eprint!("{}", loom_core::stats::render(&result.stats));
    }
    Ok(())
}

/// Reads the input, refusing what is not a readable regular file of sane size.
fn read_input(path: &Path) -> Result<Vec<u8>> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if meta.is_dir() {
        bail!("{}: is a directory", path.display());
    }
    if meta.len() > MAX_INPUT_BYTES {
        bail!(
            "{}: input is {} bytes; LOOM reads at most {} bytes",
            path.display(),
            meta.len(),
            MAX_INPUT_BYTES
        );
    }
    std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))
}

/// Writes the output file. A regular file (new or existing) is replaced
/// atomically; through a symbolic link, the file it points to is, and the
/// link stays. A device or pipe (`/dev/stdout`, `/dev/null`, a FIFO) cannot
/// be renamed over, so it is written directly.
fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("{}: cannot open for writing", path.display()))?;
            file.write_all(bytes)
                .with_context(|| format!("{}: cannot write", path.display()))
        }
        Ok(_) if path.is_symlink() => {
            let target = std::fs::canonicalize(path)
                .with_context(|| format!("{}: cannot resolve the link", path.display()))?;
            write_atomically(&target, bytes)
        }
        _ => write_atomically(path, bytes),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".loom-").suffix(".tmp");
    // The output gets the permissions any new file gets (0666 less the
    // umask, as wasm-opt's output has), not the temporary file's private 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir).with_context(|| {
        format!(
            "{}: cannot create a file in {}",
            path.display(),
            dir.display()
        )
    })?;
    tmp.write_all(bytes)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

/// Takes out what clap cannot express: `-O`, `-O0`..`-Oz`, single-dash
/// `-all`/`-mvp`, `--enable-X`/`--disable-X`, and pass names used as flags.
fn split_wasm_opt_flags(args: Vec<String>) -> Result<(Vec<String>, Option<OptLevel>, Vec<String>)> {
    let mut rest = Vec::with_capacity(args.len());
    let mut level = None;
    let mut feature_flags = Vec::new();
    for (i, arg) in args.into_iter().enumerate() {
        if i == 0 {
            rest.push(arg);
            continue;
        }
        if let Some(text) = arg.strip_prefix("-O") {
            level = Some(OptLevel::parse(text).with_context(|| {
                format!("unknown optimization level `{arg}` (use -O0..-O4, -Os, -Oz)")
            })?);
        } else if arg == "-all" || arg == "--all-features" || arg == "--enable-all" {
            feature_flags.push("all".to_string());
        } else if arg == "-mvp" || arg == "--mvp-features" {
            feature_flags.push("mvp".to_string());
        } else if arg.starts_with("--enable-") || arg.starts_with("--disable-") {
            feature_flags.push(arg[2..].to_string());
        } else if let Some(name) = arg
            .strip_prefix("--")
            .filter(|n| loom_core::pass::find(n).is_ok())
        {
            rest.push("--pass".to_string());
            rest.push(name.to_string());
        } else {
            rest.push(arg);
        }
    }
    Ok((rest, level, feature_flags))
}
