//! The one place that reads a knowledge-base folder: config, articles, rules, theme overrides.
//!
//! Everything after this works on the in-memory [`Kb`]. A folder without `kbgen.toml` is still
//! loaded (with defaults and a warning) so that markdown from other tools, like the evaluation
//! corpora, can be built as-is; its language folders (`en/`, `zh/`) are then detected.

use crate::config::{self, Config};
use crate::diag::Diagnostics;
use crate::frontmatter::{self, FrontMatter};
use crate::rules::{self, RuleDef};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "kbgen.toml";
const ARTICLE_EXTS: &[&str] = &["md", "mdx", "markdown"];
/// Folders of a knowledge base that never hold articles.
const SKIP_DIRS: &[&str] = &[
    "theme",
    "images",
    "node_modules",
    "target",
    "out",
    "_site",
    "public",
];

#[derive(Debug)]
pub struct SourceArticle {
    /// The file, as a path under the knowledge-base folder given on the command line.
    pub path: PathBuf,
    /// Relative to the articles folder, with `/` separators.
    pub rel: String,
    pub id: String,
    pub lang: String,
    pub front: FrontMatter,
    pub title: String,
    pub body: String,
    /// 1-based line of the body's first line, to turn body offsets into file positions.
    pub body_line: usize,
}

#[derive(Debug)]
pub struct Kb {
    pub root: PathBuf,
    pub config: Config,
    pub has_config: bool,
    pub articles: Vec<SourceArticle>,
    pub rules: Vec<RuleDef>,
}

impl Kb {
    /// The theme file `name` from `<kb>/theme/`, when the owner overrides it.
    pub fn theme_override(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join("theme").join(name)).ok()
    }
}

/// Files larger than this are refused with a message instead of read: no help article, rules
/// file or configuration comes near it, and the whole build holds every article in memory
/// several times over (source, HTML, plain text, index).
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// What reading one text file of the knowledge base gave.
pub enum Text {
    Read(String),
    /// The file does not exist (not an error for optional files).
    Absent,
    /// It exists but could not be used; the reason is already in the diagnostics.
    Unusable,
}

/// Reads a text file as UTF-8. Anything else is an error with the position of the first
/// invalid byte, never a lossy or silent fallback: one Latin-1 byte in `rules.toml` once meant
/// "0 rules" and a successful build.
pub fn read_text(path: &Path, diags: &mut Diagnostics) -> Text {
    use std::io::Read;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Text::Absent,
        Err(e) => {
            diags.error(path, 0, 0, format!("cannot read: {e}"));
            return Text::Unusable;
        }
    };
    let mut bytes = Vec::new();
    // One byte more than the limit tells a file at the limit from a larger one, also when the
    // file grows while it is read.
    if let Err(e) = file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        diags.error(path, 0, 0, format!("cannot read: {e}"));
        return Text::Unusable;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
        diags.error(
            path,
            0,
            0,
            format!(
                "file is too large ({} MB; the limit is {} MB): split it into smaller files",
                size >> 20,
                MAX_FILE_BYTES >> 20
            ),
        );
        return Text::Unusable;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Text::Read(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            // The prefix before the first invalid byte is valid UTF-8 by definition.
            let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
            let (line, col) = crate::diag::line_col(valid, at);
            diags.error(
                path,
                line,
                col,
                format!(
                    "not valid UTF-8 (byte 0x{:02X}): save the file as UTF-8",
                    bytes[at]
                ),
            );
            Text::Unusable
        }
    }
}

