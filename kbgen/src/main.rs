//! `kbgen`, the owner's command: builds a help center, its search index and the widget from a
//! folder of markdown articles.

mod query;
mod widget_bundle;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "kbgen",
    version,
    about = "Build a static help center with a support widget"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the help center, its search index and the widget.
    Build {
        /// The knowledge-base folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write the site.
        #[arg(long, default_value = "out")]
        out: PathBuf,
    },
    /// Search a built index (batch mode: one query per stdin line).
    Search(query::SearchArgs),
    /// Ask a built index as the widget does: rule answer, articles, ticket.
    Ask(query::AskArgs),
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Build { dir, out } => build(&dir, &out),
        Command::Search(args) => query::search(&args),
        Command::Ask(args) => query::ask(&args),
    }
}

fn build(dir: &Path, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut builder = solodesk_engine::IndexBuilder::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path)?;
            let id = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            builder.add_article(solodesk_engine::Article {
                title: id.clone(),
                url: format!("{id}/"),
                sections: vec![solodesk_engine::Section {
                    text,
                    ..Default::default()
                }],
                id,
                ..Default::default()
            });
        }
    }
    std::fs::write(out.join("index.bin"), builder.build())?;
    let loader = widget_bundle::write(&out.join("widget"))?;
    std::fs::write(
        out.join("index.html"),
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Help</title></head>\
             <body><h1>Help center</h1><script src=\"widget/{loader}\" async></script></body></html>\n"
        ),
    )?;
    Ok(())
}
