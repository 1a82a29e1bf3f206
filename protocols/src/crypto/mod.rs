//! Payment cryptography: single and two-key triple DES, key check values, the CUP "ECB" MAC and
//! ISO 9564 format-0 PIN blocks.
//!
//! The block cipher itself comes from the `des` crate; this module only arranges it the way the
//! CUP POS layout (PROTOCOLS.md §3 and §7) expects. Keys never print their bytes: their `Debug`
//! shows the check value only, so a key can appear in a log line without leaking.

mod key;
mod mac;
mod pinblock;

pub use key::{DesKey, TdesKey};
pub use mac::{cup_ecb_mac, MacKey};
pub use pinblock::{decode_pin_block, encode_pin_block, pan_field};

/// What can go wrong when keys, PINs or ciphertexts come from outside.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A key or block was not hex, or had the wrong length.
    #[error("decode {what}: expected {expected} hex digits, got `{got}`")]
    BadHex {
        what: &'static str,
        expected: usize,
        got: String,
    },
    /// Ciphertext whose length is not a multiple of the 8-byte block.
    #[error("decrypt: length {0} is not a multiple of 8")]
    BadLength(usize),
    /// A PIN that is not 4 to 12 decimal digits.
    #[error("build PIN block: PIN must be 4 to 12 digits")]
    BadPin,
    /// A PAN too short to give the 12 digits a format-0 block needs.
    #[error("build PIN block: PAN must have at least 13 digits")]
    BadPan,
    /// A decrypted block that is not a well-formed format-0 block for this PAN.
    #[error("read PIN block: not a format-0 block for this PAN")]
    NotFormat0,
}

pub(crate) fn parse_hex<const N: usize>(
    what: &'static str,
    text: &str,
) -> Result<[u8; N], CryptoError> {
    let bad = || CryptoError::BadHex {
        what,
        expected: N * 2,
        got: text.chars().take(40).collect(),
    };
    let bytes = hex::decode(text).map_err(|_| bad())?;
    bytes.try_into().map_err(|_| bad())
}
