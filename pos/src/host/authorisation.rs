//! Card requests: purchase (消费), void (撤销), refund (退货) and balance inquiry, with the
//! host rules around them — a reversal armed in the journal before a purchase or void goes out
//! and given a reason on a timeout (`98`) or a bad response MAC (`A0`); store-and-forward when
//! the host is unreachable and the amount is within the floor limit.

use posrig_protocols::iso8583::{transaction, ResponseCode};

use super::acquirer::{AcquirerClient, Answer, Reply};
use super::error::HostError;
use super::outcome::{BalanceResult, CardInput, CardResult};
use super::stan::offline_auth_code;
use crate::journal::{
    Advice, PendingTender, RefundOf, Reversal, ReversalId, ReversalKind, TenderId,
};
use crate::money::Money;
use crate::sale::SaleId;
use crate::tender::{CardTender, MaskedPan, Tender, TenderKind};

/// Field 39 recorded on a tender declined locally because the host was unreachable
/// (`91` issuer unavailable).
pub const UNREACHABLE_CODE: &str = "91";

impl AcquirerClient {
    /// Takes the next STAN and the current batch and records a pending card tender with them,
    /// in one journal commit, before any request goes out.
    fn record_pending_card(
        &self,
        sale: SaleId,
        amount: Money,
        masked: &MaskedPan,
        card: &CardInput,
    ) -> Result<(u32, u32, TenderId), HostError> {
        self.with_journal(|j| {
            let stan = j.next_stan()?;
            let batch = j.current_batch()?;
            let tender = j.record_tender_pending(
                sale,
                &PendingTender {
                    kind: TenderKind::Card,
                    amount,
                    masked_pan: Some(masked.clone()),
                    entry_mode: Some(card.entry_mode),
                    stan: Some(stan),
                    batch: Some(batch),
                    out_trade_no: None,
                },
            )?;
            Ok((stan, batch, tender))
        })
    }

    /// Purchase: pending reversals and advices first, then the 0200 with a reversal armed. If
    /// the host is unreachable and `amount` is within the floor limit, approves offline and
    /// queues the advice.
    pub async fn purchase(
        &mut self,
        sale: SaleId,
        amount: Money,
        card: &CardInput,
    ) -> Result<CardResult, HostError> {
        let masked = MaskedPan::from_pan(card.card.account_number().unwrap_or_default())?;
        // Checked before anything is recorded.
        self.minor(amount)?;
        let online = self.prepare_online().await?;
        let (stan, batch, tender) = self.record_pending_card(sale, amount, &masked, card)?;
        self.send_purchase(sale, tender, stan, batch, amount, masked, card, online)
            .await
    }

    /// Purchase of a tender the terminal already recorded pending (before it handed the card
    /// data over): like [`purchase`](Self::purchase), but the tender gets its STAN and batch
    /// instead of a new row being written.
    pub async fn purchase_tender(
        &mut self,
        sale: SaleId,
        tender: TenderId,
        amount: Money,
        card: &CardInput,
    ) -> Result<CardResult, HostError> {
        let masked = MaskedPan::from_pan(card.card.account_number().unwrap_or_default())?;
        let online = self.prepare_online().await?;
        let (stan, batch) = self.with_journal(|j| j.assign_tender_stan(tender))?;
        self.send_purchase(sale, tender, stan, batch, amount, masked, card, online)
            .await
    }

