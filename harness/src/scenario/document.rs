//! The document kinds written by people: scenario, journey and load profile (rigs live in
//! `crate::rig`, data files in the `sim` and `pos` crates).

use std::collections::BTreeMap;
use std::path::PathBuf;

use indexmap::IndexMap;
use posrig_reports::Thresholds;
use schemars::gen::SchemaGenerator;
use schemars::schema::Schema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action::JourneyCall;
use super::de::described_any;
use super::duration::Duration;
use super::step::Step;

/// A scenario: a name and its steps; everything else has a default.
///
/// ```yaml
/// name: cash sale with change
/// steps:
///   - scan: "6901234100006"
///   - total
///   - pay: {cash: "20.00"}
///   - expect: {display: {contains: "CHANGE"}, drawer: open}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Labels for `posrig run --tag`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// A rig file, relative to this file; default: every device simulated in memory.
    #[serde(default)]
    pub rig: Option<PathBuf>,
    /// The data folder, relative to this file; default: the `data/` folder of the `scenarios/`
    /// tree this file is in.
    #[serde(default)]
    pub data: Option<PathBuf>,
    /// Where the POS stack runs.
    #[serde(default)]
    pub sut: Sut,
    #[serde(default)]
    pub time: TimeMode,
    /// The master seed; default: chosen by `posrig run` (and printed).
    #[serde(default)]
    pub seed: Option<u64>,
    /// How many lanes run the steps side by side.
    #[serde(default = "one")]
    pub lanes: u32,
    /// Steps before the measured ones (login, sign-on); failures here are setup errors.
    #[serde(default)]
    pub setup: Vec<Step>,
    pub steps: Vec<Step>,
}

fn one() -> u32 {
    1
}

/// The system under test.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sut {
    /// The POS stack inside the posrig process (fast, virtual time possible).
    #[default]
    Embedded,
    /// `pos-terminal` as its own process on ptys and TCP (needed for `crash`; real time).
    Process,
}

/// The clock a run uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeMode {
    /// Virtual when the rig allows it, real otherwise.
    #[default]
    Auto,
    /// Paused tokio time: waits take no wall time; same seed, same run.
    Virtual,
    /// The wall clock (real ports, `sut: process`).
    Real,
}

/// A journey: a reusable list of steps with parameters, used by scenarios
/// (`- journey: {name: quick-card-sale, with: {card: chip-ok}}`) and by load profiles' mixes.
/// `${param}` in a step is replaced by the parameter's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Journey {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub params: IndexMap<String, Param>,
    pub steps: Vec<Step>,
}

/// A journey read without typing its steps — its `${param}`s may not fit a step's types until
/// they are substituted. This is how journeys are looked up and used.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyHead {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub params: IndexMap<String, Param>,
    /// The steps as written.
    pub steps: Vec<serde_yaml::Value>,
}

/// A journey parameter: `card: {default: chip-ok, description: "the card used"}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// The value when the caller gives none; without it the caller must give one.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub default: Option<serde_yaml::Value>,
    #[serde(default)]
    pub description: String,
}

/// A load profile (issue 6): a store of lanes, shoppers arriving, stages, scheduled faults,
/// thresholds and a duration.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadProfile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// How long shoppers arrive; lanes then finish the baskets they have.
    pub duration: Duration,
    #[serde(default)]
    pub time: TimeMode,
    #[serde(default)]
    pub seed: Option<u64>,
    /// A rig file for every lane, relative to this file; default: every device simulated.
    #[serde(default)]
    pub rig: Option<PathBuf>,
    /// The data folder, relative to this file; default: the `scenarios/` tree's `data/`.
    #[serde(default)]
    pub data: Option<PathBuf>,
    pub store: Store,
    pub shoppers: Shoppers,
    /// Changes over time; without stages the store runs at its own settings throughout.
    #[serde(default)]
    pub stages: Vec<Stage>,
    /// Faults at set times.
    #[serde(default)]
    pub faults: Vec<ScheduledFault>,
    /// Pass/fail limits per operation: `card_auth: "p99 < 1500ms"`.
    #[serde(default)]
    #[schemars(schema_with = "thresholds_schema")]
    pub thresholds: Thresholds,
}

fn thresholds_schema(_: &mut SchemaGenerator) -> Schema {
    described_any(
        "Per operation, one expression or a list: `card_auth: [\"p99 < 1500ms\", \"errors < 0.5%\"]`; an entry may be `{threshold: \"…\", abort_on_fail: true}`.",
    )
}

