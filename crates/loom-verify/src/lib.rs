//! Formal checks of LOOM's rewrites. `ops` names the wasm numeric instructions and
//! their types and `rules` reads the ISLE rule files (both solver-free); with the
//! `verify` feature, `semantics` gives each instruction's value and trap condition as
//! Z3 terms and `prover` proves every ISLE rule equivalent for all inputs.

pub mod ops;
pub mod rules;

#[cfg(feature = "verify")]
pub mod prover;
#[cfg(feature = "verify")]
pub mod semantics;
#[cfg(feature = "verify")]
pub mod z3w;
