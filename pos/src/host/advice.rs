//! Offline advices (store-and-forward): sales approved offline under the floor limit are advised
//! to the host (0220 `000000`, 60.1 `30`, with the local authorisation code and the sale's time)
//! before the next online transaction and before settlement. Unanswered refunds (0220 `200000`,
//! never reversed) go through the same queue, sent again as they were. `00` (or `94`, already known) marks
//! an advice sent; other refusals leave it queued for the next time; a silent host stops the
//! queue.
//!
//! While the process lives the advice carries the card as read. After a restart it is rebuilt
//! from the journal without fields 2 and 35 (the journal keeps none): the host must match it by
//! terminal, STAN and batch, and may refuse it; it then stays queued and visible in recovery.

use posrig_protocols::iso8583::{transaction, Card, ResponseCode};

use super::acquirer::{AcquirerClient, Answer, Flush, Reply};
use super::error::HostError;
use super::outcome::{entry_mode_code, PendingReport};
use super::stan::offline_auth_code;
use crate::journal::QueuedAdvice;

impl AcquirerClient {
    pub(crate) async fn send_advices(
        &mut self,
        report: &mut PendingReport,
    ) -> Result<Flush, HostError> {
        let queued = self.with_journal(|j| j.queued_advices())?;
        for q in queued {
            let mut request = self.advice_message(&q)?;
            let maced = self.mac(&mut request);
            self.with_journal(|j| j.note_advice_try(q.id))?;
            match self.exchange(&request).await {
                Reply::Unreachable | Reply::NoResponse => return Ok(Flush::Unreachable),
                Reply::Answered(frame) => match self.judge(frame, maced) {
                    Answer::Approved(_) | Answer::Refused(ResponseCode::Duplicate) => {
                        self.with_journal(|j| j.mark_advice_sent(q.id))?;
                        self.advice_cards.remove(&q.id);
                        report.advices_sent += 1;
                    }
                    Answer::Refused(code) if code.requires_sign_on() => {
                        return Ok(Flush::SignOnNeeded)
                    }
                    Answer::BadMac => return Ok(Flush::SignOnNeeded),
                    Answer::Refused(code) => {
                        tracing::warn!(stan = q.advice.stan, "advice refused: {code}; kept queued");
                    }
                },
            }
        }
        Ok(Flush::Done)
    }

    fn advice_message(
        &self,
        q: &QueuedAdvice,
    ) -> Result<posrig_protocols::iso8583::Message, HostError> {
        let a = &q.advice;
        let context = self.with_journal(|j| j.advice_context(q.id))?;
        let card = self
            .advice_cards
            .get(&q.id)
            .cloned()
            .unwrap_or_else(|| Card {
                entry_mode: entry_mode_code(a.entry_mode, false),
                ..Card::default()
            });
        let auth_code = context
            .auth_code
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| offline_auth_code(a.stan));
        if let Some(r) = &q.refund_of {
            // An unanswered refund goes again as it went (same STAN, so the host can tell a
            // resend from a new refund).
            let original = transaction::Original {
                rrn: r.rrn.clone(),
                auth_code: r.auth_code.clone(),
                batch: r.batch,
                stan: r.stan,
                date: None,
            };
            return Ok(transaction::refund(
                &self.config.terminal,
                a.stan,
                a.batch,
                self.minor(a.amount)?,
                &card,
                &original,
            )?);
        }
        let (hhmmss, mmdd) = time_and_date(&context.approved_at)
            .unwrap_or_else(|| time_and_date(&self.clock.now().to_string()).unwrap_or_default());
        Ok(transaction::offline_sale(
            &self.config.terminal,
            a.stan,
            a.batch,
            self.minor(a.amount)?,
            &card,
            &auth_code,
            &hhmmss,
            &mmdd,
        )?)
    }
}

/// Fields 12 (`hhmmss`) and 13 (`MMDD`) from a journal timestamp `YYYY-MM-DD HH:MM:SS`.
fn time_and_date(stamp: &str) -> Option<(String, String)> {
    let b = stamp.as_bytes();
    if b.len() != 19
        || !b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
    {
        return None;
    }
    Some((
        format!("{}{}{}", &stamp[11..13], &stamp[14..16], &stamp[17..19]),
        format!("{}{}", &stamp[5..7], &stamp[8..10]),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_stamps_give_fields_12_and_13() {
        assert_eq!(
            time_and_date("2025-01-01 09:05:07"),
            Some(("090507".into(), "0101".into()))
        );
        assert_eq!(time_and_date("garbage"), None);
    }
}
