//! Components: every core module a component embeds (nested components
//! included) goes through the same pipeline as a module given on its own
//! ([`crate::optimize_module`]), all modules in parallel; everything else is
//! carried through by wasm-encoder's component reencoder, which this file
//! overrides only where a core module is written.
//!
//! Before optimizing, a module loses the exports its component cannot
//! observe, so module-level dead-code removal can then delete what only
//! those exports kept alive. Inside a component, a core module's exports are
//! reached only by name, through the core instances made from it, and only
//! two constructs name them: `alias core export I "name"` and a core
//! instantiation argument (the instantiated module's imports name what they
//! take from it). So an export `name` of a module `M` stays when, in the
//! component that defines (or outer-aliases) `M`, some instance `I` of `M`
//! is named by:
//!
//! - `alias core export I "name"`, whatever the alias is then used for, or
//!   whether it is used at all: the alias stays in the component (this file
//!   does not renumber core index spaces), and an alias of a missing export
//!   does not validate;
//! - an instantiation of a module `N` that gets `I` as argument `arg` and
//!   imports `arg` `name`. When `N` cannot be seen (imported, or aliased from
//!   a component instance), every export of `M` stays.
//!
//! Everything else reaches a module's items through these: canonical
//! functions (every `canon` built-in, and each option: `memory`, `realloc`,
//! `post-return`, `callback`), resource destructors, thread tables and
//! `(core instance (export ..))` bags refer to core items by index, and the
//! only core items that come from a module are aliases, already counted. So
//! no canonical function, present or added by a later component-model
//! version, can name an export the walk misses, and none is inspected. Core
//! instances cannot be aliased from outer components; core modules can, and
//! the walk follows them into nested components.
//!
//! And every export of `M` stays when `M` itself leaves the reach of this
//! analysis: exported from its component, passed to a component
//! instantiation, or put in a component instance bag. Exports a function
//! body takes with `ref.func` also stay: the export may be what declares the
//! reference. Anything the walk cannot account for (an unknown section, an
//! index it did not see defined) makes it keep every export of every module.
//!
//! Every by-name use goes through an alias or an instantiation import, and
//! component validation checks both, so a wrong removal cannot produce a
//! component that validates; debug builds check the output.

use crate::error::Error;
use crate::stats::{ModuleStats, Stats};
use crate::Options;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;
use wasm_encoder::reencode::{Reencode, ReencodeComponent};
use wasmparser::{
    ComponentAlias, ComponentExternalKind, ComponentOuterAliasKind, ComponentTypeRef, Encoding,
    ExternalKind, Instance, InstantiationArgKind, Operator, Parser, Payload,
};

/// Optimizes every core module of `wasm` (a component) and writes the
/// component around them.
pub fn optimize(wasm: &[u8], options: &Options, stats: &mut Stats) -> Result<Vec<u8>, Error> {
    crate::features::validate(wasm, options.features)?;
    let modules = analyze(wasm)?;
    let optimized = modules
        .par_iter()
        .map(|module| {
            let input = &wasm[module.range.clone()];
            let (stripped, exports, removed) = remove_exports(input, &module.live)?;
            let mut module_stats = Stats::default();
            let bytes = crate::optimize_module(&stripped, options, &mut module_stats)?;
            module_stats.modules.push(ModuleStats {
                input_bytes: input.len(),
                stripped_bytes: stripped.len(),
                output_bytes: bytes.len(),
                exports,
                exports_removed: removed,
            });
            Ok((bytes, module_stats))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let mut splice = Splice {
        modules: optimized.iter().map(|(bytes, _)| bytes.as_slice()),
    };
    for (_, module_stats) in &optimized {
        stats.absorb(module_stats);
    }
    let mut component = wasm_encoder::Component::new();
    splice
        .parse_component(&mut component, Parser::new(0), wasm)
        .map_err(|e| Error::Encode(e.to_string()))?;
    let bytes = component.finish();
    if cfg!(debug_assertions) {
        crate::pass::check_output("component writing", &bytes)?;
    }
    Ok(bytes)
}

/// Which exports of a module the component can observe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Live<'a> {
    All,
    Names(HashSet<&'a str>),
}

/// A core module defined in the component, in the order of the bytes.
#[derive(Debug)]
pub struct EmbeddedModule<'a> {
    /// The module's bytes within the component.
    pub range: Range<usize>,
    /// (module, name) of each import.
    imports: Vec<(&'a str, &'a str)>,
    pub live: Live<'a>,
}

/// Finds the core modules of a (validated) component, nested components
/// included, and which exports of each the component can observe.
pub fn analyze(wasm: &[u8]) -> Result<Vec<EmbeddedModule<'_>>, Error> {
    let mut walk = Walk::default();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| Error::from_parser(e, false))?;
        walk.payload(payload)?;
    }
    if walk.unsure {
        for module in &mut walk.modules {
            module.live = Live::All;
        }
    }
    Ok(walk.modules)
}

