//! Sales in the journal: begin, lines, tenders (pending → approved / declined / reversed),
//! cancellation, and idempotent completion keyed by sale id; plus the queries that rebuild a sale
//! after a restart.

use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::receipt::{insert_receipt, ReceiptId};
use super::{exec, Ctx, Journal, JournalError, Result};
use crate::basket::{BasketDiscount, Line, LineId, Quantity};
use crate::member::MemberOnSale;
use crate::money::Money;
use crate::operator::Operator;
use crate::receipt::ReceiptDoc;
use crate::sale::{Sale, SaleId, SaleKind, SaleState};
use crate::tender::{CardTender, EntryMode, MaskedPan, Tender, TenderDetail, TenderKind};

/// A tender's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TenderId(pub i64);

/// Where a tender is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenderState {
    /// Requested from a host (or a drawer about to open); no answer yet.
    Pending,
    /// Approved and applied to the sale.
    Approved,
    /// Declined by the host.
    Declined,
    /// Reversed after a timeout or a bad response.
    Reversed,
    /// Voided after approval (sale cancelled).
    Voided,
}

impl TenderState {
    fn as_str(self) -> &'static str {
        match self {
            TenderState::Pending => "pending",
            TenderState::Approved => "approved",
            TenderState::Declined => "declined",
            TenderState::Reversed => "reversed",
            TenderState::Voided => "voided",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => TenderState::Pending,
            "approved" => TenderState::Approved,
            "declined" => TenderState::Declined,
            "reversed" => TenderState::Reversed,
            "voided" => TenderState::Voided,
            _ => return Err(JournalError::Corrupt(format!("tender state `{s}`"))),
        })
    }
}

/// A tender about to be requested from a host, recorded before the request goes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingTender {
    /// Card or QR (cash is recorded approved with [`Journal::add_tender`]).
    pub kind: TenderKind,
    /// Amount requested.
    pub amount: Money,
    /// Card: masked PAN.
    pub masked_pan: Option<MaskedPan>,
    /// Card: entry mode.
    pub entry_mode: Option<EntryMode>,
    /// Card: STAN of the request.
    pub stan: Option<u32>,
    /// Card: batch.
    pub batch: Option<u32>,
    /// QR: the order number sent to the wallet host.
    pub out_trade_no: Option<String>,
}

/// A tender as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTender {
    /// Row id.
    pub id: TenderId,
    /// The sale.
    pub sale_id: SaleId,
    /// State.
    pub state: TenderState,
    /// Kind.
    pub kind: TenderKind,
    /// Amount.
    pub amount: Money,
    /// Card: masked PAN.
    pub masked_pan: Option<MaskedPan>,
    /// Card: STAN.
    pub stan: Option<u32>,
    /// QR: order number.
    pub out_trade_no: Option<String>,
    /// Host response code, if answered.
    pub response_code: Option<String>,
    /// The full record once approved.
    pub tender: Option<Tender>,
}

/// A sale's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleSummary {
    /// Id (= receipt number).
    pub id: SaleId,
    /// Sale or refund.
    pub kind: SaleKind,
    /// Last recorded state.
    pub state: SaleState,
    /// Operator number.
    pub operator: String,
    /// When it began.
    pub started_at: String,
    /// Total, once completed.
    pub total: Option<Money>,
}

/// A sale with its lines and tenders, for recovery and reprints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSale {
    /// Header.
    pub summary: SaleSummary,
    /// Receipt refunded, for refunds.
    pub original_receipt: Option<String>,
    /// Member, if attached.
    pub member_id: Option<String>,
    /// The member as on the sale in progress (balance seen, points redeemed), if attached.
    pub member: Option<MemberOnSale>,
    /// Basket discounts of the sale in progress (points redemption included).
    pub basket_discounts: Vec<BasketDiscount>,
    /// Lines in order, voided ones included.
    pub lines: Vec<Line>,
    /// Tenders in order.
    pub tenders: Vec<StoredTender>,
}

/// The result of [`Journal::complete_sale`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// The sale.
    pub sale: SaleId,
    /// Its receipt, to print.
    pub receipt: ReceiptId,
    /// The sale was already completed by an earlier call; nothing was written.
    pub already_completed: bool,
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("journal records serialise to JSON")
}

