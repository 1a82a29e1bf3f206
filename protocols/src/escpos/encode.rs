//! The POS-side encoder: typed commands and a builder that writes the bytes a receipt printer
//! expects.

use super::command::{
    Alignment, AsbMask, Barcode, BarcodeForm, BarcodeKind, CharSize, Command, Cut, DeviceSelect,
    DrawerKick, DrawerPin, PrintMode, Qr, QrEcLevel, QrModel, Recovery, TransmitStatusKind,
};
use super::status::RealtimeStatusKind;

/// A command that cannot be put on the wire as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// Text containing a control byte, which the printer would take for a command.
    #[error("encode text: byte {byte:#04x} at offset {offset} is a control byte")]
    ControlInText {
        /// The control byte.
        byte: u8,
        /// Its offset in the text.
        offset: usize,
    },
    /// Barcode data too long for its form.
    #[error("encode {kind:?} barcode: {len} data bytes exceed the form's limit of 255")]
    BarcodeTooLong {
        /// Symbology.
        kind: BarcodeKind,
        /// Data length.
        len: usize,
    },
    /// A symbology that form A cannot express, or form A data containing `00`.
    #[error("encode {kind:?} barcode in form A: {reason}")]
    BarcodeFormA {
        /// Symbology.
        kind: BarcodeKind,
        /// Why not.
        reason: &'static str,
    },
    /// QR data longer than `GS ( k` can carry.
    #[error("encode QR store: {len} data bytes exceed 65532")]
    QrTooLong {
        /// Data length.
        len: usize,
    },
    /// A parameter out of its wire range.
    #[error("encode {command}: {reason}")]
    Parameter {
        /// Command name.
        command: &'static str,
        /// Which parameter and why.
        reason: &'static str,
    },
    /// Commands that only a parser produces (pass-through, unknown, oversized).
    #[error("encode {0}: only the parser produces this command; send raw bytes instead")]
    NotEncodable(&'static str),
}

/// Append the wire bytes of `cmd` to `out`. Encoding is canonical (binary parameter forms,
/// `GS V 00`/`01`/`41`/`42` cuts), so parsing the output gives `cmd` back.
pub fn encode(cmd: &Command<'_>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    match cmd {
        Command::Text(t) => {
            if let Some(offset) = t.iter().position(|&c| c < 0x20) {
                return Err(EncodeError::ControlInText {
                    byte: t[offset],
                    offset,
                });
            }
            out.extend_from_slice(t);
        }
        Command::LineFeed => out.push(0x0A),
        Command::CarriageReturn => out.push(0x0D),
        Command::HorizontalTab => out.push(0x09),
        Command::Init => out.extend_from_slice(&[0x1B, 0x40]),
        Command::Bold(on) => out.extend_from_slice(&[0x1B, 0x45, u8::from(*on)]),
        Command::Align(a) => out.extend_from_slice(&[0x1B, 0x61, a.to_byte()]),
        Command::CharSize(s) => out.extend_from_slice(&[0x1D, 0x21, s.to_byte()]),
        Command::PrintMode(m) => out.extend_from_slice(&[0x1B, 0x21, m.0]),
        Command::Feed(n) => out.extend_from_slice(&[0x1B, 0x64, *n]),
        Command::Cut(c) => match c.feed_units {
            None => out.extend_from_slice(&[0x1D, 0x56, u8::from(c.partial)]),
            Some(n) => out.extend_from_slice(&[0x1D, 0x56, 65 + u8::from(c.partial), n]),
        },
        Command::DrawerKick(k) => {
            let half = |ms: u16, what| {
                u8::try_from(ms / 2).map_err(|_| EncodeError::Parameter {
                    command: "ESC p drawer kick",
                    reason: what,
                })
            };
            let t1 = half(k.on_ms, "on time above 510 ms")?;
            let t2 = half(k.off_ms, "off time above 510 ms")?;
            out.extend_from_slice(&[0x1B, 0x70, k.pin.to_byte(), t1, t2]);
        }
        Command::RealtimeStatus(kind) => out.extend_from_slice(&[0x10, 0x04, kind.to_byte()]),
        Command::RealtimeRecover(r) => {
            let n = match r {
                Recovery::Restart => 1,
                Recovery::ClearBuffers => 2,
            };
            out.extend_from_slice(&[0x10, 0x05, n]);
        }
        Command::RealtimeDrawerKick { pin, pulse_ms } => {
            let t = pulse_ms / 100;
            if !(1..=8).contains(&t) {
                return Err(EncodeError::Parameter {
                    command: "DLE DC4 drawer kick",
                    reason: "pulse must be 100..=800 ms",
                });
            }
            out.extend_from_slice(&[0x10, 0x14, 0x01, pin.to_byte(), t as u8]);
        }
        Command::Barcode(bc) => encode_barcode(bc, out)?,
        Command::BarcodeHeight(n) => out.extend_from_slice(&[0x1D, 0x68, *n]),
        Command::BarcodeWidth(n) => out.extend_from_slice(&[0x1D, 0x77, *n]),
        Command::BarcodeHri(n) => out.extend_from_slice(&[0x1D, 0x48, *n]),
        Command::Qr(q) => encode_qr(q, out)?,
        Command::CodePage(n) => out.extend_from_slice(&[0x1B, 0x74, *n]),
        Command::SelectDevice(d) => out.extend_from_slice(&[0x1B, 0x3D, d.0]),
        Command::TransmitStatus(k) => out.extend_from_slice(&[0x1D, 0x72, k.to_byte()]),
        Command::AutoStatusBack(m) => out.extend_from_slice(&[0x1D, 0x61, m.0]),
        Command::PassThrough(_) => return Err(EncodeError::NotEncodable("pass-through")),
        Command::Unsupported(_) => return Err(EncodeError::NotEncodable("unsupported command")),
        Command::Oversized { .. } => return Err(EncodeError::NotEncodable("oversized command")),
        Command::Unknown(_) => return Err(EncodeError::NotEncodable("unknown bytes")),
    }
    Ok(())
}

