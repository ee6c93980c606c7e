//! A core module as LOOM holds it: every section as it was read (raw bytes,
//! in original order) except the code, which is lifted into the IR one
//! function at a time, in parallel. Writing re-emits untouched sections as
//! they were and encodes function bodies in parallel; output depends only on
//! the input and the passes, never on thread timing.

use crate::error::Error;
use crate::ir::Function;
use crate::lift::{lift, LiftError};
use crate::remap::{self, ImportCounts, IndexMaps, RemapError, Remapper, REMOVED};
use crate::stats::Stats;
use crate::Options;
use rayon::prelude::*;
use std::ops::Range;
use wasmparser::{FunctionBody, Parser, Payload, ValType, ValidPayload, Validator, WasmFeatures};

/// One function's code.
#[derive(Clone, Debug)]
pub enum Code<'a> {
    Lifted(Function<'a>),
    /// Valid code the IR could not shape, kept as read.
    Raw(FunctionBody<'a>),
    /// Already optimized and encoded (locals and instructions): when the
    /// pipeline has only function passes, each function goes from bytes to
    /// IR to bytes in one step, so the IR of the whole module never exists.
    Encoded(Vec<u8>),
}

impl Code<'_> {
    /// The code of a function whose own body is never written (merged into
    /// another, or removed): `unreachable`, valid for any type, with no IR
    /// to keep and no calls for other passes to count.
    pub fn unwritten() -> Code<'static> {
        Code::Raw(FunctionBody::new(wasmparser::BinaryReader::new(
            &[0, 0x00, 0x0b],
            0,
        )))
    }

    /// Calls `visit` on every operator of the code, in whichever form it is
    /// held: the IR's reachable nodes, or the encoded body.
    pub fn for_each_operator(
        &self,
        visit: &mut dyn FnMut(&wasmparser::Operator<'_>),
    ) -> wasmparser::Result<()> {
        let body = match self {
            Code::Lifted(func) => {
                for id in func.walk(func.body) {
                    if let crate::ir::Kind::Op(op) = &func.expr(id).kind {
                        visit(op);
                    }
                }
                return Ok(());
            }
            Code::Raw(body) => body.clone(),
            Code::Encoded(bytes) => FunctionBody::new(wasmparser::BinaryReader::new(bytes, 0)),
        };
        for op in body.get_operators_reader()? {
            visit(&op?);
        }
        Ok(())
    }
}

/// What reading does with each function after lifting it.
pub enum Finish<'p> {
    /// Keep the IR, for passes that see the whole module.
    KeepIr,
    /// Run these function passes, then encode and drop the IR.
    Encode(&'p (dyn Fn(&mut Function<'_>) + Sync)),
}

/// A top-level section as it appeared in the input.
#[derive(Clone, Debug)]
pub struct Section {
    pub id: u8,
    /// Contents (after the id and size), as offsets into the input.
    pub range: Range<usize>,
    /// For custom sections, the name.
    pub name: Option<String>,
}

/// A validated core module.
pub struct Module<'a> {
    pub bytes: &'a [u8],
    pub sections: Vec<Section>,
    /// Defined functions' code, in function index order; functions passes
    /// added come after the input's (see [`Module::add_functions`]).
    pub code: Vec<Code<'a>>,
    /// Number of imported functions (defined function `i` has index
    /// `imported_functions + i`).
    pub imported_functions: u32,
    /// The validator's view of the module's types, functions and globals.
    pub types: wasmparser::types::Types,
    /// Index changes made by passes, applied when writing.
    pub maps: IndexMaps,
    /// A pass gave locals new indices: the name section's local names no
    /// longer fit.
    pub local_names_stale: bool,
    /// Function signatures passes changed, applied when writing.
    pub type_changes: TypeChanges,
    /// `Options::zero_filled_memory`, for passes that read memory contents.
    pub zero_filled_memory: bool,
    /// Per function index, the function whose body is written for it, as
    /// it was when the IR's calls and references were last renamed to
    /// those (see [`Module::after_change`]).
    renamed_to: Vec<u32>,
}

