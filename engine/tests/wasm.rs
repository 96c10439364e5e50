//! The engine compiled to WebAssembly answers exactly as it does natively.
//!
//! kbgen writes the index on the host and the widget reads it in the browser, so the two builds
//! must agree to the last byte and the last bit of every score: a different float function in the
//! wasm32 maths library or a `usize` of another width would quietly change rankings.
//! These tests run twice, natively under `cargo test` and in headless Chromium under
//! `cargo xtask wasm-test`, and both compare with one snapshot, `tests/data/wasm-parity.txt`,
//! so when both pass, wasm and host agree. Refresh it (natively) with
//! `INSTA_UPDATE=always cargo test -p solodesk-engine --test wasm` after an intended change.
//!
//! In the browser, an ignored test also measures the engine's own query latency on the generated
//! knowledge bases of `benches/engine.rs` (`cargo xtask wasm-test --bench`); it prints numbers and
//! asserts none.

use solodesk_engine::{Article, Hit, Index, IndexBuilder, Passages, Question, Rule, SearchOptions};
use std::fmt::Write as _;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "../benches/generated/mod.rs"]
mod generated;

/// What the native build produced; `INSTA_UPDATE=always` rewrites it (natively).
const SNAPSHOT: &str = include_str!("data/wasm-parity.txt");

/// The index file the native writer froze for the current format version (see
/// `tests/engine.rs`), and those of retired versions.
const FROZEN: &[u8] = include_bytes!("data/index-v7.bin");
const RETIRED: [(&str, &[u8]); 6] = [
    ("index-v1.bin", include_bytes!("data/index-v1.bin")),
    ("index-v2.bin", include_bytes!("data/index-v2.bin")),
    ("index-v3.bin", include_bytes!("data/index-v3.bin")),
    ("index-v4.bin", include_bytes!("data/index-v4.bin")),
    ("index-v5.bin", include_bytes!("data/index-v5.bin")),
    ("index-v6.bin", include_bytes!("data/index-v6.bin")),
];

fn article(id: &str, lang: &str, title: &str, text: &str) -> Article {
    Article {
        id: id.into(),
        lang: lang.into(),
        title: title.into(),
        url: format!("{lang}/{id}/"),
        sections: vec![
            solodesk_engine::Section {
                text: text.into(),
                ..Default::default()
            },
            solodesk_engine::Section {
                anchor: "more".into(),
                heading: format!("More about {title}"),
                text: format!("{text} {text}"),
            },
        ],
        ..Article::default()
    }
}

fn fixture_articles() -> Vec<Article> {
    vec![
        Article {
            questions: vec!["I was charged twice".into()],
            tags: vec!["billing".into()],
            ..article(
                "refunds",
                "en",
                "Refunds",
                "We refund any order within 30 days. Shipping costs are not refunded.",
            )
        },
        article(
            "password",
            "en",
            "Reset your password",
            "Forgot your password? Use the link on the sign-in page to reset it.",
        ),
        article(
            "zh-refund",
            "zh",
            "如何申请退款",
            "在订单页面点击申请退款，我们会在三个工作日内处理。iPhone 退款请联系苹果。",
        ),
        article(
            "zh-password",
            "zh",
            "修改密码",
            "登录后在账户设置中修改密码。",
        ),
        article(
            "ja-password",
            "ja",
            "パスワードを忘れた場合",
            "ログイン画面からパスワードを再設定してください。",
        ),
        article(
            "fr-remboursement",
            "fr",
            "Remboursements",
            "Nous remboursons toute commande annulée sous trente jours.",
        ),
    ]
}

