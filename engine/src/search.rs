//! Ranking: BM25F over title, questions, tags, headings and body, with search-as-you-type
//! and typo tolerance. (Which section of a found article to open is `passages`' job.)
//!
//! Every query word becomes a group of index terms: its stems (one per language of the knowledge
//! base), terms it is a prefix of (last word only, while the visitor is still typing) and terms
//! one or two edits away (only when the word itself is not in the index, so exact matches never
//! lose to typo matches), or, before typos, terms a few letters longer that it is the root of.
//! CJK characters and pairs are groups too, which also hold the other spelling of a colloquial
//! question word (啥 for 什么, see `COLLOQUIAL`).
//! An article scores the best member of each group, weighted down for prefix and typo matches,
//! so a word counts once however many terms it expands to. An article whose `questions` hold
//! one close to the query gains in proportion to that question's cosine with the query.
//!
//! Before any query, `suggest_for_page` finds the articles whose `pages` globs match the URL
//! of the page the visitor is on.

use crate::analyze::{self, Kind};
use crate::index::{Index, FIELDS, TITLE};
use crate::{Answer, Hit, Question, RuleAnswer, SearchOptions};

/// BM25F field weights and length normalisation, in field order (title, questions, tags,
/// headings, body). Titles and other phrasings of the question say what an article is about;
/// the body says it with many more words.
/// Tuned on the evaluation sets (see `engine/eval`), choosing values inside a plateau that is
/// good on every set: a high `K1` keeps one word repeated in a long body from outweighing the
/// title (and R@1 is flat for `K1` from 6 to 10); `questions` are many separate phrasings, so
/// their summed length says how many ways an article is asked about, not that it is diluted:
/// a near-zero `B` there (HINT3 curekart R@1 .686 → .732 with `K1`, stackfaq .770 → .801).
const WEIGHTS: [f32; FIELDS] = [5.0, 2.5, 2.0, 1.5, 1.0];
pub(crate) const B: [f32; FIELDS] = [0.6, 0.1, 0.5, 0.5, 0.4];
const K1: f32 = 8.0;
/// CJK characters and pairs are overlapping grams, not words: a repeated one says little more
/// than one occurrence, so they saturate at the textbook BM25 `k1` (bustm_test_zh R@1 .612 → .626).
const CJK_K1: f32 = 1.2;

/// Discounts of inexact matches, relative to an exact match (1.0).
const PREFIX_WEIGHT: f32 = 0.8;
const STEM_PREFIX_WEIGHT: f32 = 0.9;
const ONE_EDIT_WEIGHT: f32 = 0.6;
const TWO_EDITS_WEIGHT: f32 = 0.4;
/// Single characters weigh more than pairs: short Chinese questions are often paraphrased with
/// the same characters in another order, which pairs miss.
const CJK_CHAR_WEIGHT: f32 = 2.0;
/// Colloquial spellings of question words, with the standard words they stand for: visitors
/// type 啥 and 咋 where articles write 什么 ("what") and 怎么 ("how"), and the other way round.
/// They are spelling variants, like a stem and its word, so a query gram that holds one form also
/// matches the other, as well as it matches itself (see `colloquial_variants`). Measured:
/// bustm_test_zh R@1 .626 → .633 (MRR@10 .707 → .712), which 啥 gives (25 of its queries have
/// it, 30 of its entries); 咋 (4 queries) changes none and is there for the same reason.
const COLLOQUIAL: [(char, [char; 2]); 2] = [('啥', ['什', '么']), ('咋', ['怎', '么'])];
/// Stop words in a query that has other words: they only count in titles and questions.
const STOP_WEIGHT: f32 = 0.1;
/// A word that is not in the index may be the root of one that is ("sell" of "seller",
/// "deliver" of "delivery"): index terms that extend it by at most this many letters match
/// with `DERIVED_WEIGHT` (HINT3 curekart R@1 .763 → .778, no change on the other sets).
pub(crate) const MAX_DERIVED_EXTRA: usize = 3;
pub(crate) const DERIVED_WEIGHT: f32 = 0.6;
/// How much an article's score grows, in proportion to the cosine between the query and the
/// closest of its `questions`. Questions are separate phrasings: the field sums them and loses
/// which words were asked together, which the closest one keeps (R@1 HINT3 curekart
/// .732 → .763, powerplay11 .654 → .696, sofmattress .751 → .779; stackfaq and bustm have no
/// questions; each within .01 for a weight from 1 to 3). Titles are left out: they have their own field weight and
/// exact-match bonus, and counting them again cost stackfaq .801 → .797.
const QUESTION_WEIGHT: f32 = 2.0;
/// Most terms a prefix expands to (the most frequent are kept).
const MAX_PREFIX_TERMS: usize = 16;
/// Most postings the completions of a prefix may read (their summed document frequencies).
const PREFIX_POSTINGS_BUDGET: usize = 12 * 1024;
/// An exact title match is moved above everything else by this much.
const TITLE_MATCH_BONUS: f32 = 1000.0;
/// Below this share of the query's content weight matched, a top result is weak: the widget
/// says it does not know and offers the ticket, and the search page says nothing matches (see
/// `confident`). Coverage counts content words only, each by its idf: question words
/// (`analyze::is_question_word`: "do you have", "please", 你们/吗, هل/لديكم) have none, and a word
/// the index lacks altogether weighs as a rare word (`UNSEEN_DF`).
/// Measured with `solodesk-eval --cross` (as typed; R@1 when abstaining, and the share of
/// out-of-scope queries abstained on), the old policy (every word, an unseen word weighing as a
/// common one, 0.3) → this one: curekart .756 (.429) → .747 (.485), powerplay11 .663 (.438) →
/// .615 (.487), sofmattress .727 (.500) → .715 (.542), stackfaq .793 → .801, bustm .632 → .630;
/// questions of one set asked of another's base .544 → .618 of 11,743, bustm's asked of a
/// Chinese developer-docs site .016 → .131. At 0.2: .749 (.470), .634 (.433), .731 (.521),
/// .802, .630, .581, .123; at 0.25: .741 (.539), .602 (.540), .688 (.597), .799, .625, .663,
/// .168. The old policy at 0.35, for the same HINT3 R@1 as 0.25 here: .739 (.504), .618 (.525),
/// .688 (.604), stackfaq .778, cross .625, Chinese .026. powerplay11 loses most: its intents
/// include greetings and "how can you help me", whose words are question words here.
const WEAK_COVERAGE: f32 = 0.22;
/// Unless more than this share of a question's words are in a rule's own words (see
/// `Index::rule_coverage`), the rule does not answer it, however confident its match: the
/// matcher's calibration was fitted on rule sets of 21 to 57 rules, and a site with two rules
/// answered "are you open to wholesale" with its opening hours (confidence 1.00: "open" is a
/// keyword) and "how do I book a repair", whose article's title it is, with the price of a
/// puncture repair (0.63). A canned answer states facts; one that leaves half of what was asked
/// unexplained is more often wrong than right, and the articles that do explain it are shown
/// instead. A rule whose regex matches the question answers regardless. On the HINT3 sets
/// (`solodesk-eval`, where every intent is also an article), rules at the default threshold
/// answered: curekart precision .896 → .911, coverage .527 → .466; powerplay11 .746 → .753,
/// .304 → .236; sofmattress .962 → .977, .403 → .336 (at 0.4: .908 / .516, .757 / .282,
/// .970 / .387, which leaves the bike shop's "how do I book a repair" answered).
pub const RULE_COVERAGE: f32 = 0.5;
/// A query word the index has no term for (not even by a typo, stem or completion) weighs in
/// coverage as a word in this share of the articles: a place or thing the knowledge base never
/// mentions ("Bristol", 北京, دبي) is what an out-of-scope question is about. (At 0.1, as
/// common words weigh, the out-of-scope shares fall by about .05 at equal R@1; at 0.001, R@1
/// falls by about .01 more for .01 to .02 more abstained.)
const UNSEEN_DF: f32 = 0.01;

