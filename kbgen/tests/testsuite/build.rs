//! `kbgen build`: output layout, rendering, translations, links, index and atomic replacement.

use super::*;

#[test]
fn output_layout() {
    let (_tmp, out) = build(&fixture("basic"));
    let files = files(&out);
    for expected in [
        "index.bin",
        "index.html",
        "404.html",
        "widget-config.json",
        "sitemap.xml",
        "favicon.svg",
        "_headers",
        "en/index.html",
        "zh/index.html",
        "en/refunds/index.html",
        "zh/refunds/index.html",
        "en/reset-password/index.html",
        "en/category/orders/index.html",
        "zh/category/account/index.html",
        "en/search/index.html",
        "en/feed.xml",
        "zh/feed.xml",
        "images/label.svg",
        "widget/articles/en/refunds.html",
        "widget/articles/en/refunds.bin",
        "widget/articles/zh/reset-password.bin",
    ] {
        assert!(
            files.iter().any(|f| f == expected),
            "{expected} missing from {files:#?}"
        );
    }
    let css: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("assets/style.") && f.ends_with(".css"))
        .collect();
    assert_eq!(css.len(), 1, "one hashed stylesheet: {files:#?}");
    assert!(
        !files.iter().any(|f| f.contains(".kbgen-tmp")),
        "no temporary files left"
    );
}

/// Issue 17: every setting once, under the name of the tag's `data-` attribute (the file used
/// to carry title/site, support_email/email, brand_color/color and the greeting twice).
#[test]
fn widget_config_carries_site_settings() {
    let (_tmp, out) = build(&fixture("basic"));
    let v: serde_json::Value =
        serde_json::from_str(&read(&out.join("widget-config.json"))).unwrap();
    assert_eq!(v["site"], "Acme Help");
    assert_eq!(v["email"], "support@acme.test");
    assert_eq!(v["color"], "#ffd400");
    assert_eq!(v["languages"], serde_json::json!(["en", "zh"]));
    assert_eq!(v["default_language"], "en");
    assert_eq!(v["position"], "left");
    assert_eq!(v["base_url"], "https://acme.test/help/");
    assert_eq!(v["strings"]["zh"]["greeting"], "你好！");
    for gone in [
        "title",
        "support_email",
        "brand_color",
        "greeting",
        "offset_x",
    ] {
        assert_eq!(
            v.get(gone),
            None,
            "{gone} is written once, under its data- name"
        );
    }
}

