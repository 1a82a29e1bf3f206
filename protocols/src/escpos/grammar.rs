//! The ESC/POS command grammar: how many bytes the command at the start of a slice takes and
//! what it means. Pure and stateless; [`super::Parser`] adds buffering, real-time handling and
//! device selection on top.
//!
//! Unknown `ESC`/`GS`/`FS` commands whose length the Epson reference documents are skipped
//! whole as [`Command::Unsupported`]; anything else becomes [`Command::Unknown`] covering as few
//! bytes as possible, so the next real command is found again.

use std::borrow::Cow;

use super::command::{
    Alignment, AsbMask, Barcode, BarcodeForm, BarcodeKind, CharSize, Command, Cut, DeviceSelect,
    DrawerKick, DrawerPin, PrintMode, Qr, QrEcLevel, QrModel, Recovery, TransmitStatusKind,
};
use super::status::RealtimeStatusKind;

const DLE: u8 = 0x10;
const ESC: u8 = 0x1B;
const FS: u8 = 0x1C;
const GS: u8 = 0x1D;

/// Form A barcode data and `ESC D` tab lists end in `00`; give up looking after this many bytes
/// so a missing terminator cannot make the parser buffer forever.
const MAX_NUL_TERMINATED: usize = 256;

/// The outcome of looking at the start of a slice.
#[derive(Debug)]
pub(crate) enum Step<'a> {
    /// A complete command and the number of bytes it took.
    Done(Command<'a>, usize),
    /// More bytes are needed; the command's total length if it is already known.
    Need(Option<usize>),
    /// A length-prefixed command longer than the configured limit.
    Oversized { header_len: usize, total_len: usize },
}

/// Limits the grammar needs from the parser configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_text_run: usize,
    pub max_command_len: usize,
}

fn b(s: &[u8]) -> Cow<'_, [u8]> {
    Cow::Borrowed(s)
}

fn fixed<'a>(input: &'a [u8], n: usize, f: impl FnOnce(&'a [u8]) -> Command<'a>) -> Step<'a> {
    if input.len() < n {
        Step::Need(Some(n))
    } else {
        Step::Done(f(&input[..n]), n)
    }
}

fn unsupported(input: &[u8], n: usize) -> Step<'_> {
    fixed(input, n, |c| Command::Unsupported(b(c)))
}

/// An unknown two-byte prefix. If the second byte is a control byte it may start the next
/// command, so only the prefix byte is consumed.
fn unknown_prefix(input: &[u8]) -> Step<'_> {
    let n = if input[1] < 0x20 { 1 } else { 2 };
    Step::Done(Command::Unknown(b(&input[..n])), n)
}

/// A command of `header_len` bytes followed by `data_len` more.
fn sized<'a>(
    input: &'a [u8],
    header_len: usize,
    data_len: u64,
    limits: Limits,
    f: impl FnOnce(&'a [u8]) -> Command<'a>,
) -> Step<'a> {
    let total = header_len as u64 + data_len;
    if total > limits.max_command_len as u64 {
        return Step::Oversized {
            header_len,
            total_len: usize::try_from(total).unwrap_or(usize::MAX),
        };
    }
    // `total` fits in usize: it is at most `max_command_len`.
    fixed(input, total as usize, f)
}

