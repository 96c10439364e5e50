//! `kbgen import faq.csv`: rows become articles, with a report, and the result builds.

use super::*;

#[test]
fn csv_rows_become_articles() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    assert!(run(kbgen().arg("init").arg(&kb)).0);
    let (ok, out, err) = run(kbgen()
        .arg("import")
        .arg(fixture("faq.csv"))
        .arg("--kb")
        .arg(&kb));
    assert!(ok, "{err}");
    assert!(out.contains("imported 2 articles into"), "{out}");
    assert!(out.contains("<lang>/faq (2 en)"), "{out}");
    assert!(
        err.contains("faq.csv:5:1: skipped: empty question or answer"),
        "{err}"
    );
    // The starter knowledge base is English only: the Chinese row says where it went and why.
    assert!(
        err.contains("faq.csv:4:1: warning: this row looks like zh, which is not one of the site's languages (en); imported as en"),
        "{err}"
    );
    let article = read(&kb.join("articles/en/faq/how-do-i-return-an-item-exactly.md"));
    assert!(
        article.contains("title: \"How do I return an item, exactly?\""),
        "{article}"
    );
    assert!(
        article.contains("Email us.\\\nWe reply within a day."),
        "{article}"
    );
    let (_tmp, site) = build(&kb);
    let page = read(&site.join("en/how-do-i-return-an-item-exactly/index.html"));
    assert!(
        page.contains("<p>Email us.<br>\nWe reply within a day.</p>"),
        "{page}"
    );
    // Importing again does not overwrite, and says so in the singular where it is one.
    let (ok, out, err) = run(kbgen()
        .arg("import")
        .arg(fixture("faq.csv"))
        .arg("--kb")
        .arg(&kb));
    assert!(ok);
    assert!(out.contains("imported 0 articles"), "{out}");
    assert!(out.contains("; 3 skipped"), "{out}");
    assert!(err.contains("(use --force to replace it)"), "{err}");
}

/// A knowledge base in English and Chinese, as an owner of a small Chinese shop has it.
fn bilingual_kb(tmp: &Path) -> PathBuf {
    let kb = tmp.join("kb");
    assert!(run(kbgen().arg("init").arg(&kb)).0);
    // The category goes at the end: in the middle of `[site]` it would take the site's keys
    // that follow, which kbgen.toml refuses as unknown category keys.
    let config = read(&kb.join("kbgen.toml"))
        .replace("languages = [\"en\"]", "languages = [\"en\", \"zh\"]")
        + "\n[categories.faq]\ntitle = { en = \"FAQ\", zh = \"常见问题\" }\n";
    std::fs::write(kb.join("kbgen.toml"), config).unwrap();
    kb
}

