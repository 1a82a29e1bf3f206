//! PIN-pad wire: chunked round trips, garbage resistance and retry behaviour, through the public
//! API only.

use std::time::Duration;

use posrig_protocols::crypto::{encode_pin_block, TdesKey};
use posrig_protocols::pinpad::tlv::{decode_all, encode_all};
use posrig_protocols::pinpad::*;
use proptest::prelude::*;

/// Split `bytes` into chunks whose sizes cycle through `sizes` (each at least 1).
fn chunks<'a>(bytes: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut out = vec![];
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes
            .get(i % sizes.len().max(1))
            .copied()
            .unwrap_or(1)
            .clamp(1, rest.len());
        let (head, tail) = rest.split_at(n);
        out.push(head);
        rest = tail;
        i += 1;
    }
    out
}

fn decode_chunked(bytes: &[u8], sizes: &[usize]) -> Vec<Result<LinkEvent, FrameError>> {
    let mut dec = FrameDecoder::new();
    let mut out = vec![];
    for c in chunks(bytes, sizes) {
        dec.push(c);
        out.extend(std::iter::from_fn(|| dec.next_event()));
    }
    out
}

#[test]
fn lrc_vector_from_protocols_md() {
    assert_eq!(
        encode_frame(b"TEST").unwrap(),
        [0x02, 0x54, 0x45, 0x53, 0x54, 0x03, 0x15]
    );
    let events = decode_chunked(&[0x02, 0x54, 0x45, 0x53, 0x54, 0x03, 0x15], &[1]);
    assert_eq!(events, vec![Ok(LinkEvent::Frame(b"TEST".to_vec()))]);
}

#[test]
fn pin_block_travels_in_p1_and_decrypts() {
    let pik = TdesKey::from_hex("807A23AD32B36D457AE91FDF927570EA").unwrap();
    let clear = encode_pin_block("1234", "4000001234562000").unwrap();
    let msg = PadMessage::PinResult(PinOutcome::Ok(PinBlock(pik.encrypt_block(clear))));
    let frame = encode_frame(&msg.encode().unwrap()).unwrap();
    let events = decode_chunked(&frame, &[1]);
    let Ok(LinkEvent::Frame(payload)) = &events[0] else {
        panic!("{events:?}")
    };
    let PadMessage::PinResult(PinOutcome::Ok(block)) = PadMessage::parse(payload).unwrap() else {
        panic!()
    };
    assert_eq!(pik.decrypt_block(block.bytes()), clear);
    assert_eq!(format!("{msg:?}"), "PinResult(Ok(<pin block>))");
}

/// A POS and a pad link over a wire that loses the first copy of every frame: everything still
/// arrives, each after one retry, at exact virtual times.
#[test]
fn lossy_wire_costs_one_retry_per_frame() {
    let (mut pos, mut pad) = (Link::default(), Link::default());
    let mut now = Duration::ZERO;
    let start = PadMessage::Start {
        amount_minor: 1250,
        currency: 156,
        kind: TxnKind::Sale,
        entries: EntryModes::ALL,
    };
    pos.send(&start.encode().unwrap(), now).unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut received = vec![];
    let mut pos_out = vec![];
    for _ in 0..10 {
        while let Some(bytes) = pos.poll_transmit() {
            // Drop a frame the first time it is seen; ACKs always get through.
            if bytes.len() > 1 && seen.insert(bytes.clone()) {
                continue;
            }
            pad.handle_input(&bytes, now);
        }
        while let Some(bytes) = pad.poll_transmit() {
            pos.handle_input(&bytes, now);
        }
        while let Some(o) = pad.poll_output() {
            if let LinkOutput::Received(p) = o {
                received.push(PadMessage::parse(&p).unwrap());
            }
        }
        pos_out.extend(std::iter::from_fn(|| pos.poll_output()));
        match pos.poll_timeout() {
            Some(t) => {
                now = t;
                pos.handle_timeout(now);
            }
            None => break,
        }
    }
    assert_eq!(received, vec![start]);
    assert_eq!(pos_out, vec![LinkOutput::Delivered { attempts: 2 }]);
    assert_eq!(now, Duration::from_millis(3000));
}

