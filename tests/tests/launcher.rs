//! The launcher on an owner's page that has things of its own at the bottom (issue 16, item 11),
//! and links in the widget's answers (item 6 and the sanitiser's review): a small knowledge base
//! whose `base_url` has no host, served with CORS on one origin, embedded on a page of another.

use serde_json::{json, Value};
use solodesk_tests::browser::Browser;
use solodesk_tests::server::StaticServer;
use solodesk_tests::{kbgen_bin, kbgen_build, TempDir};
use std::path::Path;
use std::process::Command;

/// A coffee roaster's help center: one article linking to another, a rule answer linking to an
/// article, and the launcher lifted 80 px in `kbgen.toml`.
fn knowledge_base() -> TempDir {
    let kb = TempDir::new("launcher-kb");
    let write = |rel: &str, text: &str| {
        let path = kb.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "kbgen.toml",
        "[site]\ntitle = \"Hilltop Roast Help\"\nbase_url = \"/\"\nsupport_email = \"hello@hilltop.example\"\n\
         default_language = \"en\"\nlanguages = [\"en\"]\n\n[widget]\noffset_y = 80\n\n\
         [categories.coffee]\ntitle = \"Coffee\"\n",
    );
    write(
        "articles/en/decaf.md",
        "---\ntitle: Decaf coffee\nid: decaf\nlang: en\ncategory: coffee\n---\n\n\
         Our decaf is Swiss Water processed. Brew it like any other coffee: see [brewing](brewing.md).\n",
    );
    write(
        "articles/en/brewing.md",
        "---\ntitle: Brewing guide\nid: brewing\nlang: en\ncategory: coffee\n---\n\n\
         Use 60 g of coffee per litre of water.\n",
    );
    write(
        "rules.toml",
        "[[rule]]\nid = \"decaf\"\nlang = \"en\"\nphrasings = [\"do you sell decaf\", \"decaf coffee\"]\n\
         answer = \"Yes: read about [our decaf](decaf.md).\"\narticles = [\"decaf\"]\n",
    );
    kb
}

/// The tag `kbgen snippet` prints for the knowledge base served at `base`.
fn snippet(kb: &Path, base: &str) -> String {
    let out = Command::new(kbgen_bin())
        .arg("snippet")
        .arg(kb)
        .args(["--base-url", base])
        .output()
        .expect("running kbgen snippet");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .find(|l| l.starts_with("<script"))
        .expect("a script tag")
        .to_string()
}

/// The owner's shop page: a cookie banner fixed at the bottom, 60 px high, with its OK button at
/// the right (`#ok`) and another at the left (`#ok-left`), then the widget's tag.
fn shop_page(dir: &Path, name: &str, html_attrs: &str, tag: &str) {
    std::fs::write(
        dir.join(format!("{name}.html")),
        format!(
            "<!doctype html>\n<html lang=\"en\"{html_attrs}><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Shop</title></head>\n\
             <body style=\"margin:0\"><h1>Hilltop Roast</h1>\n\
             <div id=\"banner\" style=\"position:fixed;left:0;right:0;bottom:0;height:60px;background:#222;z-index:10\">\
             <button id=\"ok-left\" style=\"position:absolute;left:12px;top:10px;width:90px;height:40px\">OK</button>\
             <button id=\"ok\" style=\"position:absolute;right:12px;top:10px;width:90px;height:40px\">OK</button></div>\n\
             {tag}\n</body></html>"
        ),
    )
    .unwrap();
}

/// Serves the built help center with the CORS header a production host sends.
fn help_center(out: &Path) -> StaticServer {
    StaticServer::with_headers(
        out,
        vec![("Access-Control-Allow-Origin".into(), "*".into())],
    )
}

const PRELUDE: &str = "const H = document.querySelector('solodesk-widget');
const S = H && H.shadowRoot;
const box = (e) => { const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };";