/// A core instance: of a module (`None`: one the walk cannot see), or a bag
/// built by `(core instance (export ..))`, whose items are aliases (each
/// already a use) or canonical built-ins.
enum CoreInstance {
    Of(Option<usize>),
    Bag,
}

/// One component's index spaces, as far as core modules' exports matter.
#[derive(Default)]
struct Scope {
    /// Core modules: the index into [`Walk::modules`], `None` for imported
    /// ones and those aliased from a component instance.
    modules: Vec<Option<usize>>,
    instances: Vec<CoreInstance>,
}

#[derive(Default)]
struct Walk<'a> {
    modules: Vec<EmbeddedModule<'a>>,
    /// The components being walked, innermost last.
    scopes: Vec<Scope>,
    /// The module whose payloads are being read, if any.
    in_module: Option<usize>,
    /// Something was not accounted for: keep every export.
    unsure: bool,
}

impl<'a> Walk<'a> {
    fn payload(&mut self, payload: Payload<'a>) -> Result<(), Error> {
        if let Some(module) = self.in_module {
            match payload {
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(|e| Error::from_parser(e, false))?;
                        self.modules[module]
                            .imports
                            .push((import.module, import.name));
                    }
                }
                Payload::End(_) => self.in_module = None,
                _ => {}
            }
            return Ok(());
        }
        let parse = |e| Error::from_parser(e, false);
        match payload {
            Payload::Version {
                encoding: Encoding::Component,
                ..
            } => self.scopes.push(Scope::default()),
            Payload::End(_) => {
                self.scopes.pop();
            }
            Payload::ModuleSection {
                unchecked_range, ..
            } => {
                let id = self.modules.len();
                self.modules.push(EmbeddedModule {
                    range: unchecked_range.start as usize..unchecked_range.end as usize,
                    imports: Vec::new(),
                    live: Live::Names(HashSet::new()),
                });
                self.scope().modules.push(Some(id));
                self.in_module = Some(id);
            }
            Payload::InstanceSection(reader) => {
                for instance in reader {
                    match instance.map_err(parse)? {
                        Instance::Instantiate { module_index, args } => {
                            let module = self.module(module_index);
                            for arg in args.iter() {
                                match arg.kind {
                                    InstantiationArgKind::Instance => {
                                        self.instantiation_arg(module, arg.name, arg.index)
                                    }
                                }
                            }
                            self.scope().instances.push(CoreInstance::Of(module));
                        }
                        Instance::FromExports(_) => self.scope().instances.push(CoreInstance::Bag),
                    }
                }
            }
            Payload::ComponentAliasSection(reader) => {
                for alias in reader {
                    match alias.map_err(parse)? {
                        // The one construct besides instantiation that names
                        // an export; a use whether or not the alias is.
                        ComponentAlias::CoreInstanceExport {
                            instance_index,
                            name,
                            ..
                        } => self.use_export(instance_index, name),
                        ComponentAlias::InstanceExport {
                            kind: ComponentExternalKind::Module,
                            ..
                        } => self.scope().modules.push(None),
                        ComponentAlias::InstanceExport { .. } => {}
                        ComponentAlias::Outer {
                            kind: ComponentOuterAliasKind::CoreModule,
                            count,
                            index,
                        } => {
                            let outer = (self.scopes.len() - 1)
                                .checked_sub(count as usize)
                                .and_then(|s| self.scopes[s].modules.get(index as usize));
                            let module = match outer {
                                Some(module) => *module,
                                None => {
                                    self.unsure = true;
                                    None
                                }
                            };
                            self.scope().modules.push(module);
                        }
                        ComponentAlias::Outer { .. } => {}
                    }
                }
            }
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    if let ComponentTypeRef::Module(_) = import.map_err(parse)?.ty {
                        self.scope().modules.push(None);
                    }
                }
            }
            Payload::ComponentExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(parse)?;
                    if export.kind == ComponentExternalKind::Module {
                        // An export adds the module to the index space again.
                        let module = self.module(export.index);
                        self.escape(module);
                        self.scope().modules.push(module);
                    }
                }
            }
            Payload::ComponentInstanceSection(reader) => {
                for instance in reader {
                    match instance.map_err(parse)? {
                        wasmparser::ComponentInstance::Instantiate { args, .. } => {
                            for arg in args.iter() {
                                if arg.kind == ComponentExternalKind::Module {
                                    let module = self.module(arg.index);
                                    self.escape(module);
                                }
                            }
                        }
                        wasmparser::ComponentInstance::FromExports(exports) => {
                            for export in exports.iter() {
                                if export.kind == ComponentExternalKind::Module {
                                    let module = self.module(export.index);
                                    self.escape(module);
                                }
                            }
                        }
                    }
                }
            }
            // Core items by index only (see the file's comment); what they
            // define is no core module or core instance.
            Payload::ComponentCanonicalSection(_)
            | Payload::ComponentTypeSection(_)
            | Payload::Version { .. }
            | Payload::ComponentSection { .. }
            | Payload::CoreTypeSection(_)
            | Payload::ComponentStartSection { .. }
            | Payload::CustomSection(_) => {}
            // Core sections appear only inside modules; anything else is
            // a section this walk does not know.
            _ => self.unsure = true,
        }
        Ok(())
    }

    fn scope(&mut self) -> &mut Scope {
        self.scopes
            .last_mut()
            .expect("a component's payloads come after its header")
    }

    /// The module at `index` in the current scope's module index space.
    fn module(&mut self, index: u32) -> Option<usize> {
        match self.scope().modules.get(index as usize) {
            Some(module) => *module,
            None => {
                self.unsure = true;
                None
            }
        }
    }

    /// A module that leaves the analysis' reach: all its exports stay.
    fn escape(&mut self, module: Option<usize>) {
        if let Some(module) = module {
            self.modules[module].live = Live::All;
        }
    }

    /// Core instance `instance` passed to an instantiation of `module` as
    /// argument `arg`: what the module imports from `arg` is used, and
    /// everything when the module cannot be seen.
    fn instantiation_arg(&mut self, module: Option<usize>, arg: &str, instance: u32) {
        let Some(module) = module else {
            match self.scope().instances.get(instance as usize) {
                Some(CoreInstance::Of(module)) => {
                    let module = *module;
                    self.escape(module);
                }
                Some(CoreInstance::Bag) => {}
                None => self.unsure = true,
            }
            return;
        };
        let names: Vec<&'a str> = self.modules[module]
            .imports
            .iter()
            .filter(|(from, _)| *from == arg)
            .map(|(_, name)| *name)
            .collect();
        for name in names {
            self.use_export(instance, name);
        }
    }

    /// The export `name` of core instance `instance` is used. A bag's
    /// entries are already accounted for (aliases or built-ins).
    fn use_export(&mut self, instance: u32, name: &'a str) {
        match self.scope().instances.get(instance as usize) {
            Some(CoreInstance::Of(Some(module))) => {
                let module = *module;
                if let Live::Names(names) = &mut self.modules[module].live {
                    names.insert(name);
                }
            }
            Some(CoreInstance::Of(None) | CoreInstance::Bag) => {}
            None => self.unsure = true,
        }
    }
}

