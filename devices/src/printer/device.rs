//! The [`Printer`] state machine: bytes from the host go through two doors. Real-time commands
//! (`DLE EOT`, `DLE ENQ`, `DLE DC4`) are acted on as they arrive — even offline, busy or with a
//! full buffer — the way printer firmware handles them in its receive interrupt; everything else
//! waits in the receive buffer until the print engine, which takes time per line of paper, gets
//! to it.

use std::collections::VecDeque;
use std::time::Duration;

use posrig_protocols::escpos::{
    Command, DrawerPin, PaperLevel, Parser, ParserConfig, PrinterStatus, RealtimeStatusKind,
    Recovery, StatusProfile,
};
use serde::Serialize;
use tokio::time::Instant;

use super::action::PrinterAction;
use super::buffer::{BufferView, ReceiveBuffer, XOFF};
use super::config::{ConfigError, PrinterConfig, PrinterProfile};
use super::drawer::{Drawer, DrawerView, KickOutcome};
use super::fault::PrinterFault;
use super::paper::{level_name, Paper, PaperView};
use super::render::{LineBuilder, Receipt, RenderedLine};
use super::status::{compose, AutoStatusBack, Errors, StatusParts};
use crate::device::{DeviceError, DeviceEvent, Direction, Outbox, SimDevice};
use crate::display::CustomerDisplay;

/// Paper moved per vertical motion unit of `GS V 41 n` (one dot at 203 dpi).
const MOTION_UNIT_UM: u64 = 125;
/// Barcode height after power-on (`GS h`), in dots.
const DEFAULT_BARCODE_HEIGHT: u8 = 162;
/// QR module size after power-on (`GS ( k` fn 67), in dots.
const DEFAULT_QR_MODULE: u8 = 3;
/// Modules across a small QR symbol with its quiet zone, for the paper it takes.
const QR_MODULES: u64 = 33;

/// Faults that are plain switches (the others live in the part they affect).
#[derive(Debug, Clone, Copy, Default)]
struct Switches {
    paper_out: bool,
    paper_near_end: bool,
    cover_open: bool,
    offline: bool,
    unplugged: bool,
    slow_lines_per_s: Option<u32>,
}

/// A real-time command seen on arrival.
#[derive(Debug, Clone, Copy)]
enum Realtime {
    Status(RealtimeStatusKind),
    Recover(Recovery),
    Kick(DrawerPin),
}

/// A simulated ESC/POS receipt printer with its cash drawer.
#[derive(Debug)]
pub struct Printer {
    config: PrinterConfig,
    profile: StatusProfile,
    /// Watches every arriving byte for real-time commands only.
    monitor: Parser,
    buffer: ReceiveBuffer,
    paper: Paper,
    drawer: Drawer,
    line: LineBuilder,
    receipt: Vec<RenderedLine>,
    /// Lines printed by the command being executed, for their events.
    just_printed: Vec<String>,
    receipts: VecDeque<Receipt>,
    next_receipt_id: u64,
    cover_opened_by_hand: bool,
    feed_pressed_at: Option<Instant>,
    switches: Switches,
    errors: Errors,
    asb: AutoStatusBack,
    /// The print engine is moving paper until then.
    busy_until: Option<Instant>,
    barcode_height: u8,
    barcode_hri: u8,
    qr_module: u8,
    qr_data: Option<String>,
    display: Option<CustomerDisplay>,
    last_paper: PaperLevel,
    lines_printed: u64,
    cuts: u64,
    pass_through_dropped: u64,
    /// Bumped whenever `receipts` changes (a cut), so a snapshot check need not compare them.
    receipts_revision: u64,
    /// `receipts` as the snapshot shows them, and the revision they were built at: serialised
    /// once a cut, not once a printed line.
    receipts_json: (u64, serde_json::Value),
    /// What the last snapshot showed, as [`SimDevice::snapshot_changed`] compares it.
    shown: Option<Shown>,
}

/// Lines between two snapshots while a job prints (its end, a cut, and any change of state
/// still show at once): a snapshot per line cost more than all the printing, and nobody reads
/// a receipt line by line from the control API — the event log has each line.
const PROGRESS_EVERY_LINES: u64 = 8;

