//! Counters kept in the journal so they survive restarts: the STAN (per message, wraps at
//! 999999 back to 1) and the batch number (from sign-on, incremented when a batch closes).

use rusqlite::params;

use super::{exec, Journal, Result};

/// Largest STAN and batch number (six digits).
pub const COUNTER_MAX: u32 = 999_999;

impl Journal {
    fn bump(&mut self, name: &str) -> Result<u32> {
        self.write(|tx, _| bump_in(tx, name))
    }

    fn counter(&self, name: &str) -> Result<u32> {
        Ok(self
            .conn
            .query_row("SELECT value FROM counters WHERE name = ?1", [name], |r| {
                r.get(0)
            })?)
    }

    /// Takes the next STAN (committed before the message that carries it is sent).
    pub fn next_stan(&mut self) -> Result<u32> {
        self.bump("stan")
    }

    /// The last STAN taken (0 before the first).
    pub fn current_stan(&self) -> Result<u32> {
        self.counter("stan")
    }

    /// The current batch number.
    pub fn current_batch(&self) -> Result<u32> {
        self.counter("batch")
    }

    /// Sets the batch number (from the host's sign-on response, field 60.2).
    pub fn set_batch(&mut self, batch: u32) -> Result<()> {
        self.write(|tx, ctx| {
            exec(
                tx,
                "UPDATE counters SET value = ?1 WHERE name = 'batch'",
                [batch],
            )?;
            super::sale::write_event(tx, ctx, None, None, "batch_set", &batch.to_string())
        })
    }

    /// Closes the batch after settlement; returns the new batch number.
    pub fn close_batch(&mut self) -> Result<u32> {
        self.bump("batch")
    }

    /// Sets a counter directly; for tests of the wrap-around.
    #[doc(hidden)]
    pub fn force_counter(&mut self, name: &str, value: u32) -> Result<()> {
        self.write(|tx, _| {
            exec(
                tx,
                "UPDATE counters SET value = ?2 WHERE name = ?1",
                params![name, value],
            )?;
            Ok(())
        })
    }
}

/// Takes the next value of counter `name` inside the caller's transaction.
pub(super) fn bump_in(tx: &rusqlite::Transaction<'_>, name: &str) -> Result<u32> {
    let value: u32 = tx.query_row("SELECT value FROM counters WHERE name = ?1", [name], |r| {
        r.get(0)
    })?;
    let next = if value >= COUNTER_MAX { 1 } else { value + 1 };
    exec(
        tx,
        "UPDATE counters SET value = ?2 WHERE name = ?1",
        params![name, next],
    )?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::clock::{DateTime, ManualClock};
    use crate::journal::Journal;
    use crate::money::Currency;

    #[test]
    fn stan_wraps_and_batch_closes() {
        let clock = Arc::new(ManualClock::new(DateTime::from_unix(0)));
        let mut j = Journal::open_in_memory(Currency::cny(), clock).unwrap();
        assert_eq!(j.next_stan().unwrap(), 1);
        assert_eq!(j.next_stan().unwrap(), 2);
        j.force_counter("stan", 999_998).unwrap();
        assert_eq!(j.next_stan().unwrap(), 999_999);
        assert_eq!(j.next_stan().unwrap(), 1);
        j.set_batch(42).unwrap();
        assert_eq!(j.close_batch().unwrap(), 43);
        assert_eq!(j.current_batch().unwrap(), 43);
    }
}
