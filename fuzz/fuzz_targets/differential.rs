//! Differential execution: a `wasm-smith` module built from the fuzzer's
//! bytes, shaped like `loom-check fuzz` shapes its modules (swarm
//! configuration, termination fuel, every item exported), is optimized with
//! one variant and run before and after in wasmtime by loom-check's executor
//! (`loom_check::diff::check_module`): results, traps, uncaught exceptions,
//! host calls and the final state of exported memories, globals and tables
//! must agree, and LOOM must neither fail nor panic nor emit an invalid
//! module.
//!
//! Input layout: byte 0 picks the variant from `Variant::all()` (the preset
//! levels O0, O1, O2, O3, O4, Os, Oz, then every single pass, by index modulo
//! their number); the rest drives `wasm-smith`.
//!
//! With `LOOM_FUZZ_EMIT=FILE` set, the generated module is written to FILE
//! and the variant printed, to turn a crashing input into a `.wasm` file for
//! `loom-check fuzz --file FILE --level VARIANT`.
#![no_main]

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use loom_check::diff::{self, Variant, Verdict, FUEL_EXPORT};

// These mirror the private limits and `shape`/`adapt` of
// crates/loom-check/src/diff.rs, so a module found here is one `loom-check
// fuzz` could have generated (and behaves the same under its executor).
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
const MAX_MEMORY_BYTES: u64 = 1 << 20;
const MAX_TABLE_ELEMENTS: u64 = 1_000;
const SMITH_FUEL: u32 = 10_000;

fn shape(config: &mut wasm_smith::Config, coins: u32) {
    config.max_imports = if coins & 4 != 0 {
        config.max_imports.min(MAX_IMPORTS)
    } else {
        0
    };
    config.min_imports = 0;
    config.available_imports = None;
    config.compact_imports_enabled &= coins & 8 != 0;
    config.export_everything = true;
    config.allow_start_export = true;
    config.min_funcs = 1 + (coins >> 8) as usize % MIN_FUNCS;
    config.max_funcs = config.max_funcs.clamp(config.min_funcs, MAX_FUNCS);
    config.max_instructions = config.max_instructions.min(MAX_INSTRUCTIONS);
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
    config.canonicalize_nans = false;
    config.wide_arithmetic_enabled = coins & 1 != 0;
    config.custom_page_sizes_enabled = coins & 2 != 0;
    config.shared_everything_threads_enabled = false;
    config.acquire_release_atomics_enabled = false;
    config.multibyte_array_access_enabled = false;
    config.custom_descriptors_enabled = false;
}

/// Exports the fuel global as `FUEL_EXPORT` and replaces
/// `memory.atomic.wait32/64` by its "timed out" result.
fn adapt(wasm: &[u8], fuel_global: u32) -> Result<Vec<u8>, String> {
    use wasm_encoder::reencode::{Error, Reencode, RoundtripReencoder};
    use wasm_encoder::Instruction;
    use wasmparser::Operator;

    struct Adapt {
        fuel_global: u32,
    }
    impl Reencode for Adapt {
        type Error = std::convert::Infallible;

        fn parse_export_section(
            &mut self,
            exports: &mut wasm_encoder::ExportSection,
            section: wasmparser::ExportSectionReader<'_>,
        ) -> Result<(), Error<Self::Error>> {
            let mut taken = false;
            for export in section {
                let export = export?;
                taken |= export.name == FUEL_EXPORT;
                self.parse_export(exports, export)?;
            }
            if !taken {
                exports.export(FUEL_EXPORT, wasm_encoder::ExportKind::Global, self.fuel_global);
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
    Adapt { fuel_global }
        .parse_core_module(&mut module, wasmparser::Parser::new(0), wasm)
        .map_err(|e| format!("adapting the module: {e}"))?;
    Ok(module.finish())
}

/// The module for one input, or `None` when wasm-smith cannot build one.
fn generate(u: &mut Unstructured<'_>) -> Option<Vec<u8>> {
    let mut config = wasm_smith::Config::arbitrary(u).ok()?;
    let coins = u32::arbitrary(u).ok()?;
    shape(&mut config, coins);
    let mut module = wasm_smith::Module::new(config, u).ok()?;
    let fuel_global = module.ensure_termination(SMITH_FUEL).ok()?;
    adapt(&module.to_bytes(), fuel_global).ok()
}

static ENGINE: OnceLock<wasmtime::Engine> = OnceLock::new();
static VARIANTS: OnceLock<Vec<Variant>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let variants = VARIANTS.get_or_init(Variant::all);
    let variant = variants[usize::from(selector) % variants.len()].clone();
    let Some(wasm) = generate(&mut Unstructured::new(rest)) else {
        return;
    };
    if let Some(path) = std::env::var_os("LOOM_FUZZ_EMIT") {
        std::fs::write(path, &wasm).expect("writing LOOM_FUZZ_EMIT");
        eprintln!("variant: {}", variant.name());
    }
    let engine = ENGINE.get_or_init(|| diff::engine().expect("creating the wasmtime engine"));
    let check = diff::with_stack(move || diff::check_module(engine, &wasm, &[variant]));
    for result in check.results {
        if let Verdict::Fail { kind, detail } = result.verdict {
            panic!("{} [{kind:?}]: {detail}", result.variant.name());
        }
    }
});
