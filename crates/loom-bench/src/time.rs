//! `loom-bench time`: what the optimizer itself spends, phase by phase, on one module.
//!
//! The library pipeline (`loom_core::optimize`) is run in this process several times and
//! the per-phase times its `Stats` record — read (parse, validate, lift), each pass, write
//! — are reported as medians, so a pass that is slow on some real module shows up by name
//! rather than hiding in a whole-process time. When the pipeline has only function
//! passes, LOOM fuses them into reading (each function is optimized and encoded as soon
//! as it is lifted, in parallel): the read phase then includes them, and each pass's time
//! is summed over functions across threads, so phases need not add up to the total.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use loom_core::{OptLevel, Options};

/// One phase's name and its time in each run.
struct Phase {
    name: String,
    times: Vec<Duration>,
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// Runs the `level` pipeline (or just `passes`, if any) `runs` times on `module` and
/// returns the table to print.
pub fn run(module: &Path, level: OptLevel, passes: &[String], runs: usize) -> Result<String> {
    let input =
        std::fs::read(module).with_context(|| format!("cannot read {}", module.display()))?;
    let options = if passes.is_empty() {
        Options::new(level)
    } else {
        let names: Vec<&str> = passes.iter().map(String::as_str).collect();
        Options::only_passes(&names)
    };
    let mut phases: Vec<Phase> = Vec::new();
    let mut totals = Vec::new();
    let mut sizes = (0, 0);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let out = loom_core::optimize(&input, &options)
            .with_context(|| format!("optimizing {}", module.display()))?;
        totals.push(start.elapsed());
        sizes = (input.len(), out.bytes.len());
        let stats = out.stats;
        let timed = std::iter::once(("read+validate+lift".to_string(), stats.read_time))
            .chain(
                stats
                    .passes
                    .into_iter()
                    .map(|(name, t, _)| (format!("pass {name}"), t)),
            )
            .chain(std::iter::once(("write".to_string(), stats.write_time)));
        for (i, (name, t)) in timed.enumerate() {
            match phases.get_mut(i) {
                Some(phase) => phase.times.push(t),
                None => phases.push(Phase {
                    name,
                    times: vec![t],
                }),
            }
        }
    }
    let total = median(&totals);
    let mut text = format!(
        "{}: {} -> {} bytes, median of {} runs\n{:<32} {:>12}\n",
        module.display(),
        sizes.0,
        sizes.1,
        totals.len(),
        "phase",
        "ms"
    );
    for phase in &phases {
        let t = median(&phase.times);
        text += &format!("{:<32} {:>12.3}\n", phase.name, t.as_secs_f64() * 1e3);
    }
    text += &format!(
        "{:<32} {:>12.3}\n",
        "total (wall)",
        total.as_secs_f64() * 1e3
    );
    text += "(function passes fused into reading are summed over threads: phases may overlap)\n";
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_phase() {
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("m.wat");
        std::fs::write(&module, "(module (func (export \"f\") (nop) (nop)))").unwrap();
        let text = run(&module, OptLevel::Os, &["vacuum".to_string()], 2).unwrap();
        assert!(text.contains("median of 2 runs"), "{text}");
        for phase in ["read+validate+lift", "pass vacuum", "write", "total"] {
            assert!(text.contains(phase), "{phase} missing: {text}");
        }
    }
}