impl<'a> Module<'a> {
    /// Parses and validates `bytes` (once) and lifts every function.
    pub fn read(bytes: &'a [u8], features: WasmFeatures) -> Result<Module<'a>, Error> {
        Module::read_with(bytes, features, Finish::KeepIr)
    }

    /// Like [`Module::read`], deciding per function what to keep.
    pub fn read_with(
        bytes: &'a [u8],
        features: WasmFeatures,
        finish: Finish<'_>,
    ) -> Result<Module<'a>, Error> {
        let mut validator = Validator::new_with_features(features);
        let mut sections = Vec::new();
        let mut bodies = Vec::new();
        let mut types = None;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(|e| Error::from_parser(e, false))?;
            match validator
                .payload(&payload)
                .map_err(|e| crate::features::classify(bytes, e))?
            {
                ValidPayload::Func(func, body) => bodies.push((func, body)),
                ValidPayload::End(t) => types = Some(t),
                _ => {}
            }
            if let Payload::CustomSection(custom) = &payload {
                sections.push(Section {
                    id: 0,
                    range: to_usize(custom.range()),
                    name: Some(custom.name().to_string()),
                });
            } else if let Some((id, range)) = payload.as_section() {
                sections.push(Section {
                    id,
                    range: to_usize(range),
                    name: None,
                });
            }
        }
        let types = types.ok_or(Error::Malformed {
            offset: bytes.len(),
            message: "unexpected end of module".into(),
        })?;

