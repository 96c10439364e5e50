//! `kbgen search` and `kbgen ask`: query a built index from the command line.
//!
//! Owners use them to check what visitors will get; benchmarks use the batch mode (no query
//! argument: one query per line on stdin, one JSON line per query on stdout, in order).
//! Both go through the same engine entry points as the widget, so what they print is what the
//! widget shows: the ranked articles, then, from each shown article's passages file that
//! `kbgen build` wrote beside the index (`widget/articles/<lang>/<id>.bin`), its best section
//! and snippet. Without that file a result keeps the article's own URL and no section.

use anyhow::{Context, Result};
use serde::Serialize;
use solodesk_engine::{Hit, Index, Located, Passages, Question, SearchOptions};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct SearchArgs {
    /// The site folder written by `kbgen build` (or its `index.bin`).
    #[arg(long, default_value = "out")]
    index: PathBuf,
    /// One JSON line per query.
    #[arg(long)]
    json: bool,
    /// Most results per query.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// The visitor's language: articles in it come first.
    #[arg(long)]
    lang: Option<String>,
    /// The query; without it, queries are read from stdin, one per line.
    query: Vec<String>,
}

#[derive(clap::Args)]
pub struct AskArgs {
    /// The site folder written by `kbgen build` (or its `index.bin`).
    #[arg(long, default_value = "out")]
    index: PathBuf,
    /// One JSON line per question.
    #[arg(long)]
    json: bool,
    /// Most articles per answer.
    #[arg(long, default_value_t = 5)]
    limit: usize,
    /// The visitor's language.
    #[arg(long)]
    lang: Option<String>,
    /// The URL of the page the visitor is on.
    #[arg(long)]
    page: Option<String>,
    /// The question; without it, questions are read from stdin, one per line.
    question: Vec<String>,
}

#[derive(Serialize)]
struct ResultLine<'a> {
    id: &'a str,
    title: &'a str,
    /// The best section's URL when the passages were found, else the article's.
    url: &'a str,
    section: Option<&'a str>,
    score: f32,
}

#[derive(Serialize)]
struct RuleLine<'a> {
    id: &'a str,
    confidence: f32,
}

#[derive(Serialize)]
struct SearchLine<'a> {
    query: &'a str,
    took_ms: f64,
    results: Vec<ResultLine<'a>>,
}

#[derive(Serialize)]
struct AskLine<'a> {
    query: &'a str,
    took_ms: f64,
    rule: Option<RuleLine<'a>>,
    results: Vec<ResultLine<'a>>,
    offer_ticket: bool,
}

/// A built index and the folder of its articles' passages files.
struct Built {
    index: Index,
    passages: PathBuf,
}

