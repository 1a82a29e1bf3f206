//! Chip data (field 55) — the issuer's ARQC check on purchases.
//!
//! The card's chip computes posrig's ARQC (`posrig_protocols::pinpad::emv`) under its ICC key
//! (`data::Card::icc_key`); the host recomputes it over the data field 55 carries and also checks
//! that this data describes the request: 9F02 must equal field 4 and 9C must be a purchase (`00`).
//!
//! - Field 55 present (any entry mode): it must read back as BER-TLV with every tag the ARQC
//!   covers (else `30`, format error), carry an ARQC (9F27 `80`), describe the request and verify
//!   under the card's key (else `05`, do not honour).
//! - Field 55 absent on a chip or contactless read (field 22 starting `05` or `07`): `05` — the
//!   issuer cannot authenticate the card, and a chip read without chip data is how a cloned
//!   magnetic stripe presented as a chip card looks.
//! - Field 55 absent on any other entry mode (swipe `02`, fallback `80`, manual `01`): nothing to
//!   check.

use posrig_protocols::iso8583::{Message, ResponseCode};
use posrig_protocols::pinpad::emv::CID_ARQC;
use posrig_protocols::pinpad::{EmvTxnType, Field55};

use crate::acquirer::cards::CardAccount;

/// Whether field 22 says the card was read from its chip (contact `05`, contactless `07`).
fn chip_read(msg: &Message) -> bool {
    msg.entry_mode()
        .is_some_and(|mode| mode.starts_with("05") || mode.starts_with("07"))
}

/// Checks a purchase's chip data against `card`; `Err` is the decline and why.
pub(crate) fn check_purchase_arqc(
    card: &CardAccount,
    msg: &Message,
    amount_minor: u64,
) -> Result<(), (ResponseCode, String)> {
    let Some(bytes) = msg.icc_data() else {
        if chip_read(msg) {
            return Err((
                ResponseCode::DoNotHonour,
                format!("card {}: chip read without field 55", card.name),
            ));
        }
        return Ok(());
    };
    let f55 = Field55::parse(bytes).map_err(|e| (ResponseCode::FormatError, e.to_string()))?;
    let decline = |why: &str| {
        Err((
            ResponseCode::DoNotHonour,
            format!("card {}: {why}", card.name),
        ))
    };
    if f55.cid != CID_ARQC {
        return decline("chip did not ask to go online (9F27 is not an ARQC)");
    }
    if f55.data.amount_minor != amount_minor {
        return decline("chip amount 9F02 differs from field 4");
    }
    if f55.data.txn_type != EmvTxnType::Purchase {
        return decline("chip transaction type 9C is not a purchase");
    }
    if !f55.data.verify_arqc(card.icc_key(), f55.arqc) {
        return decline("ARQC does not verify");
    }
    Ok(())
}
