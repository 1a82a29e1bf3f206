//! End of day: settlement with the acquirer (the batch's card totals from the journal, the
//! host's balanced / uploaded result recorded, the batch closed, a slip printed) and the X and
//! Z reports from the journal's day totals.

use super::input::SettleOutcome;
use super::{Command, Phase, TerminalCore};
use crate::clock::DateTime;
use crate::config::StoreInfo;
use crate::journal::{BatchTotals, KindTotals};
use crate::receipt::render::header;
use crate::receipt::{render_x_report, render_z_report, DocKind, ReceiptDoc};

/// The settlement slip.
pub(super) fn render_settlement(
    store: &StoreInfo,
    terminal_id: &str,
    totals: &BatchTotals,
    result: &str,
    at: DateTime,
) -> ReceiptDoc {
    let mut d = ReceiptDoc::new(DocKind::Settlement);
    header(&mut d, store);
    d.title("SETTLEMENT");
    d.pair(format!("Terminal {terminal_id}"), at.to_string());
    d.pair("Batch", format!("{:06}", totals.batch));
    d.rule();
    let mut row = |label: &str, k: KindTotals| {
        d.pair(format!("{label} ({})", k.count), k.amount.to_string());
    };
    row("Domestic sales", totals.domestic.debit);
    row("Domestic refunds", totals.domestic.credit);
    row("Foreign sales", totals.foreign.debit);
    row("Foreign refunds", totals.foreign.credit);
    d.rule();
    d.big_pair("RESULT", result);
    d.feed(1).cut();
    d
}

impl TerminalCore {
    pub(super) fn settle_key(&mut self) {
        if self.sale.is_some() {
            return self.say("FINISH SALE FIRST", "");
        }
        let r = self.journal.current_batch();
        let Some(batch) = self.ok(r) else {
            return;
        };
        let r = self.journal.batch_totals(batch);
        let Some(totals) = self.ok(r) else {
            return;
        };
        self.out.push(Command::HostSettle { totals });
        self.phase = Phase::Settling { totals };
    }

    pub(super) fn on_settle(&mut self, outcome: SettleOutcome) {
        let Phase::Settling { totals } = std::mem::replace(&mut self.phase, Phase::Ready) else {
            tracing::warn!(
                ?outcome,
                "settlement outcome with no settlement in flight; ignored"
            );
            return;
        };
        let (result, slip) = match &outcome {
            SettleOutcome::Balanced => ("balanced", "BALANCED"),
            SettleOutcome::Uploaded => ("not_balanced", "UPLOADED"),
            SettleOutcome::Failed { .. } => ("error", "FAILED"),
        };
        let r = self.journal.record_settlement(&totals, result);
        let Some(id) = self.ok(r) else {
            return;
        };
        if let SettleOutcome::Failed { code } = outcome {
            let why = code.map_or("NO RESPONSE".to_string(), |c| c.message().to_uppercase());
            return self.say("SETTLE FAILED", why);
        }
        if outcome == SettleOutcome::Uploaded {
            let r = self.journal.mark_settlement_uploaded(id);
            if self.ok(r).is_none() {
                return;
            }
        }
        let r = self.journal.close_batch();
        if self.ok(r).is_none() {
            return;
        }
        let doc = render_settlement(
            &self.config.store,
            &self.settings.terminal_id,
            &totals,
            slip,
            self.clock.now(),
        );
        self.print(doc);
        let line1 = match outcome {
            SettleOutcome::Uploaded => "BATCH UPLOADED",
            _ => "SETTLED",
        };
        self.say(line1, format!("BATCH {:06}", totals.batch));
    }

    pub(super) fn report_key(&mut self, z: bool) {
        if self.sale.is_some() {
            return self.say("FINISH SALE FIRST", "");
        }
        let r = if z {
            self.journal.close_day()
        } else {
            self.journal.day_totals()
        };
        let Some(totals) = self.ok(r) else {
            return;
        };
        let (store, tid, at) = (
            &self.config.store,
            &self.settings.terminal_id,
            self.clock.now(),
        );
        let doc = if z {
            render_z_report(store, tid, &totals, at)
        } else {
            render_x_report(store, tid, &totals, at)
        };
        self.print(doc);
        match totals.z_no {
            Some(z_no) => self.say("Z REPORT", format!("Z No. {z_no:04}")),
            None => self.say("X REPORT", "PRINTING"),
        }
    }
}
