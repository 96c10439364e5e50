//! `kbgen`, the owner's command: builds a help center, its search index and the widget from a
//! folder of markdown articles.
//!
//! The raw command line (clap) is turned into a validated plan by each command's `run`; the
//! library-like modules below never see clap types.

mod check;
mod config;
mod desk;
mod diag;
mod frontmatter;
#[cfg(test)]
mod fuzz;
mod import;
mod init;
mod load;
mod markdown;
mod output;
mod pipeline;
mod query;
mod redos;
mod rules;
mod serve;
mod site;
mod skip;
mod strings;
mod widget_bundle;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(name = "kbgen", version, about = "Build a static help center with a support widget", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// One variant per subcommand, each with its own args struct, so new commands merge as one line.
#[derive(Subcommand)]
enum Command {
    Init(InitArgs),
    Build(BuildArgs),
    Check(CheckArgs),
    Serve(ServeArgs),
    Snippet(SnippetArgs),
    Import(ImportArgs),
    /// Search a built index (batch mode: one query per stdin line).
    Search(query::SearchArgs),
    /// Ask a built index as the widget does: rule answer, articles, ticket.
    Ask(query::AskArgs),
    Desk(desk::DeskArgs),
}

/// Create a working starter knowledge base.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  kbgen init my-help\n  cd my-help && kbgen serve")]
struct InitArgs {
    /// The folder to create (must be empty or absent).
    dir: PathBuf,
}

/// Build the help center, its search index and the widget.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  kbgen build\n  kbgen build site --out public\n  kbgen build docs --out dist --base-url https://example.com/help/"
)]
pub struct BuildArgs {
    /// The knowledge-base folder.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Where to write the site (default: `out` inside the knowledge-base folder). It is replaced
    /// as a whole, so it must be absent, empty or a folder kbgen built.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Replace --out even though it is not empty and kbgen did not build it.
    #[arg(long)]
    force: bool,
    /// Override `site.base_url` from kbgen.toml.
    #[arg(long)]
    base_url: Option<String>,
    /// Print every warning instead of the first 20.
    #[arg(long, short)]
    verbose: bool,
    /// Fail the build on warnings too.
    #[arg(long)]
    strict: bool,
}

/// Check a knowledge base without writing anything.
#[derive(clap::Args)]
#[command(
    after_help = "Checks broken links, duplicate ids, missing titles, unknown keys, missing translations,\nrules that never fire or shadow each other. Exits non-zero on errors.\n\nExamples:\n  kbgen check\n  kbgen check site --strict"
)]
struct CheckArgs {
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Exit non-zero on warnings too.
    #[arg(long)]
    strict: bool,
}

/// Build, serve on 127.0.0.1 and rebuild on every change.
#[derive(clap::Args)]
#[command(
    after_help = "Opens nothing by itself: visit the printed URL. /_demo/ shows a page of \"your site\" with the widget.\n\nExamples:\n  kbgen serve\n  kbgen serve site --port 4000"
)]
struct ServeArgs {
    #[arg(default_value = ".")]
    dir: PathBuf,
    #[arg(long, short, default_value_t = 4000)]
    port: u16,
}

/// Print the `<script>` tag to paste into your site.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  kbgen snippet\n  kbgen snippet site --base-url https://example.com/help/"
)]
struct SnippetArgs {
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Override `site.base_url` from kbgen.toml.
    #[arg(long)]
    base_url: Option<String>,
}

/// Turn a question,answer CSV into articles, and short answers into rules.
#[derive(clap::Args)]
#[command(
    after_help = "The CSV needs a header row naming its question and answer columns (`question,answer`, `问题,答案`, `q;a`, `title<TAB>body`...; others are ignored). Answers up to 400 characters also become rules in rules.toml, so the widget gives them in the conversation.\n\nExamples:\n  kbgen import faq.csv\n  kbgen import faq.csv --kb site --lang zh --category faq"
)]
struct ImportArgs {
    /// The CSV file.
    csv: PathBuf,
    /// The knowledge base to add the articles to.
    #[arg(long, default_value = ".")]
    kb: PathBuf,
    /// The articles' language (default: the knowledge base's default language).
    #[arg(long)]
    lang: Option<String>,
    /// The category to put them in.
    #[arg(long, default_value = "faq")]
    category: String,
    /// Replace articles (and rules this command wrote) that already exist.
    #[arg(long)]
    force: bool,
    /// The file's encoding when it is neither UTF-8, UTF-16 with a BOM, nor GBK (e.g. windows-1252, shift_jis).
    #[arg(long)]
    encoding: Option<String>,
}

