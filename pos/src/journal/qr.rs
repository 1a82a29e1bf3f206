//! QR orders in the journal: a QR payment is a card-less tender whose `out_trade_no` is recorded
//! (pending) before `/micropay` goes out, so a restarted POS can query or reverse it; its outcome
//! (approved, declined, reversed) is the tender's state. Looked up here by order number.

use rusqlite::OptionalExtension;

use super::sale::StoredTender;
use super::{Journal, Result};

impl Journal {
    /// The latest QR tender with order number `out_trade_no`, if any.
    pub fn qr_tender(&self, out_trade_no: &str) -> Result<Option<StoredTender>> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM tenders WHERE kind = 'qr' AND out_trade_no = ?1
                 ORDER BY id DESC LIMIT 1",
                [out_trade_no],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = id else { return Ok(None) };
        let id = u32::try_from(id)
            .map_err(|_| super::JournalError::Corrupt(format!("tender id {id} out of range")))?;
        Ok(self.tenders_where_pub("id = ?1", id)?.pop())
    }

    /// QR tenders still pending (sent, outcome unknown), oldest first.
    pub fn pending_qr_tenders(&self) -> Result<Vec<StoredTender>> {
        Ok(self
            .pending_tenders()?
            .into_iter()
            .filter(|t| t.kind == crate::tender::TenderKind::Qr)
            .collect())
    }
}
