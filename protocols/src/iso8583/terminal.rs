//! The inputs a request builder needs: the terminal's identity and the card as read.

use std::fmt;

use super::error::FieldError;
use super::field::validate;
use super::spec::field_spec;

/// A terminal's identity at the acquirer: terminal id (field 41) and merchant id (field 42).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terminal {
    terminal_id: String,
    merchant_id: String,
    currency: String,
}

impl Terminal {
    /// A terminal with currency `156` (CNY). Ids must be exactly 8 and 15 printable characters.
    pub fn new(terminal_id: &str, merchant_id: &str) -> Result<Self, FieldError> {
        let check = |n: u8, v: &str| validate(field_spec(n).expect("in the table"), v.as_bytes());
        check(41, terminal_id)?;
        check(42, merchant_id)?;
        Ok(Self {
            terminal_id: terminal_id.to_owned(),
            merchant_id: merchant_id.to_owned(),
            currency: "156".to_owned(),
        })
    }

    /// The same terminal with another currency code (field 49, an3).
    pub fn with_currency(mut self, currency: &str) -> Result<Self, FieldError> {
        validate(field_spec(49).expect("in the table"), currency.as_bytes())?;
        self.currency = currency.to_owned();
        Ok(self)
    }

    pub fn terminal_id(&self) -> &str {
        &self.terminal_id
    }

    pub fn merchant_id(&self) -> &str {
        &self.merchant_id
    }

    pub fn currency(&self) -> &str {
        &self.currency
    }
}

/// The card as the reader delivered it, with the PIN block if one was entered.
/// Each present part goes to its field; builders check the values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Card {
    /// Field 2 (chip and manual entry; swiped cards usually send track 2 only).
    pub pan: Option<String>,
    /// Field 14, `YYMM`.
    pub expiry: Option<String>,
    /// Field 22, e.g. `051` chip with PIN, `021` swipe with PIN, `071` contactless.
    pub entry_mode: String,
    /// Field 23.
    pub sequence: Option<u16>,
    /// Field 35, `PAN=YYMM…`.
    pub track2: Option<String>,
    /// Field 36.
    pub track3: Option<String>,
    /// Field 55, BER-TLV.
    pub icc_data: Option<Vec<u8>>,
    /// Field 52 (encrypted under the PIK); also sets fields 26 (`12`) and 53.
    pub pin_block: Option<[u8; 8]>,
}

impl Card {
    /// A swiped card: track 2 only.
    pub fn swiped(track2: &str, pin_block: Option<[u8; 8]>) -> Self {
        Self {
            entry_mode: if pin_block.is_some() { "021" } else { "022" }.to_owned(),
            track2: Some(track2.to_owned()),
            pin_block,
            ..Self::default()
        }
    }

    /// A chip card: PAN, expiry, sequence number, track 2 equivalent and ICC data.
    pub fn chip(
        pan: &str,
        expiry: &str,
        sequence: u16,
        track2: &str,
        icc_data: Vec<u8>,
        pin_block: Option<[u8; 8]>,
    ) -> Self {
        Self {
            pan: Some(pan.to_owned()),
            expiry: Some(expiry.to_owned()),
            entry_mode: if pin_block.is_some() { "051" } else { "052" }.to_owned(),
            sequence: Some(sequence),
            track2: Some(track2.to_owned()),
            track3: None,
            icc_data: Some(icc_data),
            pin_block,
        }
    }

    /// The PAN: field 2 if set, else the part of track 2 before `=`.
    pub fn account_number(&self) -> Option<&str> {
        self.pan
            .as_deref()
            .or_else(|| self.track2.as_deref()?.split('=').next())
    }
}

/// Never prints a full PAN or track.
impl fmt::Debug for Card {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Card")
            .field("pan", &self.account_number().map(crate::card::mask_pan))
            .field("entry_mode", &self.entry_mode)
            .field("sequence", &self.sequence)
            .field("track2", &self.track2.as_ref().map(|_| "<present>"))
            .field("track3", &self.track3.as_ref().map(|_| "<present>"))
            .field("icc_data", &self.icc_data.as_ref().map(Vec::len))
            .field("pin_block", &self.pin_block.map(|_| "<present>"))
            .finish()
    }
}
