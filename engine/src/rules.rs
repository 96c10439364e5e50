//! The rule responder: canned answers for questions the owner has seen before.
//!
//! A question is compared with every example phrasing of every rule as a TF-IDF cosine over the
//! same analyzed terms the search uses (stems, CJK characters and pairs, typo-tolerant), so that
//! "refnud my order" is as close to "refund my order" as the words allow. A rule's score is its
//! closest phrasing; owner keywords and a regex can raise it. Words the rules never use count
//! against every rule, which is what lets the responder abstain on out-of-scope questions.
//!
//! Word weights are IDF over rules, not phrasings: a word in many phrasings of one rule is what
//! identifies it. The confidence is a logistic model (see `CALIBRATION`) over signals that
//! separate right answers from wrong and out-of-scope ones: the closest cosine; the rule's share
//! of the nearest phrasings (two rules that fit equally well mean the question is ambiguous, and
//! a confident wrong answer is worse than none); the margin of the rule's BM25 as one document of
//! all its phrasings (the question's words spread over several phrasings); the letter trigrams
//! it shares with its most alike phrasing (near-miss words the typo search does not reach:
//! "orfer", "matterss"); and how tight and how large the rule is. The candidates are the rules
//! of the nearest phrasings and the rule whose phrasings between them cover the question best.
//!
//! The model is fitted on questions made from the rules' own phrasings, not on visitors'
//! questions (see `engine/eval`). On the HINT3 sets, where about half the test questions are out
//! of scope, the default threshold gives precision .90 at coverage .53 on curekart and .96 at
//! .40 on sofmattress; on powerplay11, where two thirds are out of scope and many of those are
//! near misses ("email id"), .73 at .30.

use crate::analyze::{self, Kind};
use crate::pattern::Pattern;
use crate::search::{edits_within, DERIVED_WEIGHT, MAX_DERIVED_EXTRA};
use crate::Rule;
use rust_stemmers::Stemmer;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A rule's fit to a question, ranked by [`Index::match_rules`](crate::Index::match_rules).
#[derive(Clone, Debug, PartialEq)]
pub struct RuleMatch {
    /// Position of the rule in [`Index::rules`](crate::Index::rules).
    pub rule: u32,
    pub id: String,
    /// 0..1; the responder answers at or above the index's threshold.
    pub confidence: f32,
}

