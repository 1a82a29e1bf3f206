//! Property tests: round trips of arbitrary valid messages and of every transaction kind, and
//! decoding of garbage, truncations and bit flips without panics.

use posrig_protocols::iso8583::spec::{all_fields, Content, FieldSpec, Length};
use posrig_protocols::iso8583::transaction::{self, Original};
use posrig_protocols::iso8583::{
    check_response, Card, DetailRecord, Frame, FrameDecoder, Header, Message, Mti, ResponseCode,
    SettlementTotals, Terminal, Totals, Tpdu, TransactionKind,
};
use proptest::prelude::*;
use proptest::sample::select;

fn chars(content: Content) -> BoxedStrategy<u8> {
    match content {
        Content::Numeric => select(b"0123456789".to_vec()).boxed(),
        Content::Track => select(b"0123456789=".to_vec()).boxed(),
        Content::Alnum => {
            select(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ".to_vec())
                .boxed()
        }
        Content::Text => prop_oneof![0x20u8..0x7F, 0x80u8..=0xFF].boxed(),
        Content::Binary => any::<u8>().boxed(),
    }
}

fn value(spec: &FieldSpec) -> BoxedStrategy<Vec<u8>> {
    let len = match spec.length {
        Length::Fixed(n) => usize::from(n)..=usize::from(n),
        Length::LlVar(max) | Length::LllVar(max) => 0..=usize::from(max),
    };
    proptest::collection::vec(chars(spec.content), len).boxed()
}

fn mti() -> impl Strategy<Value = Mti> {
    select(vec![
        Mti::SIGN_ON,
        Mti::SIGN_ON_RESPONSE,
        Mti::NETWORK_ADVICE,
        Mti::NETWORK_ADVICE_RESPONSE,
        Mti::FINANCIAL,
        Mti::FINANCIAL_RESPONSE,
        Mti::ADVICE,
        Mti::ADVICE_RESPONSE,
        Mti::BATCH_UPLOAD,
        Mti::BATCH_UPLOAD_RESPONSE,
        Mti::REVERSAL,
        Mti::REVERSAL_RESPONSE,
        Mti::SETTLEMENT,
        Mti::SETTLEMENT_RESPONSE,
    ])
}

/// Any message of the field table: a random subset of fields with valid random values.
fn any_message() -> impl Strategy<Value = Message> {
    let specs: Vec<&'static FieldSpec> = all_fields().collect();
    (
        mti(),
        proptest::sample::subsequence(specs.clone(), 0..=specs.len()),
    )
        .prop_flat_map(|(mti, chosen)| {
            let values: Vec<_> = chosen
                .into_iter()
                .map(|s| value(s).prop_map(move |v| (s.number, v)))
                .collect();
            values.prop_map(move |fields| {
                let mut m = Message::new(mti);
                for (n, v) in fields {
                    m.set(n, v).expect("generated values follow the spec");
                }
                m
            })
        })
}

fn digits(len: impl Into<proptest::collection::SizeRange>) -> impl Strategy<Value = String> {
    proptest::collection::vec(select(b"0123456789".to_vec()), len)
        .prop_map(|d| String::from_utf8(d).unwrap())
}

fn pan() -> impl Strategy<Value = String> {
    (1u8..=9, digits(11..=18)).prop_map(|(first, rest)| format!("{first}{rest}"))
}

fn card() -> impl Strategy<Value = Card> {
    (
        pan(),
        digits(4),
        digits(0..=13),
        any::<bool>(),
        any::<Option<[u8; 8]>>(),
        proptest::collection::vec(any::<u8>(), 0..=255),
        0u16..=999,
    )
        .prop_map(|(pan, expiry, disc, chip, pin, icc, seq)| {
            let track2 = format!("{pan}={expiry}{disc}");
            let track2: String = track2.chars().take(37).collect();
            if chip {
                Card::chip(&pan, &expiry, seq, &track2, icc, pin)
            } else {
                Card::swiped(&track2, pin)
            }
        })
}

fn terminal() -> impl Strategy<Value = Terminal> {
    ("[A-Z0-9]{8}", "[A-Z0-9]{15}").prop_map(|(t, m)| Terminal::new(&t, &m).unwrap())
}

fn totals() -> impl Strategy<Value = Totals> {
    (
        0u64..1_000_000_000_000,
        0u16..1000,
        0u64..1_000_000_000_000,
        0u16..1000,
    )
        .prop_map(|(d, dc, c, cc)| Totals {
            debit_amount_minor: d,
            debit_count: dc,
            credit_amount_minor: c,
            credit_count: cc,
            ..Totals::default()
        })
}

fn records() -> impl Strategy<Value = Vec<DetailRecord>> {
    proptest::collection::vec(
        (
            select(vec![22u8, 23, 25, 30]),
            1u32..=999_999,
            pan(),
            0u64..1_000_000_000_000,
        )
            .prop_map(|(txn_type, stan, pan, amount_minor)| DetailRecord {
                txn_type,
                stan,
                pan,
                amount_minor,
            }),
        1..=8,
    )
}

/// A request of `kind` built from random inputs, or the host's response to it.
fn transaction_message() -> impl Strategy<Value = (TransactionKind, Message)> {
    (
        select(TransactionKind::ALL.to_vec()),
        terminal(),
        1u32..=999_999,
        0u32..=999_999,
        0u64..1_000_000_000_000,
        card(),
        (
            totals(),
            totals(),
            records(),
            "[0-9]{3}",
            "[A-Z0-9]{12}",
            "[A-Z0-9]{6}",
        ),
        select(ResponseCode::ALL.to_vec()),
        any::<bool>(),
    )
        .prop_map(
            |(kind, t, stan, batch, amount, card, extra, code, as_response)| {
                let (domestic, foreign, records, operator, rrn, auth) = extra;
                let original = Original {
                    rrn,
                    auth_code: Some(auth.clone()),
                    batch,
                    stan: stan % 999_999 + 1,
                    date: Some("0826".into()),
                };
                let totals = SettlementTotals { domestic, foreign };
                use TransactionKind as K;
                let request = match kind {
                    K::SignOn => transaction::sign_on(&t, stan, batch, &operator),
                    K::SignOff => transaction::sign_off(&t, stan, batch),
                    K::EchoTest => transaction::echo_test(&t, stan, batch),
                    K::BalanceInquiry => transaction::balance_inquiry(&t, stan, batch, &card),
                    K::Purchase => transaction::purchase(&t, stan, batch, amount, &card),
                    K::Void => transaction::void(&t, stan, batch, amount, &card, &original),
                    K::Refund => transaction::refund(&t, stan, batch, amount, &card, &original),
                    K::OfflineSale => transaction::offline_sale(
                        &t, stan, batch, amount, &card, &auth, "235959", "1231",
                    ),
                    K::Reversal => transaction::purchase(&t, stan, batch, amount, &card)
                        .and_then(|p| transaction::reversal(&p, code)),
                    K::Settlement => transaction::settlement(&t, stan, batch, &totals, &operator),
                    K::BatchUpload => transaction::batch_upload(&t, stan, batch, &records),
                    K::BatchUploadEnd => {
                        transaction::batch_upload_end(&t, stan, batch, records.len() as u16)
                    }
                }
                .expect("valid inputs build");
                let message = if as_response {
                    let mut r = transaction::respond(&request, code).unwrap();
                    r.set_rrn(&original.rrn).unwrap();
                    assert_eq!(check_response(&request, &r), Ok(()));
                    r
                } else {
                    request
                };
                (kind, message)
            },
        )
}

fn chunked(bytes: &[u8], sizes: &[usize]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes
            .get(i % sizes.len().max(1))
            .copied()
            .unwrap_or(7)
            .clamp(1, rest.len());
        out.push(rest[..n].to_vec());
        rest = &rest[n..];
        i += 1;
    }
    out
}

