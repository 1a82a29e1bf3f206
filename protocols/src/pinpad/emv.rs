//! The EMV chip data a card reader hands the POS for ISO 8583 field 55, built and read back as
//! BER-TLV, with a deterministic stand-in for the card's ARQC cryptogram.
//!
//! posrig has no issuer key scheme to follow, so the ARQC here is posrig's own: the 3DES CBC-MAC
//! (ISO 9797-1 MAC algorithm 1, padding method 2, zero IV) under the card's key of the
//! concatenated values of 9F02, 9F1A, 95, 5F2A, 9A, 9C, 9F37, 82, 9F36 and 9F10 — the same data
//! elements a real card's CDOL1 usually covers. The simulated card computes it, the simulated
//! issuer recomputes it with [`IccData::verify_arqc`], and a changed amount or a replayed
//! unpredictable number fails the check.

use crate::crypto::TdesKey;

use super::tlv::{decode_all, encode_all, find, Tlv, TlvError};

/// Transaction type (tag 9C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmvTxnType {
    /// `00`.
    Purchase,
    /// `20`.
    Refund,
}

impl EmvTxnType {
    pub fn code(self) -> u8 {
        match self {
            EmvTxnType::Purchase => 0x00,
            EmvTxnType::Refund => 0x20,
        }
    }

    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0x00 => Some(EmvTxnType::Purchase),
            0x20 => Some(EmvTxnType::Refund),
            _ => None,
        }
    }
}

/// A transaction date (tag 9A, `YYMMDD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EmvDate {
    pub year: u8,
    pub month: u8,
    pub day: u8,
}

/// Cryptogram information data for an ARQC (tag 9F27).
pub const CID_ARQC: u8 = 0x80;

/// The inputs to the chip's first GENERATE AC, everything field 55 carries except the outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IccData {
    /// 9F02, n12.
    pub amount_minor: u64,
    /// 5F2A, ISO 4217 numeric (156 for CNY).
    pub currency: u16,
    /// 9F1A, ISO 3166 numeric (156 for China).
    pub country: u16,
    /// 9A.
    pub date: EmvDate,
    /// 9C.
    pub txn_type: EmvTxnType,
    /// 9F37, from the terminal.
    pub unpredictable_number: [u8; 4],
    /// 9F36, application transaction counter.
    pub atc: u16,
    /// 95, terminal verification results.
    pub tvr: [u8; 5],
    /// 82, application interchange profile.
    pub aip: [u8; 2],
    /// 9F10, issuer application data (opaque to the terminal).
    pub iad: Vec<u8>,
}

/// Field 55 as read back by the POS or the issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field55 {
    pub data: IccData,
    /// 9F26.
    pub arqc: [u8; 8],
    /// 9F27.
    pub cid: u8,
}

/// Why field 55 did not read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmvError {
    #[error("read field 55")]
    Tlv(#[from] TlvError),
    #[error("read field 55: tag {tag:04X} missing")]
    Missing { tag: u32 },
    #[error("read field 55: tag {tag:04X} has a bad value")]
    BadValue { tag: u32 },
}

impl IccData {
    /// posrig's ARQC: see the module docs.
    pub fn arqc(&self, card_key: &TdesKey) -> [u8; 8] {
        let mut data = Vec::new();
        data.extend(bcd_n(self.amount_minor, 6));
        data.extend(bcd_n(u64::from(self.country), 2));
        data.extend(self.tvr);
        data.extend(bcd_n(u64::from(self.currency), 2));
        data.extend(self.date_bcd());
        data.push(self.txn_type.code());
        data.extend(self.unpredictable_number);
        data.extend(self.aip);
        data.extend(self.atc.to_be_bytes());
        data.extend(&self.iad);
        // ISO 9797-1 padding method 2: always a 0x80, then zeros to the block size.
        data.push(0x80);
        while data.len() % 8 != 0 {
            data.push(0);
        }
        data.chunks_exact(8).fold([0u8; 8], |mac, chunk| {
            let mut block = mac;
            for (b, d) in block.iter_mut().zip(chunk) {
                *b ^= d;
            }
            card_key.encrypt_block(block)
        })
    }

