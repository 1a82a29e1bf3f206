//! A message: MTI plus fields, with encoding to and decoding from the body bytes
//! (MTI, bitmap, fields) and the field 64 MAC.
//!
//! Field values live in one buffer with a span per field, so decoding a message allocates once.

use std::fmt;

use super::bitmap::Bitmap;
use super::error::{DecodeError, FieldError, FieldProblem};
use super::field;
use super::mti::Mti;
use super::spec::{field_spec, Content};
use crate::crypto::{cup_ecb_mac, MacKey};

#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
}

/// An ISO 8583 message of the CUP POS layout.
///
/// Values are logical bytes: ASCII digits for `n` fields, digits and `=` for track data, the
/// bytes themselves for `an`, `ans` and `b`. Every setter validates against the field table, so
/// a `Message` always encodes.
#[derive(Clone)]
pub struct Message {
    mti: Mti,
    present: Bitmap,
    spans: [Span; 65],
    data: Vec<u8>,
}

impl Message {
    /// An empty message of this type.
    pub fn new(mti: Mti) -> Self {
        Self {
            mti,
            present: Bitmap::empty(),
            spans: [Span::default(); 65],
            data: Vec::new(),
        }
    }

    pub fn mti(&self) -> Mti {
        self.mti
    }

    pub fn set_mti(&mut self, mti: Mti) {
        self.mti = mti;
    }

    /// Which fields are present.
    pub fn bitmap(&self) -> Bitmap {
        self.present
    }

    pub fn has(&self, field: u8) -> bool {
        self.present.contains(field)
    }

    /// Present field numbers, ascending.
    pub fn fields(&self) -> impl Iterator<Item = u8> + '_ {
        self.present.fields()
    }

    /// The logical value of a field.
    #[inline]
    pub fn get(&self, field: u8) -> Option<&[u8]> {
        if !self.present.contains(field) {
            return None;
        }
        let s = self.spans[usize::from(field)];
        Some(&self.data[s.start as usize..(s.start + s.len) as usize])
    }

    /// The value of a text-like field as `&str` (`None` if absent or not UTF-8).
    pub fn get_str(&self, field: u8) -> Option<&str> {
        std::str::from_utf8(self.get(field)?).ok()
    }

    /// Set a field after checking the value against the field table.
    pub fn set(&mut self, field: u8, value: impl AsRef<[u8]>) -> Result<&mut Self, FieldError> {
        let value = value.as_ref();
        let spec = field_spec(field).ok_or(FieldError::new(field, FieldProblem::NotInSpec))?;
        field::validate(spec, value)?;
        self.store(field, value);
        Ok(self)
    }

    /// Builder form of [`Message::set`].
    pub fn with(mut self, field: u8, value: impl AsRef<[u8]>) -> Result<Self, FieldError> {
        self.set(field, value)?;
        Ok(self)
    }

    fn store(&mut self, field: u8, value: &[u8]) {
        let slot = self.spans[usize::from(field)];
        if self.present.contains(field) {
            if slot.len as usize == value.len() {
                let start = slot.start as usize;
                self.data[start..start + value.len()].copy_from_slice(value);
                return;
            }
            if (slot.start + slot.len) as usize == self.data.len() {
                self.data.truncate(slot.start as usize);
            }
        }
        // Replaced values leave dead bytes behind; a live message is under 2 KiB, so compacting
        // past 8 KiB bounds the waste of a long-lived, often-edited message.
        if self.data.len() > 8192 {
            self.present.remove(field);
            self.compact();
        }
        let slot = &mut self.spans[usize::from(field)];
        slot.start = self.data.len() as u32;
        slot.len = value.len() as u32;
        self.data.extend_from_slice(value);
        self.present.insert(field);
    }

    /// Rewrite the buffer without the bytes of replaced or removed values.
    fn compact(&mut self) {
        let mut data = Vec::with_capacity(self.data.len());
        for f in self.present.fields() {
            let s = &mut self.spans[usize::from(f)];
            let start = data.len() as u32;
            data.extend_from_slice(&self.data[s.start as usize..(s.start + s.len) as usize]);
            s.start = start;
        }
        self.data = data;
    }

    /// Remove a field; returns whether it was present.
    pub fn remove(&mut self, field: u8) -> bool {
        let was = self.present.contains(field);
        if was {
            self.present.remove(field);
        }
        was
    }

    /// Append the body: MTI, bitmap, fields.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        self.encode_with(out, self.present, |_| true);
    }

    /// The body bytes: MTI, bitmap, fields.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 10);
        self.encode_into(&mut out);
        out
    }

    #[inline]
    fn encode_with(&self, out: &mut Vec<u8>, bitmap: Bitmap, include: impl Fn(u8) -> bool) {
        out.reserve(10 + self.data.len());
        out.extend_from_slice(&self.mti.to_bcd());
        out.extend_from_slice(&bitmap.to_bytes());
        for f in self.present.fields().filter(|&f| include(f)) {
            let spec = field_spec(f).expect("a stored field is in the spec table");
            let s = self.spans[usize::from(f)];
            field::encode(
                spec,
                &self.data[s.start as usize..(s.start + s.len) as usize],
                out,
            );
        }
    }

    /// Decode a body (MTI, bitmap, fields) that must be consumed exactly.
    pub fn decode(body: &[u8]) -> Result<Self, DecodeError> {
        let (mti_bytes, rest) = body
            .split_first_chunk::<2>()
            .ok_or(DecodeError::Truncated { what: "MTI" })?;
        let mti = Mti::from_bcd(*mti_bytes).ok_or(DecodeError::BadMti(*mti_bytes))?;
        let (bitmap_bytes, mut rest) = rest
            .split_first_chunk::<8>()
            .ok_or(DecodeError::Truncated { what: "bitmap" })?;
        let present = Bitmap::from_bytes(*bitmap_bytes);
        if present.contains(1) {
            return Err(DecodeError::SecondaryBitmap);
        }
        let mut msg = Self {
            mti,
            present,
            spans: [Span::default(); 65],
            data: Vec::with_capacity(rest.len() * 2),
        };
        for f in present.fields() {
            let spec = field_spec(f).ok_or(DecodeError::UnknownField(f))?;
            let start = msg.data.len();
            let used = field::decode(spec, rest, &mut msg.data)?;
            msg.spans[usize::from(f)] = Span {
                start: start as u32,
                len: (msg.data.len() - start) as u32,
            };
            rest = &rest[used..];
        }
        if !rest.is_empty() {
            return Err(DecodeError::TrailingBytes(rest.len()));
        }
        Ok(msg)
    }

    /// The MAC input: MTI through field 63, with the bitmap announcing field 64 as it will be
    /// sent.
    pub fn mac_data(&self) -> Vec<u8> {
        let mut bitmap = self.present;
        bitmap.insert(64);
        let mut out = Vec::with_capacity(self.data.len() + 10);
        self.encode_with(&mut out, bitmap, |f| f != 64);
        out
    }

    /// The MAC this message should carry under `key`.
    pub fn compute_mac(&self, key: &MacKey) -> [u8; 8] {
        cup_ecb_mac(key, &self.mac_data())
    }

    /// Compute and set field 64.
    pub fn set_mac(&mut self, key: &MacKey) {
        let mac = self.compute_mac(key);
        self.store(64, &mac);
    }

    /// Whether field 64 is present and right under `key`.
    pub fn verify_mac(&self, key: &MacKey) -> bool {
        self.get(64) == Some(&self.compute_mac(key)[..])
    }
}

impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        self.mti == other.mti
            && self.present == other.present
            && self.present.fields().all(|f| self.get(f) == other.get(f))
    }
}

impl Eq for Message {}

/// Shows every field, but never a full PAN: fields 2, 35 and 36 are masked, the PIN block and
/// ICC data are summarised, and batch-upload details (which carry PANs) are hidden.
impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Shown<'a>(&'a Message, u8);
        impl fmt::Debug for Shown<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let Shown(msg, n) = *self;
                let value = msg.get(n).unwrap_or_default();
                let text = String::from_utf8_lossy(value);
                match n {
                    2 => write!(f, "{:?}", crate::card::mask_pan(&text)),
                    35 | 36 => {
                        let pan = text.split('=').next().unwrap_or_default();
                        write!(
                            f,
                            "\"{}=…\" ({} chars)",
                            crate::card::mask_pan(pan),
                            value.len()
                        )
                    }
                    52 => write!(f, "<PIN block>"),
                    55 => write!(f, "<{} bytes of ICC data>", value.len()),
                    48 if msg.mti.request() == Mti::BATCH_UPLOAD => {
                        write!(f, "<{} digits of batch-upload details>", value.len())
                    }
                    _ => match field_spec(n).map(|s| s.content) {
                        Some(Content::Binary) => write!(f, "0x{}", hex::encode_upper(value)),
                        _ => write!(f, "{text:?}"),
                    },
                }
            }
        }
        f.debug_struct("Message")
            .field("mti", &format_args!("{}", self.mti))
            .field(
                "fields",
                &DebugFields(self.present.fields().map(|n| (n, Shown(self, n)))),
            )
            .finish()
    }
}

struct DebugFields<I>(I);

impl<I, V> fmt::Debug for DebugFields<I>
where
    I: Iterator<Item = (u8, V)> + Clone,
    V: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.clone()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_replace_remove() {
        let mut m = Message::new(Mti::FINANCIAL);
        m.set(4, "000000001234").unwrap().set(11, "000001").unwrap();
        m.set(2, "6228480402564890018").unwrap();
        m.set(2, "62284804025648").unwrap();
        assert_eq!(m.get_str(2), Some("62284804025648"));
        assert!(m.remove(2));
        assert_eq!(m.get(2), None);
        assert_eq!(m.fields().collect::<Vec<_>>(), [4, 11]);
        assert!(m.set(1, "x").is_err());
        assert!(m.set(5, "x").is_err());
        let back = Message::decode(&m.encode()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn debug_masks_pan_and_track() {
        let mut m = Message::new(Mti::FINANCIAL);
        m.set(2, "6228480402564890018").unwrap();
        m.set(35, "6228480402564890018=25122201234567").unwrap();
        let shown = format!("{m:?}");
        assert!(!shown.contains("6228480402564890018"), "{shown}");
        assert!(!shown.contains("2201234567"), "{shown}");
        assert!(shown.contains("622848*********0018"), "{shown}");
    }
}
