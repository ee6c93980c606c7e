//! Integration tests of the `loom` binary: how it fails on each class of bad
//! input, that it never leaves a partial or stray file behind, that `-o INPUT`
//! is safe, that `-S` output parses back, that deeply nested code does not
//! crash it, and that `-O0` is idempotent.
//!
//! Every bad-input case checks the contract of `main.rs`: exit code 1, exactly
//! one line on stderr (`loom: error: ...`) naming the input, no output file
//! created, and no `.loom-*.tmp` left in the output's directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wasmparser::Validator;

const LOOM: &str = env!("CARGO_BIN_EXE_loom");

/// Runs `loom` with `args`.
fn loom<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(LOOM)
        .args(args)
        .output()
        .expect("cannot run the loom binary")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Checks the one-line error contract and returns the line.
fn assert_one_line_error(out: &Output, must_contain: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "exit code should be 1; stderr:\n{err}"
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "stderr should be exactly one line, got {}:\n{err}",
        lines.len()
    );
    let line = lines[0];
    assert!(
        line.starts_with("loom: error: "),
        "stderr line should start with `loom: error: `: {line}"
    );
    for needle in must_contain {
        assert!(
            line.contains(needle),
            "stderr line should mention `{needle}`: {line}"
        );
    }
    assert!(
        out.stdout.is_empty(),
        "nothing should go to stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    line.to_string()
}

/// Temporary files `loom` writes beside the output (see `write_atomically`).
fn stray_temp_files(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .expect("read test dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(".loom-") && name.ends_with(".tmp")
        })
        .collect()
}

/// Checks that `output` was not created and nothing temporary was left beside it.
fn assert_no_output(output: &Path) {
    assert!(
        !output.exists(),
        "{} should not have been created",
        output.display()
    );
    let stray = stray_temp_files(output.parent().unwrap());
    assert!(stray.is_empty(), "stray temporary files left: {stray:?}");
}

fn validate(bytes: &[u8]) -> Result<(), String> {
    Validator::new_with_features(loom_core::features::accepted())
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn assert_valid_file(path: &Path) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if let Err(e) = validate(&bytes) {
        panic!("{} does not validate: {e}", path.display());
    }
}

/// A small valid module with some code and data, for the cases that need one.
fn small_module() -> Vec<u8> {
    wat::parse_str(
        r#"(module
             (memory 1)
             (global $g (mut i32) (i32.const 7))
             (func $add (export "add") (param i32 i32) (result i32)
               local.get 0
               local.get 1
               i32.add
               global.get $g
               i32.mul)
             (func (export "sum") (param i32) (result i32) (local i32)
               block
                 loop
                   local.get 0
                   i32.eqz
                   br_if 1
                   local.get 1
                   local.get 0
                   i32.add
                   local.set 1
                   local.get 0
                   i32.const 1
                   i32.sub
                   local.set 0
                   br 0
                 end
               end
               local.get 1)
             (data (i32.const 16) "some bytes of data to make the module longer"))"#,
    )
    .expect("test module parses")
}

/// A test directory with `input` written to `name`; returns (dir, input, output paths).
fn setup(name: &str, input: &[u8]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input_path = dir.path().join(name);
    fs::write(&input_path, input).expect("write input");
    let output_path = dir.path().join("out.wasm");
    (dir, input_path, output_path)
}

fn path_str(p: &Path) -> String {
    p.display().to_string()
}

// ---------------------------------------------------------------------------
// Bad input, one test per class.
// ---------------------------------------------------------------------------

#[test]
fn missing_input_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("does-not-exist.wasm");
    let output = dir.path().join("out.wasm");
    let out = loom([input.as_os_str(), "-o".as_ref(), output.as_os_str()]);
    assert_one_line_error(&out, &[&path_str(&input)]);
    assert_no_output(&output);
}

#[test]
fn unreadable_input_directory() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a-directory.wasm");
    fs::create_dir(&input).unwrap();
    let output = dir.path().join("out.wasm");
    let out = loom([input.as_os_str(), "-o".as_ref(), output.as_os_str()]);
    assert_one_line_error(&out, &[&path_str(&input)]);
    assert_no_output(&output);
}

#[test]
fn empty_input_file() {
    let (_dir, input, output) = setup("empty.wasm", b"");
    let out = loom([input.as_os_str(), "-o".as_ref(), output.as_os_str()]);
    assert_one_line_error(&out, &[&path_str(&input)]);
    assert_no_output(&output);
}

