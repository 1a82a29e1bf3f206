//! The wallet file `scenarios/data/wallets.yaml`: payment codes (exact, or by prefix or range)
//! and how the QR wallet host answers each.

use std::path::Path;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{load_yaml, DataError};

/// Every wallet payment code a rig knows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalletFile {
    /// Exact codes, looked up first.
    #[serde(default)]
    pub wallets: Vec<Wallet>,
    /// Code ranges and prefixes, tried in file order after the exact codes.
    #[serde(default)]
    pub ranges: Vec<CodeRange>,
}

/// One payment code with its behaviour.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wallet {
    /// How scenarios refer to it.
    pub name: String,
    /// The scanned payment code (digits).
    pub code: String,
    pub behaviour: Behaviour,
    /// Major units; when set, a payment over it fails with `NOTENOUGH`.
    #[serde(default)]
    pub balance: Option<Decimal>,
}

/// Codes by prefix or inclusive range (same-length digit strings), with one behaviour.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeRange {
    pub name: String,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    pub behaviour: Behaviour,
}

impl CodeRange {
    /// Whether `code` falls in this range.
    pub fn contains(&self, code: &str) -> bool {
        let prefix_ok = self.prefix.as_deref().is_none_or(|p| code.starts_with(p));
        let in_range = |bound: &Option<String>, ok: fn(std::cmp::Ordering) -> bool| {
            bound
                .as_deref()
                .is_none_or(|b| b.len() == code.len() && ok(code.cmp(b)))
        };
        prefix_ok && in_range(&self.from, |o| o.is_ge()) && in_range(&self.to, |o| o.is_le())
    }
}

/// How the wallet host answers a payment with a code. In YAML: `success`, `unknown`,
/// `insufficient`, `expired`, `invalid`, `already_paid`, or
/// `{user_paying: {seconds: 10, then: success}}` (`then`: `success` or `payerror`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "BehaviourRepr", into = "BehaviourRepr")]
pub enum Behaviour {
    /// Paid at once.
    Success,
    /// The payer confirms on the phone for `seconds` (virtual time in a virtual run), then the
    /// order becomes `then`.
    UserPaying { seconds: u64, then: FinalOutcome },
    /// The answer is `UNKNOWN`; the payment did go through, as a query shows.
    Unknown,
    /// `NOTENOUGH`.
    Insufficient,
    /// `AUTHCODEEXPIRE`.
    Expired,
    /// `AUTH_CODE_INVALID`.
    Invalid,
    /// `ORDERPAID`.
    AlreadyPaid,
}

