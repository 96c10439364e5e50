//! Issue 15's XSS suite: a public corpus of payloads through every text path of a knowledge base,
//! into the help center and into the widget on a page of another origin, in headless Chromium.
//!
//! Each payload of `tests/fixtures/xss-payloads.txt` becomes an article (title, summary, tags,
//! questions and body), a rule (a phrasing and the answer, which links its article), a row of a
//! CSV that `kbgen import` turns into an article, a `?q=` of the search page and a question
//! asked in the widget. The help center is served on one port of 127.0.0.1 and the owner's page,
//! which embeds the loader tag, on another, so the widget runs cross-origin as on a real site.
//! Before any page's own script, Chromium's DevTools protocol replaces `alert`, `confirm`,
//! `prompt` and `print` (what the corpus calls) in every frame with a counter; the test also
//! looks for what would run on a click (event handlers, `javascript:` URLs, frames, forms) in the
//! live DOM. Both must stay at zero. A control page proves the counter counts.

use fantoccini::key::Key;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::Locator;
use serde_json::json;
use solodesk_tests::browser::Browser;
use solodesk_tests::server::StaticServer;
use solodesk_tests::{kbgen_bin, kbgen_build, TempDir};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const CORPUS: &str = include_str!("../fixtures/xss-payloads.txt");

fn payloads() -> Vec<&'static str> {
    CORPUS
        .lines()
        .filter(|l| !l.starts_with("# ") && !l.trim().is_empty())
        .collect()
}

/// A made-up word per payload, for the rule's regex: letters only, so no analyzer splits it.
fn word(n: usize) -> String {
    let mut w = String::from("zq");
    let mut k = n;
    for _ in 0..3 {
        w.push((b'a' + (k % 26) as u8) as char);
        k /= 26;
    }
    w
}

/// A TOML basic string, or a YAML double-quoted one: JSON's escapes are valid in both.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// Counts, in every frame and before the page's own scripts, what the corpus calls.
const COUNTER_JS: &str = r#"(() => {
  const log = [];
  Object.defineProperty(window, "__xss", { value: log });
  for (const f of ["alert", "confirm", "prompt", "print"]) {
    window[f] = function (...a) { try { (top.__xss || log).push(f + "(" + a.map(String).join(",") + ") in " + location.href); } catch (e) { log.push(f); } };
  }
})();"#;

/// Lists what in `root` would run script on a click or a load: event handler attributes,
/// active URLs, frames, plugins, forms, `<base>` and refreshes, and scripts other than those of
/// `origins` (the help center's and the host page's own files) and JSON-LD. In `scopes` (the
/// containers of rendered HTML) SVG and MathML count too.
const ARMED_JS: &str = r#"const armed = (root, origins, scopes) => {
  const found = [];
  const active = /^(javascript|vbscript|data|livescript|mocha):/i;
  const urls = ["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"];
  for (const e of root.querySelectorAll("*")) {
    const t = e.localName;
    for (const a of e.attributes) {
      const name = a.name.toLowerCase();
      const v = a.value.replace(/[\u0000-\u0020]/g, "");
      if (name.startsWith("on") || name === "srcdoc" || (urls.includes(name) && active.test(v)))
        found.push(`<${t} ${name}=${a.value.slice(0, 40)}>`);
    }
    if (["iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"].includes(t)) found.push(`<${t}>`);
    if (t === "meta" && /refresh|set-cookie|link/i.test(e.httpEquiv)) found.push(`<meta http-equiv=${e.httpEquiv}>`);
    const src = e.getAttribute("src") || "";
    const from = src && new URL(src, document.baseURI).href;
    if (t === "script" && e.getAttribute("type") !== "application/ld+json" && !origins.some((o) => from && from.startsWith(o + "/")))
      found.push(`<script ${src || e.textContent.slice(0, 40)}>`);
  }
  for (const s of scopes) for (const sc of root.querySelectorAll(s))
    for (const e of sc.querySelectorAll("svg, math, form, input:not([type=checkbox]), button, textarea, select, style, link, script, template"))
      found.push(`<${e.localName}> in ${s}`);
  return found;
};"#;

