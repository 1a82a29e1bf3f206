//! The printer-side incremental parser: push bytes in any chunking, pull typed commands that
//! borrow from the parser's buffer.
//!
//! On top of the stateless grammar it handles what makes a printer stateful at the byte level:
//! real-time commands hidden inside another command's data (acted on by real firmware), device
//! deselection by `ESC =` (bytes then pass through to the customer display), and oversized
//! commands (discarded without buffering them).

use std::borrow::Cow;

use super::command::Command;
use super::grammar::{self, Limits, Step};

const DLE: u8 = 0x10;
const ESC: u8 = 0x1B;

/// Parser settings; the printer profile decides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParserConfig {
    /// Act on `10 04 n`, `10 05 n`, `10 14 …` found inside another command's parameter or data
    /// bytes, as real firmware does (the bytes also stay part of that command). Off, they are
    /// plain data.
    pub realtime_in_data: bool,
    /// Track `ESC =`: while the printer is deselected, bytes come out as
    /// [`Command::PassThrough`] (only `ESC =` and real-time commands are acted on).
    pub track_device_select: bool,
    /// Longest text run handed out in one [`Command::Text`]; longer runs are split.
    pub max_text_run: usize,
    /// Longest length-prefixed command (raster images, QR data) buffered whole; longer ones
    /// come out as [`Command::Oversized`] and their data is discarded.
    pub max_command_len: usize,
}

impl Default for ParserConfig {
    fn default() -> Self {
        ParserConfig {
            realtime_in_data: true,
            track_device_select: true,
            max_text_run: 4096,
            max_command_len: 64 * 1024,
        }
    }
}

/// Incremental ESC/POS parser for the printer side.
///
/// ```
/// use posrig_protocols::escpos::{Command, Parser};
///
/// let mut parser = Parser::default();
/// parser.push(b"\x1b@Hello\n\x1d\x56");
/// let mut seen = Vec::new();
/// while let Some(cmd) = parser.next_command() {
///     seen.push(cmd.into_owned());
/// }
/// assert_eq!(seen.len(), 3); // Init, Text, LineFeed; the cut waits for its parameter byte
/// parser.push(&[0x00]);
/// assert!(matches!(parser.next_command(), Some(Command::Cut(_))));
/// ```
#[derive(Debug, Clone)]
pub struct Parser {
    config: ParserConfig,
    buf: Vec<u8>,
    /// Start of the unparsed bytes in `buf`.
    pos: usize,
    /// How far into the head command (relative to `pos`) embedded real-time commands have been
    /// looked for and handed out; reset when the head command completes.
    realtime_scanned: usize,
    /// Bytes of an oversized command still to drop as they arrive.
    discard: usize,
    printer_enabled: bool,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new(ParserConfig::default())
    }
}

/// Where an embedded real-time scan ended.
enum Scan<'a> {
    /// A real-time command at `at`, `len` bytes long.
    Found(Command<'a>, usize, usize),
    /// None found; scanning may resume here later.
    Resume(usize),
}

impl Parser {
    /// A parser with `config`, printer selected, nothing buffered.
    pub fn new(config: ParserConfig) -> Self {
        Parser {
            config,
            buf: Vec::new(),
            pos: 0,
            realtime_scanned: 0,
            discard: 0,
            printer_enabled: true,
        }
    }

    /// The settings this parser runs with.
    pub fn config(&self) -> &ParserConfig {
        &self.config
    }

    /// Append received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos > 0 && self.pos >= self.buf.len() / 2 {
            // Compact only when the consumed prefix dominates, so a long stream costs
            // amortised O(1) moves per byte.
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet handed out as commands.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// Whether the printer is selected (`ESC =` bit 0); when not, data passes through.
    pub fn printer_enabled(&self) -> bool {
        self.printer_enabled
    }

