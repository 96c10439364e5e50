//! Real-browser tests: the example knowledge base in `site/` is built with `kbgen`, served from
//! 127.0.0.1 and driven in headless Chromium.

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
    browser.client.goto(&server.url("/")).await.unwrap();

    let host = browser
        .client
        .wait()
        .for_element(fantoccini::Locator::Id("solodesk"))
        .await
        .unwrap();
    let shadow = host.shadow_root().await.unwrap();
    let launcher = shadow
        .find(fantoccini::Locator::Css("button.sd-launcher"))
        .await
        .unwrap();
    assert!(
        shadow
            .find(fantoccini::Locator::Css("[role=dialog]"))
            .await
            .is_err(),
        "the panel must not exist before the visitor opens the widget"
    );
    launcher.click().await.unwrap();

    let label = browser
        .wait_for(
            "the widget's dialog to appear in the shadow root",
            "const d = document.getElementById('solodesk').shadowRoot.querySelector('[role=dialog]');
             return d && d.getAttribute('aria-label');",
            vec![],
        )
        .await;
    assert!(
        label.as_str().is_some_and(|l| !l.is_empty()),
        "the dialog has a label: {label}"
    );
    browser.screenshot("foundation-panel-open").await;
    browser.close().await;
}
