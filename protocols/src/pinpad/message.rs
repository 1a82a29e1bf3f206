//! The posrig ECR message set (PROTOCOLS.md §3): ASCII fields separated by FS, the first field
//! the message id, as a typed [`PadMessage`] for both directions.

use super::sensitive::{Pan, PinBlock};
use super::track2::{Expiry, Track2};

/// Field separator.
pub const FS: u8 = 0x1C;

/// The most characters a `D0` text may have (two lines of the pad's 2×16 display, plus slack).
pub const MAX_DISPLAY_TEXT: usize = 64;

/// Kind of transaction announced by `S0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxnKind {
    Sale,
    Refund,
    Void,
}

/// Which ways of reading a card `S0` enables (`C` chip, `S` swipe, `T` tap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EntryModes {
    pub chip: bool,
    pub swipe: bool,
    pub tap: bool,
}

impl EntryModes {
    pub const ALL: Self = Self {
        chip: true,
        swipe: true,
        tap: true,
    };
}

/// What the pad is doing (`E0`), so the POS can show it and time each step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PadPhase {
    /// `0`.
    WaitingForCard,
    /// `1`.
    ChipInserted,
    /// `2`: the chip failed, swipe instead.
    FallbackToSwipe,
    /// `3`.
    Swiped,
    /// `7`.
    PinEntry,
    /// `8`.
    Authorising,
    /// `9`.
    ContactlessRead,
    /// `R`.
    RemoveCard,
}

/// How the card in `C0` was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardEntry {
    Chip,
    Swipe,
    Tap,
    /// A swipe after the chip failed; acquirers treat it differently from a plain swipe.
    Fallback,
}

/// The cardholder's answer to `P0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PinOutcome {
    /// A PIN was entered; here is its block, encrypted under the PIK.
    Ok(PinBlock),
    /// The cardholder pressed enter with no PIN (allowed for some cards).
    Bypass,
    Cancel,
    Timeout,
}

/// One message, either direction. `Debug` is safe to log: PANs and track 2 are masked and PIN
/// blocks print as `<pin block>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PadMessage {
    // POS → pad
    /// `K0`: load a working PIN key, encrypted under the pad's master key, with its check value.
    LoadPinKey {
        pik_under_master: [u8; 16],
        kcv: [u8; 4],
    },
    /// `S0`: start a transaction and wait for a card.
    Start {
        amount_minor: u64,
        /// ISO 4217 numeric, e.g. 156.
        currency: u16,
        kind: TxnKind,
        entries: EntryModes,
    },
    /// `P0`: ask the cardholder for the PIN.
    RequestPin { pan: Pan, amount_minor: u64 },
    /// `D0`: show text (printable ASCII).
    Display { text: String },
    /// `X0`: abort whatever the pad is doing.
    Abort,

    // pad → POS
    /// `E0`: the pad moved to a new phase.
    Phase(PadPhase),
    /// `C0`: a card was read.
    Card {
        entry: CardEntry,
        track2: Track2,
        expiry: Expiry,
        /// Field-55 BER-TLV from the chip; empty for a swipe.
        icc_tlv: Vec<u8>,
    },
    /// `P1`: PIN entry finished.
    PinResult(PinOutcome),
    /// `R0`: the card was removed.
    CardRemoved,
    /// `A0`: the last command was accepted (`00`) or refused (any other code).
    Answer { code: AnswerCode },
}

/// The code in `A0`: up to 8 ASCII letters or digits. `00` means accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AnswerCode(String);

impl AnswerCode {
    pub const ACCEPTED: &'static str = "00";