#[test]
fn truncated_binary() {
    let module = small_module();
    let (_dir, input, output) = setup("truncated.wasm", &module[..module.len() / 2]);
    let out = loom([
        "-O2".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
    ]);
    assert_one_line_error(&out, &[&path_str(&input), "offset"]);
    assert_no_output(&output);
}

#[test]
fn malformed_binary_garbage_after_header() {
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.extend_from_slice(&[
        0xff, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x42, 0x99, 0x17,
    ]);
    let (_dir, input, output) = setup("garbage.wasm", &bytes);
    let out = loom([input.as_os_str(), "-o".as_ref(), output.as_os_str()]);
    assert_one_line_error(&out, &[&path_str(&input), "offset"]);
    assert_no_output(&output);
}

#[test]
fn invalid_module() {
    let bytes = wat::parse_str("(module (func (result i32) (i64.const 0)))").unwrap();
    assert!(validate(&bytes).is_err(), "the test module must be invalid");
    let (_dir, input, output) = setup("invalid.wasm", &bytes);
    let out = loom([
        "-O2".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
    ]);
    assert_one_line_error(&out, &[&path_str(&input), "offset"]);
    assert_no_output(&output);
}

#[test]
fn bad_wat_text() {
    let text = "(module\n  (func (result i32)\n    i32.const\n  )\n)\n";
    let (_dir, input, output) = setup("bad.wat", text.as_bytes());
    let out = loom([input.as_os_str(), "-o".as_ref(), output.as_os_str()]);
    let line = assert_one_line_error(&out, &[&path_str(&input), "line"]);
    // The error is on line 3 or 4 (the missing immediate); either way a line number is given.
    assert!(
        line.contains("line 3") || line.contains("line 4"),
        "should name the failing line: {line}"
    );
    assert_no_output(&output);
}

#[test]
fn unknown_flag() {
    let (_dir, input, output) = setup("in.wasm", &small_module());
    let out = loom([
        "--frobnicate".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
    ]);
    let err = stderr(&out);
    assert!(
        !out.status.success(),
        "an unknown flag must fail; stderr:\n{err}"
    );
    assert!(
        err.contains("--frobnicate"),
        "message should name the flag:\n{err}"
    );
    assert_no_output(&output);
}

#[test]
fn unknown_pass_name() {
    let listed = loom(["--list-passes"]);
    assert!(listed.status.success());
    let valid: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();

    let (_dir, input, output) = setup("in.wasm", &small_module());
    let out = loom([
        "--pass".as_ref(),
        "no-such-pass".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
    ]);
    let line = assert_one_line_error(&out, &["no-such-pass", "valid passes"]);
    for name in &valid {
        assert!(
            line.contains(name.as_str()),
            "message should list pass `{name}`: {line}"
        );
    }
    assert_no_output(&output);
}

#[test]
fn bad_optimization_level() {
    let (_dir, input, output) = setup("in.wasm", &small_module());
    let out = loom([
        "-O9".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
    ]);
    assert_one_line_error(&out, &["-O9"]);
    assert_no_output(&output);
}

// ---------------------------------------------------------------------------
// Output handling.
// ---------------------------------------------------------------------------

#[test]
fn output_in_place() {
    let (dir, input, _output) = setup("in.wasm", &small_module());
    let out = loom([
        "-O2".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        input.as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "loom -o INPUT failed:\n{}",
        stderr(&out)
    );
    assert_valid_file(&input);
    assert!(
        stray_temp_files(dir.path()).is_empty(),
        "stray temporary files left"
    );
}

#[cfg(unix)]
#[test]
fn output_gets_the_permissions_of_a_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, input, output) = setup("in.wasm", &small_module());
    let out = loom([
        "-O2".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
    ]);
    assert!(out.status.success(), "loom failed:\n{}", stderr(&out));
    // Whatever the umask, the output must be like any file created here,
    // not the 0600 of the temporary file it was written through.
    let reference = dir.path().join("reference");
    std::fs::File::create(&reference).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&output), mode(&reference));
}

/// `-o /dev/stdout` (or any device or pipe) is written to, not renamed over:
/// a rename would replace the device node with a regular file.
#[cfg(unix)]
#[test]
fn output_to_a_device_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let (_dir, input, _) = setup("in.wasm", &small_module());
    let out = loom([
        "-O2".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        "/dev/stdout".as_ref(),
    ]);
    assert!(out.status.success(), "loom failed:\n{}", stderr(&out));
    validate(&out.stdout).expect("the module arrives on standard output");
    let out = loom([
        "-O2".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        "/dev/null".as_ref(),
    ]);
    assert!(out.status.success(), "loom failed:\n{}", stderr(&out));
    let null = fs::metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device(), "/dev/null was replaced");
}

