//! The spec suite after optimization, bounded for `cargo test`: every script
//! of the core suite and of the proposals LOOM accepts, optimized at `-O2`,
//! `-Os`, `-Oz` and with every pass alone, must keep every assertion that
//! held before.
//! `loom-check spec` runs the same at every level.

use loom_check::spec::{run_suite, Pipeline, SpecConfig};
use loom_core::OptLevel;

/// The suite is large: a run that scored far fewer assertions than this
/// did not really run it (a parse or engine-configuration regression), even
/// if nothing failed.
const MIN_SCRIPTS: usize = 300;
const MIN_CHECKED_PER_PIPELINE: usize = 50_000;

#[test]
fn spec_suite_holds_after_o2_os_oz_and_every_single_pass() {
    let mut pipelines = vec![
        Pipeline::Level(OptLevel::O2),
        Pipeline::Level(OptLevel::Os),
        Pipeline::Level(OptLevel::Oz),
    ];
    pipelines.extend(Pipeline::all_passes());
    let report = run_suite(&SpecConfig::new(pipelines));
    println!("{report}");

    let failures: Vec<String> = report.failures().map(|f| f.to_string()).collect();
    assert!(
        failures.is_empty(),
        "{} assertions broke after optimization:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        report.scripts.len() >= MIN_SCRIPTS,
        "only {} scripts ran ({} skipped)",
        report.scripts.len(),
        report.skipped.len()
    );
    for (i, pipeline) in report.pipelines.iter().enumerate() {
        let totals = report.totals(i);
        assert!(
            totals.checked >= MIN_CHECKED_PER_PIPELINE,
            "{pipeline}: only {} assertions scored",
            totals.checked
        );
    }
}