/// Index of the first byte below `20` (a control byte), if any.
///
/// Receipt text dominates printer traffic, so this tests eight bytes per step with the
/// "has a byte less than n" bit trick: the lowest flagged byte is always exact.
pub(crate) fn find_control(bytes: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x2020_2020_2020_2020;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let flagged = x.wrapping_sub(LOW) & !x & HIGH;
        if flagged != 0 {
            return Some(offset + (flagged.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c < 0x20)
        .map(|i| offset + i)
}

/// Recognise the command at the start of `input` (which must not be empty).
pub(crate) fn parse_one(input: &[u8], limits: Limits) -> Step<'_> {
    match input[0] {
        0x20.. => {
            let window = &input[..input.len().min(limits.max_text_run)];
            match find_control(window) {
                Some(end) => Step::Done(Command::Text(b(&input[..end])), end),
                None if window.len() == limits.max_text_run => {
                    Step::Done(Command::Text(b(window)), window.len())
                }
                // Text waits for its terminator, so how the stream was chunked never changes
                // how the text is split into runs.
                None => Step::Need(None),
            }
        }
        0x0A => Step::Done(Command::LineFeed, 1),
        0x0D => Step::Done(Command::CarriageReturn, 1),
        0x09 => Step::Done(Command::HorizontalTab, 1),
        ESC => parse_esc(input, limits),
        GS => parse_gs(input, limits),
        FS => parse_fs(input, limits),
        DLE => parse_dle(input),
        _ => Step::Done(Command::Unknown(b(&input[..1])), 1),
    }
}

fn parse_esc(input: &[u8], limits: Limits) -> Step<'_> {
    let Some(&f) = input.get(1) else {
        return Step::Need(None);
    };
    match f {
        b'@' => fixed(input, 2, |_| Command::Init),
        b'E' => fixed(input, 3, |c| Command::Bold(c[2] & 1 != 0)),
        b'a' => fixed(input, 3, |c| match Alignment::from_byte(c[2]) {
            Some(a) => Command::Align(a),
            None => Command::Unsupported(b(c)),
        }),
        b'!' => fixed(input, 3, |c| Command::PrintMode(PrintMode(c[2]))),
        b'd' => fixed(input, 3, |c| Command::Feed(c[2])),
        b'p' => fixed(input, 5, |c| match DrawerPin::from_byte(c[2]) {
            Some(pin) => Command::DrawerKick(DrawerKick {
                pin,
                on_ms: u16::from(c[3]) * 2,
                off_ms: u16::from(c[4]) * 2,
            }),
            None => Command::Unsupported(b(c)),
        }),
        b't' => fixed(input, 3, |c| Command::CodePage(c[2])),
        b'=' => fixed(input, 3, |c| Command::SelectDevice(DeviceSelect(c[2]))),
        b'i' => fixed(input, 2, |_| {
            Command::Cut(Cut {
                partial: false,
                feed_units: None,
            })
        }),
        b'm' => fixed(input, 2, |_| {
            Command::Cut(Cut {
                partial: true,
                feed_units: None,
            })
        }),
        // Documented two-byte commands: page mode, standard mode, default line spacing,
        // cancel user-defined characters, return home.
        0x0C | b'L' | b'S' | b'2' | b'<' => unsupported(input, 2),
        // Documented three-byte commands (line spacing, fonts, underline, feeds, rotations,
        // character sets, panel buttons, peripheral-device selection variants...).
        b' ' | b'%' | b'-' | b'3' | b'?' | b'G' | b'J' | b'K' | b'M' | b'R' | b'T' | b'U'
        | b'V' | b'e' | b'r' | b'u' | b'v' | b'{' => unsupported(input, 3),
        b'$' | b'\\' | b'c' => unsupported(input, 4),
        b'W' => unsupported(input, 10),
        b'D' => nul_terminated(input, 2, 33, |c| Command::Unsupported(b(c))),
        b'*' => {
            if input.len() < 5 {
                return Step::Need(None);
            }
            let n = u64::from(input[3]) | u64::from(input[4]) << 8;
            let per_column = match input[2] {
                0 | 1 => 1,
                32 | 33 => 3,
                _ => return unknown_prefix(input),
            };
            sized(input, 5, n * per_column, limits, |c| {
                Command::Unsupported(b(c))
            })
        }
        b'(' => paren(input, limits, |c| Command::Unsupported(b(c))),
        _ => unknown_prefix(input),
    }
}

