//! When a run stops — arrivals end at the profile's duration, shoppers in progress get a short
//! bounded drain, and a threshold marked `abort_on_fail` stops everything early once it fails.
//!
//! Every wait of a lane goes through [`Stop::bounded`], so nothing a lane does (a step waiting
//! on a stalled host, a receipt that never comes) can hold the run past its deadline.

use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

use posrig_reports::{Recorder, Thresholds};
use tokio::sync::Notify;
use tokio::time::Instant;

/// A threshold that aborts is judged only once its operation has this many attempts (samples
/// and errors), so one early error cannot end a run.
pub const ABORT_MIN_ATTEMPTS: u64 = 20;

/// The run's end: the deadline, and an early abort with its reason.
pub struct Stop {
    /// No shopper starts at or after this (the profile's duration).
    pub arrivals_end: Instant,
    /// Shoppers still in progress are cut off here (arrivals end + drain).
    pub deadline: Instant,
    /// Why the run was aborted. Lanes waiting in [`Stop::bounded`] are woken through one
    /// `Notify`, whose waiters wake in a fixed order: a `watch` channel spreads its waiters
    /// over several `Notify`s picked at random, which made the lanes' order after an abort
    /// (and so the event log) differ between runs of the same seed.
    abort: RefCell<Option<String>>,
    aborted: Notify,
}

impl Stop {
    pub fn new(arrivals_end: Instant, drain: Duration) -> Self {
        Stop {
            arrivals_end,
            deadline: arrivals_end + drain,
            abort: RefCell::new(None),
            aborted: Notify::new(),
        }
    }

    /// Why the run was aborted, if it was.
    pub fn aborted(&self) -> Option<String> {
        self.abort.borrow().clone()
    }

    /// Aborts the run (the first reason wins).
    pub fn abort(&self, why: String) {
        let mut a = self.abort.borrow_mut();
        if a.is_none() {
            *a = Some(why);
            self.aborted.notify_waiters();
        }
    }

    /// Whether the run is over for lanes: past the deadline or aborted.
    pub fn is_over(&self) -> bool {
        Instant::now() >= self.deadline || self.abort.borrow().is_some()
    }

    /// Whether a shopper who would start at `at` may still start.
    pub fn may_start(&self, at: Instant) -> bool {
        at < self.arrivals_end && !self.is_over()
    }

    /// Runs `f` until it ends, the deadline passes or the run is aborted (then `None`).
    pub async fn bounded<T>(&self, f: impl Future<Output = T>) -> Option<T> {
        // Created before the check, so an abort in between still wakes it.
        let aborted = self.aborted.notified();
        if self.abort.borrow().is_some() {
            return None;
        }
        tokio::select! {
            biased;
            v = f => Some(v),
            _ = tokio::time::sleep_until(self.deadline) => None,
            _ = aborted => None,
        }
    }

    /// Checks the thresholds marked `abort_on_fail` against what `rec` measured so far and
    /// aborts on the first that fails; returns the reason when it did.
    pub fn check(&self, rec: &Recorder, thresholds: &Thresholds, now: Duration) -> Option<String> {
        if self.abort.borrow().is_some() {
            return None;
        }
        for (op, t) in thresholds.iter() {
            if !t.abort_on_fail {
                continue;
            }
            let Some(results) = rec.results_so_far(op) else {
                continue;
            };
            if results.histogram.len() + results.error_count() < ABORT_MIN_ATTEMPTS {
                continue;
            }
            let r = t.evaluate(op, Some(&results), now.as_secs_f64());
            if !r.passed {
                let why = format!(
                    "aborted at {:.0} s: `{op}: {}` failed (observed {})",
                    now.as_secs_f64(),
                    r.expression,
                    r.observed_text
                );
                self.abort(why.clone());
                return Some(why);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_reports::RunInfo;

    fn paused<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn waits_end_at_the_deadline_and_at_an_abort() {
        paused(async {
            let start = Instant::now();
            let stop = Stop::new(start + Duration::from_secs(10), Duration::from_secs(3));
            assert!(stop.may_start(start + Duration::from_secs(9)));
            assert!(!stop.may_start(start + Duration::from_secs(10)));
            // A wait that would end after the deadline is cut at it, in virtual time exactly.
            let r = stop
                .bounded(tokio::time::sleep(Duration::from_secs(60)))
                .await;
            assert_eq!(r, None);
            assert_eq!(start.elapsed(), Duration::from_secs(13));
            assert!(stop.is_over());
        });
        paused(async {
            let start = Instant::now();
            let stop = std::rc::Rc::new(Stop::new(start + Duration::from_secs(10), Duration::ZERO));
            let local = tokio::task::LocalSet::new();
            let waiter = {
                let stop = stop.clone();
                local.run_until(async move {
                    let s = stop.clone();
                    let abort = tokio::task::spawn_local(async move {
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        s.abort("first".into());
                        s.abort("second".into());
                    });
                    let r = stop
                        .bounded(tokio::time::sleep(Duration::from_secs(5)))
                        .await;
                    abort.await.unwrap();
                    r
                })
            };
            assert_eq!(waiter.await, None);
            assert_eq!(start.elapsed(), Duration::from_secs(2));
            assert_eq!(stop.aborted().as_deref(), Some("first"));
            // After an abort nothing waits.
            assert_eq!(stop.bounded(async { 1 }).await, None);
        });
    }

    #[test]
    fn an_abort_threshold_is_judged_only_with_enough_attempts() {
        paused(async {
            let stop = Stop::new(Instant::now() + Duration::from_secs(60), Duration::ZERO);
            let thresholds: Thresholds = serde_json::from_str(
                r#"{"checkout": [{"threshold": "p99 < 1s", "abort_on_fail": true}], "card_auth": ["p99 < 1ms"]}"#,
            )
            .unwrap();
            let mut rec = Recorder::new(RunInfo::new("t"), Duration::from_secs(1));
            for _ in 0..ABORT_MIN_ATTEMPTS - 1 {
                rec.record("checkout", "store", Duration::from_secs(5));
                rec.record("card_auth", "store", Duration::from_secs(5));
            }
            assert_eq!(stop.check(&rec, &thresholds, Duration::from_secs(5)), None);
            rec.record("checkout", "store", Duration::from_secs(5));
            let why = stop
                .check(&rec, &thresholds, Duration::from_secs(6))
                .unwrap();
            assert!(
                why.contains("aborted at 6 s: `checkout: p99 < 1s` failed"),
                "{why}"
            );
            assert_eq!(stop.aborted(), Some(why));
        });
    }
}
