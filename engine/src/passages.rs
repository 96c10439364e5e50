//! An article's text in a small file of its own, and where in it a search result points.
//!
//! The index holds only what ranking needs, so that it stays small enough to fetch before the
//! first answer; the text a result shows (its best section and a snippet around the matched
//! words) comes from the article's passages, which the widget fetches for the few results it
//! shows and kbgen writes beside the index, one file per article.
//!
//! Layout of passages format version 1 (integers are LEB128 varints, see `wire`):
//!
//! ```text
//! "SDKP" | u16 LE version | summary | n, then per section anchor heading text
//!        | u32 LE FNV-1a checksum of everything before it
//! ```
//!
//! The same article gives the same bytes.

use crate::analyze::{self, Kind};
use crate::index::Index;
use crate::search::{idf, Group};
use crate::wire::{framed, Reader, Writer};
use crate::{Article, FormatError, Section};
use rust_stemmers::Stemmer;
use serde::Serialize;
use std::sync::OnceLock;

/// The bytes every passages file starts with.
pub const PASSAGES_MAGIC: &[u8; 4] = b"SDKP";
/// The passages format version this build writes and reads.
pub const PASSAGES_VERSION: u16 = 1;

/// About two lines of a result list: the snippet shown under a result's title.
const SNIPPET_BYTES: usize = 150;
/// How much text a snippet keeps before its first match, so the match is read in context.
const LEAD_BYTES: usize = 40;
/// Most occurrences of a term that count in a section's body (as in the index, see
/// `SECTION_CAPS` there).
const BODY_CAP: u32 = 7;

/// An article's summary and sections with their full plain text.
///
/// The first [`Index::locate`] of an article analyzes its text once and keeps the tokens here:
/// the widget locates the same few articles again on every keystroke, and analysis (word
/// breaking, folding, stemming) is most of the cost; what remains per query is comparing term
/// numbers.
#[derive(Clone, Debug, Default)]
pub struct Passages {
    summary: String,
    sections: Vec<Section>,
    analyzed: OnceLock<Analyzed>,
}

impl PartialEq for Passages {
    fn eq(&self, other: &Passages) -> bool {
        self.summary == other.summary && self.sections == other.sections
    }
}

/// So that `Rc<Passages>` compares by pointer first (what Yew does with a view's properties).
impl Eq for Passages {}

/// The article's text as tokens: every token's term and folded word as a byte range of one
/// string they are all written into (no allocation per token), with its place in the text.
#[derive(Clone, Debug, Default)]
struct Analyzed {
    words: String,
    sections: Vec<SectionTokens>,
}

/// A byte range of [`Analyzed::words`].
type Span = (u32, u32);

#[derive(Clone, Debug, Default)]
struct SectionTokens {
    /// Terms of the heading.
    heading: Vec<Span>,
    body: Vec<Tok>,
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    term: Span,
    folded: Span,
    start: u32,
    end: u32,
    kind: Kind,
}

impl Analyzed {
    fn word(&self, (a, b): Span) -> &str {
        &self.words[a as usize..b as usize]
    }
}

/// Writes `s` at the end of `words` and returns where.
fn push_word(words: &mut String, s: &str) -> Span {
    let start = words.len() as u32;
    words.push_str(s);
    (start, words.len() as u32)
}

/// Where a result points within its article.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Located {
    /// The article's URL plus `#anchor` when the best section has one.
    pub url: String,
    /// Heading of the best matching section, if it is not the article's top.
    pub section: Option<String>,
    /// About two lines of the section around the matched words, with "…" where text was left
    /// out; the summary when the section has no text.
    pub snippet: String,
    /// Byte ranges of matched words in `snippet`; the renderer escapes and highlights them.
    pub highlights: Vec<(u32, u32)>,
}

/// Where the help center keeps an article's files for the widget, relative to its root: the
/// passages (`ext` `bin`) and the rendered body (`html`) of the article at `article_url`
/// (`en/refunds/` → `widget/articles/en/refunds.bin`). kbgen writes them there, the widget and
/// the search page (`kbgen/theme/search.js`) read them.
pub fn article_file(article_url: &str, ext: &str) -> String {
    format!(
        "widget/articles/{}.{ext}",
        article_url.trim_end_matches('/')
    )
}

impl Passages {
    pub fn new(summary: String, sections: Vec<Section>) -> Passages {
        Passages {
            summary,
            sections,
            analyzed: OnceLock::new(),
        }
    }

    /// The passages of an article, as kbgen writes them.
    pub fn of(article: &Article) -> Passages {
        Passages::new(article.summary.clone(), article.sections.clone())
    }

