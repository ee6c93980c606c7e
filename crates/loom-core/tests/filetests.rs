//! Precise-output tests: every `tests/{passes,lift}/*.wat` file is run
//! through LOOM with the options on its first line (`;; loom: --pass NAME`,
//! `;; loom: -O0`), the result must validate, and its text must equal the
//! `.wat.out` file beside it. `BLESS=1 cargo test --test filetests` rewrites
//! the expected files; review the diff.

use loom_core::{OptLevel, Options};
use std::path::{Path, PathBuf};

fn options_from_header(source: &str, path: &Path) -> Options {
    let header = source
        .lines()
        .next()
        .and_then(|l| l.strip_prefix(";; loom:"))
        .unwrap_or_else(|| panic!("{}: first line must be `;; loom: OPTIONS`", path.display()));
    let mut options = Options::new(OptLevel::O0);
    options.level = None;
    let mut words = header.split_whitespace();
    while let Some(word) = words.next() {
        match word {
            "--pass" => options
                .passes
                .push(words.next().expect("--pass NAME").to_string()),
            level if level.starts_with("-O") => {
                options.level = Some(OptLevel::parse(&level[2..]).expect("a valid -O level"))
            }
            other => panic!("{}: unknown option {other}", path.display()),
        }
    }
    options
}

fn run_file(path: &Path) -> Result<(), String> {
    let source = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let options = options_from_header(&source, path);
    let output = loom_core::optimize(source.as_bytes(), &options).map_err(|e| e.to_string())?;
    wasmparser::Validator::new_with_features(loom_core::features::accepted())
        .validate_all(&output.bytes)
        .map_err(|e| format!("output invalid: {e}"))?;
    let text = wasmprinter::print_bytes(&output.bytes).map_err(|e| e.to_string())?;
    let expected_path = PathBuf::from(format!("{}.out", path.display()));
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&expected_path, &text).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&expected_path).map_err(|e| {
        format!(
            "{}: {e} (run with BLESS=1 to create it)",
            expected_path.display()
        )
    })?;
    if expected != text {
        let mut diff = String::new();
        for (i, (want, got)) in expected.lines().zip(text.lines()).enumerate() {
            if want != got {
                diff = format!(
                    "first difference at line {}:\n  expected: {want}\n  actual:   {got}",
                    i + 1
                );
                break;
            }
        }
        if diff.is_empty() {
            diff = format!(
                "expected {} lines, got {}",
                expected.lines().count(),
                text.lines().count()
            );
        }
        return Err(format!(
            "output differs from {}\n{diff}\n--- actual output:\n{text}",
            expected_path.display()
        ));
    }
    Ok(())
}

fn run_dir(dir: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wat"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .wat files in {}", root.display());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| run_file(f).err().map(|e| format!("{}: {e}", f.display())))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} files failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

#[test]
fn passes() {
    run_dir("passes");
}

#[test]
fn rules() {
    run_dir("rules");
}

/// Every named rule in `rules/*.isle` has a function of the same name in
/// some `tests/rules/*.wat` (an export `(func (export "NAME")`), so no rule
/// goes untested.
#[test]
fn every_rule_has_a_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut tests = String::new();
    for entry in std::fs::read_dir(root.join("tests/rules")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "wat") {
            tests.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "isle"))
        .collect();
    files.sort();
    let mut names = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let lexer = cranelift_isle::lexer::Lexer::new(0, &text).unwrap();
        let defs = cranelift_isle::parser::parse(lexer)
            .unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
        for def in defs {
            if let cranelift_isle::ast::Def::Rule(rule) = def {
                let name = rule
                    .name
                    .unwrap_or_else(|| panic!("{}: a rule has no name", file.display()));
                names.push(name.0);
            }
        }
    }
    assert!(names.len() > 10, "found only {} rules", names.len());
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !tests.contains(&format!("(func (export \"{n}\")")))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a test function in tests/rules/: {missing:?}"
    );
}

#[test]
fn lift() {
    run_dir("lift");
}
