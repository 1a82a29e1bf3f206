//! The terminal core: the application logic of one POS lane as a sans-IO state machine. It
//! consumes [`Input`]s (keys, scans, PIN pad messages, weights, printer and drawer status, host
//! results) and produces [`Command`]s (display text, print jobs, drawer kicks, PIN pad
//! messages, host requests). It never reads a clock: the caller passes `now` (time since start)
//! with every input and calls [`TerminalCore::on_timer`] at [`TerminalCore::next_deadline`].
//!
//! Every state change of a sale is committed to the journal before the command that acts on it
//! outside is returned (durability, ARCHITECTURE.md). The operator's manual of the keyboard and
//! display is `pos/TERMINAL.md`.
//!
//! Layout: [`input`] and [`command`] are the two vocabularies; `ui` computes the display;
//! `admin` (login, supervisor, sign-on, no-sale, reprint), `selling` (items, quantities,
//! weights, voids, members, total, cancel), `tender` (tender choice, cash, completion), `card`,
//! `qr`, `refund`, `void` (a completed sale voided by its receipt number), `eod` (settlement, X/Z) and `recovery` hold the flows.

mod admin;
mod card;
pub mod command;
mod eod;
pub mod input;
mod qr;
mod recovery;
mod refund;
mod selling;
mod tender;
mod ui;
mod void;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use posrig_protocols::keyboard::Key;
use posrig_protocols::pinpad::{EntryModes, TxnKind};

use crate::catalog::Catalog;
use crate::clock::WallClock;
use crate::config::StoreConfig;
use crate::journal::{BatchTotals, Journal, JournalError, ReceiptId};
use crate::member::Members;
use crate::money::Money;
use crate::operator::{Operator, Operators};
use crate::sale::{Sale, SaleRules};

pub use command::{CardRequest, Command, QrPayRequest, VoidRequest};
pub use input::{
    DeviceRole, HostOutcome, Input, PrinterStatus, QrOutcome, SettleOutcome, SignOnOutcome,
};

use card::CardFlow;

/// Lane settings that are not in the store configuration.
#[derive(Debug, Clone)]
pub struct TerminalSettings {
    /// Terminal id (field 41), printed in receipt numbers and used in QR order numbers.
    pub terminal_id: String,
    /// Longest a card flow may wait for the card and the PIN before it is aborted.
    pub pad_timeout: Duration,
    /// After this long open, the display asks to close the drawer.
    pub drawer_warning_after: Duration,
    /// Contactless cards at or below this amount are not asked for a PIN.
    pub tap_no_pin_limit: Money,
    /// Card entry modes offered to the pad.
    pub entries: EntryModes,
}

impl Default for TerminalSettings {
    fn default() -> Self {
        TerminalSettings {
            terminal_id: "LANE0001".into(),
            pad_timeout: Duration::from_secs(60),
            drawer_warning_after: Duration::from_secs(30),
            tap_no_pin_limit: Money::new(rust_decimal::Decimal::new(100_000, 2)),
            entries: EntryModes::ALL,
        }
    }
}

/// Where the operator is in logging in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LoginStep {
    /// `PLEASE LOG IN`.
    Idle,
    /// After `LOGIN`: typing the operator number.
    Number,
    /// After the number: typing the password.
    Password { number: String },
}

/// What the logged-in terminal is doing besides its sale.
#[derive(Debug)]
enum Phase {
    /// Ready for keys and scans (selling, totalled, tender choice, or between sales).
    Ready,
    /// Waiting for the scale's weight for a weighed item.
    Weighing { plu: String },
    /// Typing a supervisor number (`None`) or code.
    Supervisor { number: Option<String> },
    /// Typing a member's phone or card number.
    Member,
    /// Typing the receipt number of a refund.
    RefundReceipt,
    /// Typing the receipt number of a sale to void.
    VoidReceipt,
    /// Waiting for the customer's wallet payment code.
    QrScan { amount: Money },
    /// Waiting for the QR client's result.
    QrPaying { amount: Money, out_trade_no: String },
    /// A card tender in progress.
    Card(Box<CardFlow>),
    /// Waiting for the sign-on result.
    SigningOn,
    /// Waiting for the sign-off result.
    SigningOff,
    /// Waiting for the settlement result.
    Settling { totals: BatchTotals },
}

