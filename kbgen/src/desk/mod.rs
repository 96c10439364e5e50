//! `kbgen desk`: the owner's ticket system, on the owner's machine.
//!
//! Mail comes from the owner's own mailbox (IMAP, an mbox export, a Maildir, a folder of .eml);
//! each message is parsed ([`mail`]), recognised as a widget ticket or not ([`ticket`]), threaded
//! and stored ([`store`], SQLite at `<kb>/.kbgen/desk.sqlite`). The read commands print tables for
//! people and, with `--json`, a versioned shape for scripts (see kbgen/README.md, "Desk").
//! Exit codes: 0 done, 1 failed (message on stderr), 2 wrong usage.

mod classify;
mod config;
mod dashboard;
mod imap;
mod insights;
mod mail;
mod reports;
mod store;
mod ticket;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use store::{BatchStats, Incoming, Store};

/// `/_desk/` of `kbgen serve` (see [`dashboard`]).
pub use dashboard::{page as dashboard_page, CSP as DASHBOARD_CSP};

/// Whether the knowledge base at `kb` has a desk (`kbgen desk sync` made its store).
pub fn exists(kb: &Path) -> bool {
    kb.join(store::FILE).is_file()
}

/// The owner's desk: tickets from your mailbox, customer records.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  kbgen desk sync\n  kbgen desk sync site --mbox export.mbox\n  kbgen desk list --status open\n  kbgen desk show 7KQ2MX\n  kbgen desk customer ann@example.com --json\n  kbgen desk forget ann@example.com\n  kbgen desk close 7KQ2MX\n  kbgen desk feedback\n  kbgen desk gaps --write-drafts\n  kbgen desk replay"
)]
pub struct DeskArgs {
    #[command(subcommand)]
    command: DeskCommand,
}

#[derive(clap::Subcommand)]
enum DeskCommand {
    /// Read new mail from the sources in kbgen.toml `[desk]` (and any given here).
    Sync(SyncArgs),
    /// List tickets, oldest first.
    List(ListArgs),
    /// Show one ticket and its messages.
    Show(RefArgs),
    /// Every ticket and message of one customer, oldest first.
    Customer(EmailArgs),
    /// Delete every trace of one customer (a privacy request); later syncs skip their mail.
    Forget(EmailArgs),
    /// Close a ticket.
    Close(RefArgs),
    /// Per article and rule: how often widget conversations that ended in a ticket showed it,
    /// and how often it was rated "No".
    Feedback(KbArgs),
    /// What to write next: the questions the knowledge base failed on, grouped, most tickets first.
    Gaps(GapsArgs),
    /// Asks the knowledge base as it is now every stored failed question: how many it answers.
    Replay(KbArgs),
}

