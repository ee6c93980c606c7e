//! `loom-bench exec` end to end on the project's smallest program (fib at -O0, with a tiny
//! workload): two benchmark folders in sightglass layout, one with the right expected
//! output and one with a wrong one. The right one must get numbers in both engines for
//! the original and LOOM; every variant of the wrong one must be reported as failed, with
//! no number. wasm-opt is compared too when one is installed (else the report says why not).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Writes a benchmark folder: fib -O0 as `benchmark.wasm`, computing fib(15) once.
fn benchmark(dir: &Path, expected_stdout: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let fib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benches/programs/fib/O0.wasm");
    std::fs::copy(fib, dir.join("benchmark.wasm")).unwrap();
    std::fs::write(dir.join("default.input"), "15 1\n").unwrap();
    std::fs::write(dir.join("benchmark.stdout.expected"), expected_stdout).unwrap();
    std::fs::write(dir.join("benchmark.stderr.expected"), "").unwrap();
}

#[test]
fn exec_reports_numbers_and_output_mismatches() {
    let tmp = tempfile::tempdir().unwrap();
    let suite = tmp.path().join("suite");
    benchmark(&suite.join("good"), "610\n");
    benchmark(&suite.join("wrong"), "611\n");
    let out = tmp.path().join("report");

    let output = Command::new(env!("CARGO_BIN_EXE_loom-bench"))
        .arg("exec")
        .arg(&suite)
        .args(["--iterations", "2", "--warmup", "0", "--jobs", "2", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Exit status 1: the report was written, and it has failures.
    assert_eq!(output.status.code(), Some(1), "{stderr}");

    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    if json["meta"]["wasm_opt_version"].is_null() {
        eprintln!(
            "note: wasm-opt not compared: {}",
            json["meta"]["wasm_opt_note"]
        );
    }
    let bench = |name: &str| {
        json["benchmarks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in the report"))
            .clone()
    };
    let good = bench("good");
    let wrong = bench("wrong");
    for engine in ["wasmtime", "wasmi"] {
        let of = |b: &Value| {
            b["engines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["engine"] == engine)
                .unwrap_or_else(|| panic!("no {engine} result"))
                .clone()
        };
        let good = of(&good);
        for t in good["timings"].as_array().unwrap() {
            assert!(t["error"].is_null(), "{engine}: {t}");
            assert_eq!(t["samples_s"].as_array().unwrap().len(), 2);
            assert!(t["median_s"].as_f64().unwrap() > 0.0, "{engine}: {t}");
        }
        assert!(good["loom_vs_original"].as_f64().unwrap() > 0.0);
        let wrong = of(&wrong);
        for t in wrong["timings"].as_array().unwrap() {
            let error = t["error"]
                .as_str()
                .unwrap_or_else(|| panic!("{engine}: {t}"));
            assert!(error.contains("stdout differs"), "{error}");
            assert!(t["samples_s"].as_array().unwrap().is_empty());
        }
        assert!(wrong["loom_vs_original"].is_null());
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| wrong | FAILED | FAILED |"), "{md}");
    assert!(md.contains("wrong, LOOM (wasmi): stdout differs"), "{md}");
}

#[test]
fn exec_rejects_a_folder_without_benchmarks() {
    let tmp = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_loom-bench"))
        .arg("exec")
        .arg(tmp.path())
        .arg("--no-wasm-opt")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no benchmark (.wasm file) under"),
        "{stderr}"
    );
}