    pub fn summary(&self) -> &str {
        &self.summary
    }

    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The tokens of the sections, analyzed with `stemmer` (the article's) on first use.
    fn analyzed(&self, stemmer: Option<&Stemmer>) -> &Analyzed {
        self.analyzed.get_or_init(|| {
            let mut a = Analyzed::default();
            for section in &self.sections {
                let mut tokens = SectionTokens::default();
                analyze::each_token(&section.heading, stemmer, None, |t| {
                    tokens.heading.push(push_word(&mut a.words, t.term));
                });
                analyze::each_token(&section.text, stemmer, None, |t| {
                    let term = push_word(&mut a.words, t.term);
                    let folded = if t.folded == t.term {
                        term
                    } else {
                        push_word(&mut a.words, t.folded)
                    };
                    tokens.body.push(Tok {
                        term,
                        folded,
                        start: t.start,
                        end: t.end,
                        kind: t.kind,
                    });
                });
                a.sections.push(tokens);
            }
            a
        })
    }

    /// The bytes of an article's passages file: the same article gives the same bytes.
    pub fn encode(article: &Article) -> Vec<u8> {
        write(&article.summary, &article.sections)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        write(&self.summary, &self.sections)
    }

    /// Reads bytes written by [`Passages::encode`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Passages, FormatError> {
        let mut r = Reader::new(framed(bytes, PASSAGES_MAGIC, PASSAGES_VERSION)?);
        let summary = r.string()?;
        let n = r.count()?;
        let mut sections = Vec::with_capacity(n);
        for _ in 0..n {
            sections.push(Section {
                anchor: r.string()?,
                heading: r.string()?,
                text: r.string()?,
            });
        }
        if !r.is_empty() {
            return Err(FormatError::Corrupt("trailing bytes"));
        }
        Ok(Passages::new(summary, sections))
    }
}

fn write(summary: &str, sections: &[Section]) -> Vec<u8> {
    let mut w = Writer::framed(PASSAGES_MAGIC, PASSAGES_VERSION);
    w.str(summary);
    w.usize(sections.len());
    for s in sections {
        w.str(&s.anchor);
        w.str(&s.heading);
        w.str(&s.text);
    }
    w.end_frame();
    w.buf
}

impl Index {
    /// The best section of the article at position `article` for `query` (as given to
    /// [`Index::search`] with the visitor's `lang`), with a snippet around the matched words.
    ///
    /// The section with most of the query relative to its length wins: matches in its heading
    /// count fully, matches in its body saturate with the body's length, each weighted by the
    /// rarity of its term; on a tie, or when nothing matches, the earlier section.
    pub fn locate(
        &self,
        article: u32,
        passages: &Passages,
        query: &str,
        lang: Option<&str>,
    ) -> Located {
        self.locate_all(&[(article, Some(passages))], query, lang)
            .pop()
            .flatten()
            .unwrap_or_default()
    }

    /// [`Index::locate`] for several results of one query, which analyzes the query once (a
    /// misspelt word is looked up in the whole dictionary): per result, in order, where it
    /// points, or `None` for one whose passages are not at hand (yet).
    pub fn locate_all(
        &self,
        results: &[(u32, Option<&Passages>)],
        query: &str,
        lang: Option<&str>,
    ) -> Vec<Option<Located>> {
        if results.iter().all(|(_, p)| p.is_none()) {
            return vec![None; results.len()];
        }
        let groups = self.groups(query, lang);
        results
            .iter()
            .map(|&(article, passages)| Some(self.locate_with(article, passages?, &groups)))
            .collect()
    }

    fn locate_with(&self, article: u32, passages: &Passages, groups: &[Group]) -> Located {
        let Some(a) = self.articles.get(article as usize) else {
            return Located::default();
        };
        let stemmer = self.stemmer_of(&a.lang);
        let (best, mut ranges) = self.best_section(passages.analyzed(stemmer), groups);
        let section = passages.sections.get(best);
        let mut text = section.map_or("", |s| s.text.as_str());
        if text.trim().is_empty() {
            text = &passages.summary;
            ranges = self.highlights(text, groups, &a.lang);
        }
        let (snippet, highlights) = window(text, &ranges);
        let url = match section {
            Some(s) if !s.anchor.is_empty() => format!("{}#{}", a.url, s.anchor),
            _ => a.url.clone(),
        };
        Located {
            url,
            section: section
                .filter(|s| best > 0 && !s.heading.is_empty())
                .map(|s| s.heading.clone()),
            snippet,
            highlights,
        }
    }

    /// The stemmer of the index's articles in `lang`.
    pub(crate) fn stemmer_of(&self, lang: &str) -> Option<&Stemmer> {
        analyze::stemmer_in(&self.langs, lang)
    }