/// Through a symbolic link, the file it points to gets the output and the
/// link stays a link.
#[cfg(unix)]
#[test]
fn output_through_a_link_replaces_its_target() {
    let (dir, input, output) = setup("in.wasm", &small_module());
    fs::write(&output, b"old").unwrap();
    let link = dir.path().join("link.wasm");
    std::os::unix::fs::symlink(&output, &link).unwrap();
    let out = loom([
        "-O2".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        link.as_os_str(),
    ]);
    assert!(out.status.success(), "loom failed:\n{}", stderr(&out));
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_valid_file(&output);
}

#[test]
fn failed_run_leaves_existing_output_unchanged() {
    let bytes = wat::parse_str("(module (func (result i32) (i64.const 0)))").unwrap();
    let (_dir, input, output) = setup("invalid.wasm", &bytes);
    let precious = b"precious contents that must survive a failed run".to_vec();
    fs::write(&output, &precious).unwrap();
    let out = loom([input.as_os_str(), "-o".as_ref(), output.as_os_str()]);
    assert_one_line_error(&out, &[&path_str(&input)]);
    assert_eq!(
        fs::read(&output).unwrap(),
        precious,
        "the existing output was modified"
    );
    assert!(
        stray_temp_files(output.parent().unwrap()).is_empty(),
        "stray temporary files left"
    );
}

#[test]
fn emit_text_parses_back() {
    let (dir, input, _) = setup("in.wasm", &small_module());
    let output = dir.path().join("out.wat");
    for flag in ["-S", "--emit-text", "--wat"] {
        let out = loom([
            flag.as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
        ]);
        assert!(
            out.status.success(),
            "loom {flag} failed:\n{}",
            stderr(&out)
        );
        let text = fs::read_to_string(&output).expect("text output is UTF-8");
        assert!(!text.starts_with("\0asm"), "{flag} wrote binary");
        let bytes = wat::parse_str(&text)
            .unwrap_or_else(|e| panic!("{flag} output does not parse: {e}\n{text}"));
        validate(&bytes).unwrap_or_else(|e| panic!("{flag} output does not validate: {e}"));
    }
}

