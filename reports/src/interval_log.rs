//! `latency.hlog`: interval histograms of every operation and lane group in the HdrHistogram
//! interval-log format (V2 + deflate, base64), readable by HdrHistogram's own tools, and a reader
//! that rebuilds per-operation histograms from it.
//!
//! Each line carries the tag `op=<operation>;group=<lane group>`. Timestamps are seconds since
//! the run started; the `StartTime` and `BaseTime` headers hold the run's start (seconds since
//! the Unix epoch), as the Java `HistogramLogWriter` writes them. Values are microseconds, and so
//! is the per-line max column.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hdrhistogram::serialization::interval_log::{
    IntervalLogIterator, IntervalLogWriterBuilder, LogEntry, Tag,
};
use hdrhistogram::serialization::{
    Deserializer, Serializer, V2DeflateSerializeError, V2DeflateSerializer,
};
use hdrhistogram::{Counter, Histogram};

use crate::error::ReportError;
use crate::operation::new_histogram;
use crate::results::RunInfo;

/// File name of the interval log in a run directory.
pub const FILE_NAME: &str = "latency.hlog";

/// Group used for lines whose tag names no lane group (logs written by other tools).
pub const DEFAULT_GROUP: &str = "default";

/// Appends interval histograms to an interval log as a run goes.
pub struct HlogWriter {
    out: Box<dyn Write + Send>,
    serializer: IntervalSerializer,
    tag: String,
}

/// The V2 deflate encoding, with that of an empty histogram kept: most intervals of a long load
/// run are empty for most operations and lane groups, and a fresh deflate stream (its tables
/// zeroed) costs far more than an empty histogram's few bytes. Writes byte for byte what
/// [`V2DeflateSerializer`] writes.
#[derive(Default)]
struct IntervalSerializer {
    inner: V2DeflateSerializer,
    /// The histogram settings (lowest, highest, significant figures) and the encoding of an
    /// empty histogram with them.
    empty: Option<((u64, u64, u8), Vec<u8>)>,
}

impl Serializer for IntervalSerializer {
    type SerializeError = V2DeflateSerializeError;

    fn serialize<T: Counter, W: Write>(
        &mut self,
        h: &Histogram<T>,
        writer: &mut W,
    ) -> Result<usize, Self::SerializeError> {
        if !h.is_empty() {
            return self.inner.serialize(h, writer);
        }
        let settings = (h.low(), h.high(), h.sigfig());
        let bytes = match &mut self.empty {
            Some((kept, bytes)) if *kept == settings => bytes,
            slot => {
                let mut bytes = Vec::new();
                self.inner.serialize(h, &mut bytes)?;
                &mut slot.insert((settings, bytes)).1
            }
        };
        writer.write_all(bytes)?;
        Ok(bytes.len())
    }
}

impl std::fmt::Debug for HlogWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HlogWriter").finish_non_exhaustive()
    }
}

impl HlogWriter {
    /// Creates `path` and writes the log headers for `info`.
    pub fn create(path: &Path, info: &RunInfo) -> Result<Self, ReportError> {
        let file = File::create(path).map_err(|e| ReportError::io("create", path, e))?;
        Self::new(BufWriter::new(file), info)
    }

    /// Writes the log headers for `info` to `out` and returns a writer for the intervals.
    pub fn new(out: impl Write + Send + 'static, info: &RunInfo) -> Result<Self, ReportError> {
        let mut w = HlogWriter {
            out: Box::new(out),
            serializer: IntervalSerializer::default(),
            tag: String::new(),
        };
        let start = UNIX_EPOCH + Duration::from_millis(info.started_epoch_ms);
        let mut builder = IntervalLogWriterBuilder::new();
        builder
            .add_comment("[Histogram log format version 1.3]")
            .add_comment(&format!(
                "[posrig latency log: run {}{}, values in microseconds, tags op=<operation>;group=<lane group>]",
                info.name.replace('\n', " "),
                info.shard
                    .as_ref()
                    .map(|s| format!(", shard {s}"))
                    .unwrap_or_default()
            ))
            .with_start_time(start)
            .with_base_time(start);
        let write_err = |source| ReportError::Write {
            what: "interval log header",
            source,
        };
        builder
            .begin_log_with(&mut w.out, &mut w.serializer)
            .map_err(write_err)?;
        // The legend line is what Java's writer emits after the headers; readers skip it.
        w.out
            .write_all(
                b"\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n",
            )
            .map_err(write_err)?;
        Ok(w)
    }