/// A query word (or CJK gram) with the index terms it matches.
#[derive(Debug)]
pub(crate) struct Group {
    pub terms: Vec<(usize, f32)>,
    pub weight: f32,
    /// The folded word as typed, for highlighting; empty for CJK grams.
    pub folded: String,
    /// The word as typed and its stems, or the CJK gram: what a rule's own words are searched
    /// for (see `rule_coverage`).
    pub forms: Vec<String>,
    pub prefix: bool,
    /// A CJK character or pair, saturated sooner than words (see `CJK_K1`).
    pub cjk: bool,
    /// A word that only makes the query a question (`analyze::is_question_word`): it ranks, but
    /// does not count in coverage.
    pub question: bool,
}

pub(crate) struct Ranked {
    pub article: u32,
    pub score: f32,
    pub coverage: f32,
    /// Every word of the query that the index has is in the article's title: only then can the
    /// title be the query (see `TITLE_MATCH_BONUS`).
    pub titled: bool,
}

impl Index {
    /// Ranked articles for a query typed so far.
    pub fn search(&self, query: &str, opts: &SearchOptions<'_>) -> Vec<Hit> {
        let groups = self.groups(query, opts.lang);
        self.rank(&groups, &title_key(query), opts)
            .into_iter()
            .map(|r| self.hit(&r))
            .collect()
    }

    /// Ranked articles for a finished question or query, and whether the best of them is a
    /// confident match: the one abstention policy of the widget's replies, its live results and
    /// the help center's search page, so none of them shows as an answer what another calls
    /// "no match".
    pub fn search_confident(&self, query: &str, opts: &SearchOptions<'_>) -> (Vec<Hit>, bool) {
        let groups = self.groups(query, opts.lang);
        let ranked = self.rank(&groups, &title_key(query), opts);
        let confident = confident(&ranked);
        (ranked.iter().map(|r| self.hit(r)).collect(), confident)
    }

    /// The rule answer (if one is confident), the best articles, and whether to offer the ticket.
    pub fn ask(&self, question: &Question<'_>) -> Answer {
        self.ask_measured(question).0
    }

