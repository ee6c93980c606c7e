//! `loom-bench size` end to end on two tiny modules, with shell scripts standing in for
//! both optimizers (fast, and no dependence on an installed wasm-opt): the report must
//! count a tie, record a tool's failure without stopping, pass wasm-opt exactly the
//! features the input uses, and write every report file.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// A fake optimizer: logs its arguments, fails on inputs named `*bad*` if `fail_bad`,
/// else copies the input to the `-o` file.
fn fake_tool(path: &Path, fail_bad: bool) {
    let log = path.with_extension("log");
    let script = format!(
        r#"#!/bin/sh
[ "$1" = --version ] && {{ echo "fake 1.0"; exit 0; }}
echo "$@" >> '{log}'
out=""; in=""
while [ $# -gt 0 ]; do
  case "$1" in -o) out="$2"; shift ;; -*) ;; *) in="$1" ;; esac
  shift
done
case "$in" in *bad*) if [ {fail} = 1 ]; then echo "boom" >&2; exit 1; fi ;; esac
cp "$in" "$out"
"#,
        log = log.display(),
        fail = u8::from(fail_bad)
    );
    std::fs::write(path, script).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn size_reports_ties_failures_and_features() {
    let dir = tempfile::tempdir().unwrap();
    let modules = dir.path().join("modules");
    std::fs::create_dir(&modules).unwrap();
    let sign_ext = "(module (func (param i32) (result i32) (i32.extend8_s (local.get 0))))";
    std::fs::write(modules.join("good.wasm"), wat::parse_str(sign_ext).unwrap()).unwrap();
    let mvp = "(module (func (result i32) i32.const 7))";
    std::fs::write(modules.join("bad.wasm"), wat::parse_str(mvp).unwrap()).unwrap();
    let loom = dir.path().join("loom.sh");
    let wasm_opt = dir.path().join("wasm-opt.sh");
    fake_tool(&loom, false);
    fake_tool(&wasm_opt, true);
    let out = dir.path().join("report");

    let status = Command::new(env!("CARGO_BIN_EXE_loom-bench"))
        .arg("size")
        .arg(&modules)
        .arg("--loom")
        .arg(&loom)
        .arg("--wasm-opt")
        .arg(&wasm_opt)
        .args(["--levels", "Os,Oz", "--jobs", "2", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["meta"]["wasm_opt_version"], "fake 1.0");
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "two modules at two levels");
    for level in ["Os", "Oz"] {
        let summary = json["summaries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["level"] == level)
            .unwrap();
        assert_eq!(summary["compared"], 1);
        assert_eq!(summary["bytes"]["ties"], 1);
        assert_eq!(summary["geomean_bytes"], 1.0);
        assert_eq!(summary["loom_failures"], 0);
        assert_eq!(summary["wasm_opt_failures"], 1);
    }
    let bad = rows.iter().find(|r| r["id"] == "bad").unwrap();
    assert!(bad["wasm_opt"]["error"].as_str().unwrap().contains("boom"));
    assert!(bad["loom"]["error"].is_null());

    let args = std::fs::read_to_string(wasm_opt.with_extension("log")).unwrap();
    let good_line = args.lines().find(|l| l.contains("good.wasm")).unwrap();
    assert!(
        good_line.contains("--mvp-features --enable-sign-ext"),
        "{good_line}"
    );
    let bad_line = args.lines().find(|l| l.contains("bad.wasm")).unwrap();
    assert!(!bad_line.contains("--enable"), "{bad_line}");

    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("| good |") && md.contains("## Failures"),
        "{md}"
    );
    let svg = std::fs::read_to_string(out.join("chart-Os.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
}

#[test]
fn invalid_output_is_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let modules = dir.path().join("modules");
    std::fs::create_dir(&modules).unwrap();
    std::fs::write(
        modules.join("m.wasm"),
        wat::parse_str("(module (func))").unwrap(),
    )
    .unwrap();
    let good = dir.path().join("good.sh");
    fake_tool(&good, false);
    // Writes a module that uses sign-ext although the input did not.
    let cheat = dir.path().join("cheat.sh");
    let wasm =
        wat::parse_str("(module (func (param i32) (result i32) (i32.extend8_s (local.get 0))))")
            .unwrap();
    let cheat_out = dir.path().join("cheat.wasm");
    std::fs::write(&cheat_out, wasm).unwrap();
    std::fs::write(
        &cheat,
        format!(
            "#!/bin/sh\n[ \"$1\" = --version ] && exit 0\nwhile [ $# -gt 0 ]; do [ \"$1\" = -o ] && cp '{}' \"$2\"; shift; done\n",
            cheat_out.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cheat, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = dir.path().join("report");
    let status = Command::new(env!("CARGO_BIN_EXE_loom-bench"))
        .arg("size")
        .arg(&modules)
        .arg("--loom")
        .arg(&cheat)
        .arg("--wasm-opt")
        .arg(&good)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let error = json["rows"][0]["loom"]["error"].as_str().unwrap();
    assert!(error.contains("invalid output"), "{error}");
}
