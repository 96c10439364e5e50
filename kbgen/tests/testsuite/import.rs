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
    assert!(out.contains("imported 2 articles"), "{out}");
    assert!(
        err.contains("faq.csv:5:1: skipped: empty question or answer"),
        "{err}"
    );
    let article = read(&kb.join("articles/en/faq/how-do-i-return-an-item-exactly.md"));
    assert!(
        article.contains("title: \"How do I return an item, exactly?\""),
        "{article}"
    );
    assert!(
        article.contains("Email us.\nWe reply within a day."),
        "{article}"
    );
    assert!(kb.join("articles/en/faq/faq-2.md").exists());
    let (_tmp, site) = build(&kb);
    assert!(site
        .join("en/how-do-i-return-an-item-exactly/index.html")
        .exists());
    // Importing again does not overwrite.
    let (ok, out, _) = run(kbgen()
        .arg("import")
        .arg(fixture("faq.csv"))
        .arg("--kb")
        .arg(&kb));
    assert!(ok);
    assert!(out.contains("imported 0 articles"), "{out}");
}
