//! Errors of the host clients: what a caller can act on (the host is unreachable, it did not
//! answer, it refused) and the local failures underneath (journal, request building, keys).

use std::time::Duration;

use posrig_protocols::iso8583::{FieldError, ResponseCode, SignOnError};

use crate::journal::JournalError;
use crate::money::MoneyError;
use crate::tender::PanError;

/// A host operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// Every link failed to connect or to take the request; nothing was sent.
    #[error("reach the host: every link is down")]
    Unreachable,
    /// The request went out but no valid answer came in time.
    #[error("get an answer from the host within {0:?}")]
    NoResponse(Duration),
    /// The response's MAC did not verify (the terminal signs on again).
    #[error("verify the host's response: bad MAC")]
    BadMac,
    /// The host answered with a refusal.
    #[error("complete the request: host answered {code}")]
    Refused {
        /// Field 39.
        code: ResponseCode,
    },
    /// The sign-on response's working keys do not check.
    #[error("load working keys")]
    Keys(#[source] SignOnError),
    /// The request is not valid for the field table (a bug or bad configuration).
    #[error("build request")]
    Field(#[from] FieldError),
    /// The journal failed; the operation was not carried out past that point.
    #[error("record in journal")]
    Journal(#[from] JournalError),
    /// An amount the wire cannot carry.
    #[error("convert amount")]
    Money(#[from] MoneyError),
    /// The card number read is not a PAN.
    #[error("read card")]
    Card(#[from] PanError),
    /// The QR host's base URL is not `http://host:port[/prefix]`.
    #[error("parse QR host URL `{0}`")]
    BadUrl(String),
    /// A QR operation was asked with an amount that is not positive.
    #[error("pay by QR: amount {0} is not positive")]
    BadAmount(String),
}