fn main() -> ExitCode {
    quiet_on_a_closed_pipe();
    let result = match Cli::parse().command {
        Command::Init(a) => init::run(&a.dir),
        Command::Build(a) => build(&a),
        Command::Check(a) => check::run(&a.dir, a.strict),
        Command::Serve(a) => serve::run(&a.dir, a.port),
        Command::Snippet(a) => snippet(&a),
        Command::Import(a) => import::run(
            &a.csv,
            &a.kb,
            a.lang.as_deref(),
            &a.category,
            a.force,
            a.encoding.as_deref(),
        ),
        Command::Search(a) => query::search(&a).map(|()| ExitCode::SUCCESS),
        Command::Ask(a) => query::ask(&a).map(|()| ExitCode::SUCCESS),
        Command::Desk(a) => desk::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `kbgen desk list | head` closes the pipe after a few lines: like other command-line tools,
/// kbgen then stops quietly instead of panicking ("failed printing to stdout: Broken pipe") or
/// reporting an error. (Not by restoring SIGPIPE's default, which would also kill `serve` and
/// `desk sync` when a client or the mail server closes a socket.)
fn quiet_on_a_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// Whether `e` comes from writing to a pipe whose reader has gone.
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Prints collected problems: every error; warnings grouped by message unless verbose, because
/// migrated content repeats the same warning in hundreds of files.
pub fn report(diags: &diag::Diagnostics, verbose: bool) {
    let sorted = diags.sorted();
    let mut repeats: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for d in sorted
        .iter()
        .filter(|d| d.severity == diag::Severity::Warning)
    {
        *repeats.entry(d.message.as_str()).or_default() += 1;
    }
    let mut shown = std::collections::HashSet::new();
    let (mut hidden, mut condensed) = (0, false);
    for d in &sorted {
        if d.severity == diag::Severity::Warning && !verbose {
            if !shown.insert(d.message.as_str()) {
                continue;
            }
            if shown.len() > 40 {
                hidden += 1;
                continue;
            }
            let n = repeats[d.message.as_str()];
            if n > 1 {
                eprintln!("{d} (and {} more like it)", n - 1);
                condensed = true;
                continue;
            }
        }
        eprintln!("{d}");
        if d.severity == diag::Severity::Error {
            print_snippet(d);
        }
    }
    if hidden > 0 {
        eprintln!("… and {hidden} more kinds of warnings");
    }
    if hidden > 0 || condensed {
        eprintln!(
            "({} in all; --verbose lists each)",
            strings::count(diags.warnings(), "warning")
        );
    }
}

/// Shows the offending line under an error, rustc-style, when the file can be read.
fn print_snippet(d: &diag::Diagnostic) {
    // Position 1:1 stands for "the whole file" (a missing title, a duplicate id): no snippet.
    if d.line == 0 || (d.line, d.col) == (1, 1) {
        return;
    }
    let Ok(text) = std::fs::read_to_string(&d.path) else {
        return;
    };
    let Some(line) = text.lines().nth(d.line - 1) else {
        return;
    };
    if line.trim().is_empty() {
        return;
    }
    let num = d.line.to_string();
    let pad = " ".repeat(num.len());
    let caret_at: String = line
        .chars()
        .take(d.col.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    eprintln!("{pad} |\n{num} | {line}\n{pad} | {caret_at}^");
}

fn check_kb_dir(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        anyhow::bail!(
            "{}: not a folder (give the knowledge-base folder, or run `kbgen init {}`)",
            dir.display(),
            dir.display()
        );
    }
    Ok(())
}

fn build(args: &BuildArgs) -> Result<ExitCode> {
    check_kb_dir(&args.dir)?;
    let out = args.out.clone().unwrap_or_else(|| args.dir.join("out"));
    output::check_out(&out, &args.dir, args.force)?;
    output::recover(&out)?;
    let start = Instant::now();
    eprintln!("loading {}", args.dir.display());
    let built = pipeline::build(
        &args.dir,
        &pipeline::Options {
            base_url: args.base_url.clone(),
            live_reload: false,
            widget: true,
            progress: true,
        },
    );
    let (site, diags) = (&built.site, &built.diags);
    report(diags, args.verbose);
    if diags.errors() > 0 || (args.strict && diags.warnings() > 0) {
        eprintln!(
            "build failed: {}, {}; {} left unchanged",
            strings::count(diags.errors(), "error"),
            strings::count(diags.warnings(), "warning"),
            out.display()
        );
        return Ok(ExitCode::FAILURE);
    }
    eprintln!(
        "writing {} files to {}",
        site.files.len() + site.copies.len(),
        out.display()
    );
    output::write_atomic(&out, &site.files, &site.copies, |tmp| {
        if built.widget {
            widget_bundle::write(&tmp.join("widget"))?;
        }
        Ok(())
    })?;
    let s = &site.stats;
    eprintln!(
        "built {} in {} ({}), {}, {}; {} {}, passages {}; {}; {:.2?}{}",
        strings::count(s.articles, "article"),
        strings::count(s.languages.len(), "language"),
        s.languages.join(", "),
        strings::count(s.rules, "rule"),
        strings::count(s.pages, "page"),
        // Every language's index and each language's own, with all their shards.
        if s.language_index_bytes > 0 {
            "indexes"
        } else {
            "index"
        },
        if s.shards > 0 {
            format!(
                "{} (+ {} shards, {})",
                human_bytes(s.index_bytes + s.language_index_bytes),
                s.shards,
                human_bytes(s.shard_bytes)
            )
        } else {
            human_bytes(s.index_bytes + s.language_index_bytes)
        },
        human_bytes(s.passages_bytes),
        strings::count(diags.warnings(), "warning"),
        start.elapsed(),
        if s.drafts > 0 {
            format!(" ({} skipped)", strings::count(s.drafts, "draft"))
        } else {
            String::new()
        }
    );
    for note in &site.notes {
        eprintln!("note: {note}");
    }
    for note in config::example_addresses(&built.kb.config) {
        eprintln!("note: {note}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn human_bytes(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MB", n as f64 / f64::from(1u32 << 20))
    } else if n >= 1 << 10 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

fn snippet(args: &SnippetArgs) -> Result<ExitCode> {
    let config = load::site_config(&args.dir);
    let base = args.base_url.clone().unwrap_or(config.base_url.clone());
    let base = if base.ends_with('/') {
        base
    } else {
        format!("{base}/")
    };
    if !base.contains("://") {
        eprintln!("note: site.base_url is not an absolute URL; set it (or pass --base-url) so the tag works on your own site");
    }
    println!("{}", widget_bundle::script_tag(&base, &config));
    // The tag alone goes to stdout (`kbgen snippet >> page.html`); what the two sites need, to
    // stderr.
    let help = widget_bundle::origin(&base).unwrap_or("<help center origin>");
    eprintln!("\nYour help center ({help}) must send `Access-Control-Allow-Origin: *` (or your site's origin) with widget/*, widget-config.json, index.bin, index.<lang>.bin and index-*; the _headers file kbgen writes says so for hosts that read it.");
    eprintln!("If your site sends a Content-Security-Policy, add to it:");
    let ticket = config::ticket_origin(&config);
    for line in widget_bundle::csp_lines(help, ticket.as_deref()) {
        eprintln!("  {line}");
    }
    if config.support_email.trim().is_empty() {
        eprintln!("warning: site.support_email is not set in kbgen.toml: the widget's email ticket would have no recipient");
    }
    let mut config = config;
    config.base_url = base.clone();
    for problem in config::example_addresses(&config) {
        eprintln!("warning: {problem}");
    }
    Ok(ExitCode::SUCCESS)
}

/// No input makes a parser or the renderer panic: random documents built from the characters
/// that matter to front matter, TOML, YAML, CSV and markdown.
#[cfg(test)]
mod robustness {
    use std::path::Path;

    const PIECES: &[&str] = &[
        "---\n",
        "+++\n",
        "title: ",
        "title = ",
        "\"",
        "'",
        "[",
        "]",
        "{",
        "}",
        "#",
        "## ",
        "> [!NOTE]\n",
        "\n",
        "\r\n",
        "|",
        "---|",
        "`",
        "```",
        "*",
        "~~",
        "[^1]",
        "[x](a.md#b)",
        "![i](",
        ")",
        "<Steps>",
        "</",
        "{{x}}",
        "{% if %}",
        "%",
        "退款",
        "é",
        "\u{feff}",
        "\t",
        ":",
        "=",
        ",",
        "-",
        " ",
        "1",
        "2025-13-45",
        "- [ ] ",
        "\\",
        "&",
        "<script>",
    ];

    fn documents() -> impl Iterator<Item = String> {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..3000).map(move |_| {
            let mut doc = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 60) as usize;
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                doc.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            doc
        })
    }

    #[test]
    fn parsers_and_renderer_never_panic() {
        let path = Path::new("fuzz.md");
        for doc in documents() {
            let mut diags = crate::diag::Diagnostics::default();
            let split = crate::frontmatter::split(&doc);
            if let Some((front, format)) = split.front {
                crate::frontmatter::parse(front, format, split.front_line, path, &mut diags);
            }
            crate::config::parse(&doc, path, &mut diags);
            for format in [
                crate::rules::Format::Toml,
                crate::rules::Format::Yaml,
                crate::rules::Format::SeedJson,
            ] {
                crate::rules::parse(&doc, format, path, &mut diags);
            }
            let _ = crate::import::parse_csv(&doc, b',');
            let r = crate::markdown::render(split.body, &crate::markdown::NoResolve, Some("x"));
            for d in &diags.items {
                let _ = d.to_string();
            }
            for p in r.problems {
                let (crate::markdown::Problem::Error(at, _)
                | crate::markdown::Problem::Warning(at, _)) = p;
                let _ = crate::diag::line_col(split.body, at);
            }
        }
    }
}
