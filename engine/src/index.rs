//! The index: what the builder writes and the reader loads, in one place.
//!
//! Layout of format version 7 (all integers are LEB128 varints unless said otherwise):
//!
//! ```text
//! "SDKX" | u16 LE version | body | u32 LE FNV-1a checksum of everything before it
//! body = rule_threshold (per mille), sections (how many the articles have in all),
//!        per_block (0, or on a sharded index whose titles and categories pass the size up
//!        to which postings stay whole, how many articles' titles a block holds)
//!        articles: n, then a column per field, each over all articles: ids, langs, urls
//!                  (a `UrlKind` byte, the string only when it is not derived from the id),
//!                  pages, and when per_block is 0 titles and categories (each column after
//!                  the number of articles); then the lengths
//!                  in terms of the articles' titles, questions, tags, headings and bodies,
//!                  a column per field
//!        phrasings: per article how many questions it has (those with a word that is not a
//!                  stop word), a column
//!        rules:    n, then per rule id lang phrasings keywords regex? answer_html
//!                  article positions, priority (zigzag)
//!        terms:    n, the term text (bytes: per term, sorted by bytes, one byte of the
//!                  length it shares with the term before (at most 31) then the rest of it;
//!                  the byte below 0x20 also ends the term before; on a sharded index only
//!                  the terms not deferred, see below), then (bytes) the article_df of each
//!                  of those terms as an Elias gamma code
//!        postings: per_shard: checkpoints per shard file, or 0 when this file holds the
//!                  postings; checkpoints: n, then per checkpoint after the first (after
//!                  every 256 postings, at the first term that reaches it) that term's
//!                  position as a gap from the last checkpoint's, and for every one when
//!                  per_shard is 0, else for the first of each shard, the bit positions where
//!                  its postings start in both streams as gaps from the last such; the
//!                  frequency code: n, then per symbol (a field byte, or 0 for frequencies
//!                  written in full) the symbol and its code length, in canonical order; then
//!                  when per_shard is 0 the streams in this file:
//!                  article gaps (bytes): per term, per article that has it, the articles
//!                  skipped since the last, Rice-coded with a parameter from df, or for a
//!                  term of one article that article in a truncated binary code (`GapCode`);
//!                  frequency codes (bytes): per posting, its symbol's code (see `FreqCode`);
//!                  the questions by term (bytes): how many terms are in a question, then
//!                  per such term its distance from the last one, how many questions have
//!                  it, and those as gaps from the last (`Asked::lists`; the reader computes
//!                  the questions' norms from them);
//!                  else the byte lengths of the two streams, which the shard files hold;
//!                  then the deferred terms (the CJK ones and those of one article, whose
//!                  text and df are in their shards, see `terms`): the number of runs, then
//!                  (bytes) the runs' lengths as Elias gamma codes (the first plus one),
//!                  alternately of terms written above and of deferred ones, starting with
//!                  the former; and per shard that holds deferred terms the first of them
//!                  (string)
//!
//! shard file k = "SDKS" | u16 LE version | the index file's checksum | k | (bytes) the gaps
//!        and (bytes) the frequency codes from checkpoint k × per_shard to the next shard's
//!        first, in whole bytes | (bytes) the questions by term of its terms, as above,
//!        each question followed by its norm's code (see `norm_code`) |
//!        (bytes) the text of its deferred terms, front-coded as the term text above |
//!        (bytes) their article_dfs, as above | (bytes) the bit positions of its other
//!        checkpoints, as in the index file | u32 LE FNV-1a checksum
//! block file b = "SDKS" | u16 LE version | the index file's checksum | the number of shard
//!        files before it + b | the titles, then the categories, of articles b × per_block
//!        to the next block's first | u32 LE FNV-1a checksum
//! ```
//!
//! Shards are for knowledge bases whose postings are too large to fetch at once: the index
//! file keeps what every search needs (terms and their dfs, rules, the frequency code, where
//! each shard starts), and a search fetches only the shards its terms' postings are in, found
//! from the checkpoints' terms. Which questions have a term goes with its postings, because a
//! search needs them for its own words only, and so do where the postings of each checkpoint
//! start. A term's postings never span two shards because shards start at checkpoints, which
//! are at terms. The text and df of the CJK terms, most of a Chinese index file, and of the
//! terms only one article has travel with their postings: a search finds such a word's shard
//! from the first deferred term of each.
//!
//! Bits are read lowest first. Version 7 also keeps the text of a sharded index's terms of one
//! article (15,131 of the 24,218 other terms of pingcap's Chinese docs) in their shards, and
//! the dfs of all its deferred terms, which places the checkpoints by their terms: the index
//! file of those docs went from 122.0 to 94.1 KB gzip with the text, then to 59.5 KB with the
//! dfs (most of them its CJK terms'), then to 48.9 KB with the bit positions of checkpoints in
//! the shards of their postings; segment's English docs' from 58.5 to 40.6 KB.
//! Version 6 keeps the questions by term with the postings (the
//! index file of 25,000 articles with a question each: 283 KB gzip of questions before).
//! Version 5 keeps the CJK terms' text of a sharded index in its
//! shards (dify-docs' Chinese index file: 73.6 → 32.8 KB gzip). Version 4 codes the
//! frequencies with a Huffman code made for the index and the article of a term found once
//! without a Rice code's spare half bit, writes the field lengths in columns (stackfaq: 0.285 →
//! 0.276 of the text's gzip) and can keep the postings in shards; version 3 had a fixed
//! frequency code, the lengths per article and the postings always in the index file.
//! Versions 3 to 7 keep postings per article and no text beyond titles; version 2 kept them per
//! section, with each section's anchor, heading and first words, and the summaries. Versions 1
//! to 6 are rejected (kbgen rebuilds the index).
//!
//! Only what ranking, rules and result titles need is stored. The sections, their text and the
//! summary of each article are in its passages file (see `passages`), fetched for the few
//! results shown, so the index stays a fraction of the text's size. A term's frequencies are
//! counted per section up to a cap and summed over the article, which scores articles exactly
//! as version 2 did. Terms are sorted and postings are in article order, so equal input gives
//! equal bytes. Fields are written in columns rather than records because gzip, which every
//! static host applies, packs alike values better when they sit together; the postings are
//! coded to the bit (Rice codes of the gaps, a Huffman code of the frequencies) because
//! gzip's byte-wise codes cannot know how far apart a term's articles are, while its df
//! tells it, nor give a symbol less than a bit; the frequency codes are a stream of their
//! own, where gzip still finds patterns. The bit codes themselves are in `codes`.

