//! `kbgen init <dir>`: writes a small, working knowledge base that shows every part of the
//! content model, so an owner starts from something that builds and edits it into theirs.

use anyhow::{Context, Result};
use include_dir::{include_dir, Dir};
use std::path::Path;
use std::process::ExitCode;

static STARTER: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/starter");

pub fn run(dir: &Path) -> Result<ExitCode> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        anyhow::bail!(
            "{}: exists and is not empty; choose a new folder",
            dir.display()
        );
    }
    write_dir(&STARTER, dir)?;
    println!("created a starter knowledge base in {}", dir.display());
    println!();
    println!("  kbgen.toml                 site title, base URL, support email, languages, widget, categories");
    println!("  articles/en/**/*.md        one article per file, front matter: title, category, questions, ...");
    println!("  rules.toml                 canned answers for the widget");
    println!("  images/                    pictures for your articles");
    println!();
    println!(
        "next: kbgen serve {}    (preview with live reload)",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn write_dir(src: &Dir<'_>, dest: &Path) -> Result<()> {
    std::fs::create_dir_all(dest).with_context(|| format!("creating {}", dest.display()))?;
    for d in src.dirs() {
        std::fs::create_dir_all(dest.join(d.path()))
            .with_context(|| format!("creating {}", d.path().display()))?;
        write_dir(d, dest)?;
    }
    for f in src.files() {
        let path = dest.join(f.path());
        std::fs::write(&path, f.contents())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
