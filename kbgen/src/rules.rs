//! The owner's canned answers for the widget's responder: `rules.toml`, `rules.yaml` or the seed
//! brief's `rules.json` (`{"rule_1": {"pattern": "...", "response": "..."}}`), read as-is.

use crate::config::TomlSpans;
use crate::diag::{nearest, Diagnostics};
use crate::frontmatter::{toml_to_json, yaml_to_json};
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

/// The keys of a rule in the seed brief's `rules.json`.
const SEED_KEYS: &[&str] = &["pattern", "response", "answer"];

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
        Format::Yaml => match yaml_serde::from_str::<yaml_serde::Value>(text) {
            Ok(v) => yaml_to_json(v),
            Err(e) => {
                // The location's index is a byte offset, counted with the same line breaks
                // (`\r` too) as libyaml, whose column counts from 0 and whose line breaks
                // differ from ours.
                let (line, col) = e
                    .location()
                    .map_or((1, 1), |l| crate::diag::line_col(text, l.index()));
                let msg = e.to_string();
                diags.error(
                    path,
                    line,
                    col,
                    format!(
                        "invalid YAML: {}",
                        msg.split(" at line ").next().unwrap_or(&msg)
                    ),
                );
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
        rules.push(rule);
    }
    rules
}

/// A misspelt key would drop what it says (an `anwser`) in silence: it is an error.
fn unknown(
    diags: &mut Diagnostics,
    path: &Path,
    (line, col): (usize, usize),
    key: &str,
    known: &[&str],
) {
    let hint = nearest(key, known)
        .map(|k| format!(" (did you mean \"{k}\"?)"))
        .unwrap_or_default();
    diags.error(path, line, col, format!("unknown rule key \"{key}\"{hint}"));
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

/// The seed brief's format: each `pattern` is a regex or a phrase; `a|b` alternatives also become
/// phrasings so the responder's fuzzy matching helps them too.
fn seed(v: Value, text: &str, path: &Path, diags: &mut Diagnostics) -> Vec<RuleDef> {
    let Value::Object(map) = v else {
        diags.error(
            path,
            1,
            1,
            "expected an object like {\"rule_1\": {\"pattern\": \"...\", \"response\": \"...\"}}",
        );
        return Vec::new();
    };
    let keys = JsonKeys::new(text);
    // serde_json keeps the last of two equal keys and drops the first without a word.
    for (name, first, again) in &keys.repeated {
        let (line, col) = keys.line_col(*again);
        let (l0, c0) = keys.line_col(*first);
        diags.error(
            path,
            line,
            col,
            format!(
                "duplicate rule id \"{name}\"; the first is at {}:{l0}:{c0}",
                path.display()
            ),
        );
    }
    let mut rules = Vec::new();
    for (i, (id, body)) in map.into_iter().enumerate() {
        let (line, col) = keys.key(&id);
        let mut rule = RuleDef {
            path: path.to_path_buf(),
            line,
            col,
            ..Default::default()
        };
        let Value::Object(body) = body else {
            diags.error(
                path,
                line,
                col,
                format!(
                    "rule \"{id}\" must be an object like {{\"pattern\": \"...\", \"response\": \"...\"}}, not {}",
                    kind(&body)
                ),
            );
            continue;
        };
        let mut pattern = String::new();
        for (key, value) in &body {
            let at = keys.key(&format!("{id}.{key}"));
            let Value::String(s) = value else {
                if SEED_KEYS.contains(&key.as_str()) {
                    wrong(diags, path, at, key, "a string", value);
                } else {
                    unknown(diags, path, at, key, SEED_KEYS);
                }
                continue;
            };
            match key.as_str() {
                "pattern" => pattern = s.clone(),
                "response" | "answer" => rule.answer = s.clone(),
                _ => unknown(diags, path, at, key, SEED_KEYS),
            }
        }
        rule.id = id;
        if pattern.contains(['|', '\\', '(', '[', '^', '$', '*', '+', '?']) {
            rule.phrasings = pattern
                .split('|')
                .map(|p| {
                    p.trim_matches(|c: char| "()^$\\b".contains(c))
                        .trim()
                        .to_string()
                })
                .filter(|p| !p.is_empty() && !p.contains(['\\', '[', '*', '+', '?', '(', ')']))
                .collect();
            rule.regex = Some(format!("(?i){pattern}"));
        } else if !pattern.trim().is_empty() {
            rule.phrasings = vec![pattern.trim().to_string()];
        }
        validate(&mut rule, i, diags);
        rules.push(rule);
    }
    rules
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

/// The positions of the keys of a JSON object and of the objects in it (`rule_1`,
/// `rule_1.pattern`), read in one pass over the text; serde_json's `Value` keeps none.
struct JsonKeys<'a> {
    text: &'a str,
    at: HashMap<String, usize>,
    /// Top-level keys written twice: the name, the first and the later offset.
    repeated: Vec<(String, usize, usize)>,
    line_starts: Vec<usize>,
}

impl<'a> JsonKeys<'a> {
    fn new(text: &'a str) -> JsonKeys<'a> {
        let bytes = text.as_bytes();
        let mut at = HashMap::new();
        let mut repeated = Vec::new();
        let mut depth = 0usize;
        let mut top = String::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.saturating_sub(1),
                b'"' => {
                    let start = i;
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    let end = (i + 1).min(bytes.len());
                    let is_key = bytes[end..]
                        .iter()
                        .find(|b| !b.is_ascii_whitespace())
                        .is_some_and(|&b| b == b':');
                    if is_key && (depth == 1 || depth == 2) {
                        let name = text
                            .get(start..end)
                            .and_then(|raw| serde_json::from_str::<String>(raw).ok())
                            .unwrap_or_default();
                        if depth == 1 {
                            if let Some(&first) = at.get(&name) {
                                repeated.push((name.clone(), first, start));
                            } else {
                                at.insert(name.clone(), start);
                            }
                            top = name;
                        } else {
                            at.entry(format!("{top}.{name}")).or_insert(start);
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
    fn seed_json_as_is() {
        check(
            r#"{"rule_1": {"pattern": "return policy|refund", "response": "30 days."},
               "rule_2": {"pattern": "reset password", "response": "Use the link."},
               "rule_3": {"pattern": "([", "response": "x"}}"#,
            Format::SeedJson,
            &[
                ("rule_1", &["return policy", "refund"], Some("(?i)return policy|refund")),
                ("rule_2", &["reset password"], None),
                ("rule_3", &[], None),
            ],
            &[
                "rules:3:16: error: rule \"rule_3\": invalid regex: found unclosed character class",
                "rules:3:16: error: rule \"rule_3\" can never fire: it has no phrasings, keywords or regex",
            ],
        );
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
