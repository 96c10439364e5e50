//! The knowledge base's `kbgen.toml`: site identity, languages, widget settings and categories.
//!
//! Parsed by hand from a TOML table rather than derived, so that one run reports every wrong or
//! unknown key with its line instead of stopping at the first one.

/// The right-to-left languages, one list with the widget (`widget/src/i18n/rtl.rs`).
#[path = "../../widget/src/i18n/rtl.rs"]
mod rtl;

use crate::diag::{nearest, Diagnostics};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Text given per language, e.g. `title = { en = "Orders", zh = "订单" }`; a plain string applies
/// to every language.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Localized(pub BTreeMap<String, String>);

impl Localized {
    /// The text in `lang`, else in `fallback`, else any.
    pub fn get(&self, lang: &str, fallback: &str) -> Option<&str> {
        self.0
            .get(lang)
            .or_else(|| self.0.get(fallback))
            .or_else(|| self.0.get("*"))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
    }

    /// The text in `lang`, else the one for every language; unlike [`Localized::get`] never
    /// another language's, for words of the interface, whose built-ins are already translated.
    pub fn exact(&self, lang: &str) -> Option<&str> {
        self.0
            .get(lang)
            .or_else(|| self.0.get("*"))
            .map(String::as_str)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Category {
    pub id: String,
    pub order: i64,
    pub title: Localized,
    pub description: Localized,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    Right,
    Left,
    /// The side where the page's text starts: the left in English, the right in Arabic.
    Start,
    /// The side where the page's text ends (the default): the right in English, the left in
    /// Arabic, away from a footer's links, which start on the other side.
    End,
}

impl Position {
    pub fn as_str(self) -> &'static str {
        match self {
            Position::Right => "right",
            Position::Left => "left",
            Position::Start => "start",
            Position::End => "end",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The site's name, per language if the owner gives translations (see [`Config::title`]).
    pub title: Localized,
    /// Always ends with `/`; its path part is the base path pages are served under.
    pub base_url: String,
    pub support_email: String,
    pub default_language: String,
    pub languages: Vec<String>,
    pub brand_color: String,
    pub logo: Option<String>,
    pub description: Localized,
    /// Index postings above this many KiB are split into shards of about this size, which
    /// the widget and the search page fetch as searches need them (0: never split).
    pub index_shard_kb: usize,
    /// `[site] raw_html = true`: the help center's article pages keep HTML written in markdown
    /// as-is instead of sanitising it; the widget's copies and rule answers are sanitised always.
    pub raw_html: bool,
    pub widget_enabled: bool,
    pub position: Position,
    /// The launcher's distance in px from the side (`offset_x`) and the bottom of the window
    /// (`offset_y`, and `offset_y_mobile` on phones); `None`: the widget's default, 20 px.
    pub offset_x: Option<u32>,
    pub offset_y: Option<u32>,
    pub offset_y_mobile: Option<u32>,
    pub greeting: Localized,
    /// `[widget] ticket_url`: the owner's form endpoint, where the widget POSTs tickets as JSON
    /// before falling back to email; checked to be `https://` (or `http://` on localhost).
    pub ticket_url: Option<String>,
    /// The owner's words for the help center's and the widget's interface, by string key
    /// (`[site.strings]`, `[widget.strings]`).
    pub site_strings: BTreeMap<String, Localized>,
    pub widget_strings: BTreeMap<String, Localized>,
    /// Sorted by `order`, then id.
    pub categories: Vec<Category>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: Localized([("*".to_string(), "Help Center".to_string())].into()),
            base_url: "/".into(),
            support_email: String::new(),
            default_language: "en".into(),
            languages: Vec::new(),
            brand_color: "#2456c7".into(),
            logo: None,
            description: Localized::default(),
            index_shard_kb: DEFAULT_SHARD_KB,
            raw_html: false,
            widget_enabled: true,
            position: Position::End,
            offset_x: None,
            offset_y: None,
            offset_y_mobile: None,
            greeting: Localized::default(),
            ticket_url: None,
            site_strings: BTreeMap::new(),
            widget_strings: BTreeMap::new(),
            categories: Vec::new(),
        }
    }
}

impl Config {
    /// The path part of `base_url`, with leading and trailing `/`, e.g. `/help/`.
    pub fn base_path(&self) -> String {
        let rest = match self.base_url.find("://") {
            Some(i) => {
                let after = &self.base_url[i + 3..];
                after.find('/').map_or("/", |j| &after[j..])
            }
            None => self.base_url.as_str(),
        };
        let trimmed = rest.trim_matches('/');
        if trimmed.is_empty() {
            "/".into()
        } else {
            format!("/{trimmed}/")
        }
    }

    /// The absolute URL of a site-relative path, for canonical links, sitemaps and feeds.
    pub fn absolute(&self, rel: &str) -> String {
        if self.base_url.contains("://") {
            format!("{}{}", self.base_url, rel)
        } else {
            format!("{}{}", self.base_path(), rel)
        }
    }