#[test]
fn list_passes() {
    let out = loom(["--list-passes"]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
}

// ---------------------------------------------------------------------------
// Deep nesting: the process must succeed, not overflow its stack.
// ---------------------------------------------------------------------------

const DEPTH: usize = 100_000;

fn leb128(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn section(id: u8, contents: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb128(contents.len(), out);
    out.extend_from_slice(contents);
}

/// One exported function `() -> ()` whose body is `depth` nested empty blocks.
fn deeply_nested_binary(depth: usize) -> Vec<u8> {
    let mut module = b"\0asm\x01\0\0\0".to_vec();
    section(1, &[1, 0x60, 0, 0], &mut module); // type 0: [] -> []
    section(3, &[1, 0], &mut module); // func 0: type 0
    section(7, &[1, 1, b'f', 0, 0], &mut module); // export "f" func 0
    let mut body = vec![0]; // no locals
    for _ in 0..depth {
        body.extend_from_slice(&[0x02, 0x40]); // block (empty type)
    }
    body.resize(body.len() + depth + 1, 0x0b); // the blocks' ends and the body's
    let mut code = vec![1];
    leb128(body.len(), &mut code);
    code.extend_from_slice(&body);
    section(10, &code, &mut module);
    module
}

fn run_deep(name: &str, input_bytes: &[u8]) {
    let (_dir, input, output) = setup(name, input_bytes);
    for level in ["-O0", "-O2"] {
        let out = loom([
            level.as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
        ]);
        assert!(
            out.status.success(),
            "loom {level} on {DEPTH} nested blocks failed ({:?}):\n{}",
            out.status,
            stderr(&out)
        );
        assert_valid_file(&output);
        fs::remove_file(&output).unwrap();
    }
}

#[test]
fn deep_nesting_binary() {
    let bytes = deeply_nested_binary(DEPTH);
    validate(&bytes).expect("the generated module is valid");
    run_deep("deep.wasm", &bytes);
}

#[test]
fn deep_nesting_wat_flat() {
    let mut text = String::from("(module (func (export \"f\")\n");
    text.push_str(&"block\n".repeat(DEPTH));
    text.push_str(&"end\n".repeat(DEPTH));
    text.push_str("))\n");
    run_deep("deep.wat", text.as_bytes());
}

#[test]
fn deep_nesting_wat_folded() {
    let mut text = String::from("(module (func (export \"f\")\n");
    text.push_str(&"(block ".repeat(DEPTH));
    text.push_str(&")".repeat(DEPTH));
    text.push_str("))\n");
    run_deep("deep-folded.wat", text.as_bytes());
}

// ---------------------------------------------------------------------------
// Idempotence: `-O0` of `-O0`'s output reproduces it byte for byte.
// ---------------------------------------------------------------------------

fn assert_o0_idempotent(wat: &str) {
    let bytes = wat::parse_str(wat).expect("test module parses");
    validate(&bytes).expect("test module is valid");
    let (dir, input, first) = setup("in.wasm", &bytes);
    let second = dir.path().join("second.wasm");
    let out = loom([
        "-O0".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        first.as_os_str(),
    ]);
    assert!(out.status.success(), "first -O0 failed:\n{}", stderr(&out));
    assert_valid_file(&first);
    let out = loom([
        "-O0".as_ref(),
        first.as_os_str(),
        "-o".as_ref(),
        second.as_os_str(),
    ]);
    assert!(out.status.success(), "second -O0 failed:\n{}", stderr(&out));
    let (a, b) = (fs::read(&first).unwrap(), fs::read(&second).unwrap());
    if a != b {
        let print = |bytes: &[u8]| {
            wasmprinter::print_bytes(bytes).unwrap_or_else(|e| format!("<unprintable: {e}>"))
        };
        panic!(
            "-O0 is not idempotent ({} bytes, then {} bytes)\n--- first -O0:\n{}\n--- -O0 of that:\n{}",
            a.len(),
            b.len(),
            print(&a),
            print(&b)
        );
    }
}

#[test]
fn o0_idempotent_control_flow() {
    assert_o0_idempotent(
        r#"(module
             (type $binop (func (param i32 i32) (result i32)))
             (tag $e (param i32))
             (table 2 funcref)
             (elem (i32.const 0) $add $sub)
             (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
             (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
             (func $throw (param i32) (throw $e (local.get 0)))
             (func (export "run") (param $n i32) (result i32) (local $acc i32)
               ;; loop with a counter
               (loop $top
                 (local.set $acc (i32.add (local.get $acc) (local.get $n)))
                 (br_if $top (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
               ;; if/else with a result
               (local.set $acc
                 (if (result i32) (i32.gt_s (local.get $acc) (i32.const 100))
                   (then (i32.const 100))
                   (else (local.get $acc))))
               ;; br_table
               (block $b2 (block $b1 (block $b0
                 (br_table $b0 $b1 $b2 (i32.and (local.get $acc) (i32.const 3))))
                 (local.set $acc (i32.const 10)))
                 (local.set $acc (i32.const 20)))
               ;; a multi-value block, both values used
               (block (result i32 i32) (local.get $acc) (i32.const 5))
               (i32.add)
               (local.set $acc)
               ;; try_table catching the tag's payload
               (block $caught (result i32)
                 (try_table (catch $e $caught) (call $throw (local.get $acc)))
                 (i32.const -1))
               (local.set $acc)
               ;; call_indirect
               (call_indirect (type $binop) (local.get $acc) (i32.const 3) (i32.and (local.get $acc) (i32.const 1)))))"#,
    );
}

/// Regression: a multi-value result only partly used (here one value dropped) is
/// spread into scratch locals, and a second `-O0` did not recognize its own
/// spill, adding another local and `local.set`/`local.get` pair on every run.
#[test]
fn o0_idempotent_partly_used_multi_value() {
    assert_o0_idempotent(
        r#"(module
             (func $two (result i32 i32) i32.const 1 i32.const 2)
             (func (export "first") (result i32) call $two drop))"#,
    );
}

// ---------------------------------------------------------------------------
// Debug information and custom sections.
// ---------------------------------------------------------------------------

/// Custom section names of a binary, in order.
fn custom_sections(bytes: &[u8]) -> Vec<String> {
    wasmparser::Parser::new(0)
        .parse_all(bytes)
        .filter_map(|p| match p.expect("output parses") {
            wasmparser::Payload::CustomSection(c) => Some(c.name().to_string()),
            _ => None,
        })
        .collect()
}

/// A module with a name section, a producers section and a `.debug_info`
/// section; the second function is called twice, so `reorder-functions`
/// moves it first (a code change).
fn module_with_debug_info() -> Vec<u8> {
    let mut bytes = wat::parse_str(
        r#"(module
             (func $rare (export "rare") (result i32) (call $hot) (call $hot) (i32.add))
             (func $hot (result i32) (i32.const 1)))"#,
    )
    .expect("test module parses");
    for (name, data) in [
        (".debug_info", &b"\x01\x02\x03"[..]),
        ("producers", &b"\x00"[..]),
    ] {
        let mut contents = Vec::new();
        leb128(name.len(), &mut contents);
        contents.extend_from_slice(name.as_bytes());
        contents.extend_from_slice(data);
        section(0, &contents, &mut bytes);
    }
    bytes
}

#[test]
fn dwarf_kept_when_code_unchanged() {
    let (_dir, input, output) = setup("dwarf.wasm", &module_with_debug_info());
    let out = loom([
        path_str(&input),
        "-O0".into(),
        "-o".into(),
        path_str(&output),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sections = custom_sections(&fs::read(&output).unwrap());
    assert_eq!(sections, ["name", ".debug_info", "producers"]);
}

#[test]
fn dwarf_dropped_when_code_changes_unless_g() {
    let (_dir, input, output) = setup("dwarf.wasm", &module_with_debug_info());
    let args = |extra: &[&str]| {
        let mut a = vec![
            path_str(&input),
            "--pass".into(),
            "reorder-functions".into(),
            "--stats".into(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a.extend(["-o".to_string(), path_str(&output)]);
        a
    };
    let out = loom(args(&[]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        custom_sections(&fs::read(&output).unwrap()),
        ["name", "producers"]
    );
    assert!(
        stderr(&out).contains("dwarf: 1 sections dropped"),
        "{}",
        stderr(&out)
    );

    let out = loom(args(&["-g"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        custom_sections(&fs::read(&output).unwrap()),
        ["name", ".debug_info", "producers"]
    );
    assert!(stderr(&out).contains("possibly stale"), "{}", stderr(&out));
}

#[test]
fn strip_flags_remove_their_sections() {
    let (_dir, input, output) = setup("strip.wasm", &module_with_debug_info());
    for (flag, expected) in [
        ("--strip-debug", &["producers"][..]),
        ("--strip-dwarf", &["name", "producers"][..]),
        ("--strip-producers", &["name", ".debug_info"][..]),
    ] {
        let out = loom([
            path_str(&input),
            flag.into(),
            "-o".into(),
            path_str(&output),
        ]);
        assert!(out.status.success(), "{flag}: {}", stderr(&out));
        assert_eq!(
            custom_sections(&fs::read(&output).unwrap()),
            expected,
            "{flag}"
        );
    }
}

#[test]
fn disabled_feature_rejects_module_that_uses_it() {
    let wasm =
        wat::parse_str(r#"(module (func (param i32) (result i32) (i32.extend8_s (local.get 0))))"#)
            .unwrap();
    let (_dir, input, output) = setup("signext.wasm", &wasm);
    let out = loom([
        path_str(&input),
        "--disable-sign-ext".into(),
        "-o".into(),
        path_str(&output),
    ]);
    assert_one_line_error(&out, &["signext.wasm", "sign extension"]);
    assert_no_output(&output);
    let out = loom([
        path_str(&input),
        "--mvp-features".into(),
        "--enable-sign-ext".into(),
        "-o".into(),
        path_str(&output),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn unknown_feature_flag_is_named() {
    let (_dir, input, output) = setup("m.wasm", &small_module());
    let out = loom([
        path_str(&input),
        "--enable-teleportation".into(),
        "-o".into(),
        path_str(&output),
    ]);
    assert_one_line_error(&out, &["--enable-teleportation"]);
}

#[test]
fn component_optimized_with_stats_per_core_module() {
    let component = r#"(component
      (core module $m
        (func (export "f") (result i32) (i32.const 1))
        (func (export "unused") (result i32) (i32.const 2)))
      (core instance $i (instantiate $m))
      (func (export "f") (result u32) (canon lift (core func $i "f"))))"#;
    let (_dir, input, output) = setup("component.wat", component.as_bytes());
    let out = loom([
        path_str(&input),
        "-Os".into(),
        "--stats".into(),
        "-o".into(),
        path_str(&output),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = fs::read(&output).unwrap();
    assert!(wasmparser::Parser::is_component(&bytes));
    Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&bytes)
        .expect("the output component validates");
    let report = stderr(&out);
    let line = report
        .lines()
        .find(|l| l.starts_with("0 "))
        .unwrap_or_else(|| panic!("no line for core module 0:\n{report}"));
    assert!(line.ends_with("1 of 2"), "{line}");
}
