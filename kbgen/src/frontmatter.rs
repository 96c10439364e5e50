//! Splitting an article into front matter and body, and reading the front matter's keys.
//!
//! Both YAML (`---`) and TOML (`+++`) are read into one generic value and the known keys are taken
//! from it one by one, so a wrong type in one key costs that key only, and unknown keys (common in
//! content migrated from other tools) become warnings that name the nearest known key.

use crate::diag::{line_col, nearest, Diagnostics};
use serde_json::Value;
use std::path::Path;

pub const KEYS: &[&str] = &[
    "title",
    "id",
    "lang",
    "category",
    "tags",
    "questions",
    "summary",
    "order",
    "pages",
    "updated",
    "draft",
    "related",
];

/// An article's metadata as written by the owner; absent keys are `None`/empty.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub id: Option<String>,
    pub lang: Option<String>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub questions: Vec<String>,
    pub summary: Option<String>,
    pub order: Option<i64>,
    pub pages: Vec<String>,
    /// `YYYY-MM-DD`.
    pub updated: Option<String>,
    pub draft: bool,
    pub related: Vec<String>,
}

/// The front matter text, its format, the line its first key is on, and the body.
pub struct Split<'a> {
    pub front: Option<(&'a str, Format)>,
    pub front_line: usize,
    pub body: &'a str,
    /// 1-based line of the body's first line in the file.
    pub body_line: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

/// Splits off a front matter block delimited by `---` (YAML) or `+++` (TOML) lines.
pub fn split(text: &str) -> Split<'_> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (fence, format) in [("---", Format::Yaml), ("+++", Format::Toml)] {
        let Some(rest) = text.strip_prefix(fence) else {
            continue;
        };
        // `--- ` with trailing blanks still opens front matter, as it does in Jekyll and Hugo.
        let rest = rest.trim_start_matches([' ', '\t']);
        let Some(rest) = rest
            .strip_prefix("\r\n")
            .or_else(|| rest.strip_prefix('\n'))
        else {
            continue;
        };
        let start = text.len() - rest.len();
        let mut offset = start;
        for line in rest.split_inclusive('\n') {
            if line.trim_end() == fence {
                let front = &text[start..offset];
                let body = &text[offset + line.len()..];
                let body_line = text[..offset + line.len()].matches('\n').count() + 1;
                return Split {
                    front: Some((front, format)),
                    front_line: 2,
                    body,
                    body_line,
                };
            }
            offset += line.len();
        }
        // An opening fence without a closing one: treat all as body, the caller warns.
        return Split {
            front: None,
            front_line: 1,
            body: text,
            body_line: 1,
        };
    }
    Split {
        front: None,
        front_line: 1,
        body: text,
        body_line: 1,
    }
}

