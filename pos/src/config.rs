//! The store configuration (`store.yaml`): receipt header, currency, tax classes and rounding,
//! operators, approval and floor limits, host and QR-pay timeouts, member points rules. Strict:
//! unknown keys are errors, reported with file, line and column.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money, Rounding};
use crate::operator::Role;

/// A failure to load a configuration or data file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("read `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid for its schema.
    #[error("parse `{path}` at line {line}, column {column}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// The file parses but its content is inconsistent.
    #[error("check `{path}`: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is inconsistent.
        message: String,
    },
}

/// Parses YAML text into `T`, turning serde errors into [`ConfigError::Parse`] with a location.
pub(crate) fn parse_yaml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<T, ConfigError> {
    serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        ConfigError::Parse {
            path: path.to_owned(),
            line,
            column,
            message: e.to_string(),
        }
    })
}

/// Reads a file into a string with a [`ConfigError::Read`] on failure.
pub(crate) fn read_text(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })
}

/// The whole store configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// Receipt header.
    pub store: StoreInfo,
    /// Store currency.
    #[serde(default)]
    pub currency: Currency,
    /// Tax classes and tax rounding.
    pub tax: TaxConfig,
    /// Cash rounding increment (e.g. `"0.10"`), applied to cash tenders only; absent = none.
    #[serde(default)]
    pub cash_rounding: Option<Decimal>,
    /// Operators who may log in.
    pub operators: Vec<OperatorConfig>,
    /// Approval and offline limits.
    pub limits: Limits,
    /// Acquirer host settings.
    #[serde(default)]
    pub host: HostSettings,
    /// QR wallet settings.
    #[serde(default)]
    pub qr: QrSettings,
    /// Member points rules.
    pub members: PointsRules,
}

/// What the receipt header shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreInfo {
    /// Store name (printed large).
    pub name: String,
    /// Address lines.
    pub address: Vec<String>,
    /// Tax registration number.
    pub tax_id: String,
    /// Telephone, if printed.
    #[serde(default)]
    pub phone: Option<String>,
    /// Footer lines at the bottom of a receipt.
    #[serde(default)]
    pub footer: Vec<String>,
}

/// Whether catalog prices include tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxPricing {
    /// Shelf prices include tax (usual in China); tax is extracted.
    Inclusive,
    /// Tax is added on top of shelf prices.
    Exclusive,
}

/// Where tax is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxRoundingLevel {
    /// Each line's tax is rounded, then summed.
    PerLine,
    /// Taxable amounts are summed per rate, and each rate's tax rounded once.
    PerReceipt,
}

/// Tax classes and how tax is computed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxConfig {
    /// Inclusive or exclusive pricing.
    pub pricing: TaxPricing,
    /// Midpoint rule for tax and price rounding.
    pub rounding: Rounding,
    /// Per line or per receipt.
    pub level: TaxRoundingLevel,
    /// Named classes, referenced by catalog items.
    pub classes: Vec<TaxClass>,
}

impl TaxConfig {
    /// The class with `code`.
    pub fn class(&self, code: &str) -> Option<&TaxClass> {
        self.classes.iter().find(|c| c.code == code)
    }
}

/// One tax rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxClass {
    /// Short code printed next to lines (`A`, `B`…).
    pub code: String,
    /// Name on the receipt's tax breakdown.
    pub name: String,
    /// Rate as a fraction (`"0.13"` for 13 %).
    pub rate: Decimal,
}

/// One operator in the store file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorConfig {
    /// Number typed at login.
    pub number: String,
    /// Name printed on receipts.
    pub name: String,
    /// Cashier or supervisor.
    pub role: Role,
    /// Argon2 PHC string of the password.
    pub password_hash: String,
}

/// Amount limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// A sale whose total is above this needs supervisor approval.
    pub supervisor_approval_above: Money,
    /// Card sales up to this may be approved offline when the host is unreachable.
    pub offline_floor_limit: Money,
}

/// Acquirer host settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostSettings {
    /// Response timeout.
    #[serde(default = "default_host_timeout_ms")]
    pub timeout_ms: u64,
    /// Connect timeout per link.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Tries for a reversal before it is left for later.
    #[serde(default = "default_retries")]
    pub reversal_retries: u32,
    /// After a failover, try the primary again after this long.
    #[serde(default = "default_failback_ms")]
    pub failback_after_ms: u64,
}

fn default_host_timeout_ms() -> u64 {
    30_000
}
fn default_connect_timeout_ms() -> u64 {
    5_000
}
fn default_retries() -> u32 {
    3
}
fn default_failback_ms() -> u64 {
    300_000
}

