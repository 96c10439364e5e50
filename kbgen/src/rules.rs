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
        let mut regex_line = line;
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
                "regex" => {
                    rule.regex = Some(str_of(&value)).filter(|s| !s.is_empty());
                    regex_line = kline;
                }
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
        refuse_backtracking(&rule, 0, text, regex_line, path, diags);
        rules.push(rule);
    }
    rules
}

/// Reports a rule regex that a browser's backtracking `RegExp` could take exponential time on
/// (see `redos`), at its position in the file: the line `line` (where the regex is written) and
/// the column of the offending part, counted from the string's opening quote (exact for TOML's
/// literal strings, approximate when the string has escapes). `skip` is how many characters of
/// the stored regex the file does not show (the seed format's added `(?i)`).
fn refuse_backtracking(
    rule: &RuleDef,
    skip: usize,
    text: &str,
    line: usize,
    path: &Path,
    diags: &mut Diagnostics,
) {
    let Some(re) = &rule.regex else { return };
    let Err(hazard) = crate::redos::check(re) else {
        return;
    };
    let src = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let value = src.find(['=', ':']).map_or(0, |i| i + 1);
    let rest = src[value..].trim_start();
    let start = src.len() - rest.len() + usize::from(rest.starts_with(['"', '\'']));
    let col = src[..start].chars().count() + hazard.at.saturating_sub(skip) + 1;
    diags.error(
        path,
        line,
        col,
        format!("rule \"{}\": regex {}", rule.id, hazard.message),
    );
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
    let mut rules = Vec::new();
    for (i, (id, body)) in map.into_iter().enumerate() {
        let line = text
            .lines()
            .position(|l| l.contains(&format!("\"{id}\"")))
            .map_or(1, |p| p + 1);
        let pattern = body.get("pattern").map(str_of).unwrap_or_default();
        let response = body
            .get("response")
            .or_else(|| body.get("answer"))
            .map(str_of)
            .unwrap_or_default();
        let mut rule = RuleDef {
            id,
            line,
            answer: response,
            ..Default::default()
        };
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
        validate(&mut rule, i, path, diags);
        let pattern_line = text
            .lines()
            .enumerate()
            .skip(line - 1)
            .find(|(_, l)| l.contains("\"pattern\""))
            .map_or(line, |(n, _)| n + 1);
        refuse_backtracking(&rule, 4, text, pattern_line, path, diags);
        rules.push(rule);
    }
    rules
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
                "rules:3:1: error: rule \"rule_3\": invalid regex: found unclosed character class",
                "rules:3:1: error: rule \"rule_3\" can never fire: it has no phrasings, keywords or regex",
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
                "rules:6:1: warning: rule \"b\": regex uses `\\z`, which browsers' RegExp does not understand; the widget ignores this regex (`kbgen ask` still uses it)",
                "rules:11:1: warning: rule \"c\": regex uses `(?`, which browsers' RegExp does not understand; the widget ignores this regex (`kbgen ask` still uses it)",
            ],
        );
    }
}