fn decode_all(chunks: &[Vec<u8>]) -> Vec<Frame> {
    let mut d = FrameDecoder::new();
    let mut got = Vec::new();
    for c in chunks {
        d.push(c);
        while let Some(f) = d.next_frame().unwrap() {
            got.push(f);
        }
    }
    assert_eq!(d.buffered(), 0);
    got
}

proptest! {
    #[test]
    fn any_message_round_trips(m in any_message(), sizes in proptest::collection::vec(1usize..40, 1..8)) {
        let body = m.encode();
        let back = Message::decode(&body).unwrap();
        prop_assert_eq!(&back, &m);
        prop_assert_eq!(back.encode(), body);
        let frame = Frame::new(Tpdu::default(), Header::default(), m);
        let bytes = frame.encode();
        let got = decode_all(&chunked(&bytes, &sizes));
        prop_assert_eq!(got, vec![frame]);
    }

    #[test]
    fn every_transaction_kind_round_trips(
        batch in proptest::collection::vec(transaction_message(), 1..4),
        sizes in proptest::collection::vec(1usize..64, 1..8),
    ) {
        let frames: Vec<Frame> = batch
            .iter()
            .map(|(_, m)| Frame::new(Tpdu::default(), Header::new([1, 2, 3], false), m.clone()))
            .collect();
        let stream: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
        let got = decode_all(&chunked(&stream, &sizes));
        prop_assert_eq!(&got, &frames);
        for ((kind, _), frame) in batch.iter().zip(&got) {
            prop_assert_eq!(TransactionKind::classify(&frame.message), Some(*kind));
        }
    }

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300),
                            sizes in proptest::collection::vec(1usize..50, 1..8)) {
        let _ = Frame::decode_payload(&bytes);
        let _ = Frame::decode(&bytes);
        let _ = Message::decode(&bytes);
        let mut d = FrameDecoder::new();
        for c in chunked(&bytes, &sizes) {
            d.push(&c);
            loop {
                match d.next_frame() {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) if e.is_fatal() => break,
                    Err(_) => {}
                }
            }
        }
    }

    #[test]
    fn truncations_are_errors((_, m) in transaction_message(), cut in any::<prop::sample::Index>()) {
        let body = m.encode();
        let k = cut.index(body.len());
        prop_assert!(Message::decode(&body[..k]).is_err());
    }

    #[test]
    fn bit_flips_decode_canonically_or_fail(
        (_, m) in transaction_message(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..4),
    ) {
        let mut body = m.encode();
        for (at, bit) in flips {
            let i = at.index(body.len());
            body[i] ^= 1 << bit;
        }
        if let Ok(back) = Message::decode(&body) {
            // Decoding is strict, so whatever decodes re-encodes to the same bytes.
            prop_assert_eq!(back.encode(), body);
        }
    }
}
