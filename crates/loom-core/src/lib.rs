//! LOOM's core: the expression-tree IR, reading and writing modules, the pass
//! manager and the passes. One pipeline entry point, [`optimize`], serves the
//! command line, the library and (later) island search; [`optimize_module`]
//! is the one way a core module is optimized, alone or inside a component.

pub mod component;
pub mod effects;
pub mod error;
pub mod eval;
pub mod features;
pub mod function_uses;
pub mod global_uses;
pub mod input;
pub mod ir;
pub mod leb;
pub mod lift;
pub mod local_init;
pub mod lower;
pub mod module;
pub mod pass;
pub mod passes;
pub mod remap;
pub mod rules;
pub mod stats;

pub use error::Error;
pub use input::{parse_input, InputKind};
pub use module::Module;
pub use pass::{OptLevel, PassManager};
pub use stats::Stats;

/// What to do with a module: which passes, which features, what to keep.
#[derive(Clone, Debug)]
pub struct Options {
    /// The preset pipeline; `None` runs only `passes`.
    pub level: Option<OptLevel>,
    /// Single passes to run after the preset pipeline, by CLI name.
    pub passes: Vec<String>,
    /// Features the input may use; validation rejects anything else.
    pub features: wasmparser::WasmFeatures,
    /// Keep DWARF even when code changed (it is then reported as possibly stale).
    pub debuginfo: bool,
    /// Drop the name section and all DWARF sections.
    pub strip_debug: bool,
    /// Drop DWARF (`.debug_*`) sections.
    pub strip_dwarf: bool,
    /// Drop the `producers` section.
    pub strip_producers: bool,
    /// Run only the first N passes (bisecting a miscompile).
    pub pass_limit: Option<usize>,
    /// Imported memories are zero when the module is instantiated (as
    /// wasm-opt's `--zero-filled-memory`): `memory-packing` may then trim
    /// their segments' zeros too.
    pub zero_filled_memory: bool,
}

impl Options {
    /// Options for one preset level with every feature LOOM accepts enabled.
    pub fn new(level: OptLevel) -> Options {
        Options {
            level: Some(level),
            passes: Vec::new(),
            features: features::accepted(),
            debuginfo: false,
            strip_debug: false,
            strip_dwarf: false,
            strip_producers: false,
            pass_limit: None,
            zero_filled_memory: false,
        }
    }

    /// Options that run just the named passes, in order (no preset level).
    pub fn only_passes(names: &[&str]) -> Options {
        Options {
            level: None,
            passes: names.iter().map(|n| n.to_string()).collect(),
            ..Options::new(OptLevel::O0)
        }
    }
}

/// The optimized module and what happened on the way.
#[derive(Debug)]
pub struct Output {
    pub bytes: Vec<u8>,
    pub stats: Stats,
}

/// Reads a module (`.wasm` or `.wat` bytes, core module or component), runs the
/// pipeline `options` names, and returns the encoded result.
pub fn optimize(input: &[u8], options: &Options) -> Result<Output, Error> {
    let wasm = parse_input(input)?;
    let mut stats = Stats::default();
    let bytes = match input::kind_of(&wasm)? {
        InputKind::Component => component::optimize(&wasm, options, &mut stats)?,
        InputKind::Module => optimize_module(&wasm, options, &mut stats)?,
    };
    stats.input_sections = stats::section_sizes(&wasm);
    stats.output_sections = stats::section_sizes(&bytes);
    stats.input_locals = stats::declared_locals(&wasm);
    stats.output_locals = stats::declared_locals(&bytes);
    Ok(Output { bytes, stats })
}

/// Runs the pipeline `options` names on one core module's binary and
/// encodes the result: for a module given on its own and for each module a
/// component embeds.
pub fn optimize_module(
    wasm: &[u8],
    options: &Options,
    stats: &mut Stats,
) -> Result<Vec<u8>, Error> {
    let manager = PassManager::from_options(options)?;
    let module = manager.read_and_run(wasm, options.features, stats)?;
    let bytes = module.write(options, stats)?;
    if cfg!(debug_assertions) && manager.function_passes_only() {
        // Fused function pipelines cannot be checked pass by pass.
        pass::check_output("the function pipeline", &bytes)?;
    }
    Ok(bytes)
}

/// Runs the named passes alone on a text module and returns the output,
/// checked valid: how unit tests drive module passes.
#[cfg(test)]
pub(crate) fn run_passes_for_test(passes: &[&str], wat: &str) -> Vec<u8> {
    let mut options = Options::new(OptLevel::O0);
    options.level = None;
    options.passes = passes.iter().map(|p| p.to_string()).collect();
    let output = optimize(wat.as_bytes(), &options).expect("optimizes");
    wasmparser::Validator::new_with_features(features::accepted())
        .validate_all(&output.bytes)
        .expect("valid output");
    output.bytes
}
