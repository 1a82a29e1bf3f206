//! The journal: a SQLite database (WAL, `synchronous=FULL`) where every state change of a sale
//! is committed, one transaction per domain operation, before the POS acts outside (host
//! request, drawer, printer). On restart its recovery queries say what to reverse, resend,
//! reprint or resume. It never stores a full PAN, track data, PIN or PIN block: card data comes
//! in as [`MaskedPan`](crate::tender::MaskedPan) only.
//!
//! ```
//! use std::sync::Arc;
//! use posrig_pos::clock::{DateTime, ManualClock};
//! use posrig_pos::journal::Journal;
//! use posrig_pos::money::Currency;
//!
//! let clock = Arc::new(ManualClock::new(DateTime::from_unix(1_735_689_600)));
//! let mut journal = Journal::open_in_memory(Currency::cny(), clock).unwrap();
//! assert_eq!(journal.next_stan().unwrap(), 1);
//! ```

mod advice;
mod audit;
mod counters;
mod host;
pub mod migrations;
mod points;
mod qr;
mod receipt;
mod reversal;
mod sale;
mod schema;
mod totals;
mod void;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::clock::WallClock;
use crate::money::{Currency, Money, MoneyError};
use crate::sale::SaleId;

pub use advice::{Advice, AdviceId, QueuedAdvice, RefundOf};
pub use audit::Event;
pub use host::{AdviceContext, BatchDetail};
pub use receipt::{PrintState, ReceiptId, StoredReceipt};
pub use reversal::{PendingReversal, Reversal, ReversalId, ReversalKind};
pub use sale::{
    Completion, PendingTender, SaleSummary, StoredSale, StoredTender, TenderId, TenderState,
};
pub use totals::{BatchTotals, CardTotals, DayTotals, KindTotals, Settlement, TenderTotals};
pub use void::{VoidState, VoidStatus};

/// A journal operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// SQLite failed.
    #[error("access journal database")]
    Db(#[from] rusqlite::Error),
    /// An amount could not be stored in minor units.
    #[error("store amount")]
    Money(#[from] MoneyError),
    /// The database was written by a newer build.
    #[error("open journal: schema version {found} is newer than supported {supported}")]
    NewerSchema {
        /// Version in the file.
        found: u32,
        /// Latest this build knows.
        supported: u32,
    },
    /// No sale with that id.
    #[error("find sale {0}: no such sale")]
    UnknownSale(SaleId),
    /// No tender with that id.
    #[error("find tender {0}: no such tender")]
    UnknownTender(i64),
    /// Completing a sale whose state machine is not completed.
    #[error("complete sale {0}: the sale is not fully paid")]
    NotCompleted(SaleId),
    /// The journal's approved tenders do not pay the sale's total.
    #[error("complete sale {sale}: journal tenders total {journal}, sale needs {needed}")]
    TendersMismatch {
        /// The sale.
        sale: SaleId,
        /// Sum of approved tenders in the journal.
        journal: Money,
        /// Total plus rounding.
        needed: Money,
    },
    /// A row that does not decode (edited or corrupted database).
    #[error("read journal: {0}")]
    Corrupt(String),
}

/// Shorthand for journal results.
pub type Result<T, E = JournalError> = std::result::Result<T, E>;

/// What a restarted terminal must deal with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// Sales neither completed nor cancelled, oldest first.
    pub in_progress: Vec<SaleSummary>,
    /// Tenders requested but not answered (their reversals, if any, are in `pending_reversals`).
    pub pending_tenders: Vec<StoredTender>,
    /// Reversals to send, oldest first.
    pub pending_reversals: Vec<PendingReversal>,
    /// Offline advices to send, oldest first.
    pub queued_advices: Vec<QueuedAdvice>,
    /// Documents whose printing did not finish, oldest first.
    pub unfinished_receipts: Vec<StoredReceipt>,
}

