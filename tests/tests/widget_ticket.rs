//! How the widget's ticket leaves the browser.
//!
//! The owner's form endpoint (issue 18 §1): with `[widget] ticket_url` in `kbgen.toml`, "Send"
//! POSTs the ticket as JSON to it; when the endpoint refuses (4xx), fails (5xx) or does not answer
//! in time, the form offers the email ticket instead, with everything the visitor wrote in it.
//!
//! The endpoint is a real HTTP server the test starts on 127.0.0.1 (another origin than the help
//! center, so the browser makes its CORS preflight as it would against a form backend); it records
//! every ticket it receives, and answers as the test tells it to.
//!
//! The machine block's compression (issue 19): the browser's `CompressionStream`, or stored zlib
//! where a browser has none; the desk reads both.

use serde_json::{json, Value};
use solodesk_tests::browser::Browser;
use solodesk_tests::server::StaticServer;
use solodesk_tests::{copy_dir, decode_mailto, kbgen_build, repo_root, TempDir};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The owner's address and site name, `site.support_email` and `site.title` in `site/kbgen.toml`.
const OWNER_EMAIL: &str = "hello@inkwellandthread.example";
const SITE_TITLE: &str = "Inkwell & Thread Help Center";

const PRELUDE: &str =
    "const H = document.querySelector('solodesk-widget'); const S = H && H.shadowRoot;";

/// How the endpoint answers a ticket.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Answer {
    Status(u16),
    /// Never answers (until well after the widget's 10 s timeout).
    Hang,
}

/// A form endpoint on 127.0.0.1: answers CORS preflights, records each POST's body.
struct Endpoint {
    port: u16,
    answer: Arc<Mutex<Answer>>,
    received: Arc<Mutex<Vec<(String, String)>>>,
}

