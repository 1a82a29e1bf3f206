//! The crate's error type: everything that can go wrong reading or writing run outputs.

use std::path::PathBuf;

/// Errors of the reports layer. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be read or written.
    #[error("{action} `{path}`")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Writing to an in-memory or already-open stream failed.
    #[error("write {what}")]
    Write {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// A histogram could not be encoded into the interval log.
    #[error("encode the interval histogram of `{tag}`: {message}")]
    Encode { tag: String, message: String },
    /// The interval log is not in the HdrHistogram interval-log format.
    #[error("parse interval log `{path}` at byte {offset}")]
    LogSyntax { path: String, offset: usize },
    /// One interval's histogram could not be decoded.
    #[error("decode interval histogram `{tag}` at {start_s:.3} s in `{path}`: {message}")]
    Decode {
        path: String,
        tag: String,
        start_s: f64,
        message: String,
    },
    /// A histogram could not be added to another (values out of range).
    #[error("add histograms of `{what}`: {message}")]
    Add { what: String, message: String },
    /// `summary.json` could not be parsed or produced.
    #[error("parse summary `{path}`")]
    Summary {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// The JSON encoder failed.
    #[error("encode summary json")]
    Json(#[source] serde_json::Error),
    /// Merging was asked for with nothing to merge.
    #[error("merge runs: no input runs given")]
    NothingToMerge,
    /// Runs with different interval lengths cannot be aligned exactly.
    #[error("merge runs: interval lengths differ ({first_s} s and {other_s} s)")]
    IntervalMismatch { first_s: f64, other_s: f64 },
    /// A shard's files disagree with each other.
    #[error("merge run `{dir}`: {message}")]
    Inconsistent { dir: PathBuf, message: String },
    /// A threshold stored in a summary no longer parses.
    #[error(transparent)]
    Threshold(#[from] crate::threshold::ThresholdError),
    /// The JUnit writer failed.
    #[error("serialize junit report: {0}")]
    Junit(String),
    /// A plot could not be drawn.
    #[error("draw plot `{plot}`: {message}")]
    Plot { plot: &'static str, message: String },
    /// A Prometheus metric could not be registered or encoded.
    #[error("prometheus {what}")]
    Prometheus {
        what: &'static str,
        #[source]
        source: ::prometheus::Error,
    },
}

impl ReportError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        ReportError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