/// Added to a rule's score when all words of one of its keywords are in the question.
const KEYWORD_BONUS: f32 = 0.25;
/// A rule whose regex matches scores at least this.
const REGEX_SCORE: f32 = 0.9;
/// The rules of this many nearest phrasings are candidates (with the BM25 leader), and twice
/// as many share out the similarity (see [`Matcher::signals`]).
const NEIGHBOURS: usize = 5;
/// The weights of a logistic model of "this rule is the right answer" over the signals of
/// `Matcher::signals`: bias; the closest phrasing's cosine; the rule's share of the
/// similarity of the 10 nearest phrasings; the margin of the rule's BM25 as one document of all
/// its phrasings over the best other rule's; the share of the closest phrasing's weight the
/// question covers; the letter-trigram Dice coefficient of the question and the rule's most
/// alike phrasing; ln(1 + the question's known words); the rule's tightness (mean cosine of a
/// phrasing to the closest other) and ln(its phrasings); and whether the question negates
/// where the closest phrasing does not. The candidates are the rules of the 5 nearest
/// phrasings and the rule of the best BM25 (which alone raised top-1 on sofmattress from .802
/// to .814 and on powerplay11 from .689 to .693, curekart unchanged, under the weights then).
///
/// Fitted with `cargo run --release -p solodesk-eval -- --fit all` on questions made from the
/// HINT3 rules' phrasings (a phrasing asked of the rules without it is in scope, one asked of
/// the rules without its whole rule out of scope; every candidate is an example), so no test
/// question is in the fit. Each phrasing is asked both ways, so the fit assumes half the
/// questions are out of scope, about what the HINT3 traffic shows, and the default threshold
/// 0.5 is the model's own even chance (a Platt fit of the top answer's confidence on the
/// simulated questions put even odds at .48: the model is already calibrated for the answer
/// it gives). An out-of-scope question weighs one over the square root of its rule's
/// phrasings, so that one large held-out rule is not most of what "out of scope" means (with
/// equal weights, P / C at 0.5: curekart .898 / .519, powerplay11 .720 / .307, sofmattress
/// .962 / .399; with one over the number, .892 / .538, .728 / .294, .953 / .399).
/// The same command prints, for comparison, fits on the test questions: pooled they reach
/// about the same average precision (sofmattress's is lower than the phrasing fit's) but
/// answer more and less precisely at 0.5 (curekart .84 at .65, sofmattress .92 at .52,
/// powerplay11 .63 at .39), and held out (fitted on the other two sets) worse (.82 at .67, .93
/// at .47, .56 at .46). So the calibration is not what keeps sofmattress's coverage at 0.5
/// under .50: its visitors ask in scope more often (64%) and farther from the phrasings than
/// the simulation does, and the one threshold that would reach .50 there (.35) costs
/// powerplay11, which is out of scope 69% of the time, precision; no simulation tried
/// (fewer or more folds, holding out a question's near-duplicate phrasings, adding words no
/// rule uses to every question) told the two apart, nor did z-scoring the signals per
/// knowledge base over its own simulated questions, or new signals (the rarest question word
/// the rule lacks, the rule's BM25 itself, the share of the question's letter trigrams in the
/// rule, how much of the question a phrasing it wholly contains explains): each moved average
/// precision by under .01. `--select` keeps only signals whose removal
/// lowers the phrasing fit's average precision on the test questions: the vote (closest cosine
/// times the share of the 5 nearest), its margin and the second closest cosine did not, nor
/// (in an earlier selection by held-out test fits) the shares of the question in words no rule
/// uses, in the rule's words and in the closest phrasing's, or a centroid cosine.
pub const CALIBRATION: [f32; SIGNALS] = [
    -6.753, 2.157, 1.869, 4.444, 1.297, 4.590, 0.462, -2.213, 0.177, -0.290,
];
/// How many signals [`CALIBRATION`] weighs.
pub const SIGNALS: usize = 10;
/// Position of the negation mismatch among the signals.
pub const NEGATION: usize = 9;
/// BM25 parameters of a rule as one document.
const BM25_K1: f32 = 1.2;
const BM25_B: f32 = 0.75;
/// Confidence factor when the question negates and the rule's closest phrasing does not
/// (when introduced, precision at the default threshold: powerplay11 .634 → .677, sofmattress
/// .919 → .947, curekart .854 → .852; coverage −.003 to −.007). The mismatch is also a signal
/// of the calibration, fitted with the factor applied.
pub const NEGATION_MISMATCH: f32 = 0.85;
/// Weight of a query word matched only with a typo, relative to an exact match.
const TYPO_WEIGHT: f32 = 0.8;
/// Stop words weigh this much of their IDF: "how do I" says little about which rule applies.
const STOP_WEIGHT: f32 = 0.3;

/// The weight of a rule word, in phrasings and questions alike.
fn term_weight(idf: f32, stop: bool) -> f32 {
    idf * if stop { STOP_WEIGHT } else { 1.0 }
}

struct Compiled {
    /// Per phrasing: sorted (term, weight) pairs and the vector's norm.
    phrasings: Vec<(Vec<(u32, f32)>, f32)>,
    /// Every term of the rule's phrasings, sorted, with how many phrasings use it.
    vocab: Vec<(u32, u16)>,
    /// Sum of `vocab`'s counts: the rule's length as one document of all its phrasings.
    len: f32,
    /// Mean cosine of each phrasing to the closest other phrasing of the rule.
    tightness: f32,
    /// Per phrasing: its letter trigrams (see [`trigrams`]).
    grams: Vec<Vec<u32>>,
    /// Per phrasing: does it negate ("not", "can't")?
    negated: Vec<bool>,
    keywords: Vec<Vec<String>>,
    regex: Option<Pattern>,
}