        let type_indexes = crate::lift::TypeIndexes::of(&types);
        let lifted: Vec<Result<Code<'a>, Error>> = bodies
            .into_par_iter()
            .map(|(func, body)| {
                let mut validator = func.into_validator(Default::default());
                match lift(&body, &mut validator, &type_indexes) {
                    Ok(mut function) => match finish {
                        Finish::KeepIr => Ok(Code::Lifted(function)),
                        Finish::Encode(passes) => {
                            passes(&mut function);
                            let identity = IndexMaps::default();
                            let encoded =
                                crate::lower::lower(&function, &mut Remapper { maps: &identity });
                            encoded
                                .map(Code::Encoded)
                                .map_err(|e| Error::Encode(e.to_string()))
                        }
                    },
                    Err(LiftError::Unsupported(_)) => Ok(Code::Raw(body)),
                    Err(LiftError::Invalid(e)) => Err(crate::features::classify(bytes, e)),
                }
            })
            .collect();
        // The first bad function in index order is the one reported.
        let code = lifted.into_iter().collect::<Result<Vec<_>, _>>()?;
        let imported_functions = types.as_ref().function_count() - code.len() as u32;
        Ok(Module {
            bytes,
            sections,
            code,
            imported_functions,
            types,
            maps: IndexMaps::default(),
            local_names_stale: false,
            type_changes: TypeChanges::default(),
            zero_filled_memory: false,
            renamed_to: Vec::new(),
        })
    }

    /// Readers over the contents of each non-custom section, in order.
    pub fn section_readers(&self) -> impl Iterator<Item = (u8, wasmparser::BinaryReader<'a>)> + '_ {
        self.sections.iter().filter(|s| s.id != 0).map(|s| {
            let reader =
                wasmparser::BinaryReader::new(&self.bytes[s.range.clone()], s.range.start as u64);
            (s.id, reader)
        })
    }

    /// Encodes the module. DWARF describes code offsets: it is dropped when
    /// the code changed, unless `options.debuginfo` keeps it (flagged stale).
    pub fn write(&self, options: &Options, stats: &mut Stats) -> Result<Vec<u8>, Error> {
        let start = std::time::Instant::now();
        let maps = &self.maps;
        let bodies = self
            .code
            .par_iter()
            .enumerate()
            .filter(|(i, _)| maps.function(self.imported_functions + *i as u32).is_some())
            .map(|(i, code)| {
                Ok((
                    maps.function(self.imported_functions + i as u32),
                    encode_body(code, maps)?,
                    matches!(code, Code::Raw(_)),
                ))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let mut bodies = bodies;
        // Bodies go in output function order; of functions merged into one
        // index, the first keeps its body (the sort is stable).
        bodies.sort_by_key(|(index, _, _)| *index);
        bodies.dedup_by_key(|(index, _, _)| *index);
        stats.functions = self.code.len();
        stats.raw_functions = bodies.iter().filter(|(_, _, raw)| *raw).count();

        let mut code_section = wasm_encoder::CodeSection::new();
        for (_, body, _) in &bodies {
            code_section.raw(body);
        }
        let mut new_code = Vec::new();
        wasm_encoder::Encode::encode(&code_section, &mut new_code);
        let code_changed = match self.sections.iter().find(|s| s.id == 10) {
            // The encoding is the size field then the contents.
            Some(old) => !new_code.ends_with(&self.bytes[old.range.clone()]) || !maps.is_identity(),
            None => !bodies.is_empty(),
        };

        let imports = match self.sections.iter().find(|s| s.id == 2) {
            Some(s) => ImportCounts::of(self.bytes, s.range.clone())
                .map_err(|e| Error::Encode(e.to_string()))?,
            None => ImportCounts::default(),
        };
        let remap_error = |e: RemapError| Error::Encode(e.to_string());
        // Merging and removing items can take away the only declaration of
        // a function that code still takes with `ref.func`.
        let undeclared = if maps.is_identity() {
            Vec::new()
        } else {
            crate::function_uses::undeclared_references(self)
                .map_err(|e| Error::Encode(e.to_string()))?
        };
        let mut out = wasm_encoder::Module::new();
        for section in self.sections_to_write(!undeclared.is_empty()).iter() {
            // A section the input lacks (see `sections_to_write`) is an
            // empty vector: a zero count.
            let data = match &self.bytes[section.range.clone()] {
                [] => &[0][..],
                data => data,
            };
            match (section.id, section.name.as_deref()) {
                (10, _) => {
                    out.section(&code_section);
                }
                (0, Some(name)) if name.starts_with(".debug_") => {
                    if options.strip_debug || options.strip_dwarf {
                        continue;
                    }
                    if code_changed && !options.debuginfo {
                        stats.dwarf_dropped += 1;
                        continue;
                    }
                    stats.dwarf_possibly_stale |= code_changed;
                    out.section(&raw(section.id, data));
                }
                (0, Some("name")) if options.strip_debug => {}
                (0, Some("producers")) if options.strip_producers => {}
                (0, Some("name"))
                    if !maps.is_identity() || code_changed || self.local_names_stale =>
                {
                    // Label names follow label positions, which changed
                    // with the code; local names go when a pass renumbered
                    // locals. A malformed name section is still a valid
                    // module; one that cannot be renumbered is dropped, not
                    // shipped stale.
                    let mut reader =
                        wasmparser::BinaryReader::new(data, section.range.start as u64);
                    let start = match reader.read_string() {
                        Ok(_) => reader.original_position() as usize,
                        Err(_) => section.range.end,
                    };
                    let stale = remap::StaleNames {
                        labels: code_changed,
                        locals: self.local_names_stale,
                    };
                    let contents = &self.bytes[start..section.range.end];
                    match remap::name_section(contents, start, maps, stale) {
                        Ok((names, dropped)) => {
                            out.section(&names);
                            stats.dropped_sections.extend(dropped);
                        }
                        Err(e) => stats
                            .dropped_sections
                            .push(format!("name (cannot be renumbered: {e})")),
                    }
                }
                (0, Some(name))
                    if !maps.is_identity() && (name == "linking" || name.starts_with("reloc.")) =>
                {
                    // Relocations name input indices: stale once they move.
                    stats
                        .dropped_sections
                        .push(format!("{name} (indices changed)"));
                }
                (1 | 3, _) if !self.type_changes.is_empty() => {
                    self.type_changes
                        .write_section(
                            section.id,
                            data,
                            section.range.start,
                            maps,
                            imports,
                            &mut out,
                        )
                        .map_err(remap_error)?;
                }
                (9, _) if !undeclared.is_empty() => {
                    let section =
                        remap::element_section(data, section.range.start, maps, &undeclared)
                            .map_err(remap_error)?;
                    out.section(&section);
                }
                (id, _) if id != 0 && !maps.is_identity() => {
                    remap::section(id, data, section.range.start, maps, imports, &mut out)
                        .map_err(remap_error)?;
                }
                (id, _) => {
                    out.section(&raw(id, data));
                }
            }
        }
        stats.write_time += start.elapsed();
        Ok(out.finish())
    }
}

fn raw(id: u8, data: &[u8]) -> wasm_encoder::RawSection<'_> {
    wasm_encoder::RawSection { id, data }
}

fn to_usize(range: Range<u64>) -> Range<usize> {
    range.start as usize..range.end as usize
}

/// Encodes one function body (locals and instructions, without its size).
pub(crate) fn encode_body(code: &Code<'_>, maps: &IndexMaps) -> Result<Vec<u8>, Error> {
    let mut reencoder = Remapper { maps };
    let encode_error = |e: crate::lower::LowerError| Error::Encode(e.to_string());
    match code {
        Code::Lifted(function) => {
            crate::lower::lower(function, &mut reencoder).map_err(encode_error)
        }
        Code::Raw(body) if maps.is_identity() => Ok(body.as_bytes().to_vec()),
        Code::Encoded(bytes) if maps.is_identity() => Ok(bytes.clone()),
        Code::Encoded(_) => Err(Error::Encode(
            "renumbering after encoding (a pass-order bug)".into(),
        )),
        Code::Raw(body) => {
            use wasm_encoder::reencode::Reencode;
            let mut function = reencoder
                .new_function_with_parsed_locals(body)
                .map_err(encode_error)?;
            let mut ops = body
                .get_operators_reader()
                .map_err(|e| Error::Encode(e.to_string()))?;
            while !ops.eof() {
                function.instruction(
                    &reencoder
                        .parse_instruction(&mut ops)
                        .map_err(encode_error)?,
                );
            }
            Ok(function.into_raw_body())
        }
    }
}

/// Function signatures changed by passes (dead argument elimination) and
/// those of functions passes added (merge-similar-functions), in the
/// input's index space: new function types appended after the input's
/// types, each in its own recursion group, final and without supertype,
/// and the type index of each retyped or added function. The validator's view
/// (`Module::types`) keeps the input's types; ask
/// [`Module::function_type_key`] for a function's current type.
#[derive(Clone, Debug, Default)]
pub struct TypeChanges {
    /// Parameter and result types of each appended type.
    pub added: Vec<(Vec<wasmparser::ValType>, Vec<wasmparser::ValType>)>,
    /// Function index to its new type index: retyped input functions, and
    /// every function a pass added (see [`Module::add_functions`]).
    pub functions: std::collections::HashMap<u32, u32>,
}

/// A function's type, comparable across functions: the validator's
/// canonical type, or a type a pass appended (by type index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeKey {
    Input(wasmparser::types::CoreTypeId),
    Added(u32),
}