    /// The site's name in `lang`, else in the default language.
    pub fn title(&self, lang: &str) -> &str {
        self.title
            .get(lang, &self.default_language)
            .unwrap_or_default()
    }

    /// The site's description in `lang`, else in the default language; may be empty.
    pub fn description(&self, lang: &str) -> &str {
        self.description
            .get(lang, &self.default_language)
            .unwrap_or_default()
    }

    /// True when `lang` is written right to left, by the widget's own list.
    pub fn is_rtl(lang: &str) -> bool {
        rtl::is_rtl(lang)
    }
}

/// Postings of about a hundred long articles: a knowledge base smaller than that fetches its
/// whole index at once (one request beats several); a larger one has its postings cut into
/// shards of a sixteenth of it (2 KiB), and a search fetches those of its words only. Measured with
/// kbgen/bench/first_search.sh (first search, gzip, against Pagefind): shards of 256 KiB made the
/// dify help center's Chinese "知识库" fetch 538.9 KB against Pagefind's 169.6 KB, of 64 KiB
/// 361.7 KB, of 32 KiB 224.1 KB (1.32×; "工作流 变量" 1.67×), of 16 KiB 190.2 (1.12×; 1.35×), of
/// 8 KiB 169.6 (1.00×; 1.16×), of 6 KiB 164.4 (0.97×; 1.11×), with as many files fetched; sendgrid
/// (en) went from 0.82-0.96× at 32 KiB to 0.72-0.75× at 8. Once the shards carried their Chinese
/// terms' text (index format 5), 8 KiB gave dify 0.82/1.02/0.92× on its three queries, 5.3 KiB
/// 0.78/0.96/0.86× and 4 KiB 0.75/0.92/0.81× (sendgrid 0.72/0.69/0.70×), with twice the shard
/// files of 8 (275 on dify's three languages). Once the shards also carried the text of terms of
/// one article, the dfs of their terms and where their checkpoints' postings start (format 7),
/// 2 KiB gave pingcap's Chinese docs 0.96/0.86/0.97× against 4 KiB's 0.99/0.90/1.01×, dify
/// 0.62/0.76/0.67× (0.66/0.82/0.72×), segment 0.71/0.86/0.91× (0.72/0.87/0.93×), sendgrid
/// 0.64-0.68× (0.66-0.69×) and a 50,000-article base 0.37/0.89×, the index file growing by the
/// shards' starts (pingcap 49.0 → 51.4 KB gzip).
pub const DEFAULT_SHARD_KB: usize = 32;

const SECTIONS: &[&str] = &["site", "widget", "categories", "desk"];
const SITE_KEYS: &[&str] = &[
    "title",
    "base_url",
    "support_email",
    "default_language",
    "languages",
    "brand_color",
    "logo",
    "description",
    "strings",
    "index_shard_kb",
    "raw_html",
];
const WIDGET_KEYS: &[&str] = &[
    "enabled",
    "position",
    "offset_x",
    "offset_y",
    "offset_y_mobile",
    "greeting",
    "strings",
    "ticket_url",
];
/// The launcher's offsets, in px, are at most this (the loader ignores larger ones).
pub const MAX_OFFSET: u32 = 600;
const CATEGORY_KEYS: &[&str] = &["order", "title", "description"];

/// Checks a form endpoint: an absolute `https://` URL, or `http://` to this machine only (a
/// ticket holds the visitor's address and words, which must not cross the network in the clear).
fn ticket_url(s: &str) -> Result<String, String> {
    let u = url::Url::parse(s.trim()).map_err(|e| format!("is not a URL ({e}): {s:?}"))?;
    let local = matches!(
        u.host(),
        Some(url::Host::Domain("localhost"))
            | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
            | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
    );
    match u.scheme() {
        "https" if u.host().is_some() => Ok(u.to_string()),
        "http" if local => Ok(u.to_string()),
        "http" => Err(format!(
            "must use https:// (http:// only for localhost), not {s:?}"
        )),
        _ => Err(format!("must be an https:// URL, not {s:?}")),
    }
}

/// The owner's settings that still name an example address (the starter's
/// `https://example.com/help/` and `help@example.com`, or any host under a domain reserved for
/// examples: `example.com`, `.org`, `.net`, and the `.example`, `.test` and `.invalid` names),
/// each with what it breaks: the snippet would load the widget from nowhere, visitors' tickets
/// would go nowhere.
pub fn example_addresses(config: &Config) -> Vec<String> {
    let reserved = |host: &str| {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        ["example.com", "example.org", "example.net"]
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
            || [".example", ".test", ".invalid"]
                .iter()
                .any(|t| host.ends_with(t))
    };
    let mut out = Vec::new();
    let base_host = config
        .base_url
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', ':', '?', '#']).next().unwrap_or(""));
    if base_host.is_some_and(reserved) {
        out.push(format!(
            "site.base_url is an example address ({}): the pages' links, the sitemap and the widget's snippet point there; set it to where you publish the help center",
            config.base_url
        ));
    }
    if config
        .support_email
        .rsplit_once('@')
        .is_some_and(|(_, domain)| reserved(domain))
    {
        out.push(format!(
            "site.support_email is an example address ({}): visitors' tickets would be addressed to it; set the address you read",
            config.support_email
        ));
    }
    out
}

/// The origin of the form endpoint, for Content-Security-Policy's `connect-src`.
pub fn ticket_origin(c: &Config) -> Option<String> {
    let u = url::Url::parse(c.ticket_url.as_deref()?).ok()?;
    Some(u.origin().ascii_serialization())
}

/// The knowledge base's `kbgen.toml` when it reads, else the defaults; problems in it are
/// `kbgen build`'s and `kbgen check`'s to report, not the commands that only need a setting,
/// which only say that there are some.
pub fn read_or_default(dir: &Path) -> Config {
    let path = dir.join(crate::load::CONFIG_FILE);
    let mut diags = Diagnostics::default();
    let config = match crate::load::read_text(&path, &mut diags) {
        crate::load::Text::Read(text) => parse(&text, &path, &mut diags),
        _ => Config::default(),
    };
    if diags.errors() > 0 {
        eprintln!(
            "warning: {} has {} errors, so defaults stand in for its settings (`kbgen check` lists them)",
            path.display(),
            diags.errors()
        );
    }
    config
}

/// Where every key and value of a TOML document is, by dotted path (`site.title`,
/// `rule.3.answer`, `site.languages.1`), so that a message points at the key or value at fault.
/// `toml::Table` keeps no positions, so the text is parsed a second time with `toml_edit`'s
/// span-keeping document.
pub struct TomlSpans<'a> {
    text: &'a str,
    /// Byte offsets of the key and of the value, by path.
    at: HashMap<String, (Option<usize>, Option<usize>)>,
    /// Byte offset of each line's start, to turn offsets into positions in O(log n).
    line_starts: Vec<usize>,
}