/// The rules of an index; analyzed when the first question comes (see [`RuleSet::matcher`]).
pub struct RuleSet {
    rules: Vec<Rule>,
    links: Vec<Vec<u32>>,
    matcher: OnceLock<Matcher>,
}

/// The rules analyzed for matching.
struct Matcher {
    compiled: Vec<Compiled>,
    vocab: BTreeMap<String, u32>,
    idf: Vec<f32>,
    stop: Vec<bool>,
    /// The weight of a query word that no rule uses.
    unknown_idf: f32,
    /// Distinct rule languages with their stemmers.
    langs: Vec<(String, Option<Stemmer>)>,
}

impl RuleSet {
    pub fn new(rules: Vec<Rule>, links: Vec<Vec<u32>>) -> RuleSet {
        RuleSet {
            rules,
            links,
            matcher: OnceLock::new(),
        }
    }

    /// The rules analyzed, on first use: analyzing every phrasing is most of the work of reading
    /// an index with rules (1.9 of 2.5 ms natively for the example site's 40 rules, several
    /// times that in the browser's first-tier wasm), and the widget hands the index over while
    /// the visitor is still reading the panel, long before the first question.
    fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| Matcher::new(&self.rules))
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn links(&self, rule: usize) -> &[u32] {
        &self.links[rule]
    }

    /// Every rule's confidence for a question, best first (ties: higher priority, then order).
    pub fn matches(&self, text: &str, lang: Option<&str>) -> Vec<RuleMatch> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        self.matcher()
            .matches(&self.rules, analyze::query_prefix(text), lang)
    }

    /// Whether rule `i` has a regex and it matches `text`.
    pub fn regex_matches(&self, i: usize, text: &str) -> bool {
        self.matcher().compiled[i]
            .regex
            .as_ref()
            .is_some_and(|re| re.is_match(text))
    }

    /// Per candidate rule, its position and the signals of its confidence (see `CALIBRATION`),
    /// for fitting the calibration (`solodesk-eval --fit`).
    pub fn candidate_signals(&self, text: &str, lang: Option<&str>) -> Vec<(u32, Vec<f32>)> {
        let mut out = Vec::new();
        if !self.rules.is_empty() {
            self.matcher()
                .signals(analyze::query_prefix(text), lang, &mut |i, x| {
                    out.push((i as u32, x.to_vec()))
                });
        }
        out
    }
}