use crate::analyze::{self, Kind, StemCache};
use crate::codes::{freq_symbol, read_gamma, write_gamma, FreqCode, FreqWriter, GapCode};
use crate::rules::RuleSet;
use crate::terms::{self, Lookup, Terms};
use crate::wire::{framed, BitReader, BitWriter, Reader, Writer};
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
pub(crate) type Freqs = [u32; FIELDS];

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
        self.build_sharded_above(shard_bytes, shard_bytes)
    }

    /// [`IndexBuilder::build_sharded`] with the postings kept in the index file up to `above`
    /// bytes and, above, cut into shards of about `shard_bytes`: small shards cost a first
    /// search less (a word's shard carries fewer other words' postings), while a small knowledge
    /// base is still fetched in one request.
    pub fn build_sharded_above(
        &self,
        above: usize,
        shard_bytes: usize,
    ) -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
        let written = self.write(Some((above, shard_bytes)));
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

    /// Writes the format's sections in order (see the module's layout), each by a step of its
    /// own, and notes where each begins for `build_parts`.
    fn write(&self, shard_bytes: Option<(usize, usize)>) -> Written {
        let mut marks: Vec<(&'static str, usize)> = vec![("header and checksum", 0)];
        let mut w = Writer::framed(MAGIC, FORMAT_VERSION);
        w.usize((self.rule_threshold * 1000.0).round() as usize);
        let sections: usize = self.articles.iter().map(|a| a.sections.len().max(1)).sum();
        w.usize(sections);
        let analyzed = self.analyze();
        let mut terms: Vec<(&str, u32)> = analyzed
            .ids
            .iter()
            .map(|(t, &id)| (t.as_str(), id))
            .collect();
        terms.sort_unstable();
        let postings = Postings::code(&terms, &analyzed.lists, self.articles.len());
        let per_shard = postings.per_shard(shard_bytes);
        // A sharded index keeps its articles' titles in blocks of their own (see `Described`)
        // when they too are more than the postings kept whole: a block costs a search one more
        // round trip (after the shards, which find the results), which only saves time when
        // the titles would take longer to fetch, a few hundred articles on a slow network.
        let described: usize = self
            .articles
            .iter()
            .map(|a| a.title.len() + a.category.len())
            .sum();
        let per_block = match shard_bytes {
            Some((above, _)) if per_shard > 0 && described > above => BLOCK_ARTICLES,
            _ => 0,
        };
        w.usize(per_block);
        w.usize(self.articles.len());
        self.write_articles(&mut w, &mut marks, per_block == 0);
        write_lengths(&mut w, &mut marks, &analyzed.lengths);
        let asked = Asked::new(&analyzed, &terms);
        asked.write_table(&mut w, &mut marks);
        self.write_rules(&mut w, &mut marks);
        // A sharded index keeps the text of its CJK terms and of its terms of one article in
        // their shards (see `terms`).
        let deferred: Vec<bool> = terms
            .iter()
            .map(|&(t, id)| {
                per_shard > 0 && (terms::deferrable(t) || analyzed.lists[id as usize].len() == 1)
            })
            .collect();
        mark(&mut marks, "terms: text", &w);
        w.usize(terms.len());
        let kept = terms.iter().zip(&deferred).filter(|(_, &d)| !d);
        w.bytes(&terms::front_code(kept.map(|((t, _), _)| *t)));
        postings.write(&mut w, &mut marks, per_shard, &deferred);
        if per_shard == 0 {
            mark(&mut marks, "phrasings: by term", &w);
            w.bytes(&asked.lists(0..terms.len(), false));
        }
        let in_shards = Deferred::new(&terms, &deferred, &postings.at, per_shard);
        in_shards.write(&mut w);
        mark(&mut marks, "header and checksum", &w);
        let sum = w.end_frame();
        let mut shards = postings.shards(per_shard, sum, &in_shards, &asked);
        if per_block > 0 {
            let first = shards.len();
            for (b, run) in self.articles.chunks(per_block).enumerate() {
                shards.push(shard(sum, first + b, |s| {
                    write_described(s, &mut Vec::new(), run)
                }));
            }
        }
        Written {
            shards,
            parts: parts(&marks, w.buf.len()),
            index: w.buf,
        }
    }

    /// Analyzes every article: interns its terms, counts their frequencies per field (capped
    /// per section) into the postings of each term, and notes its questions' terms and its
    /// lengths in terms. A large knowledge base is analyzed in runs of articles on all cores
    /// (the analysis was most of an index build, on one core), each run with terms of its own,
    /// joined in article order into the same terms, ids and postings as one run gives.
    fn analyze(&self) -> Analyzed {
        self.analyze_in(parallel_runs(self.articles.len()))
    }

    /// [`IndexBuilder::analyze`] in `runs` runs of articles, each on a thread of its own.
    fn analyze_in(&self, runs: usize) -> Analyzed {
        if runs <= 1 {
            return analyze_run(&self.articles);
        }
        let per_run = self.articles.len().div_ceil(runs);
        let analyzed: Vec<Analyzed> = std::thread::scope(|scope| {
            let threads: Vec<_> = self
                .articles
                .chunks(per_run)
                .map(|run| scope.spawn(move || analyze_run(run)))
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let mut joined = analyzed.into_iter();
        let first = joined.next().unwrap_or_else(|| analyze_run(&[]));
        joined.fold(first, Analyzed::append)
    }
}

/// How many runs [`IndexBuilder::analyze`] cuts `articles` into: one per core (at most 8), each
/// of at least [`MIN_RUN`] articles; one where there are no threads (wasm32).
fn parallel_runs(articles: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    cores.min(articles / MIN_RUN).max(1)
}

/// The fewest articles worth a thread of their own.
const MIN_RUN: usize = 256;

/// [`IndexBuilder::analyze`] of a run of articles, numbered from 0, with terms of its own.
fn analyze_run(articles: &[Article]) -> Analyzed {
    // Terms are interned while analyzing; per term, (section, freqs) in section order,
    // because sections are visited in order.
    // Interning is the hottest map of the build; its keys are the owner's own words, so a
    // fast non-keyed hash is safe.
    let mut ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut lists: Vec<Vec<(u32, Freqs)>> = Vec::new();
    let mut caches: HashMap<String, StemCache> = HashMap::new();
    let mut here: Vec<(u32, Freqs)> = Vec::new();
    let mut own: Vec<(u32, Freqs)> = Vec::new();
    let mut phrasings: Vec<Vec<Vec<u32>>> = Vec::with_capacity(articles.len());
    let mut lengths = vec![[0usize; FIELDS]; articles.len()];
    for (article_no, article) in articles.iter().enumerate() {
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
    Analyzed {
        ids,
        lists,
        phrasings,
        lengths,
    }
}

/// What [`IndexBuilder::analyze`] finds in the articles.
struct Analyzed {
    /// Each term and its id, in order of first appearance.
    ids: FxHashMap<String, u32>,
    /// Per term id, its postings: `(article, frequencies)` in article order.
    lists: Vec<Vec<(u32, Freqs)>>,
    /// Per article, each of its questions as term ids, stop words included.
    phrasings: Vec<Vec<Vec<u32>>>,
    /// Per article, its length in terms per field.
    lengths: Vec<[usize; FIELDS]>,
}

impl Analyzed {
    /// `self` followed by `next`, the analysis of the articles after `self`'s with term ids of
    /// its own: `next`'s terms take the ids one run would have given them, in order of first
    /// appearance after `self`'s, and its articles are numbered after `self`'s.
    fn append(mut self, next: Analyzed) -> Analyzed {
        let offset = self.lengths.len() as u32;
        let mut met: Vec<(u32, String)> = next.ids.into_iter().map(|(t, id)| (id, t)).collect();
        met.sort_unstable_by_key(|&(id, _)| id);
        let to: Vec<u32> = met
            .into_iter()
            .map(|(_, term)| {
                let id = self.ids.len() as u32;
                *self.ids.entry(term).or_insert(id)
            })
            .collect();
        self.lists.resize_with(self.ids.len(), Vec::new);
        for (term, list) in next.lists.into_iter().enumerate() {
            let into = &mut self.lists[to[term] as usize];
            into.extend(list.into_iter().map(|(a, f)| (a + offset, f)));
        }
        self.phrasings.extend(next.phrasings.into_iter().map(|own| {
            own.into_iter()
                .map(|p| p.into_iter().map(|t| to[t as usize]).collect())
                .collect()
        }));
        self.lengths.extend(next.lengths);
        self
    }
}

/// The postings coded to bits, term after term in the order of the term list, with what the
/// index file says about them: each term's df and the checkpoints.
struct Postings {
    /// The article gaps (see `GapCode`).
    gaps: BitWriter,
    /// The frequency codes (see `FreqCode`).
    freqs: BitWriter,
    /// Each term's df (its number of articles), in the terms' order.
    dfs: Vec<u32>,
    /// Where the postings are at each checkpoint, the first at the start.
    at: Vec<Checkpoint>,
    /// The frequency code, made for these postings.
    code: FreqWriter,
}

impl Postings {
    /// Codes the postings `lists` (by term id) of `terms` (sorted, with their ids) for an
    /// index of `articles` articles.
    fn code(terms: &[(&str, u32)], lists: &[Vec<(u32, Freqs)>], articles: usize) -> Postings {
        let mut counts = [0u32; 256];
        for list in lists {
            for (_, f) in list {
                counts[usize::from(freq_symbol(f))] += 1;
            }
        }
        let mut p = Postings {
            gaps: BitWriter::default(),
            freqs: BitWriter::default(),
            dfs: Vec::with_capacity(terms.len()),
            at: vec![Checkpoint::default()],
            code: FreqWriter::new(&counts),
        };
        let mut since = 0usize;
        for (t, &(_, id)) in terms.iter().enumerate() {
            let list = &lists[id as usize];
            if since >= CHECKPOINT_POSTINGS {
                p.at.push(Checkpoint {
                    term: t as u32,
                    gaps: p.gaps.bit_len() as u32,
                    freqs: p.freqs.bit_len() as u32,
                });
                since = 0;
            }
            since += list.len();
            let code = GapCode::new(articles, list.len());
            let mut next = 0u32;
            for (article, freqs) in list {
                let gap = article - next;
                code.write(&mut p.gaps, gap);
                p.code.write(&mut p.freqs, freqs);
                next = article + 1;
            }
            debug_assert!(!list.is_empty());
            p.dfs.push(list.len() as u32);
        }
        p
    }

    /// The dfs of the terms `which` selects, in order, as Elias gamma codes: most terms are in
    /// one article or a few.
    fn gamma_dfs(&self, which: impl Iterator<Item = usize>) -> Vec<u8> {
        let mut w = BitWriter::default();
        for t in which {
            write_gamma(&mut w, self.dfs[t]);
        }
        w.buf
    }

    /// Bytes of the gaps and the frequency codes.
    fn lens(&self) -> (usize, usize) {
        (self.gaps.buf.len(), self.freqs.buf.len())
    }

    /// Checkpoints per shard, for shards of about `shard_bytes.1` once the postings pass
    /// `shard_bytes.0`; 0 keeps the postings in the index file (they are small enough, fit in
    /// one shard, or there is one checkpoint).
    fn per_shard(&self, shard_bytes: Option<(usize, usize)>) -> usize {
        let lens = self.lens();
        let total = lens.0 + lens.1;
        let shards = match shard_bytes {
            Some((above, each)) if total > above => total.div_ceil(each.max(1)),
            _ => 1,
        };
        if shards > 1 && self.at.len() > 1 {
            self.at.len().div_ceil(shards)
        } else {
            0
        }
    }

    /// Writes the dfs of the terms not `deferred` (those are in their shards), `per_shard`, the
    /// checkpoints (where each shard's postings start: the other checkpoints' are in their
    /// shards), the frequency code and the two streams, or, when they are in shards of
    /// `per_shard` checkpoints, the streams' lengths.
    fn write(
        &self,
        w: &mut Writer,
        marks: &mut Vec<(&'static str, usize)>,
        per_shard: usize,
        deferred: &[bool],
    ) {
        mark(marks, "terms: df", w);
        w.bytes(&self.gamma_dfs((0..self.dfs.len()).filter(|&t| !deferred[t])));
        w.usize(per_shard);
        mark(marks, "postings: checkpoints", w);
        w.usize(self.at.len() - 1);
        let mut placed = self.at[0];
        for (i, pair) in self.at.windows(2).enumerate() {
            w.usize((pair[1].term - pair[0].term) as usize);
            if per_shard == 0 || (i + 1) % per_shard == 0 {
                write_positions(w, placed, pair[1]);
                placed = pair[1];
            }
        }
        mark(marks, "postings: frequencies", w);
        self.code.write_table(w);
        let lens = self.lens();
        if per_shard == 0 {
            mark(marks, "postings: articles", w);
            w.bytes(&self.gaps.buf);
            mark(marks, "postings: frequencies", w);
            w.bytes(&self.freqs.buf);
        } else {
            w.usize(lens.0);
            w.usize(lens.1);
        }
    }

    /// The shard files, `per_shard` checkpoints' worth of postings each and the text and dfs of
    /// their `deferred` terms, with their names, for the index file whose checksum is
    /// `index_checksum`.
    fn shards(
        &self,
        per_shard: usize,
        index_checksum: u32,
        deferred: &Deferred<'_>,
        asked: &Asked,
    ) -> Vec<(String, Vec<u8>)> {
        let ranges = shard_terms(&self.at, per_shard, asked.by_term.len());
        ranges
            .into_iter()
            .enumerate()
            .map(|(k, terms)| {
                let (g, f) = shard_ranges(&self.at, per_shard, k, self.lens());
                shard(index_checksum, k, |s| {
                    s.bytes(&self.gaps.buf[g]);
                    s.bytes(&self.freqs.buf[f]);
                    s.bytes(&asked.lists(terms, true));
                    let of = deferred.of(k);
                    s.bytes(&terms::front_code(of.iter().map(|&t| deferred.text(t))));
                    s.bytes(&self.gamma_dfs(of.iter().copied()));
                    let mut positions = Writer::default();
                    let mine = &self.at[k * per_shard..self.at.len().min((k + 1) * per_shard)];
                    for pair in mine.windows(2) {
                        write_positions(&mut positions, pair[0], pair[1]);
                    }
                    s.bytes(&positions.buf);
                })
            })
            .collect()
    }
}

/// Where `next`'s postings start in both streams, as gaps from `last`'s.
fn write_positions(w: &mut Writer, last: Checkpoint, next: Checkpoint) {
    w.usize((next.gaps - last.gaps) as usize);
    w.usize((next.freqs - last.freqs) as usize);
}

/// The terms of a sharded index whose text and df are in their shards (see `terms`), per
/// shard.
struct Deferred<'a> {
    terms: &'a [(&'a str, u32)],
    /// Whether each term (in sorted order) is one.
    deferred: &'a [bool],
    /// Per shard, its ones (positions in the sorted list), in order.
    per_shard: Vec<Vec<usize>>,
}

impl<'a> Deferred<'a> {
    fn new(
        terms: &'a [(&'a str, u32)],
        deferred: &'a [bool],
        at: &[Checkpoint],
        per_shard: usize,
    ) -> Deferred<'a> {
        let ranges = shard_terms(at, per_shard, terms.len());
        Deferred {
            terms,
            deferred,
            per_shard: ranges
                .into_iter()
                .map(|r| r.filter(|&t| deferred[t]).collect())
                .collect(),
        }
    }

    fn of(&self, k: usize) -> &[usize] {
        &self.per_shard[k]
    }

    fn text(&self, t: usize) -> &'a str {
        self.terms[t].0
    }

    /// On a sharded index: how the term list alternates between text in the index file and
    /// in shards (see [`terms::runs`]), and the first of each shard's deferred terms, by which
    /// a reader finds the shard of a word.
    fn write(&self, w: &mut Writer) {
        if self.per_shard.is_empty() {
            return;
        }
        // Elias gamma codes (the first run, which may be empty, plus one): most runs are a
        // few terms long, and varints took twice the bytes on pingcap's docs.
        let runs = terms::runs(self.deferred);
        w.usize(runs.len());
        let mut gamma = BitWriter::default();
        for (i, run) in runs.into_iter().enumerate() {
            write_gamma(&mut gamma, (run + usize::from(i == 0)) as u32);
        }
        w.bytes(&gamma.buf);
        for &first in self.per_shard.iter().filter_map(|terms| terms.first()) {
            w.str(self.text(first));
        }
    }
}

