//! Components through LOOM: built from core modules and WIT with
//! wit-component (or written as text where wit-component has no say, as for
//! nested components), or real ones built by a toolchain and checked in under
//! `tests/components/` (C with the WASI adapter, and a composition of two;
//! `build.sh` there rebuilds them), optimized with `-Os`, validated, and run
//! through wasmtime's component API before and after with the same results.
//! Each test also checks which core-module exports the component could not
//! observe and LOOM therefore removed.

use loom_core::{OptLevel, Options};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

/// Embeds the WIT world `world` of `wit` into the core module `wat`.
fn core_module(wit: &str, world: &str, wat: &str) -> Vec<u8> {
    let mut resolve = Resolve::default();
    let package = resolve.push_str("test.wit", wit).expect("WIT parses");
    let world = resolve
        .select_world(&[package], Some(world))
        .expect("world exists");
    let mut module = wat::parse_str(wat).expect("WAT parses");
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        StringEncoding::UTF8,
        false,
    )
    .expect("metadata embeds");
    module
}

fn optimize(component: &[u8]) -> Vec<u8> {
    let output = loom_core::optimize(component, &Options::new(OptLevel::Os)).expect("optimizes");
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&output.bytes)
        .expect("the optimized component validates");
    assert_eq!(
        output.stats.modules.len(),
        core_exports(component).len(),
        "--stats has a line per core module"
    );
    output.bytes
}

/// Each core module's export names, in the order of the bytes.
fn core_exports(component: &[u8]) -> Vec<Vec<String>> {
    let mut modules = Vec::new();
    let mut in_module = false;
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        match payload.expect("parses") {
            wasmparser::Payload::ModuleSection { .. } => {
                in_module = true;
                modules.push(Vec::new());
            }
            wasmparser::Payload::ExportSection(reader) if in_module => {
                let module: &mut Vec<String> = modules.last_mut().unwrap();
                module.extend(reader.into_iter().map(|e| e.unwrap().name.to_string()));
            }
            wasmparser::Payload::End(_) => in_module = false,
            _ => {}
        }
    }
    modules
}

/// Instantiates `component` (with `link` adding host functions) and calls
/// `call` on it.
fn run<T: PartialEq + std::fmt::Debug>(
    component: &[u8],
    link: impl Fn(&mut Linker<()>, &Component),
    call: impl Fn(&mut Store<()>, &wasmtime::component::Instance) -> T,
) -> T {
    let engine = Engine::default();
    let component = Component::new(&engine, component).expect("wasmtime compiles it");
    let mut linker = Linker::new(&engine);
    link(&mut linker, &component);
    let mut store = Store::new(&engine, ());
    let instance = linker
        .instantiate(&mut store, &component)
        .expect("instantiates");
    call(&mut store, &instance)
}

fn no_imports(_: &mut Linker<()>, _: &Component) {}

/// For components whose WASI imports the calls made never reach: each one
/// traps if called.
fn wasi_traps(linker: &mut Linker<()>, component: &Component) {
    linker
        .define_unknown_imports_as_traps(component)
        .expect("imports defined");
}

