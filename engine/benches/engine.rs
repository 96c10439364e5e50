//! Speed and size of the engine on generated knowledge bases of 1,000 and 20,000 articles.
//!
//! Criterion measures index building and a mixed query set; afterwards every query is timed on
//! its own to print the median and the 95th percentile per query, the build throughput in MB of
//! article text per second and the gzip size of the index next to the gzip size of the text.
//! The articles' passages files (their text, fetched per shown result) are sized apart, each
//! gzipped on its own as a static host serves them, and `locate` (the section and snippet of
//! the top five results, once their passages are at hand) is timed per query.
//! The knowledge base is generated from a fixed seed (Zipf-distributed made-up words, a few
//! sections per article), so runs are comparable.
//!
//! Run: `cargo bench -p solodesk-engine --bench engine`.

use criterion::{black_box, Criterion};
use generated::{knowledge_base, queries};
use sizes::{gzip_len, parts_table};
use solodesk_engine::{Article, Index, IndexBuilder, Passages, SearchOptions, Section};
use std::time::{Duration, Instant};

mod generated;
#[path = "../eval/src/sizes.rs"]
mod sizes;

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

fn builder(kb: &[Article]) -> IndexBuilder {
    let mut b = IndexBuilder::new();
    for a in kb {
        b.add_article(a.clone());
    }
    b
}

fn build(kb: &[Article]) -> Vec<u8> {
    builder(kb).build()
}

/// The passages files of `kb`: total bytes, and the sum of each file gzipped on its own.
fn passages_sizes(kb: &[Article]) -> (usize, usize) {
    kb.iter()
        .map(Passages::encode)
        .fold((0, 0), |(raw, gz), p| (raw + p.len(), gz + gzip_len(&p)))
}

/// What a visitor's first search fetches when the index is split into shards as kbgen splits
/// it by default (256 KiB): the index file and the shards of the query's words, gzipped, per
/// query on a fresh index: median and p95, against the whole index.
fn shards_line(size: usize, kb: &[Article], qs: &[String], whole_gz: usize) -> String {
    let (head, shards) = builder(kb).build_sharded(256 * 1024);
    let head_gz = gzip_len(&head);
    if shards.is_empty() {
        return format!(
            "kb{size}: index not split at 256 KiB shards (gzip {} KB)",
            whole_gz / 1024
        );
    }
    let gz: Vec<usize> = shards.iter().map(|(_, b)| gzip_len(b)).collect();
    let mut fetched: Vec<(usize, usize)> = qs
        .iter()
        .map(|q| {
            let index = Index::from_bytes(&head).expect("sharded index reads back");
            let (mut n, mut bytes) = (0, head_gz);
            loop {
                black_box(index.search(q, &SearchOptions::default()));
                let missing = index.missing_shards();
                if missing.is_empty() {
                    return (bytes, n);
                }
                for k in missing {
                    index.add_shard(&shards[k].1).expect("shard reads back");
                    (n, bytes) = (n + 1, bytes + gz[k]);
                }
            }
        })
        .collect();
    fetched.sort();
    let pick = |p: f64| fetched[((fetched.len() - 1) as f64 * p).round() as usize];
    let (median, p95) = (pick(0.5), pick(0.95));
    format!(
        "kb{size}: split at 256 KiB: index file gzip {} KB + {} shards (gzip {} KB each on average); \
         a first search fetches median {} KB ({} shards), p95 {} KB ({} shards), instead of the \
         whole index's {} KB",
        head_gz / 1024,
        shards.len(),
        gz.iter().sum::<usize>() / shards.len() / 1024,
        median.0 / 1024,
        median.1,
        p95.0 / 1024,
        p95.1,
        whole_gz / 1024
    )
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
        report.extend(generated(&mut c, size));
    }
    report.extend(markdown());
    c.final_summary();
    for line in report {
        println!("{line}");
    }
}

/// Criterion's benchmarks on a generated knowledge base of `size` articles, then the lines of
/// the report on it: speeds and sizes, the sharded index's first fetch and the index's parts.
fn generated(c: &mut Criterion, size: usize) -> Vec<String> {
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

    let (times, best) = query_times(&index, &qs);
    let (locate_times, again_times) = locate_times(&kb, &index, &qs);
    let (passages_raw, passages_gz) = passages_sizes(&kb);
    let build_secs = mean_build_secs(&kb);
    // Loading once is noisy on a busy machine: the median of several.
    let mut loads: Vec<Duration> = (0..7)
        .map(|_| {
            let start = Instant::now();
            black_box(Index::from_bytes(&bytes).expect("reads"));
            start.elapsed()
        })
        .collect();
    loads.sort();
    let load = percentile(&loads, 0.5);
    let speeds = format!(
        "kb{size}: text {:.1} MB (gzip {} KB), index {} KB (gzip {} KB, {:.3}x the text's gzip), \
         build {:.1} MB/s, load median {:.1} ms, query median {:.3} ms, p95 {:.3} ms, max {:.3} ms \
         (best of 5 per query: median {:.3} ms, p95 {:.3} ms); passages {} KB \
         (each file gzipped: {} KB in all, {:.2}x the text's gzip), locate top 5 median \
         {:.3} ms, p95 {:.3} ms (again: median {:.3} ms, p95 {:.3} ms)",
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
        percentile(&best, 0.5).as_secs_f64() * 1000.0,
        percentile(&best, 0.95).as_secs_f64() * 1000.0,
        passages_raw / 1024,
        passages_gz / 1024,
        passages_gz as f64 / gzip_len(&text) as f64,
        percentile(&locate_times, 0.5).as_secs_f64() * 1000.0,
        percentile(&locate_times, 0.95).as_secs_f64() * 1000.0,
        percentile(&again_times, 0.5).as_secs_f64() * 1000.0,
        percentile(&again_times, 0.95).as_secs_f64() * 1000.0,
    );
    let shards = shards_line(size, &kb, &qs, gzip_len(&bytes));
    let (bytes, parts) = builder(&kb).build_parts();
    vec![
        speeds,
        shards,
        parts_table(&format!("kb{size}"), &bytes, &parts, gzip_len(&text)),
    ]
}