/// The knowledge base: one article and one rule per payload, plus the imported CSV.
fn write_kb(kb: &Path, payloads: &[&str]) {
    std::fs::create_dir_all(kb.join("articles/en/probes")).unwrap();
    std::fs::write(
        kb.join("kbgen.toml"),
        "[site]\ntitle = \"XSS corpus\"\nlanguages = [\"en\"]\nsupport_email = \"owner@corpus.example\"\n",
    )
    .unwrap();
    let mut rules = String::new();
    let mut csv = String::from("question,answer\n");
    for (n, p) in payloads.iter().enumerate() {
        let w = word(n);
        std::fs::write(
            kb.join(format!("articles/en/probes/x{n:03}.md")),
            format!(
                "---\ntitle: {title}\nsummary: {title}\ntags: [{title}, bodyprobe]\nquestions: [{title}]\n---\n\nProbe {w} bodyprobe.\n\n{p}\n\nInline {p} text.\n",
                title = quoted(p)
            ),
        )
        .unwrap();
        // The links in a paragraph of their own: a payload may open an HTML block that would
        // swallow the rest of its line.
        let answer =
            format!("{p}\n\nSee [the article](x{n:03}.md) and [elsewhere](http://127.0.0.1:9/).");
        writeln!(
            rules,
            "[[rule]]\nid = \"r{n:03}\"\nlang = \"en\"\nphrasings = [\"ruleprobe {w}\", {q}]\nregex = \"^ruleprobe {w}$\"\nanswer = {a}\narticles = [\"x{n:03}\"]\n",
            q = quoted(p),
            a = quoted(&answer)
        )
        .unwrap();
        let cell = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        writeln!(csv, "{},{}", cell(&format!("Imported {n} {p}")), cell(p)).unwrap();
    }
    std::fs::write(kb.join("rules.toml"), rules).unwrap();
    let csv_path = kb.parent().unwrap().join("faq.csv");
    std::fs::write(&csv_path, csv).unwrap();
    let out = Command::new(kbgen_bin())
        .args(["import"])
        .arg(&csv_path)
        .arg("--kb")
        .arg(kb)
        .args(["--category", "imported"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kbgen import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The owner's page, on another origin than the help center: the loader tag `kbgen snippet`
/// prints, with the help center's address.
fn write_host_page(dir: &Path, help_center: &str) {
    std::fs::write(
        dir.join("index.html"),
        format!(
            r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Checkout</title></head>
<body><h1>The owner's checkout</h1>
<script src="{help_center}/widget/solodesk.js" async data-solodesk></script>
</body></html>"#
        ),
    )
    .unwrap();
    // The control: a payload of the corpus, unsanitised, on a page of the same setup.
    std::fs::write(
        dir.join("control.html"),
        "<!doctype html><meta charset=utf-8><title>control</title><img src=x onerror=alert(1)><svg onload=confirm(2)>",
    )
    .unwrap();
}

struct Run {
    browser: Browser,
    ran: Vec<String>,
    armed: Vec<String>,
    origins: Vec<String>,
}

impl Run {
    /// Collects what ran and what lies armed on the current page (and in the widget, if open).
    async fn collect(&mut self, at: &str) {
        let v = self
            .browser
            .js(
                &format!(
                    "{ARMED_JS}
                     const H = document.querySelector('solodesk-widget');
                     const found = armed(document, arguments[0], ['.prose']);
                     if (H && H.shadowRoot) found.push(...armed(H.shadowRoot, arguments[0], ['.sd-answer', '.sd-article-body']));
                     const ran = window.__xss ? window.__xss.splice(0) : ['no counter on this page'];
                     return [ran, found];"
                ),
                vec![json!(self.origins)],
            )
            .await;
        let (ran, found): (Vec<String>, Vec<String>) = serde_json::from_value(v).unwrap();
        self.ran
            .extend(ran.into_iter().map(|r| format!("{at}: {r}")));
        self.armed
            .extend(found.into_iter().map(|f| format!("{at}: {f}")));
    }

    async fn visit(&mut self, url: &str, settled: &str) {
        self.browser.client.goto(url).await.unwrap();
        self.browser.wait_for(url, settled, vec![]).await;
        self.collect(url).await;
    }
}

/// Room for the scripts below that walk hundreds of pages and questions in one call.
async fn run_timeouts(browser: &Browser) {
    browser
        .client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_secs(240)),
            None,
            None,
        ))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::too_many_lines)] // A test: one journey through every text path, in order.
