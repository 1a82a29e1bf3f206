//! How the scale is set up, what a person does to it and what goes wrong, as plain data.

use serde::{Deserialize, Serialize};

/// Scale settings.
///
/// The real link is 9600 baud, 7 data bits, even parity, 1 stop bit. That framing belongs to
/// the serial port the scale is served on (a pty has none); the device itself deals in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScaleConfig {
    /// Heaviest load the scale weighs; above it, it reports over capacity.
    pub capacity_g: u32,
    /// How long a load swings after it is placed or removed before the reading is stable;
    /// unset, it stays in motion until the `settle` action.
    pub settle_ms: Option<u64>,
}

impl Default for ScaleConfig {
    fn default() -> Self {
        ScaleConfig {
            capacity_g: 15_000,
            settle_ms: Some(500),
        }
    }
}

/// A person at the scale: `{"action": "place", "grams": 1250}` (the load on the platter is now
/// 1250 g), `{"action": "remove"}` (platter empty), `{"action": "settle"}` (motion ends now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScaleAction {
    Place { grams: u32 },
    Remove,
    Settle,
}

/// A scale fault: `{"fault": "motion"}` (never settles), `over_capacity`, `under_zero`,
/// `unplugged` (no answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScaleFault {
    Motion,
    OverCapacity,
    UnderZero,
    Unplugged,
}

impl ScaleFault {
    /// The fault's name, as in its JSON tag.
    pub fn name(&self) -> &'static str {
        match self {
            ScaleFault::Motion => "motion",
            ScaleFault::OverCapacity => "over_capacity",
            ScaleFault::UnderZero => "under_zero",
            ScaleFault::Unplugged => "unplugged",
        }
    }
}
