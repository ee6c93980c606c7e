//! The differential fuzzer in `cargo test`: a bounded, seeded slice of
//! `loom-check fuzz` (every level and every single pass), plus checks that
//! the generator is reproducible and that the executor does see a
//! miscompile when there is one.

use loom_check::diff::{self, Budget, Comparison, RunOptions, Runner, Variant};

/// The slice's seed and size: a few hundred modules, about a minute on two
/// cores in the test profile. `loom-check fuzz` runs the same code at size.
const SEED: u64 = 20_260_401;
const MODULES: u64 = 600;

#[test]
fn seeded_slice_has_no_mismatches() {
    let options = RunOptions {
        seed: SEED,
        budget: Budget::Count {
            first: 0,
            count: MODULES,
        },
        variants: Variant::all(),
        jobs: 2,
        failure_dir: Some(
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("loom-fuzz-failures"),
        ),
        progress: None,
    };
    let summary = diff::run(&options).unwrap();
    println!("{}", summary.report());
    assert!(
        summary.failures.is_empty(),
        "{} of {} checks failed (saved under {}):\n{}",
        summary.failed(),
        summary.passed() + summary.failed(),
        options.failure_dir.as_ref().unwrap().display(),
        summary.report()
    );
    // The slice must mostly build modules and mostly run them, or it
    // proves nothing.
    assert!(summary.modules >= MODULES * 9 / 10, "{}", summary.report());
    let (_, o2) = summary
        .counts
        .iter()
        .find(|(name, _)| name == "O2")
        .unwrap();
    assert!(o2.unexecuted * 2 < o2.passed, "{}", summary.report());
}

#[test]
fn modules_are_reproducible_and_valid() {
    for index in 0..20 {
        let a = diff::generate(7, index).unwrap();
        let b = diff::generate(7, index).unwrap();
        assert_eq!(
            a, b,
            "module {index} of seed 7 differs between two generations"
        );
        wasmparser::Validator::new_with_features(loom_core::features::accepted())
            .validate_all(&a)
            .unwrap_or_else(|e| panic!("module {index} of seed 7 is invalid: {e}"));
    }
    assert_ne!(diff::generate(7, 0).unwrap(), diff::generate(8, 0).unwrap());
}

/// Observes `text` with every argument vector.
fn observe(engine: &wasmtime::Engine, text: &str) -> Vec<diff::Observation> {
    let wasm = loom_core::parse_input(text.as_bytes())
        .unwrap()
        .into_owned();
    let runner = Runner::new(engine, &wasm).unwrap();
    (0..diff::VECTORS)
        .map(|v| runner.observe(v, 1_000_000))
        .collect()
}

fn differs(engine: &wasmtime::Engine, a: &str, b: &str) -> Option<String> {
    let (a, b) = (observe(engine, a), observe(engine, b));
    a.iter()
        .zip(&b)
        .find_map(|(x, y)| match diff::compare(x, y) {
            Comparison::Differ(detail) => Some(detail),
            Comparison::Same { .. } => None,
        })
}

#[test]
fn executor_sees_miscompiles() {
    diff::with_stack(|| {
        let engine = diff::engine().unwrap();
        let add = r#"(module
            (memory (export "m") 1)
            (global (export "g") (mut i32) (i32.const 0))
            (func (export "f") (param i32 i32) (result i32)
                (global.set 0 (local.get 0))
                (i32.store (i32.const 8) (local.get 1))
                (i32.add (local.get 0) (local.get 1))))"#;
        assert_eq!(differs(&engine, add, add), None);
        // A wrong result, a wrong global, a wrong store, a new trap.
        let sub = add.replace("i32.add", "i32.sub");
        assert!(differs(&engine, add, &sub).unwrap().contains("call #0 `f`"));
        let global = add.replace(
            "(global.set 0 (local.get 0))",
            "(global.set 0 (local.get 1))",
        );
        assert!(differs(&engine, add, &global)
            .unwrap()
            .contains("export `g`"));
        let store = add.replace("(i32.const 8)", "(i32.const 12)");
        assert!(differs(&engine, add, &store)
            .unwrap()
            .contains("memory `m`"));
        let trap = add.replace("(i32.add", "(i32.div_u");
        assert!(differs(&engine, add, &trap).unwrap().contains("Trapped"));

        // Function references compare by export name, in tables and results.
        let funcs = r#"(module
            (table (export "t") 2 funcref)
            (func $a (export "a") (result i32) (i32.const 1))
            (func $b (export "b") (result i32) (i32.const 2))
            (func (export "r") (result funcref) (ref.func $a))
            (elem (i32.const 0) func $a $b)
            (elem declare func $a))"#;
        assert_eq!(differs(&engine, funcs, funcs), None);
        let swapped = funcs.replace("func $a $b", "func $b $a");
        assert!(differs(&engine, funcs, &swapped)
            .unwrap()
            .contains("export `t`"));
        let other = funcs.replace("(ref.func $a)", "(ref.func $b)");
        assert!(differs(&engine, funcs, &other)
            .unwrap()
            .contains("call #2 `r`"));

        // Calls to imported functions compare by import, arguments and
        // order; their results (the call count) flow into the module.
        let host = r#"(module
            (import "env" "log" (func $log (param i32)))
            (import "env" "next" (func $next (result i32)))
            (func (export "f") (param i32) (result i32)
                (call $log (local.get 0))
                (call $log (i32.const 9))
                (call $next)))"#;
        assert_eq!(differs(&engine, host, host), None);
        let args = host.replace("(i32.const 9)", "(i32.const 8)");
        assert!(differs(&engine, host, &args)
            .unwrap()
            .contains("host call #1"));
        let order = host.replace(
            "(call $log (local.get 0))\n                (call $log (i32.const 9))",
            "(call $log (i32.const 9))\n                (call $log (local.get 0))",
        );
        assert!(differs(&engine, host, &order)
            .unwrap()
            .contains("host call #0"));
        let result = host.replace("(call $next)))", "(i32.const 2)))");
        assert!(differs(&engine, host, &result)
            .unwrap()
            .contains("host call #2"));

        // Uncaught exceptions compare by tag (export name) and payload.
        let throw = r#"(module
            (tag $a (export "a") (param i32))
            (tag $b (export "b") (param i32))
            (func (export "f") (throw $a (i32.const 5))))"#;
        assert_eq!(differs(&engine, throw, throw), None);
        let tag = throw.replace("(throw $a", "(throw $b");
        assert!(differs(&engine, throw, &tag).unwrap().contains("Threw"));
        let payload = throw.replace("(i32.const 5)", "(i32.const 6)");
        assert!(differs(&engine, throw, &payload).unwrap().contains("Threw"));

        // NaN payloads of scalar results are not compared; memory is bitwise.
        let nan = r#"(module (func (export "f") (result f32) (f32.const nan:0x200000)))"#;
        assert_eq!(
            differs(&engine, nan, &nan.replace("nan:0x200000", "nan")),
            None
        );

        // Running out of fuel in the original makes the rest inconclusive.
        let spin = r#"(module (func (export "f") (loop (br 0))))"#;
        assert_eq!(
            differs(&engine, spin, r#"(module (func (export "f")))"#),
            None
        );
    });
}
