//! Barcode symbologies and their AIM identifiers (`]E0`, `]C1`, …), the three characters a
//! scanner can put before the data to say what it read.

use std::fmt;

/// What kind of barcode was read.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbology {
    /// `]E0`: EAN-13, and UPC-A sent as 13 digits.
    Ean13,
    /// `]E4`.
    Ean8,
    /// `]C0`.
    Code128,
    /// `]C1`: Code 128 with a leading FNC1.
    Gs1_128,
    /// `]Q1`.
    Qr,
    /// `]e0`.
    Gs1DataBar,
    /// Any other well-formed AIM id: the code character and modifier, as sent.
    Other([u8; 2]),
}

impl Symbology {
    /// Every symbology with a named variant, for tests and profiles.
    pub const KNOWN: [Symbology; 6] = [
        Symbology::Ean13,
        Symbology::Ean8,
        Symbology::Code128,
        Symbology::Gs1_128,
        Symbology::Qr,
        Symbology::Gs1DataBar,
    ];

    /// The AIM id: `]`, code character, modifier.
    pub fn aim_id(self) -> [u8; 3] {
        let [c, m] = match self {
            Symbology::Ean13 => *b"E0",
            Symbology::Ean8 => *b"E4",
            Symbology::Code128 => *b"C0",
            Symbology::Gs1_128 => *b"C1",
            Symbology::Qr => *b"Q1",
            Symbology::Gs1DataBar => *b"e0",
            Symbology::Other(cm) => cm,
        };
        [b']', c, m]
    }

    /// Read an AIM id. Per ISO/IEC 15424 the code character is a letter and the modifier a
    /// digit or letter; anything else is not an AIM id.
    pub fn from_aim_id(id: &[u8]) -> Option<Self> {
        let [b']', c, m] = *id else {
            return None;
        };
        if !c.is_ascii_alphabetic() || !m.is_ascii_alphanumeric() {
            return None;
        }
        Some(match &[c, m] {
            b"E0" => Symbology::Ean13,
            b"E4" => Symbology::Ean8,
            b"C0" => Symbology::Code128,
            b"C1" => Symbology::Gs1_128,
            b"Q1" => Symbology::Qr,
            b"e0" => Symbology::Gs1DataBar,
            _ => Symbology::Other([c, m]),
        })
    }
}

impl fmt::Debug for Symbology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Symbology::Ean13 => "Ean13",
            Symbology::Ean8 => "Ean8",
            Symbology::Code128 => "Code128",
            Symbology::Gs1_128 => "Gs1_128",
            Symbology::Qr => "Qr",
            Symbology::Gs1DataBar => "Gs1DataBar",
            Symbology::Other(_) => {
                return write!(f, "Other({})", String::from_utf8_lossy(&self.aim_id()))
            }
        };
        f.write_str(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aim_ids_round_trip() {
        for s in Symbology::KNOWN {
            assert_eq!(Symbology::from_aim_id(&s.aim_id()), Some(s));
        }
        assert_eq!(Symbology::from_aim_id(b"]E0"), Some(Symbology::Ean13));
        assert_eq!(
            Symbology::from_aim_id(b"]d2"),
            Some(Symbology::Other(*b"d2"))
        );
        assert_eq!(Symbology::from_aim_id(b"]1x"), None);
        assert_eq!(Symbology::from_aim_id(b"E0"), None);
        assert_eq!(format!("{:?}", Symbology::Other(*b"d2")), "Other(]d2)");
    }
}
