//! What the help center's pages tell a person and a crawler (issue 16, items 9, 20 and 21):
//! popular articles the owner chose, counts in the singular, robots.txt where crawlers read it,
//! a favicon, honest FAQ structured data, one search box on the not-found page, and the
//! article's ticket encoded like the widget's. The same pages in a browser are tested in
//! `tests/tests/help_center.rs`.

use super::*;

/// A knowledge base of `articles` (file name, front matter, body) in English only.
fn kb_with(articles: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    std::fs::create_dir_all(kb.join("articles/en")).unwrap();
    std::fs::write(
        kb.join("kbgen.toml"),
        "[site]\ntitle = \"Bean Help\"\nbase_url = \"https://beans.example/\"\nsupport_email = \"roast+help@beans.example\"\nlanguages = [\"en\"]\n",
    )
    .unwrap();
    for (name, text) in articles {
        std::fs::write(kb.join("articles/en").join(name), text).unwrap();
    }
    (tmp, kb)
}

/// The titles listed under "Popular articles" on a home page.
fn popular_titles(home: &str) -> Vec<String> {
    let Some(start) = home.find("id=\"feat-h\"") else {
        return Vec::new();
    };
    let section = &home[start..home[start..].find("</section>").unwrap() + start];
    section
        .split("<li><a href=\"")
        .skip(1)
        .map(|li| {
            let text = &li[li.find('>').unwrap() + 1..];
            text[..text.find("</a>").unwrap()].to_string()
        })
        .collect()
}

/// Regression (issue 16, item 9): with one article tagged `featured`, late in the alphabet, the
/// home page listed that article alone, and the widget (the index's first articles) the first
/// five alphabetically without it. Featured come first, then the rest by order and title.
#[test]
fn popular_articles_are_featured_first_then_by_order() {
    let mut articles: Vec<(String, String)> = [
        "Brewing guide",
        "Caffeine content",
        "Delivery times",
        "Espresso grind",
        "Gift cards",
        "Returns",
    ]
    .iter()
    .map(|t| {
        (
            format!("{}.md", t.to_lowercase().replace(' ', "-")),
            format!("---\ntitle: {t}\n---\nAbout {t}.\n"),
        )
    })
    .collect();
    articles.push((
        "wholesale.md".into(),
        "---\ntitle: Wholesale beans\ntags: [featured]\n---\nFor cafés.\n".into(),
    ));
    // An `order` puts an article ahead of those without one.
    articles[4].1 = "---\ntitle: Gift cards\norder: 1\n---\nGift cards.\n".into();
    let refs: Vec<(&str, &str)> = articles
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let (_tmp, kb) = kb_with(&refs);
    let (_out, out) = build(&kb);
    let home = read(&out.join("en/index.html"));
    assert_eq!(
        popular_titles(&home),
        [
            "Wholesale beans",
            "Gift cards",
            "Brewing guide",
            "Caffeine content",
            "Delivery times",
            "Espresso grind"
        ]
    );
    // The widget lists the first articles of the visitor's language in the index.
    let index =
        solodesk_engine::Index::from_bytes(&std::fs::read(out.join("index.bin")).unwrap()).unwrap();
    let first: Vec<&str> = (0..3).filter_map(|a| index.title(a)).collect();
    assert_eq!(first, ["Wholesale beans", "Gift cards", "Brewing guide"]);
}

/// Regression (issue 16, item 20): "1 articles" on the home page, "built 1 articles", "1 warnings",
/// "imported 1 articles".
#[test]
fn one_is_singular() {
    let (_tmp, kb) = kb_with(&[(
        "decaf.md",
        "---\ntitle: Decaf\ntitel: typo\n---\nYes, a Swiss-water decaf.\n",
    )]);
    let out = kb.parent().unwrap().join("out");
    let (ok, _, err) = run(kbgen().arg("build").arg(&kb).arg("--out").arg(&out));
    assert!(ok, "{err}");
    assert!(
        err.contains("built 1 article in 1 language (en), 0 rules,"),
        "{err}"
    );
    assert!(err.contains("; 1 warning;"), "{err}");
    let home = read(&out.join("en/index.html"));
    assert!(home.contains("1 article</p>"), "{home}");
    assert!(!home.contains("1 articles"), "{home}");

    let csv = kb.parent().unwrap().join("one.csv");
    std::fs::write(&csv, "question,answer\nDo you ship abroad?,Yes.\n").unwrap();
    let (ok, stdout, err) = run(kbgen().arg("import").arg(&csv).arg("--kb").arg(&kb));
    assert!(ok, "{err}");
    assert!(stdout.contains("imported 1 article into"), "{stdout}");
}

/// Regression (issue 16, item 20): robots.txt was written under the base path (/help/), where
/// crawlers never look. Under a path the build says what to add at the root instead.
#[test]
fn robots_txt_is_written_only_where_crawlers_read_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (ok, _, err) = run(kbgen()
        .arg("build")
        .arg(fixture("basic"))
        .arg("--out")
        .arg(&out));
    assert!(ok, "{err}");
    assert!(!out.join("robots.txt").exists());
    assert!(
        err.contains("crawlers read robots.txt only at https://acme.test/robots.txt")
            && err.contains("\n  Sitemap: https://acme.test/help/sitemap.xml"),
        "{err}"
    );
    // At the root of a host it is written, and nothing needs saying.
    let (ok, _, err) = run(kbgen()
        .arg("build")
        .arg(fixture("basic"))
        .arg("--out")
        .arg(&out)
        .args(["--base-url", "https://help.acme.test/"]));
    assert!(ok, "{err}");
    assert_eq!(
        read(&out.join("robots.txt")),
        "User-agent: *\nAllow: /\nSitemap: https://help.acme.test/sitemap.xml\n"
    );
    assert!(!err.contains("robots.txt"), "{err}");
}

