//! The stream decoder against built frames: byte at a time, many frames, skip-and-continue.

use posrig_protocols::iso8583::{
    transaction, Frame, FrameDecoder, FrameError, Header, ResponseCode, Tpdu,
};

use super::support::{chip_card, terminal};

fn frames() -> Vec<Frame> {
    let t = terminal();
    let tpdu = Tpdu::default();
    let header = Header::new([0x32, 0x00, 0x72], true);
    let purchase = transaction::purchase(&t, 12, 3, 99_900, &chip_card()).unwrap();
    let response = transaction::respond(&purchase, ResponseCode::InsufficientFunds).unwrap();
    let request_frame = Frame::new(tpdu, header, purchase);
    let response_frame = request_frame.reply(response);
    vec![
        Frame::new(
            tpdu,
            header,
            transaction::sign_on(&t, 11, 3, "001").unwrap(),
        ),
        request_frame,
        response_frame,
    ]
}

#[test]
fn byte_at_a_time_yields_every_frame() {
    let frames = frames();
    let stream: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
    let mut d = FrameDecoder::new();
    let mut got = Vec::new();
    for b in &stream {
        d.push(std::slice::from_ref(b));
        while let Some(f) = d.next_frame().unwrap() {
            got.push(f);
        }
    }
    assert_eq!(got, frames);
    assert_eq!(got[2].tpdu, got[1].tpdu.reply());
}

#[test]
fn a_malformed_frame_is_skipped_and_the_stream_goes_on() {
    let frames = frames();
    let mut bad = frames[0].encode();
    bad[15] = 0xFF; // MTI is not BCD
    let mut d = FrameDecoder::new();
    d.push(&bad);
    d.push(&frames[1].encode());
    assert!(matches!(d.next_frame(), Err(FrameError::Message(_))));
    assert_eq!(d.next_frame().unwrap(), Some(frames[1].clone()));
    assert_eq!(d.next_frame().unwrap(), None);
}

#[test]
fn debug_of_a_card_message_shows_no_pan() {
    let frames = frames();
    let shown = format!("{:?}", frames[1]);
    assert!(!shown.contains("6228480402564890018"), "{shown}");
    assert!(shown.contains("622848*********0018"), "{shown}");
}
