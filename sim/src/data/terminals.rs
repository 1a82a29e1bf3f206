//! The terminal file `scenarios/data/terminals.yaml`: each terminal the acquirer knows, with the
//! master key its PIN pad and host share.

use std::fmt;
use std::path::Path;

use posrig_protocols::crypto::TdesKey;
use serde::{Deserialize, Serialize};

use super::{load_yaml, DataError};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalFile {
    pub terminals: Vec<Terminal>,
}

/// One terminal: ids as sent in fields 41 and 42, and its master key (32 hex digits).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terminal {
    pub terminal_id: String,
    pub merchant_id: String,
    pub master_key: String,
}

impl Terminal {
    pub fn master_key(&self) -> TdesKey {
        TdesKey::from_hex(&self.master_key).expect("checked when the file was loaded")
    }
}

impl fmt::Debug for Terminal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Terminal")
            .field("terminal_id", &self.terminal_id)
            .field("merchant_id", &self.merchant_id)
            .finish_non_exhaustive()
    }
}

impl TerminalFile {
    pub fn load(path: &Path) -> Result<Self, DataError> {
        let file: Self = load_yaml(path)?;
        for t in &file.terminals {
            let bad = |message: String| DataError::Invalid {
                path: path.to_owned(),
                message,
            };
            if t.terminal_id.len() != 8 {
                return Err(bad(format!(
                    "terminal `{}`: terminal_id must be 8 characters",
                    t.terminal_id
                )));
            }
            if t.merchant_id.len() != 15 {
                return Err(bad(format!(
                    "terminal `{}`: merchant_id must be 15 characters",
                    t.terminal_id
                )));
            }
            TdesKey::from_hex(&t.master_key)
                .map_err(|e| bad(format!("terminal `{}`: {e}", t.terminal_id)))?;
        }
        Ok(file)
    }

    pub fn by_id(&self, terminal_id: &str) -> Option<&Terminal> {
        self.terminals.iter().find(|t| t.terminal_id == terminal_id)
    }
}
