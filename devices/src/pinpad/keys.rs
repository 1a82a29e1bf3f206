//! The pad's key store: the terminal master key it is built with, the working PIN key (PIK) the
//! POS loads under it with `K0`, and PIN block encryption under that PIK.

use posrig_protocols::crypto::{encode_pin_block, TdesKey};
use posrig_protocols::pinpad::{Pan, PinBlock};

/// Why a key could not be loaded or a PIN block made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("load PIN key: its check value does not match (got {got}, computed {computed})")]
    CheckValue { got: String, computed: String },
    #[error("encrypt PIN: no PIN key loaded")]
    NoPinKey,
    #[error("encrypt PIN: PIN must be 4 to 12 digits and the PAN at least 13")]
    BadInput,
}

/// Master key and working PIN key. `Debug` shows check values only.
#[derive(Debug, Clone)]
pub struct KeyStore {
    master: TdesKey,
    pik: Option<TdesKey>,
}

impl KeyStore {
    pub fn new(master: TdesKey) -> Self {
        Self { master, pik: None }
    }

    /// `K0`: decrypt the PIK under the master key and keep it if its check value matches.
    /// A mismatch keeps the old key (a pad never swaps in a key it cannot verify).
    pub fn load_pik(&mut self, pik_under_master: [u8; 16], kcv: [u8; 4]) -> Result<(), KeyError> {
        let clear: [u8; 16] = self
            .master
            .decrypt_ecb(&pik_under_master)
            .ok()
            .and_then(|c| c.try_into().ok())
            .expect("16 bytes are two whole 3DES blocks");
        let pik = TdesKey::new(clear);
        let computed = pik.check_value();
        if computed != kcv {
            return Err(KeyError::CheckValue {
                got: hex::encode_upper(kcv),
                computed: hex::encode_upper(computed),
            });
        }
        self.pik = Some(pik);
        Ok(())
    }

    /// The loaded PIK's check value, for the snapshot.
    pub fn pik_kcv(&self) -> Option<String> {
        self.pik
            .as_ref()
            .map(|k| hex::encode_upper(k.check_value()))
    }

    pub fn has_pik(&self) -> bool {
        self.pik.is_some()
    }

    /// The ISO 9564 format-0 block for `pin` and `pan`, 3DES-encrypted under the PIK.
    pub fn pin_block(&self, pin: &str, pan: &Pan) -> Result<PinBlock, KeyError> {
        let pik = self.pik.as_ref().ok_or(KeyError::NoPinKey)?;
        let clear = encode_pin_block(pin, pan.as_str()).map_err(|_| KeyError::BadInput)?;
        Ok(PinBlock(pik.encrypt_block(clear)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_protocols::crypto::decode_pin_block;

    fn store() -> KeyStore {
        KeyStore::new(TdesKey::from_hex("CA5D92598DCA48CE8A4C76361A9269E9").unwrap())
    }

    fn vector_pik() -> [u8; 16] {
        hex::decode("6701EAD6A9AD51E51AA406E2C27FCFA9")
            .unwrap()
            .try_into()
            .unwrap()
    }

    #[test]
    fn loads_the_protocols_vector_pik_and_encrypts_under_it() {
        let mut keys = store();
        assert_eq!(
            keys.pin_block("1234", &Pan::new("4000001234562000").unwrap()),
            Err(KeyError::NoPinKey)
        );
        keys.load_pik(vector_pik(), [0x8D, 0x0A, 0x74, 0xB8])
            .unwrap();
        assert_eq!(keys.pik_kcv().as_deref(), Some("8D0A74B8"));
        let pan = Pan::new("4000001234562000").unwrap();
        let block = keys.pin_block("1234", &pan).unwrap();
        let pik = TdesKey::from_hex("807A23AD32B36D457AE91FDF927570EA").unwrap();
        let clear = pik.decrypt_block(block.bytes());
        assert_eq!(hex::encode_upper(clear), "041234FEDCBA9DFF");
        assert_eq!(decode_pin_block(clear, pan.as_str()).unwrap(), "1234");
    }

    #[test]
    fn wrong_check_value_is_refused_and_keeps_no_key() {
        let mut keys = store();
        let err = keys.load_pik(vector_pik(), [0, 0, 0, 0]).unwrap_err();
        assert!(matches!(err, KeyError::CheckValue { .. }));
        assert!(!keys.has_pik());
    }
}
