//! Side effects of the panel, kept out of components and state so both stay plain.
//!
//! Everything here talks to the browser: sessionStorage (never cookies or localStorage), the
//! clipboard, fetching article bodies and index shards from the help center, the clock and random
//! numbers for tickets, the browser's zlib compressor for the ticket's machine block, and the
//! loader's event callback.

pub mod article;
pub mod clipboard;
pub mod deflate;
pub mod fetch;
pub mod host;
pub mod shards;
pub mod storage;
pub mod ticket;
