//! Issue 15 item 3: HTML from markdown is sanitised at build time. The widget's article fragments
//! and rule answers always; the help center's pages too, unless `[site] raw_html = true`.
//! Issue 16 item 6: links in a rule answer open a new tab, like the widget's article links.

use super::*;

const HOSTILE: &str = "Hi! <img src=x onerror=alert(document.domain)> \
    <a href=\"javascript:alert(1)\">click</a> <script>alert(2)</script> \
    <iframe src=\"data:text/html,<script>alert(3)</script>\"></iframe>";

/// A knowledge base with one hostile article and one hostile rule; `extra` goes under `[site]`.
fn hostile_kb(dir: &Path, extra: &str) -> PathBuf {
    let kb = dir.join("kb");
    std::fs::create_dir_all(kb.join("articles/en")).unwrap();
    std::fs::write(
        kb.join("kbgen.toml"),
        format!(
            "[site]\ntitle = \"T\"\nlanguages = [\"en\"]\nsupport_email = \"a@b.example\"\n{extra}"
        ),
    )
    .unwrap();
    std::fs::write(
        kb.join("articles/en/hostile.md"),
        format!("---\ntitle: Hostile\n---\n\nBody text.\n\n{HOSTILE}\n\n[Returns](https://help.example/returns/)\n"),
    )
    .unwrap();
    std::fs::write(
        kb.join("rules.toml"),
        format!(
            "[[rule]]\nid = \"hostile\"\nphrasings = [\"hostile rule\"]\nanswer = '''{HOSTILE} See [Hostile](hostile.md) and [elsewhere](https://help.example/x).'''\n"
        ),
    )
    .unwrap();
    kb
}

fn assert_inert(what: &str, html: &str) {
    for active in ["onerror", "javascript:", "<script", "<iframe", "data:text"] {
        assert!(!html.contains(active), "{what} keeps `{active}`: {html}");
    }
}

/// The article's body on its page (the page's own scripts are not the article's).
fn prose(page: &str) -> &str {
    let start = page
        .find("<div class=\"prose\">")
        .expect("the article body");
    let end = page[start..].find("<section class=\"helpful\"").unwrap() + start;
    &page[start..end]
}

fn rule_answer(out: &Path) -> String {
    let index = solodesk_engine::Index::from_bytes(&std::fs::read(out.join("index.bin")).unwrap())
        .expect("index decodes");
    index.rules()[0].answer_html.clone()
}

#[test]
fn hostile_html_is_sanitised_everywhere_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let (_keep, out) = build(&hostile_kb(tmp.path(), ""));
    let page = read(&out.join("en/hostile/index.html"));
    let page = prose(&page);
    assert_inert("the article page", page);
    assert!(
        page.contains("<img src=\"x\">"),
        "harmless parts stay: {page}"
    );
    let fragment = read(&out.join("widget/articles/en/hostile.html"));
    assert_inert("the widget's fragment", &fragment);
    assert!(
        fragment.contains("<a href=\"https://help.example/returns/\" target=\"_blank\" rel=\"noopener noreferrer\">Returns</a>"),
        "{fragment}"
    );
    let answer = rule_answer(&out);
    assert_inert("the rule answer", &answer);
    assert!(answer.starts_with("<p>Hi! <img src=\"x\">"), "{answer}");
    // Its links open a new tab without a handle on the owner's page, the article link absolute.
    assert!(
        answer.contains(
            "<a href=\"/en/hostile/\" target=\"_blank\" rel=\"noopener noreferrer\">Hostile</a>"
        ),
        "{answer}"
    );
    assert!(
        answer.contains("<a href=\"https://help.example/x\" target=\"_blank\" rel=\"noopener noreferrer\">elsewhere</a>"),
        "{answer}"
    );
}

#[test]
fn raw_html_is_an_opt_in_for_help_center_pages_only() {
    let tmp = tempfile::tempdir().unwrap();
    let (_keep, out) = build(&hostile_kb(tmp.path(), "raw_html = true\n"));
    let page = read(&out.join("en/hostile/index.html"));
    assert!(
        prose(&page).contains("<img src=x onerror=alert(document.domain)>"),
        "the owner asked for raw HTML on pages: {page}"
    );
    assert_inert(
        "the widget's fragment",
        &read(&out.join("widget/articles/en/hostile.html")),
    );
    assert_inert("the rule answer", &rule_answer(&out));
}

#[test]
fn raw_html_must_be_a_boolean() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = hostile_kb(tmp.path(), "raw_html = \"yes\"\n");
    let (ok, _, err) = run(kbgen().arg("check").arg(&kb));
    assert!(!ok, "{err}");
    assert!(
        err.contains("kbgen.toml:5:12: error: `site.raw_html` must be true or false, not a string"),
        "{err}"
    );
}

/// A CSV row is third-party text: its HTML and markdown images show as text, not as markup.
#[test]
fn imported_csv_text_is_shown_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = hostile_kb(tmp.path(), "");
    let csv = tmp.path().join("faq.csv");
    std::fs::write(
        &csv,
        "question,answer\n\"Is it safe?\",\"Yes <img src=x onerror=alert(1)> &lt;b&gt; ![key](../../.ssh/id_rsa) `<b>` [a](javascript:alert(1))\"\n",
    )
    .unwrap();
    let (ok, _, err) = run(kbgen().arg("import").arg(&csv).arg("--kb").arg(&kb));
    assert!(ok, "{err}");
    let (_keep, out) = build(&kb);
    let page = read(&out.join("en/is-it-safe/index.html"));
    assert!(
        page.contains("<p>Yes &lt;img src=x onerror=alert(1)&gt; &amp;lt;b&amp;gt; ![key](../../.ssh/id_rsa) `&lt;b&gt;` [a](javascript:alert(1))</p>"),
        "{page}"
    );
    assert!(!out.join("images").exists(), "no file was published");
}
