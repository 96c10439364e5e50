//! The one search-and-answer engine of Solodesk.
//!
//! `kbgen` writes the index with this crate on the host and the widget reads it with the same code
//! compiled to wasm32, so the writer and the reader of the format cannot drift.
//!
//! Invariant: this crate does no I/O (no file system, no network, no clock, no UI); it takes bytes
//! and strings and returns values.
//!
//! NOTE: this is the first, naive slice of the engine that fixes its public API so that `kbgen`
//! and the widget can be built against it. Text analysis, the binary format, BM25F ranking and the
//! calibrated rule responder replace its insides (issue 3).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The bytes every index file starts with.
pub const MAGIC: &[u8; 4] = b"SDKX";
/// The index format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 0;

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

/// Collects articles and rules and writes the index bytes.
#[derive(Debug, Default)]
pub struct IndexBuilder {
    articles: Vec<Article>,
    rules: Vec<Rule>,
}

impl IndexBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add_article(&mut self, article: Article) {
        self.articles.push(article);
    }

    pub fn add_rule(&mut self, rule: Rule) {
        self.rules.push(rule);
    }

    /// Writes the index: the same input gives the same bytes.
    pub fn build(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        let body = Body {
            articles: self.articles.clone(),
            rules: self.rules.clone(),
        };
        out.extend_from_slice(&serde_json::to_vec(&body).expect("index body serializes"));
        out
    }
}

#[derive(Serialize, Deserialize)]
struct Body {
    articles: Vec<Article>,
    rules: Vec<Rule>,
}

/// A read index, ready to answer.
#[derive(Debug)]
pub struct Index {
    articles: Vec<Article>,
    rules: Vec<Rule>,
}

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

/// One search result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hit {
    /// Position of the article in [`Index::articles`].
    pub article: u32,
    pub id: String,
    pub title: String,
    /// The URL of the best section: the article's URL plus `#anchor` when the section has one.
    pub url: String,
    /// Heading of the best matching section, if it is not the article's top.
    pub section: Option<String>,
    pub score: f32,
    pub snippet: String,
    /// Byte ranges of matched words in `snippet`; the renderer escapes and highlights them.
    pub highlights: Vec<(u32, u32)>,
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

impl Index {
    /// Reads index bytes written by [`IndexBuilder::build`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Index, FormatError> {
        if bytes.len() < 6 || &bytes[..4] != MAGIC {
            return Err(FormatError::BadMagic);
        }
        let found = u16::from_le_bytes([bytes[4], bytes[5]]);
        if found != FORMAT_VERSION {
            return Err(FormatError::UnsupportedVersion {
                found,
                supported: FORMAT_VERSION,
            });
        }
        let body: Body =
            serde_json::from_slice(&bytes[6..]).map_err(|_| FormatError::Corrupt("body"))?;
        Ok(Index {
            articles: body.articles,
            rules: body.rules,
        })
    }

    pub fn articles(&self) -> &[Article] {
        &self.articles
    }

    /// Ranked articles for a query typed so far.
    pub fn search(&self, query: &str, opts: &SearchOptions<'_>) -> Vec<Hit> {
        let terms = naive_terms(query);
        if terms.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<Hit> = self
            .articles
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let text = format!("{} {}", a.title, a.questions.join(" ")).to_lowercase();
                let body: String = a.sections.iter().map(|s| s.text.to_lowercase()).collect();
                let mut score = 0.0;
                for t in &terms {
                    score += 3.0 * text.matches(t.as_str()).count() as f32;
                    score += body.matches(t.as_str()).count().min(3) as f32;
                }
                if opts.lang.is_some_and(|l| l == a.lang) {
                    score *= 1.5;
                }
                (score > 0.0).then(|| Hit {
                    article: i as u32,
                    id: a.id.clone(),
                    title: a.title.clone(),
                    url: a.url.clone(),
                    section: None,
                    score,
                    snippet: a.summary.clone(),
                    highlights: Vec::new(),
                })
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits.truncate(opts.limit);
        hits
    }

    /// The rule answer (if one is confident), the best articles, and whether to offer the ticket.
    pub fn ask(&self, question: &Question<'_>) -> Answer {
        let q = question.text.to_lowercase();
        let rule = self
            .rules
            .iter()
            .find(|r| r.phrasings.iter().any(|p| p.to_lowercase() == q.trim()))
            .map(|r| RuleAnswer {
                id: r.id.clone(),
                confidence: 1.0,
                answer_html: r.answer_html.clone(),
                articles: r
                    .articles
                    .iter()
                    .filter_map(|id| self.articles.iter().position(|a| &a.id == id))
                    .map(|i| i as u32)
                    .collect(),
            });
        let articles = self.search(
            question.text,
            &SearchOptions {
                limit: 5,
                lang: question.lang,
            },
        );
        let offer_ticket = rule.is_none() && articles.is_empty();
        Answer {
            rule,
            articles,
            offer_ticket,
        }
    }

    /// Articles whose `pages` patterns match the URL of the page the visitor is on.
    pub fn suggest_for_page(&self, page_url: &str) -> Vec<u32> {
        self.articles
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                a.pages
                    .iter()
                    .any(|p| page_url.contains(p.trim_end_matches('*')))
            })
            .map(|(i, _)| i as u32)
            .collect()
    }
}

fn naive_terms(query: &str) -> Vec<String> {
    query.split_whitespace().map(str::to_lowercase).collect()
}