    /// [`Index::ask`], and the share of the question's words that the best-ranked article holds
    /// (the coverage the abstention weighs, see `WEAK_COVERAGE`), `None` when no article
    /// matches: for the owner's desk, which asks for a stricter share than the widget.
    pub fn ask_measured(&self, question: &Question<'_>) -> (Answer, Option<f32>) {
        let groups = self.groups(question.text, question.lang);
        let rule = self
            .match_rules(question.text, question.lang)
            .into_iter()
            .next();
        let rule = rule
            .filter(|m| m.confidence >= self.rule_threshold)
            .filter(|m| {
                // The owner's regex is their explicit word, as in the matcher: it applies as is.
                self.rules.regex_matches(m.rule as usize, question.text)
                    || self.rule_coverage(m.rule as usize, &groups) > RULE_COVERAGE
            })
            .map(|m| {
                let rule = &self.rules.rules()[m.rule as usize];
                RuleAnswer {
                    id: m.id.clone(),
                    lang: rule.lang.clone(),
                    confidence: m.confidence,
                    answer_html: rule.answer_html.clone(),
                    articles: self.rules.links(m.rule as usize).to_vec(),
                }
            });
        let opts = SearchOptions {
            limit: 5,
            lang: question.lang,
        };
        let ranked = self.rank(&groups, &title_key(question.text), &opts);
        let strong = confident(&ranked);
        let mut articles: Vec<Hit> = ranked.iter().map(|r| self.hit(r)).collect();
        // Pages linked by the rule come first: the visitor sees the answer and its sources.
        if let Some(rule) = &rule {
            articles.sort_by_key(|h| !rule.articles.contains(&h.article));
        }
        let offer_ticket = rule.is_none() && !strong;
        let answer = Answer {
            rule,
            articles,
            offer_ticket,
        };
        (answer, ranked.first().map(|r| r.coverage))
    }

    /// The share of `question`'s words that rule `rule`'s own words hold (see [`RULE_COVERAGE`]),
    /// for measuring the gate (`solodesk-eval`).
    pub fn rule_question_coverage(&self, question: &str, lang: Option<&str>, rule: u32) -> f32 {
        self.rule_coverage(rule as usize, &self.groups(question, lang))
    }

    /// The share of a question's words (its term `groups`) that rule `i`'s own words hold: its
    /// phrasings, keywords and answer. Words count as search coverage counts them (content
    /// words by their rarity among the articles, a word no article has as a rare one), except
    /// numbers, which say as little about what is asked as they do to the rules (see
    /// `rules::Matcher::vectorize`). A question of question words alone counts every word.
    fn rule_coverage(&self, i: usize, groups: &[Group]) -> f32 {
        let rule = &self.rules.rules()[i];
        let stemmer = analyze::stemmer_for(&rule.lang);
        let mut text = html_text(&rule.answer_html);
        for line in rule.phrasings.iter().chain(&rule.keywords) {
            text.push('\n');
            text.push_str(line);
        }
        // A list searched in full rather than a set: a rule has a few hundred words and a
        // question a few dozen forms, and the widget's wasm is smaller without another sort or
        // hash table.
        let mut own: Vec<String> = Vec::new();
        analyze::each_token(&text, stemmer.as_ref(), None, |t| {
            own.push(t.term.to_owned());
            own.push(t.folded.to_owned());
        });
        let has = |w: &str| own.iter().any(|o| o == w);
        let n = self.articles.len() as f32;
        let counted: Vec<(&Group, (f32, f32))> = groups
            .iter()
            .filter(|g| !g.folded.starts_with(|c: char| c.is_ascii_digit()))
            .map(|g| (g, self.coverage_shares(g, n)))
            .collect();
        let content = counted.iter().any(|(_, s)| s.1 > 0.0);
        let (mut total, mut held) = (0.0f32, 0.0f32);
        for (g, (all, content_share)) in counted {
            let share = if content { content_share } else { all };
            total += share;
            let known = g.forms.iter().any(|f| has(f))
                || g.terms.iter().any(|&(t, _)| has(self.terms.text(t)));
            if known {
                held += share;
            }
        }
        if total > 0.0 {
            held / total
        } else {
            1.0
        }
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

    /// Turns query text into term groups.
    pub(crate) fn groups(&self, query: &str, lang: Option<&str>) -> Vec<Group> {
        let searched = analyze::query_prefix(query);
        // A cut query's last word is whole: the visitor is typing further on.
        let typing = searched.len() == query.len()
            && !query.ends_with(|c: char| c.is_whitespace() || c.is_ascii_punctuation());
        let query = searched;
        // The visitor's language first, then every language of the knowledge base.
        let mut stemmers = Vec::new();
        let visitor = lang.and_then(analyze::stemmer_for);
        if let Some(s) = &visitor {
            stemmers.push(s);
        }
        for (_, s) in &self.langs {
            if let Some(s) = s {
                stemmers.push(s);
            }
        }
        let tokens = analyze::analyze(query, None);
        let has_pairs = tokens.iter().any(|t| t.kind == Kind::CjkPair);
        let variants = colloquial_variants(&tokens);
        let last_word = tokens
            .iter()
            .rposition(|t| matches!(t.kind, Kind::Word | Kind::Stop));
        let last_end = tokens.last().map(|t| t.end);
        let mut groups: Vec<Group> = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            let mut group = Group {
                terms: Vec::new(),
                weight: 1.0,
                folded: String::new(),
                forms: Vec::new(),
                prefix: false,
                cjk: matches!(token.kind, Kind::CjkChar | Kind::CjkPair),
                question: analyze::is_question_word(match token.kind {
                    Kind::Word | Kind::Stop => &token.folded,
                    Kind::CjkChar | Kind::CjkPair => &token.term,
                }),
            };
            match token.kind {
                Kind::CjkChar | Kind::CjkPair => {
                    group.forms.push(token.term.clone());
                    if token.kind == Kind::CjkChar && has_pairs {
                        group.weight = CJK_CHAR_WEIGHT;
                    }
                    if let Some(t) = self.term_id(&token.term) {
                        group.terms.push((t, 1.0));
                    }
                    for v in variants.iter().filter(|(at, _)| *at == i) {
                        if let Some(t) = self.term_id(&v.1) {
                            add(&mut group.terms, t, 1.0);
                        }
                    }
                }
                Kind::Word | Kind::Stop => {
                    let word = &token.folded;
                    group.folded = word.clone();
                    let mut variants = vec![word.clone()];
                    if token.kind == Kind::Word {
                        for s in &stemmers {
                            let v = s.stem(word).into_owned();
                            if !variants.contains(&v) {
                                variants.push(v);
                            }
                        }
                    }
                    for v in &variants {
                        if let Some(t) = self.term_id(v) {
                            add(&mut group.terms, t, 1.0);
                        }
                    }
                    if group.terms.is_empty() && token.kind == Kind::Word && self.unstemmed {
                        self.expand_stem_prefix(word, &mut group.terms);
                    }
                    let is_last = Some(i) == last_word && Some(token.end) == last_end;
                    // A word still being typed gets every completion below instead.
                    if group.terms.is_empty()
                        && token.kind == Kind::Word
                        && !(typing && is_last)
                        && word.chars().count() >= 4
                    {
                        for v in &variants {
                            self.expand_derived(v, &mut group.terms);
                        }
                    }
                    if typing && is_last && word.chars().count() >= 2 {
                        group.prefix = true;
                        for v in &variants {
                            self.expand_prefix(v, &mut group.terms);
                        }
                    }
                    let letters = word.chars().count();
                    if token.kind == Kind::Word && group.terms.is_empty() && letters >= 5 {
                        let max = if letters >= 9 { 2 } else { 1 };
                        self.expand_typos(&variants, max, &mut group.terms);
                    }
                    group.forms = variants;
                }
            }
            groups.push(group);
        }
        // A query made only of stop words ("how to") is searched as typed; otherwise stop words
        // only help in titles and questions, where they were kept, with a small weight.
        if groups.iter().any(|g| !g.terms.is_empty()) {
            for (g, t) in groups.iter_mut().zip(&tokens) {
                if t.kind == Kind::Stop && !g.prefix {
                    g.weight *= STOP_WEIGHT;
                }
            }
        }
        groups
    }