    /// Drop everything buffered (the effect of `DLE ENQ 2` or `ESC @` on a real receive buffer
    /// is the printer model's decision; this is the tool for it).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.pos = 0;
        self.realtime_scanned = 0;
        self.discard = 0;
    }

    /// The next complete command, or `None` until more bytes arrive.
    pub fn next_command(&mut self) -> Option<Command<'_>> {
        if self.discard > 0 {
            let n = self.discard.min(self.buf.len() - self.pos);
            self.pos += n;
            self.discard -= n;
            if self.discard > 0 {
                return None;
            }
        }
        if self.pos == self.buf.len() {
            return None;
        }
        if self.config.track_device_select && !self.printer_enabled {
            return self.next_pass_through();
        }
        let input = &self.buf[self.pos..];
        let limits = Limits {
            max_text_run: self.config.max_text_run,
            max_command_len: self.config.max_command_len,
        };
        match grammar::parse_one(input, limits) {
            Step::Done(cmd, len) => {
                // Text cannot hold a DLE, and a command of two bytes cannot hold a three-byte
                // real-time command, so only longer commands are scanned.
                if self.config.realtime_in_data && len > 2 && input[0] < 0x20 {
                    let from = self.realtime_scanned.max(1);
                    if let Scan::Found(rt, at, rt_len) = scan_realtime(&input[..len], from, true) {
                        self.realtime_scanned = at + rt_len;
                        return Some(rt);
                    }
                }
                self.pos += len;
                self.realtime_scanned = 0;
                if let Command::SelectDevice(d) = cmd {
                    self.printer_enabled = d.printer_enabled();
                }
                Some(cmd)
            }
            Step::Need(total) => {
                if self.config.realtime_in_data && input[0] != DLE && input[0] < 0x20 {
                    let end = total.map_or(input.len(), |t| t.min(input.len()));
                    let from = self.realtime_scanned.max(1);
                    match scan_realtime(&input[..end], from, false) {
                        Scan::Found(rt, at, rt_len) => {
                            self.realtime_scanned = at + rt_len;
                            return Some(rt);
                        }
                        Scan::Resume(at) => self.realtime_scanned = at,
                    }
                }
                None
            }
            Step::Oversized {
                header_len,
                total_len,
            } => {
                if input.len() < header_len {
                    return None;
                }
                self.pos += header_len;
                self.discard = total_len - header_len;
                self.realtime_scanned = 0;
                let header = &self.buf[self.pos - header_len..self.pos];
                Some(Command::Oversized {
                    header: Cow::Borrowed(header),
                    total_len,
                })
            }
        }
    }

    /// A trailing text run that is still waiting for its terminator, handed out now (for a
    /// caller that knows the stream has ended or gone idle).
    pub fn flush_text(&mut self) -> Option<Command<'_>> {
        let input = &self.buf[self.pos..];
        if self.discard > 0
            || !self.printer_enabled
            || input.is_empty()
            || input[0] < 0x20
            || grammar::find_control(input).is_some()
        {
            return None;
        }
        self.pos = self.buf.len();
        Some(Command::Text(Cow::Borrowed(input)))
    }

    /// While deselected: hand out runs of pass-through bytes, stopping at `ESC =` and at
    /// real-time commands, which the printer still acts on.
    fn next_pass_through(&mut self) -> Option<Command<'_>> {
        let input = &self.buf[self.pos..];
        let mut i = 0;
        let run_end = loop {
            let Some(k) = input[i..].iter().position(|&c| c == ESC || c == DLE) else {
                break input.len();
            };
            let j = i + k;
            let stop = if input[j] == ESC {
                match input.get(j + 1) {
                    None => true,
                    Some(&f) => f == b'=',
                }
            } else {
                match grammar::parse_dle(&input[j..]) {
                    Step::Done(cmd, _) => cmd.is_realtime(),
                    _ => true,
                }
            };
            if stop {
                break j;
            }
            i = j + 1;
        };
        if run_end > 0 {
            self.pos += run_end;
            return Some(Command::PassThrough(Cow::Borrowed(&input[..run_end])));
        }
        let limits = Limits {
            max_text_run: self.config.max_text_run,
            max_command_len: self.config.max_command_len,
        };
        match grammar::parse_one(input, limits) {
            Step::Done(cmd, len) => {
                self.pos += len;
                if let Command::SelectDevice(d) = cmd {
                    self.printer_enabled = d.printer_enabled();
                }
                Some(cmd)
            }
            _ => None,
        }
    }
}

