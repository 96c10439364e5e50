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

/// Images that would be missing from the owner's pages without a word: one in raw HTML (kbgen
/// publishes the images of markdown only, and a `../` there escapes no check because nothing is
/// copied) is a warning naming the markdown to write; a file named in a rule's answer, which
/// shows on the owner's own site, is an error. Addresses are left alone.
#[test]
fn images_kbgen_does_not_publish_are_reported() {
    let (_tmp, kb) = copy_fixture("basic");
    let article = kb.join("articles/en/orders/refunds.md");
    append(
        &article,
        "\n<img src=\"photo.png\" width=\"300\">\n\n<img src=\"../../../../etc/hostname\">\n\n\
         <img src=\"https://cdn.example/ok.png\" alt=\"ok\">\n",
    );
    let rules = kb.join("rules.toml");
    append(
        &rules,
        "\n[[rule]]\nid = \"pictured\"\nlang = \"en\"\nphrasings = [\"show me the label\"]\n\
         answer = \"Like this: ![label](images/label.svg) or ![cdn](https://cdn.example/label.png)\"\n",
    );
    let (ok, _, err) = run(kbgen().arg("check").arg(&kb));
    assert!(!ok, "the rule's image is an error:\n{err}");
    for src in ["photo.png", "../../../../etc/hostname"] {
        let want = format!("warning: HTML <img src=\"{src}\"> is not published: kbgen publishes only images written in markdown; write it as `![description]({src})`");
        assert!(err.contains(&want), "missing\n  {want}\nin\n{err}");
    }
    assert!(
        err.contains(
            "error: rule \"pictured\": image `images/label.svg` in a rule answer is not published"
        ),
        "{err}"
    );
    assert!(!err.contains("cdn.example"), "{err}");
}

/// What the sanitiser takes out of a rule's answer or an article (a script, a `javascript:` link,
/// a `data:` image) left dead text and broken images in the owner's widget without a word from
/// `check`, which warned only of an article's removed tags. Each is now a warning where it is.
#[test]
fn what_the_sanitiser_removes_is_said_for_rules_and_articles() {
    let (_tmp, kb) = copy_fixture("basic");
    let article = kb.join("articles/en/orders/refunds.md");
    append(
        &article,
        "\n[Get the code](javascript:alert(1)) ![a dot](data:image/png;base64,AAAA)\n",
    );
    let rules = kb.join("rules.toml");
    append(
        &rules,
        "\n[[rule]]\nid = \"scripted\"\nlang = \"en\"\nphrasings = [\"give me the code\"]\n\
         answer = \"Here: <script>steal()</script> [click](JavaScript:steal()) or [mail us](mailto:a@b.example)\"\n",
    );
    let (ok, _, err) = run(kbgen().arg("check").arg(&kb));
    assert!(ok, "warnings only:\n{err}");
    for want in [
        format!("{}:", article.display()),
        "warning: link with a `javascript:` address is removed".into(),
        "warning: image with a `data:` address is removed".into(),
        "warning: rule \"scripted\": HTML <script> is removed".into(),
        "warning: rule \"scripted\": link with a `javascript:` address is removed".into(),
    ] {
        assert!(err.contains(&want), "missing\n  {want}\nin\n{err}");
    }
    assert!(!err.contains("`mailto:`"), "{err}");
}

