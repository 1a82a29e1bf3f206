//! The store-and-forward queue: card sales approved offline under the floor limit, kept until
//! the host has the advice (sent before the next online transaction and before settlement).

use rusqlite::params;

use super::sale::TenderId;
use super::{exec, Journal, JournalError, Result};
use crate::money::Money;
use crate::sale::SaleId;
use crate::tender::{EntryMode, MaskedPan};

/// An advice's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AdviceId(pub i64);

/// An offline approval to advise the host of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    /// The sale.
    pub sale_id: SaleId,
    /// The tender approved offline.
    pub tender_id: Option<TenderId>,
    /// STAN given to the offline transaction.
    pub stan: u32,
    /// Batch.
    pub batch: u32,
    /// Amount.
    pub amount: Money,
    /// Masked PAN.
    pub masked_pan: MaskedPan,
    /// Entry mode.
    pub entry_mode: EntryMode,
}

/// The original card payment an unanswered refund refers to (field 61 and field 37 of the
/// refund message); references only, no card data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefundOf {
    /// Field 37 of the original.
    pub rrn: String,
    /// Field 38 of the original, if any.
    pub auth_code: Option<String>,
    /// Batch of the original.
    pub batch: u32,
    /// STAN of the original.
    pub stan: u32,
}

/// An advice waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedAdvice {
    /// Row id.
    pub id: AdviceId,
    /// The advice.
    pub advice: Advice,
    /// Tries so far.
    pub tries: u32,
    /// For an unanswered refund sent again: its original; `None` for an offline sale.
    pub refund_of: Option<RefundOf>,
}

impl Journal {
    /// Queues an advice (commit before the sale is reported approved).
    pub fn queue_advice(&mut self, a: &Advice) -> Result<AdviceId> {
        self.write(|tx, ctx| {
            exec(
                tx,
                "INSERT INTO advices (sale_id, tender_id, stan, batch, amount_minor, masked_pan,
                     entry_mode, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    a.sale_id.0,
                    a.tender_id.map(|t| t.0),
                    a.stan,
                    a.batch,
                    ctx.minor(a.amount)?,
                    a.masked_pan.as_str(),
                    a.entry_mode.as_str(),
                    ctx.now
                ],
            )?;
            Ok(AdviceId(tx.last_insert_rowid()))
        })
    }

    /// Counts a try at sending an advice.
    pub fn note_advice_try(&mut self, id: AdviceId) -> Result<()> {
        self.write(|tx, _| {
            if exec(
                tx,
                "UPDATE advices SET tries = tries + 1 WHERE id = ?1",
                [id.0],
            )? == 0
            {
                return Err(JournalError::Corrupt(format!("no advice {}", id.0)));
            }
            Ok(())
        })
    }

    /// The host acknowledged an advice.
    pub fn mark_advice_sent(&mut self, id: AdviceId) -> Result<()> {
        self.write(|tx, ctx| {
            if exec(
                tx,
                "UPDATE advices SET sent_at = ?2 WHERE id = ?1",
                params![id.0, ctx.now],
            )? == 0
            {
                return Err(JournalError::Corrupt(format!("no advice {}", id.0)));
            }
            Ok(())
        })
    }

    /// Advices not yet acknowledged, oldest first.
    pub fn queued_advices(&self) -> Result<Vec<QueuedAdvice>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, sale_id, tender_id, stan, batch, amount_minor, masked_pan, entry_mode, tries,
                 refund_of
             FROM advices WHERE sent_at IS NULL ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, u32>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })?;
        rows.map(|row| {
            let (id, sale, tender, stan, batch, amount, pan, entry, tries, refund_of) = row?;
            let corrupt = |w: &str| JournalError::Corrupt(format!("advice {id}: {w}"));
            Ok(QueuedAdvice {
                id: AdviceId(id),
                advice: Advice {
                    sale_id: SaleId(sale),
                    tender_id: tender.map(TenderId),
                    stan,
                    batch,
                    amount: self.money(amount),
                    masked_pan: MaskedPan::parse(&pan).map_err(|_| corrupt("masked PAN"))?,
                    entry_mode: EntryMode::parse(&entry).ok_or_else(|| corrupt("entry mode"))?,
                },
                tries,
                refund_of: refund_of
                    .map(|r| serde_json::from_str(&r).map_err(|_| corrupt("refund original")))
                    .transpose()?,
            })
        })
        .collect()
    }
}
