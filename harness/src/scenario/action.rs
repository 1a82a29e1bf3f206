//! Action steps — what the cashier and the shopper do, through the devices only: keys, scans,
//! weights, cards, cash, QR codes.

use std::fmt;

use indexmap::IndexMap;
use posrig_devices::keyboard::KeySequence;
use posrig_devices::pinpad::PinPadAction;
use posrig_devices::printer::PrinterAction;
use posrig_devices::scale::ScaleAction;
use posrig_devices::scanner::SymbologyName;
use schemars::gen::SchemaGenerator;
use schemars::schema::Schema;
use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::count::Count;
use super::de::{str_or_map, str_or_schema, StrOrMap};
use super::device::{DeviceAction, DeviceRole};
use super::duration::Duration;
use super::money::Amount;
use super::step::Step;

/// Keys typed in one go: `"12 PLU"` or `["1", "2", "PLU"]` (see the keyboard's key names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Keys(#[schemars(with = "KeysSchema")] pub KeySequence);

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum KeysSchema {
    Text(String),
    List(Vec<String>),
}

/// An operator logs in at the keyboard: `login: {operator: "1001", password: "1234"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// The operator number from `store.yaml`.
    pub operator: String,
    /// The operator's password (test store credentials).
    pub password: String,
}

/// What is presented to the scanner.
///
/// `scan: "5901234123457"` (a code: digits) or `scan: "Whole milk 1L"` (an item name or PLU from
/// the catalog, scanned by its first barcode), or the map form
/// `scan: {code: "SKU-42", symbology: code128}` / `scan: {item: "Bananas"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Scan {
    /// A code if it is all digits, else an item name or PLU (resolved against the catalog).
    Auto(String),
    /// Exactly this code, with the symbology inferred from its shape unless given.
    Code {
        code: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        symbology: Option<SymbologyName>,
    },
    /// An item by name or PLU.
    Item { item: String },
}

/// The map form of [`Scan`].
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanMap {
    /// Exactly this code (any characters).
    #[serde(default)]
    code: Option<String>,
    /// An item by name or PLU, scanned by its first barcode.
    #[serde(default)]
    item: Option<String>,
    /// ean13, upc_a, ean8, code128, gs1_128, qr, gs1_databar; inferred when absent.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    symbology: Option<SymbologyName>,
}

impl StrOrMap for Scan {
    type Map = ScanMap;
    const EXPECTING: &'static str =
        "a code or item name in quotes, or a map `{code: …}` / `{item: …}`";

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(Scan::Auto(s.to_owned()))
    }

    fn from_map(m: ScanMap) -> Result<Self, String> {
        match (m.code, m.item) {
            (Some(code), None) => Ok(Scan::Code {
                code,
                symbology: m.symbology,
            }),
            (None, Some(item)) if m.symbology.is_none() => Ok(Scan::Item { item }),
            (None, Some(_)) => Err("`symbology` goes with `code`, not with `item`".into()),
            (Some(_), Some(_)) => Err("give `code` or `item`, not both".into()),
            (None, None) => Err("expected `code` or `item`".into()),
        }
    }
}

impl<'de> Deserialize<'de> for Scan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        str_or_map(d)
    }
}

impl JsonSchema for Scan {
    fn schema_name() -> String {
        "Scan".into()
    }
    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        str_or_schema::<ScanMap>(gen, "A code (digits), an item name or PLU, or {code|item}.")
    }
}

/// A weighed item: the shopper puts it on the scale (`grams`), then it is scanned or keyed.
/// `weigh: {grams: 1250, scan: "Bananas"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Weigh {
    /// The load placed on the platter.
    pub grams: Count,
    /// The item scanned once the weight is stable; without it, a later step identifies it.
    #[serde(default)]
    pub scan: Option<Scan>,
}

/// Which basket line: `last` or its number (1 = first line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRef {
    Last,
    Number(u32),
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum LineRefSchema {
    /// `last`
    Last(LastWord),
    /// A line number, 1 for the first line.
    Number(u32),
}

#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum LastWord {
    Last,
}

impl JsonSchema for LineRef {
    fn schema_name() -> String {
        "LineRef".into()
    }
    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        LineRefSchema::json_schema(gen)
    }
}

impl Serialize for LineRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            LineRef::Last => s.serialize_str("last"),
            LineRef::Number(n) => s.serialize_u32(*n),
        }
    }
}

