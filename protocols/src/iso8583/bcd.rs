//! BCD packing of digit strings: right- or left-justified, with `=` as nibble `D` for track data.

use super::error::FieldProblem;

/// Where an odd digit count puts its pad nibble.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Justify {
    /// Pad nibble first (fixed numeric fields).
    Right,
    /// Pad nibble last (field 22 and every variable-length numeric field).
    Left,
}

#[inline]
fn nibble(c: u8) -> u8 {
    if c == b'=' {
        0x0D
    } else {
        c.wrapping_sub(b'0') & 0x0F
    }
}

/// Pack ASCII digits (and `=`) that were already validated. Appends `(len + 1) / 2` bytes.
#[inline]
pub(crate) fn pack(digits: &[u8], justify: Justify, out: &mut Vec<u8>) {
    let mut rest = digits;
    if digits.len() % 2 == 1 && justify == Justify::Right {
        out.push(nibble(rest[0]));
        rest = &rest[1..];
    }
    let mut pairs = rest.chunks_exact(2);
    for pair in &mut pairs {
        out.push((nibble(pair[0]) << 4) | nibble(pair[1]));
    }
    if let [last] = pairs.remainder() {
        out.push(nibble(*last) << 4);
    }
}

/// Unpack `count` digits from exactly `(count + 1) / 2` bytes, appending ASCII to `out`.
/// With `track`, nibble `D` becomes `=`. The pad nibble of an odd count must be 0.
#[inline]
pub(crate) fn unpack(
    bytes: &[u8],
    count: usize,
    justify: Justify,
    track: bool,
    out: &mut Vec<u8>,
) -> Result<(), FieldProblem> {
    debug_assert_eq!(bytes.len(), count.div_ceil(2));
    let odd = count % 2 == 1;
    let skip_first = odd && justify == Justify::Right;
    let start = out.len();
    for (i, b) in bytes.iter().enumerate() {
        for (j, n) in [b >> 4, b & 0x0F].into_iter().enumerate() {
            let pos = 2 * i + j;
            let is_pad = if skip_first {
                pos == 0
            } else {
                odd && pos == count
            };
            if is_pad {
                if n != 0 {
                    out.truncate(start);
                    return Err(FieldProblem::BadPadding);
                }
                continue;
            }
            let c = match n {
                0..=9 => b'0' + n,
                0x0D if track => b'=',
                _ => {
                    let at = out.len() - start;
                    out.truncate(start);
                    return Err(FieldProblem::BadCharacter { at });
                }
            };
            out.push(c);
        }
    }
    Ok(())
}

/// A BCD length prefix of one (LL) or two (LLL) bytes.
pub(crate) fn read_len(bytes: &[u8]) -> Option<usize> {
    let mut value = 0usize;
    for b in bytes {
        let (hi, lo) = (b >> 4, b & 0x0F);
        if hi > 9 || lo > 9 {
            return None;
        }
        value = value * 100 + usize::from(hi) * 10 + usize::from(lo);
    }
    Some(value)
}

/// Append a BCD length prefix of `width` bytes (1 or 2). `value` fits: the spec maxima are < 1000.
pub(crate) fn write_len(value: usize, width: usize, out: &mut Vec<u8>) {
    let to_bcd = |v: usize| (((v / 10 % 10) << 4) | (v % 10)) as u8;
    if width == 2 {
        out.push(to_bcd(value / 100));
    }
    out.push(to_bcd(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(d: &str, j: Justify) -> Vec<u8> {
        let mut out = Vec::new();
        pack(d.as_bytes(), j, &mut out);
        out
    }

    #[test]
    fn right_justified_pads_first_left_justified_pads_last() {
        assert_eq!(packed("021", Justify::Left), [0x02, 0x10]);
        assert_eq!(packed("021", Justify::Right), [0x00, 0x21]);
        assert_eq!(packed("1234", Justify::Right), [0x12, 0x34]);
        assert_eq!(packed("12=4", Justify::Left), [0x12, 0xD4]);
    }

    #[test]
    fn unpack_checks_digits_and_padding() {
        let mut out = Vec::new();
        unpack(&[0x02, 0x10], 3, Justify::Left, false, &mut out).unwrap();
        assert_eq!(out, b"021");
        out.clear();
        assert_eq!(
            unpack(&[0x02, 0x11], 3, Justify::Left, false, &mut out),
            Err(FieldProblem::BadPadding)
        );
        assert_eq!(
            unpack(&[0x1A], 2, Justify::Right, false, &mut out),
            Err(FieldProblem::BadCharacter { at: 1 })
        );
        assert!(out.is_empty());
        unpack(&[0x1D], 2, Justify::Right, true, &mut out).unwrap();
        assert_eq!(out, b"1=");
    }

    #[test]
    fn length_prefixes() {
        let mut out = Vec::new();
        write_len(322, 2, &mut out);
        write_len(19, 1, &mut out);
        assert_eq!(out, [0x03, 0x22, 0x19]);
        assert_eq!(read_len(&[0x03, 0x22]), Some(322));
        assert_eq!(read_len(&[0x0A]), None);
    }
}
