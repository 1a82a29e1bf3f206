//! Sign-on field 62: the working keys (PIK, MAK) under the terminal master key, with check values.
//!
//! Layout (40 bytes): PIK ciphertext (16) + PIK check value (4) + MAK ciphertext (8) + 8 zero
//! bytes + MAK check value (4). A non-zero second MAK half is taken as a double-length MAK.

use crate::crypto::{CryptoError, DesKey, MacKey, TdesKey};

/// Why field 62 of a sign-on response does not give usable keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignOnError {
    #[error("read working keys: field 62 is absent")]
    Missing,
    #[error("read working keys: field 62 has {0} bytes, expected 40")]
    WrongLength(usize),
    #[error("read working keys: PIK check value {computed} does not match {expected}")]
    PikCheckValue { expected: String, computed: String },
    #[error("read working keys: MAK check value {computed} does not match {expected}")]
    MakCheckValue { expected: String, computed: String },
    #[error("read working keys")]
    Crypto(#[source] CryptoError),
}

/// The working keys a sign-on delivers. `Debug` shows check values only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingKeys {
    pub pik: TdesKey,
    pub mak: MacKey,
}

/// Field 62 length in a sign-on response.
pub const FIELD62_LEN: usize = 40;

impl WorkingKeys {
    /// Decrypt field 62 under the terminal master key and check both check values.
    pub fn from_field62(field62: &[u8], tmk: &TdesKey) -> Result<Self, SignOnError> {
        if field62.len() != FIELD62_LEN {
            return Err(SignOnError::WrongLength(field62.len()));
        }
        let pik = tmk
            .decrypt_ecb(&field62[..16])
            .map_err(SignOnError::Crypto)?;
        let pik = TdesKey::new(pik.try_into().expect("16 bytes in, 16 out"));
        check(&field62[16..20], pik.check_value(), |expected, computed| {
            SignOnError::PikCheckValue { expected, computed }
        })?;
        let mak_part = &field62[20..36];
        let mak = if mak_part[8..].iter().all(|&b| b == 0) {
            let clear = tmk
                .decrypt_ecb(&mak_part[..8])
                .map_err(SignOnError::Crypto)?;
            MacKey::Single(DesKey::new(clear.try_into().expect("8 bytes in, 8 out")))
        } else {
            let clear = tmk.decrypt_ecb(mak_part).map_err(SignOnError::Crypto)?;
            MacKey::Double(TdesKey::new(clear.try_into().expect("16 bytes in, 16 out")))
        };
        check(&field62[36..40], mak.check_value(), |expected, computed| {
            SignOnError::MakCheckValue { expected, computed }
        })?;
        Ok(Self { pik, mak })
    }

    /// The keys of a sign-on response (`Missing` if it has no field 62).
    pub fn from_message(msg: &super::message::Message, tmk: &TdesKey) -> Result<Self, SignOnError> {
        Self::from_field62(msg.get(62).ok_or(SignOnError::Missing)?, tmk)
    }

    /// Field 62 for a sign-on response (host side): both keys encrypted under `tmk`.
    pub fn to_field62(&self, tmk: &TdesKey) -> [u8; FIELD62_LEN] {
        let mut out = [0u8; FIELD62_LEN];
        let encrypt = |clear: &[u8]| {
            tmk.encrypt_ecb(clear)
                .expect("key lengths are multiples of 8")
        };
        out[..16].copy_from_slice(&encrypt(self.pik.bytes()));
        out[16..20].copy_from_slice(&self.pik.check_value());
        match &self.mak {
            MacKey::Single(k) => out[20..28].copy_from_slice(&encrypt(k.bytes())),
            MacKey::Double(k) => out[20..36].copy_from_slice(&encrypt(k.bytes())),
        }
        out[36..40].copy_from_slice(&self.mak.check_value());
        out
    }
}

fn check(
    expected: &[u8],
    computed: [u8; 4],
    err: impl FnOnce(String, String) -> SignOnError,
) -> Result<(), SignOnError> {
    if expected == computed {
        Ok(())
    } else {
        Err(err(
            hex::encode_upper(expected),
            hex::encode_upper(computed),
        ))
    }
}
