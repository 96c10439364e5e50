//! The owner's canned answers for the widget's responder: `rules.toml`, `rules.yaml` or the seed
//! brief's `rules.json` (`{"rule_1": {"pattern": "...", "response": "..."}}`), read as-is.

use crate::config::TomlSpans;
use crate::diag::Diagnostics;
use crate::frontmatter::{parse_yaml, toml_to_json};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A rule as the owner wrote it; the answer is still markdown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleDef {
    pub id: String,
    pub lang: Option<String>,
    pub phrasings: Vec<String>,
    pub keywords: Vec<String>,
    pub regex: Option<String>,
    pub answer: String,
    pub articles: Vec<String>,
    pub priority: i32,
    /// The file the rule is in, and where in it the rule starts (its `id`, else its header),
    /// for messages: a knowledge base may have several rules files.
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
}

const KEYS: &[&str] = &[
    "id",
    "lang",
    "phrasings",
    "keywords",
    "regex",
    "answer",
    "articles",
    "priority",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
    /// The seed brief's `{"rule_1": {"pattern": "...", "response": "..."}}`.
    SeedJson,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "toml" => Some(Format::Toml),
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::SeedJson),
            _ => None,
        }
    }
}

/// Where the keys and values of a rules file are, by path (`rule.3.answer`, `rule.3.keywords.1`
/// in TOML), found in one pass over the text so that a file of 20,000
/// rules costs no more per rule than a file of one.
enum Positions<'a> {
    Toml(TomlSpans<'a>),
    /// YAML keeps no positions: a rule's keys are looked up in the lines of that rule only.
    Yaml {
        lines: Vec<&'a str>,
        starts: Vec<usize>,
    },
}

impl Positions<'_> {
    fn rule(&self, i: usize, top: &str) -> (usize, usize) {
        match self {
            Positions::Toml(sp) => sp.key(&format!("{top}.{i}")),
            Positions::Yaml { lines, starts } => starts.get(i).map_or((1, 1), |&l| {
                let indent = lines[l - 1].len() - lines[l - 1].trim_start().len();
                (l, indent + 1)
            }),
        }
    }

    fn key(&self, i: usize, top: &str, key: &str) -> (usize, usize) {
        match self {
            Positions::Toml(sp) => sp.key(&format!("{top}.{i}.{key}")),
            Positions::Yaml { .. } => self.yaml_key(i, key).unwrap_or_else(|| self.rule(i, top)),
        }
    }

    fn value(&self, i: usize, top: &str, key: &str) -> (usize, usize) {
        match self {
            Positions::Toml(sp) => sp.value(&format!("{top}.{i}.{key}")),
            _ => self.key(i, top, key),
        }
    }

    /// Where the string value of `key` starts (its opening quote, if it has one), for a column
    /// inside it: YAML's positions are the key's, so the value is looked for after its `:`.
    fn string_value(&self, text: &str, i: usize, top: &str, key: &str) -> (usize, usize) {
        let (line, col) = self.value(i, top, key);
        if let Positions::Yaml { .. } = self {
            let src = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
            let from: String = src.chars().skip(col - 1).collect();
            if let Some(colon) = from.find(':') {
                let rest = &from[colon + 1..];
                let value = rest.trim_start();
                if !value.is_empty() {
                    let skipped = from[..colon + 1].chars().count() + rest.len() - value.len();
                    return (line, col + skipped);
                }
            }
        }
        (line, col)
    }

    /// The `n`th entry of a list value.
    fn item(&self, i: usize, top: &str, key: &str, n: usize) -> (usize, usize) {
        match self {
            Positions::Toml(sp) => sp.value(&format!("{top}.{i}.{key}.{n}")),
            _ => self.key(i, top, key),
        }
    }

    fn yaml_key(&self, i: usize, key: &str) -> Option<(usize, usize)> {
        let Positions::Yaml { lines, starts } = self else {
            return None;
        };
        let from = *starts.get(i)?;
        let to = starts.get(i + 1).copied().unwrap_or(lines.len() + 1);
        (from..to).find_map(|l| {
            let line = lines[l - 1];
            let body = line.trim_start().trim_start_matches("- ").trim_start();
            let rest = body
                .strip_prefix(key)
                .or_else(|| body.strip_prefix(&format!("\"{key}\"")))?;
            rest.trim_start()
                .starts_with(':')
                .then(|| (l, line.len() - body.len() + 1))
        })
    }
}

