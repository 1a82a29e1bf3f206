//! Fault steps — what goes wrong: device faults, link impairments and partitions, host
//! misbehaviour, and the POS process killed mid-sale.

use posrig_sim::wire::{Direction, Impairment};
use schemars::gen::SchemaGenerator;
use schemars::schema::Schema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::de::described_any;
use super::device::{DeviceFault, DeviceRole};

/// A device fault switched on (`fault:`) or off (`clear:`):
/// `fault: {device: printer, fault: paper_out}` or `fault: {device: printer, fault: {fault: slow, lines_per_s: 5}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultStep {
    pub device: DeviceRole,
    /// The device's fault as its control API takes it (`{fault: …}`), or its bare name.
    #[schemars(schema_with = "device_fault_schema")]
    pub fault: serde_yaml::Value,
}

fn device_fault_schema(_: &mut SchemaGenerator) -> Schema {
    described_any(
        "The device's fault, e.g. `paper_out` or `{fault: slow, lines_per_s: 5}` (checked by `posrig check` against the device's fault type).",
    )
}

impl FaultStep {
    /// The typed fault (checked by the loader, so it succeeds on a loaded scenario).
    pub fn fault(&self) -> Result<DeviceFault, String> {
        DeviceFault::parse(self.device, &self.fault)
    }
}

/// The links of a lane a scenario can impair, by name: the host links and each device's cable.
pub const LINKS: [&str; 9] = [
    "acquirer-primary",
    "acquirer-backup",
    "wallet",
    "printer",
    "scanner",
    "pinpad",
    "display",
    "keyboard",
    "scale",
];

/// New impairments on a link:
/// `link: {name: acquirer-primary, set: {latency: {dist: fixed, ms: 300}}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkChange {
    /// One of [`LINKS`].
    pub name: String,
    /// The impairment (sim's `Impairment`: latency, pacing, slicing, corrupt_per_byte,
    /// drop_per_byte, stalled, close_after_bytes); `{}` removes every impairment.
    #[schemars(schema_with = "impairment_schema")]
    pub set: Impairment,
    /// a_to_b (POS → peer), b_to_a (peer → POS) or both (default).
    #[serde(default = "both")]
    #[schemars(with = "DirectionSchema")]
    pub direction: Direction,
}

fn both() -> Direction {
    Direction::Both
}

fn impairment_schema(_: &mut SchemaGenerator) -> Schema {
    described_any(
        "An impairment: latency {dist: fixed|uniform|pareto|log_normal, …}, pacing {baud, frame} or {bytes_per_sec}, slicing {max_bytes, gap_ms}, corrupt_per_byte, drop_per_byte, stalled, close_after_bytes.",
    )
}

#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum DirectionSchema {
    AToB,
    BToA,
    Both,
}

/// A rule for a simulated host, e.g. `host: {acquirer: {respond: "51"}}` or
/// `host: {wallet: {result: user_paying_then_success}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HostStep {
    Acquirer(HostRule),
    Wallet(HostRule),
}

/// The rule itself: a YAML mapping kept as written. Its keys belong to the host simulators and
/// are checked by them when the scenario runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct HostRule(
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")] pub serde_yaml::Mapping,
);
