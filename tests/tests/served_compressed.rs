//! Issue 19: `kbgen serve` sends the precompressed siblings of the widget's files, as a good host
//! does. Chromium reads them (brotli: it offers it to 127.0.0.1, a secure context), and the widget
//! on the preview's demo page opens and answers as it does uncompressed.

use fantoccini::key::Key;
use fantoccini::Locator;
use solodesk_tests::browser::Browser;
use solodesk_tests::{kbgen_bin, repo_root};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const PRELUDE: &str =
    "const H = document.querySelector('solodesk-widget'); const S = H && H.shadowRoot;";

/// Stops `kbgen serve` when the test ends, also on failure.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `kbgen serve` on the example site, and its URL.
fn serve_example() -> (Served, String) {
    let mut served = Served(
        Command::new(kbgen_bin())
            .arg("serve")
            .arg(repo_root().join("site"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kbgen serve starts"),
    );
    let mut line = String::new();
    BufReader::new(served.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("URL printed: {line}"))
        .to_string();
    (served, url)
}

/// A browser on the example's demo page under `url`, its launcher clicked.
async fn open_demo_widget(url: &str) -> Browser {
    let browser = Browser::start(1200, 800).await;
    browser.client.goto(&format!("{url}_demo/")).await.unwrap();
    browser
        .wait_for(
            "the launcher",
            &format!("{PRELUDE}\nreturn S && S.querySelector('button.sd-launcher') !== null"),
            vec![],
        )
        .await;
    browser
        .js(
            &format!("{PRELUDE}\nS.querySelector('button.sd-launcher').click(); return 0;"),
            vec![],
        )
        .await;
    browser
}

/// Benchmark, not a test: the bytes a visitor downloads to open the widget with its index on the
/// example's English demo page, by part, as `kbgen serve` sends them (brotli, which Chromium
/// offers to 127.0.0.1, a secure context), from Resource Timing.
///
/// `cargo build -p kbgen && cargo test -p solodesk-tests --test served_compressed -- --ignored --nocapture bench_bytes_on_open`
#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: prints sizes"]
async fn bench_bytes_on_open() {
    let (_served, url) = serve_example();
    let browser = open_demo_widget(&url).await;
    browser
        .wait_for(
            "the index in the panel",
            &format!("{PRELUDE}\nreturn performance.getEntriesByType('resource').some((e) => /index[.\\w]*\\.bin$/.test(e.name)) && !S.querySelector('.sd-loading');"),
            vec![],
        )
        .await;
    let parts = browser
        .js(
            "return performance.getEntriesByType('resource')
               .filter((e) => !e.name.includes('/_kbgen/') && !e.name.endsWith('/favicon.ico'))
               .map((e) => [e.name.split('/').pop(), e.encodedBodySize, e.decodedBodySize]);",
            vec![],
        )
        .await;
    let (mut sent, mut raw) = (0, 0);
    for p in parts.as_array().unwrap() {
        let (e, d) = (p[1].as_u64().unwrap(), p[2].as_u64().unwrap());
        println!("{:<32} {e:>8} B sent {d:>8} B raw", p[0].as_str().unwrap());
        (sent, raw) = (sent + e, raw + d);
    }
    println!(
        "{:<32} {sent:>8} B sent {raw:>8} B raw",
        "widget on open, in all"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_widget_answers_when_kbgen_serve_sends_it_compressed() {
    let (_served, url) = serve_example();
    let browser = open_demo_widget(&url).await;
    let wait = |what: &'static str, body: &'static str| {
        let browser = &browser;
        async move {
            browser
                .wait_for(what, &format!("{PRELUDE}\n{body}"), vec![])
                .await
        }
    };
    wait(
        "the open panel",
        "const i = S.querySelector('.sd-root .sd-ask .sd-input'); return i !== null && S.activeElement === i;",
    )
    .await;
    let shadow = browser
        .client
        .find(Locator::Css("solodesk-widget"))
        .await
        .unwrap()
        .shadow_root()
        .await
        .unwrap();
    // A phrasing of the `return-policy` rule in site/rules.toml: rules come with the index.
    shadow
        .find(Locator::Css(".sd-ask .sd-input"))
        .await
        .unwrap()
        .send_keys(&format!(
            "what is your return policy{}",
            char::from(Key::Enter)
        ))
        .await
        .unwrap();
    let answer = wait(
        "the rule's answer",
        "const a = S.querySelector('.sd-reply.sd-rule .sd-answer'); return a && a.textContent;",
    )
    .await;
    assert!(
        answer
            .as_str()
            .unwrap_or("")
            .contains("30 days of delivery"),
        "{answer}"
    );

    // The widget's WebAssembly and the index came compressed: fewer bytes on the wire than in
    // the files (Resource Timing gives both for same-origin fetches).
    let sizes = browser
        .js(
            "return performance.getEntriesByType('resource')
               .filter((e) => /\\.wasm$|\\/index(\\.\\w+)?\\.bin$/.test(e.name))
               .map((e) => [e.name, e.encodedBodySize, e.decodedBodySize]);",
            vec![],
        )
        .await;
    let sizes = sizes.as_array().cloned().unwrap_or_default();
    assert_eq!(sizes.len(), 2, "the wasm and the index: {sizes:?}");
    for entry in &sizes {
        let (encoded, decoded) = (entry[1].as_u64().unwrap(), entry[2].as_u64().unwrap());
        assert!(
            encoded > 0 && encoded * 10 < decoded * 9,
            "sent compressed: {entry}"
        );
    }
    browser.close().await;
}