fn encode_barcode(bc: &Barcode<'_>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let kind = bc.kind;
    match bc.form {
        BarcodeForm::A => {
            let m = kind.to_m(BarcodeForm::A).ok_or(EncodeError::BarcodeFormA {
                kind,
                reason: "symbology has no form A code",
            })?;
            if bc.data.contains(&0) {
                return Err(EncodeError::BarcodeFormA {
                    kind,
                    reason: "data contains 00, the terminator",
                });
            }
            if bc.data.len() > 255 {
                return Err(EncodeError::BarcodeTooLong {
                    kind,
                    len: bc.data.len(),
                });
            }
            out.extend_from_slice(&[0x1D, 0x6B, m]);
            out.extend_from_slice(&bc.data);
            out.push(0);
        }
        BarcodeForm::B => {
            let n = u8::try_from(bc.data.len()).map_err(|_| EncodeError::BarcodeTooLong {
                kind,
                len: bc.data.len(),
            })?;
            let m = kind.to_m(BarcodeForm::B).unwrap_or(73);
            out.extend_from_slice(&[0x1D, 0x6B, m, n]);
            out.extend_from_slice(&bc.data);
        }
    }
    Ok(())
}

fn encode_qr(q: &Qr<'_>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    // Every QR function is `GS ( k pL pH 31 fn …` with pL pH counting from `31`.
    let mut header = |len: u16, func: u8| {
        let [lo, hi] = len.to_le_bytes();
        out.extend_from_slice(&[0x1D, 0x28, 0x6B, lo, hi, 0x31, func]);
    };
    match q {
        Qr::Model(m) => {
            header(4, 0x41);
            out.extend_from_slice(&[m.to_byte(), 0x00]);
        }
        Qr::ModuleSize(n) => {
            header(3, 0x43);
            out.push(*n);
        }
        Qr::ErrorCorrection(e) => {
            header(3, 0x45);
            out.push(e.to_byte());
        }
        Qr::Store(data) => {
            let len = u16::try_from(data.len() + 3)
                .map_err(|_| EncodeError::QrTooLong { len: data.len() })?;
            header(len, 0x50);
            out.push(0x30);
            out.extend_from_slice(data);
        }
        Qr::Print => {
            header(3, 0x51);
            out.push(0x30);
        }
    }
    Ok(())
}

/// Builds a print job for a POS driver: chain the commands, then take the bytes.
///
/// ```
/// use posrig_protocols::escpos::{Alignment, EscPosWriter};
///
/// let mut w = EscPosWriter::new();
/// w.init().align(Alignment::Centre).bold(true).line("SHOP").bold(false).feed(3).cut_partial();
/// assert_eq!(&w.as_bytes()[..5], &[0x1B, 0x40, 0x1B, 0x61, 0x01]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct EscPosWriter {
    buf: Vec<u8>,
}

