//! Pending reversals: a record armed before an authorisation request goes out, given a reason
//! (`98` timeout, `A0` bad MAC) when the answer does not come or cannot be trusted, cleared when
//! a valid answer or the reversal's acknowledgement arrives. Records hold no full PAN: the host
//! matches a reversal by terminal, STAN, batch and amount.

use rusqlite::params;

use super::sale::TenderId;
use super::{exec, Journal, JournalError, Result};
use crate::money::Money;
use crate::sale::SaleId;
use crate::tender::{EntryMode, MaskedPan};

/// A reversal's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReversalId(pub i64);

/// What is reversed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReversalKind {
    /// An ISO 8583 0400 for a card request.
    Card,
    /// A QR-pay `/reverse` for an order.
    Qr,
}

/// A reversal to arm before sending a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reversal {
    /// The sale, if any.
    pub sale_id: Option<SaleId>,
    /// The pending tender it protects, if any.
    pub tender_id: Option<TenderId>,
    /// Card or QR.
    pub kind: ReversalKind,
    /// Original MTI (`0200`).
    pub mti: Option<String>,
    /// Original processing code.
    pub processing_code: Option<String>,
    /// Original STAN.
    pub stan: Option<u32>,
    /// Original batch.
    pub batch: Option<u32>,
    /// Original amount.
    pub amount: Money,
    /// Card: masked PAN (for the journal and receipts only).
    pub masked_pan: Option<MaskedPan>,
    /// Card: entry mode.
    pub entry_mode: Option<EntryMode>,
    /// QR: order number.
    pub out_trade_no: Option<String>,
}

/// A reversal not yet cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingReversal {
    /// Row id.
    pub id: ReversalId,
    /// The record.
    pub reversal: Reversal,
    /// `98`, `A0`, or `None` if the request's outcome is still unknown (armed, or the terminal
    /// stopped before the answer; after a restart treat as `98`).
    pub reason: Option<String>,
    /// Tries so far.
    pub tries: u32,
}

impl Journal {
    /// Arms a reversal; commit this before the request is sent.
    pub fn write_reversal(&mut self, r: &Reversal) -> Result<ReversalId> {
        self.write(|tx, ctx| {
            exec(
                tx,
                "INSERT INTO reversals (sale_id, tender_id, kind, mti, processing_code, stan, batch,
                     amount_minor, masked_pan, entry_mode, out_trade_no, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    r.sale_id.map(|s| s.0),
                    r.tender_id.map(|t| t.0),
                    match r.kind {
                        ReversalKind::Card => "card",
                        ReversalKind::Qr => "qr",
                    },
                    r.mti,
                    r.processing_code,
                    r.stan,
                    r.batch,
                    ctx.minor(r.amount)?,
                    r.masked_pan.as_ref().map(MaskedPan::as_str),
                    r.entry_mode.map(EntryMode::as_str),
                    r.out_trade_no,
                    ctx.now
                ],
            )?;
            Ok(ReversalId(tx.last_insert_rowid()))
        })
    }

    /// Gives a reversal its reason (`98` on timeout, `A0` on a bad response MAC).
    pub fn set_reversal_reason(&mut self, id: ReversalId, reason: &str) -> Result<()> {
        self.update_reversal(
            id,
            "UPDATE reversals SET reason = ?2 WHERE id = ?1",
            Some(reason),
        )
    }

    /// Counts a try at sending a reversal.
    pub fn note_reversal_try(&mut self, id: ReversalId) -> Result<()> {
        self.update_reversal(
            id,
            "UPDATE reversals SET tries = tries + 1 WHERE id = ?1",
            None,
        )
    }

    /// Clears a reversal (its request was answered validly, or the reversal was acknowledged).
    pub fn clear_reversal(&mut self, id: ReversalId) -> Result<()> {
        self.write(|tx, ctx| {
            let n = exec(
                tx,
                "UPDATE reversals SET cleared_at = ?2 WHERE id = ?1 AND cleared_at IS NULL",
                params![id.0, ctx.now],
            )?;
            if n == 0 {
                let exists: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM reversals WHERE id = ?1",
                    [id.0],
                    |r| r.get(0),
                )?;
                if exists == 0 {
                    return Err(JournalError::Corrupt(format!("no reversal {}", id.0)));
                }
            }
            super::sale::write_event(tx, ctx, None, None, "reversal_cleared", &id.0.to_string())
        })
    }

    fn update_reversal(&mut self, id: ReversalId, sql: &str, arg: Option<&str>) -> Result<()> {
        self.write(|tx, _| {
            let n = match arg {
                Some(a) => exec(tx, sql, params![id.0, a])?,
                None => exec(tx, sql, params![id.0])?,
            };
            if n == 0 {
                return Err(JournalError::Corrupt(format!("no reversal {}", id.0)));
            }
            Ok(())
        })
    }

    /// Reversals not cleared, oldest first: send these before the next online transaction.
    pub fn pending_reversals(&self) -> Result<Vec<PendingReversal>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, sale_id, tender_id, kind, mti, processing_code, stan, batch, amount_minor,
                 masked_pan, entry_mode, out_trade_no, reason, tries
             FROM reversals WHERE cleared_at IS NULL ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<u32>>(6)?,
                r.get::<_, Option<u32>>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
                r.get::<_, Option<String>>(11)?,
                r.get::<_, Option<String>>(12)?,
                r.get::<_, u32>(13)?,
            ))
        })?;
        rows.map(|row| {
            let (
                id,
                sale,
                tender,
                kind,
                mti,
                pc,
                stan,
                batch,
                amount,
                pan,
                entry,
                otn,
                reason,
                tries,
            ) = row?;
            let corrupt = |w: &str| JournalError::Corrupt(format!("reversal {id}: {w}"));
            Ok(PendingReversal {
                id: ReversalId(id),
                reversal: Reversal {
                    sale_id: sale.map(SaleId),
                    tender_id: tender.map(TenderId),
                    kind: match kind.as_str() {
                        "card" => ReversalKind::Card,
                        "qr" => ReversalKind::Qr,
                        _ => return Err(corrupt("kind")),
                    },
                    mti,
                    processing_code: pc,
                    stan,
                    batch,
                    amount: self.money(amount),
                    masked_pan: pan
                        .map(|p| MaskedPan::parse(&p).map_err(|_| corrupt("masked PAN")))
                        .transpose()?,
                    entry_mode: entry
                        .map(|e| EntryMode::parse(&e).ok_or_else(|| corrupt("entry mode")))
                        .transpose()?,
                    out_trade_no: otn,
                },
                reason,
                tries,
            })
        })
        .collect()
    }
}
