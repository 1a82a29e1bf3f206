//! One field's value: validation of a logical value, and its wire encoding and decoding by spec.
//!
//! Logical values are bytes: ASCII digits for `n`, digits and `=` for `z`, the bytes themselves
//! for `an`, `ans` and `b`. Lengths count digits for BCD contents and bytes otherwise.

use super::bcd;
use super::error::{FieldError, FieldProblem};
use super::spec::{FieldSpec, Length};

/// Check a logical value against its spec.
#[inline]
pub fn validate(spec: &FieldSpec, value: &[u8]) -> Result<(), FieldError> {
    let err = |problem| FieldError::new(spec.number, problem);
    match spec.length {
        Length::Fixed(n) if value.len() != usize::from(n) => {
            return Err(err(FieldProblem::WrongLength {
                len: value.len(),
                expected: usize::from(n),
            }))
        }
        Length::LlVar(max) | Length::LllVar(max) if value.len() > usize::from(max) => {
            return Err(err(FieldProblem::TooLong {
                len: value.len(),
                max: usize::from(max),
            }))
        }
        _ => {}
    }
    if let Some(at) = value.iter().position(|&c| !spec.content.allows(c)) {
        return Err(err(FieldProblem::BadCharacter { at }));
    }
    Ok(())
}

/// Append the wire form of a value that passed [`validate`].
#[inline]
pub fn encode(spec: &FieldSpec, value: &[u8], out: &mut Vec<u8>) {
    match spec.length.prefix_len() {
        0 => {}
        width => bcd::write_len(value.len(), width, out),
    }
    if spec.content.is_bcd() {
        bcd::pack(value, spec.justify, out);
    } else {
        out.extend_from_slice(value);
    }
}

/// Decode one field at the start of `input`, appending its logical value to `out`.
/// Returns the number of input bytes consumed. `out` is unchanged on error.
#[inline]
pub fn decode(spec: &FieldSpec, input: &[u8], out: &mut Vec<u8>) -> Result<usize, FieldError> {
    let err = |problem| FieldError::new(spec.number, problem);
    let prefix = spec.length.prefix_len();
    let count = match spec.length {
        Length::Fixed(n) => usize::from(n),
        Length::LlVar(max) | Length::LllVar(max) => {
            let Some(len_bytes) = input.get(..prefix) else {
                return Err(err(FieldProblem::Truncated {
                    needed: prefix,
                    available: input.len(),
                }));
            };
            let len = bcd::read_len(len_bytes).ok_or(err(FieldProblem::BadLengthPrefix))?;
            if len > usize::from(max) {
                return Err(err(FieldProblem::TooLong {
                    len,
                    max: usize::from(max),
                }));
            }
            len
        }
    };
    let body_len = if spec.content.is_bcd() {
        count.div_ceil(2)
    } else {
        count
    };
    let rest = &input[prefix..];
    let Some(body) = rest.get(..body_len) else {
        return Err(err(FieldProblem::Truncated {
            needed: prefix + body_len,
            available: input.len(),
        }));
    };
    if spec.content.is_bcd() {
        let track = spec.content == super::spec::Content::Track;
        bcd::unpack(body, count, spec.justify, track, out).map_err(err)?;
    } else {
        if let Some(at) = body.iter().position(|&c| !spec.content.allows(c)) {
            return Err(err(FieldProblem::BadCharacter { at }));
        }
        out.extend_from_slice(body);
    }
    Ok(prefix + body_len)
}

#[cfg(test)]
mod tests {
    use super::super::spec::field_spec;
    use super::*;

    fn round_trip(n: u8, value: &[u8]) -> Vec<u8> {
        let spec = field_spec(n).unwrap();
        validate(spec, value).unwrap();
        let mut wire = Vec::new();
        encode(spec, value, &mut wire);
        let mut back = Vec::new();
        assert_eq!(decode(spec, &wire, &mut back).unwrap(), wire.len());
        assert_eq!(back, value);
        wire
    }

    #[test]
    fn formats_of_section_7() {
        assert_eq!(round_trip(22, b"021"), [0x02, 0x10]);
        assert_eq!(round_trip(23, b"001"), [0x00, 0x01]);
        assert_eq!(
            round_trip(2, b"6228480402564890018"),
            [0x19, 0x62, 0x28, 0x48, 0x04, 0x02, 0x56, 0x48, 0x90, 0x01, 0x80]
        );
        assert_eq!(round_trip(35, b"1234=56"), [0x07, 0x12, 0x34, 0xD5, 0x60]);
        assert_eq!(round_trip(48, b"12"), [0x00, 0x02, 0x12]);
        assert_eq!(round_trip(63, b"001"), [0x00, 0x03, b'0', b'0', b'1']);
        assert_eq!(round_trip(41, b"ABC 1234"), b"ABC 1234");
    }

    #[test]
    fn decoding_rejects_bad_input_with_the_field_number() {
        let mut out = Vec::new();
        let f2 = field_spec(2).unwrap();
        assert_eq!(
            decode(f2, &[0x20, 0x12], &mut out).unwrap_err(),
            FieldError::new(2, FieldProblem::TooLong { len: 20, max: 19 })
        );
        assert!(matches!(
            decode(f2, &[0x04, 0x12], &mut out).unwrap_err().problem,
            FieldProblem::Truncated { .. }
        ));
        assert_eq!(
            decode(f2, &[0x1F], &mut out).unwrap_err().problem,
            FieldProblem::BadLengthPrefix
        );
        assert_eq!(
            decode(field_spec(3).unwrap(), &[0x00, 0x0A, 0x00], &mut out)
                .unwrap_err()
                .problem,
            FieldProblem::BadCharacter { at: 3 }
        );
        assert!(out.is_empty());
    }

    #[test]
    fn validation_checks_length_and_charset() {
        let f4 = field_spec(4).unwrap();
        assert!(validate(f4, b"12").is_err());
        assert!(validate(f4, b"00000000012a").is_err());
        assert!(validate(field_spec(41).unwrap(), b"ABC\n1234").is_err());
    }
}