pub fn load(root: &Path, diags: &mut Diagnostics) -> Kb {
    let config_path = root.join(CONFIG_FILE);
    let (mut config, has_config) = match read_text(&config_path, diags) {
        Text::Read(text) => (config::parse(&text, &config_path, diags), true),
        // The error is reported; go on with defaults so that every other problem shows too.
        Text::Unusable => (Config::default(), true),
        Text::Absent => {
            diags.warn(
                &config_path,
                0,
                0,
                "no kbgen.toml here; building with default settings (`kbgen init` writes one)",
            );
            (Config::default(), false)
        }
    };
    // Theme overrides are read later by name, and one that cannot be read would fall back to the
    // built-in file in silence: a file of the theme that is not UTF-8 fails the build here.
    if let Ok(entries) = std::fs::read_dir(root.join("theme")) {
        for path in entries.flatten().map(|e| e.path()) {
            let text_file = path
                .extension()
                .is_some_and(|e| e == "html" || e == "css" || e == "js");
            if text_file && path.is_file() {
                read_text(&path, diags);
            }
        }
    }
    let articles_dir = if root.join("articles").is_dir() {
        root.join("articles")
    } else {
        root.to_path_buf()
    };
    let mut files = Vec::new();
    walk(&articles_dir, &articles_dir, &mut files, diags);
    files.sort();

    if !has_config {
        // Detect language folders, e.g. dify-docs/{en,zh,ja}.
        let mut langs: Vec<String> = Vec::new();
        for rel in &files {
            if let Some((first, _)) = rel.split_once('/') {
                if looks_like_lang(first) && !langs.iter().any(|l| l == first) {
                    langs.push(first.to_string());
                }
            }
        }
        if langs.is_empty() {
            config.languages = vec![config.default_language.clone()];
        } else {
            if !langs.contains(&config.default_language) {
                config.default_language = langs[0].clone();
            }
            config.languages = langs;
        }
    }

    let mut articles = Vec::new();
    let mut front_langs: Vec<String> = Vec::new();
    for rel in files {
        let path = articles_dir.join(&rel);
        let text = match read_text(&path, diags) {
            Text::Read(t) => t,
            // Unusable is reported; absent means gone since the folder was listed.
            Text::Absent | Text::Unusable => continue,
        };
        let split = frontmatter::split(&text);
        let front = match split.front {
            Some((front, format)) => {
                frontmatter::parse(front, format, split.front_line, &path, diags)
            }
            None => {
                if text.starts_with("---") || text.starts_with("+++") {
                    diags.error(
                        &path,
                        1,
                        1,
                        "front matter is not closed (no second `---` or `+++` line)",
                    );
                }
                FrontMatter::default()
            }
        };
        let folder_lang = rel
            .split_once('/')
            .map(|(f, _)| f)
            .filter(|f| config.languages.iter().any(|l| l == f));
        let lang = front
            .lang
            .clone()
            .or_else(|| folder_lang.map(String::from))
            .unwrap_or_else(|| config.default_language.clone());
        let title = match front.title.clone().filter(|t| !t.is_empty()) {
            Some(t) => t,
            None => match first_h1(split.body) {
                Some(t) => t,
                None => {
                    // Markdown from other tools (no kbgen.toml) still builds; an owner's own
                    // knowledge base must give every article a title.
                    let msg = "missing `title` in front matter";
                    if has_config {
                        diags.error(&path, 1, 1, msg);
                    } else {
                        diags.warn(&path, 1, 1, format!("{msg}; using the file name"));
                    }
                    config::humanize(&stem(&rel))
                }
            },
        };
        if !has_config && !config.languages.contains(&lang) {
            // Without kbgen.toml the articles say which languages there are, in front matter
            // as well as in folder names.
            front_langs.push(lang.clone());
        } else if !config.languages.contains(&lang) {
            diags.warn(
                &path,
                1,
                1,
                format!("language \"{lang}\" is not in `site.languages`; the article is skipped"),
            );
            continue;
        }
        articles.push(SourceArticle {
            id: String::new(),
            rel,
            lang,
            title,
            body: split.body.to_string(),
            body_line: split.body_line,
            front,
            path,
        });
    }
    if !front_langs.is_empty() {
        // The default language (or the folders') may have no article at all now.
        let used: Vec<String> = config
            .languages
            .iter()
            .chain(&front_langs)
            .filter(|l| articles.iter().any(|a: &SourceArticle| &a.lang == *l))
            .fold(Vec::new(), |mut v, l| {
                if !v.contains(l) {
                    v.push(l.clone());
                }
                v
            });
        if !used.contains(&config.default_language) {
            config.default_language = used[0].clone();
        }
        config.languages = used;
    }
    if articles.is_empty() {
        diags.error(
            &articles_dir,
            0,
            0,
            format!(
                "no articles found in {}: write markdown files (.md) there, or run `kbgen init`",
                articles_dir.display()
            ),
        );
    }
    assign_ids(&mut articles, &config);

    let mut rules = Vec::new();
    let mut rules_files = 0;
    for name in ["rules.toml", "rules.yaml", "rules.yml", "rules.json"] {
        let path = root.join(name);
        let Some(format) = rules::Format::of(&path) else {
            continue;
        };
        match read_text(&path, diags) {
            Text::Read(text) => {
                rules_files += 1;
                if rules_files > 1 {
                    diags.warn(&path, 0, 0, "several rules files; all are read");
                }
                rules.extend(rules::parse(&text, format, &path, diags));
            }
            Text::Absent | Text::Unusable => {}
        }
    }
    rules::check_duplicates(&rules, &config.default_language, diags);
    Kb {
        root: root.to_path_buf(),
        config,
        has_config,
        articles,
        rules,
    }
}

