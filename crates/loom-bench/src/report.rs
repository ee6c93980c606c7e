//! Turning `size` results into `report.json`, `report.md` and one chart per level.
//!
//! Ratios are LOOM / wasm-opt, so below 1 means LOOM is smaller or faster. They are
//! summarized by geometric means over the modules both tools handled, the usual average
//! for ratios (a 2x win and a 2x loss cancel out). A module either tool failed on is
//! listed with the error, never averaged in. The report carries the date, machine and
//! tool versions so a reader knows what the numbers were measured on; it is only ever
//! regenerated, not edited by hand.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::chart;
use crate::size::{Measurement, Results, Row};
use crate::tools::Which;

/// Where and with what the numbers were measured.
#[derive(Clone, Debug, Serialize)]
pub struct Meta {
    pub date: String,
    pub machine: String,
    pub loom_version: String,
    pub wasm_opt_version: String,
    pub wasm_opt_command: String,
    pub command: String,
    pub jobs: usize,
    pub repeat: usize,
}

/// Wins, ties and losses of LOOM against wasm-opt on one measure.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Tally {
    pub wins: usize,
    pub ties: usize,
    pub losses: usize,
}

impl Tally {
    fn add(&mut self, loom: u64, wasm_opt: u64) {
        match loom.cmp(&wasm_opt) {
            std::cmp::Ordering::Less => self.wins += 1,
            std::cmp::Ordering::Equal => self.ties += 1,
            std::cmp::Ordering::Greater => self.losses += 1,
        }
    }
}

/// One level's summary.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub level: String,
    /// Modules both tools handled (the geometric means are over these).
    pub compared: usize,
    pub bytes: Tally,
    pub code_bytes: Tally,
    pub geomean_bytes: f64,
    pub geomean_code_bytes: f64,
    pub geomean_wall: f64,
    pub geomean_cpu: f64,
    pub geomean_max_rss: f64,
    /// Output / input total bytes, each tool.
    pub loom_vs_input: f64,
    pub wasm_opt_vs_input: f64,
    pub loom_failures: usize,
    pub wasm_opt_failures: usize,
}

#[derive(Serialize)]
struct Json<'a> {
    meta: &'a Meta,
    summaries: &'a [Summary],
    #[serde(flatten)]
    results: &'a Results,
}

/// Geometric mean of `values` (NaN for none; non-positive values are left out).
pub fn geomean(values: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in values.into_iter().filter(|v| *v > 0.0 && v.is_finite()) {
        sum += v.ln();
        n += 1;
    }
    if n == 0 {
        f64::NAN
    } else {
        (sum / n as f64).exp()
    }
}

fn both_ok(row: &Row) -> bool {
    row.loom.ok() && row.wasm_opt.ok()
}

/// Summaries in level order.
pub fn summarize(results: &Results, levels: &[String]) -> Vec<Summary> {
    levels
        .iter()
        .map(|level| {
            let rows: Vec<&Row> = results.rows.iter().filter(|r| &r.level == level).collect();
            let ok: Vec<&Row> = rows.iter().copied().filter(|r| both_ok(r)).collect();
            let mut bytes = Tally::default();
            let mut code_bytes = Tally::default();
            for r in &ok {
                bytes.add(r.loom.bytes, r.wasm_opt.bytes);
                code_bytes.add(r.loom.code_bytes, r.wasm_opt.code_bytes);
            }
            let ratio = |f: fn(&Measurement) -> f64| {
                geomean(ok.iter().map(|r| f(&r.loom) / f(&r.wasm_opt)))
            };
            let vs_input = |f: fn(&Row) -> &Measurement| {
                geomean(ok.iter().map(|r| f(r).bytes as f64 / r.input_bytes as f64))
            };
            Summary {
                level: level.clone(),
                compared: ok.len(),
                bytes,
                code_bytes,
                geomean_bytes: ratio(|m| m.bytes as f64),
                geomean_code_bytes: ratio(|m| m.code_bytes as f64),
                geomean_wall: ratio(|m| m.wall_s),
                geomean_cpu: ratio(|m| m.cpu_s),
                geomean_max_rss: ratio(|m| m.max_rss_kib as f64),
                loom_vs_input: vs_input(|r| &r.loom),
                wasm_opt_vs_input: vs_input(|r| &r.wasm_opt),
                loom_failures: rows.iter().filter(|r| !r.loom.ok()).count(),
                wasm_opt_failures: rows.iter().filter(|r| !r.wasm_opt.ok()).count(),
            }
        })
        .collect()
}

