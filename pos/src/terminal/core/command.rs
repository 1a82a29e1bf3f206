//! What the terminal core asks the outside world to do: show text, print, kick the drawer,
//! talk to the PIN pad and the scale, and send host requests. Card data travels to the host
//! client in memory only, inside [`CardRequest`], whose `Debug` shows nothing secret.

use std::fmt;

use posrig_protocols::pinpad::{CardEntry, Expiry, PadMessage, PinBlock, Track2};

use crate::journal::{BatchTotals, ReceiptId, TenderId};
use crate::receipt::ReceiptDoc;
use crate::sale::SaleId;
use crate::tender::CardTender;

/// One command from the core to the I/O shell, in the order they must be carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Show two lines (at most 20 characters each) on the 2×20 customer display.
    Display {
        /// Line 1.
        line1: String,
        /// Line 2.
        line2: String,
    },
    /// Print a document; answer with [`Input::PrintDone`](super::Input::PrintDone) when cut.
    /// The job id is the document's row in the journal, already marked printing.
    Print {
        /// The job.
        job: ReceiptId,
        /// The document.
        doc: ReceiptDoc,
    },
    /// Open the cash drawer (kick through the printer).
    KickDrawer,
    /// Send a message to the PIN pad.
    Pad(PadMessage),
    /// Ask the scale for a weight; answer with [`Input::Weight`](super::Input::Weight).
    ReadWeight,
    /// Sign on to the acquirer (0800); answer with [`Input::SignOn`](super::Input::SignOn).
    HostSignOn,
    /// Sign off (0820); answer with [`Input::SignOff`](super::Input::SignOff).
    HostSignOff,
    /// Authorise a card purchase (0200). The tender is recorded pending in the journal; the
    /// host client takes the STAN, arms the reversal and answers with
    /// [`Input::Host`](super::Input::Host).
    HostPurchase(CardRequest),
    /// A card refund (0220) of a refund sale; answered like a purchase.
    HostRefund(CardRequest),
    /// Void (撤销, 0200 `200000`) of a completed sale's approved card tender, with the card
    /// presented again. The sale is already `voiding` in the journal; the host client arms the
    /// void's reversal, marks the original tender voided when approved, and answers with
    /// [`Input::Host`](super::Input::Host).
    HostVoid(VoidRequest),
    /// Pay by QR wallet (micropay); answer with the final [`Input::Qr`](super::Input::Qr).
    QrPay(QrPayRequest),
    /// Settle the batch (0500) with these totals; answer with
    /// [`Input::Settle`](super::Input::Settle).
    HostSettle {
        /// The batch's card totals from the journal.
        totals: BatchTotals,
    },
    /// After a restart: send pending reversals and queued advices from the journal.
    HostRecover,
}

/// A card transaction for the host client. Holds the full card data in memory; `Debug` masks
/// the PAN and hides track 2's discretionary data, the ICC data and the PIN block.
#[derive(Clone, PartialEq, Eq)]
pub struct CardRequest {
    /// The sale.
    pub sale_id: SaleId,
    /// The pending tender in the journal (for the reversal record and the final state).
    pub tender_id: TenderId,
    /// Amount in minor units (field 4).
    pub amount_minor: u64,
    /// ISO 4217 numeric currency (field 49).
    pub currency: u16,
    /// How the card was read (field 22).
    pub entry: CardEntry,
    /// Track 2 (fields 2, 35).
    pub track2: Track2,
    /// Expiry (field 14).
    pub expiry: Expiry,
    /// EMV data for field 55 (empty for a swipe).
    pub icc_tlv: Vec<u8>,
    /// The encrypted PIN block (field 52), or `None` when the PIN was bypassed or not asked.
    pub pin_block: Option<PinBlock>,
}

impl fmt::Debug for CardRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardRequest")
            .field("sale_id", &self.sale_id)
            .field("tender_id", &self.tender_id)
            .field("amount_minor", &self.amount_minor)
            .field("currency", &self.currency)
            .field("entry", &self.entry)
            .field("pan", &self.track2.pan)
            .field("icc_tlv_len", &self.icc_tlv.len())
            .field("pin", &self.pin_block.map(|_| "<pin block>"))
            .finish()
    }
}

/// A void for the host client: the card as presented again (`sale_id` and `tender_id` name
/// the original sale and its approved card tender) and the original's references for field 61
/// and field 37/38 (PROTOCOLS.md §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidRequest {
    /// The card read again, for the original sale and tender; `amount_minor` is the original's.
    pub card: CardRequest,
    /// The original approved tender (masked PAN, STAN, batch, auth code, RRN).
    pub original: CardTender,
}

/// A QR wallet payment for the QR client.
#[derive(Clone, PartialEq, Eq)]
pub struct QrPayRequest {
    /// The sale.
    pub sale_id: SaleId,
    /// The pending tender in the journal.
    pub tender_id: TenderId,
    /// The POS's order number (unique per attempt).
    pub out_trade_no: String,
    /// The customer's payment code as scanned.
    pub auth_code: String,
    /// Amount in minor units.
    pub total_fee: u64,
}

impl fmt::Debug for QrPayRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The payment code is a one-time bearer token: only its last 4 digits are shown.
        let n = self.auth_code.len();
        f.debug_struct("QrPayRequest")
            .field("sale_id", &self.sale_id)
            .field("tender_id", &self.tender_id)
            .field("out_trade_no", &self.out_trade_no)
            .field(
                "auth_code",
                &format!("*{}", &self.auth_code[n.saturating_sub(4)..]),
            )
            .field("total_fee", &self.total_fee)
            .finish()
    }
}