/// Where a user-paying order ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalOutcome {
    Success,
    Payerror,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum BehaviourRepr {
    Word(BehaviourWord),
    UserPaying { user_paying: UserPaying },
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserPaying {
    seconds: u64,
    then: FinalOutcome,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum BehaviourWord {
    Success,
    Unknown,
    Insufficient,
    Expired,
    Invalid,
    AlreadyPaid,
}

impl From<BehaviourRepr> for Behaviour {
    fn from(r: BehaviourRepr) -> Self {
        match r {
            BehaviourRepr::UserPaying {
                user_paying: UserPaying { seconds, then },
            } => Self::UserPaying { seconds, then },
            BehaviourRepr::Word(w) => match w {
                BehaviourWord::Success => Self::Success,
                BehaviourWord::Unknown => Self::Unknown,
                BehaviourWord::Insufficient => Self::Insufficient,
                BehaviourWord::Expired => Self::Expired,
                BehaviourWord::Invalid => Self::Invalid,
                BehaviourWord::AlreadyPaid => Self::AlreadyPaid,
            },
        }
    }
}

impl From<Behaviour> for BehaviourRepr {
    fn from(b: Behaviour) -> Self {
        let word = match b {
            Behaviour::UserPaying { seconds, then } => {
                return Self::UserPaying {
                    user_paying: UserPaying { seconds, then },
                }
            }
            Behaviour::Success => BehaviourWord::Success,
            Behaviour::Unknown => BehaviourWord::Unknown,
            Behaviour::Insufficient => BehaviourWord::Insufficient,
            Behaviour::Expired => BehaviourWord::Expired,
            Behaviour::Invalid => BehaviourWord::Invalid,
            Behaviour::AlreadyPaid => BehaviourWord::AlreadyPaid,
        };
        Self::Word(word)
    }
}

/// Where a code's behaviour came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CodeLookup<'a> {
    /// The wallet's or range's name.
    pub name: &'a str,
    pub behaviour: Behaviour,
    pub balance: Option<Decimal>,
}

impl WalletFile {
    pub fn load(path: &Path) -> Result<Self, DataError> {
        let file: Self = load_yaml(path)?;
        file.check(path)?;
        Ok(file)
    }

    /// Parses and checks a wallet file's text (`path` is for messages).
    pub fn parse(path: &Path, text: &str) -> Result<Self, DataError> {
        let file: Self = super::parse_yaml(path, text)?;
        file.check(path)?;
        Ok(file)
    }

    /// The behaviour of `code`: an exact wallet first, then the first range containing it.
    /// A code that is not all digits is in no range.
    pub fn lookup(&self, code: &str) -> Option<CodeLookup<'_>> {
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if let Some(w) = self.wallets.iter().find(|w| w.code == code) {
            return Some(CodeLookup {
                name: &w.name,
                behaviour: w.behaviour,
                balance: w.balance,
            });
        }
        self.ranges
            .iter()
            .find(|r| r.contains(code))
            .map(|r| CodeLookup {
                name: &r.name,
                behaviour: r.behaviour,
                balance: None,
            })
    }

    pub fn by_name(&self, name: &str) -> Option<&Wallet> {
        self.wallets.iter().find(|w| w.name == name)
    }

    fn check(&self, path: &Path) -> Result<(), DataError> {
        let invalid = |message: String| DataError::Invalid {
            path: path.to_owned(),
            message,
        };
        let mut names = std::collections::BTreeSet::new();
        let mut codes = std::collections::BTreeSet::new();
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        for w in &self.wallets {
            if !names.insert(w.name.as_str()) {
                return Err(invalid(format!("wallet `{}` is listed twice", w.name)));
            }
            if !digits(&w.code) || !codes.insert(w.code.as_str()) {
                return Err(invalid(format!(
                    "wallet `{}`: code must be digits and unique",
                    w.name
                )));
            }
        }
        for r in &self.ranges {
            if !names.insert(r.name.as_str()) {
                return Err(invalid(format!("range `{}` is listed twice", r.name)));
            }
            let bounds = [&r.prefix, &r.from, &r.to];
            if bounds.iter().all(|b| b.is_none()) {
                return Err(invalid(format!(
                    "range `{}`: give a prefix, a from/to range, or both",
                    r.name
                )));
            }
            if bounds
                .iter()
                .any(|b| b.as_deref().is_some_and(|s| !digits(s)))
            {
                return Err(invalid(format!(
                    "range `{}`: bounds must be digits",
                    r.name
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_wallet_file_loads_and_resolves() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/data/wallets.yaml");
        let file = WalletFile::load(&path).unwrap();
        let ok = file.by_name("wechat-ok").unwrap();
        assert_eq!(file.lookup(&ok.code).unwrap().behaviour, Behaviour::Success);
        assert!(file.lookup("999").is_none());
    }

    #[test]
    fn ranges_and_prefixes() {
        let text = r#"
wallets:
  - { name: slow, code: "134567890123456789", behaviour: { user_paying: { seconds: 10, then: payerror } } }
ranges:
  - { name: broke, from: "280000000000000000", to: "289999999999999999", behaviour: insufficient }
  - { name: wechat, prefix: "13", behaviour: success }
"#;
        let file = WalletFile::parse(Path::new("w.yaml"), text).unwrap();
        assert_eq!(
            file.lookup("134567890123456789").unwrap().behaviour,
            Behaviour::UserPaying {
                seconds: 10,
                then: FinalOutcome::Payerror
            }
        );
        assert_eq!(file.lookup("130000000000000000").unwrap().name, "wechat");
        assert_eq!(
            file.lookup("281234567890123456").unwrap().behaviour,
            Behaviour::Insufficient
        );
        assert!(
            file.lookup("2812").is_none(),
            "range bounds need the same length"
        );
        let bad = "ranges: [{ name: r, behaviour: success }]";
        assert!(WalletFile::parse(Path::new("w.yaml"), bad).is_err());
    }
}
