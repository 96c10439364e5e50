//! `kbgen search` and `kbgen ask`: results point at their best section, found in the
//! articles' passages files beside the index.

use super::*;

/// Runs `kbgen <command> --index <index> --json <query>` and returns its one result line.
fn json(command: &str, index: &Path, query: &str) -> serde_json::Value {
    let (ok, out, err) = run(kbgen()
        .arg(command)
        .arg("--index")
        .arg(index)
        .arg("--json")
        .arg(query));
    assert!(ok, "kbgen {command} failed:\n{err}");
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The first result's (url, section).
fn first(line: &serde_json::Value) -> (String, serde_json::Value) {
    let r = &line["results"][0];
    (
        r["url"].as_str().unwrap_or("").to_owned(),
        r["section"].clone(),
    )
}

#[test]
fn results_point_at_the_best_section() {
    let (_tmp, out) = build(&fixture("basic"));
    for (command, index, query, url, section) in [
        (
            "search",
            out.clone(),
            "refund timing",
            "en/refunds/#refund-timing",
            "Refund timing",
        ),
        (
            "search",
            out.join("index.bin"),
            "退款政策",
            "zh/refunds/#退款政策",
            "退款政策",
        ),
        (
            "ask",
            out.clone(),
            "how to return an item",
            "en/refunds/#how-to-return",
            "How to return",
        ),
    ] {
        let line = json(command, &index, query);
        assert_eq!(first(&line), (url.to_owned(), section.into()), "{line}");
    }
}

#[test]
fn a_missing_passages_file_leaves_the_article_top() {
    let (_tmp, out) = build(&fixture("basic"));
    let passages = out.join("widget/articles/en/refunds.bin");
    assert!(passages.is_file(), "kbgen build writes the passages");
    std::fs::remove_file(&passages).unwrap();
    let line = json("search", &out, "refund timing");
    assert_eq!(
        first(&line),
        ("en/refunds/".to_owned(), serde_json::Value::Null)
    );
    // Text mode still lists the result, without a snippet.
    let (ok, text, _) = run(kbgen()
        .args(["search", "--index"])
        .arg(&out)
        .arg("refund timing"));
    assert!(
        ok && text.contains("Refunds & returns  [en/refunds/]"),
        "{text}"
    );
}
