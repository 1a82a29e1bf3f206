//! Targeted error cases: every malformed input gives a typed error naming what is wrong.

use posrig_protocols::iso8583::{
    DecodeError, FieldError, FieldProblem, Frame, FrameDecoder, FrameError, Message, Mti,
};

use super::support::sample_frame;

fn body() -> Vec<u8> {
    sample_frame()[13..].to_vec()
}

#[test]
fn truncated_frame_is_a_length_error_or_waits() {
    let bytes = sample_frame();
    assert!(matches!(
        Frame::decode(&bytes[..100]),
        Err(FrameError::BadLength { len: 127, .. })
    ));
    // A stream decoder just waits for the rest.
    let mut d = FrameDecoder::new();
    d.push(&bytes[..100]);
    assert_eq!(d.next_frame(), Ok(None));
}

#[test]
fn truncated_body_names_the_field() {
    let body = body();
    // Cut inside field 62 (starts after 49 at body offset 10+3+6+3+2+1+8+15+3+2+10 = 63).
    let err = Message::decode(&body[..70]).unwrap_err();
    assert!(
        matches!(
            err,
            DecodeError::Field(FieldError {
                field: 62,
                problem: FieldProblem::Truncated { .. }
            })
        ),
        "{err}"
    );
    assert_eq!(
        Message::decode(&body[..5]),
        Err(DecodeError::Truncated { what: "bitmap" })
    );
    assert_eq!(
        Message::decode(&body[..1]),
        Err(DecodeError::Truncated { what: "MTI" })
    );
}

#[test]
fn wrong_length_prefix() {
    let mut bytes = sample_frame();
    bytes[1] = 0x7E;
    assert!(matches!(
        Frame::decode(&bytes),
        Err(FrameError::BadLength { len: 126, .. })
    ));
    // One byte too many inside a correct length prefix: trailing bytes after field 64.
    let mut longer = sample_frame();
    longer.push(0);
    longer[1] = 0x80;
    assert_eq!(
        Frame::decode(&longer),
        Err(FrameError::Message(DecodeError::TrailingBytes(1)))
    );
    // An absurd prefix on a stream is fatal.
    let mut d = FrameDecoder::with_max_len(1024);
    d.push(&[0xFF, 0xFF, 1, 2, 3]);
    let err = d.next_frame().unwrap_err();
    assert!(err.is_fatal(), "{err}");
}

#[test]
fn bad_bitmaps() {
    let mut b = body();
    b[2] |= 0x80;
    assert_eq!(Message::decode(&b), Err(DecodeError::SecondaryBitmap));
    let mut b = body();
    b[2] |= 0x08; // field 5
    assert_eq!(Message::decode(&b), Err(DecodeError::UnknownField(5)));
    let mut b = body();
    b[9] |= 0x01; // field 64 again: still known, so the message is now short by nothing; use 63
    b[9] = 0x17; // fields 60, 62, 63, 64
    assert!(Message::decode(&b).is_err());
}

#[test]
fn non_bcd_digit_names_the_field() {
    let mut b = body();
    b[10 + 3 + 5] = 0x3A; // last byte of field 4
    assert_eq!(
        Message::decode(&b),
        Err(DecodeError::Field(FieldError {
            field: 4,
            problem: FieldProblem::BadCharacter { at: 11 }
        }))
    );
    let mut b = body();
    b[0] = 0x0B;
    assert_eq!(Message::decode(&b), Err(DecodeError::BadMti([0x0B, 0x00])));
}

#[test]
fn oversized_lllvar() {
    let mut b = body();
    // Field 62 length prefix at body offset 63: 0x0043 → 0x0513 (513 > 512).
    assert_eq!(&b[63..65], [0x00, 0x43]);
    b[63] = 0x05;
    b[64] = 0x13;
    assert_eq!(
        Message::decode(&b),
        Err(DecodeError::Field(FieldError {
            field: 62,
            problem: FieldProblem::TooLong { len: 513, max: 512 }
        }))
    );
    // Field 60 (n..19) announcing 20 digits.
    let mut b = body();
    assert_eq!(&b[51..53], [0x00, 0x19]);
    b[52] = 0x20;
    assert!(matches!(
        Message::decode(&b),
        Err(DecodeError::Field(FieldError {
            field: 60,
            problem: FieldProblem::TooLong { .. }
        }))
    ));
    // A non-BCD length prefix.
    let mut b = body();
    b[64] = 0x4A;
    assert!(matches!(
        Message::decode(&b),
        Err(DecodeError::Field(FieldError {
            field: 62,
            problem: FieldProblem::BadLengthPrefix
        }))
    ));
}

#[test]
fn setters_refuse_values_outside_the_spec() {
    let mut m = Message::new(Mti::FINANCIAL);
    assert_eq!(
        m.set(2, "62284804025648900181").unwrap_err().problem,
        FieldProblem::TooLong { len: 20, max: 19 }
    );
    assert!(m.set(35, "6228=12A").is_err());
    assert!(m.set(64, [0u8; 7]).is_err());
    assert!(m.set(62, vec![0u8; 513]).is_err());
    assert!(m.set(62, vec![0u8; 512]).is_ok());
    assert!(m.set_amount_minor(1_000_000_000_000).is_err());
}
