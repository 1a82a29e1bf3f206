//! `posrig report merge A/ B/ … --out C/` — the run folders of a sharded load run merged into
//! one: histograms added exactly, interval logs aligned, thresholds judged on the merged numbers.

use std::path::{Path, PathBuf};

use crate::exit_codes;

/// Merges `dirs` into `out`; returns the exit code (0 the merged thresholds pass, 1 one fails,
/// 2 the folders cannot be read or merged).
pub fn run(dirs: &[PathBuf], out: &Path) -> i32 {
    if dirs.is_empty() {
        eprintln!("error: name at least one run folder to merge");
        return exit_codes::INVALID_INPUT;
    }
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("error: create {}: {e}", out.display());
        return exit_codes::INVALID_INPUT;
    }
    match posrig_reports::merge::merge_run_dirs(dirs, out, None) {
        Ok(summary) => {
            let count: u64 = summary
                .operations
                .values()
                .map(|o| o.count)
                .max()
                .unwrap_or(0);
            eprintln!(
                "merged {} run(s) into {} ({} operations, largest count {count}); thresholds {}",
                dirs.len(),
                out.display(),
                summary.operations.len(),
                if summary.passed { "passed" } else { "FAILED" }
            );
            if summary.passed {
                exit_codes::OK
            } else {
                exit_codes::FAILED
            }
        }
        Err(e) => {
            eprintln!("error: merge: {e}");
            exit_codes::INVALID_INPUT
        }
    }
}
