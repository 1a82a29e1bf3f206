//! The QR wallet client (PROTOCOLS.md §8, micropay style): `/micropay` with the scanned code;
//! on USERPAYING or UNKNOWN (or no usable answer) `/orderquery` every poll interval until a final
//! state or the poll timeout, then `/reverse` (up to the configured tries). It never reports a
//! payment unless the host said SUCCESS.
//!
//! The order is recorded in the journal as a pending QR tender before `/micropay` goes out, so a
//! restarted POS can query or reverse it ([`QrClient::recover`]); its outcome is the tender's
//! state. `out_trade_no` is derived from terminal id, sale and tender number, so paying the same
//! tender again resumes the same order instead of charging twice.

use std::time::Duration;

use posrig_protocols::qrpay::{
    ErrorCode, MicropayRequest, MicropayResponse, MicropayResult, OrderQueryRequest,
    OrderQueryResponse, ReverseRequest, ReverseResponse, ReverseResult, TradeState, MICROPAY_PATH,
    ORDERQUERY_PATH, REVERSE_PATH,
};
use tokio::time::Instant;

use super::acquirer::SharedJournal;
use super::error::HostError;
use super::http::{post, QrEndpoint};
use crate::config::QrSettings;
use crate::journal::{Journal, PendingTender, TenderId, TenderState};
use crate::money::{Currency, Money};
use crate::sale::SaleId;
use crate::tender::{Tender, TenderDetail, TenderKind};

/// One QR payment to make.
#[derive(Debug, Clone)]
pub struct QrPayment {
    /// The sale paid.
    pub sale: SaleId,
    /// The tender's number within the sale (1 for the first tender), for `out_trade_no`.
    pub tender_no: u32,
    /// The payment code scanned from the customer's phone.
    pub auth_code: String,
    /// The amount.
    pub amount: Money,
}

/// How a QR payment ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrResult {
    /// The host said SUCCESS; the tender is approved.
    Paid {
        /// The journal tender.
        tender: TenderId,
        /// Order number.
        out_trade_no: String,
        /// The wallet's transaction id (empty if the host gave none).
        transaction_id: String,
    },
    /// The host refused or the order closed unpaid; the tender is declined.
    Failed {
        /// The journal tender.
        tender: TenderId,
        /// Order number.
        out_trade_no: String,
        /// The host's error code, if it gave one; for an order that ended unpaid while it was
        /// polled, its final state (`PAYERROR`, `CLOSED`).
        code: Option<ErrorCode>,
        /// What to show the cashier.
        message: String,
    },
    /// No final answer in time; the order was reversed and the tender marked reversed.
    Reversed {
        /// The journal tender.
        tender: TenderId,
        /// Order number.
        out_trade_no: String,
    },
    /// No final answer and the reverse did not go through: the tender stays pending and
    /// [`QrClient::recover`] resolves it later. Not paid, as far as the POS knows.
    Unresolved {
        /// The journal tender.
        tender: TenderId,
        /// Order number.
        out_trade_no: String,
    },
}

impl QrResult {
    /// Whether the host said SUCCESS.
    pub fn is_paid(&self) -> bool {
        matches!(self, QrResult::Paid { .. })
    }
}

/// The QR wallet client of one terminal.
#[derive(Debug)]
pub struct QrClient {
    endpoint: QrEndpoint,
    terminal_id: String,
    settings: QrSettings,
    request_timeout: Duration,
    currency: Currency,
    journal: SharedJournal,
}

/// An order being settled: its tender, number and amount.
struct Order {
    tender: TenderId,
    out_trade_no: String,
    amount: Money,
}

impl QrClient {
    /// A client for terminal `terminal_id`; each HTTP request waits at most the poll interval.
    pub fn new(
        endpoint: QrEndpoint,
        terminal_id: &str,
        settings: QrSettings,
        currency: Currency,
        journal: SharedJournal,
    ) -> Self {
        let request_timeout = Duration::from_millis(settings.poll_interval_ms.max(1));
        QrClient {
            endpoint,
            terminal_id: terminal_id.to_owned(),
            settings,
            request_timeout,
            currency,
            journal,
        }
    }

    /// The order number of tender `tender_no` of `sale` at `terminal_id`.
    pub fn out_trade_no(terminal_id: &str, sale: SaleId, tender_no: u32) -> String {
        format!("{terminal_id}{:010}{:02}", sale.0, tender_no)
    }

    fn with_journal<T>(
        &self,
        f: impl FnOnce(&mut Journal) -> crate::journal::Result<T>,
    ) -> Result<T, HostError> {
        let mut guard = self
            .journal
            .lock()
            .expect("journal lock poisoned: a journal call panicked");
        Ok(f(&mut guard)?)
    }