impl Matcher {
    fn new(rules: &[Rule]) -> Matcher {
        let langs = analyze::stemmers(rules.iter().map(|r| r.lang.as_str()));
        let mut vocab: BTreeMap<String, u32> = BTreeMap::new();
        // Document frequency counts rules, not phrasings: a word in most phrasings of one rule
        // ("refund" in a refund rule) is that rule's signature, not a common word.
        let mut df: Vec<u32> = Vec::new();
        let mut stop: Vec<bool> = Vec::new();
        let mut raw: Vec<Vec<Vec<u32>>> = Vec::new();
        let mut grams: Vec<Vec<Vec<u32>>> = Vec::new();
        for r in rules {
            let stemmer = analyze::stemmer_in(&langs, &r.lang);
            let mut per_rule = Vec::new();
            let mut rule_grams = Vec::new();
            for p in &r.phrasings {
                let tokens = analyze::analyze(p, stemmer);
                rule_grams.push(trigrams(tokens.iter().map(|t| t.folded.as_str())));
                let mut ids: Vec<u32> = tokens
                    .into_iter()
                    .map(|t| {
                        let next = vocab.len() as u32;
                        let id = *vocab.entry(t.term).or_insert(next);
                        if id as usize == df.len() {
                            df.push(0);
                            stop.push(t.kind == Kind::Stop);
                        }
                        id
                    })
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                per_rule.push(ids);
            }
            let mut in_rule: Vec<u32> = per_rule.iter().flatten().copied().collect();
            in_rule.sort_unstable();
            in_rule.dedup();
            for id in in_rule {
                df[id as usize] += 1;
            }
            raw.push(per_rule);
            grams.push(rule_grams);
        }
        let n = rules.len().max(1) as f32;
        let idf: Vec<f32> = df.iter().map(|&d| (1.0 + n / d as f32).ln()).collect();
        // A word no rule uses weighs like a word only one rule could use.
        let unknown_idf = (1.0 + n).ln();
        let weight = |id: u32| term_weight(idf[id as usize], stop[id as usize]);
        let compiled = rules
            .iter()
            .zip(raw)
            .zip(grams)
            .map(|((r, per_rule), grams)| {
                let stemmer = analyze::stemmer_in(&langs, &r.lang);
                let mut all: Vec<u32> = per_rule.iter().flatten().copied().collect();
                all.sort_unstable();
                let mut vocab: Vec<(u32, u16)> = Vec::new();
                for t in all {
                    match vocab.last_mut() {
                        Some((last, n)) if *last == t => *n = n.saturating_add(1),
                        _ => vocab.push((t, 1)),
                    }
                }
                let len = vocab.iter().map(|&(_, n)| f32::from(n)).sum();
                let phrasings: Vec<(Vec<(u32, f32)>, f32)> = per_rule
                    .into_iter()
                    .map(|ids| {
                        let v: Vec<(u32, f32)> = ids.iter().map(|&id| (id, weight(id))).collect();
                        let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
                        (v, norm)
                    })
                    .collect();
                let mut tight = 0.0;
                for (a, (pa, na)) in phrasings.iter().enumerate() {
                    let mut best = 0.0f32;
                    for (b, (pb, nb)) in phrasings.iter().enumerate() {
                        if a != b {
                            best = best.max(dot(pa, pb) / (na * nb).max(f32::EPSILON));
                        }
                    }
                    tight += best;
                }
                let tightness = tight / phrasings.len().max(1) as f32;
                let keywords = r
                    .keywords
                    .iter()
                    .map(|k| {
                        analyze::analyze(k, stemmer)
                            .into_iter()
                            .map(|t| t.term)
                            .collect()
                    })
                    .filter(|k: &Vec<String>| !k.is_empty())
                    .collect();
                // A regex that does not compile is ignored here; kbgen reports it at build time.
                let regex = r.regex.as_deref().and_then(Pattern::new);
                let negated = r.phrasings.iter().map(|p| negates(p)).collect();
                Compiled {
                    phrasings,
                    vocab,
                    len,
                    tightness,
                    grams,
                    negated,
                    keywords,
                    regex,
                }
            })
            .collect();
        Matcher {
            compiled,
            vocab,
            idf,
            stop,
            unknown_idf,
            langs,
        }
    }

