//! The generated help center in headless Chromium, against the example knowledge base: the
//! language switcher leads to the translation, "Was this helpful? → No" reveals a mailto ticket
//! with the article's context, and the search page lists results for English and Chinese queries
//! (as you type, from `?q=`, or a "contact us" when nothing matches) with the same WebAssembly
//! engine the widget uses. Issue 16's help-center items: every visible text meets WCAG AA in
//! light and dark mode with a light and a dark brand colour, the search button keeps "搜索" on
//! one line, "Was this helpful?" answers in place without moving its buttons, the not-found page
//! lists the categories, reading pages carry no floating launcher, and the widget's "Popular
//! articles" start with the one the owner featured.

use fantoccini::key::Key;
use fantoccini::Locator;
use solodesk_tests::browser::Browser;
use solodesk_tests::server::StaticServer;
use solodesk_tests::{copy_dir, kbgen_build, repo_root, TempDir};

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
    browser.screenshot("help-center-zh-article").await;
    // The widget's launcher (on the home page, not over articles) wears the owner's brand
    // colour (site/kbgen.toml: #8B3A2B).
    c.goto(&server.url("zh/")).await.unwrap();
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
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn helpful_no_reveals_a_ticket_with_the_article_context() {
    let (_out, server) = serve_site();
    let browser = Browser::start(1200, 800).await;
    let c = &browser.client;
    c.goto(&server.url("en/returns-policy/")).await.unwrap();
    let ticket = c.find(Locator::Css(".helpful a.ticket")).await.unwrap();
    assert!(
        !ticket.is_displayed().await.unwrap(),
        "the ticket link waits for No"
    );
    c.find(Locator::Css("label[for=helpful-no]"))
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
    // The address as written, `@` and all, as in the widget's ticket.
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
    // Line breaks are CRLF, as RFC 6068 asks and the widget's ticket sends them.
    let context = format!(
        "Return policy\r\n{BASE_URL}en/returns-policy/\r\nid: returns-policy · lang: en\r\n"
    );
    assert!(
        !fields[1].1.replace("\r\n", "").contains('\n'),
        "no bare LF: {:?}",
        fields[1].1
    );
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

/// Issue 19: a first search fetched the passages of all twenty results (half its bytes on a
/// real help center). Now only the results in view get their sections and snippets at once; one
/// further down gets them when the visitor scrolls to it, and the list holds their room meanwhile.
#[tokio::test(flavor = "multi_thread")]
async fn search_page_fetches_passages_for_the_results_in_view() {
    let (_out, server) = serve_site();
    let browser = Browser::start(1200, 800).await;
    browser
        .client
        .goto(&server.url("en/search/?q=order"))
        .await
        .unwrap();
    const FETCHED: &str = "return performance.getEntriesByType('resource')
         .filter(e => e.name.includes('/widget/articles/')).length;";
    let results = browser
        .wait_for(
            "the first result's snippet",
            "const li = document.querySelectorAll('.search-result');
             return li.length && li[0].querySelector('.search-result-snippet') ? li.length : null;",
            vec![],
        )
        .await
        .as_u64()
        .unwrap();
    assert!(results >= 12, "a broad query lists many results: {results}");
    let fetched = browser.js(FETCHED, vec![]).await.as_u64().unwrap();
    assert!(
        (1..results / 2).contains(&fetched),
        "{fetched} passage files for {results} results"
    );
    // The last result's room is held, and it gets its snippet once scrolled into view.
    let last_height = browser
        .js(
            "const li = [...document.querySelectorAll('.search-result')].pop();
             li.scrollIntoView(); return li.getBoundingClientRect().height;",
            vec![],
        )
        .await;
    assert!(last_height.as_f64().unwrap() > 100.0, "{last_height}");
    browser
        .wait_for(
            "the last result's snippet after scrolling",
            "const li = [...document.querySelectorAll('.search-result')].pop();
             return li.querySelector('.search-result-snippet, .search-result-section') !== null;",
            vec![],
        )
        .await;
    let after = browser.js(FETCHED, vec![]).await.as_u64().unwrap();
    assert!(after > fetched, "{after} > {fetched}");
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

/// Issue 17: the search page built its mailto with its own rules. It now writes the widget's
/// bytes (`!'()*` percent-encoded too), and a lone surrogate — pasted broken text — no longer makes
/// `encodeURIComponent` throw into the page: the ticket carries U+FFFD there.
#[tokio::test(flavor = "multi_thread")]
async fn the_search_pages_ticket_is_encoded_as_the_widgets() {
    let (_out, server) = serve_site();
    let browser = Browser::start(1200, 800).await;
    let c = &browser.client;
    c.goto(&server.url("en/search/")).await.unwrap();
    browser
        .js(
            "window.__errors = []; addEventListener('error', (e) => __errors.push(e.message));
             const i = document.getElementById('search-q');
             i.value = arguments[0] + '\\uD83D'; i.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::json!("xqzvbw (flurble's%*!) ")],
        )
        .await;
    // (Not `status_in_state`: the status quotes the query, whose lone surrogate WebDriver cannot
    // hand back.)
    browser
        .wait_for(
            "no results",
            "return document.getElementById('search-app').dataset.state === 'none'",
            vec![],
        )
        .await;
    let href = browser
        .js(
            "return document.querySelector('.search-none a.search-contact').href;",
            vec![],
        )
        .await;
    let href = href.as_str().unwrap();
    assert!(
        href.contains("xqzvbw%20%28flurble%27s%25%2A%21%29%20%EF%BF%BD"),
        "{href}"
    );
    let url = url::Url::parse(href).unwrap();
    let subject = url
        .query_pairs()
        .find(|(k, _)| k == "subject")
        .map(|(_, v)| v.into_owned());
    assert_eq!(
        subject.as_deref(),
        Some(&*format!("[{SITE_TITLE}] xqzvbw (flurble's%*!) \u{fffd}"))
    );
    let errors = browser.js("return window.__errors;", vec![]).await;
    assert_eq!(errors, serde_json::json!([]));
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

/// A search page of a site in two languages loads its own language's index; when that finds
/// enough results it never fetches `index.bin`, every language's, which is larger.
#[tokio::test(flavor = "multi_thread")]
async fn search_page_loads_only_its_own_language_index_when_it_finds_enough() {
    let (_out, server) = serve_site();
    let browser = Browser::start(1200, 800).await;
    // The indexes, not their shards (`index-<sum>-<k>.bin`).
    let fetched = "return performance.getEntriesByType('resource')
         .map(e => new URL(e.name).pathname.split('/').pop())
         .filter(n => n.startsWith('index.') && n.endsWith('.bin')).sort();";
    for (query, want) in [
        ("账户", vec!["index.zh.bin"]),
        ("stripe", vec!["index.bin", "index.zh.bin"]),
    ] {
        browser
            .client
            .goto(&server.url(&format!("zh/search/?q={query}")))
            .await
            .unwrap();
        browser
            .wait_for(&format!("results for {query}"), RESULT_TITLES, vec![])
            .await;
        assert_eq!(strings(&browser.js(fetched, vec![]).await), want, "{query}");
    }
    browser.close().await;
}

/// When the engine cannot load (here: no `index.bin`), the page says so and keeps the categories.
#[tokio::test(flavor = "multi_thread")]
async fn search_page_without_an_index_says_so_and_lists_categories() {
    let out = TempDir::new("help-center-no-index");
    kbgen_build(&repo_root().join("site"), out.path());
    // Nor any language's own (`index.<lang>.bin`).
    for f in std::fs::read_dir(out.path()).unwrap().flatten() {
        let name = f.file_name().to_string_lossy().into_owned();
        if name.starts_with("index.") && name.ends_with(".bin") {
            std::fs::remove_file(f.path()).unwrap();
        }
    }
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

/// The example site rebuilt with another brand colour.
fn serve_site_in(brand: &str) -> (TempDir, StaticServer) {
    let dir = TempDir::new("help-center-brand");
    let kb = dir.path().join("kb");
    copy_dir(&repo_root().join("site"), &kb);
    let toml = std::fs::read_to_string(kb.join("kbgen.toml")).unwrap();
    let at = toml
        .find("brand_color = ")
        .expect("site/kbgen.toml sets brand_color");
    let end = at + toml[at..].find('\n').unwrap();
    let toml = format!("{}brand_color = \"{brand}\"{}", &toml[..at], &toml[end..]);
    std::fs::write(kb.join("kbgen.toml"), toml).unwrap();
    let out = dir.path().join("out");
    kbgen_build(&kb, &out);
    let server = StaticServer::start(&out);
    (dir, server)
}

/// Blink's setting for a light system theme.
const LIGHT: &str = "--blink-settings=preferredColorScheme=1";

/// Every visible text of the page whose colour, against the background actually behind it
/// (backgrounds of its ancestors composited, alpha included), falls below WCAG AA: 4.5:1, or
/// 3:1 for large text (24 px, or 18.66 px bold). Returns one line per failure.
const CONTRAST_FAILURES: &str = r#"
const parse = (c) => {
  const m = /^rgba?\(([^)]*)\)$/.exec(c);
  if (!m) return null;
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
};
const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
const lum = (c) => {
  const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
};
const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)]; return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
const canvas = matchMedia("(prefers-color-scheme: dark)").matches ? [18, 18, 18, 1] : [255, 255, 255, 1];
const background = (el) => {
  const layers = [];
  for (let e = el; e; e = e.parentElement) layers.push(getComputedStyle(e).backgroundColor);
  let bg = canvas;
  for (const l of layers.reverse()) {
    const c = parse(l);
    if (!c) return null;
    bg = over(c, bg);
  }
  return bg;
};
const seen = new Set();
const failures = [];
let checked = 0;
const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let t = walk.nextNode(); t; t = walk.nextNode()) {
  const el = t.parentElement;
  if (!t.textContent.trim() || !el || seen.has(el) || el.closest("script, style, noscript")) continue;
  seen.add(el);
  if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
  const range = document.createRange();
  range.selectNodeContents(t);
  const r = range.getBoundingClientRect();
  // Visually hidden labels (1 px) and the skip link parked above the page are not seen.
  if (r.width <= 1 || r.height <= 1 || r.bottom <= 0) continue;
  const s = getComputedStyle(el);
  const fg = parse(s.color);
  const bg = background(el);
  if (!fg || !bg) { failures.push(`unreadable colour: ${s.color} on ${el.tagName}`); continue; }
  const size = parseFloat(s.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
  const need = large ? 3 : 4.5;
  const got = ratio(over(fg, bg), bg);
  checked++;
  if (got < need) {
    failures.push(`${got.toFixed(2)}:1 < ${need} for "${t.textContent.trim().slice(0, 40)}" <${el.tagName.toLowerCase()} class="${el.className}"> ${s.color} on rgb(${bg.slice(0, 3).map(Math.round)})`);
  }
}
return { checked, failures };
"#;

/// Issue 16, item 5: the language switcher's link was 4.26:1 in dark mode on every page (the
/// link colour was made readable on the page's background, not on the header's). Every visible
/// text of the home, an article (with "No" chosen), the search page with results and the
/// not-found page, light and dark, with a light and a dark brand colour.
#[tokio::test(flavor = "multi_thread")]
async fn every_text_meets_wcag_aa_in_light_and_dark() {
    let mut problems = Vec::new();
    for brand in ["#f5d142", "#1d2b64"] {
        let (_dir, server) = serve_site_in(brand);
        for (scheme, flag) in [("light", LIGHT), ("dark", DARK)] {
            let browser = Browser::start_with(1280, 900, &[flag]).await;
            let c = &browser.client;
            for page in [
                "en/",
                "zh/",
                "en/returns-policy/",
                "en/search/?q=refund",
                "404.html",
            ] {
                c.goto(&server.url(page)).await.unwrap();
                let dark = browser
                    .js(
                        "return matchMedia('(prefers-color-scheme: dark)').matches",
                        vec![],
                    )
                    .await;
                assert_eq!(dark, scheme == "dark", "{flag} sets the colour scheme");
                if page.contains("returns-policy") {
                    c.find(Locator::Css("label[for=helpful-no]"))
                        .await
                        .unwrap()
                        .click()
                        .await
                        .unwrap();
                }
                if page.contains("search") {
                    marks(&browser).await;
                }
                let found = browser.js(CONTRAST_FAILURES, vec![]).await;
                assert!(
                    found["checked"].as_u64().unwrap() > 10,
                    "{page}: texts were measured: {found}"
                );
                for f in found["failures"].as_array().unwrap() {
                    problems.push(format!("{brand} {scheme} {page}: {}", f.as_str().unwrap()));
                }
            }
            browser
                .screenshot(&format!("help-center-contrast-{}-{scheme}", &brand[1..]))
                .await;
            browser.close().await;
        }
    }
    assert!(
        problems.is_empty(),
        "below WCAG AA:\n{}",
        problems.join("\n")
    );
}

/// Issue 16, item 17: "搜索" broke into two lines (a 64×71 px button) beside the search box on
/// the home, search and not-found pages; and the Chinese home showed the English description.
#[tokio::test(flavor = "multi_thread")]
async fn search_buttons_keep_their_word_on_one_line() {
    let (_out, server) = serve_site();
    for (width, height) in [(1280, 900), (390, 844)] {
        let browser = Browser::start(width, height).await;
        for page in ["zh/", "zh/search/", "en/", "404.html"] {
            browser.client.goto(&server.url(page)).await.unwrap();
            let lines = browser
                .js(
                    "const b = document.querySelector('.big-search button');
                     const r = document.createRange();
                     r.selectNodeContents(b);
                     const lines = new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
                     const box = b.getBoundingClientRect();
                     const input = b.form.querySelector('input').getBoundingClientRect();
                     return [b.textContent, lines, box.height <= input.height + 1, box.right <= innerWidth];",
                    vec![],
                )
                .await;
            let word = lines[0].as_str().unwrap().to_owned();
            assert_eq!(
                lines,
                serde_json::json!([word, 1, true, true]),
                "{page} at {width} px: [text, its lines, no taller than the box, inside the window]"
            );
        }
        browser.client.goto(&server.url("zh/")).await.unwrap();
        browser
            .screenshot(&format!("help-center-zh-home-{width}"))
            .await;
        let lead = browser
            .js(
                "return document.querySelector('.hero .lead').textContent",
                vec![],
            )
            .await;
        assert!(
            lead.as_str().unwrap().contains("波尔图"),
            "the Chinese home describes the site in Chinese: {lead}"
        );
        browser.close().await;
    }
}

/// Issue 16, item 21: "Yes" showed nothing and "No" made the buttons jump. Each choice now
/// answers below the buttons, which stay exactly where they were.
#[tokio::test(flavor = "multi_thread")]
async fn helpful_answers_in_place_without_moving_the_buttons() {
    let (_out, server) = serve_site();
    for (width, height) in [(1280, 900), (390, 844)] {
        let browser = Browser::start(width, height).await;
        let c = &browser.client;
        c.goto(&server.url("en/returns-policy/")).await.unwrap();
        const BOXES: &str = "return ['yes', 'no'].map(k => {
             const r = document.querySelector('label[for=helpful-' + k + ']').getBoundingClientRect();
             return [r.left, r.top + scrollY, r.width, r.height].map(Math.round);
         });";
        let before = browser.js(BOXES, vec![]).await;
        let thanks = c.find(Locator::Css(".helpful-thanks")).await.unwrap();
        let sorry = c.find(Locator::Css(".helpful-sorry")).await.unwrap();
        assert!(!thanks.is_displayed().await.unwrap() && !sorry.is_displayed().await.unwrap());
        for (choice, shown, hidden) in [("yes", &thanks, &sorry), ("no", &sorry, &thanks)] {
            c.find(Locator::Css(&format!("label[for=helpful-{choice}]")))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            assert!(shown.is_displayed().await.unwrap(), "{choice} answers");
            assert!(
                !hidden.is_displayed().await.unwrap(),
                "{choice}: one answer"
            );
            assert_eq!(
                browser.js(BOXES, vec![]).await,
                before,
                "{choice} at {width} px"
            );
        }
        c.find(Locator::Css("label[for=helpful-yes]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert_eq!(thanks.text().await.unwrap(), "Thanks for your feedback!");
        browser
            .screenshot(&format!("help-center-helpful-yes-{width}"))
            .await;
        browser.close().await;
    }
}

/// Issue 16, item 20: the not-found page said "browse the categories below" over nothing, with
/// two search boxes; and no page had a favicon, so every first visit logged a 404.
#[tokio::test(flavor = "multi_thread")]
async fn not_found_page_offers_one_search_box_and_the_categories() {
    let (_out, server) = serve_site();
    let browser = Browser::start(1280, 900).await;
    let c = &browser.client;
    c.goto(&server.url("404.html")).await.unwrap();
    let mut boxes = 0;
    for input in c
        .find_all(Locator::Css("input[type=search]"))
        .await
        .unwrap()
    {
        boxes += usize::from(input.is_displayed().await.unwrap());
    }
    assert_eq!(boxes, 1, "one search box");
    let mut cards = Vec::new();
    for card in c.find_all(Locator::Css(".card a h3")).await.unwrap() {
        if card.is_displayed().await.unwrap() {
            cards.push(card.text().await.unwrap());
        }
    }
    assert_eq!(cards.len(), 6, "the example's categories: {cards:?}");
    assert_eq!(cards[0], "Orders & shipping");
    browser.screenshot("help-center-404").await;
    let icon = browser
        .js(
            "const l = document.querySelector('link[rel=icon]');
             return fetch(l.href).then(r => [r.status, r.headers.get('content-type')]);",
            vec![],
        )
        .await;
    assert_eq!(icon, serde_json::json!([200, "image/svg+xml"]));
    browser.close().await;
}

/// Issue 16, item 20: the floating Help button covered every article. Articles carry none (their
/// way to the owner is "Was this helpful? → No"); the home and search pages keep the widget.
#[tokio::test(flavor = "multi_thread")]
async fn articles_carry_no_floating_launcher() {
    let (_out, server) = serve_site();
    let browser = Browser::start(390, 844).await;
    let c = &browser.client;
    c.goto(&server.url("en/")).await.unwrap();
    browser
        .wait_for(
            "the home page's launcher",
            "const h = document.querySelector('solodesk-widget');
             return h && h.shadowRoot && h.shadowRoot.querySelector('button.sd-launcher') !== null;",
            vec![],
        )
        .await;
    c.goto(&server.url("en/returns-policy/")).await.unwrap();
    browser
        .wait_for(
            "the article to finish loading",
            "return document.readyState === 'complete'",
            vec![],
        )
        .await;
    let widget = browser
        .js(
            "return [document.querySelector('solodesk-widget') !== null, typeof window.Solodesk];",
            vec![],
        )
        .await;
    assert_eq!(widget, serde_json::json!([false, "undefined"]));
    browser.screenshot("help-center-article-phone").await;
    browser.close().await;
}

/// Issue 16, item 9: the widget's "Popular articles" were the first five titles alphabetically,
/// without the one the owner tagged `featured`. On a coffee roaster's seven articles, the
/// featured one (last in the alphabet) comes first, then the rest by order and title.
#[tokio::test(flavor = "multi_thread")]
async fn widget_popular_articles_start_with_the_featured_one() {
    let dir = TempDir::new("help-center-popular");
    let kb = dir.path().join("kb");
    std::fs::create_dir_all(kb.join("articles/en")).unwrap();
    std::fs::write(
        kb.join("kbgen.toml"),
        "[site]\ntitle = \"Bean Help\"\nbase_url = \"https://beans.example/\"\nsupport_email = \"roast@beans.example\"\nlanguages = [\"en\"]\n",
    )
    .unwrap();
    for (i, title) in [
        "Brewing guide",
        "Caffeine content",
        "Delivery times",
        "Espresso grind",
        "Gift cards",
        "Returns",
        "Wholesale beans",
    ]
    .iter()
    .enumerate()
    {
        let tags = if title.starts_with('W') {
            "tags: [featured]\n"
        } else {
            ""
        };
        std::fs::write(
            kb.join(format!("articles/en/a{i}.md")),
            format!("---\ntitle: {title}\n{tags}---\nAbout {title}.\n"),
        )
        .unwrap();
    }
    let out = dir.path().join("out");
    kbgen_build(&kb, &out);
    let server = StaticServer::start(&out);
    let browser = Browser::start(1280, 900).await;
    browser.client.goto(&server.url("en/")).await.unwrap();
    let home: Vec<String> = strings(
        &browser
            .js(
                "return [...document.querySelectorAll('#feat-h + .article-list a')].map(a => a.textContent)",
                vec![],
            )
            .await,
    );
    browser
        .wait_for(
            "the launcher",
            "const h = document.querySelector('solodesk-widget');
             return h && h.shadowRoot && h.shadowRoot.querySelector('button.sd-launcher');",
            vec![],
        )
        .await;
    browser
        .js(
            "document.querySelector('solodesk-widget').shadowRoot.querySelector('button.sd-launcher').click()",
            vec![],
        )
        .await;
    let widget = strings(
        &browser
            .wait_for(
                "the widget's popular articles",
                "const t = [...document.querySelector('solodesk-widget').shadowRoot
                     .querySelectorAll('.sd-suggested .sd-item-title')].map(e => e.textContent);
                 return t.length ? t : null;",
                vec![],
            )
            .await,
    );
    let expected = [
        "Wholesale beans",
        "Brewing guide",
        "Caffeine content",
        "Delivery times",
        "Espresso grind",
    ];
    assert_eq!(widget, expected);
    assert_eq!(
        home[..5],
        expected,
        "the home page lists the same: {home:?}"
    );
    browser.screenshot("widget-popular-featured-first").await;
    browser.close().await;
}