fn fixture() -> Vec<u8> {
    let mut b = IndexBuilder::new();
    for a in fixture_articles() {
        b.add_article(a);
    }
    b.add_rule(Rule {
        id: "refund".into(),
        lang: "en".into(),
        phrasings: vec![
            "how do I get a refund".into(),
            "I want my money back".into(),
        ],
        answer_html: "<p>See our refund policy.</p>".into(),
        articles: vec!["refunds".into()],
        ..Rule::default()
    });
    b.add_rule(Rule {
        id: "order".into(),
        lang: "en".into(),
        phrasings: vec!["where is my order".into()],
        regex: Some(r"\border\s*#?\d{5,}".into()),
        answer_html: "<p>Track it here.</p>".into(),
        ..Rule::default()
    });
    b.build()
}

/// Queries for both fixtures: English with stems, typos and an unfinished word, Chinese,
/// Japanese, mixed script, French, and nothing at all.
const QUERIES: &[&str] = &[
    "refunded orders",
    "reset pasword",
    "passw",
    "申请退款",
    "修改密码",
    "单页",
    "iPhone 退款",
    "パスワード",
    "remboursement",
    "how do I get a refund",
    "where is order #123456",
    "quantum teleportation",
];

/// 64-bit FNV-1a, to pin bytes without a dependency.
fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// One line per hit; `{:?}` prints every bit of the score. With the articles' passages (by
/// position), also where each hit points: the section, snippet and highlights of `locate`.
fn hits(out: &mut String, index: &Index, query: &str, hits: &[Hit], passages: &[Passages]) {
    for h in hits {
        let _ = write!(out, "  {} {} score={:?}", h.id, h.url, h.score);
        if let Some(p) = passages.get(h.article as usize) {
            let l = index.locate(h.article, p, query, None);
            let _ = write!(
                out,
                " {} {:?} {:?} {:?}",
                l.url, l.section, l.snippet, l.highlights
            );
        }
        out.push('\n');
    }
}

/// Everything the engine says about `queries` on `index`, as text.
fn report(out: &mut String, name: &str, index: &Index, queries: &[&str], passages: &[Passages]) {
    let _ = writeln!(out, "# {name}: {} articles", index.articles().len());
    for q in queries {
        let _ = writeln!(out, "search {q:?}");
        hits(
            out,
            index,
            q,
            &index.search(q, &SearchOptions::default()),
            passages,
        );
        let answer = index.ask(&Question {
            text: q,
            page_url: Some("https://example.com/checkout"),
            lang: Some("zh"),
        });
        let _ = writeln!(
            out,
            "ask {q:?} (zh visitor), offer ticket: {}",
            answer.offer_ticket
        );
        if let Some(r) = &answer.rule {
            let _ = writeln!(
                out,
                "  rule {} score={:?} {:?}",
                r.id, r.confidence, r.articles
            );
        }
        hits(out, index, q, &answer.articles, passages);
    }
}

/// Compares `got` with the snapshot, or rewrites it natively under `INSTA_UPDATE=always`.
///
/// Scores may differ in their last bit or two: `f32::ln` is the platform's `logf` natively and
/// Rust's own libm in wasm32, and the two round differently now and then. Anything else, the
/// order of the results included, must be identical.
fn check(got: &str) {
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var("INSTA_UPDATE").as_deref() == Ok("always") {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/wasm-parity.txt");
        std::fs::write(path, got).expect("writing the snapshot");
        return;
    }
    let same = |a: &str, b: &str| {
        a == b || {
            let (a, b): (Vec<_>, Vec<_>) = (a.split(' ').collect(), b.split(' ').collect());
            a.len() == b.len()
                && a.iter().zip(&b).all(|(x, y)| {
                    x == y
                        || match (x.strip_prefix("score="), y.strip_prefix("score=")) {
                            (Some(x), Some(y)) => close(x, y),
                            _ => false,
                        }
                })
        }
    };
    let (got_lines, want_lines) = (got.lines().count(), SNAPSHOT.lines().count());
    for (n, (g, w)) in got.lines().zip(SNAPSHOT.lines()).enumerate() {
        assert!(
            same(g, w),
            "tests/data/wasm-parity.txt:{}:1: differs\n got: {g}\nwant: {w}",
            n + 1
        );
    }
    assert_eq!(
        got_lines, want_lines,
        "tests/data/wasm-parity.txt: line count differs"
    );
}