    /// The 0200 of a pending tender with its STAN: arm the reversal, send, judge; or approve
    /// offline when the host is unreachable (`online` false, or no link takes the request).
    #[allow(clippy::too_many_arguments)]
    async fn send_purchase(
        &mut self,
        sale: SaleId,
        tender: TenderId,
        stan: u32,
        batch: u32,
        amount: Money,
        masked: MaskedPan,
        card: &CardInput,
        online: bool,
    ) -> Result<CardResult, HostError> {
        let amount_minor = self.minor(amount)?;
        let offline = Offline {
            sale,
            tender,
            stan,
            batch,
            amount,
            masked: masked.clone(),
        };
        if !online {
            return self.offline(offline, card, None);
        }
        let mut request =
            transaction::purchase(&self.config.terminal, stan, batch, amount_minor, &card.card)?;
        let maced = self.mac(&mut request);
        let armed = self.with_journal(|j| {
            j.write_reversal(&Reversal {
                sale_id: Some(sale),
                tender_id: Some(tender),
                kind: ReversalKind::Card,
                mti: Some("0200".into()),
                processing_code: Some("000000".into()),
                stan: Some(stan),
                batch: Some(batch),
                amount,
                masked_pan: Some(masked.clone()),
                entry_mode: Some(card.entry_mode),
                out_trade_no: None,
            })
        })?;
        self.originals.insert(armed, request.clone());
        match self.exchange(&request).await {
            Reply::Unreachable => {
                self.originals.remove(&armed);
                self.offline(offline, card, Some(armed))
            }
            Reply::NoResponse => self.unanswered(Some(tender), armed, ResponseCode::IssuerTimeout),
            Reply::Answered(frame) => match self.judge(frame, maced) {
                Answer::Approved(msg) => {
                    let auth_code = msg.auth_code().unwrap_or_default().trim().to_owned();
                    let rrn = msg.rrn().unwrap_or_default().to_owned();
                    let record = CardTender {
                        masked_pan: masked,
                        entry_mode: card.entry_mode,
                        auth_code: auth_code.clone(),
                        rrn: rrn.clone(),
                        stan,
                        batch,
                        offline: false,
                        domestic: card.domestic,
                    };
                    // Approving the tender clears its armed reversal in the same commit.
                    self.with_journal(|j| j.approve_tender(tender, &Tender::card(amount, record)))?;
                    self.originals.remove(&armed);
                    Ok(CardResult::Approved {
                        tender,
                        auth_code,
                        rrn,
                        stan,
                        batch,
                    })
                }
                Answer::Refused(code) => {
                    self.with_journal(|j| j.decline_tender(tender, &code.code()))?;
                    self.originals.remove(&armed);
                    Ok(CardResult::Declined {
                        tender: Some(tender),
                        code,
                        message: code.message(),
                    })
                }
                Answer::BadMac => self.unanswered(Some(tender), armed, ResponseCode::MacError),
            },
        }
    }

    /// Void of an approved card tender (`original_tender`, recorded as `original`): a 0200
    /// `200000` with a reversal armed. Never offline.
    pub async fn void(
        &mut self,
        sale: SaleId,
        original_tender: TenderId,
        original: &CardTender,
        amount: Money,
        card: &CardInput,
    ) -> Result<CardResult, HostError> {
        let masked = MaskedPan::from_pan(card.card.account_number().unwrap_or_default())?;
        let amount_minor = self.minor(amount)?;
        if !self.prepare_online().await? {
            return Ok(CardResult::Unreachable { tender: None });
        }
        let (stan, batch) = self.with_journal(|j| Ok((j.next_stan()?, j.current_batch()?)))?;
        let reference = transaction::Original {
            rrn: original.rrn.clone(),
            auth_code: Some(original.auth_code.clone()).filter(|c| !c.is_empty()),
            batch: original.batch,
            stan: original.stan,
            date: None,
        };
        let mut request = transaction::void(
            &self.config.terminal,
            stan,
            batch,
            amount_minor,
            &card.card,
            &reference,
        )?;
        let maced = self.mac(&mut request);
        let armed = self.with_journal(|j| {
            j.write_reversal(&Reversal {
                sale_id: Some(sale),
                tender_id: None,
                kind: ReversalKind::Card,
                mti: Some("0200".into()),
                processing_code: Some("200000".into()),
                stan: Some(stan),
                batch: Some(batch),
                amount,
                masked_pan: Some(masked),
                entry_mode: Some(card.entry_mode),
                out_trade_no: None,
            })
        })?;
        self.originals.insert(armed, request.clone());
        match self.exchange(&request).await {
            Reply::Unreachable => {
                self.originals.remove(&armed);
                self.with_journal(|j| j.clear_reversal(armed))?;
                Ok(CardResult::Unreachable { tender: None })
            }
            Reply::NoResponse => self.unanswered(None, armed, ResponseCode::IssuerTimeout),
            Reply::Answered(frame) => match self.judge(frame, maced) {
                Answer::Approved(msg) => {
                    self.with_journal(|j| j.void_tender(original_tender, armed))?;
                    self.originals.remove(&armed);
                    Ok(CardResult::Approved {
                        tender: original_tender,
                        auth_code: msg.auth_code().unwrap_or_default().trim().to_owned(),
                        rrn: msg.rrn().unwrap_or_default().to_owned(),
                        stan,
                        batch,
                    })
                }
                Answer::Refused(code) => {
                    self.with_journal(|j| j.clear_reversal(armed))?;
                    self.originals.remove(&armed);
                    Ok(CardResult::Declined {
                        tender: Some(original_tender),
                        code,
                        message: code.message(),
                    })
                }
                Answer::BadMac => self.unanswered(None, armed, ResponseCode::MacError),
            },
        }
    }

