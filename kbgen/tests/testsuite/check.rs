//! `kbgen check`: every kind of problem reported together with its position, non-zero exit.

use super::*;

#[test]
fn reports_all_problems_with_positions() {
    let (ok, _, err) = run(kbgen().arg("check").arg(fixture("broken")));
    assert!(!ok, "errors make check fail");
    let dir = fixture("broken");
    let a = dir.join("articles/en/a.md");
    let b = dir.join("articles/en/b.md");
    let c = dir.join("articles/en/c.md");
    let rules = dir.join("rules.toml");
    for expected in [
        format!(
            "{}:3:1: warning: unknown front matter key \"titel\" (did you mean \"title\"?)",
            a.display()
        ),
        format!(
            "{}:6:9: error: broken link: `missing.md` is not an article of this knowledge base",
            a.display()
        ),
        format!("{}:6:35: error: image not found: `nope.png`", a.display()),
        format!(
            "{}:1:1: error: duplicate id \"a\" in language \"en\"",
            b.display()
        ),
        format!(
            "{}:1:1: error: missing `title` in front matter",
            c.display()
        ),
        format!(
            "{}:2:1: error: rule \"silent\" can never fire: it has no phrasings, keywords or regex",
            rules.display()
        ),
        format!(
            "{}:1:1: warning: article \"a\" has no translation in zh",
            a.display()
        ),
    ] {
        assert!(err.contains(&expected), "missing\n  {expected}\nin\n{err}");
    }
}

#[test]
fn clean_knowledge_base_passes() {
    let (ok, _, err) = run(kbgen().arg("check").arg(fixture("basic")));
    assert!(ok, "{err}");
    assert!(err.contains("0 errors"), "{err}");
}
