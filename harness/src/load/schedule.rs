//! The store over time — which lanes are open when, and when each lane's shoppers arrive — from
//! the profile's starting settings and its stages (ramps of open lanes and arrival rates).
//!
//! Stages run back to back from the start. Over a stage the number of open lanes moves in a
//! straight line from where the previous stage left it to the stage's `lanes`; lane `n` is open
//! while that number rounds to at least `n` (so a ramp from 10 to 20 over 100 s opens lane 11 at
//! 5 s and lane 20 at 95 s, and a ramp down closes the highest lanes first). A Poisson rate ramps the same way when the stage gives a
//! new Poisson rate (arrivals drawn by thinning); any other change of arrivals applies from the
//! stage's start. After the last stage the store keeps its last settings until `duration`.
//!
//! Arrivals are drawn per lane from the lane's own generator, so a lane's shoppers do not depend
//! on which other lanes run in the same process (shards) or how fast the lanes are (open model).

use std::time::Duration;

use rand::Rng;

use crate::scenario::document::{Arrivals, LoadProfile};
use posrig_sim::rng::ChildRng;

/// At most this many shoppers per lane in one run (every loop is bounded).
pub const MAX_SHOPPERS_PER_LANE: usize = 1_000_000;

/// One stretch of time with straight-line lanes and rate.
#[derive(Debug, Clone)]
struct Segment {
    start_s: f64,
    end_s: f64,
    lanes_from: f64,
    lanes_to: f64,
    arrivals_from: Arrivals,
    arrivals_to: Arrivals,
}

/// The profile's lanes and arrivals over time.
#[derive(Debug, Clone)]
pub struct Schedule {
    segments: Vec<Segment>,
    end_s: f64,
}

impl Schedule {
    /// The schedule of `profile` over its `duration`.
    pub fn of(profile: &LoadProfile) -> Self {
        let end_s = profile.duration.as_std().as_secs_f64();
        let mut segments = Vec::new();
        let mut t = 0.0;
        let mut lanes = f64::from(profile.store.lanes);
        let mut arrivals = profile.shoppers.arrivals.clone();
        for stage in &profile.stages {
            if t >= end_s {
                break;
            }
            let len = stage.duration.as_std().as_secs_f64();
            let to_lanes = stage.lanes.map_or(lanes, f64::from);
            let to_arrivals = stage.arrivals.clone().unwrap_or_else(|| arrivals.clone());
            let end = (t + len).min(end_s);
            // A stage cut short by the duration ends where its straight line is at that moment.
            let frac = if len > 0.0 { (end - t) / len } else { 1.0 };
            let seg_to_lanes = lanes + (to_lanes - lanes) * frac;
            let seg_to_arrivals = lerp_arrivals(&arrivals, &to_arrivals, frac);
            if end > t {
                segments.push(Segment {
                    start_s: t,
                    end_s: end,
                    lanes_from: lanes,
                    lanes_to: seg_to_lanes,
                    arrivals_from: arrivals.clone(),
                    arrivals_to: seg_to_arrivals.clone(),
                });
            }
            t = end;
            lanes = seg_to_lanes;
            arrivals = seg_to_arrivals;
        }
        if t < end_s {
            segments.push(Segment {
                start_s: t,
                end_s,
                lanes_from: lanes,
                lanes_to: lanes,
                arrivals_from: arrivals.clone(),
                arrivals_to: arrivals,
            });
        }
        Schedule { segments, end_s }
    }

    /// The most lanes open at any time (the lanes the run builds).
    pub fn max_lanes(&self) -> u32 {
        self.segments
            .iter()
            .map(|s| s.lanes_from.max(s.lanes_to))
            .fold(0.0, f64::max)
            .round() as u32
    }

    /// Open lanes at `t` (seconds since the start).
    pub fn lanes_at(&self, t_s: f64) -> u32 {
        self.segments
            .iter()
            .find(|s| t_s >= s.start_s && t_s < s.end_s)
            .map(|s| lanes_in(s, t_s))
            .unwrap_or(0)
    }

