//! The one place that reads a knowledge-base folder: config, articles, rules, theme overrides.
//!
//! Everything after this works on the in-memory [`Kb`]. A folder without `kbgen.toml` is still
//! loaded (with defaults and a warning) so that markdown from other tools, like the evaluation
//! corpora, can be built as-is; its language folders (`en/`, `zh/`) are then detected.

use crate::config::{self, Config};
use crate::diag::Diagnostics;
use crate::frontmatter::{self, FrontMatter};
use crate::rules::{self, RuleDef};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "kbgen.toml";
const ARTICLE_EXTS: &[&str] = &["md", "mdx", "markdown"];
/// Folders of a knowledge base that hold no articles besides [`crate::skip::GENERATED_DIRS`].
const KB_DIRS: &[&str] = &["theme", "images"];

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
    /// `root` with symlinks resolved: nothing outside it may reach the output.
    pub root_canon: PathBuf,
    /// The files under `images/`, by their path in the output (`images/...`).
    pub images: BTreeMap<String, PathBuf>,
    /// Every place an article's image may be (see `site::image_candidates`) that is a file, with
    /// its canonical path: image links are resolved against this, without the disk.
    pub image_files: HashMap<PathBuf, PathBuf>,
    /// The theme overrides under `<kb>/theme/` (HTML, CSS and JS), by their path there.
    pub theme: BTreeMap<String, String>,
    /// `site.logo` as its path in the output and the file it is copied from, once checked.
    pub logo: Option<(String, PathBuf)>,
    pub config: Config,
    pub has_config: bool,
    pub articles: Vec<SourceArticle>,
    pub rules: Vec<RuleDef>,
}

/// Ids an article cannot take because the site uses these names for its own pages.
const RESERVED_IDS: &[&str] = &[
    "category",
    "search",
    "feed.xml",
    "index.html",
    "assets",
    "widget",
    "images",
    "_kbgen",
    "_demo",
];
/// Ids become file names (`<lang>/<id>/index.html`, `widget/articles/<lang>/<id>.html`).
const MAX_ID_BYTES: usize = 100;

impl Kb {
    /// The theme file `name` from `<kb>/theme/`, when the owner overrides it (never a file outside
    /// the knowledge base, which `load` reports).
    pub fn theme_override(&self, name: &str) -> Option<String> {
        self.theme.get(name).cloned()
    }
}

/// The logo as its path in the output and its file, or an error at `logo` in `kbgen.toml`.
fn check_logo(
    root: &Path,
    root_canon: &Path,
    logo: &str,
    config_text: &str,
    diags: &mut Diagnostics,
) -> Option<(String, PathBuf)> {
    let rel = logo.trim_start_matches('/');
    let src = root.join(rel);
    let problem = match inside(root_canon, &src) {
        Ok(true) if src.is_file() => return Some((rel.to_string(), src)),
        Ok(_) if src.is_dir() => format!("logo is a folder: `{logo}`"),
        Ok(true) | Err(_) => format!("logo not found: `{logo}`"),
        Ok(false) => {
            format!("logo `{logo}` is outside the knowledge-base folder; it is not published")
        }
    };
    let line = config::key_line(config_text, "logo");
    diags.error(&root.join(CONFIG_FILE), line, 1, problem);
    None
}

/// Looks up every file an article's images may name, so that rendering never reads the disk.
fn image_files(root: &Path, articles: &[SourceArticle]) -> HashMap<PathBuf, PathBuf> {
    let mut probed: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    for a in articles {
        for src in crate::markdown::image_sources(&a.body) {
            let Some(candidates) = crate::site::image_candidates(root, &a.path, &src) else {
                continue;
            };
            for p in candidates {
                probed
                    .entry(p)
                    .or_insert_with_key(|p| p.is_file().then(|| p.canonicalize().ok()).flatten());
            }
        }
    }
    probed
        .into_iter()
        .filter_map(|(p, canon)| Some((p, canon?)))
        .collect()
}

/// The folder articles are read from: `articles/`, or the knowledge base's own folder.
fn articles_dir(root: &Path) -> PathBuf {
    if root.join("articles").is_dir() {
        root.join("articles")
    } else {
        root.to_path_buf()
    }
}

