//! The transactions of PROTOCOLS.md §7: request builders, the host's response builder, and the
//! classification of any message into a [`TransactionKind`].
//!
//! Builders set the fields the CUP layout expects for each request; the caller adds the MAC
//! ([`Message::set_mac`]) once the message is complete.

use super::batch_upload::DetailRecord;
use super::error::FieldError;
use super::field60::{network_code, txn_type, Field60};
use super::field61::Field61;
use super::message::Message;
use super::mti::Mti;
use super::response_code::ResponseCode;
use super::settlement::SettlementTotals;
use super::terminal::{Card, Terminal};

/// Field 53 for a PIN block: ANSI X9.8 format with PAN, double-length key.
pub const SECURITY_INFO_PIN: &str = "2600000000000000";

/// Every transaction of the §7 table. Requests and responses classify alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionKind {
    SignOn,
    SignOff,
    EchoTest,
    BalanceInquiry,
    Purchase,
    Void,
    Refund,
    OfflineSale,
    Reversal,
    Settlement,
    BatchUpload,
    BatchUploadEnd,
}

impl TransactionKind {
    pub const ALL: [TransactionKind; 12] = [
        Self::SignOn,
        Self::SignOff,
        Self::EchoTest,
        Self::BalanceInquiry,
        Self::Purchase,
        Self::Void,
        Self::Refund,
        Self::OfflineSale,
        Self::Reversal,
        Self::Settlement,
        Self::BatchUpload,
        Self::BatchUploadEnd,
    ];

    /// What a request or response is, from its MTI, processing code and field 60.3.
    /// `None` for combinations outside the §7 table.
    pub fn classify(msg: &Message) -> Option<Self> {
        let proc2 = msg.get(3).map(|p| &p[..2]);
        let net = msg
            .field60()
            .and_then(Result::ok)
            .and_then(|f| f.network_code);
        Some(match msg.mti().request() {
            Mti::SIGN_ON => Self::SignOn,
            Mti::NETWORK_ADVICE => match net? {
                network_code::SIGN_OFF => Self::SignOff,
                network_code::ECHO_TEST => Self::EchoTest,
                _ => return None,
            },
            Mti::FINANCIAL => match proc2? {
                b"31" => Self::BalanceInquiry,
                b"00" => Self::Purchase,
                b"20" => Self::Void,
                _ => return None,
            },
            Mti::ADVICE => match proc2? {
                b"20" => Self::Refund,
                b"00" => Self::OfflineSale,
                _ => return None,
            },
            Mti::REVERSAL => Self::Reversal,
            Mti::SETTLEMENT => Self::Settlement,
            Mti::BATCH_UPLOAD => match net {
                Some(network_code::BATCH_UPLOAD_END) => Self::BatchUploadEnd,
                _ => Self::BatchUpload,
            },
            _ => return None,
        })
    }

    /// Whether an unanswered request must be reversed (purchase and void).
    pub fn needs_reversal(self) -> bool {
        matches!(self, Self::Purchase | Self::Void)
    }

    /// The request MTI.
    pub fn mti(self) -> Mti {
        match self {
            Self::SignOn => Mti::SIGN_ON,
            Self::SignOff | Self::EchoTest => Mti::NETWORK_ADVICE,
            Self::BalanceInquiry | Self::Purchase | Self::Void => Mti::FINANCIAL,
            Self::Refund | Self::OfflineSale => Mti::ADVICE,
            Self::Reversal => Mti::REVERSAL,
            Self::Settlement => Mti::SETTLEMENT,
            Self::BatchUpload | Self::BatchUploadEnd => Mti::BATCH_UPLOAD,
        }
    }
}

/// The original transaction a void or refund refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    /// Field 37 of the original response.
    pub rrn: String,
    /// Field 38 of the original response, if any.
    pub auth_code: Option<String>,
    pub batch: u32,
    pub stan: u32,
    /// `MMDD`, required by refunds.
    pub date: Option<String>,
}

