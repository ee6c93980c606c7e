//! The registry of passes: one file per pass in this folder, each listed
//! once here. The CLI name, the file name and the type name are the same
//! words (`simplify-locals`, `simplify_locals.rs`, `SimplifyLocals`).

use crate::pass::{Pass, PassKind};

pub mod coalesce_locals;
pub mod reorder_functions;
pub mod reorder_locals;
pub mod vacuum;

pub static REGISTRY: &[Pass] = &[
    Pass {
        name: "coalesce-locals",
        description: "register allocation: locals with disjoint live ranges share an index",
        kind: PassKind::Function(coalesce_locals::run),
    },
    Pass {
        name: "reorder-functions",
        description: "most-referenced functions first, for shorter call indices",
        kind: PassKind::Module(reorder_functions::run),
    },
    Pass {
        name: "reorder-locals",
        description: "most-used locals first, unused ones removed, types grouped",
        kind: PassKind::Function(reorder_locals::run),
    },
    Pass {
        name: "vacuum",
        description: "remove nops, drops of pure values, empty blocks and ifs",
        kind: PassKind::Function(vacuum::run),
    },
];
