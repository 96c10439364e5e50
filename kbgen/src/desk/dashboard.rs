//! `/_desk/` in `kbgen serve`: the desk as server-rendered HTML for the owner's browser.
//!
//! `kbgen serve` listens on 127.0.0.1 only and answers only loopback `Host` names, so the
//! customers' mail never leaves the machine. Pages are plain HTML with inline SVG charts and no
//! script, so they work with JavaScript off; every chart has its numbers in a table too.
//! Pages: `/_desk/` (open tickets by age, charts, what to write next) and
//! `/_desk/customer?email=…` (one customer's history, oldest first).

use super::insights::{self, Catalog};
use super::store::{self, Store};
use super::{duration, mail};
use crate::markdown::escape as esc;
use std::fmt::Write as _;
use std::path::Path;

/// The answers' Content-Security-Policy: no script at all, styles and SVG inline only.
pub const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The page for a request target under `/_desk`: (HTTP status, HTML).
pub fn page(kb: &Path, target: &str) -> (u16, String) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let path = path.trim_end_matches('/');
    let result = match path {
        "/_desk" => overview(kb),
        "/_desk/customer" => {
            let email = param(query, "email").unwrap_or_default();
            customer(kb, &email)
        }
        _ => {
            return (
                404,
                shell(
                    "Not found",
                    "<h1>Not found</h1>\n<p><a href=\"/_desk/\">Back to the desk</a></p>\n",
                ),
            )
        }
    };
    match result {
        Ok(html) => (200, html),
        Err(e) => (
            500,
            shell(
                "Desk error",
                &format!(
                    "<h1>The desk could not be read</h1>\n<pre>{}</pre>\n",
                    esc(&format!("{e:#}"))
                ),
            ),
        ),
    }
}

/// A query parameter, form-decoded (`+` is a space).
fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .trim()
                .to_string()
        })
    })
}