    /// Pays `payment`. See the [module docs](self).
    pub async fn pay(&mut self, payment: &QrPayment) -> Result<QrResult, HostError> {
        let total_fee = self.currency.to_minor(payment.amount)?;
        let total_fee = u64::try_from(total_fee)
            .ok()
            .filter(|&f| f > 0)
            .ok_or_else(|| HostError::BadAmount(payment.amount.to_string()))?;
        let out_trade_no = Self::out_trade_no(&self.terminal_id, payment.sale, payment.tender_no);
        let existing = self.with_journal(|j| j.qr_tender(&out_trade_no))?;
        let started = Instant::now();
        let order = match existing {
            Some(t) if t.state != TenderState::Pending => {
                return Ok(self.settled(t.id, out_trade_no, t.state, t.tender, t.response_code));
            }
            Some(t) => {
                tracing::info!(out_trade_no, "QR order already sent; querying it");
                let order = Order {
                    tender: t.id,
                    out_trade_no,
                    amount: t.amount,
                };
                return self.poll_then_reverse(order, started, String::new()).await;
            }
            None => {
                let tender = self.with_journal(|j| {
                    j.record_tender_pending(
                        payment.sale,
                        &PendingTender {
                            kind: TenderKind::Qr,
                            amount: payment.amount,
                            masked_pan: None,
                            entry_mode: None,
                            stan: None,
                            batch: None,
                            out_trade_no: Some(out_trade_no.clone()),
                        },
                    )
                })?;
                Order {
                    tender,
                    out_trade_no,
                    amount: payment.amount,
                }
            }
        };
        self.micropay(order, &payment.auth_code, total_fee, started)
            .await
    }

    /// Pays a QR tender the terminal already recorded pending with its order number (before
    /// it asked for the payment): `/micropay` for that order, then polling and reverse as in
    /// [`pay`](Self::pay). A tender no longer pending is reported as it stands.
    pub async fn pay_tender(
        &mut self,
        tender: TenderId,
        out_trade_no: &str,
        auth_code: &str,
        total_fee: u64,
    ) -> Result<QrResult, HostError> {
        let started = Instant::now();
        let stored = self.with_journal(|j| j.qr_tender(out_trade_no))?;
        let Some(t) = stored.filter(|t| t.id == tender) else {
            return Err(HostError::Journal(
                crate::journal::JournalError::UnknownTender(tender.0),
            ));
        };
        if t.state != TenderState::Pending {
            return Ok(self.settled(
                t.id,
                out_trade_no.to_owned(),
                t.state,
                t.tender,
                t.response_code,
            ));
        }
        let order = Order {
            tender,
            out_trade_no: out_trade_no.to_owned(),
            amount: t.amount,
        };
        self.micropay(order, auth_code, total_fee, started).await
    }

    /// `/micropay` for a recorded order, then polling and reverse.
    async fn micropay(
        &mut self,
        order: Order,
        auth_code: &str,
        total_fee: u64,
        started: Instant,
    ) -> Result<QrResult, HostError> {
        let request = MicropayRequest {
            out_trade_no: order.out_trade_no.clone(),
            auth_code: auth_code.to_owned(),
            total_fee,
            terminal_id: self.terminal_id.clone(),
        };
        let mut transaction_id = String::new();
        match post::<_, MicropayResponse>(
            &self.endpoint,
            MICROPAY_PATH,
            &request,
            self.request_timeout,
        )
        .await
        {
            Ok(r) => match r.result {
                MicropayResult::Success => {
                    return self.paid(order, r.transaction_id.unwrap_or_default());
                }
                MicropayResult::Fail => match r.err_code {
                    // The host does not know the outcome either: query it.
                    Some(ErrorCode::SystemError | ErrorCode::BankError) => {}
                    code => return self.failed(order, code),
                },
                MicropayResult::UserPaying | MicropayResult::Unknown => {
                    transaction_id = r.transaction_id.unwrap_or_default();
                }
            },
            Err(e) => tracing::warn!(out_trade_no = order.out_trade_no, "micropay: {e}; querying"),
        }
        self.poll_then_reverse(order, started, transaction_id).await
    }

    /// Resolves QR orders a previous run left pending: query once; SUCCESS approves the tender,
    /// a closed order declines it, anything else is reversed.
    pub async fn recover(&mut self) -> Result<Vec<QrResult>, HostError> {
        let pending = self.with_journal(|j| j.pending_qr_tenders())?;
        let mut out = Vec::with_capacity(pending.len());
        for t in pending {
            let Some(out_trade_no) = t.out_trade_no.clone() else {
                continue;
            };
            let order = Order {
                tender: t.id,
                out_trade_no,
                amount: t.amount,
            };
            out.push(match self.query(&order).await {
                Some(TradeState::Success) => self.paid(order, String::new())?,
                Some(state @ (TradeState::Closed | TradeState::PayError)) => {
                    self.closed(order, state)?
                }
                _ => self.reverse(order).await?,
            });
        }
        Ok(out)
    }

