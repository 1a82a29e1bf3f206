//! Expectations — what must be seen at the wire (display, receipt, drawer, host messages,
//! wallet) or in the journal after the fact, within a timeout.

use schemars::gen::SchemaGenerator;
use schemars::schema::Schema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::de::described_any;
use super::device::DeviceRole;
use super::duration::Duration;
use super::money::Amount;

/// The default for `within`.
pub const DEFAULT_WITHIN: Duration = Duration::from_secs(5);

/// One or more checks that must all hold within `within` (default 5s):
/// `expect: {display: {contains: "TOTAL"}, total: "12.30", within: 2s}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The customer display's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<DisplayExpect>,
    /// The basket total shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Amount>,
    /// The last receipt printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<ReceiptExpect>,
    /// The cash drawer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawer: Option<DrawerState>,
    /// The last message on the acquirer link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<HostExpect>,
    /// The wallet host's view of the last order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet: Option<WalletExpect>,
    /// The POS journal (read after the fact, never steered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<JournalExpect>,
    /// Any device's reported state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceExpect>,
    /// How long the checks may take to hold.
    #[serde(default = "default_within")]
    pub within: Duration,
}

fn default_within() -> Duration {
    DEFAULT_WITHIN
}

impl Expect {
    /// The names of the checks present, in a fixed order.
    pub fn checks(&self) -> Vec<&'static str> {
        let mut c = Vec::new();
        let mut add = |present: bool, name| {
            if present {
                c.push(name)
            }
        };
        add(self.display.is_some(), "display");
        add(self.total.is_some(), "total");
        add(self.receipt.is_some(), "receipt");
        add(self.drawer.is_some(), "drawer");
        add(self.host.is_some(), "host");
        add(self.wallet.is_some(), "wallet");
        add(self.journal.is_some(), "journal");
        add(self.device.is_some(), "device");
        c
    }
}

/// The customer display: a line's exact text, or text anywhere on it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisplayExpect {
    /// The first line, trimmed, equals this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// The second line, trimmed, equals this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// Either line contains this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
    /// Both lines, trimmed and joined by a newline, equal this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
}

/// The last receipt's text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptExpect {
    /// Each of these appears on it.
    #[serde(default)]
    pub contains: Vec<String>,
    /// None of these appears on it.
    #[serde(default)]
    pub not_contains: Vec<String>,
}

/// `open` or `closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DrawerState {
    Open,
    Closed,
}

/// The last ISO 8583 exchange with the acquirer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HostExpect {
    /// The last request's message type, e.g. "0200" (sale), "0400" (reversal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_mti: Option<String>,
    /// The last response code (field 39), e.g. "00", "51", "55".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_code: Option<String>,
}

/// The wallet host's state of the last order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WalletExpect {
    pub state: WalletState,
}

/// An order's state at the wallet host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WalletState {
    Success,
    UserPaying,
    NotPay,
    Closed,
    Revoked,
    PayError,
}

/// Facts from the POS journal, read after the steps before this one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JournalExpect {
    /// Completed sales in the journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales: Option<u32>,
    /// Every approved card sale is in the acquirer's ledger and nothing else is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciles_with_host: Option<bool>,
    /// Reversals still waiting to be sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_reversals: Option<u32>,
}

/// A device's reported state (as `GET /devices/{id}` shows it) at a JSON pointer:
/// `device: {role: printer, state_path: /paper, equals: out}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceExpect {
    pub role: DeviceRole,
    /// A JSON pointer into the state, e.g. `/paper` or `/drawer/open`.
    pub state_path: String,
    #[schemars(schema_with = "any_value")]
    pub equals: serde_yaml::Value,
}

fn any_value(_: &mut SchemaGenerator) -> Schema {
    described_any("The value expected at `state_path`.")
}