/// Writes `report.json`, `report.md` and `chart-LEVEL.svg` into `dir`.
pub fn write(
    dir: &Path,
    meta: &Meta,
    results: &Results,
    levels: &[String],
) -> Result<Vec<Summary>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let summaries = summarize(results, levels);
    let json = serde_json::to_string_pretty(&Json {
        meta,
        summaries: &summaries,
        results,
    })?;
    std::fs::write(dir.join("report.json"), json + "\n")?;
    for level in levels {
        let rows: Vec<&Row> = results
            .rows
            .iter()
            .filter(|r| &r.level == level && both_ok(r))
            .collect();
        chart::draw(&dir.join(chart_name(level)), level, &rows)?;
    }
    std::fs::write(dir.join("report.md"), markdown(meta, results, &summaries))?;
    Ok(summaries)
}

fn chart_name(level: &str) -> String {
    format!("chart-{level}.svg")
}

fn ratio_cell(loom: f64, wasm_opt: f64) -> String {
    if wasm_opt > 0.0 {
        format!("{:.3}", loom / wasm_opt)
    } else {
        "-".into()
    }
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// `report.md`: header, one summary table, charts, per-module tables, failures.
pub fn markdown(meta: &Meta, results: &Results, summaries: &[Summary]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# LOOM vs wasm-opt: output size and optimizer cost\n");
    let _ = writeln!(
        md,
        "Generated by `loom-bench size`; do not edit (regenerate it).\n"
    );
    let _ = writeln!(md, "- date: {}", meta.date);
    let _ = writeln!(md, "- machine: {}", meta.machine);
    let _ = writeln!(md, "- LOOM: {}", meta.loom_version);
    let _ = writeln!(
        md,
        "- wasm-opt: {} (`{}`)",
        meta.wasm_opt_version, meta.wasm_opt_command
    );
    let _ = writeln!(md, "- command: `{}`", meta.command);
    let _ = writeln!(
        md,
        "- jobs: {}, runs per measurement: {} (times are the minimum)\n",
        meta.jobs, meta.repeat
    );
    let _ = writeln!(
        md,
        "Ratios are LOOM / wasm-opt (below 1: LOOM smaller or faster), geometric means over the \
         modules both tools handled. wasm-opt gets `--mvp-features` plus `--enable-X` for each \
         proposal the input uses, so neither tool may emit features the input did not use; \
         every output is validated against the input's features. Times are of the whole \
         process (start-up, read, optimize, write); wall and CPU time and peak memory come \
         from the child's rusage. Without `-g`, wasm-opt drops the name section while LOOM \
         keeps it: compare code bytes for the optimizers' work alone (or run with \
         `--strip-debug`).\n"
    );
    let s = &results.startup;
    let _ = writeln!(
        md,
        "Start-up on an empty module: LOOM {:.3} s wall, {:.1} MB; wasm-opt {:.3} s wall, {:.1} MB.\n",
        s.loom.wall_s,
        mb(s.loom.max_rss_kib),
        s.wasm_opt.wall_s,
        mb(s.wasm_opt.max_rss_kib)
    );
    let _ = writeln!(md, "## Summary\n");
    let _ = writeln!(
        md,
        "| level | modules | total bytes W/T/L | code bytes W/T/L | total bytes | code bytes | wall time | CPU time | peak memory | LOOM/input | wasm-opt/input | failures LOOM / wasm-opt |"
    );
    let _ = writeln!(
        md,
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for s in summaries {
        let _ = writeln!(
            md,
            "| -{} | {} | {}/{}/{} | {}/{}/{} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {} / {} |",
            s.level,
            s.compared,
            s.bytes.wins,
            s.bytes.ties,
            s.bytes.losses,
            s.code_bytes.wins,
            s.code_bytes.ties,
            s.code_bytes.losses,
            s.geomean_bytes,
            s.geomean_code_bytes,
            s.geomean_wall,
            s.geomean_cpu,
            s.geomean_max_rss,
            s.loom_vs_input,
            s.wasm_opt_vs_input,
            s.loom_failures,
            s.wasm_opt_failures
        );
    }
    let _ = writeln!(
        md,
        "\nW/T/L: modules where LOOM's output is smaller / equal / larger.\n"
    );
    for s in summaries {
        let level = &s.level;
        let _ = writeln!(md, "## -{level}\n");
        let _ = writeln!(
            md,
            "![size and time ratios at -{level}]({})\n",
            chart_name(level)
        );
        let _ = writeln!(
            md,
            "| module | input | LOOM | wasm-opt | ratio | input code | LOOM code | wasm-opt code | code ratio | LOOM s (CPU) / MB | wasm-opt s (CPU) / MB | time ratio |"
        );
        let _ = writeln!(
            md,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for r in results.rows.iter().filter(|r| &r.level == level) {
            let cell = |m: &Measurement, f: fn(&Measurement) -> u64| {
                if m.ok() {
                    f(m).to_string()
                } else {
                    "FAIL".into()
                }
            };
            let cost = |m: &Measurement| {
                if m.ok() {
                    format!(
                        "{:.2} ({:.2}) / {:.0}",
                        m.wall_s,
                        m.cpu_s,
                        mb(m.max_rss_kib)
                    )
                } else {
                    "FAIL".into()
                }
            };
            let ok = both_ok(r);
            let ratio = |f: fn(&Measurement) -> f64| {
                if ok {
                    ratio_cell(f(&r.loom), f(&r.wasm_opt))
                } else {
                    "-".into()
                }
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.id,
                r.input_bytes,
                cell(&r.loom, |m| m.bytes),
                cell(&r.wasm_opt, |m| m.bytes),
                ratio(|m| m.bytes as f64),
                r.input_code_bytes,
                cell(&r.loom, |m| m.code_bytes),
                cell(&r.wasm_opt, |m| m.code_bytes),
                ratio(|m| m.code_bytes as f64),
                cost(&r.loom),
                cost(&r.wasm_opt),
                ratio(|m| m.wall_s),
            );
        }
        md.push('\n');
    }
    let failures: Vec<(&Row, Which, &Measurement)> = results
        .rows
        .iter()
        .flat_map(|r| [(r, Which::Loom, &r.loom), (r, Which::WasmOpt, &r.wasm_opt)])
        .filter(|(_, _, m)| !m.ok())
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(md, "## Failures\n");
        for (r, tool, m) in failures {
            let _ = writeln!(
                md,
                "- {} -{} {}: {}",
                r.id,
                r.level,
                tool.name(),
                m.error.as_deref().unwrap_or("").replace('\n', " ")
            );
        }
        md.push('\n');
    }
    if !results.skipped.is_empty() {
        let _ = writeln!(md, "## Not compared\n");
        for s in &results.skipped {
            let _ = writeln!(md, "- {}: {}", s.id, s.reason);
        }
        md.push('\n');
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geomean_of_ratios() {
        assert!((geomean([2.0, 0.5]) - 1.0).abs() < 1e-12);
        assert!((geomean([4.0]) - 4.0).abs() < 1e-12);
        assert!(geomean([]).is_nan());
    }
}