fn parse_gs(input: &[u8], limits: Limits) -> Step<'_> {
    let Some(&f) = input.get(1) else {
        return Step::Need(None);
    };
    match f {
        b'!' => fixed(input, 3, |c| match CharSize::from_byte(c[2]) {
            Some(s) => Command::CharSize(s),
            None => Command::Unsupported(b(c)),
        }),
        b'V' => {
            let Some(&m) = input.get(2) else {
                return Step::Need(None);
            };
            match m {
                0 | 0x30 | 1 | 0x31 => fixed(input, 3, |_| {
                    Command::Cut(Cut {
                        partial: m & 1 == 1,
                        feed_units: None,
                    })
                }),
                // 65/66 feed then cut; 97/98 feed to the cut position plus n, then cut.
                65 | 66 | 97 | 98 => fixed(input, 4, |c| {
                    Command::Cut(Cut {
                        partial: m & 1 == 0,
                        feed_units: Some(c[3]),
                    })
                }),
                103 | 104 => unsupported(input, 4),
                _ => unknown_prefix(input),
            }
        }
        b'k' => parse_barcode(input),
        b'h' => fixed(input, 3, |c| Command::BarcodeHeight(c[2])),
        b'w' => fixed(input, 3, |c| Command::BarcodeWidth(c[2])),
        b'H' => fixed(input, 3, |c| Command::BarcodeHri(c[2])),
        b'r' => fixed(input, 3, |c| match TransmitStatusKind::from_byte(c[2]) {
            Some(k) => Command::TransmitStatus(k),
            None => Command::Unsupported(b(c)),
        }),
        b'a' => fixed(input, 3, |c| Command::AutoStatusBack(AsbMask(c[2]))),
        b'(' => paren(input, limits, parse_gs_paren),
        b':' => unsupported(input, 2),
        b'B' | b'b' | b'f' | b'I' | b'T' | b'/' | b'E' | b'j' => unsupported(input, 3),
        b'L' | b'W' | b'$' | b'\\' | b'P' => unsupported(input, 4),
        b'^' => unsupported(input, 5),
        b'*' => {
            if input.len() < 4 {
                return Step::Need(None);
            }
            let data = u64::from(input[2]) * u64::from(input[3]) * 8;
            sized(input, 4, data, limits, |c| Command::Unsupported(b(c)))
        }
        b'v' => {
            if input.len() < 8 {
                return Step::Need(None);
            }
            if input[2] != b'0' {
                return unknown_prefix(input);
            }
            let x = u64::from(input[4]) | u64::from(input[5]) << 8;
            let y = u64::from(input[6]) | u64::from(input[7]) << 8;
            sized(input, 8, x * y, limits, |c| Command::Unsupported(b(c)))
        }
        b'8' => {
            if input.len() < 7 {
                return Step::Need(None);
            }
            if input[2] != b'L' {
                return unknown_prefix(input);
            }
            let p = u32::from_le_bytes([input[3], input[4], input[5], input[6]]);
            sized(input, 7, u64::from(p), limits, |c| {
                Command::Unsupported(b(c))
            })
        }
        _ => unknown_prefix(input),
    }
}

fn parse_fs(input: &[u8], limits: Limits) -> Step<'_> {
    let Some(&f) = input.get(1) else {
        return Step::Need(None);
    };
    match f {
        b'.' | b'&' => unsupported(input, 2),
        b'C' | b'!' | b'-' | b'W' => unsupported(input, 3),
        b'p' | b'S' => unsupported(input, 4),
        b'(' => paren(input, limits, |c| Command::Unsupported(b(c))),
        _ => unknown_prefix(input),
    }
}

/// Real-time commands (`DLE EOT`, `DLE ENQ`, `DLE DC4`).
pub(crate) fn parse_dle(input: &[u8]) -> Step<'_> {
    let Some(&f) = input.get(1) else {
        return Step::Need(None);
    };
    let Some(&n) = input.get(2) else {
        return if matches!(f, 0x04 | 0x05 | 0x14) {
            Step::Need(None)
        } else {
            Step::Done(Command::Unknown(b(&input[..1])), 1)
        };
    };
    let invalid = || Step::Done(Command::Unknown(b(&input[..2])), 2);
    match f {
        0x04 => match RealtimeStatusKind::from_byte(n) {
            Some(kind) => Step::Done(Command::RealtimeStatus(kind), 3),
            // n = 7 and 8 take one more parameter (ink and paper-sensor variants).
            None if n == 7 || n == 8 => unsupported(input, 4),
            None => invalid(),
        },
        0x05 => match n {
            1 => Step::Done(Command::RealtimeRecover(Recovery::Restart), 3),
            2 => Step::Done(Command::RealtimeRecover(Recovery::ClearBuffers), 3),
            0 => unsupported(input, 3),
            _ => invalid(),
        },
        0x14 => match n {
            1 => fixed(input, 5, |c| {
                match (DrawerPin::from_byte(c[3]).filter(|_| c[3] <= 1), c[4]) {
                    (Some(pin), t @ 1..=8) => Command::RealtimeDrawerKick {
                        pin,
                        pulse_ms: u16::from(t) * 100,
                    },
                    _ => Command::Unsupported(b(c)),
                }
            }),
            // Power off, clear buffers: fixed parameter bytes.
            2 | 3 => unsupported(input, 5),
            7 => unsupported(input, 4),
            8 => unsupported(input, 10),
            _ => invalid(),
        },
        _ => Step::Done(Command::Unknown(b(&input[..1])), 1),
    }
}