pub fn parse(text: &str, format: Format, path: &Path, diags: &mut Diagnostics) -> Vec<RuleDef> {
    let value = match format {
        Format::Toml => match text.parse::<toml::Table>() {
            Ok(t) => toml_to_json(toml::Value::Table(t)),
            Err(e) => {
                let (line, col) = e
                    .span()
                    .map_or((1, 1), |s| crate::diag::line_col(text, s.start));
                diags.error(
                    path,
                    line,
                    col,
                    format!("invalid TOML: {}", e.message().trim()),
                );
                return Vec::new();
            }
        },
        Format::Yaml => match parse_yaml(text) {
            Ok(v) => v,
            Err((at, message)) => {
                let (line, col) = crate::diag::line_col(text, at);
                diags.error(path, line, col, format!("invalid YAML: {message}"));
                return Vec::new();
            }
        },
        Format::SeedJson => match serde_json::from_str::<Value>(text) {
            Ok(v) => return seed(v, text, path, diags),
            Err(e) => {
                let (line, col) = json_position(text, e.line(), e.column());
                diags.error(
                    path,
                    line,
                    col,
                    format!("invalid JSON: {e}")
                        .split(" at line ")
                        .next()
                        .unwrap_or("invalid JSON"),
                );
                return Vec::new();
            }
        },
    };
    let positions = match format {
        Format::Toml => Positions::Toml(TomlSpans::new(text)),
        _ => Positions::Yaml {
            lines: text.lines().collect(),
            starts: rule_lines(text, format),
        },
    };
    let (top, list) = match value {
        Value::Array(a) => (String::new(), a),
        Value::Object(mut m) => {
            let top = ["rule", "rules"].into_iter().find(|k| m.contains_key(*k));
            let list = top.and_then(|k| m.remove(k));
            for key in m.keys() {
                let at = match &positions {
                    Positions::Toml(sp) => sp.key(key),
                    _ => (1, 1),
                };
                unknown(diags, path, at, key, &["rule", "rules"]);
            }
            match list {
                Some(Value::Array(a)) => (top.unwrap_or_default().to_string(), a),
                _ => {
                    diags.error(path, 1, 1, "expected a list of rules (`[[rule]]` tables in TOML, a `rules:` list in YAML)");
                    return Vec::new();
                }
            }
        }
        Value::Null => return Vec::new(),
        _ => {
            diags.error(path, 1, 1, "expected a list of rules");
            return Vec::new();
        }
    };
    let mut rules = Vec::new();
    for (i, item) in list.into_iter().enumerate() {
        let (line, col) = positions.rule(i, &top);
        let Value::Object(map) = item else {
            diags.error(path, line, col, "a rule must be a table of keys");
            continue;
        };
        let mut rule = RuleDef {
            path: path.to_path_buf(),
            line,
            col,
            ..Default::default()
        };
        if map.contains_key("id") {
            (rule.line, rule.col) = positions.key(i, &top, "id");
        }
        for (key, value) in map {
            let at = positions.value(i, &top, &key);
            let string = |diags: &mut Diagnostics| match value {
                Value::String(ref s) => Some(s.clone()),
                ref other => {
                    wrong(diags, path, at, &key, "a string", other);
                    None
                }
            };
            match key.as_str() {
                "id" => rule.id = string(diags).unwrap_or_default(),
                "lang" => rule.lang = string(diags).filter(|s| !s.is_empty()),
                "regex" => rule.regex = string(diags).filter(|s| !s.is_empty()),
                "answer" => rule.answer = string(diags).unwrap_or_default(),
                "phrasings" | "keywords" | "articles" => {
                    let list = list_of(&value, &key, path, diags, |n| {
                        positions.item(i, &top, &key, n)
                    });
                    match key.as_str() {
                        "phrasings" => rule.phrasings = list,
                        "keywords" => rule.keywords = list,
                        _ => rule.articles = list,
                    }
                }
                "priority" => match value.as_i64() {
                    Some(p) => rule.priority = p.clamp(i32::MIN.into(), i32::MAX.into()) as i32,
                    None => wrong(diags, path, at, &key, "a whole number", &value),
                },
                _ => unknown(diags, path, positions.key(i, &top, &key), &key, KEYS),
            }
        }
        validate(&mut rule, i, diags);
        let at = positions.string_value(text, i, &top, "regex");
        refuse_backtracking(&rule, 0, text, at, diags);
        rules.push(rule);
    }
    rules
}

/// Reports a rule regex that a browser's backtracking `RegExp` could take exponential time on
/// (see `redos`), at its position in the file: `at` is where the regex's string starts (its
/// opening quote, if it has one), and the column is that of the offending part (exact for
/// TOML's literal strings, approximate when the string has escapes). `skip` is how many
/// characters of the stored regex the file does not show (the seed format's added `(?i)`).
fn refuse_backtracking(
    rule: &RuleDef,
    skip: usize,
    text: &str,
    (line, col): (usize, usize),
    diags: &mut Diagnostics,
) {
    let Some(re) = &rule.regex else { return };
    let Err(hazard) = crate::redos::check(re) else {
        return;
    };
    let src = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let value: String = src.chars().skip(col.saturating_sub(1)).collect();
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| value.starts_with(q))
        .map_or(0, str::len);
    diags.error(
        &rule.path,
        line,
        col + quote + hazard.at.saturating_sub(skip),
        format!("rule \"{}\": regex {}", rule.id, hazard.message),
    );
}

/// A misspelt key would drop what it says (an `anwser`) in silence: it is an error.
fn unknown(diags: &mut Diagnostics, path: &Path, at: (usize, usize), key: &str, known: &[&str]) {
    crate::config::unknown_key(diags, path, at, "rule key", key, known);
}