/// Ids default to the file name; where that is ambiguous in one language (several `index.md`),
/// the path inside the language folder is used instead, so every default id is unique.
fn assign_ids(articles: &mut [SourceArticle], config: &Config) {
    let in_lang = |a: &SourceArticle| -> String {
        match a.rel.split_once('/') {
            Some((first, rest)) if config.languages.iter().any(|l| l == first) => rest.to_string(),
            _ => a.rel.clone(),
        }
    };
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for a in articles.iter() {
        *counts.entry((a.lang.clone(), stem(&a.rel))).or_default() += 1;
    }
    for a in articles.iter_mut() {
        a.id = match &a.front.id {
            Some(id) if !id.is_empty() => id.clone(),
            _ => {
                let s = stem(&a.rel);
                let generic = matches!(s.to_lowercase().as_str(), "index" | "readme" | "_index");
                if counts[&(a.lang.clone(), s.clone())] > 1 || generic {
                    let p = in_lang(a);
                    let p = p.rsplit_once('.').map_or(p.as_str(), |(s, _)| s);
                    let p = if generic {
                        p.rsplit_once('/').map_or(p, |(d, _)| d)
                    } else {
                        p
                    };
                    p.replace('/', "-")
                } else {
                    s
                }
            }
        };
    }
}

fn stem(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.').map_or(name, |(s, _)| s).to_string()
}

fn first_h1(body: &str) -> Option<String> {
    body.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("import ") && !l.starts_with("export "))
        .and_then(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
}

fn looks_like_lang(s: &str) -> bool {
    let (main, region) = s.split_once('-').unwrap_or((s, ""));
    (2..=3).contains(&main.len())
        && main.chars().all(|c| c.is_ascii_lowercase())
        && (region.is_empty()
            || (2..=4).contains(&region.len()) && region.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn walk(dir: &Path, base: &Path, out: &mut Vec<String>, diags: &mut Diagnostics) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.error(dir, 0, 0, format!("cannot read folder: {e}"));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if dir == base && SKIP_DIRS.contains(&name.as_str()) {
                continue;
            }
            walk(&path, base, out, diags);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ARTICLE_EXTS.contains(&e))
        {
            match path.strip_prefix(base).map(|rel| rel.to_str()) {
                Ok(Some(rel)) => out.push(rel.replace('\\', "/")),
                // A lossy name would point at no file, and the article would vanish in silence.
                Ok(None) => diags.error(
                    &path,
                    0,
                    0,
                    "the file name is not valid UTF-8: rename the file",
                ),
                Err(_) => {}
            }
        }
    }
}