fn import(kb: &Path, csv: &Path, extra: &[&str]) -> (bool, String, String) {
    run(kbgen()
        .arg("import")
        .arg(csv)
        .arg("--kb")
        .arg(kb)
        .args(extra))
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Regression (issue 16, items 14 and 15): Excel on Chinese Windows saves GBK with a `问题,答案`
/// header. It failed with "stream did not contain valid UTF-8"; now its rows land in `zh`, with
/// ids that survive `--force`, and each short answer is given in the conversation.
#[test]
fn a_gbk_file_from_excel_lands_in_zh_and_answers_in_the_conversation() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = bilingual_kb(tmp.path());
    let csv = fixture("faq-gbk.csv");
    assert!(
        std::str::from_utf8(&std::fs::read(&csv).unwrap()).is_err(),
        "the fixture is GBK, not UTF-8"
    );
    let (ok, out, err) = import(&kb, &csv, &[]);
    assert!(ok, "{err}");
    assert!(err.contains("read as GB18030/GBK"), "{err}");
    assert!(
        err.contains("questions from column \"问题\", answers from column \"答案\""),
        "{err}"
    );
    assert!(out.contains("imported 2 articles into"), "{out}");
    assert!(out.contains("<lang>/faq (2 zh)"), "{out}");
    assert!(out.contains("and 2 rules into"), "{out}");
    let ids = files_under(&kb.join("articles/zh/faq"));
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(
        ids.iter()
            .all(|f| f.starts_with("faq-") && f.len() == "faq-123456.md".len()),
        "{ids:?}"
    );
    assert!(!kb.join("articles/en/faq").exists());
    let article = read(&kb.join("articles/zh/faq").join(&ids[0]));
    assert!(article.contains("lang: \"zh\""), "{article}");
    // Importing again with --force rewrites the same files and the same rules: no faq-1/faq-2
    // renumbering, no second copy of each rule.
    let rules_before = read(&kb.join("rules.toml"));
    let (ok, out, err) = import(&kb, &csv, &["--force"]);
    assert!(ok, "{err}");
    assert!(out.contains("imported 2 articles into"), "{out}");
    assert!(out.contains("<lang>/faq (2 zh)"), "{out}");
    assert_eq!(files_under(&kb.join("articles/zh/faq")), ids);
    assert_eq!(read(&kb.join("rules.toml")), rules_before);

    let (ok, _, report) = run(kbgen().arg("check").arg(&kb));
    assert!(ok && report.contains(": 0 errors,"), "{report}");
    let (_tmp, site) = build(&kb);
    assert_eq!(
        rules_answering(
            &site,
            &["你们卖低因咖啡吗", "能开发票吗？", "你们几点开门？"]
        ),
        [
            ids.iter()
                .map(|f| f.trim_end_matches(".md"))
                .find(|id| read(&kb.join(format!("articles/zh/faq/{id}.md"))).contains("低因"))
                .unwrap(),
            ids.iter()
                .map(|f| f.trim_end_matches(".md"))
                .find(|id| read(&kb.join(format!("articles/zh/faq/{id}.md"))).contains("发票"))
                .unwrap(),
            ""
        ]
    );
    // The line break inside the quoted answer is one in the page too.
    let page = ids
        .iter()
        .map(|f| read(&site.join(format!("zh/{}/index.html", f.trim_end_matches(".md")))))
        .find(|p| p.contains("低因"))
        .unwrap();
    assert!(page.contains("卖的。<br>\n我们有哥伦比亚低因豆"), "{page}");
}

/// Regression (issue 16, items 14 and 15): a UTF-8 file with a BOM, `;`-separated, CRLF line
/// ends and line breaks inside quoted answers, as Excel writes "CSV UTF-8" in much of Europe.
#[test]
fn an_excel_file_with_bom_and_semicolons_keeps_its_line_breaks() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = bilingual_kb(tmp.path());
    let (ok, out, err) = import(&kb, &fixture("faq-excel.csv"), &[]);
    assert!(ok, "{err}");
    assert!(err.contains("read as UTF-8 with BOM, `;`-separated; questions from column \"Question\", answers from column \"Answer\""), "{err}");
    assert!(out.contains("imported 3 articles into"), "{out}");
    assert!(out.contains("<lang>/faq (3 en)"), "{out}");
    // The long answer is an article only; the two short ones are rules too.
    assert!(out.contains("and 2 rules into"), "{out}");
    assert!(out.contains("faq-excel.csv:2: "), "{out}");
    assert!(out.contains("faq-excel.csv:6: "), "{out}");
    let (_tmp, site) = build(&kb);
    let page = read(&site.join("en/do-you-sell-decaf/index.html"));
    assert!(
        page.contains("<p>Yes: our Colombian decaf, roasted every Tuesday.<br>\nAsk for it by name.</p>\n<p>It keeps for a month.</p>"),
        "{page}"
    );
    assert!(site
        .join("en/can-i-pay-by-card-or-cash/index.html")
        .exists());
    assert_eq!(
        rules_answering(
            &site,
            &[
                "Do you sell decaf?",
                "decaf",
                "can I pay by card",
                "How long does roasted coffee stay fresh?",
            ]
        ),
        [
            "do-you-sell-decaf",
            "do-you-sell-decaf",
            "can-i-pay-by-card-or-cash",
            ""
        ]
    );
    // The long answer is still found, as an article.
    let (ok, text, _) = run(kbgen()
        .args(["ask", "--index"])
        .arg(&site)
        .arg("How long does roasted coffee stay fresh?"));
    assert!(
        ok && text.contains("1. How long does roasted coffee stay fresh?"),
        "{text}"
    );
}

