//! The index: what the builder writes and the reader loads, in one place.
//!
//! Layout of format version 4 (all integers are LEB128 varints unless said otherwise):
//!
//! ```text
//! "SDKX" | u16 LE version | body | u32 LE FNV-1a checksum of everything before it
//! body = rule_threshold (per mille), sections (how many the articles have in all)
//!        articles: n, then a column per field, each over all articles: ids, langs,
//!                  titles, urls (a `UrlKind` byte, the string only when it is not derived
//!                  from the id), categories, tags, pages; then per article the lengths in
//!                  terms of its title, questions, tags, headings and body
//!        rules:    n, then per rule id lang phrasings keywords regex? answer_html
//!                  article positions, priority (zigzag)
//!        terms:    n, the term text (bytes: per term, sorted by bytes, one byte of the
//!                  length it shares with the term before (at most 31) then the rest of it;
//!                  the byte below 0x20 also ends the term before), then (bytes) each
//!                  term's article_df as an Elias gamma code
//!        postings: checkpoints: after every 256 postings (at the first term that reaches
//!                  it, which the reader finds from the dfs), the bit positions where that
//!                  term's postings start in both streams, as varint gaps from the last;
//!                  then per_shard: 0, and the streams in this file:
//!                  article gaps (bytes): per term, per article that has it, the articles
//!                  skipped since the last, Rice-coded with a parameter from df (`rice_k`);
//!                  frequency codes (bytes): per posting, `0`, `10`, `110` for 1-3 body
//!                  occurrences, or `111` and a field byte (see `write_posting`);
//!                  or per_shard > 0 checkpoints per shard file, and the byte lengths of
//!                  the two streams, which the shard files hold
//!        phrasings: per article n, then per question (those with a word that is not a stop
//!                  word) n, then its distinct non-stop terms as positions in the term list,
//!                  ascending, each a gap from the last
//!
//! shard file k = "SDKS" | u16 LE version | the index file's checksum | k | (bytes) the gaps
//!        and (bytes) the frequency codes from checkpoint k × per_shard to the next shard's
//!        first, in whole bytes | u32 LE FNV-1a checksum
//! ```
//!
//! Shards are for knowledge bases whose postings are too large to fetch at once: the index
//! file keeps what every search needs (terms and their dfs, titles, rules), and a search
//! fetches only the shards its terms' postings are in, found from the checkpoints. A term's
//! postings never span two shards because shards start at checkpoints, which are at terms.
//!
//! Bits are read lowest first. Version 4 can keep the postings in shards; version 3 kept
//! them in the index file always; version 2 kept them per section, with each section's
//! anchor, heading and first words, and the summaries. Versions 1 to 3 are rejected (kbgen
//! rebuilds the index).
//!
//! Only what ranking, rules and result titles need is stored. The sections, their text and the
//! summary of each article are in its passages file (see `passages`), fetched for the few
//! results shown, so the index stays a fraction of the text's size. A term's frequencies are
//! counted per section up to a cap and summed over the article, which scores articles exactly
//! as version 2 did. Terms are sorted and postings are in article order, so equal input gives
//! equal bytes. Fields are written in columns rather than records because gzip, which every
//! static host applies, packs alike values better when they sit together; the postings are
//! coded to the bit (Rice codes of the gaps, short codes of the frequencies) because gzip's
//! byte-wise codes cannot know how far apart a term's articles are, while its df tells it;
//! the frequency codes are a stream of their own, where gzip still finds patterns.

use crate::analyze::{self, Kind, StemCache};
use crate::rules::RuleSet;
use crate::wire::{checksum, framed, BitReader, BitWriter, Reader, Writer};
use crate::{Article, FormatError, Rule, Section, DEFAULT_RULE_THRESHOLD, FORMAT_VERSION, MAGIC};
use rust_stemmers::Stemmer;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// Field numbers in BM25F order.
pub const TITLE: usize = 0;
pub const QUESTIONS: usize = 1;
pub const TAGS: usize = 2;
pub const HEADING: usize = 3;
pub const BODY: usize = 4;
pub const FIELDS: usize = 5;

/// Collects articles and rules and writes the index bytes.
#[derive(Debug)]
pub struct IndexBuilder {
    articles: Vec<Article>,
    rules: Vec<Rule>,
    rule_threshold: f32,
}

impl Default for IndexBuilder {
    fn default() -> Self {
        IndexBuilder {
            articles: Vec::new(),
            rules: Vec::new(),
            rule_threshold: DEFAULT_RULE_THRESHOLD,
        }
    }
}

