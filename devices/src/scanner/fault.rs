//! What goes wrong with a scanner, as plain data, and the rule that turns a good code into a
//! misread one.

use serde::{Deserialize, Serialize};

/// A scanner fault, as JSON: `{"fault": "misread"}`, `{"fault": "no_read"}`,
/// `{"fault": "double_read"}`, `{"fault": "unplugged"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScannerFault {
    /// The next code read has one wrong digit, so its check digit fails. One-shot: the fault
    /// clears itself once used.
    Misread {},
    /// Codes are not read at all while on.
    NoRead {},
    /// Each code read is sent twice while on.
    DoubleRead {},
    /// The cable is out: nothing is sent, host commands are not heard.
    Unplugged {},
}

impl ScannerFault {
    pub fn name(self) -> &'static str {
        match self {
            ScannerFault::Misread {} => "misread",
            ScannerFault::NoRead {} => "no_read",
            ScannerFault::DoubleRead {} => "double_read",
            ScannerFault::Unplugged {} => "unplugged",
        }
    }
}

/// `code` with one character read wrong.
///
/// A digit in the middle of the code goes up by one (9 wraps to 0). For a GTIN that always
/// breaks the check digit: the digit weighs 1 or 3, and neither times 1 is a multiple of 10.
/// Codes without digits get their middle letter changed instead.
///
/// ```
/// use posrig_devices::scanner::misread_code;
/// use posrig_protocols::scanner::validate;
/// let bad = misread_code("5901234123457");
/// assert_ne!(bad, "5901234123457");
/// assert!(validate(&bad).is_err());
/// ```
pub fn misread_code(code: &str) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    let n = chars.len();
    if n == 0 {
        return String::new();
    }
    let all_digits = chars.iter().all(char::is_ascii_digit);
    // For a GTIN, a data digit, never the check digit itself, so the code reads as a real
    // misread (a plausible item number with a failing check).
    let at = if all_digits && n > 1 {
        (n - 1) / 2
    } else if let Some(i) = chars.iter().rposition(char::is_ascii_digit) {
        i
    } else {
        n / 2
    };
    chars[at] = match chars[at] {
        '9' => '0',
        'Z' => 'A',
        'z' => 'a',
        c @ ('0'..='8' | 'A'..='Y' | 'a'..='y') => (c as u8 + 1) as char,
        _ => 'X',
    };
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_protocols::scanner::validate;

    #[test]
    fn every_gtin_misread_fails_its_check() {
        for code in ["5901234123457", "036000291452", "96385074", "2112345012506"] {
            assert!(validate(code).is_ok());
            let bad = misread_code(code);
            assert_eq!(bad.len(), code.len());
            assert!(validate(&bad).is_err(), "{code} -> {bad}");
        }
    }

    #[test]
    fn other_codes_change_one_character() {
        assert_eq!(misread_code("SKU-42"), "SKU-43");
        assert_eq!(misread_code("ABC"), "ACC");
        assert_eq!(misread_code("Z"), "A");
        assert_eq!(misread_code(""), "");
    }

    #[test]
    fn json_shapes() {
        let f: ScannerFault = serde_json::from_str(r#"{"fault": "double_read"}"#).unwrap();
        assert_eq!(f, ScannerFault::DoubleRead {});
        assert_eq!(
            serde_json::to_string(&ScannerFault::NoRead {}).unwrap(),
            r#"{"fault":"no_read"}"#
        );
        assert!(
            serde_json::from_str::<ScannerFault>(r#"{"fault": "misread", "count": 2}"#).is_err(),
            "unknown keys are errors"
        );
    }
}
