//! The CUP "ECB" MAC of field 64 (PROTOCOLS.md §7).
//!
//! XOR the zero-padded message in 8-byte blocks; write the result as 16 upper-case hex characters;
//! encrypt the first 8 under the MAK, XOR with the last 8, encrypt again; the MAC is the first 8
//! characters of the hex of that. The MAK is single DES in the CUP layout; a double-length MAK
//! (second half non-zero) uses two-key triple DES the same way.

use super::{DesKey, TdesKey};

/// The key a MAC is computed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MacKey {
    Single(DesKey),
    Double(TdesKey),
}

impl MacKey {
    /// A MAK as delivered by sign-on: 8 key bytes, or 16 where the last 8 are zero for single DES.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        match bytes.len() {
            8 => Some(Self::Single(DesKey::new(bytes.try_into().ok()?))),
            16 if bytes[8..].iter().all(|b| *b == 0) => {
                Some(Self::Single(DesKey::new(bytes[..8].try_into().ok()?)))
            }
            16 => Some(Self::Double(TdesKey::new(bytes.try_into().ok()?))),
            _ => None,
        }
    }

    fn encrypt(&self, block: [u8; 8]) -> [u8; 8] {
        match self {
            Self::Single(k) => k.encrypt_block(block),
            Self::Double(k) => k.encrypt_block(block),
        }
    }

    pub fn check_value(&self) -> [u8; 4] {
        match self {
            Self::Single(k) => k.check_value(),
            Self::Double(k) => k.check_value(),
        }
    }
}

/// The 8 ASCII bytes of field 64 for `data` (the message from MTI through field 63).
pub fn cup_ecb_mac(key: &MacKey, data: &[u8]) -> [u8; 8] {
    let mut acc = [0u8; 8];
    for chunk in data.chunks(8) {
        for (a, b) in acc.iter_mut().zip(chunk) {
            *a ^= b;
        }
    }
    let hex_acc = upper_hex(acc);
    let left: [u8; 8] = hex_acc[..8].try_into().expect("16 hex characters");
    let right: [u8; 8] = hex_acc[8..].try_into().expect("16 hex characters");
    let mut mid = key.encrypt(left);
    for (m, r) in mid.iter_mut().zip(right) {
        *m ^= r;
    }
    let out = upper_hex(key.encrypt(mid));
    out[..8].try_into().expect("16 hex characters")
}

fn upper_hex(bytes: [u8; 8]) -> [u8; 16] {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = [0u8; 16];
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 0x0F)];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 129-byte sample frame of PROTOCOLS.md §7.
    pub const SAMPLE_FRAME: &str = concat!(
        "007F600003000060321032007202003020048000C08015000000000000001234",
        "0000020300993030303030303031393532373138313832323137383735313536",
        "00192600000100060000000000435F0112323834343132333435363738393031",
        "3233345F03063136303033365F04063230303832365C02303142334130393241",
        "45"
    );

    #[test]
    fn sample_frame_mac_is_b3a092ae() {
        let frame = hex::decode(SAMPLE_FRAME).unwrap();
        assert_eq!(frame.len(), 129);
        let key = MacKey::Single(DesKey::from_hex("0723C80DB5F4CD3D").unwrap());
        // MAC block: from the MTI (after length 2, TPDU 5, header 6) up to field 64.
        let mac = cup_ecb_mac(&key, &frame[13..frame.len() - 8]);
        assert_eq!(&mac, b"B3A092AE");
        assert_eq!(&frame[frame.len() - 8..], b"B3A092AE");
    }

    #[test]
    fn one_flipped_bit_changes_the_mac() {
        let frame = hex::decode(SAMPLE_FRAME).unwrap();
        let key = MacKey::Single(DesKey::from_hex("0723C80DB5F4CD3D").unwrap());
        let mut data = frame[13..frame.len() - 8].to_vec();
        data[20] ^= 0x01;
        assert_ne!(&cup_ecb_mac(&key, &data), b"B3A092AE");
    }

    #[test]
    fn sixteen_byte_mak_with_zero_tail_is_single_des() {
        let mut bytes = hex::decode("0723C80DB5F4CD3D").unwrap();
        bytes.extend([0u8; 8]);
        assert!(matches!(
            MacKey::from_bytes(&bytes),
            Some(MacKey::Single(_))
        ));
        assert!(MacKey::from_bytes(&[1, 2, 3]).is_none());
    }
}