/// What [`SimDevice::snapshot_changed`] compares: everything a snapshot shows, with the text of
/// the receipts stood for by the counters that change with it (a line printed, a cut, the kept
/// receipts' revision). Typed, so a status poll that changes nothing builds no JSON. While a
/// job prints, the paper used, the buffer's fill and the lines printed count only every
/// [`PROGRESS_EVERY_LINES`] lines.
#[derive(Debug, PartialEq)]
struct Shown {
    online: bool,
    printing: bool,
    paper: (&'static str, Option<(u64, u64)>),
    cover_open: bool,
    feed_button: bool,
    buffer: (bool, u64, Option<usize>),
    asb: (bool, u8),
    drawer: DrawerView,
    errors: Errors,
    faults: Vec<&'static str>,
    realtime: [u8; 4],
    asb_frame: [u8; 4],
    lines_printed: u64,
    cuts: u64,
    display: Option<serde_json::Value>,
    pass_through_dropped: u64,
    receipts_revision: u64,
}

/// What the control API shows.
#[derive(Serialize)]
/// The kept receipts are added as `receipts` (see [`Printer::view`]).
struct Snapshot {
    profile: PrinterProfile,
    online: bool,
    printing: bool,
    paper: PaperView,
    cover_open: bool,
    feed_button: bool,
    buffer: BufferView,
    asb: AsbView,
    drawer: DrawerView,
    errors: Errors,
    faults: Vec<&'static str>,
    status: StatusView,
    lines_printed: u64,
    cuts: u64,
    /// Lines printed since the last cut.
    current_receipt: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<serde_json::Value>,
    pass_through_dropped: u64,
}

#[derive(Serialize)]
struct AsbView {
    enabled: bool,
    mask: u8,
}

/// The bytes the printer would answer now, in hex, for a quick look.
#[derive(Serialize)]
struct StatusView {
    /// Replies to `DLE EOT 1..4`.
    dle_eot: String,
    /// The ASB frame.
    asb: String,
}

impl Printer {
    /// A printer at power-on with a full roll, cover shut, drawer shut.
    pub fn new(config: PrinterConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let monitor = Parser::new(ParserConfig {
            realtime_in_data: config.realtime_in_data,
            track_device_select: true,
            max_text_run: 256,
            ..ParserConfig::default()
        });
        let paper = Paper::new(config.paper_roll_mm, config.near_end_mm);
        Ok(Printer {
            profile: config.profile.status_profile(),
            monitor,
            buffer: ReceiveBuffer::new(&config),
            last_paper: paper.level(),
            paper,
            drawer: Drawer::new(config.drawer_open_level(), config.drawer.close_after_ms),
            line: LineBuilder::new(config.columns),
            receipt: Vec::new(),
            just_printed: Vec::new(),
            receipts: VecDeque::new(),
            next_receipt_id: 1,
            cover_opened_by_hand: false,
            feed_pressed_at: None,
            switches: Switches::default(),
            errors: Errors::default(),
            asb: AutoStatusBack::default(),
            busy_until: None,
            barcode_height: DEFAULT_BARCODE_HEIGHT,
            barcode_hri: 0,
            qr_module: DEFAULT_QR_MODULE,
            qr_data: None,
            display: config.pass_through_display.then(CustomerDisplay::new),
            lines_printed: 0,
            cuts: 0,
            pass_through_dropped: 0,
            receipts_revision: 0,
            receipts_json: (0, serde_json::Value::Array(Vec::new())),
            shown: None,
            config,
        })
    }

    /// The status the host would be told now.
    pub fn status(&self) -> PrinterStatus {
        compose(StatusParts {
            paper: self.paper_level(),
            cover_open: self.cover_open(),
            offline_fault: self.switches.offline,
            feed_button: self.feed_pressed_at.is_some(),
            drawer_pin3_high: self.drawer.pin3_high(),
            errors: self.errors,
        })
    }

    /// Whether the printer prints (no cover, paper, button or error stop).
    pub fn online(&self) -> bool {
        !self.status().is_offline()
    }

    /// The finished receipts kept, oldest first.
    pub fn receipts(&self) -> impl Iterator<Item = &Receipt> {
        self.receipts.iter()
    }

    /// Lines printed since the last cut.
    pub fn current_receipt(&self) -> &[RenderedLine] {
        &self.receipt
    }

    /// The daisy-chained customer display, if configured.
    pub fn display(&self) -> Option<&CustomerDisplay> {
        self.display.as_ref()
    }

    /// Whether the drawer is open.
    pub fn drawer_open(&self) -> bool {
        self.drawer.is_open()
    }

    fn cover_open(&self) -> bool {
        self.cover_opened_by_hand || self.switches.cover_open
    }

    fn paper_level(&self) -> PaperLevel {
        match self.paper.level() {
            _ if self.switches.paper_out => PaperLevel::Out,
            PaperLevel::Out => PaperLevel::Out,
            _ if self.switches.paper_near_end => PaperLevel::NearEnd,
            level => level,
        }
    }