impl<'a> TomlSpans<'a> {
    pub fn new(text: &'a str) -> TomlSpans<'a> {
        let mut at = HashMap::new();
        if let Ok(doc) = toml_edit::Document::parse(text) {
            spans_of_table(doc.as_table(), "", &mut at);
        }
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        TomlSpans {
            text,
            at,
            line_starts,
        }
    }

    /// The 1-based line and column of byte offset `at`, columns counted in characters.
    pub fn line_col(&self, at: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= at).max(1);
        let start = self.line_starts[line - 1];
        let col = self
            .text
            .get(start..at.min(self.text.len()))
            .map_or(0, |s| s.chars().count());
        (line, col + 1)
    }

    /// Where the key at `path` is written, else its value, else (1, 1).
    pub fn key(&self, path: &str) -> (usize, usize) {
        self.find(path, |(k, v)| k.or(v))
    }

    /// Where the value at `path` starts, else its key, else (1, 1).
    pub fn value(&self, path: &str) -> (usize, usize) {
        self.find(path, |(k, v)| v.or(k))
    }

    fn find(
        &self,
        path: &str,
        pick: impl Fn((Option<usize>, Option<usize>)) -> Option<usize>,
    ) -> (usize, usize) {
        self.at
            .get(path)
            .and_then(|&p| pick(p))
            .map_or((1, 1), |at| self.line_col(at))
    }
}

type SpanMap = HashMap<String, (Option<usize>, Option<usize>)>;

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn spans_of_table(table: &toml_edit::Table, prefix: &str, out: &mut SpanMap) {
    for (key, item) in table.iter() {
        let path = join(prefix, key);
        let key_at = table.key(key).and_then(|k| k.span()).map(|r| r.start);
        let value_at = item.span().map(|r| r.start);
        out.insert(path.clone(), (key_at, value_at));
        match item {
            toml_edit::Item::Table(t) => spans_of_table(t, &path, out),
            toml_edit::Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    let p = join(&path, &i.to_string());
                    let start = t.span().map(|r| r.start);
                    out.insert(p.clone(), (start, start));
                    spans_of_table(t, &p, out);
                }
            }
            toml_edit::Item::Value(v) => spans_of_value(v, &path, out),
            toml_edit::Item::None => {}
        }
    }
}

fn spans_of_value(value: &toml_edit::Value, prefix: &str, out: &mut SpanMap) {
    match value {
        toml_edit::Value::InlineTable(t) => {
            for (key, v) in t.iter() {
                let path = join(prefix, key);
                let key_at = t.key(key).and_then(|k| k.span()).map(|r| r.start);
                out.insert(path.clone(), (key_at, v.span().map(|r| r.start)));
                spans_of_value(v, &path, out);
            }
        }
        toml_edit::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                let path = join(prefix, &i.to_string());
                let at = v.span().map(|r| r.start);
                out.insert(path.clone(), (at, at));
                spans_of_value(v, &path, out);
            }
        }
        _ => {}
    }
}

