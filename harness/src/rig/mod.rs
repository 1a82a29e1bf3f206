//! Rigs — which device of a lane is simulated or real, and on what port it is reached.
//!
//! A rig file is one of the scenario language's five document kinds. The embedded default keeps
//! every device simulated on an in-memory wire; `posrig devices serve` serves simulated devices on
//! pseudo-terminals or serial paths so that any program can talk to them; a bench names real
//! devices on serial ports.

mod load;

pub use load::{load_rig, RigError};

use std::net::SocketAddr;
use std::path::PathBuf;

use posrig_devices::keyboard::KeyboardConfig;
use posrig_devices::pinpad::PinPadConfig;
use posrig_devices::printer::PrinterConfig;
use posrig_devices::scale::ScaleConfig;
use posrig_devices::scanner::ScannerConfig;
use posrig_sim::wire::serial::SerialSettings;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A whole rig file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rig {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The data folder (cards, terminals, catalog, store), relative to the rig file.
    #[serde(default)]
    pub data: Option<PathBuf>,
    pub devices: RigDevices,
    #[serde(default)]
    pub control: ControlSettings,
}

/// One slot per device role; a role left out is absent from the lane.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RigDevices {
    #[serde(default)]
    pub printer: Option<DeviceSlot<PrinterConfig>>,
    #[serde(default)]
    pub scanner: Option<DeviceSlot<ScannerConfig>>,
    #[serde(default)]
    pub pinpad: Option<DeviceSlot<PinPadConfig>>,
    #[serde(default)]
    pub display: Option<DeviceSlot<NoConfig>>,
    #[serde(default)]
    pub keyboard: Option<DeviceSlot<KeyboardConfig>>,
    #[serde(default)]
    pub scale: Option<DeviceSlot<ScaleConfig>>,
}

/// The settings of a device that has none (the customer display): an empty map.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoConfig {}

/// Where one device lives and how it is set up.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSlot<C> {
    /// Simulated by posrig (default) or a real device on `port`.
    #[serde(default)]
    pub mode: DeviceMode,
    /// How the device is reached.
    #[serde(default)]
    pub port: Port,
    /// The simulated device's settings (ignored for a real device).
    #[serde(default = "Option::default")]
    pub config: Option<C>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceMode {
    #[default]
    Simulated,
    Real,
}

/// A device's port.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Port {
    /// An in-memory wire inside the process (the embedded default).
    #[default]
    Memory,
    /// A fresh pseudo-terminal whose slave path is printed for outside programs.
    Pty,
    /// A serial port by path with its line settings.
    Serial(#[schemars(with = "SerialSchema")] SerialSettings),
}

/// The local control API of served devices.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlSettings {
    /// Address to listen on; loopback by default, port 0 picks a free port.
    #[serde(default = "default_listen")]
    #[schemars(with = "String")]
    pub listen: SocketAddr,
}

impl Default for ControlSettings {
    fn default() -> Self {
        Self {
            listen: default_listen(),
        }
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// The schema of `SerialSettings` (a `sim` type without one): the path and the line settings.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SerialSchema {
    path: String,
    #[serde(default)]
    baud: Option<u32>,
    /// 5, 6, 7 or 8.
    #[serde(default)]
    data_bits: Option<serde_json::Value>,
    /// none, odd or even.
    #[serde(default)]
    parity: Option<serde_json::Value>,
    /// 1 or 2.
    #[serde(default)]
    stop_bits: Option<serde_json::Value>,
    /// none, software or hardware.
    #[serde(default)]
    flow_control: Option<serde_json::Value>,
    #[serde(default)]
    exclusive: Option<bool>,
}

impl<C> JsonSchema for DeviceSlot<C> {
    fn schema_name() -> String {
        "DeviceSlot".into()
    }

    fn json_schema(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        DeviceSlotSchema::json_schema(gen)
    }
}

/// The schema of a [`DeviceSlot`]; `config` is the device's own settings type (in `devices`,
/// without a schema), checked when the rig loads.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct DeviceSlotSchema {
    /// Simulated by posrig (default) or a real device on `port`.
    #[serde(default)]
    mode: DeviceMode,
    /// How the device is reached: memory, pty, or `{serial: {path: …}}`.
    #[serde(default)]
    port: Port,
    /// The simulated device's settings.
    #[serde(default)]
    config: Option<serde_json::Value>,
}
