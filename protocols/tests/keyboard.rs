//! POS keyboard integration tests: every key round-trips in any chunking; garbage never panics
//! and the next line after it decodes.

use posrig_protocols::keyboard::{encode, Decoder, Key};
use proptest::prelude::*;

fn decode_chunked(
    bytes: &[u8],
    sizes: &[usize],
) -> Vec<Result<Key, posrig_protocols::keyboard::KeyError>> {
    let mut d = Decoder::new();
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
    fn round_trip_with_random_chunking(
        keys in prop::collection::vec(prop::sample::select(Key::ALL), 0..50),
        crlf in any::<bool>(),
        sizes in prop::collection::vec(1usize..12, 1..6),
    ) {
        let mut bytes = Vec::new();
        for &k in &keys {
            encode(k, &mut bytes);
            if crlf {
                bytes.push(b'\n');
            }
        }
        let expected: Vec<_> = keys.iter().copied().map(Ok).collect();
        prop_assert_eq!(decode_chunked(&bytes, &sizes), expected.clone());
        prop_assert_eq!(decode_chunked(&bytes, &[1]), expected);
    }

    #[test]
    fn garbage_never_panics_and_the_decoder_resyncs(
        garbage in prop::collection::vec(any::<u8>(), 0..300),
        sizes in prop::collection::vec(1usize..12, 1..6),
    ) {
        let mut bytes = garbage;
        bytes.extend_from_slice(b"\rSUPERVISOR\r");
        let got = decode_chunked(&bytes, &sizes);
        prop_assert_eq!(got.last(), Some(&Ok(Key::Supervisor)));
    }
}