async fn xss_corpus_runs_nowhere() {
    let started = Instant::now();
    let payloads = payloads();
    assert!(payloads.len() >= 150, "{} payloads", payloads.len());
    let tmp = TempDir::new("xss");
    let kb = tmp.path().join("kb");
    write_kb(&kb, &payloads);
    let out = tmp.path().join("out");
    kbgen_build(&kb, &out);
    let imported: Vec<String> = std::fs::read_dir(kb.join("articles/en/imported"))
        .unwrap()
        .flatten()
        .filter_map(|e| {
            e.path()
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .collect();
    assert_eq!(imported.len(), payloads.len(), "one article per CSV row");

    // The widget's files are read from the owner's origin, as `_headers` allows on a real host.
    let help = StaticServer::with_headers(
        &out,
        vec![("Access-Control-Allow-Origin".into(), "*".into())],
    );
    let host_dir = tmp.path().join("host");
    std::fs::create_dir_all(&host_dir).unwrap();
    write_host_page(&host_dir, &help.origin());
    let host = StaticServer::start(&host_dir);
    assert_ne!(help.origin(), host.origin());

    let browser = Browser::start(1200, 800).await;
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": COUNTER_JS }),
        )
        .await
        .expect("installing the counter through DevTools");
    run_timeouts(&browser).await;
    let mut run = Run {
        browser,
        ran: Vec::new(),
        armed: Vec::new(),
        origins: vec![help.origin(), host.origin()],
    };

    // The control page: the counter and the DOM check see an unsanitised payload.
    run.visit(
        &host.url("control.html"),
        "return document.readyState === 'complete' && window.__xss.length === 2;",
    )
    .await;
    assert!(
        run.ran.len() == 2 && run.ran[0].contains("alert(1)") && run.ran[1].contains("confirm(2)"),
        "the counter counts: {:?}",
        run.ran
    );
    assert!(
        run.armed
            .iter()
            .any(|a| a.contains("<img onerror=alert(1)>")),
        "the DOM check sees handlers: {:?}",
        run.armed
    );
    run.ran.clear();
    run.armed.clear();

    // Help center: every article page (body, title, summary, tags, questions as JSON-LD), the
    // imported ones, the pages that list them, and the search page with each payload as `?q=`
    // (the search runs, results or not, and the query shows in the page). They load six at a
    // time in frames of one page of the help center; the counter counts in frames too.
    std::fs::write(
        out.join("xss-frames.html"),
        "<!doctype html><meta charset=utf-8><title>frames</title>",
    )
    .unwrap();
    let mut urls: Vec<String> = (0..payloads.len())
        .map(|n| help.url(&format!("en/x{n:03}/")))
        .collect();
    urls.extend(imported.iter().map(|id| help.url(&format!("en/{id}/"))));
    for page in ["en/", "en/category/probes/", "en/category/imported/"] {
        urls.push(help.url(page));
    }
    for q in payloads.iter().chain(["bodyprobe"].iter()) {
        let mut url = url::Url::parse(&help.url("en/search/")).unwrap();
        url.query_pairs_mut().append_pair("q", q);
        urls.push(url.into());
    }
    run.visit(
        &help.url("xss-frames.html"),
        "return document.readyState === 'complete';",
    )
    .await;
    let framed = run
        .browser
        .client
        .execute_async(
            &format!(
                r#"const [urls, origins, done] = arguments;
                {ARMED_JS}
                const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
                // The search page has settled once it shows results or says there are none.
                const settled = (d) => {{
                  const a = d.getElementById('search-app');
                  return !a || !['idle', 'loading'].includes(a.dataset.state);
                }};
                const found = [];
                let visited = 0, results = 0;
                const one = (url) => new Promise((resolve) => {{
                  const f = document.createElement('iframe');
                  f.width = 1000; f.height = 700;
                  let finished = false;
                  const finish = (problem) => {{
                    if (finished) return;
                    finished = true;
                    if (problem) found.push(url + ': ' + problem);
                    visited++;
                    f.remove();
                    resolve();
                  }};
                  // A page that never loads, or leaves, is a finding, not a hung test.
                  setTimeout(() => finish('did not finish loading in 15 s'), 15000);
                  f.onload = async () => {{
                    try {{
                      const d = f.contentDocument;
                      if (!d || d.location.pathname !== new URL(url).pathname) return finish('the frame left the page for ' + (d ? d.location.href : 'another origin'));
                      for (let i = 0; i < 1000 && !settled(d); i++) await sleep(10);
                      if (!settled(d)) found.push(url + ': the search never settled');
                      // Timers and late events of a payload get their chance.
                      await sleep(30);
                      if (d.querySelector('.search-result')) results++;
                      found.push(...armed(d, origins, ['.prose']).map((x) => url + ': ' + x));
                      finish();
                    }} catch (e) {{ finish(String(e)); }}
                  }};
                  f.src = url;
                  document.body.append(f);
                }});
                const queue = urls.slice();
                Promise.all(Array.from({{ length: 6 }}, async () => {{ while (queue.length) await one(queue.shift()); }}))
                  .then(() => done({{ found, visited, results }}), (e) => done({{ found: [String(e)], visited, results }}));"#
            ),
            vec![json!(urls), json!(run.origins)],
        )
        .await
        .unwrap();
    assert_eq!(framed["visited"], json!(urls.len()), "{framed}");
    // The search for the body's word lists results with snippets from the payloads' articles.
    assert!(framed["results"].as_u64().unwrap() >= 1, "{framed}");
    let found: Vec<String> = serde_json::from_value(framed["found"].clone()).unwrap();
    run.armed.extend(found);
    run.collect("the help center").await;
    assert_eq!(
        run.ran,
        Vec::<String>::new(),
        "payloads ran in the help center"
    );
    assert_eq!(
        run.armed,
        Vec::<String>::new(),
        "payloads lie armed in the help center"
    );
    let help_center_done = started.elapsed();
    eprintln!(
        "help center: {} pages in {:.1} s",
        urls.len(),
        help_center_done.as_secs_f64()
    );

    // The widget on the owner's page: each rule answered (its payload answer and links), its
    // article opened in the panel, and each payload asked as a question; the last few typed.
    // Batches of 30 payloads, each in a fresh session: the conversation a visitor keeps in
    // sessionStorage would otherwise grow to hundreds of turns, rewritten on every question.
    let widget_started = Instant::now();
    let words: Vec<String> = (0..payloads.len()).map(word).collect();
    let mut widget = json!({ "rules": 0, "articles": 0, "questions": 0, "links": [] });
    for (batch, (words, payloads)) in words.chunks(30).zip(payloads.chunks(30)).enumerate() {
        run.browser
            .client
            .execute("sessionStorage.clear();", vec![])
            .await
            .unwrap();
        run.browser
            .client
            .goto(&host.url("index.html"))
            .await
            .unwrap();
        run.browser
            .wait_for(
                "the launcher",
                "const H = document.querySelector('solodesk-widget'); return H && H.shadowRoot && H.shadowRoot.querySelector('button.sd-launcher');",
                vec![],
            )
            .await;
        let report = run
            .browser
            .client
            .execute_async(
                &format!(
                    r#"const [words, payloads, origins, done] = arguments;
                    {ARMED_JS}
                    const S = document.querySelector('solodesk-widget').shadowRoot;
                    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
                    const until = async (what, f) => {{
                      for (let i = 0; i < 1000; i++) {{ const v = f(); if (v) return v; await sleep(5); }}
                      throw new Error('timed out waiting for ' + what);
                    }};
                    const answered = () => S.querySelectorAll('.sd-conversation > .sd-q:not(.sd-pending) bdi').length;
                    const ask = async (q) => {{
                      const before = answered();
                      await Solodesk.ask(q);
                      await until('an answer to ' + q, () => answered() > before);
                    }};
                    const report = {{ rules: 0, links: [], articles: 0, questions: 0, found: [] }};
                    try {{
                      Solodesk.open();
                      await until('the panel', () => S.querySelector('.sd-ask .sd-input'));
                      for (let n = 0; n < words.length; n++) {{
                        await ask('ruleprobe ' + words[n]);
                        const replies = S.querySelectorAll('.sd-reply.sd-rule');
                        const reply = replies[replies.length - 1];
                        if (!reply) continue;
                        report.rules++;
                        for (const a of reply.querySelectorAll('.sd-answer a[href]'))
                          report.links.push([a.getAttribute('href'), a.target, a.rel]);
                        reply.querySelector('.sd-item').click();
                        await until('the article body', () => S.querySelector('.sd-article-body:not([aria-busy])'));
                        report.articles++;
                        await sleep(0);
                        report.found.push(...armed(S, origins, ['.sd-article-body']).map((x) => 'article ' + words[n] + ': ' + x));
                        S.querySelector('.sd-back').click();
                        await until('home', () => !S.querySelector('.sd-article'));
                        await ask(payloads[n]);
                        report.questions++;
                      }}
                      done(report);
                    }} catch (e) {{ report.error = String(e); done(report); }}"#
                ),
                vec![json!(words), json!(payloads), json!(run.origins)],
            )
            .await
            .unwrap();
        assert_eq!(report.get("error"), None, "{report}");
        for key in ["rules", "articles", "questions"] {
            widget[key] = json!(widget[key].as_u64().unwrap() + report[key].as_u64().unwrap());
        }
        if batch == 0 {
            widget["links"] = json!(report["links"].as_array().unwrap()[..2]);
        }
        let found: Vec<String> = serde_json::from_value(report["found"].clone()).unwrap();
        run.armed.extend(found);
        run.collect(&format!("the widget, batch {batch}")).await;
    }
    // Questions typed by keyboard, as a visitor would.
    for p in payloads.iter().rev().take(5) {
        let host_el = run
            .browser
            .client
            .find(Locator::Css("solodesk-widget"))
            .await
            .unwrap();
        let input = host_el
            .shadow_root()
            .await
            .unwrap()
            .find(Locator::Css(
                ".sd-shell .sd-ask .sd-input, .sd-root:not([hidden]) .sd-ask .sd-input",
            ))
            .await
            .unwrap();
        input
            .send_keys(&format!("{p}{}", char::from(Key::Enter)))
            .await
            .unwrap();
    }
    // The last typed question's answer is in before the count.
    run.browser
        .wait_for(
            "the typed questions' answers",
            "const S = document.querySelector('solodesk-widget').shadowRoot;
             return S.querySelectorAll('.sd-conversation > .sd-q.sd-pending').length === 0;",
            vec![],
        )
        .await;
    run.collect("the widget").await;
    let no_dialog = run.browser.client.get_alert_text().await.is_err();
    run.browser.close().await;

    eprintln!(
        "{} payloads: help center {:.1} s, widget {:.1} s, all {:.1} s; widget {widget}",
        payloads.len(),
        help_center_done.as_secs_f64(),
        widget_started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    // Every path was exercised: each rule answered with its payload and opened its article.
    assert_eq!(widget["rules"], json!(payloads.len()), "{widget}");
    assert_eq!(widget["articles"], json!(payloads.len()), "{widget}");
    assert_eq!(widget["questions"], json!(payloads.len()), "{widget}");
    assert!(no_dialog, "a dialog is open");
    assert_eq!(run.ran, Vec::<String>::new(), "payloads ran");
    assert_eq!(run.armed, Vec::<String>::new(), "payloads lie armed");
    // Issue 16 item 6: the rule answer's links open a new tab without a handle on the page,
    // and a link kbgen wrote relative to the help center (`base_url` has no host) points there.
    let links: Vec<(String, String, String)> =
        serde_json::from_value(widget["links"].clone()).unwrap();
    assert_eq!(
        links,
        [
            (
                help.url("/en/x000/"),
                "_blank".to_string(),
                "noopener noreferrer".to_string()
            ),
            (
                "http://127.0.0.1:9/".to_string(),
                "_blank".to_string(),
                "noopener noreferrer".to_string()
            )
        ],
        "{widget}"
    );
}