    /// Refund (0220 `200000`) in refund sale `sale` of a card payment from an earlier day or
    /// batch. Not reversed if unanswered: stored and forwarded (sent again with the same STAN,
    /// which the host deduplicates) — see `forward_refund`.
    pub async fn refund(
        &mut self,
        sale: SaleId,
        amount: Money,
        original: &transaction::Original,
        card: &CardInput,
    ) -> Result<CardResult, HostError> {
        let masked = MaskedPan::from_pan(card.card.account_number().unwrap_or_default())?;
        // Checked before anything is recorded.
        self.minor(amount)?;
        if !self.prepare_online().await? {
            return Ok(CardResult::Unreachable { tender: None });
        }
        let (stan, batch, tender) = self.record_pending_card(sale, amount, &masked, card)?;
        self.send_refund(tender, stan, batch, amount, masked, original, card)
            .await
    }

    /// Refund of a tender the terminal already recorded pending (see
    /// [`purchase_tender`](Self::purchase_tender)).
    pub async fn refund_tender(
        &mut self,
        tender: TenderId,
        amount: Money,
        original: &transaction::Original,
        card: &CardInput,
    ) -> Result<CardResult, HostError> {
        let masked = MaskedPan::from_pan(card.card.account_number().unwrap_or_default())?;
        if !self.prepare_online().await? {
            self.with_journal(|j| j.decline_tender(tender, UNREACHABLE_CODE))?;
            return Ok(CardResult::Unreachable {
                tender: Some(tender),
            });
        }
        let (stan, batch) = self.with_journal(|j| j.assign_tender_stan(tender))?;
        self.send_refund(tender, stan, batch, amount, masked, original, card)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_refund(
        &mut self,
        tender: TenderId,
        stan: u32,
        batch: u32,
        amount: Money,
        masked: MaskedPan,
        original: &transaction::Original,
        card: &CardInput,
    ) -> Result<CardResult, HostError> {
        let amount_minor = self.minor(amount)?;
        let mut request = transaction::refund(
            &self.config.terminal,
            stan,
            batch,
            amount_minor,
            &card.card,
            original,
        )?;
        let maced = self.mac(&mut request);
        match self.exchange(&request).await {
            Reply::Unreachable => {
                self.with_journal(|j| j.decline_tender(tender, UNREACHABLE_CODE))?;
                Ok(CardResult::Unreachable {
                    tender: Some(tender),
                })
            }
            Reply::NoResponse => {
                self.forward_refund(tender, stan, batch, amount, masked, original, card)
            }
            Reply::Answered(frame) => match self.judge(frame, maced) {
                Answer::Approved(msg) => {
                    let auth_code = msg.auth_code().unwrap_or_default().trim().to_owned();
                    let rrn = msg.rrn().unwrap_or_default().to_owned();
                    let record = CardTender {
                        masked_pan: masked,
                        entry_mode: card.entry_mode,
                        auth_code: auth_code.clone(),
                        rrn: rrn.clone(),
                        stan,
                        batch,
                        offline: false,
                        domestic: card.domestic,
                    };
                    self.with_journal(|j| j.approve_tender(tender, &Tender::card(amount, record)))?;
                    Ok(CardResult::Approved {
                        tender,
                        auth_code,
                        rrn,
                        stan,
                        batch,
                    })
                }
                Answer::Refused(code) => {
                    self.with_journal(|j| j.decline_tender(tender, &code.code()))?;
                    Ok(CardResult::Declined {
                        tender: Some(tender),
                        code,
                        message: code.message(),
                    })
                }
                Answer::BadMac => {
                    self.forward_refund(tender, stan, batch, amount, masked, original, card)
                }
            },
        }
    }

    /// A refund sent without a valid answer: the host may have it, so it is neither declined
    /// (the cashier would pay it out again another way) nor reversed (PROTOCOLS.md §7: refunds
    /// are not). It is stored and forwarded like an offline advice — the tender approved as
    /// sent and the same refund queued, in one commit, to go again before the next online
    /// transaction and before settlement until the host acknowledges it.
    #[allow(clippy::too_many_arguments)]
    fn forward_refund(
        &mut self,
        tender: TenderId,
        stan: u32,
        batch: u32,
        amount: Money,
        masked: MaskedPan,
        original: &transaction::Original,
        card: &CardInput,
    ) -> Result<CardResult, HostError> {
        let auth_code = offline_auth_code(stan);
        let record = CardTender {
            masked_pan: masked.clone(),
            entry_mode: card.entry_mode,
            auth_code: auth_code.clone(),
            rrn: String::new(),
            stan,
            batch,
            offline: true,
            domestic: card.domestic,
        };
        let sale = self.with_journal(|j| {
            j.pending_tenders()?
                .into_iter()
                .find(|t| t.id == tender)
                .map(|t| t.sale_id)
                .ok_or(crate::journal::JournalError::UnknownTender(tender.0))
        })?;
        let advice = Advice {
            sale_id: sale,
            tender_id: Some(tender),
            stan,
            batch,
            amount,
            masked_pan: masked,
            entry_mode: card.entry_mode,
        };
        let refund_of = RefundOf {
            rrn: original.rrn.clone(),
            auth_code: original.auth_code.clone(),
            batch: original.batch,
            stan: original.stan,
        };
        let id = self.with_journal(|j| j.forward_refund(tender, &record, &advice, &refund_of))?;
        self.advice_cards.insert(id, card.card.clone());
        tracing::warn!(stan, "refund unanswered; queued to be sent again");
        Ok(CardResult::ApprovedOffline {
            tender,
            auth_code,
            stan,
            batch,
        })
    }

    /// Balance inquiry (0200 `310000`): the balance from field 4 of the answer.
    pub async fn balance_inquiry(&mut self, card: &CardInput) -> Result<BalanceResult, HostError> {
        if !self.prepare_online().await? {
            return Err(HostError::Unreachable);
        }
        let (stan, batch) = self.with_journal(|j| Ok((j.next_stan()?, j.current_batch()?)))?;
        let mut request =
            transaction::balance_inquiry(&self.config.terminal, stan, batch, &card.card)?;
        let maced = self.mac(&mut request);
        match self.exchange(&request).await {
            Reply::Unreachable => Err(HostError::Unreachable),
            Reply::NoResponse => Err(HostError::NoResponse(self.config.response_timeout())),
            Reply::Answered(frame) => match self.judge(frame, maced) {
                Answer::Approved(msg) => {
                    let minor = msg.amount_minor().unwrap_or_default();
                    let minor = i64::try_from(minor).unwrap_or(i64::MAX);
                    Ok(BalanceResult::Balance(
                        self.config.currency.from_minor(minor),
                    ))
                }
                Answer::Refused(code) => Ok(BalanceResult::Declined {
                    code,
                    message: code.message(),
                }),
                Answer::BadMac => Err(HostError::BadMac),
            },
        }
    }

    /// No valid answer to a request with an armed reversal: give the reversal its reason; it
    /// goes out before the next online transaction.
    fn unanswered(
        &mut self,
        tender: Option<TenderId>,
        armed: ReversalId,
        reason: ResponseCode,
    ) -> Result<CardResult, HostError> {
        self.with_journal(|j| j.set_reversal_reason(armed, &reason.code()))?;
        tracing::warn!(reason = %reason, "no valid answer; reversal pending");
        Ok(CardResult::NoResponse {
            tender,
            reversal: Some(reason),
        })
    }

    /// The host is unreachable: approve offline within the floor limit (tender approved and
    /// advice queued in one commit), otherwise decline locally.
    fn offline(
        &mut self,
        o: Offline,
        card: &CardInput,
        armed: Option<ReversalId>,
    ) -> Result<CardResult, HostError> {
        if o.amount > self.config.offline_floor_limit || o.amount <= Money::ZERO {
            self.with_journal(|j| {
                j.decline_tender(o.tender, UNREACHABLE_CODE)?;
                if let Some(r) = armed {
                    j.clear_reversal(r)?;
                }
                Ok(())
            })?;
            return Ok(CardResult::Unreachable {
                tender: Some(o.tender),
            });
        }
        let auth_code = offline_auth_code(o.stan);
        let record = CardTender {
            masked_pan: o.masked.clone(),
            entry_mode: card.entry_mode,
            auth_code: auth_code.clone(),
            rrn: String::new(),
            stan: o.stan,
            batch: o.batch,
            offline: true,
            domestic: card.domestic,
        };
        let advice = Advice {
            sale_id: o.sale,
            tender_id: Some(o.tender),
            stan: o.stan,
            batch: o.batch,
            amount: o.amount,
            masked_pan: o.masked,
            entry_mode: card.entry_mode,
        };
        let id = self.with_journal(|j| j.approve_offline(o.tender, &record, &advice, armed))?;
        self.advice_cards.insert(id, card.card.clone());
        tracing::info!(stan = o.stan, "approved offline; advice queued");
        Ok(CardResult::ApprovedOffline {
            tender: o.tender,
            auth_code,
            stan: o.stan,
            batch: o.batch,
        })
    }
}

/// A purchase that may be approved offline.
struct Offline {
    sale: SaleId,
    tender: TenderId,
    stan: u32,
    batch: u32,
    amount: Money,
    masked: MaskedPan,
}