fn put_line(tx: &Transaction<'_>, sale: SaleId, line: &Line) -> Result<()> {
    let (units, grams) = match line.quantity {
        Quantity::Units(n) => (Some(n), None),
        Quantity::Grams(g) => (None, Some(g)),
    };
    exec(
        tx,
        "INSERT INTO sale_lines (sale_id, line_no, plu, name, tax_class, qty_units, qty_grams,
             unit_price, overridden_from, fixed_amount, promotion, discount, voided)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (sale_id, line_no) DO UPDATE SET
             qty_units = excluded.qty_units, qty_grams = excluded.qty_grams,
             unit_price = excluded.unit_price, overridden_from = excluded.overridden_from,
             fixed_amount = excluded.fixed_amount, discount = excluded.discount,
             voided = excluded.voided",
        params![
            sale.0,
            line.id.0,
            line.plu,
            line.name,
            line.tax_class,
            units,
            grams,
            line.unit_price.to_string(),
            line.overridden_from.map(|m| m.to_string()),
            line.fixed_amount.map(|m| m.to_string()),
            line.promotion.as_ref().map(json),
            line.discount.as_ref().map(json),
            line.voided,
        ],
    )?;
    Ok(())
}

fn sale_state(tx: &Transaction<'_>, sale: SaleId) -> Result<SaleState> {
    let state: Option<String> = tx
        .query_row("SELECT state FROM sales WHERE id = ?1", [sale.0], |r| {
            r.get(0)
        })
        .optional()?;
    let state = state.ok_or(JournalError::UnknownSale(sale))?;
    SaleState::parse(&state).ok_or_else(|| JournalError::Corrupt(format!("sale state `{state}`")))
}

pub(super) fn write_event(
    tx: &Transaction<'_>,
    ctx: &Ctx<'_>,
    sale: Option<SaleId>,
    operator: Option<&str>,
    kind: &str,
    detail: &str,
) -> Result<()> {
    exec(
        tx,
        "INSERT INTO events (at, sale_id, operator, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![ctx.now, sale.map(|s| s.0), operator, kind, detail],
    )?;
    Ok(())
}

fn write_tender_detail(
    tx: &Transaction<'_>,
    ctx: &Ctx<'_>,
    id: i64,
    tender: &Tender,
) -> Result<()> {
    let amount = ctx.minor(tender.amount)?;
    match &tender.detail {
        TenderDetail::Cash(c) => {
            exec(
                tx,
                "UPDATE tenders SET state = 'approved', amount_minor = ?2, tendered_minor = ?3,
                     change_minor = ?4, updated_at = ?5 WHERE id = ?1",
                params![
                    id,
                    amount,
                    ctx.minor(c.tendered)?,
                    ctx.minor(c.change)?,
                    ctx.now
                ],
            )?;
        }
        TenderDetail::Card(c) => {
            exec(
                tx,
                "UPDATE tenders SET state = 'approved', amount_minor = ?2, masked_pan = ?3,
                     entry_mode = ?4, auth_code = ?5, rrn = ?6, stan = ?7, batch = ?8,
                     offline = ?9, domestic = ?10, response_code = '00', updated_at = ?11
                 WHERE id = ?1",
                params![
                    id,
                    amount,
                    c.masked_pan.as_str(),
                    c.entry_mode.as_str(),
                    c.auth_code,
                    c.rrn,
                    c.stan,
                    c.batch,
                    c.offline,
                    c.domestic,
                    ctx.now
                ],
            )?;
        }
        TenderDetail::Qr(q) => {
            exec(
                tx,
                "UPDATE tenders SET state = 'approved', amount_minor = ?2, out_trade_no = ?3,
                     transaction_id = ?4, updated_at = ?5 WHERE id = ?1",
                params![id, amount, q.out_trade_no, q.transaction_id, ctx.now],
            )?;
        }
    }
    // A valid answer makes the reversal armed for this request unnecessary.
    exec(
        tx,
        "UPDATE reversals SET cleared_at = ?2 WHERE tender_id = ?1 AND cleared_at IS NULL",
        params![id, ctx.now],
    )?;
    Ok(())
}