fn wrong(
    diags: &mut Diagnostics,
    path: &Path,
    (line, col): (usize, usize),
    key: &str,
    what: &str,
    value: &Value,
) {
    diags.error(
        path,
        line,
        col,
        format!("`{key}` must be {what}, not {}", kind(value)),
    );
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

/// A list of strings, or one string standing for a list of one.
fn list_of(
    value: &Value,
    key: &str,
    path: &Path,
    diags: &mut Diagnostics,
    item_at: impl Fn(usize) -> (usize, usize),
) -> Vec<String> {
    match value {
        Value::Array(a) => a
            .iter()
            .enumerate()
            .filter_map(|(n, v)| match v {
                Value::String(s) => Some(s.clone()),
                other => {
                    let (line, col) = item_at(n);
                    diags.error(
                        path,
                        line,
                        col,
                        format!("`{key}` entries must be strings, not {}", kind(other)),
                    );
                    None
                }
            })
            .filter(|s| !s.trim().is_empty())
            .collect(),
        Value::String(s) if s.trim().is_empty() => Vec::new(),
        Value::String(s) => vec![s.clone()],
        Value::Null => Vec::new(),
        other => {
            let (line, col) = item_at(0);
            diags.error(
                path,
                line,
                col,
                format!("`{key}` must be a list of strings, not {}", kind(other)),
            );
            Vec::new()
        }
    }
}

/// Two rules of one language with the same id: the widget could only ever answer with one,
/// and `kbgen ask` names them alike. Both places are named.
pub fn check_duplicates(rules: &[RuleDef], default_lang: &str, diags: &mut Diagnostics) {
    let mut first: HashMap<(&str, &str), &RuleDef> = HashMap::new();
    for rule in rules.iter().filter(|r| !r.id.is_empty()) {
        let lang = rule.lang.as_deref().unwrap_or(default_lang);
        match first.get(&(lang, rule.id.as_str())) {
            Some(earlier) => diags.error(
                &rule.path,
                rule.line,
                rule.col,
                format!(
                    "duplicate rule id \"{}\" in language \"{lang}\"; the first is at {}:{}:{}",
                    rule.id,
                    earlier.path.display(),
                    earlier.line,
                    earlier.col
                ),
            ),
            None => {
                first.insert((lang, rule.id.as_str()), rule);
            }
        }
    }
}

fn validate(rule: &mut RuleDef, i: usize, diags: &mut Diagnostics) {
    let path = rule.path.clone();
    let path = path.as_path();
    let (line, col) = (rule.line, rule.col);
    if rule.id.is_empty() {
        rule.id = format!("rule-{}", i + 1);
        diags.warn(
            path,
            line,
            col,
            format!("rule without `id`; calling it \"{}\"", rule.id),
        );
    }
    if rule.answer.trim().is_empty() {
        diags.error(
            path,
            line,
            col,
            format!("rule \"{}\" has no `answer`", rule.id),
        );
    }
    if let Some(re) = &rule.regex {
        if let Err(e) = regex_lite::Regex::new(re) {
            diags.error(
                path,
                line,
                col,
                format!(
                    "rule \"{}\": invalid regex: {}",
                    rule.id,
                    e.to_string().lines().last().unwrap_or("")
                ),
            );
            rule.regex = None;
        } else if let Some(construct) = browser_unsupported(re) {
            diags.warn(
                path,
                line,
                col,
                format!(
                    "rule \"{}\": regex uses `{construct}`, which browsers' RegExp does not understand; the widget ignores this regex (`kbgen ask` still uses it)",
                    rule.id
                ),
            );
        }
    }
    if rule.phrasings.is_empty() && rule.keywords.is_empty() && rule.regex.is_none() {
        diags.error(
            path,
            line,
            col,
            format!(
                "rule \"{}\" can never fire: it has no phrasings, keywords or regex",
                rule.id
            ),
        );
    }
}

/// The first piece of Rust regex syntax in `re` that JavaScript's `RegExp` lacks: the widget
/// matches rule regexes with the browser's engine (see the engine's `pattern` module), where
/// such a regex fails to compile and is ignored. A leading `(?i)` is fine: rules are
/// case-insensitive anyway.
fn browser_unsupported(re: &str) -> Option<&'static str> {
    let body = re.strip_prefix("(?i)").unwrap_or(re);
    const RUST_ONLY: [&str; 9] = [
        "(?", "\\A", "\\z", "[[:", "\\x{", "\\pL", "\\pN", "\\PL", "\\PN",
    ];
    RUST_ONLY.into_iter().find(|c| {
        // `(?:`, `(?=`, `(?!`, `(?<` are groups JavaScript has; other `(?` are inline flags.
        if *c == "(?" {
            body.match_indices("(?").any(|(i, _)| {
                !matches!(body.as_bytes().get(i + 2), Some(b':' | b'=' | b'!' | b'<'))
            })
        } else {
            body.contains(c)
        }
    })
}

/// The keys a seed-style rule may have: the brief's `pattern` and `response`, their plural and
/// rules.toml spellings, and rules.toml's other keys.
const SEED_KEYS: &[&str] = &[
    "pattern",
    "patterns",
    "phrasings",
    "response",
    "answer",
    "id",
    "lang",
    "keywords",
    "regex",
    "articles",
    "priority",
];

