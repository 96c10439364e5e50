//! Property tests that fuzz every parser of an owner's files (issue 15): front matter, rules in
//! each format, `kbgen.toml` and markdown rendering, on random text and on valid files with a few
//! random edits made of the characters their syntax turns on. The parsers promise never to panic
//! (ARCHITECTURE.md, "Invariant"), and every message they give must point inside the file.
//!
//! cargo-fuzz needs a nightly toolchain; proptest runs on stable. Each harness runs a bounded
//! number of cases, so all of them take about half a minute in a debug build; `PROPTEST_CASES`
//! sets another number (README, "Fuzzing"). A failure proptest finds becomes a named test below.

use crate::diag::Diagnostics;
use crate::{config, frontmatter, markdown, rules};
use proptest::prelude::*;
use std::path::Path;

/// The bounded default, or `PROPTEST_CASES` when set.
fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        // Shrunk failures are turned into tests by hand; no files written beside the sources.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Characters that TOML, YAML, JSON and markdown give meaning to, plus text that trips
/// position arithmetic (multi-byte, right-to-left override, NUL, CR).
const SYNTAX: &[char] = &[
    '[', ']', '{', '}', '"', '\'', '=', ':', '-', '\n', '\r', '#', '\\', '`', '*', '_', '<', '>',
    '|', '!', '(', ')', ' ', '\t', ',', '.', '+', '~', '&', '0', '9', 'a', 'é', '中', '\u{202e}',
    '\0', '\u{feff}',
];

/// `valid` with one to eight random edits: insert a syntax character, delete a span, repeat a
/// span, or cut the text short.
fn mutated(valid: &'static str) -> impl Strategy<Value = String> {
    let edit = (
        0..4u8,
        any::<prop::sample::Index>(),
        0..SYNTAX.len(),
        1..12usize,
    );
    prop::collection::vec(edit, 1..8).prop_map(move |edits| {
        let mut chars: Vec<char> = valid.chars().collect();
        for (op, at, c, len) in edits {
            let i = at.index(chars.len() + 1);
            let end = (i + len).min(chars.len());
            match op {
                0 => chars.insert(i, SYNTAX[c]),
                1 => {
                    chars.drain(i..end);
                }
                2 => {
                    let span: Vec<char> = chars[i..end].to_vec();
                    chars.splice(i..i, span);
                }
                _ => chars.truncate(i),
            }
        }
        chars.into_iter().collect()
    })
}

/// Random text over the syntax characters, or any text at all.
fn noise() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(SYNTAX), 0..200)
            .prop_map(|c| c.into_iter().collect()),
        any::<String>(),
    ]
}

/// Every message's position is 0 (the whole file) or a line of `text` (or the one after it,
/// for "unexpected end of file"), and a column of at most that line's length plus one.
fn positions_inside(text: &str, diags: &Diagnostics) -> Result<(), TestCaseError> {
    // `str::lines` drops a trailing empty line and splits on "\r\n"; parsers count "\n" only.
    let lines: Vec<&str> = text.split('\n').collect();
    for d in &diags.items {
        if d.line == 0 {
            continue;
        }
        prop_assert!(
            d.line <= lines.len() + 1,
            "{d}: line past the end of a {}-line text",
            lines.len()
        );
        let width = lines.get(d.line - 1).map_or(0, |l| l.chars().count());
        prop_assert!(d.col <= width + 1, "{d}: column past the end of the line");
    }
    Ok(())
}