#[derive(clap::Args)]
struct KbArgs {
    #[arg(long, default_value = ".")]
    kb: PathBuf,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct GapsArgs {
    #[arg(long, default_value = ".")]
    kb: PathBuf,
    #[arg(long)]
    json: bool,
    /// How many groups to show (and draft), most tickets first.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Write a draft article (`draft: true`, `questions` filled) for each group shown, as
    /// `articles/<lang>/<slug>.md`; an existing file is never overwritten.
    #[arg(long)]
    write_drafts: bool,
}

#[derive(clap::Args)]
struct SyncArgs {
    /// The knowledge-base folder (holds kbgen.toml and .kbgen/desk.sqlite).
    #[arg(default_value = ".")]
    kb: PathBuf,
    /// Also read this mbox file (repeatable).
    #[arg(long, value_name = "FILE")]
    mbox: Vec<PathBuf>,
    /// Also read this Maildir (repeatable).
    #[arg(long, value_name = "DIR")]
    maildir: Vec<PathBuf>,
    /// Also read the .eml files in this folder (repeatable).
    #[arg(long, value_name = "DIR")]
    eml: Vec<PathBuf>,
    /// Read only the sources given here, not those of kbgen.toml.
    #[arg(long)]
    only: bool,
    /// Print a summary as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Status {
    Open,
    Answered,
    Closed,
    All,
}

#[derive(clap::Args)]
struct ListArgs {
    #[arg(default_value = ".")]
    kb: PathBuf,
    #[arg(long, value_enum, default_value = "all")]
    status: Status,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct RefArgs {
    /// The ticket reference (`7KQ2MX`, or `#7KQ2MX`).
    reference: String,
    #[arg(long, default_value = ".")]
    kb: PathBuf,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct EmailArgs {
    email: String,
    #[arg(long, default_value = ".")]
    kb: PathBuf,
    #[arg(long)]
    json: bool,
}

/// The `--json` shapes carry this; a change that breaks a reader bumps it.
const JSON_VERSION: u32 = 1;

pub fn run(args: DeskArgs) -> Result<ExitCode> {
    match args.command {
        DeskCommand::Sync(a) => sync(&a),
        DeskCommand::List(a) => list(&a),
        DeskCommand::Show(a) => show(&a),
        DeskCommand::Customer(a) => customer(&a),
        DeskCommand::Forget(a) => forget(&a),
        DeskCommand::Close(a) => close(&a),
        DeskCommand::Feedback(a) => reports::feedback(&a.kb, a.json),
        DeskCommand::Gaps(a) => reports::gaps(&reports::GapsArgs {
            kb: &a.kb,
            json: a.json,
            limit: a.limit,
            write_drafts: a.write_drafts,
        }),
        DeskCommand::Replay(a) => reports::replay(&a.kb, a.json),
    }?;
    Ok(ExitCode::SUCCESS)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Test hooks: `KBGEN_DESK_FAULT=abort-mid-batch:N` aborts the process inside the N-th batch's
/// transaction, `abort-after-batch:N` right after its commit, `cut-after-batch:N` drops the IMAP
/// connection after it. `KBGEN_DESK_BATCH` sets the batch size.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    AbortMid(usize),
    AbortAfter(usize),
    CutAfter(usize),
}

fn fault_from_env() -> Fault {
    let Ok(v) = std::env::var("KBGEN_DESK_FAULT") else {
        return Fault::None;
    };
    let (kind, n) = v.split_once(':').unwrap_or((&v, "1"));
    let n = n.parse().unwrap_or(1);
    match kind {
        "abort-mid-batch" => Fault::AbortMid(n),
        "abort-after-batch" => Fault::AbortAfter(n),
        "cut-after-batch" => Fault::CutAfter(n),
        _ => Fault::None,
    }
}

/// Feeds batches to the store, counts, reports progress on stderr and fires fault points.
pub struct Syncer<'a> {
    store: &'a mut Store,
    owners: Vec<String>,
    batch_size: usize,
    fault: Fault,
    batches: usize,
    expected: Option<usize>,
    source_read: usize,
    total: BatchStats,
    /// A progress line is on the terminal without its line break.
    line_open: bool,
}

impl Drop for Syncer<'_> {
    fn drop(&mut self) {
        if self.line_open {
            eprintln!();
        }
    }
}

impl Syncer<'_> {
    fn expect(&mut self, n: usize) {
        self.expected = Some(n);
        self.source_read = 0;
    }

    /// Stores one batch; `finish` runs in its transaction. Returns true when the caller should
    /// drop its connection (fault injection).
    fn batch(
        &mut self,
        label: &str,
        batch: &[Incoming],
        finish: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
    ) -> Result<bool> {
        let n = self.batches + 1;
        let fault = self.fault;
        let stats = self.store.ingest(batch, &self.owners, finish, || {
            if fault == Fault::AbortMid(n) {
                eprintln!("\ndesk: fault injected: abort inside batch {n}");
                std::process::abort();
            }
        })?;
        self.batches = n;
        self.total += stats;
        self.source_read += stats.read;
        let read = match self.expected {
            Some(total) => format!("{}/{total}", self.source_read),
            None => self.source_read.to_string(),
        };
        self.progress(&format!(
            "desk: {label}: {read} messages read, {} new so far",
            self.total.new
        ));
        if fault == Fault::AbortAfter(n) {
            eprintln!("\ndesk: fault injected: abort after batch {n}");
            std::process::abort();
        }
        Ok(fault == Fault::CutAfter(n))
    }

