//! Differential execution fuzzing: random valid modules from `wasm-smith`,
//! each optimized at every preset level and by every single pass, then the
//! original and every optimized output are run in wasmtime with the same
//! arguments and compared: results, traps, uncaught exceptions, and the final
//! contents of every exported memory, global and table. A module is fully
//! determined by `(seed, index, profile)`, so any failure is reproduced by one
//! command.
//!
//! Profiles ([`Profile`]) say what kind of module is generated: `swarm` (the
//! default) lets `wasm-smith`'s swarm configuration pick the proposals and
//! exports every item; `gc` forces GC, typed function references, exceptions
//! and tail calls on (and their instructions into the allowed set), which the
//! swarm picks only together in a few modules in a hundred; `closed` exports
//! only a few items, so dead code, inlining, dead-argument elimination and
//! function merging have work that an export-everything module never gives
//! them.
//!
//! What makes the comparison sound:
//! - Floats: wasmtime canonicalizes every NaN an instruction produces
//!   (`cranelift_nan_canonicalization`) and runs relaxed SIMD in its
//!   deterministic mode, so memories and `v128` values compare bit for bit.
//!   Scalar `f32`/`f64` results and globals compare NaN-relaxed (any NaN equals
//!   any NaN), the spec's own latitude for NaN payloads.
//! - Termination: `wasm-smith`'s `ensure_termination` threads a fuel global
//!   through every loop header and function entry that traps deterministically
//!   when it runs out (an observable effect every correct optimization keeps;
//!   the harness exports it and refills it before each call), and wasmtime's
//!   instruction fuel is the backstop. Where the original runs
//!   out of engine fuel, overflows the stack or exhausts the GC heap (all of
//!   which depend on code shape, not semantics), the rest of that call
//!   sequence is inconclusive and skipped.
//! - Imports: the host defines every import afresh for each instance. An
//!   imported function records its calls (which import, which arguments, in
//!   which step) and returns its call count, so calls to the outside are
//!   compared like results and data flows in identically on both sides;
//!   imported globals, memories, tables and tags start at their defaults.
//! - `memory.atomic.wait` on a shared memory would block the only thread
//!   forever, so it is replaced by its "timed out" result before anything
//!   runs.
//!
//! An error from LOOM on a valid module, a panic, or an output that does not
//! validate is a failure just like a behaviour difference.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use arbitrary::{Arbitrary, Unstructured};
use loom_core::{OptLevel, Options};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wasmtime::{
    AsContextMut, Extern, Instance, Ref, Store, StoreLimits, StoreLimitsBuilder, Trap, Val, ValType,
};

/// Bytes of randomness behind one module, which bounds its size: the swarm
/// configuration takes a few hundred, the module gets the rest.
const ENTROPY_BYTES: std::ops::Range<usize> = 1024..32 * 1024;
/// `wasm-smith` limits, below its defaults so a module compiles in
/// milliseconds: functions (at least 1 to `MIN_FUNCS`, at most `MAX_FUNCS`),
/// instructions per function, types (at least `MIN_TYPES`, so a function
/// type exists), globals, tags, memories, tables, data and element segments.
const MIN_FUNCS: usize = 12;
const MAX_FUNCS: usize = 24;
const MAX_INSTRUCTIONS: usize = 400;
const MAX_IMPORTS: usize = 8;
const MIN_TYPES: usize = 4;
const MAX_TYPES: usize = 32;
const MAX_GLOBALS: usize = 24;
const MAX_TAGS: usize = 8;
const MAX_MEMORIES: usize = 4;
const MAX_TABLES: usize = 4;
const MAX_SEGMENTS: usize = 16;
/// Most exports a `closed` module has (besides the fuel global and, when
/// none of them is a callable function, one entry function): few enough
/// that most functions are reachable only through calls and tables.
const MAX_CLOSED_EXPORTS: usize = 4;
/// The export name given to a `closed` module's entry function when
/// `wasm-smith` exported no function the harness can call.
pub const ENTRY_EXPORT: &str = "__loom_entry";
/// Largest declared memory, so hashing final memory contents stays cheap.
const MAX_MEMORY_BYTES: u64 = 1 << 20;
/// Largest declared table.
const MAX_TABLE_ELEMENTS: u64 = 1_000;
/// `ensure_termination` fuel: loop iterations plus function entries per
/// call (the global is reset before each), after which every loop header and
/// call traps.
const SMITH_FUEL: u32 = 10_000;
/// The export name of the `ensure_termination` fuel global.
pub const FUEL_EXPORT: &str = "__loom_fuel";
/// Wasmtime instruction fuel per call of the original: a backstop, rarely
/// reached given `SMITH_FUEL`.
const CALL_FUEL: u64 = 50_000_000;
/// The optimized module gets this many times the original's fuel, since
/// optimizing may legitimately reshape (and at -O0 lengthen) the code.
const OPTIMIZED_FUEL_FACTOR: u64 = 4;
/// Growth limits at run time (`memory.grow`, `table.grow` fail beyond them),
/// identical for both sides.
const GROW_MEMORY_BYTES: usize = 4 << 20;
const GROW_TABLE_ELEMENTS: usize = 10_000;
/// Table elements compared after a call sequence (the rest are ignored).
const COMPARED_TABLE_ELEMENTS: u64 = 10_000;
/// Wasm stack allowed to wasmtime (under its 2 MiB default async stack, which
/// it must not exceed), and the native stack of the threads that run wasm
/// (which must be larger).
const MAX_WASM_STACK: usize = 1 << 20;
const WORKER_STACK: usize = 64 << 20;
/// Failures saved to disk per symptom (kind and message without numbers):
/// one frequent bug would otherwise fill the disk with copies of itself.
const MAX_SAVED_PER_SYMPTOM: usize = 16;
/// Reproduction commands a report lists per symptom.
const REPORTED_PER_SYMPTOM: usize = 3;
/// Distinct wasmtime refusals a run's report lists.
const MAX_ENGINE_ERRORS: usize = 5;
/// Granularity of memory hashes, so a report can say where memories differ.
const MEMORY_CHUNK: usize = 4096;
/// Argument vectors per exported function: vector 0 is all zeros (null for
/// references), vectors 1.. rotate through the boundary values below.
pub const VECTORS: usize = 8;

/// What a module is optimized with: a preset level or one single pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Variant {
    Level(OptLevel),
    Pass(&'static str),
}

/// Every preset level, in the order reports list them.
pub const LEVELS: [OptLevel; 7] = [
    OptLevel::O0,
    OptLevel::O1,
    OptLevel::O2,
    OptLevel::O3,
    OptLevel::O4,
    OptLevel::Os,
    OptLevel::Oz,
];

impl Variant {
    /// `O2` for a level, the CLI name for a pass.
    pub fn name(&self) -> String {
        match self {
            Variant::Level(level) => format!("{level:?}"),
            Variant::Pass(pass) => pass.to_string(),
        }
    }

    pub fn options(&self) -> Options {
        match self {
            Variant::Level(level) => Options::new(*level),
            Variant::Pass(pass) => Options::only_passes(&[pass]),
        }
    }

    pub fn levels() -> Vec<Variant> {
        LEVELS.iter().map(|l| Variant::Level(*l)).collect()
    }

    pub fn passes() -> Vec<Variant> {
        loom_core::pass::registry()
            .iter()
            .map(|p| Variant::Pass(p.name))
            .collect()
    }

    /// Every level, then every pass.
    pub fn all() -> Vec<Variant> {
        let mut all = Variant::levels();
        all.extend(Variant::passes());
        all
    }