impl EscPosWriter {
    /// An empty job.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bytes so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The finished job.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Append one typed command.
    pub fn command(&mut self, cmd: &Command<'_>) -> Result<&mut Self, EncodeError> {
        encode(cmd, &mut self.buf)?;
        Ok(self)
    }

    /// Append bytes as they are (already-encoded jobs, vendor extensions, logos).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    /// `ESC @`.
    pub fn init(&mut self) -> &mut Self {
        self.raw(&[0x1B, 0x40])
    }

    /// Text in the printer's code page. `\n` becomes a line feed; other control bytes are
    /// dropped, because the printer would execute them as commands (a stray `ESC` in a product
    /// name must not reconfigure the printer).
    pub fn text_bytes(&mut self, text: &[u8]) -> &mut Self {
        self.buf.extend(
            text.iter()
                .copied()
                .filter(|&c| c >= 0x20 || c == b'\n')
                .map(|c| if c == b'\n' { 0x0A } else { c }),
        );
        self
    }

    /// Text, written as its UTF-8 bytes (ASCII receipts print as-is; other scripts need a
    /// code-page conversion the caller chooses). See [`EscPosWriter::text_bytes`].
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.text_bytes(text.as_bytes())
    }

    /// Text, then a line feed.
    pub fn line(&mut self, text: &str) -> &mut Self {
        self.text(text).line_feed()
    }

    /// `0A`: print the line and feed.
    pub fn line_feed(&mut self) -> &mut Self {
        self.raw(&[0x0A])
    }

    /// `ESC E n`.
    pub fn bold(&mut self, on: bool) -> &mut Self {
        self.raw(&[0x1B, 0x45, u8::from(on)])
    }

    /// `ESC a n`.
    pub fn align(&mut self, a: Alignment) -> &mut Self {
        self.raw(&[0x1B, 0x61, a.to_byte()])
    }

    /// `GS ! n`; factors are clamped to 1..=8.
    pub fn char_size(&mut self, width: u8, height: u8) -> &mut Self {
        self.raw(&[0x1D, 0x21, CharSize { width, height }.to_byte()])
    }

    /// `ESC ! n`.
    pub fn print_mode(&mut self, mode: PrintMode) -> &mut Self {
        self.raw(&[0x1B, 0x21, mode.0])
    }

    /// `ESC d n`: print and feed `lines` lines.
    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.raw(&[0x1B, 0x64, lines])
    }

    /// `GS V 00`.
    pub fn cut_full(&mut self) -> &mut Self {
        self.raw(&[0x1D, 0x56, 0x00])
    }

    /// `GS V 01`.
    pub fn cut_partial(&mut self) -> &mut Self {
        self.raw(&[0x1D, 0x56, 0x01])
    }

    /// `GS V 41 n` / `GS V 42 n`: feed `units` then cut.
    pub fn feed_and_cut(&mut self, partial: bool, units: u8) -> &mut Self {
        self.raw(&[0x1D, 0x56, 0x41 + u8::from(partial), units])
    }

    /// `GS V 30` / `GS V 31`: the ASCII-digit form some drivers send.
    pub fn cut_ascii(&mut self, partial: bool) -> &mut Self {
        self.raw(&[0x1D, 0x56, 0x30 + u8::from(partial)])
    }

    /// `ESC i` (full) / `ESC m` (partial): the legacy one-byte cut commands.
    pub fn cut_legacy(&mut self, partial: bool) -> &mut Self {
        self.raw(&[0x1B, if partial { 0x6D } else { 0x69 }])
    }

    /// Any [`Cut`].
    pub fn cut(&mut self, cut: Cut) -> &mut Self {
        match cut.feed_units {
            Some(n) => self.feed_and_cut(cut.partial, n),
            None if cut.partial => self.cut_partial(),
            None => self.cut_full(),
        }
    }

    /// `ESC p m t1 t2`; times are rounded down to 2 ms and capped at 510 ms.
    pub fn drawer_kick(&mut self, pin: DrawerPin, on_ms: u16, off_ms: u16) -> &mut Self {
        let t = |ms: u16| u8::try_from(ms / 2).unwrap_or(u8::MAX);
        self.raw(&[0x1B, 0x70, pin.to_byte(), t(on_ms), t(off_ms)])
    }

    /// [`EscPosWriter::drawer_kick`] from a [`DrawerKick`].
    pub fn drawer_kick_with(&mut self, kick: DrawerKick) -> &mut Self {
        self.drawer_kick(kick.pin, kick.on_ms, kick.off_ms)
    }

    /// `DLE DC4 01 m t`: real-time kick; the pulse is clamped to 100..=800 ms.
    pub fn realtime_drawer_kick(&mut self, pin: DrawerPin, pulse_ms: u16) -> &mut Self {
        let t = (pulse_ms / 100).clamp(1, 8) as u8;
        self.raw(&[0x10, 0x14, 0x01, pin.to_byte(), t])
    }

    /// `DLE EOT n`.
    pub fn realtime_status(&mut self, kind: RealtimeStatusKind) -> &mut Self {
        self.raw(&[0x10, 0x04, kind.to_byte()])
    }

    /// `DLE ENQ n`.
    pub fn realtime_recover(&mut self, recovery: Recovery) -> &mut Self {
        let n = match recovery {
            Recovery::Restart => 1,
            Recovery::ClearBuffers => 2,
        };
        self.raw(&[0x10, 0x05, n])
    }

    /// `GS k` in form B (explicit length, every symbology).
    pub fn barcode(&mut self, kind: BarcodeKind, data: &[u8]) -> Result<&mut Self, EncodeError> {
        encode_barcode(
            &Barcode {
                kind,
                form: BarcodeForm::B,
                data: data.into(),
            },
            &mut self.buf,
        )?;
        Ok(self)
    }

    /// `GS k` in form A (`00`-terminated; UPC-A .. Codabar only), for old printers.
    pub fn barcode_form_a(
        &mut self,
        kind: BarcodeKind,
        data: &[u8],
    ) -> Result<&mut Self, EncodeError> {
        encode_barcode(
            &Barcode {
                kind,
                form: BarcodeForm::A,
                data: data.into(),
            },
            &mut self.buf,
        )?;
        Ok(self)
    }

    /// `GS h n`: barcode height in dots.
    pub fn barcode_height(&mut self, dots: u8) -> &mut Self {
        self.raw(&[0x1D, 0x68, dots])
    }

    /// `GS w n`: barcode module width.
    pub fn barcode_width(&mut self, n: u8) -> &mut Self {
        self.raw(&[0x1D, 0x77, n])
    }

    /// `GS H n`: HRI position.
    pub fn barcode_hri(&mut self, n: u8) -> &mut Self {
        self.raw(&[0x1D, 0x48, n])
    }

    /// QR function: model.
    pub fn qr_model(&mut self, model: QrModel) -> &mut Self {
        // Cannot fail: only Store carries data.
        let _ = encode_qr(&Qr::Model(model), &mut self.buf);
        self
    }

    /// QR function: module size in dots.
    pub fn qr_module_size(&mut self, dots: u8) -> &mut Self {
        let _ = encode_qr(&Qr::ModuleSize(dots), &mut self.buf);
        self
    }

    /// QR function: error correction level.
    pub fn qr_error_correction(&mut self, level: QrEcLevel) -> &mut Self {
        let _ = encode_qr(&Qr::ErrorCorrection(level), &mut self.buf);
        self
    }

    /// QR function: store data.
    pub fn qr_store(&mut self, data: &[u8]) -> Result<&mut Self, EncodeError> {
        encode_qr(&Qr::Store(data.into()), &mut self.buf)?;
        Ok(self)
    }

    /// QR function: print the stored symbol.
    pub fn qr_print(&mut self) -> &mut Self {
        let _ = encode_qr(&Qr::Print, &mut self.buf);
        self
    }

    /// The usual QR sequence: model 2, module size, error correction, store, print.
    pub fn qr(
        &mut self,
        data: &[u8],
        module_dots: u8,
        level: QrEcLevel,
    ) -> Result<&mut Self, EncodeError> {
        self.qr_model(QrModel::Model2)
            .qr_module_size(module_dots)
            .qr_error_correction(level)
            .qr_store(data)?;
        Ok(self.qr_print())
    }

    /// `ESC t n`.
    pub fn code_page(&mut self, n: u8) -> &mut Self {
        self.raw(&[0x1B, 0x74, n])
    }

    /// `ESC = n`.
    pub fn select_device(&mut self, device: DeviceSelect) -> &mut Self {
        self.raw(&[0x1B, 0x3D, device.0])
    }

    /// `GS r n`.
    pub fn transmit_status(&mut self, kind: TransmitStatusKind) -> &mut Self {
        self.raw(&[0x1D, 0x72, kind.to_byte()])
    }

    /// `GS a n`.
    pub fn auto_status_back(&mut self, mask: AsbMask) -> &mut Self {
        self.raw(&[0x1D, 0x61, mask.0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_emits_protocols_md_bytes() {
        let mut w = EscPosWriter::new();
        w.init()
            .bold(true)
            .bold(false)
            .align(Alignment::Right)
            .char_size(2, 3)
            .print_mode(PrintMode(0x38))
            .line_feed()
            .feed(4)
            .cut_full()
            .cut_partial()
            .feed_and_cut(false, 5)
            .feed_and_cut(true, 6)
            .drawer_kick(DrawerPin::Pin2, 100, 500)
            .realtime_drawer_kick(DrawerPin::Pin5, 300)
            .code_page(16)
            .select_device(DeviceSelect::PRINTER)
            .transmit_status(TransmitStatusKind::Paper)
            .realtime_recover(Recovery::Restart)
            .auto_status_back(AsbMask(0xFF))
            .realtime_status(RealtimeStatusKind::Printer);
        let expected: &[u8] = &[
            0x1B, 0x40, 0x1B, 0x45, 0x01, 0x1B, 0x45, 0x00, 0x1B, 0x61, 0x02, 0x1D, 0x21, 0x12,
            0x1B, 0x21, 0x38, 0x0A, 0x1B, 0x64, 0x04, 0x1D, 0x56, 0x00, 0x1D, 0x56, 0x01, 0x1D,
            0x56, 0x41, 0x05, 0x1D, 0x56, 0x42, 0x06, 0x1B, 0x70, 0x00, 50, 250, 0x10, 0x14, 0x01,
            0x01, 0x03, 0x1B, 0x74, 16, 0x1B, 0x3D, 0x01, 0x1D, 0x72, 0x01, 0x10, 0x05, 0x01, 0x1D,
            0x61, 0xFF, 0x10, 0x04, 0x01,
        ];
        assert_eq!(w.as_bytes(), expected);
    }

    #[test]
    fn barcodes_and_qr() {
        let mut w = EscPosWriter::new();
        w.barcode_form_a(BarcodeKind::Ean13, b"590123412345")
            .unwrap()
            .barcode(BarcodeKind::Code128, b"{BABC")
            .unwrap();
        let mut expected = vec![0x1D, 0x6B, 0x02];
        expected.extend_from_slice(b"590123412345\0");
        expected.extend_from_slice(&[0x1D, 0x6B, 73, 5]);
        expected.extend_from_slice(b"{BABC");
        assert_eq!(w.as_bytes(), expected.as_slice());

        let mut w = EscPosWriter::new();
        w.qr(b"hi", 6, QrEcLevel::M).unwrap();
        let expected: &[u8] = &[
            0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00, // model 2
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06, // size
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31, // EC M
            0x1D, 0x28, 0x6B, 0x05, 0x00, 0x31, 0x50, 0x30, b'h', b'i', // store
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30, // print
        ];
        assert_eq!(w.as_bytes(), expected);
    }

    #[test]
    fn encode_rejects_what_the_wire_cannot_carry() {
        let mut out = Vec::new();
        assert!(encode(&Command::Text(b"a\x1bb"[..].into()), &mut out).is_err());
        let code93_a = Command::Barcode(Barcode {
            kind: BarcodeKind::Code93,
            form: BarcodeForm::A,
            data: b"X"[..].into(),
        });
        assert!(encode(&code93_a, &mut out).is_err());
        assert!(EscPosWriter::new()
            .barcode(BarcodeKind::Code128, &[b'1'; 256])
            .is_err());
        assert!(out.is_empty());
    }

    #[test]
    fn text_drops_control_bytes_but_keeps_newlines() {
        let mut w = EscPosWriter::new();
        w.text("a\x1bb\nc\x10");
        assert_eq!(w.as_bytes(), b"ab\nc");
    }
}
