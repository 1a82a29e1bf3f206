//! Wallet balances — the wallet file's codes with the money they hold now, for codes that have
//! a balance.

use std::collections::BTreeMap;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::data::{Behaviour, WalletFile};

/// The host's wallets: the file, plus the balance left on each code that has one.
#[derive(Debug, Clone)]
pub(crate) struct WalletBook {
    file: WalletFile,
    balances_minor: BTreeMap<String, u64>,
}

/// What the host knows of a scanned code.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub name: String,
    pub behaviour: Behaviour,
}

impl WalletBook {
    pub fn new(file: WalletFile) -> Self {
        let balances_minor = file
            .wallets
            .iter()
            .filter_map(|w| {
                let minor = (w.balance? * Decimal::ONE_HUNDRED).trunc().to_u64()?;
                Some((w.code.clone(), minor))
            })
            .collect();
        Self {
            file,
            balances_minor,
        }
    }

    pub fn resolve(&self, code: &str) -> Option<Resolved> {
        self.file.lookup(code).map(|l| Resolved {
            name: l.name.to_owned(),
            behaviour: l.behaviour,
        })
    }

    /// Takes `amount` from a code with a balance; `false` if it has too little. Codes without a
    /// balance always pay.
    pub fn debit(&mut self, code: &str, amount: u64) -> bool {
        match self.balances_minor.get_mut(code) {
            Some(b) if *b < amount => false,
            Some(b) => {
                *b -= amount;
                true
            }
            None => true,
        }
    }

    /// Gives `amount` back (a refund by reverse).
    pub fn credit(&mut self, code: &str, amount: u64) {
        if let Some(b) = self.balances_minor.get_mut(code) {
            *b += amount;
        }
    }

    /// The balance left on a named wallet that has one.
    pub fn balance_minor(&self, name: &str) -> Option<u64> {
        let code = &self.file.by_name(name)?.code;
        self.balances_minor.get(code).copied()
    }
}
