//! Malformed frames — salvage what can be read of a frame that did not decode and answer `30`
//! format error; when not even the MTI can be read, there is nobody to answer and the caller
//! closes the connection.

use posrig_protocols::iso8583::{DecodeError, Frame, Header, Message, Mti, ResponseCode, Tpdu};

use super::handlers::response;

/// Bytes before the MTI in a frame payload: TPDU and header.
const PREFIX: usize = Tpdu::LEN + Header::LEN;

/// The encoded `30` answer to a payload that did not decode, with the fields before the faulty
/// one echoed (STAN, terminal id, …) where they could be read; `None` if no answer is possible
/// (no MTI, or a response MTI).
pub(crate) fn format_error_reply(payload: &[u8], err: &DecodeError) -> Option<(Mti, Vec<u8>)> {
    let tpdu = Tpdu::from_bytes(payload.get(..Tpdu::LEN)?.try_into().ok()?);
    let header = Header(payload.get(Tpdu::LEN..PREFIX)?.try_into().ok()?);
    let body = &payload[PREFIX..];
    let mti = Mti::from_bcd(body.get(..2)?.try_into().ok()?)?;
    if mti.is_response() {
        return None;
    }
    let salvaged = salvage(body, err).unwrap_or_else(|| Message::new(mti));
    let reply = response(&salvaged, ResponseCode::FormatError);
    Some((mti, Frame::new(tpdu.reply(), header, reply).encode()))
}

/// The message made of the fields before the one that failed to decode.
fn salvage(body: &[u8], err: &DecodeError) -> Option<Message> {
    let first_bad = match err {
        DecodeError::Field(e) => e.field,
        DecodeError::UnknownField(f) => *f,
        DecodeError::TrailingBytes(_) => 65,
        _ => return None,
    };
    let mut masked = body.get(..10)?.to_vec();
    for n in (first_bad..=64).chain([1]) {
        let bit = usize::from(n - 1);
        masked[2 + bit / 8] &= !(0x80 >> (bit % 8));
    }
    masked.extend_from_slice(&body[10..]);
    match Message::decode(&masked) {
        Ok(m) => Some(m),
        Err(DecodeError::TrailingBytes(n)) => Message::decode(&masked[..masked.len() - n]).ok(),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_protocols::iso8583::{transaction, Terminal};

    #[test]
    fn stan_and_terminal_survive_a_bad_later_field() {
        let t = Terminal::new("LANE0001", "898310048990001").unwrap();
        let msg = transaction::echo_test(&t, 42, 1).unwrap();
        let mut bytes = Frame::new(Tpdu::default(), Header::default(), msg).encode();
        // Field 60's LLLVAR length is the last field: make its BCD length non-BCD.
        let len = bytes.len();
        let at = len - 8; // 2 length bytes + 6 value bytes of an 11-digit field 60
        bytes[at] = 0xAA;
        let payload = &bytes[2..];
        let err = Frame::decode_payload(payload).unwrap_err();
        let (mti, reply) = format_error_reply(payload, &err).expect("an answer");
        assert_eq!(mti, Mti::NETWORK_ADVICE);
        let reply = Frame::decode(&reply).unwrap();
        assert_eq!(reply.message.mti(), Mti::NETWORK_ADVICE_RESPONSE);
        assert_eq!(
            reply.message.response_code(),
            Some(ResponseCode::FormatError)
        );
        assert_eq!(reply.message.stan(), Some(42));
        assert_eq!(reply.message.terminal_id(), Some("LANE0001"));
    }
}
