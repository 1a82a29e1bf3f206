//! Operation names and the one histogram shape every latency is recorded into.

use hdrhistogram::Histogram;

/// Smallest latency told apart, in microseconds.
pub const LOWEST_US: u64 = 1;
/// Largest latency tracked, in microseconds (one hour); longer latencies are clamped to it.
pub const HIGHEST_US: u64 = 3_600_000_000;
/// Significant decimal digits kept: values are exact to 1 part in 1000.
pub const SIGNIFICANT_FIGURES: u8 = 3;

/// The standard operation names (ARCHITECTURE.md). Operations are an open set keyed by name;
/// these are the ones the harness and the report know how to order and describe.
pub mod ops {
    /// Barcode scanned → item shown on the customer display.
    pub const SCAN_TO_DISPLAY: &str = "scan_to_display";
    /// Key pressed → display updated.
    pub const KEY_TO_DISPLAY: &str = "key_to_display";
    /// Card presented → authorisation result shown.
    pub const CARD_AUTH: &str = "card_auth";
    /// PIN entered → result shown.
    pub const PIN_TO_RESULT: &str = "pin_to_result";
    /// Request → response on the host wire.
    pub const HOST_RTT: &str = "host_rtt";
    /// Payment code scanned → final result shown.
    pub const QR_PAY: &str = "qr_pay";
    /// Tender done → paper cut.
    pub const RECEIPT: &str = "receipt";
    /// First scan → paper cut.
    pub const CHECKOUT: &str = "checkout";
    /// Shopper arrives → first scan.
    pub const QUEUE_WAIT: &str = "queue_wait";
    /// Terminal sign-on to the host.
    pub const SIGN_ON: &str = "sign_on";
    /// End-of-day settlement.
    pub const SETTLEMENT: &str = "settlement";
    /// The harness's own lag: actual start of an action minus its scheduled start.
    pub const SCHEDULING_LAG: &str = "scheduling_lag";

    /// Standard operations in report order (a customer's path, then host, then harness).
    pub const STANDARD: [&str; 12] = [
        SCAN_TO_DISPLAY,
        KEY_TO_DISPLAY,
        CARD_AUTH,
        PIN_TO_RESULT,
        HOST_RTT,
        QR_PAY,
        RECEIPT,
        CHECKOUT,
        QUEUE_WAIT,
        SIGN_ON,
        SETTLEMENT,
        SCHEDULING_LAG,
    ];
}

/// A new empty latency histogram: microseconds, 1 µs .. 1 h, 3 significant figures.
///
/// Its counts are allocated up front (no auto-resize), so recording never allocates.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGNIFICANT_FIGURES)
        .expect("the fixed histogram bounds are valid")
}

/// Orders operation names: standard ones in [`ops::STANDARD`] order, then others by name.
pub fn display_order(a: &str, b: &str) -> std::cmp::Ordering {
    let rank = |s: &str| {
        ops::STANDARD
            .iter()
            .position(|o| *o == s)
            .unwrap_or(usize::MAX)
    };
    rank(a).cmp(&rank(b)).then_with(|| a.cmp(b))
}

/// Converts a duration to whole microseconds, saturating instead of overflowing.
pub fn duration_us(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}
