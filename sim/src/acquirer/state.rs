//! The host's state — terminals, cards, ledger, rules, its generator and the request history —
//! behind one lock, plus the numbers it hands out (RRNs, auth codes) and its calendar.

use std::collections::BTreeMap;

use posrig_protocols::iso8583::{DetailRecord, Message, Mti, ResponseCode, WorkingKeys};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use super::cards::CardBook;
use super::config::AcquirerConfig;
use super::keys::TerminalRegistry;
use super::ledger::Ledger;
use super::rules::RuleBook;

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
    /// Detail records uploaded per terminal and batch.
    pub uploads: BTreeMap<(String, u32), Vec<DetailRecord>>,
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
            start: Instant::now(),
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
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400);
        let hms = format!("{:02}{:02}{:02}", rem / 3600, rem % 3600 / 60, rem % 60);
        let yymm = (y.rem_euclid(100) as u32) * 100 + m;
        (hms, format!("{m:02}{d:02}"), yymm)
    }
}

/// Howard Hinnant's civil-from-days: (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_from_days_known_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_089), (2025, 1, 1));
        assert_eq!(super::civil_from_days(19_417), (2023, 3, 1));
    }
}