/// The seed brief's format, `{"rule_1": {"pattern": "...", "response": "..."}}`, or a list of
/// such objects (with `id`). A `pattern` is what a person wrote: a phrasing (a trailing `?`, `.`
/// or `!` is the sentence's punctuation, `a|b` two phrasings), and a regex only when it has syntax
/// no question has (see [`read_pattern`]). So "what is your return policy?" fires for "What's your
/// return policy" and "return policy" like a rules.toml phrasing would.
fn seed(v: Value, text: &str, path: &Path, diags: &mut Diagnostics) -> Vec<RuleDef> {
    let items: Vec<(Option<String>, Value)> = match v {
        Value::Object(map) => map.into_iter().map(|(k, v)| (Some(k), v)).collect(),
        Value::Array(list) => list.into_iter().map(|v| (None, v)).collect(),
        _ => {
            diags.error(
                path,
                1,
                1,
                "expected an object like {\"rule_1\": {\"pattern\": \"...\", \"response\": \"...\"}} or a list of {\"pattern\": \"...\", \"response\": \"...\"}",
            );
            return Vec::new();
        }
    };
    let file = SeedFile {
        text,
        path,
        keys: JsonKeys::new(text),
    };
    file.report_repeated(diags);
    let mut rules: Vec<RuleDef> = items
        .into_iter()
        .enumerate()
        .filter_map(|(i, (key, body))| file.rule(i, key, body, diags))
        .collect();
    // Object keys come back sorted, not in file order.
    rules.sort_by_key(|r| (r.line, r.col));
    rules
}

/// A seed-format rules file being read: its text and path, and where its keys are.
struct SeedFile<'a> {
    text: &'a str,
    path: &'a Path,
    keys: JsonKeys<'a>,
}

impl SeedFile<'_> {
    /// serde_json keeps the last of two equal keys and drops the first without a word.
    fn report_repeated(&self, diags: &mut Diagnostics) {
        let keys = &self.keys;
        for (name, first, again) in &keys.repeated {
            let (line, col) = keys.line_col(*again);
            let (l0, c0) = keys.line_col(*first);
            diags.error(
                self.path,
                line,
                col,
                format!(
                    "duplicate rule id \"{name}\"; the first is at {}:{l0}:{c0}",
                    self.path.display()
                ),
            );
        }
    }

    /// Rule `i` of the file, written under `key` in an object of rules (`None` in a list);
    /// `None` when it is not an object.
    fn rule(
        &self,
        i: usize,
        key: Option<String>,
        body: Value,
        diags: &mut Diagnostics,
    ) -> Option<RuleDef> {
        let (path, keys) = (self.path, &self.keys);
        // A rule's keys are found under its key in an object, under its index in a list.
        let name = key.clone().unwrap_or_else(|| i.to_string());
        let (line, col) = keys.key(&name);
        let listed = key.is_none();
        let Value::Object(body) = body else {
            let what = match &key {
                Some(k) => format!("rule \"{k}\""),
                None => format!("rule {}", i + 1),
            };
            diags.error(
                path,
                line,
                col,
                format!(
                    "{what} must be an object like {{\"pattern\": \"...\", \"response\": \"...\"}}, not {}",
                    kind(&body)
                ),
            );
            return None;
        };
        let mut rule = RuleDef {
            id: key.unwrap_or_default(),
            path: path.to_path_buf(),
            line,
            col,
            ..Default::default()
        };
        if listed && body.contains_key("id") {
            (rule.line, rule.col) = keys.key(&format!("{name}.id"));
        }
        let patterns = self.read_keys(&name, body, &mut rule, diags);
        let pattern_key = ["pattern", "patterns"]
            .into_iter()
            .map(|k| format!("{name}.{k}"))
            .find(|k| keys.at.contains_key(k));
        let pattern_at = pattern_key
            .as_deref()
            .map_or((rule.line, rule.col), |k| keys.key(k));
        // Where the regex the backtracking check reads starts, and how much of it the file does
        // not show: `regex` comes first, as written; a pattern's regex gained `(?i)`.
        let regex_at = match (&rule.regex, &pattern_key) {
            (Some(_), _) => Some((keys.value(&format!("{name}.regex")), 0)),
            (None, Some(k)) => Some((keys.value(k), 4)),
            (None, None) => None,
        };
        self.read_patterns(&mut rule, patterns, pattern_at, diags);
        let mut seen = std::collections::HashSet::new();
        rule.phrasings.retain(|p| seen.insert(p.to_lowercase()));
        validate(&mut rule, i, diags);
        let (at, skip) = regex_at.unwrap_or(((rule.line, rule.col), 0));
        refuse_backtracking(&rule, skip, self.text, at, diags);
        Some(rule)
    }

    /// Reads the keys of the rule at `name` into `rule`, except its patterns, which it returns
    /// for [`SeedFile::read_patterns`].
    fn read_keys(
        &self,
        name: &str,
        body: serde_json::Map<String, Value>,
        rule: &mut RuleDef,
        diags: &mut Diagnostics,
    ) -> Vec<String> {
        let path = self.path;
        let mut patterns = Vec::new();
        for (key, value) in body {
            let full = format!("{name}.{key}");
            let at = self.keys.key(&full);
            let string = |diags: &mut Diagnostics| match value {
                Value::String(ref s) => Some(s.clone()),
                ref other => {
                    wrong(diags, path, at, &key, "a string", other);
                    None
                }
            };
            let list = |diags: &mut Diagnostics| {
                // Entries of a list are not located one by one: its key stands for them.
                list_of(&value, &key, path, diags, |_| at)
            };
            match key.as_str() {
                // The brief writes one pattern as a string; a list of them is read too.
                "pattern" => match &value {
                    Value::Array(_) => patterns.extend(list(diags)),
                    _ => patterns.extend(string(diags)),
                },
                "patterns" => patterns.extend(list(diags)),
                "phrasings" => rule.phrasings.extend(list(diags)),
                "keywords" => rule.keywords = list(diags),
                "articles" => rule.articles = list(diags),
                "response" | "answer" => rule.answer = string(diags).unwrap_or_default(),
                "id" => rule.id = string(diags).unwrap_or_default(),
                "lang" => rule.lang = string(diags).filter(|s| !s.is_empty()),
                "regex" => rule.regex = string(diags).filter(|s| !s.is_empty()),
                "priority" => match value.as_i64() {
                    Some(p) => rule.priority = p.clamp(i32::MIN.into(), i32::MAX.into()) as i32,
                    None => wrong(diags, path, at, &key, "a whole number", &value),
                },
                _ => unknown(diags, path, at, &key, SEED_KEYS),
            }
        }
        patterns
    }

    /// Each pattern as phrasings or a regex (see [`read_pattern`]); the rule's `regex` and the
    /// patterns' regexes become one. A pattern that is only a regex is warned about at
    /// `pattern_at`.
    fn read_patterns(
        &self,
        rule: &mut RuleDef,
        patterns: Vec<String>,
        pattern_at: (usize, usize),
        diags: &mut Diagnostics,
    ) {
        let mut regexes: Vec<String> = rule.regex.take().into_iter().collect();
        for pattern in patterns {
            match read_pattern(&pattern) {
                Pattern::Phrasings(p) => rule.phrasings.extend(p),
                Pattern::Regex {
                    regex,
                    phrasings,
                    why,
                } => {
                    if phrasings.is_empty() {
                        diags.warn(
                            self.path,
                            pattern_at.0,
                            pattern_at.1,
                            format!(
                                "rule \"{}\": pattern {:?} is read as a regex (it has `{why}`), so the rule fires only for questions it matches; add plain phrasings (\"phrasings\": [...]) for the other ways visitors ask",
                                rule.id, pattern
                            ),
                        );
                    }
                    rule.phrasings.extend(phrasings);
                    regexes.push(regex);
                }
            }
        }
        rule.regex = match regexes.len() {
            0 => None,
            1 => regexes.pop(),
            _ => Some(
                regexes
                    .iter()
                    .map(|r| format!("(?:{})", r.strip_prefix("(?i)").unwrap_or(r)))
                    .collect::<Vec<_>>()
                    .join("|"),
            ),
        };
    }
}

