//! Determinism of the wire formats: a message's bytes depend on its content only, never on the
//! order its fields were set in or on anything outside it, so the same run sends the same bytes
//! and the event log (which summarises frames) stays the same. A field store walked in insertion
//! or hash order breaks this test.

use posrig_protocols::crypto::MacKey;
use posrig_protocols::iso8583::{Message, Mti};

/// A purchase request's fields (number, value).
const FIELDS: [(u8, &str); 12] = [
    (2, "6222021000000000017"),
    (3, "000000"),
    (4, "000000001250"),
    (11, "000007"),
    (14, "2812"),
    (22, "051"),
    (25, "00"),
    (26, "12"),
    (41, "LANE0001"),
    (42, "898310048990001"),
    (49, "156"),
    (53, "2600000000000000"),
];

fn message(order: &[usize]) -> Message {
    let mut m = Message::new(Mti::FINANCIAL);
    for &i in order {
        let (field, value) = FIELDS[i];
        m.set(field, value)
            .unwrap_or_else(|e| panic!("field {field}: {e}"));
    }
    m
}

#[test]
fn a_message_encodes_the_same_whatever_order_its_fields_were_set_in() {
    let ascending: Vec<usize> = (0..FIELDS.len()).collect();
    let descending: Vec<usize> = ascending.iter().rev().copied().collect();
    let interleaved: Vec<usize> = ascending
        .iter()
        .step_by(2)
        .chain(ascending.iter().skip(1).step_by(2))
        .copied()
        .collect();
    let key = MacKey::from_bytes(&[0x2A; 8]).expect("an 8-byte MAC key");
    let mut reference = message(&ascending);
    reference.set_mac(&key);
    let bytes = reference.encode();
    for order in [&descending, &interleaved] {
        let mut m = message(order);
        m.set_mac(&key);
        assert_eq!(m.encode(), bytes, "fields set in order {order:?}");
        let present: Vec<u8> = m.fields().collect();
        let mut sorted = present.clone();
        sorted.sort_unstable();
        assert_eq!(present, sorted, "fields are listed in field order");
    }
    // Decoding and encoding again gives the very same bytes.
    assert_eq!(Message::decode(&bytes).unwrap().encode(), bytes);
}
