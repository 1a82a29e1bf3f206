//! Event log — canonical JSON lines in `events.jsonl` and the running SHA-256 digest of the run.

use super::bus::EventStream;
use super::kind::Event;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Errors of the event log.
#[derive(Debug, thiserror::Error)]
pub enum EventLogError {
    #[error("create event log `{path}`")]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("write event log `{path}`")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("read event log `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("parse event log `{path}` at line {line}")]
    Parse {
        path: PathBuf,
        line: usize,
        #[source]
        source: serde_json::Error,
    },
}

/// What a finished log amounts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSummary {
    /// Number of events recorded.
    pub events: u64,
    /// Hex SHA-256 of the canonical log (every event's canonical JSON followed by `\n`).
    pub digest: String,
}

/// Records events as canonical JSON lines, optionally to a file and optionally in memory, and
/// keeps the running digest.
///
/// The digest covers exactly the bytes a file log would contain, so `sha256sum events.jsonl`
/// equals [`EventLog::digest`].
pub struct EventLog {
    file: Option<(PathBuf, BufWriter<File>)>,
    kept: Option<Vec<Event>>,
    hasher: Sha256,
    events: u64,
}

impl std::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventLog")
            .field("path", &self.file.as_ref().map(|(p, _)| p))
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

impl EventLog {
    /// A log that only digests.
    pub fn digest_only() -> Self {
        Self {
            file: None,
            kept: None,
            hasher: Sha256::new(),
            events: 0,
        }
    }

    /// A log that digests and writes `events.jsonl` at `path` (created or truncated).
    pub fn to_file(path: impl AsRef<Path>) -> Result<Self, EventLogError> {
        let path = path.as_ref().to_path_buf();
        let file = File::create(&path).map_err(|source| EventLogError::Create {
            path: path.clone(),
            source,
        })?;
        Ok(Self {
            file: Some((path, BufWriter::new(file))),
            ..Self::digest_only()
        })
    }

    /// Also keep every recorded event in memory (for divergence checks without files).
    pub fn keeping_events(mut self) -> Self {
        self.kept = Some(Vec::new());
        self
    }

    /// Records one event.
    ///
    /// File writes are synchronous and buffered: the log writer must not need a blocking thread in
    /// virtual runs.
    pub fn record(&mut self, event: &Event) -> Result<(), EventLogError> {
        let mut line = event.canonical_json();
        line.push('\n');
        self.hasher.update(line.as_bytes());
        self.events += 1;
        if let Some(kept) = &mut self.kept {
            kept.push(event.clone());
        }
        if let Some((path, w)) = &mut self.file {
            w.write_all(line.as_bytes())
                .map_err(|source| EventLogError::Write {
                    path: path.clone(),
                    source,
                })?;
        }
        Ok(())
    }

    /// Number of events recorded so far.
    pub fn len(&self) -> u64 {
        self.events
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.events == 0
    }

    /// Hex SHA-256 of the canonical log so far.
    pub fn digest(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }

    /// The events kept in memory, if [`EventLog::keeping_events`] was asked for.
    pub fn events(&self) -> Option<&[Event]> {
        self.kept.as_deref()
    }

    /// Flushes the file (if any) and returns the summary.
    pub fn finish(mut self) -> Result<LogSummary, EventLogError> {
        if let Some((path, w)) = &mut self.file {
            w.flush().map_err(|source| EventLogError::Write {
                path: path.clone(),
                source,
            })?;
        }
        Ok(LogSummary {
            events: self.events,
            digest: self.digest(),
        })
    }
}

/// Spawns a task that records every event from `stream` into `log` until the bus is dropped, then
/// returns the log (flushed) so its digest and kept events can be read.
pub fn spawn_log_writer(
    mut stream: EventStream,
    mut log: EventLog,
) -> tokio::task::JoinHandle<Result<EventLog, EventLogError>> {
    tokio::spawn(async move {
        while let Some(event) = stream.recv().await {
            log.record(&event)?;
        }
        if let Some((path, w)) = &mut log.file {
            w.flush().map_err(|source| EventLogError::Write {
                path: path.clone(),
                source,
            })?;
        }
        Ok(log)
    })
}

/// Reads an `events.jsonl` file back.
pub fn read_log(path: impl AsRef<Path>) -> Result<Vec<Event>, EventLogError> {
    let path = path.as_ref();
    let read_err = |source| EventLogError::Read {
        path: path.to_path_buf(),
        source,
    };
    let reader = BufReader::new(File::open(path).map_err(read_err)?);
    let mut events = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(read_err)?;
        if line.is_empty() {
            continue;
        }
        let event = serde_json::from_str(&line).map_err(|source| EventLogError::Parse {
            path: path.to_path_buf(),
            line: i + 1,
            source,
        })?;
        events.push(event);
    }
    Ok(events)
}