/// Regression (issue 16, item 15): the hand-written parser read `"a"b` as `ab` and an unclosed
/// quote as the rest of the file, without a word. Both are errors at their place, and nothing is
/// written.
#[test]
fn broken_quotes_are_errors_with_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = bilingual_kb(tmp.path());
    for (csv, at) in [
        (
            "question,answer\nOpen on Sunday?,\"No\" sorry\n",
            "bad.csv:2:21: text after a quoted field's closing quote",
        ),
        (
            "question,answer\nOpen on Sunday?,No\nDecaf?,\"Yes\nWhere?,Here\n",
            "bad.csv:3:8: this quote is never closed",
        ),
    ] {
        let path = tmp.path().join("bad.csv");
        std::fs::write(&path, csv).unwrap();
        let (ok, out, err) = import(&kb, &path, &[]);
        assert!(!ok, "{out}");
        assert!(err.contains(at), "{err}");
        assert!(!kb.join("articles/en/faq").exists());
    }
}

/// A file in neither UTF-8 nor GBK says so at the first bad byte, and how to go on.
#[test]
fn an_unknown_encoding_names_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = bilingual_kb(tmp.path());
    let path = tmp.path().join("latin1.csv");
    std::fs::write(&path, b"question,answer\nCaf\xe9?,Oui\n").unwrap();
    let (ok, _, err) = import(&kb, &path, &[]);
    assert!(!ok);
    assert!(
        err.contains("latin1.csv:2:4: the file is not UTF-8 (byte 0xE9), nor Chinese GBK"),
        "{err}"
    );
    assert!(err.contains("--encoding windows-1252"), "{err}");
    let (ok, out, err) = import(&kb, &path, &["--encoding", "windows-1252"]);
    assert!(ok, "{err}");
    assert!(out.contains("imported 1 article into"), "{out}");
    assert!(out.contains("<lang>/faq (1 en)"), "{out}");
    assert!(read(&kb.join("articles/en/faq/café.md")).contains("title: \"Café?\""));
}

/// Imported text is someone else's: markup in a cell stays text on the page and in the widget's
/// answer.
#[test]
fn markup_in_a_cell_stays_text() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = bilingual_kb(tmp.path());
    let path = tmp.path().join("hostile.csv");
    std::fs::write(
        &path,
        "q,a\nIs it safe?,<img src=x onerror=alert(1)> ![](../../.ssh/id_rsa) [x](javascript:alert(1))\n",
    )
    .unwrap();
    let (ok, _, err) = import(&kb, &path, &[]);
    assert!(ok, "{err}");
    let (_tmp, site) = build(&kb);
    for file in [
        "en/is-it-safe/index.html",
        "widget/articles/en/is-it-safe.html",
    ] {
        let page = read(&site.join(file));
        assert!(!page.contains("<img src=x"), "{file}: {page}");
        assert!(!page.contains("href=\"javascript"), "{file}: {page}");
        assert!(
            page.contains("&lt;img src=x onerror=alert(1)&gt; ![](../../.ssh/id_rsa) [x](javascript:alert(1))"),
            "{file}: {page}"
        );
    }
}

