//! The registry of passes: one file per pass in this folder, each listed
//! once here. The CLI name, the file name and the type name are the same
//! words (`simplify-locals`, `simplify_locals.rs`, `SimplifyLocals`).

use crate::pass::{Pass, PassKind};

pub mod dce;
pub mod merge_blocks;
pub mod remove_unused_names;
pub mod reorder_functions;
pub mod vacuum;

pub static REGISTRY: &[Pass] = &[
    Pass {
        name: "dce",
        description: "remove code that can never run",
        kind: PassKind::Function(dce::run),
    },
    Pass {
        name: "merge-blocks",
        description: "splice blocks into bodies, move block contents out of operands",
        kind: PassKind::Function(merge_blocks::run),
    },
    Pass {
        name: "remove-unused-names",
        description: "retarget branches to equivalent labels, remove unused blocks and loops",
        kind: PassKind::Function(remove_unused_names::run),
    },
    Pass {
        name: "reorder-functions",
        description: "most-referenced functions first, for shorter call indices",
        kind: PassKind::Module(reorder_functions::run),
    },
    Pass {
        name: "vacuum",
        description: "remove nops, drops of pure values, empty blocks and ifs",
        kind: PassKind::Function(vacuum::run),
    },
];
