//! What the acquirer client needs beyond the sale records: an offline approval committed together
//! with its advice (so no crash can leave one without the other), the context an advice is rebuilt
//! from, and a batch's details for a batch upload (masked PANs only).

use rusqlite::{params, OptionalExtension};

use super::advice::{Advice, AdviceId, RefundOf};
use super::reversal::ReversalId;
use super::sale::{write_event, TenderId};
use super::{exec, Journal, JournalError, Result};
use crate::money::Money;
use crate::tender::{CardTender, MaskedPan};

/// One approved card transaction of a batch, as a batch upload needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchDetail {
    /// 60.1 of the transaction: 22 purchase, 25 refund, 30 offline sale.
    pub txn_type: u8,
    /// Its STAN.
    pub stan: u32,
    /// Masked PAN (the journal has nothing more).
    pub masked_pan: MaskedPan,
    /// Amount.
    pub amount: Money,
}

/// What an advice is rebuilt from besides its queue row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdviceContext {
    /// When the offline sale was approved (`YYYY-MM-DD HH:MM:SS`).
    pub approved_at: String,
    /// The local authorisation code given to it, if its tender is known.
    pub auth_code: Option<String>,
}

impl Journal {
    /// Approves a pending card tender offline and queues its advice, in one transaction; clears
    /// the reversal armed for it, if any.
    pub fn approve_offline(
        &mut self,
        tender: TenderId,
        card: &CardTender,
        advice: &Advice,
        armed: Option<ReversalId>,
    ) -> Result<AdviceId> {
        self.approve_and_queue(tender, card, advice, armed, None)
    }

    fn approve_and_queue(
        &mut self,
        tender: TenderId,
        card: &CardTender,
        advice: &Advice,
        armed: Option<ReversalId>,
        refund_of: Option<&RefundOf>,
    ) -> Result<AdviceId> {
        let refund_of =
            refund_of.map(|r| serde_json::to_string(r).expect("references serialise to JSON"));
        self.write(|tx, ctx| {
            let n = exec(
                tx,
                "UPDATE tenders SET state = 'approved', masked_pan = ?2, entry_mode = ?3,
                     auth_code = ?4, rrn = ?5, stan = ?6, batch = ?7, offline = 1, domestic = ?8,
                     response_code = '00', updated_at = ?9
                 WHERE id = ?1 AND state = 'pending'",
                params![
                    tender.0,
                    card.masked_pan.as_str(),
                    card.entry_mode.as_str(),
                    card.auth_code,
                    card.rrn,
                    card.stan,
                    card.batch,
                    card.domestic,
                    ctx.now
                ],
            )?;
            if n == 0 {
                return Err(JournalError::UnknownTender(tender.0));
            }
            exec(
                tx,
                "INSERT INTO advices (sale_id, tender_id, stan, batch, amount_minor, masked_pan,
                     entry_mode, created_at, refund_of)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    advice.sale_id.0,
                    tender.0,
                    advice.stan,
                    advice.batch,
                    ctx.minor(advice.amount)?,
                    advice.masked_pan.as_str(),
                    advice.entry_mode.as_str(),
                    ctx.now,
                    refund_of
                ],
            )?;
            let id = AdviceId(tx.last_insert_rowid());
            exec(
                tx,
                "UPDATE reversals SET cleared_at = ?3
                 WHERE (id = ?1 OR tender_id = ?2) AND cleared_at IS NULL",
                params![armed.map(|r| r.0), tender.0, ctx.now],
            )?;
            write_event(
                tx,
                ctx,
                Some(advice.sale_id),
                None,
                "tender_approved",
                "card offline",
            )?;
            Ok(id)
        })
    }

    /// Takes an unanswered refund into the store-and-forward queue: the pending refund tender
    /// is approved (as sent, not yet acknowledged) and the refund queued to be sent again
    /// before the next online transaction and before settlement, in one transaction. A refund
    /// is never reversed (PROTOCOLS.md §7); the host deduplicates the resend by its STAN.
    pub fn forward_refund(
        &mut self,
        tender: TenderId,
        card: &CardTender,
        advice: &Advice,
        refund_of: &RefundOf,
    ) -> Result<AdviceId> {
        self.approve_and_queue(tender, card, advice, None, Some(refund_of))
    }

    /// When an advice's sale was approved and with which code.
    pub fn advice_context(&self, id: AdviceId) -> Result<AdviceContext> {
        self.conn
            .query_row(
                "SELECT a.created_at, t.auth_code FROM advices a
                 LEFT JOIN tenders t ON t.id = a.tender_id WHERE a.id = ?1",
                [id.0],
                |r| {
                    Ok(AdviceContext {
                        approved_at: r.get(0)?,
                        auth_code: r.get(1)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| JournalError::Corrupt(format!("no advice {}", id.0)))
    }

    /// Approved card transactions of `batch`, in order, for a batch upload.
    pub fn batch_details(&self, batch: u32) -> Result<Vec<BatchDetail>> {
        let mut stmt = self.conn.prepare(
            "SELECT t.id, t.stan, t.masked_pan, t.amount_minor, t.offline, s.kind
             FROM tenders t JOIN sales s ON s.id = t.sale_id
             WHERE t.kind = 'card' AND t.state = 'approved' AND t.batch = ?1 ORDER BY t.id",
        )?;
        let rows = stmt.query_map([batch], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<u32>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (id, stan, pan, amount, offline, kind) = row?;
            let corrupt = |w: &str| JournalError::Corrupt(format!("tender {id}: {w}"));
            let txn_type = match (kind.as_str(), offline) {
                ("refund", _) => 25,
                (_, true) => 30,
                _ => 22,
            };
            Ok(BatchDetail {
                txn_type,
                stan: stan.ok_or_else(|| corrupt("no STAN"))?,
                masked_pan: pan
                    .as_deref()
                    .map(MaskedPan::parse)
                    .transpose()
                    .map_err(|_| corrupt("masked PAN"))?
                    .ok_or_else(|| corrupt("no PAN"))?,
                amount: self.money(amount),
            })
        })
        .collect()
    }
}

impl Journal {
    /// Marks an approved tender voided and clears the reversal armed for the void, in one
    /// transaction.
    pub fn void_tender(&mut self, tender: TenderId, armed: ReversalId) -> Result<()> {
        self.write(|tx, ctx| {
            let sale: Option<i64> = tx
                .query_row(
                    "SELECT sale_id FROM tenders WHERE id = ?1",
                    [tender.0],
                    |r| r.get(0),
                )
                .optional()?;
            let sale = sale.ok_or(JournalError::UnknownTender(tender.0))?;
            exec(
                tx,
                "UPDATE tenders SET state = 'voided', updated_at = ?2 WHERE id = ?1",
                params![tender.0, ctx.now],
            )?;
            exec(
                tx,
                "UPDATE reversals SET cleared_at = ?2 WHERE id = ?1 AND cleared_at IS NULL",
                params![armed.0, ctx.now],
            )?;
            write_event(
                tx,
                ctx,
                Some(crate::sale::SaleId(sale)),
                None,
                "tender_voided",
                "",
            )
        })
    }
}
