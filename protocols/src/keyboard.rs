//! POS keyboard line protocol (PROTOCOLS.md §5): one key name per line, ended by CR.
//!
//! The decoder also accepts CRLF and bare LF (line ends from terminal emulators), ignores empty
//! lines, bounds line length, and reports unknown names as typed errors before resyncing at the
//! next line end.

use std::fmt;
use std::str::FromStr;

/// Longest line the decoder buffers; the longest key name (`SUPERVISOR`) has 10 characters.
pub const MAX_LINE: usize = 32;

macro_rules! keys {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// A key on the POS keyboard.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Key {
            $(#[doc = $doc] $variant,)*
        }

        impl Key {
            /// Every key, in PROTOCOLS.md order.
            pub const ALL: &'static [Key] = &[$(Key::$variant,)*];

            /// The name the keyboard sends.
            pub fn name(self) -> &'static str {
                match self {
                    $(Key::$variant => $name,)*
                }
            }

            /// The key for a name, if it is one.
            pub fn from_name(name: &str) -> Option<Key> {
                match name {
                    $($name => Some(Key::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

keys! {
    Digit0 => "0", "Digit 0.";
    Digit1 => "1", "Digit 1.";
    Digit2 => "2", "Digit 2.";
    Digit3 => "3", "Digit 3.";
    Digit4 => "4", "Digit 4.";
    Digit5 => "5", "Digit 5.";
    Digit6 => "6", "Digit 6.";
    Digit7 => "7", "Digit 7.";
    Digit8 => "8", "Digit 8.";
    Digit9 => "9", "Digit 9.";
    DoubleZero => "00", "Double zero.";
    Point => ".", "Decimal point.";
    Enter => "ENTER", "Enter.";
    Clear => "CLEAR", "Clear the entry.";
    Qty => "QTY", "Quantity multiplier.";
    Plu => "PLU", "Price look-up by code.";
    Total => "TOTAL", "Subtotal / total.";
    Cash => "CASH", "Cash tender.";
    Card => "CARD", "Bank card tender.";
    Qr => "QR", "QR wallet tender.";
    Void => "VOID", "Void a line or sale.";
    Refund => "REFUND", "Refund.";
    Member => "MEMBER", "Member (loyalty) identification.";
    NoSale => "NOSALE", "Open the drawer without a sale.";
    Reprint => "REPRINT", "Reprint the last receipt.";
    SignOn => "SIGNON", "Terminal sign-on to the host.";
    SignOff => "SIGNOFF", "Terminal sign-off.";
    Login => "LOGIN", "Operator login.";
    Logout => "LOGOUT", "Operator logout.";
    Settle => "SETTLE", "End-of-day settlement.";
    XReport => "XREPORT", "X report (read).";
    ZReport => "ZREPORT", "Z report (read and reset).";
    Supervisor => "SUPERVISOR", "Supervisor approval.";
    Cancel => "CANCEL", "Cancel.";
}

impl Key {
    /// The digit key for 0..=9.
    pub fn digit(d: u8) -> Option<Key> {
        Key::ALL.get(usize::from(d)).copied().filter(|_| d <= 9)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Key {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, KeyError> {
        Key::from_name(s).ok_or_else(|| KeyError::UnknownKey(s.to_owned()))
    }
}

/// A line the decoder could not turn into a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// A name that is no key (shown lossily if it was not UTF-8).
    #[error("decode key: unknown key name `{0}`")]
    UnknownKey(String),
    /// A line longer than [`MAX_LINE`]; the rest of it up to the next line end is dropped.
    #[error("decode key: line longer than {MAX_LINE} bytes")]
    LineTooLong,
}

/// Append the line for `key` (`NAME\r`).
pub fn encode(key: Key, out: &mut Vec<u8>) {
    out.extend_from_slice(key.name().as_bytes());
    out.push(b'\r');
}

/// Incremental decoder for the keyboard line protocol.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    line: Vec<u8>,
    /// Dropping an over-long line until its end.
    overflowed: bool,
    input: std::collections::VecDeque<u8>,
}

impl Decoder {
    /// An empty decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.input.extend(bytes);
    }

    /// The next key or error, or `None` until a line end arrives.
    pub fn next_key(&mut self) -> Option<Result<Key, KeyError>> {
        while let Some(c) = self.input.pop_front() {
            if c == b'\r' || c == b'\n' {
                if std::mem::take(&mut self.overflowed) {
                    self.line.clear();
                    continue;
                }
                if self.line.is_empty() {
                    // The LF of a CRLF, or an idle line end: nothing was typed.
                    continue;
                }
                let line = std::mem::take(&mut self.line);
                return Some(
                    std::str::from_utf8(&line)
                        .ok()
                        .and_then(Key::from_name)
                        .ok_or_else(|| {
                            KeyError::UnknownKey(String::from_utf8_lossy(&line).into_owned())
                        }),
                );
            }
            if self.overflowed {
                continue;
            }
            if self.line.len() == MAX_LINE {
                self.overflowed = true;
                self.line.clear();
                return Some(Err(KeyError::LineTooLong));
            }
            self.line.push(c);
        }
        None
    }
}

impl Iterator for Decoder {
    type Item = Result<Key, KeyError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_key()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &k in Key::ALL {
            assert_eq!(Key::from_name(k.name()), Some(k));
            assert_eq!(k.to_string().parse::<Key>(), Ok(k));
        }
        assert_eq!(Key::ALL.len(), 34);
        assert_eq!(Key::digit(7), Some(Key::Digit7));
        assert_eq!(Key::digit(10), None);
    }

    #[test]
    fn byte_at_a_time_with_cr_and_crlf() {
        let mut d = Decoder::new();
        let mut got = Vec::new();
        for &c in b"1\r00\r\nTOTAL\rCASH\n\r" {
            d.push(&[c]);
            got.extend(d.by_ref());
        }
        assert_eq!(
            got,
            vec![
                Ok(Key::Digit1),
                Ok(Key::DoubleZero),
                Ok(Key::Total),
                Ok(Key::Cash)
            ]
        );
    }

    #[test]
    fn unknown_and_too_long_lines_resync() {
        let mut d = Decoder::new();
        d.push(b"SCNA\r");
        d.push(&[b'X'; 100]);
        d.push(b"\rENTER\r\xff\r");
        let got: Vec<_> = d.collect();
        assert_eq!(
            got,
            vec![
                Err(KeyError::UnknownKey("SCNA".into())),
                Err(KeyError::LineTooLong),
                Ok(Key::Enter),
                Err(KeyError::UnknownKey("\u{fffd}".into())),
            ]
        );
    }
}
