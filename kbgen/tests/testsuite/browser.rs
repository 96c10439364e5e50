//! The help center in a real browser (headless Chromium through chromedriver): the language
//! switcher leads to the translation, and "Was this helpful? → No" reveals a mailto link with the
//! article's context. Skipped when chromedriver or Chromium is not installed.

use super::*;
use fantoccini::{ClientBuilder, Locator};
use std::io::BufRead;
use std::process::Stdio;
use std::time::Duration;

struct Kill(std::process::Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut v = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            v.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            v.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(v).unwrap()
}

#[test]
fn language_switcher_and_helpful_no_ticket() {
    let chromium = [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists());
    let (Some(chromium), true) = (chromium, Path::new("/usr/bin/chromedriver").exists()) else {
        eprintln!("skipping: chromium or chromedriver not installed");
        return;
    };
    let mut server = Kill(
        kbgen()
            .arg("serve")
            .arg(fixture("basic"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdout = std::io::BufReader::new(server.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap()
        .to_string();
    let port = free_port();
    let _driver = Kill(
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({"binary": chromium, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"]}),
        );
        let mut client = None;
        for _ in 0..50 {
            match ClientBuilder::native().capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{port}")).await {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let c = client.expect("chromedriver answers");

        c.goto(&format!("{url}en/refunds/")).await.unwrap();
        // Language switcher → the Chinese translation of the same article.
        c.find(Locator::Css(".lang-switch a[hreflang=zh]")).await.unwrap().click().await.unwrap();
        assert_eq!(c.current_url().await.unwrap().as_str(), format!("{url}zh/refunds/"));
        let title = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(title, "退款与退货");

        // Back in English: the ticket link is hidden until the reader says No, by keyboard.
        c.goto(&format!("{url}en/refunds/")).await.unwrap();
        let ticket = c.find(Locator::Css(".helpful-no a.ticket")).await.unwrap();
        assert!(!ticket.is_displayed().await.unwrap());
        let no = c.find(Locator::Css(".helpful-no summary")).await.unwrap();
        no.send_keys(" ").await.ok();
        if !ticket.is_displayed().await.unwrap() {
            no.click().await.unwrap();
        }
        assert!(ticket.is_displayed().await.unwrap(), "No reveals the ticket link");
        let href = ticket.attr("href").await.unwrap().unwrap();
        let (to, query) = href.trim_start_matches("mailto:").split_once('?').unwrap();
        assert_eq!(to, "support@acme.test");
        let params: Vec<(String, String)> =
            query.split('&').map(|kv| kv.split_once('=').unwrap()).map(|(k, v)| (k.to_string(), percent_decode(v))).collect();
        assert_eq!(params[0], ("subject".into(), "[Acme Help] Feedback on: Refunds & returns".into()));
        let context = format!("Refunds & returns\n{url}en/refunds/\nid: refunds · lang: en\n");
        assert!(params[1].1.ends_with(&context), "{:?}", params[1].1);
        c.close().await.unwrap();
    });
}

/// Opens `page` of the basic fixture's search and waits for the widget to show `expected`.
fn search_via_widget(page: &str, query: &str, expected: &str) {
    let chromium = [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists());
    let (Some(chromium), true) = (chromium, Path::new("/usr/bin/chromedriver").exists()) else {
        eprintln!("skipping: chromium or chromedriver not installed");
        return;
    };
    let mut server = Kill(
        kbgen()
            .arg("serve")
            .arg(fixture("basic"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdout = std::io::BufReader::new(server.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap()
        .to_string();
    let port = free_port();
    let _driver = Kill(
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({"binary": chromium, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"]}),
        );
        let mut client = None;
        for _ in 0..50 {
            if let Ok(c) = ClientBuilder::native().capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{port}")).await {
                client = Some(c);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let c = client.expect("chromedriver answers");
        {
            c.goto(&format!("{url}{page}")).await.unwrap();
            let value = c.find(Locator::Id("search-q")).await.unwrap().prop("value").await.unwrap();
            assert_eq!(value.as_deref(), Some(query), "the query fills the search box");
            // The widget renders inside its shadow root; wait for the article to show up there.
            let mut text = String::new();
            for _ in 0..100 {
                let v = c
                    .execute("const h = document.querySelector('solodesk-widget'); return h && h.shadowRoot ? h.shadowRoot.textContent : '';", vec![])
                    .await
                    .unwrap();
                text = v.as_str().unwrap_or_default().to_string();
                if text.contains(expected) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert!(text.contains(expected), "{page}: widget did not show {expected:?}; shadow text: {text}");
        }
        c.close().await.unwrap();
    });
}

#[test]
fn search_page_english_query_finds_the_article() {
    search_via_widget(
        "en/search/?q=get%20my%20money%20back",
        "get my money back",
        "Refunds & returns",
    );
}

#[test]
fn search_page_chinese_query_finds_the_article() {
    search_via_widget("zh/search/?q=%E9%80%80%E6%AC%BE", "退款", "退款与退货");
}
