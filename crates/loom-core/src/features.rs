//! Which WebAssembly proposals LOOM accepts, and validation against them.
//! Real modules use SIMD, threads, exceptions, GC and more, so everything the
//! IR models is on by default; the CLI's `--disable-X` flags narrow it, like
//! wasm-opt's. LOOM never adds a feature the input did not use, so input
//! features are what the output needs.

use crate::error::Error;
use wasmparser::WasmFeatures;

/// Proposals whose instructions carry branch labels the IR does not model
/// (stack switching's handler tables, custom descriptors' casts) stay off:
/// such modules are rejected with a clear error instead of being mis-rewritten.
pub fn accepted() -> WasmFeatures {
    let mut features = WasmFeatures::all();
    features.remove(WasmFeatures::STACK_SWITCHING | WasmFeatures::CUSTOM_DESCRIPTORS);
    features
}

/// The wasm-opt spelling of each feature flag (`--enable-NAME`) and its bits.
pub const FLAG_NAMES: &[(&str, WasmFeatures)] = &[
    ("sign-ext", WasmFeatures::SIGN_EXTENSION),
    ("threads", WasmFeatures::THREADS),
    ("mutable-globals", WasmFeatures::MUTABLE_GLOBAL),
    (
        "nontrapping-float-to-int",
        WasmFeatures::SATURATING_FLOAT_TO_INT,
    ),
    ("simd", WasmFeatures::SIMD),
    ("bulk-memory", WasmFeatures::BULK_MEMORY),
    ("bulk-memory-opt", WasmFeatures::BULK_MEMORY),
    (
        "exception-handling",
        WasmFeatures::EXCEPTIONS.union(WasmFeatures::LEGACY_EXCEPTIONS),
    ),
    ("tail-call", WasmFeatures::TAIL_CALL),
    ("reference-types", WasmFeatures::REFERENCE_TYPES),
    ("call-indirect-overlong", WasmFeatures::REFERENCE_TYPES),
    ("multivalue", WasmFeatures::MULTI_VALUE),
    ("gc", WasmFeatures::GC),
    ("memory64", WasmFeatures::MEMORY64),
    ("relaxed-simd", WasmFeatures::RELAXED_SIMD),
    ("extended-const", WasmFeatures::EXTENDED_CONST),
    ("strings", WasmFeatures::empty()),
    ("multimemory", WasmFeatures::MULTI_MEMORY),
    ("shared-everything", WasmFeatures::SHARED_EVERYTHING_THREADS),
    ("fp16", WasmFeatures::empty()),
    ("typed-continuations", WasmFeatures::empty()),
    ("custom-descriptors", WasmFeatures::empty()),
];

/// The features of a module that sticks to the MVP plus what every engine
/// has long shipped (wasm-opt's `--mvp-features` baseline).
pub fn mvp() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL | WasmFeatures::FLOATS
}

/// Looks up a wasm-opt feature flag name.
pub fn by_flag_name(name: &str) -> Option<WasmFeatures> {
    FLAG_NAMES.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Validates a whole module or component, mapping the first problem to an
/// [`Error`] that says whether the bytes are malformed or merely invalid.
pub fn validate(bytes: &[u8], features: WasmFeatures) -> Result<wasmparser::types::Types, Error> {
    wasmparser::Validator::new_with_features(features)
        .validate_all(bytes)
        .map_err(|e| classify(bytes, e))
}

/// A validation error is "malformed" when the bytes do not even decode;
/// decoding again without validation tells the two apart (error path only).
pub fn classify(bytes: &[u8], err: wasmparser::BinaryReaderError) -> Error {
    match decode_only(bytes) {
        Err(decode_err) => Error::from_parser(decode_err, false),
        Ok(()) => Error::from_parser(err, true),
    }
}

fn decode_only(bytes: &[u8]) -> wasmparser::Result<()> {
    use wasmparser::Payload;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Payload::CodeSectionEntry(body) = payload? {
            let mut ops = body.get_operators_reader()?;
            while !ops.eof() {
                ops.read()?;
            }
        }
    }
    Ok(())
}

/// Applies wasm-opt feature flags in order: `all`, `mvp`, `enable-NAME`,
/// `disable-NAME`. An unknown name is an error that names it.
pub fn apply_flags(
    mut features: WasmFeatures,
    flags: &[String],
) -> Result<WasmFeatures, FlagError> {
    for flag in flags {
        if flag == "all" {
            features = accepted();
        } else if flag == "mvp" {
            features = mvp();
        } else if let Some(name) = flag.strip_prefix("enable-") {
            features |= by_flag_name(name).ok_or_else(|| FlagError(flag.clone()))? & accepted();
        } else if let Some(name) = flag.strip_prefix("disable-") {
            features.remove(by_flag_name(name).ok_or_else(|| FlagError(flag.clone()))?);
        } else {
            return Err(FlagError(flag.clone()));
        }
    }
    Ok(features)
}

/// A feature flag LOOM does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown feature flag `--{0}`; known features: {known}", known = FLAG_NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "))]
pub struct FlagError(pub String);
