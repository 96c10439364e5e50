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

/// A knowledge base of 300 generated articles (made-up words, common ones more often), with
/// `index_shard_kb` set as given.
fn generated_kb(dir: &Path, shard_kb: usize) {
    let mut next = crate::made_up_words::words(11);
    let articles = dir.join("articles/en");
    std::fs::create_dir_all(&articles).unwrap();
    std::fs::write(
        dir.join("kbgen.toml"),
        format!("[site]\ntitle = \"Generated\"\nindex_shard_kb = {shard_kb}\n"),
    )
    .unwrap();
    for a in 0..300 {
        let title: Vec<String> = (0..3).map(|_| next()).collect();
        let body: Vec<String> = (0..40).map(|_| next()).collect();
        std::fs::write(
            articles.join(format!("a{a}.md")),
            format!(
                "---\ntitle: {}\n---\n\n{}\n",
                title.join(" "),
                body.join(" ")
            ),
        )
        .unwrap();
    }
}

/// The build's summary counted the shards of `index.bin` only ("+ 249 shards" when 503 shard
/// files were written): it now counts every index's, which the owner uploads too.
#[test]
fn the_build_summary_counts_every_index_s_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    generated_kb(&kb, 1);
    // A second language makes a language index beside `index.bin`, sharded too.
    let es = kb.join("articles/es");
    std::fs::create_dir_all(&es).unwrap();
    let mut next = crate::made_up_words::words(5);
    for a in 0..100 {
        let body: Vec<String> = (0..40).map(|_| next()).collect();
        let text = format!("---\ntitle: Artículo {a}\n---\n\n{}\n", body.join(" "));
        std::fs::write(es.join(format!("a{a}.md")), text).unwrap();
    }
    let toml = kb.join("kbgen.toml");
    let config = read(&toml).replace("[site]\n", "[site]\nlanguages = [\"en\", \"es\"]\n");
    std::fs::write(&toml, config).unwrap();
    let out = tmp.path().join("out");
    let (ok, _, err) = run(kbgen().arg("build").arg(&kb).arg("--out").arg(&out));
    assert!(ok, "{err}");
    let shards = files(&out)
        .iter()
        .filter(|f| f.starts_with("index-") && f.ends_with(".bin"))
        .count();
    assert!(files(&out).contains(&"index.en.bin".to_string()));
    assert!(
        err.contains("indexes ") && err.contains(&format!("(+ {shards} shards, ")),
        "{shards}: {err}"
    );
}

#[test]
fn a_sharded_index_answers_as_a_whole_one() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole_kb, sharded_kb) = (tmp.path().join("whole"), tmp.path().join("sharded"));
    generated_kb(&whole_kb, 0);
    generated_kb(&sharded_kb, 1);
    let (_w, whole) = build(&whole_kb);
    let (_s, sharded) = build(&sharded_kb);
    let shards: Vec<String> = files(&sharded)
        .into_iter()
        .filter(|f| f.starts_with("index-") && f.ends_with(".bin"))
        .collect();
    assert!(shards.len() >= 3, "{shards:?}");
    assert!(!files(&whole).iter().any(|f| f.starts_with("index-")));
    assert!(
        read(&sharded.join("_headers")).contains("/index-*\n  Access-Control-Allow-Origin: *"),
        "shards are fetched from the owner's site like index.bin"
    );
    for query in ["kalore", "mimimi sulote", "vokaka temi", "kalxre"] {
        let results = |out: &Path| json("search", out, query)["results"].clone();
        let expected = results(&whole);
        assert!(
            expected.as_array().is_some_and(|r| !r.is_empty()),
            "{query}"
        );
        assert_eq!(results(&sharded), expected, "{query}");
    }

    std::fs::remove_file(sharded.join(&shards[0])).unwrap();
    let (ok, _, err) = run(kbgen()
        .args(["search", "--index"])
        .arg(&sharded)
        .arg("kalore"));
    assert!(!ok && err.contains(&shards[0]), "{err}");
}

/// `kbgen ask ... | head -1`: the reader goes after one line. kbgen stopped with "error: Broken
/// pipe" (and `desk customer | head` with a panic); it now stops quietly, as other tools do.
#[test]
fn a_closed_pipe_stops_kbgen_quietly() {
    use std::io::{BufRead, Write};
    let (_tmp, out) = build(&fixture("basic"));
    let mut child = kbgen()
        .arg("ask")
        .arg("--index")
        .arg(&out)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for _ in 0..5000 {
            if writeln!(stdin, "how do I get a refund").is_err() {
                break;
            }
        }
    });
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("how do I get a refund"), "{first}");
    // The reader is gone: the rest of kbgen's output has nowhere to go.
    let output = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {err}", output.status);
    assert!(!err.contains("error") && !err.contains("panicked"), "{err}");
}

/// An owner trying a rule with `kbgen ask` saw its id and confidence but not what the visitor
/// reads; the answer's text follows, on one line, without its markup.
#[test]
fn ask_shows_the_rules_answer_as_the_visitor_reads_it() {
    let (_tmp, out) = build(&fixture("basic"));
    let (ok, text, err) = run(kbgen()
        .arg("ask")
        .arg("--index")
        .arg(&out)
        .arg("can I get a refund"));
    assert!(ok, "{err}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].starts_with("  rule "), "{text}");
    assert_eq!(lines[2], "    Yes — within 30 days. See Refunds.", "{text}");
}
