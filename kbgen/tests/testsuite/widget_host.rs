//! What keeps the widget safe on the owner's site: rule regexes that a browser's backtracking
//! `RegExp` could take exponential time on are refused (issue 15, item 5), and the snippet carries
//! the owner's address and says what the two sites must send (issue 15, item 4).

use super::{fixture, kbgen, run};
use std::path::Path;

/// A knowledge base with one article and the given `rules.toml`.
fn kb_with_rules(dir: &Path, rules: &str) {
    std::fs::create_dir_all(dir.join("articles/en")).unwrap();
    std::fs::write(
        dir.join("kbgen.toml"),
        "[site]\ntitle = \"Shop\"\nsupport_email = \"owner@shop.test\"\nlanguages = [\"en\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("articles/en/returns.md"),
        "---\ntitle: Returns\n---\nSend it back within 30 days.\n",
    )
    .unwrap();
    std::fs::write(dir.join("rules.toml"), rules).unwrap();
}

/// Patterns that freeze a backtracking engine on a short input, each with the column (in its
/// `regex = '...'` line) of the part the message points at.
const EVIL: &[(&str, usize)] = &[
    ("^(a+)+$", 12),
    ("(x+x+)+y", 11),
    ("^(\\w+\\s?)*$", 12),
    ("(.*a){20}", 11),
    ("^(a|aa)+$", 12),
    ("(\\d|\\w)*z", 11),
];

#[test]
fn regexes_that_backtrack_catastrophically_are_refused_by_check_and_build() {
    for (pattern, col) in EVIL {
        let tmp = tempfile::tempdir().unwrap();
        let kb = tmp.path().join("kb");
        kb_with_rules(
            &kb,
            &format!("[[rule]]\nid = \"evil\"\nphrasings = [\"return\"]\nregex = '{pattern}'\nanswer = \"x\"\n"),
        );
        let rules = kb.join("rules.toml");
        let expected = format!(
            "{}:4:{col}: error: rule \"evil\": regex can take exponential time in the visitor's browser",
            rules.display()
        );
        let (ok, _, err) = run(kbgen().arg("check").arg(&kb));
        assert!(!ok, "check accepts {pattern}:\n{err}");
        assert!(
            err.contains(&expected),
            "{pattern}: missing\n  {expected}\nin\n{err}"
        );
        let out = tmp.path().join("out");
        let (ok, _, err) = run(kbgen().arg("build").arg(&kb).arg("--out").arg(&out));
        assert!(!ok, "build accepts {pattern}:\n{err}");
        assert!(
            err.contains(&expected),
            "{pattern}: missing\n  {expected}\nin\n{err}"
        );
        assert!(
            !out.join("index.bin").exists(),
            "{pattern}: an index was written"
        );
    }
}

#[test]
fn a_backtracking_pattern_in_the_seed_json_is_refused_where_it_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    kb_with_rules(&kb, "");
    std::fs::remove_file(kb.join("rules.toml")).unwrap();
    std::fs::write(
        kb.join("rules.json"),
        "{\n  \"rule_1\": {\n    \"pattern\": \"^(hi|hello|h.)+$\",\n    \"response\": \"Hello!\"\n  }\n}\n",
    )
    .unwrap();
    let (ok, _, err) = run(kbgen().arg("check").arg(&kb));
    assert!(!ok, "{err}");
    let expected = format!(
        "{}:3:19: error: rule \"rule_1\": regex can take exponential time",
        kb.join("rules.json").display()
    );
    assert!(err.contains(&expected), "missing\n  {expected}\nin\n{err}");
}

#[test]
fn ordinary_rule_regexes_still_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    kb_with_rules(
        &kb,
        "[[rule]]\nid = \"order\"\nphrasings = [\"where is my order\"]\nregex = '\\b(IT-\\d{4,}|tracking (?:number|link))\\b'\nanswer = \"x\"\n\n\
         [[rule]]\nid = \"digits\"\nphrasings = [\"code\"]\nregex = '\\d+\\d+x'\nanswer = \"y\"\n",
    );
    let (ok, _, err) = run(kbgen().arg("check").arg(&kb));
    assert!(ok, "{err}");
    assert!(!err.contains("exponential"), "{err}");
}

#[test]
fn the_snippet_carries_the_owners_address_and_says_what_the_sites_must_send() {
    let (ok, out, err) = run(kbgen().arg("snippet").arg(fixture("basic")));
    assert!(ok, "{err}");
    let tag = out.trim_end();
    assert!(!tag.contains('\n'), "stdout is the tag alone: {out}");
    assert!(
        tag.contains(" data-email=\"support@acme.test\" data-site=\"Acme Help\" "),
        "{tag}"
    );
    for line in [
        "Access-Control-Allow-Origin: *",
        "  script-src https://acme.test 'wasm-unsafe-eval'",
        "  connect-src https://acme.test",
        "  style-src https://acme.test",
        "  img-src https://acme.test",
    ] {
        assert!(err.contains(line), "missing {line:?} in\n{err}");
    }
}

/// Issue 18 §1: the owner's form endpoint reaches the widget (snippet and `widget-config.json`)
/// and every Content-Security-Policy kbgen writes or prints lets the widget POST to it.
#[test]
fn a_ticket_url_reaches_the_widget_and_the_content_security_policies() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    kb_with_rules(&kb, "");
    std::fs::remove_file(kb.join("rules.toml")).unwrap();
    let toml = kb.join("kbgen.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("base_url = \"https://help.shop.test/\"\n[widget]\nticket_url = \"https://forms.example/f/abc\"\n");
    std::fs::write(&toml, text).unwrap();

    let (ok, out, err) = run(kbgen().arg("snippet").arg(&kb));
    assert!(ok, "{err}");
    assert!(
        out.contains(" data-ticket-url=\"https://forms.example/f/abc\""),
        "{out}"
    );
    assert!(
        err.contains("  connect-src https://help.shop.test https://forms.example\n"),
        "{err}"
    );

    let out_dir = tmp.path().join("out");
    let (ok, _, err) = run(kbgen().arg("build").arg(&kb).arg("--out").arg(&out_dir));
    assert!(ok, "{err}");
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("widget-config.json")).unwrap())
            .unwrap();
    assert_eq!(config["ticketUrl"], "https://forms.example/f/abc");
    let headers = std::fs::read_to_string(out_dir.join("_headers")).unwrap();
    assert!(
        headers.contains("connect-src 'self' https://forms.example;"),
        "{headers}"
    );

    // An endpoint in the clear is refused where it is written.
    std::fs::write(
        &toml,
        "[site]\ntitle = \"Shop\"\n[widget]\nticket_url = \"http://forms.example/f\"\n",
    )
    .unwrap();
    let (ok, _, err) = run(kbgen().arg("build").arg(&kb).arg("--out").arg(&out_dir));
    assert!(!ok);
    assert!(
        err.contains("kbgen.toml:4:14: error: `widget.ticket_url` must use https:// (http:// only for localhost), not \"http://forms.example/f\""),
        "{err}"
    );
}
