//! Device roles and the typed device actions and faults a step names: the bridge from a step's
//! YAML (`device: {role: printer, action: {action: load_paper}}`) to the `devices` crate's types.

use posrig_devices::display::{DisplayAction, DisplayFault};
use posrig_devices::keyboard::{KeyboardAction, KeyboardFault};
use posrig_devices::pinpad::{PinPadAction, PinPadFault};
use posrig_devices::printer::{PrinterAction, PrinterFault};
use posrig_devices::scale::{ScaleAction, ScaleFault};
use posrig_devices::scanner::{ScannerAction, ScannerFault};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A device of a lane, by its role (as in rig files).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DeviceRole {
    /// The receipt printer; the cash drawer hangs on it.
    Printer,
    Scanner,
    /// The card reader and PIN pad.
    Pinpad,
    /// The customer display.
    Display,
    Keyboard,
    Scale,
}

impl DeviceRole {
    pub const ALL: [DeviceRole; 6] = [
        DeviceRole::Printer,
        DeviceRole::Scanner,
        DeviceRole::Pinpad,
        DeviceRole::Display,
        DeviceRole::Keyboard,
        DeviceRole::Scale,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DeviceRole::Printer => "printer",
            DeviceRole::Scanner => "scanner",
            DeviceRole::Pinpad => "pinpad",
            DeviceRole::Display => "display",
            DeviceRole::Keyboard => "keyboard",
            DeviceRole::Scale => "scale",
        }
    }
}

/// A person's action on one device, typed by the device's own action enum.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceAction {
    Printer(PrinterAction),
    Scanner(ScannerAction),
    Pinpad(PinPadAction),
    Display(DisplayAction),
    Keyboard(KeyboardAction),
    Scale(ScaleAction),
}

impl DeviceAction {
    /// Reads `value` (`{action: load_paper}`; a bare `load_paper` too) as an action of `role`.
    pub fn parse(role: DeviceRole, value: &serde_yaml::Value) -> Result<DeviceAction, String> {
        let value = tagged("action", value);
        let r = match role {
            DeviceRole::Printer => serde_yaml::from_value(value).map(DeviceAction::Printer),
            DeviceRole::Scanner => serde_yaml::from_value(value).map(DeviceAction::Scanner),
            DeviceRole::Pinpad => serde_yaml::from_value(value).map(DeviceAction::Pinpad),
            DeviceRole::Display => serde_yaml::from_value(value).map(DeviceAction::Display),
            DeviceRole::Keyboard => serde_yaml::from_value(value).map(DeviceAction::Keyboard),
            DeviceRole::Scale => serde_yaml::from_value(value).map(DeviceAction::Scale),
        };
        r.map_err(|e| format!("not a {} action: {e}", role.name()))
    }

    pub fn role(&self) -> DeviceRole {
        match self {
            DeviceAction::Printer(_) => DeviceRole::Printer,
            DeviceAction::Scanner(_) => DeviceRole::Scanner,
            DeviceAction::Pinpad(_) => DeviceRole::Pinpad,
            DeviceAction::Display(_) => DeviceRole::Display,
            DeviceAction::Keyboard(_) => DeviceRole::Keyboard,
            DeviceAction::Scale(_) => DeviceRole::Scale,
        }
    }

    /// The action as the control API and `DeviceHandle::act_json` take it.
    pub fn to_json(&self) -> serde_json::Value {
        let r = match self {
            DeviceAction::Printer(a) => serde_json::to_value(a),
            DeviceAction::Scanner(a) => serde_json::to_value(a),
            DeviceAction::Pinpad(a) => serde_json::to_value(a),
            DeviceAction::Display(a) => serde_json::to_value(a),
            DeviceAction::Keyboard(a) => serde_json::to_value(a),
            DeviceAction::Scale(a) => serde_json::to_value(a),
        };
        r.expect("device actions serialize to JSON")
    }
}

/// A fault of one device, typed by the device's own fault enum.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceFault {
    Printer(PrinterFault),
    Scanner(ScannerFault),
    Pinpad(PinPadFault),
    Display(DisplayFault),
    Keyboard(KeyboardFault),
    Scale(ScaleFault),
}

impl DeviceFault {
    /// Reads `value` (`{fault: paper_out}`; a bare `paper_out` too) as a fault of `role`.
    pub fn parse(role: DeviceRole, value: &serde_yaml::Value) -> Result<DeviceFault, String> {
        let value = tagged("fault", value);
        let r = match role {
            DeviceRole::Printer => serde_yaml::from_value(value).map(DeviceFault::Printer),
            DeviceRole::Scanner => serde_yaml::from_value(value).map(DeviceFault::Scanner),
            DeviceRole::Pinpad => serde_yaml::from_value(value).map(DeviceFault::Pinpad),
            DeviceRole::Display => serde_yaml::from_value(value).map(DeviceFault::Display),
            DeviceRole::Keyboard => serde_yaml::from_value(value).map(DeviceFault::Keyboard),
            DeviceRole::Scale => serde_yaml::from_value(value).map(DeviceFault::Scale),
        };
        r.map_err(|e| format!("not a {} fault: {e}", role.name()))
    }

    /// The fault as the control API and `DeviceHandle::fault_json` take it.
    pub fn to_json(&self) -> serde_json::Value {
        let r = match self {
            DeviceFault::Printer(f) => serde_json::to_value(f),
            DeviceFault::Scanner(f) => serde_json::to_value(f),
            DeviceFault::Pinpad(f) => serde_json::to_value(f),
            DeviceFault::Display(f) => serde_json::to_value(f),
            DeviceFault::Keyboard(f) => serde_json::to_value(f),
            DeviceFault::Scale(f) => serde_json::to_value(f),
        };
        r.expect("device faults serialize to JSON")
    }
}

/// `name` → `{tag: name}`, so `fault: paper_out` reads like `fault: {fault: paper_out}`.
fn tagged(tag: &str, value: &serde_yaml::Value) -> serde_yaml::Value {
    match value {
        serde_yaml::Value::String(name) => {
            let mut m = serde_yaml::Mapping::new();
            m.insert(tag.into(), name.clone().into());
            serde_yaml::Value::Mapping(m)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_faults_read_in_both_forms() {
        let v: serde_yaml::Value = serde_yaml::from_str("load_paper").unwrap();
        assert_eq!(
            DeviceAction::parse(DeviceRole::Printer, &v).unwrap(),
            DeviceAction::Printer(PrinterAction::LoadPaper { mm: None })
        );
        let v: serde_yaml::Value = serde_yaml::from_str("{fault: paper_out}").unwrap();
        let f = DeviceFault::parse(DeviceRole::Printer, &v).unwrap();
        assert_eq!(f.to_json(), serde_json::json!({"fault": "paper_out"}));
        let v: serde_yaml::Value = serde_yaml::from_str("paper_out").unwrap();
        let e = DeviceFault::parse(DeviceRole::Scanner, &v).unwrap_err();
        assert!(
            e.starts_with("not a scanner fault: unknown variant `paper_out`"),
            "{e}"
        );
    }
}
