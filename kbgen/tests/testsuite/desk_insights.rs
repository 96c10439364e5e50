//! `kbgen desk feedback`, `gaps` and `replay` on widget tickets (built by the widget's own ticket
//! code) and plain mail, against the `basic` knowledge base.

use crate::desk::widget_ticket::block::Answer;
use crate::desk::{desk, json, sync};
use crate::desk_conversation::{turn, widget_mail};
use crate::{copy_fixture, kbgen, run};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The `basic` knowledge base with a desk of six tickets:
/// - 7KQ2MX (en): rule `refund` rated No, then articles refunds + reset-password rated No;
/// - 4HD9ZE (en): refunds rated Yes, then "do you ship to Iceland" unanswered;
/// - 9XW4RT (zh): rule `refund-zh` rated No, then "能开发票吗" with only an unsure match;
/// - M3K7PQ (en): "How long does shipping to Iceland take?" unanswered, a rule since deleted;
/// - plain mail "Shipping to Iceland?" and plain mail "我需要开发票".
pub(crate) fn desk_kb() -> (tempfile::TempDir, PathBuf, tempfile::TempDir) {
    let (tmp, kb) = copy_fixture("basic");
    let mail = tempfile::tempdir().unwrap();
    let mails: Vec<(&str, Vec<u8>)> = vec![
        (
            "1.eml",
            widget_mail(
                "7KQ2MX",
                "ann@example.com",
                "en",
                "The refund did not arrive.",
                &[
                    turn(
                        "can I get a refund",
                        Answer::Rule,
                        Some("refund"),
                        &["refunds"],
                        Some(false),
                    ),
                    turn(
                        "refund not received",
                        Answer::Articles,
                        None,
                        &["refunds", "reset-password"],
                        Some(false),
                    ),
                ],
            ),
        ),
        (
            "2.eml",
            widget_mail(
                "4HD9ZE",
                "bob@example.net",
                "en",
                "Please tell me.",
                &[
                    turn(
                        "return policy",
                        Answer::Articles,
                        None,
                        &["refunds"],
                        Some(true),
                    ),
                    turn("do you ship to Iceland", Answer::None, None, &[], None),
                ],
            ),
        ),
        (
            "3.eml",
            widget_mail(
                "9XW4RT",
                "wei@example.cn",
                "zh",
                "我要发票。",
                &[
                    turn(
                        "我可以退款吗",
                        Answer::Rule,
                        Some("refund-zh"),
                        &["refunds"],
                        Some(false),
                    ),
                    turn("能开发票吗", Answer::Weak, None, &["refunds"], None),
                ],
            ),
        ),
        (
            "4.eml",
            widget_mail(
                "M3K7PQ",
                "dan@example.com",
                "en",
                "Waiting for my parcel.",
                &[
                    turn("gift wrapping", Answer::Rule, Some("gift-wrap"), &[], Some(false)),
                    turn(
                        "How long does shipping to Iceland take?",
                        Answer::None,
                        None,
                        &[],
                        None,
                    ),
                ],
            ),
        ),
        (
            "5.eml",
            b"From: eve@example.is\r\nTo: support@acme.test\r\nSubject: Shipping to Iceland?\r\nDate: Tue, 03 Mar 2026 10:00:00 +0000\r\nMessage-ID: <e1@example.is>\r\n\r\nDo you ship parcels to Iceland at all?\r\n".to_vec(),
        ),
        (
            "6.eml",
            "From: li@example.cn\r\nTo: support@acme.test\r\nSubject: =?UTF-8?B?5oiR6ZyA6KaB5byA5Y+R56Wo?=\r\nDate: Tue, 03 Mar 2026 11:00:00 +0000\r\nMessage-ID: <l1@example.cn>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n请给我开发票。\r\n".as_bytes().to_vec(),
        ),
    ];
    for (name, raw) in mails {
        std::fs::write(mail.path().join(name), raw).unwrap();
    }
    let (ok, _, err) = sync(&kb, &["--eml", mail.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    (tmp, kb, mail)
}

fn entry<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {list:#}"))
}

#[test]
fn feedback_counts_what_was_shown_before_each_ticket_and_what_was_rated_no() {
    let (_t, kb, _m) = desk_kb();
    let v = json(&mut desk(&kb, &["feedback"]));
    assert_eq!(v["conversations"], 4);
    let refunds = entry(&v["articles"], "refunds");
    // Shown in five turns of three tickets; rated No in three of them, Yes in one.
    assert_eq!(
        (
            &refunds["shown"],
            &refunds["tickets"],
            &refunds["rated_no"],
            &refunds["rated_yes"]
        ),
        (&5.into(), &3.into(), &3.into(), &1.into())
    );
    assert_eq!(refunds["title"], "Refunds & returns");
    let reset = entry(&v["articles"], "reset-password");
    assert_eq!(
        (&reset["shown"], &reset["rated_no"]),
        (&1.into(), &1.into())
    );
    assert_eq!(reset["title"], "Reset your password");
    // Most "No" first.
    assert_eq!(v["articles"][0]["id"], "refunds");

    let refund = entry(&v["rules"], "refund");
    assert_eq!(
        (&refund["answered"], &refund["rated_no"], &refund["in_kb"]),
        (&1.into(), &1.into(), &true.into())
    );
    assert_eq!(entry(&v["rules"], "refund-zh")["rated_no"], 1);
    let gone = entry(&v["rules"], "gift-wrap");
    assert_eq!(gone["in_kb"], false);

    let (ok, text, err) = run(&mut desk(&kb, &["feedback"]));
    assert!(ok, "{err}");
    assert!(
        text.contains("4 widget conversations that ended in a ticket"),
        "{text}"
    );
    assert!(text.contains("refunds \"Refunds & returns\""), "{text}");
    assert!(
        text.contains("gift-wrap (not in the knowledge base)"),
        "{text}"
    );
}

#[test]
fn gaps_groups_failed_questions_by_meaning_across_widget_and_plain_mail() {
    let (_t, kb, _m) = desk_kb();
    let v = json(&mut desk(&kb, &["gaps"]));
    let clusters = v["clusters"].as_array().unwrap();

    // Iceland: two widget turns and one plain mail, three tickets, ranked first.
    let first = &clusters[0];
    assert_eq!(first["tickets"], 3, "{v:#}");
    assert_eq!(first["lang"], "en");
    let examples: Vec<&str> = first["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(examples.contains(&"do you ship to Iceland"), "{examples:?}");
    assert!(
        examples.contains(&"How long does shipping to Iceland take?"),
        "{examples:?}"
    );
    assert!(
        examples
            .iter()
            .any(|e| e.starts_with("Shipping to Iceland?")),
        "{examples:?}"
    );
    let mut refs: Vec<&str> = first["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    refs.sort();
    assert!(
        refs.contains(&"4HD9ZE") && refs.contains(&"M3K7PQ"),
        "{refs:?}"
    );
    // The invoice questions, in Chinese, a widget turn and a plain mail, go together.
    let invoices = clusters
        .iter()
        .find(|c| {
            c["examples"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e == "能开发票吗")
        })
        .unwrap();
    assert_eq!(invoices["tickets"], 2, "{invoices:#}");
    assert_eq!(invoices["lang"], "zh");
    let shown = &invoices["shown"]["articles"][0];
    assert_eq!(
        (&shown["id"], &shown["title"]),
        (&"refunds".into(), &"退款与退货".into())
    );

    let (ok, text, err) = run(&mut desk(&kb, &["gaps"]));
    assert!(ok, "{err}");
    assert!(text.contains("1. 3 tickets (en): "), "{text}");
    assert!(text.contains("shown: nothing"), "{text}");
}

fn md_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in walk(dir) {
        if e.extension().is_some_and(|x| x == "md") {
            out.push(e);
        }
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn drafts_are_written_once_never_overwritten_and_never_published() {
    let (_t, kb, _m) = desk_kb();
    let before = md_files(&kb.join("articles"));
    let v = json(&mut desk(&kb, &["gaps", "--write-drafts", "--limit", "2"]));
    let drafts: Vec<PathBuf> = v["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["draft"]["status"], "written", "{c:#}");
            PathBuf::from(c["draft"]["path"].as_str().unwrap())
        })
        .collect();
    assert_eq!(drafts.len(), 2);
    assert_eq!(md_files(&kb.join("articles")).len(), before.len() + 2);
    let iceland = crate::read(&drafts[0]);
    assert!(
        drafts[0].starts_with(kb.join("articles/en")),
        "{}",
        drafts[0].display()
    );
    assert!(iceland.contains("\ndraft: true\n"), "{iceland}");
    assert!(iceland.contains("questions:\n  - \""), "{iceland}");
    assert!(iceland.contains("\"do you ship to Iceland\""), "{iceland}");
    assert!(
        drafts[1].starts_with(kb.join("articles/zh")),
        "{}",
        drafts[1].display()
    );

    // The owner edits a draft; the next run leaves it alone.
    std::fs::write(
        &drafts[0],
        iceland.replace("Write the answer here", "We ship to Iceland"),
    )
    .unwrap();
    let edited = crate::read(&drafts[0]);
    let v = json(&mut desk(&kb, &["gaps", "--write-drafts", "--limit", "2"]));
    for c in v["clusters"].as_array().unwrap() {
        assert_eq!(c["draft"]["status"], "exists", "{c:#}");
    }
    assert_eq!(crate::read(&drafts[0]), edited);
    assert_eq!(md_files(&kb.join("articles")).len(), before.len() + 2);

    // kbgen reads the drafts without complaint and publishes none of them.
    let (ok, _, err) = run(kbgen().arg("check").arg(&kb));
    assert!(ok, "{err}");
    let (_o, out) = crate::build(&kb);
    let stem = drafts[0].file_stem().unwrap().to_str().unwrap().to_string();
    let files = crate::files(&out);
    assert!(
        !files.iter().any(|f| f.contains(&stem)),
        "{stem} published: {files:?}"
    );
}

/// The owner publishes the article a draft asked for: the questions it answers leave "What to
/// write next" (they stayed there, draft path and all, while `replay` called them answered),
/// and the report says how many it left out.
#[test]
fn a_published_draft_takes_its_questions_off_the_gaps() {
    let (_t, kb, _m) = desk_kb();
    let has_iceland = |v: &Value| {
        v["clusters"].as_array().unwrap().iter().any(|c| {
            c["examples"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e.as_str().unwrap_or("").contains("Iceland"))
        })
    };
    let v = json(&mut desk(&kb, &["gaps", "--write-drafts", "--limit", "1"]));
    assert!(has_iceland(&v), "{v:#}");
    assert_eq!(v["answered_now"], 0, "{v:#}");
    let draft = PathBuf::from(v["clusters"][0]["draft"]["path"].as_str().unwrap());
    let text = crate::read(&draft).replace("draft: true\n", "").replace(
        "Write the answer here, then delete `draft: true` above to publish it.",
        "We ship to Iceland in 5 working days.",
    );
    std::fs::write(&draft, text).unwrap();
    let v = json(&mut desk(&kb, &["gaps"]));
    assert!(!has_iceland(&v), "{v:#}");
    assert!(v["answered_now"].as_u64().unwrap() >= 2, "{v:#}");
    let (ok, text, err) = run(&mut desk(&kb, &["gaps"]));
    assert!(ok, "{err}");
    assert!(text.contains("Left out: "), "{text}");
    assert!(!text.contains("Iceland"), "{text}");
}

#[test]
fn replay_reports_what_the_knowledge_base_answers_after_an_edit() {
    let (_t, kb, _m) = desk_kb();
    let before = json(&mut desk(&kb, &["replay"]));
    let total = before["questions"].as_u64().unwrap();
    assert!(total >= 8, "{before:#}");
    let now_of = |v: &Value, q: &str| -> Value {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["question"] == q)
            .unwrap_or_else(|| panic!("no {q} in {v:#}"))
            .clone()
    };
    assert_eq!(now_of(&before, "do you ship to Iceland")["now"], "none");
    assert_eq!(now_of(&before, "能开发票吗")["now"], "none");
    // The answer the visitor rated "No" still comes, and is not counted as answering.
    assert_eq!(now_of(&before, "can I get a refund")["now"], "rejected");

    // The owner writes an article on shipping and a rule on invoices.
    std::fs::write(
        kb.join("articles/en/orders/shipping.md"),
        "---\ntitle: Shipping to Iceland\ncategory: orders\nquestions: [\"Do you ship to Iceland?\", \"How long does shipping to Iceland take?\"]\n---\n\nWe ship to Iceland in 5 days.\n",
    )
    .unwrap();
    let mut rules = crate::read(&kb.join("rules.toml"));
    rules.push_str("\n[[rule]]\nid = \"invoice-zh\"\nlang = \"zh\"\nphrasings = [\"能开发票吗\", \"我需要开发票\", \"可以开发票吗\"]\nanswer = \"可以，下单时填写抬头。\"\n");
    std::fs::write(kb.join("rules.toml"), rules).unwrap();

    let after = json(&mut desk(&kb, &["replay"]));
    assert_eq!(after["questions"].as_u64(), Some(total));
    let iceland = now_of(&after, "do you ship to Iceland");
    assert_eq!(
        (&iceland["now"], &iceland["article"]),
        (&"article".into(), &"shipping".into())
    );
    let invoice = now_of(&after, "能开发票吗");
    assert_eq!(
        (&invoice["now"], &invoice["rule"]),
        (&"rule".into(), &"invoice-zh".into())
    );
    let answered = |v: &Value| {
        v["answered_by_rule"].as_u64().unwrap() + v["answered_by_article"].as_u64().unwrap()
    };
    assert!(
        answered(&after) >= answered(&before) + 4,
        "{before:#}\n{after:#}"
    );
    assert_eq!(
        after["still_failing"].as_u64().unwrap() + answered(&after),
        total
    );

    let (ok, text, err) = run(&mut desk(&kb, &["replay"]));
    assert!(ok, "{err}");
    assert!(
        text.contains(&format!("Replay of {total} failed questions")),
        "{text}"
    );
    assert!(
        text.contains("do you ship to Iceland → article shipping \"Shipping to Iceland\""),
        "{text}"
    );
}

/// A desk of one plain mail: the summary people read says "1 group", not "1 groups".
#[test]
fn gaps_counts_in_words_that_agree_with_the_numbers() {
    let (_tmp, kb) = copy_fixture("basic");
    let mail = tempfile::tempdir().unwrap();
    std::fs::write(
        mail.path().join("1.eml"),
        "From: eve@example.is\r\nTo: support@acme.test\r\nSubject: Shipping to Iceland?\r\nDate: Tue, 03 Mar 2026 10:00:00 +0000\r\nMessage-ID: <e1@example.is>\r\n\r\nDo you ship parcels to Iceland at all?\r\n",
    )
    .unwrap();
    let (ok, _, err) = sync(&kb, &["--eml", mail.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    let (ok, text, err) = run(&mut desk(&kb, &["gaps"]));
    assert!(ok, "{err}");
    assert!(
        text.starts_with("What to write next: 1 failed question in 1 ticket, 1 group\n"),
        "{text}"
    );
}

/// A Chinese question asked on an English page: the group is called Chinese where its draft
/// goes, in the report, in its JSON and on the dashboard alike (it said "(en)" and wrote the
/// draft under `articles/zh/`).
#[test]
fn a_gap_is_named_in_the_language_its_draft_is_written_in() {
    let (_tmp, kb) = copy_fixture("basic");
    let mail = tempfile::tempdir().unwrap();
    let raw = widget_mail(
        "5TQ8WN",
        "mei@example.com",
        "en",
        "请回复我。",
        &[turn("包裹丢了怎么办", Answer::None, None, &[], None)],
    );
    std::fs::write(mail.path().join("1.eml"), raw).unwrap();
    let (ok, _, err) = sync(&kb, &["--eml", mail.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    let v = json(&mut desk(&kb, &["gaps", "--write-drafts"]));
    let cluster = &v["clusters"][0];
    assert_eq!(cluster["examples"][0], "包裹丢了怎么办", "{v:#}");
    assert_eq!(cluster["lang"], "zh", "{v:#}");
    let draft = cluster["draft"]["path"].as_str().unwrap();
    assert!(
        Path::new(draft).starts_with(kb.join("articles/zh")),
        "{draft}"
    );
    let (ok, text, err) = run(&mut desk(&kb, &["gaps"]));
    assert!(ok, "{err}");
    assert!(text.contains("1. 1 ticket (zh): 包裹丢了怎么办"), "{text}");
}