    /// Whether `arqc` is the one this card key gives for this data.
    pub fn verify_arqc(&self, card_key: &TdesKey, arqc: [u8; 8]) -> bool {
        self.arqc(card_key) == arqc
    }

    /// The data objects for field 55, ARQC included, in the usual CUP order.
    pub fn to_tlvs(&self, card_key: &TdesKey) -> Vec<Tlv> {
        vec![
            Tlv::primitive(0x9F26, self.arqc(card_key)),
            Tlv::primitive(0x9F27, [CID_ARQC]),
            Tlv::primitive(0x9F10, self.iad.clone()),
            Tlv::primitive(0x9F37, self.unpredictable_number),
            Tlv::primitive(0x9F36, self.atc.to_be_bytes()),
            Tlv::primitive(0x95, self.tvr),
            Tlv::primitive(0x9A, self.date_bcd()),
            Tlv::primitive(0x9C, [self.txn_type.code()]),
            Tlv::primitive(0x9F02, bcd_n(self.amount_minor, 6)),
            Tlv::primitive(0x5F2A, bcd_n(u64::from(self.currency), 2)),
            Tlv::primitive(0x82, self.aip),
            Tlv::primitive(0x9F1A, bcd_n(u64::from(self.country), 2)),
        ]
    }

    /// Field 55's bytes.
    pub fn encode_field55(&self, card_key: &TdesKey) -> Vec<u8> {
        encode_all(&self.to_tlvs(card_key))
    }

    fn date_bcd(&self) -> [u8; 3] {
        let b = |n: u8| ((n / 10 % 10) << 4) | (n % 10);
        [b(self.date.year), b(self.date.month), b(self.date.day)]
    }
}

impl Field55 {
    /// Read field 55 back. Extra tags are allowed (real cards send more); the ones
    /// [`IccData`] holds must be present and well formed.
    pub fn parse(bytes: &[u8]) -> Result<Self, EmvError> {
        let tlvs = decode_all(bytes)?;
        let get = |tag: u32| -> Result<&[u8], EmvError> {
            find(&tlvs, tag)
                .and_then(Tlv::bytes)
                .ok_or(EmvError::Missing { tag })
        };
        let fixed = |tag: u32, n: usize| -> Result<&[u8], EmvError> {
            let v = get(tag)?;
            if v.len() == n {
                Ok(v)
            } else {
                Err(EmvError::BadValue { tag })
            }
        };
        let bcd = |tag: u32, n: usize| -> Result<u64, EmvError> {
            from_bcd(fixed(tag, n)?).ok_or(EmvError::BadValue { tag })
        };
        let date = fixed(0x9A, 3)?;
        let date = match date
            .iter()
            .map(|b| from_bcd(&[*b]).map(|n| n as u8))
            .collect::<Option<Vec<u8>>>()
        {
            Some(d) => EmvDate {
                year: d[0],
                month: d[1],
                day: d[2],
            },
            None => return Err(EmvError::BadValue { tag: 0x9A }),
        };
        let data = IccData {
            amount_minor: bcd(0x9F02, 6)?,
            currency: bcd(0x5F2A, 2)? as u16,
            country: bcd(0x9F1A, 2)? as u16,
            date,
            txn_type: EmvTxnType::from_code(fixed(0x9C, 1)?[0])
                .ok_or(EmvError::BadValue { tag: 0x9C })?,
            unpredictable_number: arr(fixed(0x9F37, 4)?),
            atc: u16::from_be_bytes(arr(fixed(0x9F36, 2)?)),
            tvr: arr(fixed(0x95, 5)?),
            aip: arr(fixed(0x82, 2)?),
            iad: get(0x9F10)?.to_vec(),
        };
        Ok(Self {
            data,
            arqc: arr(fixed(0x9F26, 8)?),
            cid: fixed(0x9F27, 1)?[0],
        })
    }
}

fn arr<const N: usize>(v: &[u8]) -> [u8; N] {
    // Callers check the length first through `fixed`.
    v.try_into().expect("length checked by caller")
}