/// Two scores within a millionth of each other (an f32 has about seven significant digits).
fn close(a: &str, b: &str) -> bool {
    match (a.parse::<f32>(), b.parse::<f32>()) {
        (Ok(a), Ok(b)) => (a - b).abs() <= 1e-6 * a.abs().max(b.abs()),
        _ => false,
    }
}

#[test]
fn same_bytes_and_answers_as_natively() {
    let mut out = String::new();
    let bytes = fixture();
    let _ = writeln!(
        out,
        "# fixture index: {} bytes, fnv64 {:016x}",
        bytes.len(),
        fnv64(&bytes)
    );
    let index = Index::from_bytes(&bytes).expect("the fixture reads back");
    let passages: Vec<Passages> = fixture_articles()
        .iter()
        .map(|a| Passages::from_bytes(&Passages::encode(a)).expect("passages read back"))
        .collect();
    report(&mut out, "fixture", &index, QUERIES, &passages);

    let frozen = Index::from_bytes(FROZEN).expect("the frozen index decodes");
    report(&mut out, "frozen index-v7.bin", &frozen, QUERIES, &[]);
    for (name, bytes) in RETIRED {
        let _ = writeln!(
            out,
            "# retired {name}: {:?}",
            Index::from_bytes(bytes).err()
        );
    }

    // A larger, generated knowledge base: its index as a hash, and the top five of 100 queries
    // without their snippets, so the snapshot stays small.
    let kb = generated::knowledge_base(200);
    let mut b = IndexBuilder::new();
    for a in &kb {
        b.add_article(a.clone());
    }
    let bytes = b.build();
    let _ = writeln!(
        out,
        "# generated: {} articles, index {} bytes, fnv64 {:016x}",
        kb.len(),
        bytes.len(),
        fnv64(&bytes)
    );
    let index = Index::from_bytes(&bytes).expect("the generated index reads back");
    let opts = SearchOptions {
        limit: 5,
        lang: None,
    };
    for q in generated::queries(&kb, 100) {
        let _ = writeln!(out, "search {q:?}");
        hits(&mut out, &index, &q, &index.search(&q, &opts), &[]);
    }
    check(&out);
}

/// The engine's own time per query in the browser, on the benchmark's generated knowledge bases.
#[cfg(target_arch = "wasm32")]
#[test]
#[ignore = "a benchmark: run with `cargo xtask wasm-test --bench`"]
fn query_latency() {
    bench::run();
}

