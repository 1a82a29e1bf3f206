//! What a person does to the printer and its drawer, as plain data (`{"action": "load_paper"}`).

use serde::{Deserialize, Serialize};

/// A person acting on the printer.
///
/// JSON shapes: `{"action": "load_paper"}` (a full roll) or `{"action": "load_paper", "mm": 500}`,
/// `{"action": "open_cover"}`, `{"action": "close_cover"}`, `{"action": "press_feed"}`,
/// `{"action": "release_feed"}`, `{"action": "close_drawer"}` or
/// `{"action": "close_drawer", "after_ms": 2000}`, `{"action": "open_drawer"}` (with the key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum PrinterAction {
    /// Put in a new roll (the configured roll length unless `mm` says otherwise). Also ends the
    /// `paper_out` and `paper_near_end` faults: the roll they stood for is gone.
    LoadPaper {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mm: Option<u32>,
    },
    OpenCover,
    CloseCover,
    /// Hold the feed button down (the printer goes offline and feeds paper).
    PressFeed,
    ReleaseFeed,
    /// Push the drawer shut, now or after `after_ms`.
    CloseDrawer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after_ms: Option<u64>,
    },
    /// Open the drawer by hand with its key (works when the solenoid is stuck).
    OpenDrawer,
}

impl PrinterAction {
    /// The action's name, as in its JSON tag.
    pub fn name(&self) -> &'static str {
        match self {
            PrinterAction::LoadPaper { .. } => "load_paper",
            PrinterAction::OpenCover => "open_cover",
            PrinterAction::CloseCover => "close_cover",
            PrinterAction::PressFeed => "press_feed",
            PrinterAction::ReleaseFeed => "release_feed",
            PrinterAction::CloseDrawer { .. } => "close_drawer",
            PrinterAction::OpenDrawer => "open_drawer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_shapes() {
        let a: PrinterAction = serde_json::from_value(json!({"action": "load_paper"})).unwrap();
        assert_eq!(a, PrinterAction::LoadPaper { mm: None });
        let a: PrinterAction =
            serde_json::from_value(json!({"action": "close_drawer", "after_ms": 500})).unwrap();
        assert_eq!(
            a,
            PrinterAction::CloseDrawer {
                after_ms: Some(500)
            }
        );
        assert_eq!(
            serde_json::to_value(PrinterAction::OpenCover).unwrap(),
            json!({"action": "open_cover"})
        );
        assert!(serde_json::from_value::<PrinterAction>(json!({"action": "eject"})).is_err());
    }
}