#[test]
fn owners_words_replace_the_interface_strings() {
    let (_tmp, kb) = copy_fixture("basic");
    let config = kb.join("kbgen.toml");
    let text = read(&config)
        + "\n[site.strings]\nsearch_placeholder = { en = \"Search Acme's answers\" }\n\n\
           [widget.strings]\nplaceholder = \"Ask Acme\"\ncontact_us = { zh = \"写信给我们\" }\n";
    std::fs::write(&config, text).unwrap();
    let (_out_tmp, out) = build(&kb);
    let en = read(&out.join("en/search/index.html"));
    assert!(
        en.contains("placeholder=\"Search Acme&#39;s answers\""),
        "{en}"
    );
    let zh = read(&out.join("zh/search/index.html"));
    assert!(
        zh.contains("搜索帮助文章…"),
        "Chinese pages keep the built-in words: {zh}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&read(&out.join("widget-config.json"))).unwrap();
    assert_eq!(v["strings"]["en"]["placeholder"], "Ask Acme");
    assert_eq!(v["strings"]["zh"]["placeholder"], "Ask Acme");
    assert_eq!(v["strings"]["zh"]["contact_us"], "写信给我们");
    assert_eq!(v["strings"]["en"].get("contact_us"), None);
    assert_eq!(v["strings"]["en"]["greeting"], "Hi there!");
}

#[test]
fn article_rendering() {
    let (_tmp, out) = build(&fixture("basic"));
    let html = read(&out.join("en/refunds/index.html"));
    let check = |needle: &str| assert!(html.contains(needle), "missing {needle:?} in:\n{html}");
    // Internal link to another article, resolved under the base path, fragment kept.
    check("href=\"/help/en/reset-password/#steps\"");
    // Image copied and linked under the base path.
    check("src=\"/help/images/label.svg\"");
    // Code is escaped, never run.
    check(r#"&lt;script&gt;alert("not run")&lt;/script&gt;"#);
    check("<div class=\"callout callout-warning\" role=\"note\">");
    check("<del>60 days</del>");
    check("type=\"checkbox\"");
    check("class=\"footnote-definition\"");
    // The leading `# Refunds & returns` repeats the title and is not rendered twice.
    assert_eq!(html.matches("<h1").count(), 1, "{html}");
    // Translations: hreflang alternates and the switcher link to the Chinese version.
    check("<link rel=\"alternate\" hreflang=\"zh\" href=\"https://acme.test/help/zh/refunds/\">");
    check("<link rel=\"canonical\" href=\"https://acme.test/help/en/refunds/\">");
    check("href=\"/help/zh/refunds/\" hreflang=\"zh\"");
    // Breadcrumb, TOC, related, updated date.
    check("<a href=\"/help/en/category/orders/\">Orders</a>");
    check("<a href=\"#how-to-return\">How to return</a>");
    check("<a href=\"/help/en/reset-password/\">Reset your password</a>");
    check("<time datetime=\"2025-02-03\">");
    // JSON-LD: FAQPage because the article has questions.
    check("\"@type\":\"FAQPage\"");
    check("\"name\":\"Can I get my money back?\"");
}

#[test]
fn chinese_anchors_and_links() {
    let (_tmp, out) = build(&fixture("basic"));
    let html = read(&out.join("zh/refunds/index.html"));
    assert!(html.contains("<h2 id=\"如何退货\">"), "{html}");
    assert!(html.contains("<html lang=\"zh\" dir=\"ltr\">"));
    assert!(
        html.contains("href=\"/help/zh/reset-password/\""),
        "link resolves to the Chinese translation"
    );
    assert!(html.contains("这篇文章有帮助吗？"));
}

#[test]
fn helpful_no_offers_a_mailto_ticket_with_context() {
    let (_tmp, out) = build(&fixture("basic"));
    let html = read(&out.join("en/refunds/index.html"));
    let start = html
        .find("href=\"mailto:support@acme.test?")
        .expect("ticket link")
        + 6;
    let end = start + html[start..].find('"').unwrap();
    let href = html[start..end].replace("&amp;", "&");
    let decode = |s: &str| {
        let b = s.as_bytes();
        let mut v = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                v.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                v.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(v).unwrap()
    };
    let query = href.split_once('?').unwrap().1;
    let params: Vec<(&str, String)> = query
        .split('&')
        .map(|kv| kv.split_once('=').unwrap())
        .map(|(k, v)| (k, decode(v)))
        .collect();
    assert_eq!(
        params[0],
        (
            "subject",
            "[Acme Help] Feedback on: Refunds & returns".to_string()
        )
    );
    assert_eq!(params[1].0, "body");
    assert!(
        params[1].1.contains("https://acme.test/help/en/refunds/"),
        "{}",
        params[1].1
    );
    assert!(params[1].1.contains("id: refunds"));
}

/// `site.title` may be given per language: each page names the site in its own language, and
/// tells the widget so (the one `widget-config.json` carries the default language's name).
#[test]
fn site_title_per_language() {
    let (_tmp, out) = build(&fixture("basic"));
    let zh = read(&out.join("zh/refunds/index.html"));
    assert!(
        zh.contains("<title>退款与退货 · Acme 帮助中心</title>"),
        "{zh}"
    );
    assert!(zh.contains("<meta property=\"og:site_name\" content=\"Acme 帮助中心\">"));
    let en = read(&out.join("en/refunds/index.html"));
    assert!(en.contains("<meta property=\"og:site_name\" content=\"Acme Help\">"));
    assert!(read(&out.join("zh/feed.xml")).contains("<title>Acme 帮助中心</title>"));
    if out.join("widget").is_dir() {
        assert!(
            read(&out.join("zh/index.html")).contains("data-site=\"Acme 帮助中心\""),
            "the widget's script tag"
        );
    }
    // On the owner's own site the script tag has no name: the widget's header takes its
    // language's from `widget-config.json` (issue 16, item 8).
    let v: serde_json::Value =
        serde_json::from_str(&read(&out.join("widget-config.json"))).unwrap();
    assert_eq!(v["strings"]["zh"]["title"], "Acme 帮助中心");
    assert_eq!(v["strings"]["en"]["title"], "Acme Help");
}

#[test]
fn widget_script_on_home_and_search_pages_when_bundled() {
    let (_tmp, out) = build(&fixture("basic"));
    let has_loader = out.join("widget").is_dir();
    // Articles carry none: see help_center::only_home_and_search_pages_carry_the_widget.
    for page in ["index.html", "zh/index.html", "en/search/index.html"] {
        let html = read(&out.join(page));
        assert_eq!(
            html.contains("<script src=\"/help/widget/"),
            has_loader,
            "{page}"
        );
    }
    let search = read(&out.join("en/search/index.html"));
    assert!(
        search.contains("href=\"/help/en/category/orders/\""),
        "search page lists categories without JS"
    );
    assert_eq!(
        search.contains("<script src=\"/help/assets/search."),
        has_loader,
        "the search page's script comes with the engine"
    );
    // The search page runs the engine's own build (the widget crate without its panel), named
    // as the bundle names it.
    if has_loader {
        let manifest: serde_json::Value =
            serde_json::from_str(&read(&out.join("widget/manifest.json"))).unwrap();
        for (attr, logical) in [("data-module", "search.js"), ("data-wasm", "search.wasm")] {
            let file = manifest[logical].as_str().expect("bundled file");
            assert!(out.join("widget").join(file).is_file(), "{file}");
            assert!(
                search.contains(&format!("{attr}=\"/help/widget/{file}\"")),
                "{attr} names {file}"
            );
        }
        // Each language's page searches its own language's index first, all of them after.
        assert!(search.contains("data-index=\"/help/index.en.bin\""));
        assert!(search.contains("data-index-all=\"/help/index.bin\""));
    }
}

/// A site in several languages writes one index per language, each with that language's articles
/// and rules only, beside the combined `index.bin`: the search page and the widget of a language's
/// pages load it (issue 19: the widget loaded every language's, 57.5 KB gzip on the example where
/// English alone is 10.7), and `index.bin` only for what it cannot answer. One language needs
/// none.
#[test]
fn each_language_has_an_index_of_its_own() {
    let (_tmp, out) = build(&fixture("basic"));
    let decode = |file: &str| {
        let bytes = std::fs::read(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        solodesk_engine::Index::from_bytes(&bytes).expect("index decodes")
    };
    let all = decode("index.bin");
    assert!(!all.rules().is_empty());
    let headers = read(&out.join("_headers"));
    for lang in ["en", "zh"] {
        let own = decode(&format!("index.{lang}.bin"));
        let ids = |index: &solodesk_engine::Index| {
            let mut v: Vec<(String, String)> = index
                .articles()
                .iter()
                .filter(|a| a.lang == lang)
                .map(|a| (a.lang.clone(), a.url.clone()))
                .collect();
            v.sort();
            v
        };
        assert_eq!(own.articles().len(), 2, "{lang}");
        assert_eq!(ids(&own), ids(&all), "{lang}: its articles and only them");
        let rules: Vec<&str> = own.rules().iter().map(|r| r.lang.as_str()).collect();
        assert!(
            !rules.is_empty() && rules.iter().all(|l| *l == lang),
            "{lang}: its rules and only them: {rules:?}"
        );
        let query = if lang == "en" { "refund" } else { "退款" };
        let opts = solodesk_engine::SearchOptions {
            limit: 10,
            lang: Some(lang),
        };
        let hits = own.search(query, &opts);
        assert!(!hits.is_empty(), "{lang}: {query}");
        assert!(hits.iter().all(|h| h.url.starts_with(&format!("{lang}/"))));
        // The widget on the owner's site reads it from another origin.
        assert!(
            headers.contains(&format!(
                "/help/index.{lang}.bin\n  Access-Control-Allow-Origin: *\n"
            )),
            "{headers}"
        );
        let config: serde_json::Value =
            serde_json::from_str(&read(&out.join("widget-config.json"))).unwrap();
        assert_eq!(config["indexes"][lang], format!("index.{lang}.bin"));
        let page = read(&out.join(format!("{lang}/search/index.html")));
        assert!(page.contains(&format!("data-index=\"/help/index.{lang}.bin\"")));
    }

    let (_tmp, single) = build(&fixture("rtl"));
    let names = files(&single);
    assert!(
        !names
            .iter()
            .any(|f| f.starts_with("index.") && f != "index.bin" && f.ends_with(".bin")),
        "{names:?}"
    );
    let config = read(&single.join("widget-config.json"));
    assert!(!config.contains("\"indexes\""), "{config}");
    if single.join("widget").is_dir() {
        let page = read(&single.join("ar/search/index.html"));
        assert!(
            page.contains("index.bin\" data-base="),
            "the one index: {page}"
        );
        assert!(!page.contains("data-index-all"));
    }
}

#[test]
fn index_holds_articles_with_sections() {
    let (_tmp, out) = build(&fixture("basic"));
    let bytes = std::fs::read(out.join("index.bin")).unwrap();
    let index = solodesk_engine::Index::from_bytes(&bytes).expect("index decodes");
    let mut got: Vec<(String, String, String)> = index
        .articles()
        .iter()
        .map(|a| (a.lang.clone(), a.id.clone(), a.url.clone()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("en".into(), "refunds".into(), "en/refunds/".into()),
            (
                "en".into(),
                "reset-password".into(),
                "en/reset-password/".into()
            ),
            ("zh".into(), "refunds".into(), "zh/refunds/".into()),
            (
                "zh".into(),
                "reset-password".into(),
                "zh/reset-password/".into()
            ),
        ]
    );
    let at = index
        .articles()
        .iter()
        .position(|a| a.lang == "zh" && a.id == "refunds")
        .unwrap();
    let zh = &index.articles()[at];
    assert_eq!(index.category(at as u32), Some("订单"));
    // Sections and their text are in the article's passages file, not in the index.
    assert!(zh.sections.is_empty());
    let passages = std::fs::read(out.join("widget/articles/zh/refunds.bin")).unwrap();
    let passages = solodesk_engine::Passages::from_bytes(&passages).expect("passages decode");
    let anchors: Vec<&str> = passages
        .sections()
        .iter()
        .map(|s| s.anchor.as_str())
        .collect();
    assert_eq!(anchors, ["", "如何退货", "退款政策"]);
    assert_eq!(passages.summary(), "未使用的商品可在 30 天内退货。");
    // `questions` reach the index: a phrasing found only there finds the article.
    let hits = index.search(
        "get my money back",
        &solodesk_engine::SearchOptions {
            limit: 3,
            lang: Some("en"),
        },
    );
    assert_eq!(
        hits.first().map(|h| (h.id.as_str(), h.url.as_str())),
        Some(("refunds", "en/refunds/")),
        "{hits:?}"
    );
}

#[test]
fn feeds_sitemap_robots_headers() {
    let (_tmp, out) = build(&fixture("basic"));
    let sitemap = read(&out.join("sitemap.xml"));
    assert!(
        sitemap.contains(
            "<loc>https://acme.test/help/zh/refunds/</loc><lastmod>2025-02-03</lastmod><xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://acme.test/help/en/refunds/\"/>"
        ),
        "{sitemap}"
    );
    let feed = read(&out.join("en/feed.xml"));
    assert!(feed.contains("<title>Refunds &amp; returns</title>"));
    assert!(
        feed.find("Refunds").unwrap() < feed.find("Reset your password").unwrap(),
        "newest first"
    );
    // Under /help/ crawlers never read a robots.txt: see help_center::robots_txt_*.
    assert!(!out.join("robots.txt").exists());
    let headers = read(&out.join("_headers"));
    assert!(
        headers.contains("/help/assets/*\n  Cache-Control: public, max-age=31536000, immutable")
    );
    assert!(headers.contains("/help/widget/*\n  Access-Control-Allow-Origin: *"));
    assert!(headers.contains("/help/index.bin\n  Access-Control-Allow-Origin: *"));
}

#[test]
fn base_url_override() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (ok, _, err) = run(kbgen()
        .arg("build")
        .arg(fixture("basic"))
        .arg("--out")
        .arg(&out)
        .args(["--base-url", "/"]));
    assert!(ok, "{err}");
    assert!(read(&out.join("en/refunds/index.html")).contains("href=\"/en/reset-password/#steps\""));
}

#[test]
fn failed_build_leaves_previous_site_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "previous site").unwrap();
    // The marker every build writes: this folder is an earlier kbgen output.
    std::fs::write(out.join(".kbgen-output"), "").unwrap();
    let (ok, _, err) = run(kbgen()
        .arg("build")
        .arg(fixture("broken"))
        .arg("--out")
        .arg(&out));
    assert!(!ok);
    assert!(err.contains("build failed"), "{err}");
    assert_eq!(read(&out.join("keep.txt")), "previous site");
    assert_eq!(
        files(tmp.path()),
        ["out/.kbgen-output", "out/keep.txt"],
        "no temporary folder left behind"
    );
    // A successful build replaces the folder as a whole.
    let (ok, _, err) = run(kbgen()
        .arg("build")
        .arg(fixture("basic"))
        .arg("--out")
        .arg(&out));
    assert!(ok, "{err}");
    assert!(!out.join("keep.txt").exists());
    assert!(out.join("index.bin").exists());
}