    /// One line per batch; on a terminal the line is rewritten in place.
    fn progress(&mut self, line: &str) {
        use std::io::{IsTerminal, Write};
        let mut err = std::io::stderr();
        if err.is_terminal() {
            let _ = write!(err, "\r\x1b[K{line}");
            let _ = err.flush();
            self.line_open = true;
        } else {
            let _ = writeln!(err, "{line}");
        }
    }

    fn feed(
        &mut self,
        label: &str,
        messages: impl Iterator<Item = std::io::Result<Incoming>>,
    ) -> Result<()> {
        self.expected = None;
        self.source_read = 0;
        let mut buf = Vec::with_capacity(self.batch_size);
        for m in messages {
            buf.push(m.with_context(|| label.to_string())?);
            if buf.len() == self.batch_size {
                self.batch(label, &buf, |_| Ok(()))?;
                buf.clear();
            }
        }
        if !buf.is_empty() {
            self.batch(label, &buf, |_| Ok(()))?;
        }
        Ok(())
    }
}

fn mbox_messages(path: &Path) -> Result<impl Iterator<Item = std::io::Result<Incoming>>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("{}: cannot open mbox", path.display()))?;
    let it = mail_parser::mailbox::mbox::MessageIterator::new(std::io::BufReader::new(file));
    Ok(it.map(|m| {
        m.map(|m| {
            let date = i64::try_from(m.internal_date()).ok().filter(|d| *d > 0);
            Incoming {
                raw: m.unwrap_contents(),
                fallback_date: date,
            }
        })
    }))
}

fn maildir_messages(path: &Path) -> Result<Vec<std::io::Result<Incoming>>> {
    if !path.join("cur").is_dir() && !path.join("new").is_dir() {
        bail!("{}: not a Maildir (no cur/ or new/ inside)", path.display());
    }
    let it = mail_parser::mailbox::maildir::MessageIterator::new(path)
        .with_context(|| format!("{}: cannot read Maildir", path.display()))?;
    let mut v: Vec<_> = it.collect::<std::io::Result<Vec<_>>>()?;
    v.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(v.into_iter()
        .map(|m| {
            Ok(Incoming {
                raw: m.contents().to_vec(),
                fallback_date: None,
            })
        })
        .collect())
}

fn eml_messages(dir: &Path) -> Result<impl Iterator<Item = std::io::Result<Incoming>>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot read folder", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml")))
        .collect();
    files.sort();
    Ok(files.into_iter().map(|p| {
        std::fs::read(&p).map(|raw| Incoming {
            raw,
            fallback_date: None,
        })
    }))
}