impl<'de> Deserialize<'de> for LineRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LineRef;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`last` or a line number (1 for the first line)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LineRef, E> {
                if v == "last" {
                    Ok(LineRef::Last)
                } else {
                    Err(E::custom(format!(
                        "expected `last` or a line number (1 for the first line), not `{v}`"
                    )))
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LineRef, E> {
                match u32::try_from(v) {
                    Ok(n) if n >= 1 => Ok(LineRef::Number(n)),
                    _ => Err(E::custom(format!(
                        "expected a line number from 1 (the first line), not {v}"
                    ))),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LineRef, E> {
                Err(E::custom(format!(
                    "expected a line number from 1 (the first line), not {v}"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// How the shopper pays: `pay: {cash: "20.00"}`, `pay: {card: {card: chip-ok}}`,
/// `pay: {qr: {code: "134567890123456789"}}`, or `pay: {split: [{cash: "10.00"}, {card: …}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Pay {
    /// Cash handed over (the POS gives change and opens the drawer).
    Cash(Amount),
    Card(CardPayment),
    Qr(QrPayment),
    /// Several tenders, in order; the last card or QR tender without `amount` pays the rest.
    Split(Vec<Tender>),
}

/// One tender of a split payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tender {
    Cash(Amount),
    Card(CardPayment),
    Qr(QrPayment),
}

/// A bank card payment: `{card: chip-ok, entry: chip, pin: "1234"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CardPayment {
    /// The card's name in `cards.yaml`.
    pub card: String,
    /// chip, swipe or tap; default: chip if the card has one, else swipe.
    #[serde(default)]
    pub entry: Option<Entry>,
    /// What the shopper does at the PIN prompt; default: types the card's own PIN.
    #[serde(default)]
    pub pin: Option<PinAnswer>,
    /// In a split payment, the amount on this card; default: the rest.
    #[serde(default)]
    pub amount: Option<Amount>,
}

/// How a card is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    Chip,
    Swipe,
    Tap,
}

impl Entry {
    pub fn name(self) -> &'static str {
        match self {
            Entry::Chip => "chip",
            Entry::Swipe => "swipe",
            Entry::Tap => "tap",
        }
    }

    /// The pad action that presents `card` this way.
    pub fn pad_action(self, card: &str) -> PinPadAction {
        let card = card.to_owned();
        match self {
            Entry::Chip => PinPadAction::Insert { card },
            Entry::Swipe => PinPadAction::Swipe { card },
            Entry::Tap => PinPadAction::Tap { card },
        }
    }
}

/// The shopper's answer to the PIN prompt: `"1234"` (these digits), `wrong` (a PIN that is not
/// the card's), `bypass` (enter without a PIN), `cancel`, or `timeout` (no answer at all).
#[derive(Clone, PartialEq, Eq)]
pub enum PinAnswer {
    Digits(String),
    Wrong,
    Bypass,
    Cancel,
    Timeout,
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum PinSchema {
    Word(PinWord),
    /// The digits, in quotes.
    Digits(#[schemars(regex(pattern = r"^[0-9]{4,12}$"))] String),
}

#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum PinWord {
    Wrong,
    Bypass,
    Cancel,
    Timeout,
}

const PIN_WORDS: [&str; 4] = ["wrong", "bypass", "cancel", "timeout"];

impl JsonSchema for PinAnswer {
    fn schema_name() -> String {
        "PinAnswer".into()
    }
    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        PinSchema::json_schema(gen)
    }
}

impl fmt::Debug for PinAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PinAnswer::Digits(d) => write!(f, "Digits(<{} digits>)", d.len()),
            PinAnswer::Wrong => f.write_str("Wrong"),
            PinAnswer::Bypass => f.write_str("Bypass"),
            PinAnswer::Cancel => f.write_str("Cancel"),
            PinAnswer::Timeout => f.write_str("Timeout"),
        }
    }
}

impl Serialize for PinAnswer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            PinAnswer::Digits(d) => d,
            PinAnswer::Wrong => "wrong",
            PinAnswer::Bypass => "bypass",
            PinAnswer::Cancel => "cancel",
            PinAnswer::Timeout => "timeout",
        })
    }
}

impl<'de> Deserialize<'de> for PinAnswer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PinAnswer;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a PIN in quotes (\"1234\") or one of wrong, bypass, cancel, timeout")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PinAnswer, E> {
                match v {
                    "wrong" => Ok(PinAnswer::Wrong),
                    "bypass" => Ok(PinAnswer::Bypass),
                    "cancel" => Ok(PinAnswer::Cancel),
                    "timeout" => Ok(PinAnswer::Timeout),
                    d if (4..=12).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) => {
                        Ok(PinAnswer::Digits(d.to_owned()))
                    }
                    other => {
                        let (msg, _) =
                            crate::diagnostic::unknown_name("PIN answer", other, PIN_WORDS);
                        Err(E::custom(format!(
                            "{msg} (expected 4 to 12 digits in quotes, or one of wrong, bypass, cancel, timeout)"
                        )))
                    }
                }
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<PinAnswer, E> {
                Err(E::custom(
                    "write the PIN in quotes, e.g. `pin: \"1234\"` (a number loses leading zeros)",
                ))
            }
        }
        d.deserialize_any(V)
    }
}

