//! Arbitrary bytes through LOOM's whole pipeline: the first byte picks the
//! preset level, the rest is the input, read as a binary module or component
//! when it starts with `\0asm` and as WebAssembly text otherwise (when it is
//! UTF-8). LOOM must never panic, only return errors; and whatever it accepts,
//! it must write as a module that validates.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loom_check::diff::LEVELS;
use loom_core::Options;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let level = LEVELS[usize::from(selector) % LEVELS.len()];
    let options = Options::new(level);
    let Ok(output) = loom_core::optimize(input, &options) else {
        return;
    };
    if let Err(e) = wasmparser::Validator::new_with_features(options.features).validate_all(&output.bytes) {
        panic!(
            "LOOM -{level:?} accepted the input but its output does not validate: at byte offset {:#x}: {}",
            e.offset(),
            e.message()
        );
    }
});
