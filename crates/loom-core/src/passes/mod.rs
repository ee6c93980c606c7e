//! The registry of passes: one file per pass in this folder, each listed
//! once here. The CLI name, the file name and the type name are the same
//! words (`simplify-locals`, `simplify_locals.rs`, `SimplifyLocals`).

use crate::pass::{Pass, PassKind};

pub mod coalesce_locals;
pub mod code_folding;
pub mod dae;
pub mod dce;
pub mod directize;
pub mod duplicate_function_elimination;
pub mod duplicate_import_elimination;
pub mod inlining;
pub mod local_cse;
pub mod memory_packing;
pub mod merge_blocks;
pub mod merge_locals;
pub mod merge_similar_functions;
pub mod optimize_instructions;
pub mod precompute;
pub mod precompute_propagate;
pub mod redundant_set_elimination;
pub mod remove_unused_brs;
pub mod remove_unused_module_elements;
pub mod remove_unused_names;
pub mod reorder_functions;
pub mod reorder_globals;
pub mod reorder_locals;
pub mod simplify_globals;
pub mod simplify_locals;
pub mod vacuum;

pub static REGISTRY: &[Pass] = &[
    Pass {
        name: "coalesce-locals",
        description: "register allocation: locals with disjoint live ranges share an index",
        kind: PassKind::Function(coalesce_locals::run),
        renumbers_locals: true,
    },
    Pass {
        name: "code-folding",
        description: "merge identical tails of if arms and of paths to one block exit",
        kind: PassKind::Function(code_folding::run),
        renumbers_locals: false,
    },
    Pass {
        name: "dae",
        description: "remove parameters and results no caller needs from functions only called directly",
        kind: PassKind::Module(dae::run),
        renumbers_locals: true,
    },
    Pass {
        name: "dce",
        description: "remove code that can never run",
        kind: PassKind::Function(dce::run),
        renumbers_locals: false,
    },
    Pass {
        name: "directize",
        description: "turn call_indirect through a known table slot into a direct call",
        kind: PassKind::Module(directize::run),
        renumbers_locals: false,
    },
    Pass {
        name: "duplicate-function-elimination",
        description: "merge functions with the same type and body, redirecting every use",
        kind: PassKind::Module(duplicate_function_elimination::run),
        renumbers_locals: false,
    },
    Pass {
        name: "duplicate-import-elimination",
        description: "merge function imports with the same names and type",
        kind: PassKind::Module(duplicate_import_elimination::run),
        renumbers_locals: false,
    },
    Pass {
        name: "inlining",
        description: "inline functions called once and functions no larger than their calls",
        kind: PassKind::Module(inlining::run),
        renumbers_locals: false,
    },
    Pass {
        name: "inlining-speed",
        description: "inlining, plus small loop-free functions everywhere even if the module grows",
        kind: PassKind::Module(inlining::run_speed),
        renumbers_locals: false,
    },
    Pass {
        name: "local-cse",
        description: "reuse a pure expression computed earlier in the same basic block",
        kind: PassKind::Function(local_cse::run),
        renumbers_locals: false,
    },
    Pass {
        name: "memory-packing",
        description: "trim data segments of zeros written over memory known to be zero",
        kind: PassKind::Module(memory_packing::run),
        renumbers_locals: false,
    },
    Pass {
        name: "merge-blocks",
        description: "splice blocks into bodies, move block contents out of operands",
        kind: PassKind::Function(merge_blocks::run),
        renumbers_locals: false,
    },
    Pass {
        name: "merge-locals",
        description: "read the original instead of a copy so the copy can die",
        kind: PassKind::Function(merge_locals::run),
        renumbers_locals: false,
    },
    Pass {
        name: "merge-similar-functions",
        description: "functions differing only in constants become thunks calling one shared function",
        kind: PassKind::Module(merge_similar_functions::run),
        renumbers_locals: true,
    },
    Pass {
        name: "optimize-instructions",
        description: "rewrite expressions with the ISLE rules: fold constants, identities, strength reduction, offsets",
        kind: PassKind::Function(optimize_instructions::run),
        renumbers_locals: false,
    },
    Pass {
        name: "precompute",
        description: "evaluate constant expressions, fold control flow on constant conditions",
        kind: PassKind::Function(precompute::run),
        renumbers_locals: false,
    },
    Pass {
        name: "precompute-propagate",
        description: "precompute, also carrying constants through locals",
        kind: PassKind::Function(precompute_propagate::run),
        renumbers_locals: false,
    },
    Pass {
        name: "redundant-set-elimination",
        description: "remove sets of the value a local already holds",
        kind: PassKind::Function(redundant_set_elimination::run),
        renumbers_locals: false,
    },
    Pass {
        name: "remove-unused-brs",
        description: "remove and simplify branches, fold constant conditions",
        kind: PassKind::Function(remove_unused_brs::run),
        renumbers_locals: false,
    },
    Pass {
        name: "remove-unused-module-elements",
        description: "remove functions, globals, tables, memories, tags, segments and imports nothing observable reaches",
        kind: PassKind::Module(remove_unused_module_elements::run),
        renumbers_locals: false,
    },
    Pass {
        name: "remove-unused-names",
        description: "retarget branches to equivalent labels, remove unused blocks and loops",
        kind: PassKind::Function(remove_unused_names::run),
        renumbers_locals: false,
    },
    Pass {
        name: "reorder-functions",
        description: "most-referenced functions first, for shorter call indices",
        kind: PassKind::Module(reorder_functions::run),
        renumbers_locals: false,
    },
    Pass {
        name: "reorder-globals",
        description: "most-used globals first, for shorter global indices",
        kind: PassKind::Module(reorder_globals::run),
        renumbers_locals: false,
    },
    Pass {
        name: "reorder-locals",
        description: "most-used locals first, unused ones removed, types grouped",
        kind: PassKind::Function(reorder_locals::run),
        renumbers_locals: true,
    },
    Pass {
        name: "simplify-globals",
        description: "read fixed globals' constant values, drop writes nothing reads",
        kind: PassKind::Module(simplify_globals::run),
        renumbers_locals: false,
    },
    Pass {
        name: "simplify-locals",
        description: "sink sets into their gets, make tees, remove dead stores",
        kind: PassKind::Function(simplify_locals::run),
        renumbers_locals: false,
    },
    Pass {
        name: "vacuum",
        description: "remove nops, drops of pure values, empty blocks and ifs",
        kind: PassKind::Function(vacuum::run),
        renumbers_locals: false,
    },
];
