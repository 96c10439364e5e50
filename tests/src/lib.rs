//! Helpers shared by the cross-crate and browser tests.