/// Per query, several rounds: every single-query latency, and each query's best round, which
/// a busy machine disturbs less (the wasm bench in tests/wasm.rs prints the same two); sorted.
fn query_times(index: &Index, qs: &[String]) -> (Vec<Duration>, Vec<Duration>) {
    let opts = SearchOptions::default();
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..5 {
        for q in qs {
            let start = Instant::now();
            black_box(index.search(q, &opts));
            times.push(start.elapsed());
        }
    }
    let mut best: Vec<Duration> = (0..qs.len())
        .map(|q| times.iter().skip(q).step_by(qs.len()).min().copied())
        .map(|t| t.unwrap_or_default())
        .collect();
    best.sort();
    times.sort();
    (times, best)
}

/// Locating the top five results of each query, as the widget does once their passages
/// arrived (decoded beforehand: decoding is part of the fetch): the first time, which analyzes
/// their text, and again, as on the visitor's next keystroke; each sorted.
fn locate_times(kb: &[Article], index: &Index, qs: &[String]) -> (Vec<Duration>, Vec<Duration>) {
    let encoded: Vec<Vec<u8>> = kb.iter().map(Passages::encode).collect();
    let top5 = SearchOptions {
        limit: 5,
        lang: None,
    };
    let (mut locate_times, mut again_times): (Vec<Duration>, Vec<Duration>) = qs
        .iter()
        .map(|q| {
            let hits = index.search(q, &top5);
            let fresh: Vec<(u32, Passages)> = hits
                .iter()
                .map(|h| {
                    let bytes = &encoded[h.article as usize];
                    (
                        h.article,
                        Passages::from_bytes(bytes).expect("passages read back"),
                    )
                })
                .collect();
            let found: Vec<(u32, Option<&Passages>)> =
                fresh.iter().map(|(a, p)| (*a, Some(p))).collect();
            let start = Instant::now();
            black_box(index.locate_all(&found, q, None));
            let first = start.elapsed();
            let start = Instant::now();
            black_box(index.locate_all(&found, q, None));
            (first, start.elapsed())
        })
        .unzip();
    again_times.sort();
    locate_times.sort();
    (locate_times, again_times)
}

/// The mean time of three builds of `kb`'s index, in seconds (after a first one elsewhere).
fn mean_build_secs(kb: &[Article]) -> f64 {
    let rounds = 3;
    let start = Instant::now();
    for _ in 0..rounds {
        black_box(build(kb));
    }
    start.elapsed().as_secs_f64() / f64::from(rounds)
}

/// The report's lines on the real markdown corpus, or that it is absent.
fn markdown() -> Vec<String> {
    let Some((kb, markdown_bytes)) = markdown_corpus() else {
        return vec!["sendgrid markdown corpus not found in ../shared/eval (skipped)".into()];
    };
    let text = text_bytes(&kb);
    let bytes = build(&kb);
    // As for the generated knowledge bases: the mean of three builds after a first one.
    let secs = mean_build_secs(&kb);
    let (passages_raw, passages_gz) = passages_sizes(&kb);
    let sizes = format!(
        "sendgrid markdown: {} files, {:.1} MB of markdown, build {:.1} MB/s, index {} KB, \
         gzip {} KB = {:.3}x the gzip of the articles' text ({} KB); passages {} KB \
         (each file gzipped: {} KB in all)",
        kb.len(),
        markdown_bytes as f64 / 1e6,
        markdown_bytes as f64 / 1e6 / secs,
        bytes.len() / 1024,
        gzip_len(&bytes) / 1024,
        gzip_len(&bytes) as f64 / gzip_len(&text) as f64,
        gzip_len(&text) / 1024,
        passages_raw / 1024,
        passages_gz / 1024,
    );
    let (bytes, parts) = builder(&kb).build_parts();
    vec![
        sizes,
        parts_table("sendgrid", &bytes, &parts, gzip_len(&text)),
    ]
}
