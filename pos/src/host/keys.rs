//! Working keys from sign-on: the MAK decrypted under the terminal master key for field 64, and
//! the PIK kept encrypted (with its check value) for the PIN pad's `K0` message, since the pad
//! holds the same master key. The clear PIK never leaves the pad.

use std::fmt;

use posrig_protocols::crypto::{MacKey, TdesKey};
use posrig_protocols::iso8583::{SignOnError, WorkingKeys};

/// The working PIN key as the PIN pad wants it: ciphertext under the master key and check value.
#[derive(Clone, PartialEq, Eq)]
pub struct PinKey {
    /// The PIK encrypted under the terminal master key (16 bytes).
    pub ciphertext: [u8; 16],
    /// The PIK's check value (4 bytes).
    pub check_value: [u8; 4],
}

impl PinKey {
    /// The ciphertext as upper-case hex, the `K0` message's second field.
    pub fn ciphertext_hex(&self) -> String {
        hex::encode_upper(self.ciphertext)
    }

    /// The check value as upper-case hex, the `K0` message's third field.
    pub fn check_value_hex(&self) -> String {
        hex::encode_upper(self.check_value)
    }
}

/// Shows the check value only.
impl fmt::Debug for PinKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PinKey(kcv {})", self.check_value_hex())
    }
}

/// Keys loaded from a sign-on response's field 62.
#[derive(Debug, Clone)]
pub(crate) struct SessionKeys {
    pub mak: MacKey,
    pub pin_key: PinKey,
}

/// Checks both check values of field 62 under `master` and keeps the MAK clear and the PIK as
/// delivered.
pub(crate) fn load(field62: &[u8], master: &TdesKey) -> Result<SessionKeys, SignOnError> {
    let keys = WorkingKeys::from_field62(field62, master)?;
    let ciphertext = field62[..16].try_into().expect("field 62 length checked");
    let check_value = field62[16..20].try_into().expect("field 62 length checked");
    Ok(SessionKeys {
        mak: keys.mak,
        pin_key: PinKey {
            ciphertext,
            check_value,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_protocols::crypto::DesKey;

    #[test]
    fn protocol_vectors_load() {
        let tmk = TdesKey::from_hex("CA5D92598DCA48CE8A4C76361A9269E9").unwrap();
        let keys = WorkingKeys {
            pik: TdesKey::from_hex("807A23AD32B36D457AE91FDF927570EA").unwrap(),
            mak: MacKey::Single(DesKey::from_hex("5BB5C72CD00B7338").unwrap()),
        };
        let loaded = load(&keys.to_field62(&tmk), &tmk).unwrap();
        assert_eq!(
            loaded.pin_key.ciphertext_hex(),
            "6701EAD6A9AD51E51AA406E2C27FCFA9"
        );
        assert_eq!(loaded.pin_key.check_value_hex(), "8D0A74B8");
        assert_eq!(hex::encode_upper(loaded.mak.check_value()), "AB7153CA");
        let mut bad = keys.to_field62(&tmk);
        bad[39] ^= 1;
        assert!(matches!(
            load(&bad, &tmk),
            Err(SignOnError::MakCheckValue { .. })
        ));
    }
}
