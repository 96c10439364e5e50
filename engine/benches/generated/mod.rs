//! The generated knowledge base and queries of the engine's speed benchmarks, shared by the native
//! bench (`benches/engine.rs`) and the one in WebAssembly (`tests/wasm.rs`), so their numbers are
//! about the same articles and the same queries.
//!
//! Zipf-distributed made-up words from a fixed seed, a few sections per article, and queries like
//! visitors type (some with a typo, some with an unfinished last word).

use solodesk_engine::{Article, Section};

/// A small deterministic generator (xorshift), so the bench needs no `rand`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "re", "fun", "pass", "word", "or", "der", "ship", "ing", "log", "in", "ac", "count",
    "bil", "set", "tings", "mail", "pay", "ment", "sub", "scrip", "tion", "ex", "port", "da", "ta",
    "user", "team", "plan", "key", "lo", "ca", "lize",
];

fn vocabulary(rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let parts = 2 + rng.below(3);
            (0..parts)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect()
        })
        .collect()
}

/// A Zipf-like pick: low ranks are much more frequent.
fn zipf(rng: &mut Rng, n: usize) -> usize {
    let u = (rng.next() % 1_000_000) as f64 / 1_000_000.0;
    ((n as f64).powf(u) as usize).saturating_sub(1).min(n - 1)
}

/// `min` to `min + spread - 1` words.
fn sentence(rng: &mut Rng, vocab: &[String], min: usize, spread: usize) -> String {
    let words = min + rng.below(spread);
    (0..words)
        .map(|_| vocab[zipf(rng, vocab.len())].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn knowledge_base(articles: usize) -> Vec<Article> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let vocab = vocabulary(&mut rng, 30_000);
    (0..articles)
        .map(|i| {
            let sections = 2 + rng.below(4);
            Article {
                id: format!("a{i}"),
                lang: "en".into(),
                title: sentence(&mut rng, &vocab, 3, 4),
                url: format!("a{i}/"),
                summary: sentence(&mut rng, &vocab, 12, 1),
                questions: vec![sentence(&mut rng, &vocab, 6, 1)],
                tags: vec![vocab[zipf(&mut rng, 200)].clone()],
                sections: (0..sections)
                    .map(|s| Section {
                        anchor: if s == 0 {
                            String::new()
                        } else {
                            format!("s{s}")
                        },
                        heading: if s == 0 {
                            String::new()
                        } else {
                            sentence(&mut rng, &vocab, 3, 1)
                        },
                        text: (0..3)
                            .map(|_| sentence(&mut rng, &vocab, 40, 40))
                            .collect::<Vec<_>>()
                            .join(".\n\n"),
                    })
                    .collect(),
                ..Article::default()
            }
        })
        .collect()
}

/// Queries like visitors type: words from titles and bodies, with a typo or an unfinished
/// last word in some.
pub fn queries(kb: &[Article], n: usize) -> Vec<String> {
    let mut rng = Rng(42);
    (0..n)
        .map(|i| {
            let a = &kb[rng.below(kb.len())];
            let words: Vec<&str> = a
                .title
                .split(' ')
                .chain(a.sections[0].text.split(' '))
                .collect();
            let k = 1 + rng.below(3);
            let mut q: Vec<String> = (0..k)
                .map(|_| words[rng.below(words.len())].trim_matches('.').to_owned())
                .collect();
            match i % 4 {
                // A typo: swap two inner letters of a long word.
                1 => {
                    if let Some(w) = q.iter_mut().find(|w| w.len() >= 6) {
                        let mut b = w.clone().into_bytes();
                        b.swap(2, 3);
                        *w = String::from_utf8(b).unwrap_or_default();
                    }
                }
                // Still typing: cut the last word.
                2 => {
                    if let Some(w) = q.last_mut() {
                        let keep = w.len().min(4);
                        w.truncate(keep);
                    }
                }
                _ => {}
            }
            q.join(" ")
        })
        .collect()
}
