//! Character frames — data bits, parity and stop bits of an asynchronous serial line, and how many
//! bit times one character takes.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Data bits per character (5..=8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct DataBits(u8);

impl DataBits {
    pub const SEVEN: DataBits = DataBits(7);
    pub const EIGHT: DataBits = DataBits(8);

    /// Data bits, if `bits` is 5..=8.
    pub fn new(bits: u8) -> Option<Self> {
        (5..=8).contains(&bits).then_some(Self(bits))
    }

    /// The number of bits.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl Default for DataBits {
    fn default() -> Self {
        Self::EIGHT
    }
}

impl TryFrom<u8> for DataBits {
    type Error = String;
    fn try_from(bits: u8) -> Result<Self, String> {
        Self::new(bits).ok_or_else(|| format!("data bits must be 5, 6, 7 or 8, not {bits}"))
    }
}

impl From<DataBits> for u8 {
    fn from(bits: DataBits) -> u8 {
        bits.0
    }
}

/// Parity bit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Parity {
    #[default]
    None,
    Even,
    Odd,
}

/// Stop bits (1 or 2).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u8", into = "u8")]
pub enum StopBits {
    #[default]
    One,
    Two,
}

impl TryFrom<u8> for StopBits {
    type Error = String;
    fn try_from(bits: u8) -> Result<Self, String> {
        match bits {
            1 => Ok(Self::One),
            2 => Ok(Self::Two),
            other => Err(format!("stop bits must be 1 or 2, not {other}")),
        }
    }
}

impl From<StopBits> for u8 {
    fn from(bits: StopBits) -> u8 {
        match bits {
            StopBits::One => 1,
            StopBits::Two => 2,
        }
    }
}

/// The shape of one character on an asynchronous serial line, written like `8N1` or `7E1`.
///
/// In YAML an unquoted `7E1` or `8E2` is a number (70, 800); those numbers are accepted too and
/// read back as the frame they were written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(into = "String")]
pub struct CharFrame {
    pub data_bits: DataBits,
    pub parity: Parity,
    pub stop_bits: StopBits,
}

impl CharFrame {
    /// 8 data bits, no parity, 1 stop bit: 10 bit times per character.
    pub const N81: CharFrame = CharFrame {
        data_bits: DataBits::EIGHT,
        parity: Parity::None,
        stop_bits: StopBits::One,
    };
    /// 7 data bits, even parity, 1 stop bit (Toledo-style scales): 10 bit times per character.
    pub const E71: CharFrame = CharFrame {
        data_bits: DataBits::SEVEN,
        parity: Parity::Even,
        stop_bits: StopBits::One,
    };

    /// Bit times per character: start bit + data bits + parity bit (if any) + stop bits.
    pub fn bits_per_char(&self) -> u32 {
        1 + u32::from(self.data_bits.get())
            + u32::from(self.parity != Parity::None)
            + u32::from(u8::from(self.stop_bits))
    }
}

impl fmt::Display for CharFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parity = match self.parity {
            Parity::None => 'N',
            Parity::Even => 'E',
            Parity::Odd => 'O',
        };
        write!(
            f,
            "{}{}{}",
            self.data_bits.get(),
            parity,
            u8::from(self.stop_bits)
        )
    }
}

impl FromStr for CharFrame {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("expected a frame like `8N1` or `7E1`, found `{s}`");
        let b = s.as_bytes();
        if b.len() != 3 {
            return Err(bad());
        }
        let data_bits = DataBits::new(b[0].wrapping_sub(b'0')).ok_or_else(bad)?;
        let parity = match b[1].to_ascii_uppercase() {
            b'N' => Parity::None,
            b'E' => Parity::Even,
            b'O' => Parity::Odd,
            _ => return Err(bad()),
        };
        let stop_bits = StopBits::try_from(b[2].wrapping_sub(b'0')).map_err(|_| bad())?;
        Ok(Self {
            data_bits,
            parity,
            stop_bits,
        })
    }
}

impl TryFrom<String> for CharFrame {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl<'de> Deserialize<'de> for CharFrame {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = CharFrame;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a character frame like `8N1` or `7E1`")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<CharFrame, E> {
                s.parse().map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<CharFrame, E> {
                // `dEs` parsed as a float is d × 10^s.
                for data in 5..=8u8 {
                    for (stop, scale) in [(1u8, 10.0), (2, 100.0)] {
                        if v == f64::from(data) * scale {
                            return format!("{data}E{stop}").parse().map_err(E::custom);
                        }
                    }
                }
                Err(E::custom(format!(
                    "expected a frame like `7E1`, found the number {v}"
                )))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<CharFrame, E> {
                self.visit_f64(v as f64)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<CharFrame, E> {
                self.visit_f64(v as f64)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl From<CharFrame> for String {
    fn from(frame: CharFrame) -> String {
        frame.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_times_per_character() {
        assert_eq!(CharFrame::N81.bits_per_char(), 10);
        assert_eq!(CharFrame::E71.bits_per_char(), 10);
        assert_eq!("8E1".parse::<CharFrame>().unwrap().bits_per_char(), 11);
        assert_eq!("8N2".parse::<CharFrame>().unwrap().bits_per_char(), 11);
        assert_eq!("7O2".parse::<CharFrame>().unwrap().bits_per_char(), 11);
        assert!("9N1".parse::<CharFrame>().is_err());
        assert_eq!(CharFrame::E71.to_string(), "7E1");
        let yaml: Vec<CharFrame> = serde_yaml::from_str("[7E1, 8N1, '8E2', 8E2]").unwrap();
        assert_eq!(yaml[0], CharFrame::E71);
        assert_eq!(yaml[1], CharFrame::N81);
        assert_eq!(yaml[2], yaml[3]);
        assert!(serde_yaml::from_str::<CharFrame>("71").is_err());
    }
}