    /// Position in the article's sections of the one to open (0 when there are none), with
    /// the byte ranges of the matched words in its text (as `Index::highlights` finds them).
    fn best_section(&self, analyzed: &Analyzed, groups: &[Group]) -> (usize, Vec<(u32, u32)>) {
        let n = self.articles.len() as f32;
        // The query's terms, each with its weight summed over the groups it is in.
        let mut weights: Vec<(&str, f32)> = Vec::new();
        for g in groups {
            for &(t, w) in &g.terms {
                let weight = idf(n, self.df(t) as f32) * w * g.weight;
                let term = self.terms.text(t);
                match weights.iter_mut().find(|(x, _)| *x == term) {
                    Some(e) => e.1 += weight,
                    None => weights.push((term, weight)),
                }
            }
        }
        let prefixes: Vec<&str> = groups
            .iter()
            .filter(|g| g.prefix)
            .map(|g| g.folded.as_str())
            .collect();
        let slot = |term: Span| {
            let term = analyzed.word(term);
            weights.iter().position(|(x, _)| *x == term)
        };
        let mut counts = vec![[0u32; 2]; weights.len()];
        let mut best = (0, 0.0f32, Vec::new());
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for (i, section) in analyzed.sections.iter().enumerate() {
            counts.iter_mut().for_each(|c| *c = [0, 0]);
            for &t in &section.heading {
                if let Some(k) = slot(t) {
                    counts[k][0] = 1;
                }
            }
            let mut body_len = 0u32;
            ranges.clear();
            for t in &section.body {
                let k = slot(t.term);
                if t.kind != Kind::Stop {
                    body_len += 1;
                    if let Some(k) = k {
                        counts[k][1] = (counts[k][1] + 1).min(BODY_CAP);
                    }
                }
                let hit = k.is_some() || {
                    let folded = analyzed.word(t.folded);
                    prefixes.iter().any(|p| folded.starts_with(p))
                };
                if hit && t.kind != Kind::Stop && t.kind != Kind::CjkChar {
                    match ranges.last_mut() {
                        // Overlapping CJK pairs merge into one highlighted run.
                        Some(last) if t.start <= last.1 => last.1 = last.1.max(t.end),
                        _ => ranges.push((t.start, t.end)),
                    }
                }
            }
            let norm = 0.5 + body_len as f32 / self.avg_section_len;
            let score: f32 = counts
                .iter()
                .zip(&weights)
                .map(|(&[h, b], (_, w))| (h as f32 + b as f32 / (b as f32 + norm)) * w)
                .sum();
            if i == 0 || score > best.1 {
                best = (i, score, std::mem::take(&mut ranges));
            }
        }
        (best.0, best.2)
    }
}