/// An article with a long command line in a code block, a long word in its title and a long bare
/// URL made the whole page wider than a phone (753 to 1,085 px at 390), scrolling sideways with
/// the header and footer cut at 390. The code block scrolls on its own and the rest wraps.
#[tokio::test(flavor = "multi_thread")]
async fn wide_content_does_not_widen_the_page_on_a_phone() {
    let kb = TempDir::new("help-center-wide");
    copy_dir(&repo_root().join("site"), kb.path());
    std::fs::write(
        kb.path().join("articles/en/wide.md"),
        "---\ntitle: Returns via the API, Supercalifragilisticexpialidociousreturnsendpointname\n---\n\n\
         Call the zephyrine endpoint https://api.example.com/v1/orders/1234567890/returns/with/a/very/long/path/segment/that/never/ends to start a return.\n\n\
         ```\ncurl -X POST https://api.example.com/v1/orders/1234567890/returns -H \"Authorization: Bearer sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\" -d '{\"reason\":\"damaged\"}'\n```\n",
    )
    .unwrap();
    let out = TempDir::new("help-center-wide-out");
    kbgen_build(kb.path(), out.path());
    let server = StaticServer::start(out.path());
    let browser = Browser::start(390, 844).await;
    browser.client.goto(&server.url("en/wide/")).await.unwrap();
    let widths = browser
        .js(
            "const pre = document.querySelector('.prose pre');
             return [innerWidth, document.documentElement.scrollWidth,
                     pre.clientWidth < pre.scrollWidth, pre.getBoundingClientRect().right <= innerWidth];",
            vec![],
        )
        .await;
    assert_eq!(widths[0], serde_json::json!(390), "{widths}");
    assert_eq!(widths[1], widths[0], "the page scrolls sideways: {widths}");
    assert_eq!(
        widths[2],
        serde_json::json!(true),
        "the code block scrolls: {widths}"
    );
    assert_eq!(
        widths[3],
        serde_json::json!(true),
        "the code block fits: {widths}"
    );
    browser.screenshot("help-center-wide-phone").await;
    // Where the title is listed: its category's page and the search page's results (and its
    // "nothing matches" for a long query).
    let word = "Supercalifragilisticexpialidociousreturnsendpointname";
    for (page, ready) in [
        ("en/category/general/".to_string(), "true"),
        (
            "en/search/?q=zephyrine".to_string(),
            "document.querySelector('#search-results .search-result-title a')",
        ),
        (
            format!("en/search/?q={word}zzzz{word}"),
            "document.querySelector('.search-app[data-state=none]')",
        ),
    ] {
        browser.client.goto(&server.url(&page)).await.unwrap();
        browser
            .wait_for(&page, &format!("return !!({ready});"), vec![])
            .await;
        let widths = browser
            .js(
                "const d = document.documentElement; return [d.clientWidth, d.scrollWidth];",
                vec![],
            )
            .await;
        assert_eq!(widths[0], widths[1], "{page} scrolls sideways: {widths}");
    }
    browser.close().await;
}

