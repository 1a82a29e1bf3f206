//! BER-TLV as EMV uses it: multi-byte tags (`9F26`, `5F2A`), short and long lengths (`81 xx`,
//! `82 xx xx`), constructed tags holding nested TLVs.

use std::fmt;

/// Nesting deeper than this is refused: EMV data nests two or three levels, and a bound keeps
/// hostile input from exhausting the stack.
pub const MAX_DEPTH: usize = 16;

/// A BER tag, held as its encoded bytes read big-endian (`Tag(0x9F26)`, `Tag(0x82)`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub u32);

impl Tag {
    /// The tag's bytes on the wire (no leading zero bytes; `Tag(0)` is the single byte `00`).
    pub fn to_bytes(self) -> Vec<u8> {
        let bytes = self.0.to_be_bytes();
        let skip = bytes.iter().take(3).take_while(|b| **b == 0).count();
        bytes[skip..].to_vec()
    }

    /// Whether the tag says its value is a sequence of TLVs (bit 6 of the first byte).
    pub fn is_constructed(self) -> bool {
        self.to_bytes()[0] & 0x20 != 0
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({})", hex::encode_upper(self.to_bytes()))
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(self.to_bytes()))
    }
}

/// One data object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlv {
    pub tag: Tag,
    pub value: TlvValue,
}

/// A data object's value: bytes, or (for a constructed tag) more data objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlvValue {
    Primitive(Vec<u8>),
    Constructed(Vec<Tlv>),
}

/// Why bytes did not parse as BER-TLV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    /// The input ended inside a tag, a length or a value.
    #[error("read TLV at offset {offset}: truncated {what}")]
    Truncated { offset: usize, what: &'static str },
    /// A tag of more than 4 bytes.
    #[error("read TLV at offset {offset}: tag longer than 4 bytes")]
    TagTooLong { offset: usize },
    /// Indefinite length (`80`) or a length of more than 4 bytes.
    #[error("read TLV at offset {offset}: unsupported length byte {byte:#04x}")]
    BadLength { offset: usize, byte: u8 },
    #[error("read TLV: nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

impl Tlv {
    pub fn primitive(tag: u32, value: impl Into<Vec<u8>>) -> Self {
        Self {
            tag: Tag(tag),
            value: TlvValue::Primitive(value.into()),
        }
    }

    pub fn constructed(tag: u32, children: Vec<Tlv>) -> Self {
        Self {
            tag: Tag(tag),
            value: TlvValue::Constructed(children),
        }
    }

    /// The value's bytes if primitive.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.value {
            TlvValue::Primitive(v) => Some(v),
            TlvValue::Constructed(_) => None,
        }
    }

    /// Append the encoding to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend(self.tag.to_bytes());
        let value = match &self.value {
            TlvValue::Primitive(v) => std::borrow::Cow::Borrowed(v.as_slice()),
            TlvValue::Constructed(children) => std::borrow::Cow::Owned(encode_all(children)),
        };
        encode_length(value.len(), out);
        out.extend_from_slice(&value);
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }
}

/// Encode a sequence of data objects back to back.
pub fn encode_all(tlvs: &[Tlv]) -> Vec<u8> {
    let mut out = Vec::new();
    for t in tlvs {
        t.encode_into(&mut out);
    }
    out
}

/// Decode a sequence of data objects filling `bytes` exactly. Constructed tags are decoded into
/// their children.
pub fn decode_all(bytes: &[u8]) -> Result<Vec<Tlv>, TlvError> {
    decode_seq(bytes, 0, 0)
}

/// The first data object with `tag`, searching depth-first through constructed ones.
pub fn find(tlvs: &[Tlv], tag: u32) -> Option<&Tlv> {
    tlvs.iter().find_map(|t| {
        if t.tag == Tag(tag) {
            return Some(t);
        }
        match &t.value {
            TlvValue::Constructed(children) => find(children, tag),
            TlvValue::Primitive(_) => None,
        }
    })
}

