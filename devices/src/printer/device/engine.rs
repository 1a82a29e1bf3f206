//! The print engine: buffered commands carried out in order, each paper movement taking the
//! time the configured speed (or the `slow` fault) gives it, lines rendered into the current
//! receipt, and the receipt finished by a cut.

use posrig_protocols::escpos::{Command, Cut, Qr};
use tokio::time::Instant;

use super::{
    hex_short, hex_spaced, note, Printer, DEFAULT_BARCODE_HEIGHT, DEFAULT_QR_MODULE,
    MOTION_UNIT_UM, QR_MODULES,
};
use crate::device::{DeviceEvent, Direction, Outbox};
use crate::printer::render::{symbology_name, CutKind, Receipt, RenderedLine};

impl Printer {
    pub(super) fn engine(&mut self, now: Instant, out: &mut Outbox) {
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
            // (the control API's snapshot follows every few lines, see `Shown`).
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
        self.receipts_revision += 1;
        while self.receipts.len() > self.config.keep_receipts {
            self.receipts.pop_front();
        }
        moved
    }
}
