//! The card database — balances, PIN checks with tries counted per card, and the status and
//! expiry checks an issuer makes, and each chip's ICC key for ARQC checks, keyed by PAN.

use std::collections::BTreeMap;

use posrig_protocols::card::mask_pan;
use posrig_protocols::crypto::{decode_pin_block, TdesKey};
use posrig_protocols::iso8583::ResponseCode;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::data::{CardFile, CardStatus};

/// The issuer's view of one card. Serialises with the masked PAN only.
#[derive(Clone, Serialize)]
pub struct CardAccount {
    /// The card's name in the card file.
    pub name: String,
    #[serde(skip)]
    pan: String,
    /// First 6 and last 4 digits.
    pub masked_pan: String,
    /// `YYMM`.
    pub expiry: String,
    #[serde(skip)]
    pin: String,
    /// The chip's key for ARQC checks (`data::Card::icc_key`).
    #[serde(skip)]
    icc_key: TdesKey,
    pub status: CardStatus,
    pub domestic: bool,
    /// Available balance or remaining limit, in minor units.
    pub balance_minor: u64,
    pub pin_tries_max: u8,
    /// Wrong PINs since the last right one.
    pub wrong_pins: u8,
}

impl std::fmt::Debug for CardAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardAccount")
            .field("name", &self.name)
            .field("masked_pan", &self.masked_pan)
            .field("balance_minor", &self.balance_minor)
            .field("wrong_pins", &self.wrong_pins)
            .finish_non_exhaustive()
    }
}

impl CardAccount {
    /// Checks a PIN block (encrypted under `pik`, format 0 with this card's PAN), counting wrong
    /// tries: `55` below the limit, `75` at or past it (even for the right PIN).
    pub fn check_pin(&mut self, pik: &TdesKey, encrypted: [u8; 8]) -> Result<(), ResponseCode> {
        if self.wrong_pins >= self.pin_tries_max {
            return Err(ResponseCode::PinTriesExceeded);
        }
        let clear = pik.decrypt_block(encrypted);
        match decode_pin_block(clear, &self.pan) {
            Ok(pin) if pin == self.pin => {
                self.wrong_pins = 0;
                Ok(())
            }
            _ => {
                self.wrong_pins = self.wrong_pins.saturating_add(1);
                if self.wrong_pins >= self.pin_tries_max {
                    Err(ResponseCode::PinTriesExceeded)
                } else {
                    Err(ResponseCode::WrongPin)
                }
            }
        }
    }

    /// The key this card's chip computes its ARQC under.
    pub(crate) fn icc_key(&self) -> &TdesKey {
        &self.icc_key
    }

    /// Status and expiry: lost `41`, blocked `05`, expired (by status or by `YYMM` before
    /// `today_yymm`) `54`.
    pub fn check_usable(&self, today_yymm: u32) -> Result<(), ResponseCode> {
        match self.status {
            CardStatus::Lost => return Err(ResponseCode::Other(*b"41")),
            CardStatus::Blocked => return Err(ResponseCode::DoNotHonour),
            CardStatus::Expired => return Err(ResponseCode::ExpiredCard),
            CardStatus::Active => {}
        }
        match self.expiry.parse::<u32>() {
            Ok(yymm) if yymm >= today_yymm => Ok(()),
            _ => Err(ResponseCode::ExpiredCard),
        }
    }
}

/// Every card the issuer knows, by PAN.
#[derive(Debug, Clone, Default)]
pub(crate) struct CardBook {
    by_pan: BTreeMap<String, CardAccount>,
}

impl CardBook {
    pub fn new(file: &CardFile) -> Self {
        let by_pan = file
            .cards
            .iter()
            .map(|c| {
                let minor = (c.balance * Decimal::ONE_HUNDRED)
                    .trunc()
                    .to_u64()
                    .unwrap_or(0);
                let account = CardAccount {
                    name: c.name.clone(),
                    pan: c.pan.clone(),
                    masked_pan: mask_pan(&c.pan),
                    expiry: c.expiry.clone(),
                    pin: c.pin.clone(),
                    icc_key: c.icc_key(),
                    status: c.status,
                    domestic: c.domestic,
                    balance_minor: minor,
                    pin_tries_max: c.pin_tries_max,
                    wrong_pins: 0,
                };
                (c.pan.clone(), account)
            })
            .collect();
        Self { by_pan }
    }

    pub fn get(&self, pan: &str) -> Option<&CardAccount> {
        self.by_pan.get(pan)
    }

    pub fn get_mut(&mut self, pan: &str) -> Option<&mut CardAccount> {
        self.by_pan.get_mut(pan)
    }

    pub fn by_name(&self, name: &str) -> Option<&CardAccount> {
        self.by_pan.values().find(|c| c.name == name)
    }

    pub fn by_name_mut(&mut self, name: &str) -> Option<&mut CardAccount> {
        self.by_pan.values_mut().find(|c| c.name == name)
    }

    /// Every card, in PAN order.
    pub fn all(&self) -> impl Iterator<Item = &CardAccount> {
        self.by_pan.values()
    }
}