const TENDER_COLUMNS: &str = "id, sale_id, state, kind, amount_minor, tendered_minor, change_minor,
    masked_pan, entry_mode, auth_code, rrn, stan, batch, offline, domestic, out_trade_no,
    transaction_id, response_code";

impl Journal {
    /// Starts a sale for `operator`; its id is also its receipt number.
    pub fn begin_sale(&mut self, operator: &Operator) -> Result<SaleId> {
        self.write(|tx, ctx| {
            exec(
                tx,
                "INSERT INTO sales (kind, state, operator, started_at) VALUES ('sale', 'idle', ?1, ?2)",
                params![operator.number, ctx.now],
            )?;
            let id = SaleId(tx.last_insert_rowid());
            write_event(tx, ctx, Some(id), Some(&operator.number), "sale_begun", "")?;
            Ok(id)
        })
    }

    /// Records the sale's header: state, kind, member, refund reference, and approvals given so
    /// far (each approval once, in the audit trail).
    pub fn update_sale(&mut self, sale: &Sale) -> Result<()> {
        self.write(|tx, ctx| {
            sale_state(tx, sale.id())?;
            exec(
                tx,
                "UPDATE sales SET kind = ?2, state = ?3, original_receipt = ?4, member_id = ?5,
                     member_json = ?6, basket_discounts = ?7
                 WHERE id = ?1 AND state <> 'completed'",
                params![
                    sale.id().0,
                    sale.kind().as_str(),
                    sale.state().as_str(),
                    sale.original_receipt(),
                    sale.member().map(|m| m.id.as_str()),
                    sale.member().map(json),
                    json(&sale.basket().discounts())
                ],
            )?;
            write_approvals(tx, ctx, sale)
        })
    }

    /// Records a new line.
    pub fn add_line(&mut self, sale: SaleId, line: &Line) -> Result<()> {
        self.write(|tx, ctx| {
            sale_state(tx, sale)?;
            put_line(tx, sale, line)?;
            write_event(
                tx,
                ctx,
                Some(sale),
                None,
                "line_added",
                &format!("{} {}", line.id.0, line.plu),
            )
        })
    }

    /// Records a changed line (quantity, override, discount, void).
    pub fn update_line(&mut self, sale: SaleId, line: &Line) -> Result<()> {
        self.write(|tx, ctx| {
            sale_state(tx, sale)?;
            put_line(tx, sale, line)?;
            if line.voided {
                write_event(
                    tx,
                    ctx,
                    Some(sale),
                    None,
                    "line_voided",
                    &line.id.0.to_string(),
                )?;
            }
            Ok(())
        })
    }

