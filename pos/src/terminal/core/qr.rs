//! The QR wallet tender: `QR` asks for the customer's payment code, a scanned wallet code
//! becomes a micropay request with a unique order number (recorded pending first), and only
//! the QR client's `Success` counts as paid.

use posrig_protocols::scanner::classify_payment_code;

use super::command::QrPayRequest;
use super::input::QrOutcome;
use super::{Command, Phase, TerminalCore};
use crate::journal::PendingTender;
use crate::sale::SaleKind;
use crate::tender::{Tender, TenderKind};

impl TerminalCore {
    pub(super) fn qr_key(&mut self) {
        if self
            .sale
            .as_ref()
            .is_some_and(|s| s.kind() == SaleKind::Refund)
        {
            self.entry.clear();
            return self.say("NOT FOR REFUNDS", "");
        }
        let Some(amount) = self.tender_amount() else {
            return;
        };
        self.phase = Phase::QrScan { amount };
    }

    pub(super) fn qr_code_scanned(&mut self, code: &str) {
        let Phase::QrScan { amount } = self.phase else {
            return;
        };
        if classify_payment_code(code).is_none() {
            return self.say("NOT A PAY CODE", "SCAN AGAIN");
        }
        let Some(sale_id) = self.sale.as_ref().map(|s| s.id()) else {
            return;
        };
        // One order number per attempt, counted from the journal so a restart never reuses one.
        let r = self.journal.load_sale(sale_id);
        let Some(stored) = self.ok(r) else {
            return;
        };
        let out_trade_no = format!(
            "{}{:08}{:02}",
            self.settings.terminal_id,
            sale_id.0,
            stored.tenders.len() + 1
        );
        let pending = PendingTender {
            kind: TenderKind::Qr,
            amount,
            masked_pan: None,
            entry_mode: None,
            stan: None,
            batch: None,
            out_trade_no: Some(out_trade_no.clone()),
        };
        let r = self.journal.record_tender_pending(sale_id, &pending);
        let Some(tender) = self.ok(r) else {
            return;
        };
        self.out.push(Command::QrPay(QrPayRequest {
            sale_id,
            tender_id: tender,
            out_trade_no: out_trade_no.clone(),
            auth_code: code.to_string(),
            total_fee: self.minor(amount),
        }));
        self.phase = Phase::QrPaying {
            amount,
            out_trade_no,
        };
    }

    pub(super) fn on_qr(&mut self, outcome: QrOutcome) {
        let Phase::QrPaying {
            amount,
            out_trade_no,
        } = std::mem::replace(&mut self.phase, Phase::Ready)
        else {
            tracing::warn!(?outcome, "QR outcome with no payment in flight; ignored");
            return;
        };
        match outcome {
            QrOutcome::Success { transaction_id } => {
                // The QR client approved the tender in the journal before it answered.
                let t = Tender::qr(amount, &out_trade_no, &transaction_id);
                let Some(sale) = self.sale.as_mut() else {
                    return;
                };
                if let Err(e) = sale.add_tender(t) {
                    return self.sale_error(&e);
                }
                self.after_approved_tender("PAID");
            }
            QrOutcome::Failed { err_code } => {
                // The QR client declined the tender in the journal before it answered.
                self.say("QR PAY FAILED", err_code.as_str().to_string());
            }
            // The QR client reversed (or could not learn the result); it marks the tender
            // reversed in the journal. Either way the customer has not paid.
            QrOutcome::Reversed => self.say("QR PAY REVERSED", "NOT PAID"),
            QrOutcome::Unknown => self.say("QR RESULT UNKNOWN", "NOT PAID"),
        }
    }
}
