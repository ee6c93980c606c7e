//! What `--stats` reports: section sizes before and after, time per pass,
//! and what happened to debug information.

use std::time::Duration;

/// Facts gathered while optimizing one module.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// (section name, bytes) of the input, in order.
    pub input_sections: Vec<(String, usize)>,
    /// (section name, bytes) of the output, in order.
    pub output_sections: Vec<(String, usize)>,
    /// Locals declared by all function bodies (parameters not counted),
    /// in the input and the output.
    pub input_locals: u64,
    pub output_locals: u64,
    /// (pass name, wall time, whether it changed anything), in run order.
    pub passes: Vec<(String, Duration, bool)>,
    pub read_time: Duration,
    pub write_time: Duration,
    /// Functions kept byte-for-byte because the IR could not shape them.
    pub raw_functions: usize,
    pub functions: usize,
    /// DWARF sections dropped because the code they describe changed.
    pub dwarf_dropped: usize,
    /// DWARF kept under `-g` although the code changed: possibly stale.
    pub dwarf_possibly_stale: bool,
    /// Custom sections dropped because they went stale, with the reason.
    pub dropped_sections: Vec<String>,
    /// For a component: each core module, in the order of the bytes.
    pub modules: Vec<ModuleStats>,
}

/// One core module of a component, before and after.
#[derive(Debug, Default, Clone)]
pub struct ModuleStats {
    pub input_bytes: usize,
    /// The size once the unobservable exports are removed, before the passes.
    pub stripped_bytes: usize,
    pub output_bytes: usize,
    pub exports: usize,
    /// Exports the component cannot observe, removed before optimizing.
    pub exports_removed: usize,
}

impl Stats {
    /// Adds what optimizing one module of a component found: pass times are
    /// summed by pass name.
    pub fn absorb(&mut self, module: &Stats) {
        for (name, time, changed) in &module.passes {
            match self.passes.iter_mut().find(|(n, _, _)| n == name) {
                Some(pass) => {
                    pass.1 += *time;
                    pass.2 |= *changed;
                }
                None => self.passes.push((name.clone(), *time, *changed)),
            }
        }
        self.read_time += module.read_time;
        self.write_time += module.write_time;
        self.raw_functions += module.raw_functions;
        self.functions += module.functions;
        self.dwarf_dropped += module.dwarf_dropped;
        self.dwarf_possibly_stale |= module.dwarf_possibly_stale;
        self.dropped_sections
            .extend(module.dropped_sections.iter().cloned());
        self.modules.extend(module.modules.iter().cloned());
    }
}

/// Names and sizes (id, size field and contents) of a binary's top-level sections.
pub fn section_sizes(wasm: &[u8]) -> Vec<(String, usize)> {
    let mut sizes = Vec::new();
    let mut reader = wasmparser::BinaryReader::new(wasm, 0);
    if reader.read_bytes(8).is_err() {
        return sizes;
    }
    let component = wasmparser::Parser::is_component(wasm);
    while !reader.eof() {
        let start = reader.original_position();
        let Ok(id) = reader.read_u8() else { break };
        let Ok(len) = reader.read_var_u32() else {
            break;
        };
        let body_start = reader.original_position();
        let Ok(body) = reader.read_bytes(len as usize) else {
            break;
        };
        let name = match id {
            1.. if component => component_section_name(id).to_string(),
            0 => {
                let mut custom = wasmparser::BinaryReader::new(body, body_start);
                let name = custom.read_string().unwrap_or("?");
                format!("custom:{name}")
            }
            _ => section_name(id).to_string(),
        };
        sizes.push((name, (reader.original_position() - start) as usize));
    }
    sizes
}

/// How many locals a binary's function bodies declare, parameters not
/// counted (0 for what does not parse: this is a report, not a check).
pub fn declared_locals(wasm: &[u8]) -> u64 {
    let mut count = 0;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(wasmparser::Payload::CodeSectionEntry(body)) => {
                let Ok(reader) = body.get_locals_reader() else {
                    continue;
                };
                count += reader
                    .into_iter()
                    .filter_map(Result::ok)
                    .map(|(n, _)| u64::from(n))
                    .sum::<u64>();
            }
            Err(_) => break,
            Ok(_) => {}
        }
    }
    count
}