async fn js(b: &Browser, body: &str) -> Value {
    b.js(&format!("{PRELUDE}\n{body}"), vec![]).await
}

async fn wait(b: &Browser, what: &str, body: &str) -> Value {
    b.wait_for(what, &format!("{PRELUDE}\n{body}"), vec![])
        .await
}

fn rect(v: &Value) -> [f64; 4] {
    ["left", "top", "right", "bottom"].map(|k| v[k].as_f64().unwrap())
}

fn intersects(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// Loads `url` and returns the launcher's rect, the two OK buttons' rects and the viewport size,
/// once the launcher is drawn.
async fn layout(b: &Browser, url: &str) -> (Value, Value, Value, [f64; 2]) {
    b.client.goto(url).await.unwrap();
    wait(
        b,
        "the launcher",
        "return !!(S && S.querySelector('.sd-launcher'));",
    )
    .await;
    let v = js(
        b,
        "return [box(S.querySelector('.sd-launcher')), box(document.getElementById('ok')),
                 box(document.getElementById('ok-left')), [innerWidth, innerHeight]];",
    )
    .await;
    let size = [v[3][0].as_f64().unwrap(), v[3][1].as_f64().unwrap()];
    (v[0].clone(), v[1].clone(), v[2].clone(), size)
}

/// Issue 16, item 11: with `offset_y = 80` in kbgen.toml (or `data-offset-y="80"` on the tag),
/// the launcher sits above a 60 px cookie banner, on the side asked for, at desktop and phone
/// widths, the shell laid out early takes no click meant for the page, and the open panel is
/// inside the window.
#[tokio::test(flavor = "multi_thread")]
async fn the_launcher_clears_a_cookie_banner_on_either_side() {
    let kb = knowledge_base();
    let out = TempDir::new("launcher-out");
    kbgen_build(kb.path(), out.path());
    let help = help_center(out.path());
    let tag = snippet(kb.path(), &help.url("/"));
    assert!(tag.contains(" data-offset-y=\"80\""), "{tag}");
    assert!(tag.contains(" data-position=\"end\""), "{tag}");
    assert!(
        tag.contains(" data-email=\"hello@hilltop.example\""),
        "{tag}"
    );
    // The help center's own pages carry the same offset, and the owner's address for the
    // loader's fallback (issue 16, item 3).
    let home = std::fs::read_to_string(out.path().join("en/index.html")).unwrap();
    let own = home
        .lines()
        .find(|l| l.contains("data-solodesk"))
        .expect("the help center's widget tag");
    for attr in [
        " data-offset-y=\"80\"",
        " data-email=\"hello@hilltop.example\"",
    ] {
        assert!(own.contains(attr), "{own}");
    }

    let shop = TempDir::new("launcher-shop");
    shop_page(shop.path(), "right", "", &tag);
    // The same offset given on the tag alone, as an owner edits a pasted snippet.
    let by_hand = tag.replace(" data-offset-y=\"80\"", "").replace(
        "data-position=\"end\"",
        "data-position=\"left\" data-offset-y=\"80\"",
    );
    shop_page(shop.path(), "left", "", &by_hand);
    // `end` on a right-to-left page is the left.
    shop_page(shop.path(), "rtl", " dir=\"rtl\"", &tag);
    let shop_server = StaticServer::start(shop.path());

    for (width, height) in [(1280, 800), (390, 844)] {
        let b = Browser::start(width, height).await;
        for name in ["right", "left", "rtl"] {
            let at = format!("{name} at {width} px");
            let (launcher, ok, ok_left, [vw, vh]) =
                layout(&b, &shop_server.url(&format!("/{name}.html"))).await;
            let l = rect(&launcher);
            assert!(
                !intersects(l, rect(&ok)) && !intersects(l, rect(&ok_left)),
                "{at}: the launcher {launcher} covers an OK button ({ok}, {ok_left})"
            );
            assert!(
                l[0] >= 0.0 && l[1] >= 0.0 && l[2] <= vw && l[3] <= vh,
                "{at}: the launcher {launcher} is outside the {vw}×{vh} window"
            );
            // 80 px above the bottom (the safe area is 0 here), and 20 px from its side.
            assert!((vh - l[3] - 80.0).abs() < 1.0, "{at}: {launcher}");
            let on_left = name != "right";
            let gap = if on_left { l[0] } else { vw - l[2] };
            assert!(
                (gap - 20.0).abs() < 1.0,
                "{at}: not on the {} side: {launcher}",
                if on_left { "left" } else { "right" }
            );
            // The panel's shell is laid out early, invisible (the click then only shows it):
            // it must take no click meant for the page, wherever it lies (the whole screen on a
            // phone).
            let hits = wait(
                &b,
                "the shell laid out early",
                "const d = S.querySelector('.sd-dialog.sd-early');
                 if (!d || !d.querySelector('.sd-shell')) return false;
                 const at = (e) => { const r = e.getBoundingClientRect(); return document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2); };
                 return [getComputedStyle(d).visibility, at(d) === H, at(document.getElementById('ok')).id, box(d)];",
            )
            .await;
            assert_eq!(
                [&hits[0], &hits[1], &hits[2]],
                [&json!("hidden"), &json!(false), &json!("ok")],
                "{at}"
            );
            // On a phone the shell is the whole screen, on either side.
            if width < 480 {
                assert_eq!(rect(&hits[3]), [0.0, 0.0, vw, vh], "{at}: the shell");
            }
            b.screenshot(&format!("launcher-{name}-{width}")).await;
        }
        // The panel opens inside the window (above the lifted launcher on a desktop, over the
        // whole screen on a phone, on either side).
        for name in ["right", "left"] {
            layout(&b, &shop_server.url(&format!("/{name}.html"))).await;
            js(&b, "S.querySelector('.sd-launcher').click();").await;
            wait(
                &b,
                "the panel",
                "return !!S.querySelector('.sd-root .sd-input');",
            )
            .await;
            // Measured once its opening animation (a short slide) has ended.
            let panel = wait(
                &b,
                "the panel's opening animation",
                "const d = S.querySelector('.sd-dialog'); return !d.getAnimations().length && box(d);",
            )
            .await;
            let p = rect(&panel);
            let size = js(&b, "return [innerWidth, innerHeight];").await;
            let (vw, vh) = (size[0].as_f64().unwrap(), size[1].as_f64().unwrap());
            assert!(
                p[0] >= 0.0 && p[1] >= 0.0 && p[2] <= vw && p[3] <= vh && p[2] - p[0] > 200.0,
                "{name} at {width} px: the open panel {panel} is not inside the {vw}×{vh} window"
            );
            if width < 480 {
                assert_eq!(
                    p,
                    [0.0, 0.0, vw, vh],
                    "{name} at {width} px: the open panel"
                );
            }
            b.screenshot(&format!("launcher-panel-{name}-{width}"))
                .await;
        }
        b.close().await;
    }
}

