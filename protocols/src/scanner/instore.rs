//! posrig's in-store price/weight EAN-13 layout, `2 F IIIII VVVVV C`: F=1 the value is a weight
//! in grams, F=2 a price in cents; IIIII the store's item number; C the EAN-13 check digit.

use super::check_digit::{check_digit, validate, CheckDigitError};

/// What the value field of an in-store code holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InStoreValue {
    /// F=1.
    WeightGrams(u32),
    /// F=2.
    PriceCents(u32),
}

/// A decoded in-store code: item 0–99999, value 0–99999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InStoreCode {
    pub item: u32,
    pub value: InStoreValue,
}

/// Why a code is not a posrig in-store code, or a value does not fit one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InStoreError {
    #[error("read in-store code")]
    CheckDigit(#[from] CheckDigitError),
    #[error("read in-store code: not 13 digits")]
    NotEan13,
    /// EAN-13 codes outside prefixes 20–29 are ordinary GTINs.
    #[error("read in-store code: does not start with 2")]
    NotInStore,
    /// Prefixes 20 and 23–29 are in-store too, but posrig defines no layout for them.
    #[error("read in-store code: no posrig layout for flag digit {0}")]
    UnknownLayout(u8),
    #[error("build in-store code: {what} {value} does not fit in 5 digits")]
    OutOfRange { what: &'static str, value: u32 },
}

/// Whether `code` is in the EAN-13 in-store range (prefixes 20–29), whatever its layout.
pub fn is_in_store(code: &str) -> bool {
    code.len() == 13 && code.starts_with('2') && code.bytes().all(|b| b.is_ascii_digit())
}

impl InStoreCode {
    /// The 13-digit code.
    ///
    /// ```
    /// use posrig_protocols::scanner::{InStoreCode, InStoreValue};
    /// let code = InStoreCode { item: 12345, value: InStoreValue::WeightGrams(1250) };
    /// assert_eq!(code.encode().unwrap(), "2112345012506");
    /// ```
    pub fn encode(&self) -> Result<String, InStoreError> {
        let (flag, value, what) = match self.value {
            InStoreValue::WeightGrams(g) => (1, g, "weight"),
            InStoreValue::PriceCents(c) => (2, c, "price"),
        };
        for (what, v) in [("item", self.item), (what, value)] {
            if v > 99_999 {
                return Err(InStoreError::OutOfRange { what, value: v });
            }
        }
        let body = format!("2{flag}{:05}{value:05}", self.item);
        let c = check_digit(&body)?;
        Ok(format!("{body}{c}"))
    }

    /// Read a scanned code.
    pub fn decode(code: &str) -> Result<Self, InStoreError> {
        if code.len() != 13 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InStoreError::NotEan13);
        }
        if !code.starts_with('2') {
            return Err(InStoreError::NotInStore);
        }
        validate(code)?;
        let num = |r: std::ops::Range<usize>| -> u32 {
            code[r]
                .bytes()
                .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
        };
        let (item, value) = (num(2..7), num(7..12));
        let value = match code.as_bytes()[1] {
            b'1' => InStoreValue::WeightGrams(value),
            b'2' => InStoreValue::PriceCents(value),
            f => return Err(InStoreError::UnknownLayout(f - b'0')),
        };
        Ok(Self { item, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PROTOCOLS.md §2: item 12345 at 1250 g → `2112345012506`.
    #[test]
    fn protocol_vector() {
        let code = InStoreCode {
            item: 12345,
            value: InStoreValue::WeightGrams(1250),
        };
        assert_eq!(code.encode().unwrap(), "2112345012506");
        assert_eq!(InStoreCode::decode("2112345012506").unwrap(), code);
        assert!(is_in_store("2112345012506"));
    }

    #[test]
    fn price_codes() {
        let code = InStoreCode {
            item: 42,
            value: InStoreValue::PriceCents(899),
        };
        let s = code.encode().unwrap();
        assert!(s.starts_with("220004200899"), "{s}");
        assert_eq!(InStoreCode::decode(&s).unwrap(), code);
    }

    #[test]
    fn errors() {
        assert_eq!(
            InStoreCode::decode("5901234123457"),
            Err(InStoreError::NotInStore)
        );
        assert_eq!(
            InStoreCode::decode("211234501250"),
            Err(InStoreError::NotEan13)
        );
        assert!(matches!(
            InStoreCode::decode("2112345012507"),
            Err(InStoreError::CheckDigit(CheckDigitError::Mismatch { .. }))
        ));
        let f5 = super::super::check_digit::with_check_digit("251234501250").unwrap();
        assert_eq!(
            InStoreCode::decode(&f5),
            Err(InStoreError::UnknownLayout(5))
        );
        let big = InStoreCode {
            item: 100_000,
            value: InStoreValue::PriceCents(1),
        };
        assert!(matches!(
            big.encode(),
            Err(InStoreError::OutOfRange { what: "item", .. })
        ));
    }
}