/// Term frequencies of one term in one section, per field.
type Freqs = [u32; FIELDS];

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

    /// The confidence at or above which the rule responder answers (default
    /// [`DEFAULT_RULE_THRESHOLD`]).
    pub fn set_rule_threshold(&mut self, threshold: f32) {
        self.rule_threshold = threshold.clamp(0.0, 1.0);
    }

    /// Writes the index: the same input gives the same bytes.
    pub fn build(&self) -> Vec<u8> {
        self.build_parts().0
    }

    /// Writes the index with its postings split into shards of about `shard_bytes` each, for
    /// a knowledge base too large to fetch whole: the index file keeps everything else (terms,
    /// titles, rules) and each shard holds the postings of a run of terms, so a search fetches
    /// only the shards of its words (see [`Index::missing_shards`]). Returns the index file and
    /// the shards with their file names ([`Index::shard_file`]); when the postings are no
    /// larger than `shard_bytes` they stay in the index file and there are no shards.
    pub fn build_sharded(&self, shard_bytes: usize) -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
        let written = self.write(Some(shard_bytes));
        (written.index, written.shards)
    }

    /// Writes the index and says which part of the format each byte belongs to: labelled
    /// ranges that cover the bytes in order, for size reports (the bench and `solodesk-eval
    /// --sizes` gzip the index without each part to see what it costs).
    #[doc(hidden)]
    pub fn build_parts(&self) -> (Vec<u8>, Vec<(&'static str, std::ops::Range<usize>)>) {
        let written = self.write(None);
        (written.index, written.parts)
    }

    fn write(&self, shard_bytes: Option<usize>) -> Written {
        let mut marks: Vec<(&'static str, usize)> = Vec::new();
        let mut w = Writer::default();
        mark(&mut marks, "header and checksum", &w);
        w.buf.extend_from_slice(MAGIC);
        w.buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        w.usize((self.rule_threshold * 1000.0).round() as usize);

        // Terms are interned while analyzing; per term, (section, freqs) in section order,
        // because sections are visited in order.
        // Interning is the hottest map of the build; its keys are the owner's own words, so a
        // fast non-keyed hash is safe.
        let mut ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut lists: Vec<Vec<(u32, Freqs)>> = Vec::new();
        let mut caches: HashMap<String, StemCache> = HashMap::new();
        let mut here: Vec<(u32, Freqs)> = Vec::new();
        let mut own: Vec<(u32, Freqs)> = Vec::new();
        let mut phrasings: Vec<Vec<Vec<u32>>> = Vec::with_capacity(self.articles.len());
        let sections: usize = self.articles.iter().map(|a| a.sections.len().max(1)).sum();
        w.usize(sections);
        w.usize(self.articles.len());
        self.write_articles(&mut w, &mut marks);
        let mut lengths = vec![[0usize; FIELDS]; self.articles.len()];
        for (article_no, article) in self.articles.iter().enumerate() {
            let stemmer = analyze::stemmer_for(&article.lang);
            let cache = caches.entry(article.lang.clone()).or_default();
            let lone = [Section::default()];
            let sections: &[Section] = if article.sections.is_empty() {
                &lone
            } else {
                &article.sections
            };
            let mut intern = |text: &str, keep_stop: bool| -> Vec<u32> {
                let mut out = Vec::new();
                analyze::each_token(text, stemmer.as_ref(), Some(&mut *cache), |t| {
                    if keep_stop || t.kind != Kind::Stop {
                        // Most words are already known: look up by `&str`, allocate only new terms.
                        let id = match ids.get(t.term) {
                            Some(&id) => id,
                            None => {
                                let id = ids.len() as u32;
                                ids.insert(t.term.to_owned(), id);
                                id
                            }
                        };
                        out.push(id);
                    }
                });
                out
            };
            let title = intern(&article.title, true);
            // Each question on its own, for question matching (see `search`); together they
            // are the questions field, as if joined by line breaks.
            let asked: Vec<Vec<u32>> = article.questions.iter().map(|q| intern(q, true)).collect();
            let questions: Vec<u32> = asked.iter().flatten().copied().collect();
            phrasings.push(asked);
            let tags = intern(&article.tags.join("\n"), true);
            let lens = &mut lengths[article_no];
            lens[TITLE] = title.len();
            lens[QUESTIONS] = questions.len();
            lens[TAGS] = tags.len();
            own.clear();
            let (mut heading_len, mut body_len) = (0, 0);
            for (i, section) in sections.iter().enumerate() {
                let heading = intern(&section.heading, true);
                let body = intern(&section.text, false);
                heading_len += heading.len();
                body_len += body.len();
                here.clear();
                let article_fields: [(usize, &[u32]); 3] = if i == 0 {
                    [(TITLE, &title), (QUESTIONS, &questions), (TAGS, &tags)]
                } else {
                    [(TITLE, &[]), (QUESTIONS, &[]), (TAGS, &[])]
                };
                for (field, list) in article_fields
                    .into_iter()
                    .chain([(HEADING, &heading[..]), (BODY, &body[..])])
                {
                    for &t in list {
                        let mut f = [0; FIELDS];
                        f[field] = 1;
                        here.push((t, f));
                    }
                }
                // Frequencies saturate per section (see `SECTION_CAPS`), as version 2 stored
                // them, so that article scores are the same as they were.
                merge(&mut here);
                for (_, f) in &mut here {
                    for (v, cap) in f.iter_mut().zip(SECTION_CAPS) {
                        *v = (*v).min(cap);
                    }
                }
                own.extend_from_slice(&here);
            }
            lens[HEADING] = heading_len;
            lens[BODY] = body_len;
            merge(&mut own);
            if let Some(&(max, _)) = own.last() {
                if lists.len() <= max as usize {
                    lists.resize_with(max as usize + 1, Vec::new);
                }
            }
            for &(term, freqs) in &own {
                lists[term as usize].push((article_no as u32, freqs));
            }
        }

        mark(&mut marks, "article lengths", &w);
        for lens in &lengths {
            for &l in lens {
                w.usize(l);
            }
        }

        // A rule links articles by id; translations share their id, so the link goes to the
        // article in the rule's own language when there is one, else to the first with that id.
        let mut position: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for (i, a) in self.articles.iter().enumerate() {
            position
                .entry((a.id.as_str(), a.lang.as_str()))
                .or_insert(i);
            position.entry((a.id.as_str(), "")).or_insert(i);
        }
        mark(&mut marks, "rules", &w);
        w.usize(self.rules.len());
        for rule in &self.rules {
            w.str(&rule.id);
            w.str(&rule.lang);
            w.strs(&rule.phrasings);
            w.strs(&rule.keywords);
            match &rule.regex {
                Some(r) => {
                    w.u8(1);
                    w.str(r);
                }
                None => w.u8(0),
            }
            w.str(&rule.answer_html);
            let linked: Vec<usize> = rule
                .articles
                .iter()
                .filter_map(|id| {
                    let id = id.as_str();
                    position
                        .get(&(id, rule.lang.as_str()))
                        .or_else(|| position.get(&(id, "")))
                        .copied()
                })
                .collect();
            w.usize(linked.len());
            for p in linked {
                w.usize(p);
            }
            w.i64(i64::from(rule.priority));
        }

        let (mut gaps, mut freq_codes) = (BitWriter::default(), BitWriter::default());
        let mut sorted: Vec<(&str, u32)> = ids.iter().map(|(t, &id)| (t.as_str(), id)).collect();
        sorted.sort_unstable();
        mark(&mut marks, "terms: text", &w);
        w.usize(sorted.len());
        let mut text = Vec::new();
        // Phrasings refer to terms by their position in the sorted list.
        let mut position_of = vec![0u32; sorted.len()];
        for (i, &(_, id)) in sorted.iter().enumerate() {
            position_of[id as usize] = i as u32;
        }
        let mut previous: &[u8] = &[];
        for &(term, _) in &sorted {
            let shared = previous
                .iter()
                .zip(term.as_bytes())
                .take_while(|(a, b)| a == b)
                .count()
                .min(MAX_SHARED);
            // The shared length is also the separator: no term has a byte below 0x20
            // (`analyze` keeps words, and a word never holds a control character).
            debug_assert!(term.bytes().all(|b| b >= 0x20), "{term:?}");
            text.push(shared as u8);
            text.extend_from_slice(&term.as_bytes()[shared..]);
            previous = term.as_bytes();
        }
        w.bytes(&text);
        let mut checkpoints = Writer::default();
        let mut at = vec![Checkpoint::default()];
        let mut dfs = BitWriter::default();
        let mut since = 0usize;
        for (t, &(_, id)) in sorted.iter().enumerate() {
            let list = &lists[id as usize];
            if since >= CHECKPOINT_POSTINGS {
                let last = at[at.len() - 1];
                let next = Checkpoint {
                    term: t as u32,
                    gaps: gaps.bit_len() as u32,
                    freqs: freq_codes.bit_len() as u32,
                };
                checkpoints.usize((next.gaps - last.gaps) as usize);
                checkpoints.usize((next.freqs - last.freqs) as usize);
                at.push(next);
                since = 0;
            }
            since += list.len();
            let k = rice_k(self.articles.len(), list.len());
            let mut next = 0u32;
            for (article, freqs) in list {
                let gap = article - next;
                write_posting(&mut gaps, &mut freq_codes, k, gap, freqs);
                next = article + 1;
            }
            // Elias gamma: most terms are in one article or a few.
            let df = list.len() as u32;
            debug_assert!(df > 0);
            let bits = df.max(1).ilog2();
            dfs.unary(bits);
            dfs.bits(df, bits);
        }
        mark(&mut marks, "terms: df", &w);
        w.bytes(&dfs.buf);
        mark(&mut marks, "postings: checkpoints", &w);
        w.buf.extend_from_slice(&checkpoints.buf);
        let lens = (gaps.buf.len(), freq_codes.buf.len());
        let per_shard = match shard_bytes {
            Some(target) if lens.0 + lens.1 > target.max(1) => {
                at.len().div_ceil((lens.0 + lens.1).div_ceil(target.max(1)))
            }
            _ => 0,
        };
        let per_shard = if per_shard >= at.len() { 0 } else { per_shard };
        w.usize(per_shard);
        if per_shard == 0 {
            mark(&mut marks, "postings: articles", &w);
            w.bytes(&gaps.buf);
            mark(&mut marks, "postings: frequencies", &w);
            w.bytes(&freq_codes.buf);
        } else {
            w.usize(lens.0);
            w.usize(lens.1);
        }
        mark(&mut marks, "phrasings", &w);
        // Stop words weigh little in a question and would be a third of what is stored here.
        for own in &phrasings {
            let own: Vec<Vec<u32>> = own
                .iter()
                .map(|p| {
                    let mut terms: Vec<u32> = p
                        .iter()
                        .map(|&id| position_of[id as usize])
                        .filter(|&t| !analyze::is_stop(sorted[t as usize].0))
                        .collect();
                    terms.sort_unstable();
                    terms.dedup();
                    terms
                })
                .filter(|p| !p.is_empty())
                .collect();
            w.usize(own.len());
            for terms in own {
                w.usize(terms.len());
                let mut last = 0;
                for t in terms {
                    w.usize((t - last) as usize);
                    last = t;
                }
            }
        }
        mark(&mut marks, "header and checksum", &w);
        let sum = checksum(&w.buf);
        w.buf.extend_from_slice(&sum.to_le_bytes());
        let shards = (0..shard_count(at.len(), per_shard))
            .map(|k| {
                let (g, f) = shard_ranges(&at, per_shard, k, lens);
                let mut s = Writer::default();
                s.buf.extend_from_slice(SHARD_MAGIC);
                s.buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
                s.usize(sum as usize);
                s.usize(k);
                s.bytes(&gaps.buf[g]);
                s.bytes(&freq_codes.buf[f]);
                let shard_sum = checksum(&s.buf);
                s.buf.extend_from_slice(&shard_sum.to_le_bytes());
                (shard_file(sum, k), s.buf)
            })
            .collect();
        let mut parts: Vec<(&'static str, std::ops::Range<usize>)> = Vec::new();
        let ends = marks.iter().skip(1).map(|m| m.1).chain([w.buf.len()]);
        for (&(label, start), end) in marks.iter().zip(ends) {
            match parts.last_mut() {
                Some((l, r)) if *l == label && r.end == start => r.end = end,
                _ => parts.push((label, start..end)),
            }
        }
        Written {
            index: w.buf,
            parts,
            shards,
        }
    }
}

/// What [`IndexBuilder::write`] writes.
struct Written {
    index: Vec<u8>,
    parts: Vec<(&'static str, std::ops::Range<usize>)>,
    shards: Vec<(String, Vec<u8>)>,
}

/// The first bytes of a shard file.
pub const SHARD_MAGIC: &[u8; 4] = b"SDKS";

/// A shard's file name: the index's checksum names its shards, so a shard can be cached for
/// good and never mixed with another build's index.
fn shard_file(index_checksum: u32, k: usize) -> String {
    format!("index-{index_checksum:08x}-{k}.bin")
}

/// How many shards hold the postings of `checkpoints` checkpoints, `per_shard` each (0: none,
/// the postings are in the index file).
fn shard_count(checkpoints: usize, per_shard: usize) -> usize {
    if per_shard == 0 {
        0
    } else {
        checkpoints.div_ceil(per_shard)
    }
}

/// The bytes of each postings stream (gaps, frequencies) that shard `k` holds: the postings
/// from its first checkpoint to the next shard's, whole bytes, so the byte where two shards
/// meet is in both.
fn shard_ranges(
    at: &[Checkpoint],
    per_shard: usize,
    k: usize,
    lens: (usize, usize),
) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
    let first = at[k * per_shard];
    let (gaps_end, freqs_end) = at.get((k + 1) * per_shard).map_or(lens, |c| {
        (
            (c.gaps as usize).div_ceil(8),
            (c.freqs as usize).div_ceil(8),
        )
    });
    (
        first.gaps as usize / 8..gaps_end.max(first.gaps as usize / 8),
        first.freqs as usize / 8..freqs_end.max(first.freqs as usize / 8),
    )
}

impl IndexBuilder {
    /// The articles' metadata, a column per field, which gzip packs better than a record per
    /// article: ids, languages, titles, URLs, categories, tags and pages.
    fn write_articles(&self, w: &mut Writer, marks: &mut Vec<(&'static str, usize)>) {
        let a = &self.articles;
        mark(marks, "article ids", w);
        a.iter().for_each(|a| w.str(&a.id));
        mark(marks, "article langs", w);
        a.iter().for_each(|a| w.str(&a.lang));
        mark(marks, "article titles", w);
        a.iter().for_each(|a| w.str(&a.title));
        mark(marks, "article urls", w);
        for a in a {
            match url_kind(a) {
                UrlKind::Written => {
                    w.u8(UrlKind::Written as u8);
                    w.str(&a.url);
                }
                kind => w.u8(kind as u8),
            }
        }
        mark(marks, "article categories", w);
        a.iter().for_each(|a| w.str(&a.category));
        mark(marks, "article tags", w);
        a.iter().for_each(|a| w.strs(&a.tags));
        mark(marks, "article pages", w);
        a.iter().for_each(|a| w.strs(&a.pages));
    }
}

/// Most bytes a term shares with the one before it in the term text: the shared length is
/// written as one byte below 0x20, which no term contains, so it also separates the terms.
const MAX_SHARED: usize = 0x1f;

/// How an article's URL is stored: most are made of its id (kbgen writes `<lang>/<id>/`),
/// and those take a byte instead of the string.
#[derive(Clone, Copy, Debug, PartialEq)]
enum UrlKind {
    Written = 0,
    /// `<id>/`
    Id = 1,
    /// `<lang>/<id>/`
    LangId = 2,
}

fn url_kind(a: &Article) -> UrlKind {
    let rest = |prefix: &str| a.url.strip_prefix(prefix).and_then(|r| r.strip_suffix('/'));
    if rest("") == Some(a.id.as_str()) {
        UrlKind::Id
    } else if !a.lang.is_empty()
        && rest(&a.lang).and_then(|r| r.strip_prefix('/')) == Some(a.id.as_str())
    {
        UrlKind::LangId
    } else {
        UrlKind::Written
    }
}

/// Notes that the bytes written from here on belong to `label` (see `build_parts`).
fn mark(marks: &mut Vec<(&'static str, usize)>, label: &'static str, w: &Writer) {
    marks.push((label, w.buf.len()));
}

/// Sorts `(term, frequencies)` pairs by term and sums the frequencies of equal terms.
fn merge(list: &mut Vec<(u32, Freqs)>) {
    list.sort_unstable_by_key(|(t, _)| *t);
    list.dedup_by(|next, kept| {
        if next.0 != kept.0 {
            return false;
        }
        for (sum, add) in kept.1.iter_mut().zip(next.1) {
            *sum += add;
        }
        true
    });
}

/// Most occurrences of a term that count in one section, per field: BM25 saturates long before,
/// and these are the caps version 2 stored per section.
const SECTION_CAPS: Freqs = [1, 3, 1, 1, 7];

/// A term's postings start where those of the terms before end, which only reading them finds;
/// so that a query reads few, the index notes where the postings are after every this many
/// (at the first term that reaches it), and a query reads at most about this many postings to
/// find where a term's start.
const CHECKPOINT_POSTINGS: usize = 256;

/// The Rice parameter of a term's article gaps: with `df` of `articles` articles, a gap is
/// about `articles / df`, and Golomb codes are shortest with a divisor near 0.69 times the
/// mean gap (a power of two here, so a gap is a unary quotient and `k` low bits). Integer
/// arithmetic, so that the writer and every reader agree.
fn rice_k(articles: usize, df: usize) -> u32 {
    let m = articles as u64 * 69 / (100 * df.max(1) as u64);
    m.checked_ilog2().unwrap_or(0)
}

/// One posting: the gap to the article (articles skipped since the last one) Rice-coded in
/// `gaps`, and the field frequencies in `freqs`, a code as short as the common cases allow:
/// `0`, `10`, `110` for one, two, three body occurrences and nothing else; `111` then a
/// field byte (see `pack_fields`) or, when the frequencies do not fit in it, a zero byte, a
/// byte of title, questions and tags, and the heading and body counts as varints.
/// The two kinds of codes are apart because gzip still finds patterns in the frequencies,
/// and none in the gaps.
fn write_posting(gaps: &mut BitWriter, freqs: &mut BitWriter, k: u32, gap: u32, f: &Freqs) {
    gaps.unary(gap >> k);
    gaps.bits(gap & ((1 << k) - 1), k);
    let fits =
        f[TITLE] <= 1 && f[QUESTIONS] <= 3 && f[TAGS] <= 1 && f[HEADING] <= 1 && f[BODY] <= 7;
    let packed = pack_fields(f);
    match plain_code(packed) {
        Some(code) if fits => freqs.unary(code as u32),
        _ => {
            freqs.bits(0b111, 3);
            if fits {
                freqs.bits(u32::from(packed), 8);
            } else {
                freqs.bits(0, 8);
                freqs.bits(
                    u32::from(pack_fields(&[f[TITLE], f[QUESTIONS], f[TAGS], 0, 0])),
                    8,
                );
                freqs.varint(f[HEADING]);
                freqs.varint(f[BODY]);
            }
        }
    }
}

/// Reads what [`write_posting`] wrote: the gap and the field frequencies. Queries spend their
/// time here, so the common codes are read from one look at the next 57 bits.
fn read_posting(
    gaps: &mut BitReader<'_>,
    freqs: &mut BitReader<'_>,
    k: u32,
) -> Result<(u32, [f32; FIELDS]), FormatError> {
    let w = gaps.peek();
    let q = w.trailing_ones();
    let gap = if q + 1 + k <= 57 {
        gaps.skip(q + 1 + k)?;
        (q << k) | ((w >> (q + 1)) as u32 & ((1 << k) - 1))
    } else {
        let q = gaps.unary()?;
        q.checked_shl(k)
            .filter(|g| g >> k == q)
            .ok_or(FormatError::Corrupt("posting gap"))?
            | gaps.bits(k)?
    };
    let w = freqs.peek();
    let code = w.trailing_ones().min(3);
    let f = if code < 3 {
        freqs.skip(code + 1)?;
        unpack_fields(PLAIN * (code as u8 + 1))
    } else {
        freqs.skip(3 + 8)?;
        match (w >> 3) as u8 {
            0 => {
                let mut f = unpack_fields(freqs.bits(8)? as u8);
                f[HEADING] = freqs.varint()? as f32;
                f[BODY] = freqs.varint()? as f32;
                f
            }
            b => unpack_fields(b),
        }
    };
    Ok((gap, f))
}

/// The field byte of a posting whose only match is one occurrence in the body.
const PLAIN: u8 = 1 << 5;

/// Most postings are body-only with a small count: those fit in the two low bits of the gap
/// (0, 1, 2 = one, two, three body occurrences; 3 = a field byte follows).
fn plain_code(packed: u8) -> Option<u64> {
    match packed {
        0b0010_0000 => Some(0),
        0b0100_0000 => Some(1),
        0b0110_0000 => Some(2),
        _ => None,
    }
}

/// Packs per-field frequencies into one byte: title (bit 0), questions (bits 1-2, 0-3),
/// tags (bit 3), heading (bit 4), body (bits 5-7, 0-7). BM25 saturates long before the caps.
fn pack_fields(f: &Freqs) -> u8 {
    (f[TITLE].min(1) as u8)
        | ((f[QUESTIONS].min(3) as u8) << 1)
        | ((f[TAGS].min(1) as u8) << 3)
        | ((f[HEADING].min(1) as u8) << 4)
        | ((f[BODY].min(7) as u8) << 5)
}

pub fn unpack_fields(b: u8) -> [f32; FIELDS] {
    [
        f32::from(b & 1),
        f32::from((b >> 1) & 3),
        f32::from((b >> 3) & 1),
        f32::from((b >> 4) & 1),
        f32::from(b >> 5),
    ]
}

#[derive(Clone, Debug)]
pub struct TermInfo {
    pub df: u32,
    /// The last checkpoint at or before the term's postings (see `CHECKPOINT_POSTINGS`).
    pub checkpoint: u32,
}

/// Where the postings of a term begin: bit positions in the gaps and the frequency codes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Checkpoint {
    pub term: u32,
    pub gaps: u32,
    pub freqs: u32,
}

/// Part of the postings streams: bytes from `at` (gaps, frequencies) on.
struct Shard {
    gaps: Vec<u8>,
    freqs: Vec<u8>,
    at: (usize, usize),
}

/// A read index, ready to answer.
pub struct Index {
    /// The articles' metadata: no sections and no summary, which the passages hold.
    pub(crate) articles: Vec<Article>,
    pub(crate) terms: Vec<Box<str>>,
    pub(crate) term_info: Vec<TermInfo>,
    /// Length in chars of each term, for the typo search.
    pub(crate) term_chars: Vec<u8>,
    /// The postings, Rice-coded article gaps and frequency codes (see `write_posting`): one
    /// shard read with the index, or `per_shard` checkpoints' worth per shard, each added when
    /// it arrives (see [`Index::add_shard`]).
    postings: Vec<OnceLock<Shard>>,
    per_shard: usize,
    /// Bytes of the whole gaps and frequency streams.
    stream_lens: (usize, usize),
    /// Per shard: a search needed it before it was added (see [`Index::missing_shards`]).
    wanted: Vec<AtomicBool>,
    /// The index file's checksum, which names its shards.
    checksum: u32,
    pub(crate) checkpoints: Vec<Checkpoint>,
    /// Per article and field, 1 / BM25 length normalisation (see `search::B`).
    pub(crate) inv_norm: Vec<[f32; FIELDS]>,
    /// Mean length in terms of a section's body, for the section scores of `locate`.
    pub(crate) avg_section_len: f32,
    /// Distinct article languages with their stemmers, in order of first appearance.
    pub(crate) langs: Vec<(String, Option<Stemmer>)>,
    /// Some article language has no stemmer in this build (see `Index::expand_stem_prefix`).
    pub(crate) unstemmed: bool,
    pub(crate) rules: RuleSet,
    pub(crate) rule_threshold: f32,
    pub(crate) phrasings: Phrasings,
}

/// Each article's questions as separate sets of terms, so that a query can be compared with
/// each way of asking on its own (see `QUESTION_WEIGHT` in `search`), inverted by term.
pub(crate) struct Phrasings {
    /// Per phrasing: its article and the norm of its term vector, weighted by IDF.
    pub article: Vec<u32>,
    pub norm: Vec<f32>,
    /// Per term `t`, the phrasings that contain it: `list[start[t]..start[t + 1]]`.
    pub start: Vec<u32>,
    pub list: Vec<u32>,
}

impl Phrasings {
    fn read(
        r: &mut Reader<'_>,
        articles: usize,
        terms: &[Box<str>],
        info: &[TermInfo],
    ) -> Result<Phrasings, FormatError> {
        let mut article = Vec::new();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for a in 0..articles {
            for _ in 0..r.count()? {
                let phrasing = article.len() as u32;
                article.push(a as u32);
                let mut term = 0usize;
                for k in 0..r.count()? {
                    let gap = r.usize()?;
                    if k > 0 && gap == 0 {
                        return Err(FormatError::Corrupt("phrasing terms out of order"));
                    }
                    term = term.saturating_add(gap);
                    if term >= terms.len() {
                        return Err(FormatError::Corrupt("phrasing term"));
                    }
                    pairs.push((term as u32, phrasing));
                }
            }
        }
        let n = articles as f32;
        let mut norm = vec![0.0f32; article.len()];
        let mut start = vec![0u32; terms.len() + 1];
        for &(t, p) in &pairs {
            let w = crate::search::idf(n, info[t as usize].df as f32);
            norm[p as usize] += w * w;
            start[t as usize + 1] += 1;
        }
        for n in &mut norm {
            *n = n.sqrt();
        }
        for t in 0..terms.len() {
            start[t + 1] += start[t];
        }
        // Pairs come in phrasing order, so each term's list is sorted by phrasing.
        let mut next = start.clone();
        let mut list = vec![0u32; pairs.len()];
        for &(t, p) in &pairs {
            list[next[t as usize] as usize] = p;
            next[t as usize] += 1;
        }
        Ok(Phrasings {
            article,
            norm,
            start,
            list,
        })
    }

    /// The phrasings that contain term `t`.
    pub fn of(&self, t: usize) -> &[u32] {
        &self.list[self.start[t] as usize..self.start[t + 1] as usize]
    }
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index")
            .field("articles", &self.articles.len())
            .field("terms", &self.terms.len())
            .field("rules", &self.rules.len())
            .finish()
    }
}

impl Index {
    /// Reads index bytes written by [`IndexBuilder::build`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Index, FormatError> {
        let mut r = Reader::new(framed(bytes, MAGIC, FORMAT_VERSION)?);
        let rule_threshold = r.usize()? as f32 / 1000.0;

        let sections = r.usize()?;
        let n = r.count()?;
        let mut articles = vec![Article::default(); n];
        for a in &mut articles {
            a.id = r.string()?;
        }
        for a in &mut articles {
            a.lang = r.string()?;
        }
        for a in &mut articles {
            a.title = r.string()?;
        }
        for a in &mut articles {
            a.url = match r.u8()? {
                0 => r.string()?,
                1 => format!("{}/", a.id),
                2 => format!("{}/{}/", a.lang, a.id),
                _ => return Err(FormatError::Corrupt("URL kind")),
            };
        }
        for a in &mut articles {
            a.category = r.string()?;
        }
        for a in &mut articles {
            a.tags = r.strings()?;
        }
        for a in &mut articles {
            a.pages = r.strings()?;
        }
        let langs = analyze::stemmers(articles.iter().map(|a| a.lang.as_str()));
        let mut lens = Vec::with_capacity(n);
        for _ in 0..n {
            let mut len = [0.0; FIELDS];
            for l in &mut len {
                *l = r.usize()? as f32;
            }
            lens.push(len);
        }

        let n = r.count()?;
        let mut rules = Vec::with_capacity(n);
        let mut links = Vec::with_capacity(n);
        for _ in 0..n {
            let mut rule = Rule {
                id: r.string()?,
                lang: r.string()?,
                phrasings: r.strings()?,
                keywords: r.strings()?,
                ..Rule::default()
            };
            rule.regex = match r.u8()? {
                0 => None,
                1 => Some(r.string()?),
                _ => return Err(FormatError::Corrupt("rule regex flag")),
            };
            rule.answer_html = r.string()?;
            let k = r.count()?;
            let mut linked = Vec::with_capacity(k);
            for _ in 0..k {
                let p = r.usize()?;
                if p >= articles.len() {
                    return Err(FormatError::Corrupt("rule links to a missing article"));
                }
                linked.push(p as u32);
                rule.articles.push(articles[p].id.clone());
            }
            rule.priority =
                i32::try_from(r.i64()?).map_err(|_| FormatError::Corrupt("priority"))?;
            rules.push(rule);
            links.push(linked);
        }

        let n = r.count()?;
        let mut terms: Vec<Box<str>> = Vec::with_capacity(n);
        let text = r.bytes()?;
        let mut previous: Vec<u8> = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let shared = usize::from(text[at]);
            if shared > MAX_SHARED || shared > previous.len() {
                return Err(FormatError::Corrupt("term prefix"));
            }
            let end = text[at + 1..]
                .iter()
                .position(|&b| b <= MAX_SHARED as u8)
                .map_or(text.len(), |p| at + 1 + p);
            previous.truncate(shared);
            previous.extend_from_slice(&text[at + 1..end]);
            let term = std::str::from_utf8(&previous)
                .map_err(|_| FormatError::Corrupt("invalid UTF-8"))?;
            if terms.last().is_some_and(|t| **t >= *term) {
                return Err(FormatError::Corrupt("terms out of order"));
            }
            terms.push(term.into());
            at = end;
        }
        if terms.len() != n {
            return Err(FormatError::Corrupt("term count"));
        }
        let mut dfs = Vec::with_capacity(n);
        let mut gamma = BitReader::new(r.bytes()?, 0);
        for _ in 0..n {
            let bits = gamma.unary()?;
            if bits >= 32 {
                return Err(FormatError::Corrupt("document frequency"));
            }
            let df = (1u32 << bits) | gamma.bits(bits)?;
            if df as usize > articles.len() {
                return Err(FormatError::Corrupt("document frequency"));
            }
            dfs.push(df);
        }
        let mut checkpoints = vec![Checkpoint::default()];
        let mut term_info = Vec::with_capacity(n);
        let mut since = 0usize;
        for (t, df) in dfs.into_iter().enumerate() {
            if since >= CHECKPOINT_POSTINGS {
                let last = checkpoints[checkpoints.len() - 1];
                let next = |at: u32, r: &mut Reader<'_>| {
                    u32::try_from(r.usize()?)
                        .ok()
                        .and_then(|d| at.checked_add(d))
                        .ok_or(FormatError::Corrupt("postings checkpoint"))
                };
                checkpoints.push(Checkpoint {
                    term: t as u32,
                    gaps: next(last.gaps, &mut r)?,
                    freqs: next(last.freqs, &mut r)?,
                });
                since = 0;
            }
            since += df as usize;
            term_info.push(TermInfo {
                df,
                checkpoint: checkpoints.len() as u32 - 1,
            });
        }
        let per_shard = r.usize()?;
        let (postings, stream_lens) = if per_shard == 0 {
            let shard = Shard {
                gaps: r.bytes()?.to_vec(),
                freqs: r.bytes()?.to_vec(),
                at: (0, 0),
            };
            let lens = (shard.gaps.len(), shard.freqs.len());
            (vec![OnceLock::from(shard)], lens)
        } else {
            let lens = (r.usize()?, r.usize()?);
            let n = shard_count(checkpoints.len(), per_shard);
            (
                std::iter::repeat_with(OnceLock::new).take(n).collect(),
                lens,
            )
        };
        if checkpoints.last().is_some_and(|c| {
            c.gaps as usize > stream_lens.0 * 8 || c.freqs as usize > stream_lens.1 * 8
        }) {
            return Err(FormatError::Corrupt("postings checkpoint"));
        }
        let phrasings = Phrasings::read(&mut r, articles.len(), &terms, &term_info)?;
        if !r.is_empty() {
            return Err(FormatError::Corrupt("trailing bytes"));
        }

        let count = articles.len().max(1) as f32;
        let mut avg_lens = [0.0; FIELDS];
        for l in &lens {
            for (avg, len) in avg_lens.iter_mut().zip(l) {
                *avg += len / count;
            }
        }
        let avg_section_len =
            (lens.iter().map(|l| l[BODY]).sum::<f32>() / sections.max(1) as f32).max(1.0);
        let inv_norm = lens
            .iter()
            .map(|l| {
                let mut inv = [0.0; FIELDS];
                for (k, v) in inv.iter_mut().enumerate() {
                    let b = crate::search::B[k];
                    *v = 1.0 / (1.0 - b + b * l[k] / avg_lens[k].max(1.0));
                }
                inv
            })
            .collect();
        let unstemmed = langs.iter().any(|(_, s)| s.is_none());
        let term_chars = terms
            .iter()
            .map(|t| t.chars().count().min(255) as u8)
            .collect();
        let rules = RuleSet::new(rules, links);
        Ok(Index {
            articles,
            terms,
            term_info,
            term_chars,
            wanted: postings.iter().map(|_| AtomicBool::new(false)).collect(),
            postings,
            per_shard,
            stream_lens,
            checksum: u32::from_le_bytes(bytes[bytes.len() - 4..].try_into().expect("framed")),
            checkpoints,
            inv_norm,
            avg_section_len,
            langs,
            unstemmed,
            rules,
            rule_threshold,
            phrasings,
        })
    }

    /// The articles, in the order they were added, without their sections and summary (the
    /// passages hold those, see [`crate::Passages`]).
    pub fn articles(&self) -> &[Article] {
        &self.articles
    }

    /// The rules, in the order they were added (their `articles` are ids, as written).
    pub fn rules(&self) -> &[Rule] {
        self.rules.rules()
    }

    /// The confidence at or above which [`Index::ask`] returns a rule answer.
    pub fn rule_threshold(&self) -> f32 {
        self.rule_threshold
    }

    /// Position of `term` in the sorted term list.
    pub(crate) fn term_id(&self, term: &str) -> Option<usize> {
        self.terms.binary_search_by(|t| (**t).cmp(term)).ok()
    }

    /// Readers at the start of a term's postings: from the checkpoint before it, past the
    /// postings of the terms in between. None when its shard has not been added yet (it is
    /// then marked as wanted) or the postings are corrupt.
    fn postings_of(&self, term: usize) -> Option<(BitReader<'_>, BitReader<'_>)> {
        let checkpoint = self.term_info[term].checkpoint as usize;
        let c = self.checkpoints[checkpoint];
        let shard = checkpoint.checked_div(self.per_shard).unwrap_or(0);
        let Some(s) = self.postings[shard].get() else {
            self.wanted[shard].store(true, Ordering::Relaxed);
            return None;
        };
        let mut gaps = BitReader::new(&s.gaps, c.gaps as usize - s.at.0 * 8);
        let mut freqs = BitReader::new(&s.freqs, c.freqs as usize - s.at.1 * 8);
        for info in &self.term_info[c.term as usize..term] {
            let k = rice_k(self.articles.len(), info.df as usize);
            for _ in 0..info.df {
                read_posting(&mut gaps, &mut freqs, k).ok()?;
            }
        }
        Some((gaps, freqs))
    }

    /// How many shard files hold the postings; 0 when the index file holds them (see
    /// [`IndexBuilder::build_sharded`]).
    pub fn shard_count(&self) -> usize {
        shard_count(self.checkpoints.len(), self.per_shard)
    }

    /// The file name of shard `k`, beside the index file.
    pub fn shard_file(&self, k: usize) -> String {
        shard_file(self.checksum, k)
    }

    /// The shards that searches since the last call needed and that have not been added:
    /// their words' postings were missing, so the results were incomplete. Fetch them, add
    /// them and search again.
    pub fn missing_shards(&self) -> Vec<usize> {
        (0..self.wanted.len())
            .filter(|&k| self.wanted[k].swap(false, Ordering::Relaxed))
            .filter(|&k| self.postings[k].get().is_none())
            .collect()
    }

    /// Adds a shard file's bytes; returns its number. A shard of another build of the index
    /// is rejected.
    pub fn add_shard(&self, bytes: &[u8]) -> Result<usize, FormatError> {
        let mut r = Reader::new(framed(bytes, SHARD_MAGIC, FORMAT_VERSION)?);
        if r.usize()? != self.checksum as usize {
            return Err(FormatError::Corrupt("shard of another index"));
        }
        let k = r.usize()?;
        if k >= self.shard_count() {
            return Err(FormatError::Corrupt("shard number"));
        }
        let (g, f) = shard_ranges(&self.checkpoints, self.per_shard, k, self.stream_lens);
        let (gaps, freqs) = (r.bytes()?, r.bytes()?);
        if gaps.len() != g.len() || freqs.len() != f.len() || !r.is_empty() {
            return Err(FormatError::Corrupt("shard length"));
        }
        let _ = self.postings[k].set(Shard {
            gaps: gaps.to_vec(),
            freqs: freqs.to_vec(),
            at: (g.start, f.start),
        });
        Ok(k)
    }

    /// Calls `f(article, field frequencies)` for every posting of a term, and stops early
    /// (false) when `f` returns false.
    fn each_posting(&self, term: usize, mut f: impl FnMut(u32, [f32; FIELDS]) -> bool) {
        let Some((mut gaps, mut freqs)) = self.postings_of(term) else {
            return;
        };
        let info = &self.term_info[term];
        let k = rice_k(self.articles.len(), info.df as usize);
        let articles = self.articles.len() as u32;
        let mut next = 0u32;
        for _ in 0..info.df {
            let Ok((gap, fields)) = read_posting(&mut gaps, &mut freqs, k) else {
                return;
            };
            let article = next.saturating_add(gap);
            if article >= articles || !f(article, fields) {
                return;
            }
            next = article + 1;
        }
    }

    /// Calls `f(article, field frequencies)` for every posting of a term.
    pub(crate) fn for_postings(&self, term: usize, mut f: impl FnMut(u32, [f32; FIELDS])) {
        self.each_posting(term, |a, fields| {
            f(a, fields);
            true
        });
    }

    /// Articles whose `pages` patterns match the URL of the page the visitor is on.
    ///
    /// A pattern is a glob where `*` matches any run of characters; a pattern without a scheme
    /// matches the URL's path, so `/pricing*` suggests on `https://shop.example/pricing?x=1`.
    pub fn suggest_for_page(&self, page_url: &str) -> Vec<u32> {
        let path = url_path(page_url);
        self.articles
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                a.pages.iter().any(|p| {
                    let target = if p.contains("://") { page_url } else { path };
                    glob(p, target)
                        || (!p.contains('*') && !p.is_empty() && target.contains(p.as_str()))
                })
            })
            .map(|(i, _)| i as u32)
            .collect()
    }
}