/// serde_json's line and column (in bytes) as our line and column (in characters).
fn json_position(text: &str, line: usize, byte_col: usize) -> (usize, usize) {
    let Some(l) = text.split('\n').nth(line.saturating_sub(1)) else {
        return (line.max(1), 1);
    };
    let mut end = byte_col.saturating_sub(1).min(l.len());
    while !l.is_char_boundary(end) {
        end -= 1;
    }
    (line.max(1), l[..end].chars().count() + 1)
}

/// The positions of the rules of a seed JSON document and of their keys and values, read in one
/// pass over the text; serde_json's `Value` keeps none. In an object of rules they are found by
/// the rule's key (`rule_1`, `rule_1.pattern`), in a list by its index (`0`, `0.pattern`).
struct JsonKeys<'a> {
    text: &'a str,
    /// Where each key (or, in a list, each rule) starts.
    at: HashMap<String, usize>,
    /// Where the value of each key starts.
    values: HashMap<String, usize>,
    /// Top-level keys written twice: the name, the first and the later offset.
    repeated: Vec<(String, usize, usize)>,
    line_starts: Vec<usize>,
}

impl<'a> JsonKeys<'a> {
    fn new(text: &'a str) -> JsonKeys<'a> {
        let bytes = text.as_bytes();
        let mut at = HashMap::new();
        let mut values = HashMap::new();
        let mut repeated = Vec::new();
        let mut depth = 0usize;
        let mut top = String::new();
        // A list of rules: the index of the next one, and whether one starts at the next value.
        let mut list = false;
        let mut next_item = 0usize;
        let mut expect_item = false;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if list && depth == 1 && expect_item && !b.is_ascii_whitespace() && b != b']' {
                expect_item = false;
                top = next_item.to_string();
                at.insert(top.clone(), i);
                next_item += 1;
            }
            match b {
                b'{' | b'[' => {
                    depth += 1;
                    if depth == 1 {
                        list = b == b'[';
                        expect_item = list;
                    }
                }
                b'}' | b']' => depth = depth.saturating_sub(1),
                b',' if depth == 1 => expect_item = list,
                b'"' => {
                    let start = i;
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    let end = (i + 1).min(bytes.len());
                    let colon = bytes[end..]
                        .iter()
                        .position(|b| !b.is_ascii_whitespace())
                        .map(|n| end + n)
                        .filter(|&n| bytes[n] == b':');
                    let key_depth = if list { 2 } else { 1 };
                    if let Some(colon) = colon.filter(|_| depth == key_depth || depth == 2) {
                        let name = text
                            .get(start..end)
                            .and_then(|raw| serde_json::from_str::<String>(raw).ok())
                            .unwrap_or_default();
                        let value = bytes[colon + 1..]
                            .iter()
                            .position(|b| !b.is_ascii_whitespace())
                            .map_or(bytes.len(), |n| colon + 1 + n);
                        if depth == 1 {
                            if let Some(&first) = at.get(&name) {
                                repeated.push((name.clone(), first, start));
                            } else {
                                at.insert(name.clone(), start);
                                values.insert(name.clone(), value);
                            }
                            top = name;
                        } else {
                            let path = format!("{top}.{name}");
                            at.entry(path.clone()).or_insert(start);
                            values.entry(path).or_insert(value);
                        }
                    }
                }
                _ => {}
            }
            i += 1;
        }
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        JsonKeys {
            text,
            at,
            values,
            repeated,
            line_starts,
        }
    }