impl Default for HostSettings {
    fn default() -> Self {
        HostSettings {
            timeout_ms: default_host_timeout_ms(),
            connect_timeout_ms: default_connect_timeout_ms(),
            reversal_retries: default_retries(),
            failback_after_ms: default_failback_ms(),
        }
    }
}

/// QR wallet (micropay) settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrSettings {
    /// Query interval while the user is paying.
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Give up and reverse after this long.
    #[serde(default = "default_host_timeout_ms")]
    pub poll_timeout_ms: u64,
    /// Tries for a reverse.
    #[serde(default = "default_retries")]
    pub reverse_retries: u32,
}

fn default_poll_interval_ms() -> u64 {
    5_000
}

impl Default for QrSettings {
    fn default() -> Self {
        QrSettings {
            poll_interval_ms: default_poll_interval_ms(),
            poll_timeout_ms: default_host_timeout_ms(),
            reverse_retries: default_retries(),
        }
    }
}

/// Member points rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsRules {
    /// Points earned per whole currency unit paid (fractions of a unit earn nothing).
    pub points_per_unit: Decimal,
    /// Value of one point when redeemed (`"0.01"`: 100 points = 1.00).
    pub point_value: Money,
    /// Redemption happens in multiples of this many points.
    #[serde(default = "default_redeem_step")]
    pub redeem_step: i64,
}

fn default_redeem_step() -> i64 {
    100
}

impl StoreConfig {
    /// Loads and validates `store.yaml`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = read_text(path)?;
        Self::from_yaml(path, &text)
    }

    /// Parses and validates YAML text; `path` is used in error messages only.
    pub fn from_yaml(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let cfg: StoreConfig = parse_yaml(path, text)?;
        cfg.validate().map_err(|message| ConfigError::Invalid {
            path: path.to_owned(),
            message,
        })?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), String> {
        let mut codes = BTreeSet::new();
        for c in &self.tax.classes {
            if !codes.insert(c.code.as_str()) {
                return Err(format!("tax class `{}` is defined twice", c.code));
            }
            if c.rate < Decimal::ZERO || c.rate >= Decimal::ONE {
                return Err(format!(
                    "tax class `{}` rate {} is not in [0, 1)",
                    c.code, c.rate
                ));
            }
        }
        if let Some(inc) = self.cash_rounding {
            if inc <= Decimal::ZERO {
                return Err(format!("cash_rounding {inc} must be positive"));
            }
        }
        let mut numbers = BTreeSet::new();
        for op in &self.operators {
            if !numbers.insert(op.number.as_str()) {
                return Err(format!("operator `{}` is defined twice", op.number));
            }
            argon2::PasswordHash::new(&op.password_hash).map_err(|e| {
                format!(
                    "operator `{}` password_hash is not a PHC string: {e}",
                    op.number
                )
            })?;
        }
        if self.members.redeem_step <= 0 {
            return Err("members.redeem_step must be positive".into());
        }
        Ok(())
    }

    /// The rules a sale needs for pricing and approvals, cloned out of the configuration.
    pub fn sale_rules(&self) -> crate::sale::SaleRules {
        crate::sale::SaleRules {
            currency: self.currency.clone(),
            tax: self.tax.clone(),
            cash_rounding: self.cash_rounding,
            approval_above: self.limits.supervisor_approval_above,
            points: self.members.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_file(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios/data")
            .join(name)
    }

    #[test]
    fn shipped_store_config_loads() {
        let cfg = StoreConfig::load(&repo_file("store.yaml")).unwrap();
        assert_eq!(cfg.currency.code, "CNY");
        assert!(cfg.tax.class("A").is_some());
        assert!(cfg.operators.iter().any(|o| o.role == Role::Supervisor));
    }

    #[test]
    fn unknown_key_is_reported_with_location() {
        let text = read_text(&repo_file("store.yaml")).unwrap();
        let bad = text.replacen("limits:\n", "limits:\n  surprise: 1\n", 1);
        let err = StoreConfig::from_yaml(Path::new("store.yaml"), &bad).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`store.yaml` at line"), "{msg}");
        assert!(msg.contains("unknown field `surprise`"), "{msg}");
    }

    #[test]
    fn duplicate_tax_class_is_invalid() {
        let text = read_text(&repo_file("store.yaml")).unwrap();
        let bad = text.replacen("code: B", "code: A", 1);
        let err = StoreConfig::from_yaml(Path::new("store.yaml"), &bad).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { .. }), "{err}");
    }
}
