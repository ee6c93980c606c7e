//! Correctness evidence for LOOM, shared by the bounded slices in
//! `cargo test` and the `loom-check` command that runs them at full size:
//! the WebAssembly spec suite's assertions after optimization (`spec`), and
//! differential execution of random modules before and after (`diff`).
pub mod diff;
pub mod spec;
