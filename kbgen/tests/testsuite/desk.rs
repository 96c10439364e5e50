//! `kbgen desk`: sources (.eml, mbox, Maildir, a real Dovecot over IMAP), the store's promise that
//! an interrupted sync loses and doubles nothing, and the commands' output and exit codes.

use crate::{fixture, kbgen, run};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const OWNER: &str = "help@acme.test";

/// A knowledge base with only a kbgen.toml (the desk needs nothing else).
fn kb(extra: &str) -> (tempfile::TempDir, PathBuf) {
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

fn desk(kb: &Path, args: &[&str]) -> Command {
    let mut c = kbgen();
    c.arg("desk").args(args).arg("--kb").arg(kb);
    c
}

fn sync(kb: &Path, extra: &[&str]) -> (bool, String, String) {
    run(kbgen().args(["desk", "sync"]).arg(kb).args(extra))
}

fn json(cmd: &mut Command) -> Value {
    let (ok, out, err) = run(cmd.arg("--json"));
    assert!(ok, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn tickets(kb: &Path) -> Vec<Value> {
    let v = json(kbgen().args(["desk", "list"]).arg(kb));
    assert_eq!(v["version"], 1);
    v["tickets"].as_array().unwrap().clone()
}

fn by_ref<'a>(t: &'a [Value], r: &str) -> &'a Value {
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
    assert!(err.contains("6 messages read, 6 new"), "{err}");
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
    assert_eq!(
        bob["subject"],
        "[Acme #4HD9ZE] Can I change my delivery address?"
    );

    let by_customer = |c: &str| {
        t.iter()
            .find(|t| t["customer"] == c)
            .unwrap_or_else(|| panic!("no ticket from {c}"))
    };
    assert_eq!(by_customer("wei@example.cn")["subject"], "如何申请退款？");
    assert_eq!(by_customer("yuki@example.jp")["subject"], "返金について");
    assert_eq!(by_customer("carl@example.org")["widget"], false);

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
        err.contains("6 messages read, 0 new, 6 already stored"),
        "{err}"
    );
}

/// The fixtures as one mbox file, as a provider's export writes it (`>From ` escaping included).
fn mbox_of(messages: &[Vec<u8>]) -> Vec<u8> {
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
    assert!(
        files
            .iter()
            .all(|f| !f.contains(".kbgen") && !f.contains("desk.sqlite")),
        "{files:#?}"
    );
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