/// Regression (issue 16, item 20): no favicon, so every first visit logged a 404.
#[test]
fn pages_link_a_favicon_in_the_brand_colour() {
    let (_tmp, out) = build(&fixture("basic"));
    let icon = read(&out.join("favicon.svg"));
    // brand_color = "#ffd400": a light yellow, with dark marks on it.
    assert!(
        icon.starts_with("<svg") && icon.contains("fill=\"#ffd400\""),
        "{icon}"
    );
    for page in [
        "en/index.html",
        "zh/refunds/index.html",
        "404.html",
        "en/search/index.html",
    ] {
        let html = read(&out.join(page));
        assert!(
            html.contains("<link rel=\"icon\" href=\"/help/favicon.svg\" type=\"image/svg+xml\">"),
            "{page}"
        );
    }
}

/// The JSON-LD blocks of a page, parsed.
fn json_ld(html: &str) -> Vec<serde_json::Value> {
    html.split("<script type=\"application/ld+json\">")
        .skip(1)
        .map(|s| serde_json::from_str(&s[..s.find("</script>").unwrap()]).unwrap())
        .flat_map(|v: serde_json::Value| match v {
            serde_json::Value::Array(a) => a,
            one => vec![one],
        })
        .collect()
}

/// Regression (issue 16, item 20): FAQPage gave the title and every phrasing in `questions` a
/// Question of its own, each with the same summary as its answer. One article answers one
/// question: one Question, the other phrasings its alternate names.
#[test]
fn faq_structured_data_asks_one_question_per_answer() {
    let (_tmp, kb) = kb_with(&[(
        "decaf.md",
        "---\ntitle: Do you sell decaf?\nsummary: Yes, a Swiss-water decaf from Colombia.\nquestions: [\"is there decaf\", \"caffeine free coffee\"]\n---\nYes.\n",
    ), (
        "grind.md",
        "---\ntitle: Grind sizes\nquestions: [\"which grind for a moka pot\"]\n---\nFine for espresso, medium for a moka pot.\n",
    )]);
    let (_out, out) = build(&kb);
    let faq = |page: &str| {
        json_ld(&read(&out.join(page)))
            .into_iter()
            .find(|v| v["@type"] == "FAQPage")
            .unwrap_or_else(|| panic!("{page} has an FAQPage"))
    };
    let decaf = faq("en/decaf/index.html");
    let questions = decaf["mainEntity"].as_array().unwrap();
    assert_eq!(questions.len(), 1, "{decaf}");
    assert_eq!(questions[0]["name"], "Do you sell decaf?");
    assert_eq!(
        questions[0]["alternateName"],
        serde_json::json!(["is there decaf", "caffeine free coffee"])
    );
    assert_eq!(
        questions[0]["acceptedAnswer"]["text"],
        "Yes, a Swiss-water decaf from Colombia."
    );
    // A title that is not a question: the first way visitors ask is the question.
    let grind = faq("en/grind/index.html");
    assert_eq!(grind["mainEntity"][0]["name"], "which grind for a moka pot");
    assert!(grind["mainEntity"][0].get("alternateName").is_none());
    assert_eq!(
        grind["mainEntity"][0]["acceptedAnswer"]["text"],
        "Fine for espresso, medium for a moka pot."
    );
}

/// Regression (issue 16, item 21): the article's "No" ticket sent line breaks as LF and
/// percent-encoded the address, where the widget's ticket (widget/src/ticket/mailto.rs) sends CRLF as
/// RFC 6068 asks and keeps the address readable.
#[test]
fn article_ticket_is_encoded_like_the_widgets() {
    let (_tmp, kb) = kb_with(&[("decaf.md", "---\ntitle: Decaf & more\n---\nYes.\n")]);
    let (_out, out) = build(&kb);
    let html = read(&out.join("en/decaf/index.html"));
    let marker = "class=\"button ticket\" href=\"";
    let at = html.find(marker).unwrap() + marker.len();
    let href = html[at..at + html[at..].find('"').unwrap()].replace("&amp;", "&");
    let (to, query) = href
        .strip_prefix("mailto:")
        .unwrap()
        .split_once('?')
        .unwrap();
    assert_eq!(to, "roast%2Bhelp@beans.example");
    let body = query.split_once("&body=").unwrap().1;
    assert!(body.contains("%0D%0A"), "{body}");
    assert_eq!(
        body.matches("%0A").count(),
        body.matches("%0D%0A").count(),
        "every line break is CRLF: {body}"
    );
}

/// Regression (issue 16, item 20): the not-found page said "browse the categories below" over
/// no categories, and had two search boxes (the header's and its own).
#[test]
fn not_found_page_lists_categories_and_one_search_box() {
    let (_tmp, out) = build(&fixture("basic"));
    let html = read(&out.join("404.html"));
    assert_eq!(html.matches("role=\"search\"").count(), 1, "{html}");
    for category in ["/help/en/category/orders/", "/help/en/category/account/"] {
        assert!(html.contains(&format!("<a href=\"{category}\">")), "{html}");
    }
}

/// Issue 16, item 20: the floating launcher covered every article. Pages people read carry no
/// widget; the home and search pages, where they look for an answer, do.
#[test]
fn only_home_and_search_pages_carry_the_widget() {
    let (_tmp, out) = build(&fixture("basic"));
    for (page, widget) in [
        ("en/index.html", true),
        ("en/search/index.html", true),
        ("en/refunds/index.html", false),
        ("zh/category/orders/index.html", false),
        ("404.html", false),
    ] {
        let html = read(&out.join(page));
        assert_eq!(html.contains("data-solodesk"), widget, "{page}");
    }
}