    /// Without the stemmer of a language (a build without `all-stemmers` reading an index
    /// written with it), the longest index term that begins the word stands in for its stem:
    /// Snowball stems are mostly beginnings of words ("remboursements" → "rembours").
    fn expand_stem_prefix(&self, word: &str, out: &mut Vec<(usize, f32)>) {
        let ends: Vec<usize> = word.char_indices().map(|(i, _)| i).skip(1).collect();
        let chars = ends.len() + 1;
        let shortest = 3.max(chars * 2 / 3);
        for (n, &end) in ends.iter().enumerate().rev() {
            if n + 1 < shortest {
                break;
            }
            if let Some(t) = self.term_id(&word[..end]) {
                add(out, t, STEM_PREFIX_WEIGHT);
                return;
            }
        }
    }

    /// Index terms that extend `root` by a few letters (see `MAX_DERIVED_EXTRA`).
    fn expand_derived(&self, root: &str, out: &mut Vec<(usize, f32)>) {
        for t in self.terms.completions(root) {
            let extra = self.terms.text(t).len() - root.len();
            if (1..=MAX_DERIVED_EXTRA).contains(&extra) {
                add(out, t, DERIVED_WEIGHT);
            }
        }
    }

    fn expand_prefix(&self, prefix: &str, out: &mut Vec<(usize, f32)>) {
        let mut found: Vec<usize> = self.terms.completions(prefix).collect();
        // The most frequent completions are the likely ones; a budget of postings keeps a short
        // prefix of common words from costing milliseconds.
        found.sort_by_key(|&t| (std::cmp::Reverse(self.df(t)), t));
        let mut budget = PREFIX_POSTINGS_BUDGET;
        for (i, t) in found.into_iter().enumerate() {
            if i >= MAX_PREFIX_TERMS {
                break;
            }
            let cost = self.df(t) as usize;
            if i > 0 && cost > budget {
                break;
            }
            budget = budget.saturating_sub(cost);
            // Nearly complete words count nearly fully.
            let done = prefix.len() as f32 / self.terms.text(t).len() as f32;
            add(out, t, PREFIX_WEIGHT + (1.0 - PREFIX_WEIGHT) * done * done);
        }
    }

