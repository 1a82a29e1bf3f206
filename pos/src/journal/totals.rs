//! Totals from the journal: the day's figures for X and Z reports (a Z closes the day), and a
//! batch's card totals for settlement (ISO 8583 field 48) with the settlement record.

use rusqlite::{params, Connection};

use super::sale::StoredTender;
use super::{exec, Journal, Result};
use crate::money::{Currency, Money};
use crate::tender::TenderKind;

/// Count and amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindTotals {
    /// Number of transactions.
    pub count: u32,
    /// Their amount.
    pub amount: Money,
}

/// One tender kind's day totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenderTotals {
    /// The kind.
    pub kind: TenderKind,
    /// Taken in sales.
    pub sales: KindTotals,
    /// Paid out in refunds.
    pub refunds: KindTotals,
}

impl TenderTotals {
    /// Sales minus refunds.
    pub fn net(&self) -> Money {
        self.sales.amount - self.refunds.amount
    }
}

/// The figures of an X or Z report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayTotals {
    /// Z number, for a Z report.
    pub z_no: Option<u32>,
    /// Completed sales.
    pub sales: KindTotals,
    /// Completed refunds.
    pub refunds: KindTotals,
    /// Sales voided (撤销) by receipt number; they are not in `sales`, tax, savings, rounding
    /// or the tender totals.
    pub voided: KindTotals,
    /// Cancelled transactions.
    pub cancelled: u32,
    /// Voided lines.
    pub line_voids: u32,
    /// No-sale drawer opens.
    pub no_sales: u32,
    /// Discounts and promotions given (sales).
    pub savings: Money,
    /// Cash rounding (sales minus refunds).
    pub rounding: Money,
    /// Tax collected per class (code, tax), sales minus refunds, in code order.
    pub tax: Vec<(String, Money)>,
    /// Per tender kind, in kind order (cash, card, qr); kinds never used are left out.
    pub by_tender: Vec<TenderTotals>,
}

impl DayTotals {
    /// Sales minus refunds.
    pub fn net(&self) -> Money {
        self.sales.amount - self.refunds.amount
    }
}

/// Card totals of one kind of card for settlement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardTotals {
    /// Sales (debits to the card).
    pub debit: KindTotals,
    /// Refunds (credits to the card).
    pub credit: KindTotals,
}

/// A batch's card totals, split domestic / foreign as field 48 wants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchTotals {
    /// Batch number.
    pub batch: u32,
    /// Domestic cards.
    pub domestic: CardTotals,
    /// Foreign cards.
    pub foreign: CardTotals,
}

/// A stored settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Row id.
    pub id: i64,
    /// The totals sent.
    pub totals: BatchTotals,
    /// Host result: `balanced`, `not_balanced`, `error`.
    pub result: String,
    /// Batch upload done.
    pub uploaded: bool,
}

const OPEN_DAY: &str = "z_no IS NULL AND state IN ('completed', 'cancelled')";

/// A sale that still counts: not voided (one being voided still does until the host says so).
const NOT_VOIDED: &str = "COALESCE(void_state, '') <> 'voided'";

