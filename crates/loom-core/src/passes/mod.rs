//! The registry of passes: one file per pass in this folder, each listed
//! once here. The CLI name, the file name and the type name are the same
//! words (`simplify-locals`, `simplify_locals.rs`, `SimplifyLocals`).

use crate::pass::Pass;

pub static REGISTRY: &[Pass] = &[];
