//! `solodesk-eval`: measures search and rule-responder quality on the shared evaluation sets.
//!
//! Each set (`corpus.jsonl`, `queries.jsonl`, `qrels.tsv`, see `../shared/eval/README.md`) becomes
//! an index: a corpus entry is an article with one section; for the HINT3 sets each intent is
//! an article whose `questions` are the lines of its text (its training phrasings: other ways
//! visitors ask it) and also a rule with those phrasings. It prints recall@1, recall@5 and
//! MRR@10 of search over the in-scope queries, and for sets with rules the precision/coverage
//! curve of the rule responder over thresholds (out-of-scope queries included).
//!
//! Usage: `cargo run --release -p solodesk-eval [-- [--sets DIR] [--curve] [--complete] [--sizes]
//! [--misses SET] [--fit SIGNALS [--odds N] [--select]]]`.
//! `--complete` marks every query as finished (a trailing space), which turns off prefix
//! matching of the last word; by default queries are searched as typed, as `kbgen search` does.
//! `--sizes` then prints, per set, where the index's bytes go (each part of the format, and
//! what it costs in the gzipped index). `--misses SET` prints, for every query of that set whose
//! right article is not first, the query, the right article with its rank, and the top three
//! with their scores: the material for finding out why the right article loses. `--fit all` (or
//! a list of signal positions, `1,2,5`) fits the rule responder's calibration on the HINT3 sets
//! and prints pooled and leave-one-set-out figures and the weights to paste into `CALIBRATION`
//! (see `fit`). `--cross` asks each set's questions of the other sets' knowledge bases in the
//! same language (and the Chinese questions of `../corpora/dify-docs/zh`, each page an article),
//! where they are out of scope, and prints the share of them the search abstains on.

mod fit;
mod sizes;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use sizes::{gzip_len, parts_table};
use solodesk_engine::{
    Article, Index, IndexBuilder, Rule, SearchOptions, Section, DEFAULT_RULE_THRESHOLD,
    RULE_COVERAGE,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Deserialize)]
struct Doc {
    id: String,
    #[serde(default)]
    title: String,
    text: String,
    #[serde(default)]
    lang: String,
}

#[derive(Deserialize)]
struct Query {
    id: String,
    text: String,
    #[serde(default)]
    lang: String,
}

struct Set {
    name: String,
    docs: Vec<Doc>,
    queries: Vec<Query>,
    qrels: BTreeMap<String, BTreeSet<String>>,
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}:{}: bad JSON line", path.display(), i + 1))
        })
        .collect()
}

fn load(dir: &Path) -> Result<Set> {
    let mut qrels: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let path = dir.join("qrels.tsv");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    for (i, line) in text.lines().enumerate() {
        let mut parts = line.split('\t');
        match (parts.next(), parts.next()) {
            (Some(q), Some(d)) => {
                qrels
                    .entry(q.to_owned())
                    .or_default()
                    .insert(d.trim().to_owned());
            }
            _ if line.trim().is_empty() => {}
            _ => bail!("{}:{}: expected query_id<TAB>doc_id", path.display(), i + 1),
        }
    }
    Ok(Set {
        name: dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        docs: read_jsonl(&dir.join("corpus.jsonl"))?,
        queries: read_jsonl(&dir.join("queries.jsonl"))?,
        qrels,
    })
}

/// Index gzip size over the gzip size of the articles' text (title and text of each entry).
fn size_ratio(set: &Set, with_rules: bool) -> f64 {
    let (bytes, _, text_gz) = sized_index(set, with_rules);
    gzip_len(&bytes) as f64 / text_gz as f64
}