    fn expand_typos(&self, variants: &[String], max: usize, out: &mut Vec<(usize, f32)>) {
        let variants: Vec<Vec<char>> = variants.iter().map(|v| v.chars().collect()).collect();
        let masks: Vec<u64> = variants.iter().map(|v| letter_mask(v)).collect();
        let mut buf: Vec<char> = Vec::new();
        for (t, term) in self.terms.plain() {
            let len = self.terms.chars(t);
            let first = term.chars().next().unwrap_or(' ');
            // A typo rarely hits the first letter twice: the term must start with the word's
            // first or second letter (or the word with the term's second), which skips most of
            // the dictionary before any distance is computed.
            let plausible = variants.iter().any(|v| {
                len.abs_diff(v.len()) <= max
                    && (v[0] == first
                        || v.get(1) == Some(&first)
                        || term.chars().nth(1) == Some(v[0]))
            });
            if !plausible {
                continue;
            }
            buf.clear();
            buf.extend(term.chars());
            if analyze::is_cjk(first) {
                continue;
            }
            // Each edit changes at most two letters of the set of letters used: a cheap test
            // that spares most candidates the distance computation.
            let mask = letter_mask(&buf);
            let best = variants
                .iter()
                .zip(&masks)
                .filter(|(_, m)| (*m ^ mask).count_ones() as usize <= 2 * max)
                .filter_map(|(v, _)| edits_within(v, &buf, max))
                .min();
            match best {
                Some(1) => add(out, t, ONE_EDIT_WEIGHT),
                Some(2) => add(out, t, TWO_EDITS_WEIGHT),
                _ => {}
            }
        }
    }

    /// A group's share of the query's weight in coverage: as ranking weighs it (all words), and
    /// as the abstention does (content words). A question word has no content share; a word the
    /// index lacks altogether weighs as a rare word (`UNSEEN_DF`), not as a common one.
    fn coverage_shares(&self, group: &Group, n: f32) -> (f32, f32) {
        let group_idf = group
            .terms
            .iter()
            .map(|&(t, _)| idf(n, self.df(t) as f32))
            .fold(0.0f32, f32::max);
        let all = group.weight * group_idf.max(idf(n, n / 10.0));
        let content = if group.question {
            0.0
        } else if group.terms.is_empty() {
            group.weight * idf(n, n * UNSEEN_DF)
        } else {
            all
        };
        (all, content)
    }

