//! The one search-and-answer engine of Solodesk.
//!
//! `kbgen` writes the index with this crate on the host and the widget reads it with the same code
//! compiled to wasm32, so the writer and the reader of the format cannot drift.
//!
//! Invariant: this crate does no I/O (no file system, no network, no clock, no UI); it takes bytes
//! and strings and returns values.
//!
//! Features: `all-stemmers` (default) adds the Snowball stemmers of every language besides
//! English (`arabic` adds only Arabic's); `regex` (default) lets rules match a regex with
//! regex-lite, `js-regex` with the browser's `RegExp` instead (see `pattern`). The widget turns
//! `all-stemmers` off, keeping `arabic`, and uses `js-regex` to keep its WebAssembly small (the
//! engine's share is ~39 KB gzip without the optional features, ~90 KB with them); an index
//! written with every stemmer still reads and searches well without them.
//!
//! Map: [`analyze`] turns text into terms (the same code at build and query time), `index`
//! writes and reads the binary format (with the bit codes of `codes`), `search` ranks articles
//! with BM25F and suggests articles for the visitor's page, `passages` holds
//! each article's text in a small file of its own and finds the section and snippet of a
//! result in it, `rules` is the canned-answer responder with its calibrated confidence.

pub mod analyze;
mod codes;
mod fold_table;
mod index;
mod passages;
mod pattern;
mod rules;
mod search;
mod terms;
mod wire;

use serde::{Deserialize, Serialize};
use std::fmt;

pub use index::{Index, IndexBuilder, BLOCK_ARTICLES};
pub use passages::{article_file, Located, Passages, PASSAGES_MAGIC, PASSAGES_VERSION};
pub use rules::RuleMatch;
#[doc(hidden)]
pub use rules::{
    confidence as rule_confidence, CALIBRATION as RULE_CALIBRATION, SIGNALS as RULE_SIGNALS,
};
pub use search::{html_text, RULE_COVERAGE};

/// The bytes every index file starts with.
pub const MAGIC: &[u8; 4] = b"SDKX";
/// The index format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 7;
/// The rule responder answers only at or above this confidence unless the owner sets another
/// threshold; chosen on the HINT3 precision/coverage curves (see `engine/eval`).
pub const DEFAULT_RULE_THRESHOLD: f32 = 0.5;

/// One help article as the engine sees it: plain text split into sections, no markup.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: String,
    pub lang: String,
    pub title: String,
    /// The article's URL relative to the help center root, e.g. `en/refunds/`.
    pub url: String,
    pub summary: String,
    pub category: String,
    pub questions: Vec<String>,
    pub tags: Vec<String>,
    /// URL patterns of the owner's site where the widget suggests this article.
    pub pages: Vec<String>,
    pub sections: Vec<Section>,
}

/// A part of an article under one heading; the first section has an empty anchor and heading.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub anchor: String,
    pub heading: String,
    pub text: String,
}

/// A canned answer of the rule responder.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub lang: String,
    /// Ways visitors ask the question this rule answers.
    pub phrasings: Vec<String>,
    pub keywords: Vec<String>,
    pub regex: Option<String>,
    /// The answer, already rendered to HTML by kbgen from the owner's markdown.
    pub answer_html: String,
    /// Ids of articles linked from the answer.
    pub articles: Vec<String>,
    pub priority: i32,
}

/// Why index bytes could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    BadMagic,
    UnsupportedVersion { found: u16, supported: u16 },
    Corrupt(&'static str),
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::BadMagic => write!(f, "not a Solodesk index (bad magic bytes)"),
            FormatError::UnsupportedVersion { found, supported } => write!(
                f,
                "index format version {found} is not supported (this build reads version {supported})"
            ),
            FormatError::Corrupt(what) => write!(f, "corrupt index: {what}"),
        }
    }
}

impl std::error::Error for FormatError {}

/// What a search should return.
#[derive(Clone, Debug)]
pub struct SearchOptions<'a> {
    pub limit: usize,
    /// The visitor's language: articles in it come first.
    pub lang: Option<&'a str>,
}

impl Default for SearchOptions<'_> {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            lang: None,
        }
    }
}

/// One search result: an article. Which of its sections to open, with a snippet, is found with
/// [`Index::locate`] once the article's [`Passages`] are at hand.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hit {
    /// Position of the article in [`Index::articles`].
    pub article: u32,
    pub id: String,
    /// The article's title; its id while the block that holds the title has not been added
    /// (see [`Index::title`]), which a caller that waits for [`Index::missing_shards`] never
    /// shows.
    pub title: String,
    /// The article's URL, relative to the help center root.
    pub url: String,
    /// The article's language.
    pub lang: String,
    pub score: f32,
}

/// A visitor's question with its context.
#[derive(Clone, Debug, Default)]
pub struct Question<'a> {
    pub text: &'a str,
    pub page_url: Option<&'a str>,
    pub lang: Option<&'a str>,
}

/// A rule that answered confidently.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleAnswer {
    pub id: String,
    /// The rule's language.
    pub lang: String,
    pub confidence: f32,
    pub answer_html: String,
    /// Positions in [`Index::articles`] of the articles the rule links to.
    pub articles: Vec<u32>,
}

/// The engine's reply to a question.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answer {
    pub rule: Option<RuleAnswer>,
    pub articles: Vec<Hit>,
    /// True when neither a rule nor a strong article answers, so the ticket should be offered.
    pub offer_ticket: bool,
}
