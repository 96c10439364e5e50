//! `kbgen search` and `kbgen ask`: query a built index from the command line.
//!
//! Owners use them to check what visitors will get; benchmarks use the batch mode (no query
//! argument: one query per line on stdin, one JSON line per query on stdout, in order).
//! Both go through the same engine entry points as the widget, so what they print is what the
//! widget shows.

use anyhow::{Context, Result};
use serde::Serialize;
use solodesk_engine::{Hit, Index, Question, SearchOptions};
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

fn load(path: &Path) -> Result<Index> {
    let file = if path.is_dir() {
        path.join("index.bin")
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    Index::from_bytes(&bytes).with_context(|| format!("{}: cannot read the index", file.display()))
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

fn results(hits: &[Hit]) -> Vec<ResultLine<'_>> {
    hits.iter()
        .map(|h| ResultLine {
            id: &h.id,
            title: &h.title,
            url: &h.url,
            section: h.section.as_deref(),
            score: h.score,
        })
        .collect()
}

fn print_hits(out: &mut impl Write, hits: &[Hit]) -> Result<()> {
    if hits.is_empty() {
        writeln!(out, "  (no results)")?;
    }
    for (i, h) in hits.iter().enumerate() {
        writeln!(
            out,
            "{:>3}. {}  [{}]  {:.2}",
            i + 1,
            h.title,
            h.url,
            h.score
        )?;
        if !h.snippet.is_empty() {
            writeln!(out, "     {}", h.snippet)?;
        }
    }
    Ok(())
}

pub fn search(args: &SearchArgs) -> Result<()> {
    let index = load(&args.index)?;
    let opts = SearchOptions {
        limit: args.limit,
        lang: args.lang.as_deref(),
    };
    let mut out = std::io::stdout().lock();
    for query in queries(&args.query)? {
        let start = Instant::now();
        let hits = index.search(&query, &opts);
        let took_ms = start.elapsed().as_secs_f64() * 1000.0;
        if args.json {
            let line = SearchLine {
                query: &query,
                took_ms,
                results: results(&hits),
            };
            serde_json::to_writer(&mut out, &line)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{query}  ({took_ms:.3} ms)")?;
            print_hits(&mut out, &hits)?;
        }
    }
    Ok(())
}

pub fn ask(args: &AskArgs) -> Result<()> {
    let index = load(&args.index)?;
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
        if args.json {
            let line = AskLine {
                query: &text,
                took_ms,
                rule: answer.rule.as_ref().map(|r| RuleLine {
                    id: &r.id,
                    confidence: r.confidence,
                }),
                results: results(&answer.articles),
                offer_ticket: answer.offer_ticket,
            };
            serde_json::to_writer(&mut out, &line)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{text}  ({took_ms:.3} ms)")?;
            match &answer.rule {
                Some(r) => writeln!(out, "  rule {} (confidence {:.2})", r.id, r.confidence)?,
                None => writeln!(out, "  no rule is confident enough")?,
            }
            print_hits(&mut out, &answer.articles)?;
            if answer.offer_ticket {
                writeln!(out, "  → the widget offers a ticket")?;
            }
        }
    }
    Ok(())
}
