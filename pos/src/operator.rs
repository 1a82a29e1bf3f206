//! Operators and roles: login with number and password (argon2), and supervisor approvals for
//! the actions a cashier may not do alone.

use std::collections::BTreeMap;
use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use serde::{Deserialize, Serialize};

use crate::config::OperatorConfig;

/// What an operator may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sells; needs a supervisor for the actions in [`Action`].
    Cashier,
    /// May do everything and approve cashiers' actions.
    Supervisor,
}

/// An action that needs a supervisor unless a supervisor is the one logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Starting a refund (退货).
    Refund,
    /// Voiding a line after the sale was totalled.
    VoidAfterTotal,
    /// Overriding a line's price.
    PriceOverride,
    /// Opening the drawer without a sale.
    NoSale,
    /// Totalling a sale above the configured limit.
    AboveLimit,
    /// Voiding (撤销) a completed sale by its receipt number.
    VoidSale,
}

impl Action {
    /// Stable name for the journal and the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Refund => "refund",
            Action::VoidAfterTotal => "void_after_total",
            Action::PriceOverride => "price_override",
            Action::NoSale => "no_sale",
            Action::AboveLimit => "above_limit",
            Action::VoidSale => "void_sale",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure to log in or to approve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperatorError {
    /// No operator has that number.
    #[error("log in operator `{0}`: unknown operator")]
    UnknownOperator(String),
    /// The password does not match.
    #[error("log in operator `{0}`: wrong password")]
    WrongPassword(String),
    /// The approver is not a supervisor.
    #[error("approve {action} by `{number}`: not a supervisor")]
    NotSupervisor {
        /// Who tried to approve.
        number: String,
        /// What for.
        action: Action,
    },
    /// The action needs an approval and none (or one for another action) was given.
    #[error("{0} needs supervisor approval")]
    ApprovalRequired(Action),
    /// The stored hash is unusable.
    #[error("verify password of `{0}`: stored hash is invalid")]
    BadHash(String),
}

/// A logged-in operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// Login number.
    pub number: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
}

/// Proof that a supervisor entered their number and code for one action. Only
/// [`Operators::approve`] makes one, so holding it means the check happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    supervisor: String,
    action: Action,
}

impl Approval {
    /// The approving supervisor's number.
    pub fn supervisor(&self) -> &str {
        &self.supervisor
    }

    /// The action approved.
    pub fn action(&self) -> Action {
        self.action
    }
}

/// Decides whether `operator` may do `action`, given an optional approval: a supervisor may act
/// alone; a cashier needs an approval for exactly that action. Returns the approving supervisor's
/// number for the audit trail.
pub fn authorize(
    operator: &Operator,
    action: Action,
    approval: Option<&Approval>,
) -> Result<String, OperatorError> {
    match approval {
        Some(a) if a.action == action => Ok(a.supervisor.clone()),
        _ if operator.role == Role::Supervisor => Ok(operator.number.clone()),
        _ => Err(OperatorError::ApprovalRequired(action)),
    }
}

struct Account {
    operator: Operator,
    password_hash: String,
}

/// The operators of the store, keyed by number.
pub struct Operators {
    accounts: BTreeMap<String, Account>,
}

impl fmt::Debug for Operators {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The hashes stay out of logs.
        f.debug_list().entries(self.accounts.keys()).finish()
    }
}

impl Operators {
    /// Builds the registry from the store configuration.
    pub fn new(configs: &[OperatorConfig]) -> Self {
        let accounts = configs
            .iter()
            .map(|c| {
                let account = Account {
                    operator: Operator {
                        number: c.number.clone(),
                        name: c.name.clone(),
                        role: c.role,
                    },
                    password_hash: c.password_hash.clone(),
                };
                (c.number.clone(), account)
            })
            .collect();
        Operators { accounts }
    }

    fn verify(&self, number: &str, password: &str) -> Result<&Operator, OperatorError> {
        let account = self
            .accounts
            .get(number)
            .ok_or_else(|| OperatorError::UnknownOperator(number.to_owned()))?;
        let hash = PasswordHash::new(&account.password_hash)
            .map_err(|_| OperatorError::BadHash(number.to_owned()))?;
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .map_err(|_| OperatorError::WrongPassword(number.to_owned()))?;
        Ok(&account.operator)
    }

    /// Logs an operator in with number and password.
    pub fn login(&self, number: &str, password: &str) -> Result<Operator, OperatorError> {
        self.verify(number, password).cloned()
    }

    /// The operator with `number`, without a password check: for naming the operator of a sale
    /// rebuilt from the journal after a restart.
    pub fn operator(&self, number: &str) -> Option<Operator> {
        self.accounts.get(number).map(|a| a.operator.clone())
    }

    /// A supervisor approves one action with their number and code.
    pub fn approve(
        &self,
        number: &str,
        code: &str,
        action: Action,
    ) -> Result<Approval, OperatorError> {
        let op = self.verify(number, code)?;
        if op.role != Role::Supervisor {
            return Err(OperatorError::NotSupervisor {
                number: number.to_owned(),
                action,
            });
        }
        Ok(Approval {
            supervisor: op.number.clone(),
            action,
        })
    }
}

/// Hashes a password into an argon2id PHC string for `store.yaml` (default parameters, random
/// salt).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters accepts any password")
        .to_string()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn test_operators() -> Operators {
        Operators::new(&[
            OperatorConfig {
                number: "1001".into(),
                name: "Cashier".into(),
                role: Role::Cashier,
                password_hash: hash_password("1234"),
            },
            OperatorConfig {
                number: "9001".into(),
                name: "Supervisor".into(),
                role: Role::Supervisor,
                password_hash: hash_password("9999"),
            },
        ])
    }

    #[test]
    fn login_checks_password() {
        let ops = test_operators();
        assert_eq!(ops.login("1001", "1234").unwrap().role, Role::Cashier);
        assert_eq!(
            ops.login("1001", "0000"),
            Err(OperatorError::WrongPassword("1001".into()))
        );
        assert_eq!(
            ops.login("7777", "1234"),
            Err(OperatorError::UnknownOperator("7777".into()))
        );
    }

    #[test]
    fn only_supervisors_approve_and_approvals_are_per_action() {
        let ops = test_operators();
        let cashier = ops.login("1001", "1234").unwrap();
        assert!(matches!(
            ops.approve("1001", "1234", Action::Refund),
            Err(OperatorError::NotSupervisor { .. })
        ));
        let ok = ops.approve("9001", "9999", Action::Refund).unwrap();
        assert_eq!(
            authorize(&cashier, Action::Refund, Some(&ok)).unwrap(),
            "9001"
        );
        assert_eq!(
            authorize(&cashier, Action::NoSale, Some(&ok)),
            Err(OperatorError::ApprovalRequired(Action::NoSale))
        );
        let sup = ops.login("9001", "9999").unwrap();
        assert_eq!(authorize(&sup, Action::NoSale, None).unwrap(), "9001");
    }

    #[test]
    fn debug_output_hides_hashes() {
        let s = format!("{:?}", test_operators());
        assert!(!s.contains("argon2"), "{s}");
    }
}
