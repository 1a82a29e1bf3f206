//! ISO 9564 format-0 PIN blocks (PROTOCOLS.md §3): `0 L PIN F…F` XOR `0000` + the 12 rightmost
//! PAN digits excluding the check digit.

use super::CryptoError;

/// The 8-byte PAN field: `0000` + the 12 rightmost digits of the PAN before its check digit.
pub fn pan_field(pan: &str) -> Result<[u8; 8], CryptoError> {
    if pan.len() < 13 || !pan.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CryptoError::BadPan);
    }
    let digits = &pan.as_bytes()[pan.len() - 13..pan.len() - 1];
    let mut nibbles = [0u8; 16];
    for (slot, d) in nibbles[4..].iter_mut().zip(digits) {
        *slot = d - b'0';
    }
    Ok(pack(nibbles))
}

/// The clear format-0 block for `pin` and `pan`.
pub fn encode_pin_block(pin: &str, pan: &str) -> Result<[u8; 8], CryptoError> {
    if !(4..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CryptoError::BadPin);
    }
    let mut nibbles = [0x0Fu8; 16];
    nibbles[0] = 0;
    nibbles[1] = pin.len() as u8;
    for (slot, d) in nibbles[2..].iter_mut().zip(pin.bytes()) {
        *slot = d - b'0';
    }
    let pin_field = pack(nibbles);
    let pan_field = pan_field(pan)?;
    Ok(xor(pin_field, pan_field))
}

/// The PIN inside a clear format-0 block, checked for shape.
pub fn decode_pin_block(block: [u8; 8], pan: &str) -> Result<String, CryptoError> {
    let pin_field = xor(block, pan_field(pan)?);
    let nibbles = unpack(pin_field);
    let len = usize::from(nibbles[1]);
    if nibbles[0] != 0 || !(4..=12).contains(&len) {
        return Err(CryptoError::NotFormat0);
    }
    let (digits, fill) = nibbles[2..].split_at(len);
    if digits.iter().any(|d| *d > 9) || fill.iter().any(|f| *f != 0x0F) {
        return Err(CryptoError::NotFormat0);
    }
    Ok(digits.iter().map(|d| char::from(b'0' + d)).collect())
}

fn pack(nibbles: [u8; 16]) -> [u8; 8] {
    let mut out = [0u8; 8];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (nibbles[2 * i] << 4) | nibbles[2 * i + 1];
    }
    out
}

fn unpack(bytes: [u8; 8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = b >> 4;
        out[2 * i + 1] = b & 0x0F;
    }
    out
}

fn xor(a: [u8; 8], b: [u8; 8]) -> [u8; 8] {
    let mut out = a;
    for (o, x) in out.iter_mut().zip(b) {
        *o ^= x;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::TdesKey;
    use proptest::prelude::*;

    /// PROTOCOLS.md §3 vector.
    #[test]
    fn pin_1234_pan_4000001234562000() {
        let block = encode_pin_block("1234", "4000001234562000").unwrap();
        assert_eq!(hex::encode_upper(block), "041234FEDCBA9DFF");
        assert_eq!(decode_pin_block(block, "4000001234562000").unwrap(), "1234");
    }

    #[test]
    fn encrypted_block_round_trips_under_the_pik() {
        let pik = TdesKey::from_hex("807A23AD32B36D457AE91FDF927570EA").unwrap();
        let clear = encode_pin_block("1234", "4000001234562000").unwrap();
        let enc = pik.encrypt_block(clear);
        assert_ne!(enc, clear);
        assert_eq!(pik.decrypt_block(enc), clear);
    }

    #[test]
    fn wrong_pan_does_not_decode_to_the_pin() {
        let block = encode_pin_block("1234", "4000001234562000").unwrap();
        let other = decode_pin_block(block, "6222021234567890128");
        assert_ne!(other, Ok("1234".to_string()));
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert_eq!(
            encode_pin_block("12", "4000001234562000"),
            Err(CryptoError::BadPin)
        );
        assert_eq!(
            encode_pin_block("12a4", "4000001234562000"),
            Err(CryptoError::BadPin)
        );
        assert_eq!(encode_pin_block("1234", "400000"), Err(CryptoError::BadPan));
    }

    proptest! {
        #[test]
        fn any_pin_round_trips(pin in "[0-9]{4,12}", pan in "[0-9]{13,19}") {
            let block = encode_pin_block(&pin, &pan).unwrap();
            prop_assert_eq!(decode_pin_block(block, &pan).unwrap(), pin);
        }

        #[test]
        fn random_blocks_never_panic(block in any::<[u8; 8]>(), pan in "[0-9]{13,19}") {
            let _ = decode_pin_block(block, &pan);
        }
    }
}