/// A component checked in under `tests/components/`.
fn checked_in(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/components")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn one_module_with_exported_functions() {
    let wit = r#"
        package test:one;
        world one {
            export add: func(a: u32, b: u32) -> u32;
            export greet: func(name: string) -> string;
        }
    "#;
    let wat = r#"
        (module
          (memory (export "memory") 1)
          (global $heap (mut i32) (i32.const 1024))
          ;; Not used by the component: removed.
          (global (export "__heap_base") i32 (i32.const 1024))
          (func (export "unused_helper") (result i32) (call $internal))
          (func $internal (result i32) (i32.const 99))
          (func (export "add") (param i32 i32) (result i32)
            (i32.add (local.get 0) (local.get 1)))
          ;; A bump allocator.
          (func $realloc (export "cabi_realloc")
                (param i32 i32) (param $align i32) (param $size i32) (result i32)
            (local $p i32)
            (local.set $p
              (i32.and
                (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                (i32.sub (i32.const 0) (local.get $align))))
            (global.set $heap (i32.add (local.get $p) (local.get $size)))
            (local.get $p))
          ;; "hello, " ++ name, returned through the area at 16.
          (func (export "greet") (param $ptr i32) (param $len i32) (result i32)
            (local $out i32)
            (local.set $out
              (call $realloc (i32.const 0) (i32.const 0) (i32.const 1)
                (i32.add (local.get $len) (i32.const 7))))
            (memory.copy (local.get $out) (i32.const 0) (i32.const 7))
            (memory.copy (i32.add (local.get $out) (i32.const 7))
              (local.get $ptr) (local.get $len))
            (i32.store (i32.const 16) (local.get $out))
            (i32.store (i32.const 20) (i32.add (local.get $len) (i32.const 7)))
            (i32.const 16))
          (func (export "cabi_post_greet") (param i32))
          (data (i32.const 0) "hello, "))
    "#;
    let module = core_module(wit, "one", wat);
    let component = ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .unwrap()
        .encode()
        .unwrap();
    let optimized = optimize(&component);

    let call = |store: &mut Store<()>, instance: &wasmtime::component::Instance| {
        let add = instance
            .get_typed_func::<(u32, u32), (u32,)>(&mut *store, "add")
            .unwrap();
        let (sum,) = add.call(&mut *store, (40, 2)).unwrap();
        let greet = instance
            .get_typed_func::<(&str,), (String,)>(&mut *store, "greet")
            .unwrap();
        let (greeting,) = greet.call(&mut *store, ("loom",)).unwrap();
        (sum, greeting)
    };
    let before = run(&component, no_imports, call);
    assert_eq!(before, (42, "hello, loom".to_string()));
    assert_eq!(run(&optimized, no_imports, call), before);

    let exports = core_exports(&optimized);
    assert_eq!(exports.len(), 1);
    let mut main = exports[0].clone();
    main.sort();
    assert_eq!(
        main,
        ["add", "cabi_post_greet", "cabi_realloc", "greet", "memory"]
    );
}

/// The main module, a preview1-style adapter (its `random_get` written on
/// an interface the host provides, using the main module's memory), and
/// wit-component's shim and fixup modules: four core modules.
#[test]
fn modules_with_a_preview1_style_adapter() {
    let wit = r#"
        package test:adapt;
        interface my-wasi {
            get-seed: func() -> u32;
        }
        world adapter {
            import my-wasi;
        }
        world module {
            export run: func(x: u32) -> u32;
        }
    "#;
    let main = r#"
        (module
          (import "wasi_snapshot_preview1" "random_get"
            (func $random_get (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "run") (param i32) (result i32)
            (drop (call $random_get (i32.const 100) (i32.const 4)))
            (i32.add (i32.load (i32.const 100)) (local.get 0)))
          ;; Not used by the component: removed.
          (func (export "dead_export") (result i32) (i32.const 5)))
    "#;
    let adapter = r#"
        (module
          (import "test:adapt/my-wasi" "get-seed" (func $seed (result i32)))
          (import "env" "memory" (memory 0))
          (func (export "random_get") (param $buf i32) (param $len i32) (result i32)
            (i32.store (local.get $buf) (call $seed))
            (i32.const 0)))
    "#;
    let component = ComponentEncoder::default()
        .validate(true)
        .module(&core_module(wit, "module", main))
        .unwrap()
        .adapter(
            "wasi_snapshot_preview1",
            &core_module(wit, "adapter", adapter),
        )
        .unwrap()
        .encode()
        .unwrap();
    assert_eq!(
        core_exports(&component).len(),
        4,
        "main, adapter, shim, fixup"
    );
    let optimized = optimize(&component);

    let link = |linker: &mut Linker<()>, _: &Component| {
        linker
            .instance("test:adapt/my-wasi")
            .unwrap()
            .func_wrap("get-seed", |_, (): ()| Ok((1000u32,)))
            .unwrap();
    };
    let call = |store: &mut Store<()>, instance: &wasmtime::component::Instance| {
        let run = instance
            .get_typed_func::<(u32,), (u32,)>(&mut *store, "run")
            .unwrap();
        let (result,) = run.call(&mut *store, (5,)).unwrap();
        result
    };
    let before = run(&component, link, call);
    assert_eq!(before, 1005);
    assert_eq!(run(&optimized, link, call), before);

    let exports = core_exports(&optimized);
    let mut main = exports[0].clone();
    main.sort();
    assert_eq!(main, ["memory", "run"], "dead_export is removed");
    assert_eq!(
        exports[1],
        ["random_get"],
        "the adapter keeps what main imports"
    );
}

/// A nested component instantiating a module of its own and one aliased
/// from the outer component, the latter passed whole as an import bag.
#[test]
fn nested_component() {
    let component = wat::parse_str(
        r#"
        (component
          (core module $shared
            (func (export "answer") (result i32) (i32.const 42))
            ;; Neither instantiation imports it: removed.
            (func (export "unused") (result i32) (i32.const 7)))
          (component $inner
            (alias outer 1 $shared (core module $m))
            (core module $own
              (import "dep" "answer" (func $answer (result i32)))
              (func (export "twice") (result i32)
                (i32.mul (call $answer) (i32.const 2)))
              ;; Never aliased: removed.
              (func (export "never") (result i32) (i32.const 0)))
            (core instance $s (instantiate $m))
            (core instance $o (instantiate $own (with "dep" (instance $s))))
            (func (export "twice") (result u32)
              (canon lift (core func $o "twice"))))
          (instance $i (instantiate $inner))
          (export "twice" (func $i "twice")))
        "#,
    )
    .unwrap();
    let optimized = optimize(&component);

    let call = |store: &mut Store<()>, instance: &wasmtime::component::Instance| {
        let twice = instance
            .get_typed_func::<(), (u32,)>(&mut *store, "twice")
            .unwrap();
        let (result,) = twice.call(&mut *store, ()).unwrap();
        result
    };
    let before = run(&component, no_imports, call);
    assert_eq!(before, 84);
    assert_eq!(run(&optimized, no_imports, call), before);
    assert_eq!(core_exports(&optimized), [["answer"], ["twice"]]);
}

/// clang 14 and wasi-libc (printf, malloc) with the WASI preview1 command
/// adapter of the corpus: the main module, the adapter, wit-component's shim
/// and fixup. The calls made use no WASI import.
#[test]
fn c_program_with_the_wasi_adapter() {
    let component = checked_in("cprog.wasm");
    let optimized = optimize(&component);

    let call = |store: &mut Store<()>, instance: &wasmtime::component::Instance| {
        let process = instance
            .get_typed_func::<(&str,), (String,)>(&mut *store, "process")
            .unwrap();
        let (text,) = process.call(&mut *store, ("loom",)).unwrap();
        process.post_return(&mut *store).unwrap();
        let checksum = instance
            .get_typed_func::<(&[u8],), (u32,)>(&mut *store, "checksum")
            .unwrap();
        let (sum,) = checksum.call(&mut *store, (b"Wikipedia",)).unwrap();
        checksum.post_return(&mut *store).unwrap();
        (text, sum)
    };
    let before = run(&component, wasi_traps, call);
    assert_eq!(before, ("len=4 rev=MOOL".to_string(), 0x11E6_0398));
    assert_eq!(run(&optimized, wasi_traps, call), before);

    let (input, output) = (core_exports(&component), core_exports(&optimized));
    assert_eq!(output.len(), 4, "main, adapter, shim, fixup");
    assert!(input[0].iter().any(|e| e == "unused_helper"));
    let mut main = output[0].clone();
    main.sort();
    assert_eq!(
        main,
        [
            "_start",
            "cabi_post_process",
            "cabi_realloc",
            "checksum",
            "memory",
            "process"
        ],
        "unused_helper is removed"
    );
}

/// Two C components with the adapter, one importing the interface the other
/// exports, composed by `wasm-tools compose`: nested components, each with
/// its own four core modules, wired by the outer component.
#[test]
fn composition_of_two_c_components() {
    let component = checked_in("composed.wasm");
    let optimized = optimize(&component);

    let call = |store: &mut Store<()>, instance: &wasmtime::component::Instance| {
        let run = instance
            .get_typed_func::<(&str,), (String,)>(&mut *store, "run")
            .unwrap();
        let (text,) = run.call(&mut *store, ("loom",)).unwrap();
        run.post_return(&mut *store).unwrap();
        text
    };
    let before = run(&component, wasi_traps, call);
    assert_eq!(before, "LOOM! 72090040");
    assert_eq!(run(&optimized, wasi_traps, call), before);
    let removed: usize = core_exports(&component)
        .iter()
        .zip(core_exports(&optimized))
        .map(|(input, output)| input.len() - output.len())
        .sum();
    assert!(removed > 0, "exports no component observes are removed");
}