    /// `all`, `levels`, `passes`, or a comma-separated list of levels (`O2`,
    /// `2`, `Os`) and pass names.
    pub fn parse_list(text: &str) -> Result<Vec<Variant>, String> {
        match text {
            "all" => return Ok(Variant::all()),
            "levels" => return Ok(Variant::levels()),
            "passes" => return Ok(Variant::passes()),
            _ => {}
        }
        text.split(',')
            .map(|word| {
                let level = word.strip_prefix('O').or_else(|| word.strip_prefix('o')).unwrap_or(word);
                if let Some(level) = OptLevel::parse(level).filter(|_| !level.is_empty()) {
                    return Ok(Variant::Level(level));
                }
                loom_core::pass::find(word)
                    .map(|p| Variant::Pass(p.name))
                    .map_err(|_| {
                        let passes: Vec<_> = loom_core::pass::registry().iter().map(|p| p.name).collect();
                        format!(
                            "unknown level or pass `{word}`: expected all, levels, passes, O0..O4, Os, Oz or one of: {}",
                            passes.join(", ")
                        )
                    })
            })
            .collect()
    }
}

/// What kind of modules a run generates (see the module comment).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Profile {
    /// Proposals as the swarm picks them, every item exported.
    #[default]
    Swarm,
    /// GC, function references, exceptions and tail calls always on.
    Gc,
    /// Like `swarm`, but only a few items exported.
    Closed,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Swarm, Profile::Gc, Profile::Closed];

    /// The name `--profile` takes.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Swarm => "swarm",
            Profile::Gc => "gc",
            Profile::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Result<Profile, String> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == text)
            .ok_or_else(|| format!("unknown profile `{text}`: expected swarm, gc or closed"))
    }

    /// Mixed into the random key of every module, so the profiles draw
    /// different bytes for one `(seed, index)`; 0 for `swarm`, whose modules
    /// stay what they were before profiles existed.
    fn key_byte(self) -> u8 {
        match self {
            Profile::Swarm => 0,
            Profile::Gc => 1,
            Profile::Closed => 2,
        }
    }
}

/// Generates module `index` of the run seeded with `seed` in `profile`: the
/// same triple always gives the same bytes. `Err` when `wasm-smith` cannot
/// build a module from the drawn bytes (rare; such an index is skipped).
pub fn generate(seed: u64, index: u64, profile: Profile) -> Result<Vec<u8>, String> {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&index.to_le_bytes());
    key[16] = profile.key_byte();
    let mut rng = ChaCha8Rng::from_seed(key);
    let len = ENTROPY_BYTES.start + rng.next_u32() as usize % ENTROPY_BYTES.len();
    let coins = rng.next_u32();
    let mut data = vec![0u8; len];
    rng.fill_bytes(&mut data);
    generate_from(&mut Unstructured::new(&data), coins, profile)
}

/// Builds a module the way [`generate`] does, from given bytes and coins
/// (the cargo-fuzz `differential` target feeds its input here).
pub fn generate_from(
    u: &mut Unstructured<'_>,
    coins: u32,
    profile: Profile,
) -> Result<Vec<u8>, String> {
    // Swarm testing: `Config::arbitrary` turns each proposal on or off and
    // picks limits per module; then the shape this harness needs is imposed.
    let mut config = wasm_smith::Config::arbitrary(u).map_err(|e| format!("config: {e}"))?;
    shape(&mut config, coins, profile);
    let mut module = wasm_smith::Module::new(config, u).map_err(|e| format!("module: {e}"))?;
    let fuel_global = module
        .ensure_termination(SMITH_FUEL)
        .map_err(|e| format!("ensure_termination: {e}"))?;
    let wasm = module.to_bytes();
    let entry = match profile {
        Profile::Closed => entry_function(&wasm)?,
        Profile::Swarm | Profile::Gc => None,
    };
    adapt(&wasm, fuel_global, entry)
}

/// For a `closed` module that exports no function the harness can call (one
/// whose parameters all have a default value), the first defined function
/// that it can call, to be exported as [`ENTRY_EXPORT`]; `None` when an
/// exported function is callable already (or no function is).
fn entry_function(wasm: &[u8]) -> Result<Option<u32>, String> {
    let types = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(wasm)
        .map_err(|e| format!("generated module is invalid: {e}"))?;
    let types = types.as_ref();
    let callable = |index: u32| {
        let id = types.core_function_at(index);
        types[id]
            .unwrap_func()
            .params()
            .iter()
            .all(|param| param.is_defaultable())
    };
    let mut imported = 0;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            wasmparser::Payload::ImportSection(reader) => {
                for imports in reader.into_imports() {
                    if matches!(
                        imports.map_err(|e| e.to_string())?.ty,
                        wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_)
                    ) {
                        imported += 1;
                    }
                }
            }
            wasmparser::Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(|e| e.to_string())?;
                    if export.kind == wasmparser::ExternalKind::Func && callable(export.index) {
                        return Ok(None);
                    }
                }
            }
            _ => {}
        }
    }
    Ok((imported..types.function_count()).find(|&index| callable(index)))
}

/// Imposes what the harness needs on a swarm configuration: no imports,
/// every item exported, sizes that compile and compare quickly, and only
/// proposals that both LOOM accepts and wasmtime runs. The swarm picks SIMD,
/// relaxed SIMD, bulk memory, reference types, multi-value, tail calls,
/// sign extension, saturating conversions, exceptions, extended constants,
/// multi-memory (`max_memories > 1`), memory64, GC and threads; `coins`
/// adds the two proposals the swarm never picks. `profile` then forces the
/// GC family on (`gc`) or exports only a few items (`closed`).
fn shape(config: &mut wasm_smith::Config, coins: u32, profile: Profile) {
    // Half the modules import (functions, globals, memories, tables, tags),
    // which shifts every index space; the host defines whatever they import.
    config.max_imports = if coins & 4 != 0 {
        config.max_imports.min(MAX_IMPORTS)
    } else {
        0
    };
    config.min_imports = 0;
    config.available_imports = None;
    // Wasmtime 48 cannot parse the compact import encoding: a quarter of the
    // importing modules may use it, and get only LOOM's success and the
    // output's validity checked.
    config.compact_imports_enabled &= coins & 8 != 0;
    config.export_everything = true;
    config.allow_start_export = true;
    // Left to the swarm, most modules would define no function at all.
    config.min_funcs = 1 + (coins >> 8) as usize % MIN_FUNCS;
    config.max_funcs = config.max_funcs.clamp(config.min_funcs, MAX_FUNCS);
    config.max_instructions = config.max_instructions.min(MAX_INSTRUCTIONS);
    // Functions need a function type to exist.
    config.min_types = MIN_TYPES;
    config.max_types = config.max_types.clamp(MIN_TYPES, MAX_TYPES);
    config.max_globals = config.max_globals.min(MAX_GLOBALS);
    config.max_tags = config.max_tags.min(MAX_TAGS);
    config.max_memories = config.max_memories.min(MAX_MEMORIES);
    config.max_tables = config.max_tables.min(MAX_TABLES);
    config.max_data_segments = config.max_data_segments.min(MAX_SEGMENTS);
    config.max_element_segments = config.max_element_segments.min(MAX_SEGMENTS);
    config.max_memory32_bytes = config.max_memory32_bytes.min(MAX_MEMORY_BYTES);
    config.max_memory64_bytes = config.max_memory64_bytes.min(u128::from(MAX_MEMORY_BYTES));
    config.max_table_elements = config.max_table_elements.min(MAX_TABLE_ELEMENTS);
    config.max_elements = config.max_elements.min(MAX_TABLE_ELEMENTS as usize);
    // NaNs are canonicalized by the engine, not by extra code in the module.
    config.canonicalize_nans = false;
    config.wide_arithmetic_enabled = coins & 1 != 0;
    config.custom_page_sizes_enabled = coins & 2 != 0;
    // Not run by wasmtime (shared-everything, acquire/release orderings,
    // multibyte array access) or not accepted by LOOM (custom descriptors).
    config.shared_everything_threads_enabled = false;
    config.acquire_release_atomics_enabled = false;
    config.multibyte_array_access_enabled = false;
    config.custom_descriptors_enabled = false;
    match profile {
        Profile::Swarm => {}
        Profile::Gc => {
            // GC needs reference types; its instructions (struct, array, i31,
            // casts), `call_ref`, `br_on_*`, `try_table`/`throw` and
            // `return_call*` are the aggregate, reference and control kinds,
            // which the swarm may have left out of the allowed set.
            config.reference_types_enabled = true;
            config.gc_enabled = true;
            config.exceptions_enabled = true;
            config.tail_call_enabled = true;
            use wasm_smith::InstructionKind as K;
            let always = [K::Reference, K::Control, K::Aggregate];
            let kinds: Vec<K> = [
                K::NumericInt,
                K::Numeric,
                K::VectorInt,
                K::Vector,
                K::Reference,
                K::Parametric,
                K::Variable,
                K::Table,
                K::MemoryInt,
                K::Memory,
                K::Control,
                K::Aggregate,
            ]
            .into_iter()
            .filter(|&kind| always.contains(&kind) || config.allowed_instructions.contains(kind))
            .collect();
            config.allowed_instructions = wasm_smith::InstructionKinds::new(&kinds);
        }
        Profile::Closed => {
            // At least one export, so the module has an export section for
            // the fuel global (and the entry function) to join.
            config.export_everything = false;
            config.min_exports = 1;
            config.max_exports = config.max_exports.clamp(1, MAX_CLOSED_EXPORTS);
        }
    }
}

