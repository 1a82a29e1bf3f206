//! Impairments — the extension point for latency, pacing, slicing, corruption, drops, stalls and
//! forced closes on one direction of a link. Plain data: a YAML file, a CLI flag and a test all
//! build the same value.

use super::frame::CharFrame;
use crate::rng::ChildRng;
use rand::Rng;
use rand_distr::{Distribution, LogNormal, Pareto};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// What happens to bytes travelling one direction of a link. The default impairs nothing.
///
/// Stages, in the order bytes meet them: drop and corruption (per byte, as read), latency (per
/// chunk as read; a later chunk never overtakes an earlier one), stall (held until repaired),
/// pacing (the line's serialisation rate), slicing (delivery in pieces), close after N bytes.
///
/// ```
/// use posrig_sim::wire::Impairment;
/// let noisy: Impairment = serde_yaml::from_str("
/// latency: { dist: uniform, min_ms: 20, max_ms: 80 }
/// pacing: { baud: 9600, frame: 7E1 }
/// corrupt_per_byte: 0.001
/// ").unwrap();
/// assert!(noisy.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Impairment {
    /// Delay added to each chunk as it is read.
    pub latency: Option<Latency>,
    /// Serialisation rate of the line (baud rate or bytes per second).
    pub pacing: Option<Pacing>,
    /// Deliver in pieces of at most this many bytes.
    pub slicing: Option<Slicing>,
    /// Probability that a byte has one random bit flipped.
    pub corrupt_per_byte: f64,
    /// Probability that a byte is lost.
    pub drop_per_byte: f64,
    /// Hold every byte, delivering nothing, until un-stalled (a partition). Held bytes are then
    /// delivered in order.
    pub stalled: bool,
    /// Close the link (both sides see EOF) once this many bytes have been delivered in this
    /// direction, counted from when this value was set.
    pub close_after_bytes: Option<u64>,
}

/// The distribution of the delay added to each chunk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Latency {
    /// Always `ms`.
    Fixed { ms: f64 },
    /// Uniform between `min_ms` and `max_ms` (latency plus jitter).
    Uniform { min_ms: f64, max_ms: f64 },
    /// Pareto with scale `min_ms` and tail index `shape` (smaller is heavier), capped at `max_ms`.
    Pareto {
        min_ms: f64,
        shape: f64,
        #[serde(default)]
        max_ms: Option<f64>,
    },
    /// Log-normal with the given median and σ of the underlying normal, capped at `max_ms`.
    LogNormal {
        median_ms: f64,
        sigma: f64,
        #[serde(default)]
        max_ms: Option<f64>,
    },
}

/// A line's serialisation rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum Pacing {
    /// An asynchronous serial line: `baud` bit times per second, `frame` bit times per byte
    /// (9600 baud 8N1 is 960 bytes per second).
    Baud {
        baud: u32,
        #[serde(default)]
        frame: CharFrame,
    },
    /// A plain byte rate.
    BytesPerSec { bytes_per_sec: u64 },
}

/// Delivery in pieces, to exercise decoders that must reassemble frames.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slicing {
    /// Largest piece delivered at once (at least 1).
    pub max_bytes: usize,
    /// Pause between pieces (0: pieces are written separately, back to back).
    #[serde(default)]
    pub gap_ms: f64,
}

/// An impairment that cannot be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImpairmentError {
    #[error("use probability `{field}` = {value}: it must be between 0 and 1")]
    Probability { field: &'static str, value: f64 },
    #[error("use latency {latency:?}: {reason}")]
    Latency {
        latency: Latency,
        reason: &'static str,
    },
    #[error("use pacing {pacing:?}: the rate must be positive")]
    Pacing { pacing: Pacing },
    #[error(
        "use slicing {slicing:?}: max_bytes must be at least 1 and gap_ms finite and not negative"
    )]
    Slicing { slicing: Slicing },
}

impl Impairment {
    /// Nothing impaired.
    pub fn none() -> Self {
        Self::default()
    }

    /// A fixed latency.
    pub fn latency_ms(ms: f64) -> Self {
        Self {
            latency: Some(Latency::Fixed { ms }),
            ..Self::default()
        }
    }

    /// Paced like a serial line at `baud` with `frame`.
    pub fn serial_line(baud: u32, frame: CharFrame) -> Self {
        Self {
            pacing: Some(Pacing::Baud { baud, frame }),
            ..Self::default()
        }
    }

    /// Everything held (a partition of this direction).
    pub fn stalled() -> Self {
        Self {
            stalled: true,
            ..Self::default()
        }
    }

    /// Whether this impairs nothing.
    pub fn is_none(&self) -> bool {
        *self == Self::default()
    }

