//! GTIN check digits (EAN-13, UPC-A, EAN-8): weights 3, 1, 3, 1, … from the rightmost data
//! digit; check = (10 − sum mod 10) mod 10.

/// The retail codes a till checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GtinKind {
    /// 13 digits.
    Ean13,
    /// 12 digits.
    UpcA,
    /// 8 digits.
    Ean8,
}

impl GtinKind {
    /// Digits in a full code, check digit included.
    pub fn digits(self) -> usize {
        match self {
            GtinKind::Ean13 => 13,
            GtinKind::UpcA => 12,
            GtinKind::Ean8 => 8,
        }
    }

    fn from_len(len: usize) -> Option<Self> {
        match len {
            13 => Some(GtinKind::Ean13),
            12 => Some(GtinKind::UpcA),
            8 => Some(GtinKind::Ean8),
            _ => None,
        }
    }
}

/// Why a code is not a valid GTIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckDigitError {
    #[error("check GTIN: not all digits")]
    NotDigits,
    #[error("check GTIN: {0} digits is not EAN-13, UPC-A or EAN-8")]
    BadLength(usize),
    #[error("check GTIN: check digit {got}, expected {expected}")]
    Mismatch { expected: u8, got: u8 },
}

/// The check digit for `body` (the code without its check digit), any length.
///
/// ```
/// use posrig_protocols::scanner::check_digit;
/// assert_eq!(check_digit("590123412345"), Ok(7));
/// ```
pub fn check_digit(body: &str) -> Result<u8, CheckDigitError> {
    let mut sum = 0u32;
    for (i, b) in body.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return Err(CheckDigitError::NotDigits);
        }
        let weight = if i % 2 == 0 { 3 } else { 1 };
        sum += weight * u32::from(b - b'0');
    }
    Ok(((10 - sum % 10) % 10) as u8)
}

/// `body` with its check digit appended.
pub fn with_check_digit(body: &str) -> Result<String, CheckDigitError> {
    let c = check_digit(body)?;
    Ok(format!("{body}{c}"))
}

/// Check a full EAN-13, UPC-A or EAN-8 code (told apart by length) and say which it is.
pub fn validate(code: &str) -> Result<GtinKind, CheckDigitError> {
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CheckDigitError::NotDigits);
    }
    let kind = GtinKind::from_len(code.len()).ok_or(CheckDigitError::BadLength(code.len()))?;
    let (body, last) = code.split_at(code.len() - 1);
    let expected = check_digit(body)?;
    let got = last.as_bytes()[0] - b'0';
    if got != expected {
        return Err(CheckDigitError::Mismatch { expected, got });
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PROTOCOLS.md §2 vectors.
    #[test]
    fn protocol_vectors() {
        assert_eq!(check_digit("590123412345"), Ok(7));
        assert_eq!(check_digit("03600029145"), Ok(2));
        assert_eq!(check_digit("9638507"), Ok(4));
        assert_eq!(validate("5901234123457"), Ok(GtinKind::Ean13));
        assert_eq!(validate("036000291452"), Ok(GtinKind::UpcA));
        assert_eq!(validate("96385074"), Ok(GtinKind::Ean8));
    }

    #[test]
    fn upc_a_as_ean13_has_the_same_check_digit() {
        // A leading zero has weight 1 or 3 but adds nothing, which is why scanners may send
        // UPC-A as 13 digits under ]E0.
        assert_eq!(validate("0036000291452"), Ok(GtinKind::Ean13));
    }

    #[test]
    fn bad_codes() {
        assert_eq!(
            validate("5901234123458"),
            Err(CheckDigitError::Mismatch {
                expected: 7,
                got: 8
            })
        );
        assert_eq!(
            validate("590123412345"),
            Err(CheckDigitError::Mismatch {
                expected: 2,
                got: 5
            })
        );
        assert_eq!(validate("12345"), Err(CheckDigitError::BadLength(5)));
        assert_eq!(validate("59012341234a7"), Err(CheckDigitError::NotDigits));
        assert_eq!(validate(""), Err(CheckDigitError::BadLength(0)));
        assert_eq!(check_digit("1x"), Err(CheckDigitError::NotDigits));
    }
}