/// Labelled byte ranges of an index (see `IndexBuilder::build_parts`).
type Parts = Vec<(&'static str, std::ops::Range<usize>)>;

/// The index of `set`'s articles (no rules) with its parts (see `IndexBuilder::build_parts`),
/// and the gzip size of the articles' text: each entry's title and text as given.
fn sized_index(set: &Set, with_rules: bool) -> (Vec<u8>, Parts, usize) {
    let mut text = String::new();
    let mut b = IndexBuilder::new();
    for d in &set.docs {
        text.push_str(&d.title);
        text.push('\n');
        text.push_str(&d.text);
        text.push('\n');
        b.add_article(article(d, with_rules));
    }
    let (bytes, parts) = b.build_parts();
    (bytes, parts, gzip_len(text.as_bytes()))
}

/// An intent (HINT3) as a rule: the lines of its text are its training phrasings.
fn rule(d: &Doc) -> Rule {
    Rule {
        id: d.id.clone(),
        lang: d.lang.clone(),
        phrasings: d
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        ..Rule::default()
    }
}

/// A corpus entry as an article. An intent's training phrasings (HINT3) are "other ways
/// visitors ask this", which is what an article's `questions` hold; an FAQ entry's text is
/// its body.
fn article(d: &Doc, intent: bool) -> Article {
    let (questions, text) = if intent {
        (rule(d).phrasings, String::new())
    } else {
        (Vec::new(), d.text.clone())
    };
    Article {
        id: d.id.clone(),
        lang: d.lang.clone(),
        title: d.title.clone(),
        url: format!("{}/", d.id),
        questions,
        sections: vec![Section {
            text,
            ..Section::default()
        }],
        ..Article::default()
    }
}

fn build(set: &Set, with_rules: bool) -> Result<(Index, usize, f64)> {
    let mut b = IndexBuilder::new();
    let mut text_bytes = 0;
    for d in &set.docs {
        text_bytes += d.title.len() + d.text.len();
        b.add_article(article(d, with_rules));
        if with_rules {
            b.add_rule(rule(d));
        }
    }
    let start = Instant::now();
    let bytes = b.build();
    let secs = start.elapsed().as_secs_f64();
    let index = Index::from_bytes(&bytes).context("reading back the index")?;
    let _ = text_bytes;
    Ok((index, bytes.len(), secs))
}

struct SearchScores {
    queries: usize,
    r1: f64,
    r5: f64,
    mrr: f64,
    mean_ms: f64,
}

fn search_scores(set: &Set, index: &Index, complete: bool) -> SearchScores {
    let (mut n, mut r1, mut r5, mut mrr) = (0usize, 0.0, 0.0, 0.0);
    let start = Instant::now();
    for q in &set.queries {
        let Some(relevant) = set.qrels.get(&q.id) else {
            continue;
        };
        n += 1;
        let lang = (!q.lang.is_empty()).then_some(q.lang.as_str());
        let hits = index.search(&query_text(q, complete), &SearchOptions { limit: 10, lang });
        if let Some(rank) = hits.iter().position(|h| relevant.contains(&h.id)) {
            r1 += f64::from(rank == 0);
            r5 += f64::from(rank < 5);
            mrr += 1.0 / (rank + 1) as f64;
        }
    }
    let mean_ms = start.elapsed().as_secs_f64() * 1000.0 / set.queries.len().max(1) as f64;
    let d = n.max(1) as f64;
    SearchScores {
        queries: n,
        r1: r1 / d,
        r5: r5 / d,
        mrr: mrr / d,
        mean_ms,
    }
}

/// The search abstention policy (`Index::search_confident`, the widget's "I don't know" and the
/// search page's "no articles match") on one set: R@1 over the in-scope queries when every
/// query is answered, R@1 when the unconfident ones are not (a right answer hidden counts as a
/// miss), the share of in-scope queries answered, and the share of out-of-scope queries (those
/// without a right article) it abstains on.
fn abstention(set: &Set, index: &Index, complete: bool) -> String {
    let (mut n, mut r1, mut r1_kept, mut answered, mut oos, mut oos_abstained) =
        (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
    for q in &set.queries {
        let lang = (!q.lang.is_empty()).then_some(q.lang.as_str());
        let (hits, confident) =
            index.search_confident(&query_text(q, complete), &SearchOptions { limit: 10, lang });
        let Some(relevant) = set.qrels.get(&q.id) else {
            oos += 1;
            oos_abstained += usize::from(!confident);
            continue;
        };
        n += 1;
        let first = hits.first().is_some_and(|h| relevant.contains(&h.id));
        r1 += usize::from(first);
        r1_kept += usize::from(first && confident);
        answered += usize::from(confident);
    }
    let share = |a: usize, b: usize| a as f64 / b.max(1) as f64;
    let oos = if oos == 0 {
        "-".to_owned()
    } else {
        format!("{:.3} of {oos}", share(oos_abstained, oos))
    };
    format!(
        "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {oos} |",
        set.name,
        share(r1, n),
        share(r1_kept, n),
        share(answered, n),
        share(r1_kept, answered),
    )
}

/// Out-of-scope questions from elsewhere: every question of set A asked of set B's knowledge base
/// (same language, A ≠ B), and the Chinese questions of every set asked of `dify_zh`, a real
/// Chinese help center (a developer platform's docs, one article per page) if it is there.
/// The share the search abstains on, per pair; the HINT3 sets are all shops' support bots, so
/// some of their questions (orders, refunds, delivery) are in scope of each other's bases.
fn cross_table(built: &[(Set, Index)], dify_zh: &Path, complete: bool) -> Result<String> {
    use std::fmt::Write;
    let abstained = |from: &Set, index: &Index| {
        let mut n = 0;
        for q in &from.queries {
            let lang = (!q.lang.is_empty()).then_some(q.lang.as_str());
            let (_, confident) = index
                .search_confident(&query_text(q, complete), &SearchOptions { limit: 10, lang });
            n += usize::from(!confident);
        }
        (n, from.queries.len())
    };
    let lang_of = |s: &Set| s.docs.first().map_or(String::new(), |d| d.lang.clone());
    let mut out = String::new();
    writeln!(
        out,
        "search abstention on questions of another knowledge base (out of scope)"
    )?;
    writeln!(out, "| questions of | asked of | abstained |")?;
    writeln!(out, "|---|---|---|")?;
    let (mut all, mut total) = (0, 0);
    let mut row = |out: &mut String, a: &str, b: &str, (n, d): (usize, usize)| -> Result<()> {
        all += n;
        total += d;
        writeln!(
            out,
            "| {a} | {b} | {:.3} of {d} |",
            n as f64 / d.max(1) as f64
        )?;
        Ok(())
    };
    for (a, _) in built {
        for (b, index) in built {
            if a.name != b.name && lang_of(a) == lang_of(b) {
                row(&mut out, &a.name, &b.name, abstained(a, index))?;
            }
        }
    }
    if dify_zh.is_dir() {
        let index = dify_index(dify_zh)?;
        for (a, _) in built.iter().filter(|(a, _)| lang_of(a).starts_with("zh")) {
            row(&mut out, &a.name, "dify-docs/zh", abstained(a, &index))?;
        }
    }
    writeln!(
        out,
        "| all | | {:.3} of {total} |",
        all as f64 / total.max(1) as f64
    )?;
    Ok(out)
}

/// Every `.mdx` page under `dir` as a Chinese article: its front matter's `title` (or file
/// name) and the rest as its text.
fn dify_index(dir: &Path) -> Result<Index> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        for e in std::fs::read_dir(dir)? {
            let p = e?.path();
            if p.is_dir() {
                walk(&p, out)?;
            } else if p.extension().is_some_and(|x| x == "mdx") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    let mut b = IndexBuilder::new();
    for (i, f) in files.iter().enumerate() {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix("title:"))
            .map(|t| t.trim().trim_matches('"').to_owned())
            .unwrap_or_else(|| f.display().to_string());
        b.add_article(article(
            &Doc {
                id: format!("dify-{i}"),
                title,
                text,
                lang: "zh".into(),
            },
            false,
        ));
    }
    Index::from_bytes(&b.build()).context("reading back the dify index")
}

/// Per query: the top rule and its confidence, and whether it is right.
fn rule_outcomes(set: &Set, index: &Index) -> Vec<(f32, bool)> {
    set.queries
        .iter()
        .map(|q| {
            let lang = (!q.lang.is_empty()).then_some(q.lang.as_str());
            let top = index.match_rules(&q.text, lang).into_iter().next();
            let right = top
                .as_ref()
                .is_some_and(|m| set.qrels.get(&q.id).is_some_and(|r| r.contains(&m.id)));
            (top.map_or(0.0, |m| m.confidence), right)
        })
        .collect()
}

/// Per query: the share of its words its top rule's own words hold (see
/// [`solodesk_engine::RULE_COVERAGE`]); 0 without a rule.
fn rule_coverage(set: &Set, index: &Index) -> Vec<f32> {
    set.queries
        .iter()
        .map(|q| {
            let lang = (!q.lang.is_empty()).then_some(q.lang.as_str());
            index
                .match_rules(&q.text, lang)
                .first()
                .map_or(0.0, |m| index.rule_question_coverage(&q.text, lang, m.rule))
        })
        .collect()
}

/// Times `match_rules` per question on an index holding `rules` three times over (distinct ids):
/// the number of rules, the median and the 95th percentile in milliseconds.
fn rule_speed(rules: &[Rule], questions: &[String]) -> Result<(usize, f64, f64)> {
    let mut b = IndexBuilder::new();
    for copy in 0..3 {
        for r in rules {
            b.add_rule(Rule {
                id: format!("{}-{copy}", r.id),
                ..r.clone()
            });
        }
    }
    let index = Index::from_bytes(&b.build()).context("reading back the rules index")?;
    let mut ms: Vec<f64> = questions
        .iter()
        .map(|q| {
            let start = Instant::now();
            std::hint::black_box(index.match_rules(q, Some("en")));
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let at = |f: f64| ms.get(((ms.len() as f64 * f) as usize).min(ms.len().saturating_sub(1)));
    Ok((
        index.rules().len(),
        at(0.5).copied().unwrap_or(0.0),
        at(0.95).copied().unwrap_or(0.0),
    ))
}

/// Precision (right answers / answers given) and coverage (right answers / in-scope queries).
fn at_threshold(outcomes: &[(f32, bool)], in_scope: usize, t: f32) -> (f64, f64, usize) {
    let answered: Vec<&(f32, bool)> = outcomes
        .iter()
        .filter(|(c, _)| *c >= t && *c > 0.0)
        .collect();
    let right = answered.iter().filter(|(_, r)| *r).count();
    let precision = if answered.is_empty() {
        1.0
    } else {
        right as f64 / answered.len() as f64
    };
    (
        precision,
        right as f64 / in_scope.max(1) as f64,
        answered.len(),
    )
}

fn main() -> Result<()> {
    let args = Args::parse(std::env::args().skip(1))?;
    if !args.sets_dir.is_dir() {
        println!(
            "evaluation sets not found at {} (skipping)",
            args.sets_dir.display()
        );
        return Ok(());
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&args.sets_dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("corpus.jsonl").is_file())
        .collect();
    dirs.sort();

    println!(
        "search ({} queries)",
        if args.complete {
            "complete"
        } else {
            "as typed"
        }
    );
    println!("| set | docs | queries | R@1 | R@5 | MRR@10 | index bytes | gzip ratio | build ms | mean query ms |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut run = Run::default();
    for dir in &dirs {
        run.evaluate(load(dir)?, &args)?;
    }
    println!();
    println!("search abstention: R@1 answering every query, then abstaining when unconfident");
    println!("| set | R@1 all | R@1 kept | coverage (in scope answered) | precision of answered | out of scope abstained |");
    println!("|---|---|---|---|---|---|");
    for row in &run.abstentions {
        println!("{row}");
    }
    if args.cross {
        println!();
        print!(
            "{}",
            cross_table(
                &run.built,
                &args.sets_dir.join("../corpora/dify-docs/zh"),
                args.complete
            )?
        );
    }
    for table in run.size_tables.iter().chain(&run.misses_table) {
        println!();
        print!("{table}");
    }
    if run.rule_sets.is_empty() {
        return Ok(());
    }
    run.print_rules(&args)
}

/// The command line (see the crate's documentation).
struct Args {
    sets_dir: PathBuf,
    curve: bool,
    complete: bool,
    sizes: bool,
    cross: bool,
    misses: Option<String>,
    fit_mask: Option<Vec<usize>>,
    odds: f64,
    select: bool,
}

impl Args {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Args> {
        let mut out = Args {
            sets_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/sets"),
            curve: false,
            complete: false,
            sizes: false,
            cross: false,
            misses: None,
            fit_mask: None,
            odds: fit::ANSWER_ODDS,
            select: false,
        };
        while let Some(a) = args.next() {
            match a.as_str() {
                "--sets" => {
                    out.sets_dir = PathBuf::from(args.next().context("--sets needs a folder")?)
                }
                "--curve" => out.curve = true,
                "--complete" => out.complete = true,
                "--sizes" => out.sizes = true,
                "--cross" => out.cross = true,
                "--misses" => out.misses = Some(args.next().context("--misses needs a set name")?),
                "--odds" => {
                    out.odds = args
                        .next()
                        .context("--odds needs a number")?
                        .parse()
                        .context("--odds: a number")?;
                }
                "--select" => out.select = true,
                "--fit" => {
                    let list = args.next().context("--fit needs signal positions, e.g. 1,2,3 or all")?;
                    out.fit_mask = Some(if list == "all" {
                        (0..solodesk_engine::RULE_CALIBRATION.len()).collect()
                    } else {
                        list.split(',')
                            .map(|n| n.trim().parse().context("--fit: a signal position"))
                            .collect::<Result<_>>()?
                    });
                }
                other => bail!(
                    "unknown argument {other:?} (expected --sets DIR, --curve, --complete, --sizes, --cross, --misses SET, --fit SIGNALS, --odds N, --select)"
                ),
            }
        }
        Ok(out)
    }
}

/// A set with rules: its name, the rule responder's outcomes (see [`rule_outcomes`]) and the
/// number of its in-scope queries.
type RuleSet = (String, Vec<(f32, bool)>, usize);

/// What the pass over the sets keeps for the tables printed after the search table.
#[derive(Default)]
struct Run {
    rule_sets: Vec<RuleSet>,
    /// Per set of `rule_sets`, per query: the share of its words the top rule holds.
    rule_coverage: Vec<Vec<f32>>,
    labeled: Vec<fit::Labeled>,
    simulated: Vec<fit::Labeled>,
    /// Every HINT3 set's rules and questions, for timing rule matching on a few hundred rules.
    all_rules: Vec<Rule>,
    all_questions: Vec<String>,
    size_tables: Vec<String>,
    misses_table: Vec<String>,
    abstentions: Vec<String>,
    built: Vec<(Set, Index)>,
}

impl Run {
    /// Builds `set`'s index, prints its row of the search table and keeps what the later
    /// tables need.
    fn evaluate(&mut self, set: Set, args: &Args) -> Result<()> {
        let complete = args.complete;
        let with_rules = set.name.starts_with("hint3");
        let (index, size, secs) = build(&set, with_rules)?;
        let s = search_scores(&set, &index, complete);
        self.abstentions.push(abstention(&set, &index, complete));
        if args.misses.as_deref() == Some(set.name.as_str()) {
            self.misses_table.push(print_misses(&set, &index, complete));
        }
        println!(
            "| {} | {} | {} | {:.3} | {:.3} | {:.3} | {} | {:.2} | {:.1} | {:.3} |",
            set.name,
            set.docs.len(),
            s.queries,
            s.r1,
            s.r5,
            s.mrr,
            size,
            size_ratio(&set, with_rules),
            secs * 1000.0,
            s.mean_ms
        );
        if with_rules {
            self.keep_rules(&set, &index, args.fit_mask.is_some());
        }
        if args.sizes {
            let (bytes, parts, text_gz) = sized_index(&set, with_rules);
            self.size_tables
                .push(parts_table(&set.name, &bytes, &parts, text_gz));
        }
        if args.cross {
            self.built.push((set, index));
        }
        Ok(())
    }

    /// A HINT3 set's rule outcomes, rules and questions (and, when fitting, its labelled
    /// questions and simulated phrasings).
    fn keep_rules(&mut self, set: &Set, index: &Index, fitting: bool) {
        let in_scope = set
            .queries
            .iter()
            .filter(|q| set.qrels.contains_key(&q.id))
            .count();
        self.rule_sets
            .push((set.name.clone(), rule_outcomes(set, index), in_scope));
        self.rule_coverage.push(rule_coverage(set, index));
        let rules: Vec<Rule> = set.docs.iter().map(rule).collect();
        self.all_questions
            .extend(set.queries.iter().map(|q| q.text.clone()));
        if fitting {
            let queries: Vec<_> = set
                .queries
                .iter()
                .map(|q| {
                    let lang = (!q.lang.is_empty()).then(|| q.lang.clone());
                    (q.text.clone(), lang, set.qrels.get(&q.id))
                })
                .collect();
            self.labeled.push(fit::collect(&set.name, index, &queries));
            self.simulated.push(fit::simulate(&set.name, &rules));
        }
        self.all_rules.extend(rules);
    }

    /// The rule responder's tables: its speed, its figures at the default threshold and at
    /// the best one, and, when asked, the fitted calibration and the curve over thresholds.
    fn print_rules(&self, args: &Args) -> Result<()> {
        let rule_sets = &self.rule_sets;
        let (rules, median, p95) = rule_speed(&self.all_rules, &self.all_questions)?;
        println!();
        println!(
            "rules: one question against {rules} rules (every HINT3 set's, three times): median {median:.3} ms, p95 {p95:.3} ms"
        );
        println!();
        println!("rules at the default threshold {DEFAULT_RULE_THRESHOLD}");
        println!("| set | queries (in scope) | answered | precision | coverage |");
        println!("|---|---|---|---|---|");
        for (name, outcomes, in_scope) in rule_sets {
            let (p, c, answered) = at_threshold(outcomes, *in_scope, DEFAULT_RULE_THRESHOLD);
            println!(
                "| {name} | {} ({in_scope}) | {answered} | {p:.3} | {c:.3} |",
                outcomes.len()
            );
        }
        println!();
        println!(
            "rules as the widget gives them (`Index::ask`) at {DEFAULT_RULE_THRESHOLD}: only when more than this share of the question's words are the rule's (default {RULE_COVERAGE})"
        );
        println!("| set | share | answered | precision | coverage |");
        println!("|---|---|---|---|---|");
        for ((name, outcomes, in_scope), covered) in rule_sets.iter().zip(&self.rule_coverage) {
            for gate in [-1.0, 0.25, 0.4, RULE_COVERAGE, 0.6, 0.75] {
                let gated: Vec<(f32, bool)> = outcomes
                    .iter()
                    .zip(covered)
                    .map(|(&(c, right), &share)| (if share > gate { c } else { 0.0 }, right))
                    .collect();
                let (p, c, answered) = at_threshold(&gated, *in_scope, DEFAULT_RULE_THRESHOLD);
                let gate = if gate < 0.0 {
                    "none".to_string()
                } else {
                    format!("{gate:.2}")
                };
                println!("| {name} | {gate} | {answered} | {p:.3} | {c:.3} |");
            }
        }
        println!();
        println!("rules: best coverage with precision >= 0.85 (threshold)");
        for (name, outcomes, in_scope) in rule_sets {
            let best = (0..=100)
                .map(|s| s as f32 * 0.01)
                .map(|t| (t, at_threshold(outcomes, *in_scope, t)))
                .filter(|(_, (p, _, _))| *p >= 0.85)
                .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1));
            match best {
                Some((t, (p, c, _))) => {
                    println!("| {name} | {c:.3} at {t:.2} (precision {p:.3}) |")
                }
                None => println!("| {name} | never reaches 0.85 |"),
            }
        }
        if let Some(mask) = &args.fit_mask {
            println!();
            println!("rules: calibration fitted on the signals {mask:?}");
            let current: Vec<f64> = solodesk_engine::RULE_CALIBRATION
                .iter()
                .map(|&w| f64::from(w))
                .collect();
            fit::report(&self.labeled, &self.simulated, mask, args.odds, &current);
            if args.select {
                println!();
                fit::select(&self.labeled, &self.simulated, mask);
            }
        }
        if args.curve {
            print_curve(rule_sets);
        }
        Ok(())
    }
}

/// The rule responder's precision and coverage per set, by threshold.
fn print_curve(rule_sets: &[RuleSet]) {
    println!();
    println!("rules: precision / coverage by threshold");
    let names: Vec<&str> = rule_sets.iter().map(|(n, _, _)| n.as_str()).collect();
    println!("| threshold | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    for step in 0..=20 {
        let t = step as f32 * 0.05;
        let cells: Vec<String> = rule_sets
            .iter()
            .map(|(_, o, n)| {
                let (p, c, _) = at_threshold(o, *n, t);
                format!("{p:.3} / {c:.3}")
            })
            .collect();
        println!("| {t:.2} | {} |", cells.join(" | "));
    }
}

/// The text of a query as searched: as typed, or finished with a space (`--complete`).
fn query_text(q: &Query, complete: bool) -> String {
    if complete {
        format!("{} ", q.text)
    } else {
        q.text.clone()
    }
}

/// One line per in-scope query whose right article is not first: the query, the right
/// article (its rank in the top 10, or `-`), and the top three with their scores.
fn print_misses(set: &Set, index: &Index, complete: bool) -> String {
    use std::fmt::Write;
    let docs: BTreeMap<&str, &Doc> = set.docs.iter().map(|d| (d.id.as_str(), d)).collect();
    let show = |id: &str| {
        let d = docs[id];
        let text: String = format!("{} {}", d.title, d.text)
            .trim()
            .replace('\n', " ")
            .chars()
            .take(60)
            .collect();
        format!("{id} {text}")
    };
    let mut out = format!(
        "misses of {}\n| query | right (rank) | top 3 |\n|---|---|---|\n",
        set.name
    );
    let mut n = 0;
    for q in &set.queries {
        let Some(relevant) = set.qrels.get(&q.id) else {
            continue;
        };
        let lang = (!q.lang.is_empty()).then_some(q.lang.as_str());
        let hits = index.search(&query_text(q, complete), &SearchOptions { limit: 10, lang });
        let rank = hits.iter().position(|h| relevant.contains(&h.id));
        if rank == Some(0) {
            continue;
        }
        n += 1;
        let right: Vec<String> = relevant.iter().map(|id| show(id)).collect();
        let top: Vec<String> = hits
            .iter()
            .take(3)
            .map(|h| format!("{} ({:.2})", show(&h.id), h.score))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} ({}) | {} |",
            q.text,
            right.join("; "),
            rank.map_or("-".to_owned(), |r| (r + 1).to_string()),
            top.join("; ")
        );
    }
    let _ = writeln!(out, "{n} misses");
    out
}