impl TypeChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.functions.is_empty()
    }

    /// Writes the type section (input types, then the added ones) or the
    /// function section (with the new type indices) under `maps`.
    /// Functions a pass added (indices right after the input's, each with
    /// an entry in `functions`) get their function section entries at the
    /// end.
    fn write_section(
        &self,
        id: u8,
        data: &[u8],
        offset: usize,
        maps: &IndexMaps,
        imports: ImportCounts,
        out: &mut wasm_encoder::Module,
    ) -> Result<(), RemapError> {
        use wasm_encoder::reencode::Reencode;
        let reader = wasmparser::BinaryReader::new(data, offset as u64);
        let mut remapper = Remapper { maps };
        if id == 1 {
            if maps.types.is_some() {
                return Err(RemapError::Unsupported("renumbering types"));
            }
            let mut types = wasm_encoder::TypeSection::new();
            remapper.parse_type_section(&mut types, wasmparser::TypeSectionReader::new(reader)?)?;
            for (params, results) in &self.added {
                let params = params
                    .iter()
                    .map(|t| remapper.val_type(*t))
                    .collect::<Result<Vec<_>, _>>()?;
                let results = results
                    .iter()
                    .map(|t| remapper.val_type(*t))
                    .collect::<Result<Vec<_>, _>>()?;
                types.ty().function(params, results);
            }
            out.section(&types);
            return Ok(());
        }
        // The function section in input indices, then renumbered as usual.
        let mut entries = remap::read_all::<u32>(reader)?;
        let mut next = imports.functions + entries.len() as u32;
        while let Some(&ty) = self.functions.get(&next) {
            entries.push(ty);
            next += 1;
        }
        let mut contents = Vec::new();
        wasm_encoder::Encode::encode(&(entries.len() as u32), &mut contents);
        for (i, ty) in entries.into_iter().enumerate() {
            let function = imports.functions + i as u32;
            let ty = self.functions.get(&function).copied().unwrap_or(ty);
            wasm_encoder::Encode::encode(&ty, &mut contents);
        }
        if maps.is_identity() {
            out.section(&raw(3, &contents));
            Ok(())
        } else {
            remap::section(3, &contents, 0, maps, imports, out)
        }
    }
}

