//! Divergence — the first point where two event logs differ, for the virtual-time determinism
//! checker.

use super::kind::Event;
use super::log::{read_log, EventLogError};
use std::path::Path;

/// The first event at which two logs differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// Zero-based index of the first differing event.
    pub index: usize,
    /// The left log's event there (`None` if the left log ended first).
    pub left: Option<Event>,
    /// The right log's event there (`None` if the right log ended first).
    pub right: Option<Event>,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |e: &Option<Event>| match e {
            Some(e) => e.canonical_json(),
            None => "<end of log>".to_owned(),
        };
        write!(
            f,
            "logs diverge at event {}:\n  left:  {}\n  right: {}",
            self.index,
            show(&self.left),
            show(&self.right)
        )
    }
}

/// Finds the first differing event, comparing canonical JSON (what the digest covers).
/// Returns `None` when the logs are identical.
pub fn first_divergence(left: &[Event], right: &[Event]) -> Option<Divergence> {
    let len = left.len().max(right.len());
    (0..len).find_map(|index| {
        let l = left.get(index);
        let r = right.get(index);
        let same = match (l, r) {
            (Some(l), Some(r)) => l.canonical_json() == r.canonical_json(),
            _ => false,
        };
        (!same).then(|| Divergence {
            index,
            left: l.cloned(),
            right: r.cloned(),
        })
    })
}

/// [`first_divergence`] over two `events.jsonl` files.
pub fn first_divergence_in_files(
    left: impl AsRef<Path>,
    right: impl AsRef<Path>,
) -> Result<Option<Divergence>, EventLogError> {
    Ok(first_divergence(&read_log(left)?, &read_log(right)?))
}