    /// Checks every parameter.
    pub fn validate(&self) -> Result<(), ImpairmentError> {
        for (field, value) in [
            ("corrupt_per_byte", self.corrupt_per_byte),
            ("drop_per_byte", self.drop_per_byte),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(ImpairmentError::Probability { field, value });
            }
        }
        if let Some(latency) = &self.latency {
            latency.validate()?;
        }
        if let Some(pacing) = self.pacing {
            let positive = match pacing {
                Pacing::Baud { baud, .. } => baud > 0,
                Pacing::BytesPerSec { bytes_per_sec } => bytes_per_sec > 0,
            };
            if !positive {
                return Err(ImpairmentError::Pacing { pacing });
            }
        }
        if let Some(slicing) = self.slicing {
            if slicing.max_bytes == 0 || !slicing.gap_ms.is_finite() || slicing.gap_ms < 0.0 {
                return Err(ImpairmentError::Slicing { slicing });
            }
        }
        Ok(())
    }

    /// Applies per-byte drop and corruption to `data` in place, drawing from `rng`.
    ///
    /// Draws are made per byte and only for non-zero probabilities, so the same seed and the same
    /// bytes give the same damaged positions whatever the read chunking.
    pub(crate) fn damage(&self, data: &mut Vec<u8>, rng: &mut ChildRng) {
        if self.drop_per_byte <= 0.0 && self.corrupt_per_byte <= 0.0 {
            return;
        }
        data.retain_mut(|byte| {
            if self.drop_per_byte > 0.0 && rng.gen_bool(self.drop_per_byte) {
                return false;
            }
            if self.corrupt_per_byte > 0.0 && rng.gen_bool(self.corrupt_per_byte) {
                *byte ^= 1 << rng.gen_range(0..8u8);
            }
            true
        });
    }
}

impl Latency {
    /// Checks the distribution's parameters.
    pub fn validate(&self) -> Result<(), ImpairmentError> {
        let bad = |reason| {
            Err(ImpairmentError::Latency {
                latency: self.clone(),
                reason,
            })
        };
        let ok_ms = |v: f64| v.is_finite() && v >= 0.0;
        let positive = |v: f64| v.is_finite() && v > 0.0;
        match *self {
            Latency::Fixed { ms } if !ok_ms(ms) => bad("ms must be finite and not negative"),
            Latency::Uniform { min_ms, max_ms } if !(ok_ms(min_ms) && ok_ms(max_ms)) => {
                bad("bounds must be finite and not negative")
            }
            Latency::Uniform { min_ms, max_ms } if min_ms > max_ms => bad("min_ms exceeds max_ms"),
            Latency::Pareto { min_ms, shape, .. } if !(positive(min_ms) && positive(shape)) => {
                bad("min_ms and shape must be positive")
            }
            Latency::LogNormal {
                median_ms, sigma, ..
            } if !(positive(median_ms) && ok_ms(sigma)) => {
                bad("median_ms must be positive and sigma not negative")
            }
            Latency::Pareto {
                max_ms: Some(m), ..
            }
            | Latency::LogNormal {
                max_ms: Some(m), ..
            } if !ok_ms(m) => bad("max_ms must be finite and not negative"),
            _ => Ok(()),
        }
    }

    /// Draws one delay. Parameters must have passed [`Latency::validate`]; invalid ones yield zero.
    pub fn sample(&self, rng: &mut ChildRng) -> Duration {
        let ms = match *self {
            Latency::Fixed { ms } => ms,
            Latency::Uniform { min_ms, max_ms } if min_ms < max_ms => {
                rng.gen_range(min_ms..=max_ms)
            }
            Latency::Uniform { min_ms, .. } => min_ms,
            Latency::Pareto {
                min_ms,
                shape,
                max_ms,
            } => Pareto::new(min_ms, shape)
                .map(|d| cap(d.sample(rng), max_ms))
                .unwrap_or(0.0),
            Latency::LogNormal {
                median_ms,
                sigma,
                max_ms,
            } => LogNormal::new(median_ms.ln(), sigma)
                .map(|d| cap(d.sample(rng), max_ms))
                .unwrap_or(0.0),
        };
        if ms.is_finite() && ms > 0.0 {
            // Whole microseconds, so that logs never carry sub-microsecond float noise.
            Duration::from_micros((ms * 1000.0).round() as u64)
        } else {
            Duration::ZERO
        }
    }
}

fn cap(ms: f64, max_ms: Option<f64>) -> f64 {
    max_ms.map_or(ms, |m| ms.min(m))
}

