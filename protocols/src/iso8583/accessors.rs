//! Typed getters and setters for the fields of the CUP layout, on top of [`Message::get`] and
//! [`Message::set`].

use super::error::{FieldError, FieldProblem};
use super::field60::Field60;
use super::field61::Field61;
use super::message::Message;
use super::response_code::ResponseCode;

/// `value` as exactly `N` decimal digits, or a `WrongLength` error for `field`.
pub(crate) fn fixed_digits<const N: usize>(field: u8, value: u64) -> Result<[u8; N], FieldError> {
    let mut out = [b'0'; N];
    let mut v = value;
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
    if v != 0 {
        let len = value.checked_ilog10().map_or(1, |l| l as usize + 1);
        return Err(FieldError::new(
            field,
            FieldProblem::WrongLength { len, expected: N },
        ));
    }
    Ok(out)
}

/// Parse ASCII digits (already validated) as an integer.
pub(crate) fn parse_digits(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u64::from(c - b'0'))
    })
}

macro_rules! str_field {
    ($(#[$doc:meta])* $get:ident, $set:ident, $n:expr) => {
        $(#[$doc])*
        pub fn $get(&self) -> Option<&str> {
            self.get_str($n)
        }

        $(#[$doc])*
        pub fn $set(&mut self, value: &str) -> Result<&mut Self, FieldError> {
            self.set($n, value)
        }
    };
}

macro_rules! num_field {
    ($(#[$doc:meta])* $get:ident, $set:ident, $n:expr, $digits:expr, $ty:ty) => {
        $(#[$doc])*
        pub fn $get(&self) -> Option<$ty> {
            parse_digits(self.get($n)?).and_then(|v| <$ty>::try_from(v).ok())
        }

        $(#[$doc])*
        pub fn $set(&mut self, value: $ty) -> Result<&mut Self, FieldError> {
            let digits = fixed_digits::<$digits>($n, u64::from(value))?;
            self.set($n, digits)
        }
    };
}

impl Message {
    str_field!(
        /// Field 2, primary account number (n..19).
        pan, set_pan, 2
    );
    str_field!(
        /// Field 3, processing code (n6), e.g. `000000` purchase.
        processing_code, set_processing_code, 3
    );
    num_field!(
        /// Field 4, amount in minor units (n12).
        amount_minor, set_amount_minor, 4, 12, u64
    );
    num_field!(
        /// Field 11, system trace audit number (n6, 1..=999999).
        stan, set_stan, 11, 6, u32
    );
    str_field!(
        /// Field 12, local time `hhmmss`.
        local_time, set_local_time, 12
    );
    str_field!(
        /// Field 13, local date `MMDD`.
        local_date, set_local_date, 13
    );
    str_field!(
        /// Field 14, card expiry `YYMM`.
        expiry, set_expiry, 14
    );
    str_field!(
        /// Field 15, settlement date `MMDD`.
        settlement_date, set_settlement_date, 15
    );
    str_field!(
        /// Field 22, POS entry mode (n3), e.g. `051` chip with PIN, `021` swipe with PIN.
        entry_mode, set_entry_mode, 22
    );
    num_field!(
        /// Field 23, card sequence number (n3).
        card_sequence, set_card_sequence, 23, 3, u16
    );
    str_field!(
        /// Field 25, POS condition code (n2), `00` normal.
        condition_code, set_condition_code, 25
    );
    str_field!(
        /// Field 26, PIN capture code (n2), `12` = up to 12 digits.
        pin_capture_code, set_pin_capture_code, 26
    );
    str_field!(
        /// Field 32, acquiring institution id (n..11).
        acquirer_id, set_acquirer_id, 32
    );
    str_field!(
        /// Field 35, track 2 (`PAN=YYMM SSS …`).
        track2, set_track2, 35
    );
    str_field!(
        /// Field 36, track 3.
        track3, set_track3, 36
    );
    str_field!(
        /// Field 37, retrieval reference number (an12).
        rrn, set_rrn, 37
    );
    str_field!(
        /// Field 38, authorisation code (an6).
        auth_code, set_auth_code, 38
    );
    str_field!(
        /// Field 41, terminal id (ans8).
        terminal_id, set_terminal_id, 41
    );
    str_field!(
        /// Field 42, merchant id (ans15).
        merchant_id, set_merchant_id, 42
    );
    str_field!(
        /// Field 49, currency code (an3), `156` for CNY.
        currency, set_currency, 49
    );
    str_field!(
        /// Field 53, security information (n16).
        security_info, set_security_info, 53
    );
    str_field!(
        /// Field 63, reserved private text (ans..163): the operator number in requests.
        reserved63, set_reserved63, 63
    );

    /// Field 39, the response code.
    pub fn response_code(&self) -> Option<ResponseCode> {
        let v: [u8; 2] = self.get(39)?.try_into().ok()?;
        Some(ResponseCode::from_bytes(v))
    }

    /// Field 39, the response code (or, in a reversal, its reason).
    pub fn set_response_code(&mut self, code: ResponseCode) -> Result<&mut Self, FieldError> {
        self.set(39, code.to_bytes())
    }

    /// Field 52, the encrypted PIN block.
    pub fn pin_block(&self) -> Option<[u8; 8]> {
        self.get(52)?.try_into().ok()
    }

    pub fn set_pin_block(&mut self, block: [u8; 8]) -> &mut Self {
        self.set(52, block).expect("8 bytes fit field 52")
    }

    /// Field 55, ICC (EMV) data as BER-TLV bytes.
    pub fn icc_data(&self) -> Option<&[u8]> {
        self.get(55)
    }

    pub fn set_icc_data(&mut self, tlv: &[u8]) -> Result<&mut Self, FieldError> {
        self.set(55, tlv)
    }

    /// Field 62, reserved binary (working keys in a sign-on response).
    pub fn reserved62(&self) -> Option<&[u8]> {
        self.get(62)
    }

    pub fn set_reserved62(&mut self, bytes: &[u8]) -> Result<&mut Self, FieldError> {
        self.set(62, bytes)
    }

    /// Field 64, the MAC (8 ASCII hex characters).
    pub fn mac(&self) -> Option<[u8; 8]> {
        self.get(64)?.try_into().ok()
    }

    /// Field 60 parsed into its sub-fields; `None` if absent.
    pub fn field60(&self) -> Option<Result<Field60, FieldError>> {
        self.get(60).map(Field60::parse)
    }

    pub fn set_field60(&mut self, value: &Field60) -> Result<&mut Self, FieldError> {
        let digits = value.to_digits()?;
        self.set(60, digits)
    }

    /// Field 61 parsed into its sub-fields; `None` if absent.
    pub fn field61(&self) -> Option<Result<Field61, FieldError>> {
        self.get(61).map(Field61::parse)
    }

    pub fn set_field61(&mut self, value: &Field61) -> Result<&mut Self, FieldError> {
        let digits = value.to_digits()?;
        self.set(61, digits)
    }
}

#[cfg(test)]
mod tests {
    use super::super::mti::Mti;
    use super::*;

    #[test]
    fn numbers_are_zero_filled_and_checked() {
        let mut m = Message::new(Mti::FINANCIAL);
        m.set_amount_minor(1234).unwrap().set_stan(2).unwrap();
        assert_eq!(m.get(4), Some(&b"000000001234"[..]));
        assert_eq!(m.amount_minor(), Some(1234));
        assert_eq!(m.stan(), Some(2));
        let err = m.set_stan(1_000_000).unwrap_err();
        assert_eq!(
            err.problem,
            FieldProblem::WrongLength {
                len: 7,
                expected: 6
            }
        );
        m.set_response_code(ResponseCode::Approved).unwrap();
        assert_eq!(m.response_code(), Some(ResponseCode::Approved));
    }
}