fn pan() -> impl Strategy<Value = Pan> {
    "[0-9]{12,19}".prop_map(|s| Pan::new(&s).unwrap())
}

fn expiry() -> impl Strategy<Value = Expiry> {
    (0u8..100, 1u8..=12).prop_map(|(year, month)| Expiry { year, month })
}

fn track2() -> impl Strategy<Value = Track2> {
    (pan(), expiry(), "[0-9]{3}", "[0-9]{0,20}").prop_filter_map(
        "fits 37 characters",
        |(pan, expiry, sc, disc)| {
            let t = Track2 {
                pan,
                expiry,
                service_code: sc.as_bytes().try_into().unwrap(),
                discretionary: disc,
            };
            (t.to_ascii().len() <= 37).then_some(t)
        },
    )
}

fn message() -> impl Strategy<Value = PadMessage> {
    let kind = prop_oneof![
        Just(TxnKind::Sale),
        Just(TxnKind::Refund),
        Just(TxnKind::Void)
    ];
    let entries = (any::<bool>(), any::<bool>(), any::<bool>())
        .prop_filter("at least one", |(c, s, t)| *c || *s || *t)
        .prop_map(|(chip, swipe, tap)| EntryModes { chip, swipe, tap });
    let phase = prop_oneof![
        Just(PadPhase::WaitingForCard),
        Just(PadPhase::ChipInserted),
        Just(PadPhase::FallbackToSwipe),
        Just(PadPhase::Swiped),
        Just(PadPhase::PinEntry),
        Just(PadPhase::Authorising),
        Just(PadPhase::ContactlessRead),
        Just(PadPhase::RemoveCard),
    ];
    let entry = prop_oneof![
        Just(CardEntry::Chip),
        Just(CardEntry::Swipe),
        Just(CardEntry::Tap),
        Just(CardEntry::Fallback),
    ];
    let outcome = prop_oneof![
        any::<[u8; 8]>().prop_map(|b| PinOutcome::Ok(PinBlock(b))),
        Just(PinOutcome::Bypass),
        Just(PinOutcome::Cancel),
        Just(PinOutcome::Timeout),
    ];
    let amount = 0u64..=999_999_999_999;
    prop_oneof![
        (any::<[u8; 16]>(), any::<[u8; 4]>()).prop_map(|(pik_under_master, kcv)| {
            PadMessage::LoadPinKey {
                pik_under_master,
                kcv,
            }
        }),
        (amount.clone(), 0u16..1000, kind, entries).prop_map(
            |(amount_minor, currency, kind, entries)| PadMessage::Start {
                amount_minor,
                currency,
                kind,
                entries
            }
        ),
        (pan(), amount)
            .prop_map(|(pan, amount_minor)| PadMessage::RequestPin { pan, amount_minor }),
        "[ -~]{0,64}".prop_map(|text| PadMessage::Display { text }),
        Just(PadMessage::Abort),
        phase.prop_map(PadMessage::Phase),
        (
            entry,
            track2(),
            expiry(),
            proptest::collection::vec(any::<u8>(), 0..200)
        )
            .prop_map(|(entry, track2, expiry, icc_tlv)| PadMessage::Card {
                entry,
                track2,
                expiry,
                icc_tlv
            }),
        outcome.prop_map(PadMessage::PinResult),
        Just(PadMessage::CardRemoved),
        "[0-9A-Za-z]{1,8}".prop_map(|c| PadMessage::Answer {
            code: AnswerCode::new(&c).unwrap()
        }),
    ]
}