/// Look for a real-time command inside `region` (one command's bytes) from `from` on.
/// `complete` says whether `region` is the whole command; if not, a real-time command cut off
/// by the end of `region` may still complete, so scanning stops there.
fn scan_realtime(region: &[u8], from: usize, complete: bool) -> Scan<'_> {
    let mut i = from;
    while let Some(k) = region
        .get(i..)
        .and_then(|r| r.iter().position(|&c| c == DLE))
    {
        let j = i + k;
        match grammar::parse_dle(&region[j..]) {
            Step::Done(cmd, len) if cmd.is_realtime() => return Scan::Found(cmd, j, len),
            Step::Need(_) if !complete => return Scan::Resume(j),
            _ => i = j + 1,
        }
    }
    Scan::Resume(region.len().max(from))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escpos::command::*;
    use crate::escpos::status::RealtimeStatusKind;

    fn drain(p: &mut Parser) -> Vec<Command<'static>> {
        let mut out = Vec::new();
        while let Some(c) = p.next_command() {
            out.push(c.into_owned());
        }
        out
    }

    fn parse_with(config: ParserConfig, bytes: &[u8]) -> Vec<Command<'static>> {
        let mut p = Parser::new(config);
        p.push(bytes);
        drain(&mut p)
    }

    fn parse(bytes: &[u8]) -> Vec<Command<'static>> {
        parse_with(ParserConfig::default(), bytes)
    }

    fn parse_bytewise(config: ParserConfig, bytes: &[u8]) -> Vec<Command<'static>> {
        let mut p = Parser::new(config);
        let mut out = Vec::new();
        for &c in bytes {
            p.push(&[c]);
            out.extend(drain(&mut p));
        }
        out
    }

    fn text(s: &str) -> Command<'static> {
        Command::Text(Cow::Owned(s.as_bytes().to_vec()))
    }

    fn one(bytes: &[u8]) -> Command<'static> {
        let got = parse(bytes);
        assert_eq!(got.len(), 1, "{bytes:02x?} gave {got:?}");
        got.into_iter().next().unwrap()
    }

    #[test]
    fn every_protocols_md_command_parses() {
        use Command as C;
        assert_eq!(one(&[0x1B, 0x40]), C::Init);
        assert_eq!(one(&[0x1B, 0x45, 0x01]), C::Bold(true));
        assert_eq!(one(&[0x1B, 0x45, 0x00]), C::Bold(false));
        assert_eq!(one(&[0x1B, 0x61, 0x01]), C::Align(Alignment::Centre));
        assert_eq!(one(&[0x1B, 0x61, 0x32]), C::Align(Alignment::Right));
        assert_eq!(
            one(&[0x1D, 0x21, 0x11]),
            C::CharSize(CharSize {
                width: 2,
                height: 2
            })
        );
        assert_eq!(one(&[0x1B, 0x21, 0x38]), C::PrintMode(PrintMode(0x38)));
        assert_eq!(one(&[0x0A]), C::LineFeed);
        assert_eq!(one(&[0x1B, 0x64, 0x05]), C::Feed(5));
        let cut = |partial, feed_units| {
            C::Cut(Cut {
                partial,
                feed_units,
            })
        };
        assert_eq!(one(&[0x1D, 0x56, 0x00]), cut(false, None));
        assert_eq!(one(&[0x1D, 0x56, 0x30]), cut(false, None));
        assert_eq!(one(&[0x1D, 0x56, 0x01]), cut(true, None));
        assert_eq!(one(&[0x1D, 0x56, 0x31]), cut(true, None));
        assert_eq!(one(&[0x1D, 0x56, 0x41, 0x03]), cut(false, Some(3)));
        assert_eq!(one(&[0x1D, 0x56, 0x42, 0x04]), cut(true, Some(4)));
        assert_eq!(one(&[0x1B, 0x69]), cut(false, None));
        assert_eq!(one(&[0x1B, 0x6D]), cut(true, None));
        assert_eq!(
            one(&[0x1B, 0x70, 0x30, 0x19, 0xFA]),
            C::DrawerKick(DrawerKick {
                pin: DrawerPin::Pin2,
                on_ms: 50,
                off_ms: 500
            })
        );
        assert_eq!(
            one(&[0x1B, 0x70, 0x01, 0x01, 0x01]),
            C::DrawerKick(DrawerKick {
                pin: DrawerPin::Pin5,
                on_ms: 2,
                off_ms: 2
            })
        );
        assert_eq!(
            one(&[0x10, 0x14, 0x01, 0x00, 0x08]),
            C::RealtimeDrawerKick {
                pin: DrawerPin::Pin2,
                pulse_ms: 800
            }
        );
        let mut ean = vec![0x1D, 0x6B, 0x02];
        ean.extend_from_slice(b"5901234123457\0");
        assert_eq!(
            one(&ean),
            C::Barcode(Barcode {
                kind: BarcodeKind::Ean13,
                form: BarcodeForm::A,
                data: Cow::Borrowed(b"5901234123457")
            })
        );
        let mut c128 = vec![0x1D, 0x6B, 73, 4];
        c128.extend_from_slice(b"{B12");
        assert_eq!(
            one(&c128),
            C::Barcode(Barcode {
                kind: BarcodeKind::Code128,
                form: BarcodeForm::B,
                data: Cow::Borrowed(b"{B12")
            })
        );
        let qr = |fun: &[u8]| {
            let mut v = vec![0x1D, 0x28, 0x6B];
            v.extend_from_slice(&((fun.len() + 1) as u16).to_le_bytes());
            v.push(0x31);
            v.extend_from_slice(fun);
            one(&v)
        };
        assert_eq!(qr(&[0x41, 0x32, 0x00]), C::Qr(Qr::Model(QrModel::Model2)));
        assert_eq!(qr(&[0x43, 0x08]), C::Qr(Qr::ModuleSize(8)));
        assert_eq!(qr(&[0x45, 0x33]), C::Qr(Qr::ErrorCorrection(QrEcLevel::H)));
        assert_eq!(
            qr(b"\x50\x30https://x"),
            C::Qr(Qr::Store(Cow::Borrowed(b"https://x")))
        );
        assert_eq!(qr(&[0x51, 0x30]), C::Qr(Qr::Print));
        assert_eq!(one(&[0x1B, 0x74, 19]), C::CodePage(19));
        assert_eq!(
            one(&[0x1B, 0x3D, 0x01]),
            C::SelectDevice(DeviceSelect::PRINTER)
        );
        assert_eq!(
            one(&[0x1D, 0x72, 0x01]),
            C::TransmitStatus(TransmitStatusKind::Paper)
        );
        assert_eq!(
            one(&[0x1D, 0x72, 0x32]),
            C::TransmitStatus(TransmitStatusKind::Drawer)
        );
        assert_eq!(
            one(&[0x10, 0x05, 0x01]),
            C::RealtimeRecover(Recovery::Restart)
        );
        assert_eq!(
            one(&[0x10, 0x05, 0x02]),
            C::RealtimeRecover(Recovery::ClearBuffers)
        );
        assert_eq!(one(&[0x1D, 0x61, 0x4F]), C::AutoStatusBack(AsbMask(0x4F)));
        for n in 1..=4 {
            assert_eq!(
                one(&[0x10, 0x04, n]),
                C::RealtimeStatus(RealtimeStatusKind::from_byte(n).unwrap())
            );
        }
    }

    #[test]
    fn handshake_parses_byte_at_a_time() {
        let got = parse_bytewise(
            ParserConfig::default(),
            &[0x1B, 0x40, 0x1B, 0x3D, 0x01, 0x10, 0x04, 0x01],
        );
        assert_eq!(
            got,
            vec![
                Command::Init,
                Command::SelectDevice(DeviceSelect::PRINTER),
                Command::RealtimeStatus(RealtimeStatusKind::Printer)
            ]
        );
    }

    #[test]
    fn documented_commands_are_skipped_whole() {
        // ESC 3 n (line spacing) with n = 0x0A must not produce a line feed.
        assert_eq!(
            parse(b"\x1b3\x0aA\n"),
            vec![
                Command::Unsupported(Cow::Borrowed(b"\x1b3\x0a")),
                text("A"),
                Command::LineFeed
            ]
        );
        // A 2x2-byte raster image whose data contains LF.
        let raster = [
            0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00, 0x0A, 0x0A, 0x0A, 0x0A,
        ];
        assert_eq!(
            parse(&raster),
            vec![Command::Unsupported(Cow::Borrowed(&raster[..]))]
        );
        // Any other GS ( function, e.g. PDF417 (cn = 30).
        let pdf = [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x30, 0x41, 0x02];
        assert_eq!(
            parse(&pdf),
            vec![Command::Unsupported(Cow::Borrowed(&pdf[..]))]
        );
    }

    #[test]
    fn unknown_commands_resync() {
        assert_eq!(
            parse(b"\x1b\xf0A\x1d\x1b@\x07B\n"),
            vec![
                Command::Unknown(Cow::Borrowed(b"\x1b\xf0")),
                text("A"),
                Command::Unknown(Cow::Borrowed(b"\x1d")),
                Command::Init,
                Command::Unknown(Cow::Borrowed(b"\x07")),
                text("B"),
                Command::LineFeed,
            ]
        );
        // Form A barcode without its terminator gives up after 255 data bytes.
        let mut bad = vec![0x1D, 0x6B, 0x04];
        bad.extend(std::iter::repeat_n(b'1', 300));
        bad.push(b'\n');
        let got = parse(&bad);
        assert_eq!(got[0], Command::Unknown(Cow::Borrowed(&bad[..3])));
        assert_eq!(got.last(), Some(&Command::LineFeed));
    }

    #[test]
    fn realtime_in_data_is_a_setting() {
        // QR store whose data holds `10 04 01`.
        let data = b"\x50\x30ab\x10\x04\x01cd";
        let mut bytes = vec![0x1D, 0x28, 0x6B, (data.len() + 1) as u8, 0x00, 0x31];
        bytes.extend_from_slice(data);
        let store = Command::Qr(Qr::Store(Cow::Borrowed(b"ab\x10\x04\x01cd")));
        let status = Command::RealtimeStatus(RealtimeStatusKind::Printer);

        let on = ParserConfig::default();
        assert_eq!(parse_with(on, &bytes), vec![status.clone(), store.clone()]);
        // Acted on at once: before the enclosing command is complete.
        let mut p = Parser::new(on);
        p.push(&bytes[..bytes.len() - 2]);
        assert_eq!(drain(&mut p), vec![status.clone()]);
        p.push(&bytes[bytes.len() - 2..]);
        assert_eq!(drain(&mut p), vec![store.clone()]);
        assert_eq!(parse_bytewise(on, &bytes), vec![status, store.clone()]);

        let off = ParserConfig {
            realtime_in_data: false,
            ..ParserConfig::default()
        };
        assert_eq!(parse_with(off, &bytes), vec![store.clone()]);
        assert_eq!(parse_bytewise(off, &bytes), vec![store]);
    }

    #[test]
    fn deselected_printer_passes_bytes_through() {
        let bytes = b"\x1b=\x02\x0cHELLO\x1b@\x10\x04\x02\x1f\x24\x01\x02\x1b=\x01A\n";
        let got: Vec<_> = parse(bytes);
        assert_eq!(got[0], Command::SelectDevice(DeviceSelect::DISPLAY));
        let mut passed = Vec::new();
        let mut rest = Vec::new();
        for c in &got[1..] {
            match c {
                Command::PassThrough(b) => passed.extend_from_slice(b),
                other => rest.push(other.clone()),
            }
        }
        assert_eq!(passed, b"\x0cHELLO\x1b@\x1f\x24\x01\x02");
        assert_eq!(
            rest,
            vec![
                Command::RealtimeStatus(RealtimeStatusKind::OfflineCause),
                Command::SelectDevice(DeviceSelect::PRINTER),
                text("A"),
                Command::LineFeed
            ]
        );
        // Byte at a time gives the same bytes, in more pieces.
        let bytewise = parse_bytewise(ParserConfig::default(), bytes);
        let passed_bytewise: Vec<u8> = bytewise
            .iter()
            .filter_map(|c| match c {
                Command::PassThrough(b) => Some(b.to_vec()),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(passed_bytewise, passed);
    }

    #[test]
    fn oversized_commands_are_discarded_without_buffering() {
        let config = ParserConfig {
            max_command_len: 16,
            ..ParserConfig::default()
        };
        let mut bytes = vec![0x1D, 0x28, 0x6B, 0x20, 0x00];
        bytes.extend(std::iter::repeat_n(b'\n', 0x20));
        bytes.extend_from_slice(b"ok\n");
        let expected = vec![
            Command::Oversized {
                header: Cow::Owned(bytes[..5].to_vec()),
                total_len: 0x25,
            },
            text("ok"),
            Command::LineFeed,
        ];
        assert_eq!(parse_with(config, &bytes), expected);
        assert_eq!(parse_bytewise(config, &bytes), expected);
    }

    #[test]
    fn text_waits_for_its_terminator_and_splits_long_runs() {
        let mut p = Parser::default();
        p.push(b"abc");
        assert_eq!(p.next_command(), None);
        p.push(b"def");
        assert_eq!(p.flush_text(), Some(text("abcdef")));
        assert_eq!(p.next_command(), None);

        let config = ParserConfig {
            max_text_run: 4,
            ..ParserConfig::default()
        };
        assert_eq!(
            parse_with(config, b"abcdefghij\n"),
            vec![text("abcd"), text("efgh"), text("ij"), Command::LineFeed]
        );
    }
}
