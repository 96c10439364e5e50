//! The widget conversation a ticket's machine block carries: stored once per ticket whatever the
//! replies quote, and reported, not guessed, when a mail client cut the block.

use crate::desk::widget_ticket::block::{Answer, Turn as BlockTurn};
use crate::desk::widget_ticket::{compose, Ticket, Turn, MAX_URL_LEN};
use crate::desk::{by_ref, desk, json, kb, message_from_mailto, sync, tickets, OWNER};
use crate::run;
use serde_json::Value;
use std::path::Path;

/// One turn as the widget records it; the titles are the ids upper-cased.
pub(crate) fn turn(
    question: &str,
    answer: Answer,
    rule: Option<&str>,
    ids: &[&str],
    rating: Option<bool>,
) -> Turn {
    Turn {
        block: BlockTurn {
            question: question.into(),
            answer,
            rule: rule.map(str::to_string),
            articles: ids.iter().map(|s| s.to_string()).collect(),
            rating,
        },
        titles: ids.iter().map(|s| s.to_uppercase()).collect(),
    }
}

/// The email a mail client sends for a widget ticket with these turns.
pub(crate) fn widget_mail(
    reference: &str,
    from: &str,
    lang: &str,
    message: &str,
    turns: &[Turn],
) -> Vec<u8> {
    let t = Ticket {
        site: "Acme",
        reference,
        email: from,
        message,
        page_url: "https://acme.test/help/orders/",
        lang,
        time: "2026-03-02T10:00:00Z",
        widget_version: "0.1.0",
        turns,
        ..Ticket::default()
    };
    let m = compose(OWNER, &t, MAX_URL_LEN, "");
    assert!(!m.too_long);
    message_from_mailto(&m.url, from, &format!("{reference}@{}", host(from)))
}

fn host(addr: &str) -> &str {
    addr.split_once('@').unwrap().1
}

/// `raw`'s body, for quoting it in a reply.
fn body_of(raw: &[u8]) -> String {
    let s = String::from_utf8(raw.to_vec()).unwrap();
    s.split_once("\r\n\r\n").unwrap().1.to_string()
}

fn quote(body: &str, depth: usize) -> String {
    let prefix = "> ".repeat(depth);
    body.lines().map(|l| format!("{prefix}{l}\r\n")).collect()
}

fn write_all(dir: &Path, mails: &[(&str, Vec<u8>)]) {
    for (name, raw) in mails {
        std::fs::write(dir.join(name), raw).unwrap();
    }
}

