//! Settlement (结算): advices and reversals first, then a 0500 with the batch's card totals from
//! the journal in field 48. Balanced (flag 1): the batch closes. Not balanced (flag 2): every
//! approved card transaction of the batch is uploaded (0320 `201`, up to 8 per message), then
//! the end of upload (0320 `202`), and the batch closes. The settlement is recorded either way.
//!
//! Detail records need a PAN in digits; the journal has only masked PANs, so the hidden digits go
//! as zeros (`622202*********0017` → `6222020000000000017`). The host matches details by STAN.

use posrig_protocols::iso8583::{
    transaction, DetailRecord, ReconciliationFlag, SettlementTotals, Totals,
    MAX_DETAILS_PER_MESSAGE,
};

use super::acquirer::{AcquirerClient, Answer, Reply};
use super::error::HostError;
use super::outcome::SettlementResult;
use crate::journal::CardTotals;

impl AcquirerClient {
    /// Settles the current batch. See the [module docs](self).
    pub async fn settle(&mut self) -> Result<SettlementResult, HostError> {
        if !self.prepare_online().await? {
            return Err(HostError::Unreachable);
        }
        let (stan, totals) = self.with_journal(|j| {
            let stan = j.next_stan()?;
            let batch = j.current_batch()?;
            Ok((stan, j.batch_totals(batch)?))
        })?;
        let batch = totals.batch;
        let wire = SettlementTotals {
            domestic: self.wire_totals(&totals.domestic)?,
            foreign: self.wire_totals(&totals.foreign)?,
        };
        let mut request = transaction::settlement(
            &self.config.terminal,
            stan,
            batch,
            &wire,
            &self.config.operator,
        )?;
        let maced = self.mac(&mut request);
        let answer = match self.exchange(&request).await {
            Reply::Unreachable => return Err(HostError::Unreachable),
            Reply::NoResponse => return Err(HostError::NoResponse(self.config.response_timeout())),
            Reply::Answered(frame) => match self.judge(frame, maced) {
                Answer::Approved(msg) => msg,
                Answer::Refused(code) => return Err(HostError::Refused { code }),
                Answer::BadMac => return Err(HostError::BadMac),
            },
        };
        let flags = answer
            .settlement_totals()
            .and_then(Result::ok)
            .map(|t| (t.domestic.flag, t.foreign.flag));
        let flag = match flags {
            Some((ReconciliationFlag::NotBalanced, _) | (_, ReconciliationFlag::NotBalanced)) => {
                ReconciliationFlag::NotBalanced
            }
            Some((ReconciliationFlag::Balanced, _)) => ReconciliationFlag::Balanced,
            _ => ReconciliationFlag::Error,
        };
        match flag {
            ReconciliationFlag::Balanced => {
                let next_batch = self.with_journal(|j| {
                    j.record_settlement(&totals, "balanced")?;
                    j.close_batch()
                })?;
                tracing::info!(batch, "settlement balanced; batch closed");
                Ok(SettlementResult::Balanced { batch, next_batch })
            }
            ReconciliationFlag::NotBalanced => {
                let id = self.with_journal(|j| j.record_settlement(&totals, "not_balanced"))?;
                let records = self.upload(batch).await?;
                let next_batch = self.with_journal(|j| {
                    j.mark_settlement_uploaded(id)?;
                    j.close_batch()
                })?;
                tracing::info!(
                    batch,
                    records,
                    "settlement not balanced; batch uploaded and closed"
                );
                Ok(SettlementResult::Uploaded {
                    batch,
                    next_batch,
                    records,
                })
            }
            _ => {
                self.with_journal(|j| j.record_settlement(&totals, "error"))?;
                Ok(SettlementResult::Error { batch })
            }
        }
    }

    /// Uploads every approved card transaction of `batch`, then ends the upload.
    async fn upload(&mut self, batch: u32) -> Result<usize, HostError> {
        let details = self.with_journal(|j| j.batch_details(batch))?;
        let records = details
            .iter()
            .map(|d| {
                Ok(DetailRecord {
                    txn_type: d.txn_type,
                    stan: d.stan,
                    pan: d.masked_pan.as_str().replace('*', "0"),
                    amount_minor: self.minor(d.amount)?,
                })
            })
            .collect::<Result<Vec<_>, HostError>>()?;
        for chunk in records.chunks(MAX_DETAILS_PER_MESSAGE) {
            let stan = self.with_journal(|j| j.next_stan())?;
            let request = transaction::batch_upload(&self.config.terminal, stan, batch, chunk)?;
            self.network(request).await?;
        }
        let stan = self.with_journal(|j| j.next_stan())?;
        let total = u16::try_from(records.len()).unwrap_or(u16::MAX);
        let end = transaction::batch_upload_end(&self.config.terminal, stan, batch, total)?;
        self.network(end).await?;
        Ok(records.len())
    }

    fn wire_totals(&self, t: &CardTotals) -> Result<Totals, HostError> {
        let count = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
        Ok(Totals {
            debit_amount_minor: self.minor(t.debit.amount)?,
            debit_count: count(t.debit.count),
            credit_amount_minor: self.minor(t.credit.amount)?,
            credit_count: count(t.credit.count),
            flag: ReconciliationFlag::Pending,
        })
    }
}
