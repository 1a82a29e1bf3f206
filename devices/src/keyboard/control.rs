//! How the keyboard is set up, what a person does to it and what goes wrong, as plain data.

use serde::{Deserialize, Serialize};

use super::keys::KeySequence;

/// Keyboard settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeyboardConfig {
    /// Pause between keys of a `type` action (human typing); 0 sends them back to back.
    pub key_delay_ms: u64,
    /// How often a stuck key repeats.
    pub repeat_ms: u64,
}

impl Default for KeyboardConfig {
    fn default() -> Self {
        KeyboardConfig {
            key_delay_ms: 0,
            repeat_ms: 100,
        }
    }
}

/// A person at the keyboard.
///
/// JSON shapes: `{"action": "press", "key": "TOTAL"}`;
/// `{"action": "type", "keys": ["1", "2", "PLU"]}` or `{"action": "type", "keys": "12 PLU"}`,
/// optionally with `"delay_ms": 150` between keys (overrides `key_delay_ms`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyboardAction {
    Press {
        key: String,
    },
    Type {
        keys: KeySequence,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delay_ms: Option<u64>,
    },
}

/// A keyboard fault: `{"fault": "stuck_key", "key": "5"}` (the key repeats every `repeat_ms`
/// until cleared), `{"fault": "chatter"}` (every key is sent twice), `{"fault": "unplugged"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyboardFault {
    StuckKey { key: String },
    Chatter,
    Unplugged,
}

impl KeyboardFault {
    /// The fault's name, as in its JSON tag.
    pub fn name(&self) -> &'static str {
        match self {
            KeyboardFault::StuckKey { .. } => "stuck_key",
            KeyboardFault::Chatter => "chatter",
            KeyboardFault::Unplugged => "unplugged",
        }
    }
}
