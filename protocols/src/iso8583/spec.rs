//! The field table of the CUP POS layout (PROTOCOLS.md §7): each field's content and length rules.

use super::bcd::Justify;

/// What a field holds, which fixes its wire encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// `n`: decimal digits, BCD on the wire.
    Numeric,
    /// `z`: track data, digits and `=` (nibble `D`), BCD on the wire.
    Track,
    /// `an`: ASCII letters, digits and space.
    Alnum,
    /// `ans`: any byte but control characters (printable ASCII, or GBK text from hosts).
    Text,
    /// `b`: raw bytes.
    Binary,
}

impl Content {
    /// BCD contents count digits; the others count bytes.
    pub fn is_bcd(self) -> bool {
        matches!(self, Self::Numeric | Self::Track)
    }

    /// Whether a logical value byte is allowed.
    #[inline]
    pub fn allows(self, c: u8) -> bool {
        match self {
            Self::Numeric => c.is_ascii_digit(),
            Self::Track => c.is_ascii_digit() || c == b'=',
            Self::Alnum => c.is_ascii_alphanumeric() || c == b' ',
            Self::Text => c >= 0x20 && c != 0x7F,
            Self::Binary => true,
        }
    }
}

/// How long a field is and how the length is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// Exactly this many digits (BCD contents) or bytes.
    Fixed(u16),
    /// Up to this many, after a 1-byte BCD length.
    LlVar(u16),
    /// Up to this many, after a 2-byte BCD length.
    LllVar(u16),
}

impl Length {
    /// Bytes of the length prefix.
    pub fn prefix_len(self) -> usize {
        match self {
            Self::Fixed(_) => 0,
            Self::LlVar(_) => 1,
            Self::LllVar(_) => 2,
        }
    }

    /// The longest value allowed.
    pub fn max(self) -> usize {
        match self {
            Self::Fixed(n) | Self::LlVar(n) | Self::LllVar(n) => usize::from(n),
        }
    }
}

/// One field of the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub number: u8,
    pub name: &'static str,
    pub content: Content,
    pub length: Length,
    /// Pad side for odd digit counts (BCD contents only).
    pub justify: Justify,
}

const fn spec(number: u8, name: &'static str, content: Content, length: Length) -> FieldSpec {
    // Fixed numeric fields are right-justified; variable ones are left-justified (the sample frame's
    // field 60 shows the trailing pad nibble).
    let justify = match length {
        Length::Fixed(_) => Justify::Right,
        _ => Justify::Left,
    };
    FieldSpec {
        number,
        name,
        content,
        length,
        justify,
    }
}

use Content::{Alnum, Binary, Numeric, Text, Track};
use Length::{Fixed, LlVar, LllVar};

static TABLE: [Option<FieldSpec>; 65] = {
    let mut t: [Option<FieldSpec>; 65] = [None; 65];
    t[2] = Some(spec(2, "PAN", Numeric, LlVar(19)));
    t[3] = Some(spec(3, "processing code", Numeric, Fixed(6)));
    t[4] = Some(spec(4, "amount", Numeric, Fixed(12)));
    t[11] = Some(spec(11, "STAN", Numeric, Fixed(6)));
    t[12] = Some(spec(12, "local time", Numeric, Fixed(6)));
    t[13] = Some(spec(13, "local date", Numeric, Fixed(4)));
    t[14] = Some(spec(14, "expiry date", Numeric, Fixed(4)));
    t[15] = Some(spec(15, "settlement date", Numeric, Fixed(4)));
    t[22] = Some(FieldSpec {
        justify: Justify::Left,
        ..spec(22, "entry mode", Numeric, Fixed(3))
    });
    t[23] = Some(spec(23, "card sequence number", Numeric, Fixed(3)));
    t[25] = Some(spec(25, "condition code", Numeric, Fixed(2)));
    t[26] = Some(spec(26, "PIN capture code", Numeric, Fixed(2)));
    t[32] = Some(spec(32, "acquirer id", Numeric, LlVar(11)));
    t[35] = Some(spec(35, "track 2", Track, LlVar(37)));
    t[36] = Some(spec(36, "track 3", Track, LllVar(104)));
    t[37] = Some(spec(37, "retrieval reference number", Alnum, Fixed(12)));
    t[38] = Some(spec(38, "authorisation code", Alnum, Fixed(6)));
    t[39] = Some(spec(39, "response code", Alnum, Fixed(2)));
    t[41] = Some(spec(41, "terminal id", Text, Fixed(8)));
    t[42] = Some(spec(42, "merchant id", Text, Fixed(15)));
    t[48] = Some(spec(48, "additional data", Numeric, LllVar(322)));
    t[49] = Some(spec(49, "currency code", Alnum, Fixed(3)));
    t[52] = Some(spec(52, "PIN block", Binary, Fixed(8)));
    t[53] = Some(spec(53, "security information", Numeric, Fixed(16)));
    t[55] = Some(spec(55, "ICC data", Binary, LllVar(255)));
    // PROTOCOLS.md lists n..17, but its own sample frame carries 19 digits (60.1–60.3 plus
    // the 60.4–60.8 extensions of later CUP versions); 19 accepts both.
    t[60] = Some(spec(
        60,
        "reserved (type, batch, network code)",
        Numeric,
        LllVar(19),
    ));
    t[61] = Some(spec(61, "original transaction", Numeric, LllVar(29)));
    t[62] = Some(spec(
        62,
        "reserved (keys, terminal data)",
        Binary,
        LllVar(512),
    ));
    t[63] = Some(spec(
        63,
        "reserved (operator, host text)",
        Text,
        LllVar(163),
    ));
    t[64] = Some(spec(64, "MAC", Binary, Fixed(8)));
    t
};

/// The spec of field `number`, if the CUP layout defines it.
#[inline]
pub fn field_spec(number: u8) -> Option<&'static FieldSpec> {
    TABLE.get(usize::from(number))?.as_ref()
}

/// Every field the layout defines, in order.
pub fn all_fields() -> impl Iterator<Item = &'static FieldSpec> {
    TABLE.iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_the_thirty_fields_of_section_7() {
        let numbers: Vec<u8> = all_fields().map(|s| s.number).collect();
        assert_eq!(
            numbers,
            [
                2, 3, 4, 11, 12, 13, 14, 15, 22, 23, 25, 26, 32, 35, 36, 37, 38, 39, 41, 42, 48,
                49, 52, 53, 55, 60, 61, 62, 63, 64
            ]
        );
        assert!(all_fields().all(|s| field_spec(s.number) == Some(s)));
        assert_eq!(field_spec(22).unwrap().justify, Justify::Left);
        assert_eq!(field_spec(1), None);
        assert_eq!(field_spec(200), None);
    }
}
