//! The audit trail: every operator-visible event (logins, approvals, voids, cancels, drawer
//! opens, tenders, completions) with time, sale and operator.

use super::{Journal, Result};
use crate::sale::SaleId;

/// One audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Row id (order of events).
    pub id: i64,
    /// When.
    pub at: String,
    /// The sale, if any.
    pub sale_id: Option<SaleId>,
    /// The operator (or approving supervisor), if known.
    pub operator: Option<String>,
    /// What happened, e.g. `approval`, `no_sale`, `login`.
    pub kind: String,
    /// Details.
    pub detail: String,
}

impl Journal {
    /// Records an event not tied to another journal operation (login, logout, no-sale drawer
    /// open, device faults).
    pub fn log_event(
        &mut self,
        sale: Option<SaleId>,
        operator: Option<&str>,
        kind: &str,
        detail: &str,
    ) -> Result<()> {
        self.write(|tx, ctx| super::sale::write_event(tx, ctx, sale, operator, kind, detail))
    }

    /// All events, in order.
    pub fn events(&self) -> Result<Vec<Event>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, at, sale_id, operator, kind, detail FROM events ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(Event {
                id: r.get(0)?,
                at: r.get(1)?,
                sale_id: r.get::<_, Option<i64>>(2)?.map(SaleId),
                operator: r.get(3)?,
                kind: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
