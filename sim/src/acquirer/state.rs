//! The host's state — terminals, cards, ledger, rules, its generator and the request history —
//! behind one lock, plus the numbers it hands out (RRNs, auth codes) and its calendar.

use std::collections::BTreeMap;

use posrig_protocols::iso8583::{Message, Mti, ResponseCode, WorkingKeys};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use super::cards::CardBook;
use super::config::AcquirerConfig;
use super::keys::TerminalRegistry;
use super::ledger::{Ledger, UploadedDetail};
use super::rules::RuleBook;
use crate::clock::CalendarTime;

/// A request as duplicate detection knows it: terminal, batch, STAN, request MTI.
pub(crate) type HistoryKey = (String, u32, u32, Mti);

/// A request the host answered, kept to recognise retransmissions and duplicates.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    /// The request body as received (MAC included).
    pub request: Vec<u8>,
    /// The answer as sent before delivery rules distorted it.
    pub response: Message,
    pub code: ResponseCode,
}

/// Everything the host decides with.
#[derive(Debug)]
pub(crate) struct HostState {
    pub terminals: TerminalRegistry,
    pub cards: CardBook,
    pub ledger: Ledger,
    pub rules: RuleBook,
    pub rng: ChaCha8Rng,
    pub history: BTreeMap<HistoryKey, Seen>,
    /// Detail records uploaded per terminal and batch, with how each matched the ledger.
    pub uploads: BTreeMap<(String, u32), Vec<UploadedDetail>>,
    pub amount_limit_minor: u64,
    pub acquirer_id: String,
    pub fixed_keys: BTreeMap<String, WorkingKeys>,
    epoch_unix_secs: i64,
    start: Instant,
    rrn_seq: u64,
}

impl HostState {
    pub fn new(config: AcquirerConfig) -> Self {
        Self {
            terminals: TerminalRegistry::new(
                &config.terminals,
                config.derive_lane_keys,
                config.initial_batch,
            ),
            cards: CardBook::new(&config.cards),
            ledger: Ledger::default(),
            rules: RuleBook::default(),
            rng: config.rng,
            history: BTreeMap::new(),
            uploads: BTreeMap::new(),
            amount_limit_minor: config.amount_limit_minor,
            acquirer_id: config.acquirer_id,
            fixed_keys: config.fixed_keys,
            epoch_unix_secs: config.epoch_unix_secs,
            start: config
                .clock
                .map_or_else(Instant::now, |c| c.start_instant()),
            rrn_seq: 0,
        }
    }

    /// Host time since start.
    pub fn elapsed(&self) -> std::time::Duration {
        Instant::now().saturating_duration_since(self.start)
    }

    pub fn elapsed_us(&self) -> u64 {
        u64::try_from(self.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// The next retrieval reference number: 12 digits, `YYMMDD`-free and strictly increasing.
    pub fn next_rrn(&mut self) -> String {
        self.rrn_seq += 1;
        format!("{:012}", self.rrn_seq % 1_000_000_000_000)
    }

    /// A fresh 6-character authorisation code from the seeded generator.
    pub fn auth_code(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        (0..6)
            .map(|_| char::from(ALPHABET[self.rng.gen_range(0..ALPHABET.len())]))
            .collect()
    }

    /// Calendar now: (`hhmmss`, `MMDD`, `YYMM` as a number for expiry checks).
    pub fn calendar(&self) -> (String, String, u32) {
        let secs = self.epoch_unix_secs + self.elapsed().as_secs() as i64;
        let t = CalendarTime::from_unix_secs(secs);
        let hms = format!("{:02}{:02}{:02}", t.hour, t.minute, t.second);
        let yymm = (t.year.rem_euclid(100) as u32) * 100 + u32::from(t.month);
        (hms, format!("{:02}{:02}", t.month, t.day), yymm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{CardFile, TerminalFile};

    #[tokio::test(start_paused = true)]
    async fn calendar_follows_the_epoch_and_tokio_time() {
        let mut config = AcquirerConfig::new(
            TerminalFile { terminals: vec![] },
            CardFile { cards: vec![] },
        );
        config.epoch_unix_secs = 1_735_689_600; // 2025-01-01T00:00:00Z
        let st = HostState::new(config);
        tokio::time::sleep(std::time::Duration::from_secs(3_723)).await;
        assert_eq!(st.calendar(), ("010203".into(), "0101".into(), 2501));
    }
}