    fn line_col(&self, at: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= at).max(1);
        let start = self.line_starts[line - 1];
        let col = self.text.get(start..at).map_or(0, |s| s.chars().count());
        (line, col + 1)
    }

    fn key(&self, path: &str) -> (usize, usize) {
        self.at.get(path).map_or((1, 1), |&at| self.line_col(at))
    }

    fn value(&self, path: &str) -> (usize, usize) {
        self.values
            .get(path)
            .map_or_else(|| self.key(path), |&at| self.line_col(at))
    }
}

/// What a seed rule's `pattern` is.
#[derive(Debug, PartialEq)]
enum Pattern {
    /// A question as a person writes it, or several separated by `|`.
    Phrasings(Vec<String>),
    /// A regex; its alternatives that are plain words also become phrasings. `why` is the
    /// syntax that made it one, for messages.
    Regex {
        regex: String,
        phrasings: Vec<String>,
        why: &'static str,
    },
}

/// A phrasing unless the pattern has syntax that only a regex has; a sentence's closing `?`,
/// `.` or `!` (and parentheses around words) are punctuation.
fn read_pattern(pattern: &str) -> Pattern {
    let t = pattern.trim();
    match regex_syntax(t) {
        None => Pattern::Phrasings(
            t.split('|')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        Some(why) => {
            let body = t.strip_prefix("(?i)").unwrap_or(t);
            let inner = body.trim_start_matches('^').trim_end_matches('$');
            let mut phrasings = Vec::new();
            plain_alternatives(inner, &mut phrasings);
            Pattern::Regex {
                regex: format!("(?i){body}"),
                phrasings,
                why,
            }
        }
    }
}

/// The first piece of regex-only syntax in `t`, if any: escapes like `\b` `\d`, anchors `^` and
/// `$`, `.*` `.+`, classes `[...]`, counted repetition `{2,}`, a group with `|` or a quantifier,
/// `(?`, and `?` `*` `+` inside a word (`colou?r`). A `?` `.` `!` closing the text is a sentence's.
fn regex_syntax(t: &str) -> Option<&'static str> {
    let s = t.trim_end_matches(|c: char| {
        matches!(c, '?' | '.' | '!' | '？' | '。' | '！') || c.is_whitespace()
    });
    let b = s.as_bytes();
    if s.starts_with('^') {
        return Some("^");
    }
    if s.ends_with('$') {
        return Some("$");
    }
    if s.contains("(?") {
        return Some("(?");
    }
    for (i, &c) in b.iter().enumerate() {
        let next = b.get(i + 1).copied();
        let prev = i.checked_sub(1).map(|j| b[j]);
        match c {
            b'\\' if next.is_some_and(|n| n.is_ascii_graphic()) => return Some("\\"),
            b'.' if matches!(next, Some(b'*' | b'+' | b'?')) => return Some(".*"),
            b'[' if s[i..].contains(']') => return Some("[...]"),
            b'{' if next.is_some_and(|n| n.is_ascii_digit())
                && s[i..].find('}').is_some_and(|j| {
                    s[i + 1..i + j]
                        .bytes()
                        .all(|x| x.is_ascii_digit() || x == b',')
                }) =>
            {
                return Some("{n}")
            }
            b')' if matches!(next, Some(b'?' | b'*' | b'+' | b'{')) => return Some("(...)?"),
            b'(' if group_end(&s[i..]).is_some_and(|g| g.contains('|')) => return Some("(a|b)"),
            b'?' | b'*' | b'+'
                if prev.is_some_and(|p| p.is_ascii_alphanumeric())
                    && next.is_some_and(|n| n.is_ascii_alphanumeric()) =>
            {
                return Some(if c == b'?' {
                    "?"
                } else if c == b'*' {
                    "*"
                } else {
                    "+"
                })
            }
            _ => {}
        }
    }
    None
}

