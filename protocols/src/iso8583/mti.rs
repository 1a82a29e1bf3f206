//! The message type indicator: four BCD digits such as `0200`, and the request/response relation.

use std::fmt;

/// A message type indicator, held as its decimal value (`0200` is 200).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mti(u16);

impl Mti {
    pub const SIGN_ON: Mti = Mti(800);
    pub const SIGN_ON_RESPONSE: Mti = Mti(810);
    pub const NETWORK_ADVICE: Mti = Mti(820);
    pub const NETWORK_ADVICE_RESPONSE: Mti = Mti(830);
    pub const FINANCIAL: Mti = Mti(200);
    pub const FINANCIAL_RESPONSE: Mti = Mti(210);
    pub const ADVICE: Mti = Mti(220);
    pub const ADVICE_RESPONSE: Mti = Mti(230);
    pub const BATCH_UPLOAD: Mti = Mti(320);
    pub const BATCH_UPLOAD_RESPONSE: Mti = Mti(330);
    pub const REVERSAL: Mti = Mti(400);
    pub const REVERSAL_RESPONSE: Mti = Mti(410);
    pub const SETTLEMENT: Mti = Mti(500);
    pub const SETTLEMENT_RESPONSE: Mti = Mti(510);

    /// An MTI from its decimal value; `None` above 9999.
    pub const fn new(value: u16) -> Option<Self> {
        if value <= 9999 {
            Some(Self(value))
        } else {
            None
        }
    }

    pub const fn value(self) -> u16 {
        self.0
    }

    /// Decode two BCD bytes.
    pub fn from_bcd(bytes: [u8; 2]) -> Option<Self> {
        let v = super::bcd::read_len(&bytes)?;
        Some(Self(v as u16))
    }

    pub fn to_bcd(self) -> [u8; 2] {
        let d = |v: u16| (((v / 10 % 10) << 4) | (v % 10)) as u8;
        [d(self.0 / 100), d(self.0)]
    }

    /// A response MTI has an odd third digit (`0210`, `0810`).
    pub fn is_response(self) -> bool {
        (self.0 / 10) % 2 == 1
    }

    /// The MTI of the response to this request (request + 10).
    pub fn response(self) -> Mti {
        if self.is_response() {
            self
        } else {
            Mti(self.0 + 10)
        }
    }

    /// The MTI of the request this responds to (response − 10).
    pub fn request(self) -> Mti {
        if self.is_response() {
            Mti(self.0 - 10)
        } else {
            self
        }
    }
}

impl fmt::Display for Mti {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcd_and_response_relation() {
        assert_eq!(Mti::from_bcd([0x02, 0x00]), Some(Mti::FINANCIAL));
        assert_eq!(Mti::FINANCIAL.to_bcd(), [0x02, 0x00]);
        assert_eq!(Mti::FINANCIAL.response(), Mti::FINANCIAL_RESPONSE);
        assert_eq!(Mti::SIGN_ON_RESPONSE.request(), Mti::SIGN_ON);
        assert!(Mti::REVERSAL_RESPONSE.is_response());
        assert_eq!(Mti::from_bcd([0x0A, 0x00]), None);
        assert_eq!(Mti::SETTLEMENT.to_string(), "0500");
    }
}
