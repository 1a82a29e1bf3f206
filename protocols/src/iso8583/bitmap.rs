//! The primary bitmap: which of fields 1..=64 a message carries (bit 1 is the most significant).

/// A 64-bit primary bitmap. Field `n` is bit `64 - n` of the integer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Bitmap(u64);

impl Bitmap {
    pub const fn empty() -> Self {
        Self(0)
    }

    pub fn from_bytes(bytes: [u8; 8]) -> Self {
        Self(u64::from_be_bytes(bytes))
    }

    pub fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }

    #[inline]
    fn mask(field: u8) -> u64 {
        debug_assert!(
            (1..=64).contains(&field),
            "bitmap field {field} outside 1..=64"
        );
        1u64 << (64 - u32::from(field))
    }

    /// Whether field `field` (1..=64) is present.
    #[inline]
    pub fn contains(self, field: u8) -> bool {
        (1..=64).contains(&field) && self.0 & Self::mask(field) != 0
    }

    #[inline]
    pub fn insert(&mut self, field: u8) {
        self.0 |= Self::mask(field);
    }

    #[inline]
    pub fn remove(&mut self, field: u8) {
        self.0 &= !Self::mask(field);
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Present fields in ascending order.
    #[inline]
    pub fn fields(self) -> Fields {
        Fields(self.0)
    }
}

/// Iterator over the fields of a [`Bitmap`], ascending.
#[derive(Debug, Clone)]
pub struct Fields(u64);

impl Iterator for Fields {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        if self.0 == 0 {
            return None;
        }
        let lead = self.0.leading_zeros();
        self.0 &= !(1u64 << (63 - lead));
        Some(lead as u8 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_frame_bitmap() {
        let b = Bitmap::from_bytes([0x30, 0x20, 0x04, 0x80, 0x00, 0xC0, 0x80, 0x15]);
        let fields: Vec<u8> = b.fields().collect();
        assert_eq!(fields, [3, 4, 11, 22, 25, 41, 42, 49, 60, 62, 64]);
        let mut rebuilt = Bitmap::empty();
        fields.iter().for_each(|&f| rebuilt.insert(f));
        assert_eq!(rebuilt, b);
        assert!(!b.contains(0) && !b.contains(65) && b.contains(64));
    }
}
