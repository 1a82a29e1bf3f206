//! Field 39 response codes of PROTOCOLS.md §7, with the message the POS shows for each.

use std::fmt;

macro_rules! codes {
    ($($variant:ident = $code:literal, $text:literal;)*) => {
        /// A field 39 response code. Codes outside the table are kept as [`ResponseCode::Other`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ResponseCode {
            $(#[doc = $text] $variant,)*
            /// A code this table does not know, kept byte for byte.
            Other([u8; 2]),
        }

        impl ResponseCode {
            /// Every code of the table, in order.
            pub const ALL: &'static [ResponseCode] = &[$(Self::$variant),*];

            pub fn from_bytes(code: [u8; 2]) -> Self {
                match &code {
                    $($code => Self::$variant,)*
                    _ => Self::Other(code),
                }
            }

            pub fn to_bytes(self) -> [u8; 2] {
                match self {
                    $(Self::$variant => *$code,)*
                    Self::Other(code) => code,
                }
            }

            /// What the POS shows the cashier.
            pub fn message(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(_) => "declined by the host",
                }
            }
        }
    };
}

codes! {
    Approved = b"00", "approved";
    DoNotHonour = b"05", "do not honour";
    InvalidTransaction = b"12", "invalid transaction";
    InvalidAmount = b"13", "invalid amount";
    InvalidCard = b"14", "invalid card";
    OriginalNotFound = b"25", "original transaction not found";
    FormatError = b"30", "format error";
    InsufficientFunds = b"51", "insufficient funds";
    ExpiredCard = b"54", "expired card";
    WrongPin = b"55", "wrong PIN";
    OverAmountLimit = b"61", "over amount limit";
    PinTriesExceeded = b"75", "PIN tries exceeded";
    BatchMismatch = b"77", "batch mismatch, sign on again";
    IssuerUnavailable = b"91", "issuer unavailable";
    Duplicate = b"94", "duplicate transaction";
    SystemError = b"96", "system error";
    TerminalNotRegistered = b"97", "terminal not registered";
    IssuerTimeout = b"98", "issuer timeout";
    MacError = b"A0", "MAC error, sign on again";
}

impl ResponseCode {
    pub fn is_approved(self) -> bool {
        self == Self::Approved
    }

    /// Codes after which the terminal must sign on again (`77`, `A0`).
    pub fn requires_sign_on(self) -> bool {
        matches!(self, Self::BatchMismatch | Self::MacError)
    }

    /// The code as text (`"00"`), lossy for non-ASCII unknown codes.
    pub fn code(self) -> String {
        String::from_utf8_lossy(&self.to_bytes()).into_owned()
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_unknown_is_kept() {
        assert_eq!(ResponseCode::ALL.len(), 19);
        for &c in ResponseCode::ALL {
            assert_eq!(ResponseCode::from_bytes(c.to_bytes()), c);
            assert!(!c.message().is_empty());
        }
        let other = ResponseCode::from_bytes(*b"Q1");
        assert_eq!(other, ResponseCode::Other(*b"Q1"));
        assert_eq!(other.to_bytes(), *b"Q1");
        assert_eq!(
            ResponseCode::MacError.to_string(),
            "A0 MAC error, sign on again"
        );
        assert!(ResponseCode::BatchMismatch.requires_sign_on());
    }
}
