//! Errors of the ISO 8583 layer: a bad field value, a message that does not decode, a stream
//! whose length prefix cannot be trusted.

use std::fmt;

/// What is wrong with one field's value, on the wire or handed to a setter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field {field}: {problem}")]
pub struct FieldError {
    /// The field number (2..=64).
    pub field: u8,
    pub problem: FieldProblem,
}

impl FieldError {
    pub(crate) fn new(field: u8, problem: FieldProblem) -> Self {
        Self { field, problem }
    }
}

/// The ways a field value can be wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    /// The field is not in the CUP POS layout (PROTOCOLS.md §7).
    NotInSpec,
    /// A fixed-length field with the wrong length (digits for BCD fields, bytes otherwise).
    WrongLength { len: usize, expected: usize },
    /// A variable-length field longer than its maximum.
    TooLong { len: usize, max: usize },
    /// A nibble or character not allowed by the field's format, at this position.
    BadCharacter { at: usize },
    /// The pad nibble of an odd digit count is not 0.
    BadPadding,
    /// The length prefix is not BCD.
    BadLengthPrefix,
    /// The message ends inside this field.
    Truncated { needed: usize, available: usize },
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotInSpec => write!(f, "not a field of the CUP POS layout"),
            Self::WrongLength { len, expected } => {
                write!(f, "length {len}, expected exactly {expected}")
            }
            Self::TooLong { len, max } => write!(f, "length {len} is over the maximum {max}"),
            Self::BadCharacter { at } => {
                write!(f, "character at position {at} is not allowed by the format")
            }
            Self::BadPadding => write!(f, "pad nibble is not 0"),
            Self::BadLengthPrefix => write!(f, "length prefix is not BCD"),
            Self::Truncated { needed, available } => {
                write!(f, "truncated: needs {needed} bytes, {available} left")
            }
        }
    }
}

/// Why a message body (MTI, bitmap, fields) or a frame payload did not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes end before the fixed part (`what`) is complete.
    #[error("decode message: truncated in the {what}")]
    Truncated { what: &'static str },
    /// The MTI is not four BCD digits.
    #[error("decode message: MTI {0:02X?} is not BCD")]
    BadMti([u8; 2]),
    /// Bit 1 of the bitmap announces a secondary bitmap, which the CUP layout never uses.
    #[error(
        "decode message: bitmap announces a secondary bitmap, which the CUP layout does not use"
    )]
    SecondaryBitmap,
    /// The bitmap announces a field the CUP layout does not define.
    #[error("decode message: bitmap announces field {0}, which the CUP layout does not define")]
    UnknownField(u8),
    /// A field's bytes are malformed.
    #[error("decode message: {0}")]
    Field(#[from] FieldError),
    /// Bytes left after the last field the bitmap announces.
    #[error("decode message: {0} bytes left after the last field")]
    TrailingBytes(usize),
}

/// Why the stream of length-prefixed frames cannot go on, or why one frame was dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The length prefix is 0 or over the limit. Length-prefixed streams cannot resynchronise:
    /// the caller must close the connection.
    #[error("read frame: length prefix {len} is outside 1..={max}; close the connection")]
    BadLength { len: usize, max: usize },
    /// A well-delimited frame whose content did not decode. The frame was consumed; the stream
    /// can go on.
    #[error("read frame: {0}")]
    Message(#[from] DecodeError),
}

impl FrameError {
    /// Whether the connection must be closed (the stream has lost its framing).
    pub fn is_fatal(&self) -> bool {
        matches!(self, Self::BadLength { .. })
    }
}
