//! Real-browser tests: the example knowledge base in `site/` is built with `kbgen`, served from
//! 127.0.0.1 and driven in headless Chromium.

use fantoccini::Locator;
use solodesk_tests::browser::Browser;
use solodesk_tests::server::StaticServer;
use solodesk_tests::{kbgen_build, repo_root, TempDir};

/// Builds `site/` once per test and serves it.
fn serve_site() -> (TempDir, StaticServer) {
    let out = TempDir::new("site");
    kbgen_build(&repo_root().join("site"), out.path());
    let server = StaticServer::start(out.path());
    (out, server)
}

#[tokio::test(flavor = "multi_thread")]
async fn clicking_the_launcher_opens_the_panel() {
    let (_out, server) = serve_site();
    let browser = Browser::start(1200, 800).await;
    browser.client.goto(&server.url("/en/")).await.unwrap();

    let host = browser
        .client
        .wait()
        .for_element(Locator::Css("solodesk-widget"))
        .await
        .unwrap();
    let shadow = host.shadow_root().await.unwrap();
    let launcher = shadow
        .find(Locator::Css("button.sd-launcher"))
        .await
        .unwrap();
    let dialog = shadow.find(Locator::Css("[role=dialog]")).await.unwrap();
    assert!(
        !dialog.is_displayed().await.unwrap(),
        "the panel is closed before the visitor opens it"
    );
    assert_eq!(
        browser.client.execute("return document.querySelector('solodesk-widget').shadowRoot.querySelector('.sd-root').childElementCount", vec![]).await.unwrap(),
        serde_json::json!(0),
        "nothing of the widget but the launcher exists before it is opened"
    );

    launcher.click().await.unwrap();
    // The Yew app is mounted once the wasm is fetched: its question box appears in the dialog,
    // which fades in (WebDriver counts a transparent element as not displayed).
    browser
        .wait_for(
            "the widget's question box in the open dialog",
            "const s = document.querySelector('solodesk-widget').shadowRoot;
             const d = s.querySelector('[role=dialog]');
             return !d.hidden && d.querySelector('.sd-root .sd-input') !== null
                 && getComputedStyle(d).opacity === '1';",
            vec![],
        )
        .await;
    assert!(dialog.is_displayed().await.unwrap());
    assert_eq!(
        launcher.attr("aria-expanded").await.unwrap().as_deref(),
        Some("true")
    );
    // Regression: the English page also suggested the Chinese translation of each article.
    let titles = browser
        .wait_for(
            "articles suggested for the page",
            "const t = [...document.querySelector('solodesk-widget').shadowRoot
                 .querySelectorAll('.sd-item-title')].map(e => e.textContent);
             return t.length ? t : null;",
            vec![],
        )
        .await;
    let titles: Vec<&str> = titles
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(
        titles
            .iter()
            .all(|t| !t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
        "an English page suggests English articles only: {titles:?}"
    );
    browser.screenshot("foundation-panel-open").await;
    browser.close().await;
}