    pub fn new(code: &str) -> Option<Self> {
        ((1..=8).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then(|| Self(code.to_string()))
    }

    pub fn accepted() -> Self {
        Self(Self::ACCEPTED.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_accepted(&self) -> bool {
        self.0 == Self::ACCEPTED
    }
}

/// Why a payload is not a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("parse pad message: payload is not ASCII")]
    NotAscii,
    #[error("parse pad message: unknown message id `{0}`")]
    UnknownId(String),
    #[error("parse pad message {id}: missing field `{field}`")]
    MissingField {
        id: &'static str,
        field: &'static str,
    },
    #[error("parse pad message {id}: bad `{field}`")]
    BadValue {
        id: &'static str,
        field: &'static str,
    },
    #[error("parse pad message {id}: {extra} fields more than expected")]
    ExtraFields { id: &'static str, extra: usize },
    #[error("encode pad message {id}: `{field}` has characters the payload cannot carry")]
    Unencodable {
        id: &'static str,
        field: &'static str,
    },
}

impl PadMessage {
    /// The two-character message id.
    pub fn id(&self) -> &'static str {
        match self {
            PadMessage::LoadPinKey { .. } => "K0",
            PadMessage::Start { .. } => "S0",
            PadMessage::RequestPin { .. } => "P0",
            PadMessage::Display { .. } => "D0",
            PadMessage::Abort => "X0",
            PadMessage::Phase(_) => "E0",
            PadMessage::Card { .. } => "C0",
            PadMessage::PinResult(_) => "P1",
            PadMessage::CardRemoved => "R0",
            PadMessage::Answer { .. } => "A0",
        }
    }

    /// The frame payload. Fails for values the wire cannot carry: a `D0` text that is not
    /// printable ASCII (or longer than [`MAX_DISPLAY_TEXT`]), an amount over
    /// [`MAX_AMOUNT_MINOR`], a currency over 999.
    pub fn encode(&self) -> Result<Vec<u8>, MessageError> {
        let mut fields: Vec<String> = vec![self.id().to_string()];
        match self {
            PadMessage::LoadPinKey {
                pik_under_master,
                kcv,
            } => {
                fields.push(hex::encode_upper(pik_under_master));
                fields.push(hex::encode_upper(kcv));
            }
            PadMessage::Start {
                amount_minor,
                currency,
                kind,
                entries,
            } => {
                check_amount("S0", *amount_minor)?;
                if *currency > 999 {
                    return Err(MessageError::Unencodable {
                        id: "S0",
                        field: "currency",
                    });
                }
                fields.push(amount_minor.to_string());
                fields.push(format!("{currency:03}"));
                fields.push(kind_str(*kind).to_string());
                fields.push(entries_str(*entries));
            }
            PadMessage::RequestPin { pan, amount_minor } => {
                check_amount("P0", *amount_minor)?;
                fields.push(pan.as_str().to_string());
                fields.push(amount_minor.to_string());
            }
            PadMessage::Display { text } => {
                if !display_text_ok(text) {
                    return Err(MessageError::Unencodable {
                        id: "D0",
                        field: "text",
                    });
                }
                fields.push(text.clone());
            }
            PadMessage::Abort | PadMessage::CardRemoved => {}
            PadMessage::Phase(p) => fields.push(phase_char(*p).to_string()),
            PadMessage::Card {
                entry,
                track2,
                expiry,
                icc_tlv,
            } => {
                fields.push(entry_str(*entry).to_string());
                fields.push(track2.to_ascii());
                fields.push(expiry.to_string());
                fields.push(hex::encode_upper(icc_tlv));
            }
            PadMessage::PinResult(outcome) => {
                let (word, block) = match outcome {
                    PinOutcome::Ok(b) => ("OK", hex::encode_upper(b.bytes())),
                    PinOutcome::Bypass => ("BYPASS", String::new()),
                    PinOutcome::Cancel => ("CANCEL", String::new()),
                    PinOutcome::Timeout => ("TIMEOUT", String::new()),
                };
                fields.push(word.to_string());
                fields.push(block);
            }
            PadMessage::Answer { code } => fields.push(code.as_str().to_string()),
        }
        Ok(fields.join("\u{1c}").into_bytes())
    }

    /// Parse a frame payload.
    pub fn parse(payload: &[u8]) -> Result<Self, MessageError> {
        let text = std::str::from_utf8(payload)
            .ok()
            .filter(|t| t.is_ascii())
            .ok_or(MessageError::NotAscii)?;
        let mut parts = text.split('\u{1c}');
        let id = parts.next().unwrap_or_default();
        let id: &'static str = match id {
            "K0" => "K0",
            "S0" => "S0",
            "P0" => "P0",
            "D0" => "D0",
            "X0" => "X0",
            "E0" => "E0",
            "C0" => "C0",
            "P1" => "P1",
            "R0" => "R0",
            "A0" => "A0",
            other => return Err(MessageError::UnknownId(other.chars().take(16).collect())),
        };
        let mut f = Fields { id, parts };
        let msg = match id {
            "K0" => PadMessage::LoadPinKey {
                pik_under_master: f.hex_array("pik")?,
                kcv: f.hex_array("kcv")?,
            },
            "S0" => PadMessage::Start {
                amount_minor: f.amount("amount_minor")?,
                currency: f.parse_with("currency", |s| {
                    (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
                        .then(|| s.parse().ok())
                        .flatten()
                })?,
                kind: f.parse_with("kind", |s| match s {
                    "SALE" => Some(TxnKind::Sale),
                    "REFUND" => Some(TxnKind::Refund),
                    "VOID" => Some(TxnKind::Void),
                    _ => None,
                })?,
                entries: f.parse_with("entries", parse_entries)?,
            },
            "P0" => PadMessage::RequestPin {
                pan: f.parse_with("pan", |s| Pan::new(s).ok())?,
                amount_minor: f.amount("amount_minor")?,
            },
            "D0" => PadMessage::Display {
                text: f.parse_with("text", |s| display_text_ok(s).then(|| s.to_string()))?,
            },
            "X0" => PadMessage::Abort,
            "E0" => PadMessage::Phase(f.parse_with("phase", parse_phase)?),
            "C0" => PadMessage::Card {
                entry: f.parse_with("entry", |s| match s {
                    "chip" => Some(CardEntry::Chip),
                    "swipe" => Some(CardEntry::Swipe),
                    "tap" => Some(CardEntry::Tap),
                    "fallback" => Some(CardEntry::Fallback),
                    _ => None,
                })?,
                track2: f.parse_with("track2", |s| Track2::parse(s).ok())?,
                expiry: f.parse_with("expiry_yymm", Expiry::parse)?,
                icc_tlv: f.parse_with("icc_tlv_hex", |s| hex::decode(s).ok())?,
            },
            "P1" => {
                let word = f.next("result")?;
                // The block field may be left off entirely when there is no PIN.
                let block = f.parts.next().unwrap_or("");
                let outcome = match (word, block) {
                    ("OK", b) => PinOutcome::Ok(PinBlock(hex_array::<8>(b).ok_or(
                        MessageError::BadValue {
                            id,
                            field: "pinblock_hex",
                        },
                    )?)),
                    ("BYPASS", "") => PinOutcome::Bypass,
                    ("CANCEL", "") => PinOutcome::Cancel,
                    ("TIMEOUT", "") => PinOutcome::Timeout,
                    ("BYPASS" | "CANCEL" | "TIMEOUT", _) => {
                        return Err(MessageError::BadValue {
                            id,
                            field: "pinblock_hex",
                        })
                    }
                    _ => {
                        return Err(MessageError::BadValue {
                            id,
                            field: "result",
                        })
                    }
                };
                PadMessage::PinResult(outcome)
            }
            "R0" => PadMessage::CardRemoved,
            "A0" => PadMessage::Answer {
                code: f.parse_with("code", AnswerCode::new)?,
            },
            _ => unreachable!("ids are matched above"),
        };
        let extra = f.parts.count();
        if extra > 0 {
            return Err(MessageError::ExtraFields { id, extra });
        }
        Ok(msg)
    }
}

struct Fields<'a> {
    id: &'static str,
    parts: std::str::Split<'a, char>,
}

impl<'a> Fields<'a> {
    fn next(&mut self, field: &'static str) -> Result<&'a str, MessageError> {
        self.parts
            .next()
            .ok_or(MessageError::MissingField { id: self.id, field })
    }

    fn parse_with<T>(
        &mut self,
        field: &'static str,
        f: impl FnOnce(&'a str) -> Option<T>,
    ) -> Result<T, MessageError> {
        let s = self.next(field)?;
        f(s).ok_or(MessageError::BadValue { id: self.id, field })
    }

    fn amount(&mut self, field: &'static str) -> Result<u64, MessageError> {
        // Digits only: `+5` or ` 5` parse as u64 in Rust but are not what the pad sends.
        self.parse_with(field, |s| {
            (!s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        })
    }

    fn hex_array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], MessageError> {
        self.parse_with(field, hex_array::<N>)
    }
}

/// The largest amount the 12-digit amount fields carry (as ISO 8583 field 4 does).
pub const MAX_AMOUNT_MINOR: u64 = 999_999_999_999;

fn check_amount(id: &'static str, amount_minor: u64) -> Result<(), MessageError> {
    if amount_minor > MAX_AMOUNT_MINOR {
        return Err(MessageError::Unencodable {
            id,
            field: "amount_minor",
        });
    }
    Ok(())
}

fn hex_array<const N: usize>(s: &str) -> Option<[u8; N]> {
    hex::decode(s).ok()?.try_into().ok()
}

fn display_text_ok(text: &str) -> bool {
    text.len() <= MAX_DISPLAY_TEXT && text.bytes().all(|b| (0x20..0x7F).contains(&b))
}

fn kind_str(kind: TxnKind) -> &'static str {
    match kind {
        TxnKind::Sale => "SALE",
        TxnKind::Refund => "REFUND",
        TxnKind::Void => "VOID",
    }
}

fn entries_str(e: EntryModes) -> String {
    [(e.chip, 'C'), (e.swipe, 'S'), (e.tap, 'T')]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, c)| *c)
        .collect()
}

