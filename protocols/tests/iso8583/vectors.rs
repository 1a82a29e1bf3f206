//! The published vectors of PROTOCOLS.md §7: the sample frame and the sign-on keys.

use posrig_protocols::crypto::{DesKey, MacKey, TdesKey};
use posrig_protocols::iso8583::{
    Field60, Frame, FrameDecoder, Header, HostRequest, Mti, SignOnError, Tpdu, WorkingKeys,
};

use super::support::sample_frame;

#[test]
fn sample_frame_decodes_field_by_field() {
    let frame = Frame::decode(&sample_frame()).unwrap();
    assert_eq!(frame.tpdu, Tpdu::new([0x00, 0x03], [0x00, 0x00]));
    assert_eq!(frame.header, Header([0x60, 0x32, 0x10, 0x32, 0x00, 0x72]));
    assert!(frame.header.is_test_mode());
    assert_eq!(frame.header.host_request(), HostRequest::None);
    let m = &frame.message;
    assert_eq!(m.mti(), Mti::FINANCIAL);
    assert_eq!(
        m.fields().collect::<Vec<_>>(),
        [3, 4, 11, 22, 25, 41, 42, 49, 60, 62, 64]
    );
    assert_eq!(m.processing_code(), Some("000000"));
    assert_eq!(m.amount_minor(), Some(1234));
    assert_eq!(m.stan(), Some(2));
    assert_eq!(m.entry_mode(), Some("030"));
    assert_eq!(m.condition_code(), Some("99"));
    assert_eq!(m.terminal_id(), Some("00000001"));
    assert_eq!(m.merchant_id(), Some("952718182217875"));
    assert_eq!(m.currency(), Some("156"));
    assert_eq!(m.get_str(60), Some("2600000100060000000"));
    let f60: Field60 = m.field60().unwrap().unwrap();
    assert_eq!(
        (f60.txn_type, f60.batch, f60.network_code),
        (26, 1, Some(0))
    );
    assert_eq!(m.reserved62().unwrap().len(), 43);
    assert_eq!(m.mac(), Some(*b"B3A092AE"));
}

#[test]
fn sample_frame_re_encodes_byte_identically() {
    let bytes = sample_frame();
    let frame = Frame::decode(&bytes).unwrap();
    assert_eq!(frame.encode(), bytes);
}

#[test]
fn sample_frame_mac_verifies() {
    let bytes = sample_frame();
    let frame = Frame::decode(&bytes).unwrap();
    let key = MacKey::Single(DesKey::from_hex("0723C80DB5F4CD3D").unwrap());
    assert_eq!(frame.message.mac_data(), &bytes[13..bytes.len() - 8]);
    assert!(frame.message.verify_mac(&key));
    let wrong = MacKey::Single(DesKey::from_hex("0723C80DB5F4CD3E").unwrap());
    assert!(!frame.message.verify_mac(&wrong));

    let mut m = frame.message.clone();
    m.remove(64);
    assert!(!m.verify_mac(&key));
    m.set_mac(&key);
    assert_eq!(m, frame.message);
}

#[test]
fn sample_frame_byte_at_a_time() {
    let bytes = sample_frame();
    let mut d = FrameDecoder::new();
    let mut frames = Vec::new();
    for b in bytes.iter().chain(&bytes) {
        d.push(std::slice::from_ref(b));
        while let Some(f) = d.next_frame().unwrap() {
            frames.push(f);
        }
    }
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0], frames[1]);
    assert_eq!(frames[0].encode(), bytes);
    assert_eq!(d.buffered(), 0);
}

const TMK: &str = "CA5D92598DCA48CE8A4C76361A9269E9";

fn vector_field62() -> Vec<u8> {
    let mut f = Vec::new();
    f.extend(hex::decode("6701EAD6A9AD51E51AA406E2C27FCFA9").unwrap());
    f.extend(hex::decode("8D0A74B8").unwrap());
    f.extend(hex::decode("B651F9E9BACE9AE1").unwrap());
    f.extend([0u8; 8]);
    f.extend(hex::decode("AB7153CA").unwrap());
    f
}

#[test]
fn sign_on_field_62_vector() {
    let tmk = TdesKey::from_hex(TMK).unwrap();
    let field62 = vector_field62();
    assert_eq!(field62.len(), 40);
    let keys = WorkingKeys::from_field62(&field62, &tmk).unwrap();
    assert_eq!(
        hex::encode_upper(keys.pik.bytes()),
        "807A23AD32B36D457AE91FDF927570EA"
    );
    match &keys.mak {
        MacKey::Single(k) => assert_eq!(hex::encode_upper(k.bytes()), "5BB5C72CD00B7338"),
        other => panic!("expected a single-DES MAK, got {other:?}"),
    }
    // The host-side builder gives back the same 40 bytes.
    assert_eq!(keys.to_field62(&tmk).to_vec(), field62);
}

#[test]
fn sign_on_field_62_check_values_are_checked() {
    let tmk = TdesKey::from_hex(TMK).unwrap();
    let mut bad_pik = vector_field62();
    bad_pik[16] ^= 1;
    assert!(matches!(
        WorkingKeys::from_field62(&bad_pik, &tmk),
        Err(SignOnError::PikCheckValue { .. })
    ));
    let mut bad_mak = vector_field62();
    bad_mak[39] ^= 1;
    assert!(matches!(
        WorkingKeys::from_field62(&bad_mak, &tmk),
        Err(SignOnError::MakCheckValue { .. })
    ));
    assert_eq!(
        WorkingKeys::from_field62(&[0; 39], &tmk),
        Err(SignOnError::WrongLength(39))
    );
}
