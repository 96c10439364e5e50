//! The knowledge base's `kbgen.toml`: site identity, languages, widget settings and categories.
//!
//! Parsed by hand from a TOML table rather than derived, so that one run reports every wrong or
//! unknown key with its line instead of stopping at the first one.

use crate::diag::{nearest, Diagnostics};
use std::collections::BTreeMap;
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

    pub fn is_rtl(lang: &str) -> bool {
        matches!(
            lang.split('-').next().unwrap_or(""),
            "ar" | "he" | "fa" | "ur" | "ps" | "yi" | "dv" | "ckb"
        )
    }
}

/// Postings of about a thousand long articles: a knowledge base smaller than that fetches its
/// whole index at once (one request beats several), a larger one about 256 KiB per word searched
/// instead of everything (on 20,000 articles, 1.1 MB gzipped for a first search instead of
/// 6.9 MB; `cargo bench -p solodesk-engine --bench engine -- zzz`).
pub const DEFAULT_SHARD_KB: usize = 256;

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
];
/// The launcher's offsets, in px, are at most this (the loader ignores larger ones).
pub const MAX_OFFSET: u32 = 600;
const CATEGORY_KEYS: &[&str] = &["order", "title", "description"];

/// The knowledge base's `kbgen.toml` when it reads, else the defaults; problems in it are
/// `kbgen build`'s and `kbgen check`'s to report, not the commands that only need a setting.
pub fn read_or_default(dir: &Path) -> Config {
    let path = dir.join(crate::load::CONFIG_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text, &path, &mut Diagnostics::default()),
        Err(_) => Config::default(),
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
            return config;
        }
    };
    let at = |key: &str| key_line(text, key);
    for (key, _) in table
        .iter()
        .filter(|(k, _)| !SECTIONS.contains(&k.as_str()))
    {
        unknown(diags, path, at(key), key, SECTIONS);
    }
    if let Some(site) = table.get("site").and_then(|v| v.as_table()) {
        for (key, value) in site {
            let line = at(key);
            let mut want =
                |what: &str| diags.error(path, line, 1, format!("`site.{key}` must be {what}"));
            match key.as_str() {
                "title" => config.title = localized(value, path, line, "site.title", diags),
                "base_url" => match value.as_str() {
                    Some(s) => {
                        config.base_url = if s.ends_with('/') {
                            s.into()
                        } else {
                            format!("{s}/")
                        }
                    }
                    None => want("a string"),
                },
                "support_email" => match value.as_str() {
                    Some(s)
                        if s.contains('@')
                            && !s.contains(|c: char| c.is_whitespace() || "<>,;?&".contains(c)) =>
                    {
                        config.support_email = s.into()
                    }
                    _ => want("an email address like \"help@example.com\""),
                },
                "default_language" => match value.as_str() {
                    Some(s) if is_language_code(s) => config.default_language = s.into(),
                    _ => want("a language code like \"en\" or \"pt-BR\""),
                },
                // Language codes become folder names of the site, so only real codes pass.
                "languages" => match value.as_array() {
                    Some(a) => {
                        config.languages = a
                            .iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .filter(|l| {
                                is_language_code(l) || {
                                    want(&format!(
                                    "a list of language codes like [\"en\", \"pt-BR\"], not \"{}\"",
                                    l.escape_debug()
                                ));
                                    false
                                }
                            })
                            .collect()
                    }
                    None => want("a list like [\"en\", \"zh\"]"),
                },
                "brand_color" => match value.as_str() {
                    Some(s) if is_hex_color(s) => config.brand_color = s.into(),
                    _ => want("a hex colour like \"#2456c7\""),
                },
                "logo" => match value.as_str() {
                    Some(s) => config.logo = Some(s.into()),
                    None => want("a path"),
                },
                "description" => {
                    config.description = localized(value, path, line, "site.description", diags)
                }
                "index_shard_kb" => {
                    match value.as_integer().and_then(|n| usize::try_from(n).ok()) {
                        Some(n) => config.index_shard_kb = n,
                        None => want("a size in KiB like 256 (0: never split the index)"),
                    }
                }
                "raw_html" => match value.as_bool() {
                    Some(b) => config.raw_html = b,
                    None => want("true or false"),
                },
                "strings" => {
                    config.site_strings = overrides(
                        value,
                        (path, text, line),
                        "site.strings",
                        &crate::strings::english(),
                        diags,
                    )
                }
                _ => unknown(diags, path, line, key, SITE_KEYS),
            }
        }
    }
    if let Some(widget) = table.get("widget").and_then(|v| v.as_table()) {
        for (key, value) in widget {
            let line = at(key);
            match key.as_str() {
                "enabled" => match value.as_bool() {
                    Some(b) => config.widget_enabled = b,
                    None => diags.error(path, line, 1, "`widget.enabled` must be true or false"),
                },
                "position" => match value.as_str() {
                    Some("right") => config.position = Position::Right,
                    Some("left") => config.position = Position::Left,
                    Some("start") => config.position = Position::Start,
                    Some("end") => config.position = Position::End,
                    _ => diags.error(
                        path,
                        line,
                        value_column(text, line),
                        "`widget.position` must be \"right\", \"left\", \"start\" or \"end\"",
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
                        None => diags.error(
                            path,
                            line,
                            value_column(text, line),
                            format!(
                                "`widget.{key}` must be a whole number of pixels from 0 to {MAX_OFFSET}, not {value}"
                            ),
                        ),
                    }
                }
                "greeting" => {
                    config.greeting = localized(value, path, line, "widget.greeting", diags)
                }
                "strings" => {
                    config.widget_strings = overrides(
                        value,
                        (path, text, line),
                        "widget.strings",
                        &crate::widget_bundle::english_strings(),
                        diags,
                    )
                }
                _ => unknown(diags, path, line, key, WIDGET_KEYS),
            }
        }
    }
    if let Some(categories) = table.get("categories").and_then(|v| v.as_table()) {
        for (id, value) in categories {
            let line = section_line(text, &format!("categories.{id}"));
            let mut cat = Category {
                id: id.clone(),
                order: 0,
                title: Localized::default(),
                description: Localized::default(),
            };
            let Some(t) = value.as_table() else {
                diags.error(path, line, 1, format!("`categories.{id}` must be a table"));
                continue;
            };
            for (key, value) in t {
                let kline = key_line_after(text, key, line);
                match key.as_str() {
                    "order" => match value.as_integer() {
                        Some(n) => cat.order = n,
                        None => diags.error(
                            path,
                            kline,
                            1,
                            format!("`categories.{id}.order` must be a number"),
                        ),
                    },
                    "title" => cat.title = localized(value, path, kline, key, diags),
                    "description" => cat.description = localized(value, path, kline, key, diags),
                    _ => unknown(diags, path, kline, key, CATEGORY_KEYS),
                }
            }
            if cat.title.0.is_empty() {
                cat.title.0.insert("*".into(), humanize(id));
            }
            config.categories.push(cat);
        }
        config
            .categories
            .sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
    }
    if config.languages.is_empty() {
        config.languages.push(config.default_language.clone());
    } else if !config.languages.contains(&config.default_language) {
        diags.error(
            path,
            at("default_language"),
            1,
            format!(
                "default_language \"{}\" is not in `languages`",
                config.default_language
            ),
        );
    }
    // A per-language site name or description should cover every language of the site.
    for (key, text) in [
        ("title", &config.title),
        ("description", &config.description),
    ] {
        if text.0.is_empty() || text.0.contains_key("*") {
            continue;
        }
        for lang in config.languages.iter().filter(|l| !text.0.contains_key(*l)) {
            let fallback = text.get(lang, &config.default_language).unwrap_or_default();
            diags.warn(
                path,
                at(key),
                1,
                format!("`site.{key}` has no \"{lang}\" text; {lang} pages use \"{fallback}\""),
            );
        }
    }
    config
}