    /// The time windows (seconds) in which lane `lane` (1-based) is open.
    pub fn open_windows(&self, lane: u32) -> Vec<(f64, f64)> {
        // Rounding: lane `n` is open while the straight line is at `n - 0.5` or more.
        let n = f64::from(lane) - 0.5;
        let mut out: Vec<(f64, f64)> = Vec::new();
        for s in &self.segments {
            let (a, b) = (s.lanes_from, s.lanes_to);
            let window = if a >= n && b >= n {
                Some((s.start_s, s.end_s))
            } else if a < n && b < n {
                None
            } else {
                // The straight line crosses `n` once inside the segment.
                let cross = s.start_s + (n - a) / (b - a) * (s.end_s - s.start_s);
                if b > a {
                    Some((cross, s.end_s))
                } else {
                    Some((s.start_s, cross))
                }
            };
            if let Some((x, y)) = window {
                if y <= x {
                    continue;
                }
                match out.last_mut() {
                    Some(last) if (last.1 - x).abs() < 1e-9 => last.1 = y,
                    _ => out.push((x, y)),
                }
            }
        }
        out
    }

    /// Arrival times of lane `lane`'s shoppers, drawn from `rng`, in order.
    pub fn arrivals(&self, lane: u32, rng: &mut ChildRng) -> Vec<Duration> {
        let windows = self.open_windows(lane);
        let mut out = Vec::new();
        // Constant arrivals keep their rhythm across segments, from a random phase per lane so
        // lanes do not all take shoppers in the same instant.
        let phase: f64 = rng.gen_range(0.0..1.0);
        let mut next_constant: Option<f64> = None;
        for s in &self.segments {
            for &(wa, wb) in &windows {
                let (a, b) = (wa.max(s.start_s), wb.min(s.end_s));
                if b <= a {
                    continue;
                }
                match (&s.arrivals_from, &s.arrivals_to) {
                    (Arrivals::Poisson(r0), Arrivals::Poisson(r1)) => {
                        let rate = |t: f64| {
                            let f = if s.end_s > s.start_s {
                                (t - s.start_s) / (s.end_s - s.start_s)
                            } else {
                                0.0
                            };
                            (r0.per_minute + (r1.per_minute - r0.per_minute) * f) / 60.0
                        };
                        let max = rate(a).max(rate(b));
                        if max <= 0.0 {
                            continue;
                        }
                        // Thinning: candidates at the highest rate, each kept with rate(t)/max.
                        let mut t = a;
                        while out.len() < MAX_SHOPPERS_PER_LANE {
                            let u: f64 = rng.gen_range(f64::EPSILON..1.0);
                            t += -u.ln() / max;
                            if t >= b {
                                break;
                            }
                            let keep: f64 = rng.gen_range(0.0..1.0);
                            if keep * max < rate(t) {
                                out.push(Duration::from_secs_f64(t));
                            }
                        }
                    }
                    (_, Arrivals::Constant(i)) => {
                        let every = i.every.as_std().as_secs_f64();
                        if every <= 0.0 {
                            continue;
                        }
                        let mut t = match next_constant {
                            Some(t) if t >= a => t,
                            _ => a + every * phase,
                        };
                        while t < b && out.len() < MAX_SHOPPERS_PER_LANE {
                            out.push(Duration::from_secs_f64(t));
                            t += every;
                        }
                        next_constant = Some(t);
                    }
                    (Arrivals::Constant(_), Arrivals::Poisson(r)) => {
                        let rate = r.per_minute / 60.0;
                        if rate <= 0.0 {
                            continue;
                        }
                        let mut t = a;
                        while out.len() < MAX_SHOPPERS_PER_LANE {
                            let u: f64 = rng.gen_range(f64::EPSILON..1.0);
                            t += -u.ln() / rate;
                            if t >= b {
                                break;
                            }
                            out.push(Duration::from_secs_f64(t));
                        }
                    }
                }
            }
        }
        out
    }

    /// End of arrivals (the profile's duration), seconds.
    pub fn end_s(&self) -> f64 {
        self.end_s
    }
}