#[test]
fn seed_json_rules_are_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (ok, _, err) = run(kbgen()
        .arg("build")
        .arg(fixture("seed-json"))
        .arg("--out")
        .arg(&out));
    assert!(ok, "{err}");
    assert!(err.contains("2 rules"), "{err}");
}

#[test]
fn missing_folder_is_a_clear_error() {
    let (ok, _, err) = run(kbgen().args(["build", "/nonexistent/kb"]));
    assert!(!ok);
    assert!(err.contains("/nonexistent/kb: not a folder"), "{err}");
}

#[test]
fn snippet_prints_the_script_tag() {
    let (ok, out, _) = run(kbgen().arg("snippet").arg(fixture("basic")));
    assert!(ok);
    assert!(
        out.starts_with("<script src=\"https://acme.test/help/widget/"),
        "{out}"
    );
    // The launcher's colour and side, which it needs before the panel's config is fetched.
    assert!(
        out.trim_end().ends_with(
            "async data-solodesk data-color=\"#ffd400\" data-position=\"left\"></script>"
        ),
        "{out}"
    );
}

#[test]
fn right_to_left_languages_are_mirrored() {
    let (_tmp, out) = build(&fixture("rtl"));
    let html = read(&out.join("ar/returns/index.html"));
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
    assert!(html.contains("هل كانت هذه المقالة مفيدة؟"));
    assert!(
        html.contains("<h2 id=\"كيفية-الإرجاع\">"),
        "Arabic heading anchors keep their letters"
    );
}

