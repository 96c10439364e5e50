//! The generated help center in headless Chromium, against the example knowledge base: the
//! language switcher leads to the translation, "Was this helpful? → No" reveals a mailto ticket
//! with the article's context, and the search page answers English and Chinese queries with the
//! same WebAssembly engine the widget uses.

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

/// Opens the search page for `query` and waits for the widget to show the article `expected`.
async fn search_page_finds(page: &str, query: &str, expected: &str) {
    let (_out, server) = serve_site();
    let browser = Browser::start(1200, 800).await;
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
    browser
        .wait_for(
            &format!("the widget to show {expected:?} for {query:?}"),
            "const h = document.querySelector('solodesk-widget');
             const titles = h && h.shadowRoot
                 ? [...h.shadowRoot.querySelectorAll('.sd-item-title')].map(e => e.textContent)
                 : [];
             return titles.some(t => t.includes(arguments[0]));",
            vec![expected.into()],
        )
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_page_answers_an_english_query() {
    search_page_finds(
        "en/search/",
        "how long does a refund take",
        "When will I get my refund?",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_page_answers_a_chinese_query() {
    search_page_finds("zh/search/", "修改密码", "重置密码").await;
}
