//! What a person does to the customer display and what goes wrong with it, as plain data.

use serde::{Deserialize, Serialize};

/// A person acting on the display: `{"action": "power_cycle"}` (blank screen, power-on state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DisplayAction {
    PowerCycle,
}

/// A display fault: `{"fault": "unplugged"}`, `{"fault": "garbled"}` or
/// `{"fault": "garbled", "every": 5}`, `{"fault": "blank"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case", deny_unknown_fields)]
pub enum DisplayFault {
    /// Nothing the host sends arrives.
    Unplugged,
    /// A noisy line: every `every`-th byte received is lost (default 7).
    Garbled {
        #[serde(default = "default_every")]
        every: u32,
    },
    /// The screen shows nothing (dead backlight or tube); commands are still applied, so the
    /// text comes back when the fault clears.
    Blank,
}

fn default_every() -> u32 {
    7
}

impl DisplayFault {
    /// The fault's name, as in its JSON tag.
    pub fn name(&self) -> &'static str {
        match self {
            DisplayFault::Unplugged => "unplugged",
            DisplayFault::Garbled { .. } => "garbled",
            DisplayFault::Blank => "blank",
        }
    }
}
