//! The generated help center in headless Chromium, against the example knowledge base: the
//! language switcher leads to the translation, "Was this helpful? → No" reveals a mailto ticket
//! with the article's context, and the search page lists results for English and Chinese queries
//! (as you type, from `?q=`, or a "contact us" when nothing matches) with the same WebAssembly
//! engine the widget uses.

use fantoccini::key::Key;
use fantoccini::Locator;
use solodesk_tests::browser::Browser;
use solodesk_tests::server::StaticServer;
use solodesk_tests::{kbgen_build, repo_root, TempDir};

/// `site.support_email` and `site.title` in `site/kbgen.toml`.
const OWNER_EMAIL: &str = "hello@inkwellandthread.example";
const SITE_TITLE: &str = "Inkwell & Thread Help Center";
/// `site.base_url`: canonical links in tickets point there, not at the preview server.
const BASE_URL: &str = "https://help.example.com/";

fn serve_site() -> (TempDir, StaticServer) {
    let out = TempDir::new("help-center");
    kbgen_build(&repo_root().join("site"), out.path());
    let server = StaticServer::start(out.path());
    (out, server)
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .expect("UTF-8")
        .into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn language_switcher_leads_to_the_translation() {
    let (_out, server) = serve_site();
    let browser = Browser::start(1200, 800).await;
    let c = &browser.client;
    c.goto(&server.url("en/returns-policy/")).await.unwrap();
    c.find(Locator::Css(".lang-switch a[hreflang=zh]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait_for(
            "the Chinese translation to load",
            "return location.pathname === '/zh/returns-policy/'",
            vec![],
        )
        .await;
    let title = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(title, "退货政策");
    let lang = browser
        .js("return document.documentElement.lang", vec![])
        .await;
    assert_eq!(lang, "zh");
    // The widget's launcher wears the owner's brand colour (site/kbgen.toml: #8B3A2B).
    let launcher = browser
        .wait_for(
            "the widget's launcher",
            "const h = document.querySelector('solodesk-widget');
             const b = h && h.shadowRoot && h.shadowRoot.querySelector('button.sd-launcher');
             return b && getComputedStyle(b).backgroundColor;",
            vec![],
        )
        .await;
    assert_eq!(launcher, "rgb(139, 58, 43)");
    browser.screenshot("help-center-zh-article").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn helpful_no_reveals_a_ticket_with_the_article_context() {
    let (_out, server) = serve_site();
    let browser = Browser::start(1200, 800).await;
    let c = &browser.client;
    c.goto(&server.url("en/returns-policy/")).await.unwrap();
    let ticket = c.find(Locator::Css(".helpful-no a.ticket")).await.unwrap();
    assert!(
        !ticket.is_displayed().await.unwrap(),
        "the ticket link waits for No"
    );
    c.find(Locator::Css(".helpful-no summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        ticket.is_displayed().await.unwrap(),
        "No reveals the ticket link"
    );

    let href = ticket
        .attr("href")
        .await
        .unwrap()
        .expect("the ticket is a link");
    let url = url::Url::parse(&href).expect("a valid URL");
    assert_eq!(url.scheme(), "mailto");
    assert_eq!(url.path(), OWNER_EMAIL);
    let fields: Vec<(String, String)> = url
        .query()
        .unwrap_or_default()
        .split('&')
        .map(|kv| kv.split_once('=').expect("key=value"))
        .map(|(k, v)| (k.to_owned(), decode(v)))
        .collect();
    let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["subject", "body"]);
    assert_eq!(
        fields[0].1,
        format!("[{SITE_TITLE}] Feedback on: Return policy")
    );
    let context =
        format!("Return policy\n{BASE_URL}en/returns-policy/\nid: returns-policy · lang: en\n");
    assert!(
        fields[1].1.ends_with(&context),
        "body ends with the article's context: {:?}",
        fields[1].1
    );
    browser.screenshot("help-center-helpful-no").await;
    browser.close().await;
}

/// Blink's setting for a dark system theme (`prefers-color-scheme: dark`).
const DARK: &str = "--blink-settings=preferredColorScheme=0";

/// Titles of the results listed on the search page once there are some.
const RESULT_TITLES: &str =
    "const t = [...document.querySelectorAll('#search-results .search-result-title a')]
         .map(a => a.textContent);
     return t.length ? t : null;";

/// Waits until the search page is in `state` (`data-state`) and returns what its live region says.
async fn status_in_state(browser: &Browser, state: &str) -> serde_json::Value {
    browser
        .wait_for(
            &format!("the {state} state"),
            "return document.getElementById('search-app').dataset.state === arguments[0]",
            vec![serde_json::json!(state)],
        )
        .await;
    browser
        .js(
            "return document.getElementById('search-status').textContent",
            vec![],
        )
        .await
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|t| t.as_str().expect("a string").to_owned())
        .collect()
}

/// Opens the search page with `?q=query` and checks that the box is prefilled and that the page
/// itself (not the widget) lists `expected` first; returns the browser for more checks.
async fn search_page_lists(
    page: &str,
    query: &str,
    expected: &str,
    width: u32,
    height: u32,
) -> (TempDir, StaticServer, Browser) {
    let (out, server) = serve_site();
    let browser = Browser::start_with(width, height, &[DARK]).await;
    let c = &browser.client;
    let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    c.goto(&server.url(&format!("{page}?q={encoded}")))
        .await
        .unwrap();
    let value = c
        .find(Locator::Id("search-q"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        value.as_deref(),
        Some(query),
        "the query fills the search box"
    );
    let titles = strings(
        &browser
            .wait_for(&format!("results for {query:?}"), RESULT_TITLES, vec![])
            .await,
    );
    assert_eq!(
        titles.first().map(String::as_str),
        Some(expected),
        "{query:?}: {titles:?}"
    );
    // The first result links to the article's best section, under the page's base.
    let href = browser
        .js(
            "return document.querySelector('.search-result-title a').getAttribute('href')",
            vec![],
        )
        .await;
    let href = href.as_str().unwrap();
    let lang = page.split('/').next().unwrap();
    assert!(href.starts_with(&format!("/{lang}/")), "{href}");
    let status = browser
        .js(
            "return document.getElementById('search-status').textContent",
            vec![],
        )
        .await;
    assert!(
        status.as_str().unwrap().contains(&titles.len().to_string()),
        "the live region counts the results: {status}"
    );
    // With results listed, the categories (the page without JavaScript) step aside.
    let fallback = c
        .find(Locator::Css(".search-fallback"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap();
    assert!(!fallback, "categories are hidden while results show");
    (out, server, browser)
}

/// The highlighted words of the listed snippets, lowercased, once there are some: snippets come
/// from the articles' passages, fetched after the titles are listed.
async fn marks(browser: &Browser) -> Vec<String> {
    strings(
        &browser
            .wait_for(
                "highlighted words in the snippets",
                "const m = [...document.querySelectorAll('.search-result-snippet mark')]
                     .map(m => m.textContent.toLowerCase());
                 return m.length ? m : null;",
                vec![],
            )
            .await,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn search_page_answers_an_english_query() {
    let (_out, _server, browser) = search_page_lists(
        "en/search/",
        "how long does a refund take",
        "When will I get my refund?",
        1200,
        800,
    )
    .await;
    let marks = marks(&browser).await;
    assert!(
        marks.iter().any(|m| m.starts_with("refund")),
        "matched words are marked: {marks:?}"
    );
    // Once its passages have arrived, the first result names and links its best section.
    let located = browser
        .wait_for(
            "the first result's section",
            "const li = document.querySelector('.search-result');
             const s = li.querySelector('.search-result-section');
             return s && [s.textContent, li.querySelector('a').getAttribute('href')];",
            vec![],
        )
        .await;
    assert_eq!(
        located,
        serde_json::json!([
            "How long until you see it",
            "/en/refund-timing/#how-long-until-you-see-it"
        ])
    );
    browser.screenshot("search-page-en-desktop-dark").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_page_answers_a_chinese_query() {
    let (_out, _server, browser) =
        search_page_lists("zh/search/", "修改密码", "重置密码", 390, 844).await;
    let marks = marks(&browser).await;
    assert!(
        marks.iter().any(|m| m.contains('密')),
        "Chinese matches are marked on whole characters: {marks:?}"
    );
    browser.screenshot("search-page-zh-phone-dark").await;
    browser.close().await;
}

/// Typing lists results as you go, keeps `?q=` in the address, and the arrow keys lead into them.
#[tokio::test(flavor = "multi_thread")]
async fn search_page_updates_as_you_type() {
    let (_out, server) = serve_site();
    let browser = Browser::start(1200, 800).await;
    let c = &browser.client;
    c.goto(&server.url("en/search/")).await.unwrap();
    let input = c.find(Locator::Id("search-q")).await.unwrap();
    input.click().await.unwrap();
    input.send_keys("gift wr").await.unwrap();
    let titles = strings(
        &browser
            .wait_for(
                "results for a half-typed query",
                "const t = [...document.querySelectorAll('.search-result-title a')].map(a => a.textContent);
                 return t.includes('Gift wrapping and gift messages') ? t : null;",
                vec![],
            )
            .await,
    );
    assert_eq!(titles[0], "Gift wrapping and gift messages", "{titles:?}");
    let q = browser
        .wait_for(
            "?q= to follow the box",
            "return new URLSearchParams(location.search).get('q') === 'gift wr' || null",
            vec![],
        )
        .await;
    assert_eq!(q, serde_json::json!(true));
    browser.press(Key::Down).await;
    let focused = browser
        .js("return document.activeElement.textContent", vec![])
        .await;
    assert_eq!(
        focused,
        serde_json::json!(titles[0]),
        "ArrowDown reaches the first result"
    );
    browser.press(Key::Enter).await;
    browser
        .wait_for(
            "the article to open",
            "return location.pathname === '/en/gift-wrap-and-messages/'",
            vec![],
        )
        .await;
    browser.close().await;
}

/// A query nothing matches says so and offers the owner's ticket: the widget's panel when the
/// widget is on the page, which takes the query as the visitor's question.
#[tokio::test(flavor = "multi_thread")]
async fn search_page_without_results_offers_contact() {
    let (_out, server) = serve_site();
    let browser = Browser::start(1200, 800).await;
    let c = &browser.client;
    c.goto(&server.url("en/search/?q=xqzvbw+flurble"))
        .await
        .unwrap();
    let status = status_in_state(&browser, "none").await;
    assert_eq!(
        status,
        serde_json::json!("No articles match “xqzvbw flurble”.")
    );
    let contact = c
        .find(Locator::Css(".search-none a.search-contact"))
        .await
        .unwrap();
    assert!(contact.is_displayed().await.unwrap());
    let href = contact.attr("href").await.unwrap().unwrap();
    let url = url::Url::parse(&href).expect("a valid URL");
    assert_eq!((url.scheme(), url.path()), ("mailto", OWNER_EMAIL));
    let subject = url
        .query_pairs()
        .find(|(k, _)| k == "subject")
        .map(|(_, v)| v.into_owned());
    assert_eq!(
        subject.as_deref(),
        Some(&*format!("[{SITE_TITLE}] xqzvbw flurble"))
    );
    assert!(
        c.find(Locator::Css(".search-fallback"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap(),
        "the categories stay to browse"
    );
    browser.screenshot("search-page-no-results").await;
    contact.click().await.unwrap();
    let message = browser
        .wait_for(
            "the widget's contact form with the question",
            "const s = document.querySelector('solodesk-widget').shadowRoot;
             const t = s.querySelector('.sd-form textarea');
             return !s.querySelector('[role=dialog]').hidden && t && t.value;",
            vec![],
        )
        .await;
    assert_eq!(message, "xqzvbw flurble");
    browser.screenshot("search-page-no-results-widget").await;
    browser.close().await;
}

/// Without JavaScript the search page still leads somewhere: it lists the categories and says
/// why there are no results.
#[tokio::test(flavor = "multi_thread")]
async fn search_page_without_javascript_lists_categories() {
    let (_out, server) = serve_site();
    let browser = Browser::start_with(1200, 800, &["--blink-settings=scriptEnabled=false"]).await;
    let c = &browser.client;
    c.goto(&server.url("en/search/?q=refund")).await.unwrap();
    let note = c.find(Locator::Css(".no-js-note")).await.unwrap();
    assert!(
        note.is_displayed().await.unwrap(),
        "the page says search needs JavaScript"
    );
    let cards = c
        .find_all(Locator::Css(".search-fallback .card a"))
        .await
        .unwrap();
    assert!(cards.len() >= 5, "{} category links", cards.len());
    for card in &cards {
        assert!(card.is_displayed().await.unwrap());
    }
    let results = c.find_all(Locator::Css(".search-result")).await.unwrap();
    assert!(results.is_empty(), "no script ran");
    browser.screenshot("search-page-no-javascript").await;
    browser.close().await;
}

/// The page's own language comes first even when a translation scores higher, and results in
/// another language carry their `lang` and a visible marker.
#[tokio::test(flavor = "multi_thread")]
async fn search_page_lists_its_own_language_first() {
    let (_out, server) = serve_site();
    let browser = Browser::start(1200, 800).await;
    browser
        .client
        .goto(&server.url("zh/search/?q=stripe"))
        .await
        .unwrap();
    browser
        .wait_for("results for \"stripe\"", RESULT_TITLES, vec![])
        .await;
    let langs = strings(
        &browser
            .js(
                "return [...document.querySelectorAll('.search-result')].map(li =>
                     li.lang ? li.lang + ':' + li.querySelector('.search-result-lang').textContent : 'page');",
                vec![],
            )
            .await,
    );
    let first_other = langs
        .iter()
        .position(|l| l != "page")
        .expect("English articles mention Stripe too");
    assert!(first_other > 0, "{langs:?}");
    assert!(
        langs[first_other..].iter().all(|l| l == "en:EN"),
        "Chinese results first, then English ones marked as such: {langs:?}"
    );
    browser.close().await;
}

/// When the engine cannot load (here: no `index.bin`), the page says so and keeps the categories.
#[tokio::test(flavor = "multi_thread")]
async fn search_page_without_an_index_says_so_and_lists_categories() {
    let out = TempDir::new("help-center-no-index");
    kbgen_build(&repo_root().join("site"), out.path());
    std::fs::remove_file(out.path().join("index.bin")).unwrap();
    let server = StaticServer::start(out.path());
    let browser = Browser::start(1200, 800).await;
    let c = &browser.client;
    c.goto(&server.url("en/search/?q=refund")).await.unwrap();
    let status = status_in_state(&browser, "failed").await;
    assert_eq!(
        status,
        serde_json::json!("Search could not load. Browse by category instead:")
    );
    let cards = c
        .find_all(Locator::Css(".search-fallback .card a"))
        .await
        .unwrap();
    assert!(!cards.is_empty() && cards[0].is_displayed().await.unwrap());
    browser.close().await;
}

/// An Arabic knowledge base searched in the browser: Snowball normalizes Arabic letters (`إ` →
/// `ا`), so the widget's engine needs the Arabic stemmer itself to find a word that is right
/// there in the article (`kbgen/tests/fixtures/rtl`).
#[tokio::test(flavor = "multi_thread")]
async fn search_page_finds_arabic_words() {
    let out = TempDir::new("help-center-ar");
    kbgen_build(&repo_root().join("kbgen/tests/fixtures/rtl"), out.path());
    let server = StaticServer::start(out.path());
    let browser = Browser::start(1200, 800).await;
    for query in ["إرجاع", "الإرجاع", "المبلغ"] {
        let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
        browser
            .client
            .goto(&server.url(&format!("ar/search/?q={encoded}")))
            .await
            .unwrap();
        let titles = strings(
            &browser
                .wait_for(&format!("results for {query:?}"), RESULT_TITLES, vec![])
                .await,
        );
        assert_eq!(titles, ["سياسة الإرجاع"], "{query:?}");
    }
    browser.close().await;
}