/// An owner who moves the launcher 600 px from the side (kbgen's largest offset) to clear a
/// desktop page's sidebar: it stands there at 1280 px, and on a 390 px phone, where 600 px is off
/// the screen, as far as the screen lets it, whole and clickable; the panel opens inside the
/// window either way, on both sides.
#[tokio::test(flavor = "multi_thread")]
async fn a_wide_side_offset_keeps_the_launcher_on_a_phone() {
    let kb = knowledge_base();
    let out = TempDir::new("launcher-far-out");
    kbgen_build(kb.path(), out.path());
    let help = help_center(out.path());
    let tag = snippet(kb.path(), &help.url("/"));
    let shop = TempDir::new("launcher-far-shop");
    let far = tag.replace(
        "data-position=\"end\"",
        "data-position=\"end\" data-offset-x=\"600\"",
    );
    assert_ne!(far, tag);
    shop_page(shop.path(), "far-right", "", &far);
    shop_page(
        shop.path(),
        "far-left",
        "",
        &far.replace("\"end\"", "\"left\""),
    );
    let shop_server = StaticServer::start(shop.path());
    for (width, height) in [(1280, 800), (390, 844)] {
        let b = Browser::start(width, height).await;
        for name in ["far-right", "far-left"] {
            let at = format!("{name} at {width} px");
            let (launcher, _, _, [vw, vh]) =
                layout(&b, &shop_server.url(&format!("/{name}.html"))).await;
            let l = rect(&launcher);
            assert!(
                l[0] >= 0.0 && l[2] <= vw && l[3] <= vh && l[2] - l[0] > 40.0,
                "{at}: the launcher {launcher} is not inside the {vw}×{vh} window"
            );
            let gap = if name == "far-left" { l[0] } else { vw - l[2] };
            if width > 480 {
                assert!((gap - 600.0).abs() < 1.0, "{at}: {launcher}");
            }
            js(&b, "S.querySelector('.sd-launcher').click();").await;
            let panel = wait(
                &b,
                "the panel, opened",
                "const d = S.querySelector('.sd-dialog');
                 return !!S.querySelector('.sd-root .sd-input') && !d.getAnimations().length && box(d);",
            )
            .await;
            let p = rect(&panel);
            assert!(
                p[0] >= 0.0 && p[1] >= 0.0 && p[2] <= vw && p[3] <= vh && p[2] - p[0] > 200.0,
                "{at}: the open panel {panel} is not inside the {vw}×{vh} window"
            );
            b.screenshot(&format!("launcher-{name}-{width}")).await;
        }
        b.close().await;
    }
}