fn section_name(id: u8) -> &'static str {
    match id {
        1 => "type",
        2 => "import",
        3 => "function",
        4 => "table",
        5 => "memory",
        6 => "global",
        7 => "export",
        8 => "start",
        9 => "element",
        10 => "code",
        11 => "data",
        12 => "datacount",
        13 => "tag",
        _ => "unknown",
    }
}

fn component_section_name(id: u8) -> &'static str {
    match id {
        1 => "core module",
        2 => "core instance",
        3 => "core type",
        4 => "component",
        5 => "instance",
        6 => "alias",
        7 => "type",
        8 => "canon",
        9 => "start",
        10 => "import",
        11 => "export",
        _ => "unknown",
    }
}

/// The `--stats` report: one line per section and per pass.
pub fn render(stats: &Stats) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let total = |sections: &[(String, usize)]| sections.iter().map(|(_, n)| n).sum::<usize>();
    let _ = writeln!(out, "{:<28} {:>12} {:>12}", "section", "before", "after");
    // A component repeats its section kinds: one line per kind.
    let mut names: Vec<&str> = Vec::new();
    for (name, _) in stats.input_sections.iter().chain(&stats.output_sections) {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    let size = |sections: &[(String, usize)], name: &str| -> String {
        let n: usize = sections
            .iter()
            .filter(|(s, _)| s == name)
            .map(|(_, n)| n)
            .sum();
        if sections.iter().any(|(s, _)| s == name) {
            n.to_string()
        } else {
            "-".to_string()
        }
    };
    for name in names {
        let _ = writeln!(
            out,
            "{:<28} {:>12} {:>12}",
            name,
            size(&stats.input_sections, name),
            size(&stats.output_sections, name)
        );
    }
    let _ = writeln!(
        out,
        "{:<28} {:>12} {:>12}",
        "total",
        total(&stats.input_sections),
        total(&stats.output_sections)
    );
    let _ = writeln!(
        out,
        "{:<28} {:>12} {:>12}",
        "declared locals", stats.input_locals, stats.output_locals
    );
    let _ = writeln!(
        out,
        "read+validate+lift {:>10.3} ms",
        stats.read_time.as_secs_f64() * 1e3
    );
    for (pass, time, changed) in &stats.passes {
        let _ = writeln!(
            out,
            "pass {:<24} {:>10.3} ms{}",
            pass,
            time.as_secs_f64() * 1e3,
            if *changed { "" } else { " (no change)" }
        );
    }
    let _ = writeln!(
        out,
        "write {:>23.3} ms",
        stats.write_time.as_secs_f64() * 1e3
    );
    if stats.functions > 0 {
        let _ = writeln!(
            out,
            "functions: {} ({} kept byte-for-byte)",
            stats.functions, stats.raw_functions
        );
    }
    if stats.dwarf_dropped > 0 {
        let _ = writeln!(
            out,
            "dwarf: {} sections dropped because code changed (-g keeps them)",
            stats.dwarf_dropped
        );
    }
    if stats.dwarf_possibly_stale {
        let _ = writeln!(out, "dwarf: kept by -g but possibly stale: code changed");
    }
    for dropped in &stats.dropped_sections {
        let _ = writeln!(out, "dropped section: {dropped}");
    }
    if !stats.modules.is_empty() {
        let _ = writeln!(
            out,
            "{:<28} {:>12} {:>12} {:>12}  unobservable exports removed",
            "core module", "before", "exports cut", "after"
        );
    }
    for (i, module) in stats.modules.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:<28} {:>12} {:>12} {:>12}  {} of {}",
            i,
            module.input_bytes,
            module.stripped_bytes,
            module.output_bytes,
            module.exports_removed,
            module.exports
        );
    }
    out
}