/// `GS k`: form A (NUL-terminated) for m 0..6, form B (length byte) for m 65..79.
fn parse_barcode(input: &[u8]) -> Step<'_> {
    let Some(&m) = input.get(2) else {
        return Step::Need(None);
    };
    let Some((kind, form)) = BarcodeKind::from_m(m) else {
        return Step::Done(Command::Unknown(b(&input[..2])), 2);
    };
    fn barcode(kind: BarcodeKind, form: BarcodeForm, data: &[u8]) -> Command<'_> {
        Command::Barcode(Barcode {
            kind,
            form,
            data: b(data),
        })
    }
    if m <= 6 {
        nul_terminated(input, 3, MAX_NUL_TERMINATED, |c| {
            barcode(kind, form, &c[3..c.len() - 1])
        })
    } else {
        let Some(&n) = input.get(3) else {
            return Step::Need(None);
        };
        fixed(input, 4 + usize::from(n), |c| barcode(kind, form, &c[4..]))
    }
}

/// A command whose data after `start` runs to a `00` within `max` bytes.
fn nul_terminated<'a>(
    input: &'a [u8],
    start: usize,
    max: usize,
    f: impl FnOnce(&'a [u8]) -> Command<'a>,
) -> Step<'a> {
    let window = &input[start.min(input.len())..input.len().min(start + max)];
    match window.iter().position(|&c| c == 0) {
        Some(i) => {
            let len = start + i + 1;
            Step::Done(f(&input[..len]), len)
        }
        None if window.len() == max => {
            // No terminator where one must be: report the prefix and resync after it.
            Step::Done(Command::Unknown(b(&input[..start])), start)
        }
        None => Step::Need(None),
    }
}

/// The `ESC (`, `GS (`, `FS (` families: `prefix ( fn pL pH` and `pL + 256·pH` data bytes.
fn paren<'a>(input: &'a [u8], limits: Limits, f: impl FnOnce(&'a [u8]) -> Command<'a>) -> Step<'a> {
    if input.len() < 5 {
        return Step::Need(None);
    }
    let len = u64::from(input[3]) | u64::from(input[4]) << 8;
    sized(input, 5, len, limits, f)
}

/// `GS ( k` with `cn` = `31` is the QR code; every other `GS (` function is skipped whole.
fn parse_gs_paren(c: &[u8]) -> Command<'_> {
    let other = || Command::Unsupported(b(c));
    if c[2] != b'k' || c.len() < 7 || c[5] != 0x31 {
        return other();
    }
    let params = &c[7..];
    let qr = match (c[6], params) {
        (0x41, [n1, _]) => QrModel::from_byte(*n1).map(Qr::Model),
        (0x43, [n]) => Some(Qr::ModuleSize(*n)),
        (0x45, [n]) => QrEcLevel::from_byte(*n).map(Qr::ErrorCorrection),
        (0x50, [0x30, data @ ..]) => Some(Qr::Store(b(data))),
        (0x51, [0x30]) => Some(Qr::Print),
        _ => None,
    };
    qr.map_or_else(other, Command::Qr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_control_is_exact() {
        assert_eq!(find_control(b""), None);
        assert_eq!(find_control(b"hello world, plain"), None);
        assert_eq!(find_control(b"abc\ndef"), Some(3));
        assert_eq!(find_control(b"abcdefgh\x1b"), Some(8));
        assert_eq!(find_control(&[0xFF, 0x80, 0x20, 0x1F]), Some(3));
        for len in 0..20 {
            for at in 0..len {
                let mut v = vec![b'x'; len];
                v[at] = 0x00;
                if at + 1 < len {
                    v[at + 1] = 0x1F;
                }
                assert_eq!(find_control(&v), Some(at), "len {len} at {at}");
            }
        }
        for c in 0u8..=255 {
            let v = [b'a', b'b', c, b'd', b'e', b'f', b'g', b'h', b'i'];
            assert_eq!(find_control(&v), (c < 0x20).then_some(2));
        }
    }
}
