//! The acquirer client's settings: the terminal's identity at the host, TPDU and header, the
//! terminal master key, timeouts and retries, and the offline floor limit.

use std::time::Duration;

use posrig_protocols::crypto::TdesKey;
use posrig_protocols::iso8583::{FieldError, Header, Terminal, Tpdu};

use crate::config::{HostSettings, StoreConfig};
use crate::money::{Currency, Money};

/// Everything the acquirer client needs besides its links and journal.
#[derive(Debug, Clone)]
pub struct AcquirerConfig {
    /// Terminal id (41), merchant id (42) and currency (49).
    pub terminal: Terminal,
    /// TPDU of every request.
    pub tpdu: Tpdu,
    /// CUP header of every request (test-mode flag, software version).
    pub header: Header,
    /// The terminal master key the working keys come encrypted under.
    pub master_key: TdesKey,
    /// Operator number sent in field 63 of sign-on and settlement (three characters).
    pub operator: String,
    /// Timeouts, reversal tries, failback interval.
    pub settings: HostSettings,
    /// Card sales up to this may be approved offline when the host is unreachable.
    pub offline_floor_limit: Money,
    /// The store currency (minor units of field 4).
    pub currency: Currency,
}

impl AcquirerConfig {
    /// Settings from the store configuration for terminal `terminal_id` of merchant
    /// `merchant_id`, with the default TPDU and header.
    pub fn from_store(
        store: &StoreConfig,
        terminal_id: &str,
        merchant_id: &str,
        master_key: TdesKey,
    ) -> Result<Self, FieldError> {
        let terminal =
            Terminal::new(terminal_id, merchant_id)?.with_currency(&store.currency.numeric)?;
        Ok(AcquirerConfig {
            terminal,
            tpdu: Tpdu::default(),
            header: Header::default(),
            master_key,
            operator: "001".into(),
            settings: store.host.clone(),
            offline_floor_limit: store.limits.offline_floor_limit,
            currency: store.currency.clone(),
        })
    }

    pub(crate) fn response_timeout(&self) -> Duration {
        Duration::from_millis(self.settings.timeout_ms)
    }
}