/// A TOML value's kind, for "must be a string, not a number".
pub fn toml_kind(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "a number",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true/false",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

/// Parses `kbgen.toml`; problems go to `diags` and a best-effort config is always returned.
pub fn parse(text: &str, path: &Path, diags: &mut Diagnostics) -> Config {
    let mut config = Config::default();
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let (line, col) = e
                .span()
                .map_or((1, 1), |s| crate::diag::line_col(text, s.start));
            diags.error(path, line, col, format!("invalid TOML: {}", e.message()));
            config.languages.push(config.default_language.clone());
            return config;
        }
    };
    let sp = TomlSpans::new(text);
    let file = ConfigFile { path, sp: &sp };
    for (key, _) in table
        .iter()
        .filter(|(k, _)| !SECTIONS.contains(&k.as_str()))
    {
        unknown(diags, path, sp.key(key), key, SECTIONS);
    }
    if let Some(site) = file.section(&table, "site", diags) {
        for (key, value) in site {
            file.site_key(&mut config, key, value, diags);
        }
    }
    if let Some(widget) = file.section(&table, "widget", diags) {
        for (key, value) in widget {
            file.widget_key(&mut config, key, value, diags);
        }
    }
    if let Some(categories) = file.section(&table, "categories", diags) {
        config.categories = file.categories(categories, diags);
    }
    file.check_languages(&mut config, diags);
    file.check_translations(&config, diags);
    config
}

/// The `kbgen.toml` being parsed: its path and where its keys and values are, for messages.
struct ConfigFile<'a> {
    path: &'a Path,
    sp: &'a TomlSpans<'a>,
}

