//! The report's chart: per-module ratios LOOM / wasm-opt at one level, as an SVG.
//!
//! The top panel shows output size (total bytes as bars, code bytes as dots), modules
//! sorted by the total-size ratio so the shape of the distribution is visible at a
//! glance; the bottom panel shows wall-time ratios, sorted on their own, on a log scale
//! (times differ by orders of magnitude between a start-up-bound small module and a
//! large one). A line at 1 marks parity. Only plotters' SVG backend is used: text is
//! written as SVG `<text>` and laid out by the viewer, so no font library is needed.

use std::path::Path;

use anyhow::{anyhow, Result};
use plotters::prelude::*;

use crate::size::Row;

const WIDTH: u32 = 1000;
const PANEL_HEIGHT: u32 = 360;
const LOOM_BLUE: RGBColor = RGBColor(31, 119, 180);
const CODE_ORANGE: RGBColor = RGBColor(255, 127, 14);
const TIME_GREEN: RGBColor = RGBColor(44, 160, 44);

/// Draws `rows` (all handled by both tools) into an SVG file at `path`.
pub fn draw(path: &Path, level: &str, rows: &[&Row]) -> Result<()> {
    let err = |e: &dyn std::fmt::Display| anyhow!("drawing {}: {e}", path.display());
    let root = SVGBackend::new(path, (WIDTH, 2 * PANEL_HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let (top, bottom) = root.split_vertically(PANEL_HEIGHT);

    let mut sizes: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| {
            (
                r.loom.bytes as f64 / r.wasm_opt.bytes.max(1) as f64,
                r.loom.code_bytes as f64 / r.wasm_opt.code_bytes.max(1) as f64,
            )
        })
        .collect();
    sizes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut times: Vec<f64> = rows
        .iter()
        .map(|r| r.loom.wall_s / r.wasm_opt.wall_s.max(1e-6))
        .collect();
    times.sort_by(f64::total_cmp);
    let n = rows.len().max(1) as f64;

    let (lo, hi) = bounds(sizes.iter().flat_map(|&(t, c)| [t, c]));
    let mut chart = ChartBuilder::on(&top)
        .caption(
            format!("-{level}: output size, LOOM / wasm-opt per module (sorted)"),
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..n, lo..hi)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&|x| format!("{}", *x as usize))
        .x_desc("modules")
        .y_desc("size ratio")
        .draw()
        .map_err(|e| err(&e))?;
    chart
        .draw_series(sizes.iter().enumerate().map(|(i, &(total, _))| {
            let x = i as f64;
            Rectangle::new([(x + 0.15, 1.0), (x + 0.85, total)], LOOM_BLUE.filled())
        }))
        .map_err(|e| err(&e))?
        .label("total bytes")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], LOOM_BLUE.filled()));
    chart
        .draw_series(
            sizes.iter().enumerate().map(|(i, &(_, code))| {
                Circle::new((i as f64 + 0.5, code), 3, CODE_ORANGE.filled())
            }),
        )
        .map_err(|e| err(&e))?
        .label("code bytes")
        .legend(|(x, y)| Circle::new((x + 5, y), 3, CODE_ORANGE.filled()));
    chart
        .draw_series(LineSeries::new([(0.0, 1.0), (n, 1.0)], BLACK))
        .map_err(|e| err(&e))?;
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))?;

    let (lo, hi) = bounds(times.iter().copied());
    let mut chart = ChartBuilder::on(&bottom)
        .caption(
            format!("-{level}: wall time, LOOM / wasm-opt per module (sorted, log scale)"),
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..n, (lo..hi).log_scale())
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&|x| format!("{}", *x as usize))
        .x_desc("modules")
        .y_desc("time ratio")
        .draw()
        .map_err(|e| err(&e))?;
    chart
        .draw_series(times.iter().enumerate().map(|(i, &t)| {
            let x = i as f64;
            Rectangle::new([(x + 0.15, 1.0), (x + 0.85, t)], TIME_GREEN.filled())
        }))
        .map_err(|e| err(&e))?;
    chart
        .draw_series(LineSeries::new([(0.0, 1.0), (n, 1.0)], BLACK))
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// A y range holding every value and 1 (parity), with a little room around it.
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (1.0f64, 1.0f64);
    for v in values.filter(|v| v.is_finite() && *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    (lo * 0.95, hi * 1.05)
}
