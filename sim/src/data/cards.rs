//! The test-card file `scenarios/data/cards.yaml`, shared by the card reader and the acquirer.

use std::fmt;
use std::path::Path;

use posrig_protocols::card::{luhn_valid, mask_pan};
use posrig_protocols::crypto::TdesKey;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{load_yaml, DataError};

/// Every test card a rig knows, in file order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardFile {
    pub cards: Vec<Card>,
}

/// How a card can be presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryAbility {
    Chip,
    Swipe,
    Tap,
}

/// What the issuer thinks of the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardStatus {
    #[default]
    Active,
    Lost,
    Expired,
    Blocked,
}

/// One test card. `name` is how scenarios refer to it.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Card {
    pub name: String,
    pub pan: String,
    /// `YYMM`.
    pub expiry: String,
    /// Three digits; a first digit 2 or 6 means the card has a chip.
    pub service_code: String,
    pub pin: String,
    /// How the card can be read.
    pub entry: Vec<EntryAbility>,
    /// Available balance (debit) or remaining limit (credit), in major units.
    pub balance: Decimal,
    #[serde(default)]
    pub status: CardStatus,
    /// ISO 4217 numeric currency.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Domestic (`true`) or foreign card, for settlement totals.
    #[serde(default = "default_true")]
    pub domestic: bool,
    /// Wrong PINs the issuer accepts before answering `75`.
    #[serde(default = "default_pin_tries")]
    pub pin_tries_max: u8,
    /// Card sequence number (field 23) for chip cards.
    #[serde(default)]
    pub sequence: u16,
}

fn default_currency() -> String {
    "156".to_string()
}
fn default_true() -> bool {
    true
}
fn default_pin_tries() -> u8 {
    3
}

impl Card {
    pub fn masked_pan(&self) -> String {
        mask_pan(&self.pan)
    }

    pub fn has_chip(&self) -> bool {
        matches!(self.service_code.as_bytes().first(), Some(b'2' | b'6'))
    }

    pub fn can(&self, ability: EntryAbility) -> bool {
        self.entry.contains(&ability)
    }

    /// The card's ICC key, under which its chip computes the ARQC (`emv::IccData::arqc`).
    ///
    /// Test cards carry no key material in the card file, so the key is derived from the PAN:
    /// the first 16 bytes of SHA-256(`posrig-icc-key` ‖ PAN). The card reader and the acquirer
    /// both call this, so a chip read by the simulated pad verifies at the simulated issuer.
    pub fn icc_key(&self) -> TdesKey {
        let digest = Sha256::new()
            .chain_update(b"posrig-icc-key")
            .chain_update(self.pan.as_bytes())
            .finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        TdesKey::new(key)
    }

    /// Track 2 equivalent data as ASCII: `PAN=YYMMSSS` followed by discretionary digits.
    pub fn track2(&self) -> String {
        format!("{}={}{}00000", self.pan, self.expiry, self.service_code)
    }
}

impl fmt::Debug for Card {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Card")
            .field("name", &self.name)
            .field("pan", &self.masked_pan())
            .field("expiry", &self.expiry)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl CardFile {
    pub fn load(path: &Path) -> Result<Self, DataError> {
        let file: Self = load_yaml(path)?;
        file.check(path)?;
        Ok(file)
    }

    pub fn by_name(&self, name: &str) -> Option<&Card> {
        self.cards.iter().find(|c| c.name == name)
    }

    pub fn by_pan(&self, pan: &str) -> Option<&Card> {
        self.cards.iter().find(|c| c.pan == pan)
    }

    fn check(&self, path: &Path) -> Result<(), DataError> {
        let invalid = |message: String| DataError::Invalid {
            path: path.to_owned(),
            message,
        };
        let mut names = std::collections::BTreeSet::new();
        for c in &self.cards {
            if !names.insert(c.name.as_str()) {
                return Err(invalid(format!("card `{}` is listed twice", c.name)));
            }
            if !(13..=19).contains(&c.pan.len()) || !luhn_valid(&c.pan) {
                return Err(invalid(format!(
                    "card `{}`: PAN {} is not 13 to 19 digits with a valid check digit",
                    c.name,
                    c.masked_pan()
                )));
            }
            if c.expiry.len() != 4 || !c.expiry.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(format!("card `{}`: expiry must be YYMM", c.name)));
            }
            if c.service_code.len() != 3 || !c.service_code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(format!(
                    "card `{}`: service code must be 3 digits",
                    c.name
                )));
            }
            if !(4..=12).contains(&c.pin.len()) || !c.pin.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(format!(
                    "card `{}`: PIN must be 4 to 12 digits",
                    c.name
                )));
            }
        }
        Ok(())
    }
}