#[test]
fn leftovers_of_a_killed_build_are_cleared() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(tmp.path().join(".out.kbgen-tmp-999999/en")).unwrap();
    let (ok, _, err) = run(kbgen()
        .arg("build")
        .arg(fixture("basic"))
        .arg("--out")
        .arg(&out));
    assert!(ok, "{err}");
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["out"]);
}

#[test]
fn theme_overrides_and_drafts() {
    let (_tmp, kb) = copy_fixture("basic");
    std::fs::create_dir_all(kb.join("theme")).unwrap();
    std::fs::write(
        kb.join("theme/style.css"),
        "body { color: rebeccapurple; }\n",
    )
    .unwrap();
    std::fs::write(
        kb.join("theme/home.html"),
        "{% extends \"base.html\" %}{% block content %}<p class=\"custom-home\">{{ site.title }}</p>{% endblock %}",
    )
    .unwrap();
    std::fs::write(
        kb.join("articles/en/orders/secret.md"),
        "---\ntitle: Secret\ndraft: true\n---\nNot yet.\n",
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (ok, _, err) = run(kbgen().arg("build").arg(&kb).arg("--out").arg(&out));
    assert!(ok, "{err}");
    assert!(err.contains("(1 draft skipped)"), "{err}");
    assert!(!out.join("en/secret").exists());
    assert!(read(&out.join("en/index.html")).contains("<p class=\"custom-home\">Acme Help</p>"));
    let css = files(&out)
        .into_iter()
        .find(|f| f.starts_with("assets/style."))
        .unwrap();
    assert!(read(&out.join(css)).starts_with("body { color: rebeccapurple; }"));
}

#[test]
fn template_errors_are_reported_not_panicked() {
    let (_tmp, kb) = copy_fixture("basic");
    std::fs::create_dir_all(kb.join("theme")).unwrap();
    std::fs::write(kb.join("theme/article.html"), "{% if %}").unwrap();
    let (ok, _, err) = run(kbgen().arg("check").arg(&kb));
    assert!(!ok);
    assert!(err.contains("template error"), "{err}");
}