impl ConfigFile<'_> {
    fn error(&self, diags: &mut Diagnostics, (line, col): (usize, usize), msg: String) {
        diags.error(self.path, line, col, msg)
    }

    /// The table of section `name`; a section that is not a table (`site = 3`) would otherwise
    /// be skipped in silence, so it is an error.
    fn section<'t>(
        &self,
        table: &'t toml::Table,
        name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&'t toml::Table> {
        match table.get(name)? {
            toml::Value::Table(t) => Some(t),
            other => {
                self.error(
                    diags,
                    self.sp.value(name),
                    format!(
                        "`{name}` must be a table (a `[{name}]` section), not {}",
                        toml_kind(other)
                    ),
                );
                None
            }
        }
    }

    /// One key of `[site]`.
    fn site_key(
        &self,
        config: &mut Config,
        key: &str,
        value: &toml::Value,
        diags: &mut Diagnostics,
    ) {
        let (path, sp) = (self.path, self.sp);
        let full = format!("site.{key}");
        let at = sp.value(&full);
        let want = |diags: &mut Diagnostics, what: &str| {
            self.error(
                diags,
                at,
                format!("`{full}` must be {what}, not {}", toml_kind(value)),
            )
        };
        match key {
            "title" => config.title = localized(value, path, sp, &full, diags),
            "base_url" => match value.as_str() {
                Some(s) => {
                    config.base_url = if s.ends_with('/') {
                        s.into()
                    } else {
                        format!("{s}/")
                    }
                }
                None => want(diags, "a string"),
            },
            "support_email" => match value.as_str() {
                Some(s)
                    if s.contains('@')
                        && !s.contains(|c: char| c.is_whitespace() || "<>,;?&".contains(c)) =>
                {
                    config.support_email = s.into()
                }
                Some(s) => self.error(
                    diags,
                    at,
                    format!(
                        "`{full}` must be an email address like \"help@example.com\", not \"{s}\""
                    ),
                ),
                None => want(diags, "an email address like \"help@example.com\""),
            },
            "default_language" => match value.as_str() {
                Some(s) if is_language_code(s) => config.default_language = s.into(),
                Some(s) => self.error(
                    diags,
                    at,
                    format!(
                        "`{full}` must be a language code like \"en\" or \"pt-BR\", not \"{}\"",
                        s.escape_debug()
                    ),
                ),
                None => want(diags, "a language code like \"en\" or \"pt-BR\""),
            },
            "languages" => match value.as_array() {
                Some(a) => config.languages = self.languages(&full, a, diags),
                None => want(diags, "a list like [\"en\", \"zh\"]"),
            },
            "brand_color" => match value.as_str() {
                Some(s) if is_hex_color(s) => config.brand_color = s.into(),
                Some(s) => self.error(
                    diags,
                    at,
                    format!("`{full}` must be a hex colour like \"#2456c7\", not \"{s}\""),
                ),
                None => want(diags, "a hex colour like \"#2456c7\""),
            },
            "logo" => match value.as_str() {
                Some(s) => config.logo = Some(s.into()),
                None => want(diags, "a path"),
            },
            "description" => config.description = localized(value, path, sp, &full, diags),
            "index_shard_kb" => match value.as_integer().and_then(|n| usize::try_from(n).ok()) {
                Some(n) => config.index_shard_kb = n,
                None => want(diags, "a size in KiB like 256 (0: never split the index)"),
            },
            "raw_html" => match value.as_bool() {
                Some(b) => config.raw_html = b,
                None => want(diags, "true or false"),
            },
            "strings" => {
                config.site_strings = overrides(
                    value,
                    (path, sp),
                    "site.strings",
                    &crate::strings::english(),
                    diags,
                )
            }
            _ => unknown(diags, path, sp.key(&full), key, SITE_KEYS),
        }
    }

    /// The entries of `site.languages` that are language codes; the others are errors.
    /// Language codes become folder names of the site, so only real codes pass.
    fn languages(&self, full: &str, list: &[toml::Value], diags: &mut Diagnostics) -> Vec<String> {
        let mut languages = Vec::new();
        for (i, v) in list.iter().enumerate() {
            let at = self.sp.value(&format!("{full}.{i}"));
            match v.as_str() {
                Some(s) if is_language_code(s) => languages.push(s.into()),
                Some(s) => self.error(
                    diags,
                    at,
                    format!(
                        "`{full}` entries must be language codes like \"en\" or \"pt-BR\", not \"{}\"",
                        s.escape_debug()
                    ),
                ),
                None => self.error(
                    diags,
                    at,
                    format!(
                        "`{full}` entries must be language codes like \"en\" or \"pt-BR\", not {}",
                        toml_kind(v)
                    ),
                ),
            }
        }
        languages
    }

    /// One key of `[widget]`.
    fn widget_key(
        &self,
        config: &mut Config,
        key: &str,
        value: &toml::Value,
        diags: &mut Diagnostics,
    ) {
        let (path, sp) = (self.path, self.sp);
        let full = format!("widget.{key}");
        let at = sp.value(&full);
        match key {
            "enabled" => match value.as_bool() {
                Some(b) => config.widget_enabled = b,
                None => self.error(
                    diags,
                    at,
                    format!("`{full}` must be true or false, not {}", toml_kind(value)),
                ),
            },
            "position" => match value.as_str() {
                Some("right") => config.position = Position::Right,
                Some("left") => config.position = Position::Left,
                Some("start") => config.position = Position::Start,
                Some("end") => config.position = Position::End,
                _ => self.error(
                    diags,
                    at,
                    format!("`{full}` must be \"right\", \"left\", \"start\" or \"end\""),
                ),
            },
            "offset_x" | "offset_y" | "offset_y_mobile" => {
                let px = value
                    .as_integer()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|&n| n <= MAX_OFFSET);
                match px {
                    Some(_) if key == "offset_x" => config.offset_x = px,
                    Some(_) if key == "offset_y" => config.offset_y = px,
                    Some(_) => config.offset_y_mobile = px,
                    None => self.error(
                        diags,
                        at,
                        format!(
                            "`widget.{key}` must be a whole number of pixels from 0 to {MAX_OFFSET}, not {value}"
                        ),
                    ),
                }
            }
            "greeting" => config.greeting = localized(value, path, sp, &full, diags),
            "ticket_url" => match value.as_str().map(ticket_url) {
                Some(Ok(url)) => config.ticket_url = Some(url),
                Some(Err(why)) => self.error(diags, at, format!("`{full}` {why}")),
                None => self.error(
                    diags,
                    at,
                    format!("`{full}` must be a string, not {}", toml_kind(value)),
                ),
            },
            "strings" => {
                config.widget_strings = overrides(
                    value,
                    (path, sp),
                    "widget.strings",
                    &crate::widget_bundle::english_strings(),
                    diags,
                )
            }
            _ => unknown(diags, path, sp.key(&full), key, WIDGET_KEYS),
        }
    }

    /// The categories of `[categories]`, sorted by `order`, then id.
    fn categories(&self, table: &toml::Table, diags: &mut Diagnostics) -> Vec<Category> {
        let mut categories: Vec<Category> = table
            .iter()
            .filter_map(|(id, value)| self.category(id, value, diags))
            .collect();
        categories.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
        categories
    }

    /// `[categories.<id>]`; `None` when it is not a table.
    fn category(&self, id: &str, value: &toml::Value, diags: &mut Diagnostics) -> Option<Category> {
        let (path, sp) = (self.path, self.sp);
        let name = format!("categories.{id}");
        let mut cat = Category {
            id: id.to_string(),
            order: 0,
            title: Localized::default(),
            description: Localized::default(),
        };
        let Some(t) = value.as_table() else {
            self.error(
                diags,
                sp.value(&name),
                format!("`{name}` must be a table, not {}", toml_kind(value)),
            );
            return None;
        };
        for (key, value) in t {
            let full = format!("{name}.{key}");
            match key.as_str() {
                "order" => match value.as_integer() {
                    Some(n) => cat.order = n,
                    None => self.error(
                        diags,
                        sp.value(&full),
                        format!("`{full}` must be a whole number, not {}", toml_kind(value)),
                    ),
                },
                "title" => cat.title = localized(value, path, sp, &full, diags),
                "description" => cat.description = localized(value, path, sp, &full, diags),
                _ => unknown(diags, path, sp.key(&full), key, CATEGORY_KEYS),
            }
        }
        if cat.title.0.is_empty() {
            cat.title.0.insert("*".into(), humanize(id));
        }
        Some(cat)
    }

    /// The site's languages default to its default language, which must be one of them.
    fn check_languages(&self, config: &mut Config, diags: &mut Diagnostics) {
        if config.languages.is_empty() {
            config.languages.push(config.default_language.clone());
        } else if !config.languages.contains(&config.default_language) {
            self.error(
                diags,
                self.sp.value("site.default_language"),
                format!(
                    "default_language \"{}\" is not in `languages`",
                    config.default_language
                ),
            );
        }
    }

    /// A per-language site name or description should cover every language of the site.
    fn check_translations(&self, config: &Config, diags: &mut Diagnostics) {
        for (key, text) in [
            ("title", &config.title),
            ("description", &config.description),
        ] {
            if text.0.is_empty() || text.0.contains_key("*") {
                continue;
            }
            let (line, col) = self.sp.key(&format!("site.{key}"));
            for lang in config.languages.iter().filter(|l| !text.0.contains_key(*l)) {
                let fallback = text.get(lang, &config.default_language).unwrap_or_default();
                diags.warn(
                    self.path,
                    line,
                    col,
                    format!("`site.{key}` has no \"{lang}\" text; {lang} pages use \"{fallback}\""),
                );
            }
        }
    }
}