/// Links in a rule answer and in an article opened in the widget, on the owner's page of another
/// origin: they point at the help center (kbgen wrote `/en/decaf/`, as `base_url` has no host),
/// open a new tab, and carry `rel="noopener noreferrer"`.
#[tokio::test(flavor = "multi_thread")]
async fn links_in_answers_point_at_the_help_center_in_a_new_tab() {
    let kb = knowledge_base();
    let out = TempDir::new("launcher-out");
    kbgen_build(kb.path(), out.path());
    let help = help_center(out.path());
    let shop = TempDir::new("launcher-shop");
    shop_page(shop.path(), "shop", "", &snippet(kb.path(), &help.url("/")));
    let shop_server = StaticServer::start(shop.path());
    assert_ne!(help.origin(), shop_server.origin());

    let b = Browser::start(1280, 800).await;
    b.client.goto(&shop_server.url("/shop.html")).await.unwrap();
    wait(&b, "the launcher", "return !!S;").await;
    b.js("Solodesk.ask('do you sell decaf');", vec![]).await;
    let links = |sel: &str| {
        format!(
            "const a = [...S.querySelectorAll('{sel} a')];
             return a.length > 0 && a.map((e) => [e.href, e.target, e.rel]);"
        )
    };
    let rule = wait(&b, "the rule's answer", &links(".sd-rule .sd-answer")).await;
    assert_eq!(
        rule,
        json!([[help.url("/en/decaf/"), "_blank", "noopener noreferrer"]]),
        "the rule answer's link"
    );
    js(&b, "S.querySelector('.sd-rule .sd-item').click();").await;
    let body = wait(
        &b,
        "the article's body",
        &links(".sd-article-body:not([aria-busy])"),
    )
    .await;
    assert_eq!(
        body,
        json!([[help.url("/en/brewing/"), "_blank", "noopener noreferrer"]]),
        "the article body's link"
    );
    let full = js(
        &b,
        "const a = S.querySelector('.sd-article a.sd-link'); return [a.href, a.target, a.rel];",
    )
    .await;
    assert_eq!(
        full,
        json!([help.url("/en/decaf/"), "_blank", "noopener noreferrer"])
    );
    b.close().await;
}