    /// Queries every poll interval until a final state or the poll timeout (counted from
    /// `started`), then reverses.
    async fn poll_then_reverse(
        &mut self,
        order: Order,
        started: Instant,
        transaction_id: String,
    ) -> Result<QrResult, HostError> {
        let interval = Duration::from_millis(self.settings.poll_interval_ms.max(1));
        let deadline = started + Duration::from_millis(self.settings.poll_timeout_ms);
        let mut next = started + interval;
        while next <= deadline {
            tokio::time::sleep_until(next).await;
            next += interval;
            match self.query(&order).await {
                Some(TradeState::Success) => return self.paid(order, transaction_id),
                Some(state @ (TradeState::Closed | TradeState::PayError)) => {
                    return self.closed(order, state)
                }
                Some(TradeState::Revoked) => return self.reversed(order),
                Some(TradeState::UserPaying | TradeState::NotPay) | None => {}
            }
        }
        tracing::warn!(
            out_trade_no = order.out_trade_no,
            "no final QR state in time; reversing"
        );
        self.reverse(order).await
    }

    async fn query(&self, order: &Order) -> Option<TradeState> {
        let request = OrderQueryRequest {
            out_trade_no: order.out_trade_no.clone(),
        };
        match post::<_, OrderQueryResponse>(
            &self.endpoint,
            ORDERQUERY_PATH,
            &request,
            self.request_timeout,
        )
        .await
        {
            Ok(r) => Some(r.trade_state),
            Err(e) => {
                tracing::warn!(out_trade_no = order.out_trade_no, "orderquery: {e}");
                None
            }
        }
    }

    /// Reverses the order (up to the configured tries); if the host will not, one last query
    /// decides, and an order still open stays pending.
    async fn reverse(&mut self, order: Order) -> Result<QrResult, HostError> {
        let request = ReverseRequest {
            out_trade_no: order.out_trade_no.clone(),
        };
        for _ in 0..self.settings.reverse_retries.max(1) {
            match post::<_, ReverseResponse>(
                &self.endpoint,
                REVERSE_PATH,
                &request,
                self.request_timeout,
            )
            .await
            {
                Ok(r) if r.result == ReverseResult::Success => return self.reversed(order),
                Ok(r) if !r.recall => break,
                Ok(_) => {}
                Err(e) => tracing::warn!(out_trade_no = order.out_trade_no, "reverse: {e}"),
            }
        }
        match self.query(&order).await {
            Some(TradeState::Success) => self.paid(order, String::new()),
            Some(TradeState::Revoked) => self.reversed(order),
            Some(state @ (TradeState::Closed | TradeState::PayError)) => self.closed(order, state),
            _ => Ok(QrResult::Unresolved {
                tender: order.tender,
                out_trade_no: order.out_trade_no,
            }),
        }
    }

    fn paid(&self, order: Order, transaction_id: String) -> Result<QrResult, HostError> {
        let tender = Tender::qr(order.amount, &order.out_trade_no, &transaction_id);
        self.with_journal(|j| j.approve_tender(order.tender, &tender))?;
        Ok(QrResult::Paid {
            tender: order.tender,
            out_trade_no: order.out_trade_no,
            transaction_id,
        })
    }

    fn failed(&self, order: Order, code: Option<ErrorCode>) -> Result<QrResult, HostError> {
        let text = code.as_ref().map_or("FAIL", ErrorCode::as_str).to_owned();
        self.with_journal(|j| j.decline_tender(order.tender, &text))?;
        Ok(QrResult::Failed {
            tender: order.tender,
            out_trade_no: order.out_trade_no,
            message: code
                .as_ref()
                .map_or("payment refused by the wallet host", ErrorCode::message)
                .to_owned(),
            code,
        })
    }

    fn closed(&self, order: Order, state: TradeState) -> Result<QrResult, HostError> {
        let text = match state {
            TradeState::PayError => "PAYERROR",
            _ => "CLOSED",
        };
        self.with_journal(|j| j.decline_tender(order.tender, text))?;
        Ok(QrResult::Failed {
            tender: order.tender,
            out_trade_no: order.out_trade_no,
            // The final state stands for the error code: the order ended unpaid.
            code: Some(ErrorCode::from(text.to_owned())),
            message: "the wallet order closed unpaid".to_owned(),
        })
    }

    fn reversed(&self, order: Order) -> Result<QrResult, HostError> {
        self.with_journal(|j| j.mark_tender_reversed(order.tender))?;
        Ok(QrResult::Reversed {
            tender: order.tender,
            out_trade_no: order.out_trade_no,
        })
    }

    /// The result of an order the journal already settled.
    fn settled(
        &self,
        tender: TenderId,
        out_trade_no: String,
        state: TenderState,
        record: Option<Tender>,
        code: Option<String>,
    ) -> QrResult {
        match state {
            TenderState::Approved | TenderState::Voided => QrResult::Paid {
                tender,
                out_trade_no,
                transaction_id: match record.map(|t| t.detail) {
                    Some(TenderDetail::Qr(q)) => q.transaction_id,
                    _ => String::new(),
                },
            },
            TenderState::Reversed => QrResult::Reversed {
                tender,
                out_trade_no,
            },
            TenderState::Declined | TenderState::Pending => {
                let code = code.map(ErrorCode::from);
                QrResult::Failed {
                    tender,
                    out_trade_no,
                    message: code
                        .as_ref()
                        .map_or("payment refused by the wallet host", ErrorCode::message)
                        .to_owned(),
                    code,
                }
            }
        }
    }
}
