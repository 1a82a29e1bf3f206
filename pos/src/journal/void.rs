//! Voids (撤销) of completed sales by their receipt number: the sale is marked `voiding` before
//! the host is asked (the host client arms the void's reversal in its own commit), `voided` with
//! its void slip once done — its tenders voided, so it leaves the sale totals of the day and of
//! the batch — or back to not voided when the host refuses or does not answer (an unanswered
//! void is reversed before the next online transaction, PROTOCOLS.md §7).

use rusqlite::{params, OptionalExtension};

use super::receipt::{insert_receipt, ReceiptId};
use super::sale::write_event;
use super::{exec, Journal, JournalError, Result};
use crate::receipt::ReceiptDoc;
use crate::sale::SaleId;

/// Where a sale is in being voided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoidState {
    /// Never voided (or a void that did not happen).
    None,
    /// The void is with the host; the sale still counts as sold.
    Voiding,
    /// Voided: out of the sale totals, its tenders voided.
    Voided,
}

/// What decides whether a sale may be voided, besides its kind and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoidStatus {
    /// Its void state.
    pub state: VoidState,
    /// The day it belongs to was closed by a Z report.
    pub day_closed: bool,
}

impl Journal {
    /// The void state of `sale`, and whether its day is closed.
    pub fn void_status(&self, sale: SaleId) -> Result<VoidStatus> {
        let row: Option<(Option<String>, Option<u32>)> = self
            .conn
            .query_row(
                "SELECT void_state, z_no FROM sales WHERE id = ?1",
                [sale.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (state, z_no) = row.ok_or(JournalError::UnknownSale(sale))?;
        let state = match state.as_deref() {
            None => VoidState::None,
            Some("voiding") => VoidState::Voiding,
            Some("voided") => VoidState::Voided,
            Some(other) => {
                return Err(JournalError::Corrupt(format!(
                    "sale {sale}: void state `{other}`"
                )))
            }
        };
        Ok(VoidStatus {
            state,
            day_closed: z_no.is_some(),
        })
    }

    /// Sales left `voiding` (a restart during a void), oldest first.
    pub fn voids_in_progress(&self) -> Result<Vec<SaleId>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM sales WHERE void_state = 'voiding' ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok(SaleId(r.get(0)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Marks a completed sale `voiding`, approved by `approver` (audited; `None` when a
    /// supervisor is logged in); commit this before the void goes to the host or the drawer.
    pub fn begin_void(
        &mut self,
        sale: SaleId,
        operator: &str,
        approver: Option<&str>,
    ) -> Result<()> {
        self.write(|tx, ctx| {
            let n = exec(
                tx,
                "UPDATE sales SET void_state = 'voiding'
                 WHERE id = ?1 AND state = 'completed' AND kind = 'sale'
                     AND COALESCE(void_state, '') <> 'voided'",
                [sale.0],
            )?;
            if n == 0 {
                return Err(JournalError::Corrupt(format!(
                    "void sale {sale}: not voidable"
                )));
            }
            if let Some(approver) = approver {
                write_event(tx, ctx, Some(sale), Some(approver), "approval", "void_sale")?;
            }
            write_event(tx, ctx, Some(sale), Some(operator), "void_begun", "")
        })
    }

    /// The void did not happen (refused, or unanswered and to be reversed): the sale is back to
    /// not voided, with the reason in the audit trail.
    pub fn abandon_void(&mut self, sale: SaleId, reason: &str) -> Result<()> {
        self.write(|tx, ctx| {
            exec(
                tx,
                "UPDATE sales SET void_state = NULL WHERE id = ?1 AND void_state = 'voiding'",
                [sale.0],
            )?;
            write_event(tx, ctx, Some(sale), None, "void_abandoned", reason)
        })
    }

    /// Completes a void in one transaction: the sale `voided`, every tender still approved
    /// (cash paid back from the drawer; the card tender the host client voided already) marked
    /// voided, and the void slip stored to print. Returns the slip.
    pub fn complete_void(&mut self, sale: SaleId, slip: &ReceiptDoc) -> Result<ReceiptId> {
        self.write(|tx, ctx| {
            let n = exec(
                tx,
                "UPDATE sales SET void_state = 'voided', voided_at = ?2
                 WHERE id = ?1 AND state = 'completed' AND kind = 'sale'
                     AND COALESCE(void_state, '') <> 'voided'",
                params![sale.0, ctx.now],
            )?;
            if n == 0 {
                return Err(JournalError::Corrupt(format!(
                    "void sale {sale}: not voidable"
                )));
            }
            exec(
                tx,
                "UPDATE tenders SET state = 'voided', updated_at = ?2
                 WHERE sale_id = ?1 AND state = 'approved'",
                params![sale.0, ctx.now],
            )?;
            let receipt = insert_receipt(tx, ctx, Some(sale), slip)?;
            write_event(tx, ctx, Some(sale), None, "sale_voided", "")?;
            Ok(receipt)
        })
    }
}
