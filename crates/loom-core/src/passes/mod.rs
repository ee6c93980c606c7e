//! The registry of passes: one file per pass in this folder, each listed
//! once here. The CLI name, the file name and the type name are the same
//! words (`simplify-locals`, `simplify_locals.rs`, `SimplifyLocals`).

use crate::pass::{Pass, PassKind};

pub mod local_cse;
pub mod merge_locals;
pub mod redundant_set_elimination;
pub mod remove_unused_module_elements;
pub mod reorder_functions;
pub mod vacuum;

pub static REGISTRY: &[Pass] = &[
    Pass {
        name: "local-cse",
        description: "compute a repeated pure expression once, into a new local",
        kind: PassKind::Function(local_cse::run),
    },
    Pass {
        name: "merge-locals",
        description: "read the other local of a copy where that ends a live range",
        kind: PassKind::Function(merge_locals::run),
    },
    Pass {
        name: "redundant-set-elimination",
        description: "remove local.sets of the value the local already holds",
        kind: PassKind::Function(redundant_set_elimination::run),
    },
    Pass {
        name: "remove-unused-module-elements",
        description: "remove functions, globals, tables, memories, tags, segments and imports nothing observable reaches",
        kind: PassKind::Module(remove_unused_module_elements::run),
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
