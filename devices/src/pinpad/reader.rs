//! Reading a test card: the `C0` message a chip, swipe, fallback or tap read produces, with the
//! field-55 chip data computed under the card's own ICC key.

use posrig_protocols::pinpad::{
    CardEntry, EmvDate, EmvTxnType, Expiry, IccData, PadMessage, Track2, TxnKind,
};
use posrig_sim::data::Card;
use sha2::{Digest, Sha256};

/// The transaction a read belongs to (from `S0`) and the terminal values the chip data needs.
#[derive(Debug, Clone, Copy)]
pub struct ReadContext {
    pub amount_minor: u64,
    pub currency: u16,
    pub kind: TxnKind,
    pub country: u16,
    pub date: EmvDate,
    /// The card's application transaction counter for this read.
    pub atc: u16,
    /// How many transactions this pad has started, to vary the unpredictable number.
    pub txn_number: u64,
}

/// A card-file entry the reader cannot put on the wire (only possible for card files that were
/// built by hand instead of loaded and checked).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("read card `{card}`: its {what} cannot be encoded")]
pub struct ReadError {
    pub card: String,
    pub what: &'static str,
}

/// The `C0` for reading `card` by `entry`. Chip and tap reads carry field 55; swipe and fallback
/// reads carry none.
pub fn read_card(
    card: &Card,
    entry: CardEntry,
    ctx: &ReadContext,
) -> Result<PadMessage, ReadError> {
    let bad = |what| ReadError {
        card: card.name.clone(),
        what,
    };
    let track2 = Track2::parse(&card.track2()).map_err(|_| bad("track 2"))?;
    let expiry = Expiry::parse(&card.expiry).ok_or_else(|| bad("expiry"))?;
    let icc_tlv = match entry {
        CardEntry::Chip | CardEntry::Tap => icc_data(card, ctx).encode_field55(&card.icc_key()),
        CardEntry::Swipe | CardEntry::Fallback => Vec::new(),
    };
    Ok(PadMessage::Card {
        entry,
        track2,
        expiry,
        icc_tlv,
    })
}

/// The inputs of the chip's first GENERATE AC.
pub fn icc_data(card: &Card, ctx: &ReadContext) -> IccData {
    IccData {
        amount_minor: ctx.amount_minor,
        currency: ctx.currency,
        country: ctx.country,
        date: ctx.date,
        // A void reverses a purchase and is sent as one; only a refund has its own 9C.
        txn_type: match ctx.kind {
            TxnKind::Refund => EmvTxnType::Refund,
            TxnKind::Sale | TxnKind::Void => EmvTxnType::Purchase,
        },
        unpredictable_number: unpredictable_number(card, ctx),
        atc: ctx.atc,
        tvr: [0; 5],
        // SDA and DDA supported, cardholder verification supported, terminal risk management
        // to be performed: the profile of an ordinary debit card.
        aip: [0x7C, 0x00],
        iad: vec![0x07, 0x01, 0x01, 0x03, 0xA0, 0x00, 0x00],
    }
}

/// 9F37 without randomness: a hash of the card, its counter and the pad's transaction number,
/// so runs repeat byte for byte and no two reads of one card share a number.
fn unpredictable_number(card: &Card, ctx: &ReadContext) -> [u8; 4] {
    let digest = Sha256::new()
        .chain_update(b"posrig-un")
        .chain_update(card.pan.as_bytes())
        .chain_update(ctx.atc.to_be_bytes())
        .chain_update(ctx.txn_number.to_be_bytes())
        .chain_update(ctx.amount_minor.to_be_bytes())
        .finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_protocols::pinpad::Field55;

    fn card() -> Card {
        serde_yaml::from_str(
            "{name: chip-ok, pan: '6222021000000000017', expiry: '2812', service_code: '201', \
             pin: '1234', entry: [chip, swipe, tap], balance: '5000.00'}",
        )
        .unwrap()
    }

    fn ctx(kind: TxnKind) -> ReadContext {
        ReadContext {
            amount_minor: 1250,
            currency: 156,
            kind,
            country: 156,
            date: EmvDate {
                year: 25,
                month: 6,
                day: 1,
            },
            atc: 7,
            txn_number: 1,
        }
    }

    #[test]
    fn chip_read_carries_an_arqc_that_verifies_under_the_card_key() {
        let card = card();
        let PadMessage::Card {
            entry,
            track2,
            icc_tlv,
            ..
        } = read_card(&card, CardEntry::Chip, &ctx(TxnKind::Refund)).unwrap()
        else {
            panic!("a C0")
        };
        assert_eq!(entry, CardEntry::Chip);
        assert_eq!(track2.pan.as_str(), card.pan);
        let f55 = Field55::parse(&icc_tlv).unwrap();
        assert_eq!(f55.data.amount_minor, 1250);
        assert_eq!(f55.data.txn_type, EmvTxnType::Refund);
        assert_eq!(f55.data.atc, 7);
        assert!(f55.data.verify_arqc(&card.icc_key(), f55.arqc));
    }

    #[test]
    fn swipe_and_fallback_carry_no_chip_data() {
        for entry in [CardEntry::Swipe, CardEntry::Fallback] {
            let PadMessage::Card { icc_tlv, .. } =
                read_card(&card(), entry, &ctx(TxnKind::Sale)).unwrap()
            else {
                panic!("a C0")
            };
            assert!(icc_tlv.is_empty());
        }
    }

    #[test]
    fn unpredictable_numbers_differ_between_transactions() {
        let a = icc_data(&card(), &ctx(TxnKind::Sale));
        let b = icc_data(
            &card(),
            &ReadContext {
                txn_number: 2,
                ..ctx(TxnKind::Sale)
            },
        );
        assert_ne!(a.unpredictable_number, b.unpredictable_number);
    }
}
