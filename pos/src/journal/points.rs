//! Member point movements in the journal: earned and redeemed per sale, and the balance a member
//! has now (opening balance from `members.yaml` plus movements).

use super::{Journal, Result};
use crate::member::Member;

impl Journal {
    /// Sum of a member's movements in the journal.
    pub fn member_points_delta(&self, member_id: &str) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(SUM(delta), 0) FROM member_points WHERE member_id = ?1",
            [member_id],
            |r| r.get(0),
        )?)
    }

    /// A member's current balance.
    pub fn member_balance(&self, member: &Member) -> Result<i64> {
        Ok(member.points + self.member_points_delta(&member.id)?)
    }

    /// A member's movements in order: (sale id, reason, delta).
    pub fn member_movements(&self, member_id: &str) -> Result<Vec<(Option<i64>, String, i64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT sale_id, reason, delta FROM member_points WHERE member_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([member_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