fn kind_totals(conn: &Connection, cur: &Currency, kind: &str, voided: bool) -> Result<KindTotals> {
    let void_filter = if voided {
        "void_state = 'voided'".to_string()
    } else {
        NOT_VOIDED.to_string()
    };
    let (count, minor): (u32, i64) = conn.query_row(
        &format!("SELECT COUNT(*), COALESCE(SUM(total_minor), 0) FROM sales WHERE {OPEN_DAY} AND state = 'completed' AND kind = ?1 AND {void_filter}"),
        [kind],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(KindTotals {
        count,
        amount: cur.from_minor(minor),
    })
}

fn day_totals_on(conn: &Connection, cur: &Currency) -> Result<DayTotals> {
    let sales = kind_totals(conn, cur, "sale", false)?;
    let refunds = kind_totals(conn, cur, "refund", false)?;
    let voided = kind_totals(conn, cur, "sale", true)?;
    let one = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let cancelled = one(&format!(
        "SELECT COUNT(*) FROM sales WHERE {OPEN_DAY} AND state = 'cancelled'"
    ))?;
    let line_voids = one(&format!(
        "SELECT COUNT(*) FROM sale_lines WHERE voided = 1 AND sale_id IN (SELECT id FROM sales WHERE {OPEN_DAY})"
    ))?;
    let no_sales = one("SELECT COUNT(*) FROM events WHERE kind = 'no_sale'
         AND id > COALESCE((SELECT MAX(id) FROM events WHERE kind = 'z_closed'), 0)")?;
    let savings = one(&format!("SELECT COALESCE(SUM(savings_minor), 0) FROM sales WHERE {OPEN_DAY} AND state = 'completed' AND kind = 'sale' AND {NOT_VOIDED}"))?;
    let rounding = one(&format!(
        "SELECT COALESCE(SUM(CASE kind WHEN 'refund' THEN -rounding_minor ELSE rounding_minor END), 0)
         FROM sales WHERE {OPEN_DAY} AND state = 'completed' AND {NOT_VOIDED}"
    ))?;
    let mut stmt = conn.prepare(
        &format!(
            "SELECT t.code, SUM(CASE s.kind WHEN 'refund' THEN -t.tax_minor ELSE t.tax_minor END)
         FROM sale_taxes t JOIN sales s ON s.id = t.sale_id
         WHERE s.{OPEN_DAY} AND s.state = 'completed' AND COALESCE(s.void_state, '') <> 'voided'
         GROUP BY t.code ORDER BY t.code"
        )
        .replace("s.z_no IS NULL AND state", "s.z_no IS NULL AND s.state"),
    )?;
    let tax = stmt
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, cur.from_minor(r.get(1)?)))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut by_tender = Vec::new();
    for kind in [TenderKind::Cash, TenderKind::Card, TenderKind::Qr] {
        let mut per = TenderTotals {
            kind,
            sales: KindTotals::default(),
            refunds: KindTotals::default(),
        };
        for (sale_kind, slot) in [("sale", &mut per.sales), ("refund", &mut per.refunds)] {
            let (count, minor): (u32, i64) = conn.query_row(
                "SELECT COUNT(*), COALESCE(SUM(t.amount_minor), 0) FROM tenders t JOIN sales s ON s.id = t.sale_id
                 WHERE s.z_no IS NULL AND s.state = 'completed' AND s.kind = ?1 AND t.kind = ?2 AND t.state = 'approved'",
                params![sale_kind, kind.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            *slot = KindTotals {
                count,
                amount: cur.from_minor(minor),
            };
        }
        if per.sales.count + per.refunds.count > 0 {
            by_tender.push(per);
        }
    }
    Ok(DayTotals {
        z_no: None,
        sales,
        refunds,
        voided,
        cancelled: cancelled as u32,
        line_voids: line_voids as u32,
        no_sales: no_sales as u32,
        savings: cur.from_minor(savings),
        rounding: cur.from_minor(rounding),
        tax,
        by_tender,
    })
}

impl Journal {
    /// The open day's totals (X report); nothing changes.
    pub fn day_totals(&self) -> Result<DayTotals> {
        day_totals_on(&self.conn, &self.currency)
    }

    /// Closes the day (Z report): numbers it, marks its sales, and returns its totals, in one
    /// transaction. Sales still in progress stay in the next day.
    pub fn close_day(&mut self) -> Result<DayTotals> {
        self.write(|tx, ctx| {
            let mut totals = day_totals_on(tx, ctx.currency)?;
            let z_no: u32 = tx.query_row(
                "SELECT value + 1 FROM counters WHERE name = 'z_no'",
                [],
                |r| r.get(0),
            )?;
            exec(
                tx,
                "UPDATE counters SET value = ?1 WHERE name = 'z_no'",
                [z_no],
            )?;
            exec(
                tx,
                &format!("UPDATE sales SET z_no = ?1 WHERE {OPEN_DAY}"),
                [z_no],
            )?;
            exec(
                tx,
                "INSERT INTO z_reports (z_no, at, sale_count, total_minor) VALUES (?1, ?2, ?3, ?4)",
                params![
                    z_no,
                    ctx.now,
                    totals.sales.count + totals.refunds.count,
                    ctx.minor(totals.net())?
                ],
            )?;
            super::sale::write_event(tx, ctx, None, None, "z_closed", &z_no.to_string())?;
            totals.z_no = Some(z_no);
            Ok(totals)
        })
    }

    /// Card totals of approved tenders in `batch`, for settlement.
    pub fn batch_totals(&self, batch: u32) -> Result<BatchTotals> {
        let mut out = BatchTotals {
            batch,
            ..BatchTotals::default()
        };
        let mut stmt = self.conn.prepare(
            "SELECT t.domestic, s.kind, COUNT(*), SUM(t.amount_minor) FROM tenders t JOIN sales s ON s.id = t.sale_id
             WHERE t.kind = 'card' AND t.state = 'approved' AND t.batch = ?1
             GROUP BY t.domestic, s.kind ORDER BY t.domestic, s.kind",
        )?;
        let rows = stmt.query_map([batch], |r| {
            Ok((
                r.get::<_, bool>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (domestic, kind, count, minor) = row?;
            let cards = if domestic {
                &mut out.domestic
            } else {
                &mut out.foreign
            };
            let slot = if kind == "refund" {
                &mut cards.credit
            } else {
                &mut cards.debit
            };
            *slot = KindTotals {
                count,
                amount: self.money(minor),
            };
        }
        Ok(out)
    }

    /// Approved card tenders of `batch` in order, for a batch upload.
    pub fn batch_card_tenders(&self, batch: u32) -> Result<Vec<StoredTender>> {
        self.tenders_where_pub("kind = 'card' AND state = 'approved' AND batch = ?1", batch)
    }

    /// Records a settlement and the host's result.
    pub fn record_settlement(&mut self, totals: &BatchTotals, result: &str) -> Result<i64> {
        self.write(|tx, ctx| {
            exec(
                tx,
                "INSERT INTO settlements (batch, at, debit_count, debit_minor, credit_count, credit_minor,
                     foreign_debit_count, foreign_debit_minor, foreign_credit_count, foreign_credit_minor, result)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    totals.batch,
                    ctx.now,
                    totals.domestic.debit.count,
                    ctx.minor(totals.domestic.debit.amount)?,
                    totals.domestic.credit.count,
                    ctx.minor(totals.domestic.credit.amount)?,
                    totals.foreign.debit.count,
                    ctx.minor(totals.foreign.debit.amount)?,
                    totals.foreign.credit.count,
                    ctx.minor(totals.foreign.credit.amount)?,
                    result
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Marks a settlement's batch upload done.
    pub fn mark_settlement_uploaded(&mut self, id: i64) -> Result<()> {
        self.write(|tx, _| {
            exec(
                tx,
                "UPDATE settlements SET uploaded = 1 WHERE id = ?1",
                [id],
            )?;
            Ok(())
        })
    }

    /// Settlements in order.
    pub fn settlements(&self) -> Result<Vec<Settlement>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, batch, debit_count, debit_minor, credit_count, credit_minor, foreign_debit_count,
                 foreign_debit_minor, foreign_credit_count, foreign_credit_minor, result, uploaded
             FROM settlements ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let kt = |c: usize, m: usize| -> rusqlite::Result<KindTotals> {
                Ok(KindTotals {
                    count: r.get(c)?,
                    amount: self.money(r.get(m)?),
                })
            };
            Ok(Settlement {
                id: r.get(0)?,
                totals: BatchTotals {
                    batch: r.get(1)?,
                    domestic: CardTotals {
                        debit: kt(2, 3)?,
                        credit: kt(4, 5)?,
                    },
                    foreign: CardTotals {
                        debit: kt(6, 7)?,
                        credit: kt(8, 9)?,
                    },
                },
                result: r.get(10)?,
                uploaded: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
