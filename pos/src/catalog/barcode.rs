//! Retail barcodes: EAN-13, EAN-8 and UPC-A check digits, normalisation to one lookup key, and
//! posrig's in-store price/weight codes (`2 F IIIII VVVVV C`). Kept small and private to the
//! catalog; the wire decoder for scanner frames lives in `protocols`.

use std::fmt;

/// The check digit of `data` (the digits before the check digit): weights 3,1,3,1,… from the
/// rightmost data digit; check = (10 − sum mod 10) mod 10. `None` if `data` is not all digits.
pub(crate) fn check_digit(data: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in data.bytes().rev().enumerate() {
        if !c.is_ascii_digit() {
            return None;
        }
        let d = u32::from(c - b'0');
        sum += if i % 2 == 0 { 3 * d } else { d };
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// Whether `code` is an EAN-13, EAN-8 or UPC-A code with a correct check digit.
pub(crate) fn is_valid_retail_code(code: &str) -> bool {
    matches!(code.len(), 8 | 12 | 13)
        && code.bytes().all(|c| c.is_ascii_digit())
        && check_digit(&code[..code.len() - 1]) == Some(code.as_bytes()[code.len() - 1] - b'0')
}

/// The key a code is looked up by: UPC-A is EAN-13 with a leading zero, so both spellings of
/// the same product find it.
pub(crate) fn lookup_key(code: &str) -> String {
    if code.len() == 12 && code.bytes().all(|c| c.is_ascii_digit()) {
        format!("0{code}")
    } else {
        code.to_owned()
    }
}

/// What an in-store code carries besides the item number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Embedded {
    /// `F = 1`: the weight in grams.
    WeightGrams(u32),
    /// `F = 2`: the price in minor units (fen).
    PriceMinor(u32),
}

/// A decoded in-store code: the item's PLU and the embedded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InStoreCode {
    pub plu: String,
    pub value: Embedded,
}

impl fmt::Display for InStoreCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (flag, v) = match self.value {
            Embedded::WeightGrams(g) => (1, g),
            Embedded::PriceMinor(p) => (2, p),
        };
        let data = format!("2{flag}{}{v:05}", self.plu);
        write!(f, "{data}{}", check_digit(&data).unwrap_or(0))
    }
}

/// Decodes `2 F IIIII VVVVV C` (EAN-13 with prefix 2). `None` if `code` is not an in-store code
/// of posrig's layout or its check digit is wrong.
pub(crate) fn decode_in_store(code: &str) -> Option<InStoreCode> {
    if code.len() != 13 || !code.starts_with('2') || !is_valid_retail_code(code) {
        return None;
    }
    let value: u32 = code[7..12].parse().ok()?;
    let value = match &code[1..2] {
        "1" => Embedded::WeightGrams(value),
        "2" => Embedded::PriceMinor(value),
        _ => return None,
    };
    Some(InStoreCode {
        plu: code[2..7].to_owned(),
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_md_check_digit_vectors() {
        assert_eq!(check_digit("590123412345"), Some(7));
        assert_eq!(check_digit("03600029145"), Some(2));
        assert_eq!(check_digit("9638507"), Some(4));
        assert!(is_valid_retail_code("5901234123457"));
        assert!(is_valid_retail_code("036000291452"));
        assert!(is_valid_retail_code("96385074"));
        assert!(!is_valid_retail_code("5901234123458"));
    }

    #[test]
    fn upc_a_and_ean13_share_a_key() {
        assert_eq!(lookup_key("036000291452"), "0036000291452");
        assert_eq!(lookup_key("0036000291452"), "0036000291452");
    }

    #[test]
    fn decodes_the_protocols_md_weight_example() {
        let c = decode_in_store("2112345012506").unwrap();
        assert_eq!(c.plu, "12345");
        assert_eq!(c.value, Embedded::WeightGrams(1250));
        assert_eq!(c.to_string(), "2112345012506");
        let p = InStoreCode {
            plu: "20001".into(),
            value: Embedded::PriceMinor(1999),
        };
        assert_eq!(decode_in_store(&p.to_string()), Some(p));
        assert_eq!(decode_in_store("2112345012507"), None);
        assert_eq!(decode_in_store("2312345012503"), None);
    }
}