const FRONT_YAML: &str = "---\ntitle: Refunds\nid: refunds\nlang: en\ntags: [money, orders]\nquestions:\n  - can I get my money back\norder: 3\ndraft: false\nupdated: 2025-03-01\npages: [/checkout]\n---\n# Refunds\n\nBody.\n";
const FRONT_TOML: &str = "+++\ntitle = \"Refunds\"\ntags = [\"money\"]\norder = 3\nupdated = 2025-03-01\n[extra]\nx = 1\n+++\nBody.\n";
const RULES_TOML: &str = "[[rule]]\nid = \"refund\"\nlang = \"en\"\nphrasings = [\"can I get a refund\", \"money back\"]\nkeywords = [\"refund\"]\nregex = '(?i)\\brefund'\narticles = [\"refunds\"]\npriority = 2\nanswer = \"\"\"Yes, within **30 days**.\"\"\"\n\n[[rule]]\nid = \"hours\"\nphrasings = \"when are you open\"\nanswer = \"9 to 5\"\n";
const RULES_YAML: &str = "rules:\n  - id: track\n    phrasings: [where is my order]\n    regex: \"track(ing)?\"\n    answer: See the tracking page.\n  - id: hours\n    keywords:\n      - open\n    answer: |\n      Nine to five.\n";
const RULES_JSON: &str = "{\n  \"rule_1\": {\"pattern\": \"return policy|refund\", \"response\": \"30 days.\"},\n  \"rule_2\": {\"pattern\": \"reset password\", \"response\": \"Use the link.\"}\n}\n";
const CONFIG: &str = "[site]\ntitle = { en = \"Acme Help\", zh = \"Acme 帮助中心\" }\nbase_url = \"https://acme.test/help\"\nsupport_email = \"help@acme.test\"\ndefault_language = \"en\"\nlanguages = [\"en\", \"zh\"]\nbrand_color = \"#0a7f5a\"\nindex_shard_kb = 64\n\n[site.strings]\nresults_other = \"{n} answers\"\n\n[widget]\nposition = \"left\"\ngreeting = { en = \"Hi!\", zh = \"你好！\" }\n\n[categories.orders]\norder = 2\ntitle = { en = \"Orders\", zh = \"订单\" }\n";
const MARKDOWN: &str = "# Title\n\nIntro with a [link](other.md#x) and ![alt](img.png).\n\n## Steps\n\n1. One\n2. Two\n\n## Steps\n\n> [!NOTE]\n> A note.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn x() {}\n```\n\nText[^1].\n\n[^1]: Footnote.\n\n### 修改 {#custom}\n\n<div>raw</div>\n";

fn front_matter(text: &str) -> Result<(), TestCaseError> {
    let mut diags = Diagnostics::default();
    let split = frontmatter::split(text);
    if let Some((front, format)) = split.front {
        frontmatter::parse(
            front,
            format,
            split.front_line,
            Path::new("a.md"),
            &mut diags,
        );
    }
    positions_inside(text, &diags)
}

fn rules_of(text: &str, format: rules::Format) -> Result<(), TestCaseError> {
    let mut diags = Diagnostics::default();
    let parsed = rules::parse(text, format, Path::new("rules"), &mut diags);
    rules::check_duplicates(&parsed, "en", &mut diags);
    positions_inside(text, &diags)
}

fn config_of(text: &str) -> Result<(), TestCaseError> {
    let mut diags = Diagnostics::default();
    let c = config::parse(text, Path::new("kbgen.toml"), &mut diags);
    prop_assert!(!c.languages.is_empty(), "a config always has a language");
    positions_inside(text, &diags)
}

fn render(md: &str) -> Result<(), TestCaseError> {
    let r = markdown::render(md, &markdown::NoResolve, Some("Title"));
    let mut anchors = std::collections::HashSet::new();
    for s in r.sections.iter().filter(|s| !s.anchor.is_empty()) {
        prop_assert!(
            anchors.insert(&s.anchor),
            "anchor {:?} given twice",
            s.anchor
        );
    }
    for p in &r.problems {
        let (markdown::Problem::Error(at, _) | markdown::Problem::Warning(at, _)) = p;
        prop_assert!(*at <= md.len(), "problem offset past the text");
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(2048))]

    #[test]
    fn front_matter_never_panics(text in prop_oneof![mutated(FRONT_YAML), mutated(FRONT_TOML), noise()]) {
        front_matter(&text)?;
    }

    #[test]
    fn toml_rules_never_panic(text in prop_oneof![mutated(RULES_TOML), noise()]) {
        rules_of(&text, rules::Format::Toml)?;
    }

    #[test]
    fn yaml_rules_never_panic(text in prop_oneof![mutated(RULES_YAML), noise()]) {
        rules_of(&text, rules::Format::Yaml)?;
    }

    #[test]
    fn json_rules_never_panic(text in prop_oneof![mutated(RULES_JSON), noise()]) {
        rules_of(&text, rules::Format::SeedJson)?;
    }

    #[test]
    fn kbgen_toml_never_panics(text in prop_oneof![mutated(CONFIG), noise()]) {
        config_of(&text)?;
    }

    #[test]
    fn markdown_never_panics(md in prop_oneof![mutated(MARKDOWN), noise()]) {
        render(&md)?;
    }
}
