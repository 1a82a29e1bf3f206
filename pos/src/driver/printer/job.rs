//! A print job: its bytes, how far they have been sent, and how long the printer will take to
//! print them (so "done" is declared after the paper has come out, not when the bytes left).

use std::time::Duration;

use posrig_protocols::escpos::{Command, Cut, Parser, ParserConfig};

/// The caller's name for a job (a receipt number, a report number); reported back in
/// [`PrinterEvent`](super::PrinterEvent)s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "job {}", self.0)
    }
}

/// One job in the queue.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) id: JobId,
    pub(crate) bytes: Vec<u8>,
    /// Bytes sent so far (of `bytes`).
    pub(crate) sent: usize,
    /// Paper lines the job feeds, for the print-time estimate.
    pub(crate) lines: u32,
}

impl Job {
    pub(crate) fn new(id: JobId, bytes: Vec<u8>) -> Self {
        let lines = count_lines(&bytes);
        Job {
            id,
            bytes,
            sent: 0,
            lines,
        }
    }

    pub(crate) fn remaining(&self) -> &[u8] {
        &self.bytes[self.sent..]
    }

    pub(crate) fn fully_sent(&self) -> bool {
        self.sent == self.bytes.len()
    }

    /// Roughly how long the printer takes to print the job once it has all of it.
    pub(crate) fn print_time(&self, line_time: Duration) -> Duration {
        line_time * self.lines
    }
}

/// Paper lines a job moves: line feeds, `ESC d n` feeds, and the feed of a feed-and-cut.
fn count_lines(bytes: &[u8]) -> u32 {
    let mut parser = Parser::new(ParserConfig {
        realtime_in_data: false,
        ..ParserConfig::default()
    });
    parser.push(bytes);
    let mut lines = 0u32;
    while let Some(cmd) = parser.next_command() {
        lines += match cmd {
            Command::LineFeed => 1,
            Command::Feed(n) => u32::from(n),
            Command::Cut(Cut {
                feed_units: Some(n),
                ..
            }) => u32::from(n) / 24 + 1,
            _ => 0,
        };
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_protocols::escpos::EscPosWriter;

    #[test]
    fn counts_feeds() {
        let mut w = EscPosWriter::new();
        w.init().line("A").line("B").feed(3).cut_partial();
        assert_eq!(Job::new(JobId(1), w.into_bytes()).lines, 5);
    }
}