fn tlv() -> impl Strategy<Value = Tlv> {
    // Valid BER tags: one byte (low five bits not all set), or 1F-class first byte followed by
    // one or two more bytes, the last with its top bit clear.
    let prim_tag = prop_oneof![
        (0u32..=0xFF).prop_filter("single-byte primitive", |t| t & 0x1F != 0x1F
            && t & 0x20 == 0),
        (0u32..=0xFF, 0u32..0x80).prop_map(|(a, b)| ((a | 0x1F) & !0x20) << 8 | b),
        (0u32..=0xFF, 0x80u32..=0xFF, 0u32..0x80)
            .prop_map(|(a, b, c)| ((a | 0x1F) & !0x20) << 16 | b << 8 | c),
    ];
    let leaf = (prim_tag, proptest::collection::vec(any::<u8>(), 0..300))
        .prop_map(|(t, v)| Tlv::primitive(t, v));
    leaf.prop_recursive(3, 24, 4, |inner| {
        (
            (0u32..=0xFF).prop_map(|t| if t & 0x1F == 0x1F { t & !0x01 } else { t } | 0x20),
            proptest::collection::vec(inner, 0..4),
        )
            .prop_map(|(t, children)| Tlv::constructed(t, children))
    })
}

proptest! {
    #[test]
    fn frames_round_trip_in_any_chunking(
        units in proptest::collection::vec(
            prop_oneof![
                proptest::collection::vec(any::<u8>().prop_filter("not STX/ETX", |b| *b != STX && *b != ETX), 0..300)
                    .prop_map(LinkEvent::Frame),
                Just(LinkEvent::Ack),
                Just(LinkEvent::Nak),
            ],
            0..8,
        ),
        sizes in proptest::collection::vec(1usize..20, 1..8),
    ) {
        let mut bytes = vec![];
        for u in &units {
            match u {
                LinkEvent::Frame(p) => bytes.extend(encode_frame(p).unwrap()),
                LinkEvent::Ack => bytes.push(ACK),
                LinkEvent::Nak => bytes.push(NAK),
            }
        }
        let want: Vec<_> = units.into_iter().map(Ok).collect();
        prop_assert_eq!(decode_chunked(&bytes, &sizes), want.clone());
        prop_assert_eq!(decode_chunked(&bytes, &[1]), want);
    }

    #[test]
    fn messages_round_trip_through_frames(
        msgs in proptest::collection::vec(message(), 1..6),
        sizes in proptest::collection::vec(1usize..32, 1..8),
    ) {
        let mut bytes = vec![];
        for m in &msgs {
            bytes.extend(encode_frame(&m.encode().unwrap()).unwrap());
        }
        let back: Vec<PadMessage> = decode_chunked(&bytes, &sizes)
            .into_iter()
            .map(|ev| match ev {
                Ok(LinkEvent::Frame(p)) => PadMessage::parse(&p).unwrap(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        prop_assert_eq!(back, msgs);
    }

    #[test]
    fn garbage_never_panics_and_a_resent_frame_after_it_decodes(
        garbage in proptest::collection::vec(any::<u8>(), 0..600),
        msg in message(),
        sizes in proptest::collection::vec(1usize..16, 1..6),
    ) {
        let payload = msg.encode().unwrap();
        let frame = encode_frame(&payload).unwrap();
        // Noise can end in `STX … ETX`, which makes the next byte its LRC: the first copy of a
        // frame after it may be eaten, exactly as on a real line, and the sender's retry is what
        // recovers. So the property is about the retransmitted copy.
        let mut bytes = garbage.clone();
        bytes.extend(&frame);
        bytes.extend(&frame);
        let events = decode_chunked(&bytes, &sizes);
        let frames: Vec<_> = events.iter().filter_map(|e| match e {
            Ok(LinkEvent::Frame(p)) => Some(p.clone()),
            _ => None,
        }).collect();
        prop_assert_eq!(frames.last(), Some(&payload));
        for p in &frames {
            let _ = PadMessage::parse(p);
        }
    }

    #[test]
    fn noise_without_stx_never_costs_the_next_frame(
        garbage in proptest::collection::vec(any::<u8>().prop_filter("no STX", |b| *b != STX), 0..600),
        msg in message(),
    ) {
        let payload = msg.encode().unwrap();
        let mut bytes = garbage;
        bytes.extend(encode_frame(&payload).unwrap());
        let events = decode_chunked(&bytes, &[1]);
        prop_assert_eq!(events.last(), Some(&Ok(LinkEvent::Frame(payload))));
    }

    #[test]
    fn random_payloads_and_fields_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = PadMessage::parse(&bytes);
        let _ = decode_all(&bytes);
        let _ = Field55::parse(&bytes);
        let _ = Track2::from_bcd(&bytes, None);
        let _ = Track2::from_bcd(&bytes, Some(bytes.len()));
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = Track2::parse(text);
        }
        let mut link = Link::default();
        link.handle_input(&bytes, Duration::ZERO);
        while link.poll_output().is_some() {}
    }

    #[test]
    fn fields_separated_like_messages_never_panic(
        id in prop_oneof![Just("K0"), Just("S0"), Just("P0"), Just("D0"), Just("X0"), Just("E0"), Just("C0"), Just("P1"), Just("R0"), Just("A0")],
        fields in proptest::collection::vec("[ -~]{0,12}", 0..6),
    ) {
        let mut payload = id.to_string();
        for f in fields {
            payload.push('\u{1c}');
            payload.push_str(&f);
        }
        let _ = PadMessage::parse(payload.as_bytes());
    }

    #[test]
    fn tlv_round_trips(tlvs in proptest::collection::vec(tlv(), 0..5)) {
        let bytes = encode_all(&tlvs);
        prop_assert_eq!(decode_all(&bytes).unwrap(), tlvs);
    }

    #[test]
    fn truncated_tlv_is_an_error_not_a_panic(t in tlv(), cut in any::<prop::sample::Index>()) {
        let bytes = t.encode();
        let n = cut.index(bytes.len());
        prop_assert!(decode_all(&bytes[..n]).is_err() || n == 0);
    }

    #[test]
    fn track2_round_trips_ascii_and_bcd(t in track2()) {
        prop_assert_eq!(Track2::parse(&t.to_ascii()).unwrap(), t.clone());
        prop_assert_eq!(Track2::from_bcd(&t.to_bcd(), None).unwrap(), t.clone());
        prop_assert_eq!(Track2::from_bcd(&t.to_bcd(), Some(t.bcd_digits())).unwrap(), t.clone());
        let shown = format!("{t:?}");
        prop_assert!(!shown.contains(t.pan.as_str()));
    }

    /// The sender against an oracle: every frame is sent 1 + min(failures, 3) times, and is
    /// delivered iff an ACK comes within those tries.
    #[test]
    fn sender_matches_oracle(
        // For each frame: the answers to successive transmissions (true = ACK, false = NAK,
        // None = silence until the timeout).
        scripts in proptest::collection::vec(proptest::collection::vec(proptest::option::of(any::<bool>()), 0..6), 1..5),
    ) {
        let mut tx = Sender::default();
        let mut now = Duration::ZERO;
        for i in 0..scripts.len() {
            tx.send(format!("D0\u{1c}{i}").as_bytes(), now).unwrap();
        }
        let mut got = vec![];
        let mut want = vec![];
        for (i, script) in scripts.iter().enumerate() {
            let frame = encode_frame(format!("D0\u{1c}{i}").as_bytes()).unwrap();
            let mut attempts = 0u8;
            let mut outcome = None;
            for answer in script.iter().copied().chain(std::iter::repeat(None)) {
                prop_assert_eq!(tx.poll_transmit(), Some(frame.clone()));
                prop_assert_eq!(tx.poll_transmit(), None);
                attempts += 1;
                match answer {
                    Some(true) => { tx.on_ack(now); outcome = Some(SendOutcome::Delivered { attempts }); }
                    Some(false) => tx.on_nak(now),
                    None => {
                        prop_assert_eq!(tx.poll_timeout(), Some(now + Duration::from_millis(3000)));
                        now += Duration::from_millis(3000);
                        tx.handle_timeout(now);
                    }
                }
                if outcome.is_none() && attempts == 4 {
                    outcome = Some(SendOutcome::GaveUp { attempts });
                }
                if outcome.is_some() { break; }
            }
            want.push(outcome.unwrap());
            got.extend(std::iter::from_fn(|| tx.poll_outcome()));
        }
        prop_assert_eq!(got, want);
        prop_assert!(tx.is_idle());
    }
}