fn base(mti: Mti, t: &Terminal, stan: u32) -> Result<Message, FieldError> {
    let mut m = Message::new(mti);
    m.set_stan(stan)?
        .set_terminal_id(t.terminal_id())?
        .set_merchant_id(t.merchant_id())?;
    Ok(m)
}

fn management(
    mti: Mti,
    t: &Terminal,
    stan: u32,
    batch: u32,
    code: u16,
) -> Result<Message, FieldError> {
    let mut m = base(mti, t, stan)?;
    m.set_field60(&Field60::new(txn_type::MANAGEMENT, batch, code))?;
    Ok(m)
}

fn with_card(m: &mut Message, card: &Card) -> Result<(), FieldError> {
    if let Some(pan) = &card.pan {
        m.set_pan(pan)?;
    }
    if let Some(expiry) = &card.expiry {
        m.set_expiry(expiry)?;
    }
    m.set_entry_mode(&card.entry_mode)?;
    if let Some(seq) = card.sequence {
        m.set_card_sequence(seq)?;
    }
    if let Some(t2) = &card.track2 {
        m.set_track2(t2)?;
    }
    if let Some(t3) = &card.track3 {
        m.set_track3(t3)?;
    }
    if let Some(block) = card.pin_block {
        m.set_pin_capture_code("12")?;
        m.set_pin_block(block);
        m.set_security_info(SECURITY_INFO_PIN)?;
    }
    if let Some(icc) = &card.icc_data {
        m.set_icc_data(icc)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn financial(
    mti: Mti,
    processing_code: &str,
    kind: u8,
    t: &Terminal,
    stan: u32,
    batch: u32,
    amount_minor: Option<u64>,
    card: &Card,
) -> Result<Message, FieldError> {
    let mut m = base(mti, t, stan)?;
    m.set_processing_code(processing_code)?;
    if let Some(amount) = amount_minor {
        m.set_amount_minor(amount)?;
    }
    with_card(&mut m, card)?;
    m.set_condition_code("00")?.set_currency(t.currency())?;
    m.set_field60(&Field60::new(kind, batch, 0))?;
    Ok(m)
}

/// Sign-on (签到) 0800: fields 11, 41, 42, 60 (`00`, batch, `003`), 63 (operator, ans3).
pub fn sign_on(t: &Terminal, stan: u32, batch: u32, operator: &str) -> Result<Message, FieldError> {
    let mut m = management(Mti::SIGN_ON, t, stan, batch, network_code::SIGN_ON)?;
    m.set_reserved63(operator)?;
    Ok(m)
}

/// Sign-off 0820 with 60.3 `002`.
pub fn sign_off(t: &Terminal, stan: u32, batch: u32) -> Result<Message, FieldError> {
    management(Mti::NETWORK_ADVICE, t, stan, batch, network_code::SIGN_OFF)
}

/// Echo test 0820 with 60.3 `301`.
pub fn echo_test(t: &Terminal, stan: u32, batch: u32) -> Result<Message, FieldError> {
    management(Mti::NETWORK_ADVICE, t, stan, batch, network_code::ECHO_TEST)
}

/// Balance inquiry 0200, processing code `310000`, 60.1 `01`.
pub fn balance_inquiry(
    t: &Terminal,
    stan: u32,
    batch: u32,
    card: &Card,
) -> Result<Message, FieldError> {
    financial(
        Mti::FINANCIAL,
        "310000",
        txn_type::BALANCE_INQUIRY,
        t,
        stan,
        batch,
        None,
        card,
    )
}

/// Purchase (消费) 0200, processing code `000000`, 60.1 `22`.
pub fn purchase(
    t: &Terminal,
    stan: u32,
    batch: u32,
    amount_minor: u64,
    card: &Card,
) -> Result<Message, FieldError> {
    financial(
        Mti::FINANCIAL,
        "000000",
        txn_type::PURCHASE,
        t,
        stan,
        batch,
        Some(amount_minor),
        card,
    )
}

fn with_original(m: &mut Message, original: &Original, date: bool) -> Result<(), FieldError> {
    m.set_rrn(&original.rrn)?;
    if let Some(code) = &original.auth_code {
        m.set_auth_code(code)?;
    }
    let date = if date { original.date.as_deref() } else { None };
    m.set_field61(&Field61::new(original.batch, original.stan, date))?;
    Ok(())
}

/// Void (撤销) 0200, processing code `200000`, 60.1 `23`, original RRN/auth code and field 61.
pub fn void(
    t: &Terminal,
    stan: u32,
    batch: u32,
    amount_minor: u64,
    card: &Card,
    original: &Original,
) -> Result<Message, FieldError> {
    let mut m = financial(
        Mti::FINANCIAL,
        "200000",
        txn_type::VOID,
        t,
        stan,
        batch,
        Some(amount_minor),
        card,
    )?;
    with_original(&mut m, original, false)?;
    Ok(m)
}

/// Refund (退货) 0220, processing code `200000`, 60.1 `25`, original RRN and field 61 with date.
pub fn refund(
    t: &Terminal,
    stan: u32,
    batch: u32,
    amount_minor: u64,
    card: &Card,
    original: &Original,
) -> Result<Message, FieldError> {
    let mut m = financial(
        Mti::ADVICE,
        "200000",
        txn_type::REFUND,
        t,
        stan,
        batch,
        Some(amount_minor),
        card,
    )?;
    with_original(&mut m, original, true)?;
    Ok(m)
}

/// Offline sale advice 0220, processing code `000000`, 60.1 `30`, with the offline approval code
/// (field 38) and the local time and date of the sale (12, 13).
#[allow(clippy::too_many_arguments)]
pub fn offline_sale(
    t: &Terminal,
    stan: u32,
    batch: u32,
    amount_minor: u64,
    card: &Card,
    auth_code: &str,
    time_hhmmss: &str,
    date_mmdd: &str,
) -> Result<Message, FieldError> {
    let mut m = financial(
        Mti::ADVICE,
        "000000",
        txn_type::OFFLINE_SALE,
        t,
        stan,
        batch,
        Some(amount_minor),
        card,
    )?;
    m.set_auth_code(auth_code)?
        .set_local_time(time_hhmmss)?
        .set_local_date(date_mmdd)?;
    Ok(m)
}

/// Fields of the original request that a reversal (冲正) repeats.
const REVERSAL_FIELDS: [u8; 15] = [2, 3, 4, 11, 14, 22, 23, 25, 38, 41, 42, 49, 55, 60, 61];

/// Reversal 0400 of `original` (a purchase or void request) with field 39 = `reason`
/// (`98` timeout, `A0` bad response MAC, `06`-style codes from the terminal). Tracks, PIN data
/// and the MAC are not repeated; the STAN is the original's.
pub fn reversal(original: &Message, reason: ResponseCode) -> Result<Message, FieldError> {
    let mut m = Message::new(Mti::REVERSAL);
    for f in REVERSAL_FIELDS {
        if let Some(v) = original.get(f) {
            m.set(f, v)?;
        }
    }
    m.set_response_code(reason)?;
    Ok(m)
}

/// Settlement (结算) 0500: totals in field 48, 60.3 `201`, operator in 63.
pub fn settlement(
    t: &Terminal,
    stan: u32,
    batch: u32,
    totals: &SettlementTotals,
    operator: &str,
) -> Result<Message, FieldError> {
    let mut m = management(Mti::SETTLEMENT, t, stan, batch, network_code::SETTLEMENT)?;
    m.set_settlement_totals(totals)?
        .set_currency(t.currency())?
        .set_reserved63(operator)?;
    Ok(m)
}

/// Batch upload (批上送) 0320 of up to 8 detail records, 60.3 `201`.
pub fn batch_upload(
    t: &Terminal,
    stan: u32,
    batch: u32,
    records: &[DetailRecord],
) -> Result<Message, FieldError> {
    let mut m = management(
        Mti::BATCH_UPLOAD,
        t,
        stan,
        batch,
        network_code::BATCH_UPLOAD,
    )?;
    m.set(48, DetailRecord::encode_batch(records)?)?;
    Ok(m)
}

/// End of batch upload 0320, 60.3 `202`, field 48 = the total records uploaded (n4).
pub fn batch_upload_end(
    t: &Terminal,
    stan: u32,
    batch: u32,
    total_records: u16,
) -> Result<Message, FieldError> {
    let mut m = management(
        Mti::BATCH_UPLOAD,
        t,
        stan,
        batch,
        network_code::BATCH_UPLOAD_END,
    )?;
    m.set(
        48,
        super::accessors::fixed_digits::<4>(48, u64::from(total_records))?,
    )?;
    Ok(m)
}

/// Fields a response repeats from its request.
const ECHOED_FIELDS: [u8; 16] = [2, 3, 4, 11, 14, 22, 23, 25, 37, 38, 41, 42, 48, 49, 60, 61];

/// The host's response to `request` (MTI + 10) with field 39 = `code`, repeating the fields the
/// terminal matches on. The host then adds what it decides: time and date (12, 13), settlement
/// date (15), acquirer (32), RRN (37), auth code (38), keys (62), MAC.
pub fn respond(request: &Message, code: ResponseCode) -> Result<Message, FieldError> {
    let mut m = Message::new(request.mti().response());
    for f in ECHOED_FIELDS {
        if let Some(v) = request.get(f) {
            m.set(f, v)?;
        }
    }
    m.set_response_code(code)?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_classify_as_their_kind() {
        let t = Terminal::new("10000001", "123456789012345").unwrap();
        let card = Card::swiped("6228480402564890018=25122201234567", Some([7; 8]));
        let orig = Original {
            rrn: "123456789012".into(),
            auth_code: Some("AB1234".into()),
            batch: 1,
            stan: 5,
            date: Some("0826".into()),
        };
        let p = purchase(&t, 6, 1, 1234, &card).unwrap();
        let cases = [
            (sign_on(&t, 1, 1, "001").unwrap(), TransactionKind::SignOn),
            (sign_off(&t, 2, 1).unwrap(), TransactionKind::SignOff),
            (echo_test(&t, 3, 1).unwrap(), TransactionKind::EchoTest),
            (
                balance_inquiry(&t, 4, 1, &card).unwrap(),
                TransactionKind::BalanceInquiry,
            ),
            (p.clone(), TransactionKind::Purchase),
            (
                void(&t, 7, 1, 1234, &card, &orig).unwrap(),
                TransactionKind::Void,
            ),
            (
                refund(&t, 8, 1, 1234, &card, &orig).unwrap(),
                TransactionKind::Refund,
            ),
            (
                offline_sale(&t, 9, 1, 100, &card, "OFF001", "120000", "0826").unwrap(),
                TransactionKind::OfflineSale,
            ),
            (
                reversal(&p, ResponseCode::IssuerTimeout).unwrap(),
                TransactionKind::Reversal,
            ),
            (
                settlement(&t, 10, 1, &SettlementTotals::default(), "001").unwrap(),
                TransactionKind::Settlement,
            ),
            (
                batch_upload_end(&t, 11, 1, 3).unwrap(),
                TransactionKind::BatchUploadEnd,
            ),
        ];
        for (msg, kind) in cases {
            assert_eq!(TransactionKind::classify(&msg), Some(kind), "{msg:?}");
            assert_eq!(msg.mti(), kind.mti());
            let resp = respond(&msg, ResponseCode::Approved).unwrap();
            assert_eq!(TransactionKind::classify(&resp), Some(kind), "{resp:?}");
            assert_eq!(super::super::check_response(&msg, &resp), Ok(()));
        }
        assert_eq!(p.get_str(60), Some("22000001000"));
        assert_eq!(p.get_str(53), Some(SECURITY_INFO_PIN));
    }
}
