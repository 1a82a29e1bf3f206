//! The host clients as tasks: the acquirer client and the QR client each own their client and
//! take jobs in order from a queue (so a reversal always goes before the next online request),
//! and answer every job with the core input it expects. The loop never waits for them.

use posrig_protocols::iso8583::transaction::Original;
use posrig_protocols::qrpay::ErrorCode;
use tokio::sync::mpsc;

use crate::host::{
    AcquirerClient, CardInput, CardResult, HostError, QrClient, QrResult, SettlementResult,
    SharedJournal,
};
use crate::journal::JournalError;
use crate::money::Currency;
use crate::sale::SaleId;
use crate::tender::{EntryMode, TenderDetail};
use crate::terminal::{
    CardRequest, HostOutcome, Input, QrOutcome, QrPayRequest, SettleOutcome, SignOnOutcome,
    VoidRequest,
};

/// A request for the acquirer task.
#[derive(Debug)]
pub(super) enum AcquirerJob {
    SignOn,
    SignOff,
    Purchase(CardRequest),
    Refund(CardRequest),
    Void(VoidRequest),
    Settle,
    /// Pending reversals and advices of a previous run.
    Recover,
}

/// A request for the QR task.
#[derive(Debug)]
pub(super) enum QrJob {
    Pay(QrPayRequest),
    Recover,
}

/// Starts the acquirer task; it ends when the job queue closes.
pub(super) fn spawn_acquirer(
    client: AcquirerClient,
    currency: Currency,
    answers: mpsc::UnboundedSender<Input>,
) -> mpsc::UnboundedSender<AcquirerJob> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut worker = AcquirerWorker {
            client,
            currency,
            answers,
            pik_reported: None,
        };
        while let Some(job) = rx.recv().await {
            worker.run(job).await;
        }
    });
    tx
}

/// Starts the QR task, if there is a wallet host; without one every payment is `Unknown`.
pub(super) fn spawn_qr(
    client: Option<QrClient>,
    answers: mpsc::UnboundedSender<Input>,
) -> mpsc::UnboundedSender<QrJob> {
    let (tx, mut rx) = mpsc::unbounded_channel::<QrJob>();
    tokio::spawn(async move {
        let mut client = client;
        while let Some(job) = rx.recv().await {
            match (job, client.as_mut()) {
                (QrJob::Recover, Some(c)) => match c.recover().await {
                    Ok(results) if !results.is_empty() => {
                        tracing::info!(
                            orders = results.len(),
                            "QR orders of a previous run resolved"
                        )
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "QR recovery failed"),
                },
                (QrJob::Recover, None) => {}
                (QrJob::Pay(req), Some(c)) => {
                    let outcome = match c
                        .pay_tender(
                            req.tender_id,
                            &req.out_trade_no,
                            &req.auth_code,
                            req.total_fee,
                        )
                        .await
                    {
                        Ok(result) => qr_outcome(result),
                        Err(e) => {
                            tracing::error!(error = %e, out_trade_no = req.out_trade_no, "QR payment failed");
                            QrOutcome::Unknown
                        }
                    };
                    let _ = answers.send(Input::Qr(outcome));
                }
                (QrJob::Pay(req), None) => {
                    tracing::warn!(out_trade_no = req.out_trade_no, "no wallet host configured");
                    let _ = answers.send(Input::Qr(QrOutcome::Unknown));
                }
            }
        }
    });
    tx
}

fn qr_outcome(result: QrResult) -> QrOutcome {
    match result {
        QrResult::Paid { transaction_id, .. } => QrOutcome::Success { transaction_id },
        // A refusal or a final state (PAYERROR, CLOSED) is a failure: the order ended unpaid
        // and the tender is declined. Without a code, the one the client declined it with.
        QrResult::Failed { code, .. } => QrOutcome::Failed {
            err_code: code.unwrap_or_else(|| ErrorCode::from("FAIL".to_owned())),
        },
        QrResult::Reversed { .. } => QrOutcome::Reversed,
        QrResult::Unresolved { .. } => QrOutcome::Unknown,
    }
}

struct AcquirerWorker {
    client: AcquirerClient,
    currency: Currency,
    answers: mpsc::UnboundedSender<Input>,
    /// The PIN key last handed to the core (and so to the pad).
    pik_reported: Option<([u8; 16], [u8; 4])>,
}