/// `--lang` and `--category` become folders: ones that leave the knowledge base are refused.
#[test]
fn lang_and_category_cannot_leave_the_knowledge_base() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = bilingual_kb(tmp.path());
    for (flag, value) in [
        ("--lang", "../../x"),
        ("--lang", "/tmp"),
        ("--category", "../.."),
        ("--category", "a/../../b"),
        ("--category", ""),
    ] {
        let (ok, out, err) = import(&kb, &fixture("faq.csv"), &[flag, value]);
        assert!(!ok, "{flag} {value}: {out}");
        assert!(err.contains(&format!("{flag} {value:?}")), "{err}");
    }
    let mut found = Vec::new();
    for e in walkdir(tmp.path()) {
        if e.extension().is_some_and(|x| x == "md")
            && !e.starts_with(kb.join("articles/en/getting-started"))
            && !e.starts_with(kb.join("articles/en/orders"))
        {
            found.push(e);
        }
    }
    assert!(found.iter().all(|p| p.ends_with("README.md")), "{found:?}");
    // A language the site does not have is refused too, rather than skipped at build time.
    let (ok, _, err) = import(&kb, &fixture("faq.csv"), &["--lang", "fr"]);
    assert!(
        !ok && err.contains("--lang fr: not one of the site's languages (en, zh)"),
        "{err}"
    );
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The rule `kbgen ask` (which answers exactly as the widget does) gives each question, or "".
fn rules_answering(site: &Path, questions: &[&str]) -> Vec<String> {
    questions
        .iter()
        .map(|q| {
            let (ok, out, err) = run(kbgen()
                .arg("ask")
                .arg("--json")
                .arg("--index")
                .arg(site)
                .arg(q));
            assert!(ok, "{err}");
            let line: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
            line["rule"]["id"].as_str().unwrap_or("").to_owned()
        })
        .collect()
}

/// Regression (issue 16, item 13): the brief's own rules.json, whose patterns end in `?`, was read
/// as strict regexes, so "What's your return policy" and "return policy" got no answer.
#[test]
fn the_briefs_rules_json_answers_the_ways_people_ask() {
    let (_tmp, site) = build(&fixture("seed-brief"));
    let questions = [
        "What's your return policy",
        "return policy",
        "what is your return policy?",
        "How do I track my order",
        "track my order",
        "do you have a shop in Bristol I can visit",
        "what are your opening hours",
    ];
    assert_eq!(
        rules_answering(&site, &questions),
        ["rule_1", "rule_1", "rule_1", "rule_2", "rule_2", "", ""],
        "{questions:?}"
    );
    let (ok, _, err) = run(kbgen().arg("check").arg(fixture("seed-brief")));
    assert!(ok && err.contains("0 errors, 0 warnings"), "{err}");
}

/// Regression (issue 16, item 15): without `--lang` Chinese rows landed in `articles/en`; in a
/// file of both, each row goes to its language and the summary counts them.
#[test]
fn a_mixed_file_is_split_by_language() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = bilingual_kb(tmp.path());
    let (ok, out, err) = import(&kb, &fixture("faq.csv"), &[]);
    assert!(ok, "{err}");
    assert!(out.contains("<lang>/faq (1 en, 1 zh)"), "{out}");
    assert_eq!(
        files_under(&kb.join("articles/en/faq")),
        ["how-do-i-return-an-item-exactly.md"]
    );
    let zh = files_under(&kb.join("articles/zh/faq"));
    assert_eq!(zh.len(), 1, "{zh:?}");
    assert!(read(&kb.join("articles/zh/faq").join(&zh[0])).contains("title: \"如何退货？\""));
}

