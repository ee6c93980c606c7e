//! The progress bar of long runs: drawn only when stderr is a terminal (a log gets plain
//! lines instead, printed by the caller), the same look for every command.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar counting to `len`, hidden (every call a no-op) unless `visible`.
pub fn bar(len: usize, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}