/// A string for every language, or a table of strings by language, at dotted path `key`.
fn localized(
    value: &toml::Value,
    path: &Path,
    sp: &TomlSpans,
    key: &str,
    diags: &mut Diagnostics,
) -> Localized {
    let mut map = BTreeMap::new();
    match value {
        toml::Value::String(s) => {
            map.insert("*".into(), s.clone());
        }
        toml::Value::Table(t) => {
            for (lang, v) in t {
                match v.as_str() {
                    Some(s) => {
                        map.insert(lang.clone(), s.into());
                    }
                    None => {
                        let (line, col) = sp.value(&format!("{key}.{lang}"));
                        diags.error(
                            path,
                            line,
                            col,
                            format!("`{key}.{lang}` must be a string, not {}", toml_kind(v)),
                        )
                    }
                }
            }
        }
        _ => {
            let (line, col) = sp.value(key);
            diags.error(
                path,
                line,
                col,
                format!(
                    "`{key}` must be a string or a table like {{ en = \"...\" }}, not {}",
                    toml_kind(value)
                ),
            )
        }
    }
    Localized(map)
}

/// The owner's words for interface strings: a table of string key → text (for every language)
/// or a table per language. `english` lists the keys that exist, with their built-in English,
/// whose `{placeholders}` an override should keep.
fn overrides(
    value: &toml::Value,
    (path, sp): (&Path, &TomlSpans),
    section: &str,
    english: &[(String, String)],
    diags: &mut Diagnostics,
) -> BTreeMap<String, Localized> {
    let mut out = BTreeMap::new();
    let Some(table) = value.as_table() else {
        let (line, col) = sp.value(section);
        diags.error(
            path,
            line,
            col,
            format!("`{section}` must be a table, not {}", toml_kind(value)),
        );
        return out;
    };
    let known: Vec<&str> = english.iter().map(|(k, _)| k.as_str()).collect();
    for (key, value) in table {
        let full = format!("{section}.{key}");
        let Some((_, builtin)) = english.iter().find(|(k, _)| k == key) else {
            unknown(diags, path, sp.key(&full), key, &known);
            continue;
        };
        let texts = localized(value, path, sp, &full, diags);
        for placeholder in placeholders(builtin) {
            for (lang, t) in &texts.0 {
                if !t.contains(placeholder) {
                    let whose = if lang == "*" {
                        String::new()
                    } else {
                        format!(".{lang}")
                    };
                    let (line, col) = sp.value(&format!("{full}{whose}"));
                    diags.warn(
                        path,
                        line,
                        col,
                        format!("`{full}{whose}` has no {placeholder}, where the built-in text puts a value"),
                    );
                }
            }
        }
        out.insert(key.clone(), texts);
    }
    out
}

/// The `{name}` placeholders in a built-in string.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('{').filter_map(move |(i, _)| {
        let end = text[i..].find('}')?;
        let name = &text[i + 1..i + end];
        (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then(|| &text[i..=i + end])
    })
}

/// An unknown key is an error: a misspelt key would otherwise drop its setting in silence.
fn unknown(diags: &mut Diagnostics, path: &Path, at: (usize, usize), key: &str, known: &[&str]) {
    unknown_key(diags, path, at, "key", key, known);
}

/// Reports `key` as an unknown `what` ("key", "rule key") at `(line, col)`, naming the nearest
/// of `known`; also used for rules files.
pub(crate) fn unknown_key(
    diags: &mut Diagnostics,
    path: &Path,
    (line, col): (usize, usize),
    what: &str,
    key: &str,
    known: &[&str],
) {
    let hint = nearest(key, known)
        .map(|k| format!(" (did you mean \"{k}\"?)"))
        .unwrap_or_default();
    diags.error(path, line, col, format!("unknown {what} \"{key}\"{hint}"));
}