/// Rewrites a module's export section to keep only `live` exports (and
/// those whose function a body takes with `ref.func`). Returns the module,
/// its number of exports and how many were removed.
pub fn remove_exports<'m>(
    module: &'m [u8],
    live: &Live<'_>,
) -> Result<(Cow<'m, [u8]>, usize, usize), Error> {
    let parse = |e| Error::from_parser(e, false);
    let mut section = None;
    let mut bodies = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(parse)? {
            Payload::ExportSection(reader) => section = Some(reader),
            Payload::CodeSectionEntry(body) => bodies.push(body),
            _ => {}
        }
    }
    let Some(reader) = section else {
        return Ok((Cow::Borrowed(module), 0, 0));
    };
    let Live::Names(names) = live else {
        return Ok((Cow::Borrowed(module), reader.count() as usize, 0));
    };
    // Each export's bytes, and whether it stays.
    let range = reader.range();
    let mut entries = Vec::new();
    let mut items = reader.clone().into_iter_with_offsets().peekable();
    while let Some(item) = items.next() {
        let (start, export) = item.map_err(parse)?;
        let end = match items.peek() {
            Some(Ok((next, _))) => *next,
            _ => range.end,
        };
        entries.push((start..end, export, names.contains(export.name)));
    }
    let exports = entries.len();
    // A removed export may be what declares a function for `ref.func`.
    let unexported: HashSet<u32> = entries
        .iter()
        .filter(|(_, e, keep)| {
            !keep && matches!(e.kind, ExternalKind::Func | ExternalKind::FuncExact)
        })
        .map(|(_, e, _)| e.index)
        .collect();
    if !unexported.is_empty() {
        let referenced = bodies
            .par_iter()
            .map(|body| {
                let mut found = Vec::new();
                let mut ops = body.get_operators_reader()?;
                while !ops.eof() {
                    if let Operator::RefFunc { function_index } = ops.read()? {
                        if unexported.contains(&function_index) {
                            found.push(function_index);
                        }
                    }
                }
                Ok(found)
            })
            .collect::<wasmparser::Result<Vec<_>>>()
            .map_err(parse)?;
        let referenced: HashSet<u32> = referenced.into_iter().flatten().collect();
        for (_, export, keep) in &mut entries {
            *keep |= matches!(export.kind, ExternalKind::Func | ExternalKind::FuncExact)
                && referenced.contains(&export.index);
        }
    }
    let kept: Vec<_> = entries.iter().filter(|(_, _, keep)| *keep).collect();
    let removed = exports - kept.len();
    if removed == 0 {
        return Ok((Cow::Borrowed(module), exports, 0));
    }
    let header_start = section_start(module, range.start).map_err(parse)?;
    let mut out = module[..header_start].to_vec();
    if !kept.is_empty() {
        let mut contents = Vec::new();
        wasm_encoder::Encode::encode(&(kept.len() as u32), &mut contents);
        for (bytes, _, _) in &kept {
            contents.extend_from_slice(&module[bytes.start as usize..bytes.end as usize]);
        }
        out.push(wasm_encoder::SectionId::Export as u8);
        wasm_encoder::Encode::encode(contents.as_slice(), &mut out);
    }
    out.extend_from_slice(&module[range.end as usize..]);
    Ok((Cow::Owned(out), exports, removed))
}