/// Adapts a generated module to the harness, re-encoding it once: exports
/// the `ensure_termination` fuel global as [`FUEL_EXPORT`] (so each call can
/// start with full fuel instead of inheriting an exhausted counter) and the
/// function `entry`, if any, as [`ENTRY_EXPORT`], and
/// replaces `memory.atomic.wait32/64` by `drop drop drop (i32.const 2)`, the
/// "timed out" result (on a shared memory a wait would block forever).
fn adapt(wasm: &[u8], fuel_global: u32, entry: Option<u32>) -> Result<Vec<u8>, String> {
    use wasm_encoder::reencode::{Error, Reencode, RoundtripReencoder};
    use wasm_encoder::Instruction;
    use wasmparser::Operator;

    struct Adapt {
        fuel_global: u32,
        entry: Option<u32>,
    }
    impl Reencode for Adapt {
        type Error = std::convert::Infallible;

        fn parse_export_section(
            &mut self,
            exports: &mut wasm_encoder::ExportSection,
            section: wasmparser::ExportSectionReader<'_>,
        ) -> Result<(), Error<Self::Error>> {
            let (mut fuel_taken, mut entry_taken) = (false, false);
            for export in section {
                let export = export?;
                fuel_taken |= export.name == FUEL_EXPORT;
                entry_taken |= export.name == ENTRY_EXPORT;
                self.parse_export(exports, export)?;
            }
            if !fuel_taken {
                exports.export(
                    FUEL_EXPORT,
                    wasm_encoder::ExportKind::Global,
                    self.fuel_global,
                );
            }
            if let Some(entry) = self.entry.filter(|_| !entry_taken) {
                exports.export(ENTRY_EXPORT, wasm_encoder::ExportKind::Func, entry);
            }
            Ok(())
        }

        fn parse_function_body(
            &mut self,
            code: &mut wasm_encoder::CodeSection,
            body: wasmparser::FunctionBody<'_>,
        ) -> Result<(), Error<Self::Error>> {
            let mut function = self.new_function_with_parsed_locals(&body)?;
            let mut reader = body.get_operators_reader()?;
            while !reader.eof() {
                match reader.read()? {
                    Operator::MemoryAtomicWait32 { .. } | Operator::MemoryAtomicWait64 { .. } => {
                        function.instruction(&Instruction::Drop);
                        function.instruction(&Instruction::Drop);
                        function.instruction(&Instruction::Drop);
                        function.instruction(&Instruction::I32Const(2));
                    }
                    op => {
                        function.instruction(&RoundtripReencoder.instruction(op)?);
                    }
                }
            }
            code.function(&function);
            Ok(())
        }
    }

    let mut module = wasm_encoder::Module::new();
    Adapt { fuel_global, entry }
        .parse_core_module(&mut module, wasmparser::Parser::new(0), wasm)
        .map_err(|e| format!("adapting the module: {e}"))?;
    Ok(module.finish())
}

/// The wasmtime engine both sides run in: every proposal wasmtime implements
/// that `wasm-smith` generates, canonical NaNs, deterministic relaxed SIMD,
/// fuel, and no Cranelift optimization (it is not under test, and compiling
/// is the bulk of the time).
pub fn engine() -> Result<wasmtime::Engine, String> {
    let mut config = wasmtime::Config::new();
    config
        .consume_fuel(true)
        .cranelift_nan_canonicalization(true)
        .relaxed_simd_deterministic(true)
        .cranelift_opt_level(wasmtime::OptLevel::None)
        .wasm_backtrace_max_frames(None)
        .max_wasm_stack(MAX_WASM_STACK)
        .parallel_compilation(false)
        .wasm_simd(true)
        .wasm_relaxed_simd(true)
        .wasm_bulk_memory(true)
        .wasm_reference_types(true)
        .wasm_multi_value(true)
        .wasm_tail_call(true)
        .wasm_extended_const(true)
        .wasm_multi_memory(true)
        .wasm_memory64(true)
        .wasm_function_references(true)
        .wasm_gc(true)
        .wasm_exceptions(true)
        .wasm_threads(true)
        .shared_memory(true)
        .wasm_wide_arithmetic(true)
        .wasm_custom_page_sizes(true);
    wasmtime::Engine::new(&config).map_err(|e| format!("wasmtime engine: {e}"))
}

/// One value as compared: numbers by bits (scalar NaNs canonical),
/// references by what can be observed without identity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    Null,
    /// A function, by its (first) export name.
    Function(String),
    /// A function that is not exported (a host function or a stale handle).
    Func,
    Extern,
    I31(u32),
    Struct,
    Array,
    Any,
    Exn,
    Other,
}

/// What one call (or the instantiation) did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Returned(Vec<Value>),
    Trapped(String),
    /// An uncaught exception: its tag's export name and its payload.
    Threw(Option<String>, Vec<Value>),
    /// Any other error, by message.
    Failed(String),
    /// Not called: a parameter has a non-nullable reference type.
    NotCalled,
    /// Out of engine fuel, stack or GC heap (which depends on code shape),
    /// or the host cannot define an import: what follows is not compared.
    Exhausted(String),
}

impl Outcome {
    /// Whether this is the engine's stack overflow.
    fn overflowed_stack(&self) -> bool {
        matches!(self, Outcome::Exhausted(message) if *message == Trap::StackOverflow.to_string())
    }

    /// Whether two outcomes count as the same behaviour. Any trap equals any
    /// trap: the spec has a single trap, and an optimizer may reorder two
    /// independent operations that can each trap (Binaryen does too), which
    /// changes only the engine's message. Everything else must be equal.
    pub fn same_as(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Trapped(_), Outcome::Trapped(_)) => true,
            _ => self == other,
        }
    }
}

