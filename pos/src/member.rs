//! Loyalty members: lookup by phone or card number from `members.yaml`, and the points rules
//! (earned per sale, redeemed as a discount). Balances are the file's opening balance plus the
//! movements recorded in the journal.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::config::{parse_yaml, read_text, ConfigError, PointsRules};
use crate::money::Money;

/// A member as listed in `members.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Member id, e.g. `M0001`.
    pub id: String,
    /// Name printed on receipts.
    pub name: String,
    /// Mobile phone number.
    pub phone: String,
    /// Membership card number (scanned or typed).
    pub card: String,
    /// Opening points balance.
    #[serde(default)]
    pub points: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MembersFile {
    members: Vec<Member>,
}

/// The store's members.
#[derive(Debug, Clone, Default)]
pub struct Members {
    by_id: BTreeMap<String, Member>,
}

impl Members {
    /// Loads `members.yaml`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file: MembersFile = parse_yaml(path, &read_text(path)?)?;
        Self::new(file.members).map_err(|message| ConfigError::Invalid {
            path: path.to_owned(),
            message,
        })
    }

    /// Builds the registry; ids, phones and cards must be unique.
    pub fn new(members: Vec<Member>) -> Result<Self, String> {
        let mut by_id = BTreeMap::new();
        for m in members {
            if by_id
                .values()
                .any(|o: &Member| o.phone == m.phone || o.card == m.card)
            {
                return Err(format!("member `{}`: phone or card already used", m.id));
            }
            let id = m.id.clone();
            if by_id.insert(id.clone(), m).is_some() {
                return Err(format!("member `{id}` is defined twice"));
            }
        }
        Ok(Members { by_id })
    }

    /// The member with `id`.
    pub fn by_id(&self, id: &str) -> Option<&Member> {
        self.by_id.get(id)
    }

    /// Finds a member by phone number or card number, whichever `input` is.
    pub fn lookup(&self, input: &str) -> Option<&Member> {
        let input = input.trim();
        self.by_id
            .values()
            .find(|m| m.phone == input || m.card == input)
    }
}

/// Points earned for `paid`: whole currency units × points per unit, rounded down.
pub fn points_earned(rules: &PointsRules, paid: Money) -> i64 {
    if paid.is_negative() {
        return 0;
    }
    let points = (paid.amount().trunc() * rules.points_per_unit).trunc();
    i64::try_from(points).unwrap_or(i64::MAX)
}

/// The discount `points` are worth.
pub fn redemption_value(rules: &PointsRules, points: i64) -> Money {
    rules.point_value.times(Decimal::from(points))
}

/// The member attached to a sale and the points that move with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberOnSale {
    /// Member id.
    pub id: String,
    /// Member name.
    pub name: String,
    /// Balance when attached.
    pub balance_before: i64,
    /// Points redeemed on this sale.
    pub redeemed: i64,
    /// Points earned (set when the sale completes).
    pub earned: i64,
}

impl MemberOnSale {
    /// Balance after this sale.
    pub fn balance_after(&self) -> i64 {
        self.balance_before - self.redeemed + self.earned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::money;
    use rust_decimal_macros::dec;

    #[test]
    fn shipped_members_load_and_look_up() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/data/members.yaml");
        let members = Members::load(&path).unwrap();
        let m = members.lookup("13800138000").unwrap();
        assert_eq!(members.lookup(&m.card.clone()).unwrap().id, m.id);
        assert!(members.lookup("000").is_none());
    }

    #[test]
    fn points_rules() {
        let rules = PointsRules {
            points_per_unit: dec!(1),
            point_value: money("0.01"),
            redeem_step: 100,
        };
        assert_eq!(points_earned(&rules, money("123.99")), 123);
        assert_eq!(points_earned(&rules, money("-5")), 0);
        assert_eq!(redemption_value(&rules, 500), money("5.00"));
    }
}