/// Reads the article at `path` again into `kb`, for `kbgen serve` after an edit: `Some` with its
/// path as `kb` names it and its problems when `kb` has an article there and it keeps its
/// language, id and draft state, so that no other article's address or listing changes; `None`
/// when only a full [`load`] tells what the edit did (the file is new, gone, moved to another
/// language or id).
pub fn reload_article(kb: &mut Kb, path: &Path) -> Option<(PathBuf, Diagnostics)> {
    let same = |a: &SourceArticle| {
        a.path == path
            || (a.path.file_name() == path.file_name()
                && a.path.canonicalize().ok() == path.canonicalize().ok())
    };
    let i = kb.articles.iter().position(same)?;
    let old = &kb.articles[i];
    let mut diags = Diagnostics::default();
    let mut front_langs = Vec::new();
    let mut new = read_article(
        &articles_dir(&kb.root),
        old.rel.clone(),
        &kb.config,
        kb.has_config,
        &mut front_langs,
        &mut diags,
    )?;
    let kept = front_langs.is_empty()
        && new.lang == old.lang
        && new.front.id == old.front.id
        && new.front.draft == old.front.draft;
    if !kept {
        return None;
    }
    new.id = old.id.clone();
    kb.image_files
        .extend(image_files(&kb.root, std::slice::from_ref(&new)));
    let path = new.path.clone();
    kb.articles[i] = new;
    Some((path, diags))
}

/// Whether `path` (which exists) is inside `root_canon` once its symlinks are resolved.
pub fn inside(root_canon: &Path, path: &Path) -> std::io::Result<bool> {
    Ok(path.canonicalize()?.starts_with(root_canon))
}

/// Why `id` cannot name an article, with a suggestion; ids are file and folder names of the
/// site, and the address the widget fetches, so only a safe set passes: lowercase letters (of any
/// script), digits, `-`, `_` and `.`, not first, at most 100 bytes, none of the site's own names.
pub fn check_id(id: &str) -> Result<(), String> {
    let shown = id.escape_debug();
    let suggest = || {
        let s = id_slug(id);
        if RESERVED_IDS.contains(&s.as_str()) {
            format!(
                "{}-article",
                s.trim_end_matches(".html").trim_end_matches(".xml")
            )
        } else {
            s
        }
    };
    if RESERVED_IDS.contains(&id) {
        return Err(format!(
            "id \"{shown}\" is reserved: the site uses that name for its own pages (use \"{}\")",
            suggest()
        ));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(format!(
            "id is {} bytes long; ids become file names, so at most {MAX_ID_BYTES} bytes (use \"{}\")",
            id.len(),
            suggest()
        ));
    }
    if id.starts_with('.') || !id.chars().all(id_char) {
        return Err(format!(
            "id \"{shown}\" cannot be a page address: use lowercase letters, digits, `-`, `_` and `.` (not first), like \"{}\"",
            suggest()
        ));
    }
    Ok(())
}

fn id_char(c: char) -> bool {
    (c.is_alphanumeric() && !c.is_uppercase()) || matches!(c, '-' | '_' | '.')
}