/// `value` as `bytes` bytes of packed BCD, right-aligned; digits beyond the width are dropped.
fn bcd_n(mut value: u64, bytes: usize) -> Vec<u8> {
    let mut out = vec![0u8; bytes];
    for slot in out.iter_mut().rev() {
        let lo = (value % 10) as u8;
        value /= 10;
        let hi = (value % 10) as u8;
        value /= 10;
        *slot = (hi << 4) | lo;
    }
    out
}

fn from_bcd(bytes: &[u8]) -> Option<u64> {
    bytes.iter().try_fold(0u64, |acc, b| {
        let (hi, lo) = (b >> 4, b & 0xF);
        (hi <= 9 && lo <= 9).then(|| acc * 100 + u64::from(hi) * 10 + u64::from(lo))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> IccData {
        IccData {
            amount_minor: 12_50,
            currency: 156,
            country: 156,
            date: EmvDate {
                year: 25,
                month: 3,
                day: 14,
            },
            txn_type: EmvTxnType::Purchase,
            unpredictable_number: [0xDE, 0xAD, 0xBE, 0xEF],
            atc: 0x0042,
            tvr: [0; 5],
            aip: [0x7C, 0x00],
            iad: vec![0x07, 0x01, 0x01, 0x03, 0xA0, 0x00, 0x00],
        }
    }

    fn key() -> TdesKey {
        TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap()
    }

    #[test]
    fn field55_has_the_required_tags_in_their_formats() {
        let bytes = sample().encode_field55(&key());
        let tlvs = decode_all(&bytes).unwrap();
        let hex_of = |t| hex::encode_upper(find(&tlvs, t).unwrap().bytes().unwrap());
        assert_eq!(hex_of(0x9F27), "80");
        assert_eq!(hex_of(0x9C), "00");
        assert_eq!(hex_of(0x9F02), "000000001250");
        assert_eq!(hex_of(0x5F2A), "0156");
        assert_eq!(hex_of(0x9F1A), "0156");
        assert_eq!(hex_of(0x9A), "250314");
        assert_eq!(hex_of(0x9F36), "0042");
        assert_eq!(find(&tlvs, 0x9F26).unwrap().bytes().unwrap().len(), 8);
        for tag in [0x9F10, 0x9F37, 0x95, 0x82] {
            assert!(find(&tlvs, tag).is_some(), "{tag:X}");
        }
    }

    #[test]
    fn refund_is_20() {
        let data = IccData {
            txn_type: EmvTxnType::Refund,
            ..sample()
        };
        let tlvs = data.to_tlvs(&key());
        assert_eq!(find(&tlvs, 0x9C).unwrap().bytes(), Some(&[0x20][..]));
    }

    #[test]
    fn arqc_is_deterministic_and_binds_the_amount() {
        let k = key();
        assert_eq!(sample().arqc(&k), sample().arqc(&k));
        let more = IccData {
            amount_minor: 12_51,
            ..sample()
        };
        assert_ne!(sample().arqc(&k), more.arqc(&k));
        let other_key = TdesKey::from_hex("00112233445566778899AABBCCDDEEFF").unwrap();
        assert_ne!(sample().arqc(&k), sample().arqc(&other_key));
    }

    #[test]
    fn field55_reads_back_and_verifies() {
        let bytes = sample().encode_field55(&key());
        let f = Field55::parse(&bytes).unwrap();
        assert_eq!(f.data, sample());
        assert_eq!(f.cid, CID_ARQC);
        assert!(f.data.verify_arqc(&key(), f.arqc));
    }

    #[test]
    fn missing_and_malformed_tags_are_errors() {
        let mut tlvs = sample().to_tlvs(&key());
        tlvs.retain(|t| t.tag.0 != 0x9F37);
        assert_eq!(
            Field55::parse(&encode_all(&tlvs)),
            Err(EmvError::Missing { tag: 0x9F37 })
        );
        let mut tlvs = sample().to_tlvs(&key());
        tlvs.push(Tlv::primitive(0x9C, [0x31]));
        tlvs.swap(7, 12);
        assert!(Field55::parse(&encode_all(&tlvs)).is_err());
        assert!(matches!(Field55::parse(&[0x9F]), Err(EmvError::Tlv(_))));
    }
}
