//! `kbgen desk`: sources (.eml, mbox, Maildir, a real Dovecot over IMAP), the store's promise that
//! an interrupted sync loses and doubles nothing, and the commands' output and exit codes.

use crate::{fixture, kbgen, run};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) const OWNER: &str = "help@acme.test";

// The widget's own ticket module, so these tests break when the widget changes what a ticket
// looks like; its property tests come along and run here too.
#[allow(dead_code)]
#[path = "../../../widget/src/ticket/mod.rs"]
pub(crate) mod widget_ticket;

/// A knowledge base with only a kbgen.toml (the desk needs nothing else).
pub(crate) fn kb(extra: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    std::fs::create_dir_all(&kb).unwrap();
    std::fs::write(
        kb.join("kbgen.toml"),
        format!("[site]\ntitle = \"Acme\"\nsupport_email = \"{OWNER}\"\n\n{extra}"),
    )
    .unwrap();
    (tmp, kb)
}

pub(crate) fn desk(kb: &Path, args: &[&str]) -> Command {
    let mut c = kbgen();
    c.arg("desk").args(args).arg("--kb").arg(kb);
    c
}

pub(crate) fn sync(kb: &Path, extra: &[&str]) -> (bool, String, String) {
    run(kbgen().args(["desk", "sync"]).arg(kb).args(extra))
}

pub(crate) fn json(cmd: &mut Command) -> Value {
    let (ok, out, err) = run(cmd.arg("--json"));
    assert!(ok, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

pub(crate) fn tickets(kb: &Path) -> Vec<Value> {
    let v = json(kbgen().args(["desk", "list"]).arg(kb));
    assert_eq!(v["version"], 1);
    v["tickets"].as_array().unwrap().clone()
}

pub(crate) fn by_ref<'a>(t: &'a [Value], r: &str) -> &'a Value {
    t.iter()
        .find(|t| t["reference"] == r)
        .unwrap_or_else(|| panic!("no ticket {r} in {t:#?}"))
}

/// (tickets, messages) as `sync --json` reports them after a sync with nothing new.
fn totals(kb: &Path, source: &[&str]) -> (u64, u64) {
    let (ok, out, err) = sync(kb, &[source, &["--json"]].concat());
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    (
        v["tickets"].as_u64().unwrap(),
        v["messages"].as_u64().unwrap(),
    )
}

