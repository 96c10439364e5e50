//! axe-core (WCAG 2.1 A and AA) on what people read: the help center's pages in light and dark,
//! and the owner's desk at `/_desk/` in `kbgen serve`, filled from a folder of real-looking mail.

use solodesk_tests::browser::Browser;
use solodesk_tests::server::StaticServer;
use solodesk_tests::{copy_dir, kbgen_bin, kbgen_build, repo_root, TempDir};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const DARK: &str = "--blink-settings=preferredColorScheme=0";

#[tokio::test(flavor = "multi_thread")]
async fn help_center_pages_pass_axe_in_light_and_dark() {
    let out = TempDir::new("help-center-axe");
    kbgen_build(&repo_root().join("site"), out.path());
    let server = StaticServer::start(out.path());
    let mut found = Vec::new();
    let every = [
        "en/",
        "zh/",
        "en/returns-policy/",
        "zh/returns-policy/",
        "en/search/?q=refund",
        "zh/search/?q=退货",
        "en/search/?q=zzzz",
        "404.html",
    ];
    // On a phone, the articles too: their contents move to the top there.
    let phone = ["en/returns-policy/", "zh/returns-policy/"];
    for (scheme, flags) in [("light", &[][..]), ("dark", &[DARK][..])] {
        for (width, height, pages) in [(1200, 800, &every[..]), (390, 844, &phone[..])] {
            let browser = Browser::start_with(width, height, flags).await;
            for &page in pages {
                browser.client.goto(&server.url(page)).await.unwrap();
                // Search pages list their results (or say none match) before they are checked.
                browser
                .wait_for(
                    "the page settled",
                    "const a = document.getElementById('search-app');
                     return !a || !['idle', 'loading'].includes(a.dataset.state) || !location.search;",
                    vec![],
                )
                .await;
                for v in browser.axe().await {
                    found.push(format!("{scheme} {width} px {page}: {v}"));
                }
            }
            browser.close().await;
        }
    }
    assert!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
}