    /// Scores articles for term groups: BM25F, best section, coverage.
    pub(crate) fn rank(
        &self,
        groups: &[Group],
        key: &str,
        opts: &SearchOptions<'_>,
    ) -> Vec<Ranked> {
        let n_articles = self.articles.len();
        if groups.iter().all(|g| g.terms.is_empty()) || opts.limit == 0 {
            return Vec::new();
        }
        let n = n_articles as f32;
        let mut score = vec![0.0f32; n_articles];
        let mut matched = vec![0.0f32; n_articles];
        let mut touched: Vec<u32> = Vec::new();
        let mut best = vec![0.0f32; n_articles];
        // Per article, how exactly it matched the current group: 1 for the word itself or its
        // stem, less for a prefix, typo or derived word (their weights).
        let mut exactness = vec![0.0f32; n_articles];
        // Per article, how many groups it has in its title, and whether the current one.
        let mut titled = vec![0u32; n_articles];
        let mut in_title = vec![false; n_articles];
        let mut group_touched: Vec<u32> = Vec::new();
        let mut total_weight = 0.0;
        // Question matching: per phrasing, the dot product of its term vector with the query's,
        // where each group counts with its best term, and the query vector's squared norm.
        let phrasings = &self.phrasings;
        let mut phrase_dot = vec![0.0f32; phrasings.article.len()];
        let mut phrase_best = vec![0.0f32; phrasings.article.len()];
        let mut phrase_norm = vec![0.0f32; phrasings.article.len()];
        let mut phrase_touched: Vec<u32> = Vec::new();
        let mut phrase_group: Vec<u32> = Vec::new();
        let mut q_norm = 0.0f32;
        // Coverage counts the content words; a query of question words alone ("how do I"),
        // every word.
        let shares: Vec<(f32, f32)> = groups.iter().map(|g| self.coverage_shares(g, n)).collect();
        let content = shares.iter().any(|s| s.1 > 0.0);
        // The groups of words the index has: all of them in a title can make it the query.
        let searched = groups.iter().filter(|g| !g.terms.is_empty()).count() as u32;
        for (group, &(all, content_share)) in groups.iter().zip(&shares) {
            let group_share = if content { content_share } else { all };
            total_weight += group_share;
            // A word the index does not have counts against every phrasing, like a common word.
            let mut q_max = if group.terms.is_empty() {
                group.weight * idf(n, n / 10.0)
            } else {
                0.0f32
            };
            for &(t, w) in &group.terms {
                let df = self.df(t) as f32;
                let q = group.weight * w * idf(n, df);
                q_max = q_max.max(q);
                let v = q * idf(n, df);
                let (questions, norms) = self.questions_of(t);
                for (&p, &norm) in questions.iter().zip(norms) {
                    phrase_norm[p as usize] = norm;
                    keep_best(&mut phrase_best, &mut phrase_group, p, v);
                }
            }
            q_norm += q_max * q_max;
            for &p in &phrase_group {
                let p = p as usize;
                if phrase_dot[p] == 0.0 {
                    phrase_touched.push(p as u32);
                }
                phrase_dot[p] += phrase_best[p];
                phrase_best[p] = 0.0;
            }
            phrase_group.clear();
            let k1 = if group.cjk { CJK_K1 } else { K1 };
            for &(t, w) in &group.terms {
                let idf = idf(n, self.df(t) as f32);
                self.for_postings(t, |a, f| {
                    let s = self.term_score(a, &f, idf, w, k1);
                    keep_best(&mut best, &mut group_touched, a, s);
                    let e = &mut exactness[a as usize];
                    *e = e.max(w);
                    in_title[a as usize] |= f[TITLE] > 0.0;
                });
            }
            for &a in &group_touched {
                let a = a as usize;
                if score[a] == 0.0 {
                    touched.push(a as u32);
                }
                score[a] += best[a] * group.weight;
                // A word counts as much matched as unmatched (the share `total_weight` gave
                // it), scaled down for an inexact match: "grinder" found as "binder" is not
                // the question's word (coverage decides abstention, see `confident`).
                matched[a] += group_share * exactness[a];
                exactness[a] = 0.0;
                titled[a] += u32::from(std::mem::take(&mut in_title[a]));
                best[a] = 0.0;
            }
            group_touched.clear();
        }
        // An article with a question close to the query is likely what the visitor asks about.
        let q_norm = q_norm.sqrt().max(f32::EPSILON);
        // `best` is all zeros again after the groups: it holds each article's closest question.
        let closest = &mut best;
        for &p in &phrase_touched {
            let p = p as usize;
            let cos = phrase_dot[p] / (q_norm * phrase_norm[p].max(f32::EPSILON));
            let a = phrasings.article[p] as usize;
            closest[a] = closest[a].max(cos.min(1.0));
        }
        for &a in &touched {
            score[a as usize] *= 1.0 + QUESTION_WEIGHT * closest[a as usize];
        }
        let mut ranked: Vec<Ranked> = touched
            .iter()
            .map(|&a| Ranked {
                article: a,
                score: score[a as usize],
                coverage: (matched[a as usize] / total_weight.max(f32::EPSILON)).min(1.0),
                titled: titled[a as usize] == searched,
            })
            .collect();
        // Only the leaders are shown, so only they are sorted: the best `keep` of the visitor's
        // language and the best `keep` of the others, which hold the best `keep` overall.
        let keep = opts.limit.max(TITLE_CANDIDATES);
        let visitor = opts.lang.filter(|_| self.langs.len() > 1);
        let mut ranked = match visitor {
            Some(lang) => {
                let (mut mine, mut others): (Vec<Ranked>, Vec<Ranked>) =
                    ranked.into_iter().partition(|r| {
                        analyze::same_language(&self.articles[r.article as usize].lang, lang)
                    });
                leaders(&mut mine, keep);
                leaders(&mut others, keep);
                mine.append(&mut others);
                mine
            }
            None => {
                leaders(&mut ranked, keep);
                ranked
            }
        };
        sort(&mut ranked);
        // An exact title match goes first; only the leaders can be one.
        if !key.is_empty() {
            for r in ranked.iter_mut().take(TITLE_CANDIDATES) {
                // On a sharded index a leader's title may not be here yet: its block is then
                // wanted, and the search runs again when it is. Only a leader with every word
                // in its title is looked at, so few blocks are.
                if r.titled && self.title(r.article).is_some_and(|t| title_key(t) == key) {
                    r.score += TITLE_MATCH_BONUS;
                }
            }
            sort(&mut ranked);
        }
        if let Some(lang) = visitor {
            ranked.sort_by_key(|r| {
                !analyze::same_language(&self.articles[r.article as usize].lang, lang)
            });
        }
        ranked.truncate(opts.limit);
        ranked
    }

    /// BM25F of one term in one article, from its summed field frequencies.
    fn term_score(
        &self,
        article: u32,
        freqs: &[f32; FIELDS],
        idf: f32,
        weight: f32,
        k1: f32,
    ) -> f32 {
        let inv = &self.inv_norm[article as usize];
        let mut tf = 0.0;
        for k in 0..FIELDS {
            tf += WEIGHTS[k] * freqs[k] * inv[k];
        }
        idf * tf / (k1 + tf) * weight
    }

    fn hit(&self, r: &Ranked) -> Hit {
        let article = &self.articles[r.article as usize];
        Hit {
            article: r.article,
            id: article.id.clone(),
            // A block that could not be had leaves the id, a readable name, not an empty link.
            title: self.title_or_id(r.article).unwrap_or_default().to_owned(),
            url: article.url.clone(),
            lang: article.lang.clone(),
            score: r.score,
        }
    }