/// Reads the keys of a front matter block; `first_line` is the file line the block starts on.
pub fn parse(
    front: &str,
    format: Format,
    first_line: usize,
    path: &Path,
    diags: &mut Diagnostics,
) -> FrontMatter {
    let value = match format {
        Format::Yaml => match parse_yaml(front) {
            Ok(v) => v,
            Err((at, message)) => {
                let (line, col) = line_col(front, at);
                diags.error(
                    path,
                    first_line + line - 1,
                    col,
                    format!("invalid YAML front matter: {}", first_sentence(&message)),
                );
                return FrontMatter::default();
            }
        },
        Format::Toml => match front.parse::<toml::Table>() {
            Ok(t) => toml_to_json(toml::Value::Table(t)),
            Err(e) => {
                let (line, col) = e.span().map_or((1, 1), |s| line_col(front, s.start));
                diags.error(
                    path,
                    first_line + line - 1,
                    col,
                    format!("invalid TOML front matter: {}", e.message().trim()),
                );
                return FrontMatter::default();
            }
        },
    };
    let map = match value {
        Value::Object(m) => m,
        Value::Null => return FrontMatter::default(),
        _ => {
            diags.error(
                path,
                first_line,
                1,
                "front matter must be a list of `key: value` lines",
            );
            return FrontMatter::default();
        }
    };
    let mut fm = FrontMatter::default();
    for (key, value) in map {
        let line = first_line + crate::config::key_line(front, &key) - 1;
        let mut bad = |what: &str| diags.error(path, line, 1, format!("`{key}` must be {what}"));
        match key.as_str() {
            "title" => {
                fm.title = scalar(&value).or_else(|| {
                    bad("a string");
                    None
                })
            }
            "id" => {
                fm.id = scalar(&value).or_else(|| {
                    bad("a string");
                    None
                })
            }
            "lang" => fm.lang = optional(&value, &mut bad, "a language code like \"en\""),
            "category" => fm.category = optional(&value, &mut bad, "a string"),
            "summary" => fm.summary = optional(&value, &mut bad, "a string"),
            "tags" => fm.tags = list(&value).unwrap_or_else(|| bad_list(&mut bad)),
            "questions" => fm.questions = list(&value).unwrap_or_else(|| bad_list(&mut bad)),
            "pages" => {
                fm.pages = list(&value).unwrap_or_else(|| bad_list(&mut bad));
                // The widget matches these against its page's URL path; a bare word never matches.
                for p in fm
                    .pages
                    .iter()
                    .filter(|p| !p.starts_with('/') && !p.contains("://") && *p != "*")
                {
                    diags.warn(path, line, 1, format!("`pages` entry \"{p}\" should be a URL path like \"/pricing\" or \"/shop/*\""));
                }
            }
            "related" => fm.related = list(&value).unwrap_or_else(|| bad_list(&mut bad)),
            "order" => match &value {
                Value::Number(n) => fm.order = n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
                Value::String(s) if s.trim().parse::<i64>().is_ok() => {
                    fm.order = s.trim().parse().ok()
                }
                _ => bad("a number"),
            },
            "draft" => match &value {
                Value::Bool(b) => fm.draft = *b,
                _ => bad("true or false"),
            },
            "updated" => match scalar(&value).and_then(|s| date_prefix(&s)) {
                Some(d) => fm.updated = Some(d),
                None => bad("a date like 2025-01-31"),
            },
            _ => {
                let hint = synonym(&key)
                    .or_else(|| nearest(&key, KEYS))
                    .map(|k| format!(" (did you mean \"{k}\"?)"))
                    .unwrap_or_default();
                diags.warn(
                    path,
                    line,
                    1,
                    format!("unknown front matter key \"{key}\"{hint}"),
                );
            }
        }
    }
    fm
}

/// What other generators call our keys, for the "did you mean" hint.
fn synonym(key: &str) -> Option<&'static str> {
    Some(match key.to_lowercase().as_str() {
        "description" | "excerpt" | "abstract" => "summary",
        "slug" | "key" => "id",
        "weight" | "position" | "sidebar_position" | "nav_order" => "order",
        "date" | "lastmod" | "last_modified" | "modified" | "last_updated" => "updated",
        "language" | "locale" => "lang",
        "keywords" | "tag" | "labels" => "tags",
        "faq" | "aliases" => "questions",
        "see_also" | "seealso" => "related",
        "categories" | "section" | "group" => "category",
        "published" => "draft",
        _ => return None,
    })
}

