//! Barcode scanner, serial / USB-CDC (PROTOCOLS.md §2): output frames and host commands on the
//! wire, and what the host makes of the data (check digits, in-store price/weight codes, wallet
//! payment codes).

pub mod check_digit;
pub mod command;
pub mod frame;
pub mod instore;
pub mod payment_code;
pub mod symbology;

pub use check_digit::{check_digit, validate, with_check_digit, CheckDigitError, GtinKind};
pub use command::{CommandDecoder, CommandError, HostCommand};
pub use frame::{
    encode_scan, Scan, ScanDecoder, ScanEncodeError, ScanFrameError, ScannerConfig, Suffix,
    DEFAULT_MAX_FRAME,
};
pub use instore::{is_in_store, InStoreCode, InStoreError, InStoreValue};
pub use payment_code::{classify_payment_code, Wallet};
pub use symbology::Symbology;
