//! Compiles the ISLE rewrite rules in `rules/*.isle` into Rust (in `OUT_DIR`,
//! included by `src/rules/mod.rs`). Files are read in name order so the
//! generated code does not depend on the directory listing.

use cranelift_isle::codegen::CodegenOptions;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("rules directory")
        .map(|e| e.expect("rules directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "isle"))
        .collect();
    files.sort();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let options = CodegenOptions {
        // The including module carries the allows (inner attributes cannot
        // follow `include!`).
        exclude_global_allow_pragmas: true,
        prefixes: vec![cranelift_isle::codegen::Prefix {
            prefix: format!("{}/", dir.display()),
            name: "rules/".to_string(),
        }],
        ..Default::default()
    };
    let code = match cranelift_isle::compile::from_files(&files, &options) {
        Ok(code) => code,
        Err(errors) => {
            eprintln!("{errors}");
            panic!("ISLE compilation failed");
        }
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("isle_rules.rs");
    std::fs::write(out, code).expect("write generated rules");
}