    /// Records a tender requested from a host, before the request is sent.
    pub fn record_tender_pending(
        &mut self,
        sale: SaleId,
        pending: &PendingTender,
    ) -> Result<TenderId> {
        self.write(|tx, ctx| {
            sale_state(tx, sale)?;
            exec(
                tx,
                "INSERT INTO tenders (sale_id, kind, state, amount_minor, masked_pan, entry_mode,
                     stan, batch, out_trade_no, created_at, updated_at)
                 VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                params![
                    sale.0,
                    pending.kind.as_str(),
                    ctx.minor(pending.amount)?,
                    pending.masked_pan.as_ref().map(MaskedPan::as_str),
                    pending.entry_mode.map(EntryMode::as_str),
                    pending.stan,
                    pending.batch,
                    pending.out_trade_no,
                    ctx.now
                ],
            )?;
            Ok(TenderId(tx.last_insert_rowid()))
        })
    }

    /// Gives a pending card tender recorded by the terminal its STAN and batch, in the same
    /// commit as the STAN is taken, before the request that carries them is built.
    pub fn assign_tender_stan(&mut self, id: TenderId) -> Result<(u32, u32)> {
        self.write(|tx, ctx| {
            let stan = super::counters::bump_in(tx, "stan")?;
            let batch: u32 =
                tx.query_row("SELECT value FROM counters WHERE name = 'batch'", [], |r| {
                    r.get(0)
                })?;
            let n = exec(
                tx,
                "UPDATE tenders SET stan = ?2, batch = ?3, updated_at = ?4
                 WHERE id = ?1 AND state = 'pending'",
                params![id.0, stan, batch, ctx.now],
            )?;
            if n == 0 {
                return Err(JournalError::UnknownTender(id.0));
            }
            Ok((stan, batch))
        })
    }

    /// Marks a pending tender approved with its full record, and clears its armed reversal, in
    /// one transaction.
    pub fn approve_tender(&mut self, id: TenderId, tender: &Tender) -> Result<()> {
        self.write(|tx, ctx| {
            let sale: Option<i64> = tx
                .query_row("SELECT sale_id FROM tenders WHERE id = ?1", [id.0], |r| {
                    r.get(0)
                })
                .optional()?;
            let sale = sale.ok_or(JournalError::UnknownTender(id.0))?;
            write_tender_detail(tx, ctx, id.0, tender)?;
            write_event(
                tx,
                ctx,
                Some(SaleId(sale)),
                None,
                "tender_approved",
                tender.kind().as_str(),
            )
        })
    }

    /// Records an approved tender directly (cash before the drawer opens).
    pub fn add_tender(&mut self, sale: SaleId, tender: &Tender) -> Result<TenderId> {
        self.write(|tx, ctx| {
            sale_state(tx, sale)?;
            exec(
                tx,
                "INSERT INTO tenders (sale_id, kind, state, amount_minor, created_at, updated_at)
                 VALUES (?1, ?2, 'pending', ?3, ?4, ?4)",
                params![
                    sale.0,
                    tender.kind().as_str(),
                    ctx.minor(tender.amount)?,
                    ctx.now
                ],
            )?;
            let id = tx.last_insert_rowid();
            write_tender_detail(tx, ctx, id, tender)?;
            write_event(
                tx,
                ctx,
                Some(sale),
                None,
                "tender_approved",
                tender.kind().as_str(),
            )?;
            Ok(TenderId(id))
        })
    }

    /// Marks a pending tender declined with the host's response code and clears its reversal.
    pub fn decline_tender(&mut self, id: TenderId, response_code: &str) -> Result<()> {
        self.finish_tender(id, TenderState::Declined, Some(response_code), true)
    }

    /// Marks a tender reversed (after its reversal was acknowledged).
    pub fn mark_tender_reversed(&mut self, id: TenderId) -> Result<()> {
        self.finish_tender(id, TenderState::Reversed, None, false)
    }

    /// Marks an approved tender voided.
    pub fn mark_tender_voided(&mut self, id: TenderId) -> Result<()> {
        self.finish_tender(id, TenderState::Voided, None, false)
    }

    fn finish_tender(
        &mut self,
        id: TenderId,
        state: TenderState,
        code: Option<&str>,
        clear: bool,
    ) -> Result<()> {
        self.write(|tx, ctx| {
            let n = exec(
                tx,
                "UPDATE tenders SET state = ?2, response_code = COALESCE(?3, response_code),
                     updated_at = ?4 WHERE id = ?1",
                params![id.0, state.as_str(), code, ctx.now],
            )?;
            if n == 0 {
                return Err(JournalError::UnknownTender(id.0));
            }
            if clear {
                exec(
                tx,
                    "UPDATE reversals SET cleared_at = ?2 WHERE tender_id = ?1 AND cleared_at IS NULL",
                    params![id.0, ctx.now],
                )?;
            }
            let sale: i64 = tx.query_row("SELECT sale_id FROM tenders WHERE id = ?1", [id.0], |r| r.get(0))?;
            write_event(tx, ctx, Some(SaleId(sale)), None, &format!("tender_{}", state.as_str()), code.unwrap_or(""))
        })
    }

    /// Cancels a sale.
    pub fn cancel_sale(&mut self, sale: SaleId) -> Result<()> {
        self.write(|tx, ctx| {
            if sale_state(tx, sale)? == SaleState::Completed {
                return Err(JournalError::Corrupt(format!(
                    "cancel completed sale {sale}"
                )));
            }
            exec(
                tx,
                "UPDATE sales SET state = 'cancelled', completed_at = ?2 WHERE id = ?1",
                params![sale.0, ctx.now],
            )?;
            write_event(tx, ctx, Some(sale), None, "sale_cancelled", "")
        })
    }

    /// Completes a sale in one transaction: totals, final lines, discounts, tax breakdown,
    /// member point movements, and the receipt to print (state pending). Idempotent: a sale
    /// already completed is left as it is and its receipt returned.
    pub fn complete_sale(&mut self, sale: &Sale, receipt: &ReceiptDoc) -> Result<Completion> {
        let id = sale.id();
        self.write(|tx, ctx| {
            if sale_state(tx, id)? == SaleState::Completed {
                let receipt: i64 = tx.query_row(
                    "SELECT id FROM receipts WHERE sale_id = ?1 ORDER BY id LIMIT 1",
                    [id.0],
                    |r| r.get(0),
                )?;
                return Ok(Completion { sale: id, receipt: ReceiptId(receipt), already_completed: true });
            }
            if sale.state() != SaleState::Completed {
                return Err(JournalError::NotCompleted(id));
            }
            let totals = sale.totals();
            let needed = totals.total + sale.rounding();
            let paid: i64 = tx.query_row(
                "SELECT COALESCE(SUM(amount_minor), 0) FROM tenders WHERE sale_id = ?1 AND state = 'approved'",
                [id.0],
                |r| r.get(0),
            )?;
            if paid != ctx.minor(needed)? {
                return Err(JournalError::TendersMismatch {
                    sale: id,
                    journal: ctx.currency.from_minor(paid),
                    needed,
                });
            }
            exec(
                tx,
                "UPDATE sales SET kind = ?2, state = 'completed', completed_at = ?3,
                     original_receipt = ?4, member_id = ?5, subtotal_minor = ?6,
                     savings_minor = ?7, tax_minor = ?8, total_minor = ?9, rounding_minor = ?10,
                     item_count = ?11
                 WHERE id = ?1",
                params![
                    id.0,
                    sale.kind().as_str(),
                    ctx.now,
                    sale.original_receipt(),
                    sale.member().map(|m| m.id.as_str()),
                    ctx.minor(totals.subtotal)?,
                    ctx.minor(totals.savings())?,
                    ctx.minor(totals.tax)?,
                    ctx.minor(totals.total)?,
                    ctx.minor(sale.rounding())?,
                    totals.item_count
                ],
            )?;
            for line in sale.basket().lines() {
                put_line(tx, id, line)?;
                if let Some(p) = totals.line(line.id) {
                    exec(
                tx,
                        "UPDATE sale_lines SET net_minor = ?3, tax_minor = ?4 WHERE sale_id = ?1 AND line_no = ?2",
                        params![id.0, line.id.0, ctx.minor(p.net)?, p.tax.map(|t| ctx.minor(t)).transpose()?],
                    )?;
                }
            }
            for (seq, (label, amount)) in totals.basket_discounts.iter().enumerate() {
                exec(
                tx,
                    "INSERT INTO sale_discounts (sale_id, seq, label, amount_minor) VALUES (?1, ?2, ?3, ?4)",
                    params![id.0, seq, label, ctx.minor(*amount)?],
                )?;
            }
            for b in &totals.tax_breakdown {
                exec(
                tx,
                    "INSERT INTO sale_taxes (sale_id, code, name, rate, net_minor, tax_minor, gross_minor)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![id.0, b.code, b.name, b.rate.to_string(), ctx.minor(b.net)?, ctx.minor(b.tax)?, ctx.minor(b.gross)?],
                )?;
            }
            if let Some(m) = sale.member() {
                for (reason, delta) in [("redeem", -m.redeemed), ("earn", m.earned)] {
                    if delta != 0 {
                        exec(
                tx,
                            "INSERT OR IGNORE INTO member_points (member_id, sale_id, reason, delta, at)
                             VALUES (?1, ?2, ?3, ?4, ?5)",
                            params![m.id, id.0, reason, delta, ctx.now],
                        )?;
                    }
                }
            }
            write_approvals(tx, ctx, sale)?;
            let receipt = insert_receipt(tx, ctx, Some(id), receipt)?;
            write_event(tx, ctx, Some(id), Some(&sale.operator().number), "sale_completed", &totals.total.to_string())?;
            Ok(Completion { sale: id, receipt, already_completed: false })
        })
    }

    /// Sales neither completed nor cancelled, oldest first.
    pub fn in_progress_sales(&self) -> Result<Vec<SaleSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, kind, state, operator, started_at, total_minor FROM sales
             WHERE state NOT IN ('completed', 'cancelled') ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| self.summary_row(r))?;
        rows.map(|r| r?).collect()
    }

    /// Completed sales and refunds, in order.
    pub fn completed_sales(&self) -> Result<Vec<SaleSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, kind, state, operator, started_at, total_minor FROM sales
             WHERE state = 'completed' ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| self.summary_row(r))?;
        rows.map(|r| r?).collect()
    }

    fn summary_row(&self, r: &Row<'_>) -> rusqlite::Result<Result<SaleSummary>> {
        let kind: String = r.get(1)?;
        let state: String = r.get(2)?;
        let total: Option<i64> = r.get(5)?;
        let id = SaleId(r.get(0)?);
        let operator = r.get(3)?;
        let started_at = r.get(4)?;
        Ok((|| {
            Ok(SaleSummary {
                id,
                kind: match kind.as_str() {
                    "sale" => SaleKind::Sale,
                    "refund" => SaleKind::Refund,
                    _ => return Err(JournalError::Corrupt(format!("sale kind `{kind}`"))),
                },
                state: SaleState::parse(&state)
                    .ok_or_else(|| JournalError::Corrupt(format!("sale state `{state}`")))?,
                operator,
                started_at,
                total: total.map(|m| self.money(m)),
            })
        })())
    }

    /// Tenders still pending (requested, not answered), oldest first.
    pub fn pending_tenders(&self) -> Result<Vec<StoredTender>> {
        self.tenders_where("state = 'pending'", rusqlite::params![])
    }

    pub(super) fn tenders_where_pub(&self, filter: &str, arg: u32) -> Result<Vec<StoredTender>> {
        self.tenders_where(filter, rusqlite::params![arg])
    }

    fn tenders_where(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<StoredTender>> {
        let sql = format!("SELECT {TENDER_COLUMNS} FROM tenders WHERE {filter} ORDER BY id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(args, |r| Ok(self.tender_row(r)))?;
        rows.map(|r| r?).collect()
    }

    fn tender_row(&self, r: &Row<'_>) -> Result<StoredTender> {
        let kind: String = r.get(3)?;
        let kind = TenderKind::parse(&kind)
            .ok_or_else(|| JournalError::Corrupt(format!("tender kind `{kind}`")))?;
        let state = TenderState::parse(&r.get::<_, String>(2)?)?;
        let amount = self.money(r.get(4)?);
        let masked_pan = r
            .get::<_, Option<String>>(7)?
            .map(|s| MaskedPan::parse(&s).map_err(|e| JournalError::Corrupt(e.to_string())))
            .transpose()?;
        let entry_mode: Option<String> = r.get(8)?;
        let stan: Option<u32> = r.get(11)?;
        let out_trade_no: Option<String> = r.get(15)?;
        let tender = if matches!(state, TenderState::Approved | TenderState::Voided) {
            Some(match kind {
                TenderKind::Cash => Tender::cash(
                    amount,
                    self.money(r.get::<_, Option<i64>>(5)?.unwrap_or_default()),
                    self.money(r.get::<_, Option<i64>>(6)?.unwrap_or_default()),
                ),
                TenderKind::Card => Tender::card(
                    amount,
                    CardTender {
                        masked_pan: masked_pan.clone().ok_or_else(|| {
                            JournalError::Corrupt("card tender without PAN".into())
                        })?,
                        entry_mode: entry_mode
                            .as_deref()
                            .and_then(EntryMode::parse)
                            .ok_or_else(|| {
                                JournalError::Corrupt("card tender entry mode".into())
                            })?,
                        auth_code: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                        rrn: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                        stan: stan.unwrap_or_default(),
                        batch: r.get::<_, Option<u32>>(12)?.unwrap_or_default(),
                        offline: r.get(13)?,
                        domestic: r.get(14)?,
                    },
                ),
                TenderKind::Qr => Tender::qr(
                    amount,
                    out_trade_no.as_deref().unwrap_or_default(),
                    &r.get::<_, Option<String>>(16)?.unwrap_or_default(),
                ),
            })
        } else {
            None
        };
        Ok(StoredTender {
            id: TenderId(r.get(0)?),
            sale_id: SaleId(r.get(1)?),
            state,
            kind,
            amount,
            masked_pan,
            stan,
            out_trade_no,
            response_code: r.get(17)?,
            tender,
        })
    }

    /// A sale with its lines and tenders.
    pub fn load_sale(&self, id: SaleId) -> Result<StoredSale> {
        let header = self
            .conn
            .query_row(
                "SELECT id, kind, state, operator, started_at, total_minor, original_receipt, member_id,
                     member_json, basket_discounts
                 FROM sales WHERE id = ?1",
                [id.0],
                |r| {
                    Ok((
                        self.summary_row(r)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, Option<String>>(7)?,
                        r.get::<_, Option<String>>(8)?,
                        r.get::<_, Option<String>>(9)?,
                    ))
                },
            )
            .optional()?
            .ok_or(JournalError::UnknownSale(id))?;
        let mut stmt = self.conn.prepare(
            "SELECT line_no, plu, name, tax_class, qty_units, qty_grams, unit_price, overridden_from,
                 fixed_amount, promotion, discount, voided
             FROM sale_lines WHERE sale_id = ?1 ORDER BY line_no",
        )?;
        let lines = stmt
            .query_map([id.0], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<u32>>(4)?,
                    r.get::<_, Option<u32>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, bool>(11)?,
                ))
            })?
            .map(|row| {
                let (
                    no,
                    plu,
                    name,
                    tax_class,
                    units,
                    grams,
                    price,
                    over,
                    fixed,
                    promo,
                    disc,
                    voided,
                ) = row?;
                let corrupt =
                    |what: &str| JournalError::Corrupt(format!("sale {id} line {no}: {what}"));
                let money = |s: &str| s.parse::<Money>().map_err(|_| corrupt("amount"));
                Ok(Line {
                    id: LineId(no),
                    plu,
                    name,
                    tax_class,
                    quantity: match (units, grams) {
                        (Some(n), _) => Quantity::Units(n),
                        (None, Some(g)) => Quantity::Grams(g),
                        (None, None) => return Err(corrupt("quantity")),
                    },
                    unit_price: money(&price)?,
                    overridden_from: over.as_deref().map(money).transpose()?,
                    fixed_amount: fixed.as_deref().map(money).transpose()?,
                    promotion: promo
                        .map(|p| serde_json::from_str(&p).map_err(|_| corrupt("promotion")))
                        .transpose()?,
                    discount: disc
                        .map(|d| serde_json::from_str(&d).map_err(|_| corrupt("discount")))
                        .transpose()?,
                    voided,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let tenders = self.tenders_where("sale_id = ?1", rusqlite::params![id.0])?;
        let corrupt = |what: &str| JournalError::Corrupt(format!("sale {id}: {what}"));
        let member = header
            .3
            .map(|m| serde_json::from_str(&m).map_err(|_| corrupt("member")))
            .transpose()?;
        let basket_discounts = header
            .4
            .map(|d| serde_json::from_str(&d).map_err(|_| corrupt("basket discounts")))
            .transpose()?
            .unwrap_or_default();
        Ok(StoredSale {
            summary: header.0?,
            original_receipt: header.1,
            member_id: header.2,
            member,
            basket_discounts,
            lines,
            tenders,
        })
    }
}

fn write_approvals(tx: &Transaction<'_>, ctx: &Ctx<'_>, sale: &Sale) -> Result<()> {
    let recorded: i64 = tx.query_row(
        "SELECT COUNT(*) FROM events WHERE sale_id = ?1 AND kind = 'approval'",
        [sale.id().0],
        |r| r.get(0),
    )?;
    for a in sale.approvals().iter().skip(recorded as usize) {
        write_event(
            tx,
            ctx,
            Some(sale.id()),
            Some(&a.supervisor),
            "approval",
            a.action.as_str(),
        )?;
    }
    Ok(())
}