fn url_component(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Colours checked for WCAG AA: text #1b1b1b and links #0b4f9c on white (≥ 7:1), muted text
/// #4a4a4a (≥ 8:1), bars #1f5fa8 against white (≥ 6:1, 3:1 needed for graphics). In a dark
/// system theme: text #e8e8e8 on #121212 (≥ 15:1), header cells on #262626 (≥ 12:1), links and
/// the button #8ab4f8 (≥ 8:1, the button's text #121212 on it alike), muted text #b0b0b0 (≥ 8:1),
/// bars #6ea8fe (≥ 7:1).
const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff;margin:0 auto;max-width:72rem;padding:1rem 1.5rem}
a{color:#0b4f9c}a:focus,input:focus,button:focus{outline:3px solid #0b4f9c;outline-offset:2px}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #767676;vertical-align:top}th{background:#f2f2f2}
.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#4a4a4a}
.charts{display:flex;flex-wrap:wrap;gap:2rem}figure{margin:0;flex:1 1 24rem}figcaption{font-weight:600}
svg .bar{fill:#1f5fa8}svg text{font:12px system-ui,sans-serif;fill:#1b1b1b}
label{font-weight:600;margin-right:.5rem}input{font:inherit;padding:.3rem;border:1px solid #767676}
button{font:inherit;padding:.3rem .8rem;border:1px solid #0b4f9c;background:#0b4f9c;color:#fff;cursor:pointer}
blockquote{margin:.25rem 0;padding:.25rem .75rem;border-left:4px solid #767676;white-space:pre-wrap}
ol.gaps>li{margin-bottom:1rem}
td,th,blockquote,li,h2,h3{overflow-wrap:break-word}td,blockquote{unicode-bidi:plaintext}
@media (max-width:40rem){body{padding:.75rem}table{display:block;overflow-x:auto}
table.cards thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
table.cards,table.cards caption,table.cards tbody,table.cards tr,table.cards td{display:block}
table.cards tr{border-bottom:1px solid #767676;padding:.4rem 0}table.cards td{border:0;padding:.1rem 0;text-align:left}
table.cards td::before{content:attr(data-label) \": \";font-weight:600}table.cards td:empty{display:none}}
:root{color-scheme:light dark}
@media (prefers-color-scheme:dark){body{color:#e8e8e8;background:#121212}a{color:#8ab4f8}
a:focus,input:focus,button:focus{outline-color:#8ab4f8}th{background:#262626}th,td{border-bottom-color:#8a8a8a}
.muted{color:#b0b0b0}svg .bar{fill:#6ea8fe}svg text{fill:#e8e8e8}
input{background:#1e1e1e;color:#e8e8e8;border-color:#8a8a8a}button{background:#8ab4f8;border-color:#8ab4f8;color:#121212}
blockquote{border-left-color:#8a8a8a}}";

fn shell(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} · kbgen desk</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header><p><a href=\"/_desk/\">Desk</a> · <a href=\"/\">Help center preview</a></p></header>\n<main>\n{body}</main>\n</body>\n</html>\n",
        esc(title)
    )
}

/// A moment as the owner reads it: `2026-11-02 09:00 UTC` (the store keeps seconds since 1970).
fn shown_time(at: i64) -> String {
    let t = mail::rfc3339(at);
    match (t.get(..10), t.get(10..11), t.get(11..16)) {
        (Some(day), Some("T"), Some(time)) => format!("{day} {time} UTC"),
        _ => t,
    }
}

fn now() -> i64 {
    super::now()
}

fn customer_form(value: &str) -> String {
    format!(
        "<form method=\"get\" action=\"/_desk/customer\" role=\"search\">\n<label for=\"email\">Customer email</label>\n<input id=\"email\" name=\"email\" type=\"email\" required value=\"{}\">\n<button type=\"submit\">Show history</button>\n</form>\n",
        esc(value)
    )
}

/// The oldest open tickets the page lists.
const OPEN_SHOWN: usize = 100;

fn overview(kb: &Path) -> anyhow::Result<String> {
    let mut b = String::from("<h1>Desk</h1>\n");
    if !super::exists(kb) {
        let _ = writeln!(
            b,
            "<p>No desk yet. Run <code>kbgen desk sync {}</code> to read your support mailbox.</p>",
            esc(&kb.display().to_string())
        );
        return Ok(shell("Desk", &b));
    }
    let store = Store::open_existing(kb)?;
    let all = store.tickets(None)?;
    let open: Vec<&store::Ticket> = all.iter().filter(|t| t.status == "open").collect();
    let _ = writeln!(
        b,
        "<p>{} tickets, {} open, {} answered, {} closed.</p>",
        all.len(),
        open.len(),
        all.iter().filter(|t| t.status == "answered").count(),
        all.iter().filter(|t| t.status == "closed").count()
    );
    b.push_str(&customer_form(""));

    b.push_str("<h2 id=\"charts\">Tickets and response times</h2>\n<div class=\"charts\">\n");
    let weeks = weekly(&all, 12);
    b.push_str(&bar_chart(
        "tickets-per-week",
        "Tickets per week",
        &weeks
            .iter()
            .map(|w| (w.label.clone(), Some(w.tickets as f64)))
            .collect::<Vec<_>>(),
        |v| format!("{v:.0}"),
        "tickets",
    ));
    b.push_str(&bar_chart(
        "median-response",
        "Median first response, hours",
        &weeks
            .iter()
            .map(|w| {
                (
                    w.label.clone(),
                    w.median_response.map(|s| s as f64 / 3600.0),
                )
            })
            .collect::<Vec<_>>(),
        |v| format!("{v:.1}"),
        "hours",
    ));
    b.push_str("</div>\n<p class=\"muted\">Conversations that ended without a ticket never reach your mailbox, so the desk cannot count them.</p>\n");

    b.push_str("<h2 id=\"open\">Open tickets, oldest first</h2>\n");
    if open.is_empty() {
        b.push_str("<p>No open ticket.</p>\n");
    } else {
        b.push_str("<table class=\"cards\">\n<caption>Open tickets by age</caption>\n<thead><tr><th scope=\"col\">Reference</th><th scope=\"col\" class=\"num\">Age</th><th scope=\"col\">Customer</th><th scope=\"col\">Subject</th><th scope=\"col\">Category</th></tr></thead>\n<tbody>\n");
        for t in open.iter().take(OPEN_SHOWN) {
            let href = format!(
                "/_desk/customer?email={}#t-{}",
                url_component(&t.customer),
                esc(&t.reference)
            );
            let _ = writeln!(
                b,
                "<tr><td data-label=\"Reference\"><a href=\"{}\">#{}</a></td><td data-label=\"Age\" class=\"num\">{}</td><td data-label=\"Customer\">{}</td><td data-label=\"Subject\">{}</td><td data-label=\"Category\">{}</td></tr>",
                esc(&href),
                esc(&t.reference),
                t.opened_at
                    .map_or("-".into(), |o| duration(now() - o)),
                esc(&t.customer),
                esc(&t.subject),
                esc(t.category.as_deref().unwrap_or("")),
            );
        }
        b.push_str("</tbody>\n</table>\n");
        if open.len() > OPEN_SHOWN {
            let _ = writeln!(
                b,
                "<p>And {} more; <code>kbgen desk list --status open</code> lists them all.</p>",
                open.len() - OPEN_SHOWN
            );
        }
    }

    gaps(kb, &store, &mut b)?;
    Ok(shell("Desk", &b))
}

/// The page's "What to write next": the failed questions the knowledge base still does not
/// answer, grouped as `desk gaps` groups them.
fn gaps(kb: &Path, store: &Store, b: &mut String) -> anyhow::Result<()> {
    b.push_str("<h2 id=\"gaps\">What to write next</h2>\n");
    let loaded = {
        let mut diags = crate::diag::Diagnostics::default();
        crate::load::load(kb, &mut diags)
    };
    let catalog = Catalog::new(&loaded);
    let (failed, answered_now) =
        insights::still_failing(insights::failed_questions(store)?, &loaded);
    let clusters = insights::cluster(&failed, &catalog.default_lang);
    if answered_now > 0 {
        let _ = writeln!(
            b,
            "<p>Left out: {} that failed then and that the knowledge base answers now (<code>kbgen desk replay</code> lists them).</p>",
            crate::strings::count(answered_now, "question")
        );
    }
    if clusters.is_empty() {
        b.push_str("<p>No failed question left to answer.</p>\n");
    } else {
        let _ = writeln!(
            b,
            "<p>{} in {}; the 10 with most tickets. <code>kbgen desk gaps --write-drafts</code> drafts an article for each.</p>\n<ol class=\"gaps\">",
            crate::strings::count(failed.len(), "failed question"),
            crate::strings::count(clusters.len(), "group")
        );
        for c in clusters.iter().take(10) {
            let title = insights::one_line(&failed[c.representative].title);
            let _ = writeln!(
                b,
                "<li><h3><bdi>{}</bdi> <span class=\"muted\">({} {}, {})</span></h3>",
                esc(&title),
                c.tickets,
                if c.tickets == 1 { "ticket" } else { "tickets" },
                esc(&insights::cluster_lang(&catalog, &failed, c))
            );
            b.push_str("<ul>\n");
            for q in insights::examples(&failed, c, 3) {
                let _ = writeln!(
                    b,
                    "<li>Asked: <bdi>{}</bdi></li>",
                    esc(&insights::one_line(&q))
                );
            }
            let (articles, rules) = insights::shown(&failed, c);
            let mut shown: Vec<String> = articles
                .iter()
                .map(|(id, n)| {
                    let t = catalog
                        .title(id, c.lang.as_deref())
                        .map_or(String::new(), |t| format!(" “{}”", esc(t)));
                    format!("{}{t} ×{n}", esc(id))
                })
                .collect();
            shown.extend(rules.iter().map(|(id, n)| format!("rule {} ×{n}", esc(id))));
            let _ = writeln!(
                b,
                "<li>Shown: {}</li>",
                if shown.is_empty() {
                    "nothing".into()
                } else {
                    shown.join(", ")
                }
            );
            let draft = catalog.draft_path(&title, c.lang.as_deref());
            if kb.join(&draft).is_file() {
                let _ = writeln!(
                    b,
                    "<li>Draft: <code dir=\"ltr\">{}</code></li>",
                    esc(&draft)
                );
            }
            b.push_str("</ul></li>\n");
        }
        b.push_str("</ol>\n");
    }
    Ok(())
}

/// One week of the charts.
struct Week {
    label: String,
    tickets: usize,
    median_response: Option<i64>,
}

/// The last `n` weeks (Monday to Sunday, UTC) up to the newest ticket's.
fn weekly(tickets: &[store::Ticket], n: usize) -> Vec<Week> {
    const WEEK: i64 = 7 * 86_400;
    // 1970-01-01 was a Thursday; Mondays are 4 days later modulo a week.
    let monday = |t: i64| (t - 4 * 86_400).div_euclid(WEEK) * WEEK + 4 * 86_400;
    let Some(last) = tickets.iter().filter_map(|t| t.opened_at).max() else {
        return Vec::new();
    };
    let last = monday(last);
    (0..n as i64)
        .rev()
        .map(|k| {
            let start = last - k * WEEK;
            let mut responses: Vec<i64> = Vec::new();
            let mut count = 0;
            for t in tickets {
                if t.opened_at.is_some_and(|o| monday(o) == start) {
                    count += 1;
                    if let (Some(r), Some(o)) = (t.first_response_at, t.opened_at) {
                        responses.push(r - o);
                    }
                }
            }
            responses.sort_unstable();
            let median = match responses.len() {
                0 => None,
                l if l % 2 == 1 => Some(responses[l / 2]),
                l => Some((responses[l / 2 - 1] + responses[l / 2]) / 2),
            };
            Week {
                label: mail::rfc3339(start)[..10].to_string(),
                tickets: count,
                median_response: median,
            }
        })
        .collect()
}

/// A bar chart as inline SVG, named for assistive technology, with its numbers in a table; a
/// week without a value (no answered ticket) shows "–", not a zero.
fn bar_chart(
    id: &str,
    title: &str,
    data: &[(String, Option<f64>)],
    fmt: impl Fn(f64) -> String,
    unit: &str,
) -> String {
    let fmt = |v: &Option<f64>| v.map_or("–".to_string(), &fmt);
    let mut s = String::new();
    let _ = writeln!(s, "<figure aria-labelledby=\"{id}-title\">");
    let _ = writeln!(
        s,
        "<figcaption id=\"{id}-title\">{}</figcaption>",
        esc(title)
    );
    if data.is_empty() {
        s.push_str("<p>No data yet.</p>\n</figure>\n");
        return s;
    }
    let (w, h, pad) = (560.0, 200.0, 24.0);
    let max = data
        .iter()
        .filter_map(|(_, v)| *v)
        .fold(0.0, f64::max)
        .max(1.0);
    let step = w / data.len() as f64;
    let _ = writeln!(
        s,
        "<svg viewBox=\"0 0 {w} {}\" width=\"100%\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\n<desc id=\"{id}-desc\">{}</desc>",
        h + pad,
        esc(&data
            .iter()
            .map(|(l, v)| format!("week of {l}: {} {unit}", fmt(v)))
            .collect::<Vec<_>>()
            .join("; "))
    );
    for (i, (label, v)) in data.iter().enumerate() {
        let v0 = v.unwrap_or(0.0);
        let bh = (v0 / max * (h - 16.0)).max(if v0 > 0.0 { 1.0 } else { 0.0 });
        let x = i as f64 * step + 4.0;
        let _ = writeln!(
            s,
            "<g><title>week of {}: {} {unit}</title><rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
            esc(label),
            fmt(v),
            h - bh,
            step - 8.0,
            x + (step - 8.0) / 2.0,
            h - bh - 3.0,
            fmt(v)
        );
        if i % 2 == 0 || data.len() <= 6 {
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + (step - 8.0) / 2.0,
                h + 16.0,
                esc(&label[5..])
            );
        }
    }
    s.push_str("</svg>\n<details><summary>The numbers</summary>\n<table>\n<thead><tr><th scope=\"col\">Week of</th>");
    let _ = write!(
        s,
        "<th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        esc(unit)
    );
    for (label, v) in data {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
            esc(label),
            fmt(v)
        );
    }
    s.push_str("</tbody>\n</table>\n</details>\n</figure>\n");
    s
}

fn customer(kb: &Path, email: &str) -> anyhow::Result<String> {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>Customer {}</h1>", esc(email));
    b.push_str(&customer_form(email));
    if email.is_empty() {
        return Ok(shell("Customer", &b));
    }
    let store = Store::open_existing(kb)?;
    let tickets = store.customer_tickets(email)?;
    if tickets.is_empty() {
        b.push_str("<p>No ticket from this address.</p>\n");
    }
    for t in &tickets {
        let _ = writeln!(
            b,
            "<section aria-labelledby=\"t-{r}\">\n<h2 id=\"t-{r}\">#{r} <bdi>{}</bdi> <span class=\"muted\">({})</span></h2>",
            esc(&t.subject),
            esc(&t.status),
            r = esc(&t.reference),
        );
        let mut facts = vec![format!(
            "Opened {}",
            t.opened_at.map_or("-".into(), shown_time)
        )];
        if let (Some(r), Some(o)) = (t.first_response_at, t.opened_at) {
            facts.push(format!("first response after {}", duration(r - o)));
        }
        if let Some(p) = &t.page {
            facts.push(format!("from {p}"));
        }
        if let Some(c) = &t.category {
            facts.push(format!("category {c}"));
        }
        let _ = writeln!(b, "<p>{}</p>", esc(&facts.join(", ")));
        match (t.block.as_deref(), store.conversation(t.id)?) {
            (_, Some(c)) => {
                b.push_str("<h3>Widget conversation</h3>\n<table class=\"cards\">\n<thead><tr><th scope=\"col\">Question</th><th scope=\"col\">Answer</th><th scope=\"col\">Shown</th><th scope=\"col\">Rating</th></tr></thead>\n<tbody>\n");
                for u in &c.turns {
                    let _ = writeln!(
                        b,
                        "<tr><td data-label=\"Question\">{}</td><td data-label=\"Answer\">{}</td><td data-label=\"Shown\">{}</td><td data-label=\"Rating\">{}</td></tr>",
                        esc(&u.question),
                        esc(&match &u.rule {
                            Some(r) => format!("{} {r}", u.answer),
                            None => u.answer.clone(),
                        }),
                        esc(&u.articles.join(", ")),
                        match u.rating {
                            Some(true) => "Yes",
                            Some(false) => "No",
                            None => "-",
                        }
                    );
                }
                b.push_str("</tbody>\n</table>\n");
            }
            (Some(state), None) if state != "read" => {
                b.push_str("<p>The widget's machine block was unreadable (cut or damaged by a mail client).</p>\n");
            }
            _ => {}
        }
        b.push_str("<h3>Messages</h3>\n");
        for m in store.messages(t.id)? {
            let _ = writeln!(
                b,
                "<article><p><strong>{}</strong>{} · {}</p><blockquote>{}</blockquote></article>",
                esc(&m.from),
                if m.from_owner { " (you)" } else { "" },
                esc(&shown_time(m.date)),
                esc(&super::ticket::without_block(&m.body))
            );
        }
        b.push_str("</section>\n");
    }
    Ok(shell(&format!("Customer {email}"), &b))
}