fn localized(
    value: &toml::Value,
    path: &Path,
    line: usize,
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
                    None => diags.error(path, line, 1, format!("`{key}.{lang}` must be a string")),
                }
            }
        }
        _ => diags.error(
            path,
            line,
            1,
            format!("`{key}` must be a string or a table like {{ en = \"...\" }}"),
        ),
    }
    Localized(map)
}

/// The owner's words for interface strings: a table of string key → text (for every language)
/// or a table per language, written at `line`. `english` lists the keys that exist, with their built-in English,
/// whose `{placeholders}` an override should keep.
fn overrides(
    value: &toml::Value,
    (path, text, line): (&Path, &str, usize),
    section: &str,
    english: &[(String, String)],
    diags: &mut Diagnostics,
) -> BTreeMap<String, Localized> {
    let mut out = BTreeMap::new();
    // A `[site.strings]` header, or `strings = {...}` inside `[site]` at `line`.
    let line = find_section(text, section).unwrap_or(line);
    let Some(table) = value.as_table() else {
        diags.error(path, line, 1, format!("`{section}` must be a table"));
        return out;
    };
    let known: Vec<&str> = english.iter().map(|(k, _)| k.as_str()).collect();
    for (key, value) in table {
        let kline = key_line_after(text, key, line);
        let Some((_, builtin)) = english.iter().find(|(k, _)| k == key) else {
            unknown(diags, path, kline, key, &known);
            continue;
        };
        let texts = localized(value, path, kline, &format!("{section}.{key}"), diags);
        for placeholder in placeholders(builtin) {
            for (lang, t) in &texts.0 {
                if !t.contains(placeholder) {
                    let whose = if lang == "*" {
                        String::new()
                    } else {
                        format!(".{lang}")
                    };
                    diags.warn(
                        path,
                        kline,
                        1,
                        format!("`{section}.{key}{whose}` has no {placeholder}, where the built-in text puts a value"),
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

fn unknown(diags: &mut Diagnostics, path: &Path, line: usize, key: &str, known: &[&str]) {
    let hint = nearest(key, known)
        .map(|k| format!(" (did you mean \"{k}\"?)"))
        .unwrap_or_default();
    diags.warn(path, line, 1, format!("unknown key \"{key}\"{hint}"));
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

/// The column (from 1) where the value assigned on `line` starts; 1 when there is no `=`.
fn value_column(text: &str, line: usize) -> usize {
    let l = text.lines().nth(line.saturating_sub(1)).unwrap_or_default();
    l.find('=').map_or(1, |eq| {
        let rest = &l[eq + 1..];
        eq + 2 + rest.len() - rest.trim_start().len()
    })
}

/// The first line where `key` is assigned; 1 when not found, so messages always carry a position.
/// A BCP 47-like language tag: a 2–3 letter lowercase language, then optional subtags of 1–8
/// letters or digits (`en`, `zh-Hans`, `pt-BR`). Anything else would not be a safe folder name.
pub fn is_language_code(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang = parts.next().unwrap_or_default();
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
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

fn section_line(text: &str, name: &str) -> usize {
    find_section(text, name).unwrap_or(1)
}

/// The line of the `[name]` header, if there is one.
fn find_section(text: &str, name: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.trim().trim_start_matches('[').trim_end_matches(']') == name)
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

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
"#,
            &["kbgen.toml:8:1: warning: unknown key \"serch\" (did you mean \"search\"?)"],
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
            &["kbgen.toml:2:1: warning: `site.strings.results_other.en` has no {n}, where the built-in text puts a value"],
        );
        check(
            "[widget]\nstrings = 3\n",
            &["kbgen.toml:2:1: error: `widget.strings` must be a table"],
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
            &["kbgen.toml:2:1: error: `site.title` must be a string or a table like { en = \"...\" }"],
        );
    }

    #[test]
    fn problems_are_all_reported() {
        check(
            "[site]\ntitel = \"x\"\nbrand_color = \"blue\"\ndefault_language = \"fr\"\nlanguages = [\"en\"]\n",
            &[
                "kbgen.toml:2:1: warning: unknown key \"titel\" (did you mean \"title\"?)",
                "kbgen.toml:3:1: error: `site.brand_color` must be a hex colour like \"#2456c7\"",
                "kbgen.toml:4:1: error: default_language \"fr\" is not in `languages`",
            ],
        );
        check(
            "[site\n",
            &["kbgen.toml:1:6: error: invalid TOML: invalid table header\nexpected `.`, `]`"],
        );
    }
}