impl Module<'_> {
    /// The current type of function `index` (see [`TypeChanges`]).
    pub fn function_type_key(&self, index: u32) -> TypeKey {
        let types = self.types.as_ref();
        match self.type_changes.functions.get(&index) {
            None => TypeKey::Input(types.core_function_at(index)),
            Some(&ty) if ty < types.core_type_count_in_module() => {
                TypeKey::Input(types.core_type_at_in_module(ty))
            }
            Some(&ty) => TypeKey::Added(ty),
        }
    }
}

impl Module<'_> {
    /// Gives sections (by position in `sections`) new contents. Raw bodies
    /// and section readers borrow the input for the module's whole life, so
    /// the new contents go at the end of a copy of the input, which is
    /// leaked: each call costs one input's size of memory until the process
    /// exits. Passes that rewrite a section should be rare and run once.
    pub fn replace_sections(&mut self, replacements: Vec<(usize, Vec<u8>)>) {
        let mut bytes = self.bytes.to_vec();
        for (index, contents) in replacements {
            let start = bytes.len();
            bytes.extend_from_slice(&contents);
            self.sections[index].range = start..bytes.len();
        }
        self.bytes = Box::leak(bytes.into_boxed_slice());
    }

    /// After a module pass changed something: drops the IR of functions
    /// whose body is not written, because a pass removed them (their index
    /// maps to nothing) or merged them into another (an output index runs
    /// the body of the first function merged into it, see
    /// `representative_functions`). Later passes must neither optimize
    /// such code nor count its calls: a call from a removed caller would
    /// keep dae from changing its callee, and the next run on the output
    /// would then do it. Then renames calls to merged functions
    /// ([`Module::rename_merged_functions`]).
    pub fn after_change(&mut self) {
        let imported = self.imported_functions;
        let written = self
            .maps
            .representative_functions(imported as usize + self.code.len());
        let maps = &self.maps;
        self.code.par_iter_mut().enumerate().for_each(|(i, code)| {
            let f = imported + i as u32;
            if matches!(code, Code::Lifted(_))
                && (maps.function(f).is_none() || written[f as usize] != f)
            {
                *code = Code::unwritten();
            }
        });
        self.rename_merged_functions(written);
    }

    /// Calls and `ref.func`s naming a merged function are renamed to the
    /// function written for it (`written`, from `representative_functions`),
    /// in every body when a function was merged into another since the last
    /// renaming, and otherwise in the bodies changed since (marked dirty):
    /// merged into one by the index maps, two calls would still differ in
    /// the IR, and code-folding and the other passes that compare code
    /// would miss what a second run, reading the merged output, finds.
    /// Renamed bodies are marked dirty. Forgets the fingerprints of all
    /// dirty bodies (the others encode as before).
    pub fn rename_merged_functions(&mut self, written: Vec<u32>) {
        let merged = |f: usize, w: u32| w != f as u32;
        let any_merged = written.iter().enumerate().any(|(f, &w)| merged(f, w));
        let rename_everywhere = written
            .iter()
            .enumerate()
            .any(|(f, &w)| merged(f, w) && self.renamed_to.get(f) != Some(&w));
        self.code.par_iter_mut().for_each(|code| {
            let Code::Lifted(function) = code else {
                return;
            };
            if any_merged && (rename_everywhere || function.dirty) {
                function.dirty |= name_written_functions(function, &written);
            }
            if function.dirty {
                function.fingerprint = None;
            }
        });
        self.renamed_to = written;
    }
}

/// Renames calls and references to each function `f` whose body is not
/// written to `written[f]`; returns whether anything changed.
fn name_written_functions(function: &mut Function<'_>, written: &[u32]) -> bool {
    use wasmparser::Operator::{Call, RefFunc, ReturnCall};
    let mut changed = false;
    for expr in &mut function.exprs {
        if let crate::ir::Kind::Op(
            Call { function_index } | ReturnCall { function_index } | RefFunc { function_index },
        ) = &mut expr.kind
        {
            if let Some(&w) = written.get(*function_index as usize) {
                changed |= w != *function_index;
                *function_index = w;
            }
        }
    }
    changed
}

/// Functions added by passes.
impl<'a> Module<'a> {
    /// How many functions the input has, imported and defined: functions a
    /// pass adds have indices from here on.
    pub fn input_function_count(&self) -> u32 {
        self.types.as_ref().function_count()
    }