/// An exported item's state after a call sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Size in bytes and a hash per `MEMORY_CHUNK`.
    Memory {
        size: usize,
        chunks: Vec<u64>,
    },
    Global(Value),
    /// Size and a hash of the compared elements.
    Table {
        size: u64,
        elements: u64,
    },
    Func,
    Tag,
}

/// One instance's run: instantiate, call every exported function once in
/// export order with one argument vector, then read the exported state.
#[derive(Clone, Debug)]
pub struct Observation {
    pub instantiation: Outcome,
    pub calls: Vec<(String, Outcome)>,
    /// Exported items' final state, in export order; empty when the
    /// sequence stopped at an exhaustion.
    pub state: Vec<(String, State)>,
    /// Calls to imported functions, in order.
    pub host_calls: Vec<HostCall>,
}

impl Observation {
    pub fn exhausted(&self) -> bool {
        matches!(self.instantiation, Outcome::Exhausted(_))
            || self
                .calls
                .iter()
                .any(|(_, o)| matches!(o, Outcome::Exhausted(_)))
    }
}

/// What a store holds besides the instance: growth limits, and each exported
/// function's `funcref` address, so a reference to a function is compared by
/// the name it is exported under (exports survive optimization; indices do
/// not).
struct Host {
    limits: StoreLimits,
    funcs: HashMap<usize, String>,
    /// Exported tags, so an uncaught exception's tag is compared by name.
    tags: Vec<(String, wasmtime::Tag)>,
    /// Calls the module made to its imported functions: which import, with
    /// which arguments, during which step (0 instantiation, then each call).
    trace: Vec<HostCall>,
    step: usize,
}

/// One call to an imported function, as the host saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostCall {
    pub step: usize,
    pub import: String,
    pub args: Vec<Value>,
}

/// A compiled module, ready to be observed with each argument vector.
pub struct Runner<'e> {
    engine: &'e wasmtime::Engine,
    module: wasmtime::Module,
}

impl<'e> Runner<'e> {
    /// Compiles `wasm`; `Err` when wasmtime rejects it.
    pub fn new(engine: &'e wasmtime::Engine, wasm: &[u8]) -> Result<Runner<'e>, String> {
        let module = wasmtime::Module::new(engine, wasm).map_err(|e| format!("{e:#}"))?;
        Ok(Runner { engine, module })
    }

    /// Runs the call sequence for argument vector `vector` with `fuel` per call.
    pub fn observe(&self, vector: usize, fuel: u64) -> Observation {
        let limits = StoreLimitsBuilder::new()
            .memory_size(GROW_MEMORY_BYTES)
            .table_elements(GROW_TABLE_ELEMENTS)
            .build();
        let mut store = Store::new(
            self.engine,
            Host {
                limits,
                funcs: HashMap::new(),
                tags: Vec::new(),
                trace: Vec::new(),
                step: 0,
            },
        );
        store.limiter(|host: &mut Host| &mut host.limits);
        let mut observation = Observation {
            instantiation: Outcome::Returned(Vec::new()),
            calls: Vec::new(),
            state: Vec::new(),
            host_calls: Vec::new(),
        };
        let imports = match self.imports(&mut store) {
            Ok(imports) => imports,
            Err(e) => {
                observation.instantiation = Outcome::Exhausted(e);
                return observation;
            }
        };
        let _ = store.set_fuel(fuel);
        let instance = match Instance::new(&mut store, &self.module, &imports) {
            Ok(instance) => instance,
            Err(e) => {
                observation.instantiation = error_outcome(&mut store, e);
                observation.host_calls = std::mem::take(&mut store.data_mut().trace);
                return observation;
            }
        };
        let exports: Vec<(String, Extern)> = instance
            .exports(&mut store)
            .map(|e| (e.name().to_string(), e.into_extern()))
            .collect();
        for (name, item) in &exports {
            match item {
                Extern::Func(func) => {
                    let address = func.to_raw(&mut store) as usize;
                    store
                        .data_mut()
                        .funcs
                        .entry(address)
                        .or_insert_with(|| name.clone());
                }
                Extern::Tag(tag) => store.data_mut().tags.push((name.clone(), *tag)),
                _ => {}
            }
        }
        let fuel_global = exports.iter().find_map(|(name, item)| match item {
            Extern::Global(global) if name == FUEL_EXPORT => Some(*global),
            _ => None,
        });
        for (name, item) in &exports {
            let Extern::Func(func) = item else { continue };
            let ty = func.ty(&store);
            let args: Option<Vec<Val>> = ty
                .params()
                .enumerate()
                .map(|(position, ty)| argument(&ty, vector, position))
                .collect();
            let Some(args) = args else {
                observation.calls.push((name.clone(), Outcome::NotCalled));
                continue;
            };
            let mut results = vec![Val::I32(0); ty.results().len()];
            store.data_mut().step = observation.calls.len() + 1;
            if let Some(fuel_global) = &fuel_global {
                // Both sides get the same fresh budget for every call.
                let _ = fuel_global.set(&mut store, Val::I32(SMITH_FUEL as i32));
            }
            let _ = store.set_fuel(fuel);
            let outcome = match func.call(&mut store, &args, &mut results) {
                Ok(()) => Outcome::Returned(
                    results
                        .into_iter()
                        .map(|v| value(&mut store.as_context_mut(), v))
                        .collect(),
                ),
                Err(e) => error_outcome(&mut store, e),
            };
            let stop = matches!(outcome, Outcome::Exhausted(_));
            observation.calls.push((name.clone(), outcome));
            if stop {
                observation.host_calls = std::mem::take(&mut store.data_mut().trace);
                return observation;
            }
        }
        for (name, item) in exports {
            let state = match item {
                Extern::Func(_) => State::Func,
                Extern::Tag(_) => State::Tag,
                Extern::Global(global) => {
                    let val = global.get(&mut store);
                    State::Global(value(&mut store.as_context_mut(), val))
                }
                Extern::Memory(memory) => memory_state(memory.data(&store)),
                Extern::SharedMemory(memory) => {
                    let cells = memory.data();
                    // SAFETY: this thread is the only one that can reach the
                    // memory (the store never left it and no wasm is running),
                    // so reading the cells as plain bytes races with nothing.
                    let bytes = unsafe {
                        std::slice::from_raw_parts(cells.as_ptr().cast::<u8>(), cells.len())
                    };
                    memory_state(bytes)
                }
                Extern::Table(table) => {
                    use std::hash::{Hash, Hasher};
                    let size = table.size(&store);
                    let mut hasher = std::hash::DefaultHasher::new();
                    for i in 0..size.min(COMPARED_TABLE_ELEMENTS) {
                        match table.get(&mut store, i) {
                            Some(r) => ref_value(&mut store.as_context_mut(), r).hash(&mut hasher),
                            None => Value::Other.hash(&mut hasher),
                        }
                    }
                    State::Table {
                        size,
                        elements: hasher.finish(),
                    }
                }
            };
            observation.state.push((name, state));
        }
        observation.host_calls = std::mem::take(&mut store.data_mut().trace);
        observation
    }

    /// Definitions for the module's imports: functions that record their
    /// calls and return values derived from the call count (so data flows in
    /// from the host, identically on both sides), and fresh default globals,
    /// memories, tables and tags. `Err` when an import has no default (a
    /// non-nullable reference global or table).
    fn imports(&self, store: &mut Store<Host>) -> Result<Vec<Extern>, String> {
        self.module
            .imports()
            .map(|import| {
                let name = format!("{}::{}", import.module(), import.name());
                match import.ty() {
                    wasmtime::ExternType::Func(ty) => {
                        let result_types: Vec<ValType> = ty.results().collect();
                        let func = wasmtime::Func::new(
                            &mut *store,
                            ty,
                            move |mut caller, params, results| {
                                let args = params
                                    .iter()
                                    .map(|v| value(&mut caller.as_context_mut(), *v))
                                    .collect();
                                let host = caller.data_mut();
                                let n = host.trace.len();
                                host.trace.push(HostCall {
                                    step: host.step,
                                    import: name.clone(),
                                    args,
                                });
                                for (i, (result, ty)) in
                                    results.iter_mut().zip(&result_types).enumerate()
                                {
                                    *result = host_result(ty, n + i).ok_or_else(|| {
                                        wasmtime::format_err!("the host has no value of type {ty}")
                                    })?;
                                }
                                Ok(())
                            },
                        );
                        Ok(Extern::Func(func))
                    }
                    ty => ty
                        .default_value(&mut *store)
                        .map_err(|e| format!("no default for import `{name}`: {e}")),
                }
            })
            .collect()
    }
}

fn memory_state(bytes: &[u8]) -> State {
    use std::hash::{Hash, Hasher};
    let chunks = bytes
        .chunks(MEMORY_CHUNK)
        .map(|chunk| {
            let mut hasher = std::hash::DefaultHasher::new();
            chunk.hash(&mut hasher);
            hasher.finish()
        })
        .collect();
    State::Memory {
        size: bytes.len(),
        chunks,
    }
}

/// The argument at `position` of vector `vector`: zeros for vector 0, then
/// boundary values rotating with the position so parameters of one call
/// differ; null for nullable references, `None` for non-nullable ones.
fn argument(ty: &ValType, vector: usize, position: usize) -> Option<Val> {
    if vector == 0 {
        return Val::default_for_ty(ty);
    }
    let k = (vector - 1 + position) % 7;
    Some(match ty {
        ValType::I32 => Val::I32([1, -1, 7, i32::MIN, i32::MAX, 65536, 255][k]),
        ValType::I64 => Val::I64([1, -1, 7, i64::MIN, i64::MAX, 1 << 32, 65536][k]),
        ValType::F32 => Val::F32(
            [
                1.0f32,
                -1.0,
                7.5,
                f32::NAN,
                f32::INFINITY,
                -0.0,
                f32::NEG_INFINITY,
            ][k]
                .to_bits(),
        ),
        ValType::F64 => Val::F64(
            [
                1.0f64,
                -1.0,
                7.5,
                f64::NAN,
                f64::INFINITY,
                -0.0,
                f64::NEG_INFINITY,
            ][k]
                .to_bits(),
        ),
        ValType::V128 => Val::V128(
            [
                u128::MAX,
                0x0101_0101_0101_0101_0101_0101_0101_0101,
                0x0000_0007_0000_0007_0000_0007_0000_0007,
                0x7fc0_0000_7fc0_0000_7fc0_0000_7fc0_0000,
                0x8000_0000_8000_0000_8000_0000_8000_0000,
                0x7fff_ffff_ffff_ffff_0000_0000_0000_0001,
                0x0000_ffff_0000_0001_ff00_8000_7fff_0100,
            ][k]
                .into(),
        ),
        ValType::Ref(r) if r.is_nullable() => Val::null_ref(r.heap_type()),
        ValType::Ref(_) => return None,
    })
}

fn canonical_f32(bits: u32) -> u32 {
    if f32::from_bits(bits).is_nan() {
        0x7fc0_0000
    } else {
        bits
    }
}

fn canonical_f64(bits: u64) -> u64 {
    if f64::from_bits(bits).is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        bits
    }
}

