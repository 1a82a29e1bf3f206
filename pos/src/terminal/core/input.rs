//! What the terminal core consumes: keys, scans, PIN pad messages, scale replies, printer and
//! drawer status, and the typed outcomes of host requests. All are protocol-level facts; the
//! I/O shell decodes bytes and runs host clients and hands the core these values.

use posrig_protocols::iso8583::ResponseCode;
use posrig_protocols::keyboard::Key;
use posrig_protocols::pinpad::PadMessage;
use posrig_protocols::qrpay::ErrorCode;
use posrig_protocols::scale::ScaleReply;

use crate::journal::ReceiptId;

/// One input to [`TerminalCore::handle`](super::TerminalCore::handle).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A key from the POS keyboard.
    Key(Key),
    /// A scanned code (the data of a scanner frame, without prefix, AIM id or suffix).
    Scan(String),
    /// A message from the PIN pad.
    Pad(PadMessage),
    /// The scale's answer to [`Command::ReadWeight`](super::Command::ReadWeight).
    Weight(ScaleReply),
    /// The printer's status changed.
    Printer(PrinterStatus),
    /// A print job finished (paper cut confirmed).
    PrintDone {
        /// The job, as given in [`Command::Print`](super::Command::Print).
        job: ReceiptId,
    },
    /// The cash drawer was seen open.
    DrawerOpened,
    /// The cash drawer was seen closed.
    DrawerClosed,
    /// A device stopped answering.
    DeviceLost(DeviceRole),
    /// A device answers again.
    DeviceBack(DeviceRole),
    /// Result of [`Command::HostSignOn`](super::Command::HostSignOn).
    SignOn(SignOnOutcome),
    /// The host asked the terminal to sign on again (bad MAC, `A0`, `77`, the header's request)
    /// and the sign-on that followed failed: the PIN key in the pad is stale, so a PIN block
    /// made under it would be declined `55`. Card tenders are refused until a sign-on succeeds.
    SignOnRequired,
    /// A scan of a retail symbology (EAN-13/UPC-A, EAN-8) whose code does not check (a
    /// misread, or bytes garbled on the cable): the item must be scanned again. At the member
    /// prompt it is taken as the card number it is.
    Misread(String),
    /// A complete scanner frame that is no scan at all (no AIM id, bytes that are not text —
    /// a cable garbling the prefix): the cashier is asked to scan again.
    Unreadable,
    /// Result of [`Command::HostSignOff`](super::Command::HostSignOff): `true` when the host
    /// acknowledged.
    SignOff(bool),
    /// Result of [`Command::HostPurchase`](super::Command::HostPurchase) or
    /// [`Command::HostRefund`](super::Command::HostRefund). Exactly one per request. The host
    /// client has already recorded the outcome on the pending tender in the journal (approved,
    /// declined, approved offline with its advice); the core only acts on it.
    Host(HostOutcome),
    /// Final result of [`Command::QrPay`](super::Command::QrPay) (after the QR client's own
    /// polling and reversing). Exactly one per request, recorded in the journal by the QR
    /// client before it is given.
    Qr(QrOutcome),
    /// Result of [`Command::HostSettle`](super::Command::HostSettle).
    Settle(SettleOutcome),
}

/// A peripheral, for "not responding" reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeviceRole {
    /// Receipt printer (and the drawer behind it).
    Printer,
    /// Barcode scanner.
    Scanner,
    /// Card reader / PIN pad.
    PinPad,
    /// Customer display.
    Display,
    /// POS keyboard.
    Keyboard,
    /// Scale.
    Scale,
    /// Acquirer host link.
    Host,
}

impl DeviceRole {
    /// The name shown on the display.
    pub fn name(self) -> &'static str {
        match self {
            DeviceRole::Printer => "PRINTER",
            DeviceRole::Scanner => "SCANNER",
            DeviceRole::PinPad => "PINPAD",
            DeviceRole::Display => "DISPLAY",
            DeviceRole::Keyboard => "KEYBOARD",
            DeviceRole::Scale => "SCALE",
            DeviceRole::Host => "HOST",
        }
    }
}

/// What the printer driver reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterStatus {
    /// Online, paper present.
    Ready,
    /// Paper roll near its end (still printing).
    PaperNearEnd,
    /// Paper out; the driver resumes the job when paper is loaded.
    PaperOut,
    /// Cover open.
    CoverOpen,
    /// Offline for another reason (error, feed button).
    Offline,
}

/// The outcome of a sign-on (签到).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOnOutcome {
    /// Signed on: the batch number (field 60.2) and the working PIN key for the pad, still
    /// encrypted under the pad's master key, with its check value (field 62).
    SignedOn {
        /// Batch number.
        batch: u32,
        /// PIK encrypted under the terminal master key.
        pik_under_master: [u8; 16],
        /// PIK check value.
        pik_kcv: [u8; 4],
    },
    /// The host refused (with its code) or did not answer (`None`).
    Failed {
        /// Field 39, if the host answered.
        code: Option<ResponseCode>,
    },
}

/// The outcome of a card purchase or refund request, as the host client saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostOutcome {
    /// Approved online (field 39 `00`, response MAC valid).
    Approved {
        /// Field 38.
        auth_code: String,
        /// Field 37.
        rrn: String,
        /// Field 11 of the request.
        stan: u32,
        /// Batch (field 60.2).
        batch: u32,
    },
    /// Declined with a response code other than `00`.
    Declined {
        /// Field 39.
        code: ResponseCode,
    },
    /// No valid answer (timeout, bad MAC, link down beyond the floor limit). The host client
    /// has armed the reversal and will send it; it also marks the tender reversed in the
    /// journal once the host acknowledges.
    NoResponse,
    /// The host was unreachable and the client approved offline under the floor limit; the
    /// advice is queued by the host client.
    Offline {
        /// STAN given to the offline transaction.
        stan: u32,
        /// Batch.
        batch: u32,
    },
}

/// The final outcome of a QR wallet payment. Only `Success` means paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrOutcome {
    /// The wallet host said SUCCESS.
    Success {
        /// The wallet's transaction id.
        transaction_id: String,
    },
    /// The wallet host said FAIL (or a final failed trade state).
    Failed {
        /// The host's error code.
        err_code: ErrorCode,
    },
    /// The payment stayed pending past the timeout and was reversed.
    Reversed,
    /// The result is unknown and the reverse did not succeed either; not paid.
    Unknown,
}

/// The outcome of a settlement (结算).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettleOutcome {
    /// The host's totals matched (flag 1).
    Balanced,
    /// Not balanced (flag 2); the batch was uploaded and closed by the end-of-upload message.
    Uploaded,
    /// The settlement failed: the host's code, or `None` when it did not answer.
    Failed {
        /// Field 39, if the host answered.
        code: Option<ResponseCode>,
    },
}
