//! What a person does at the card reader and PIN pad: present a card (insert, swipe, tap),
//! pull it out, and answer the PIN prompt.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An action on the pad, as JSON:
/// `{"action": "insert", "card": "chip-ok"}`, `{"action": "swipe", "card": "swipe-only"}`,
/// `{"action": "tap", "card": "tap-ok"}`, `{"action": "remove"}`,
/// `{"action": "enter_pin", "pin": "1234"}` (or without `pin`: the card's own PIN from the card
/// file), `{"action": "bypass_pin"}`, `{"action": "cancel_pin"}`.
///
/// Cards are named as in the card file. `Debug` never shows the PIN.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum PinPadAction {
    /// Insert a chip card into the slot; it stays there until `remove`.
    Insert { card: String },
    /// Swipe a card through the magnetic-stripe reader.
    Swipe { card: String },
    /// Hold a contactless card to the pad.
    Tap { card: String },
    /// Take the inserted card out of the slot.
    Remove {},
    /// Type a PIN and press enter. Without `pin`, the presented card's own PIN is typed, so
    /// scenarios need not repeat PINs from the card file.
    EnterPin {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<String>,
    },
    /// Press enter without a PIN.
    BypassPin {},
    /// Press cancel at the PIN prompt.
    CancelPin {},
}

impl PinPadAction {
    /// The action's name as in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            PinPadAction::Insert { .. } => "insert",
            PinPadAction::Swipe { .. } => "swipe",
            PinPadAction::Tap { .. } => "tap",
            PinPadAction::Remove {} => "remove",
            PinPadAction::EnterPin { .. } => "enter_pin",
            PinPadAction::BypassPin {} => "bypass_pin",
            PinPadAction::CancelPin {} => "cancel_pin",
        }
    }
}

impl fmt::Debug for PinPadAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PinPadAction::Insert { card }
            | PinPadAction::Swipe { card }
            | PinPadAction::Tap { card } => write!(f, "{}({card})", self.name()),
            PinPadAction::EnterPin { pin: Some(pin) } => {
                write!(f, "enter_pin(<{} digits>)", pin.len())
            }
            PinPadAction::EnterPin { pin: None } => f.write_str("enter_pin(<card's PIN>)"),
            other => f.write_str(other.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes() {
        let a: PinPadAction =
            serde_json::from_str(r#"{"action": "insert", "card": "chip-ok"}"#).unwrap();
        assert_eq!(
            a,
            PinPadAction::Insert {
                card: "chip-ok".into()
            }
        );
        let a: PinPadAction = serde_json::from_str(r#"{"action": "enter_pin"}"#).unwrap();
        assert_eq!(a, PinPadAction::EnterPin { pin: None });
        let a: PinPadAction = serde_json::from_str(r#"{"action": "bypass_pin"}"#).unwrap();
        assert_eq!(a, PinPadAction::BypassPin {});
        assert!(
            serde_json::from_str::<PinPadAction>(r#"{"action": "remove", "card": "x"}"#).is_err()
        );
    }

    #[test]
    fn debug_hides_the_pin() {
        let a = PinPadAction::EnterPin {
            pin: Some("987654".into()),
        };
        assert_eq!(format!("{a:?}"), "enter_pin(<6 digits>)");
    }
}