    /// How long the engine takes to move `um` of paper.
    fn feed_time(&self, um: u64) -> Duration {
        let micros = match self.switches.slow_lines_per_s {
            Some(lps) => um * 1_000_000 / (u64::from(lps) * u64::from(self.config.line_pitch_um)),
            None => um * 1000 / u64::from(self.config.print_speed_mm_s),
        };
        Duration::from_micros(micros)
    }

    // ---- arrival: the real-time door ----

    fn receive(&mut self, now: Instant, bytes: &[u8], out: &mut Outbox) {
        if self.switches.unplugged {
            return;
        }
        // Feed the buffer and the monitor in pieces that end where a real-time command may end,
        // so that `DLE ENQ 2` clears exactly the bytes that arrived before it.
        let mut ends: Vec<usize> = bytes
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == 0x10)
            .flat_map(|(j, _)| [j + 3, j + 5])
            .filter(|&e| e < bytes.len())
            .collect();
        ends.sort_unstable();
        ends.dedup();
        ends.push(bytes.len());
        let mut start = 0;
        for end in ends {
            self.receive_piece(now, &bytes[start..end], out);
            start = end;
        }
    }

    fn receive_piece(&mut self, now: Instant, piece: &[u8], out: &mut Outbox) {
        let lost = self.buffer.store(piece);
        if lost > 0 {
            out.event(note(
                "bytes_lost",
                format!("{lost} bytes arrived into a full receive buffer"),
            ));
        }
        self.monitor.push(piece);
        let mut seen = Vec::new();
        while let Some(cmd) = self.monitor.next_command() {
            match cmd {
                Command::RealtimeStatus(k) => seen.push(Realtime::Status(k)),
                Command::RealtimeRecover(r) => seen.push(Realtime::Recover(r)),
                Command::RealtimeDrawerKick { pin, .. } => seen.push(Realtime::Kick(pin)),
                _ => {}
            }
        }
        for rt in seen {
            match rt {
                Realtime::Status(kind) => {
                    let byte = self.status().realtime_byte(kind, self.profile);
                    out.send(&[byte]);
                    out.frame(
                        Direction::Out,
                        format!("DLE EOT {} -> {byte:02X}", kind.to_byte()),
                    );
                }
                Realtime::Recover(mode) => self.recover(mode, out),
                Realtime::Kick(pin) => self.kick(now, pin, "DLE DC4", out),
            }
        }
    }

    fn recover(&mut self, mode: Recovery, out: &mut Outbox) {
        let n = match mode {
            Recovery::Restart => 1,
            Recovery::ClearBuffers => 2,
        };
        // Real firmware ignores DLE ENQ unless a recoverable error is waiting for it.
        if !self.errors.autocutter {
            out.frame(Direction::In, format!("DLE ENQ {n} (no error to recover)"));
            return;
        }
        self.errors.autocutter = false;
        if mode == Recovery::ClearBuffers {
            self.buffer.clear();
            self.line.clear();
        }
        out.frame(Direction::In, format!("DLE ENQ {n}: recovered"));
        out.event(DeviceEvent::FaultCleared {
            fault: "cutter_error".into(),
        });
    }

    fn kick(&mut self, now: Instant, pin: DrawerPin, by: &str, out: &mut Outbox) {
        let pin_name = match pin {
            DrawerPin::Pin2 => "pin 2",
            DrawerPin::Pin5 => "pin 5",
        };
        let outcome = match self.drawer.kick(now, pin) {
            KickOutcome::Opened => "drawer opened",
            KickOutcome::AlreadyOpen => "drawer already open",
            KickOutcome::Stuck => "drawer stuck shut",
        };
        out.frame(Direction::In, format!("{by} kick {pin_name}: {outcome}"));
        out.event(note("drawer_kick", format!("{by} {pin_name}: {outcome}")));
    }

    // ---- after every input ----

    /// Run the engine, then tell the host what changed: flow control, ASB, paper sensors.
    fn settle(&mut self, now: Instant, out: &mut Outbox) {
        self.engine(now, out);
        if let Some(byte) = self.buffer.flow_signal() {
            if !self.switches.unplugged {
                out.send(&[byte]);
                out.frame(Direction::Out, if byte == XOFF { "XOFF" } else { "XON" });
            }
        }
        let status = self.status();
        if self.switches.unplugged {
            self.asb.absorb(&status, self.profile);
        } else if let Some(frame) = self.asb.check(&status, self.profile) {
            out.send(&frame);
            out.frame(Direction::Out, format!("ASB {}", hex_spaced(&frame)));
        }
        let level = self.paper_level();
        if level != self.last_paper {
            out.event(note(
                "paper",
                format!("paper sensor: {}", level_name(level)),
            ));
            self.last_paper = level;
        }
    }

