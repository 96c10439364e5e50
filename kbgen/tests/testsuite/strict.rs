//! Hostile and careless knowledge bases (issue 15, "a suite that keeps it so"): bytes that are not
//! UTF-8 in every kind of file, a wrong type in every configuration key, duplicate rule ids, a
//! giant file and ten thousand files. Each must end in a clear `path:line:col` message and the
//! right exit code, never a panic or a silent default, and a failed build leaves the previous
//! site as it was.

use super::*;

const CONFIG: &str = "[site]\ntitle = \"Acme Help\"\nsupport_email = \"help@acme.test\"\n";
const ARTICLE: &str = "---\ntitle: Refunds\n---\nYou can return items within 30 days.\n";
const RULES: &str =
    "[[rule]]\nid = \"refund\"\nphrasings = [\"can I get a refund\"]\nanswer = \"Yes.\"\n";

/// A knowledge base of `files` (path, bytes) in a fresh temporary folder, plus its `out` path.
fn kb(files: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("kb");
    for (path, bytes) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    let out = tmp.path().join("out");
    (tmp, dir, out)
}

fn build_to(dir: &Path, out: &Path) -> (bool, String) {
    let (ok, _, err) = run(kbgen().arg("build").arg(dir).arg("--out").arg(out));
    assert!(!err.contains("panicked"), "{err}");
    (ok, err)
}

fn check(dir: &Path) -> (bool, String) {
    let (ok, _, err) = run(kbgen().arg("check").arg(dir));
    assert!(!err.contains("panicked"), "{err}");
    (ok, err)
}

/// Builds a good knowledge base, breaks `file` with `bytes`, and asserts that both `build` and
/// `check` fail with every message in `expected` (relative to the folder), and that the
/// previous site is still there.
fn breaks(file: &str, bytes: &[u8], expected: &[&str]) {
    let (_tmp, dir, out) = kb(&[
        ("kbgen.toml", CONFIG.as_bytes()),
        ("articles/refunds.md", ARTICLE.as_bytes()),
        ("rules.toml", RULES.as_bytes()),
    ]);
    let (ok, err) = build_to(&dir, &out);
    assert!(ok, "the good knowledge base builds:\n{err}");
    let before = read(&out.join("en/refunds/index.html"));
    std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
    std::fs::write(dir.join(file), bytes).unwrap();
    let (ok, err) = build_to(&dir, &out);
    assert!(!ok, "build must fail on a broken {file}:\n{err}");
    for e in expected {
        let e = format!("{}{e}", dir.display());
        assert!(err.contains(&e), "build: missing\n  {e}\nin\n{err}");
    }
    assert_eq!(
        read(&out.join("en/refunds/index.html")),
        before,
        "the previous site is intact"
    );
    let (ok, err) = check(&dir);
    assert!(!ok, "check must fail on a broken {file}:\n{err}");
    for e in expected {
        let e = format!("{}{e}", dir.display());
        assert!(err.contains(&e), "check: missing\n  {e}\nin\n{err}");
    }
}

#[test]
fn latin1_byte_in_rules_toml_is_an_error_with_position() {
    // Was: "0 rules", exit 0, `check` silent.
    breaks(
        "rules.toml",
        b"[[rule]]\nid = \"cafe\"\nanswer = \"Caf\xe9 hours\"\nphrasings = [\"cafe\"]\n",
        &["/rules.toml:3:14: error: not valid UTF-8 (byte 0xE9): save the file as UTF-8"],
    );
}

#[test]
fn invalid_byte_in_kbgen_toml_is_an_error_not_defaults() {
    // Was: "no kbgen.toml here", defaults, an empty support address.
    breaks(
        "kbgen.toml",
        b"[site]\ntitle = \"Acme \xff Help\"\n",
        &["/kbgen.toml:2:15: error: not valid UTF-8 (byte 0xFF)"],
    );
    let (_tmp, dir, out) = kb(&[
        ("kbgen.toml", b"[site]\ntitle = \"\xc3\"\n"),
        ("articles/a.md", ARTICLE.as_bytes()),
    ]);
    let (_, err) = build_to(&dir, &out);
    assert!(!err.contains("no kbgen.toml here"), "{err}");
}

