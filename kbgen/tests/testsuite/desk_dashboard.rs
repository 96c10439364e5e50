//! `/_desk/` in `kbgen serve`: server-rendered pages of the desk, without script, for loopback
//! requests only.

use crate::desk_insights::desk_kb;
use crate::serve::Served;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// (status, head, body) of a GET with this Host header.
fn get(addr: &str, host: &str, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_string())
}

#[test]
fn the_desk_page_lists_open_tickets_charts_and_gaps_without_script() {
    let (_t, kb, _m) = desk_kb();
    let server = Served::start(&kb);
    let addr = &server.addr;
    // Where the desk is, said when serving starts.
    assert!(
        server
            .said
            .contains(&format!("your desk: http://{addr}/_desk/")),
        "{}",
        server.said
    );
    let (status, head, page) = get(addr, addr, "/_desk/");
    assert_eq!(status, 200, "{page}");
    assert!(
        head.contains("content-security-policy: default-src 'none'"),
        "{head}"
    );
    assert!(!page.contains("<script"), "{page}");
    assert!(page.contains("<html lang=\"en\">"));
    // Open tickets, oldest first: the widget tickets of Monday before Tuesday's mail.
    let first = page.find("#7KQ2MX</a>").expect("7KQ2MX listed");
    let later = page
        .find("Shipping to Iceland?</td>")
        .expect("the plain mail listed");
    assert!(first < later);
    assert!(page.contains("<th scope=\"col\">Reference</th>"), "{page}");
    // Two charts, each named for screen readers and with its numbers in a table.
    assert_eq!(page.matches("<svg ").count(), 2, "{page}");
    assert!(page
        .contains("role=\"img\" aria-labelledby=\"tickets-per-week-title tickets-per-week-desc\""));
    assert!(page.contains("week of 2026-03-02: 6 tickets"), "{page}");
    // What to write next, the Iceland group first.
    let gaps = &page[page.find("<h2 id=\"gaps\">").unwrap()..];
    assert!(gaps.contains("(3 tickets, en)"), "{gaps}");
    assert!(
        gaps.contains("Asked: <bdi>do you ship to Iceland</bdi>"),
        "{gaps}"
    );
    // A form that works without JavaScript leads to the customer's history.
    assert!(page.contains("<label for=\"email\">Customer email</label>"));
    assert!(page.contains("<form method=\"get\" action=\"/_desk/customer\""));

    let (status, _, ann) = get(addr, addr, "/_desk/customer?email=ann%40example.com");
    assert_eq!(status, 200);
    assert!(ann.contains("<h2 id=\"t-7KQ2MX\">#7KQ2MX"), "{ann}");
    // The machine block is read as the conversation below, not shown as a line of code.
    assert!(!ann.contains("solodesk:v1:"), "{ann}");
    assert!(ann.contains("The refund did not arrive."), "{ann}");
    // Times as people write them, not RFC 3339's `T…Z`.
    assert!(ann.contains(" UTC</p>"), "{ann}");
    assert!(!ann.contains("Z</p>"), "{ann}");
    assert!(
        ann.contains(
            "<tr><td data-label=\"Question\">can I get a refund</td><td data-label=\"Answer\">rule refund</td><td data-label=\"Shown\">refunds</td><td data-label=\"Rating\">No</td></tr>"
        ),
        "{ann}"
    );
    assert!(ann.contains("The refund did not arrive."), "{ann}");
    // Times as people write them, not RFC 3339's `T…Z`.
    assert!(ann.contains(" UTC</p>"), "{ann}");
    assert!(!ann.contains("Z</p>"), "{ann}");

    // What a visitor typed is text, never markup.
    let (_, _, evil) = get(
        addr,
        addr,
        "/_desk/customer?email=%3Cscript%3Ex%3C%2Fscript%3E",
    );
    assert!(!evil.contains("<script>"), "{evil}");
    assert!(evil.contains("&lt;script&gt;"), "{evil}");

    // Only loopback names are answered.
    let (status, _, _) = get(addr, "desk.example.com", "/_desk/");
    assert_eq!(status, 421);
    let (status, _, _) = get(addr, addr, "/_desk/nothing");
    assert_eq!(status, 404);
}

#[test]
fn without_a_desk_the_page_says_how_to_start() {
    let (_t, kb) = crate::copy_fixture("basic");
    let server = Served::start(&kb);
    let (status, _, page) = get(&server.addr, &server.addr, "/_desk/");
    assert_eq!(status, 200);
    assert!(
        page.contains("No desk yet. Run <code>kbgen desk sync"),
        "{page}"
    );
    assert!(
        !kb.join(".kbgen/desk.sqlite").exists(),
        "the page created a desk"
    );
}
