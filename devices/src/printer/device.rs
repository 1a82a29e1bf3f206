//! The [`Printer`] state machine: bytes from the host go through two doors. Real-time commands
//! (`DLE EOT`, `DLE ENQ`, `DLE DC4`) are acted on as they arrive — even offline, busy or with a
//! full buffer — the way printer firmware handles them in its receive interrupt; everything else
//! waits in the receive buffer until the print engine, which takes time per line of paper, gets
//! to it.

use std::collections::VecDeque;
use std::time::Duration;

use posrig_protocols::escpos::{
    Command, Cut, DrawerPin, PaperLevel, Parser, ParserConfig, PrinterStatus, Qr,
    RealtimeStatusKind, Recovery, StatusProfile,
};
use serde::Serialize;
use tokio::time::Instant;

use super::action::PrinterAction;
use super::buffer::{BufferView, ReceiveBuffer, XOFF};
use super::config::{ConfigError, PrinterConfig, PrinterProfile};
use super::drawer::{Drawer, DrawerView, KickOutcome};
use super::fault::PrinterFault;
use super::paper::{level_name, Paper, PaperView};
use super::render::{symbology_name, CutKind, LineBuilder, Receipt, RenderedLine};
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
}

/// What the control API shows.
#[derive(Serialize)]
struct Snapshot<'a> {
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
    receipts: &'a VecDeque<Receipt>,
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

    // ---- the print engine: the buffered door ----

    fn engine(&mut self, now: Instant, out: &mut Outbox) {
        // Work queued behind a paper movement starts when the movement ended, not when the
        // timer was noticed: tokio rounds timers up to the millisecond, and lines would
        // otherwise drift by up to a millisecond each.
        let mut start = now;
        loop {
            if let Some(until) = self.busy_until {
                if until > now {
                    break;
                }
                start = until;
                self.busy_until = None;
            }
            if !self.online() {
                break;
            }
            let Some(cmd) = self.buffer.parser().next_command() else {
                break;
            };
            let cmd = cmd.into_owned();
            let moved_um = self.execute(now, cmd, out);
            // One event per printed line, so the event log shows the paper as it comes out
            // (and the control API's snapshot keeps up with the printing).
            for marked in self.just_printed.drain(..) {
                out.frame(Direction::In, format!("printed {marked}"));
            }
            if moved_um > 0 {
                self.busy_until = Some(start + self.feed_time(moved_um));
            }
        }
    }

    /// Carry out one buffered command; returns the paper it moved, in micrometres.
    fn execute(&mut self, now: Instant, cmd: Command<'static>, out: &mut Outbox) -> u64 {
        match cmd {
            Command::Text(bytes) => {
                let wrapped = self.line.push_bytes(&bytes);
                wrapped.into_iter().map(|l| self.print_line(l)).sum()
            }
            Command::LineFeed => {
                let line = self.line.finish();
                self.print_line(line)
            }
            Command::HorizontalTab => {
                let wrapped = self.line.tab();
                wrapped.into_iter().map(|l| self.print_line(l)).sum()
            }
            Command::CarriageReturn => 0,
            Command::Init => {
                self.line.reset();
                self.asb.disable();
                self.barcode_height = DEFAULT_BARCODE_HEIGHT;
                self.barcode_hri = 0;
                self.qr_module = DEFAULT_QR_MODULE;
                out.frame(Direction::In, "ESC @ initialise");
                0
            }
            Command::Bold(on) => {
                self.line.bold = on;
                0
            }
            Command::Align(a) => {
                self.line.align = a.into();
                0
            }
            Command::CharSize(s) => {
                self.line.width = s.width;
                self.line.height = s.height;
                0
            }
            Command::PrintMode(m) => {
                self.line.bold = m.emphasised();
                self.line.underline = m.underline();
                self.line.font_b = m.font_b();
                self.line.width = if m.double_width() { 2 } else { 1 };
                self.line.height = if m.double_height() { 2 } else { 1 };
                0
            }
            Command::Feed(n) => {
                let mut moved = 0;
                let mut blanks = n;
                if !self.line.is_empty() {
                    let line = self.line.finish();
                    moved += self.print_line(line);
                    blanks = blanks.saturating_sub(1);
                }
                for _ in 0..blanks {
                    moved += self.print_line(RenderedLine::blank());
                }
                moved
            }
            Command::Cut(cut) => self.cut(cut, out),
            Command::DrawerKick(k) => {
                self.kick(now, k.pin, "ESC p", out);
                0
            }
            // Acted on at arrival by the monitor.
            Command::RealtimeStatus(_)
            | Command::RealtimeRecover(_)
            | Command::RealtimeDrawerKick { .. } => 0,
            Command::Barcode(b) => {
                let moved = self.flush_line();
                self.record(RenderedLine::Barcode {
                    align: self.line.align,
                    symbology: symbology_name(b.kind).to_owned(),
                    data: String::from_utf8_lossy(&b.data).into_owned(),
                });
                let mut um = u64::from(self.barcode_height) * MOTION_UNIT_UM;
                if self.barcode_hri != 0 {
                    um += u64::from(self.config.line_pitch_um);
                }
                self.paper.feed(um);
                moved + um
            }
            Command::BarcodeHeight(n) => {
                self.barcode_height = n;
                0
            }
            Command::BarcodeHri(n) => {
                self.barcode_hri = n;
                0
            }
            Command::BarcodeWidth(_) => 0,
            Command::Qr(q) => self.qr(q),
            Command::CodePage(n) => {
                self.line.code_page = n;
                0
            }
            Command::SelectDevice(d) => {
                let to = if d.printer_enabled() {
                    "printer"
                } else {
                    "display"
                };
                out.frame(
                    Direction::In,
                    format!("ESC = {:02X}: data to the {to}", d.0),
                );
                0
            }
            Command::TransmitStatus(kind) => {
                let byte = self.status().transmit_status_byte(kind, self.profile);
                out.send(&[byte]);
                out.frame(
                    Direction::Out,
                    format!("GS r {} -> {byte:02X}", kind.to_byte()),
                );
                0
            }
            Command::AutoStatusBack(mask) => {
                let status = self.status();
                match self.asb.set(mask, &status, self.profile) {
                    Some(frame) => {
                        out.send(&frame);
                        out.frame(
                            Direction::Out,
                            format!("GS a {:02X} -> ASB {}", mask.0, hex_spaced(&frame)),
                        );
                    }
                    None => out.frame(Direction::In, "GS a 00: ASB off"),
                }
                0
            }
            Command::PassThrough(bytes) => {
                match self.display.as_mut() {
                    Some(display) => {
                        let mut inner = Outbox::default();
                        display.receive(&bytes, &mut inner);
                        for event in inner.events {
                            out.event(match event {
                                DeviceEvent::State { state } => DeviceEvent::State {
                                    state: serde_json::json!({ "display": state }),
                                },
                                other => other,
                            });
                        }
                    }
                    None => {
                        self.pass_through_dropped += bytes.len() as u64;
                        out.event(note(
                            "pass_through_dropped",
                            format!(
                                "{} bytes for a customer display that is not attached",
                                bytes.len()
                            ),
                        ));
                    }
                }
                0
            }
            Command::Unsupported(bytes) => {
                out.frame(Direction::In, format!("unsupported {}", hex_short(&bytes)));
                0
            }
            Command::Oversized { header, total_len } => {
                out.frame(
                    Direction::In,
                    format!(
                        "oversized {} ({total_len} bytes) discarded",
                        hex_short(&header)
                    ),
                );
                0
            }
            Command::Unknown(bytes) => {
                out.frame(Direction::In, format!("unknown {}", hex_short(&bytes)));
                0
            }
        }
    }

    fn qr(&mut self, q: Qr<'static>) -> u64 {
        match q {
            Qr::ModuleSize(n) => self.qr_module = n.max(1),
            Qr::Store(data) => self.qr_data = Some(String::from_utf8_lossy(&data).into_owned()),
            Qr::Print => {
                let Some(data) = self.qr_data.clone() else {
                    return 0;
                };
                let moved = self.flush_line();
                self.record(RenderedLine::Qr {
                    align: self.line.align,
                    data,
                });
                let um = QR_MODULES * u64::from(self.qr_module) * MOTION_UNIT_UM;
                self.paper.feed(um);
                return moved + um;
            }
            Qr::Model(_) | Qr::ErrorCorrection(_) => {}
        }
        0
    }

    /// Print what is on the line, if anything (before a barcode, a QR code or a cut).
    fn flush_line(&mut self) -> u64 {
        if self.line.is_empty() {
            0
        } else {
            let line = self.line.finish();
            self.print_line(line)
        }
    }

    /// Put `line` on the paper; returns the paper the engine moves for it. The line during which
    /// the roll runs out still prints, partly, as on a real printer.
    fn print_line(&mut self, line: RenderedLine) -> u64 {
        let um = u64::from(self.config.line_pitch_um) * u64::from(line.height_lines());
        self.paper.feed(um);
        self.record(line);
        um
    }

    fn record(&mut self, line: RenderedLine) {
        self.just_printed.push(line.marked());
        self.receipt.push(line);
        self.lines_printed += 1;
    }

    fn cut(&mut self, cut: Cut, out: &mut Outbox) -> u64 {
        let mut moved = self.flush_line();
        if let Some(units) = cut.feed_units {
            let um = u64::from(units) * MOTION_UNIT_UM;
            self.paper.feed(um);
            moved += um;
        }
        self.cuts += 1;
        let kind = if cut.partial {
            CutKind::Partial
        } else {
            CutKind::Full
        };
        if self.receipt.is_empty() {
            out.frame(Direction::In, "cut (nothing printed since the last one)");
            return moved;
        }
        let id = self.next_receipt_id;
        self.next_receipt_id += 1;
        let lines = std::mem::take(&mut self.receipt);
        let receipt = Receipt::new(id, kind, lines, usize::from(self.config.columns));
        out.event(note(
            "receipt",
            format!(
                "receipt {id}: {} lines, {} cut",
                receipt.lines.len(),
                match kind {
                    CutKind::Full => "full",
                    CutKind::Partial => "partial",
                }
            ),
        ));
        self.receipts.push_back(receipt);
        while self.receipts.len() > self.config.keep_receipts {
            self.receipts.pop_front();
        }
        moved
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
            receipts: &self.receipts,
            display: self.display.as_ref().map(|d| d.snapshot()),
            pass_through_dropped: self.pass_through_dropped,
        };
        serde_json::to_value(snapshot).expect("a printer snapshot is plain data")
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

#[cfg(test)]
mod tests;
