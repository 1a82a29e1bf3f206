//! Receipts and reports in the journal: the rendered document and its print state
//! (pending → printing → done), so an interrupted print is found and reprinted after a restart.

use rusqlite::{params, OptionalExtension, Transaction};

use super::{exec, Ctx, Journal, JournalError, Result};
use crate::receipt::ReceiptDoc;
use crate::sale::SaleId;

/// A stored document's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReceiptId(pub i64);

/// Where printing a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintState {
    /// Not started.
    Pending,
    /// Started, not confirmed finished (paper out, crash…).
    Printing,
    /// Cut and confirmed.
    Done,
}

impl PrintState {
    fn as_str(self) -> &'static str {
        match self {
            PrintState::Pending => "pending",
            PrintState::Printing => "printing",
            PrintState::Done => "done",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => PrintState::Pending,
            "printing" => PrintState::Printing,
            "done" => PrintState::Done,
            _ => return Err(JournalError::Corrupt(format!("print state `{s}`"))),
        })
    }
}

/// A stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReceipt {
    /// Row id.
    pub id: ReceiptId,
    /// The sale, for sale and refund receipts.
    pub sale_id: Option<SaleId>,
    /// Print state.
    pub state: PrintState,
    /// Times printed to the end (reprints included).
    pub prints: u32,
    /// The document.
    pub doc: ReceiptDoc,
}

pub(super) fn insert_receipt(
    tx: &Transaction<'_>,
    ctx: &Ctx<'_>,
    sale: Option<SaleId>,
    doc: &ReceiptDoc,
) -> Result<ReceiptId> {
    let body = serde_json::to_string(doc).expect("receipt documents serialise to JSON");
    exec(
        tx,
        "INSERT INTO receipts (sale_id, doc_kind, body, text, state, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
        params![
            sale.map(|s| s.0),
            doc.kind.as_str(),
            body,
            doc.to_text(),
            ctx.now
        ],
    )?;
    Ok(ReceiptId(tx.last_insert_rowid()))
}

const COLUMNS: &str = "id, sale_id, state, prints, body";

impl Journal {
    /// Stores a document not tied to a sale completion (reports, settlement slips), pending.
    pub fn store_document(&mut self, doc: &ReceiptDoc) -> Result<ReceiptId> {
        self.write(|tx, ctx| insert_receipt(tx, ctx, None, doc))
    }

    fn set_print_state(&mut self, id: ReceiptId, state: PrintState) -> Result<()> {
        self.write(|tx, ctx| {
            let done = i64::from(state == PrintState::Done);
            let n = exec(
                tx,
                "UPDATE receipts SET state = ?2, prints = prints + ?3, updated_at = ?4 WHERE id = ?1",
                params![id.0, state.as_str(), done, ctx.now],
            )?;
            if n == 0 {
                return Err(JournalError::Corrupt(format!("no receipt {}", id.0)));
            }
            Ok(())
        })
    }

    /// Printing started (commit before the first byte goes to the printer).
    pub fn mark_receipt_printing(&mut self, id: ReceiptId) -> Result<()> {
        self.set_print_state(id, PrintState::Printing)
    }

    /// Printing finished (after the cut is confirmed).
    pub fn mark_receipt_done(&mut self, id: ReceiptId) -> Result<()> {
        self.set_print_state(id, PrintState::Done)
    }

    /// Documents not printed to the end, oldest first.
    pub fn unfinished_receipts(&self) -> Result<Vec<StoredReceipt>> {
        self.receipts_where("state <> 'done'", params![])
    }

    /// A stored document.
    pub fn receipt(&self, id: ReceiptId) -> Result<StoredReceipt> {
        self.receipts_where("id = ?1", params![id.0])?
            .pop()
            .ok_or_else(|| JournalError::Corrupt(format!("no receipt {}", id.0)))
    }

    /// The receipt of a completed sale, for a reprint.
    pub fn receipt_for_sale(&self, sale: SaleId) -> Result<Option<StoredReceipt>> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM receipts WHERE sale_id = ?1 ORDER BY id LIMIT 1",
                [sale.0],
                |r| r.get(0),
            )
            .optional()?;
        id.map(|id| self.receipt(ReceiptId(id))).transpose()
    }

    fn receipts_where(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<StoredReceipt>> {
        let sql = format!("SELECT {COLUMNS} FROM receipts WHERE {filter} ORDER BY id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(args, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (id, sale, state, prints, body) = row?;
            Ok(StoredReceipt {
                id: ReceiptId(id),
                sale_id: sale.map(SaleId),
                state: PrintState::parse(&state)?,
                prints,
                doc: serde_json::from_str(&body)
                    .map_err(|e| JournalError::Corrupt(format!("receipt {id}: {e}")))?,
            })
        })
        .collect()
    }
}
