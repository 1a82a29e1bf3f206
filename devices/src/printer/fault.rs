//! What goes wrong with the printer and its drawer, as plain data (`{"fault": "paper_out"}`).

use serde::{Deserialize, Serialize};

/// A printer fault; each is switched on and off through the control API.
///
/// JSON shapes: `{"fault": "paper_out"}`, `paper_near_end`, `cover_open`, `cutter_error`,
/// `unrecoverable_error`, `offline`, `unplugged`, `{"fault": "slow", "lines_per_s": 5}`,
/// `drawer_stuck`, `drawer_jammed_open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case", deny_unknown_fields)]
pub enum PrinterFault {
    /// The paper-end sensor trips whatever is on the roll.
    PaperOut,
    /// The near-end sensor trips (Epson profile only reports it).
    PaperNearEnd,
    /// The cover-open switch trips.
    CoverOpen,
    /// The autocutter jams: an error the host recovers from with `DLE ENQ` (which also ends the
    /// fault).
    CutterError,
    /// An unrecoverable error; only clearing the fault (a power cycle) ends it.
    UnrecoverableError,
    /// Offline for no reported cause.
    Offline,
    /// The data cable is out: nothing the host sends arrives, nothing is answered.
    Unplugged,
    /// The print engine slows to `lines_per_s` (a worn motor, a weak power supply).
    Slow { lines_per_s: u32 },
    /// A kick no longer opens the drawer.
    DrawerStuck,
    /// The drawer is jammed open: it springs open and will not close.
    DrawerJammedOpen,
}

impl PrinterFault {
    /// The fault's name, as in its JSON tag.
    pub fn name(&self) -> &'static str {
        match self {
            PrinterFault::PaperOut => "paper_out",
            PrinterFault::PaperNearEnd => "paper_near_end",
            PrinterFault::CoverOpen => "cover_open",
            PrinterFault::CutterError => "cutter_error",
            PrinterFault::UnrecoverableError => "unrecoverable_error",
            PrinterFault::Offline => "offline",
            PrinterFault::Unplugged => "unplugged",
            PrinterFault::Slow { .. } => "slow",
            PrinterFault::DrawerStuck => "drawer_stuck",
            PrinterFault::DrawerJammedOpen => "drawer_jammed_open",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_shapes() {
        let f: PrinterFault =
            serde_json::from_value(json!({"fault": "slow", "lines_per_s": 5})).unwrap();
        assert_eq!(f, PrinterFault::Slow { lines_per_s: 5 });
        assert_eq!(f.name(), "slow");
        assert_eq!(
            serde_json::to_value(PrinterFault::DrawerJammedOpen).unwrap(),
            json!({"fault": "drawer_jammed_open"})
        );
    }
}
