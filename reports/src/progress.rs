//! The one-line live status for the terminal (the harness puts it in an indicatif bar):
//! elapsed time, baskets done, current p50/p99 per operation, errors.

use std::time::Duration;

use crate::recorder::Recorder;
use crate::timeline::IntervalStats;

/// What the status line shows. Built by [`Progress::from_recorder`] or by hand.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Progress {
    /// Time since the run started.
    pub elapsed: Duration,
    /// Planned run length, when known.
    pub total: Option<Duration>,
    /// Baskets checked out so far.
    pub baskets: u64,
    /// Per operation (report order): its numbers in the last interval.
    pub operations: Vec<(String, IntervalStats)>,
    /// Failed operations over the whole run so far.
    pub errors: u64,
}

impl Progress {
    /// The status of a running recorder: latencies of the last completed interval (what is
    /// happening now, not diluted by the whole run), errors over the whole run.
    pub fn from_recorder(rec: &Recorder, elapsed: Duration, baskets: u64) -> Self {
        let last = rec.last_interval();
        let mut operations = Vec::new();
        let mut errors = 0;
        for op in rec.operation_names() {
            errors += rec.errors(op);
            if let Some(stats) = last.and_then(|p| p.operations.get(op)) {
                operations.push((op.to_owned(), stats.clone()));
            }
        }
        Progress {
            elapsed,
            total: None,
            baskets,
            operations,
            errors,
        }
    }
}

/// Formats the status line, e.g.
/// `00:01:05/00:05:00 · 1,234 baskets · card_auth p50 312ms p99 1.20 s · errors 3`.
///
/// Operations without samples in the interval are left out; at most `max_ops` are shown so the
/// line fits a terminal (the rest are summarised as `+N more`).
pub fn format_progress(p: &Progress, max_ops: usize) -> String {
    let mut line = format_hms(p.elapsed);
    if let Some(total) = p.total {
        line.push('/');
        line.push_str(&format_hms(total));
    }
    line.push_str(" · ");
    line.push_str(&group_thousands(p.baskets));
    line.push_str(if p.baskets == 1 {
        " basket"
    } else {
        " baskets"
    });
    let shown: Vec<_> = p
        .operations
        .iter()
        .filter(|(_, s)| s.p50_us.is_some())
        .collect();
    for (op, s) in shown.iter().take(max_ops) {
        line.push_str(&format!(
            " · {op} p50 {} p99 {}",
            format_us(s.p50_us.unwrap_or(0) as f64),
            format_us(s.p99_us.unwrap_or(0) as f64)
        ));
    }
    if shown.len() > max_ops {
        line.push_str(&format!(" · +{} more", shown.len() - max_ops));
    }
    line.push_str(&format!(" · errors {}", group_thousands(p.errors)));
    line
}

/// `HH:MM:SS`, hours unbounded.
pub fn format_hms(d: Duration) -> String {
    let s = d.as_secs();
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// A latency in µs for people: `850us`, `12.3ms`, `312ms`, `1.20 s`, `2.5 min`.
pub fn format_us(us: f64) -> String {
    if us < 1_000.0 {
        format!("{us:.0}us")
    } else if us < 10_000.0 {
        format!("{:.2}ms", us / 1_000.0)
    } else if us < 100_000.0 {
        format!("{:.1}ms", us / 1_000.0)
    } else if us < 1_000_000.0 {
        format!("{:.0}ms", us / 1_000.0)
    } else if us < 60_000_000.0 {
        format!("{:.2} s", us / 1_000_000.0)
    } else {
        format!("{:.1} min", us / 60_000_000.0)
    }
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(p50: u64, p99: u64) -> IntervalStats {
        IntervalStats {
            count: 10,
            errors: 0,
            p50_us: Some(p50),
            p99_us: Some(p99),
            max_us: Some(p99),
        }
    }

    #[test]
    fn formats_the_status_line() {
        let p = Progress {
            elapsed: Duration::from_secs(65),
            total: Some(Duration::from_secs(300)),
            baskets: 1234,
            operations: vec![
                ("scan_to_display".into(), stats(8_200, 21_000)),
                ("card_auth".into(), stats(312_000, 1_200_000)),
                ("qr_pay".into(), IntervalStats::default()),
            ],
            errors: 3,
        };
        assert_eq!(
            format_progress(&p, 4),
            "00:01:05/00:05:00 · 1,234 baskets · scan_to_display p50 8.20ms p99 21.0ms · card_auth p50 312ms p99 1.20 s · errors 3"
        );
        assert_eq!(
            format_progress(&p, 1),
            "00:01:05/00:05:00 · 1,234 baskets · scan_to_display p50 8.20ms p99 21.0ms · +1 more · errors 3"
        );
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000), "1,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
        assert_eq!(format_us(850.0), "850us");
        assert_eq!(format_us(150_000_000.0), "2.5 min");
        assert_eq!(format_hms(Duration::from_secs(3 * 3600 + 7)), "03:00:07");
    }
}
