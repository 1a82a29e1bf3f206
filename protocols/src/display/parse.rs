//! The display-side incremental parser: push bytes in any chunking, pull [`Command`]s.
//!
//! Text is handed out as soon as it arrives (a display shows characters at once), so the way a
//! stream is chunked may split one text run into several; applying them gives the same screen.

use super::command::{Command, ScrollMode, COLUMNS, ROWS};

const ESC: u8 = 0x1B;
const US: u8 = 0x1F;

/// Incremental parser for the Epson 2×20 command set.
#[derive(Debug, Clone, Default)]
pub struct Parser {
    buf: Vec<u8>,
}

impl Parser {
    /// An empty parser.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next command, or `None` until more bytes arrive.
    pub fn next_command(&mut self) -> Option<Command> {
        let (cmd, len) = parse_one(&self.buf)?;
        self.buf.drain(..len);
        Some(cmd)
    }
}

impl Iterator for Parser {
    type Item = Command;

    fn next(&mut self) -> Option<Command> {
        self.next_command()
    }
}

fn parse_one(input: &[u8]) -> Option<(Command, usize)> {
    let first = *input.first()?;
    let unknown = |n: usize| Some((Command::Unknown(input[..n].to_vec()), n));
    let single = |c: Command| Some((c, 1));
    match first {
        0x20.. => {
            let end = input.iter().position(|&c| c < 0x20).unwrap_or(input.len());
            Some((Command::Text(input[..end].to_vec()), end))
        }
        0x0C => single(Command::Clear),
        0x0B => single(Command::Home),
        0x18 => single(Command::ClearLine),
        0x08 => single(Command::Backspace),
        0x09 => single(Command::Tab),
        0x0A => single(Command::LineFeed),
        0x0D => single(Command::CarriageReturn),
        ESC => match *input.get(1)? {
            b'@' => Some((Command::Init, 2)),
            // A control byte may start the next command: resync on it.
            c if c < 0x20 => unknown(1),
            _ => unknown(2),
        },
        US => {
            let f = *input.get(1)?;
            if let Some(mode) = ScrollMode::from_byte(f) {
                return Some((Command::Mode(mode), 2));
            }
            match f {
                0x24 => {
                    let (col, row) = (*input.get(2)?, *input.get(3)?);
                    if (1..=COLUMNS).contains(&col) && (1..=ROWS).contains(&row) {
                        Some((Command::Cursor { col, row }, 4))
                    } else {
                        unknown(4)
                    }
                }
                0x58 => {
                    let n = *input.get(2)?;
                    if (1..=4).contains(&n) {
                        Some((Command::Brightness(n), 3))
                    } else {
                        unknown(3)
                    }
                }
                c if c < 0x20 => unknown(1),
                _ => unknown(2),
            }
        }
        _ => unknown(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_at_a_time() {
        let bytes = b"\x1b@\x0c\x1f\x24\x05\x02AB\x1f\x58\x03\x1f\x02\x18\x0b";
        let mut p = Parser::new();
        let mut got = Vec::new();
        for &c in bytes {
            p.push(&[c]);
            got.extend(p.by_ref());
        }
        assert_eq!(
            got,
            vec![
                Command::Init,
                Command::Clear,
                Command::Cursor { col: 5, row: 2 },
                Command::Text(b"A".to_vec()),
                Command::Text(b"B".to_vec()),
                Command::Brightness(3),
                Command::Mode(ScrollMode::VerticalScroll),
                Command::ClearLine,
                Command::Home,
            ]
        );
    }

    #[test]
    fn out_of_range_and_unknown_resync() {
        let mut p = Parser::new();
        p.push(b"\x1f\x24\x15\x01\x1f\x58\x09\x1f\x1f\x01\x1bZ\x01X");
        let got: Vec<_> = p.collect();
        assert_eq!(
            got,
            vec![
                Command::Unknown(vec![0x1F, 0x24, 0x15, 0x01]),
                Command::Unknown(vec![0x1F, 0x58, 0x09]),
                Command::Unknown(vec![0x1F]),
                Command::Mode(ScrollMode::Overwrite),
                Command::Unknown(vec![0x1B, b'Z']),
                Command::Unknown(vec![0x01]),
                Command::Text(b"X".to_vec()),
            ]
        );
    }
}
