//! The shared test data files under `scenarios/data`: test cards (used by the card reader and the
//! acquirer alike), terminals with their master keys, and QR wallets.
//!
//! Card files hold full PANs and PINs because they describe test cards; the types here never print
//! them: `Debug` masks the PAN and hides the PIN.

mod cards;
mod terminals;
mod wallets;

pub use cards::{Card, CardFile, CardStatus, EntryAbility};
pub use terminals::{Terminal, TerminalFile};
pub use wallets::{Behaviour, CodeLookup, CodeRange, FinalOutcome, Wallet, WalletFile};

use std::path::{Path, PathBuf};

/// A data file that could not be read or did not parse.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("read `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("parse `{path}`{}: {message}", location.map(|(l, c)| format!(" at line {l}, column {c}")).unwrap_or_default())]
    Parse {
        path: PathBuf,
        location: Option<(usize, usize)>,
        message: String,
    },
    #[error("check `{path}`: {message}")]
    Invalid { path: PathBuf, message: String },
}

pub(crate) fn load_yaml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, DataError> {
    let text = std::fs::read_to_string(path).map_err(|source| DataError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_yaml(path, &text)
}

pub(crate) fn parse_yaml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<T, DataError> {
    serde_yaml::from_str(text).map_err(|e| DataError::Parse {
        path: path.to_owned(),
        location: e.location().map(|l| (l.line(), l.column())),
        message: e.to_string(),
    })
}
