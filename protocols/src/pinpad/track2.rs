//! Magnetic-stripe track 2 (`PAN=YYMMSSSdiscretionary`) in its ASCII form, with `=`, and the
//! packed BCD form of ISO 8583 field 35, where `=` is the nibble `D`.

use std::fmt;

use super::sensitive::{Pan, PanError};

/// The most characters track 2 holds (ISO/IEC 7813, sentinels and LRC excluded).
pub const MAX_TRACK2_LEN: usize = 37;

/// A card expiry date as printed on track 2: two-digit year and month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Expiry {
    /// Year within the century, 0–99.
    pub year: u8,
    /// Month, 1–12.
    pub month: u8,
}

impl Expiry {
    /// `YYMM`, e.g. `2812`.
    pub fn parse(yymm: &str) -> Option<Self> {
        let b = yymm.as_bytes();
        if b.len() != 4 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let year = (b[0] - b'0') * 10 + (b[1] - b'0');
        let month = (b[2] - b'0') * 10 + (b[3] - b'0');
        (1..=12).contains(&month).then_some(Self { year, month })
    }
}

impl fmt::Display for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}{:02}", self.year, self.month)
    }
}

/// Track 2 data from a card. `Debug` shows the masked PAN and hides the discretionary data
/// (it holds the card verification value).
#[derive(Clone, PartialEq, Eq)]
pub struct Track2 {
    pub pan: Pan,
    pub expiry: Expiry,
    /// Three digits; the first says chip (2 or 6) or not.
    pub service_code: [u8; 3],
    /// Issuer digits after the service code (may be empty).
    pub discretionary: String,
}

/// Why track 2 did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Track2Error {
    #[error("parse track 2: longer than {MAX_TRACK2_LEN} characters ({0})")]
    TooLong(usize),
    #[error("parse track 2: no `=` separator")]
    NoSeparator,
    #[error("parse track 2: bad PAN")]
    Pan(#[source] PanError),
    #[error("parse track 2: bad expiry date")]
    Expiry,
    #[error("parse track 2: service code must be 3 digits")]
    ServiceCode,
    #[error("parse track 2: discretionary data must be digits")]
    Discretionary,
    #[error("parse track 2: bad BCD nibble {0:#x}")]
    BadNibble(u8),
}

impl Track2 {
    /// Parse the ASCII form `PAN=YYMMSSSdiscretionary`.
    pub fn parse(text: &str) -> Result<Self, Track2Error> {
        if text.len() > MAX_TRACK2_LEN {
            return Err(Track2Error::TooLong(text.len()));
        }
        let (pan, rest) = text.split_once('=').ok_or(Track2Error::NoSeparator)?;
        let pan = Pan::new(pan).map_err(Track2Error::Pan)?;
        let expiry = rest
            .get(..4)
            .and_then(Expiry::parse)
            .ok_or(Track2Error::Expiry)?;
        let sc = rest.get(4..7).ok_or(Track2Error::ServiceCode)?.as_bytes();
        if !sc.iter().all(u8::is_ascii_digit) {
            return Err(Track2Error::ServiceCode);
        }
        let discretionary = &rest[7..];
        if !discretionary.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Track2Error::Discretionary);
        }
        Ok(Self {
            pan,
            expiry,
            service_code: [sc[0], sc[1], sc[2]],
            discretionary: discretionary.to_string(),
        })
    }

    /// The ASCII form, with `=`.
    pub fn to_ascii(&self) -> String {
        format!(
            "{}={}{}{}",
            self.pan.as_str(),
            self.expiry,
            self.service_code_str(),
            self.discretionary
        )
    }

    /// The packed BCD form: two digits a byte, `=` as `D`, an odd count padded with a trailing
    /// `F`.
    pub fn to_bcd(&self) -> Vec<u8> {
        let nibbles: Vec<u8> = self
            .to_ascii()
            .bytes()
            // Parsing guarantees digits; the fields are public, so a hand-built non-digit turns
            // into a wrong nibble rather than a panic.
            .map(|b| {
                if b == b'=' {
                    0xD
                } else {
                    b.wrapping_sub(b'0') & 0x0F
                }
            })
            .collect();
        nibbles
            .chunks(2)
            .map(|c| (c[0] << 4) | c.get(1).copied().unwrap_or(0xF))
            .collect()
    }

    /// How many nibbles [`to_bcd`](Self::to_bcd) carries (the ISO 8583 length prefix).
    pub fn bcd_digits(&self) -> usize {
        self.to_ascii().len()
    }

    /// Parse the packed BCD form. `digits` is the length prefix if the caller has one; without
    /// it, a trailing `F` nibble is taken as padding.
    pub fn from_bcd(bytes: &[u8], digits: Option<usize>) -> Result<Self, Track2Error> {
        let mut nibbles: Vec<u8> = bytes.iter().flat_map(|b| [b >> 4, b & 0xF]).collect();
        match digits {
            Some(n) if n <= nibbles.len() => nibbles.truncate(n),
            Some(n) => return Err(Track2Error::TooLong(n)),
            None => {
                if nibbles.last() == Some(&0xF) {
                    nibbles.pop();
                }
            }
        }
        let text = nibbles
            .iter()
            .map(|&n| match n {
                0..=9 => Ok(char::from(b'0' + n)),
                0xD => Ok('='),
                _ => Err(Track2Error::BadNibble(n)),
            })
            .collect::<Result<String, _>>()?;
        Self::parse(&text)
    }

    pub fn service_code_str(&self) -> &str {
        // Parsing guarantees ASCII digits; a hand-built non-UTF-8 code shows as `???` rather
        // than panicking inside a Debug call.
        std::str::from_utf8(&self.service_code).unwrap_or("???")
    }

    /// Whether the card has a chip (service code starting 2 or 6), so a swipe must prompt for
    /// insertion.
    pub fn is_chip(&self) -> bool {
        matches!(self.service_code[0], b'2' | b'6')
    }
}

