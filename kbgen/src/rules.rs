//! The owner's canned answers for the widget's responder: `rules.toml`, `rules.yaml` or the seed
//! brief's `rules.json` (`{"rule_1": {"pattern": "...", "response": "..."}}`), read as-is.

use crate::diag::{nearest, Diagnostics};
use crate::frontmatter::{toml_to_json, yaml_to_json};
use serde_json::Value;
use std::path::Path;

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
    /// Where the rule starts, for messages.
    pub line: usize,
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
                let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
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
                diags.error(
                    path,
                    e.line(),
                    e.column(),
                    format!("invalid JSON: {e}")
                        .split(" at line ")
                        .next()
                        .unwrap_or("invalid JSON"),
                );
                return Vec::new();
            }
        },
    };
    let list = match value {
        Value::Array(a) => a,
        Value::Object(mut m) => {
            match m.remove("rule").or_else(|| m.remove("rules")) {
                Some(Value::Array(a)) => a,
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
    let starts = rule_lines(text, format);
    let mut rules = Vec::new();
    for (i, item) in list.into_iter().enumerate() {
        let line = starts.get(i).copied().unwrap_or(1);
        let Value::Object(map) = item else {
            diags.error(path, line, 1, "a rule must be a table of keys");
            continue;
        };
        let mut rule = RuleDef {
            line,
            ..Default::default()
        };
        for (key, value) in map {
            let kline =
                line + crate::config::key_line(
                    text.lines()
                        .skip(line - 1)
                        .collect::<Vec<_>>()
                        .join("\n")
                        .as_str(),
                    &key,
                ) - 1;
            match key.as_str() {
                "id" => rule.id = str_of(&value),
                "lang" => rule.lang = Some(str_of(&value)).filter(|s| !s.is_empty()),
                "phrasings" => rule.phrasings = list_of(&value),
                "keywords" => rule.keywords = list_of(&value),
                "articles" => rule.articles = list_of(&value),
                "regex" => rule.regex = Some(str_of(&value)).filter(|s| !s.is_empty()),
                "answer" => rule.answer = str_of(&value),
                "priority" => match value.as_i64() {
                    Some(p) => rule.priority = p.clamp(i32::MIN.into(), i32::MAX.into()) as i32,
                    None => diags.error(path, kline, 1, "`priority` must be a whole number"),
                },
                _ => {
                    let hint = nearest(&key, KEYS)
                        .map(|k| format!(" (did you mean \"{k}\"?)"))
                        .unwrap_or_default();
                    diags.warn(path, kline, 1, format!("unknown rule key \"{key}\"{hint}"));
                }
            }
        }
        validate(&mut rule, i, path, diags);
        rules.push(rule);
    }
    rules
}

fn validate(rule: &mut RuleDef, i: usize, path: &Path, diags: &mut Diagnostics) {
    if rule.id.is_empty() {
        rule.id = format!("rule-{}", i + 1);
        diags.warn(
            path,
            rule.line,
            1,
            format!("rule without `id`; calling it \"{}\"", rule.id),
        );
    }
    if rule.answer.trim().is_empty() {
        diags.error(
            path,
            rule.line,
            1,
            format!("rule \"{}\" has no `answer`", rule.id),
        );
    }
    if let Some(re) = &rule.regex {
        if let Err(e) = regex_lite::Regex::new(re) {
            diags.error(
                path,
                rule.line,
                1,
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
                rule.line,
                1,
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
            rule.line,
            1,
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
    let starts = json_item_lines(text);
    let mut rules = Vec::new();
    for (i, (key, body)) in items.into_iter().enumerate() {
        // Object keys come back sorted, not in file order: find each by its key.
        let line = match &key {
            Some(k) => starts
                .iter()
                .find(|(_, name)| name.as_deref() == Some(k.as_str()))
                .map_or(1, |(l, _)| *l),
            None => starts.get(i).map_or(1, |(l, _)| *l),
        };
        let Value::Object(body) = body else {
            diags.error(
                path,
                line,
                1,
                "a rule must be an object like {\"pattern\": \"...\", \"response\": \"...\"}",
            );
            continue;
        };
        let mut rule = RuleDef {
            id: key.unwrap_or_default(),
            line,
            ..Default::default()
        };
        let mut patterns = Vec::new();
        let below = text.lines().skip(line - 1).collect::<Vec<_>>().join("\n");
        for (key, value) in body {
            let kline = line + crate::config::key_line(&below, &key) - 1;
            match key.as_str() {
                "pattern" | "patterns" => patterns.extend(list_of(&value)),
                "phrasings" => rule.phrasings.extend(list_of(&value)),
                "response" | "answer" => rule.answer = str_of(&value),
                "id" => rule.id = str_of(&value),
                "lang" => rule.lang = Some(str_of(&value)).filter(|s| !s.is_empty()),
                "keywords" => rule.keywords = list_of(&value),
                "articles" => rule.articles = list_of(&value),
                "regex" => rule.regex = Some(str_of(&value)).filter(|s| !s.is_empty()),
                "priority" => match value.as_i64() {
                    Some(p) => rule.priority = p.clamp(i32::MIN.into(), i32::MAX.into()) as i32,
                    None => diags.error(path, kline, 1, "`priority` must be a whole number"),
                },
                _ => {
                    let hint = nearest(&key, SEED_KEYS)
                        .map(|k| format!(" (did you mean \"{k}\"?)"))
                        .unwrap_or_default();
                    diags.warn(path, kline, 1, format!("unknown rule key \"{key}\"{hint}"));
                }
            }
        }
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
                            path,
                            line,
                            1,
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
        let mut seen = std::collections::HashSet::new();
        rule.phrasings.retain(|p| seen.insert(p.to_lowercase()));
        validate(&mut rule, i, path, diags);
        rules.push(rule);
    }
    rules.sort_by_key(|r| r.line);
    rules
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

/// The line of each item of a JSON document's top-level object or list, with the object's key:
/// a small scanner over strings and brackets, since serde_json keeps no positions.
fn json_item_lines(text: &str) -> Vec<(usize, Option<String>)> {
    let mut out = Vec::new();
    let (mut depth, mut line, mut in_string, mut escaped) = (0usize, 1usize, false, false);
    let mut top = b' ';
    let mut expect_item = false;
    let mut key_start = None;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    in_string = false;
                    if let Some(start) = key_start.take() {
                        let key = serde_json::from_str::<String>(&text[start..=i]).ok();
                        out.push((line, key));
                    }
                }
                _ => {}
            }
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if depth == 1 && expect_item {
            expect_item = false;
            if top == b'{' && c == '"' {
                key_start = Some(i);
            } else if top == b'[' {
                out.push((line, None));
            }
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => {
                depth += 1;
                if depth == 1 {
                    top = c as u8;
                    expect_item = true;
                }
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => expect_item = true,
            _ => {}
        }
    }
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

fn str_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn list_of(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .map(str_of)
            .filter(|s| !s.trim().is_empty())
            .collect(),
        Value::Null => Vec::new(),
        other => vec![str_of(other)],
    }
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
                "rules:6:1: error: rule \"x\" has no `answer`",
                "rules:6:1: error: rule \"x\" can never fire: it has no phrasings, keywords or regex",
                "rules:8:1: warning: unknown rule key \"anwser\" (did you mean \"answer\"?)",
            ],
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
                "rules:3:1: warning: rule \"rule_3\": pattern \"\\\\d+([\" is read as a regex (it has `\\`), so the rule fires only for questions it matches; add plain phrasings (\"phrasings\": [...]) for the other ways visitors ask",
                "rules:3:1: error: rule \"rule_3\": invalid regex: found unclosed character class",
                "rules:3:1: error: rule \"rule_3\" can never fire: it has no phrasings, keywords or regex",
                "rules:5:1: warning: unknown rule key \"respones\" (did you mean \"response\"?)",
                "rules:5:1: warning: rule \"rule_4\": pattern \"^order \\\\d+$\" is read as a regex (it has `^`), so the rule fires only for questions it matches; add plain phrasings (\"phrasings\": [...]) for the other ways visitors ask",
                "rules:5:1: error: rule \"rule_4\" has no `answer`",
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
            &["rules:3:1: warning: rule without `id`; calling it \"rule-2\""],
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
                "rules:6:1: warning: rule \"b\": regex uses `\\z`, which browsers' RegExp does not understand; the widget ignores this regex (`kbgen ask` still uses it)",
                "rules:11:1: warning: rule \"c\": regex uses `(?`, which browsers' RegExp does not understand; the widget ignores this regex (`kbgen ask` still uses it)",
            ],
        );
    }
}