/// The store: how many lanes open, and its sale and queue settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Store {
    /// Lanes open at the start.
    pub lanes: u32,
    /// Setup steps each lane runs once before shoppers arrive (login, sign-on).
    #[serde(default)]
    pub setup: Vec<Step>,
    /// Lane groups by name (`express: [1, 2]`): each operation gets one histogram per group.
    /// Lanes in no group are in the group `store`.
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<u32>>,
    /// How the lanes' journals commit: `full` (the default, a real terminal's SQLite
    /// `synchronous=FULL`, an fsync per commit) or `normal` (`synchronous=NORMAL` in WAL: no
    /// fsync per commit; a commit survives the process crashing but not a power cut). `normal` is
    /// for long virtual-time runs, where tens of fsyncs a sale on hundreds of lanes would be most
    /// of the wall time.
    #[serde(default)]
    pub journal: JournalSync,
    /// How lanes reach the shared acquirer: `memory` (the default: in-memory links that
    /// partitions and impairments act on) or `tcp` (the acquirer listens on 127.0.0.1 and every
    /// lane connects over loopback TCP, as a terminal would; real time only, and faults on the
    /// `acquirer-*` links do not act on it).
    #[serde(default)]
    pub acquirer: AcquirerTransport,
}

/// How load lanes reach the acquirer (see [`Store::acquirer`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AcquirerTransport {
    /// In-memory links through each lane's impairable `acquirer-primary`/`acquirer-backup`.
    #[default]
    Memory,
    /// Loopback TCP to a listening acquirer.
    Tcp,
}

/// A load run's journal durability (see [`Store::journal`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JournalSync {
    /// `synchronous=FULL`: as a real lane.
    #[default]
    Full,
    /// `synchronous=NORMAL` (WAL): no fsync per commit.
    Normal,
}

/// Who arrives, how often, and what they do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shoppers {
    pub arrivals: Arrivals,
    /// Journeys with weights; each shopper draws one.
    pub mix: Vec<MixEntry>,
    /// Human pauses between a shopper's actions.
    #[serde(default)]
    pub think: Option<Think>,
}

/// Open-model arrivals, per lane: `{poisson: {per_minute: 2}}` or `{constant: {every: 30s}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Arrivals {
    Poisson(Rate),
    Constant(Interval),
}

/// A mean arrival rate per lane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub per_minute: f64,
}

/// A fixed gap between arrivals at a lane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    pub every: Duration,
}

/// One journey of the mix: `{journey: quick-card-sale, weight: 3, with: {basket_size: {uniform: [3, 12]}}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MixEntry {
    pub journey: String,
    #[serde(default = "one")]
    pub weight: u32,
    /// Parameter values: a plain value, or a draw per shopper (`{uniform: [3, 12]}`,
    /// `{choice: [chip-ok, tap-ok]}`).
    #[serde(default, rename = "with")]
    #[schemars(with = "IndexMap<String, serde_json::Value>")]
    pub with: IndexMap<String, serde_yaml::Value>,
}

impl MixEntry {
    /// The same entry as a journey call (draws left as written).
    pub fn call(&self) -> JourneyCall {
        JourneyCall {
            name: self.journey.clone(),
            with: self.with.clone(),
        }
    }
}

/// Think time between actions: `{dist: uniform, min: 1s, max: 4s}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Think {
    Fixed { time: Duration },
    Uniform { min: Duration, max: Duration },
    Exponential { mean: Duration },
    LogNormal { median: Duration, sigma: f64 },
}

/// A stage: over `duration`, ramp to `lanes` open and, optionally, a new arrival rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub duration: Duration,
    #[serde(default)]
    pub lanes: Option<u32>,
    #[serde(default)]
    pub arrivals: Option<Arrivals>,
}

/// A fault step at a time, on some lanes: `{at: 30s, for: 30s, step: {partition: acquirer-primary}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduledFault {
    /// From the start of the run.
    pub at: Duration,
    /// Undo the fault after this long (clear, repair, remove impairments).
    #[serde(default, rename = "for")]
    pub for_: Option<Duration>,
    /// Lane numbers (1-based); default: every lane.
    #[serde(default)]
    pub lanes: Vec<u32>,
    /// The fault: any fault step.
    pub step: Step,
}