/// About `SNIPPET_BYTES` of `text` around the most matches (`ranges`, sorted byte ranges), cut
/// at words, runs of whitespace made one space, with "…" where text was left out; and the
/// ranges that fall inside, moved into it.
fn window(text: &str, ranges: &[(u32, u32)]) -> (String, Vec<(u32, u32)>) {
    let (mut start, mut end) = (0, text.len());
    if text.trim().len() > SNIPPET_BYTES {
        // The match after which most matches fit in the window, the earliest of equals.
        let mut best = (0, 0);
        for (i, &(a, _)) in ranges.iter().enumerate() {
            let from = (a as usize).saturating_sub(LEAD_BYTES);
            let fit = ranges[i..]
                .iter()
                .take_while(|r| r.1 as usize <= from + SNIPPET_BYTES)
                .count();
            if fit > best.0 {
                best = (fit, i);
            }
        }
        if best.0 > 0 {
            let a = ranges[best.1].0 as usize;
            start = word_start(text, a.saturating_sub(LEAD_BYTES), a);
        }
        end = word_end(text, start, (start + SNIPPET_BYTES).min(text.len()));
    }
    let mut out = String::new();
    if !text[..start].trim().is_empty() {
        out.push('…');
    }
    let lead = out.len();
    // Where each byte of `text[start..end]` (and its end) lands in `out`.
    let mut at = vec![0u32; end - start + 1];
    let mut space = false;
    for (i, c) in text[start..end].char_indices() {
        if c.is_whitespace() {
            space = out.len() > lead;
            at[i] = out.len() as u32;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        at[i] = out.len() as u32;
        out.push(c);
    }
    at[end - start] = out.len() as u32;
    if !text[end..].trim().is_empty() {
        out.push('…');
    }
    let highlights = ranges
        .iter()
        .map(|&(a, b)| (a as usize, b as usize))
        .filter(|&(a, b)| a >= start && b <= end && a < b)
        .map(|(a, b)| (at[a - start], at[b - start]))
        .filter(|(a, b)| a < b)
        .collect();
    (out, highlights)
}

/// Where a snippet that should begin near `from` starts: after the first space between `from`
/// and the match at `limit`, so no word is cut, or at `from` itself in text without spaces.
fn word_start(text: &str, from: usize, limit: usize) -> usize {
    let mut from = from;
    while !text.is_char_boundary(from) {
        from += 1;
    }
    if from == 0 || from >= limit {
        return from.min(limit);
    }
    match text[from..limit].find(char::is_whitespace) {
        Some(i) if !text[..from].ends_with(char::is_whitespace) => from + i + 1,
        _ => from,
    }
}

/// Where a snippet from `start` that may run to `end` ends: at the last space in its second
/// half, so no word is cut, or at `end` itself in text without spaces.
fn word_end(text: &str, start: usize, end: usize) -> usize {
    if end >= text.len() {
        return text.len();
    }
    let mut end = end;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let half = start + SNIPPET_BYTES / 2;
    match text[start..end].rfind(char::is_whitespace) {
        Some(i) if start + i > half => start + i,
        _ => end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` with the `[` `]`-marked words as ranges → the snippet with its ranges marked.
    fn check(marked: &str, expected: &str) {
        let mut text = String::new();
        let mut ranges = Vec::new();
        for c in marked.chars() {
            match c {
                '[' => ranges.push((text.len() as u32, 0)),
                ']' => ranges.last_mut().unwrap().1 = text.len() as u32,
                c => text.push(c),
            }
        }
        let (snippet, highlights) = window(&text, &ranges);
        let mut got = String::new();
        let mut at = 0;
        for (a, b) in highlights {
            got.push_str(&snippet[at..a as usize]);
            got.push('[');
            got.push_str(&snippet[a as usize..b as usize]);
            got.push(']');
            at = b as usize;
        }
        got.push_str(&snippet[at..]);
        assert_eq!(got, expected);
        assert!(snippet.len() <= SNIPPET_BYTES + 6, "{snippet:?}");
    }

    #[test]
    fn short_text_is_whole_with_spaces_collapsed() {
        check("  We [refund]\n\n any  order. ", "We [refund] any order.");
        check("", "");
    }

    #[test]
    fn the_window_follows_the_matches() {
        let filler = "lorem ipsum dolor sit amet ".repeat(8);
        check(
            &format!("{filler}so we [refund] the [order] today. {filler}"),
            "…amet lorem ipsum dolor sit amet so we [refund] the [order] today. lorem ipsum \
             dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem…",
        );
        // No match: the beginning, cut at a word.
        check(
            &format!("start {filler}"),
            "start lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor \
             sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem…",
        );
    }

    #[test]
    fn the_window_with_most_matches_wins() {
        let filler = "lorem ipsum dolor sit amet ".repeat(8);
        check(
            &format!("[one] {filler}[two] and [three] here {filler}"),
            "…sit amet lorem ipsum dolor sit amet [two] and [three] here lorem ipsum dolor sit \
             amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum…",
        );
    }

    #[test]
    fn cjk_is_cut_at_characters() {
        let text = format!("{}[修改密码]{}", "退款".repeat(40), "说明".repeat(40));
        check(
            &text,
            &format!("…款{}[修改密码]{}说…", "退款".repeat(6), "说明".repeat(16)),
        );
    }

    #[test]
    fn passages_round_trip() {
        let article = Article {
            summary: "About refunds".into(),
            sections: vec![
                Section {
                    text: "We refund any order.".into(),
                    ..Section::default()
                },
                Section {
                    anchor: "shipping".into(),
                    heading: "Shipping 送料".into(),
                    text: "Shipping costs are not refunded.".into(),
                },
            ],
            ..Article::default()
        };
        let bytes = Passages::encode(&article);
        assert_eq!(&bytes[..4], PASSAGES_MAGIC);
        assert_eq!(Passages::from_bytes(&bytes), Ok(Passages::of(&article)));
        assert_eq!(Passages::of(&article).to_bytes(), bytes);
    }

    #[test]
    fn damaged_passages_are_rejected() {
        let bytes = Passages::encode(&Article {
            summary: "s".into(),
            ..Article::default()
        });
        let check = |b: &[u8], expected: FormatError| {
            assert_eq!(Passages::from_bytes(b), Err(expected));
        };
        check(b"", FormatError::BadMagic);
        check(b"SDKX\x03\x00", FormatError::BadMagic);
        let mut newer = bytes.clone();
        newer[4] = 9;
        check(
            &newer,
            FormatError::UnsupportedVersion {
                found: 9,
                supported: PASSAGES_VERSION,
            },
        );
        let mut flipped = bytes.clone();
        flipped[7] ^= 1;
        check(&flipped, FormatError::Corrupt("checksum mismatch"));
        check(
            &bytes[..bytes.len() - 1],
            FormatError::Corrupt("checksum mismatch"),
        );
        check(&bytes[..8], FormatError::Corrupt("unexpected end"));
    }
}