    fn faults(&self) -> Vec<&'static str> {
        let s = self.switches;
        let drawer = self.drawer.view();
        [
            (s.paper_out, "paper_out"),
            (s.paper_near_end, "paper_near_end"),
            (s.cover_open, "cover_open"),
            (self.errors.autocutter, "cutter_error"),
            (self.errors.unrecoverable, "unrecoverable_error"),
            (s.offline, "offline"),
            (s.unplugged, "unplugged"),
            (s.slow_lines_per_s.is_some(), "slow"),
            (drawer.stuck, "drawer_stuck"),
            (drawer.jammed_open, "drawer_jammed_open"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

impl SimDevice for Printer {
    type Action = PrinterAction;
    type Fault = PrinterFault;

    fn role(&self) -> &'static str {
        "printer"
    }

    fn on_bytes(&mut self, now: Instant, bytes: &[u8], out: &mut Outbox) {
        self.receive(now, bytes, out);
        self.settle(now, out);
    }

    fn on_action(
        &mut self,
        now: Instant,
        action: PrinterAction,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        let name = action.name();
        let detail = match action {
            PrinterAction::LoadPaper { mm } => {
                let mm = mm.unwrap_or(self.config.paper_roll_mm);
                self.paper.load(mm);
                for (on, fault) in [
                    (&mut self.switches.paper_out, "paper_out"),
                    (&mut self.switches.paper_near_end, "paper_near_end"),
                ] {
                    if std::mem::take(on) {
                        out.event(DeviceEvent::FaultCleared {
                            fault: fault.into(),
                        });
                    }
                }
                format!("{mm} mm roll loaded")
            }
            PrinterAction::OpenCover => {
                self.cover_opened_by_hand = true;
                "cover opened".into()
            }
            PrinterAction::CloseCover => {
                self.cover_opened_by_hand = false;
                "cover closed".into()
            }
            PrinterAction::PressFeed => {
                self.feed_pressed_at.get_or_insert(now);
                "feed button held".into()
            }
            PrinterAction::ReleaseFeed => match self.feed_pressed_at.take() {
                Some(since) => {
                    // The button feeds paper the whole time it is held, if there is paper to feed.
                    let fed = if self.paper_level() != PaperLevel::Out && !self.cover_open() {
                        let us = (now - since).as_micros() as u64;
                        self.paper
                            .feed(us * u64::from(self.config.print_speed_mm_s) / 1000)
                    } else {
                        0
                    };
                    format!("feed button released after feeding {} mm", fed / 1000)
                }
                None => "feed button was not held".into(),
            },
            PrinterAction::CloseDrawer { after_ms } => {
                let after = after_ms.map(Duration::from_millis);
                if !self.drawer.close(now, after) {
                    return Err(DeviceError::NotNow {
                        device: "printer",
                        action: name.into(),
                        reason: "the drawer is jammed open".into(),
                    });
                }
                match after_ms {
                    Some(ms) if ms > 0 => format!("drawer will be closed in {ms} ms"),
                    _ => "drawer closed".into(),
                }
            }
            PrinterAction::OpenDrawer => {
                self.drawer.open_by_hand(now);
                "drawer opened with the key".into()
            }
        };
        out.event(DeviceEvent::Action {
            name: name.into(),
            detail,
        });
        self.settle(now, out);
        Ok(())
    }

    fn on_fault(
        &mut self,
        now: Instant,
        fault: PrinterFault,
        active: bool,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        let name = fault.name();
        match fault {
            PrinterFault::PaperOut => self.switches.paper_out = active,
            PrinterFault::PaperNearEnd => self.switches.paper_near_end = active,
            PrinterFault::CoverOpen => self.switches.cover_open = active,
            PrinterFault::CutterError => self.errors.autocutter = active,
            PrinterFault::UnrecoverableError => self.errors.unrecoverable = active,
            PrinterFault::Offline => self.switches.offline = active,
            PrinterFault::Unplugged => self.switches.unplugged = active,
            PrinterFault::Slow { lines_per_s } => {
                if active && lines_per_s == 0 {
                    return Err(DeviceError::BadRequest {
                        device: "printer",
                        what: "fault",
                        message: "slow `lines_per_s` must be at least 1".into(),
                    });
                }
                self.switches.slow_lines_per_s = active.then_some(lines_per_s);
            }
            PrinterFault::DrawerStuck => self.drawer.set_stuck(active),
            PrinterFault::DrawerJammedOpen => self.drawer.set_jammed_open(active),
        }
        out.event(if active {
            DeviceEvent::FaultInjected { fault: name.into() }
        } else {
            DeviceEvent::FaultCleared { fault: name.into() }
        });
        self.settle(now, out);
        Ok(())
    }

    fn next_deadline(&self) -> Option<Instant> {
        match (self.busy_until, self.drawer.next_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn on_timer(&mut self, now: Instant, out: &mut Outbox) {
        if self.drawer.on_timer(now) {
            out.event(note("drawer_closed", "the drawer was pushed shut"));
        }
        self.settle(now, out);
    }

    fn snapshot(&self) -> serde_json::Value {
        self.view()
    }

    fn snapshot_changed(&mut self) -> bool {
        if self.receipts_json.0 != self.receipts_revision {
            self.receipts_json = (self.receipts_revision, self.receipts_value());
        }
        let now = self.shown();
        let changed = self.shown.as_ref() != Some(&now);
        if changed {
            self.shown = Some(now);
        }
        changed
    }
}

impl Printer {
    /// The kept receipts as the snapshot shows them.
    fn receipts_value(&self) -> serde_json::Value {
        serde_json::to_value(&self.receipts).expect("receipts are plain data")
    }

    fn shown(&self) -> Shown {
        let status = self.status();
        let printing = self.busy_until.is_some();
        let paper = self.paper.view(self.paper_level());
        let buffer = self.buffer.view();
        Shown {
            online: !status.is_offline(),
            printing,
            paper: (
                paper.level,
                (!printing).then_some((paper.remaining_mm, paper.used_mm)),
            ),
            cover_open: self.cover_open(),
            feed_button: self.feed_pressed_at.is_some(),
            buffer: (
                buffer.busy,
                buffer.lost_bytes,
                (!printing).then_some(buffer.fill),
            ),
            asb: (self.asb.enabled(), self.asb.mask()),
            drawer: self.drawer.view(),
            errors: self.errors,
            faults: self.faults(),
            realtime: status.realtime_bytes(self.profile),
            asb_frame: status.asb_bytes(self.profile),
            lines_printed: if printing {
                self.lines_printed / PROGRESS_EVERY_LINES
            } else {
                self.lines_printed
            },
            cuts: self.cuts,
            display: self.display.as_ref().map(|d| d.snapshot()),
            pass_through_dropped: self.pass_through_dropped,
            receipts_revision: self.receipts_revision,
        }
    }

    /// The control API's view.
    fn view(&self) -> serde_json::Value {
        let status = self.status();
        let snapshot = Snapshot {
            profile: self.config.profile,
            online: !status.is_offline(),
            printing: self.busy_until.is_some(),
            paper: self.paper.view(self.paper_level()),
            cover_open: self.cover_open(),
            feed_button: self.feed_pressed_at.is_some(),
            buffer: self.buffer.view(),
            asb: AsbView {
                enabled: self.asb.enabled(),
                mask: self.asb.mask(),
            },
            drawer: self.drawer.view(),
            errors: self.errors,
            faults: self.faults(),
            status: StatusView {
                dle_eot: hex_spaced(&status.realtime_bytes(self.profile)),
                asb: hex_spaced(&status.asb_bytes(self.profile)),
            },
            lines_printed: self.lines_printed,
            cuts: self.cuts,
            current_receipt: self.receipt.iter().map(RenderedLine::marked).collect(),
            display: self.display.as_ref().map(|d| d.snapshot()),
            pass_through_dropped: self.pass_through_dropped,
        };
        let mut value = serde_json::to_value(snapshot).expect("a printer snapshot is plain data");
        value["receipts"] = if self.receipts_json.0 == self.receipts_revision {
            self.receipts_json.1.clone()
        } else {
            self.receipts_value()
        };
        value
    }
}

/// Something the printer did on its own, reported as an action event named for it:
/// [`DeviceEvent`] has no kind for device-side happenings (the scanner does the same).
fn note(name: &str, detail: impl Into<String>) -> DeviceEvent {
    DeviceEvent::Action {
        name: name.into(),
        detail: detail.into(),
    }
}

fn hex_spaced(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first bytes of a command, for an event summary.
fn hex_short(bytes: &[u8]) -> String {
    let shown = hex_spaced(&bytes[..bytes.len().min(8)]);
    if bytes.len() > 8 {
        format!("{shown} …")
    } else {
        shown
    }
}

mod engine;
#[cfg(test)]
mod tests;