/// Any order, each letter at most once, at least one.
fn parse_entries(s: &str) -> Option<EntryModes> {
    let mut e = EntryModes::default();
    for c in s.chars() {
        let slot = match c {
            'C' => &mut e.chip,
            'S' => &mut e.swipe,
            'T' => &mut e.tap,
            _ => return None,
        };
        if *slot {
            return None;
        }
        *slot = true;
    }
    (!s.is_empty()).then_some(e)
}

fn entry_str(e: CardEntry) -> &'static str {
    match e {
        CardEntry::Chip => "chip",
        CardEntry::Swipe => "swipe",
        CardEntry::Tap => "tap",
        CardEntry::Fallback => "fallback",
    }
}

fn phase_char(p: PadPhase) -> char {
    match p {
        PadPhase::WaitingForCard => '0',
        PadPhase::ChipInserted => '1',
        PadPhase::FallbackToSwipe => '2',
        PadPhase::Swiped => '3',
        PadPhase::PinEntry => '7',
        PadPhase::Authorising => '8',
        PadPhase::ContactlessRead => '9',
        PadPhase::RemoveCard => 'R',
    }
}

fn parse_phase(s: &str) -> Option<PadPhase> {
    Some(match s {
        "0" => PadPhase::WaitingForCard,
        "1" => PadPhase::ChipInserted,
        "2" => PadPhase::FallbackToSwipe,
        "3" => PadPhase::Swiped,
        "7" => PadPhase::PinEntry,
        "8" => PadPhase::Authorising,
        "9" => PadPhase::ContactlessRead,
        "R" => PadPhase::RemoveCard,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(m: PadMessage) -> Vec<u8> {
        let bytes = m.encode().unwrap();
        assert_eq!(PadMessage::parse(&bytes).unwrap(), m);
        bytes
    }

    #[test]
    fn pos_to_pad_messages_on_the_wire() {
        let start = PadMessage::Start {
            amount_minor: 1250,
            currency: 156,
            kind: TxnKind::Sale,
            entries: EntryModes::ALL,
        };
        assert_eq!(round_trip(start), b"S0\x1c1250\x1c156\x1cSALE\x1cCST");
        let pin = PadMessage::RequestPin {
            pan: Pan::new("4000001234562000").unwrap(),
            amount_minor: 100,
        };
        assert_eq!(round_trip(pin), b"P0\x1c4000001234562000\x1c100");
        let key = PadMessage::LoadPinKey {
            pik_under_master: hex_array("6701EAD6A9AD51E51AA406E2C27FCFA9").unwrap(),
            kcv: hex_array("8D0A74B8").unwrap(),
        };
        assert_eq!(
            round_trip(key),
            b"K0\x1c6701EAD6A9AD51E51AA406E2C27FCFA9\x1c8D0A74B8"
        );
        assert_eq!(round_trip(PadMessage::Abort), b"X0");
        round_trip(PadMessage::Display {
            text: "TOTAL 12.50".into(),
        });
    }

    #[test]
    fn pad_to_pos_messages_on_the_wire() {
        assert_eq!(
            round_trip(PadMessage::Phase(PadPhase::RemoveCard)),
            b"E0\x1cR"
        );
        let card = PadMessage::Card {
            entry: CardEntry::Chip,
            track2: Track2::parse("6222021000000000017=2812201").unwrap(),
            expiry: Expiry::parse("2812").unwrap(),
            icc_tlv: vec![0x9F, 0x27, 0x01, 0x80],
        };
        assert_eq!(
            round_trip(card),
            b"C0\x1cchip\x1c6222021000000000017=2812201\x1c2812\x1c9F270180"
        );
        let ok = PadMessage::PinResult(PinOutcome::Ok(PinBlock([0xAB; 8])));
        assert_eq!(round_trip(ok), b"P1\x1cOK\x1cABABABABABABABAB");
        assert_eq!(
            round_trip(PadMessage::PinResult(PinOutcome::Bypass)),
            b"P1\x1cBYPASS\x1c"
        );
        assert_eq!(
            PadMessage::parse(b"P1\x1cTIMEOUT").unwrap(),
            PadMessage::PinResult(PinOutcome::Timeout)
        );
        assert_eq!(round_trip(PadMessage::CardRemoved), b"R0");
        let a = round_trip(PadMessage::Answer {
            code: AnswerCode::accepted(),
        });
        assert_eq!(a, b"A0\x1c00");
    }

    #[test]
    fn entries_parse_in_any_order_but_once() {
        let ok = PadMessage::parse(b"S0\x1c1\x1c156\x1cREFUND\x1cTC").unwrap();
        let PadMessage::Start { entries, kind, .. } = ok else {
            panic!("{ok:?}")
        };
        assert_eq!(kind, TxnKind::Refund);
        assert_eq!(
            entries,
            EntryModes {
                chip: true,
                swipe: false,
                tap: true
            }
        );
        for bad in ["CC", "", "X"] {
            let payload = format!("S0\x1c1\x1c156\x1cSALE\x1c{bad}");
            assert_eq!(
                PadMessage::parse(payload.as_bytes()),
                Err(MessageError::BadValue {
                    id: "S0",
                    field: "entries"
                })
            );
        }
    }

    #[test]
    fn errors_are_typed() {
        assert_eq!(
            PadMessage::parse(b"Z9"),
            Err(MessageError::UnknownId("Z9".into()))
        );
        assert_eq!(
            PadMessage::parse(b"P0\x1c4000001234562000"),
            Err(MessageError::MissingField {
                id: "P0",
                field: "amount_minor"
            })
        );
        assert_eq!(
            PadMessage::parse(b"P0\x1c4000001234562000\x1c+5"),
            Err(MessageError::BadValue {
                id: "P0",
                field: "amount_minor"
            })
        );
        assert_eq!(
            PadMessage::parse(b"X0\x1cextra"),
            Err(MessageError::ExtraFields { id: "X0", extra: 1 })
        );
        assert_eq!(
            PadMessage::parse(b"D0\x1c\xff"),
            Err(MessageError::NotAscii)
        );
        assert_eq!(
            PadMessage::parse(b"P1\x1cCANCEL\x1c0011"),
            Err(MessageError::BadValue {
                id: "P1",
                field: "pinblock_hex"
            })
        );
        let bad_text = PadMessage::Display {
            text: "a\u{1c}b".into(),
        };
        assert!(matches!(
            bad_text.encode(),
            Err(MessageError::Unencodable { .. })
        ));
    }

    #[test]
    fn debug_masks_card_data() {
        let card = PadMessage::Card {
            entry: CardEntry::Swipe,
            track2: Track2::parse("6222021000000000017=28121019999").unwrap(),
            expiry: Expiry::parse("2812").unwrap(),
            icc_tlv: vec![],
        };
        let pin = PadMessage::RequestPin {
            pan: Pan::new("6222021000000000017").unwrap(),
            amount_minor: 1,
        };
        let block = PadMessage::PinResult(PinOutcome::Ok(PinBlock([0x41; 8])));
        for m in [card, pin, block] {
            let shown = format!("{m:?}");
            assert!(!shown.contains("6222021000000000017"), "{shown}");
            assert!(!shown.contains("9999"), "{shown}");
            assert!(!shown.contains("4141"), "{shown}");
        }
    }
}
