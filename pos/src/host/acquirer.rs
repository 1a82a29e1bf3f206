//! The acquirer client — one terminal's ISO 8583 session with its bank host: the exchange of one
//! request for its matching response (MAC, TPDU/header, timeouts, links), and the preparation
//! every online transaction needs (sign on when asked, then pending reversals and advices).
//! The transactions themselves live next door: [`session`](super::session) (sign-on, sign-off,
//! echo), [`authorisation`](super::authorisation) (purchase, void, refund, balance),
//! [`reversal`](super::reversal), [`advice`](super::advice), [`settlement`](super::settlement).
//!
//! Durability: every journal write that a request depends on (STAN, pending tender, armed
//! reversal, offline approval with its advice) is committed before the request is sent.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use posrig_protocols::iso8583::{check_response, Card, Frame, HostRequest, Message, ResponseCode};
use tokio::time::Instant;

use super::config::AcquirerConfig;
use super::connector::Connector;
use super::error::HostError;
use super::keys::{PinKey, SessionKeys};
use super::link::{Links, Received};
use super::outcome::PendingReport;
use crate::clock::WallClock;
use crate::journal::{AdviceId, Journal, ReversalId};
use crate::money::{Money, MoneyError};

/// The journal shared by the terminal loop and the host clients. Locked only for synchronous
/// journal calls, never across an await.
pub type SharedJournal = Arc<Mutex<Journal>>;

/// How one exchange ended.
pub(crate) enum Reply {
    /// A response that matches the request (MTI + 10, processing code, STAN, terminal, amount).
    Answered(Box<Frame>),
    /// The request went out; nothing matching came back in time, or the link broke.
    NoResponse,
    /// No link took the request; nothing was sent.
    Unreachable,
}

/// A matching response, judged.
pub(crate) enum Answer {
    /// Field 39 `00` and, when the request carried a MAC, a MAC that verifies.
    Approved(Box<Message>),
    /// Any other field 39.
    Refused(ResponseCode),
    /// Field 39 `00` with a MAC that does not verify: not a valid response.
    BadMac,
}

/// The state of sending the pending queue.
pub(crate) enum Flush {
    /// Everything pending was offered to the host.
    Done,
    /// The host is unreachable or silent.
    Unreachable,
    /// The host asked for a sign-on before anything else.
    SignOnNeeded,
}

/// The ISO 8583 client of one terminal. See the [module docs](self).
pub struct AcquirerClient {
    pub(crate) config: AcquirerConfig,
    links: Links,
    journal: SharedJournal,
    pub(crate) clock: Arc<dyn WallClock>,
    pub(crate) keys: Option<SessionKeys>,
    pub(crate) sign_on_needed: bool,
    /// Original requests of armed reversals, while the process lives, so the reversal can repeat
    /// field 2 and 55. Never written anywhere; after a restart reversals are rebuilt from the
    /// journal without card data.
    pub(crate) originals: BTreeMap<ReversalId, Message>,
    /// Cards of queued advices, while the process lives (memory only, as above).
    pub(crate) advice_cards: BTreeMap<AdviceId, Card>,
}

impl std::fmt::Debug for AcquirerClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcquirerClient")
            .field("terminal", &self.config.terminal.terminal_id())
            .field("signed_on", &self.keys.is_some())
            .field("sign_on_needed", &self.sign_on_needed)
            .finish()
    }
}

impl AcquirerClient {
    /// A client talking to `primary` (and `backup`, if any), keeping its state in `journal`.
    /// It is not signed on: the first online transaction signs on, or call
    /// [`sign_on`](Self::sign_on) at start of day.
    pub fn new(
        config: AcquirerConfig,
        primary: Box<dyn Connector>,
        backup: Option<Box<dyn Connector>>,
        journal: SharedJournal,
        clock: Arc<dyn WallClock>,
    ) -> Self {
        let links = Links::new(
            primary,
            backup,
            std::time::Duration::from_millis(config.settings.connect_timeout_ms),
            std::time::Duration::from_millis(config.settings.failback_after_ms),
        );
        AcquirerClient {
            config,
            links,
            journal,
            clock,
            keys: None,
            sign_on_needed: true,
            originals: BTreeMap::new(),
            advice_cards: BTreeMap::new(),
        }
    }

    /// Whether working keys are loaded.
    pub fn is_signed_on(&self) -> bool {
        self.keys.is_some()
    }

    /// Whether the next online transaction signs on first (no keys yet, `77`, `A0`, a bad MAC,
    /// or the host's header asked for it).
    pub fn needs_sign_on(&self) -> bool {
        self.sign_on_needed || self.keys.is_none()
    }

    /// The working PIN key of the current session, for the PIN pad.
    pub fn pin_key(&self) -> Option<&PinKey> {
        self.keys.as_ref().map(|k| &k.pin_key)
    }

    /// Whether requests currently go to the backup host.
    pub fn on_backup(&self) -> bool {
        self.links.on_backup()
    }

    /// The shared journal.
    pub fn journal(&self) -> &SharedJournal {
        &self.journal
    }