/// A supervisor's number and code typed at `SUPERVISOR`, held for the next restricted action
/// (approvals are per action, so the code is checked again for that action).
struct HeldSupervisor {
    number: String,
    code: String,
}

impl std::fmt::Debug for HeldSupervisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldSupervisor")
            .field("number", &self.number)
            .finish_non_exhaustive()
    }
}

/// The cash drawer as last reported or kicked.
#[derive(Debug, Default)]
struct Drawer {
    open: bool,
    opened_at: Duration,
    warned: bool,
}

/// One POS lane's application logic. See the module docs.
pub struct TerminalCore {
    settings: TerminalSettings,
    config: StoreConfig,
    rules: SaleRules,
    catalog: Catalog,
    members: Members,
    operators: Operators,
    journal: Journal,
    clock: Arc<dyn WallClock>,
    now: Duration,
    operator: Option<Operator>,
    login: LoginStep,
    sale: Option<Sale>,
    /// A sale rebuilt by [`TerminalCore::recover`], taken up at the next login.
    recovered: Option<Sale>,
    /// A void of a completed sale in progress (between sales).
    voiding: Option<void::VoidJob>,
    phase: Phase,
    entry: String,
    qty: Option<u32>,
    held: Option<HeldSupervisor>,
    drawer: Drawer,
    /// Devices reported not responding (until they answer again).
    lost: BTreeSet<DeviceRole>,
    /// The printer's last reported status.
    printer: PrinterStatus,
    /// The host asked for a new sign-on and it failed: card tenders wait for a sign-on.
    sign_on_required: bool,
    /// A transient message shown instead of the state's screen until the next key or scan.
    message: Option<(String, String)>,
    shown: (String, String),
    out: Vec<Command>,
}

impl std::fmt::Debug for TerminalCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TerminalCore")
            .field("terminal_id", &self.settings.terminal_id)
            .field("operator", &self.operator.as_ref().map(|o| &o.number))
            .field("sale", &self.sale.as_ref().map(|s| (s.id(), s.state())))
            .field("phase", &self.phase)
            .field("shown", &self.shown)
            .finish_non_exhaustive()
    }
}

impl TerminalCore {
    /// A terminal with default [`TerminalSettings`]; logged out, showing nothing until the
    /// first input or [`TerminalCore::recover`].
    pub fn new(
        config: StoreConfig,
        catalog: Catalog,
        members: Members,
        operators: Operators,
        journal: Journal,
        clock: Arc<dyn WallClock>,
    ) -> Self {
        let rules = config.sale_rules();
        TerminalCore {
            settings: TerminalSettings::default(),
            config,
            rules,
            catalog,
            members,
            operators,
            journal,
            clock,
            now: Duration::ZERO,
            operator: None,
            login: LoginStep::Idle,
            sale: None,
            recovered: None,
            voiding: None,
            phase: Phase::Ready,
            entry: String::new(),
            qty: None,
            held: None,
            drawer: Drawer::default(),
            lost: BTreeSet::new(),
            printer: PrinterStatus::Ready,
            sign_on_required: false,
            message: None,
            shown: (String::new(), String::new()),
            out: Vec::new(),
        }
    }

