//! The terminal event loop of one lane, wiring drivers, host clients, the sale and the journal; to be written.
