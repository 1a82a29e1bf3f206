//! How pad messages appear in events: the message id and what matters to a reader, with the PAN
//! masked and no track 2 discretionary data, chip data or PIN block.

use posrig_protocols::pinpad::{PadMessage, PadPhase, PinOutcome, TxnKind};

use super::session::entry_name;

/// A one-line, log-safe summary of `message`.
pub fn summarise(message: &PadMessage) -> String {
    match message {
        PadMessage::LoadPinKey { kcv, .. } => format!("K0 kcv {}", hex::encode_upper(kcv)),
        PadMessage::Start {
            amount_minor,
            currency,
            kind,
            entries,
        } => {
            let kind = match kind {
                TxnKind::Sale => "SALE",
                TxnKind::Refund => "REFUND",
                TxnKind::Void => "VOID",
            };
            let modes: String = [
                (entries.chip, 'C'),
                (entries.swipe, 'S'),
                (entries.tap, 'T'),
            ]
            .into_iter()
            .filter_map(|(on, c)| on.then_some(c))
            .collect();
            format!("S0 {amount_minor} {currency:03} {kind} {modes}")
        }
        PadMessage::RequestPin { pan, amount_minor } => {
            format!("P0 {} {amount_minor}", pan.masked())
        }
        PadMessage::Display { text } => format!("D0 {text:?}"),
        PadMessage::Abort => "X0".into(),
        PadMessage::Phase(phase) => format!("E0 {}", phase_char(*phase)),
        PadMessage::Card {
            entry,
            track2,
            expiry,
            icc_tlv,
        } => format!(
            "C0 {} {} {expiry} icc {} bytes",
            entry_name(*entry),
            track2.pan.masked(),
            icc_tlv.len()
        ),
        PadMessage::PinResult(outcome) => match outcome {
            PinOutcome::Ok(_) => "P1 OK <pin block>".into(),
            PinOutcome::Bypass => "P1 BYPASS".into(),
            PinOutcome::Cancel => "P1 CANCEL".into(),
            PinOutcome::Timeout => "P1 TIMEOUT".into(),
        },
        PadMessage::CardRemoved => "R0".into(),
        PadMessage::Answer { code } => format!("A0 {}", code.as_str()),
    }
}

fn phase_char(phase: PadPhase) -> char {
    match phase {
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
