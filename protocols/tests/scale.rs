//! Scale integration tests: replies and requests round-trip in any chunking; garbage never
//! panics and the next frame after it decodes.

use posrig_protocols::scale::{
    encode_reply, encode_request, ReplyDecoder, RequestDecoder, ScaleError, ScaleReply,
    ScaleRequest, ScaleStatus, MAX_GRAMS,
};
use proptest::prelude::*;

fn reply() -> impl Strategy<Value = ScaleReply> {
    prop_oneof![
        (0..=MAX_GRAMS).prop_map(|grams| ScaleReply::Weight { grams }),
        (0u8..8).prop_map(|s| ScaleReply::Status(ScaleStatus::from_byte(s))),
    ]
}

fn decode_chunked(bytes: &[u8], sizes: &[usize]) -> Vec<Result<ScaleReply, ScaleError>> {
    let mut d = ReplyDecoder::new();
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        i += 1;
        d.push(&rest[..n]);
        rest = &rest[n..];
        out.extend(d.by_ref());
    }
    out
}

proptest! {
    #[test]
    fn replies_round_trip_with_random_chunking(
        replies in prop::collection::vec(reply(), 0..30),
        sizes in prop::collection::vec(1usize..10, 1..6),
    ) {
        let mut bytes = Vec::new();
        for &r in &replies {
            encode_reply(r, &mut bytes).unwrap();
        }
        let expected: Vec<_> = replies.iter().copied().map(Ok).collect();
        prop_assert_eq!(decode_chunked(&bytes, &sizes), expected.clone());
        prop_assert_eq!(decode_chunked(&bytes, &[1]), expected);
    }

    #[test]
    fn requests_round_trip(n in 0usize..20) {
        let mut bytes = Vec::new();
        for _ in 0..n {
            encode_request(&mut bytes);
        }
        let mut d = RequestDecoder::new();
        for c in &bytes {
            d.push(std::slice::from_ref(c));
        }
        prop_assert_eq!(d.collect::<Vec<_>>(), vec![Ok(ScaleRequest::Weigh); n]);
    }

    #[test]
    fn garbage_never_panics_and_the_decoder_resyncs(
        garbage in prop::collection::vec(any::<u8>(), 0..200),
        sizes in prop::collection::vec(1usize..10, 1..6),
    ) {
        let mut bytes = garbage.clone();
        // Two CRs close any frame the garbage left open (one may be taken as a status byte).
        bytes.extend_from_slice(b"\r\r\x0201.250\r");
        let got = decode_chunked(&bytes, &sizes);
        prop_assert_eq!(got.last(), Some(&Ok(ScaleReply::Weight { grams: 1250 })));
        let mut d = RequestDecoder::new();
        d.push(&garbage);
        d.push(b"W");
        prop_assert_eq!(d.last(), Some(Ok(ScaleRequest::Weigh)));
    }
}