impl fmt::Debug for Track2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Track2")
            .field("pan", &self.pan)
            .field("expiry", &self.expiry)
            .field("service_code", &self.service_code_str())
            .field(
                "discretionary",
                &format_args!("<{} digits>", self.discretionary.len()),
            )
            .finish()
    }
}

impl std::str::FromStr for Track2 {
    type Err = Track2Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T2: &str = "6222021000000000017=28122011234567";

    #[test]
    fn parses_the_ascii_form() {
        let t = Track2::parse(T2).unwrap();
        assert_eq!(t.pan.as_str(), "6222021000000000017");
        assert_eq!(
            t.expiry,
            Expiry {
                year: 28,
                month: 12
            }
        );
        assert_eq!(t.service_code_str(), "201");
        assert_eq!(t.discretionary, "1234567");
        assert!(t.is_chip());
        assert_eq!(t.to_ascii(), T2);
    }

    #[test]
    fn bcd_uses_d_for_the_separator_and_pads_with_f() {
        let t = Track2::parse("4000001234562007=2812101").unwrap();
        assert_eq!(t.bcd_digits(), 24);
        assert_eq!(hex::encode_upper(t.to_bcd()), "4000001234562007D2812101");
        let odd = Track2::parse("6222021000000000017=2812201123456").unwrap();
        assert_eq!(odd.bcd_digits(), 33);
        assert_eq!(
            hex::encode_upper(odd.to_bcd()),
            "6222021000000000017D2812201123456F"
        );
        assert_eq!(Track2::from_bcd(&odd.to_bcd(), None).unwrap(), odd);
        assert_eq!(Track2::from_bcd(&odd.to_bcd(), Some(33)).unwrap(), odd);
    }

    #[test]
    fn swipe_only_card_is_not_chip() {
        let t = Track2::parse("6217001000000000037=2812101").unwrap();
        assert!(!t.is_chip());
        assert!(Track2::parse("6217001000000000037=2812601")
            .unwrap()
            .is_chip());
    }

    #[test]
    fn debug_masks_pan_and_hides_discretionary() {
        let shown = format!("{:?}", Track2::parse(T2).unwrap());
        assert!(shown.contains("622202*********0017"), "{shown}");
        assert!(!shown.contains("6222021000000000017"), "{shown}");
        assert!(!shown.contains("1234567"), "{shown}");
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        assert_eq!(
            Track2::parse("6222021000000000017"),
            Err(Track2Error::NoSeparator)
        );
        assert_eq!(
            Track2::parse("6222021000000000017=2813201"),
            Err(Track2Error::Expiry)
        );
        assert_eq!(
            Track2::parse("6222021000000000017=28122"),
            Err(Track2Error::ServiceCode)
        );
        assert_eq!(
            Track2::parse("6222021000000000017=28122019x"),
            Err(Track2Error::Discretionary)
        );
        assert!(matches!(
            Track2::parse("12=2812201"),
            Err(Track2Error::Pan(_))
        ));
        assert_eq!(
            Track2::from_bcd(&[0x4A], None),
            Err(Track2Error::BadNibble(0xA))
        );
        assert_eq!(
            Track2::parse(&"1".repeat(40)),
            Err(Track2Error::TooLong(40))
        );
    }
}