impl AcquirerWorker {
    async fn run(&mut self, job: AcquirerJob) {
        match job {
            AcquirerJob::SignOn => {
                let outcome = match self.client.sign_on().await {
                    Ok(s) => {
                        let pik = (s.pin_key.ciphertext, s.pin_key.check_value);
                        self.pik_reported = Some(pik);
                        SignOnOutcome::SignedOn {
                            batch: s.batch,
                            pik_under_master: pik.0,
                            pik_kcv: pik.1,
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "sign-on failed");
                        SignOnOutcome::Failed {
                            code: refused_code(&e),
                        }
                    }
                };
                self.answer(Input::SignOn(outcome));
                return;
            }
            AcquirerJob::SignOff => {
                let ok = match self.client.sign_off().await {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::warn!(error = %e, "sign-off failed");
                        false
                    }
                };
                self.pik_reported = None;
                self.answer(Input::SignOff(ok));
                return;
            }
            AcquirerJob::Recover => match self.client.recover().await {
                Ok(report) => tracing::info!(?report, "host recovery"),
                Err(e) => tracing::warn!(error = %e, "host recovery failed"),
            },
            AcquirerJob::Purchase(req) => {
                let card = card_input(&req);
                let amount = self.money(req.amount_minor);
                let result = self
                    .client
                    .purchase_tender(req.sale_id, req.tender_id, amount, &card)
                    .await;
                self.sign_on_again().await;
                self.report_keys();
                self.answer(Input::Host(host_outcome(result)));
                return;
            }
            AcquirerJob::Refund(req) => {
                let card = card_input(&req);
                let amount = self.money(req.amount_minor);
                let original = self.original(req.sale_id).unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "original of the refund not found");
                    Original {
                        rrn: String::new(),
                        auth_code: None,
                        batch: 0,
                        stan: 0,
                        date: None,
                    }
                });
                let result = self
                    .client
                    .refund_tender(req.tender_id, amount, &original, &card)
                    .await;
                self.sign_on_again().await;
                self.report_keys();
                self.answer(Input::Host(host_outcome(result)));
                return;
            }
            AcquirerJob::Void(req) => {
                let card = card_input(&req.card);
                let amount = self.money(req.card.amount_minor);
                let result = self
                    .client
                    .void(
                        req.card.sale_id,
                        req.card.tender_id,
                        &req.original,
                        amount,
                        &card,
                    )
                    .await;
                self.sign_on_again().await;
                self.report_keys();
                self.answer(Input::Host(host_outcome(result)));
                return;
            }
            AcquirerJob::Settle => {
                let outcome = match self.client.settle().await {
                    Ok(SettlementResult::Balanced { .. }) => SettleOutcome::Balanced,
                    Ok(SettlementResult::Uploaded { .. }) => SettleOutcome::Uploaded,
                    Ok(SettlementResult::Error { .. }) => SettleOutcome::Failed { code: None },
                    Err(e) => {
                        tracing::warn!(error = %e, "settlement failed");
                        SettleOutcome::Failed {
                            code: refused_code(&e),
                        }
                    }
                };
                self.sign_on_again().await;
                self.report_keys();
                self.answer(Input::Settle(outcome));
                return;
            }
        }
        self.report_keys();
    }

    /// After an answer that asked for a new session (bad MAC, `A0`, `77`, the header's
    /// sign-on request) the client would sign on only before its next request, and so hand out
    /// a new PIN key after the PIN block of that request was made under the old one (declined
    /// `55`). Sign on now, before the answer goes to the core, so the new key reaches the pad
    /// (through [`report_keys`](Self::report_keys)) before the next PIN is asked for. Only with
    /// keys still loaded: without a session (host unreachable) the next request signs on.
    ///
    /// When that sign-on fails (or cannot be tried) while the pad holds a PIN key, the key is
    /// stale: the core is told ([`Input::SignOnRequired`]) and refuses card tenders until a
    /// sign-on succeeds, instead of letting the next request sign on after its PIN block was
    /// made.
    async fn sign_on_again(&mut self) {
        if !self.client.needs_sign_on() {
            return;
        }
        let signed_on = if self.client.is_signed_on() {
            match self.client.sign_on().await {
                Ok(_) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "sign-on after the host asked for it failed");
                    false
                }
            }
        } else {
            false
        };
        if !signed_on && self.pik_reported.is_some() {
            self.answer(Input::SignOnRequired);
        }
    }

    /// When the client signed on by itself (first transaction, or the host asked for it), the
    /// new PIN key goes to the core, and from it to the pad.
    fn report_keys(&mut self) {
        let Some(key) = self.client.pin_key() else {
            return;
        };
        let pik = (key.ciphertext, key.check_value);
        if self.pik_reported == Some(pik) {
            return;
        }
        self.pik_reported = Some(pik);
        let batch = self
            .client
            .journal()
            .lock()
            .expect("journal lock poisoned: a journal call panicked")
            .current_batch()
            .unwrap_or_default();
        self.answer(Input::SignOn(SignOnOutcome::SignedOn {
            batch,
            pik_under_master: pik.0,
            pik_kcv: pik.1,
        }));
    }

    fn answer(&self, input: Input) {
        // The loop is gone only when the lane shuts down; the answer no longer matters then.
        let _ = self.answers.send(input);
    }

    fn money(&self, minor: u64) -> crate::money::Money {
        self.currency
            .from_minor(i64::try_from(minor).unwrap_or(i64::MAX))
    }

    /// The card payment a refund sale refers to (its receipt number names the original sale).
    fn original(&self, refund: SaleId) -> Result<Original, JournalError> {
        let journal: &SharedJournal = self.client.journal();
        let j = journal
            .lock()
            .expect("journal lock poisoned: a journal call panicked");
        let stored = j.load_sale(refund)?;
        let receipt = stored.original_receipt.unwrap_or_default();
        let digits = receipt.rsplit('-').next().unwrap_or_default();
        let id: i64 = digits
            .parse()
            .map_err(|_| JournalError::Corrupt(format!("receipt number `{receipt}`")))?;
        let original = j.load_sale(SaleId(id))?;
        original
            .tenders
            .iter()
            .filter_map(|t| t.tender.as_ref())
            .find_map(|t| match &t.detail {
                TenderDetail::Card(c) => Some(Original {
                    rrn: c.rrn.clone(),
                    auth_code: Some(c.auth_code.clone()).filter(|a| !a.is_empty()),
                    batch: c.batch,
                    stan: c.stan,
                    date: None,
                }),
                _ => None,
            })
            .ok_or_else(|| JournalError::Corrupt(format!("sale {id} has no card payment")))
    }
}

