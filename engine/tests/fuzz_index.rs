//! Fuzzing the readers of the engine's files (issue 15): `Index::from_bytes`, `Index::add_shard`
//! and `Passages::from_bytes` get random bytes and mutated valid files, and must return an error
//! or a value that answers queries, never panic. A widget reads these files from a static host,
//! where a truncated upload, a proxy's error page or a stale cache is an everyday input.
//!
//! Mutations are re-signed with the format's FNV-1a checksum, so that most of them get past the
//! checksum into the decoder proper instead of stopping at the first check.
//! cargo-fuzz needs a nightly toolchain, and the engine's dev-dependencies are part of the widget
//! bundle's stamp, so this is a small self-contained mutation fuzzer with a fixed seed: the same
//! cases on every run. `FUZZ_CASES=200000 cargo test --release -p solodesk-engine --test
//! fuzz_index` runs longer (README, "Fuzzing"); a failing input is written to the target folder.

#![cfg(not(target_arch = "wasm32"))]

use solodesk_engine::{
    Article, Index, IndexBuilder, Passages, Question, Rule, SearchOptions, Section, FORMAT_VERSION,
};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Cases per harness: `FUZZ_CASES`, else `PROPTEST_CASES` (the knob of kbgen's harnesses),
/// else a number that keeps this file at a few seconds in a debug build.
fn cases(default: usize) -> usize {
    ["FUZZ_CASES", "PROPTEST_CASES"]
        .iter()
        .find_map(|v| std::env::var(v).ok()?.parse().ok())
        .unwrap_or(default)
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn fnv1a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Replaces the trailing checksum with the right one for the bytes before it.
fn resign(bytes: &mut [u8]) {
    if bytes.len() >= 4 {
        let n = bytes.len() - 4;
        let sum = fnv1a(&bytes[..n]);
        bytes[n..].copy_from_slice(&sum.to_le_bytes());
    }
}

/// One to four edits: flip bits, set interesting bytes, delete, duplicate or truncate.
fn mutate(valid: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = valid.to_vec();
    for _ in 0..1 + rng.below(4) {
        if b.is_empty() {
            break;
        }
        let at = rng.below(b.len());
        match rng.below(7) {
            0 => b[at] ^= 1 << rng.below(8),
            1 => b[at] = [0, 1, 0x7f, 0x80, 0xff][rng.below(5)],
            2 => {
                let end = (at + 1 + rng.below(16)).min(b.len());
                b.drain(at..end);
            }
            3 => {
                let end = (at + 1 + rng.below(16)).min(b.len());
                let copy = b[at..end].to_vec();
                b.splice(at..at, copy);
            }
            4 => b.truncate(at),
            // A varint or length made huge: the reader must not allocate what it claims.
            5 => {
                let end = (at + 5).min(b.len());
                b[at..end].fill(0xff);
            }
            _ => b[at] = b[at].wrapping_add(1),
        }
    }
    if rng.below(8) != 0 {
        resign(&mut b);
    }
    b
}

fn article(id: &str, lang: &str, title: &str, body: &str) -> Article {
    Article {
        id: id.into(),
        lang: lang.into(),
        title: title.into(),
        url: format!("{lang}/{id}/"),
        summary: format!("About {title}"),
        category: "orders".into(),
        questions: vec![format!("how do I {title}")],
        tags: vec!["billing".into()],
        pages: vec!["/checkout*".into()],
        sections: vec![
            Section {
                anchor: String::new(),
                heading: String::new(),
                text: body.into(),
            },
            Section {
                anchor: "more".into(),
                heading: "More".into(),
                text: format!("{body} More words about {title}."),
            },
        ],
    }
}

fn builder() -> IndexBuilder {
    let mut b = IndexBuilder::new();
    b.add_article(article(
        "refunds",
        "en",
        "Refunds",
        "We refund any order within 30 days.",
    ));
    b.add_article(article(
        "shipping",
        "en",
        "Shipping",
        "Parcels ship worldwide in two days.",
    ));
    b.add_article(article(
        "tuihuo",
        "zh",
        "如何申请退款",
        "三十天内可以退款。",
    ));
    for i in 0..40 {
        b.add_article(article(
            &format!("a{i}"),
            "en",
            &format!("Topic {i}"),
            &format!("word{i} alpha{} beta{} order parcel refund", i % 5, i % 3),
        ));
    }
    b.add_rule(Rule {
        id: "hours".into(),
        lang: "en".into(),
        phrasings: vec![
            "what are your opening hours".into(),
            "when are you open".into(),
        ],
        keywords: vec!["opening hours".into()],
        regex: Some("(?i)open(ing)? hours".into()),
        answer_html: "<p>9 to 5.</p>".into(),
        articles: vec!["refunds".into()],
        priority: 1,
    });
    b.add_rule(Rule {
        id: "refund".into(),
        lang: "zh".into(),
        phrasings: vec!["怎么退款".into()],
        answer_html: "<p>可以。</p>".into(),
        ..Rule::default()
    });
    b
}

/// Uses a decoded index as the widget would, so that an index that decodes but is inconsistent
/// inside is caught too.
fn exercise(index: &Index) {
    for q in [
        "refund order",
        "opening hours",
        "退款",
        "wor",
        "parcel alpha1 beta2",
    ] {
        let hits = index.search(
            q,
            &SearchOptions {
                limit: 5,
                lang: Some("en"),
            },
        );
        for h in &hits {
            let _ = (&h.title, &h.url);
        }
        let _ = index.ask(&Question {
            text: q,
            page_url: Some("https://shop.test/checkout/pay"),
            lang: Some("en"),
        });
        let _ = index.match_rules(q, Some("zh"));
    }
    let _ = index.suggest_for_page("/checkout/pay");
    let _ = index.missing_shards();
}

/// Runs `f` on `input`; a panic fails the test after saving the input for a regression test.
fn must_not_panic(name: &str, case: usize, input: &[u8], f: impl FnOnce(&[u8])) {
    if catch_unwind(AssertUnwindSafe(|| f(input))).is_err() {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        let file = dir.join(format!("fuzz-{name}-{case}.bin"));
        let _ = std::fs::write(&file, input);
        panic!(
            "{name}: case {case} panicked; input saved to {}",
            file.display()
        );
    }
}

fn decode_and_use(bytes: &[u8]) {
    if let Ok(index) = Index::from_bytes(bytes) {
        exercise(&index);
    }
}

#[test]
fn index_decoder_never_panics_on_mutated_indexes() {
    let valid = builder().build();
    let index = Index::from_bytes(&valid).expect("the valid index decodes");
    exercise(&index);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut decoded = 0;
    for case in 0..cases(3000) {
        let input = mutate(&valid, &mut rng);
        decoded += usize::from(Index::from_bytes(&input).is_ok());
        must_not_panic("index", case, &input, decode_and_use);
    }
    // Not a property, a check that the fuzzer reaches past the header and checksum: some
    // mutations (a changed letter in a title) still decode.
    assert!(
        decoded > 0,
        "no mutation decoded: the fuzzer only tests the checksum"
    );
}

#[test]
fn index_decoder_never_panics_on_random_bytes() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for case in 0..cases(3000) {
        let len = rng.below(300);
        let mut input: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Half of them get a valid header, so the body decoder sees them too.
        if rng.below(2) == 0 && input.len() >= 6 {
            input[..4].copy_from_slice(b"SDKX");
            input[4..6].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
            resign(&mut input);
        }
        must_not_panic("random", case, &input, decode_and_use);
    }
}

/// A sharded index file too: it carries which terms' text is in the shards.
#[test]
fn index_decoder_never_panics_on_mutated_sharded_indexes() {
    let (valid, shards) = builder().build_sharded(64);
    assert!(!shards.is_empty());
    let mut rng = Rng(0x3c6e_f372_fe94_f82b);
    for case in 0..cases(2000) {
        let input = mutate(&valid, &mut rng);
        must_not_panic("sharded index", case, &input, |bytes| {
            if let Ok(index) = Index::from_bytes(bytes) {
                for (_, shard) in &shards {
                    let _ = index.add_shard(shard);
                }
                exercise(&index);
            }
        });
    }
}

/// A shard of postings (the one with the Chinese terms' text) and a block of titles.
#[test]
fn shard_reader_never_panics_on_mutated_shards() {
    let (main, shards) = builder().build_sharded(64);
    let text = |s: &[u8]| String::from_utf8_lossy(s).into_owned();
    let chinese = shards
        .iter()
        .find(|(_, s)| text(s).contains('款') && text(s).contains('退'));
    // The blocks of titles come last.
    let block = shards.last().filter(|(_, s)| text(s).contains("Topic"));
    let mut rng = Rng(0x5555_aaaa_1234_4321);
    for (_, shard) in [chinese, block].map(|s| s.expect("a shard of each kind")) {
        for case in 0..cases(1000) {
            let input = mutate(shard, &mut rng);
            must_not_panic("shard", case, &input, |bytes| {
                let index = Index::from_bytes(&main).expect("valid");
                if index.add_shard(bytes).is_ok() {
                    exercise(&index);
                }
            });
        }
    }
}

#[test]
fn passages_reader_never_panics_on_mutated_passages() {
    let valid = Passages::encode(&article(
        "refunds",
        "en",
        "Refunds",
        "We refund any order within 30 days.",
    ));
    let mut rng = Rng(0x1111_2222_3333_4444);
    let index = Index::from_bytes(&builder().build()).expect("valid");
    for case in 0..cases(3000) {
        let input = mutate(&valid, &mut rng);
        must_not_panic("passages", case, &input, |bytes| {
            if let Ok(p) = Passages::from_bytes(bytes) {
                let _ = (p.summary(), p.sections().len());
                let _ = index.locate(0, &p, "refund order", Some("en"));
            }
        });
    }
}