#[test]
fn the_conversation_is_stored_once_even_when_replies_quote_the_whole_block() {
    let turns = [
        turn(
            "what is your return policy",
            Answer::Rule,
            Some("refund"),
            &["refunds"],
            Some(true),
        ),
        turn(
            "can I return a used kettle",
            Answer::Articles,
            None,
            &["refunds", "warranty"],
            Some(false),
        ),
        turn("do you ship to Iceland", Answer::None, None, &[], None),
    ];
    let ticket = widget_mail(
        "7KQ2MX",
        "ann@example.com",
        "en",
        "My kettle broke after a week.",
        &turns,
    );
    // The owner answers, quoting everything; the customer answers that with a new subject and
    // no threading headers, quoting it all again, so only the quoted block names the ticket.
    let answer = format!(
        "From: {OWNER}\r\nTo: ann@example.com\r\nSubject: Re: your kettle\r\nDate: Mon, 02 Mar 2026 12:00:00 +0000\r\nMessage-ID: <a1@acme.test>\r\nIn-Reply-To: <7KQ2MX@example.com>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nWe will send a new one.\r\n\r\nOn Mon, Ann wrote:\r\n{}",
        quote(&body_of(&ticket), 1)
    );
    let follow_up = format!(
        "From: ann@example.com\r\nTo: {OWNER}\r\nSubject: kettle again\r\nDate: Tue, 03 Mar 2026 09:00:00 +0000\r\nMessage-ID: <f1@example.com>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nThanks! And Iceland?\r\n\r\n{}",
        quote(&body_of(answer.as_bytes()), 1)
    );
    let mail = tempfile::tempdir().unwrap();
    write_all(
        mail.path(),
        &[
            ("1.eml", ticket),
            ("2.eml", answer.into_bytes()),
            ("3.eml", follow_up.into_bytes()),
        ],
    );
    let (_t, kb) = kb("[desk]\nclose_after_days = 0\n");
    let (ok, out, err) = sync(&kb, &["--eml", mail.path().to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (&v["conversations"], &v["damaged_blocks"]),
        (&1.into(), &0.into()),
        "{v}"
    );
    let t = tickets(&kb);
    assert_eq!(
        t.len(),
        1,
        "a quoted block made a ticket of its own: {t:#?}"
    );
    let ann = by_ref(&t, "7KQ2MX");
    assert_eq!(
        (&ann["message_count"], &ann["status"]),
        (&3.into(), &"open".into())
    );
    assert_eq!(ann["block"], "read");

    let show = json(&mut desk(&kb, &["show", "7KQ2MX"]));
    let c = &show["ticket"]["conversation"];
    assert_eq!(c["page"], "https://acme.test/help/orders/");
    assert_eq!(
        (&c["lang"], &c["widget_version"]),
        (&"en".into(), &"0.1.0".into())
    );
    assert_eq!(c["omitted"], 0);
    let got: Vec<(String, String, Value, Value, Value)> = c["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["question"].as_str().unwrap().to_string(),
                u["answer"].as_str().unwrap().to_string(),
                u["rule"].clone(),
                u["articles"].clone(),
                u["rating"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "what is your return policy".into(),
                "rule".into(),
                "refund".into(),
                serde_json::json!(["refunds"]),
                true.into()
            ),
            (
                "can I return a used kettle".into(),
                "articles".into(),
                Value::Null,
                serde_json::json!(["refunds", "warranty"]),
                false.into()
            ),
            (
                "do you ship to Iceland".into(),
                "none".into(),
                Value::Null,
                serde_json::json!([]),
                Value::Null
            ),
        ]
    );

    let (ok, text, err) = run(&mut desk(&kb, &["show", "7KQ2MX"]));
    assert!(ok, "{err}");
    assert!(
        text.contains("widget conversation (3 questions, widget 0.1.0):"),
        "{text}"
    );
    assert!(
        text.contains("2. can I return a used kettle\n     answered with articles; shown: refunds, warranty; rated No"),
        "{text}"
    );
    assert!(text.contains("1. what is your return policy\n     answered by rule refund; shown: refunds; rated Yes"), "{text}");

    // A second sync, and the same mail as an mbox, add nothing.
    let (ok, out, err) = sync(&kb, &["--eml", mail.path().to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (&v["conversations"], &v["tickets"]),
        (&0.into(), &1.into()),
        "{v}"
    );
    let show = json(&mut desk(&kb, &["show", "7KQ2MX"]));
    assert_eq!(
        show["ticket"]["conversation"]["turns"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn a_block_cut_by_a_mail_client_is_reported_and_the_mail_still_becomes_the_ticket() {
    let turns = [turn(
        "烘焙日期是哪天",
        Answer::Weak,
        None,
        &["roast"],
        Some(false),
    )];
    let raw = String::from_utf8(widget_mail(
        "9XW4RT",
        "wei@example.cn",
        "zh",
        "咖啡豆是什么时候烘焙的？",
        &turns,
    ))
    .unwrap();
    // The client kept only the first half of the block's line.
    let line = raw.lines().find(|l| l.starts_with("solodesk:v1:")).unwrap();
    let cut = raw.replace(line, &line[..line.len() / 2]);
    assert_ne!(cut, raw);
    let mail = tempfile::tempdir().unwrap();
    write_all(mail.path(), &[("1.eml", cut.into_bytes())]);
    let (_t, kb) = kb("");
    let (ok, out, err) = sync(&kb, &["--eml", mail.path().to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    assert!(
        err.contains("1 widget machine blocks were unreadable"),
        "{err}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (&v["conversations"], &v["damaged_blocks"]),
        (&0.into(), &1.into()),
        "{v}"
    );
    let t = tickets(&kb);
    let wei = by_ref(&t, "9XW4RT");
    assert_eq!(
        (&wei["block"], &wei["customer"]),
        (&"damaged".into(), &"wei@example.cn".into())
    );
    let show = json(&mut desk(&kb, &["show", "9XW4RT"]));
    assert_eq!(show["ticket"]["conversation"], Value::Null);
    let body = show["ticket"]["messages"][0]["body"].as_str().unwrap();
    assert!(body.contains("咖啡豆是什么时候烘焙的？"), "{body}");
    let (ok, text, _) = run(&mut desk(&kb, &["show", "9XW4RT"]));
    assert!(ok);
    assert!(
        text.contains("widget conversation: the machine block was unreadable (cut or damaged by a mail client)"),
        "{text}"
    );
}