    /// Appends one interval histogram of `op` in lane group `group`.
    ///
    /// `start` is the interval's start since the run started.
    pub fn write_interval(
        &mut self,
        op: &str,
        group: &str,
        histogram: &Histogram<u64>,
        start: Duration,
        duration: Duration,
    ) -> Result<(), ReportError> {
        self.tag.clear();
        self.tag.push_str("op=");
        push_sanitized(&mut self.tag, op);
        self.tag.push_str(";group=");
        push_sanitized(&mut self.tag, group);
        let tag = Tag::new(&self.tag).expect("sanitized tags contain no disallowed characters");
        // A builder without headers writes nothing; it is the only way to get a log writer over
        // a stream we keep owning between intervals.
        let mut writer = IntervalLogWriterBuilder::new()
            .begin_log_with(&mut self.out, &mut self.serializer)
            .map_err(|source| ReportError::Write {
                what: "interval log",
                source,
            })?;
        writer
            .write_histogram(histogram, start, duration, Some(tag))
            .map_err(|e| ReportError::Encode {
                tag: self.tag.clone(),
                message: e.to_string(),
            })
    }

    /// Flushes buffered lines to the underlying file.
    pub fn flush(&mut self) -> Result<(), ReportError> {
        self.out.flush().map_err(|source| ReportError::Write {
            what: "interval log",
            source,
        })
    }
}

/// Tag values may not contain `,`, spaces or line breaks (the format's rule), nor our own `;`
/// and `=` separators, so those characters become `_`.
fn push_sanitized(buf: &mut String, s: &str) {
    buf.extend(s.chars().map(|c| match c {
        ',' | ' ' | '\r' | '\n' | '\t' | ';' | '=' => '_',
        c => c,
    }));
}

/// Splits a tag `op=card_auth;group=express` into operation and group.
///
/// A tag without `op=` (another tool's log) is taken whole as the operation name; a missing tag
/// becomes operation `all`.
pub fn parse_tag(tag: Option<&str>) -> (String, String) {
    let Some(tag) = tag else {
        return ("all".into(), DEFAULT_GROUP.into());
    };
    let mut op = None;
    let mut group = None;
    for part in tag.split(';') {
        if let Some(v) = part.strip_prefix("op=") {
            op = Some(v);
        } else if let Some(v) = part.strip_prefix("group=") {
            group = Some(v);
        }
    }
    (
        op.unwrap_or(tag).to_owned(),
        group.unwrap_or(DEFAULT_GROUP).to_owned(),
    )
}

/// One interval histogram read back from a log.
#[derive(Debug, Clone)]
pub struct LoggedInterval {
    /// Operation name from the tag.
    pub op: String,
    /// Lane group from the tag.
    pub group: String,
    /// Interval start, relative to the log's base time (the run's start).
    pub start: Duration,
    /// Interval length.
    pub duration: Duration,
    /// The decoded histogram.
    pub histogram: Histogram<u64>,
}

/// Header facts of a log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogHeader {
    /// `#[StartTime: …]`, since the Unix epoch.
    pub start_time: Option<Duration>,
    /// `#[BaseTime: …]`, since the Unix epoch.
    pub base_time: Option<Duration>,
}

/// One interval line whose histogram is not decoded yet (decoding is the expensive part).
#[derive(Debug, Clone)]
pub struct RawInterval<'a> {
    /// Operation name from the tag.
    pub op: String,
    /// Lane group from the tag.
    pub group: String,
    /// Interval start, relative to the log's base time (the run's start).
    pub start: Duration,
    /// Interval length.
    pub duration: Duration,
    /// The base64 histogram.
    pub encoded: &'a str,
}

/// Parses every interval line of `log` without decoding histograms. `name` names the log in
/// errors (usually its path).
pub fn raw_intervals<'a>(
    log: &'a [u8],
    name: &str,
) -> Result<(LogHeader, Vec<RawInterval<'a>>), ReportError> {
    let mut header = LogHeader::default();
    let mut out = Vec::new();
    for entry in IntervalLogIterator::new(log) {
        let entry = entry.map_err(|e| match e {
            hdrhistogram::serialization::interval_log::LogIteratorError::ParseError { offset } => {
                ReportError::LogSyntax {
                    path: name.to_owned(),
                    offset,
                }
            }
        })?;
        match entry {
            LogEntry::StartTime(t) => header.start_time = Some(t),
            LogEntry::BaseTime(t) => header.base_time = Some(t),
            LogEntry::Interval(ilh) => {
                let (op, group) = parse_tag(ilh.tag().map(|t| t.as_str()));
                let mut start = ilh.start_timestamp();
                // Logs that carry only a StartTime may use absolute timestamps (Java's default
                // without a BaseTime); make them relative so intervals line up with the run.
                if header.base_time.is_none() {
                    if let Some(st) = header.start_time {
                        if start >= st {
                            start -= st;
                        }
                    }
                }
                out.push(RawInterval {
                    op,
                    group,
                    start,
                    duration: ilh.duration(),
                    encoded: ilh.encoded_histogram(),
                });
            }
        }
    }
    Ok((header, out))
}

