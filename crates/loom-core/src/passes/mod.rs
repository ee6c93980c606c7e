//! The registry of passes: one file per pass in this folder, each listed
//! once here. The CLI name, the file name and the type name are the same
//! words (`simplify-locals`, `simplify_locals.rs`, `SimplifyLocals`).

use crate::pass::{Pass, PassKind};

pub mod reorder_functions;
pub mod simplify_locals;
pub mod vacuum;

pub static REGISTRY: &[Pass] = &[
    Pass {
        name: "reorder-functions",
        description: "most-referenced functions first, for shorter call indices",
        kind: PassKind::Module(reorder_functions::run),
    },
    Pass {
        name: "simplify-locals",
        description: "sink sets into their gets, make tees, remove dead stores",
        kind: PassKind::Function(simplify_locals::run),
    },
    Pass {
        name: "vacuum",
        description: "remove nops, drops of pure values, empty blocks and ifs",
        kind: PassKind::Function(vacuum::run),
    },
];
