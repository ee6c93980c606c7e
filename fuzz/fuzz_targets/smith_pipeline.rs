//! A `wasm-smith` module built from the fuzzer's bytes, with every proposal
//! LOOM accepts (`loom_core::features::accepted()`) left to the input, through
//! every preset level and every single pass. LOOM must accept the valid
//! module, its output must validate with the accepted features, and
//! optimizing that output again (same variant) must succeed and validate too.
//!
//! With `LOOM_FUZZ_EMIT=FILE` set, the generated module is written to FILE
//! (to turn a crashing input into a `.wasm` file).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use loom_check::diff::Variant;
use loom_core::features::accepted;

fn validate(bytes: &[u8], features: wasmparser::WasmFeatures) -> Result<(), String> {
    wasmparser::Validator::new_with_features(features)
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|e| format!("at byte offset {:#x}: {}", e.offset(), e.message()))
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    // Swarm testing: the input turns each proposal on or off and picks limits.
    let Ok(mut config) = wasm_smith::Config::arbitrary(&mut u) else {
        return;
    };
    // Proposals `Config::arbitrary` never turns on but LOOM accepts;
    // `Module::new` drops whichever lacks what it builds on.
    let coins = u8::arbitrary(&mut u).unwrap_or(0);
    config.wide_arithmetic_enabled = coins & 1 != 0;
    config.custom_page_sizes_enabled = coins & 2 != 0;
    config.shared_everything_threads_enabled = coins & 4 != 0;
    config.acquire_release_atomics_enabled = coins & 8 != 0;
    config.multibyte_array_access_enabled = coins & 16 != 0;
    // Custom descriptors are not accepted (see `features::accepted`).
    config.custom_descriptors_enabled = false;
    let features = config.features();
    assert!(
        accepted().contains(features),
        "harness: wasm-smith config enables proposals LOOM does not accept: {:?}",
        features.difference(accepted())
    );
    let Ok(module) = wasm_smith::Module::new(config, &mut u) else {
        return;
    };
    let wasm = module.to_bytes();
    if let Some(path) = std::env::var_os("LOOM_FUZZ_EMIT") {
        std::fs::write(path, &wasm).expect("writing LOOM_FUZZ_EMIT");
    }
    // A module wasm-smith's own features reject is wasm-smith's bug, not LOOM's.
    if validate(&wasm, features).is_err() {
        return;
    }
    for variant in Variant::all() {
        let name = variant.name();
        let options = variant.options();
        let first = loom_core::optimize(&wasm, &options)
            .unwrap_or_else(|e| panic!("{name}: LOOM rejects a valid wasm-smith module: {e}"));
        if let Err(e) = validate(&first.bytes, accepted()) {
            panic!("{name}: the output does not validate: {e}");
        }
        let second = loom_core::optimize(&first.bytes, &options)
            .unwrap_or_else(|e| panic!("{name}: optimizing LOOM's own output again fails: {e}"));
        if let Err(e) = validate(&second.bytes, accepted()) {
            panic!("{name}: the output of optimizing the output again does not validate: {e}");
        }
    }
});