    /// The question as a weighted term vector over the rules' vocabulary, plus the weight of
    /// words the rules never use (which count against every rule).
    fn vectorize(&self, text: &str, lang: Option<&str>) -> Vectorized {
        let visitor = lang.and_then(analyze::stemmer_for);
        let mut stemmers: Vec<Option<&Stemmer>> = vec![visitor.as_ref()];
        stemmers.extend(self.langs.iter().map(|(_, s)| s.as_ref()));
        let unknown_idf = self.unknown_idf;
        let mut q: Vec<(u32, f32)> = Vec::new();
        let mut unknown = Unknown::default();
        let mut words = Vec::new();
        let tokens = analyze::analyze(text, None);
        let grams = trigrams(tokens.iter().map(|t| t.folded.as_str()));
        for token in tokens {
            let mut variants = vec![token.folded.clone()];
            if token.kind == Kind::Word {
                for s in stemmers.iter().flatten() {
                    let v = s.stem(&token.folded).into_owned();
                    if !variants.contains(&v) {
                        variants.push(v);
                    }
                }
            }
            words.extend(variants.iter().cloned());
            let exact = variants.iter().find_map(|v| self.vocab.get(v).copied());
            // A word no rule uses may be the root of one that a rule does ("sell", "seller"):
            // the rarest such word stands in for it (see `MAX_DERIVED_EXTRA` in `search`).
            let derived = || {
                if token.kind != Kind::Word || token.folded.chars().count() < 4 {
                    return None;
                }
                // A scan like the typo search's below: the rules' vocabulary is small.
                self.vocab
                    .iter()
                    .filter(|(t, _)| {
                        variants.iter().any(|v| {
                            t.starts_with(v.as_str())
                                && (1..=MAX_DERIVED_EXTRA).contains(&(t.len() - v.len()))
                        })
                    })
                    .map(|(_, &id)| id)
                    .max_by(|a, b| self.idf[*a as usize].total_cmp(&self.idf[*b as usize]))
                    .map(|id| (id, DERIVED_WEIGHT))
            };
            let found = exact.map(|id| (id, 1.0)).or_else(derived).or_else(|| {
                let letters = token.folded.chars().count();
                if token.kind != Kind::Word || letters < 5 {
                    return None;
                }
                let max = if letters >= 9 { 2 } else { 1 };
                let chars: Vec<Vec<char>> = variants.iter().map(|v| v.chars().collect()).collect();
                self.vocab
                    .iter()
                    .filter_map(|(term, &id)| {
                        let t: Vec<char> = term.chars().collect();
                        let d = chars
                            .iter()
                            .filter_map(|v| edits_within(v, &t, max))
                            .min()?;
                        Some((d, std::cmp::Reverse(self.idf[id as usize].to_bits()), id))
                    })
                    .min()
                    .map(|(_, _, id)| (id, TYPO_WEIGHT))
            });
            match found {
                Some((id, factor)) => {
                    let w = term_weight(self.idf[id as usize], self.stop[id as usize]) * factor;
                    match q.iter_mut().find(|(t, _)| *t == id) {
                        Some(e) => e.1 = e.1.max(w),
                        None => q.push((id, w)),
                    }
                }
                None => {
                    // A number the rules never use (an order number, a pin code, a date, a
                    // size) is what visitors add to a question the rules do cover; it says as
                    // little about the question's scope as a stop word. (A quarter of the
                    // HINT3 sofmattress questions have one; with the calibration refitted, P / C
                    // at 0.5 went .960 / .383 → .962 / .399 there, curekart .897 / .514 →
                    // .898 / .519, powerplay11 .720 / .291 → .718 / .304.)
                    let number = token.folded.starts_with(|c: char| c.is_ascii_digit());
                    let w = unknown_idf
                        * match token.kind {
                            Kind::Stop => STOP_WEIGHT,
                            Kind::CjkChar => 0.4,
                            _ if number => STOP_WEIGHT,
                            _ => 1.0,
                        };
                    unknown.mass += w * w;
                    unknown.sum += w;
                }
            }
        }
        q.sort_unstable_by_key(|&(t, _)| t);
        Vectorized {
            q,
            unknown,
            words,
            grams,
        }
    }

