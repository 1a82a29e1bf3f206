//! rng — being written.