/// Found on day one: an import into a site whose kbgen.toml names no `faq` category showed its
/// articles under "Faq", and the rules.toml it writes beside the brief's rules.json made every
/// build warn "several rules files". Now the import adds the category, titled in each language it
/// imported into (keeping the owner's comments), and two rules files are no warning.
#[test]
fn an_import_names_its_category_and_sits_beside_the_briefs_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    assert!(run(kbgen().arg("init").arg(&kb)).0);
    let config = read(&kb.join("kbgen.toml"))
        .replace("languages = [\"en\"]", "languages = [\"en\", \"zh\"]")
        + "# the owner's own note\n";
    std::fs::write(kb.join("kbgen.toml"), &config).unwrap();
    std::fs::copy(fixture("seed-brief/rules.json"), kb.join("rules.json")).unwrap();
    let (ok, out, err) = import(&kb, &fixture("faq-gbk.csv"), &[]);
    assert!(ok, "{err}");
    assert!(out.contains("added [categories.faq]"), "{out}");
    assert!(
        kb.join("rules.toml").exists(),
        "the short answers became rules"
    );
    let config = read(&kb.join("kbgen.toml"));
    assert!(config.contains("# the owner's own note"), "{config}");
    // After the starter's own two categories (order 1 and 2), not before them.
    assert!(
        config.contains("[categories.faq]\ntitle = { zh = \"常见问题\" }\norder = 3\n"),
        "{config}"
    );
    // A second import, into English too, leaves the owner's (now existing) category alone.
    let (ok, out, err) = import(&kb, &fixture("faq.csv"), &["--lang", "en"]);
    assert!(ok, "{err}");
    assert!(!out.contains("added [categories"), "{out}");

    // (The starter's own return-policy rule shadows the brief's, which check rightly reports.)
    let (ok, _, report) = run(kbgen().arg("check").arg(&kb));
    assert!(ok && report.contains(": 0 errors,"), "{report}");
    assert!(!report.contains("rules files"), "{report}");
    let (_tmp, site) = build(&kb);
    let zh = read(&site.join("zh/index.html"));
    assert!(zh.contains("常见问题"), "the zh home names the category");
    assert!(!zh.contains(">Faq<"), "{zh}");
}

/// The seed brief prints its file under a `# knowledge_base.csv` line, and an owner pastes it
/// as printed: that line was taken for the header and the import refused. A one-field line
/// starting with `#` above the header is skipped, and said so.
#[test]
fn a_comment_line_above_the_header_is_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    assert!(run(kbgen().arg("init").arg(&kb)).0);
    let csv = tmp.path().join("knowledge_base.csv");
    std::fs::write(
        &csv,
        "# knowledge_base.csv\nquestion,answer\nHow do I return an item?,Within 30 days.\n",
    )
    .unwrap();
    let (ok, out, err) = run(kbgen().arg("import").arg(&csv).arg("--kb").arg(&kb));
    assert!(ok, "{err}");
    assert!(out.contains("imported 1 article into"), "{out}");
    assert!(
        err.contains("knowledge_base.csv:1:1: skipped: a comment above the header row"),
        "{err}"
    );
    assert!(kb
        .join("articles/en/faq/how-do-i-return-an-item.md")
        .is_file());
}

/// The walkthrough's sequence: a Chinese row imported into the English-only starter lands in
/// articles/en (with a warning); zh is added and the file imported again, which files the row
/// under zh too. The English copy stayed, each copy counting as the other's translation, and
/// `check` said nothing; it now names the copies filed under a language they are not written in.
#[test]
fn check_names_rows_imported_under_the_wrong_language() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    assert!(run(kbgen().arg("init").arg(&kb)).0);
    let (ok, _, err) = import(&kb, &fixture("faq.csv"), &[]);
    assert!(ok, "{err}");
    let config = read(&kb.join("kbgen.toml"))
        .replace("languages = [\"en\"]", "languages = [\"en\", \"zh\"]");
    std::fs::write(kb.join("kbgen.toml"), config).unwrap();
    let (ok, _, err) = import(&kb, &fixture("faq.csv"), &[]);
    assert!(ok, "{err}");
    let (_, _, err) = run(kbgen().arg("check").arg(&kb));
    let stale: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("is written in zh but is filed under en"))
        .collect();
    assert_eq!(stale.len(), 1, "{err}");
    assert!(stale[0].contains("articles/en/faq/"), "{err}");
    assert!(
        err.contains("is in en but its phrasings are written in zh"),
        "{err}"
    );
    // The English rows are where they belong: nothing said of them.
    assert_eq!(err.matches("is written in").count(), 1, "{err}");
}