impl Pacing {
    /// Time the line needs to serialise `bytes` bytes, rounded up to whole nanoseconds.
    ///
    /// Computed from the byte count in one step, so long transfers never accumulate rounding
    /// drift: 960 bytes at 9600 baud 8N1 take exactly one second.
    pub fn duration_for(&self, bytes: u64) -> Duration {
        let (bit_times, per_sec) = match *self {
            Pacing::Baud { baud, frame } => (
                u128::from(bytes) * u128::from(frame.bits_per_char()),
                u128::from(baud),
            ),
            Pacing::BytesPerSec { bytes_per_sec } => (u128::from(bytes), u128::from(bytes_per_sec)),
        };
        let nanos = (bit_times * 1_000_000_000).div_ceil(per_sec.max(1));
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// Bytes per second (fractional for baud rates whose frame does not divide them).
    pub fn bytes_per_sec(&self) -> f64 {
        match *self {
            Pacing::Baud { baud, frame } => f64::from(baud) / f64::from(frame.bits_per_char()),
            Pacing::BytesPerSec { bytes_per_sec } => bytes_per_sec as f64,
        }
    }

    /// How many bytes the pump hands over at once: about one millisecond's worth, at least one.
    pub(crate) fn quantum(&self) -> usize {
        (self.bytes_per_sec() / 1000.0).ceil().max(1.0) as usize
    }
}

impl fmt::Display for Impairment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(latency) = &self.latency {
            parts.push(match latency {
                Latency::Fixed { ms } => format!("latency {ms}ms"),
                Latency::Uniform { min_ms, max_ms } => format!("latency {min_ms}..{max_ms}ms"),
                Latency::Pareto { min_ms, shape, .. } => {
                    format!("latency pareto({min_ms}ms, {shape})")
                }
                Latency::LogNormal {
                    median_ms, sigma, ..
                } => {
                    format!("latency lognormal({median_ms}ms, {sigma})")
                }
            });
        }
        if let Some(pacing) = &self.pacing {
            parts.push(match pacing {
                Pacing::Baud { baud, frame } => format!("{baud} baud {frame}"),
                Pacing::BytesPerSec { bytes_per_sec } => format!("{bytes_per_sec} B/s"),
            });
        }
        if let Some(slicing) = &self.slicing {
            parts.push(format!("slices of {} bytes", slicing.max_bytes));
        }
        if self.corrupt_per_byte > 0.0 {
            parts.push(format!("corrupt {}/byte", self.corrupt_per_byte));
        }
        if self.drop_per_byte > 0.0 {
            parts.push(format!("drop {}/byte", self.drop_per_byte));
        }
        if self.stalled {
            parts.push("stalled".to_owned());
        }
        if let Some(n) = self.close_after_bytes {
            parts.push(format!("close after {n} bytes"));
        }
        if parts.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    #[test]
    fn pacing_math() {
        let n81 = Pacing::Baud {
            baud: 9600,
            frame: CharFrame::N81,
        };
        assert_eq!(n81.duration_for(960), Duration::from_secs(1));
        assert_eq!(n81.quantum(), 1);
        let e71 = Pacing::Baud {
            baud: 9600,
            frame: CharFrame::E71,
        };
        assert_eq!(e71.duration_for(960), Duration::from_secs(1));
        let e81 = Pacing::Baud {
            baud: 9600,
            frame: "8E1".parse().unwrap(),
        };
        assert_eq!(e81.duration_for(9600), Duration::from_secs(11));
        let fast = Pacing::Baud {
            baud: 115_200,
            frame: CharFrame::N81,
        };
        assert_eq!(fast.quantum(), 12);
        assert_eq!(
            Pacing::BytesPerSec {
                bytes_per_sec: 1000
            }
            .duration_for(1),
            Duration::from_millis(1)
        );
    }

    #[test]
    fn yaml_round_trip_and_unknown_keys() {
        let imp = Impairment {
            latency: Some(Latency::Pareto {
                min_ms: 30.0,
                shape: 1.5,
                max_ms: Some(2000.0),
            }),
            pacing: Some(Pacing::BytesPerSec {
                bytes_per_sec: 12_500,
            }),
            slicing: Some(Slicing {
                max_bytes: 3,
                gap_ms: 0.0,
            }),
            drop_per_byte: 0.01,
            ..Impairment::default()
        };
        let yaml = serde_yaml::to_string(&imp).unwrap();
        assert_eq!(serde_yaml::from_str::<Impairment>(&yaml).unwrap(), imp);
        assert!(serde_yaml::from_str::<Impairment>("latncy: {dist: fixed, ms: 1}").is_err());
        let serial: Impairment = serde_yaml::from_str("pacing: {baud: 9600}").unwrap();
        assert_eq!(
            serial.pacing,
            Some(Pacing::Baud {
                baud: 9600,
                frame: CharFrame::N81
            })
        );
    }

    #[test]
    fn validation_rejects_nonsense() {
        assert!(Impairment {
            drop_per_byte: 1.5,
            ..Impairment::default()
        }
        .validate()
        .is_err());
        assert!(Impairment {
            latency: Some(Latency::Uniform {
                min_ms: 5.0,
                max_ms: 1.0
            }),
            ..Impairment::default()
        }
        .validate()
        .is_err());
        assert!(Impairment {
            slicing: Some(Slicing {
                max_bytes: 0,
                gap_ms: 0.0
            }),
            ..Impairment::default()
        }
        .validate()
        .is_err());
    }

    #[test]
    fn long_tail_samples_respect_floor_and_cap() {
        let mut rng = SimRng::new(1).child("t");
        let pareto = Latency::Pareto {
            min_ms: 10.0,
            shape: 1.1,
            max_ms: Some(500.0),
        };
        for _ in 0..1000 {
            let d = pareto.sample(&mut rng);
            assert!(d >= Duration::from_millis(10) && d <= Duration::from_millis(500));
        }
    }
}