#[test]
fn hard_cases_from_an_eml_folder_become_tickets() {
    // The fixtures are dated March 2026; keep answered tickets from closing by age.
    let (_t, kb) = kb("[desk]\nclose_after_days = 0\n");
    let eml = fixture("desk/eml");
    let (ok, _, err) = sync(&kb, &["--eml", eml.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(err.contains("7 messages read, 6 new"), "{err}");
    assert!(err.contains("1 automatic replies skipped"), "{err}");
    let t = tickets(&kb);
    assert_eq!(t.len(), 5, "{t:#?}");

    // The widget ticket and the owner's answer: one thread, answered in 2h30.
    let ann = by_ref(&t, "7KQ2MX");
    assert_eq!(ann["customer"], "ann@example.com");
    assert_eq!(ann["status"], "answered");
    assert_eq!(ann["widget"], true);
    assert_eq!(ann["page"], "https://acme.test/help/billing/");
    assert_eq!(ann["lang"], "en");
    assert_eq!(ann["first_response_seconds"], 9000);
    assert_eq!(ann["message_count"], 2);

    // A ticket the owner forwarded to the desk is the visitor's, and still waits for an answer.
    let bob = by_ref(&t, "4HD9ZE");
    assert_eq!(bob["customer"], "bob@example.net");
    assert_eq!(bob["status"], "open");
    assert_eq!(bob["subject"], "Can I change my delivery address?");

    let by_customer = |c: &str| {
        t.iter()
            .find(|t| t["customer"] == c)
            .unwrap_or_else(|| panic!("no ticket from {c}"))
    };
    assert_eq!(by_customer("wei@example.cn")["subject"], "如何申请退款？");
    assert_eq!(by_customer("yuki@example.jp")["subject"], "返金について");
    // HTML-only mail; the owner's autoresponder did not answer it.
    let carl = by_customer("carl@example.org");
    assert_eq!(
        (&carl["widget"], &carl["status"]),
        (&Value::from(false), &Value::from("open"))
    );
    assert_eq!(carl["first_response_at"], Value::Null);

    let show = |r: &str| json(&mut desk(&kb, &["show", r]));
    let wei = show(by_customer("wei@example.cn")["reference"].as_str().unwrap());
    let body = wei["ticket"]["messages"][0]["body"].as_str().unwrap();
    assert!(body.contains("我的订单重复扣款了"), "{body}");
    let yuki = show(
        by_customer("yuki@example.jp")["reference"]
            .as_str()
            .unwrap(),
    );
    let body = yuki["ticket"]["messages"][0]["body"].as_str().unwrap();
    assert!(body.contains("注文の返金はいつ届きますか"), "{body}");
    let carl = show(
        by_customer("carl@example.org")["reference"]
            .as_str()
            .unwrap(),
    );
    let body = carl["ticket"]["messages"][0]["body"].as_str().unwrap();
    assert!(body.contains("Where is my parcel?"), "{body}");
    assert!(!body.contains("<b>"), "{body}");

    // A second sync of the same folder stores nothing twice.
    let (ok, _, err) = sync(&kb, &["--eml", eml.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        err.contains("7 messages read, 0 new, 6 already stored"),
        "{err}"
    );
}

/// The fixtures as one mbox file, as a provider's export writes it (`>From ` escaping included).
pub(crate) fn mbox_of(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        out.extend_from_slice(b"From sender@example.com Mon Mar  2 10:00:00 2026\n");
        for line in m.split_inclusive(|b| *b == b'\n') {
            let line: Vec<u8> = line.iter().copied().filter(|b| *b != b'\r').collect();
            if line.starts_with(b"From ") {
                out.push(b'>');
            }
            out.extend_from_slice(&line);
        }
        out.push(b'\n');
    }
    out
}

fn fixture_messages() -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture("desk/eml"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// What a mail client sends for the widget's `mailto:` URL: its subject (RFC 2047) and body.
pub(crate) fn message_from_mailto(url: &str, from: &str, id: &str) -> Vec<u8> {
    use base64::Engine as _;
    let (_, query) = url.split_once('?').unwrap();
    let (mut subject, mut body) = (String::new(), String::new());
    for kv in query.split('&') {
        let (k, v) = kv.split_once('=').unwrap();
        let v = percent_encoding::percent_decode_str(v)
            .decode_utf8()
            .unwrap()
            .into_owned();
        match k {
            "subject" => subject = v,
            "body" => body = v,
            _ => {}
        }
    }
    let subject = base64::engine::general_purpose::STANDARD.encode(subject);
    format!(
        "From: {from}\r\nTo: {OWNER}\r\nSubject: =?UTF-8?B?{subject}?=\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}",
        body.replace("\r\n", "\n").replace('\n', "\r\n")
    )
    .into_bytes()
}

#[test]
fn tickets_written_by_the_widget_are_recognised_even_when_the_url_was_cut() {
    use widget_ticket::block::{Answer, Turn as BlockTurn};
    use widget_ticket::{compose, Ticket, Turn, MAX_URL_LEN};
    let turns = [Turn {
        block: BlockTurn {
            question: "如何申请退款？".into(),
            answer: Answer::Articles,
            rule: None,
            articles: vec!["refunds".into()],
            rating: Some(false),
        },
        titles: vec!["退款".into()],
    }];
    let zh = Ticket {
        site: "Acme",
        reference: "9XW4RT",
        name: "王伟",
        email: "wei@example.cn",
        message: "订单 1182 重复扣款了。",
        page_url: "https://acme.test/help/zh/billing/",
        lang: "zh",
        time: "2026-03-02T10:00:00Z",
        widget_version: "0.1.0",
        turns: &turns,
    };
    let long_message = "My order arrived broken. ".repeat(120);
    let long_turns = [Turn {
        block: BlockTurn {
            question: "My parcel arrived damaged, what now?".into(),
            answer: Answer::None,
            rule: None,
            articles: vec![],
            rating: None,
        },
        titles: vec![],
    }];
    let long = Ticket {
        site: "Acme",
        reference: "M3K7PQ",
        email: "dan@example.com",
        message: &long_message,
        page_url: "https://acme.test/help/shipping/",
        lang: "en",
        turns: &long_turns,
        ..Ticket::default()
    };
    let zh_url = compose(OWNER, &zh, MAX_URL_LEN, "paste the copied message");
    let long_url = compose(OWNER, &long, MAX_URL_LEN, "paste the copied message");
    assert!(!zh_url.too_long && long_url.too_long);
    assert!(zh_url.url.contains("solodesk%3Av1%3A"));
    // The widget's link keeps the fields after a cut message; a mail client that cuts the link
    // further (some stop at 2,000 characters of body) loses them, and the subject alone must do.
    assert!(long_url.url.contains("Reference"), "{}", long_url.url);
    let separator = long_url
        .url
        .find("%0D%0A--%0D%0A")
        .expect("the fields' separator");
    let long_url = widget_ticket::Mailto {
        url: long_url.url[..separator].to_string(),
        ..long_url
    };

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("zh.eml"),
        message_from_mailto(&zh_url.url, "wei@example.cn", "w1@example.cn"),
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("long.eml"),
        message_from_mailto(&long_url.url, "dan@example.com", "d1@example.com"),
    )
    .unwrap();
    let (_t, kb) = kb("[desk]\nclose_after_days = 0\n");
    let (ok, _, err) = sync(&kb, &["--eml", tmp.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    let t = tickets(&kb);
    let wei = by_ref(&t, "9XW4RT");
    assert_eq!(wei["widget"], true);
    assert_eq!(wei["customer"], "wei@example.cn");
    assert_eq!(wei["subject"], "如何申请退款？");
    assert_eq!(wei["lang"], "zh");
    assert_eq!(wei["page"], "https://acme.test/help/zh/billing/");
    // The cut URL lost the body's fields; the subject still carries the reference.
    let dan = by_ref(&t, "M3K7PQ");
    assert_eq!(dan["widget"], true);
    assert_eq!(dan["customer"], "dan@example.com");
    assert_eq!(dan["page"], Value::Null);
}

#[test]
fn the_engine_puts_each_ticket_in_the_category_of_the_article_that_answers_it() {
    let (_t, kb) = crate::copy_fixture("basic");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("1.eml"), "From: ann@example.com\r\nTo: support@acme.test\r\nSubject: Cannot sign in\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <p1@example.com>\r\n\r\nI forgot my password, how do I reset it?\r\n").unwrap();
    let zh = "From: wei@example.cn\r\nTo: support@acme.test\r\nSubject: =?UTF-8?B?W0FjbWUgIzlYVzRSVF0g5oiR5Y+v5Lul6YCA5qy+5ZCX77yf?=\r\nDate: Mon, 02 Mar 2026 11:00:00 +0000\r\nMessage-ID: <z1@example.cn>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n我可以退款吗？\r\n\r\n--\r\nEmail: wei@example.cn\r\nLanguage: zh\r\nReference: 9XW4RT\r\n";
    std::fs::write(tmp.path().join("2.eml"), zh).unwrap();
    let (ok, out, err) = sync(&kb, &["--eml", tmp.path().to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["classified"], 2, "{v}");
    let t = tickets(&kb);
    let by_customer = |c: &str| t.iter().find(|t| t["customer"] == c).unwrap().clone();
    assert_eq!(by_customer("ann@example.com")["category"], "Account");
    let wei = by_customer("wei@example.cn");
    assert_eq!(
        (&wei["reference"], &wei["lang"]),
        (&Value::from("9XW4RT"), &Value::from("zh"))
    );
    assert_eq!(wei["category"], "订单");
    // Classified once: the next sync asks the engine nothing.
    let (ok, out, _) = sync(&kb, &["--eml", tmp.path().to_str().unwrap(), "--json"]);
    assert!(ok);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["classified"],
        0
    );
}

#[test]
fn mbox_and_maildir_give_the_same_desk_and_never_double() {
    let tmp = tempfile::tempdir().unwrap();
    let mbox = tmp.path().join("export.mbox");
    std::fs::write(&mbox, mbox_of(&fixture_messages())).unwrap();
    let maildir = tmp.path().join("Maildir");
    for d in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(d)).unwrap();
    }
    for (i, m) in fixture_messages().iter().enumerate() {
        std::fs::write(maildir.join(format!("new/{i}.host")), m).unwrap();
    }

    let (_a, from_mbox) = kb(&format!("[desk]\nmbox = \"{}\"\n", mbox.display()));
    assert_eq!(totals(&from_mbox, &[]), (5, 6));
    let (_b, from_maildir) = kb("");
    assert_eq!(
        totals(&from_maildir, &["--maildir", maildir.to_str().unwrap()]),
        (5, 6)
    );
    let strip = |v: Vec<Value>| -> Vec<(Value, Value, Value)> {
        v.into_iter()
            .map(|t| {
                (
                    t["reference"].clone(),
                    t["status"].clone(),
                    t["customer"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(strip(tickets(&from_mbox)), strip(tickets(&from_maildir)));
    // The same mail from a second source is recognised by its Message-ID.
    assert_eq!(
        totals(&from_mbox, &["--maildir", maildir.to_str().unwrap()]),
        (5, 6)
    );
}

/// `n` customer threads: a question, the owner's answer, a follow-up; deterministic.
fn synthetic(n: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for i in 0..n {
        let c = format!("customer{i}@example.com");
        out.push(format!("From: {c}\r\nTo: {OWNER}\r\nSubject: Question {i}\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <q{i}@example.com>\r\n\r\nHow does thing {i} work?\r\n").into_bytes());
        out.push(format!("From: {OWNER}\r\nTo: {c}\r\nSubject: Re: Question {i}\r\nDate: Mon, 02 Mar 2026 11:00:00 +0000\r\nMessage-ID: <a{i}@acme.test>\r\nIn-Reply-To: <q{i}@example.com>\r\nReferences: <q{i}@example.com>\r\n\r\nLike this.\r\n").into_bytes());
        out.push(format!("From: {c}\r\nTo: {OWNER}\r\nSubject: Re: Question {i}\r\nDate: Mon, 02 Mar 2026 12:00:00 +0000\r\nMessage-ID: <f{i}@example.com>\r\nIn-Reply-To: <a{i}@acme.test>\r\nReferences: <q{i}@example.com> <a{i}@acme.test>\r\n\r\nThanks, one more thing.\r\n").into_bytes());
    }
    out
}

#[test]
fn a_sync_killed_anywhere_loses_and_doubles_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mbox = tmp.path().join("big.mbox");
    std::fs::write(&mbox, mbox_of(&synthetic(400))).unwrap();
    let src = ["--mbox", mbox.to_str().unwrap()];
    let (_r, reference) = kb("");
    let want = totals(&reference, &src);
    assert_eq!(want, (400, 1200));
    let statuses = |kb: &Path| -> Vec<Value> {
        tickets(kb)
            .into_iter()
            .map(|t| t["status"].clone())
            .collect()
    };
    let want_statuses = statuses(&reference);
    assert!(want_statuses.iter().all(|s| s == "open"));

    // Killed inside a transaction, killed right after a commit: the next run completes the desk.
    for fault in ["abort-mid-batch:3", "abort-after-batch:2"] {
        let (_t, k) = kb("");
        let (ok, _, err) = run(kbgen()
            .args(["desk", "sync"])
            .arg(&k)
            .args(src)
            .env("KBGEN_DESK_BATCH", "50")
            .env("KBGEN_DESK_FAULT", fault));
        assert!(!ok && err.contains("fault injected"), "{fault}: {err}");
        assert_eq!(totals(&k, &src), want, "{fault}");
        assert_eq!(statuses(&k), want_statuses, "{fault}");
    }

    // SIGKILL at moments spread over a whole sync.
    let start = Instant::now();
    let (_full, full) = kb("");
    let t0 = Instant::now();
    assert!(
        run(kbgen()
            .args(["desk", "sync"])
            .arg(&full)
            .args(src)
            .env("KBGEN_DESK_BATCH", "20"))
        .0
    );
    let whole = t0.elapsed().max(Duration::from_millis(50));
    let mut seed = start.elapsed().as_nanos() as u64 | 1;
    for _ in 0..4 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = whole.mul_f64((seed % 1000) as f64 / 1000.0);
        let (_t, k) = kb("");
        let mut child = kbgen()
            .args(["desk", "sync"])
            .arg(&k)
            .args(src)
            .env("KBGEN_DESK_BATCH", "20")
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(totals(&k, &src), want, "killed after {at:?}");
        assert_eq!(statuses(&k), want_statuses, "killed after {at:?}");
    }
}

#[test]
fn commands_show_customers_forget_close_and_exit_as_scripts_expect() {
    let (_t, kb) = kb("");
    let eml = fixture("desk/eml");
    assert!(sync(&kb, &["--eml", eml.to_str().unwrap()]).0);

    let show = json(&mut desk(&kb, &["show", "#7kq2mx"]));
    let msgs = show["ticket"]["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0]["from"], "ann@example.com");
    assert_eq!(msgs[0]["from_owner"], false);
    assert_eq!(msgs[1]["from_owner"], true);
    assert_eq!(msgs[0]["date"], "2026-03-02T10:00:00Z");
    let (ok, out, _) = run(&mut desk(&kb, &["show", "7KQ2MX"]));
    assert!(
        ok && out.contains("first response: 2h30m") && out.contains("(you)"),
        "{out}"
    );

    let cust = json(&mut desk(&kb, &["customer", "ANN@example.com"]));
    assert_eq!(cust["tickets"].as_array().unwrap().len(), 1);

    let closed = json(&mut desk(&kb, &["close", "7KQ2MX"]));
    assert_eq!(closed["ticket"]["status"], "closed");
    let open = json(
        kbgen()
            .args(["desk", "list", "--status", "closed"])
            .arg(&kb),
    );
    assert_eq!(open["tickets"].as_array().unwrap().len(), 1);

    let forgot = json(&mut desk(&kb, &["forget", "ann@example.com"]));
    assert_eq!(forgot["tickets_deleted"], 1);
    assert_eq!(forgot["messages_deleted"], 2);
    for f in crate::files(&kb.join(".kbgen")) {
        let raw = std::fs::read(kb.join(".kbgen").join(&f)).unwrap();
        assert!(
            !raw.windows(b"order 1182".len()).any(|w| w == b"order 1182"),
            "forgotten text is still in {f}"
        );
    }
    // Later syncs do not bring the customer back.
    let (ok, _, err) = sync(&kb, &["--eml", eml.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        json(&mut desk(&kb, &["customer", "ann@example.com"]))["tickets"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(tickets(&kb).len(), 4);

    // Exit codes: 1 for a failure with a message, 2 for wrong usage.
    let out = desk(&kb, &["show", "ZZZZZZ"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no ticket with reference ZZZZZZ"));
    let out = kbgen()
        .args(["desk", "list", "--status", "pending"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let (_e, empty) = self::kb("");
    let out = kbgen().args(["desk", "list"]).arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no desk yet"));
    let out = kbgen().args(["desk", "sync"]).arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no mail source"));
    assert!(
        !empty.join(".kbgen").exists(),
        "a failed read must not create a desk"
    );
}

#[test]
fn answered_tickets_close_after_the_configured_silence_and_reopen_on_reply() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("eml");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("1.eml"), "From: old@example.com\r\nTo: help@acme.test\r\nSubject: Old question\r\nDate: Mon, 06 Jan 2025 10:00:00 +0000\r\nMessage-ID: <old-q@example.com>\r\n\r\nHello?\r\n").unwrap();
    std::fs::write(dir.join("2.eml"), "From: help@acme.test\r\nTo: old@example.com\r\nSubject: Re: Old question\r\nDate: Mon, 06 Jan 2025 11:00:00 +0000\r\nMessage-ID: <old-a@acme.test>\r\nIn-Reply-To: <old-q@example.com>\r\n\r\nHi!\r\n").unwrap();
    let (_t, kb) = kb("[desk]\nclose_after_days = 10\n");
    let (ok, _, err) = sync(&kb, &["--eml", dir.to_str().unwrap()]);
    assert!(ok, "{err}");
    let t = tickets(&kb);
    assert_eq!(t[0]["status"], "closed", "{t:#?}");
    assert_eq!(t[0]["closed_at"], "2025-01-16T11:00:00Z");
    std::fs::write(dir.join("3.eml"), "From: old@example.com\r\nTo: help@acme.test\r\nSubject: Re: Old question\r\nDate: Mon, 03 Feb 2025 10:00:00 +0000\r\nMessage-ID: <old-f@example.com>\r\nIn-Reply-To: <old-a@acme.test>\r\n\r\nStill broken.\r\n").unwrap();
    assert!(sync(&kb, &["--eml", dir.to_str().unwrap()]).0);
    assert_eq!(tickets(&kb)[0]["status"], "open");
}

#[test]
fn the_desk_is_private_and_kept_out_of_git() {
    let (_t, kb) = kb("");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(&kb)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q"]);
    assert!(sync(&kb, &["--eml", fixture("desk/eml").to_str().unwrap()]).0);
    let status = git(&["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(status.trim(), "?? kbgen.toml", "{status}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(kb.join(".kbgen"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
}

#[test]
fn kbgen_build_never_copies_the_desk_into_the_site() {
    let (_t, kb) = crate::copy_fixture("basic");
    std::fs::create_dir_all(kb.join(".kbgen")).unwrap();
    std::fs::write(
        kb.join(".kbgen/desk.sqlite"),
        "SQLite format 3\0 secret customer mail",
    )
    .unwrap();
    let (_o, out) = crate::build(&kb);
    let files = crate::files(&out);
    assert!(!files.is_empty());
    for f in &files {
        assert!(
            !f.split('/').any(|c| c == ".kbgen") && !f.contains("desk.sqlite"),
            "{files:#?}"
        );
        let bytes = std::fs::read(out.join(f)).unwrap();
        let secret = b"secret customer mail";
        assert!(!bytes.windows(secret.len()).any(|w| w == secret), "{f}");
    }
}

#[test]
fn a_password_in_kbgen_toml_is_refused() {
    let (_t, kb) =
        kb("[desk]\nimap = { host = \"127.0.0.1\", user = \"u\", password = \"hunter2\" }\n");
    let out = kbgen().args(["desk", "sync"]).arg(&kb).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("kbgen.toml:6:1: `desk.password` is not allowed"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}

// ---- IMAP against a real Dovecot -------------------------------------------------------------

const DOVECOT: &str = "/usr/sbin/dovecot";

/// A throwaway Dovecot on two loopback ports (IMAPS and IMAP+STARTTLS) with one user whose
/// Maildir the test fills directly.
struct Dovecot {
    dir: tempfile::TempDir,
    imaps: u16,
    imap: u16,
    child: Option<std::process::Child>,
    /// The owner of the mail files (root cannot be a mail user; then `nobody` is).
    mail_uid: u32,
    serial: usize,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn sh(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Dovecot {
    // Test support: the whole throwaway server configuration reads best in one place.
    #[allow(clippy::too_many_lines)]
    fn start() -> Option<Dovecot> {
        if !Path::new(DOVECOT).exists() {
            let why = format!("{DOVECOT} is absent (install dovecot-imapd: `cargo xtask setup`)");
            assert!(
                std::env::var_os("KBGEN_REQUIRE_DOVECOT").is_none(),
                "KBGEN_REQUIRE_DOVECOT is set but {why}"
            );
            eprintln!("SKIPPED: {why}");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let euid =
            String::from_utf8(Command::new("id").arg("-u").output().unwrap().stdout).unwrap();
        let root = euid.trim() == "0";
        let (mail_uid, mail_gid) = if root {
            (65534, 65534)
        } else {
            let gid =
                String::from_utf8(Command::new("id").arg("-g").output().unwrap().stdout).unwrap();
            (euid.trim().parse().unwrap(), gid.trim().parse().unwrap())
        };
        let user =
            String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap();
        let group =
            String::from_utf8(Command::new("id").arg("-gn").output().unwrap().stdout).unwrap();
        let login_user = if root {
            "dovenull".to_string()
        } else {
            user.trim().to_string()
        };
        // A CA and a server certificate for 127.0.0.1 signed by it.
        let ossl = |args: &[&str]| sh(Command::new("openssl").args(args).current_dir(d));
        ossl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=kbgen test CA",
        ]);
        ossl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "srv.csr",
            "-subj",
            "/CN=127.0.0.1",
        ]);
        std::fs::write(
            d.join("ext.cnf"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        ossl(&[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ]);
        let (imaps, imap) = (free_port(), free_port());
        for sub in [
            "run",
            "state",
            "mail/Maildir/cur",
            "mail/Maildir/new",
            "mail/Maildir/tmp",
        ] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        std::fs::write(
            d.join("users"),
            format!(
                "desk:{{PLAIN}}s3cret:{mail_uid}:{mail_gid}::{}/mail::\n",
                d.display()
            ),
        )
        .unwrap();
        let dp = d.display();
        std::fs::write(
            d.join("dovecot.conf"),
            format!(
                "base_dir = {dp}/run
state_dir = {dp}/state
instance_name = kbgen-test-{imaps}
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{dp}/cert.pem
ssl_key = <{dp}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:{dp}/mail/Maildir
first_valid_uid = {mail_uid}
default_login_user = {login_user}
default_internal_user = {}
default_internal_group = {}
log_path = {dp}/dovecot.log
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dp}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {dp}/users
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
",
                user.trim(),
                group.trim()
            ),
        )
        .unwrap();
        let mut dv = Dovecot {
            dir,
            imaps,
            imap,
            child: None,
            mail_uid,
            serial: 0,
        };
        dv.chown_mail();
        dv.run();
        Some(dv)
    }

    fn run(&mut self) {
        let d = self.dir.path();
        let child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(d.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.imaps)).is_err()
            || std::net::TcpStream::connect(("127.0.0.1", self.imap)).is_err()
        {
            assert!(
                Instant::now() < deadline,
                "dovecot did not start: {}",
                std::fs::read_to_string(d.join("dovecot.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SIGTERM lets the master stop its children; wait for it.
            let _ = Command::new("kill").arg(c.id().to_string()).status();
            let _ = c.wait();
        }
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail/Maildir")
    }

    fn chown_mail(&self) {
        let mut stack = vec![self.dir.path().join("mail")];
        while let Some(p) = stack.pop() {
            let _ = std::os::unix::fs::chown(&p, Some(self.mail_uid), Some(self.mail_uid));
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            }
        }
    }

    /// Delivers messages to the inbox as an MTA does: written in tmp/, renamed into new/.
    fn deliver(&mut self, messages: &[Vec<u8>]) {
        self.deliver_to(&self.maildir(), messages);
    }

    /// Files messages in a folder ("Sent"), as the owner's mail client does with answers.
    fn file_in(&mut self, folder: &str, messages: &[Vec<u8>]) {
        let dir = self.maildir().join(format!(".{folder}"));
        for d in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        self.chown_mail();
        self.deliver_to(&dir, messages);
    }

    fn deliver_to(&mut self, dir: &Path, messages: &[Vec<u8>]) {
        for m in messages {
            self.serial += 1;
            let name = format!("{}.{}.kbgen-test", 1_700_000_000 + self.serial, self.serial);
            let tmp = dir.join("tmp").join(&name);
            std::fs::write(&tmp, m).unwrap();
            let _ = std::os::unix::fs::chown(&tmp, Some(self.mail_uid), Some(self.mail_uid));
            std::fs::rename(&tmp, dir.join("new").join(&name)).unwrap();
        }
    }

    /// Makes Dovecot forget the mailbox's UIDs so it hands out a new UIDVALIDITY, as when a
    /// mailbox is recreated or restored from a backup.
    fn reset_uids(&mut self) {
        self.stop();
        for e in std::fs::read_dir(self.maildir()).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name == "dovecot-uidlist" || name.starts_with("dovecot.index") {
                std::fs::remove_file(e.path()).unwrap();
            }
        }
        self.run();
    }

    fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A desk reading the Dovecot user's INBOX; over STARTTLS the password comes from a command
/// (as from a keyring), over TLS from an environment variable.
fn imap_kb(dv: &Dovecot, tls: &str) -> (tempfile::TempDir, PathBuf) {
    let (port, password) = if tls == "tls" {
        (dv.imaps, "password_env = \"DESK_TEST_PW\"")
    } else {
        (dv.imap, "password_command = \"printf '%s' s3cret\"")
    };
    kb(&format!(
        "[desk]\nclose_after_days = 0\nimap = {{ host = \"127.0.0.1\", port = {port}, tls = \"{tls}\", user = \"desk\", {password}, ca_file = \"{}\" }}\n",
        dv.ca().display()
    ))
}

fn imap_sync(kb: &Path, env: &[(&str, &str)]) -> (bool, String, Value) {
    let mut c = kbgen();
    c.args(["desk", "sync", "--json"])
        .arg(kb)
        .env("DESK_TEST_PW", "s3cret");
    for (k, v) in env {
        c.env(k, v);
    }
    let (ok, out, err) = run(&mut c);
    let v = if ok {
        serde_json::from_str(&out).unwrap()
    } else {
        Value::Null
    };
    (ok, err, v)
}

#[test]
fn imap_sync_from_a_real_dovecot_over_tls_and_starttls() {
    let Some(mut dv) = Dovecot::start() else {
        return;
    };
    let all = synthetic(30);
    // Questions and answers of the first 20 threads, then the rest.
    dv.deliver(&all[..40]);
    let (_a, tls) = imap_kb(&dv, "tls");
    let (_b, starttls) = imap_kb(&dv, "starttls");

    let (ok, err, v) = imap_sync(&tls, &[("KBGEN_DESK_BATCH", "7")]);
    assert!(ok, "{err}");
    assert_eq!(
        (v["new_messages"].as_u64(), v["tickets"].as_u64()),
        (Some(40), Some(14)),
        "{v}"
    );
    assert!(
        err.contains("40/40 messages read"),
        "progress on stderr: {err}"
    );
    // Every thread ends with the customer (a follow-up, or thread 13's lone question).
    assert!(tickets(&tls).iter().all(|t| t["status"] == "open"));

    // Incremental: only the new mail is fetched.
    dv.deliver(&all[40..]);
    let (ok, err, v) = imap_sync(&tls, &[]);
    assert!(ok, "{err}");
    assert_eq!(
        (v["read"].as_u64(), v["new_messages"].as_u64()),
        (Some(50), Some(50)),
        "{v}"
    );
    assert_eq!(
        (v["tickets"].as_u64(), v["messages"].as_u64()),
        (Some(30), Some(90))
    );
    let (ok, _, v) = imap_sync(&tls, &[]);
    assert!(ok);
    assert_eq!(v["read"].as_u64(), Some(0), "{v}");

    // The owner answers the last follow-up: that ticket is answered, with its response time.
    dv.deliver(&[format!("From: {OWNER}\r\nTo: customer29@example.com\r\nSubject: Re: Question 29\r\nDate: Mon, 02 Mar 2026 12:30:00 +0000\r\nMessage-ID: <a2-29@acme.test>\r\nIn-Reply-To: <f29@example.com>\r\nReferences: <q29@example.com> <a29@acme.test> <f29@example.com>\r\n\r\nSure.\r\n").into_bytes()]);
    let (ok, err, _) = imap_sync(&tls, &[]);
    assert!(ok, "{err}");
    let c29 = json(&mut desk(&tls, &["customer", "customer29@example.com"]));
    let t29 = &c29["tickets"][0];
    assert_eq!(t29["status"], "answered");
    assert_eq!(t29["first_response_seconds"], 3600);
    assert_eq!(t29["message_count"], 4);

    // Answers kept in the Sent folder count once that folder is read too.
    dv.file_in("Sent", &[format!("From: {OWNER}\r\nTo: customer0@example.com\r\nSubject: Re: Question 0\r\nDate: Mon, 02 Mar 2026 13:00:00 +0000\r\nMessage-ID: <sent-0@acme.test>\r\nIn-Reply-To: <f0@example.com>\r\n\r\nHere it is.\r\n").into_bytes()]);
    let (ok, err, _) = imap_sync(&tls, &[]);
    assert!(ok, "{err}");
    let c0 = |kb: &Path| {
        json(&mut desk(kb, &["customer", "customer0@example.com"]))["tickets"][0]["status"].clone()
    };
    assert_eq!(c0(&tls), "open", "only INBOX is configured");
    let (_s, both) = kb(&format!(
        "[desk]\nclose_after_days = 0\nimap = {{ host = \"127.0.0.1\", port = {}, user = \"desk\", password_env = \"DESK_TEST_PW\", ca_file = \"{}\", mailbox = [\"INBOX\", \"Sent\"] }}\n",
        dv.imaps,
        dv.ca().display()
    ));
    let (ok, err, v) = imap_sync(&both, &[]);
    assert!(ok, "{err}");
    assert_eq!(
        (v["tickets"].as_u64(), v["messages"].as_u64()),
        (Some(30), Some(92)),
        "{v}"
    );
    assert_eq!(c0(&both), "answered");

    // STARTTLS on the plain port reads the same mailbox.
    let (ok, err, v) = imap_sync(&starttls, &[]);
    assert!(ok, "{err}");
    assert_eq!(
        (v["tickets"].as_u64(), v["messages"].as_u64()),
        (Some(30), Some(91)),
        "{v}"
    );

    // The mailbox is recreated: a new UIDVALIDITY, everything is read again, nothing doubles.
    dv.reset_uids();
    let (ok, err, v) = imap_sync(&tls, &[]);
    assert!(ok, "{err}");
    assert!(err.contains("UIDVALIDITY changed"), "{err}");
    assert_eq!(
        (v["read"].as_u64(), v["new_messages"].as_u64()),
        (Some(91), Some(0)),
        "{v}"
    );
    assert_eq!(
        (v["tickets"].as_u64(), v["messages"].as_u64()),
        (Some(30), Some(91))
    );

    // A certificate the desk does not trust is refused.
    let (_c, untrusted) = kb(&format!(
        "[desk]\nimap = {{ host = \"127.0.0.1\", port = {}, user = \"desk\", password_env = \"DESK_TEST_PW\" }}\n",
        dv.imaps
    ));
    let (ok, err, _) = imap_sync(&untrusted, &[]);
    assert!(!ok && err.contains("TLS handshake"), "{err}");
    // A wrong password is an error with exit code 1.
    let mut c = kbgen();
    c.args(["desk", "sync"])
        .arg(&tls)
        .env("DESK_TEST_PW", "wrong");
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn imap_connection_cut_mid_sync_then_resume_loses_and_doubles_nothing() {
    let Some(mut dv) = Dovecot::start() else {
        return;
    };
    dv.deliver(&synthetic(20));
    let (_a, kb) = imap_kb(&dv, "tls");
    let batch = ("KBGEN_DESK_BATCH", "8");
    let (ok, err, _) = imap_sync(&kb, &[batch, ("KBGEN_DESK_FAULT", "cut-after-batch:3")]);
    assert!(!ok, "the cut must fail the sync");
    assert!(err.contains("FETCH") || err.contains("imap"), "{err}");
    assert!(err.contains("24/60 messages read"), "{err}");
    // Killed inside a batch's transaction: the UID position must not move without its messages.
    let (_c, kb3) = imap_kb(&dv, "tls");
    let (ok, err, _) = imap_sync(&kb3, &[batch, ("KBGEN_DESK_FAULT", "abort-mid-batch:2")]);
    assert!(!ok && err.contains("fault injected"), "{err}");
    // Dovecot itself goes away mid-sync too.
    let (_b, kb2) = imap_kb(&dv, "tls");
    let mut child = kbgen()
        .args(["desk", "sync"])
        .arg(&kb2)
        .env("DESK_TEST_PW", "s3cret")
        .env("KBGEN_DESK_BATCH", "2")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    dv.stop();
    let _ = child.wait();
    dv.run();
    for k in [&kb, &kb2, &kb3] {
        let (ok, err, v) = imap_sync(k, &[batch]);
        assert!(ok, "{err}");
        assert_eq!(
            (v["tickets"].as_u64(), v["messages"].as_u64()),
            (Some(20), Some(60)),
            "{v}"
        );
        let (ok, _, v) = imap_sync(k, &[]);
        assert!(ok);
        assert_eq!(
            v["read"].as_u64(),
            Some(0),
            "resumed from the last stored UID: {v}"
        );
    }
}
