//! `posrig run --check-determinism` — a scenario run twice in virtual time with the same seed
//! must give the same event log, byte for byte. The check compares the two digests and, when
//! they differ, finds the first diverging event in the two `events.jsonl` files and shows both
//! versions and the virtual time it happened at.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use posrig_sim::clock::TimeMode as ClockMode;
use posrig_sim::event::{first_divergence_in_files, Divergence};

use super::outcome::ScenarioOutcome;
use super::{clock_for, run_plan, TimeChoice};
use crate::scenario::library::DataSet;
use crate::scenario::ScenarioPlan;

/// What the second run said about the first.
#[derive(Debug, Clone)]
pub enum Determinism {
    /// Both runs logged the same events (the digest).
    Identical(String),
    /// The logs differ; the first differing event (`None` if the logs could not be read).
    Diverged {
        first: String,
        second: String,
        divergence: Option<Box<Divergence>>,
        /// Why the logs could not be compared event by event.
        unreadable: Option<String>,
    },
    /// The scenario runs on the wall clock (a POS process, real ports): not checked.
    NotVirtual,
}

impl Determinism {
    pub fn diverged(&self) -> bool {
        matches!(self, Determinism::Diverged { .. })
    }

    /// One line per scenario, then the divergence on the lines below.
    pub fn describe(&self) -> String {
        match self {
            Determinism::Identical(digest) => format!("identical digest {digest}"),
            Determinism::NotVirtual => "not checked: runs in real time".into(),
            Determinism::Diverged {
                first,
                second,
                divergence,
                unreadable,
            } => {
                let mut text = format!("DIVERGED: digest {first} then {second}");
                match (divergence, unreadable) {
                    (Some(d), _) => {
                        let at = d
                            .left
                            .as_ref()
                            .or(d.right.as_ref())
                            .map_or(Duration::ZERO, |e| Duration::from_micros(e.at_us));
                        let show = |e: &Option<posrig_sim::event::Event>| {
                            e.as_ref()
                                .map_or("<end of log>".into(), |e| e.canonical_json())
                        };
                        text.push_str(&format!(
                            "\n  first diverging event: #{} at virtual time {:.6}s\n    first run:  {}\n    second run: {}",
                            d.index,
                            at.as_secs_f64(),
                            show(&d.left),
                            show(&d.right)
                        ));
                    }
                    (None, Some(why)) => text.push_str(&format!("\n  (logs unreadable: {why})")),
                    (None, None) => text
                        .push_str("\n  (the logs hold the same events; only the digest differs)"),
                }
                text
            }
        }
    }
}

/// Runs `plan` twice with `seed` (into `dir/first` and `dir/second`); returns the first run's
/// outcome and the comparison.
pub fn check(
    plan: &ScenarioPlan,
    data: Arc<DataSet>,
    seed: u64,
    time: TimeChoice,
    dir: &Path,
) -> (ScenarioOutcome, Determinism) {
    let first = run_plan(plan, data.clone(), seed, time, &dir.join("first"));
    if clock_for(plan, time) != Ok(ClockMode::Virtual) || first.skipped.is_some() {
        return (first, Determinism::NotVirtual);
    }
    let second = run_plan(plan, data, seed, time, &dir.join("second"));
    let verdict = compare(
        &first.digest,
        &second.digest,
        &dir.join("first/events.jsonl"),
        &dir.join("second/events.jsonl"),
    );
    (first, verdict)
}

/// Compares two runs by digest, and event by event when the digests differ.
pub fn compare(first: &str, second: &str, first_log: &Path, second_log: &Path) -> Determinism {
    if first == second {
        return Determinism::Identical(first.to_owned());
    }
    let (divergence, unreadable) = match first_divergence_in_files(first_log, second_log) {
        Ok(d) => (d.map(Box::new), None),
        Err(e) => (None, Some(e.to_string())),
    };
    Determinism::Diverged {
        first: first.to_owned(),
        second: second.to_owned(),
        divergence,
        unreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_sim::event::{Event, EventKind};

    fn write_log(path: &Path, notes: &[(u64, &str)]) {
        let text: String = notes
            .iter()
            .map(|(at_us, text)| {
                Event {
                    at_us: *at_us,
                    lane: Some(1),
                    source: "lane1/display".into(),
                    kind: EventKind::Note {
                        text: (*text).into(),
                    },
                }
                .canonical_json()
                    + "\n"
            })
            .collect();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_divergence_names_the_event_both_versions_and_its_virtual_time() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        write_log(&a, &[(1_000, "SIGNED ON"), (2_500_000, "TOTAL 12.50")]);
        write_log(&b, &[(1_000, "SIGNED ON"), (2_500_000, "TOTAL 13.50")]);
        let verdict = compare("aaa", "bbb", &a, &b);
        assert!(verdict.diverged());
        let text = verdict.describe();
        assert!(text.contains("#1 at virtual time 2.500000s"), "{text}");
        assert!(
            text.contains("TOTAL 12.50") && text.contains("TOTAL 13.50"),
            "{text}"
        );
    }

    #[test]
    fn the_same_digest_is_identical() {
        let verdict = compare(
            "abc",
            "abc",
            Path::new("/nonexistent"),
            Path::new("/nonexistent"),
        );
        assert!(!verdict.diverged());
        assert_eq!(verdict.describe(), "identical digest abc");
    }
}