fn sync(a: &SyncArgs) -> Result<()> {
    crate::check_kb_dir(&a.kb)?;
    let mut cfg = config::read(&a.kb)?;
    if a.only {
        cfg.mbox.clear();
        cfg.maildir.clear();
        cfg.eml_dir.clear();
        cfg.imap = None;
    }
    cfg.mbox.extend(a.mbox.iter().cloned());
    cfg.maildir.extend(a.maildir.iter().cloned());
    cfg.eml_dir.extend(a.eml.iter().cloned());
    if cfg.mbox.is_empty() && cfg.maildir.is_empty() && cfg.eml_dir.is_empty() && cfg.imap.is_none()
    {
        bail!(
            "{}: no mail source: add `[desk] imap = {{ … }}` (or mbox, maildir, eml_dir) to kbgen.toml, or pass --mbox, --maildir or --eml",
            a.kb.join(crate::load::CONFIG_FILE).display()
        );
    }
    if cfg.owners.is_empty() {
        eprintln!("note: no owner address (set site.support_email or desk.owner_addresses): no ticket can be marked answered");
    }
    let mut store = Store::open(&a.kb)?;
    let batch_size = std::env::var("KBGEN_DESK_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(200);
    let mut syncer = Syncer {
        store: &mut store,
        owners: cfg.owners.clone(),
        batch_size,
        fault: fault_from_env(),
        batches: 0,
        expected: None,
        source_read: 0,
        total: BatchStats::default(),
        line_open: false,
    };
    for p in &cfg.mbox {
        syncer.feed(&format!("mbox {}", p.display()), mbox_messages(p)?)?;
    }
    for p in &cfg.maildir {
        syncer.feed(
            &format!("maildir {}", p.display()),
            maildir_messages(p)?.into_iter(),
        )?;
    }
    for p in &cfg.eml_dir {
        syncer.feed(&format!("eml {}", p.display()), eml_messages(p)?)?;
    }
    if let Some(imap_cfg) = &cfg.imap {
        imap::sync(imap_cfg, &mut syncer)?;
    }
    let total = syncer.total;
    drop(syncer);
    let closed = store.auto_close(cfg.close_after_days, now())?;
    let classified = store.classify(|| classify::Classifier::new(&a.kb))?;
    let (tickets, messages) = store.counts()?;
    let open = store.tickets(Some("open"))?.len();
    if a.json {
        println!(
            "{}",
            json!({
                "version": JSON_VERSION,
                "read": total.read,
                "new_messages": total.new,
                "duplicates": total.duplicates,
                "unreadable": total.unreadable,
                "skipped_forgotten": total.forgotten,
                "skipped_automatic": total.automatic,
                "new_tickets": total.new_tickets,
                "conversations": total.conversations,
                "damaged_blocks": total.damaged_blocks,
                "auto_closed": closed,
                "classified": classified,
                "tickets": tickets,
                "messages": messages,
                "open": open,
            })
        );
    }
    let count = crate::strings::count;
    eprintln!(
        "desk: {} read, {} new, {} already stored{}{}; {}, {} closed after {} days of silence; {} ({} open), {} in {}",
        count(total.read, "message"),
        total.new,
        total.duplicates,
        if total.unreadable > 0 {
            format!(", {} unreadable", total.unreadable)
        } else {
            String::new()
        },
        if total.automatic > 0 {
            format!(", {} automatic replies skipped", total.automatic)
        } else {
            String::new()
        },
        count(total.new_tickets, "new ticket"),
        closed,
        cfg.close_after_days,
        count(tickets as usize, "ticket"),
        open,
        count(messages as usize, "message"),
        store.path.display()
    );
    if total.damaged_blocks > 0 {
        eprintln!(
            "desk: {} widget machine blocks were unreadable (cut or damaged by a mail client); their tickets keep the mail text, `kbgen desk show` says which",
            total.damaged_blocks
        );
    }
    Ok(())
}

fn ticket_json(t: &store::Ticket) -> Value {
    json!({
        "reference": t.reference,
        "status": t.status,
        "customer": t.customer,
        "subject": t.subject,
        "widget": t.widget,
        "lang": t.lang,
        "page": t.page,
        "opened_at": store::date_json(t.opened_at),
        "first_response_at": store::date_json(t.first_response_at),
        "first_response_seconds": t.first_response_at.zip(t.opened_at).map(|(r, o)| r - o),
        "last_customer_at": store::date_json(t.last_customer_at),
        "last_owner_at": store::date_json(t.last_owner_at),
        "closed_at": store::date_json(t.closed_at),
        "message_count": t.message_count,
        "category": t.category,
        "block": t.block,
    })
}

fn conversation_json(store: &Store, t: &store::Ticket) -> Result<Value> {
    let Some(c) = store.conversation(t.id)? else {
        return Ok(Value::Null);
    };
    let turns: Vec<Value> = c
        .turns
        .iter()
        .map(|u| {
            json!({
                "question": u.question,
                "answer": u.answer,
                "rule": u.rule,
                "articles": u.articles,
                "rating": u.rating,
            })
        })
        .collect();
    Ok(json!({
        "site": c.site,
        "page": c.page,
        "lang": c.lang,
        "widget_version": c.widget_version,
        "time": c.time,
        "omitted": c.omitted,
        "turns": turns,
    }))
}

/// What the visitor saw for one turn, in words: `rule refund; shown: refunds; rated No`.
fn turn_outcome(u: &store::Turn) -> String {
    let mut parts = vec![match (u.answer.as_str(), &u.rule) {
        ("rule", Some(r)) => format!("answered by rule {r}"),
        ("articles", _) => "answered with articles".to_string(),
        ("weak", _) => "only unsure matches".to_string(),
        ("none", _) => "no answer".to_string(),
        ("pending", _) => "not answered yet".to_string(),
        ("unavailable", _) => {
            "search unavailable (the widget could not load its index)".to_string()
        }
        (other, _) => other.to_string(),
    }];
    if !u.articles.is_empty() {
        parts.push(format!("shown: {}", u.articles.join(", ")));
    }
    if let Some(ok) = u.rating {
        parts.push(format!("rated {}", if ok { "Yes" } else { "No" }));
    }
    parts.join("; ")
}

fn print_conversation(store: &Store, t: &store::Ticket) -> Result<()> {
    match t.block.as_deref() {
        Some("read") => {}
        Some("damaged") => {
            println!("\nwidget conversation: the machine block was unreadable (cut or damaged by a mail client)");
            return Ok(());
        }
        Some(other) => {
            println!(
                "\nwidget conversation: the machine block was unreadable ({other}, upgrade kbgen)"
            );
            return Ok(());
        }
        None => return Ok(()),
    }
    let Some(c) = store.conversation(t.id)? else {
        return Ok(());
    };
    println!(
        "\nwidget conversation ({} {}{}{}):",
        c.turns.len(),
        if c.turns.len() == 1 {
            "question"
        } else {
            "questions"
        },
        if c.widget_version.is_empty() {
            String::new()
        } else {
            format!(", widget {}", c.widget_version)
        },
        if c.omitted > 0 {
            format!(", {} older left out", c.omitted)
        } else {
            String::new()
        },
    );
    for (i, u) in c.turns.iter().enumerate() {
        println!("  {}. {}\n     {}", i + 1, u.question, turn_outcome(u));
    }
    Ok(())
}

fn messages_json(store: &Store, t: &store::Ticket) -> Result<Value> {
    let msgs = store.messages(t.id)?;
    Ok(msgs
        .iter()
        .map(|m| {
            json!({
                "message_id": m.message_id,
                "from": m.from,
                "from_name": m.from_name,
                "from_owner": m.from_owner,
                "date": mail::rfc3339(m.date),
                "subject": m.subject,
                "body": m.body,
            })
        })
        .collect())
}

fn age(ts: Option<i64>) -> String {
    let Some(ts) = ts else {
        return "-".into();
    };
    let s = (now() - ts).max(0);
    match s {
        0..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

fn duration(secs: i64) -> String {
    match secs {
        ..3600 => format!("{}m", secs.max(0) / 60),
        3600..86_400 => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d{}h", secs / 86_400, secs % 86_400 / 3600),
    }
}

fn list(a: &ListArgs) -> Result<()> {
    let store = Store::open_existing(&a.kb)?;
    let status = match a.status {
        Status::Open => Some("open"),
        Status::Answered => Some("answered"),
        Status::Closed => Some("closed"),
        Status::All => None,
    };
    let tickets = store.tickets(status)?;
    if a.json {
        let v: Vec<Value> = tickets.iter().map(ticket_json).collect();
        println!("{}", json!({ "version": JSON_VERSION, "tickets": v }));
        return Ok(());
    }
    if tickets.is_empty() {
        eprintln!("no tickets");
        return Ok(());
    }
    println!(
        "{:<8} {:<9} {:>5} {:>9} {:<28} SUBJECT",
        "REF", "STATUS", "AGE", "RESPONSE", "CUSTOMER"
    );
    for t in &tickets {
        let response = t
            .first_response_at
            .zip(t.opened_at)
            .map_or("-".into(), |(r, o)| duration(r - o));
        let subject: String = t.subject.chars().take(60).collect();
        println!(
            "{:<8} {:<9} {:>5} {:>9} {:<28} {}",
            t.reference,
            t.status,
            age(t.opened_at),
            response,
            t.customer,
            subject
        );
    }
    Ok(())
}

fn print_ticket(store: &Store, t: &store::Ticket) -> Result<()> {
    println!(
        "#{} [{}] {}\ncustomer: {}\nopened: {}{}{}{}",
        t.reference,
        t.status,
        t.subject,
        t.customer,
        t.opened_at.map_or("-".into(), mail::rfc3339),
        t.first_response_at
            .zip(t.opened_at)
            .map_or(String::new(), |(r, o)| format!(
                "\nfirst response: {}",
                duration(r - o)
            )),
        t.page
            .as_ref()
            .map_or(String::new(), |p| format!("\npage: {p}")),
        t.lang
            .as_ref()
            .map_or(String::new(), |l| format!("\nlanguage: {l}")),
    );
    if let Some(c) = &t.category {
        println!("category: {c}");
    }
    print_conversation(store, t)?;
    for m in store.messages(t.id)? {
        println!(
            "\n--- {} {}{}\n{}",
            mail::rfc3339(m.date),
            m.from,
            if m.from_owner { " (you)" } else { "" },
            m.body.trim_end()
        );
    }
    Ok(())
}

fn show(a: &RefArgs) -> Result<()> {
    let store = Store::open_existing(&a.kb)?;
    let t = store.ticket(&a.reference)?;
    if a.json {
        let mut v = ticket_json(&t);
        v["conversation"] = conversation_json(&store, &t)?;
        v["messages"] = messages_json(&store, &t)?;
        println!("{}", json!({ "version": JSON_VERSION, "ticket": v }));
        return Ok(());
    }
    print_ticket(&store, &t)
}

fn customer(a: &EmailArgs) -> Result<()> {
    let store = Store::open_existing(&a.kb)?;
    let tickets = store.customer_tickets(&a.email)?;
    if a.json {
        let mut v = Vec::new();
        for t in &tickets {
            let mut j = ticket_json(t);
            j["conversation"] = conversation_json(&store, t)?;
            j["messages"] = messages_json(&store, t)?;
            v.push(j);
        }
        println!(
            "{}",
            json!({ "version": JSON_VERSION, "customer": a.email.trim().to_ascii_lowercase(), "tickets": v })
        );
        return Ok(());
    }
    if tickets.is_empty() {
        eprintln!("no tickets from {}", a.email);
        return Ok(());
    }
    for (i, t) in tickets.iter().enumerate() {
        if i > 0 {
            println!("\n========");
        }
        print_ticket(&store, t)?;
    }
    Ok(())
}

fn forget(a: &EmailArgs) -> Result<()> {
    if !a.email.contains('@') {
        bail!("{}: not an email address", a.email);
    }
    let mut store = Store::open_existing(&a.kb)?;
    let (tickets, messages) = store.forget(&a.email)?;
    if a.json {
        println!(
            "{}",
            json!({ "version": JSON_VERSION, "customer": a.email.trim().to_ascii_lowercase(), "tickets_deleted": tickets, "messages_deleted": messages })
        );
    }
    eprintln!(
        "forgot {}: deleted {tickets} tickets and {messages} messages; later syncs skip their mail",
        a.email.trim()
    );
    Ok(())
}

fn close(a: &RefArgs) -> Result<()> {
    let mut store = Store::open_existing(&a.kb)?;
    let t = store.close(&a.reference, now())?;
    if a.json {
        println!(
            "{}",
            json!({ "version": JSON_VERSION, "ticket": ticket_json(&t) })
        );
    }
    eprintln!("closed #{}", t.reference);
    Ok(())
}