    /// Byte ranges in `text` of the words that matched a group.
    pub(crate) fn highlights(&self, text: &str, groups: &[Group], lang: &str) -> Vec<(u32, u32)> {
        let stemmer = self.stemmer_of(lang);
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for token in analyze::analyze(text, stemmer) {
            if token.kind == Kind::CjkChar {
                continue;
            }
            let hit = groups.iter().any(|g| {
                g.terms
                    .iter()
                    .any(|&(t, _)| self.terms.text(t) == token.term)
                    || (g.prefix && token.folded.starts_with(g.folded.as_str()))
            });
            if hit && token.kind != Kind::Stop {
                match ranges.last_mut() {
                    // Overlapping CJK pairs merge into one highlighted run.
                    Some(last) if token.start <= last.1 => last.1 = last.1.max(token.end),
                    _ => ranges.push((token.start, token.end)),
                }
            }
        }
        ranges
    }
}

/// Whether ranked results answer the query: the best one matches at least `WEAK_COVERAGE` of
/// the query's content weight (its rare words count most, common words little, question words
/// and stop words not at all). A question about something the knowledge base never mentions
/// ("can you help me find a dentist, please") matches only its question words and a common word
/// or two; it does not become an answer by the words every question has.
fn confident(ranked: &[Ranked]) -> bool {
    ranked.first().is_some_and(|r| r.coverage >= WEAK_COVERAGE)
}

/// The other spellings of CJK query grams that hold a colloquial word or its standard form (see
/// `COLLOQUIAL`), as (token index, gram). With 啥 for 什么: the character 啥 may be the pair 什么,
/// and the pairs around it the pairs around 什么 (叫啥 → 叫什, 啥呀 → 么呀); the pair 什么 may be
/// 啥, and the pairs around it become pairs with 啥 (叫什 → 叫啥, 么呀 → 啥呀).
fn colloquial_variants(tokens: &[analyze::Token]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    // Tokens of a CJK run alternate: character, pair starting there, next character...
    let pair = |i: usize| tokens.get(i).filter(|t| t.kind == Kind::CjkPair);
    for (i, token) in tokens.iter().enumerate() {
        if token.kind != Kind::CjkChar {
            continue;
        }
        let c = token.term.chars().next().unwrap_or(' ');
        let before = i.checked_sub(1).and_then(pair);
        for &(short, [first, second]) in &COLLOQUIAL {
            if c == short {
                out.push((i, gram(&[first, second])));
                if let Some(p) = before {
                    out.push((i - 1, gram(&[lead(&p.term), first])));
                }
                if let Some(p) = pair(i + 1) {
                    out.push((i + 1, gram(&[second, trail(&p.term)])));
                }
            } else if c == first && pair(i + 1).is_some_and(|p| trail(&p.term) == second) {
                out.push((i + 1, gram(&[short])));
                if let Some(p) = before {
                    out.push((i - 1, gram(&[lead(&p.term), short])));
                }
                if let Some(p) = pair(i + 3) {
                    out.push((i + 3, gram(&[short, trail(&p.term)])));
                }
            }
        }
    }
    out
}

/// A gram from its characters (without `format!`, which costs the widget's wasm more).
fn gram(chars: &[char]) -> String {
    chars.iter().collect()
}

/// The first and the last character of a CJK pair.
fn lead(pair: &str) -> char {
    pair.chars().next().unwrap_or(' ')
}

fn trail(pair: &str) -> char {
    pair.chars().next_back().unwrap_or(' ')
}

fn keep_best(best: &mut [f32], touched: &mut Vec<u32>, a: u32, s: f32) {
    let slot = &mut best[a as usize];
    if *slot == 0.0 {
        touched.push(a);
    }
    if s > *slot {
        *slot = s;
    }
}

fn add(out: &mut Vec<(usize, f32)>, term: usize, weight: f32) {
    match out.iter_mut().find(|(t, _)| *t == term) {
        Some(existing) => existing.1 = existing.1.max(weight),
        None => out.push((term, weight)),
    }
}

