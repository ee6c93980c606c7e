//! The differential fuzzer in `cargo test`: a bounded, seeded slice of
//! `loom-check fuzz` (every level and every single pass), smaller slices of
//! the `gc` and `closed` profiles at every level, plus checks that the
//! generator is reproducible, that each profile generates what it promises,
//! and that the executor does see a miscompile when there is one.

use loom_check::diff::{self, Budget, Comparison, Profile, RunOptions, Runner, Variant};

/// The slice's seed and size: a few hundred modules, about a minute on two
/// cores in the test profile. `loom-check fuzz` runs the same code at size.
const SEED: u64 = 20_260_401;
const MODULES: u64 = 600;
/// The `gc` and `closed` slices: every level only, a few seconds each.
const PROFILE_MODULES: u64 = 150;

#[test]
fn seeded_slice_has_no_mismatches() {
    check_slice(Profile::Swarm, Variant::all(), MODULES, 9);
}

#[test]
fn modules_are_reproducible_and_valid() {
    for profile in Profile::ALL {
        for index in 0..20 {
            let a = diff::generate(7, index, profile).unwrap();
            let b = diff::generate(7, index, profile).unwrap();
            assert_eq!(
                a, b,
                "{profile:?} module {index} of seed 7 differs between two generations"
            );
            wasmparser::Validator::new_with_features(loom_core::features::accepted())
                .validate_all(&a)
                .unwrap_or_else(|e| panic!("{profile:?} module {index} of seed 7 is invalid: {e}"));
        }
        assert_ne!(
            diff::generate(7, 0, profile).unwrap(),
            diff::generate(8, 0, profile).unwrap()
        );
    }
    // One (seed, index) gives each profile its own module.
    let swarm = diff::generate(7, 0, Profile::Swarm).unwrap();
    assert_ne!(swarm, diff::generate(7, 0, Profile::Gc).unwrap());
    assert_ne!(swarm, diff::generate(7, 0, Profile::Closed).unwrap());
}

/// Modules of seed 7 in `profile`, skipping indices `wasm-smith` cannot build.
fn sample(profile: Profile, count: u64) -> Vec<Vec<u8>> {
    (0..count)
        .filter_map(|index| diff::generate(7, index, profile).ok())
        .collect()
}

#[test]
fn gc_profile_modules_need_gc() {
    // Without the GC proposal most `gc` modules no longer validate (they
    // declare struct or array types, subtypes or typed references), where
    // most swarm modules do.
    let without_gc = wasmparser::WasmFeatures::all()
        - wasmparser::WasmFeatures::GC
        - wasmparser::WasmFeatures::FUNCTION_REFERENCES;
    let need_gc = |modules: &[Vec<u8>]| {
        modules
            .iter()
            .filter(|wasm| {
                wasmparser::Validator::new_with_features(without_gc)
                    .validate_all(wasm)
                    .is_err()
            })
            .count()
    };
    let gc = sample(Profile::Gc, 40);
    let swarm = sample(Profile::Swarm, 40);
    assert!(
        need_gc(&gc) * 10 >= gc.len() * 9,
        "{} of {} gc modules need GC",
        need_gc(&gc),
        gc.len()
    );
    assert!(need_gc(&swarm) < need_gc(&gc));
}

#[test]
fn closed_profile_modules_export_few_functions_and_one_to_call() {
    let modules = sample(Profile::Closed, 40);
    assert!(modules.len() >= 36);
    let (mut defined_total, mut exported_total, mut with_entry) = (0, 0, 0);
    for (i, wasm) in modules.iter().enumerate() {
        let (mut defined, mut exported, mut callable) = (0, 0, false);
        let types = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(wasm)
            .unwrap();
        let types = types.as_ref();
        for payload in wasmparser::Parser::new(0).parse_all(wasm) {
            match payload.unwrap() {
                wasmparser::Payload::FunctionSection(reader) => defined += reader.count(),
                wasmparser::Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.unwrap();
                        if export.kind != wasmparser::ExternalKind::Func {
                            continue;
                        }
                        exported += 1;
                        let ty = &types[types.core_function_at(export.index)];
                        callable |= ty.unwrap_func().params().iter().all(|p| p.is_defaultable());
                    }
                }
                _ => {}
            }
        }
        assert!(
            exported <= 5,
            "closed module {i} exports {exported} functions"
        );
        with_entry += usize::from(callable);
        defined_total += defined;
        exported_total += exported;
    }
    // Only a module whose every function needs a non-nullable reference
    // argument has nothing the harness can call.
    assert!(
        with_entry * 10 >= modules.len() * 9,
        "{with_entry} of {} closed modules export a function to call",
        modules.len()
    );
    // Most functions are left for the module passes to remove, inline or
    // merge.
    assert!(
        exported_total * 3 < defined_total,
        "{exported_total} of {defined_total} functions exported"
    );
}

/// A seeded slice of `profile` with `variants`: no failure, at least
/// `tenths` tenths of the modules built, and most run at -O2 (a slice that
/// mostly builds nothing or runs nothing proves nothing).
fn check_slice(profile: Profile, variants: Vec<Variant>, count: u64, tenths: u64) {
    let options = RunOptions {
        seed: SEED,
        profile,
        budget: Budget::Count { first: 0, count },
        variants,
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
    assert!(
        summary.modules >= count * tenths / 10,
        "{}",
        summary.report()
    );
    let (_, o2) = summary
        .counts
        .iter()
        .find(|(name, _)| name == "O2")
        .unwrap();
    assert!(o2.unexecuted * 2 < o2.passed, "{}", summary.report());
}

#[test]
fn gc_profile_slice_has_no_mismatches() {
    check_slice(Profile::Gc, Variant::levels(), PROFILE_MODULES, 8);
}

#[test]
fn closed_profile_slice_has_no_mismatches() {
    check_slice(Profile::Closed, Variant::levels(), PROFILE_MODULES, 8);
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