fn load(path: &Path) -> Result<Built> {
    let file = if path.is_dir() {
        path.join("index.bin")
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let index = Index::from_bytes(&bytes)
        .with_context(|| format!("{}: cannot read the index", file.display()))?;
    let dir = file.parent().unwrap_or(Path::new(""));
    for k in 0..index.shard_count() {
        let shard = dir.join(index.shard_file(k));
        let bytes =
            std::fs::read(&shard).with_context(|| format!("reading {}", shard.display()))?;
        index
            .add_shard(&bytes)
            .with_context(|| format!("{}: cannot read the index shard", shard.display()))?;
    }
    Ok(Built {
        index,
        passages: dir.join("widget").join("articles"),
    })
}

impl Built {
    /// Where each hit points, from its article's passages file; `None` when the file is
    /// missing or unreadable (an index copied without its site, an older build).
    fn locate(&self, hits: &[Hit], query: &str, lang: Option<&str>) -> Vec<Option<Located>> {
        let passages: Vec<Option<Passages>> = hits
            .iter()
            .map(|h| {
                let rel = h.url.trim_end_matches('/');
                if rel.is_empty() || rel.split('/').any(|c| c == ".." || c.contains(':')) {
                    return None;
                }
                let bytes = std::fs::read(self.passages.join(format!("{rel}.bin"))).ok()?;
                Passages::from_bytes(&bytes).ok()
            })
            .collect();
        let results: Vec<(u32, Option<&Passages>)> = hits
            .iter()
            .zip(&passages)
            .map(|(h, p)| (h.article, p.as_ref()))
            .collect();
        self.index.locate_all(&results, query, lang)
    }
}

/// The query from the arguments, or every line of stdin.
fn queries(words: &[String]) -> Result<Vec<String>> {
    if !words.is_empty() {
        return Ok(vec![words.join(" ")]);
    }
    std::io::stdin()
        .lock()
        .lines()
        .map(|l| l.context("reading stdin"))
        .collect()
}

fn results<'a>(hits: &'a [Hit], located: &'a [Option<Located>]) -> Vec<ResultLine<'a>> {
    hits.iter()
        .zip(located)
        .map(|(h, l)| ResultLine {
            id: &h.id,
            title: &h.title,
            url: l.as_ref().map_or(&h.url, |l| &l.url),
            section: l.as_ref().and_then(|l| l.section.as_deref()),
            score: h.score,
        })
        .collect()
}

fn print_hits(out: &mut impl Write, hits: &[Hit], located: &[Option<Located>]) -> Result<()> {
    if hits.is_empty() {
        writeln!(out, "  (no results)")?;
    }
    for (i, (h, l)) in hits.iter().zip(located).enumerate() {
        let url = l.as_ref().map_or(&h.url, |l| &l.url);
        writeln!(out, "{:>3}. {}  [{}]  {:.2}", i + 1, h.title, url, h.score)?;
        if let Some(section) = l.as_ref().and_then(|l| l.section.as_deref()) {
            writeln!(out, "     § {section}")?;
        }
        if let Some(l) = l.as_ref().filter(|l| !l.snippet.is_empty()) {
            writeln!(out, "     {}", l.snippet)?;
        }
    }
    Ok(())
}

pub fn search(args: &SearchArgs) -> Result<()> {
    let built = load(&args.index)?;
    let index = &built.index;
    let opts = SearchOptions {
        limit: args.limit,
        lang: args.lang.as_deref(),
    };
    let mut out = std::io::stdout().lock();
    for query in queries(&args.query)? {
        let start = Instant::now();
        let hits = index.search(&query, &opts);
        // The engine's time to rank; locating the shown results reads their files.
        let took_ms = start.elapsed().as_secs_f64() * 1000.0;
        let located = built.locate(&hits, &query, opts.lang);
        if args.json {
            let line = SearchLine {
                query: &query,
                took_ms,
                results: results(&hits, &located),
            };
            serde_json::to_writer(&mut out, &line)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{query}  ({took_ms:.3} ms)")?;
            print_hits(&mut out, &hits, &located)?;
        }
    }
    Ok(())
}

pub fn ask(args: &AskArgs) -> Result<()> {
    let built = load(&args.index)?;
    let index = &built.index;
    let mut out = std::io::stdout().lock();
    for text in queries(&args.question)? {
        let question = Question {
            text: &text,
            page_url: args.page.as_deref(),
            lang: args.lang.as_deref(),
        };
        let start = Instant::now();
        let mut answer = index.ask(&question);
        let took_ms = start.elapsed().as_secs_f64() * 1000.0;
        answer.articles.truncate(args.limit);
        let located = built.locate(&answer.articles, &text, question.lang);
        if args.json {
            let line = AskLine {
                query: &text,
                took_ms,
                rule: answer.rule.as_ref().map(|r| RuleLine {
                    id: &r.id,
                    confidence: r.confidence,
                }),
                results: results(&answer.articles, &located),
                offer_ticket: answer.offer_ticket,
            };
            serde_json::to_writer(&mut out, &line)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{text}  ({took_ms:.3} ms)")?;
            match &answer.rule {
                Some(r) => {
                    writeln!(out, "  rule {} (confidence {:.2})", r.id, r.confidence)?;
                    // What the visitor reads, on one line.
                    let said = solodesk_engine::html_text(&r.answer_html);
                    let said: Vec<&str> = said.split_whitespace().collect();
                    writeln!(out, "    {}", said.join(" "))?;
                }
                None => match index
                    .match_rules(&text, question.lang)
                    .first()
                    .filter(|m| m.confidence >= index.rule_threshold())
                {
                    // Confident, but it leaves too much of the question unexplained.
                    Some(m) => writeln!(
                        out,
                        "  no rule: {} (confidence {:.2}) holds only {:.0}% of the question's words",
                        m.id,
                        m.confidence,
                        100.0 * index.rule_question_coverage(&text, question.lang, m.rule)
                    )?,
                    None => writeln!(out, "  no rule is confident enough")?,
                },
            }
            print_hits(&mut out, &answer.articles, &located)?;
            if answer.offer_ticket {
                writeln!(out, "  → the widget offers a ticket")?;
            }
        }
    }
    Ok(())
}
