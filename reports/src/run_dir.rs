//! A run directory's files: where each output goes and the one call that writes them all.
//!
//! `latency.hlog` is written live by the [`crate::Recorder`] during the run (so a crashed run
//! keeps its intervals); everything else is written at the end by [`write_outputs`].

use std::path::Path;

use crate::error::ReportError;
use crate::interval_log::{self, HlogWriter};
use crate::junit::{self, JunitReport};
use crate::results::{RunInfo, RunResults};
use crate::summary::{self, RunSummary};
use crate::threshold::Thresholds;

/// File name of the HTML report in a run directory.
pub const REPORT_FILE: &str = "report.html";

/// Creates `dir` if needed and opens `dir/latency.hlog` for a recorder.
pub fn create_interval_log(dir: &Path, info: &RunInfo) -> Result<HlogWriter, ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io("create directory", dir, e))?;
    HlogWriter::create(&dir.join(interval_log::FILE_NAME), info)
}

/// Writes `summary.json`, `junit.xml` (one case per threshold) and `report.html` for `results`
/// into `dir`, and returns the summary (its `passed` decides the exit code).
pub fn write_outputs(
    dir: &Path,
    results: &RunResults,
    thresholds: &Thresholds,
) -> Result<RunSummary, ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io("create directory", dir, e))?;
    let summary = RunSummary::build(results, thresholds);
    summary.write(&dir.join(summary::FILE_NAME))?;
    let mut junit = JunitReport::new(results.info.name.clone());
    junit.add_thresholds(&summary.thresholds);
    junit.write(&dir.join(junit::FILE_NAME))?;
    let html = crate::html::render(&summary, results)?;
    let path = dir.join(REPORT_FILE);
    std::fs::write(&path, html).map_err(|e| ReportError::io("write", &path, e))?;
    Ok(summary)
}
