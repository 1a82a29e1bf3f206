//! What a person does with the scanner — scan one code or several — and how the symbology of a
//! code is inferred when the scenario does not name it.

use posrig_protocols::scanner::{classify_payment_code, Symbology};
use serde::{Deserialize, Serialize};

/// An action on the scanner, as JSON: `{"action": "scan", "code": "5901234123457"}`,
/// `{"action": "scan", "code": "ABC-1", "symbology": "code128"}`,
/// `{"action": "scan_many", "codes": ["5901234123457", "96385074"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScannerAction {
    /// Present one code to the scanner.
    Scan {
        code: String,
        /// Inferred from the code when absent (see [`infer_symbology`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        symbology: Option<SymbologyName>,
    },
    /// Present several codes, one after the other, each with an inferred symbology.
    ScanMany { codes: Vec<String> },
}

/// A symbology as scenarios name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbologyName {
    /// `]E0`.
    Ean13,
    /// `]E0` as well: UPC-A is EAN-13's subset and shares its AIM id.
    UpcA,
    /// `]E4`.
    Ean8,
    /// `]C0`.
    Code128,
    /// `]C1`.
    Gs1_128,
    /// `]Q1`.
    Qr,
    /// `]e0`.
    Gs1Databar,
}

impl SymbologyName {
    pub fn symbology(self) -> Symbology {
        match self {
            SymbologyName::Ean13 | SymbologyName::UpcA => Symbology::Ean13,
            SymbologyName::Ean8 => Symbology::Ean8,
            SymbologyName::Code128 => Symbology::Code128,
            SymbologyName::Gs1_128 => Symbology::Gs1_128,
            SymbologyName::Qr => Symbology::Qr,
            SymbologyName::Gs1Databar => Symbology::Gs1DataBar,
        }
    }
}

/// The symbology a code was most likely printed in: all-digit codes of 13, 12 (UPC-A) and 8
/// digits are retail GTINs (`]E0`, `]E0`, `]E4`), wallet payment codes are QR (`]Q1`), anything
/// else Code 128 (`]C0`).
///
/// UPC-A keeps its 12 digits on the wire: the host sees the code as the scenario wrote it.
///
/// ```
/// use posrig_devices::scanner::infer_symbology;
/// use posrig_protocols::scanner::Symbology;
/// assert_eq!(infer_symbology("5901234123457"), Symbology::Ean13);
/// assert_eq!(infer_symbology("134567890123456789"), Symbology::Qr);
/// assert_eq!(infer_symbology("SKU-42"), Symbology::Code128);
/// ```
pub fn infer_symbology(code: &str) -> Symbology {
    if classify_payment_code(code).is_some() {
        return Symbology::Qr;
    }
    let digits = code.bytes().all(|b| b.is_ascii_digit());
    match code.len() {
        13 | 12 if digits => Symbology::Ean13,
        8 if digits => Symbology::Ean8,
        _ => Symbology::Code128,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes() {
        let a: ScannerAction =
            serde_json::from_str(r#"{"action": "scan", "code": "5901234123457"}"#).unwrap();
        assert_eq!(
            a,
            ScannerAction::Scan {
                code: "5901234123457".into(),
                symbology: None
            }
        );
        let a: ScannerAction =
            serde_json::from_str(r#"{"action": "scan", "code": "X", "symbology": "gs1_databar"}"#)
                .unwrap();
        assert!(matches!(
            a,
            ScannerAction::Scan {
                symbology: Some(SymbologyName::Gs1Databar),
                ..
            }
        ));
        let a: ScannerAction =
            serde_json::from_str(r#"{"action": "scan_many", "codes": ["1", "2"]}"#).unwrap();
        assert_eq!(
            a,
            ScannerAction::ScanMany {
                codes: vec!["1".into(), "2".into()]
            }
        );
        assert!(
            serde_json::from_str::<ScannerAction>(r#"{"action": "scan", "code": "1", "qty": 2}"#)
                .is_err(),
            "unknown keys are errors"
        );
    }

    #[test]
    fn inference_by_shape() {
        assert_eq!(infer_symbology("036000291452"), Symbology::Ean13);
        assert_eq!(infer_symbology("96385074"), Symbology::Ean8);
        assert_eq!(infer_symbology("2812345678901234"), Symbology::Qr);
        assert_eq!(infer_symbology("123456789"), Symbology::Code128);
        assert_eq!(infer_symbology("590123412345A"), Symbology::Code128);
    }
}