/// An image written as a path from a site's root (`/images/label.svg`, as other tools write
/// their static files) was left as written and never published: it loaded from the root of the
/// help center's host, outside a help center under `/help/`. It is now found in the knowledge
/// base and published like any image; one that is not there is a warning.
#[test]
fn images_at_a_site_root_path_are_published_or_reported() {
    let (_tmp, kb) = copy_fixture("basic");
    std::fs::create_dir_all(kb.join("static/img")).unwrap();
    std::fs::copy(kb.join("images/label.svg"), kb.join("static/img/box.svg")).unwrap();
    let article = kb.join("articles/en/orders/refunds.md");
    append(
        &article,
        "\n![The label](/images/label.svg)\n\n![The box](/img/box.svg)\n\n\
         ![The old logo](/logo.png)\n\n<img src=\"/images/label.svg\" alt=\"label\">\n",
    );
    let (ok, _, err) = run(kbgen().arg("check").arg(&kb));
    assert!(ok, "warnings only:\n{err}");
    let want = "warning: image `/logo.png` is a path from a site's root and no file of the knowledge base: it loads from the root of the help center's host, where kbgen does not put it";
    assert!(err.contains(want), "missing\n  {want}\nin\n{err}");
    let want = "warning: HTML <img src=\"/images/label.svg\"> is a path from a site's root";
    assert!(err.contains(want), "missing\n  {want}\nin\n{err}");
    assert!(!err.contains("`/images/label.svg`"), "{err}");
    assert!(!err.contains("box.svg"), "{err}");

    let (_out_tmp, out) = build(&kb);
    let html = read(&out.join("en/refunds/index.html"));
    for published in ["images/label.svg", "images/static/img/box.svg"] {
        assert!(out.join(published).is_file(), "{published} not published");
        let src = format!("src=\"/help/{published}\"");
        assert!(html.contains(&src), "missing {src} in:\n{html}");
    }
    assert!(html.contains("src=\"/logo.png\""), "{html}");
    let widget = read(&out.join("widget/articles/en/refunds.html"));
    // The widget resolves it against the help center, as every image of an article.
    assert!(
        widget.contains("src=\"/help/images/static/img/box.svg\""),
        "{widget}"
    );
    // A root path that leads out of the folder publishes nothing from the disk.
    for src in ["/%2Fetc%2Fhostname", "/../../../../../../etc/hostname"] {
        append(&article, &format!("\n![host]({src})\n"));
        let (ok, _, err) = run(kbgen().arg("check").arg(&kb));
        assert!(!ok, "{src}: {err}");
        let want = format!("error: image `{src}` is outside the knowledge-base folder");
        assert!(err.contains(&want), "missing\n  {want}\nin\n{err}");
    }
}

/// A typo in `related` was reported at 1:1 with no hint; it is reported where it is written,
/// with the id it most likely means.
#[test]
fn a_related_typo_is_reported_where_it_is_with_the_likely_id() {
    let (_tmp, kb) = copy_fixture("basic");
    let article = kb.join("articles/en/orders/refunds.md");
    let text = read(&article).replace("related: [reset-password]", "related: [reset-pasword]");
    std::fs::write(&article, text).unwrap();
    let (ok, _, err) = run(kbgen().arg("check").arg(&kb));
    assert!(!ok);
    let want = format!(
        "{}:9:11: error: `related` names \"reset-pasword\", but no article has that id (did you mean \"reset-password\"?)",
        article.display()
    );
    assert!(err.contains(&want), "missing\n  {want}\nin\n{err}");
}

/// Repeated warnings are shown once with a count by `build`, and only then does it point at
/// `--verbose`: with every warning shown, "(2 warnings in all; --verbose lists each)" made an
/// owner look for warnings that were not hidden.
#[test]
fn the_verbose_hint_comes_only_when_warnings_were_condensed() {
    let (_tmp, kb) = copy_fixture("basic");
    let article = kb.join("articles/en/orders/refunds.md");
    append(&article, "\n![](images/label.svg)\n");
    let out = tempfile::tempdir().unwrap();
    let build = || {
        run(kbgen()
            .arg("build")
            .arg(&kb)
            .arg("--out")
            .arg(out.path().join("site")))
    };
    let (ok, _, err) = build();
    assert!(ok, "{err}");
    assert!(err.contains("image without alt text"), "{err}");
    assert!(!err.contains("--verbose"), "{err}");
    append(&article, "\n![](images/label.svg)\n");
    let (ok, _, err) = build();
    assert!(ok, "{err}");
    assert!(err.contains("(and 1 more like it)"), "{err}");
    assert!(err.contains("in all; --verbose lists each)"), "{err}");
}