/// The terms (positions in the sorted list) of each shard of `per_shard` checkpoints: from its
/// first checkpoint's term to the next shard's, of `n` terms in all.
fn shard_terms(at: &[Checkpoint], per_shard: usize, n: usize) -> Vec<std::ops::Range<usize>> {
    (0..shard_count(at.len(), per_shard))
        .map(|k| shard_term_range(at, per_shard, k, n))
        .collect()
}

/// The terms of shard `k` (see [`shard_terms`]).
fn shard_term_range(
    at: &[Checkpoint],
    per_shard: usize,
    k: usize,
    n: usize,
) -> std::ops::Range<usize> {
    let end = at.get((k + 1) * per_shard).map_or(n, |c| c.term as usize);
    at[k * per_shard].term as usize..end
}

/// What [`IndexBuilder::write`] writes.
struct Written {
    index: Vec<u8>,
    parts: Vec<(&'static str, std::ops::Range<usize>)>,
    shards: Vec<(String, Vec<u8>)>,
}

/// The first bytes of a shard file.
pub const SHARD_MAGIC: &[u8; 4] = b"SDKS";

/// Shard file `k` (of postings or a block of titles) of the index file whose checksum is
/// `index_checksum`, with its name: the frame every shard has, around what `body` writes.
fn shard(index_checksum: u32, k: usize, body: impl FnOnce(&mut Writer)) -> (String, Vec<u8>) {
    let mut s = Writer::framed(SHARD_MAGIC, FORMAT_VERSION);
    s.usize(index_checksum as usize);
    s.usize(k);
    body(&mut s);
    s.end_frame();
    (shard_file(index_checksum, k), s.buf)
}

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
    /// article: ids, languages, URLs and pages, then, when `described`, the titles and
    /// categories (else they are in blocks, see [`Described`]). Tags are searched (their words
    /// are in the postings) but never shown, so they are not stored.
    fn write_articles(
        &self,
        w: &mut Writer,
        marks: &mut Vec<(&'static str, usize)>,
        described: bool,
    ) {
        let a = &self.articles;
        mark(marks, "article ids", w);
        a.iter().for_each(|a| w.str(&a.id));
        mark(marks, "article langs", w);
        a.iter().for_each(|a| w.str(&a.lang));
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
        mark(marks, "article pages", w);
        a.iter().for_each(|a| w.strs(&a.pages));
        if described {
            write_described(w, marks, a);
        }
    }

    /// The rules, each a record. A rule links articles by id; translations share their id, so
    /// the link goes to the article in the rule's own language when there is one, else to the
    /// first with that id.
    fn write_rules(&self, w: &mut Writer, marks: &mut Vec<(&'static str, usize)>) {
        let mut position: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for (i, a) in self.articles.iter().enumerate() {
            position
                .entry((a.id.as_str(), a.lang.as_str()))
                .or_insert(i);
            position.entry((a.id.as_str(), "")).or_insert(i);
        }
        mark(marks, "rules", w);
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
    }
}

/// The titles and categories of `articles`, a column each, each after the number of articles.
fn write_described(w: &mut Writer, marks: &mut Vec<(&'static str, usize)>, articles: &[Article]) {
    mark(marks, "article titles", w);
    w.usize(articles.len());
    articles.iter().for_each(|a| w.str(&a.title));
    mark(marks, "article categories", w);
    w.usize(articles.len());
    articles.iter().for_each(|a| w.str(&a.category));
}

/// How many articles' titles a block of a sharded index holds: a search fetches the blocks of
/// the results it shows (and of the leaders it checks for an exact title), so a block is small.
/// At 25,000 articles a block of 64 was 1.1 KB gzip, and the search page's twenty results
/// fetched 24 blocks (27 KB); of 32, 0.6 KB.
pub const BLOCK_ARTICLES: usize = 32;

/// The articles' lengths in terms, a column per field as the articles' metadata: a title's
/// length is more like the next title's than like its article's body length.
fn write_lengths(
    w: &mut Writer,
    marks: &mut Vec<(&'static str, usize)>,
    lengths: &[[usize; FIELDS]],
) {
    mark(marks, "article lengths", w);
    for field in 0..FIELDS {
        for lens in lengths {
            w.usize(lens[field]);
        }
    }
}

/// The articles' questions as the index writes them: a table of how many each article has, in
/// the index file, and per term the questions that have it (with their norms on a sharded
/// index), which go where the term's postings go (the index file or its shard), because a
/// search reads them only for its own words (at 25,000 articles of one question each they were
/// 283 KB gzip of an index file every search fetched).
struct Asked {
    /// Per article, how many questions it has (those with a word that is not a stop word).
    per_article: Vec<usize>,
    /// Per question, its norm's code (see [`norm_code`]).
    norms: Vec<u8>,
    /// Per term in sorted order, the questions that have it, ascending.
    by_term: Vec<Vec<u32>>,
}

impl Asked {
    fn new(analyzed: &Analyzed, sorted: &[(&str, u32)]) -> Asked {
        // Questions refer to terms by their position in the sorted list.
        let mut position_of = vec![0u32; sorted.len()];
        for (i, &(_, id)) in sorted.iter().enumerate() {
            position_of[id as usize] = i as u32;
        }
        let n = analyzed.lengths.len() as f32;
        let mut asked = Asked {
            per_article: Vec::with_capacity(analyzed.phrasings.len()),
            norms: Vec::new(),
            by_term: vec![Vec::new(); sorted.len()],
        };
        for own in &analyzed.phrasings {
            let before = asked.norms.len();
            for p in own {
                // Stop words weigh little in a question and would be a third of what is stored.
                let mut terms: Vec<usize> = p
                    .iter()
                    .map(|&id| position_of[id as usize] as usize)
                    .filter(|&t| !analyze::is_stop(sorted[t].0))
                    .collect();
                terms.sort_unstable();
                terms.dedup();
                if terms.is_empty() {
                    continue;
                }
                let question = asked.norms.len() as u32;
                let mut norm = 0.0f32;
                for &t in &terms {
                    let df = analyzed.lists[sorted[t].1 as usize].len();
                    let w = crate::search::idf(n, df as f32);
                    norm += w * w;
                    asked.by_term[t].push(question);
                }
                asked.norms.push(norm_code(norm.sqrt()));
            }
            asked.per_article.push(asked.norms.len() - before);
        }
        asked
    }

    /// The table of the index file: per article how many questions.
    fn write_table(&self, w: &mut Writer, marks: &mut Vec<(&'static str, usize)>) {
        mark(marks, "phrasings: per article", w);
        self.per_article.iter().for_each(|&n| w.usize(n));
    }

    /// The questions of the terms at `terms` (positions in the sorted list): how many of the
    /// terms are in a question, then per such term its distance from the last (the first from
    /// the start of `terms`), how many questions have it and those, each as a gap from the last
    /// (the first from 0), followed on a sharded index (`norms`) by the question's norm code.
    /// Most terms are in no question and take no byte. Without shards a reader has every list
    /// and computes the norms; with them, a search reads the norms of its words' questions
    /// only (they were 17 KB gzip of a 25,000-article index file).
    fn lists(&self, terms: std::ops::Range<usize>, norms: bool) -> Vec<u8> {
        let asked: Vec<(usize, &Vec<u32>)> = terms
            .clone()
            .zip(&self.by_term[terms.clone()])
            .filter(|(_, list)| !list.is_empty())
            .collect();
        let mut w = Writer::default();
        w.usize(asked.len());
        let mut last_term = terms.start;
        for (t, list) in asked {
            w.usize(t - last_term);
            last_term = t;
            w.usize(list.len());
            let mut last = 0;
            for &q in list {
                w.usize((q - last) as usize);
                last = q;
                if norms {
                    w.u8(self.norms[q as usize]);
                }
            }
        }
        w.buf
    }
}

/// A question's norm in a byte: in steps of a sixteenth of an octave from 2^-4 (an idf that
/// low is a word in nearly every article) to 2^12 (a question of 64 rare words is about 80),
/// so the stored norm is within 2.2% of the true one, which moves a closest question's cosine
/// as little. Coded with multiplications only (no `ln` or `exp`, which the host's libm and
/// the WebAssembly's round differently now and then), so both sides round a norm alike.
fn norm_code(norm: f32) -> u8 {
    // The first code whose upper midpoint is above `norm`.
    let (mut lo, mut hi) = (0u8, 255u8);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if norm < norm_of(mid) * HALF_STEP {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// The norm a [`norm_code`] stands for: 2^(code / 16 - 4).
fn norm_of(code: u8) -> f32 {
    let octave = i32::from(code >> 4) - 4;
    // 2^octave, exactly.
    let power = f32::from_bits(((octave + 127) as u32) << 23);
    power * SIXTEENTHS[usize::from(code & 15)]
}

/// 2^(k/16) for k in 0..16.
const SIXTEENTHS: [f32; 16] = [
    1.0,
    1.044_273_7,
    1.090_507_7,
    1.138_788_6,
    1.189_207_1,
    1.241_857_8,
    1.296_839_6,
    1.354_255_6,
    std::f32::consts::SQRT_2,
    1.476_826_2,
    1.542_210_8,
    1.610_490_3,
    1.681_792_9,
    1.756_252_2,
    1.834_008_1,
    1.915_206_6,
];

/// 2^(1/32): from a code's norm to the midpoint with the next.
const HALF_STEP: f32 = 1.021_897_2;

/// The labelled ranges of [`IndexBuilder::build_parts`] from the marks of the bytes written
/// (`len` in all): consecutive marks of one label make one range.
fn parts(
    marks: &[(&'static str, usize)],
    len: usize,
) -> Vec<(&'static str, std::ops::Range<usize>)> {
    let mut parts: Vec<(&'static str, std::ops::Range<usize>)> = Vec::new();
    let ends = marks.iter().skip(1).map(|m| m.1).chain([len]);
    for (&(label, start), end) in marks.iter().zip(ends) {
        match parts.last_mut() {
            Some((l, r)) if *l == label && r.end == start => r.end = end,
            _ => parts.push((label, start..end)),
        }
    }
    parts
}

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
    /// Where the postings of each of its checkpoints start in both streams (bits), from its
    /// first on.
    positions: Vec<(u32, u32)>,
    /// The questions that have each of the shard's terms.
    asked: ByTerm,
}

/// A read index, ready to answer.
pub struct Index {
    /// The articles' metadata: no sections and no summary, which the passages hold.
    pub(crate) articles: Vec<Article>,
    pub(crate) terms: Terms,
    pub(crate) term_info: Vec<TermInfo>,
    /// The postings, article gaps and frequency codes (see `GapCode` and `FreqCode`): one
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
    freq_code: FreqCode,
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
    /// The articles' titles and categories: one run read with the index, or a block of
    /// `per_block` articles per file, each added when it arrives (see [`Index::title`]).
    described: Vec<OnceLock<Described>>,
    per_block: usize,
    /// Per block: a search needed it before it was added.
    wanted_blocks: Vec<AtomicBool>,
}

/// Each article's questions as separate sets of terms, so that a query can be compared with
/// each way of asking on its own (see `QUESTION_WEIGHT` in `search`). Which questions have a
/// term, with their norms, is with the term's postings (see [`Index::questions_of`]).
pub(crate) struct Phrasings {
    /// Per question: its article.
    pub article: Vec<u32>,
}

impl Phrasings {
    /// The table of the index file (see `Asked::write_table`).
    fn read(r: &mut Reader<'_>, articles: usize) -> Result<Phrasings, FormatError> {
        let mut article = Vec::new();
        for a in 0..articles {
            let n = r.count()?;
            article.extend(std::iter::repeat_n(a as u32, n));
        }
        Ok(Phrasings { article })
    }
}

/// Per term of a run of terms, the questions that have it and their norms (see
/// `Asked::lists`).
#[derive(Default)]
struct ByTerm {
    /// The run's first term.
    first: usize,
    /// Per term `first + i`: `list[start[i]..start[i + 1]]`.
    start: Vec<u32>,
    list: Vec<u32>,
    /// The norm of the question at each place of `list`: of its term vector, weighted by IDF.
    norms: Vec<f32>,
}

impl ByTerm {
    /// The lists of the terms at `terms` in `bytes`, of `questions` questions in all, with
    /// their `norms` (else they are empty, for [`ByTerm::compute_norms`]).
    fn read(
        bytes: &[u8],
        terms: std::ops::Range<usize>,
        questions: usize,
        norms: bool,
    ) -> Result<ByTerm, FormatError> {
        let mut r = Reader::new(bytes);
        let mut by = ByTerm {
            first: terms.start,
            start: vec![0; terms.len() + 1],
            list: Vec::new(),
            norms: Vec::new(),
        };
        // Lists are written for the terms in a question only: `start` is filled for them as
        // they come and carried over the others.
        let mut at = 0usize;
        for k in 0..r.count()? {
            let gap = r.usize()?;
            if k > 0 && gap == 0 {
                return Err(FormatError::Corrupt("phrasing terms out of order"));
            }
            let next = at.saturating_add(gap);
            if next >= terms.len() {
                return Err(FormatError::Corrupt("phrasing term"));
            }
            let end = by.list.len() as u32;
            by.start[at + 1..=next].fill(end);
            at = next;
            let mut q = 0usize;
            for k in 0..r.count()? {
                let gap = r.usize()?;
                if k > 0 && gap == 0 {
                    return Err(FormatError::Corrupt("phrasings out of order"));
                }
                q = q.saturating_add(gap);
                if q >= questions {
                    return Err(FormatError::Corrupt("phrasing"));
                }
                by.list.push(q as u32);
                if norms {
                    by.norms.push(norm_of(r.u8()?));
                }
            }
        }
        let end = by.list.len() as u32;
        by.start[at + 1..].fill(end);
        if !r.is_empty() {
            return Err(FormatError::Corrupt("phrasings length"));
        }
        Ok(by)
    }

    /// The questions that have `term`, and their norms.
    fn of(&self, term: usize) -> (&[u32], &[f32]) {
        let i = term - self.first;
        let at = self.start[i] as usize..self.start[i + 1] as usize;
        (&self.list[at.clone()], &self.norms[at])
    }

    /// The norms of an index whose lists are all here (the terms' `info`, of `questions`
    /// questions and `articles` articles), as the writer computes them (in the same order: by
    /// term position) and rounded as it stores them on a sharded index, so both rank alike.
    fn compute_norms(&mut self, info: &[TermInfo], articles: usize, questions: usize) {
        let n = articles as f32;
        let mut norm = vec![0.0f32; questions];
        for (i, w) in self.start.windows(2).enumerate() {
            let idf = crate::search::idf(n, info[self.first + i].df as f32);
            for &q in &self.list[w[0] as usize..w[1] as usize] {
                norm[q as usize] += idf * idf;
            }
        }
        let norm: Vec<f32> = norm
            .into_iter()
            .map(|n| norm_of(norm_code(n.sqrt())))
            .collect();
        self.norms = self.list.iter().map(|&q| norm[q as usize]).collect();
    }
}

/// The titles and categories of a run of articles: all of them in the index file, or, on a
/// sharded index, a block of [`BLOCK_ARTICLES`] in a file of their own, fetched for the
/// articles a search shows (titles were 261 KB gzip of a 25,000-article index file).
struct Described {
    titles: Vec<String>,
    categories: Vec<String>,
}

impl Described {
    /// The columns of `n` articles (see `write_described`).
    fn read(r: &mut Reader<'_>, n: usize) -> Result<Described, FormatError> {
        let d = Described {
            titles: r.strings()?,
            categories: r.strings()?,
        };
        if d.titles.len() != n || d.categories.len() != n {
            return Err(FormatError::Corrupt("titles or categories"));
        }
        Ok(d)
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
    /// Reads index bytes written by [`IndexBuilder::build`]: the format's sections in order
    /// (see the module's layout), each by a step of its own.
    pub fn from_bytes(bytes: &[u8]) -> Result<Index, FormatError> {
        let mut r = Reader::new(framed(bytes, MAGIC, FORMAT_VERSION)?);
        let rule_threshold = r.usize()? as f32 / 1000.0;
        let sections = r.usize()?;
        let per_block = r.usize()?;
        let (articles, described) = read_articles(&mut r, per_block)?;
        let described: Vec<OnceLock<Described>> = match described {
            Some(all) => vec![OnceLock::from(all)],
            None => std::iter::repeat_with(OnceLock::new)
                .take(articles.len().div_ceil(per_block))
                .collect(),
        };
        let lens = read_lengths(&mut r, articles.len())?;
        let phrasings = Phrasings::read(&mut r, articles.len())?;
        let (rules, links) = read_rules(&mut r, &articles)?;
        // On a sharded index some terms have neither text nor df here; the checkpoints, which
        // no more than `CHECKPOINT_POSTINGS` terms separate, bound their number.
        let n = r.usize()?;
        let plain = terms::read_front_coded(r.bytes()?)?;
        if plain.len() > n {
            return Err(FormatError::Corrupt("term count"));
        }
        let plain_dfs = read_dfs(r.bytes()?, plain.len(), articles.len())?;
        let per_shard = r.usize()?;
        let checkpoints = read_checkpoints(&mut r, n, per_shard)?;
        let freq_code = FreqCode::read_table(&mut r)?;
        let questions = phrasings.article.len();
        let Streams {
            mut postings,
            lens: stream_lens,
        } = read_postings(&mut r, per_shard, &checkpoints, n, questions)?;
        let terms = if per_shard == 0 {
            if plain.len() != n {
                return Err(FormatError::Corrupt("term count"));
            }
            Terms::whole(plain)?
        } else {
            let count = r.usize()?;
            let bytes = r.bytes()?;
            // Every run takes a bit at least.
            if count > bytes.len() * 8 {
                return Err(FormatError::Corrupt("term runs"));
            }
            let mut gamma = BitReader::new(bytes, 0);
            let runs = (0..count)
                .map(|i| Ok(read_gamma(&mut gamma)? as usize - usize::from(i == 0)))
                .collect::<Result<Vec<_>, FormatError>>()?;
            let shards = shard_terms(&checkpoints, per_shard, n);
            Terms::split(n, plain, &runs, &shards, &mut || r.string())?
        };
        if !r.is_empty() {
            return Err(FormatError::Corrupt("trailing bytes"));
        }
        let term_info = term_info(&terms, &plain_dfs, &checkpoints);
        if let Some(whole) = postings.first_mut().and_then(OnceLock::get_mut) {
            // The postings are in this file (per_shard 0), so every term's df is.
            whole
                .asked
                .compute_norms(&term_info, articles.len(), questions);
        }

        let (inv_norm, avg_section_len) = norms(&lens, sections);
        let langs = analyze::stemmers(articles.iter().map(|a| a.lang.as_str()));
        let unstemmed = langs.iter().any(|(_, s)| s.is_none());
        let rules = RuleSet::new(rules, links);
        Ok(Index {
            articles,
            terms,
            term_info,
            wanted: postings.iter().map(|_| AtomicBool::new(false)).collect(),
            postings,
            per_shard,
            stream_lens,
            checksum: u32::from_le_bytes(bytes[bytes.len() - 4..].try_into().expect("framed")),
            freq_code,
            checkpoints,
            inv_norm,
            avg_section_len,
            langs,
            unstemmed,
            rules,
            rule_threshold,
            phrasings,
            wanted_blocks: described.iter().map(|_| AtomicBool::new(false)).collect(),
            described,
            per_block,
        })
    }

    /// The articles, in the order they were added: ids, languages, URLs and pages, without
    /// their sections and summary (the passages hold those, see [`crate::Passages`]), their
    /// titles and categories ([`Index::title`], [`Index::category`]) and their tags (searched,
    /// never shown, so not stored).
    pub fn articles(&self) -> &[Article] {
        &self.articles
    }

    /// The title of article `article` (a position in [`Index::articles`]); None when there is
    /// no such article or, on a sharded index, its block has not been added yet (it is then
    /// marked as wanted, see [`Index::missing_shards`]).
    pub fn title(&self, article: u32) -> Option<&str> {
        let (d, i) = self.described_of(article)?;
        Some(&d.titles[i])
    }

    /// [`Index::title`], or the article's id while the block that holds its title is not here:
    /// a readable name where that block could not be had, rather than an empty one.
    pub fn title_or_id(&self, article: u32) -> Option<&str> {
        self.title(article)
            .or_else(|| Some(&self.articles.get(article as usize)?.id))
    }

    /// The shard that holds the title of article `article` while it has not been added (see
    /// [`Index::title`]); None once it has, or when the index file holds the titles.
    pub fn title_shard(&self, article: u32) -> Option<usize> {
        let (b, _) = self.block_of(article as usize);
        let absent = self.described.get(b)?.get().is_none();
        absent.then(|| self.postings_shards() + b)
    }

    /// The category of article `article`, as [`Index::title`].
    pub fn category(&self, article: u32) -> Option<&str> {
        let (d, i) = self.described_of(article)?;
        Some(&d.categories[i])
    }

    /// The block that describes article `article`, and the article's place in it; None when it
    /// has not been added (it is then marked as wanted).
    fn described_of(&self, article: u32) -> Option<(&Described, usize)> {
        let a = article as usize;
        if a >= self.articles.len() {
            return None;
        }
        let (b, i) = self.block_of(a);
        let described = self.described[b].get();
        if described.is_none() {
            self.wanted_blocks[b].store(true, Ordering::Relaxed);
        }
        Some((described?, i))
    }

    /// The block of [`Index::described`] that holds article `a`, and the article's place in it
    /// (the only one, 0, when the index file holds every title).
    fn block_of(&self, a: usize) -> (usize, usize) {
        match self.per_block {
            0 => (0, a),
            n => (a / n, a % n),
        }
    }

    /// The rules, in the order they were added (their `articles` are ids, as written).
    pub fn rules(&self) -> &[Rule] {
        self.rules.rules()
    }

    /// The confidence at or above which [`Index::ask`] returns a rule answer.
    pub fn rule_threshold(&self) -> f32 {
        self.rule_threshold
    }

    /// Position of `term` in the sorted term list; None when it is not there, or when the shard
    /// that would hold it has not been added yet (it is then marked as wanted).
    pub(crate) fn term_id(&self, term: &str) -> Option<usize> {
        match self.terms.lookup(term) {
            Lookup::Found(t) => Some(t),
            Lookup::InShard(k) => {
                self.wanted[k].store(true, Ordering::Relaxed);
                None
            }
            Lookup::Absent => None,
        }
    }

    /// How many articles have term `t`: 0 while its df is in a shard not added yet.
    pub(crate) fn df(&self, t: usize) -> u32 {
        match self.term_info[t].df {
            0 => self.terms.df(t),
            df => df,
        }
    }

    /// Readers at the start of a term's postings: from the checkpoint before it, past the
    /// postings of the terms in between. None when its shard has not been added yet (it is
    /// then marked as wanted) or the postings are corrupt.
    fn postings_of(&self, term: usize) -> Option<(BitReader<'_>, BitReader<'_>)> {
        let checkpoint = self.term_info[term].checkpoint as usize;
        let c = self.checkpoints[checkpoint];
        let s = self.shard_of(term)?;
        // The shard's first checkpoint (0 for the postings in the index file).
        let first = checkpoint - checkpoint.checked_rem(self.per_shard).unwrap_or(checkpoint);
        let &(at_gaps, at_freqs) = s.positions.get(checkpoint - first)?;
        let mut gaps = BitReader::new(&s.gaps, at_gaps as usize - s.at.0 * 8);
        let mut freqs = BitReader::new(&s.freqs, at_freqs as usize - s.at.1 * 8);
        for t in c.term as usize..term {
            let df = self.df(t);
            let code = GapCode::new(self.articles.len(), df as usize);
            for _ in 0..df {
                code.read(&mut gaps).ok()?;
                self.freq_code.read(&mut freqs).ok()?;
            }
        }
        Some((gaps, freqs))
    }

    /// How many shard files hold the postings and the blocks of titles; 0 when the index file
    /// holds them (see [`IndexBuilder::build_sharded`]). The postings' shards come first.
    pub fn shard_count(&self) -> usize {
        self.postings_shards() + self.blocks()
    }

    /// How many of the shards hold postings.
    fn postings_shards(&self) -> usize {
        shard_count(self.checkpoints.len(), self.per_shard)
    }

    /// How many of the shards are blocks of titles.
    fn blocks(&self) -> usize {
        if self.per_block == 0 {
            0
        } else {
            self.described.len()
        }
    }

    /// The file name of shard `k`, beside the index file.
    pub fn shard_file(&self, k: usize) -> String {
        shard_file(self.checksum, k)
    }

    /// The shards that searches since the last call needed and that have not been added:
    /// their words' postings were missing, so the results were incomplete. Fetch them, add
    /// them and search again.
    pub fn missing_shards(&self) -> Vec<usize> {
        let mut missing = Vec::new();
        take_wanted(&self.wanted, &self.postings, 0, &mut missing);
        let first = self.postings_shards();
        take_wanted(&self.wanted_blocks, &self.described, first, &mut missing);
        missing
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
        if let Some(b) = k.checked_sub(self.postings_shards()) {
            let n = self.articles.len().min((b + 1) * self.per_block) - b * self.per_block;
            let described = Described::read(&mut r, n)?;
            if !r.is_empty() {
                return Err(FormatError::Corrupt("block length"));
            }
            let _ = self.described[b].set(described);
            return Ok(k);
        }
        let (g, f) = shard_ranges(&self.checkpoints, self.per_shard, k, self.stream_lens);
        let (gaps, freqs, asked) = (r.bytes()?, r.bytes()?, r.bytes()?);
        let (text, dfs, positions) = (r.bytes()?, r.bytes()?, r.bytes()?);
        if gaps.len() != g.len() || freqs.len() != f.len() || !r.is_empty() {
            return Err(FormatError::Corrupt("shard length"));
        }
        let first = k * self.per_shard;
        let positions = read_positions(
            positions,
            self.checkpoints[first],
            self.checkpoints.len().min(first + self.per_shard) - first,
            (g.end * 8, f.end * 8),
        )?;
        let terms = shard_term_range(&self.checkpoints, self.per_shard, k, self.term_info.len());
        let asked = ByTerm::read(asked, terms, self.phrasings.article.len(), true)?;
        let dfs = read_dfs(dfs, self.terms.deferred_in(k), self.articles.len())?;
        self.terms.add(k, text, dfs)?;
        let _ = self.postings[k].set(Shard {
            gaps: gaps.to_vec(),
            freqs: freqs.to_vec(),
            at: (g.start, f.start),
            positions,
            asked,
        });
        Ok(k)
    }

    /// Calls `f(article, field frequencies)` for every posting of a term, and stops early
    /// (false) when `f` returns false.
    fn each_posting(&self, term: usize, mut f: impl FnMut(u32, [f32; FIELDS]) -> bool) {
        let Some((mut gaps, mut freqs)) = self.postings_of(term) else {
            return;
        };
        let df = self.df(term);
        let code = GapCode::new(self.articles.len(), df as usize);
        let articles = self.articles.len() as u32;
        let mut next = 0u32;
        for _ in 0..df {
            let (Ok(gap), Ok(fields)) = (code.read(&mut gaps), self.freq_code.read(&mut freqs))
            else {
                return;
            };
            let article = next.saturating_add(gap);
            if article >= articles || !f(article, fields) {
                return;
            }
            next = article + 1;
        }
    }

    /// The questions that have term `t` (see [`Phrasings`]) and their norms; none while its
    /// shard has not been added (it is then marked as wanted).
    pub(crate) fn questions_of(&self, term: usize) -> (&[u32], &[f32]) {
        self.shard_of(term).map_or((&[], &[]), |s| s.asked.of(term))
    }

    /// The shard that holds a term's postings and questions; None while it has not been added
    /// (it is then marked as wanted).
    fn shard_of(&self, term: usize) -> Option<&Shard> {
        let checkpoint = self.term_info[term].checkpoint as usize;
        let k = checkpoint.checked_div(self.per_shard).unwrap_or(0);
        let shard = self.postings[k].get();
        if shard.is_none() {
            self.wanted[k].store(true, Ordering::Relaxed);
        }
        shard
    }

    /// Calls `f(article, field frequencies)` for every posting of a term.
    pub(crate) fn for_postings(&self, term: usize, mut f: impl FnMut(u32, [f32; FIELDS])) {
        self.each_posting(term, |a, fields| {
            f(a, fields);
            true
        });
    }
}

/// Pushes onto `missing` the number (from `first` on) of each part `wanted` and not `here`,
/// and clears its wanted mark.
fn take_wanted<T>(
    wanted: &[AtomicBool],
    here: &[OnceLock<T>],
    first: usize,
    missing: &mut Vec<usize>,
) {
    for (k, (wanted, part)) in wanted.iter().zip(here).enumerate() {
        if wanted.swap(false, Ordering::Relaxed) && part.get().is_none() {
            missing.push(first + k);
        }
    }
}

/// The articles' metadata, a column per field (see [`IndexBuilder::write_articles`]), and
/// their titles and categories when the index file holds them (`per_block` 0).
fn read_articles(
    r: &mut Reader<'_>,
    per_block: usize,
) -> Result<(Vec<Article>, Option<Described>), FormatError> {
    let n = r.count()?;
    let mut articles = vec![Article::default(); n];
    for a in &mut articles {
        a.id = r.string()?;
    }
    for a in &mut articles {
        a.lang = r.string()?;
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
        a.pages = r.strings()?;
    }
    let described = if per_block == 0 {
        Some(Described::read(r, n)?)
    } else {
        None
    };
    Ok((articles, described))
}

/// The lengths in terms of each of `n` articles per field, a column per field.
fn read_lengths(r: &mut Reader<'_>, n: usize) -> Result<Vec<[f32; FIELDS]>, FormatError> {
    let mut lens = vec![[0.0f32; FIELDS]; n];
    for field in 0..FIELDS {
        for len in &mut lens {
            len[field] = r.usize()? as f32;
        }
    }
    Ok(lens)
}

/// The rules, with the positions of the articles each links to.
fn read_rules(
    r: &mut Reader<'_>,
    articles: &[Article],
) -> Result<(Vec<Rule>, Vec<Vec<u32>>), FormatError> {
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
        rule.priority = i32::try_from(r.i64()?).map_err(|_| FormatError::Corrupt("priority"))?;
        rules.push(rule);
        links.push(linked);
    }
    Ok((rules, links))
}

/// The dfs of `n` terms, none above the number of `articles`.
fn read_dfs(bytes: &[u8], n: usize, articles: usize) -> Result<Vec<u32>, FormatError> {
    let mut dfs = Vec::with_capacity(n);
    let mut gamma = BitReader::new(bytes, 0);
    for _ in 0..n {
        let df = read_gamma(&mut gamma)?;
        if df as usize > articles {
            return Err(FormatError::Corrupt("document frequency"));
        }
        dfs.push(df);
    }
    Ok(dfs)
}

/// The checkpoints of `n` terms: the first at the start, then each at a term at most
/// `CHECKPOINT_POSTINGS` after the one before (every term has a posting), the last as far from
/// the end. Where their postings start is here for the first of each shard of `per_shard`
/// checkpoints (every one when 0); the others take their shard's first's until the shard
/// tells (see [`read_positions`]).
fn read_checkpoints(
    r: &mut Reader<'_>,
    n: usize,
    per_shard: usize,
) -> Result<Vec<Checkpoint>, FormatError> {
    let corrupt = || FormatError::Corrupt("postings checkpoint");
    let count = r.count()?;
    let mut checkpoints = Vec::with_capacity(count + 1);
    checkpoints.push(Checkpoint::default());
    let mut placed = Checkpoint::default();
    for i in 1..=count {
        let last: Checkpoint = checkpoints[i - 1];
        let term = u32::try_from(r.usize()?)
            .ok()
            .and_then(|d| last.term.checked_add(d))
            .filter(|&t| t > last.term && t - last.term <= CHECKPOINT_POSTINGS as u32)
            .filter(|&t| (t as usize) < n)
            .ok_or_else(corrupt)?;
        if per_shard == 0 || i % per_shard == 0 {
            (placed.gaps, placed.freqs) = read_position(r, (placed.gaps, placed.freqs))?;
        }
        checkpoints.push(Checkpoint { term, ..placed });
    }
    if n - checkpoints[count].term as usize > CHECKPOINT_POSTINGS {
        return Err(corrupt());
    }
    Ok(checkpoints)
}

/// Where the next checkpoint's postings start in both streams, from where the `last` ones do.
fn read_position(r: &mut Reader<'_>, last: (u32, u32)) -> Result<(u32, u32), FormatError> {
    let mut next = |at: u32| {
        u32::try_from(r.usize()?)
            .ok()
            .and_then(|d| at.checked_add(d))
            .ok_or(FormatError::Corrupt("postings checkpoint"))
    };
    Ok((next(last.0)?, next(last.1)?))
}

/// Where the postings of the `count` checkpoints of a shard start, from its `first`
/// checkpoint's on: the shard file's `bytes` hold the others, none past `limits` (the bits of
/// the shard's streams).
fn read_positions(
    bytes: &[u8],
    first: Checkpoint,
    count: usize,
    limits: (usize, usize),
) -> Result<Vec<(u32, u32)>, FormatError> {
    let mut r = Reader::new(bytes);
    let mut positions = Vec::with_capacity(count);
    positions.push((first.gaps, first.freqs));
    for _ in 1..count {
        let next = read_position(&mut r, positions[positions.len() - 1])?;
        if next.0 as usize > limits.0 || next.1 as usize > limits.1 {
            return Err(FormatError::Corrupt("postings checkpoint"));
        }
        positions.push(next);
    }
    if !r.is_empty() {
        return Err(FormatError::Corrupt("shard checkpoints"));
    }
    Ok(positions)
}

/// Each term's df (0 for those whose df is in a shard, see [`Terms::df`]) and the checkpoint
/// before its postings; `plain_dfs` are the dfs of the `terms` whose text is in the index file.
fn term_info(terms: &Terms, plain_dfs: &[u32], checkpoints: &[Checkpoint]) -> Vec<TermInfo> {
    let mut info = Vec::with_capacity(terms.len());
    let mut c = 0;
    for t in 0..terms.len() {
        while checkpoints.get(c + 1).is_some_and(|k| k.term as usize <= t) {
            c += 1;
        }
        info.push(TermInfo {
            df: 0,
            checkpoint: c as u32,
        });
    }
    for ((t, _), &df) in terms.plain().zip(plain_dfs) {
        info[t].df = df;
    }
    info
}

/// The postings streams as [`read_postings`] finds them.
struct Streams {
    /// One shard read with the index, or a place per shard file, empty until it is added.
    postings: Vec<OnceLock<Shard>>,
    /// Bytes of the whole gaps and frequency streams.
    lens: (usize, usize),
}

/// The postings streams, in the index file (`per_shard` 0) or split into shards of `per_shard`
/// checkpoints; the `checkpoints` must lie within them. An index file that holds them holds
/// the questions of each of its `n` terms after them, of `questions` (their norms are computed
/// once the terms' dfs are known).
fn read_postings(
    r: &mut Reader<'_>,
    per_shard: usize,
    checkpoints: &[Checkpoint],
    n: usize,
    questions: usize,
) -> Result<Streams, FormatError> {
    let (postings, stream_lens) = if per_shard == 0 {
        let (gaps, freqs) = (r.bytes()?.to_vec(), r.bytes()?.to_vec());
        let asked = ByTerm::read(r.bytes()?, 0..n, questions, false)?;
        let shard = Shard {
            gaps,
            freqs,
            at: (0, 0),
            positions: checkpoints.iter().map(|c| (c.gaps, c.freqs)).collect(),
            asked,
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
    Ok(Streams {
        postings,
        lens: stream_lens,
    })
}

/// Per article and field, 1 / BM25 length normalisation (see `search::B`), from the articles'
/// lengths; and the mean length of a section's body, over `sections` sections.
fn norms(lens: &[[f32; FIELDS]], sections: usize) -> (Vec<[f32; FIELDS]>, f32) {
    let count = lens.len().max(1) as f32;
    let mut avg_lens = [0.0; FIELDS];
    for l in lens {
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
    (inv_norm, avg_section_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Articles in three languages whose words recur across the runs and first appear in each,
    /// with questions, tags and sections.
    fn articles(n: usize) -> Vec<Article> {
        let words = [
            "refund", "shipping", "parcel", "invoice", "leather", "journal", "binding", "paper",
            "退款", "发货", "包裹", "Rechnung", "Versand", "the", "how", "do", "I",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut pick = move |k: usize| {
            (0..k)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // A word of its own now and then, so later runs meet new terms.
                    if seed.is_multiple_of(11) {
                        format!("word{}x{i}", seed % 997)
                    } else {
                        words[(seed % words.len() as u64) as usize].to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        (0..n)
            .map(|i| Article {
                id: format!("a{i}"),
                lang: ["en", "zh", "de"][i % 3].to_string(),
                title: pick(4),
                url: format!("en/a{i}/"),
                questions: (0..i % 3).map(|_| pick(5)).collect(),
                tags: vec![pick(1)],
                sections: (0..1 + i % 2)
                    .map(|s| Section {
                        anchor: format!("s{s}"),
                        heading: pick(2),
                        text: pick(30),
                    })
                    .collect(),
                ..Article::default()
            })
            .collect()
    }

    /// Analyzed in runs on threads, a knowledge base gets the terms, ids, postings, questions
    /// and lengths of one run, so its index is the same bytes on any number of cores.
    #[test]
    fn analysis_in_runs_is_the_analysis_in_one() {
        let mut builder = IndexBuilder::new();
        for a in articles(700) {
            builder.add_article(a);
        }
        let one = builder.analyze_in(1);
        assert!(one.ids.len() > 100, "{} terms", one.ids.len());
        for runs in [2, 3, 7] {
            let many = builder.analyze_in(runs);
            assert_eq!(many.ids, one.ids, "{runs} runs");
            assert_eq!(many.lists, one.lists, "{runs} runs");
            assert_eq!(many.phrasings, one.phrasings, "{runs} runs");
            assert_eq!(many.lengths, one.lengths, "{runs} runs");
        }
    }

    #[test]
    fn a_norm_in_a_byte_is_within_2_2_percent() {
        let mut last = 0u8;
        for i in 0..20_000 {
            let norm = 0.07 * 1.0005f32.powi(i);
            let code = norm_code(norm);
            assert!(code >= last, "codes grow with the norm");
            last = code;
            let stored = norm_of(code);
            assert!((stored / norm - 1.0).abs() <= 0.022, "{norm} → {stored}");
        }
        assert!(norm_of(last) > 1000.0, "the steps reach far enough");
        assert_eq!(norm_code(0.0), 0);
        assert_eq!(norm_code(f32::INFINITY), 255);
        assert_eq!(norm_code(f32::NAN), 255);
        for code in 0..=255 {
            assert_eq!(norm_code(norm_of(code)), code);
        }
    }
}
