//! Integration tests of the ISO 8583 CUP layout: published vectors, framing, error cases and
//! property tests.

mod errors;
mod framing;
mod props;
mod support;
mod vectors;
