//! DES and two-key triple-DES keys: block encryption, ECB over buffers, and check values.

use std::fmt;

use cipher::{generic_array::GenericArray, BlockDecrypt, BlockEncrypt, KeyInit};
use des::{Des, TdesEde2};

use super::{parse_hex, CryptoError};

/// A single-length DES key (8 bytes), as the CUP MAK is.
#[derive(Clone, PartialEq, Eq)]
pub struct DesKey([u8; 8]);

/// A double-length two-key triple-DES key (16 bytes, EDE): terminal master keys and PIKs.
#[derive(Clone, PartialEq, Eq)]
pub struct TdesKey([u8; 16]);

impl DesKey {
    pub fn new(bytes: [u8; 8]) -> Self {
        Self(bytes)
    }

    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        parse_hex::<8>("DES key", text).map(Self)
    }

    pub fn bytes(&self) -> &[u8; 8] {
        &self.0
    }

    pub fn encrypt_block(&self, block: [u8; 8]) -> [u8; 8] {
        let cipher = Des::new(GenericArray::from_slice(&self.0));
        let mut b = GenericArray::from(block);
        cipher.encrypt_block(&mut b);
        b.into()
    }

    pub fn decrypt_block(&self, block: [u8; 8]) -> [u8; 8] {
        let cipher = Des::new(GenericArray::from_slice(&self.0));
        let mut b = GenericArray::from(block);
        cipher.decrypt_block(&mut b);
        b.into()
    }

    /// The check value: the first 4 bytes of the key's encryption of 8 zero bytes.
    pub fn check_value(&self) -> [u8; 4] {
        first4(self.encrypt_block([0; 8]))
    }
}

impl TdesKey {
    pub fn new(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        parse_hex::<16>("triple-DES key", text).map(Self)
    }

    pub fn bytes(&self) -> &[u8; 16] {
        &self.0
    }

    pub fn encrypt_block(&self, block: [u8; 8]) -> [u8; 8] {
        let cipher = TdesEde2::new(GenericArray::from_slice(&self.0));
        let mut b = GenericArray::from(block);
        cipher.encrypt_block(&mut b);
        b.into()
    }

    pub fn decrypt_block(&self, block: [u8; 8]) -> [u8; 8] {
        let cipher = TdesEde2::new(GenericArray::from_slice(&self.0));
        let mut b = GenericArray::from(block);
        cipher.decrypt_block(&mut b);
        b.into()
    }

    /// ECB-encrypt a buffer whose length is a multiple of 8 (a key under a master key).
    pub fn encrypt_ecb(&self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.ecb(data, |b| self.encrypt_block(b))
    }

    /// ECB-decrypt a buffer whose length is a multiple of 8.
    pub fn decrypt_ecb(&self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.ecb(data, |b| self.decrypt_block(b))
    }

    fn ecb(&self, data: &[u8], f: impl Fn([u8; 8]) -> [u8; 8]) -> Result<Vec<u8>, CryptoError> {
        if data.len() % 8 != 0 {
            return Err(CryptoError::BadLength(data.len()));
        }
        let mut out = Vec::with_capacity(data.len());
        for chunk in data.chunks_exact(8) {
            let block: [u8; 8] = chunk.try_into().expect("chunks_exact yields 8 bytes");
            out.extend_from_slice(&f(block));
        }
        Ok(out)
    }

    /// The check value: the first 4 bytes of the key's encryption of 8 zero bytes.
    pub fn check_value(&self) -> [u8; 4] {
        first4(self.encrypt_block([0; 8]))
    }
}

fn first4(b: [u8; 8]) -> [u8; 4] {
    [b[0], b[1], b[2], b[3]]
}

impl fmt::Debug for DesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DesKey(kcv {})", hex::encode_upper(self.check_value()))
    }
}

impl fmt::Debug for TdesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TdesKey(kcv {})", hex::encode_upper(self.check_value()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TMK: &str = "CA5D92598DCA48CE8A4C76361A9269E9";

    /// PROTOCOLS.md §7: the PIK under the terminal master key, and its check value.
    #[test]
    fn pik_vector_decrypts_under_master_key() {
        let tmk = TdesKey::from_hex(TMK).unwrap();
        let cipher = hex::decode("6701EAD6A9AD51E51AA406E2C27FCFA9").unwrap();
        let pik = tmk.decrypt_ecb(&cipher).unwrap();
        assert_eq!(hex::encode_upper(&pik), "807A23AD32B36D457AE91FDF927570EA");
        let pik = TdesKey::new(pik.try_into().unwrap());
        assert_eq!(hex::encode_upper(pik.check_value()), "8D0A74B8");
        assert_eq!(tmk.encrypt_ecb(pik.bytes()).unwrap(), cipher);
    }

    /// PROTOCOLS.md §7: the MAK under the terminal master key, and its check value.
    #[test]
    fn mak_vector_decrypts_under_master_key() {
        let tmk = TdesKey::from_hex(TMK).unwrap();
        let cipher = hex::decode("B651F9E9BACE9AE1").unwrap();
        let mak = tmk.decrypt_ecb(&cipher).unwrap();
        assert_eq!(hex::encode_upper(&mak), "5BB5C72CD00B7338");
        let mak = DesKey::new(mak.try_into().unwrap());
        assert_eq!(hex::encode_upper(mak.check_value()), "AB7153CA");
    }

    #[test]
    fn debug_never_shows_key_bytes() {
        let tmk = TdesKey::from_hex(TMK).unwrap();
        let shown = format!("{tmk:?}");
        assert!(!shown.to_uppercase().contains("CA5D9259"), "{shown}");
    }

    #[test]
    fn bad_hex_and_lengths_are_errors() {
        assert!(TdesKey::from_hex("zz").is_err());
        assert!(DesKey::from_hex("0011").is_err());
        let tmk = TdesKey::from_hex(TMK).unwrap();
        assert_eq!(tmk.decrypt_ecb(&[0; 7]), Err(CryptoError::BadLength(7)));
    }
}