    /// Appends defined functions, each of the type its `type_index` names
    /// (an input type or one in `type_changes.added`, see [`Signatures`]),
    /// and returns the index of the first: `imported_functions +
    /// code.len()` before the call, so they come after every function so
    /// far and no index changes. In the output they follow every function
    /// written so far. Their bodies are written like any other; they have
    /// no names.
    pub fn add_functions(&mut self, functions: Vec<Function<'a>>) -> Result<u32, Error> {
        let types = self.types.as_ref().core_type_count_in_module() as usize
            + self.type_changes.added.len();
        if let Some(f) = functions.iter().find(|f| f.type_index as usize >= types) {
            return Err(Error::Encode(format!(
                "an added function names type {} of {types}",
                f.type_index
            )));
        }
        let first = self.imported_functions + self.code.len() as u32;
        let mut output = self.next_function_output();
        for function in functions {
            let index = self.imported_functions + self.code.len() as u32;
            if let Some(map) = &mut self.maps.functions {
                map.resize(index as usize, REMOVED);
                map.push(output);
                output += 1;
            }
            self.type_changes
                .functions
                .insert(index, function.type_index);
            self.code.push(Code::Lifted(function));
        }
        Ok(first)
    }

    /// The output index [`Module::add_functions`] gives the next function:
    /// after every function written so far.
    pub fn next_function_output(&self) -> u32 {
        match &self.maps.functions {
            None => self.imported_functions + self.code.len() as u32,
            Some(map) => map
                .iter()
                .filter(|&&i| i != REMOVED)
                .max()
                .map_or(0, |&m| m + 1),
        }
    }

    /// The sections to write: the input's, plus an empty type, function,
    /// element or code section in its place in the section order when the
    /// input has none but added types or functions, or functions to declare,
    /// need one (the range of such a section is empty).
    fn sections_to_write(&self, declare_elements: bool) -> std::borrow::Cow<'_, [Section]> {
        let needed = [
            (1, !self.type_changes.added.is_empty()),
            (3, !self.code.is_empty()),
            (9, declare_elements),
            (10, !self.code.is_empty()),
        ];
        let mut sections = std::borrow::Cow::Borrowed(&self.sections[..]);
        for (id, need) in needed {
            if !need || sections.iter().any(|s| s.id == id) {
                continue;
            }
            let at = sections
                .iter()
                .position(|s| s.id != 0 && section_rank(s.id) > section_rank(id))
                .unwrap_or(sections.len());
            sections.to_mut().insert(
                at,
                Section {
                    id,
                    range: 0..0,
                    name: None,
                },
            );
        }
        sections
    }
}

/// Where a known section goes in a module: ids are not in order (tags and
/// the data count came later).
fn section_rank(id: u8) -> usize {
    const ORDER: [u8; 13] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
    ORDER.iter().position(|&o| o == id).unwrap_or(ORDER.len())
}

/// Type indices of plain function types (final, without supertype, alone
/// in their recursion group), by signature, for passes that give functions
/// new signatures: a signature that has no such type yet is appended to
/// `TypeChanges::added`.
pub struct Signatures {
    by_signature: std::collections::HashMap<(Vec<ValType>, Vec<ValType>), u32>,
    next: u32,
}

impl Signatures {
    pub fn of(module: &Module<'_>) -> Signatures {
        let types = module.types.as_ref();
        let count = types.core_type_count_in_module();
        let mut by_signature = std::collections::HashMap::new();
        for index in 0..count {
            let id = types.core_type_at_in_module(index);
            let sub = &types[id];
            let wasmparser::CompositeInnerType::Func(f) = &sub.composite_type.inner else {
                continue;
            };
            // Concrete reference types are named by canonical id here, by
            // index in the IR: such signatures are not matched.
            let concrete = |t: &ValType| matches!(t, ValType::Ref(r) if r.type_index().is_some());
            if !sub.is_final
                || !sub.supertype_idxs.is_empty()
                || sub.composite_type.shared
                || types.rec_group_elements(types.rec_group_id_of(id)).len() != 1
                || f.params().iter().chain(f.results()).any(concrete)
            {
                continue;
            }
            by_signature
                .entry((f.params().to_vec(), f.results().to_vec()))
                .or_insert(index);
        }
        for (i, signature) in module.type_changes.added.iter().enumerate() {
            by_signature
                .entry(signature.clone())
                .or_insert(count + i as u32);
        }
        Signatures {
            by_signature,
            next: count + module.type_changes.added.len() as u32,
        }
    }