/// On a phone the sidebar comes after the article, and "On this page" with it, below the
/// previous/next links where it no longer helps. There it is at the top of the article, folded,
/// and its links lead to the sections; on a desktop the sidebar keeps it and the top has none.
#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_article_s_contents_are_at_its_top() {
    let out = TempDir::new("help-center-toc-out");
    kbgen_build(&repo_root().join("site"), out.path());
    let server = StaticServer::start(out.path());
    let shown = "const shown = (e) => !!e && e.getClientRects().length > 0;
                 const top = document.querySelector('.toc-top'), side = document.querySelector('.sidebar .toc');
                 return [shown(top), shown(side), top ? top.getBoundingClientRect().top : -1, innerHeight];";
    for (width, height) in [(390, 844), (1280, 800)] {
        let browser = Browser::start(width, height).await;
        browser
            .client
            .goto(&server.url("en/returns-policy/"))
            .await
            .unwrap();
        let v = browser.js(shown, vec![]).await;
        let phone = width == 390;
        assert_eq!(v[0], serde_json::json!(phone), "{width} px: {v}");
        assert_eq!(v[1], serde_json::json!(!phone), "{width} px: {v}");
        if phone {
            let (at, window) = (v[2].as_f64().unwrap(), v[3].as_f64().unwrap());
            assert!(at > 0.0 && at < window, "on the first screen: {v}");
            // Unfolded, a link goes to its section.
            browser
                .js(
                    "document.querySelector('.toc-top summary').click(); return 0;",
                    vec![],
                )
                .await;
            let went = browser
                .js(
                    "const a = document.querySelectorAll('.toc-top a')[1];
                     a.click();
                     const t = document.getElementById(decodeURIComponent(a.hash.slice(1)));
                     const r = t.getBoundingClientRect();
                     return [location.hash === a.hash, r.top >= -1 && r.top < innerHeight];",
                    vec![],
                )
                .await;
            assert_eq!(went, serde_json::json!([true, true]), "{went}");
            browser.screenshot("help-center-toc-phone").await;
        }
        browser.close().await;
    }
}