/// What an imported function returns: its call count (plus the result's
/// position) as a number, null for nullable references, nothing for
/// non-nullable ones.
fn host_result(ty: &ValType, n: usize) -> Option<Val> {
    Some(match ty {
        ValType::I32 => Val::I32(n as i32),
        ValType::I64 => Val::I64(n as i64),
        ValType::F32 => Val::F32((n as f32).to_bits()),
        ValType::F64 => Val::F64((n as f64).to_bits()),
        ValType::V128 => Val::V128((n as u128).into()),
        ValType::Ref(r) if r.is_nullable() => Val::null_ref(r.heap_type()),
        ValType::Ref(_) => return None,
    })
}

type Context<'a> = wasmtime::StoreContextMut<'a, Host>;

fn value(store: &mut Context<'_>, val: Val) -> Value {
    match val {
        Val::I32(x) => Value::I32(x),
        Val::I64(x) => Value::I64(x),
        Val::F32(bits) => Value::F32(canonical_f32(bits)),
        Val::F64(bits) => Value::F64(canonical_f64(bits)),
        Val::V128(x) => Value::V128(x.as_u128()),
        other => match other.ref_() {
            Some(r) => ref_value(store, r),
            None => Value::Other,
        },
    }
}

fn ref_value(store: &mut Context<'_>, r: Ref) -> Value {
    match r {
        Ref::Func(None) | Ref::Extern(None) | Ref::Any(None) | Ref::Exn(None) => Value::Null,
        Ref::Func(Some(func)) => {
            let address = func.to_raw(&mut *store) as usize;
            match store.data().funcs.get(&address) {
                Some(name) => Value::Function(name.clone()),
                None => Value::Func,
            }
        }
        Ref::Extern(Some(_)) => Value::Extern,
        Ref::Exn(Some(_)) => Value::Exn,
        Ref::Any(Some(any)) => {
            if let Ok(Some(i31)) = any.as_i31(&*store) {
                Value::I31(i31.get_u32())
            } else if any.is_struct(&*store).unwrap_or(false) {
                Value::Struct
            } else if any.is_array(&*store).unwrap_or(false) {
                Value::Array
            } else {
                Value::Any
            }
        }
        #[allow(unreachable_patterns)]
        _ => Value::Other,
    }
}

/// Classifies an error from instantiation or a call.
fn error_outcome(store: &mut Store<Host>, error: wasmtime::Error) -> Outcome {
    if let Some(trap) = error.downcast_ref::<Trap>() {
        return match trap {
            Trap::OutOfFuel | Trap::StackOverflow => Outcome::Exhausted(trap.to_string()),
            trap => Outcome::Trapped(trap.to_string()),
        };
    }
    if error.is::<wasmtime::ThrownException>() {
        let Some(exn) = store.take_pending_exception() else {
            return Outcome::Threw(None, Vec::new());
        };
        let tag = exn.tag(&mut *store).ok().and_then(|tag| {
            let tags = &store.data().tags;
            tags.iter()
                .find(|(_, exported)| wasmtime::Tag::eq(&tag, exported, &*store))
                .map(|(name, _)| name.clone())
        });
        let fields: Vec<Val> = match exn.fields(&mut *store) {
            Ok(fields) => fields.collect(),
            Err(e) => return Outcome::Failed(format!("reading exception: {e}")),
        };
        return Outcome::Threw(
            tag,
            fields
                .into_iter()
                .map(|v| value(&mut store.as_context_mut(), v))
                .collect(),
        );
    }
    let message = format!("{error:#}");
    // The GC heap running out depends on how much garbage the code makes.
    if message.contains("GC heap out of memory") || message.contains("out of memory") {
        return Outcome::Exhausted(message);
    }
    Outcome::Failed(message)
}

/// How an optimized module's observations compare with the original's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// Every comparable step agreed; `steps` counts the calls and states
    /// compared (0 when the original exhausted itself at once).
    Same { steps: usize },
    /// The first difference, described.
    Differ(String),
}

