//! Typed errors of the library. Every way input can be wrong ends here, as a
//! value the command line turns into one line on stderr; none panics.

/// Why a module could not be read, optimized or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a WebAssembly module or component (no \\0asm magic) and not valid text: {0}")]
    Text(String),
    #[error("malformed binary at byte offset {offset:#x}: {message}")]
    Malformed { offset: usize, message: String },
    #[error("invalid module at byte offset {offset:#x}: {message}")]
    Invalid { offset: usize, message: String },
    #[error("unknown pass `{name}`; valid passes: {valid}")]
    UnknownPass { name: String, valid: String },
    #[error("pass `{pass}` produced an invalid module (a LOOM bug): {message}")]
    PassBroke { pass: String, message: String },
    #[error("cannot encode module: {0}")]
    Encode(String),
}

impl Error {
    /// Classifies a wasmparser error: decoding problems are "malformed",
    /// everything the validator rejects is "invalid".
    pub fn from_parser(e: wasmparser::BinaryReaderError, validating: bool) -> Error {
        let offset = e.offset() as usize;
        let message = e.message().to_string();
        if validating {
            Error::Invalid { offset, message }
        } else {
            Error::Malformed { offset, message }
        }
    }
}
