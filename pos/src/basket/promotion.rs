//! Promotions: buy N get M free, per item. The free units are the last ones scanned, so the
//! discount lands on the latest lines of that item.

use serde::{Deserialize, Serialize};

/// A promotion attached to a catalog item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Promotion {
    /// For every `buy` + `get` units of the item, `get` are free.
    BuyGetFree {
        /// Units paid for.
        buy: u32,
        /// Units free.
        get: u32,
    },
}

impl Promotion {
    /// Checks the promotion is usable.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            Promotion::BuyGetFree { buy, get } if buy == 0 || get == 0 => Err(format!(
                "promotion buy {buy} get {get} needs both above zero"
            )),
            _ => Ok(()),
        }
    }

    /// How many of `units` are free.
    pub fn free_units(&self, units: u32) -> u32 {
        match *self {
            Promotion::BuyGetFree { buy, get } => units / (buy + get) * get,
        }
    }

    /// Receipt label.
    pub fn label(&self) -> String {
        match *self {
            Promotion::BuyGetFree { buy, get } => format!("Buy {buy} get {get} free"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_units_per_group() {
        let p = Promotion::BuyGetFree { buy: 2, get: 1 };
        assert_eq!(p.free_units(2), 0);
        assert_eq!(p.free_units(3), 1);
        assert_eq!(p.free_units(5), 1);
        assert_eq!(p.free_units(6), 2);
        assert_eq!(p.label(), "Buy 2 get 1 free");
    }
}