/// Compares the calls to imported functions made before step `below`.
fn compare_host_calls(
    original: &Observation,
    optimized: &Observation,
    below: usize,
) -> Option<String> {
    let before = original.host_calls.iter().filter(|c| c.step < below);
    let mut after = optimized.host_calls.iter().filter(|c| c.step < below);
    for (i, call) in before.enumerate() {
        match after.next() {
            Some(other) if other == call => {}
            Some(other) => {
                return Some(format!(
                    "host call #{i}: original {call:?}, optimized {other:?}"
                ))
            }
            None => return Some(format!("host call #{i}: original {call:?}, optimized none")),
        }
    }
    after
        .next()
        .map(|other| format!("extra host call in the optimized module: {other:?}"))
}

/// Compares one call sequence. Steps after the original exhausted itself are
/// not compared; the optimized module exhausting itself where the original
/// did not is a difference.
pub fn compare(original: &Observation, optimized: &Observation) -> Comparison {
    if let Outcome::Exhausted(_) = original.instantiation {
        return Comparison::Same { steps: 0 };
    }
    // A start function's recursion, as for calls below: the original ended
    // it by its fuel trap, the optimized module (bigger frames) overflowed
    // the stack first. Seen in the closed profile (seed 21, index 2293), where
    // inlining into the start function made its frames bigger.
    if matches!(original.instantiation, Outcome::Trapped(_))
        && optimized.instantiation.overflowed_stack()
    {
        return Comparison::Same { steps: 0 };
    }
    // Step 0 is instantiation, step i + 1 the call #i; the step where the
    // original exhausted itself and all after it are not compared. Nor are
    // those from a call where the original trapped and the optimized module
    // overflowed the stack: both stop there, but how deep a recursion gets
    // before the stack runs out depends on frame sizes, which optimization
    // changes, so the two stop at different depths with different state.
    let inconclusive = |i: usize, before: &Outcome| {
        matches!(before, Outcome::Exhausted(_))
            || matches!(before, Outcome::Trapped(_))
                && optimized
                    .calls
                    .get(i)
                    .is_some_and(|(_, after)| after.overflowed_stack())
    };
    let below = original
        .calls
        .iter()
        .enumerate()
        .position(|(i, (_, o))| inconclusive(i, o))
        .map_or(usize::MAX, |i| i + 1);
    if let Some(detail) = compare_host_calls(original, optimized, below) {
        return Comparison::Differ(detail);
    }
    if !original.instantiation.same_as(&optimized.instantiation) {
        return Comparison::Differ(format!(
            "instantiation: original {:?}, optimized {:?}",
            original.instantiation, optimized.instantiation
        ));
    }
    let mut steps = 1;
    for (i, (name, before)) in original.calls.iter().enumerate() {
        if inconclusive(i, before) {
            return Comparison::Same { steps };
        }
        let Some((other_name, after)) = optimized.calls.get(i) else {
            return Comparison::Differ(format!(
                "call #{i} `{name}`: not made in the optimized module"
            ));
        };
        if name != other_name {
            return Comparison::Differ(format!(
                "call #{i}: original calls `{name}`, optimized `{other_name}`"
            ));
        }
        if !before.same_as(after) {
            return Comparison::Differ(format!(
                "call #{i} `{name}`: original {before:?}, optimized {after:?}"
            ));
        }
        steps += 1;
    }
    if optimized.calls.len() != original.calls.len() {
        return Comparison::Differ(format!(
            "{} exported functions called in the original, {} in the optimized module",
            original.calls.len(),
            optimized.calls.len()
        ));
    }
    if original.state.len() != optimized.state.len() {
        return Comparison::Differ(format!(
            "{} exports in the original, {} in the optimized module",
            original.state.len(),
            optimized.state.len()
        ));
    }
    for ((name, before), (other_name, after)) in original.state.iter().zip(&optimized.state) {
        if name != other_name {
            return Comparison::Differ(format!("export `{name}` became `{other_name}`"));
        }
        if before == after {
            steps += 1;
            continue;
        }
        let what = match (before, after) {
            (State::Memory { size: a, chunks: x }, State::Memory { size: b, chunks: y })
                if a == b =>
            {
                let chunk = x.iter().zip(y).position(|(p, q)| p != q).unwrap_or(0);
                format!(
                    "memory `{name}` contents differ (first in bytes {:#x}..{:#x})",
                    chunk * MEMORY_CHUNK,
                    (chunk + 1) * MEMORY_CHUNK
                )
            }
            (State::Memory { size: a, .. }, State::Memory { size: b, .. }) => {
                format!("memory `{name}` size: original {a:#x} bytes, optimized {b:#x}")
            }
            (before, after) => format!("export `{name}`: original {before:?}, optimized {after:?}"),
        };
        return Comparison::Differ(format!("after the calls, {what}"));
    }
    Comparison::Same { steps }
}

/// Why one (module, variant) check failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// LOOM returned an error on a valid module.
    LoomError,
    /// LOOM panicked.
    Panic,
    /// LOOM's output does not validate.
    Invalid,
    /// The optimized module behaves differently.
    Mismatch,
}

/// The verdict for one variant of one module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Same behaviour; `executed` is false when nothing could be run (the
    /// engine rejected the original, or it exhausted itself everywhere) and
    /// only LOOM's success and the output's validity were checked.
    Pass {
        executed: bool,
    },
    Fail {
        kind: FailureKind,
        detail: String,
    },
}

/// One variant's verdict with what is needed to reproduce it.
#[derive(Clone, Debug)]
pub struct VariantResult {
    pub variant: Variant,
    pub verdict: Verdict,
    /// LOOM's output, when it produced one.
    pub optimized: Option<Vec<u8>>,
}

/// What running one module (and its outputs) amounted to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecStats {
    /// Originals wasmtime refused to compile (only LOOM's success and the
    /// output's validity are then checked).
    pub engine_rejected: u64,
    /// Distinct optimized outputs run; byte-identical outputs run once.
    pub outputs_run: u64,
    /// Outcomes of the original's calls, over all argument vectors.
    pub returned: u64,
    pub trapped: u64,
    /// Traps of the original's calls by message.
    pub traps: std::collections::BTreeMap<String, u64>,
    pub threw: u64,
    pub exhausted: u64,
    pub not_called: u64,
    pub failed: u64,
}

impl ExecStats {
    pub fn add(&mut self, other: &ExecStats) {
        self.engine_rejected += other.engine_rejected;
        self.outputs_run += other.outputs_run;
        self.returned += other.returned;
        self.trapped += other.trapped;
        for (trap, n) in &other.traps {
            *self.traps.entry(trap.clone()).or_insert(0) += n;
        }
        self.threw += other.threw;
        self.exhausted += other.exhausted;
        self.not_called += other.not_called;
        self.failed += other.failed;
    }

    fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Returned(_) => self.returned += 1,
            Outcome::Trapped(trap) => {
                self.trapped += 1;
                *self.traps.entry(trap.clone()).or_insert(0) += 1;
            }
            Outcome::Threw(..) => self.threw += 1,
            Outcome::Exhausted(_) => self.exhausted += 1,
            Outcome::NotCalled => self.not_called += 1,
            Outcome::Failed(_) => self.failed += 1,
        }
    }
}

/// One module checked against every variant.
#[derive(Clone, Debug)]
pub struct ModuleCheck {
    pub results: Vec<VariantResult>,
    pub stats: ExecStats,
    /// Why wasmtime refused the original, if it did.
    pub engine_error: Option<String>,
}