fn first_sentence(s: &str) -> String {
    // yaml_serde appends " at line X column Y", which the position prefix already says.
    s.split(" at line ").next().unwrap_or(s).to_string()
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list, or a single value, or a comma-separated string (common in migrated front matter);
/// `None` when it, or one of its entries, is a table or a nested list.
fn list(v: &Value) -> Option<Vec<String>> {
    Some(match v {
        Value::Array(a) => a
            .iter()
            .map(scalar)
            .collect::<Option<Vec<String>>>()?
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect(),
        Value::String(s) if s.contains(',') => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        Value::Null => Vec::new(),
        other => scalar(other)?
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
    })
}

/// A string where one is optional: empty is absent, a list or a table is an error.
fn optional(v: &Value, bad: &mut impl FnMut(&str), what: &str) -> Option<String> {
    match v {
        Value::Null => None,
        v => scalar(v).or_else(|| {
            bad(what);
            None
        }),
    }
}

fn bad_list(bad: &mut impl FnMut(&str)) -> Vec<String> {
    bad("a list of strings like [a, b]");
    Vec::new()
}

/// `2025-01-31`, also when followed by a time.
pub fn date_prefix(s: &str) -> Option<String> {
    let d = s.get(..10)?;
    let b = d.as_bytes();
    let ok = b.iter().enumerate().all(|(i, c)| {
        if i == 4 || i == 7 {
            *c == b'-'
        } else {
            c.is_ascii_digit()
        }
    });
    ok.then(|| d.to_string())
}

/// Parses YAML into JSON values with yaml-rust2 (YAML 1.2, pure Rust with no `unsafe`; the
/// front matter ends as JSON anyway). The first document counts; an empty text is null. An error
/// is its byte offset in `text` and its message.
pub fn parse_yaml(text: &str) -> Result<Value, (usize, String)> {
    let docs = yaml_rust2::YamlLoader::load_from_str(text)
        .map_err(|e| (e.marker().index(), e.info().to_string()))?;
    Ok(docs.into_iter().next().map_or(Value::Null, yaml_to_json))
}

fn yaml_to_json(v: yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match v {
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(i) => Value::from(i),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
            .unwrap_or(Value::String(r)),
        Yaml::String(s) => Value::String(s),
        Yaml::Array(a) => Value::Array(a.into_iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.into_iter()
                .map(|(k, v)| {
                    let key = match yaml_to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
    }
}

pub fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: FrontMatter, expected_diags: &[&str]) {
        let mut diags = Diagnostics::default();
        let s = split(text);
        let fm = match s.front {
            Some((front, format)) => {
                parse(front, format, s.front_line, Path::new("a.md"), &mut diags)
            }
            None => FrontMatter::default(),
        };
        let got: Vec<String> = diags.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(got, expected_diags, "{text}");
        assert_eq!(fm, expected, "{text}");
    }

    #[test]
    fn yaml_and_toml() {
        let expected = FrontMatter {
            title: Some("Refunds".into()),
            tags: vec!["money".into(), "orders".into()],
            updated: Some("2025-03-01".into()),
            order: Some(3),
            ..Default::default()
        };
        check(
            "---\ntitle: Refunds\ntags: [money, orders]\nupdated: 2025-03-01\norder: 3\n---\nbody",
            expected.clone(),
            &[],
        );
        check("+++\ntitle = \"Refunds\"\ntags = \"money, orders\"\nupdated = 2025-03-01\norder = 3\n+++\nbody", expected, &[]);
    }

    #[test]
    fn problems_have_positions() {
        check(
            "---\ntitle: Hi\npages: [pricing, /shop/*]\n---\n",
            FrontMatter { title: Some("Hi".into()), pages: vec!["pricing".into(), "/shop/*".into()], ..Default::default() },
            &["a.md:3:1: warning: `pages` entry \"pricing\" should be a URL path like \"/pricing\" or \"/shop/*\""],
        );
        check(
            "---\ntitle: Hi\ntitel: x\ndraft: maybe\n---\n",
            FrontMatter {
                title: Some("Hi".into()),
                ..Default::default()
            },
            &[
                "a.md:3:1: warning: unknown front matter key \"titel\" (did you mean \"title\"?)",
                "a.md:4:1: error: `draft` must be true or false",
            ],
        );
        check(
            "---\ntitle: [unclosed\n---\n",
            FrontMatter::default(),
            &["a.md:3:1: error: invalid YAML front matter: while parsing a flow sequence, expected ',' or ']'"],
        );
        check("---\nno end", FrontMatter::default(), &[]);
        check("---\n---\n", FrontMatter::default(), &[]);
    }

    #[test]
    fn an_opening_fence_may_end_in_blanks() {
        let s = split("--- \t\ntitle: A\n---\nbody\n");
        assert_eq!(s.front.map(|(f, _)| f), Some("title: A\n"));
        assert_eq!((s.body, s.body_line), ("body\n", 4));
    }

    #[test]
    fn split_reports_body_line() {
        let s = split("---\na: 1\n---\nline4\n");
        assert_eq!(s.body, "line4\n");
        assert_eq!(s.body_line, 4);
    }
}
