//! Card numbers: masking for display and logs, and the Luhn check digit.
//!
//! posrig never shows more of a PAN than the first 6 and last 4 digits; every place that
//! prints a card number goes through [`mask_pan`].

/// The PAN with everything but the first 6 and last 4 digits replaced by `*`.
/// Numbers of 10 digits or fewer keep only their last 4.
pub fn mask_pan(pan: &str) -> String {
    let n = pan.chars().count();
    if n <= 10 {
        let keep = n.saturating_sub(4);
        return pan
            .chars()
            .enumerate()
            .map(|(i, c)| if i < keep { '*' } else { c })
            .collect();
    }
    pan.chars()
        .enumerate()
        .map(|(i, c)| if i < 6 || i >= n - 4 { c } else { '*' })
        .collect()
}

/// Whether `digits` (all ASCII digits) ends in a valid Luhn check digit.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (body, check) = digits.split_at(digits.len() - 1);
    luhn_check_digit(body) == Some(check.as_bytes()[0] - b'0')
}

/// The Luhn check digit to append to `body`.
pub fn luhn_check_digit(body: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, b) in body.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let mut d = u32::from(b - b'0');
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    Some(((10 - sum % 10) % 10) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_all_but_first_six_and_last_four() {
        assert_eq!(mask_pan("6222021234567890123"), "622202*********0123");
        assert_eq!(mask_pan("4000001234562000"), "400000******2000");
        assert_eq!(mask_pan("12345"), "*2345");
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert_eq!(luhn_check_digit("7992739871"), Some(3));
        assert!(!luhn_valid("12a"));
    }
}