    /// Whether this signature (parameters, results) has a type already.
    pub fn has(&self, signature: &(Vec<ValType>, Vec<ValType>)) -> bool {
        self.by_signature.contains_key(signature)
    }

    /// The type index of this signature, appending it to `added` if new.
    pub fn get(
        &mut self,
        added: &mut Vec<(Vec<ValType>, Vec<ValType>)>,
        params: Vec<ValType>,
        results: Vec<ValType>,
    ) -> u32 {
        let key = (params, results);
        if let Some(&index) = self.by_signature.get(&key) {
            return index;
        }
        let index = self.next;
        self.next += 1;
        added.push(key.clone());
        self.by_signature.insert(key, index);
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_valid(module: &Module<'_>) -> String {
        let mut options = Options::new(crate::OptLevel::O0);
        options.level = None;
        let bytes = module
            .write(&options, &mut Stats::default())
            .expect("writes");
        wasmparser::Validator::new_with_features(crate::features::accepted())
            .validate_all(&bytes)
            .expect("valid output");
        wasmprinter::print_bytes(&bytes).expect("prints")
    }

    /// Lifts function `index` (defined) of `module`, giving it the type of
    /// its signature in `into` (appended if `into` has none).
    fn donated<'a>(donor: &Module<'a>, index: usize, into: &mut Module<'_>) -> Function<'a> {
        let Code::Lifted(mut function) = donor.code[index].clone() else {
            panic!("lifted")
        };
        let results = function.expr(function.body).results.types().to_vec();
        function.type_index = Signatures::of(into).get(
            &mut into.type_changes.added,
            function.params.clone(),
            results,
        );
        function
    }

    /// A pass appends a function to a module whose functions an earlier
    /// pass renumbered (index map shorter than the new index space) and
    /// calls it; the function section, code section, exports and names
    /// follow.
    #[test]
    fn an_added_function_is_written_after_the_others() {
        let input = wat::parse_str(
            r#"(module
                (import "env" "f" (func $imported (param i32)))
                (func $dead (result i32) (i32.const 7))
                (func $main (export "main") (result i32) (i32.const 1)))"#,
        )
        .unwrap();
        // The same module with the added function, index 3, and its call.
        let donor = wat::parse_str(
            r#"(module
                (import "env" "f" (func (param i32)))
                (func (result i32) (i32.const 7))
                (func (result i32) (call 3 (i32.const 1)))
                (func (param i32) (result i32)
                  (call 0 (local.get 0))
                  (i32.add (local.get 0) (i32.const 41))))"#,
        )
        .unwrap();
        let features = crate::features::accepted();
        let donor = Module::read(&donor, features).unwrap();
        let mut module = Module::read(&input, features).unwrap();
        crate::passes::remove_unused_module_elements::run(&mut module).unwrap();
        let added = donated(&donor, 2, &mut module);
        assert_eq!(module.add_functions(vec![added]).unwrap(), 3);
        module.code[1] = donor.code[1].clone();
        assert_eq!(module.function_type_key(3), TypeKey::Added(2));
        // Nothing is removed now that the added function is live.
        crate::passes::remove_unused_module_elements::run(&mut module).unwrap();
        let text = write_valid(&module);
        let expected = [
            "(type (;2;) (func (param i32) (result i32)))",
            "(func $main (;1;) (type 1) (result i32)",
            "call 2",
            "(func (;2;) (type 2) (param i32) (result i32)",
            "(export \"main\" (func $main))",
        ];
        for line in expected {
            assert!(text.contains(line), "{line} missing in\n{text}");
        }
        assert!(!text.contains("$dead"), "{text}");
    }

    /// A module without functions (so without type, function and code
    /// sections) gets them in their places when a function is added.
    #[test]
    fn an_added_function_brings_its_sections() {
        let input = wat::parse_str(r#"(module (memory 1) (data (i32.const 0) "x"))"#).unwrap();
        let donor = wat::parse_str(r#"(module (func (result i32) (i32.const 5)))"#).unwrap();
        let features = crate::features::accepted();
        let donor = Module::read(&donor, features).unwrap();
        let mut module = Module::read(&input, features).unwrap();
        let added = donated(&donor, 0, &mut module);
        assert_eq!(module.add_functions(vec![added]).unwrap(), 0);
        let text = write_valid(&module);
        assert!(text.contains("(func (;0;) (type 0) (result i32)"), "{text}");
        assert!(text.contains("i32.const 5"), "{text}");
    }
}
