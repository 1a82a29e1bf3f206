//! Human think times between a shopper's actions, drawn from the profile's distribution.

use std::time::Duration;

use rand::Rng;

use crate::run::PACE;
use crate::scenario::document::Think;
use posrig_sim::rng::ChildRng;

/// A think time drawn from the profile's distribution (PACE without one).
pub fn think_time(think: &Option<Think>, rng: &mut ChildRng) -> Duration {
    let secs = match think {
        None => return PACE,
        Some(Think::Fixed { time }) => return time.as_std(),
        Some(Think::Uniform { min, max }) => {
            let (a, b) = (min.as_std().as_secs_f64(), max.as_std().as_secs_f64());
            if b > a {
                rng.gen_range(a..b)
            } else {
                a
            }
        }
        Some(Think::Exponential { mean }) => {
            let u: f64 = rng.gen_range(f64::EPSILON..1.0);
            -u.ln() * mean.as_std().as_secs_f64()
        }
        Some(Think::LogNormal { median, sigma }) => {
            // Box–Muller for a standard normal.
            let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
            let u2: f64 = rng.gen_range(0.0..1.0);
            let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            median.as_std().as_secs_f64() * (sigma * z).exp()
        }
    };
    Duration::from_secs_f64(secs.clamp(0.0, 3600.0))
}
