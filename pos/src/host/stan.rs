//! Local authorisation codes. (STANs come from the journal, `Journal::next_stan`, committed
//! before the message that carries one is sent and wrapping 999999 → 1; a reversal repeats its
//! original's STAN and an advice carries the one its offline sale was given.) An offline
//! approval's code is derived from its STAN so an advice rebuilt after a restart carries it.

/// The authorisation code of a sale approved offline: `Y` and five digits of its STAN. Host
/// codes are six characters too; the `Y` marks a local approval on receipts and at the host.
pub fn offline_auth_code(stan: u32) -> String {
    format!("Y{:05}", stan % 100_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_codes_are_six_characters() {
        assert_eq!(offline_auth_code(7), "Y00007");
        assert_eq!(offline_auth_code(999_999), "Y99999");
    }
}