    /// Runs `f` on the locked journal.
    pub(crate) fn with_journal<T>(
        &self,
        f: impl FnOnce(&mut Journal) -> crate::journal::Result<T>,
    ) -> Result<T, HostError> {
        let mut guard = self
            .journal
            .lock()
            .expect("journal lock poisoned: a journal call panicked");
        Ok(f(&mut guard)?)
    }

    /// `amount` in minor units for field 4.
    pub(crate) fn minor(&self, amount: Money) -> Result<u64, HostError> {
        let minor = self.config.currency.to_minor(amount)?;
        u64::try_from(minor).map_err(|_| HostError::Money(MoneyError::OutOfRange(amount.amount())))
    }

    /// Adds field 64 when working keys are loaded.
    pub(crate) fn mac(&self, msg: &mut Message) -> bool {
        match &self.keys {
            Some(k) => {
                msg.set_mac(&k.mak);
                true
            }
            None => false,
        }
    }

    /// Sends `request` and waits for the response that matches it; responses that do not match
    /// are ignored and the wait goes on until the timeout.
    pub(crate) async fn exchange(&mut self, request: &Message) -> Reply {
        let bytes = Frame::new(self.config.tpdu, self.config.header, request.clone()).encode();
        let Some(link) = self.links.send(&bytes).await else {
            return Reply::Unreachable;
        };
        let deadline = Instant::now() + self.config.response_timeout();
        let received = self
            .links
            .receive(link, deadline, |frame| {
                match check_response(request, &frame.message) {
                    Ok(()) => true,
                    Err(mismatch) => {
                        tracing::warn!("ignoring a response that does not match: {mismatch}");
                        false
                    }
                }
            })
            .await;
        match received {
            Received::Frame(frame) => Reply::Answered(frame),
            Received::TimedOut | Received::Closed => {
                self.links.failed(link);
                Reply::NoResponse
            }
        }
    }

    /// Judges a matching response: the header's sign-on request, field 39 and the MAC.
    pub(crate) fn judge(&mut self, frame: Box<Frame>, maced: bool) -> Answer {
        if frame.header.host_request() == HostRequest::SignOnAgain {
            self.sign_on_needed = true;
        }
        let msg = frame.message;
        let code = msg.response_code().unwrap_or(ResponseCode::Other(*b"??"));
        if code.requires_sign_on() {
            self.sign_on_needed = true;
        }
        if !code.is_approved() {
            return Answer::Refused(code);
        }
        let mac_ok = match (&self.keys, maced) {
            (Some(k), true) => msg.verify_mac(&k.mak),
            _ => true,
        };
        if mac_ok {
            Answer::Approved(Box::new(msg))
        } else {
            tracing::warn!("response MAC does not verify; signing on again");
            self.sign_on_needed = true;
            Answer::BadMac
        }
    }

    /// Gets ready for an online transaction: signs on if needed, then sends pending reversals
    /// and advices. `Ok(false)` when the host is unreachable (or silent).
    pub(crate) async fn prepare_online(&mut self) -> Result<bool, HostError> {
        for _ in 0..3 {
            if self.needs_sign_on() {
                match self.sign_on().await {
                    Ok(_) => {}
                    Err(HostError::Unreachable | HostError::NoResponse(_)) => return Ok(false),
                    Err(e) => return Err(e),
                }
            }
            let mut report = PendingReport::default();
            match self.flush(&mut report).await? {
                Flush::Done if !self.needs_sign_on() => return Ok(true),
                Flush::Done | Flush::SignOnNeeded => continue,
                Flush::Unreachable => return Ok(false),
            }
        }
        Err(HostError::Refused {
            code: ResponseCode::MacError,
        })
    }

    /// Sends pending reversals, then queued advices.
    pub(crate) async fn flush(&mut self, report: &mut PendingReport) -> Result<Flush, HostError> {
        match self.send_reversals(report).await? {
            Flush::Done => self.send_advices(report).await,
            other => Ok(other),
        }
    }

    /// Sends what a previous run left behind (pending reversals, then queued advices), signing
    /// on first. Call on start, before the first sale.
    pub async fn recover(&mut self) -> Result<PendingReport, HostError> {
        self.send_pending().await
    }

    /// Sends pending reversals and queued advices now (also done before every online
    /// transaction and before settlement), signing on first if needed.
    pub async fn send_pending(&mut self) -> Result<PendingReport, HostError> {
        let mut report = PendingReport::default();
        let mut reachable = false;
        for _ in 0..3 {
            if self.needs_sign_on() {
                match self.sign_on().await {
                    Ok(_) => {}
                    Err(HostError::Unreachable | HostError::NoResponse(_)) => break,
                    Err(e) => return Err(e),
                }
            }
            match self.flush(&mut report).await? {
                Flush::Done => {
                    reachable = true;
                    break;
                }
                Flush::SignOnNeeded => continue,
                Flush::Unreachable => break,
            }
        }
        let (reversals, advices) = self.with_journal(|j| {
            Ok((
                j.pending_reversals()?
                    .iter()
                    .filter(|r| r.reversal.kind == crate::journal::ReversalKind::Card)
                    .count(),
                j.queued_advices()?.len(),
            ))
        })?;
        report.reversals_left = reversals;
        report.advices_left = advices;
        report.reachable = reachable;
        Ok(report)
    }
}