fn encode_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = (len as u64).to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    out.push(0x80 | (8 - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

fn decode_seq(bytes: &[u8], base: usize, depth: usize) -> Result<Vec<Tlv>, TlvError> {
    if depth > MAX_DEPTH {
        return Err(TlvError::TooDeep);
    }
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let (tlv, used) = decode_one(&bytes[pos..], base + pos, depth)?;
        out.push(tlv);
        pos += used;
    }
    Ok(out)
}

fn decode_one(bytes: &[u8], base: usize, depth: usize) -> Result<(Tlv, usize), TlvError> {
    let truncated = |what| TlvError::Truncated { offset: base, what };
    let first = *bytes.first().ok_or(truncated("tag"))?;
    let mut tag = u32::from(first);
    let mut pos = 1;
    if first & 0x1F == 0x1F {
        // Subsequent tag bytes continue while their top bit is set.
        loop {
            let b = *bytes.get(pos).ok_or(truncated("tag"))?;
            pos += 1;
            if pos > 4 {
                return Err(TlvError::TagTooLong { offset: base });
            }
            tag = (tag << 8) | u32::from(b);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let len_byte = *bytes.get(pos).ok_or(truncated("length"))?;
    pos += 1;
    let len = if len_byte < 0x80 {
        usize::from(len_byte)
    } else {
        let n = usize::from(len_byte & 0x7F);
        if n == 0 || n > 4 {
            return Err(TlvError::BadLength {
                offset: base + pos - 1,
                byte: len_byte,
            });
        }
        let len_bytes = bytes.get(pos..pos + n).ok_or(truncated("length"))?;
        pos += n;
        len_bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    let end = pos.checked_add(len).ok_or(truncated("value"))?;
    let value = bytes.get(pos..end).ok_or(truncated("value"))?;
    let tag = Tag(tag);
    let value = if tag.is_constructed() {
        TlvValue::Constructed(decode_seq(value, base + pos, depth + 1)?)
    } else {
        TlvValue::Primitive(value.to_vec())
    };
    Ok((Tlv { tag, value }, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_byte_tags_and_short_lengths() {
        let t = Tlv::primitive(0x9F26, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(hex::encode_upper(t.encode()), "9F26080102030405060708");
        let t = Tlv::primitive(0x5F2A, [0x01, 0x56]);
        assert_eq!(hex::encode_upper(t.encode()), "5F2A020156");
        assert_eq!(decode_all(&t.encode()).unwrap(), vec![t]);
    }

    #[test]
    fn long_form_lengths() {
        let t = Tlv::primitive(0x9F10, vec![0xAA; 200]);
        assert_eq!(&t.encode()[..4], &[0x9F, 0x10, 0x81, 200]);
        let t = Tlv::primitive(0x9F10, vec![0xAA; 300]);
        assert_eq!(&t.encode()[..5], &[0x9F, 0x10, 0x82, 0x01, 0x2C]);
        assert_eq!(decode_all(&t.encode()).unwrap(), vec![t]);
        // A long form is accepted even where the short form would do.
        assert_eq!(
            decode_all(&[0x82, 0x81, 0x02, 0x39, 0x00]).unwrap(),
            vec![Tlv::primitive(0x82, [0x39, 0x00])]
        );
    }

    #[test]
    fn nested_constructed_tags() {
        let t = Tlv::constructed(
            0x70,
            vec![
                Tlv::primitive(0x57, [0x62, 0x22]),
                Tlv::constructed(0xA5, vec![Tlv::primitive(0x9F38, [0x9F, 0x02, 0x06])]),
            ],
        );
        let bytes = t.encode();
        assert_eq!(hex::encode_upper(&bytes), "700C57026222A5069F38039F0206");
        let back = decode_all(&bytes).unwrap();
        assert_eq!(back, vec![t]);
        assert_eq!(
            find(&back, 0x9F38).unwrap().bytes(),
            Some(&[0x9F, 0x02, 0x06][..])
        );
    }

    #[test]
    fn truncation_and_bad_lengths_are_errors() {
        assert!(matches!(
            decode_all(&[0x9F]),
            Err(TlvError::Truncated { what: "tag", .. })
        ));
        assert!(matches!(
            decode_all(&[0x9F, 0x26]),
            Err(TlvError::Truncated { what: "length", .. })
        ));
        assert!(matches!(
            decode_all(&[0x9F, 0x26, 0x08, 1]),
            Err(TlvError::Truncated { what: "value", .. })
        ));
        assert!(matches!(
            decode_all(&[0x82, 0x82, 0x01]),
            Err(TlvError::Truncated { what: "length", .. })
        ));
        assert!(matches!(
            decode_all(&[0x82, 0x80]),
            Err(TlvError::BadLength { .. })
        ));
        assert!(matches!(
            decode_all(&[0x9F, 0xFF, 0xFF, 0xFF, 0x01]),
            Err(TlvError::TagTooLong { .. })
        ));
        assert!(matches!(
            decode_all(&[0x70, 0x02, 0x9F, 0x26]),
            Err(TlvError::Truncated { .. })
        ));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut bytes = vec![];
        for _ in 0..40 {
            let mut outer = vec![0x70];
            encode_length(bytes.len(), &mut outer);
            outer.extend(bytes);
            bytes = outer;
        }
        assert_eq!(decode_all(&bytes), Err(TlvError::TooDeep));
    }
}
