//! Speed and size of the engine on generated knowledge bases of 1,000 and 20,000 articles.
//!
//! Criterion measures index building and a mixed query set; afterwards every query is timed on
//! its own to print the median and the 95th percentile per query, the build throughput in MB of
//! article text per second and the gzip size of the index next to the gzip size of the text.
//! The knowledge base is generated from a fixed seed (Zipf-distributed made-up words, a few
//! sections per article), so runs are comparable.
//!
//! Run: `cargo bench -p solodesk-engine --bench engine`.

use criterion::{black_box, Criterion};
use flate2::{write::GzEncoder, Compression};
use solodesk_engine::{Article, Index, IndexBuilder, SearchOptions, Section};
use std::io::Write;
use std::time::{Duration, Instant};

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

fn knowledge_base(articles: usize) -> Vec<Article> {
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
fn queries(kb: &[Article], n: usize) -> Vec<String> {
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

fn text_bytes(kb: &[Article]) -> Vec<u8> {
    let mut out = Vec::new();
    for a in kb {
        out.extend_from_slice(a.title.as_bytes());
        out.push(b'\n');
        for q in &a.questions {
            out.extend_from_slice(q.as_bytes());
            out.push(b'\n');
        }
        for s in &a.sections {
            out.extend_from_slice(s.heading.as_bytes());
            out.push(b'\n');
            out.extend_from_slice(s.text.as_bytes());
            out.push(b'\n');
        }
    }
    out
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).expect("gzip in memory");
    e.finish().expect("gzip in memory").len()
}

fn build(kb: &[Article]) -> Vec<u8> {
    let mut b = IndexBuilder::new();
    for a in kb {
        b.add_article(a.clone());
    }
    b.build()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Real help-center markdown (the shared evaluation corpora), split into sections at `#`
/// headings with the front matter dropped: no markdown rendering, so the text keeps its
/// syntax, which only makes the index's job harder. `None` when the corpus is absent.
fn markdown_corpus() -> Option<(Vec<Article>, usize)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/eval/corpora/sendgrid-docs/content");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).ok()?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut bytes = 0;
    let mut articles = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        bytes += text.len();
        let body = match text.strip_prefix("---") {
            Some(rest) => rest.split_once("\n---").map_or(rest, |(_, b)| b),
            None => &text,
        };
        let title = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .replace('-', " ");
        let mut sections = vec![Section::default()];
        for line in body.lines() {
            if let Some(h) = line.strip_prefix('#') {
                let heading = h.trim_start_matches('#').trim().to_owned();
                sections.push(Section {
                    anchor: format!("s{}", sections.len()),
                    heading,
                    text: String::new(),
                });
            } else if let Some(s) = sections.last_mut() {
                s.text.push_str(line);
                s.text.push('\n');
            }
        }
        articles.push(Article {
            id: format!("md{i}"),
            lang: "en".into(),
            title,
            url: format!("md{i}/"),
            sections,
            ..Article::default()
        });
    }
    Some((articles, bytes))
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut report = Vec::new();
    for size in [1_000usize, 20_000] {
        let kb = knowledge_base(size);
        let text = text_bytes(&kb);
        let bytes = build(&kb);
        let index = Index::from_bytes(&bytes).expect("generated index reads back");
        let qs = queries(&kb, 200);
        let opts = SearchOptions::default();

        let mut group = c.benchmark_group(format!("kb{size}"));
        group.bench_function("search (200 mixed queries)", |b| {
            b.iter(|| {
                for q in &qs {
                    black_box(index.search(q, &opts));
                }
            })
        });
        if size == 1_000 {
            group.bench_function("build", |b| b.iter(|| black_box(build(&kb))));
            group.bench_function("load", |b| b.iter(|| black_box(Index::from_bytes(&bytes))));
        }
        group.finish();

        // Per query, several rounds: median and p95 of single-query latency.
        let mut times: Vec<Duration> = Vec::new();
        for _ in 0..5 {
            for q in &qs {
                let start = Instant::now();
                black_box(index.search(q, &opts));
                times.push(start.elapsed());
            }
        }
        times.sort();
        let start = Instant::now();
        let rounds = 3;
        for _ in 0..rounds {
            black_box(build(&kb));
        }
        let build_secs = start.elapsed().as_secs_f64() / f64::from(rounds);
        let start = Instant::now();
        black_box(Index::from_bytes(&bytes).expect("reads"));
        let load = start.elapsed();
        report.push(format!(
            "kb{size}: text {:.1} MB (gzip {} KB), index {} KB (gzip {} KB, {:.3}x the text's gzip), \
             build {:.1} MB/s, load {:.1} ms, query median {:.3} ms, p95 {:.3} ms, max {:.3} ms",
            text.len() as f64 / 1e6,
            gzip_len(&text) / 1024,
            bytes.len() / 1024,
            gzip_len(&bytes) / 1024,
            gzip_len(&bytes) as f64 / gzip_len(&text) as f64,
            text.len() as f64 / 1e6 / build_secs,
            load.as_secs_f64() * 1000.0,
            percentile(&times, 0.5).as_secs_f64() * 1000.0,
            percentile(&times, 0.95).as_secs_f64() * 1000.0,
            times[times.len() - 1].as_secs_f64() * 1000.0,
        ));
    }
    match markdown_corpus() {
        Some((kb, markdown_bytes)) => {
            let text = text_bytes(&kb);
            let start = Instant::now();
            let bytes = build(&kb);
            let secs = start.elapsed().as_secs_f64();
            report.push(format!(
                "sendgrid markdown: {} files, {:.1} MB of markdown, build {:.1} MB/s, index {} KB, \
                 gzip {} KB = {:.3}x the gzip of the articles' text ({} KB)",
                kb.len(),
                markdown_bytes as f64 / 1e6,
                markdown_bytes as f64 / 1e6 / secs,
                bytes.len() / 1024,
                gzip_len(&bytes) / 1024,
                gzip_len(&bytes) as f64 / gzip_len(&text) as f64,
                gzip_len(&text) / 1024,
            ));
        }
        None => {
            report.push("sendgrid markdown corpus not found in ../shared/eval (skipped)".into())
        }
    }
    c.final_summary();
    for line in report {
        println!("{line}");
    }
}