fn lanes_in(s: &Segment, t_s: f64) -> u32 {
    let f = if s.end_s > s.start_s {
        (t_s - s.start_s) / (s.end_s - s.start_s)
    } else {
        0.0
    };
    (s.lanes_from + (s.lanes_to - s.lanes_from) * f).round() as u32
}

/// Arrivals `frac` of the way from `a` to `b`: Poisson rates in a straight line, otherwise `b`.
fn lerp_arrivals(a: &Arrivals, b: &Arrivals, frac: f64) -> Arrivals {
    match (a, b) {
        (Arrivals::Poisson(r0), Arrivals::Poisson(r1)) => {
            let mut r = r1.clone();
            r.per_minute = r0.per_minute + (r1.per_minute - r0.per_minute) * frac;
            Arrivals::Poisson(r)
        }
        _ => b.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_sim::rng::SimRng;

    fn profile(yaml: &str) -> LoadProfile {
        crate::scenario::source::SourceFile::from_text(std::path::Path::new("t.yaml"), yaml)
            .parse()
            .unwrap_or_else(|p| panic!("{}", p.message))
    }

    const RUSH: &str = "
name: t
duration: 10m
store: {lanes: 10}
shoppers:
  arrivals: {poisson: {per_minute: 1.5}}
  mix: [{journey: quick-card-sale}]
stages:
  - {duration: 2m, lanes: 20}
  - {duration: 3m, lanes: 40, arrivals: {poisson: {per_minute: 3}}}
  - {duration: 5m, lanes: 40}
";

    #[test]
    fn lanes_ramp_in_straight_lines_and_hold() {
        let s = Schedule::of(&profile(RUSH));
        assert_eq!(s.max_lanes(), 40);
        assert_eq!(s.lanes_at(0.0), 10);
        assert_eq!(s.lanes_at(60.0), 15);
        assert_eq!(s.lanes_at(120.0), 20);
        assert_eq!(s.lanes_at(210.0), 30);
        assert_eq!(s.lanes_at(400.0), 40);
        // Lane 15 opens when the first ramp reaches 14.5; lane 5 is open throughout.
        assert_eq!(s.open_windows(5), vec![(0.0, 600.0)]);
        let w = s.open_windows(15);
        assert_eq!(w.len(), 1);
        assert!((w[0].0 - 54.0).abs() < 1e-6 && w[0].1 == 600.0, "{w:?}");
    }

    #[test]
    fn a_lane_gets_no_shopper_before_it_opens_and_rates_ramp() {
        let s = Schedule::of(&profile(RUSH));
        let root = SimRng::new(3);
        let late = s.arrivals(40, &mut root.child("lane40/arrivals"));
        let opens = s.open_windows(40)[0].0;
        assert!((opens - 295.5).abs() < 1e-6, "{opens}");
        assert!(late.iter().all(|t| t.as_secs_f64() >= opens));
        // Lane 1 over 10 min at 1.5 → 3 per minute: about 2 min × 1.5 + 3 min × 2.25 + 5 min × 3.
        let early = s.arrivals(1, &mut root.child("lane1/arrivals"));
        let expect = 2.0 * 1.5 + 3.0 * 2.25 + 5.0 * 3.0;
        let n = early.len() as f64;
        assert!((n - expect).abs() < 4.0 * expect.sqrt(), "{n} vs {expect}");
        assert!(early.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn a_ramp_down_closes_the_highest_lanes_first() {
        let s = Schedule::of(&profile(
            "
name: t
duration: 1m
store: {lanes: 4}
shoppers:
  arrivals: {constant: {every: 5s}}
  mix: [{journey: quick-card-sale}]
stages:
  - {duration: 40s, lanes: 0}
",
        ));
        assert_eq!(s.open_windows(4), vec![(0.0, 5.0)]);
        assert_eq!(s.open_windows(1), vec![(0.0, 35.0)]);
        assert_eq!(s.lanes_at(50.0), 0);
        let root = SimRng::new(1);
        let a = s.arrivals(4, &mut root.child("x"));
        assert!(a.len() == 1 && a[0].as_secs_f64() < 5.0, "{a:?}");
    }
}
