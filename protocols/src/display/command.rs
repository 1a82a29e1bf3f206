//! Display commands and their bytes.

/// Characters per line.
pub const COLUMNS: u8 = 20;
/// Lines.
pub const ROWS: u8 = 2;

/// What happens when text reaches the end of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScrollMode {
    /// `1F 01`: continue at the start of the other line, overwriting it.
    #[default]
    Overwrite,
    /// `1F 02`: at the end of the lower line, the lower line moves up and a blank one appears.
    VerticalScroll,
    /// `1F 03`: the line shifts left one character per new character.
    HorizontalScroll,
}

impl ScrollMode {
    fn to_byte(self) -> u8 {
        match self {
            ScrollMode::Overwrite => 0x01,
            ScrollMode::VerticalScroll => 0x02,
            ScrollMode::HorizontalScroll => 0x03,
        }
    }

    pub(crate) fn from_byte(n: u8) -> Option<Self> {
        match n {
            0x01 => Some(ScrollMode::Overwrite),
            0x02 => Some(ScrollMode::VerticalScroll),
            0x03 => Some(ScrollMode::HorizontalScroll),
            _ => None,
        }
    }
}

/// One display command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Printable bytes (`20`..`FF`), written at the cursor.
    Text(Vec<u8>),
    /// `0C`: clear the screen, cursor home.
    Clear,
    /// `0B`: cursor to the top-left.
    Home,
    /// `1F 24 x y`: move the cursor; 1-based, `col` 1..=20, `row` 1..=2.
    Cursor {
        /// Column, 1..=20.
        col: u8,
        /// Row, 1..=2.
        row: u8,
    },
    /// `1F 01`/`02`/`03`: scroll mode.
    Mode(ScrollMode),
    /// `1F 58 n`: brightness 1..=4.
    Brightness(u8),
    /// `18`: clear the cursor's line, cursor to its start.
    ClearLine,
    /// `1B 40`: initialise (clear, home, overwrite mode, full brightness).
    Init,
    /// `08`: cursor left.
    Backspace,
    /// `09`: cursor right.
    Tab,
    /// `0A`: cursor down.
    LineFeed,
    /// `0D`: cursor to the start of the line.
    CarriageReturn,
    /// Bytes that are no command (or a command with out-of-range parameters); skipped.
    Unknown(Vec<u8>),
}

/// A display command that cannot be put on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// Text with a control byte the display would execute.
    #[error("encode display text: byte {byte:#04x} at offset {offset} is a control byte")]
    ControlInText {
        /// The byte.
        byte: u8,
        /// Its offset.
        offset: usize,
    },
    /// Cursor or brightness out of range.
    #[error("encode display {command}: parameter out of range")]
    OutOfRange {
        /// Command name.
        command: &'static str,
    },
    /// [`Command::Unknown`] exists only on the parsing side.
    #[error("encode display unknown bytes: only the parser produces them")]
    Unknown,
}

/// Append the bytes of `cmd` to `out`.
pub fn encode(cmd: &Command, out: &mut Vec<u8>) -> Result<(), EncodeError> {
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
        Command::Clear => out.push(0x0C),
        Command::Home => out.push(0x0B),
        Command::Cursor { col, row } => {
            if !(1..=COLUMNS).contains(col) || !(1..=ROWS).contains(row) {
                return Err(EncodeError::OutOfRange { command: "cursor" });
            }
            out.extend_from_slice(&[0x1F, 0x24, *col, *row]);
        }
        Command::Mode(m) => out.extend_from_slice(&[0x1F, m.to_byte()]),
        Command::Brightness(n) => {
            if !(1..=4).contains(n) {
                return Err(EncodeError::OutOfRange {
                    command: "brightness",
                });
            }
            out.extend_from_slice(&[0x1F, 0x58, *n]);
        }
        Command::ClearLine => out.push(0x18),
        Command::Init => out.extend_from_slice(&[0x1B, 0x40]),
        Command::Backspace => out.push(0x08),
        Command::Tab => out.push(0x09),
        Command::LineFeed => out.push(0x0A),
        Command::CarriageReturn => out.push(0x0D),
        Command::Unknown(_) => return Err(EncodeError::Unknown),
    }
    Ok(())
}

/// The bytes a POS sends to show two lines: clear, then each line padded or cut to 20
/// characters at its own cursor position. Control characters become spaces, because the
/// display would execute them.
pub fn show_lines(top: &str, bottom: &str) -> Vec<u8> {
    let fit = |s: &str| -> Vec<u8> {
        let mut v: Vec<u8> = s
            .bytes()
            .map(|c| if c < 0x20 { b' ' } else { c })
            .take(usize::from(COLUMNS))
            .collect();
        v.resize(usize::from(COLUMNS), b' ');
        v
    };
    let mut out = vec![0x0C, 0x1F, 0x24, 1, 1];
    out.extend(fit(top));
    out.extend_from_slice(&[0x1F, 0x24, 1, 2]);
    out.extend(fit(bottom));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_md_bytes() {
        let mut out = Vec::new();
        for c in [
            Command::Clear,
            Command::Home,
            Command::Cursor { col: 20, row: 2 },
            Command::Mode(ScrollMode::Overwrite),
            Command::Mode(ScrollMode::VerticalScroll),
            Command::Mode(ScrollMode::HorizontalScroll),
            Command::Brightness(4),
            Command::ClearLine,
            Command::Init,
        ] {
            encode(&c, &mut out).unwrap();
        }
        assert_eq!(
            out,
            [
                0x0C, 0x0B, 0x1F, 0x24, 20, 2, 0x1F, 0x01, 0x1F, 0x02, 0x1F, 0x03, 0x1F, 0x58, 4,
                0x18, 0x1B, 0x40
            ]
        );
        assert!(encode(&Command::Cursor { col: 21, row: 1 }, &mut out).is_err());
        assert!(encode(&Command::Brightness(0), &mut out).is_err());
    }

    #[test]
    fn show_lines_pads_and_cuts() {
        let b = show_lines("TOTAL", "A line that is far too long");
        assert_eq!(b.len(), 5 + 20 + 4 + 20);
        assert_eq!(&b[5..10], b"TOTAL");
        assert_eq!(&b[29..], b"A line that is far t");
    }
}