impl Endpoint {
    fn start() -> Endpoint {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let answer = Arc::new(Mutex::new(Answer::Status(200)));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (a, r) = (answer.clone(), received.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (a, r) = (a.clone(), r.clone());
                std::thread::spawn(move || serve(stream, &a, &r));
            }
        });
        Endpoint {
            port,
            answer,
            received,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/tickets", self.port)
    }

    fn answer(&self, a: Answer) {
        *self.answer.lock().unwrap() = a;
    }

    /// The POSTs received so far: (content type, body).
    fn received(&self) -> Vec<(String, String)> {
        self.received.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, answer: &Mutex<Answer>, received: &Mutex<Vec<(String, String)>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let method = line.split(' ').next().unwrap_or("").to_string();
    let (mut length, mut content_type) = (0usize, String::new());
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').unwrap_or((&h, ""));
        match k.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = v.trim().parse().unwrap_or(0),
            "content-type" => content_type = v.trim().to_string(),
            _ => {}
        }
    }
    let cors = "Access-Control-Allow-Origin: *\r\nAccess-Control-Allow-Methods: POST\r\nAccess-Control-Allow-Headers: content-type, accept\r\n";
    if method == "OPTIONS" {
        let _ = write!(
            out,
            "HTTP/1.1 204 No Content\r\n{cors}Content-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return;
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    received
        .lock()
        .unwrap()
        .push((content_type, String::from_utf8(body).unwrap()));
    let a = *answer.lock().unwrap();
    match a {
        Answer::Status(code) => {
            let body = if code < 300 {
                "{\"ok\":true}"
            } else {
                "{\"error\":\"no\"}"
            };
            let _ = write!(
                out,
                "HTTP/1.1 {code} X\r\n{cors}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Answer::Hang => std::thread::sleep(Duration::from_secs(30)),
    }
}

/// `site/` built, with `[widget] ticket_url` set to `url` if given, and a host page that carries
/// the tag after `head` (a script of the test's own, say).
fn build_site(url: Option<&str>, head: &str) -> TempDir {
    let kb = TempDir::new("ticket-url-kb");
    copy_dir(&repo_root().join("site"), kb.path());
    if let Some(url) = url {
        let toml = kb.path().join("kbgen.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        let text = text.replacen(
            "[widget]\n",
            &format!("[widget]\nticket_url = \"{url}\"\n"),
            1,
        );
        std::fs::write(&toml, text).unwrap();
    }
    let out = TempDir::new("ticket-url-out");
    kbgen_build(kb.path(), out.path());
    let dir = out.path().join("e2e");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("head.js"), head).unwrap();
    std::fs::write(
        dir.join("en.html"),
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host page</title>
<script src="/e2e/head.js"></script></head>
<body><h1>The owner's shop</h1><script src="/widget/solodesk.js" async data-solodesk></script></body></html>"#,
    )
    .unwrap();
    out
}

/// Polls `body` (after [`PRELUDE`]) until it returns something truthy, for up to `secs`.
async fn wait(b: &Browser, what: &str, body: &str, secs: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let v = b.js(&format!("{PRELUDE}\n{body}"), vec![]).await;
        if !v.is_null() && v != json!(false) {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const QUESTION: &str = "can you engrave a dragon on the cover";
const NAME: &str = "Ana Sá";
const EMAIL: &str = "ana@example.org";

/// The question box the visitor sees: the loader's shell's, or the panel's once it has taken
/// over (the panel's exists, hidden, for a moment before that, where typing would be lost).
const ASK_BOX: &str = ".sd-shell .sd-ask .sd-input, .sd-root:not([hidden]) .sd-ask .sd-input";

/// Clicks the launcher of the page `b` shows and waits for the question box.
async fn open_panel(b: &Browser) {
    wait(
        b,
        "the launcher",
        "return S && S.querySelector('button.sd-launcher');",
        10,
    )
    .await;
    b.js(
        &format!("{PRELUDE} S.querySelector('button.sd-launcher').click();"),
        vec![],
    )
    .await;
    wait(
        b,
        "the question box",
        &format!("return S.querySelector('{ASK_BOX}');"),
        10,
    )
    .await;
}

/// A fresh visit: opens the panel, asks a question, opens the contact form and fills it.
async fn fill_form(b: &Browser, page: &str, message: &str) {
    b.client.goto(page).await.unwrap();
    b.js("sessionStorage.clear();", vec![]).await;
    b.client.goto(page).await.unwrap();
    open_panel(b).await;
    // The question goes in as a visitor types it; the ticket then has a conversation.
    b.js(
        &format!(
            "{PRELUDE} const i = S.querySelector('{ASK_BOX}'); i.value = arguments[0];
             i.dispatchEvent(new InputEvent('input', {{ bubbles: true, composed: true }}));"
        ),
        vec![json!(QUESTION)],
    )
    .await;
    b.js(
        &format!(
            "{PRELUDE} S.querySelector('{ASK_BOX}').dispatchEvent(
               new KeyboardEvent('keydown', {{ key: 'Enter', bubbles: true, composed: true }}));"
        ),
        vec![],
    )
    .await;
    wait(
        b,
        "an answer",
        "return S.querySelector('.sd-conversation > .sd-q:not(.sd-pending)');",
        15,
    )
    .await;
    b.js(
        &format!("{PRELUDE} [...S.querySelectorAll('.sd-contact-link, .sd-button')].find((e) => e.textContent.includes('Contact')).click();"),
        vec![],
    )
    .await;
    wait(
        b,
        "the contact form",
        "return S.querySelector('.sd-form textarea');",
        10,
    )
    .await;
    b.js(
        &format!(
            "{PRELUDE} const set = (css, v) => {{ const e = S.querySelector(css); e.value = v;
               e.dispatchEvent(new InputEvent('input', {{ bubbles: true, composed: true }})); }};
             const f = S.querySelectorAll('.sd-form input.sd-input');
             set('.sd-form input[type=text]', arguments[0]);
             set('.sd-form input[type=email]', arguments[1]);
             set('.sd-form textarea', arguments[2]); return f.length;"
        ),
        vec![json!(NAME), json!(EMAIL), json!(message)],
    )
    .await;
    wait(
        b,
        "the form's send button",
        "const s = S.querySelector('.sd-form button.sd-send'); return s && S.querySelector('.sd-form textarea').value.length > 0 && s.textContent;",
        10,
    )
    .await;
}

/// The message, far too long for a `mailto:` link: the endpoint has no such limit.
fn long_message() -> String {
    let mut m = String::from("Hello Mara,\n\"quotes\" & ampersands, a \\ backslash, 你好 📓\n");
    while m.len() < 6000 {
        m.push_str("I would like a dragon engraved on the front cover, breathing fire. ");
    }
    m
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ticket_goes_to_the_form_endpoint_and_falls_back_to_email_when_it_fails() {
    let endpoint = Endpoint::start();
    let out = build_site(Some(&endpoint.url()), "");
    let server = StaticServer::start(out.path());
    let page = server.url("/e2e/en.html");
    let b = Browser::start(1200, 800).await;

    // Success: the endpoint gets the whole ticket, field by field, and the visitor sees "sent".
    let message = long_message();
    endpoint.answer(Answer::Status(200));
    fill_form(&b, &page, &message).await;
    b.js(
        &format!("{PRELUDE} S.querySelector('.sd-form button.sd-send').click();"),
        vec![],
    )
    .await;
    let sent = wait(
        &b,
        "the sent notice",
        "const s = S.querySelector('.sd-sent'); return s && s.parentNode.textContent;",
        10,
    )
    .await;
    let got = endpoint.received();
    assert_eq!(got.len(), 1, "one POST: {got:?}");
    assert_eq!(got[0].0, "application/json");
    let v: Value = serde_json::from_str(&got[0].1).unwrap();
    let reference = v["ref"].as_str().unwrap().to_string();
    assert_eq!(reference.len(), 6, "{v}");
    assert!(
        sent.as_str()
            .unwrap()
            .contains(&format!("Reference: {reference}")),
        "{sent}"
    );
    assert_eq!(v["name"], NAME);
    assert_eq!(v["email"], EMAIL);
    assert_eq!(v["message"], message.as_str(), "the message arrives whole");
    assert_eq!(v["site"], SITE_TITLE);
    assert_eq!(v["page"], page.as_str());
    assert_eq!(v["lang"], "en");
    assert!(v["wv"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
    assert!(v["time"].as_str().is_some_and(|s| s.ends_with('Z')), "{v}");
    assert_eq!(v.get("omitted"), None);
    let turns = v["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 1, "{v}");
    assert_eq!(turns[0]["q"], QUESTION);
    assert!(turns[0]["a"].is_string(), "{v}");
    assert_eq!(
        v["subject"],
        format!("[{SITE_TITLE} #{reference}] {QUESTION}").as_str()
    );
    let body = v["body"].as_str().unwrap();
    assert!(
        body.starts_with(&format!("{}\n\n--\n", message.trim_end())),
        "{body}"
    );
    assert!(
        body.contains(&format!("\nReference: {reference}\n")),
        "{body}"
    );
    assert!(body
        .trim_end()
        .rsplit('\n')
        .next()
        .unwrap()
        .starts_with("solodesk:v1:"));

    // Refused, failed or silent: the email ticket, with the message still in the form.
    for (answer, secs) in [
        (Answer::Status(400), 10),
        (Answer::Status(500), 10),
        (Answer::Hang, 20),
    ] {
        endpoint.answer(answer);
        let message = format!("Case {answer:?}:\nmy order #IT-1234 & the gift box?\n你好 📓");
        fill_form(&b, &page, &message).await;
        let before = endpoint.received().len();
        let started = Instant::now();
        b.js(
            &format!("{PRELUDE} S.querySelector('.sd-form button.sd-send').click();"),
            vec![],
        )
        .await;
        wait(
            &b,
            "the button saying it is sending",
            "const s = S.querySelector('.sd-form .sd-send'); return s.disabled || s.tagName === 'A';",
            5,
        )
        .await;
        let href = wait(
            &b,
            &format!("the email fallback after {answer:?}"),
            "return S.querySelector('.sd-send-failed') && S.querySelector('.sd-form a.sd-send').href;",
            secs,
        )
        .await;
        if answer == Answer::Hang {
            let waited = started.elapsed();
            assert!(
                waited >= Duration::from_secs(9) && waited < Duration::from_secs(20),
                "gave up after {waited:?}"
            );
        }
        assert_eq!(
            endpoint.received().len(),
            before + 1,
            "{answer:?}: one POST"
        );
        let kept = b
            .js(
                &format!("{PRELUDE} return S.querySelector('.sd-form textarea').value;"),
                vec![],
            )
            .await;
        assert_eq!(
            kept,
            json!(message),
            "{answer:?}: the message is still in the form"
        );
        let (to, fields) = decode_mailto(href.as_str().unwrap());
        assert_eq!(to, OWNER_EMAIL);
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["subject", "body"]);
        assert!(
            fields[0].1.starts_with(&format!("[{SITE_TITLE} #")) && fields[0].1.ends_with(QUESTION),
            "{:?}",
            fields[0].1
        );
        let body = fields[1].1.replace("\r\n", "\n");
        assert!(body.starts_with(&format!("{message}\n\n--\n")), "{body}");
        for line in [
            format!("Name: {NAME}"),
            format!("Email: {EMAIL}"),
            format!("Q: {QUESTION}"),
        ] {
            assert!(body.lines().any(|l| l == line), "{line:?} in\n{body}");
        }
    }
    b.close().await;
}

/// The desk's reader of the machine block (`kbgen desk` includes the same file).
#[allow(dead_code)]
#[path = "../../widget/src/ticket/block.rs"]
mod block;

/// Issue 19: the widget no longer carries a compressor; the block in the link is the browser's
/// `CompressionStream("deflate")` (zlib header 78 9C, "eJ" in base64url, where `miniz_oxide` at
/// level 9 wrote 78 DA, "eN"), and where a browser has none, stored zlib (78 01, "eA"): the desk
/// reads both, and the compressed one fits every turn of the conversation in the link.
#[tokio::test(flavor = "multi_thread")]
async fn the_block_is_the_browsers_zlib_or_stored_zlib_without_it() {
    const QUESTIONS: [&str; 4] = [
        "what is your return policy",
        "how long does shipping take to Canada",
        "你们的笔记本可以刻字或者做个性化定制吗",
        "can you engrave a dragon on the cover",
    ];
    for (head, prefix) in [("", "eJ"), ("delete window.CompressionStream;", "eA")] {
        let out = build_site(None, head);
        let server = StaticServer::start(out.path());
        let page = server.url("/e2e/en.html");
        let b = Browser::start(1200, 800).await;
        b.client.goto(&page).await.unwrap();
        open_panel(&b).await;
        for (i, q) in QUESTIONS.iter().enumerate() {
            b.js(
                &format!(
                    "{PRELUDE} const i = S.querySelector('{ASK_BOX}'); i.value = arguments[0];
                     i.dispatchEvent(new InputEvent('input', {{ bubbles: true, composed: true }}));
                     i.dispatchEvent(new KeyboardEvent('keydown', {{ key: 'Enter', bubbles: true, composed: true }}));"
                ),
                vec![json!(q)],
            )
            .await;
            wait(
                &b,
                "an answer",
                &format!("return S.querySelectorAll('.sd-conversation > .sd-q:not(.sd-pending)').length > {i};"),
                15,
            )
            .await;
        }
        b.js(
            &format!("{PRELUDE} [...S.querySelectorAll('.sd-contact-link, .sd-button')].find((e) => e.textContent.includes('Contact')).click();"),
            vec![],
        )
        .await;
        // The link once it stops changing: the block is compressed a moment after the form opens.
        let href = wait(
            &b,
            "a settled mailto link",
            "const a = S.querySelector('.sd-form a.sd-send'); if (!a) return false;
             if (a.href !== window.__h) { window.__h = a.href; window.__t = Date.now(); return false; }
             return Date.now() - window.__t > 500 && a.href;",
            10,
        )
        .await;
        let (_, fields) = decode_mailto(href.as_str().unwrap());
        let body = fields[1].1.replace("\r\n", "\n");
        let line = body
            .lines()
            .find(|l| l.starts_with("solodesk:v1:"))
            .unwrap_or_else(|| panic!("no block in\n{body}"));
        assert!(
            line["solodesk:v1:".len()..].starts_with(prefix),
            "{head:?}: zlib made by the wrong compressor: {line}"
        );
        let blk = block::find(&body).unwrap_or_else(|e| panic!("{head:?}: {e}\n{body}"));
        let asked: Vec<&str> = blk.turns.iter().map(|t| t.question.as_str()).collect();
        assert_eq!(asked, QUESTIONS[blk.omitted as usize..], "{head:?}");
        if prefix == "eJ" {
            assert_eq!(blk.omitted, 0, "all four turns fit once compressed");
        }
        // The mail client sends it, and the owner's desk reads the conversation back.
        let (to, fields) = decode_mailto(href.as_str().unwrap());
        let desk = desk_reads(&to, &fields[0].1, &fields[1].1, &blk.reference);
        let turns = &desk["ticket"]["conversation"]["turns"];
        let read: Vec<&str> = turns
            .as_array()
            .unwrap_or_else(|| panic!("{head:?}: no conversation in {desk}"))
            .iter()
            .map(|t| t["question"].as_str().unwrap())
            .collect();
        assert_eq!(read, asked, "{head:?}");
        assert_eq!(desk["ticket"]["block"], "read", "{head:?}");
        b.close().await;
    }
}

/// Sends the ticket as a mail client would (UTF-8 subject in RFC 2047, the body base64 with CRLF
/// line ends, as Gmail and Thunderbird send non-ASCII text), syncs it into a desk with
/// `kbgen desk sync --eml` and returns `kbgen desk show REF --json`.
fn desk_reads(to: &str, subject: &str, body: &str, reference: &str) -> Value {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let kb = TempDir::new("ticket-desk-kb");
    copy_dir(&repo_root().join("site"), kb.path());
    let mail = TempDir::new("ticket-desk-mail");
    let encoded = b64.encode(body.replace("\r\n", "\n").replace('\n', "\r\n"));
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let eml = format!(
        "From: =?UTF-8?B?{}?= <{EMAIL}>\r\nTo: {to}\r\nSubject: =?UTF-8?B?{}?=\r\nDate: Sun, 06 Dec 2026 10:00:00 +0000\r\nMessage-ID: <t1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        b64.encode(NAME),
        b64.encode(subject),
        lines.join("\r\n")
    );
    std::fs::write(mail.path().join("ticket.eml"), eml).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(solodesk_tests::kbgen_bin())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "kbgen {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let kb_dir = kb.path().to_str().unwrap();
    run(&[
        "desk",
        "sync",
        kb_dir,
        "--eml",
        mail.path().to_str().unwrap(),
    ]);
    serde_json::from_slice(&run(&["desk", "show", reference, "--kb", kb_dir, "--json"])).unwrap()
}