    /// Replaces the lane settings.
    pub fn with_settings(mut self, settings: TerminalSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Handles one input at `now` (time since start) and returns the commands to carry out, in
    /// order.
    pub fn handle(&mut self, input: Input, now: Duration) -> Vec<Command> {
        self.now = now;
        match input {
            Input::Key(key) => {
                self.message = None;
                self.on_key(key);
            }
            Input::Scan(code) => {
                self.message = None;
                self.on_scan(code.trim());
            }
            Input::Pad(msg) => self.on_pad(msg),
            Input::Weight(reply) => self.on_weight(reply),
            Input::Printer(status) => self.on_printer(status),
            Input::PrintDone { job } => self.on_print_done(job),
            Input::DrawerOpened => self.on_drawer(true),
            Input::DrawerClosed => self.on_drawer(false),
            Input::Misread(code) => {
                self.message = None;
                self.on_misread(code.trim());
            }
            Input::Unreadable => {
                if self.operator.is_some() {
                    self.say("RESCAN", "");
                }
            }
            Input::DeviceLost(role) => self.on_device_lost(role),
            Input::DeviceBack(role) => {
                self.lost.remove(&role);
                if self
                    .message
                    .as_ref()
                    .is_some_and(|m| m.0 == format!("DEVICE {}", role.name()))
                {
                    // Another device still down (or the printer's alert) shows next.
                    self.message = self.device_alert();
                }
            }
            Input::SignOnRequired => {
                self.sign_on_required = true;
                self.say("SIGN ON REQUIRED", "PRESS SIGNON");
            }
            Input::SignOn(outcome) => self.on_sign_on(outcome),
            Input::SignOff(ok) => self.on_sign_off(ok),
            Input::Host(outcome) => self.on_host(outcome),
            Input::Qr(outcome) => self.on_qr(outcome),
            Input::Settle(outcome) => self.on_settle(outcome),
        }
        self.refresh();
        std::mem::take(&mut self.out)
    }

    /// When [`TerminalCore::on_timer`] must be called next, if ever.
    pub fn next_deadline(&self) -> Option<Duration> {
        let card = match &self.phase {
            Phase::Card(flow) => flow.deadline(),
            _ => None,
        };
        let drawer = (self.drawer.open && !self.drawer.warned)
            .then(|| self.drawer.opened_at + self.settings.drawer_warning_after);
        card.into_iter().chain(drawer).min()
    }

    /// Handles the timeouts due at `now`.
    pub fn on_timer(&mut self, now: Duration) -> Vec<Command> {
        self.now = now;
        if let Phase::Card(flow) = &self.phase {
            if flow.deadline().is_some_and(|d| d <= now) {
                self.abort_card("CARD TIMEOUT", "CHOOSE TENDER");
            }
        }
        if self.drawer.open
            && !self.drawer.warned
            && self.drawer.opened_at + self.settings.drawer_warning_after <= now
        {
            self.drawer.warned = true;
            self.message = Some(("PLEASE CLOSE DRAWER".into(), String::new()));
        }
        self.refresh();
        std::mem::take(&mut self.out)
    }

    /// The logged-in operator.
    pub fn operator(&self) -> Option<&Operator> {
        self.operator.as_ref()
    }

    /// The sale in progress.
    pub fn sale(&self) -> Option<&Sale> {
        self.sale.as_ref()
    }

    /// The two display lines last shown.
    pub fn display(&self) -> (&str, &str) {
        (&self.shown.0, &self.shown.1)
    }

    /// Devices reported not responding, in role order.
    pub fn devices_not_responding(&self) -> Vec<DeviceRole> {
        self.lost.iter().copied().collect()
    }

    /// The printer's last reported status.
    pub fn printer_status(&self) -> PrinterStatus {
        self.printer
    }

    /// Whether card tenders wait for a sign-on (the host asked for one and it failed).
    pub fn sign_on_required(&self) -> bool {
        self.sign_on_required
    }

    /// Whether the drawer is (believed) open.
    pub fn drawer_open(&self) -> bool {
        self.drawer.open
    }

    /// The journal (for inspection after a run).
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The catalog with its inventory on hand.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn on_key(&mut self, key: Key) {
        if self.operator.is_none() {
            self.login_key(key);
            return;
        }
        match &self.phase {
            Phase::Card(_) => self.card_key(key),
            Phase::QrPaying { .. }
            | Phase::SigningOn
            | Phase::SigningOff
            | Phase::Settling { .. } => {}
            Phase::QrScan { .. } => {
                if matches!(key, Key::Clear | Key::Cancel) {
                    self.phase = Phase::Ready;
                }
            }
            Phase::Weighing { .. } => match key {
                Key::Enter => self.out.push(Command::ReadWeight),
                Key::Clear | Key::Cancel => self.phase = Phase::Ready,
                _ => {}
            },
            Phase::Supervisor { .. }
            | Phase::Member
            | Phase::RefundReceipt
            | Phase::VoidReceipt => self.prompt_key(key),
            Phase::Ready => self.ready_key(key),
        }
    }

    /// Keys while a number is being typed at a prompt (supervisor, member, refund receipt).
    fn prompt_key(&mut self, key: Key) {
        if let Some(text) = entry_text(key) {
            self.push_entry(text);
            return;
        }
        match key {
            Key::Enter => {
                let entry = std::mem::take(&mut self.entry);
                match std::mem::replace(&mut self.phase, Phase::Ready) {
                    Phase::Supervisor { number: None } => {
                        self.phase = Phase::Supervisor {
                            number: Some(entry),
                        }
                    }
                    Phase::Supervisor { number: Some(n) } => self.supervisor_done(n, entry),
                    Phase::Member => self.member_lookup(&entry),
                    Phase::RefundReceipt => self.start_refund(&entry),
                    Phase::VoidReceipt => self.start_void(&entry),
                    other => self.phase = other,
                }
            }
            Key::Clear if !self.entry.is_empty() => self.entry.clear(),
            Key::Clear | Key::Cancel => {
                self.entry.clear();
                self.phase = Phase::Ready;
            }
            _ => {}
        }
    }

    /// Keys in the ready phase: the main keyboard.
    fn ready_key(&mut self, key: Key) {
        if let Some(text) = entry_text(key) {
            self.push_entry(text);
            return;
        }
        match key {
            Key::Clear => {
                self.entry.clear();
                self.qty = None;
            }
            Key::Enter => self.price_override_key(),
            Key::Qty => self.qty_key(),
            Key::Plu => self.plu_key(),
            Key::Total => self.total_key(),
            Key::Cash => self.cash_key(),
            Key::Card => self.card_tender_key(),
            Key::Qr => self.qr_key(),
            Key::Void => self.void_key(),
            Key::Cancel => self.cancel_key(),
            Key::Member => self.member_key(),
            Key::Refund => self.refund_key(),
            Key::Supervisor => self.supervisor_key(),
            Key::NoSale => self.no_sale_key(),
            Key::Reprint => self.reprint_key(),
            Key::SignOn => self.sign_on_key(),
            Key::SignOff => self.sign_off_key(),
            Key::Login => self.say("LOG OUT FIRST", ""),
            Key::Logout => self.logout_key(),
            Key::Settle => self.settle_key(),
            Key::XReport => self.report_key(false),
            Key::ZReport => self.report_key(true),
            _ => {}
        }
    }

    fn on_scan(&mut self, code: &str) {
        if self.operator.is_none() {
            self.say("PLEASE LOG IN", "");
            return;
        }
        match &self.phase {
            Phase::QrScan { .. } => self.qr_code_scanned(code),
            Phase::Member => {
                self.phase = Phase::Ready;
                self.entry.clear();
                self.member_lookup(code);
            }
            Phase::Ready => self.scan_item(code),
            _ => self.say("PLEASE WAIT", ""),
        }
    }

    /// A retail-symbology scan whose check digit fails: scanned again, except at the member
    /// prompt, where the code is a loyalty card number (those carry no EAN check digit).
    fn on_misread(&mut self, code: &str) {
        if self.operator.is_some() && matches!(self.phase, Phase::Member) {
            return self.on_scan(code);
        }
        if self.operator.is_none() {
            return self.say("PLEASE LOG IN", "");
        }
        self.say("RESCAN", "");
    }

    fn on_device_lost(&mut self, role: DeviceRole) {
        self.lost.insert(role);
        if role == DeviceRole::PinPad {
            // The cardholder cannot go on; the cashier chooses another tender.
            self.abort_card("DEVICE PINPAD", "NOT RESPONDING");
        }
        self.message = Some((format!("DEVICE {}", role.name()), "NOT RESPONDING".into()));
    }

    /// The device status to show when nothing else is: a device not responding first, then
    /// the printer's alert.
    fn device_alert(&self) -> Option<(String, String)> {
        if let Some(role) = self.lost.iter().next() {
            return Some((format!("DEVICE {}", role.name()), "NOT RESPONDING".into()));
        }
        printer_alert(self.printer).map(|(a, b)| (a.to_string(), b.to_string()))
    }

    fn on_printer(&mut self, status: PrinterStatus) {
        self.printer = status;
        match printer_alert(status) {
            Some((l1, l2)) => self.say(l1, l2),
            None => {
                let printer_alert = self.message.as_ref().is_some_and(|m| {
                    matches!(
                        m.0.as_str(),
                        "PAPER OUT" | "PRINTER COVER OPEN" | "PRINTER OFFLINE"
                    )
                });
                if printer_alert {
                    self.message = None;
                }
            }
        }
    }

    fn on_print_done(&mut self, job: ReceiptId) {
        // A confirmation for a job the journal does not know is the driver's mistake, not a
        // reason to stop the lane.
        if let Err(e) = self.journal.mark_receipt_done(job) {
            tracing::warn!(job = job.0, error = %e, "print confirmation not recorded");
        }
    }

    fn on_drawer(&mut self, open: bool) {
        if open && !self.drawer.open {
            self.drawer = Drawer {
                open: true,
                opened_at: self.now,
                warned: false,
            };
        } else if !open && self.drawer.open {
            self.drawer.open = false;
            // The change was handed over; the next customer's screen replaces it, unless a
            // device still needs the cashier (paper out while the receipt waits).
            self.message = self.device_alert();
        }
    }

    /// Records that the core kicked the drawer open.
    fn kick_drawer(&mut self) {
        self.out.push(Command::KickDrawer);
        self.drawer = Drawer {
            open: true,
            opened_at: self.now,
            warned: false,
        };
    }

    /// Shows a transient message until the next key or scan.
    fn say(&mut self, line1: impl Into<String>, line2: impl Into<String>) {
        self.message = Some((line1.into(), line2.into()));
    }

    /// Unwraps a journal result; on failure shows the error and returns `None`, so the caller
    /// stops before acting outside.
    fn ok<T>(&mut self, r: Result<T, JournalError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::error!(error = %e, "journal write failed");
                self.say("JOURNAL ERROR", "CALL SUPPORT");
                None
            }
        }
    }

    fn push_entry(&mut self, text: &str) {
        if self.entry.len() + text.len() <= 24 {
            self.entry.push_str(text);
        }
    }

    /// The amount typed, if any: `None` for an empty entry, `Err` for a bad one.
    fn entry_amount(&mut self) -> Result<Option<Money>, ()> {
        let entry = std::mem::take(&mut self.entry);
        if entry.is_empty() {
            return Ok(None);
        }
        let m: Money = entry.parse().map_err(|_| ())?;
        let dp = self.rules.currency.minor_units;
        if m.amount().scale() > dp || m <= Money::ZERO {
            return Err(());
        }
        Ok(Some(m))
    }

    fn minor(&self, m: Money) -> u64 {
        self.rules
            .currency
            .to_minor(m)
            .ok()
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(0)
    }

    fn currency_numeric(&self) -> u16 {
        self.rules.currency.numeric.parse().unwrap_or(156)
    }

    /// Whether a flow that starts a sale or opens the drawer may begin.
    fn idle_with_closed_drawer(&mut self) -> bool {
        if self.sale.is_some() {
            self.say("FINISH SALE FIRST", "");
            return false;
        }
        if self.drawer.open {
            self.say("CLOSE DRAWER", "FIRST");
            return false;
        }
        true
    }
}