/// Checks one module against every variant: optimizes, validates, and (when
/// the engine runs the original) compares behaviour on every argument
/// vector. Must run on a thread with a large stack (see [`with_stack`]).
pub fn check_module(engine: &wasmtime::Engine, wasm: &[u8], variants: &[Variant]) -> ModuleCheck {
    let mut stats = ExecStats::default();
    let (original, engine_error) = match Runner::new(engine, wasm) {
        Ok(runner) => (Some(runner), None),
        Err(e) => {
            stats.engine_rejected += 1;
            (None, Some(e))
        }
    };
    let baseline: Option<Vec<Observation>> = original
        .as_ref()
        .map(|runner| (0..VECTORS).map(|v| runner.observe(v, CALL_FUEL)).collect());
    for observation in baseline.iter().flatten() {
        for (_, outcome) in &observation.calls {
            stats.count(outcome);
        }
    }
    // Several variants often produce the same bytes: run each output once.
    let mut seen: HashMap<Vec<u8>, Verdict> = HashMap::new();
    let results = variants
        .iter()
        .map(|variant| {
            let options = variant.options();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                loom_core::optimize(wasm, &options)
            }));
            let optimized = match result {
                Ok(Ok(output)) => output.bytes,
                Ok(Err(e)) => {
                    return VariantResult {
                        variant: variant.clone(),
                        verdict: Verdict::Fail {
                            kind: FailureKind::LoomError,
                            detail: e.to_string(),
                        },
                        optimized: None,
                    }
                }
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "(no message)".into());
                    return VariantResult {
                        variant: variant.clone(),
                        verdict: Verdict::Fail {
                            kind: FailureKind::Panic,
                            detail: message,
                        },
                        optimized: None,
                    };
                }
            };
            let verdict = match seen.get(&optimized) {
                Some(verdict) => verdict.clone(),
                None => {
                    if baseline.is_some() && optimized != wasm {
                        stats.outputs_run += 1;
                    }
                    let verdict = judge(engine, wasm, &optimized, baseline.as_deref());
                    seen.insert(optimized.clone(), verdict.clone());
                    verdict
                }
            };
            VariantResult {
                variant: variant.clone(),
                verdict,
                optimized: Some(optimized),
            }
        })
        .collect();
    ModuleCheck {
        results,
        stats,
        engine_error,
    }
}

/// Validates one optimized output and compares its behaviour.
fn judge(
    engine: &wasmtime::Engine,
    wasm: &[u8],
    optimized: &[u8],
    baseline: Option<&[Observation]>,
) -> Verdict {
    if let Err(e) = wasmparser::Validator::new_with_features(loom_core::features::accepted())
        .validate_all(optimized)
    {
        return Verdict::Fail {
            kind: FailureKind::Invalid,
            detail: format!("at byte offset {:#x}: {}", e.offset(), e.message()),
        };
    }
    let Some(baseline) = baseline else {
        return Verdict::Pass { executed: false };
    };
    if optimized == wasm {
        // The same bytes behave the same; they ran if the original did.
        let executed = baseline
            .iter()
            .any(|o| !matches!(o.instantiation, Outcome::Exhausted(_)));
        return Verdict::Pass { executed };
    }
    let runner = match Runner::new(engine, optimized) {
        Ok(runner) => runner,
        Err(e) => {
            return Verdict::Fail {
                kind: FailureKind::Invalid,
                detail: format!("wasmtime rejects the output but accepted the input: {e}"),
            }
        }
    };
    let mut executed = false;
    for (vector, before) in baseline.iter().enumerate() {
        let after = runner.observe(vector, CALL_FUEL * OPTIMIZED_FUEL_FACTOR);
        match compare(before, &after) {
            Comparison::Same { steps } => executed |= steps > 0,
            Comparison::Differ(detail) => {
                return Verdict::Fail {
                    kind: FailureKind::Mismatch,
                    detail: format!("argument vector {vector}: {detail}"),
                }
            }
        }
    }
    Verdict::Pass { executed }
}

/// Runs `f` on a fresh thread with a stack large enough for wasmtime's
/// `max_wasm_stack`.
pub fn with_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(WORKER_STACK)
        .spawn(f)
        .expect("spawning a fuzzing thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// A failure as saved: what failed and the command that reproduces it.
#[derive(Clone, Debug)]
pub struct Failure {
    pub seed: u64,
    pub index: u64,
    pub variant: String,
    pub kind: FailureKind,
    pub detail: String,
    pub repro: String,
    /// Where the original, optimized output and reproduction were saved.
    pub saved: Option<PathBuf>,
}

/// Counts for one variant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    /// Passed without running anything (validity checked only).
    pub unexecuted: u64,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// What kind of modules were generated.
    pub profile: Profile,
    /// Module indices checked (generated successfully).
    pub modules: u64,
    /// Indices `wasm-smith` could not build a module from.
    pub not_generated: u64,
    /// Per variant, in the order of the run's variant list.
    pub counts: Vec<(String, Counts)>,
    pub failures: Vec<Failure>,
    pub elapsed: Duration,
    pub exec: ExecStats,
    /// The first few distinct reasons wasmtime gave for refusing an original.
    pub engine_errors: Vec<String>,
}

impl Summary {
    pub fn passed(&self) -> u64 {
        self.counts.iter().map(|(_, c)| c.passed).sum()
    }

    pub fn failed(&self) -> u64 {
        self.counts.iter().map(|(_, c)| c.failed).sum()
    }

    /// Per-variant lines, then `N passed, M failed`.
    pub fn report(&self) -> String {
        let mut text = format!(
            "{} {} modules in {:.1}s ({} indices not generated)\n",
            self.modules,
            self.profile.name(),
            self.elapsed.as_secs_f64(),
            self.not_generated
        );
        for (name, c) in &self.counts {
            text += &format!(
                "  {name:<24} {:>7} passed ({} validated only), {} failed\n",
                c.passed, c.unexecuted, c.failed
            );
        }
        let e = &self.exec;
        text += &format!(
            "  original calls: {} returned, {} trapped, {} threw, {} exhausted, {} not called, {} failed; \
             {} optimized outputs run; {} originals refused by wasmtime\n",
            e.returned, e.trapped, e.threw, e.exhausted, e.not_called, e.failed, e.outputs_run, e.engine_rejected
        );
        if !e.traps.is_empty() {
            let traps: Vec<String> = e.traps.iter().map(|(t, n)| format!("{n} {t}")).collect();
            text += &format!("  traps: {}\n", traps.join(", "));
        }
        for reason in &self.engine_errors {
            text += &format!("  wasmtime refused: {reason}\n");
        }
        // Failures grouped by symptom, a few reproductions each.
        let mut symptoms: Vec<(String, Vec<&Failure>)> = Vec::new();
        for f in &self.failures {
            let key = symptom(&f.kind, &f.detail);
            match symptoms.iter_mut().find(|(k, _)| *k == key) {
                Some((_, list)) => list.push(f),
                None => symptoms.push((key, vec![f])),
            }
        }
        for (_, list) in &symptoms {
            let first = list[0];
            text += &format!(
                "FAIL x{} [{:?}] {}: {}\n",
                list.len(),
                first.kind,
                first.variant,
                first.detail
            );
            for f in list.iter().take(REPORTED_PER_SYMPTOM) {
                text += &format!("  reproduce: {}\n", f.repro);
            }
        }
        text += &format!("{} passed, {} failed\n", self.passed(), self.failed());
        text
    }
}

/// How long a run goes on.
#[derive(Clone, Copy, Debug)]
pub enum Budget {
    /// Indices `first..first + count`.
    Count { first: u64, count: u64 },
    /// Indices from `first` on, until the time is up.
    Time { first: u64, time: Duration },
}

/// A fuzzing run's settings.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub seed: u64,
    pub profile: Profile,
    pub budget: Budget,
    pub variants: Vec<Variant>,
    pub jobs: usize,
    /// Where failures are saved; `None` saves nothing.
    pub failure_dir: Option<PathBuf>,
    /// Print a progress line on stderr this often.
    pub progress: Option<Duration>,
}

