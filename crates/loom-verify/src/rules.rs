//! Reads LOOM's ISLE rule files with `cranelift_isle`'s parser: the definitions (types,
//! term declarations, externs, rules) the prover interprets, and a count of the
//! `(rule` forms in the text, so a rule the reader missed cannot go unproved silently.

use cranelift_isle::ast::{Def, Fields, Rule, Type, TypeValue};
use cranelift_isle::lexer::Lexer;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Everything the rule files define.
pub struct RuleSet {
    pub defs: Vec<Def>,
    /// `(file name, text)` in the order read.
    pub files: Vec<(String, String)>,
}

/// The rule directory of loom-core (`crates/loom-core/rules`).
pub fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../loom-core/rules")
}

impl RuleSet {
    /// Parses every `*.isle` file of `dir`, `prelude.isle` first, then by name.
    pub fn read_dir(dir: &Path) -> Result<RuleSet, String> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "isle"))
            .collect();
        paths.sort_by_key(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name != "prelude.isle", name)
        });
        let mut files = Vec::new();
        for p in paths {
            let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            files.push((
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                text,
            ));
        }
        Self::parse(files)
    }

    /// Parses the given `(name, text)` files as one program.
    pub fn parse(files: Vec<(String, String)>) -> Result<RuleSet, String> {
        let mut defs = Vec::new();
        for (i, (name, text)) in files.iter().enumerate() {
            let lexer = Lexer::new(i, text).map_err(|e| format!("{name}: {e:?}"))?;
            defs.extend(
                cranelift_isle::parser::parse(lexer).map_err(|e| format!("{name}: {e:?}"))?,
            );
        }
        Ok(RuleSet { defs, files })
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.defs.iter().filter_map(|d| match d {
            Def::Rule(r) => Some(r),
            _ => None,
        })
    }

    /// The enum types whose variants carry no fields (operator enums such as `BinOp`),
    /// by name, with their variant names.
    pub fn enums(&self) -> HashMap<String, Vec<String>> {
        self.defs
            .iter()
            .filter_map(|d| match d {
                Def::Type(Type {
                    name,
                    ty: TypeValue::Enum(variants, _),
                    ..
                }) if variants.iter().all(|v| v.fields == Fields::Unit) => Some((
                    name.0.clone(),
                    variants.iter().map(|v| v.name.0.clone()).collect(),
                )),
                _ => None,
            })
            .collect()
    }

    /// The number of `(rule` forms in the files' text (outside `;` comments).
    pub fn rule_forms_in_text(&self) -> usize {
        self.files
            .iter()
            .flat_map(|(_, text)| text.lines())
            .map(|line| {
                let code = line.split(';').next().unwrap_or("");
                code.match_indices("(rule")
                    .filter(|(i, _)| {
                        code[i + 5..]
                            .chars()
                            .next()
                            .is_none_or(|c| c.is_whitespace())
                    })
                    .count()
            })
            .sum()
    }
}
