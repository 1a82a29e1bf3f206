//! The journal's connection settings and table definitions, one SQL batch per schema version.
//! Amounts are INTEGER minor units (exact, summable in SQL); unit prices and rates are decimal
//! TEXT; times are `YYYY-MM-DD HH:MM:SS` TEXT from the POS's wall clock.

use rusqlite::Connection;

use super::Durability;

/// Connection settings: WAL so readers never block the writer, `synchronous` as `durability`
/// says (`FULL` for a real lane, so a commit survives power loss), foreign keys enforced.
pub(crate) fn configure(conn: &Connection, durability: Durability) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let synchronous = match durability {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", synchronous)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// Version 1: sales, lines, tenders, reversals, advices, receipts, counters, settlements,
/// member points, events.
pub(crate) const V1: &str = r#"
CREATE TABLE sales (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    state            TEXT NOT NULL,
    operator         TEXT NOT NULL,
    original_receipt TEXT,
    member_id        TEXT,
    started_at       TEXT NOT NULL,
    completed_at     TEXT,
    subtotal_minor   INTEGER,
    savings_minor    INTEGER,
    tax_minor        INTEGER,
    total_minor      INTEGER,
    rounding_minor   INTEGER,
    item_count       INTEGER,
    z_no             INTEGER
);
CREATE TABLE sale_lines (
    sale_id               INTEGER NOT NULL REFERENCES sales(id),
    line_no               INTEGER NOT NULL,
    plu                   TEXT NOT NULL,
    name                  TEXT NOT NULL,
    tax_class             TEXT NOT NULL,
    qty_units             INTEGER,
    qty_grams             INTEGER,
    unit_price            TEXT NOT NULL,
    overridden_from       TEXT,
    fixed_amount          TEXT,
    promotion             TEXT,
    discount              TEXT,
    voided                INTEGER NOT NULL DEFAULT 0,
    net_minor             INTEGER,
    tax_minor             INTEGER,
    PRIMARY KEY (sale_id, line_no)
);
CREATE TABLE sale_discounts (
    sale_id      INTEGER NOT NULL REFERENCES sales(id),
    seq          INTEGER NOT NULL,
    label        TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (sale_id, seq)
);
CREATE TABLE sale_taxes (
    sale_id     INTEGER NOT NULL REFERENCES sales(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    rate        TEXT NOT NULL,
    net_minor   INTEGER NOT NULL,
    tax_minor   INTEGER NOT NULL,
    gross_minor INTEGER NOT NULL,
    PRIMARY KEY (sale_id, code)
);
CREATE TABLE tenders (
    id             INTEGER PRIMARY KEY,
    sale_id        INTEGER NOT NULL REFERENCES sales(id),
    kind           TEXT NOT NULL,
    state          TEXT NOT NULL,
    amount_minor   INTEGER NOT NULL,
    tendered_minor INTEGER,
    change_minor   INTEGER,
    masked_pan     TEXT,
    entry_mode     TEXT,
    auth_code      TEXT,
    rrn            TEXT,
    stan           INTEGER,
    batch          INTEGER,
    offline        INTEGER NOT NULL DEFAULT 0,
    domestic       INTEGER NOT NULL DEFAULT 1,
    out_trade_no   TEXT,
    transaction_id TEXT,
    response_code  TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE TABLE reversals (
    id              INTEGER PRIMARY KEY,
    sale_id         INTEGER REFERENCES sales(id),
    tender_id       INTEGER REFERENCES tenders(id),
    kind            TEXT NOT NULL,
    mti             TEXT,
    processing_code TEXT,
    stan            INTEGER,
    batch           INTEGER,
    amount_minor    INTEGER NOT NULL,
    masked_pan      TEXT,
    entry_mode      TEXT,
    out_trade_no    TEXT,
    reason          TEXT,
    tries           INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    cleared_at      TEXT
);
CREATE TABLE advices (
    id           INTEGER PRIMARY KEY,
    sale_id      INTEGER REFERENCES sales(id),
    tender_id    INTEGER REFERENCES tenders(id),
    stan         INTEGER NOT NULL,
    batch        INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    masked_pan   TEXT NOT NULL,
    entry_mode   TEXT NOT NULL,
    tries        INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    sent_at      TEXT
);
CREATE TABLE receipts (
    id         INTEGER PRIMARY KEY,
    sale_id    INTEGER REFERENCES sales(id),
    doc_kind   TEXT NOT NULL,
    body       TEXT NOT NULL,
    text       TEXT NOT NULL,
    state      TEXT NOT NULL,
    prints     INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('stan', 0), ('batch', 1), ('z_no', 0);
CREATE TABLE settlements (
    id            INTEGER PRIMARY KEY,
    batch         INTEGER NOT NULL,
    at            TEXT NOT NULL,
    debit_count   INTEGER NOT NULL,
    debit_minor   INTEGER NOT NULL,
    credit_count  INTEGER NOT NULL,
    credit_minor  INTEGER NOT NULL,
    foreign_debit_count  INTEGER NOT NULL,
    foreign_debit_minor  INTEGER NOT NULL,
    foreign_credit_count INTEGER NOT NULL,
    foreign_credit_minor INTEGER NOT NULL,
    result        TEXT NOT NULL,
    uploaded      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE member_points (
    id        INTEGER PRIMARY KEY,
    member_id TEXT NOT NULL,
    sale_id   INTEGER REFERENCES sales(id),
    reason    TEXT NOT NULL,
    delta     INTEGER NOT NULL,
    at        TEXT NOT NULL,
    UNIQUE (member_id, sale_id, reason)
);
CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    sale_id  INTEGER,
    operator TEXT,
    kind     TEXT NOT NULL,
    detail   TEXT NOT NULL
);
"#;

/// Version 2: Z reports kept as records, and indexes for the recovery queries.
pub(crate) const V2: &str = r#"
CREATE TABLE z_reports (
    z_no        INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    sale_count  INTEGER NOT NULL,
    total_minor INTEGER NOT NULL
);
CREATE INDEX tenders_by_sale ON tenders (sale_id, id);
CREATE INDEX reversals_open ON reversals (cleared_at, id);
CREATE INDEX receipts_by_state ON receipts (state, id);
CREATE INDEX sales_by_state ON sales (state, id);
"#;

/// Version 3: what a sale in progress needs to be resumed as it was — the member on it (with the
/// balance seen and the points redeemed) and its basket discounts, as JSON. Before this they
/// were written only when the sale completed, so a resumed sale lost them. And refunds in the
/// store-and-forward queue: an advice with `refund_of` (the original's reference, as JSON) is
/// an unanswered refund (0220 `200000`) sent again, never reversed (PROTOCOLS.md §7).
pub(crate) const V3: &str = r#"
ALTER TABLE sales ADD COLUMN member_json TEXT;
ALTER TABLE sales ADD COLUMN basket_discounts TEXT;
ALTER TABLE advices ADD COLUMN refund_of TEXT;
"#;

/// Version 4: a completed sale voided (撤销) by its receipt number. `void_state` is NULL for a
/// sale never voided, `voiding` while the void is with the host (committed before the request
/// goes out; a sale in this state still counts as sold), `voided` once done: the sale then
/// leaves the day's and the batch's sale totals, its tenders are `voided`, and it can be
/// neither voided again nor refunded.
pub(crate) const V4: &str = r#"
ALTER TABLE sales ADD COLUMN void_state TEXT;
ALTER TABLE sales ADD COLUMN voided_at TEXT;
"#;