    /// Every rule's confidence for a question (see [`RuleSet::matches`]).
    fn matches(&self, rules: &[Rule], text: &str, lang: Option<&str>) -> Vec<RuleMatch> {
        let mut scores = vec![0.0f32; rules.len()];
        let words = self.signals(text, lang, &mut |i, x| {
            scores[i] = confidence(&CALIBRATION, x);
        });
        // Keywords and regexes are the owner's explicit word: they apply after the vote.
        for (s, c) in scores.iter_mut().zip(&self.compiled) {
            if c.keywords
                .iter()
                .any(|k| k.iter().all(|w| words.contains(w)))
            {
                *s = (*s + KEYWORD_BONUS).min(1.0);
            }
            if c.regex.as_ref().is_some_and(|re| re.is_match(text)) {
                *s = s.max(REGEX_SCORE);
            }
        }
        // Equal scores (the same regex in each language's copy of a rule) go to the rule in the
        // visitor's language, so the answer comes in it.
        let foreign = |i: usize| lang.is_some_and(|l| !analyze::same_language(&rules[i].lang, l));
        let mut order: Vec<usize> = (0..rules.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            scores[b]
                .total_cmp(&scores[a])
                .then(rules[b].priority.cmp(&rules[a].priority))
                .then(foreign(a).cmp(&foreign(b)))
                .then(a.cmp(&b))
        });
        order
            .into_iter()
            .filter(|&i| scores[i] > 0.0)
            .map(|i| RuleMatch {
                rule: i as u32,
                id: rules[i].id.clone(),
                confidence: scores[i].clamp(0.0, 1.0),
            })
            .collect()
    }

    /// Calls `each` with every candidate rule (one among the nearest phrasings) and the signals
    /// its confidence is computed from (see [`CALIBRATION`]); returns the question's words, for
    /// the owner's keywords.
    fn signals(
        &self,
        text: &str,
        lang: Option<&str>,
        each: &mut dyn FnMut(usize, &[f32; SIGNALS]),
    ) -> Vec<String> {
        let Vectorized {
            q,
            unknown,
            words,
            grams,
        } = self.vectorize(text, lang);
        let q_norm = (q.iter().map(|(_, w)| w * w).sum::<f32>() + unknown.mass).sqrt();
        if q_norm <= 0.0 {
            return words;
        }
        // Every phrasing's cosine, to see how many of the nearest phrasings agree on a rule.
        let mut near: Vec<(f32, u32)> = Vec::new();
        // Per rule: the closest phrasing's cosine and position.
        let closest: Vec<(f32, usize)> = self
            .compiled
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut best = (0.0f32, 0);
                for (k, (p, norm)) in c.phrasings.iter().enumerate() {
                    let dot = dot(&q, p);
                    if dot > 0.0 {
                        let cos = dot / (q_norm * norm);
                        near.push((cos, i as u32));
                        if cos > best.0 {
                            best = (cos, k);
                        }
                    }
                }
                best
            })
            .collect();
        // Unstable sorts here and below give the stable result, as the orders are total (equal
        // pairs are identical), and add no stable sort to the wasm.
        near.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        // Each rule as one document of all its phrasings, BM25 against the question (as a share
        // of what a rule using every word of it would score): a rule whose phrasings between
        // them use the question's words, though no single phrasing does.
        let avg_len = self.compiled.iter().map(|c| c.len).sum::<f32>() / self.compiled.len() as f32;
        let q_sum = q.iter().map(|(_, w)| w).sum::<f32>() + unknown.sum;
        let bm25: Vec<f32> = self
            .compiled
            .iter()
            .map(|c| {
                let norm = BM25_K1 * (1.0 - BM25_B + BM25_B * c.len / avg_len.max(1.0));
                let s: f32 = q
                    .iter()
                    .filter_map(|&(t, w)| {
                        let j = c.vocab.binary_search_by_key(&t, |&(v, _)| v).ok()?;
                        let tf = f32::from(c.vocab[j].1);
                        Some(w * tf / (tf + norm))
                    })
                    .sum();
                s / q_sum.max(f32::EPSILON)
            })
            .collect();
        let (leader, first, second) = top2(&bm25);
        let known_words = (1.0 + q.len() as f32).ln();
        let negated = negates(text);
        // The rule's share of the similarity of the 10 nearest phrasings: a question halfway
        // between two rules, or close to one phrasing of a rule while its neighbours belong to
        // others, is ambiguous.
        let nearest = &near[..(2 * NEIGHBOURS).min(near.len())];
        let total: f32 = nearest.iter().map(|(c, _)| c).sum();
        // The candidates: the rules of the 5 nearest phrasings, and the rule whose phrasings
        // between them best cover the question (BM25 of the rule as one document), which no
        // single phrasing of it may be near.
        let mut candidates: Vec<u32> = near.iter().take(NEIGHBOURS).map(|&(_, r)| r).collect();
        if leader < self.compiled.len() {
            candidates.push(leader as u32);
        }
        candidates.sort_unstable();
        candidates.dedup();
        for i in candidates.into_iter().map(|i| i as usize) {
            let c = &self.compiled[i];
            let (best, k) = closest[i];
            let (p, norm) = &c.phrasings[k];
            let covered: f32 = q
                .iter()
                .filter_map(|&(t, _)| {
                    let j = p.binary_search_by_key(&t, |&(pt, _)| pt).ok()?;
                    Some(p[j].1 * p[j].1)
                })
                .sum();
            let own: f32 = nearest
                .iter()
                .filter(|&&(_, r)| r as usize == i)
                .map(|(c, _)| c)
                .sum();
            let mismatch = negated && !c.negated.get(k).copied().unwrap_or(true);
            each(
                i,
                &[
                    1.0,
                    best,
                    own / total,
                    bm25[i] - if i == leader { second } else { first },
                    covered / (norm * norm).max(f32::EPSILON),
                    c.grams.iter().map(|g| dice(&grams, g)).fold(0.0, f32::max),
                    known_words,
                    c.tightness,
                    (c.phrasings.len() as f32).ln(),
                    f32::from(u8::from(mismatch)),
                ],
            );
        }
        words
    }
}

