//! QR wallet host API types (PROTOCOLS.md §8): the JSON bodies of `/micropay`, `/orderquery` and
//! `/reverse`, with the result, trade-state and error-code enums.
//!
//! Amounts are integer fen (`total_fee`). Unknown error codes are kept as
//! [`ErrorCode::Other`] so a client can log what the host said.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Path of the payment-code request.
pub const MICROPAY_PATH: &str = "/micropay";
/// Path of the order query.
pub const ORDERQUERY_PATH: &str = "/orderquery";
/// Path of the reversal.
pub const REVERSE_PATH: &str = "/reverse";

/// `POST /micropay`: charge the wallet behind a scanned payment code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MicropayRequest {
    /// The terminal's order number, unique per payment.
    pub out_trade_no: String,
    /// The scanned payment code.
    pub auth_code: String,
    /// Amount in fen.
    pub total_fee: u64,
    pub terminal_id: String,
}

/// Result of a micropay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MicropayResult {
    Success,
    /// The payer is confirming (entering a password): query until final.
    #[serde(rename = "USERPAYING")]
    UserPaying,
    Fail,
    /// The host does not know yet: query until final.
    Unknown,
}

impl MicropayResult {
    /// Whether the client must keep querying.
    pub fn is_pending(self) -> bool {
        matches!(self, Self::UserPaying | Self::Unknown)
    }
}

/// The answer to `/micropay`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MicropayResponse {
    pub result: MicropayResult,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub err_code: Option<ErrorCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
}

/// `POST /orderquery`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderQueryRequest {
    pub out_trade_no: String,
}

/// State of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TradeState {
    Success,
    #[serde(rename = "USERPAYING")]
    UserPaying,
    #[serde(rename = "NOTPAY")]
    NotPay,
    Closed,
    Revoked,
    #[serde(rename = "PAYERROR")]
    PayError,
}

impl TradeState {
    /// Whether the state can still change (query again).
    pub fn is_pending(self) -> bool {
        matches!(self, Self::UserPaying | Self::NotPay)
    }
}

/// The answer to `/orderquery`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderQueryResponse {
    pub trade_state: TradeState,
}

/// `POST /reverse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReverseRequest {
    pub out_trade_no: String,
}

/// Result of a reversal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReverseResult {
    Success,
    Fail,
}

/// The answer to `/reverse`. `recall` (`"Y"`/`"N"` on the wire) asks the client to call again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReverseResponse {
    pub result: ReverseResult,
    #[serde(with = "yes_no")]
    pub recall: bool,
}

mod yes_no {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if *v { "Y" } else { "N" })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        match String::deserialize(d)?.as_str() {
            "Y" => Ok(true),
            "N" => Ok(false),
            other => Err(D::Error::custom(format!("recall `{other}` is not Y or N"))),
        }
    }
}

macro_rules! error_codes {
    ($($variant:ident = $wire:literal, $text:literal;)*) => {
        /// An error code from the wallet host. Unknown codes are kept verbatim.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum ErrorCode {
            $(#[doc = $text] $variant,)*
            Other(String),
        }

        impl ErrorCode {
            /// The code as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(code) => code,
                }
            }

            /// What the POS shows the cashier.
            pub fn message(&self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(_) => "payment refused by the wallet host",
                }
            }
        }

        impl From<String> for ErrorCode {
            fn from(code: String) -> Self {
                match code.as_str() {
                    $($wire => Self::$variant,)*
                    _ => Self::Other(code),
                }
            }
        }
    };
}

error_codes! {
    AuthCodeExpire = "AUTHCODEEXPIRE", "payment code expired, ask for a fresh one";
    AuthCodeInvalid = "AUTH_CODE_INVALID", "payment code invalid";
    NotEnough = "NOTENOUGH", "insufficient balance";
    OrderPaid = "ORDERPAID", "order already paid";
    OrderReversed = "ORDERREVERSED", "order already reversed";
    SystemError = "SYSTEMERROR", "wallet system error, query the order";
    BankError = "BANKERROR", "bank error, query the order";
}

impl From<ErrorCode> for String {
    fn from(code: ErrorCode) -> String {
        code.as_str().to_owned()
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