/// A desk with an open ticket, an answered one and a Chinese one, then `/_desk/` and one
/// customer's history, as the owner sees them in `kbgen serve`.
#[tokio::test(flavor = "multi_thread")]
async fn the_desk_page_passes_axe() {
    let kb = TempDir::new("desk-axe-kb");
    copy_dir(&repo_root().join("site"), kb.path());
    let mail = TempDir::new("desk-axe-mail");
    let owner = "hello@inkwellandthread.example";
    let mails = [
        format!("From: Ann <ann@example.com>\r\nTo: {owner}\r\nSubject: Where is my notebook?\r\nDate: Mon, 02 Nov 2026 09:00:00 +0000\r\nMessage-ID: <a1@example.com>\r\n\r\nI ordered a notebook two weeks ago.\r\n"),
        format!("From: {owner}\r\nTo: ann@example.com\r\nSubject: Re: Where is my notebook?\r\nDate: Mon, 02 Nov 2026 12:00:00 +0000\r\nMessage-ID: <r1@inkwellandthread.example>\r\nIn-Reply-To: <a1@example.com>\r\n\r\nIt ships tomorrow.\r\n"),
        format!("From: Bo <bo@example.net>\r\nTo: {owner}\r\nSubject: Gift wrapping in green?\r\nDate: Tue, 10 Nov 2026 09:00:00 +0000\r\nMessage-ID: <b1@example.net>\r\n\r\nCan you wrap it in green paper?\r\n"),
        // A long unbroken line (a link, the widget's machine block) must not widen the page.
        format!("From: Ann <ann@example.com>\r\nTo: {owner}\r\nSubject: The tracking link\r\nDate: Mon, 02 Nov 2026 13:00:00 +0000\r\nMessage-ID: <a2@example.com>\r\n\r\nThis notebook link does not work: https://tracking.example.com/{}\r\n", "x".repeat(400)),
        format!("From: li@example.cn\r\nTo: {owner}\r\nSubject: =?UTF-8?B?5oiR6ZyA6KaB5byA5Y+R56Wo?=\r\nDate: Wed, 18 Nov 2026 11:00:00 +0000\r\nMessage-ID: <l1@example.cn>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n请给我开发票。\r\n"),
    ];
    for (i, m) in mails.iter().enumerate() {
        std::fs::write(mail.path().join(format!("{i}.eml")), m).unwrap();
    }
    let sync = Command::new(kbgen_bin())
        .args(["desk", "sync"])
        .arg(kb.path())
        .arg("--eml")
        .arg(mail.path())
        .output()
        .unwrap();
    assert!(
        sync.status.success(),
        "{}",
        String::from_utf8_lossy(&sync.stderr)
    );
    let mut serve = Command::new(kbgen_bin())
        .arg("serve")
        .arg(kb.path())
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(serve.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("URL printed: {line}"))
        .trim_end_matches('/')
        .to_string();
    let mut found = Vec::new();
    // Nothing wider than the window, on a phone and on a desktop.
    for (width, height) in [(390, 844), (1280, 800)] {
        let browser = Browser::start(width, height).await;
        for page in ["/_desk/", "/_desk/customer?email=ann%40example.com"] {
            browser.client.goto(&format!("{base}{page}")).await.unwrap();
            let widths = browser
                .js(
                    "const d = document.documentElement; return [d.clientWidth, d.scrollWidth];",
                    vec![],
                )
                .await;
            assert_eq!(
                widths[0], widths[1],
                "{page} at {width} px scrolls sideways: {widths}"
            );
        }
        // On a phone each open ticket reads as a card: its subject in full view and not
        // squeezed into a column a word wide (the table scrolled sideways, out of sight).
        if width == 390 {
            browser
                .client
                .goto(&format!("{base}/_desk/"))
                .await
                .unwrap();
            let cells = browser
                .js(
                    "return [...document.querySelectorAll('td[data-label=Subject]')]
                       .map((c) => { const r = c.getBoundingClientRect();
                                     return [r.left, r.right, document.documentElement.clientWidth]; });",
                    vec![],
                )
                .await;
            let cells = cells.as_array().unwrap();
            assert!(!cells.is_empty(), "no open ticket listed");
            for cell in cells {
                let [left, right, window] = [0, 1, 2].map(|i| cell[i].as_f64().unwrap());
                assert!(
                    left >= 0.0 && right <= window && right - left >= window / 2.0,
                    "a subject at {left}..{right} of {window} px"
                );
            }
            browser.screenshot("desk-390").await;
        }
        browser.screenshot(&format!("desk-customer-{width}")).await;
        browser.close().await;
    }
    for (scheme, flags) in [("light", &[][..]), ("dark", &[DARK][..])] {
        let browser = Browser::start_with(1200, 800, flags).await;
        for (page, shown) in [
            ("/_desk/", "Gift wrapping in green?"),
            ("/_desk/customer?email=ann%40example.com", "notebook"),
        ] {
            browser.client.goto(&format!("{base}{page}")).await.unwrap();
            let text = browser.js("return document.body.innerText;", vec![]).await;
            assert!(
                text.as_str().unwrap().contains(shown),
                "{page} shows the tickets: {text}"
            );
            // The page follows the owner's system theme: a dark page in a dark one.
            let background = browser
                .js(
                    "const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
                     return (r + g + b) / 3;",
                    vec![],
                )
                .await
                .as_f64()
                .unwrap();
            assert_eq!(
                background < 64.0,
                scheme == "dark",
                "{page} in a {scheme} theme has a background of mean {background}"
            );
            for v in browser.axe().await {
                found.push(format!("{scheme} {page}: {v}"));
            }
        }
        browser.screenshot(&format!("desk-{scheme}")).await;
        browser.close().await;
    }
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
}