/// Where the section whose contents start at `contents` begins (its id
/// byte): the size field before the contents may be padded, so the
/// sections are walked from the header.
fn section_start(module: &[u8], contents: u64) -> wasmparser::Result<usize> {
    let mut reader = wasmparser::BinaryReader::new(module, 0);
    reader.read_bytes(8)?;
    loop {
        let start = reader.original_position();
        reader.read_u8()?;
        let len = reader.read_var_u32()? as usize;
        if reader.original_position() == contents {
            return Ok(start as usize);
        }
        reader.read_bytes(len)?;
    }
}

/// Writes the component with each core module replaced by its optimized
/// bytes, in the order the modules appear; the rest is reencoded as read.
struct Splice<'o, I: Iterator<Item = &'o [u8]>> {
    modules: I,
}

impl<'o, I: Iterator<Item = &'o [u8]>> Reencode for Splice<'o, I> {
    type Error = String;
}

impl<'o, I: Iterator<Item = &'o [u8]>> ReencodeComponent for Splice<'o, I> {
    fn parse_component_submodule(
        &mut self,
        component: &mut wasm_encoder::Component,
        _parser: Parser,
        _module: &[u8],
    ) -> Result<(), wasm_encoder::reencode::Error<String>> {
        let module = self.modules.next().ok_or_else(|| {
            wasm_encoder::reencode::Error::UserError("more modules than were optimized".into())
        })?;
        component.section(&wasm_encoder::RawSection {
            id: wasm_encoder::ComponentSectionId::CoreModule as u8,
            data: module,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The observable exports of each module of the component `wat`,
    /// sorted (`["*"]` when all are).
    fn live(wat: &str) -> Vec<Vec<String>> {
        let wasm = wat::parse_str(wat).unwrap();
        crate::features::validate(&wasm, crate::features::accepted()).unwrap();
        analyze(&wasm)
            .unwrap()
            .iter()
            .map(|m| match &m.live {
                Live::All => vec!["*".to_string()],
                Live::Names(names) => {
                    let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
                    names.sort();
                    names
                }
            })
            .collect()
    }

    #[test]
    fn lifts_options_and_bags_keep_exports() {
        let live = live(
            r#"(component
              (import "ext" (core module $ext (import "x" "f" (func))))
              (core module $m
                (memory (export "mem") 1)
                (func (export "f"))
                (func (export "g") (param i32 i32))
                (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
                (func (export "aliased-only"))
                (func (export "dead")))
              (core instance $i (instantiate $m))
              (alias core export $i "f" (core func $f))
              (alias core export $i "aliased-only" (core func $unused))
              (core instance $bag (export "f" (func $f)))
              ;; The module cannot be seen: all of the bag is used.
              (core instance (instantiate $ext (with "x" (instance $bag))))
              (alias core export $i "mem" (core memory $mem))
              (alias core export $i "realloc" (core func $realloc))
              (func (export "h") (param "s" string)
                (canon lift (core func $i "g") (memory $mem) (realloc $realloc))))"#,
        );
        assert_eq!(live, [["aliased-only", "f", "g", "mem", "realloc"]]);
    }

    /// Issue 19: wit-component 0.245 (componentize-py with async exports)
    /// aliases the adapter's `cabi_import_realloc` and never uses the alias.
    /// The alias stays in the component, so its export must too: an alias
    /// of any kind names its export whether or not anything uses it.
    #[test]
    fn aliases_nothing_uses_keep_their_export() {
        let live = live(
            r#"(component
              (core module $adapter
                (memory (export "memory") 1)
                (table (export "table") 1 funcref)
                (global (export "global") i32 (i32.const 0))
                (tag (export "tag"))
                (func (export "cabi_import_realloc")
                  (param i32 i32 i32 i32) (result i32) (i32.const 0))
                (func (export "dead")))
              (core instance $i (instantiate $adapter))
              (alias core export $i "cabi_import_realloc" (core func))
              (alias core export $i "memory" (core memory))
              (alias core export $i "table" (core table))
              (alias core export $i "global" (core global))
              (alias core export $i "tag" (core tag)))"#,
        );
        assert_eq!(
            live,
            [["cabi_import_realloc", "global", "memory", "table", "tag"]]
        );
    }

    /// An alias put in a bag that an instantiation gets, but whose module
    /// imports nothing of that name: the alias still names the export.
    #[test]
    fn bag_entries_no_import_takes_keep_their_export() {
        let live = live(
            r#"(component
              (core module $a (func (export "f")) (func (export "g")))
              (core module $b (import "dep" "g" (func)))
              (core instance $ia (instantiate $a))
              (alias core export $ia "f" (core func $f))
              (alias core export $ia "g" (core func $g))
              (core instance $bag (export "f" (func $f)) (export "g" (func $g)))
              (core instance (instantiate $b (with "dep" (instance $bag)))))"#,
        );
        assert_eq!(live, [vec!["f", "g"], vec![]]);
    }

    /// Async lifts and lowers and the async built-ins take core items by
    /// index only: what they use is what their aliases name, no more.
    #[test]
    fn async_canonical_functions_use_their_aliases() {
        let live = live(
            r#"(component
              (type $s (stream u8))
              (type $fu (future u32))
              (import "host" (func $host async (param "x" u32) (result u32)))
              (core module $m
                (memory (export "memory") 1)
                (table (export "table") 1 funcref)
                (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
                (func (export "run") (param i32) (result i32) (i32.const 0))
                (func (export "callback") (param i32 i32 i32) (result i32) (i32.const 0))
                (func (export "sync") (result i32) (i32.const 0))
                (func (export "post") (param i32))
                (func (export "unused")))
              (core instance $i (instantiate $m))
              (alias core export $i "memory" (core memory $memory))
              (alias core export $i "realloc" (core func $realloc))
              (alias core export $i "callback" (core func $callback))
              (alias core export $i "post" (core func $post))
              (core func (canon lower (func $host) async (memory $memory)))
              (core func (canon task.return (result u32)))
              (core func (canon stream.new $s))
              (core func (canon stream.read $s async (memory $memory) (realloc $realloc)))
              (core func (canon stream.write $s async (memory $memory)))
              (core func (canon stream.cancel-read $s))
              (core func (canon stream.drop-readable $s))
              (core func (canon future.new $fu))
              (core func (canon future.read $fu async (memory $memory)))
              (core func (canon future.write $fu async (memory $memory)))
              (core func (canon future.drop-writable $fu))
              (core func (canon waitable-set.new))
              (core func (canon waitable-set.wait (memory $memory)))
              (core func (canon waitable-set.poll (memory $memory)))
              (core func (canon waitable.join))
              (core func (canon subtask.drop))
              (core func (canon subtask.cancel))
              (core func (canon context.get i32 0))
              (core func (canon context.set i32 0))
              (core func (canon backpressure.inc))
              (core func (canon backpressure.dec))
              (core func (canon task.cancel))
              (core func (canon thread.yield))
              (func (export "run") async (param "x" u32) (result u32)
                (canon lift (core func $i "run") async (callback $callback)))
              (func (export "sync") (result u32)
                (canon lift (core func $i "sync") (post-return $post))))"#,
        );
        assert_eq!(
            live,
            [["callback", "memory", "post", "realloc", "run", "sync"]]
        );
    }

    #[test]
    fn instantiation_uses_what_the_module_imports() {
        let live = live(
            r#"(component
              (core module $a
                (func (export "used"))
                (func (export "unused")))
              (core module $b (import "dep" "used" (func)))
              (core instance $ia (instantiate $a))
              (core instance (instantiate $b (with "dep" (instance $ia)))))"#,
        );
        assert_eq!(live, [vec!["used"], vec![]]);
    }

    #[test]
    fn instance_given_to_an_unseen_module_keeps_everything() {
        let live = live(
            r#"(component
              (import "ext" (core module $ext (import "dep" "f" (func))))
              (core module $a (func (export "f")) (func (export "g")))
              (core instance $ia (instantiate $a))
              (core instance (instantiate $ext (with "dep" (instance $ia)))))"#,
        );
        assert_eq!(live, [["*"]]);
    }

    #[test]
    fn modules_that_escape_keep_everything() {
        let live = live(
            r#"(component
              (core module $exported (func (export "f")))
              (core module $passed (func (export "f")))
              (core module $unused (func (export "f")))
              (export "m" (core module $exported))
              (component $c (import "m" (core module)))
              (instance (instantiate $c (with "m" (core module $passed)))))"#,
        );
        assert_eq!(live, [vec!["*"], vec!["*"], vec![]]);
    }

    #[test]
    fn outer_aliases_and_nested_components() {
        let live = live(
            r#"(component
              (core module $outer (func (export "f")) (func (export "g")))
              (component
                (alias outer 1 $outer (core module $m))
                (core instance $i (instantiate $m))
                (func (export "f") (canon lift (core func $i "f")))
                (component
                  (core module $deep (func (export "h")) (func (export "k")))
                  (core instance $d (instantiate $deep))
                  (func (export "k") (canon lift (core func $d "k"))))))"#,
        );
        assert_eq!(live, [vec!["f"], vec!["k"]]);
    }

    #[test]
    fn removal_keeps_exports_that_declare_ref_func() {
        let module = wat::parse_str(
            r#"(module
              (func $f (export "f"))
              (func $g (export "g"))
              (func (export "h") (result funcref) (ref.func $f)))"#,
        )
        .unwrap();
        let live = Live::Names(["h"].into_iter().collect());
        let (out, exports, removed) = remove_exports(&module, &live).unwrap();
        assert_eq!((exports, removed), (3, 1));
        crate::features::validate(&out, crate::features::accepted()).unwrap();
        let text = wasmprinter::print_bytes(&out).unwrap();
        assert!(text.contains("(export \"f\"") && !text.contains("(export \"g\""));
    }

    #[test]
    fn removal_of_every_export_drops_the_section() {
        let module =
            wat::parse_str(r#"(module (func (export "f")) (memory (export "m") 1))"#).unwrap();
        let live = Live::Names(HashSet::new());
        let (out, exports, removed) = remove_exports(&module, &live).unwrap();
        assert_eq!((exports, removed), (2, 2));
        assert!(!wasmprinter::print_bytes(&out).unwrap().contains("export"));
    }
}