/// A candidate's confidence from its signals (see `Matcher::signals`) under the weights of
/// a logistic model: [`CALIBRATION`] when answering, others while fitting it (`engine/eval`
/// calls this too, so the fit measures exactly what the engine answers).
pub fn confidence(weights: &[f32; SIGNALS], x: &[f32; SIGNALS]) -> f32 {
    let z: f32 = weights.iter().zip(x).map(|(w, x)| w * x).sum();
    // "I can't join a contest" is a problem report, not the "how do I join a contest" of a
    // rule whose closest phrasing has no negation: the visitor likely needs another answer.
    let factor = if x[NEGATION] > 0.0 {
        NEGATION_MISMATCH
    } else {
        1.0
    };
    factor / (1.0 + (-z).exp())
}

/// The byte trigrams of folded words, each word padded with a space on both sides, sorted.
fn trigrams<'a>(words: impl Iterator<Item = &'a str>) -> Vec<u32> {
    let mut out = Vec::new();
    for w in words {
        // Three bytes in a u32: no hashing, no collisions. The first window is a zero byte, the
        // padding space and the word's first byte.
        let mut g = u32::from(b' ');
        for b in w.bytes().chain([b' ']) {
            g = (g << 8 | u32::from(b)) & 0xff_ffff;
            out.push(g);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Dice coefficient of two sorted sets.
fn dice(a: &[u32], b: &[u32]) -> f32 {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * n as f32 / (a.len() + b.len()).max(1) as f32
}

/// The best value's position, the best and the second best.
fn top2(v: &[f32]) -> (usize, f32, f32) {
    let (mut first, mut second, mut leader) = (0.0f32, 0.0f32, usize::MAX);
    for (i, &x) in v.iter().enumerate() {
        if x > first {
            (second, first, leader) = (first, x, i);
        } else if x > second {
            second = x;
        }
    }
    (leader, first, second)
}

/// Does the text negate? English words only (folded, so "can't" is "cant"); in other languages
/// nothing is a negation and confidences are left alone.
fn negates(text: &str) -> bool {
    analyze::analyze(text, None).iter().any(|t| {
        matches!(
            t.folded.as_str(),
            "not"
                | "no"
                | "never"
                | "cannot"
                | "cant"
                | "dont"
                | "didnt"
                | "doesnt"
                | "isnt"
                | "wont"
                | "unable"
                | "havent"
                | "hasnt"
                | "wasnt"
                | "arent"
                | "couldnt"
        )
    })
}

/// A question as the rules see it.
struct Vectorized {
    /// Weighted term vector over the rules' vocabulary, sorted by term.
    q: Vec<(u32, f32)>,
    /// The words the rules never use, which count against every rule.
    unknown: Unknown,
    /// Every form of every word (folded, stemmed), for the owner's keywords.
    words: Vec<String>,
    /// Letter trigrams of the folded words (see [`trigrams`]).
    grams: Vec<u32>,
}

/// The question's words that no rule uses.
#[derive(Default)]
struct Unknown {
    /// Sum of their squared weights (their part of the question vector's squared norm).
    mass: f32,
    /// Sum of their weights.
    sum: f32,
}

fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

impl crate::Index {
    /// Every rule's confidence for a question, best first; [`Index::ask`](crate::Index::ask)
    /// answers with the first when it reaches [`Index::rule_threshold`](crate::Index::rule_threshold).
    pub fn match_rules(&self, text: &str, lang: Option<&str>) -> Vec<RuleMatch> {
        self.rules.matches(text, lang)
    }

    /// Per candidate rule of [`Index::match_rules`](crate::Index::match_rules), its position
    /// and the signals its confidence is computed from; for fitting the calibration
    /// (`solodesk-eval --fit`), not a stable interface.
    #[doc(hidden)]
    pub fn rule_signals(&self, text: &str, lang: Option<&str>) -> Vec<(u32, Vec<f32>)> {
        self.rules.candidate_signals(text, lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: bool) {
        assert_eq!(negates(text), expected, "{text:?}");
    }

    #[test]
    fn negation() {
        check("I can't join a contest", true);
        check("I am unable to join any contest", true);
        check("my order did not arrive", true);
        check("how do I join a contest", false);
        check("notebook knots", false);
        check("退款", false);
    }

    fn rule_set() -> RuleSet {
        let rule = |id: &str, phrasings: &[&str]| Rule {
            id: id.into(),
            lang: "en".into(),
            phrasings: phrasings.iter().map(|p| (*p).into()).collect(),
            ..Rule::default()
        };
        let rules = vec![
            rule(
                "order",
                &["where is my order", "track my parcel", "order status"],
            ),
            rule("refund", &["I want a refund", "give my money back"]),
        ];
        RuleSet::new(rules, vec![Vec::new(); 2])
    }

    /// The top rule's id and whether its confidence is at least that of `than`'s top rule.
    fn check_not_below(question: &str, than: &str, expected: (&str, bool)) {
        let set = rule_set();
        let (a, b) = (&set.matches(question, None)[0], &set.matches(than, None)[0]);
        assert_eq!(
            (a.id.as_str(), a.confidence >= b.confidence),
            expected,
            "{question:?} {a:?} vs {than:?} {b:?}"
        );
    }

    /// A number no rule uses (an order number) costs less confidence than a word no rule
    /// uses: visitors add numbers to questions the rules cover. (The word has as many
    /// letters as the number, so their letter trigrams weigh alike.)
    #[test]
    fn unknown_numbers() {
        check_not_below(
            "where is my order 4711",
            "where is my order blue",
            ("order", true),
        );
        check_not_below(
            "where is my order blue",
            "where is my order 4711",
            ("order", false),
        );
        check_not_below(
            "where is my order",
            "where is my order 4711",
            ("order", true),
        );
    }

    /// The Dice coefficient of two words' trigrams, as the calibration's near-miss signal sees it.
    fn check_dice(a: &str, b: &str, expected: f32) {
        let (a, b) = (trigrams([a].into_iter()), trigrams([b].into_iter()));
        assert_eq!(dice(&a, &b), expected, "{a:?} {b:?}");
    }

    #[test]
    fn near_miss_words() {
        check_dice("order", "order", 1.0);
        // " o", " or" and "er " are shared by the six trigrams of each: 2 × 3 / 12.
        check_dice("orfer", "order", 0.5);
        check_dice("refund", "order", 0.0);
        check_dice("a", "b", 0.0);
    }
}
