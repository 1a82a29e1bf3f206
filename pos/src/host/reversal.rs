//! Reversals (冲正): pending reversals go out before the next online transaction, each tried up
//! to the configured number of times. `00` (reversed) and `25` (original not found: nothing to
//! undo) clear the record and mark the tender reversed; other refusals leave it pending for the
//! next time; a silent host stops the queue.
//!
//! While the process lives a reversal repeats the original request (field 2, 55 …, never track
//! data or the PIN block). After a restart the original is gone — the journal keeps no card
//! data — so the reversal is rebuilt from the journal's record without fields 2 and 35: the
//! acquirer matches a reversal by terminal, STAN, batch (and amount).

use posrig_protocols::iso8583::{transaction, txn_type, Field60, Message, Mti, ResponseCode};

use super::acquirer::{AcquirerClient, Answer, Flush, Reply};
use super::error::HostError;
use super::outcome::{entry_mode_code, PendingReport};
use crate::journal::{JournalError, PendingReversal, ReversalKind};

impl AcquirerClient {
    pub(crate) async fn send_reversals(
        &mut self,
        report: &mut PendingReport,
    ) -> Result<Flush, HostError> {
        let pending = self.with_journal(|j| j.pending_reversals())?;
        for p in pending {
            if p.reversal.kind != ReversalKind::Card {
                continue;
            }
            // No reason yet means the terminal stopped before the answer: a timeout.
            let reason = p
                .reason
                .as_deref()
                .and_then(|r| <[u8; 2]>::try_from(r.as_bytes()).ok())
                .map_or(ResponseCode::IssuerTimeout, ResponseCode::from_bytes);
            let base = match self.originals.get(&p.id) {
                Some(original) => transaction::reversal(original, reason)?,
                None => self.rebuild(&p, reason)?,
            };
            let tries = self.config.settings.reversal_retries.max(1);
            let mut acknowledged = false;
            let mut silent = false;
            for _ in 0..tries {
                self.with_journal(|j| j.note_reversal_try(p.id))?;
                let mut request = base.clone();
                let maced = self.mac(&mut request);
                match self.exchange(&request).await {
                    Reply::Unreachable => return Ok(Flush::Unreachable),
                    Reply::NoResponse => silent = true,
                    Reply::Answered(frame) => {
                        silent = false;
                        match self.judge(frame, maced) {
                            Answer::Approved(_)
                            | Answer::Refused(ResponseCode::OriginalNotFound) => {
                                acknowledged = true;
                                break;
                            }
                            Answer::Refused(code) if code.requires_sign_on() => {
                                return Ok(Flush::SignOnNeeded)
                            }
                            Answer::BadMac => return Ok(Flush::SignOnNeeded),
                            Answer::Refused(code) => {
                                tracing::warn!(stan = ?p.reversal.stan, "reversal refused: {code}");
                            }
                        }
                    }
                }
            }
            if acknowledged {
                // Tender first: a crash before the clear only resends an idempotent reversal.
                self.with_journal(|j| {
                    if let Some(t) = p.reversal.tender_id {
                        j.mark_tender_reversed(t)?;
                    }
                    j.clear_reversal(p.id)
                })?;
                self.originals.remove(&p.id);
                report.reversals_sent += 1;
                tracing::info!(stan = ?p.reversal.stan, reason = %reason, "reversal acknowledged");
            } else if silent {
                return Ok(Flush::Unreachable);
            }
        }
        Ok(Flush::Done)
    }

    /// A 0400 from the journal's record alone (after a restart).
    fn rebuild(&self, p: &PendingReversal, reason: ResponseCode) -> Result<Message, HostError> {
        let r = &p.reversal;
        let corrupt = |w: &str| JournalError::Corrupt(format!("reversal {}: {w}", p.id.0));
        let stan = r.stan.ok_or_else(|| corrupt("no STAN"))?;
        let batch = r.batch.ok_or_else(|| corrupt("no batch"))?;
        let processing = r.processing_code.as_deref().unwrap_or("000000");
        let kind = if processing.starts_with("20") {
            txn_type::VOID
        } else {
            txn_type::PURCHASE
        };
        let t = &self.config.terminal;
        let mut m = Message::new(Mti::REVERSAL);
        m.set_processing_code(processing)?
            .set_amount_minor(self.minor(r.amount)?)?
            .set_stan(stan)?;
        if let Some(mode) = r.entry_mode {
            m.set_entry_mode(&entry_mode_code(mode, false))?;
        }
        m.set_condition_code("00")?
            .set_terminal_id(t.terminal_id())?
            .set_merchant_id(t.merchant_id())?
            .set_currency(t.currency())?;
        m.set_field60(&Field60::new(kind, batch, 0))?;
        m.set_response_code(reason)?;
        Ok(m)
    }
}
