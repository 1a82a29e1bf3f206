//! Versioned schema migrations: an ordered list applied in one transaction each, with the version
//! kept in `PRAGMA user_version`. A database newer than this build is refused, not touched.

use rusqlite::Connection;

use super::schema;
use super::JournalError;

/// Migrations in order; migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[schema::V1, schema::V2, schema::V3, schema::V4];

/// The schema version this build writes.
pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;

/// The database's schema version (0 for an empty database).
pub fn version(conn: &Connection) -> Result<u32, JournalError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Migrates `conn` up to `target` (at most [`LATEST_VERSION`]); returns the version reached.
pub fn migrate(conn: &mut Connection, target: u32) -> Result<u32, JournalError> {
    let mut current = version(conn)?;
    if current > LATEST_VERSION {
        return Err(JournalError::NewerSchema {
            found: current,
            supported: LATEST_VERSION,
        });
    }
    while current < target.min(LATEST_VERSION) {
        let tx = conn.transaction()?;
        tx.execute_batch(MIGRATIONS[current as usize])?;
        // `user_version` cannot take a bound parameter.
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
        current += 1;
    }
    Ok(current)
}
