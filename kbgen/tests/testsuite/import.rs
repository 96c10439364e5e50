//! `kbgen import faq.csv`: rows become articles, with a report, and the result builds.

use super::*;

#[test]
fn csv_rows_become_articles() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    assert!(run(kbgen().arg("init").arg(&kb)).0);
    let (ok, out, err) = run(kbgen()
        .arg("import")
        .arg(fixture("faq.csv"))
        .arg("--kb")
        .arg(&kb));
    assert!(ok, "{err}");
    assert!(out.contains("imported 2 articles"), "{out}");
    assert!(
        err.contains("faq.csv:5:1: skipped: empty question or answer"),
        "{err}"
    );
    let article = read(&kb.join("articles/en/faq/how-do-i-return-an-item-exactly.md"));
    assert!(
        article.contains("title: \"How do I return an item, exactly?\""),
        "{article}"
    );
    assert!(
        article.contains("Email us.\nWe reply within a day."),
        "{article}"
    );
    assert!(kb.join("articles/en/faq/faq-2.md").exists());
    let (_tmp, site) = build(&kb);
    assert!(site
        .join("en/how-do-i-return-an-item-exactly/index.html")
        .exists());
    // Importing again does not overwrite.
    let (ok, out, _) = run(kbgen()
        .arg("import")
        .arg(fixture("faq.csv"))
        .arg("--kb")
        .arg(&kb));
    assert!(ok);
    assert!(out.contains("imported 0 articles"), "{out}");
}

/// The rule `kbgen ask` (which answers exactly as the widget does) gives each question, or "".
fn rules_answering(site: &Path, questions: &[&str]) -> Vec<String> {
    questions
        .iter()
        .map(|q| {
            let (ok, out, err) = run(kbgen()
                .arg("ask")
                .arg("--json")
                .arg("--index")
                .arg(site)
                .arg(q));
            assert!(ok, "{err}");
            let line: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
            line["rule"]["id"].as_str().unwrap_or("").to_owned()
        })
        .collect()
}

/// Regression (issue 16, item 13): the brief's own rules.json, whose patterns end in `?`, was read
/// as strict regexes, so "What's your return policy" and "return policy" got no answer.
#[test]
fn the_briefs_rules_json_answers_the_ways_people_ask() {
    let (_tmp, site) = build(&fixture("seed-brief"));
    let questions = [
        "What's your return policy",
        "return policy",
        "what is your return policy?",
        "How do I track my order",
        "track my order",
        "do you have a shop in Bristol I can visit",
        "what are your opening hours",
    ];
    assert_eq!(
        rules_answering(&site, &questions),
        ["rule_1", "rule_1", "rule_1", "rule_2", "rule_2", "", ""],
        "{questions:?}"
    );
    let (ok, _, err) = run(kbgen().arg("check").arg(fixture("seed-brief")));
    assert!(ok && err.contains("0 errors, 0 warnings"), "{err}");
}