/// Decodes histograms of one log, reusing buffers between calls.
#[derive(Default)]
pub struct IntervalDecoder {
    deserializer: Deserializer,
    raw: Vec<u8>,
}

impl IntervalDecoder {
    /// A decoder with empty buffers.
    pub fn new() -> Self {
        IntervalDecoder {
            deserializer: Deserializer::new(),
            raw: Vec::new(),
        }
    }

    /// Decodes the histogram of `interval`; `name` names the log in errors.
    pub fn decode(
        &mut self,
        interval: &RawInterval<'_>,
        name: &str,
    ) -> Result<Histogram<u64>, ReportError> {
        let decode_err = |message: String| ReportError::Decode {
            path: name.to_owned(),
            tag: format!("op={};group={}", interval.op, interval.group),
            start_s: interval.start.as_secs_f64(),
            message,
        };
        self.raw.clear();
        BASE64
            .decode_vec(interval.encoded, &mut self.raw)
            .map_err(|e| decode_err(format!("bad base64: {e}")))?;
        self.deserializer
            .deserialize(&mut &self.raw[..])
            .map_err(|e| decode_err(format!("{e:?}")))
    }
}

/// Reads every interval of `log`, decoding one histogram at a time and handing it to `visit`,
/// so a long log never has all its histograms in memory at once. Returns the header facts.
///
/// `name` names the log in errors (usually its path).
pub fn for_each_interval(
    log: &[u8],
    name: &str,
    mut visit: impl FnMut(LoggedInterval) -> Result<(), ReportError>,
) -> Result<LogHeader, ReportError> {
    let (header, raws) = raw_intervals(log, name)?;
    let mut decoder = IntervalDecoder::new();
    for raw in raws {
        let histogram = decoder.decode(&raw, name)?;
        visit(LoggedInterval {
            op: raw.op,
            group: raw.group,
            start: raw.start,
            duration: raw.duration,
            histogram,
        })?;
    }
    Ok(header)
}

/// Reads a whole log into memory. Use for short logs and tests; see [`for_each_interval`].
pub fn read_intervals(log: &[u8], name: &str) -> Result<Vec<LoggedInterval>, ReportError> {
    let mut out = Vec::new();
    for_each_interval(log, name, |i| {
        out.push(i);
        Ok(())
    })?;
    Ok(out)
}

/// Rebuilds the whole-run histogram of every operation and lane group by adding its intervals.
pub fn read_totals(
    log: &[u8],
    name: &str,
) -> Result<BTreeMap<String, BTreeMap<String, Histogram<u64>>>, ReportError> {
    let mut totals: BTreeMap<String, BTreeMap<String, Histogram<u64>>> = BTreeMap::new();
    for_each_interval(log, name, |i| {
        let h = totals
            .entry(i.op)
            .or_default()
            .entry(i.group)
            .or_insert_with(new_histogram);
        add_clamped(h, &i.histogram);
        Ok(())
    })?;
    Ok(totals)
}

/// Adds `src` into `dst`; values beyond `dst`'s range (only possible with foreign logs) are
/// clamped to its highest trackable value instead of failing the whole read.
pub fn add_clamped(dst: &mut Histogram<u64>, src: &Histogram<u64>) {
    if dst.add(src).is_err() {
        for v in src.iter_recorded() {
            dst.saturating_record_n(v.value_iterated_to(), v.count_at_value());
        }
    }
}

/// Start of a log whose run started at `started_epoch_ms`, as a `SystemTime`.
pub fn epoch_ms_to_system_time(started_epoch_ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(started_epoch_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(h: &Histogram<u64>) -> Vec<u8> {
        let mut out = Vec::new();
        V2DeflateSerializer::new().serialize(h, &mut out).unwrap();
        out
    }

    #[test]
    fn the_kept_empty_encoding_is_byte_for_byte_the_plain_one() {
        let mut s = IntervalSerializer::default();
        let empty = new_histogram();
        let mut full = new_histogram();
        full.record(1_234).unwrap();
        let mut other = Histogram::<u64>::new_with_bounds(1, 1_000, 2).unwrap();
        for h in [&empty, &full, &empty, &other.clone(), &empty] {
            let mut out = Vec::new();
            let n = s.serialize(h, &mut out).unwrap();
            assert_eq!(out, plain(h));
            assert_eq!(n, out.len());
        }
        // An empty histogram with other settings is not given the kept bytes.
        other.reset();
        let mut out = Vec::new();
        s.serialize(&other, &mut out).unwrap();
        assert_eq!(out, plain(&other));
        assert_ne!(out, plain(&empty));
    }
}