/// The display's alert for a printer status, if it needs one.
fn printer_alert(status: PrinterStatus) -> Option<(&'static str, &'static str)> {
    match status {
        PrinterStatus::Ready | PrinterStatus::PaperNearEnd => None,
        PrinterStatus::PaperOut => Some(("PAPER OUT", "LOAD PAPER")),
        PrinterStatus::CoverOpen => Some(("PRINTER COVER OPEN", "CLOSE COVER")),
        PrinterStatus::Offline => Some(("PRINTER OFFLINE", "")),
    }
}

/// The text a digit, `00` or `.` key adds to the entry.
fn entry_text(key: Key) -> Option<&'static str> {
    Some(match key {
        Key::Digit0 => "0",
        Key::Digit1 => "1",
        Key::Digit2 => "2",
        Key::Digit3 => "3",
        Key::Digit4 => "4",
        Key::Digit5 => "5",
        Key::Digit6 => "6",
        Key::Digit7 => "7",
        Key::Digit8 => "8",
        Key::Digit9 => "9",
        Key::DoubleZero => "00",
        Key::Point => ".",
        _ => return None,
    })
}

/// Pad transaction kind of a sale.
fn txn_kind(sale: &Sale) -> TxnKind {
    match sale.kind() {
        crate::sale::SaleKind::Sale => TxnKind::Sale,
        crate::sale::SaleKind::Refund => TxnKind::Refund,
    }
}
