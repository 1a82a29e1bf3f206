//! Wallet payment codes scanned at the till (the customer's "付款码", payment code): which
//! wallet a numeric code belongs to, so the POS routes it to the QR-pay host instead of the
//! item lookup.

/// The wallet a payment code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wallet {
    /// 18 digits starting 10–15.
    WeChat,
    /// 16–24 digits starting 25–30.
    Alipay,
}

/// Which wallet `code` is a payment code for, or `None` if it is not one (an item barcode, an
/// in-store code, anything else).
///
/// ```
/// use posrig_protocols::scanner::{classify_payment_code, Wallet};
/// assert_eq!(classify_payment_code("134567890123456789"), Some(Wallet::WeChat));
/// assert_eq!(classify_payment_code("5901234123457"), None);
/// ```
pub fn classify_payment_code(code: &str) -> Option<Wallet> {
    if !code.bytes().all(|b| b.is_ascii_digit()) || code.len() < 2 {
        return None;
    }
    let prefix: u8 = code[..2].parse().ok()?;
    match (code.len(), prefix) {
        (18, 10..=15) => Some(Wallet::WeChat),
        (16..=24, 25..=30) => Some(Wallet::Alipay),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wechat_is_18_digits_from_10_to_15() {
        assert_eq!(
            classify_payment_code("100000000000000000"),
            Some(Wallet::WeChat)
        );
        assert_eq!(
            classify_payment_code("159999999999999999"),
            Some(Wallet::WeChat)
        );
        assert_eq!(classify_payment_code("160000000000000000"), None);
        assert_eq!(classify_payment_code("09999999999999999"), None);
        assert_eq!(classify_payment_code("1000000000000000000"), None);
        assert_eq!(classify_payment_code("10000000000000000"), None);
    }

    #[test]
    fn alipay_is_16_to_24_digits_from_25_to_30() {
        assert_eq!(
            classify_payment_code("2500000000000000"),
            Some(Wallet::Alipay)
        );
        assert_eq!(
            classify_payment_code("300000000000000000000000"),
            Some(Wallet::Alipay)
        );
        assert_eq!(
            classify_payment_code("286512345678901234"),
            Some(Wallet::Alipay)
        );
        assert_eq!(classify_payment_code("250000000000000"), None);
        assert_eq!(classify_payment_code("3000000000000000000000000"), None);
        assert_eq!(classify_payment_code("3100000000000000"), None);
    }

    #[test]
    fn other_things_are_not_payment_codes() {
        for code in [
            "",
            "1",
            "5901234123457",
            "2112345012506",
            "13456789012345678x",
            "１３",
        ] {
            assert_eq!(classify_payment_code(code), None, "{code}");
        }
    }
}
