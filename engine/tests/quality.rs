//! Quality floors on the shared evaluation sets, so a change that makes answers worse fails a
//! test instead of waiting for someone to run `solodesk-eval`.
//!
//! The floors sit a little below what the engine measured when they were set (see
//! `cargo run --release -p solodesk-eval`); raise them when the engine gets better. The sets live
//! beside the repository in `../shared/eval/sets` and are never copied into it: without them
//! these tests print why and pass.

use solodesk_engine::{Article, Index, IndexBuilder, Rule, SearchOptions, Section};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

#[path = "../eval/src/sizes.rs"]
mod sizes;

fn sets_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval/sets")
}

/// Reads the string value of `key` from one JSON line of the sets (flat objects of strings).
fn field(line: &str, key: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
    value[key].as_str().unwrap_or_default().to_owned()
}

struct Set {
    index: Index,
    /// The index's bytes with where each part of the format is, and its articles' text (each
    /// title and text as given), for sizes.
    bytes: Vec<u8>,
    parts: Vec<(&'static str, std::ops::Range<usize>)>,
    text: String,
    queries: Vec<(String, String)>,
    qrels: BTreeMap<String, BTreeSet<String>>,
}

fn load(name: &str, rules: bool) -> Option<Set> {
    let dir = sets_dir().join(name);
    let Ok(corpus) = std::fs::read_to_string(dir.join("corpus.jsonl")) else {
        eprintln!("skipping: evaluation set {} not found", dir.display());
        return None;
    };
    let mut b = IndexBuilder::new();
    // An intent's training phrasings (HINT3) are other ways visitors ask the same thing: an
    // article's `questions` and a rule's phrasings, as in `solodesk-eval`.
    let intents = name.starts_with("hint3");
    let mut all_text = String::new();
    for line in corpus.lines().filter(|l| !l.trim().is_empty()) {
        let (id, text, lang) = (field(line, "id"), field(line, "text"), field(line, "lang"));
        all_text.push_str(&format!("{}\n{text}\n", field(line, "title")));
        let phrasings: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        if rules {
            b.add_rule(Rule {
                id: id.clone(),
                lang: lang.clone(),
                phrasings: phrasings.clone(),
                ..Rule::default()
            });
        }
        let (questions, text) = if intents {
            (phrasings, String::new())
        } else {
            (Vec::new(), text)
        };
        b.add_article(Article {
            url: format!("{id}/"),
            title: field(line, "title"),
            questions,
            sections: vec![Section {
                text,
                ..Section::default()
            }],
            id,
            lang,
            ..Article::default()
        });
    }
    let queries = std::fs::read_to_string(dir.join("queries.jsonl")).ok()?;
    let queries = queries
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| (field(l, "id"), field(l, "text")))
        .collect();
    let mut qrels: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in std::fs::read_to_string(dir.join("qrels.tsv")).ok()?.lines() {
        if let Some((q, d)) = line.split_once('\t') {
            qrels
                .entry(q.to_owned())
                .or_default()
                .insert(d.trim().to_owned());
        }
    }
    let (bytes, parts) = b.build_parts();
    let index = Index::from_bytes(&bytes).expect("index reads back");
    Some(Set {
        index,
        bytes,
        parts,
        text: all_text,
        queries,
        qrels,
    })
}

/// Recall@1 of search over the in-scope queries.
fn recall_at_1(set: &Set) -> f64 {
    let (mut n, mut right) = (0, 0);
    for (id, text) in &set.queries {
        let Some(relevant) = set.qrels.get(id) else {
            continue;
        };
        n += 1;
        let hits = set.index.search(
            text,
            &SearchOptions {
                limit: 1,
                lang: None,
            },
        );
        right += usize::from(hits.first().is_some_and(|h| relevant.contains(&h.id)));
    }
    right as f64 / n as f64
}

fn check_recall(name: &str, floor: f64) {
    let Some(set) = load(name, false) else { return };
    let r1 = recall_at_1(&set);
    assert!(r1 >= floor, "{name}: recall@1 {r1:.3} fell below {floor}");
}

#[test]
fn stackfaq_search() {
    check_recall("stackfaq_en", 0.79);
}

#[test]
fn hint3_sofmattress_search() {
    check_recall("hint3_sofmattress_en", 0.76);
}

#[test]
fn hint3_curekart_search() {
    check_recall("hint3_curekart_en", 0.76);
}

#[test]
fn hint3_powerplay11_search() {
    check_recall("hint3_powerplay11_en", 0.68);
}

#[test]
fn bustm_chinese_search() {
    check_recall("bustm_test_zh", 0.62);
}

/// The index, with all that ranking and result titles need, is at most a quarter of its
/// articles' text, both gzipped (the engine's size target; mdBook's index is 0.69 of it,
/// Pagefind's 0.73). stackfaq is the set of real articles: long texts with code and links.
#[test]
fn stackfaq_index_is_a_quarter_of_the_text() {
    let Some(set) = load("stackfaq_en", false) else {
        return;
    };
    let text_gz = sizes::gzip_len(set.text.as_bytes());
    let ratio = sizes::gzip_len(&set.bytes) as f64 / text_gz as f64;
    assert!(
        ratio <= 0.25,
        "{}",
        sizes::parts_table("stackfaq", &set.bytes, &set.parts, text_gz)
    );
}

/// At the shipped threshold the rule responder stays precise, out-of-scope questions included:
/// precision (right answers / answers) and coverage (right answers / in-scope questions) of
/// the set's top rule at or above the index's threshold.
fn check_rules(name: &str, min_precision: f64, min_coverage: f64) {
    let Some(set) = load(name, true) else {
        return;
    };
    let threshold = set.index.rule_threshold();
    let (mut answered, mut right, mut in_scope) = (0, 0, 0);
    for (id, text) in &set.queries {
        let relevant = set.qrels.get(id);
        in_scope += usize::from(relevant.is_some());
        let Some(top) = set.index.match_rules(text, None).into_iter().next() else {
            continue;
        };
        if top.confidence >= threshold {
            answered += 1;
            right += usize::from(relevant.is_some_and(|r| r.contains(&top.id)));
        }
    }
    let precision = right as f64 / answered.max(1) as f64;
    let coverage = right as f64 / in_scope as f64;
    assert!(
        precision >= min_precision,
        "{name}: precision {precision:.3} at threshold {threshold}"
    );
    assert!(
        coverage >= min_coverage,
        "{name}: coverage {coverage:.3} at threshold {threshold}"
    );
}

#[test]
fn hint3_curekart_rules_precision() {
    check_rules("hint3_curekart_en", 0.88, 0.50);
}

#[test]
fn hint3_sofmattress_rules_precision() {
    check_rules("hint3_sofmattress_en", 0.94, 0.37);
}

/// Two thirds of its questions are out of scope, many of them near misses ("email id").
#[test]
fn hint3_powerplay11_rules_precision() {
    check_rules("hint3_powerplay11_en", 0.70, 0.27);
}