fn url_path(url: &str) -> &str {
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => url,
    }
}

/// Matches `text` against `pattern` where `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_glob(pattern: &str, text: &str, expected: bool) {
        assert_eq!(glob(pattern, text), expected, "{pattern} ~ {text}");
    }

    #[test]
    fn globs() {
        check_glob("/pricing*", "/pricing?x=1", true);
        check_glob("/pricing*", "/about", false);
        check_glob("*/checkout/*", "/shop/checkout/pay", true);
        check_glob("/a*b*c", "/axxbyyc", true);
        check_glob("/a*b*c", "/axxcyyb", false);
    }

    /// A posting with Rice parameter `k` takes `gap_bits` and `freq_bits` and reads back.
    fn check_posting(k: u32, gap: u32, f: Freqs, gap_bits: usize, freq_bits: usize) {
        let (mut gaps, mut freqs) = (BitWriter::default(), BitWriter::default());
        write_posting(&mut gaps, &mut freqs, k, gap, &f);
        write_posting(&mut gaps, &mut freqs, k, 0, &[0, 0, 0, 0, 1]);
        let mut g = BitReader::new(&gaps.buf, 0);
        let mut r = BitReader::new(&freqs.buf, 0);
        let expected = f.map(|v| v as f32);
        assert_eq!(read_posting(&mut g, &mut r, k), Ok((gap, expected)));
        assert_eq!((g.position(), r.position()), (gap_bits, freq_bits), "{f:?}");
        let one = [0.0, 0.0, 0.0, 0.0, 1.0];
        assert_eq!(read_posting(&mut g, &mut r, k), Ok((0, one)));
    }

    #[test]
    fn postings_round_trip() {
        check_posting(0, 0, [0, 0, 0, 0, 1], 1, 1);
        check_posting(2, 5, [0, 0, 0, 0, 2], 4, 2);
        check_posting(2, 5, [0, 0, 0, 0, 3], 4, 3);
        check_posting(3, 5, [1, 0, 0, 0, 2], 4, 11);
        check_posting(4, 300, [0, 3, 1, 1, 7], 18 + 1 + 4, 11);
        // Sums over sections beyond what the field byte holds.
        check_posting(1, 1, [1, 2, 1, 4, 31], 2, 3 + 8 + 8 + 8 + 8);
        check_posting(0, 2, [0, 0, 0, 0, 200], 3, 3 + 8 + 8 + 8 + 16);
    }

    fn check_rice_k(articles: usize, df: usize, k: u32) {
        assert_eq!(rice_k(articles, df), k, "{articles} articles, df {df}");
    }

    #[test]
    fn rice_parameters() {
        check_rice_k(1000, 1000, 0);
        check_rice_k(1000, 500, 0);
        check_rice_k(1000, 100, 2);
        check_rice_k(1000, 1, 9);
        check_rice_k(0, 0, 0);
    }

    #[test]
    fn field_bytes_round_trip() {
        let f = [1, 2, 1, 0, 5];
        assert_eq!(unpack_fields(pack_fields(&f)), [1.0, 2.0, 1.0, 0.0, 5.0]);
        assert_eq!(pack_fields(&[0, 0, 0, 0, 1]), PLAIN);
        assert_eq!(plain_code(pack_fields(&[0, 0, 0, 0, 3])), Some(2));
        assert_eq!(plain_code(pack_fields(&[1, 0, 0, 0, 1])), None);
    }
}