/// An id made of `text` (a file name or path): lowercased, every run of other characters one
/// `-`, cut to the length limit. Ids derived from file names go through this, so they always pass
/// [`check_id`] unless reserved.
pub fn id_slug(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if id_char(c) && c != '-' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            if !(out.is_empty() && c == '.') {
                out.push(c);
            }
        } else {
            dash = true;
        }
        if out.len() >= MAX_ID_BYTES - 4 {
            break;
        }
    }
    if out.is_empty() {
        "article".into()
    } else {
        out
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
    let root_canon = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let (mut config, has_config, config_text) = read_config(root, &root_canon, diags);
    let articles_dir = articles_dir(root);
    let files = article_files(&root_canon, &articles_dir, has_config, diags);
    if !has_config {
        detect_languages(&articles_dir, &files, &mut config);
    }

    // Read and parsed on all cores (a second of a 50,000-article build on one), then taken in
    // the folder's order, their problems too.
    let read = crate::site::parallel_map(&files, |rel| {
        let (mut langs, mut found) = (Vec::new(), Diagnostics::default());
        let article = read_article(
            &articles_dir,
            rel.clone(),
            &config,
            has_config,
            &mut langs,
            &mut found,
        );
        (article, langs, found)
    });
    let mut articles = Vec::new();
    let mut front_langs: Vec<String> = Vec::new();
    for (article, langs, found) in read {
        articles.extend(article);
        front_langs.extend(langs);
        diags.extend(found);
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
    name_untitled(&mut config);
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
    let from_files = assign_ids(&mut articles, &config);
    if !has_config {
        foreign_ids(&mut articles, from_files, diags);
    }

    let rules = read_rules(root, &root_canon, has_config, diags);
    rules::check_duplicates(&rules, &config.default_language, diags);
    let theme = read_theme(root, &root_canon, has_config, diags);
    let logo = config
        .logo
        .as_deref()
        .and_then(|logo| check_logo(root, &root_canon, logo, &config_text, diags));
    let image_files = image_files(root, &articles);
    let images = walk(&root_canon, &root.join("images"), false, has_config, diags)
        .into_iter()
        .filter_map(|p| {
            let rel = p
                .strip_prefix(root)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((rel, p))
        })
        .collect();
    Kb {
        root: root.to_path_buf(),
        root_canon,
        images,
        image_files,
        theme,
        logo,
        config,
        has_config,
        articles,
        rules,
    }
}

/// `kbgen.toml`, parsed, whether there is one, and its text (for the lines of later messages).
fn read_config(root: &Path, root_canon: &Path, diags: &mut Diagnostics) -> (Config, bool, String) {
    let config_path = root.join(CONFIG_FILE);
    let mut config_text = String::new();
    let (config, has_config) = match read_inside(root_canon, &config_path, true, diags) {
        Text::Read(text) => {
            let config = config::parse(&text, &config_path, diags);
            config_text = text;
            (config, true)
        }
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
    (config, has_config, config_text)
}

/// The article files under `articles_dir`, relative to it with `/` separators, sorted.
fn article_files(
    root_canon: &Path,
    articles_dir: &Path,
    has_config: bool,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let mut files: Vec<String> = walk(root_canon, articles_dir, true, has_config, diags)
        .into_iter()
        .filter(|p| is_article_file(p))
        .filter_map(|p| match p.strip_prefix(articles_dir).map(Path::to_str) {
            Ok(Some(rel)) => Some(rel.replace('\\', "/")),
            // A lossy name would point at no file, and the article would vanish in silence.
            Ok(None) => {
                diags.error(
                    &p,
                    0,
                    0,
                    "the file name is not valid UTF-8: rename the file",
                );
                None
            }
            Err(_) => None,
        })
        .collect();
    files.sort();

    files
}

/// The site's settings as a build takes them, without reading the articles (for the widget's tag,
/// which must name the site as the help center does): kbgen.toml's, else the defaults with the
/// languages of the folder ([`detect_languages`]), and the name of an untitled site.
pub fn site_config(root: &Path) -> Config {
    let mut config = config::read_or_default(root);
    if !root.join(CONFIG_FILE).is_file() {
        let root_canon = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let articles_dir = articles_dir(root);
        let mut quiet = Diagnostics::default();
        let files = article_files(&root_canon, &articles_dir, false, &mut quiet);
        detect_languages(&articles_dir, &files, &mut config);
    }
    name_untitled(&mut config);
    config
}

/// With no title given, the help center's name in each language's words: not English on a
/// Chinese site.
fn name_untitled(config: &mut Config) {
    if config.title == Config::default().title {
        config.title = config::Localized(
            config
                .languages
                .iter()
                .map(|l| (l.clone(), crate::strings::default_title(l).to_string()))
                .chain([("*".to_string(), "Help Center".to_string())])
                .collect(),
        );
    }
}

/// Without `kbgen.toml`: the languages from the files' first folders, or without such folders
/// the language the articles are written in ([`written_language`]).
fn detect_languages(articles_dir: &Path, files: &[String], config: &mut Config) {
    // Detect language folders, e.g. dify-docs/{en,zh,ja}, by real language codes (a `src/` or
    // `api/` folder is not a language), and only when they hold at least half of the files:
    // pingcap's Chinese docs have a `br/` folder (backup and restore, not Breton) beside
    // hundreds of pages at the top.
    let mut langs: Vec<String> = Vec::new();
    let mut in_langs = 0;
    for rel in files {
        if let Some((first, _)) = rel.split_once('/') {
            if config::is_known_language(first) {
                in_langs += 1;
                if !langs.iter().any(|l| l == first) {
                    langs.push(first.to_string());
                }
            }
        }
    }
    if in_langs * 2 < files.len() {
        langs.clear();
    }
    if langs.is_empty() {
        if let Some(lang) = written_language(articles_dir, files) {
            config.default_language = lang.into();
        }
        config.languages = vec![config.default_language.clone()];
    } else {
        if !langs.contains(&config.default_language) {
            config.default_language = langs[0].clone();
        }
        config.languages = langs;
    }
}

/// The language most of `files` are written in when their script tells it (Chinese, Japanese,
/// Korean, Arabic: [`crate::import::script_language`]), so that Chinese documentation built
/// without `kbgen.toml` gets a Chinese interface and `lang`, not an English one. Reads the prose
/// (code blocks are English in any language) of the first 16 KB of at most 200 files spread over
/// the folder; `None` for Latin text, or when no one script has more than half of the files.
fn written_language(articles_dir: &Path, files: &[String]) -> Option<&'static str> {
    use std::io::Read;
    const SAMPLE: usize = 200;
    let mut votes: Vec<(&'static str, usize)> = Vec::new();
    let mut sampled = 0;
    for rel in files.iter().step_by(files.len().div_ceil(SAMPLE).max(1)) {
        let mut head = Vec::new();
        let read = std::fs::File::open(articles_dir.join(rel))
            .and_then(|f| f.take(16 * 1024).read_to_end(&mut head));
        if read.is_err() {
            continue;
        }
        sampled += 1;
        let text = String::from_utf8_lossy(&head);
        let mut in_code = false;
        let prose: String = text
            .lines()
            .filter(|line| {
                let fence =
                    line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~");
                in_code ^= fence;
                !in_code && !fence
            })
            .collect::<Vec<_>>()
            .join("\n");
        if let Some(lang) = crate::import::script_language(&prose) {
            match votes.iter_mut().find(|(l, _)| *l == lang) {
                Some((_, n)) => *n += 1,
                None => votes.push((lang, 1)),
            }
        }
    }
    votes
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .filter(|&(_, n)| n * 2 > sampled)
        .map(|(lang, _)| lang)
}

/// One article file: its front matter, language and title; `None` when it cannot be read or its
/// language is not the site's (reported). Without `kbgen.toml`, a language only front matter names
/// goes to `front_langs`.
fn read_article(
    articles_dir: &Path,
    rel: String,
    config: &Config,
    has_config: bool,
    front_langs: &mut Vec<String>,
    diags: &mut Diagnostics,
) -> Option<SourceArticle> {
    let path = articles_dir.join(&rel);
    let text = match read_text(&path, diags) {
        Text::Read(t) => t,
        // Unusable is reported; absent means gone since the folder was listed.
        Text::Absent | Text::Unusable => return None,
    };
    let split = frontmatter::split(&text);
    let front = match split.front {
        Some((front, format)) => {
            let mut found = Diagnostics::default();
            let front = frontmatter::parse(front, format, split.front_line, &path, &mut found);
            // Another tool's front matter (`title: {{display_name}}`) is its own business:
            // what would stop an owner's build is a warning there.
            if !has_config {
                for d in &mut found.items {
                    d.severity = crate::diag::Severity::Warning;
                }
            }
            diags.extend(found);
            front
        }
        None => {
            if text.starts_with("---") || text.starts_with("+++") {
                let msg = "front matter is not closed (no second `---` or `+++` line)";
                if has_config {
                    diags.error(&path, 1, 1, msg);
                } else {
                    diags.warn(&path, 1, 1, msg);
                }
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
        return None;
    }
    Some(SourceArticle {
        id: String::new(),
        rel,
        lang,
        title,
        body: split.body.to_string(),
        body_line: split.body_line,
        front,
        path,
    })
}

/// The rules files at the root (`rules.toml`, `.yaml`, `.yml`, `.json`), all of them.
fn read_rules(
    root: &Path,
    root_canon: &Path,
    has_config: bool,
    diags: &mut Diagnostics,
) -> Vec<RuleDef> {
    // Every rules file is read: `kbgen import` writes rules.toml beside the brief's hand-written
    // rules.json, which is no mistake; a rule id used twice across them is (`check_duplicates`).
    let mut rules = Vec::new();
    for name in ["rules.toml", "rules.yaml", "rules.yml", "rules.json"] {
        let path = root.join(name);
        let Some(format) = rules::Format::of(&path) else {
            continue;
        };
        match read_inside(root_canon, &path, has_config, diags) {
            Text::Read(text) => rules.extend(rules::parse(&text, format, &path, diags)),
            Text::Absent | Text::Unusable => {}
        }
    }
    rules
}

/// The theme's HTML, CSS and JS overrides, by their path under `theme/`.
fn read_theme(
    root: &Path,
    root_canon: &Path,
    has_config: bool,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    // Theme overrides become every page: the walk reports one that points outside the knowledge
    // base, and leaves it out. A file of the theme that is not UTF-8 fails the build here rather
    // than falling back to the built-in file in silence.
    let theme_dir = root.join("theme");
    let mut theme = BTreeMap::new();
    for path in walk(root_canon, &theme_dir, false, has_config, diags) {
        if path
            .extension()
            .is_some_and(|e| e == "html" || e == "css" || e == "js")
        {
            if let Text::Read(text) = read_text(&path, diags) {
                let name = path.strip_prefix(&theme_dir).unwrap_or(&path);
                theme.insert(name.to_string_lossy().replace('\\', "/"), text);
            }
        }
    }
    theme
}

/// Ids default to the file name; where that is ambiguous in one language (several `index.md`),
/// the path inside the language folder is used instead, so every default id is unique.
fn assign_ids(articles: &mut [SourceArticle], config: &Config) -> Vec<String> {
    let in_lang = |a: &SourceArticle| -> String {
        match a.rel.split_once('/') {
            Some((first, rest)) if config.languages.iter().any(|l| l == first) => rest.to_string(),
            _ => a.rel.clone(),
        }
    };
    // By the id a name gives, so `BigQuery-setup.md` and `bigquery-setup.md` count as one.
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for a in articles.iter() {
        *counts
            .entry((a.lang.clone(), id_slug(&stem(&a.rel))))
            .or_default() += 1;
    }
    let mut from_files = Vec::with_capacity(articles.len());
    for a in articles.iter_mut() {
        let s = stem(&a.rel);
        let generic = matches!(s.to_lowercase().as_str(), "index" | "readme" | "_index");
        let from_file = if counts[&(a.lang.clone(), id_slug(&s))] > 1 || generic {
            let p = in_lang(a);
            let p = p.rsplit_once('.').map_or(p.as_str(), |(s, _)| s);
            let p = if generic {
                p.rsplit_once('/').map_or(p, |(d, _)| d)
            } else {
                p
            };
            id_slug(p)
        } else {
            id_slug(&s)
        };
        a.id = match &a.front.id {
            Some(id) if !id.is_empty() => id.clone(),
            _ => from_file.clone(),
        };
        from_files.push(from_file);
    }
    from_files
}

/// Markdown from another tool (no kbgen.toml) may use `id:` for something of its own (segment's
/// docs give one id to several pages, or write `XE0vf1bTDh`) and name a file after one of the
/// site's own pages (`search.md`). Such an id would stop the build, so each is replaced, with a
/// warning, by the id the file name gives (kept unique); an owner's own knowledge base gets
/// errors instead (`site::build`), since there an id is a promise.
fn foreign_ids(articles: &mut [SourceArticle], from_files: Vec<String>, diags: &mut Diagnostics) {
    let mut front_uses: HashMap<(&str, &str), usize> = HashMap::new();
    for a in articles.iter() {
        if let Some(id) = a.front.id.as_deref().filter(|id| !id.is_empty()) {
            *front_uses.entry((a.lang.as_str(), id)).or_default() += 1;
        }
    }
    let problems: Vec<Option<String>> = articles
        .iter()
        .map(|a| {
            let shown = a.id.escape_debug();
            let from_front = a.front.id.as_ref() == Some(&a.id);
            let uses = front_uses.get(&(a.lang.as_str(), a.id.as_str())).copied();
            match (from_front, uses, check_id(&a.id)) {
                (true, Some(n), _) if n > 1 => Some(format!(
                    "front matter id \"{shown}\" is shared by {n} files, so it does not name this article"
                )),
                (true, _, Err(_)) => Some(format!(
                    "front matter id \"{shown}\" cannot be a page address"
                )),
                (false, _, Err(e)) => Some(e.split(" (use").next().unwrap_or(&e).to_string()),
                _ => None,
            }
        })
        .collect();
    let mut taken: HashSet<(String, String)> = articles
        .iter()
        .zip(&problems)
        .filter(|(_, p)| p.is_none())
        .map(|(a, _)| (a.lang.clone(), a.id.clone()))
        .collect();
    for ((a, problem), from_file) in articles.iter_mut().zip(problems).zip(from_files) {
        let Some(problem) = problem else { continue };
        let base = if RESERVED_IDS.contains(&from_file.as_str()) {
            format!("{from_file}-article")
        } else {
            from_file
        };
        let mut id = base.clone();
        let mut n = 1;
        while taken.contains(&(a.lang.clone(), id.clone())) {
            n += 1;
            id = format!("{base}-{n}");
        }
        diags.warn(&a.path, 1, 1, format!("{problem}; using \"{id}\""));
        taken.insert((a.lang.clone(), id.clone()));
        a.id = id;
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

/// Reads a text file of the knowledge base (see [`read_text`]) that must not be a link to a file
/// outside it.
fn read_inside(root_canon: &Path, path: &Path, has_config: bool, diags: &mut Diagnostics) -> Text {
    match inside(root_canon, path) {
        Ok(true) => read_text(path, diags),
        Ok(false) => {
            let msg =
                "is a symbolic link to a file outside the knowledge-base folder; it is not read";
            if has_config {
                diags.error(path, 0, 0, msg);
            } else {
                diags.warn(path, 0, 0, msg);
            }
            Text::Unusable
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Text::Absent,
        // `read_text` says what is wrong with it.
        Err(_) => read_text(path, diags),
    }
}

/// Every file under `dir` (none when it does not exist), following symbolic links that stay
/// inside the knowledge base. A link that leads outside it is an error (a warning without
/// kbgen.toml) and is left out, so nothing outside the folder reaches the output; a link loop or
/// a link to nothing is a warning and is skipped. Names starting with `.` are skipped, and in the
/// articles folder (`articles`) also [`KB_DIRS`] and [`crate::skip::GENERATED_DIRS`] at the top.
fn walk(
    root_canon: &Path,
    dir: &Path,
    articles: bool,
    has_config: bool,
    diags: &mut Diagnostics,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    // Markdown in hidden folders (`.github/`): not articles, but said once, without kbgen.toml,
    // since other tools (mdBook) build them.
    let mut hidden: (usize, Option<PathBuf>) = (0, None);
    if !dir.is_dir() {
        return files;
    }
    if !inside(root_canon, dir).unwrap_or(false) {
        let msg =
            "is a symbolic link to a folder outside the knowledge-base folder; it is left out";
        if has_config {
            diags.error(dir, 0, 0, msg);
        } else {
            diags.warn(dir, 0, 0, msg);
        }
        return files;
    }
    let mut it = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(next) = it.next() {
        let entry = match next {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                let msg = if let Some(ancestor) = e.loop_ancestor() {
                    format!(
                        "symbolic link loop: it leads back to {}; skipped",
                        ancestor.display()
                    )
                } else if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink()) {
                    "symbolic link that leads nowhere (a loop of links or a missing target); skipped".into()
                } else {
                    match e.io_error() {
                        Some(io) => format!("cannot read: {}", crate::output::plain_io(io)),
                        None => format!("cannot read: {e}"),
                    }
                };
                diags.warn(&path, 0, 0, msg);
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        let is_dir = entry.file_type().is_dir();
        let skip = crate::skip::hidden(&name)
            || (articles
                && is_dir
                && entry.depth() == 1
                && (KB_DIRS.contains(&name.as_ref()) || crate::skip::skipped_dir(&name)));
        if !skip && entry.path_is_symlink() {
            match inside(root_canon, entry.path()) {
                Ok(true) => {}
                Ok(false) => {
                    let msg = "is a symbolic link to a file or folder outside the knowledge-base folder; it is left out";
                    if has_config {
                        diags.error(entry.path(), 0, 0, msg);
                    } else {
                        diags.warn(entry.path(), 0, 0, msg);
                    }
                    if is_dir {
                        it.skip_current_dir();
                    }
                    continue;
                }
                Err(e) => {
                    diags.warn(
                        entry.path(),
                        0,
                        0,
                        format!(
                            "cannot resolve the symbolic link: {}",
                            crate::output::plain_io(&e)
                        ),
                    );
                    continue;
                }
            }
        }
        if skip {
            if articles && !has_config && name.starts_with('.') {
                let found = walkdir::WalkDir::new(entry.path())
                    .sort_by_file_name()
                    .into_iter()
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_file() && is_article_file(e.path()));
                for e in found {
                    hidden.0 += 1;
                    hidden.1.get_or_insert_with(|| e.into_path());
                }
            }
            if is_dir {
                it.skip_current_dir();
            }
            continue;
        }
        if !is_dir {
            files.push(entry.into_path());
        }
    }
    if let (n, Some(example)) = hidden {
        let msg = if n == 1 {
            "this markdown file is in a hidden folder (its name starts with `.`), so it is not built".to_string()
        } else {
            format!("this and {} other markdown files are in hidden folders (names starting with `.`), so they are not built", n - 1)
        };
        diags.warn(&example, 0, 0, msg);
    }
    files
}

fn is_article_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ARTICLE_EXTS.contains(&e))
}