#[test]
fn invalid_utf8_in_articles_and_other_rules_files() {
    // Was: a warning and the bytes replaced, exit 0.
    breaks(
        "articles/refunds.md",
        b"---\ntitle: Refunds\n---\nna\xefve\n",
        &["/articles/refunds.md:4:3: error: not valid UTF-8 (byte 0xEF)"],
    );
    breaks(
        "rules.json",
        b"{\"r\": {\"pattern\": \"x\", \"response\": \"\x80\"}}",
        &["/rules.json:1:37: error: not valid UTF-8 (byte 0x80)"],
    );
    breaks(
        "theme/article.html",
        b"{% extends \"base.html\" %}\n<p>\xa9 Acme</p>\n",
        &["/theme/article.html:2:4: error: not valid UTF-8 (byte 0xA9)"],
    );
    breaks(
        "rules.yaml",
        b"rules:\n  - id: a\n    answer: \xfe\n",
        &["/rules.yaml:3:13: error: not valid UTF-8 (byte 0xFE)"],
    );
}

#[test]
fn wrong_types_in_kbgen_toml_are_errors_at_the_value() {
    // Every key of kbgen.toml given a value of the wrong type, in one file: all are reported.
    let config = "\
[site]
title = 3
base_url = 4
support_email = [\"a@b.c\"]
default_language = true
languages = [\"en\", 7]
brand_color = 1.5
logo = {}
description = []
index_shard_kb = \"big\"
strings = 5
colour = \"#fff\"

[widget]
enabled = \"yes\"
position = 1
greeting = 2
strings = []

[categories]
orders = 1
";
    breaks(
        "kbgen.toml",
        config.as_bytes(),
        &[
            "/kbgen.toml:2:9: error: `site.title` must be a string or a table like { en = \"...\" }, not a number",
            "/kbgen.toml:3:12: error: `site.base_url` must be a string, not a number",
            "/kbgen.toml:4:17: error: `site.support_email` must be an email address like \"help@example.com\", not a list",
            "/kbgen.toml:5:20: error: `site.default_language` must be a language code like \"en\" or \"pt-BR\", not true/false",
            "/kbgen.toml:6:20: error: `site.languages` entries must be language codes like \"en\" or \"pt-BR\", not a number",
            "/kbgen.toml:7:15: error: `site.brand_color` must be a hex colour like \"#2456c7\", not a number",
            "/kbgen.toml:8:8: error: `site.logo` must be a path, not a table",
            "/kbgen.toml:9:15: error: `site.description` must be a string or a table like { en = \"...\" }, not a list",
            "/kbgen.toml:10:18: error: `site.index_shard_kb` must be a size in KiB like 256 (0: never split the index), not a string",
            "/kbgen.toml:11:11: error: `site.strings` must be a table, not a number",
            "/kbgen.toml:12:1: error: unknown key \"colour\"",
            "/kbgen.toml:15:11: error: `widget.enabled` must be true or false, not a string",
            "/kbgen.toml:16:12: error: `widget.position` must be \"right\", \"left\", \"start\" or \"end\"",
            "/kbgen.toml:17:12: error: `widget.greeting` must be a string or a table like { en = \"...\" }, not a number",
            "/kbgen.toml:18:11: error: `widget.strings` must be a table, not a list",
            "/kbgen.toml:21:10: error: `categories.orders` must be a table, not a number",
        ],
    );
}

#[test]
fn a_section_that_is_not_a_table_is_an_error() {
    // Was: `site = 3` ignored in silence.
    breaks(
        "kbgen.toml",
        b"site = 3\nwidget = \"on\"\nsite_title = \"x\"\n",
        &[
            "/kbgen.toml:1:8: error: `site` must be a table (a `[site]` section), not a number",
            "/kbgen.toml:2:10: error: `widget` must be a table (a `[widget]` section), not a string",
            "/kbgen.toml:3:1: error: unknown key \"site_title\"",
        ],
    );
}

#[test]
fn rule_errors_point_at_the_key_at_fault() {
    // Was: every rule problem at its `[[rule]]` line, column 1.
    breaks(
        "rules.toml",
        b"[[rule]]\nid = \"refund\"\nphrasings = [\"refund\", 3]\npriority = \"high\"\nanwser = \"Yes.\"\nanswer = \"Yes.\"\nlang = [\"en\"]\n",
        &[
            "/rules.toml:3:24: error: `phrasings` entries must be strings, not a number",
            "/rules.toml:4:12: error: `priority` must be a whole number, not a string",
            "/rules.toml:5:1: error: unknown rule key \"anwser\" (did you mean \"answer\"?)",
            "/rules.toml:7:8: error: `lang` must be a string, not a list",
        ],
    );
}

#[test]
fn rules_json_type_errors_have_positions() {
    breaks(
        "rules.json",
        b"{\n  \"a\": {\"pattern\": 3, \"response\": \"x\"},\n  \"b\": \"just text\",\n  \"c\": {\"pattern\": \"hi\", \"reponse\": \"x\"}\n}\n",
        &[
            "/rules.json:2:9: error: `pattern` must be a string, not a number",
            "/rules.json:3:3: error: rule \"b\" must be an object like",
            "/rules.json:4:26: error: unknown rule key \"reponse\" (did you mean \"response\"?)",
        ],
    );
}

#[test]
fn duplicate_rule_ids_are_errors_with_both_positions() {
    breaks(
        "rules.toml",
        format!("{RULES}\n[[rule]]\nid = \"refund\"\nphrasings = [\"money back\"]\nanswer = \"Also yes.\"\n").as_bytes(),
        &["/rules.toml:7:1: error: duplicate rule id \"refund\" in language \"en\"; the first is at "],
    );
    // The same id in two languages is a translation, not a duplicate.
    let (_tmp, dir, out) = kb(&[
        ("kbgen.toml", b"[site]\ntitle = \"A\"\nsupport_email = \"a@b.c\"\nlanguages = [\"en\", \"zh\"]\n"),
        ("articles/en/a.md", ARTICLE.as_bytes()),
        ("articles/zh/a.md", ARTICLE.as_bytes()),
        ("rules.toml", format!("{RULES}\n[[rule]]\nid = \"refund\"\nlang = \"zh\"\nphrasings = [\"退款\"]\nanswer = \"可以。\"\n").as_bytes()),
    ]);
    let (ok, err) = build_to(&dir, &out);
    assert!(ok, "{err}");
    // A JSON object's repeated key, which serde_json would drop in silence.
    breaks(
        "rules.json",
        b"{\"r\": {\"pattern\": \"a\", \"response\": \"x\"},\n \"r\": {\"pattern\": \"b\", \"response\": \"y\"}}",
        &["/rules.json:2:2: error: duplicate rule id \"r\"; the first is at "],
    );
}

#[test]
fn rule_messages_name_their_own_file() {
    // Was: a warning about a rule in rules.toml named rules.json (the last file read).
    let (_tmp, dir, _out) = kb(&[
        ("kbgen.toml", CONFIG.as_bytes()),
        ("articles/refunds.md", ARTICLE.as_bytes()),
        (
            "rules.toml",
            b"[[rule]]\nid = \"bad\"\nregex = \"([\"\nanswer = \"x\"\n",
        ),
        (
            "rules.json",
            b"{\"refund\": {\"pattern\": \"refund\", \"response\": \"Yes.\"}}",
        ),
    ]);
    let (ok, err) = check(&dir);
    assert!(!ok);
    let e = format!(
        "{}:2:1: error: rule \"bad\": invalid regex",
        dir.join("rules.toml").display()
    );
    assert!(err.contains(&e), "missing\n  {e}\nin\n{err}");
}

#[test]
fn front_matter_wrong_types_are_errors() {
    breaks(
        "articles/refunds.md",
        b"---\ntitle: Refunds\nlang: [en]\ntags: {a: 1}\nquestions: [[nested]]\n---\nBody\n",
        &[
            "/articles/refunds.md:3:1: error: `lang` must be a language code like \"en\"",
            "/articles/refunds.md:4:1: error: `tags` must be a list of strings like [a, b]",
            "/articles/refunds.md:5:1: error: `questions` must be a list of strings like [a, b]",
        ],
    );
}

#[test]
fn front_matter_languages_count_without_kbgen_toml() {
    // Was: 0 articles built, exit 0 ("lang: zh" not in the default languages).
    let (_tmp, dir, out) = kb(&[
        (
            "a.md",
            "---\ntitle: 退款\nlang: zh\n---\n可以退款。\n".as_bytes(),
        ),
        (
            "b.md",
            "---\ntitle: 运费\nlang: zh\n---\n免运费。\n".as_bytes(),
        ),
    ]);
    let (ok, err) = build_to(&dir, &out);
    assert!(ok, "{err}");
    assert!(
        err.contains("built 2 articles in 1 language (zh),"),
        "{err}"
    );
    assert!(out.join("zh/index.html").is_file());
}

#[test]
fn no_articles_is_an_error() {
    // Was: "built 0 articles", exit 0.
    let (_tmp, dir, out) = kb(&[("kbgen.toml", CONFIG.as_bytes()), ("notes.txt", b"x")]);
    for (ok, err) in [build_to(&dir, &out), check(&dir)] {
        assert!(!ok, "{err}");
        assert!(
            err.contains(&format!("{}: error: no articles found in ", dir.display())),
            "{err}"
        );
    }
    assert!(!out.exists(), "nothing written");
}

#[test]
fn giant_article_is_refused_with_a_clear_error() {
    // 50 MB of markdown: refused above the limit before it is read whole, with its size.
    let (_tmp, dir, out) = kb(&[
        ("kbgen.toml", CONFIG.as_bytes()),
        ("articles/refunds.md", ARTICLE.as_bytes()),
    ]);
    let giant = std::fs::File::create(dir.join("articles/giant.md")).unwrap();
    giant.set_len(50 << 20).unwrap();
    let (ok, err) = build_to(&dir, &out);
    assert!(!ok, "{err}");
    let e = format!(
        "{}: error: file is too large (50 MB; the limit is 8 MB): split it into smaller files",
        dir.join("articles/giant.md").display()
    );
    assert!(err.contains(&e), "missing\n  {e}\nin\n{err}");
}

#[test]
fn ten_thousand_articles_build() {
    let (_tmp, dir, out) = kb(&[("kbgen.toml", CONFIG.as_bytes())]);
    let n = 10_000;
    for i in 0..n {
        let sub = dir.join(format!("articles/s{}", i % 100));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            sub.join(format!("a{i}.md")),
            format!(
                "---\ntitle: Article {i}\n---\nWord{i} and common words {}.\n",
                i % 7
            ),
        )
        .unwrap();
    }
    let (ok, err) = build_to(&dir, &out);
    assert!(ok, "{err}");
    assert!(err.contains(&format!("built {n} articles")), "{err}");
    assert!(out.join("en/a9999/index.html").is_file());
    // Its time is measured by `kbgen/bench/cliffs.sh` (release: about 5 s of CPU), not here,
    // where a busy machine would make any bound flaky.
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_an_error() {
    // Was: the lossy name pointed at no file and the article vanished without a word.
    use std::os::unix::ffi::OsStrExt;
    let (_tmp, dir, out) = kb(&[
        ("kbgen.toml", CONFIG.as_bytes()),
        ("articles/refunds.md", ARTICLE.as_bytes()),
    ]);
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(dir.join("articles").join(name), ARTICLE).unwrap();
    let (ok, err) = build_to(&dir, &out);
    assert!(!ok, "{err}");
    assert!(
        err.contains(": error: the file name is not valid UTF-8: rename the file"),
        "{err}"
    );
}