/// How hard a commit holds: what the journal's connections set `synchronous` to.
///
/// A terminal's journal is [`Durability::Full`], always: a completed sale survives a power cut.
/// [`Durability::Normal`] exists for simulated lanes in load runs (thousands of lanes, tens of
/// commits a sale, in virtual time), where an fsync per commit would be most of the run's wall
/// time and no machine is powered off mid-sale: in WAL mode with `synchronous=NORMAL` a commit
/// is not fsynced but still survives the process crashing; only an OS crash or power loss may
/// drop the last commits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: every commit is on disk before it returns (the default).
    #[default]
    Full,
    /// `synchronous=NORMAL` (WAL): commits survive a process crash, not a power cut.
    Normal,
}

/// The journal of one lane.
pub struct Journal {
    conn: Connection,
    currency: Currency,
    clock: Arc<dyn WallClock>,
    /// Commits made, shared with whoever asked to count them (benchmarks).
    commits: Arc<AtomicU64>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.conn.path())
            .finish()
    }
}

impl Journal {
    /// Opens (creating if needed) the journal at `path` and migrates it to the latest schema.
    pub fn open(path: &Path, currency: Currency, clock: Arc<dyn WallClock>) -> Result<Self> {
        Self::open_with(path, currency, clock, Durability::Full)
    }

    /// [`Journal::open`] with a chosen durability (see [`Durability`]: `Full` for any real lane).
    pub fn open_with(
        path: &Path,
        currency: Currency,
        clock: Arc<dyn WallClock>,
        durability: Durability,
    ) -> Result<Self> {
        Self::with_connection(Connection::open(path)?, currency, clock, durability)
    }

    /// An in-memory journal, for tests and benchmarks.
    pub fn open_in_memory(currency: Currency, clock: Arc<dyn WallClock>) -> Result<Self> {
        Self::with_connection(
            Connection::open_in_memory()?,
            currency,
            clock,
            Durability::Full,
        )
    }

    fn with_connection(
        mut conn: Connection,
        currency: Currency,
        clock: Arc<dyn WallClock>,
        durability: Durability,
    ) -> Result<Self> {
        schema::configure(&conn, durability)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        migrations::migrate(&mut conn, migrations::LATEST_VERSION)?;
        Ok(Journal {
            conn,
            currency,
            clock,
            commits: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32> {
        migrations::version(&self.conn)
    }

    /// Counts this connection's commits into `counter` (shared by several connections to the
    /// same file, so a benchmark sees the lane's total).
    pub fn count_commits_into(&mut self, counter: Arc<AtomicU64>) {
        self.commits = counter;
    }

    /// Commits counted so far (see [`Journal::count_commits_into`]).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Runs `f` in one immediate transaction and commits it.
    fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>, &Ctx<'_>) -> Result<T>) -> Result<T> {
        let ctx = Ctx {
            currency: &self.currency,
            now: self.clock.now().to_string(),
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx, &ctx)?;
        tx.commit()?;
        self.commits.fetch_add(1, Ordering::Relaxed);
        Ok(out)
    }

    fn money(&self, minor: i64) -> Money {
        self.currency.from_minor(minor)
    }

    /// Everything a restarted terminal must reverse, resend, reprint or resume.
    pub fn recovery(&self) -> Result<Recovery> {
        Ok(Recovery {
            in_progress: self.in_progress_sales()?,
            pending_tenders: self.pending_tenders()?,
            pending_reversals: self.pending_reversals()?,
            queued_advices: self.queued_advices()?,
            unfinished_receipts: self.unfinished_receipts()?,
        })
    }
}

/// Runs `sql` through the connection's statement cache: a lane writes the same few statements
/// tens of times a sale, and parsing them again each time was most of what a small write cost.
fn exec(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// Distinct statements kept prepared (the journal has a few dozen).
const STATEMENT_CACHE: usize = 64;

/// What every write needs: the currency for minor units and the commit's timestamp.
struct Ctx<'a> {
    currency: &'a Currency,
    now: String,
}

impl Ctx<'_> {
    fn minor(&self, m: Money) -> Result<i64> {
        Ok(self.currency.to_minor(m)?)
    }
}