pub(crate) fn idf(n: f32, df: f32) -> f32 {
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// How many of the best results an exact title match is looked for among.
const TITLE_CANDIDATES: usize = 20;

fn order(a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
    b.score.total_cmp(&a.score).then(a.article.cmp(&b.article))
}

fn sort(ranked: &mut [Ranked]) {
    ranked.sort_unstable_by(order);
}

/// Keeps the best `keep` of `ranked` (unordered), without sorting the rest.
fn leaders(ranked: &mut Vec<Ranked>, keep: usize) {
    if ranked.len() > keep {
        ranked.select_nth_unstable_by(keep - 1, order);
        ranked.truncate(keep);
    }
}

/// A title reduced to its folded words, so "How do I reset my password?" equals the query
/// "how do i reset my password".
fn title_key(title: &str) -> String {
    analyze::analyze(title, None)
        .into_iter()
        .filter(|t| t.kind != Kind::CjkChar)
        .map(|t| t.folded)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The set of letters of a word, hashed into 64 bits.
fn letter_mask(word: &[char]) -> u64 {
    word.iter().fold(0, |m, &c| m | 1 << (c as u32 % 64))
}

/// Optimal-string-alignment distance between `a` and `b` if it is at most `max`
/// (a swap of two neighbours counts as one edit: "refnud" → "refund").
pub(crate) fn edits_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    let mut prev2 = vec![0usize; w];
    let mut prev: Vec<usize> = (0..w).collect();
    let mut cur = vec![0usize; w];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
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

/// The text of an HTML fragment (a rule's answer): tags dropped, a space where a block (a
/// paragraph, list item, line break, cell) ends. Entities stay as they are (`&amp;` is the word
/// "amp"): a rule's words only ever gain one that way.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut tag: Option<String> = None;
    for c in html.chars() {
        match (&mut tag, c) {
            (None, '<') => tag = Some(String::new()),
            (Some(name), '>') => {
                let name = name.trim_start_matches('/');
                let name = name.split([' ', '/']).next().unwrap_or("");
                if matches!(
                    name,
                    "p" | "br" | "li" | "div" | "tr" | "td" | "th" | "h1" | "h2" | "h3" | "h4"
                ) {
                    out.push(' ');
                }
                tag = None;
            }
            (Some(name), c) => name.push(c.to_ascii_lowercase()),
            (None, c) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule's answer as text: words kept whole across inline tags ("delivery</a>;" is
    /// "delivery;"), blocks apart.
    #[test]
    fn html_text_keeps_inline_words_and_parts_blocks() {
        let text = html_text(
            "<p>Open <strong>Tue</strong>–Sat. See <a href=\"x\">hours</a>;</p><ul><li>a</li><li>b<br>c</li></ul>",
        );
        let words: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(words, ["Open", "Tue–Sat.", "See", "hours;", "a", "b", "c"]);
    }

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

    fn check(a: &str, b: &str, max: usize, expected: Option<usize>) {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        assert_eq!(edits_within(&a, &b, max), expected);
    }

    /// The colloquial variants of a query's grams in query order, each written `gram→variant`.
    fn check_variants(query: &str, expected: &str) {
        let tokens = analyze::analyze(query, None);
        let mut variants = colloquial_variants(&tokens);
        variants.sort_by_key(|(i, _)| *i);
        let got: Vec<String> = variants
            .into_iter()
            .map(|(i, v)| format!("{}→{v}", tokens[i].term))
            .collect();
        assert_eq!(got.join(" "), expected, "variants of {query:?}");
    }

    #[test]
    fn colloquial_question_words() {
        check_variants("你叫啥呀", "叫啥→叫什 啥→什么 啥呀→么呀");
        check_variants("叫什么呀", "叫什→叫啥 什么→啥 么呀→啥呀");
        check_variants("咋退款", "咋→怎么 咋退→么退");
        check_variants("怎么", "怎么→咋");
        check_variants("啥", "啥→什么");
        // 什 without 么 is another word (什锦), and 么 alone is no question word.
        check_variants("什锦 多么", "");
        check_variants("退款", "");
    }

    /// Issue 16, item 10: a question about something the knowledge base never mentions matched
    /// its common words in unrelated articles, which the widget showed as an answer while the
    /// search page said nothing matched. One decision now serves both.
    #[test]
    fn weak_matches_are_not_confident() {
        use crate::{Article, IndexBuilder, Section};
        let article = |id: &str, title: &str, text: &str| Article {
            id: id.into(),
            lang: "en".into(),
            title: title.into(),
            url: format!("en/{id}/"),
            sections: vec![Section {
                text: text.into(),
                ..Section::default()
            }],
            ..Article::default()
        };
        let mut b = IndexBuilder::new();
        for a in [
            article(
                "refunds",
                "Refunds",
                "We refund any order within 30 days of delivery.",
            ),
            article(
                "wholesale",
                "Wholesale for shops",
                "Shops can order our notebooks in bulk.",
            ),
            article(
                "visits",
                "Visiting the workshop",
                "Visits to the workshop are by appointment.",
            ),
            article(
                "care",
                "Caring for leather",
                "Rub a little balm into the cover once a year.",
            ),
            article(
                "shipping",
                "Shipping times",
                "Parcels to Europe take three to five days.",
            ),
        ] {
            b.add_article(a);
        }
        // A knowledge base of a realistic size: in five articles no word is rare.
        for i in 0..30 {
            let id = format!("topic-{i}");
            b.add_article(article(
                &id,
                &id,
                &format!("Notes on item{i} and colour{i}."),
            ));
        }
        let ix = Index::from_bytes(&b.build()).unwrap();
        let check = |query: &str, confident: bool| {
            let opts = SearchOptions {
                limit: 5,
                lang: Some("en"),
            };
            let (hits, sure) = ix.search_confident(query, &opts);
            assert_eq!(sure, confident, "{query:?}: {hits:?}");
            let asked = ix.ask(&crate::Question {
                text: query,
                lang: Some("en"),
                ..Default::default()
            });
            assert_eq!(
                asked.offer_ticket, !confident,
                "{query:?}: the same decision in ask"
            );
        };
        check("can I get a refund on my order", true);
        check("can I visit the workshop", true);
        check("do you sell coffee beans in Bristol", false);
        check("is there a cafe in Bristol with parking", false);
    }

    #[test]
    fn edit_distance() {
        check("pasword", "password", 1, Some(1));
        check("refnud", "refund", 1, Some(1));
        check("refund", "refund", 1, Some(0));
        check("abcdef", "azcdxf", 1, None);
        check("abcdef", "azcdxf", 2, Some(2));
        check("kitten", "sitting", 2, None);
    }
}