fn is_hex_color(s: &str) -> bool {
    let hex = s.strip_prefix('#').unwrap_or("");
    matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// `getting-started` → `Getting started`.
pub fn humanize(id: &str) -> String {
    let s = id.replace(['-', '_'], " ");
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A BCP 47-like language tag: a 2–3 letter lowercase language, then optional subtags of 1–8
/// letters or digits (`en`, `zh-Hans`, `pt-BR`). Anything else would not be a safe folder name.
pub fn is_language_code(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang = parts.next().unwrap_or_default();
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The ISO 639-1 language codes (sorted): a folder of markdown from another tool is taken as a
/// language only when its name is one of these, alone or with a script or region.
const ISO_639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj",
    "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
    "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi",
    "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// Whether `s` names a real language: an ISO 639-1 code, alone or followed by a script and/or a
/// region as BCP 47 writes them (`zh-Hans`, `zh-CN`, `pt-BR`, `es-419`, `zh-Hant-TW`; folders
/// often lowercase them, `zh-cn`). Unlike [`is_language_code`], which checks only the shape of
/// a code the owner wrote, this recognises `api` or `src` as not a language.
pub fn is_known_language(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang = parts.next().unwrap_or_default();
    let script = |p: &str| p.len() == 4 && p.bytes().all(|b| b.is_ascii_alphabetic());
    let region = |p: &str| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
            || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
    };
    ISO_639_1.binary_search(&lang).is_ok()
        && match (parts.next(), parts.next(), parts.next()) {
            (None, _, _) => true,
            (Some(x), None, _) => script(x) || region(x),
            (Some(x), Some(y), None) => script(x) && region(y),
            _ => false,
        }
}

pub fn key_line(text: &str, key: &str) -> usize {
    key_line_after(text, key, 0)
}

fn key_line_after(text: &str, key: &str, after: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(after)
        .find(|(_, l)| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .or_else(|| l.strip_prefix(&format!("\"{key}\"")))
                .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
        })
        .map_or(after.max(1), |(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_are_real_codes() {
        assert!(
            ISO_639_1.windows(2).all(|w| w[0] < w[1]),
            "sorted, for binary_search"
        );
        for code in [
            "en",
            "zh",
            "ja",
            "pt-BR",
            "zh-CN",
            "zh-cn",
            "zh-Hans",
            "zh-Hant-TW",
            "es-419",
        ] {
            assert!(is_known_language(code), "{code}");
        }
        for name in [
            "src",
            "api",
            "docs",
            "js",
            "ui",
            "en-",
            "zh-Hans-CN-x",
            "EN",
            "xx",
            "en-1",
        ] {
            assert!(!is_known_language(name), "{name}");
        }
    }

    fn check(text: &str, expected_diags: &[&str]) -> Config {
        let mut diags = Diagnostics::default();
        let config = parse(text, Path::new("kbgen.toml"), &mut diags);
        let got: Vec<String> = diags.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(got, expected_diags);
        config
    }

    #[test]
    fn launcher_offsets() {
        let c = check(
            "[widget]\nposition = \"start\"\noffset_x = 0\noffset_y = 80\noffset_y_mobile = 140\n",
            &[],
        );
        assert_eq!(c.position, Position::Start);
        assert_eq!(
            (c.offset_x, c.offset_y, c.offset_y_mobile),
            (Some(0), Some(80), Some(140))
        );
        assert_eq!(check("", &[]).position, Position::End);
        check(
            "[widget]\noffset_y = \"80px\"\noffset_x =  -4\noffset_y_mobile = 601\nposition = \"top\"\n",
            &[
                "kbgen.toml:2:12: error: `widget.offset_y` must be a whole number of pixels from 0 to 600, not \"80px\"",
                "kbgen.toml:3:13: error: `widget.offset_x` must be a whole number of pixels from 0 to 600, not -4",
                "kbgen.toml:4:19: error: `widget.offset_y_mobile` must be a whole number of pixels from 0 to 600, not 601",
                "kbgen.toml:5:12: error: `widget.position` must be \"right\", \"left\", \"start\" or \"end\"",
            ],
        );
    }

    #[test]
    fn full_config() {
        let c = check(
            r##"
[site]
title = "Acme Help"
base_url = "https://acme.test/help"
support_email = "help@acme.test"
default_language = "en"
languages = ["en", "zh"]
brand_color = "#0a7f5a"

[widget]
position = "left"
greeting = { en = "Hi!", zh = "你好！" }

[categories.orders]
order = 2
title = { en = "Orders", zh = "订单" }

[categories.account]
order = 1
title = "Account"
"##,
            &[],
        );
        assert_eq!(c.base_path(), "/help/");
        assert_eq!(c.absolute("en/x/"), "https://acme.test/help/en/x/");
        assert_eq!(c.position, Position::Left);
        assert_eq!((c.offset_x, c.offset_y), (None, None));
        assert_eq!(c.greeting.get("zh", "en"), Some("你好！"));
        let ids: Vec<&str> = c.categories.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["account", "orders"]);
        assert_eq!(c.categories[1].title.get("ja", "en"), Some("Orders"));
        assert_eq!((c.title("zh"), c.title("en")), ("Acme Help", "Acme Help"));
        assert_eq!(c.description("en"), "");
    }

    #[test]
    fn interface_strings_can_be_overridden() {
        let c = check(
            r#"
[site]
languages = ["en", "zh"]

[site.strings]
search_placeholder = { en = "Search our answers…", zh = "搜索答案…" }
results_other = "{n} answers"
serch = "Find"

[widget.strings]
contact_us = { en = "Write to Mara" }
no_results = "Nothing yet"
loader_label = "Ask us"
"#,
            &[
                "kbgen.toml:8:1: error: unknown key \"serch\" (did you mean \"search\"?)",
                "kbgen.toml:13:1: error: unknown key \"loader_label\"",
            ],
        );
        let search = &c.site_strings["search_placeholder"];
        assert_eq!(search.exact("zh"), Some("搜索答案…"));
        assert_eq!(
            c.site_strings["results_other"].exact("zh"),
            Some("{n} answers")
        );
        let contact = &c.widget_strings["contact_us"];
        assert_eq!(contact.exact("en"), Some("Write to Mara"));
        assert_eq!(
            contact.exact("zh"),
            None,
            "no English in the Chinese interface: its built-in words stay"
        );
        check(
            "[site.strings]\nresults_other = { en = \"Many results\", zh = \"{n} 个\" }\n",
            &["kbgen.toml:2:24: warning: `site.strings.results_other.en` has no {n}, where the built-in text puts a value"],
        );
        check(
            "[widget]\nstrings = 3\n",
            &["kbgen.toml:2:11: error: `widget.strings` must be a table, not a number"],
        );
    }

    #[test]
    fn site_title_and_description_per_language() {
        let c = check(
            r#"
[site]
title = { en = "Acme Help", zh = "Acme 帮助中心" }
description = { en = "Answers", zh = "解答" }
default_language = "en"
languages = ["en", "zh", "ja"]
"#,
            &[
                "kbgen.toml:3:1: warning: `site.title` has no \"ja\" text; ja pages use \"Acme Help\"",
                "kbgen.toml:4:1: warning: `site.description` has no \"ja\" text; ja pages use \"Answers\"",
            ],
        );
        assert_eq!(c.title("zh"), "Acme 帮助中心");
        assert_eq!(
            c.title("ja"),
            "Acme Help",
            "missing languages fall back to the default"
        );
        assert_eq!(c.description("zh"), "解答");
        check(
            "[site]\ntitle = 3\n",
            &["kbgen.toml:2:9: error: `site.title` must be a string or a table like { en = \"...\" }, not a number"],
        );
    }

    /// Issue 18 §1: the form endpoint is checked at build time, where it is written.
    #[test]
    fn a_ticket_url_must_be_https_or_localhost() {
        let c = check(
            "[widget]\nticket_url = \"https://forms.example/f/abc\"\n",
            &[],
        );
        assert_eq!(c.ticket_url.as_deref(), Some("https://forms.example/f/abc"));
        assert_eq!(ticket_origin(&c).as_deref(), Some("https://forms.example"));
        let c = check("[widget]\nticket_url = \"http://127.0.0.1:8787/t\"\n", &[]);
        assert_eq!(ticket_origin(&c).as_deref(), Some("http://127.0.0.1:8787"));
        check(
            "[widget]\nticket_url = \"http://forms.example/f\"\n",
            &["kbgen.toml:2:14: error: `widget.ticket_url` must use https:// (http:// only for localhost), not \"http://forms.example/f\""],
        );
        check(
            "[widget]\nticket_url = \"forms.example\"\n",
            &["kbgen.toml:2:14: error: `widget.ticket_url` is not a URL (relative URL without a base): \"forms.example\""],
        );
        check(
            "[widget]\nticket_url = \"javascript:alert(1)\"\n",
            &["kbgen.toml:2:14: error: `widget.ticket_url` must be an https:// URL, not \"javascript:alert(1)\""],
        );
        check(
            "[widget]\nticket_url = 3\n",
            &["kbgen.toml:2:14: error: `widget.ticket_url` must be a string, not a number"],
        );
    }

    #[test]
    fn problems_are_all_reported() {
        check(
            "[site]\ntitel = \"x\"\nbrand_color = \"blue\"\ndefault_language = \"fr\"\nlanguages = [\"en\"]\n",
            &[
                "kbgen.toml:2:1: error: unknown key \"titel\" (did you mean \"title\"?)",
                "kbgen.toml:3:15: error: `site.brand_color` must be a hex colour like \"#2456c7\", not \"blue\"",
                "kbgen.toml:4:20: error: default_language \"fr\" is not in `languages`",
            ],
        );
        check(
            "[site\n",
            &["kbgen.toml:1:6: error: invalid TOML: unclosed table, expected `]`"],
        );
    }
}