/// The text of the group opening at the start of `s`, up to its matching `)`.
fn group_end(s: &str) -> Option<&str> {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&s[1..i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The alternatives of a regex that are plain words, inside groups too:
/// `\b(track(ing)?|where is my order)\b` → "where is my order".
fn plain_alternatives(re: &str, out: &mut Vec<String>) {
    for alt in split_alternatives(re) {
        let mut a = alt.trim();
        loop {
            let before = a;
            a = a.trim_start_matches("\\b").trim_end_matches("\\b");
            a = a.trim_end_matches("\\?").trim();
            if a.starts_with('(') && group_end(a).is_some_and(|g| g.len() + 2 == a.len()) {
                a = &a[1..a.len() - 1];
                a = a.strip_prefix("?:").unwrap_or(a);
            }
            if a == before {
                break;
            }
        }
        if a != alt.trim() && a.contains('|') {
            plain_alternatives(a, out);
        } else if !a.is_empty() && regex_syntax(a).is_none() && !a.contains(['(', ')', '|']) {
            out.push(a.to_string());
        }
    }
}

/// `a|(b|c)|d` → `a`, `(b|c)`, `d`: alternatives at the top level only.
fn split_alternatives(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut from, mut escaped) = (Vec::new(), 0i32, 0, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            '|' if depth == 0 => {
                out.push(&s[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[from..]);
    out
}

fn rule_lines(text: &str, format: Format) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| match format {
            Format::Toml => l.trim() == "[[rule]]" || l.trim() == "[[rules]]",
            _ => l.trim_start().starts_with("- ") && l.len() - l.trim_start().len() <= 2,
        })
        .map(|(i, _)| i + 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        text: &str,
        format: Format,
        expected: &[(&str, &[&str], Option<&str>)],
        expected_diags: &[&str],
    ) {
        let mut diags = Diagnostics::default();
        let rules = parse(text, format, Path::new("rules"), &mut diags);
        let got: Vec<(&str, Vec<&str>, Option<&str>)> = rules
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    r.phrasings.iter().map(String::as_str).collect(),
                    r.regex.as_deref(),
                )
            })
            .collect();
        let expected: Vec<(&str, Vec<&str>, Option<&str>)> = expected
            .iter()
            .map(|(a, b, c)| (*a, b.to_vec(), *c))
            .collect();
        assert_eq!(got, expected);
        let d: Vec<String> = diags.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(d, expected_diags);
    }

    #[test]
    fn toml_rules() {
        check(
            "[[rule]]\nid = \"refund\"\nphrasings = [\"can I get a refund\"]\nanswer = \"Yes, within **30 days**.\"\n\n[[rule]]\nid = \"x\"\nanwser = \"typo\"\n",
            Format::Toml,
            &[("refund", &["can I get a refund"], None), ("x", &[], None)],
            &[
                "rules:7:1: error: rule \"x\" has no `answer`",
                "rules:7:1: error: rule \"x\" can never fire: it has no phrasings, keywords or regex",
                "rules:8:1: error: unknown rule key \"anwser\" (did you mean \"answer\"?)",
            ],
        );
    }

    #[test]
    fn error_columns_count_characters() {
        // Found by `fuzz::json_rules_never_panic`: serde_json's column counts bytes, so after
        // Chinese text the column pointed past the end of the line.
        check(
            "{\"退款\": [1, 2,]}",
            Format::SeedJson,
            &[],
            &["rules:1:14: error: invalid JSON: trailing comma"],
        );
        // Found by `fuzz::yaml_rules_never_panic`: libyaml counts a lone CR as a line break.
        check(
            "=\r\\: [[",
            Format::Yaml,
            &[],
            &["rules:1:4: error: invalid YAML: mapping values are not allowed in this context"],
        );
    }

    #[test]
    fn yaml_rules() {
        check(
            "rules:\n  - id: track\n    phrasings: [where is my order]\n    regex: \"track(ing)?\"\n    answer: See the tracking page.\n",
            Format::Yaml,
            &[("track", &["where is my order"], Some("track(ing)?"))],
            &[],
        );
    }

    #[test]
    fn seed_json_patterns_are_phrasings_unless_clearly_regexes() {
        check(
            r#"{"rule_1": {"pattern": "return policy|refund", "response": "30 days."},
               "rule_2": {"pattern": "what is your return policy?", "response": "30 days."},
               "rule_3": {"pattern": "\\d+([", "response": "x"},
               "rule_10": {"pattern": "(?i)\\b(track(ing)?|where is my order)\\b", "response": "x"},
               "rule_4": {"pattern": "^order \\d+$", "respones": "x"}}"#,
            Format::SeedJson,
            &[
                ("rule_1", &["return policy", "refund"], None),
                ("rule_2", &["what is your return policy?"], None),
                ("rule_3", &[], None),
                (
                    "rule_10",
                    &["where is my order"],
                    Some(r"(?i)\b(track(ing)?|where is my order)\b"),
                ),
                ("rule_4", &[], Some(r"(?i)^order \d+$")),
            ],
            &[
                "rules:3:16: error: rule \"rule_3\": invalid regex: found unclosed character class",
                "rules:3:16: error: rule \"rule_3\" can never fire: it has no phrasings, keywords or regex",
                "rules:3:27: warning: rule \"rule_3\": pattern \"\\\\d+([\" is read as a regex (it has `\\`), so the rule fires only for questions it matches; add plain phrasings (\"phrasings\": [...]) for the other ways visitors ask",
                "rules:5:16: error: rule \"rule_4\" has no `answer`",
                "rules:5:27: warning: rule \"rule_4\": pattern \"^order \\\\d+$\" is read as a regex (it has `^`), so the rule fires only for questions it matches; add plain phrasings (\"phrasings\": [...]) for the other ways visitors ask",
                "rules:5:54: error: unknown rule key \"respones\" (did you mean \"response\"?)",
            ],
        );
    }

    #[test]
    fn seed_json_list() {
        check(
            "[\n {\"id\": \"decaf\", \"patterns\": [\"do you sell decaf?\", \"decaf\"], \"answer\": \"Yes.\"},\n {\"phrasings\": [\"opening hours\"], \"response\": \"8–5.\", \"lang\": \"en\"}\n]",
            Format::SeedJson,
            &[
                ("decaf", &["do you sell decaf?", "decaf"], None),
                ("rule-2", &["opening hours"], None),
            ],
            &["rules:3:2: warning: rule without `id`; calling it \"rule-2\""],
        );
    }

    #[test]
    fn seed_json_list_errors_point_at_the_key_and_the_regex() {
        let mut diags = Diagnostics::default();
        let rules = parse(
            "[\n {\"id\": \"a\", \"pattern\": \"hi\", \"answer\": 3},\n {\"id\": \"b\", \"pattern\": \"hello\", \"regex\": \"^(a+)+$\", \"answer\": \"x\"}\n]",
            Format::SeedJson,
            Path::new("rules"),
            &mut diags,
        );
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        let d: Vec<String> = diags.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(d.len(), 3, "{d:#?}");
        assert_eq!(d[0], "rules:2:3: error: rule \"a\" has no `answer`");
        assert_eq!(
            d[1],
            "rules:2:31: error: `answer` must be a string, not a number"
        );
        assert!(
            d[2].starts_with("rules:3:46: error: rule \"b\": regex can take exponential time"),
            "{d:#?}"
        );
    }

    #[test]
    fn a_backtracking_yaml_regex_is_refused_at_its_column() {
        let mut diags = Diagnostics::default();
        parse(
            "rules:\n  - id: evil\n    phrasings: [x]\n    regex: '^(a+)+$'\n    answer: x\n",
            Format::Yaml,
            Path::new("rules"),
            &mut diags,
        );
        let d: Vec<String> = diags.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(d.len(), 1, "{d:#?}");
        // The value's quote is at column 12, the `a+` the message is about at 15.
        assert!(
            d[0].starts_with("rules:4:15: error: rule \"evil\": regex can take exponential time"),
            "{d:#?}"
        );
    }

    #[test]
    fn what_is_a_regex() {
        for (pattern, regex) in [
            ("what is your return policy?", None),
            ("Do you ship to Canada!", None),
            ("refund (for sale items)", None),
            ("C++ support", None),
            ("return policy|refund", None),
            ("如何退货？", None),
            ("colou?r", Some("?")),
            ("track.*order", Some(".*")),
            ("order \\d+", Some("\\")),
            ("(?i)refund", Some("(?")),
            ("(return|refund) policy", Some("(a|b)")),
            ("returns?(s)? policy", Some("(...)?")),
            ("[Rr]efund", Some("[...]")),
            ("^refund", Some("^")),
            ("refund$", Some("$")),
            ("a{2,}", Some("{n}")),
        ] {
            assert_eq!(regex_syntax(pattern), regex, "{pattern}");
        }
        // Every pair of these pieces, in any script, reads without panicking.
        let pieces = [
            "é", "退", "(", ")", "[", "]", "{", "}", "{2,", "|", "\\", "\\b", "?", "*", "+", ".",
            "^", "$", "(?:", "(?i)", " ", "？", "ب",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let _ = read_pattern(&format!("{a}{b}{c}{a}"));
                }
            }
        }
    }

    #[test]
    fn regexes_the_browser_cannot_run_are_named() {
        check(
            "[[rule]]\nid = \"a\"\nregex = '(?i)\\b(IT-\\d{4,}|tracking (?:number|link))\\b'\nanswer = \"x\"\n\n[[rule]]\nid = \"b\"\nregex = 'order\\z'\nanswer = \"x\"\n\n[[rule]]\nid = \"c\"\nregex = 'a(?s).b'\nanswer = \"x\"\n",
            Format::Toml,
            &[
                ("a", &[], Some(r"(?i)\b(IT-\d{4,}|tracking (?:number|link))\b")),
                ("b", &[], Some(r"order\z")),
                ("c", &[], Some("a(?s).b")),
            ],
            &[
                "rules:7:1: warning: rule \"b\": regex uses `\\z`, which browsers' RegExp does not understand; the widget ignores this regex (`kbgen ask` still uses it)",
                "rules:12:1: warning: rule \"c\": regex uses `(?`, which browsers' RegExp does not understand; the widget ignores this regex (`kbgen ask` still uses it)",
            ],
        );
    }
}