/// The card data of a request as the acquirer client takes it.
fn card_input(req: &CardRequest) -> CardInput {
    use posrig_protocols::pinpad::CardEntry;
    let entry = match req.entry {
        CardEntry::Chip => EntryMode::Chip,
        CardEntry::Swipe => EntryMode::Swipe,
        CardEntry::Tap => EntryMode::Tap,
        CardEntry::Fallback => EntryMode::Fallback,
    };
    CardInput::from_read(
        entry,
        req.track2.pan.as_str(),
        &req.expiry.to_string(),
        &req.track2.to_ascii(),
        req.icc_tlv.clone(),
        req.pin_block.map(|b| b.bytes()),
    )
}

fn host_outcome(result: Result<CardResult, HostError>) -> HostOutcome {
    match result {
        Ok(CardResult::Approved {
            auth_code,
            rrn,
            stan,
            batch,
            ..
        }) => HostOutcome::Approved {
            auth_code,
            rrn,
            stan,
            batch,
        },
        Ok(CardResult::ApprovedOffline { stan, batch, .. }) => HostOutcome::Offline { stan, batch },
        Ok(CardResult::Declined { code, .. }) => HostOutcome::Declined { code },
        Ok(CardResult::NoResponse { .. }) => HostOutcome::NoResponse,
        // Declined locally (`91`, the client's UNREACHABLE_CODE): nothing was sent.
        Ok(CardResult::Unreachable { .. }) => HostOutcome::Declined {
            code: posrig_protocols::iso8583::ResponseCode::from_bytes(*b"91"),
        },
        Err(HostError::Refused { code }) => HostOutcome::Declined { code },
        Err(e) => {
            // Nothing usable came back; whatever was armed stays armed and is reversed later.
            tracing::error!(error = %e, "card request failed");
            HostOutcome::NoResponse
        }
    }
}

fn refused_code(e: &HostError) -> Option<posrig_protocols::iso8583::ResponseCode> {
    match e {
        HostError::Refused { code } => Some(*code),
        _ => None,
    }
}