/// The command that reproduces one failure.
pub fn repro_command(seed: u64, index: u64, profile: Profile, variant: &str) -> String {
    let profile = match profile {
        Profile::Swarm => String::new(),
        other => format!(" --profile {}", other.name()),
    };
    format!(
        "cargo run -p loom-check --release -- fuzz{profile} --seed {seed} --index {index} --level {variant}"
    )
}

/// Runs the differential fuzzer on `jobs` threads.
pub fn run(options: &RunOptions) -> Result<Summary, String> {
    let engine = engine()?;
    let start = Instant::now();
    let next = AtomicU64::new(match options.budget {
        Budget::Count { first, .. } | Budget::Time { first, .. } => first,
    });
    let saved_per_symptom: Mutex<HashMap<String, usize>> = Mutex::new(HashMap::new());
    let last_progress = Mutex::new(Instant::now());
    let summary = Mutex::new(Summary {
        counts: options
            .variants
            .iter()
            .map(|v| (v.name(), Counts::default()))
            .collect(),
        profile: options.profile,
        ..Summary::default()
    });
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, || loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    match options.budget {
                        Budget::Count { first, count } if index >= first + count => return,
                        Budget::Time { time, .. } if start.elapsed() >= time => return,
                        _ => {}
                    }
                    let wasm = match generate(options.seed, index, options.profile) {
                        Ok(wasm) => wasm,
                        Err(_) => {
                            summary.lock().unwrap().not_generated += 1;
                            continue;
                        }
                    };
                    let check = check_module(&engine, &wasm, &options.variants);
                    let results = check.results;
                    let mut failures = Vec::new();
                    for result in &results {
                        if let Verdict::Fail { kind, detail } = &result.verdict {
                            let name = result.variant.name();
                            let repro = repro_command(options.seed, index, options.profile, &name);
                            let fresh = {
                                let mut saved = saved_per_symptom.lock().unwrap();
                                let count = saved.entry(symptom(kind, detail)).or_insert(0);
                                *count += 1;
                                *count <= MAX_SAVED_PER_SYMPTOM
                            };
                            let saved =
                                options
                                    .failure_dir
                                    .as_deref()
                                    .filter(|_| fresh)
                                    .and_then(|dir| {
                                        save_failure(
                                            dir,
                                            options.seed,
                                            index,
                                            options.profile,
                                            &name,
                                            &wasm,
                                            result,
                                            &repro,
                                        )
                                        .ok()
                                    });
                            failures.push(Failure {
                                seed: options.seed,
                                index,
                                variant: name,
                                kind: kind.clone(),
                                detail: detail.clone(),
                                repro,
                                saved,
                            });
                        }
                    }
                    let mut summary = summary.lock().unwrap();
                    summary.modules += 1;
                    summary.exec.add(&check.stats);
                    if let Some(reason) = check.engine_error {
                        if summary.engine_errors.len() < MAX_ENGINE_ERRORS
                            && !summary.engine_errors.contains(&reason)
                        {
                            summary.engine_errors.push(reason);
                        }
                    }
                    for (result, (_, counts)) in results.iter().zip(summary.counts.iter_mut()) {
                        match result.verdict {
                            Verdict::Pass { executed } => {
                                counts.passed += 1;
                                counts.unexecuted += u64::from(!executed);
                            }
                            Verdict::Fail { .. } => counts.failed += 1,
                        }
                    }
                    summary.failures.extend(failures);
                    if let Some(every) = options.progress {
                        let mut last = last_progress.lock().unwrap();
                        if last.elapsed() >= every {
                            *last = Instant::now();
                            eprintln!(
                                "[{:>5.0}s] {} modules, {} passed, {} failed",
                                start.elapsed().as_secs_f64(),
                                summary.modules,
                                summary.passed(),
                                summary.failed()
                            );
                        }
                    }
                })
                .expect("spawning a fuzzing thread");
        }
    });
    let mut summary = summary.into_inner().unwrap();
    summary
        .failures
        .sort_by_key(|f| (f.index, f.variant.clone()));
    summary.elapsed = start.elapsed();
    Ok(summary)
}

/// A failure's kind and message with numbers and names blanked, so that
/// failures of one bug count as one symptom.
fn symptom(kind: &FailureKind, detail: &str) -> String {
    let mut text = format!("{kind:?} ");
    let mut in_name = false;
    for c in detail.chars() {
        if c == '`' {
            in_name = !in_name;
        } else if !in_name && !c.is_ascii_digit() {
            text.push(c);
        }
    }
    text
}

/// Saves `original.wasm`, `optimized.wasm` (when LOOM produced one) and
/// `repro.txt` into `dir/seed-S-index-I-VARIANT/` (`dir/PROFILE-seed-...`
/// outside the `swarm` profile).
#[allow(clippy::too_many_arguments)]
fn save_failure(
    dir: &Path,
    seed: u64,
    index: u64,
    profile: Profile,
    variant: &str,
    wasm: &[u8],
    result: &VariantResult,
    repro: &str,
) -> std::io::Result<PathBuf> {
    let prefix = match profile {
        Profile::Swarm => String::new(),
        other => format!("{}-", other.name()),
    };
    let case = dir.join(format!("{prefix}seed-{seed}-index-{index}-{variant}"));
    std::fs::create_dir_all(&case)?;
    std::fs::write(case.join("original.wasm"), wasm)?;
    if let Some(optimized) = &result.optimized {
        std::fs::write(case.join("optimized.wasm"), optimized)?;
    }
    let detail = match &result.verdict {
        Verdict::Fail { kind, detail } => format!("{kind:?}: {detail}"),
        Verdict::Pass { .. } => String::new(),
    };
    std::fs::write(case.join("repro.txt"), format!("{repro}\n{detail}\n"))?;
    Ok(case)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed(calls: Vec<Outcome>) -> Observation {
        Observation {
            instantiation: Outcome::Returned(Vec::new()),
            calls: calls.into_iter().map(|o| ("f".to_string(), o)).collect(),
            state: Vec::new(),
            host_calls: Vec::new(),
        }
    }

    fn overflow() -> Outcome {
        Outcome::Exhausted(Trap::StackOverflow.to_string())
    }

    #[test]
    fn stack_overflow_where_the_original_trapped_ends_the_comparison() {
        // Seed 77 of the O1..Oz fuzz run: a recursion the original ended by
        // its fuel trap; bigger frames made the optimized one overflow first.
        let original = observed(vec![Outcome::Trapped("unreachable".into())]);
        let optimized = observed(vec![overflow()]);
        assert!(matches!(
            compare(&original, &optimized),
            Comparison::Same { steps: 1 }
        ));
    }

    #[test]
    fn stack_overflow_in_the_start_function_where_the_original_trapped_is_inconclusive() {
        let mut original = observed(vec![]);
        original.instantiation = Outcome::Trapped("unreachable".into());
        let mut optimized = observed(vec![]);
        optimized.instantiation = overflow();
        assert!(matches!(
            compare(&original, &optimized),
            Comparison::Same { steps: 0 }
        ));
        // Where the original's start function returned, it is a difference.
        original.instantiation = Outcome::Returned(Vec::new());
        assert!(matches!(
            compare(&original, &optimized),
            Comparison::Differ(_)
        ));
    }

    #[test]
    fn stack_overflow_where_the_original_returned_is_a_difference() {
        let original = observed(vec![Outcome::Returned(vec![Value::I32(1)])]);
        let optimized = observed(vec![overflow()]);
        assert!(matches!(
            compare(&original, &optimized),
            Comparison::Differ(_)
        ));
    }
}