#[cfg(target_arch = "wasm32")]
mod bench {
    use super::generated::{knowledge_base, queries};
    use solodesk_engine::{Index, IndexBuilder, Passages, Question, SearchOptions};
    use std::hint::black_box;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_test::console_log;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance)]
        fn now() -> f64;
        #[wasm_bindgen(thread_local_v2, js_name = crossOriginIsolated)]
        static CROSS_ORIGIN_ISOLATED: Option<bool>;
    }

    fn percentile(sorted: &[f64], p: f64) -> f64 {
        sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
    }

    /// `rounds[r][q]` is the time (ms) of query `q` in round `r`. Prints the median, p95 and max
    /// of all samples, as `benches/engine.rs` does natively, and the median and p95 of each
    /// query's best round, which a busy machine disturbs less.
    fn summary(rounds: &[Vec<f64>]) -> String {
        let mut all: Vec<f64> = rounds.iter().flatten().copied().collect();
        all.sort_by(f64::total_cmp);
        let mut best: Vec<f64> = (0..rounds[0].len())
            .map(|q| rounds.iter().map(|r| r[q]).fold(f64::INFINITY, f64::min))
            .collect();
        best.sort_by(f64::total_cmp);
        format!(
            "median {:.3} ms, p95 {:.3} ms, max {:.3} ms (best of {} per query: median {:.3} ms, p95 {:.3} ms)",
            percentile(&all, 0.5),
            percentile(&all, 0.95),
            all[all.len() - 1],
            rounds.len(),
            percentile(&best, 0.5),
            percentile(&best, 0.95),
        )
    }

    pub fn run() {
        // Chromium rounds performance.now() to 5 µs on cross-origin isolated pages (the runner
        // serves its page so) and to 100 µs otherwise; the median needs the former.
        let isolated = CROSS_ORIGIN_ISOLATED.with(|i| i.unwrap_or(false));
        console_log!("wasm engine bench: crossOriginIsolated = {isolated}");
        for size in [1_000usize, 20_000] {
            let kb = knowledge_base(size);
            let start = now();
            let mut b = IndexBuilder::new();
            for a in &kb {
                b.add_article(a.clone());
            }
            let bytes = b.build();
            let built = now() - start;
            let start = now();
            let index = Index::from_bytes(&bytes).expect("generated index reads back");
            let loaded = now() - start;
            let qs = queries(&kb, 200);
            let opts = SearchOptions::default();
            // One warm-up round, then five timed ones, each query on its own as in benches/engine.rs.
            for q in &qs {
                black_box(index.search(q, &opts));
            }
            // Locating the top five results, as the widget does once their passages arrived
            // (decoded beforehand: decoding is part of the fetch): the first time, which
            // analyzes their text, then in the timed rounds as on the visitor's next keystrokes.
            let encoded: Vec<Vec<u8>> = kb.iter().map(Passages::encode).collect();
            let decode =
                |a: u32| Passages::from_bytes(&encoded[a as usize]).expect("passages read back");
            let top5 = SearchOptions {
                limit: 5,
                lang: None,
            };
            let found: Vec<Vec<u32>> = qs
                .iter()
                .map(|q| index.search(q, &top5).iter().map(|h| h.article).collect())
                .collect();
            let first: Vec<f64> = qs
                .iter()
                .zip(&found)
                .map(|(q, hits)| {
                    let fresh: Vec<(u32, Passages)> =
                        hits.iter().map(|&a| (a, decode(a))).collect();
                    let results: Vec<(u32, Option<&Passages>)> =
                        fresh.iter().map(|(a, p)| (*a, Some(p))).collect();
                    let start = now();
                    black_box(index.locate_all(&results, q, None));
                    now() - start
                })
                .collect();
            let passages: Vec<Passages> = (0..kb.len() as u32).map(decode).collect();
            let (mut search, mut ask, mut locate) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..5 {
                let mut round = Vec::new();
                for (q, hits) in qs.iter().zip(&found) {
                    let results: Vec<(u32, Option<&Passages>)> = hits
                        .iter()
                        .map(|&a| (a, Some(&passages[a as usize])))
                        .collect();
                    let start = now();
                    black_box(index.locate_all(&results, q, None));
                    round.push(now() - start);
                }
                locate.push(round);
                let mut round = Vec::new();
                for q in &qs {
                    let start = now();
                    black_box(index.search(q, &opts));
                    round.push(now() - start);
                }
                search.push(round);
                let mut round = Vec::new();
                for q in &qs {
                    let question = Question {
                        text: q,
                        page_url: Some("https://example.com/"),
                        lang: Some("en"),
                    };
                    let start = now();
                    black_box(index.ask(&question));
                    round.push(now() - start);
                }
                ask.push(round);
            }
            console_log!(
                "wasm kb{size}: index {} KB built in {:.0} ms, loaded in {:.1} ms; \
                 search: {}; ask: {}; locate top 5: {}; locate top 5 the first time: {}",
                bytes.len() / 1024,
                built,
                loaded,
                summary(&search),
                summary(&ask),
                summary(&locate),
                summary(&[first])
            );
        }
    }
}