/// A QR wallet payment: the shopper shows a payment code, the cashier scans it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QrPayment {
    /// The wallet's payment code (18 digits).
    pub code: String,
    /// In a split payment, the amount paid by wallet; default: the rest.
    #[serde(default)]
    pub amount: Option<Amount>,
}

/// A refund of an earlier sale, approved by a supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Refund {
    /// The receipt number printed on the sale's receipt, or `last` for this run's last sale.
    pub receipt: String,
    /// The supervisor who approves it; default: the store's first supervisor.
    #[serde(default)]
    pub supervisor: Option<Login>,
}

/// A loyalty member identifies: `member: {phone: "13800138000"}` or `member: {card: "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberId {
    #[serde(default)]
    pub phone: Option<String>,
    /// The membership card number (scanned).
    #[serde(default)]
    pub card: Option<String>,
}

/// `report: x` (read) or `report: z` (read and reset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    X,
    Z,
}

/// What the cashier does with the hardware, by name: `cashier: close_drawer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CashierAction {
    /// Push the cash drawer shut.
    CloseDrawer,
    /// Open the drawer with its key.
    OpenDrawer,
    /// Put a new paper roll in the printer.
    LoadPaper,
    OpenCover,
    CloseCover,
    /// Hold the printer's feed button.
    PressFeed,
    ReleaseFeed,
    /// Take the card out of the reader.
    RemoveCard,
    /// Take the goods off the scale.
    ClearScale,
}

impl CashierAction {
    /// The device action this stands for.
    pub fn device_action(self) -> DeviceAction {
        match self {
            CashierAction::CloseDrawer => {
                DeviceAction::Printer(PrinterAction::CloseDrawer { after_ms: None })
            }
            CashierAction::OpenDrawer => DeviceAction::Printer(PrinterAction::OpenDrawer),
            CashierAction::LoadPaper => {
                DeviceAction::Printer(PrinterAction::LoadPaper { mm: None })
            }
            CashierAction::OpenCover => DeviceAction::Printer(PrinterAction::OpenCover),
            CashierAction::CloseCover => DeviceAction::Printer(PrinterAction::CloseCover),
            CashierAction::PressFeed => DeviceAction::Printer(PrinterAction::PressFeed),
            CashierAction::ReleaseFeed => DeviceAction::Printer(PrinterAction::ReleaseFeed),
            CashierAction::RemoveCard => DeviceAction::Pinpad(PinPadAction::Remove {}),
            CashierAction::ClearScale => DeviceAction::Scale(ScaleAction::Remove),
        }
    }
}

/// Any action of any device, raw: `device: {role: printer, action: {action: load_paper, mm: 500}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceStep {
    pub role: DeviceRole,
    /// The device's action as its control API takes it (`{action: …}`), or its bare name.
    #[schemars(schema_with = "device_action_schema")]
    pub action: serde_yaml::Value,
}

fn device_action_schema(_: &mut SchemaGenerator) -> Schema {
    super::de::described_any(
        "The device's action, e.g. `{action: load_paper, mm: 500}` (checked by `posrig check` against the role's action type).",
    )
}

impl DeviceStep {
    /// The typed action (checked by the loader, so it succeeds on a loaded scenario).
    pub fn action(&self) -> Result<DeviceAction, String> {
        DeviceAction::parse(self.role, &self.action)
    }
}

/// A journey used as a step: `journey: {name: quick-card-sale, with: {card: chip-ok}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JourneyCall {
    /// The journey's `name` (a file under `scenarios/journeys/`).
    pub name: String,
    /// Values for the journey's parameters; the others take their defaults.
    #[serde(default, rename = "with")]
    #[schemars(with = "IndexMap<String, serde_json::Value>")]
    pub with: IndexMap<String, serde_yaml::Value>,
}

/// The same steps several times: `repeat: {times: ${basket_size}, steps: [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    pub times: Count,
    pub steps: Vec<Step>,
}

/// `wait: 2s` — let time pass (virtual or real).
pub type Wait = Duration;
