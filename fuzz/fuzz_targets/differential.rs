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
use loom_check::diff::{self, Variant, Verdict};

fn generate(u: &mut Unstructured<'_>) -> Option<Vec<u8>> {
    let coins = u32::arbitrary(u).ok()?;
    diff::generate_from(u, coins, diff::Profile::Swarm).ok()
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
