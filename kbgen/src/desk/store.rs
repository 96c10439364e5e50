//! The desk's database: `<kb>/.kbgen/desk.sqlite` (SQLite, bundled into kbgen).
//!
//! The schema lives here and only here: [`MIGRATIONS`] holds one SQL step per schema version and
//! `PRAGMA user_version` says how many have run, so an older desk file is brought up to date on
//! open and a newer one is refused. Every batch of messages is ingested in one transaction together
//! with the source's position (IMAP UID), so a sync killed at any moment leaves either the whole
//! batch or none of it, and the next run picks up where the last commit stopped; Message-ID is
//! unique, so a message read twice (another source, a re-run, a reset UIDVALIDITY) is stored once.

use super::mail::{self, Mail};
use super::ticket;
use anyhow::{bail, Context, Result};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One SQL step per schema version; never edit a released step, add one.
const MIGRATIONS: &[&str] = &[
    // 1: messages, tickets, IMAP positions, forgotten customers.
    "CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        root TEXT NOT NULL,
        customer TEXT NOT NULL,
        subject TEXT NOT NULL,
        widget INTEGER NOT NULL,
        lang TEXT,
        page TEXT,
        opened_at INTEGER,
        first_response_at INTEGER,
        last_customer_at INTEGER,
        last_owner_at INTEGER,
        status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
        closed_at INTEGER,
        closed_by TEXT
    );
    CREATE INDEX tickets_customer ON tickets(customer);
    CREATE INDEX tickets_root ON tickets(root);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL UNIQUE,
        ticket_id INTEGER REFERENCES tickets(id),
        from_addr TEXT NOT NULL,
        from_name TEXT NOT NULL,
        to_addrs TEXT NOT NULL,
        from_owner INTEGER NOT NULL,
        subject TEXT NOT NULL,
        date INTEGER NOT NULL,
        in_reply_to TEXT NOT NULL,
        refs TEXT NOT NULL,
        body TEXT NOT NULL,
        source TEXT NOT NULL
    );
    CREATE INDEX messages_ticket ON messages(ticket_id);
    CREATE INDEX messages_from ON messages(from_addr);
    CREATE TABLE imap_state (
        mailbox TEXT PRIMARY KEY,
        uidvalidity INTEGER NOT NULL,
        last_uid INTEGER NOT NULL
    );
    CREATE TABLE forgotten (address_sha256 TEXT PRIMARY KEY);",
    // 2: the knowledge-base category the engine puts each ticket's question in.
    "ALTER TABLE tickets ADD COLUMN category TEXT;",
    // 3: the conversation the widget's machine block carries, one per ticket, and whether the
    // ticket's block could be read ('read', 'damaged', 'version N'; NULL: it had none).
    "ALTER TABLE tickets ADD COLUMN block TEXT;
    CREATE TABLE conversations (
        ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
        message_id TEXT NOT NULL,
        site TEXT NOT NULL,
        page TEXT NOT NULL,
        lang TEXT NOT NULL,
        widget_version TEXT NOT NULL,
        time TEXT NOT NULL,
        omitted INTEGER NOT NULL
    );
    CREATE TABLE turns (
        ticket_id INTEGER NOT NULL REFERENCES conversations(ticket_id) ON DELETE CASCADE,
        pos INTEGER NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL CHECK (answer IN ('rule', 'articles', 'weak', 'none', 'pending')),
        rule TEXT,
        rating INTEGER,
        PRIMARY KEY (ticket_id, pos)
    );
    CREATE INDEX turns_rule ON turns(rule) WHERE rule IS NOT NULL;
    CREATE TABLE turn_articles (
        ticket_id INTEGER NOT NULL,
        pos INTEGER NOT NULL,
        rank INTEGER NOT NULL,
        article TEXT NOT NULL,
        PRIMARY KEY (ticket_id, pos, rank),
        FOREIGN KEY (ticket_id, pos) REFERENCES turns(ticket_id, pos) ON DELETE CASCADE
    );
    CREATE INDEX turn_articles_article ON turn_articles(article);",
    // 4: a turn whose search could not run in full (the widget could not fetch its index or a
    // shard): 'unavailable', told apart from the questions the knowledge base does not answer.
    // SQLite changes a CHECK only by rebuilding the table (run with foreign keys off, see
    // `migrate`, so that dropping the old table takes no article rows with it).
    "CREATE TABLE turns_4 (
        ticket_id INTEGER NOT NULL REFERENCES conversations(ticket_id) ON DELETE CASCADE,
        pos INTEGER NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL
            CHECK (answer IN ('rule', 'articles', 'weak', 'none', 'pending', 'unavailable')),
        rule TEXT,
        rating INTEGER,
        PRIMARY KEY (ticket_id, pos)
    );
    INSERT INTO turns_4 (ticket_id, pos, question, answer, rule, rating)
        SELECT ticket_id, pos, question, answer, rule, rating FROM turns;
    DROP TABLE turns;
    ALTER TABLE turns_4 RENAME TO turns;
    CREATE INDEX turns_rule ON turns(rule) WHERE rule IS NOT NULL;",
];

pub const FILE: &str = ".kbgen/desk.sqlite";

pub struct Store {
    pub conn: Connection,
    pub path: PathBuf,
}

/// One message as a source hands it over.
pub struct Incoming {
    pub raw: Vec<u8>,
    /// The source's own date (IMAP INTERNALDATE, the mbox `From ` line), used when the message has
    /// no Date header.
    pub fallback_date: Option<i64>,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct BatchStats {
    pub read: usize,
    pub new: usize,
    pub duplicates: usize,
    pub unreadable: usize,
    pub forgotten: usize,
    pub automatic: usize,
    pub new_tickets: usize,
    /// Machine blocks read into a ticket's conversation.
    pub conversations: usize,
    /// Machine blocks found cut or damaged (or of a version this kbgen does not know).
    pub damaged_blocks: usize,
}

impl std::ops::AddAssign for BatchStats {
    fn add_assign(&mut self, o: Self) {
        self.read += o.read;
        self.new += o.new;
        self.duplicates += o.duplicates;
        self.unreadable += o.unreadable;
        self.forgotten += o.forgotten;
        self.automatic += o.automatic;
        self.new_tickets += o.new_tickets;
        self.conversations += o.conversations;
        self.damaged_blocks += o.damaged_blocks;
    }
}

/// A ticket as the read commands show it.
#[derive(Clone, Debug)]
pub struct Ticket {
    pub id: i64,
    pub reference: String,
    pub customer: String,
    pub subject: String,
    pub widget: bool,
    pub lang: Option<String>,
    pub page: Option<String>,
    pub opened_at: Option<i64>,
    pub first_response_at: Option<i64>,
    pub last_customer_at: Option<i64>,
    pub last_owner_at: Option<i64>,
    pub status: String,
    pub closed_at: Option<i64>,
    pub message_count: i64,
    pub category: Option<String>,
    /// What became of the ticket's machine block: `read`, `damaged`, `version N`, or `None` when
    /// its mail had none.
    pub block: Option<String>,
}

/// SQL for the articles a turn (the row `t` of `turns`) showed, in their order, as one text
/// joined by U+001F; [`turn_articles`] splits it.
pub(super) const TURN_ARTICLES: &str = "(SELECT group_concat(article, char(31)) FROM
    (SELECT article FROM turn_articles a
     WHERE a.ticket_id = t.ticket_id AND a.pos = t.pos ORDER BY rank))";

/// The article ids of a [`TURN_ARTICLES`] column (NULL when the turn showed none).
pub(super) fn turn_articles(joined: Option<String>) -> Vec<String> {
    joined
        .unwrap_or_default()
        .split('\x1f')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The widget conversation a ticket's machine block carried.
#[derive(Clone, Debug)]
pub struct Conversation {
    pub site: String,
    pub page: String,
    pub lang: String,
    pub widget_version: String,
    pub time: String,
    /// Older turns the widget left out of the block to fit the link.
    pub omitted: u32,
    pub turns: Vec<Turn>,
}

/// One question of a conversation and what the visitor got for it.
#[derive(Clone, Debug)]
pub struct Turn {
    pub question: String,
    /// `rule`, `articles`, `weak`, `none` or `pending`.
    pub answer: String,
    pub rule: Option<String>,
    /// Ids of the articles shown, in the order shown.
    pub articles: Vec<String>,
    pub rating: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct Message {
    pub message_id: String,
    pub from: String,
    pub from_name: String,
    pub from_owner: bool,
    pub subject: String,
    pub date: i64,
    pub body: String,
}

const TICKET_COLS: &str =
    "t.id, t.reference, t.customer, t.subject, t.widget, t.lang, t.page, t.opened_at,
    t.first_response_at, t.last_customer_at, t.last_owner_at, t.status, t.closed_at,
    (SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id), t.category, t.block";

fn ticket_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Ticket> {
    Ok(Ticket {
        id: r.get(0)?,
        reference: r.get(1)?,
        customer: r.get(2)?,
        subject: r.get(3)?,
        widget: r.get(4)?,
        lang: r.get(5)?,
        page: r.get(6)?,
        opened_at: r.get(7)?,
        first_response_at: r.get(8)?,
        last_customer_at: r.get(9)?,
        last_owner_at: r.get(10)?,
        status: r.get(11)?,
        closed_at: r.get(12)?,
        message_count: r.get(13)?,
        category: r.get(14)?,
        block: r.get(15)?,
    })
}

fn address_key(addr: &str) -> String {
    let d = Sha256::digest(addr.trim().to_ascii_lowercase().as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Space-delimited with spaces at both ends, so `LIKE '% id %'` finds one id exactly.
fn id_list(ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(" {} ", ids.join(" "))
    }
}

impl Store {
    /// Opens (creating and migrating) the desk of the knowledge base in `kb`.
    pub fn open(kb: &Path) -> Result<Store> {
        let path = kb.join(FILE);
        if let Some(dir) = path.parent() {
            private_dir(dir)?;
        }
        let conn = Connection::open(&path)
            .with_context(|| format!("{}: cannot open the desk database", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // A forgotten customer's text must not linger in free pages.
        conn.pragma_update(None, "secure_delete", true)?;
        let mut store = Store { conn, path };
        store.migrate()?;
        Ok(store)
    }

    /// Opens the desk only if it exists (read commands must not create an empty one).
    pub fn open_existing(kb: &Path) -> Result<Store> {
        let path = kb.join(FILE);
        if !path.is_file() {
            bail!(
                "{}: no desk yet (run `kbgen desk sync {}` first)",
                path.display(),
                kb.display()
            );
        }
        Store::open(kb)
    }

    fn migrate(&mut self) -> Result<()> {
        let have: usize = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if have > MIGRATIONS.len() {
            bail!(
                "{}: written by a newer kbgen (desk schema {have}, this kbgen knows {}); upgrade kbgen",
                self.path.display(),
                MIGRATIONS.len()
            );
        }
        // A step may rebuild a table others refer to; foreign keys can only be switched off
        // outside a transaction, and each step checks them before it commits.
        self.conn.pragma_update(None, "foreign_keys", false)?;
        for (i, step) in MIGRATIONS.iter().enumerate().skip(have) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(step)
                .with_context(|| format!("desk schema step {}", i + 1))?;
            let broken: i64 =
                tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })?;
            if broken > 0 {
                bail!(
                    "desk schema step {}: {broken} rows lost their references",
                    i + 1
                );
            }
            tx.pragma_update(None, "user_version", i + 1)?;
            tx.commit()?;
        }
        self.conn.pragma_update(None, "foreign_keys", true)?;
        Ok(())
    }

    #[cfg(test)]
    pub fn schema_version(&self) -> Result<usize> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Stores a batch in one transaction; `finish` runs inside it (to move a source's position
    /// forward with the messages) and `before_commit` is the fault-injection point tests use.
    pub fn ingest(
        &mut self,
        batch: &[Incoming],
        owners: &[String],
        finish: impl FnOnce(&Transaction<'_>) -> Result<()>,
        before_commit: impl FnOnce(),
    ) -> Result<BatchStats> {
        let tx = self.conn.transaction()?;
        let mut stats = BatchStats::default();
        let mut touched = BTreeSet::new();
        for inc in batch {
            stats.read += 1;
            let Some(mut m) = mail::parse(&inc.raw) else {
                stats.unreadable += 1;
                continue;
            };
            if m.automatic {
                stats.automatic += 1;
                continue;
            }
            if m.date.is_none() {
                m.date = inc.fallback_date;
            }
            let seen: bool = tx
                .query_row(
                    "SELECT 1 FROM messages WHERE message_id = ?1",
                    [&m.message_id],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if seen {
                stats.duplicates += 1;
                continue;
            }
            let (ticket, created) = insert_message(&tx, &m, owners, &mut stats)?;
            if let Some(t) = ticket {
                touched.insert(t);
                stats.new_tickets += usize::from(created);
            }
        }
        for t in touched {
            recompute(&tx, t)?;
        }
        finish(&tx)?;
        before_commit();
        tx.commit()?;
        Ok(stats)
    }

    /// Closes answered tickets whose customer has been silent `days` days since the answer; the
    /// ticket is closed as of that moment, so a later customer reply reopens it.
    pub fn auto_close(&mut self, days: u32, now: i64) -> Result<usize> {
        if days == 0 {
            return Ok(0);
        }
        let secs = i64::from(days) * 86_400;
        Ok(self.conn.execute(
            "UPDATE tickets SET status = 'closed', closed_at = last_owner_at + ?1, closed_by = 'auto'
             WHERE status = 'answered' AND last_owner_at + ?1 <= ?2",
            params![secs, now],
        )?)
    }

    /// Puts every ticket without a category into one, from its first customer message; returns
    /// how many were classified. The classifier is only built when some ticket needs it.
    pub fn classify(
        &mut self,
        make: impl FnOnce() -> Option<super::classify::Classifier>,
    ) -> Result<usize> {
        let todo: Vec<(i64, Option<String>, String, String)> = {
            let mut st = self.conn.prepare(
                "SELECT t.id, t.lang, m.subject, m.body FROM tickets t JOIN messages m
                   ON m.id = (SELECT id FROM messages WHERE ticket_id = t.id AND from_owner = 0
                              ORDER BY date, id LIMIT 1)
                 WHERE t.category IS NULL",
            )?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if todo.is_empty() {
            return Ok(0);
        }
        let Some(classifier) = make() else {
            return Ok(0);
        };
        let tx = self.conn.transaction()?;
        let mut n = 0;
        for (id, lang, subject, body) in todo {
            let q = super::classify::question_text(&strip_prefixes(&subject), &body);
            if let Some(c) = classifier.category(&q, lang.as_deref()) {
                tx.execute(
                    "UPDATE tickets SET category = ?2 WHERE id = ?1",
                    params![id, c],
                )?;
                n += 1;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    pub fn close(&mut self, reference: &str, now: i64) -> Result<Ticket> {
        let t = self.ticket(reference)?;
        let at = now.max(t.last_customer_at.unwrap_or(0));
        self.conn.execute(
            "UPDATE tickets SET status = 'closed', closed_at = ?2, closed_by = 'owner' WHERE id = ?1",
            params![t.id, at],
        )?;
        self.ticket(reference)
    }

    pub fn tickets(&self, status: Option<&str>) -> Result<Vec<Ticket>> {
        let sql = format!(
            "SELECT {TICKET_COLS} FROM tickets t WHERE ?1 IS NULL OR t.status = ?1
             ORDER BY t.opened_at, t.id"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([status], ticket_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn ticket(&self, reference: &str) -> Result<Ticket> {
        let r = reference
            .trim()
            .trim_start_matches('#')
            .to_ascii_uppercase();
        let sql = format!("SELECT {TICKET_COLS} FROM tickets t WHERE t.reference = ?1");
        self.conn
            .query_row(&sql, [&r], ticket_row)
            .optional()?
            .with_context(|| format!("no ticket with reference {r} (see `kbgen desk list`)"))
    }

    pub fn messages(&self, ticket: i64) -> Result<Vec<Message>> {
        let mut st = self.conn.prepare(
            "SELECT message_id, from_addr, from_name, from_owner, subject, date, body
             FROM messages WHERE ticket_id = ?1 ORDER BY date, id",
        )?;
        let rows = st.query_map([ticket], |r| {
            Ok(Message {
                message_id: r.get(0)?,
                from: r.get(1)?,
                from_name: r.get(2)?,
                from_owner: r.get(3)?,
                subject: r.get(4)?,
                date: r.get(5)?,
                body: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The conversation of ticket `id`, when its machine block was read.
    pub fn conversation(&self, ticket: i64) -> Result<Option<Conversation>> {
        let Some(mut c) = self
            .conn
            .query_row(
                "SELECT site, page, lang, widget_version, time, omitted FROM conversations
                 WHERE ticket_id = ?1",
                [ticket],
                |r| {
                    Ok(Conversation {
                        site: r.get(0)?,
                        page: r.get(1)?,
                        lang: r.get(2)?,
                        widget_version: r.get(3)?,
                        time: r.get(4)?,
                        omitted: r.get(5)?,
                        turns: Vec::new(),
                    })
                },
            )
            .optional()?
        else {
            return Ok(None);
        };
        let mut st = self.conn.prepare(&format!(
            "SELECT question, answer, rule, rating, {TURN_ARTICLES}
                 FROM turns t WHERE ticket_id = ?1 ORDER BY pos"
        ))?;
        let rows = st.query_map([ticket], |r| {
            let ids: Option<String> = r.get(4)?;
            Ok(Turn {
                question: r.get(0)?,
                answer: r.get(1)?,
                rule: r.get(2)?,
                rating: r.get(3)?,
                articles: turn_articles(ids),
            })
        })?;
        c.turns = rows.collect::<rusqlite::Result<_>>()?;
        Ok(Some(c))
    }

    pub fn customer_tickets(&self, email: &str) -> Result<Vec<Ticket>> {
        let sql = format!(
            "SELECT {TICKET_COLS} FROM tickets t WHERE t.customer = ?1 ORDER BY t.opened_at, t.id"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([email.trim().to_ascii_lowercase()], ticket_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes the customer's tickets and every message from, to or about them, and remembers a
    /// digest of the address so later syncs skip their mail. Returns (tickets, messages).
    pub fn forget(&mut self, email: &str) -> Result<(usize, usize)> {
        let email = email.trim().to_ascii_lowercase();
        let tx = self.conn.transaction()?;
        let like = format!("% {email} %");
        let messages = tx.execute(
            "DELETE FROM messages WHERE ticket_id IN (SELECT id FROM tickets WHERE customer = ?1)
             OR from_addr = ?1 OR to_addrs LIKE ?2",
            params![email, like],
        )?;
        let tickets = tx.execute("DELETE FROM tickets WHERE customer = ?1", [&email])?;
        // Tickets of others that this customer wrote into lose those messages; refresh them.
        let ids: Vec<i64> = {
            let mut st = tx.prepare("SELECT id FROM tickets")?;
            let v = st.query_map([], |r| r.get(0))?;
            v.collect::<rusqlite::Result<_>>()?
        };
        for id in ids {
            let left: i64 = tx.query_row(
                "SELECT COUNT(*) FROM messages WHERE ticket_id = ?1",
                [id],
                |r| r.get(0),
            )?;
            if left == 0 {
                tx.execute("DELETE FROM tickets WHERE id = ?1", [id])?;
            } else {
                recompute(&tx, id)?;
            }
        }
        tx.execute(
            "INSERT OR IGNORE INTO forgotten(address_sha256) VALUES (?1)",
            [address_key(&email)],
        )?;
        tx.commit()?;
        Ok((tickets, messages))
    }

    pub fn counts(&self) -> Result<(i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM messages)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }
}

/// Creates `.kbgen/` readable by its owner only, with a `.gitignore` that keeps it out of the
/// knowledge base's repository: the desk holds customers' mail.
fn private_dir(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create folder", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("{}: cannot make it private", dir.display()))?;
        }
    }
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(
            &ignore,
            "# kbgen's local data; the desk holds customers' mail, so none of it is committed.\n*\n",
        )
        .with_context(|| format!("{}: cannot write", ignore.display()))?;
    }
    Ok(())
}

fn is_forgotten(tx: &Transaction<'_>, addr: &str) -> Result<bool> {
    if addr.is_empty() {
        return Ok(false);
    }
    Ok(tx
        .query_row(
            "SELECT 1 FROM forgotten WHERE address_sha256 = ?1",
            [address_key(addr)],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Threads and stores one new message. Returns its ticket (None: kept aside until the message it
/// answers arrives) and whether that ticket is new.
fn insert_message(
    tx: &Transaction<'_>,
    m: &Mail,
    owners: &[String],
    stats: &mut BatchStats,
) -> Result<(Option<i64>, bool)> {
    let mut from_owner = owners.iter().any(|o| o == &m.from);
    let mut fields = ticket::widget_fields(&m.body);
    if fields.reference.is_none() {
        for a in &m.attached {
            fields = ticket::widget_fields(a);
            if fields.reference.is_some() {
                break;
            }
        }
    }
    let block_ref = ticket::block_reference(&m.body);
    let reference = ticket::reference_in_subject(&m.subject)
        .or(block_ref)
        .or_else(|| fields.reference.clone());
    // A ticket forwarded to the desk (by the owner or a colleague) carries the visitor's own
    // address in an unquoted `Email:` line: it is the visitor's message, not an answer.
    let mut sender = m.from.clone();
    if let Some(visitor) = &fields.email {
        if visitor != &m.from && !owners.contains(visitor) {
            sender = visitor.clone();
            from_owner = false;
        }
    }
    let to_customer = m.to.iter().find(|a| !owners.contains(a)).cloned();
    let customer = if from_owner {
        to_customer.clone().unwrap_or_default()
    } else {
        sender.clone()
    };
    if is_forgotten(tx, &sender)? || (from_owner && is_forgotten(tx, &customer)?) {
        stats.forgotten += 1;
        return Ok((None, false));
    }

    let mut linked: Vec<&String> = m.in_reply_to.iter().collect();
    linked.extend(m.references.iter().rev());
    let mut ticket: Option<i64> = None;
    for id in &linked {
        ticket = tx
            .query_row(
                "SELECT ticket_id FROM messages WHERE message_id = ?1 AND ticket_id IS NOT NULL",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        if ticket.is_some() {
            break;
        }
    }
    if ticket.is_none() {
        for id in &linked {
            ticket = tx
                .query_row("SELECT id FROM tickets WHERE root = ?1", [id], |r| r.get(0))
                .optional()?;
            if ticket.is_some() {
                break;
            }
        }
    }
    if ticket.is_none() {
        if let Some(r) = &reference {
            ticket = tx
                .query_row("SELECT id FROM tickets WHERE reference = ?1", [r], |r| {
                    r.get(0)
                })
                .optional()?;
        }
    }
    let mut created = false;
    // The owner's mail that answers nothing stored yet waits, unthreaded, for its parent.
    if ticket.is_none() && !(from_owner && reference.is_none()) {
        let root = m
            .references
            .first()
            .or(m.in_reply_to.first())
            .unwrap_or(&m.message_id)
            .clone();
        let r = match &reference {
            Some(r) => r.clone(),
            None => mail_reference(tx, &root)?,
        };
        let subject = strip_prefixes(&m.subject);
        tx.execute(
            "INSERT INTO tickets (reference, root, customer, subject, widget, lang, page, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open')",
            params![
                r,
                root,
                customer,
                subject,
                reference.is_some(),
                fields.lang,
                fields.page
            ],
        )?;
        ticket = Some(tx.last_insert_rowid());
        created = true;
    }
    tx.execute(
        "INSERT INTO messages (message_id, ticket_id, from_addr, from_name, to_addrs, from_owner,
            subject, date, in_reply_to, refs, body, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, '')",
        params![
            m.message_id,
            ticket,
            sender,
            m.from_name,
            id_list(&m.to),
            from_owner,
            m.subject,
            m.date.unwrap_or(0),
            id_list(&m.in_reply_to),
            id_list(&m.references),
            m.body,
        ],
    )?;
    stats.new += 1;
    if let Some(t) = ticket {
        tx.execute(
            "UPDATE tickets SET lang = COALESCE(lang, ?2), page = COALESCE(page, ?3) WHERE id = ?1",
            params![t, fields.lang, fields.page],
        )?;
        store_block(tx, t, m, stats)?;
        // Adopt the owner's answers that arrived before this message.
        let like = format!("% {} %", m.message_id);
        tx.execute(
            "UPDATE messages SET ticket_id = ?1
             WHERE ticket_id IS NULL AND (in_reply_to LIKE ?2 OR refs LIKE ?2)",
            params![t, like],
        )?;
    }
    Ok((ticket, created))
}

/// Reads the machine block of `m` (its body, else a message attached to it) into ticket `t`'s
/// conversation. A ticket keeps the first conversation read for it, so a reply quoting the block
/// adds nothing; a block that names another ticket is someone else's and is left alone. A block
/// that cannot be read marks the ticket, unless a readable one was stored already.
fn store_block(tx: &Transaction<'_>, t: i64, m: &Mail, stats: &mut BatchStats) -> Result<()> {
    use ticket::block::{self, BlockError};
    let mut found = block::find(&m.body);
    for a in &m.attached {
        if found != Err(BlockError::Missing) {
            break;
        }
        found = block::find(a);
    }
    let b = match found {
        Err(BlockError::Missing) => return Ok(()),
        Err(e) => {
            let why = match e {
                BlockError::Version(v) => format!("version {v}"),
                _ => "damaged".to_string(),
            };
            stats.damaged_blocks += 1;
            tx.execute(
                "UPDATE tickets SET block = ?2 WHERE id = ?1 AND (block IS NULL OR block <> 'read')",
                params![t, why],
            )?;
            return Ok(());
        }
        Ok(b) => b,
    };
    let reference: String =
        tx.query_row("SELECT reference FROM tickets WHERE id = ?1", [t], |r| {
            r.get(0)
        })?;
    if ticket::normalize_reference(&b.reference).as_deref() != Some(reference.as_str()) {
        return Ok(());
    }
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO conversations
            (ticket_id, message_id, site, page, lang, widget_version, time, omitted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            t,
            m.message_id,
            b.site,
            b.page,
            b.lang,
            b.widget_version,
            b.time,
            b.omitted
        ],
    )?;
    if inserted == 0 {
        return Ok(());
    }
    stats.conversations += 1;
    for (pos, turn) in b.turns.iter().enumerate() {
        tx.execute(
            "INSERT INTO turns (ticket_id, pos, question, answer, rule, rating)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                t,
                pos,
                turn.question,
                answer_name(turn.answer),
                turn.rule,
                turn.rating
            ],
        )?;
        for (rank, id) in turn.articles.iter().enumerate() {
            tx.execute(
                "INSERT OR IGNORE INTO turn_articles (ticket_id, pos, rank, article)
                 VALUES (?1, ?2, ?3, ?4)",
                params![t, pos, rank, id],
            )?;
        }
    }
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    tx.execute(
        "UPDATE tickets SET block = 'read', lang = COALESCE(lang, ?2), page = COALESCE(page, ?3)
         WHERE id = ?1",
        params![t, nonempty(&b.lang), nonempty(&b.page)],
    )?;
    Ok(())
}

/// The block's name of an answer kind, as the `turns.answer` column holds it.
fn answer_name(a: ticket::block::Answer) -> &'static str {
    use ticket::block::Answer;
    match a {
        Answer::Rule => "rule",
        Answer::Articles => "articles",
        Answer::Weak => "weak",
        Answer::None => "none",
        Answer::Pending => "pending",
        Answer::Unavailable => "unavailable",
    }
}

/// A reference for mail that did not come from the widget: seven characters of the thread's
/// root id in the widget's alphabet (the widget's own are six, so the two never meet).
fn mail_reference(tx: &Transaction<'_>, root: &str) -> Result<String> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let digest = Sha256::digest(root.as_bytes());
    let mut bits = u128::from_be_bytes(digest[..16].try_into().expect("16 bytes"));
    let mut r = String::new();
    for len in 7..=25 {
        while r.len() < len {
            r.push(ALPHABET[(bits % 32) as usize] as char);
            bits /= 32;
        }
        let taken = tx
            .query_row("SELECT 1 FROM tickets WHERE reference = ?1", [&r], |_| {
                Ok(())
            })
            .optional()?
            .is_some();
        if !taken {
            return Ok(r);
        }
    }
    bail!("cannot find a free ticket reference for {root}")
}

/// The subject without "Re:"/"Fwd:" and without the widget's `[site #REF]` tag, which the
/// reference column already shows.
fn strip_prefixes(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        if s.starts_with('[') {
            if let Some(end) = s.find(']') {
                if ticket::reference_in_subject(&s[..=end]).is_some() {
                    s = s[end + 1..].trim_start();
                    continue;
                }
            }
        }
        let lower = s.to_ascii_lowercase();
        let cut = ["re:", "fwd:", "fw:", "aw:", "wg:", "回复:", "转发:"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| p.len());
        match cut {
            Some(n) => s = s[n..].trim_start(),
            None => return s.to_string(),
        }
    }
}

/// Derives a ticket's times and status from its messages.
fn recompute(tx: &Transaction<'_>, ticket: i64) -> Result<()> {
    let (opened, last_customer, last_owner): (Option<i64>, Option<i64>, Option<i64>) = tx
        .query_row(
            "SELECT MIN(CASE WHEN from_owner = 0 THEN date END),
                    MAX(CASE WHEN from_owner = 0 THEN date END),
                    MAX(CASE WHEN from_owner = 1 THEN date END)
             FROM messages WHERE ticket_id = ?1",
            [ticket],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
    let first_response: Option<i64> = tx.query_row(
        "SELECT MIN(date) FROM messages WHERE ticket_id = ?1 AND from_owner = 1 AND date >= ?2",
        params![ticket, opened.unwrap_or(i64::MIN)],
        |r| r.get(0),
    )?;
    let closed_at: Option<i64> = tx.query_row(
        "SELECT closed_at FROM tickets WHERE id = ?1",
        [ticket],
        |r| r.get(0),
    )?;
    let still_closed = closed_at.is_some_and(|c| last_customer.is_none_or(|l| l <= c));
    let status = if still_closed {
        "closed"
    } else if last_owner.is_some() && last_owner >= last_customer {
        "answered"
    } else {
        "open"
    };
    tx.execute(
        "UPDATE tickets SET opened_at = COALESCE(?2, (SELECT MIN(date) FROM messages
                WHERE ticket_id = ?1)),
            first_response_at = ?3, last_customer_at = ?4, last_owner_at = ?5, status = ?6,
            closed_at = CASE WHEN ?6 = 'closed' THEN closed_at END,
            closed_by = CASE WHEN ?6 = 'closed' THEN closed_by END
         WHERE id = ?1",
        params![
            ticket,
            opened,
            first_response,
            last_customer,
            last_owner,
            status
        ],
    )?;
    Ok(())
}

/// For output: `None` stays `null`.
pub fn date_json(ts: Option<i64>) -> serde_json::Value {
    ts.map_or(serde_json::Value::Null, |t| mail::rfc3339(t).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_desk_is_at_the_latest_schema_and_a_newer_one_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
        store
            .conn
            .pragma_update(None, "user_version", MIGRATIONS.len() + 1)
            .unwrap();
        drop(store);
        let e = Store::open(tmp.path()).err().unwrap().to_string();
        assert!(e.contains("written by a newer kbgen"), "{e}");
    }

    #[test]
    fn a_desk_from_the_first_schema_is_migrated_and_keeps_its_tickets() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join(".kbgen")).unwrap();
        let conn = Connection::open(tmp.path().join(FILE)).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(
            "INSERT INTO tickets (reference, root, customer, subject, widget, status)
             VALUES ('7KQ2MX', 'r@x', 'a@b.test', 'Refund?', 1, 'open');
             PRAGMA user_version = 1;",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
        let t = store.ticket("7KQ2MX").unwrap();
        assert_eq!((t.subject.as_str(), t.category), ("Refund?", None));
    }

    /// Step 4 rebuilds `turns` (a CHECK only changes that way): a desk at step 3 keeps every
    /// turn and the articles shown in each, and then takes the new kind of answer.
    #[test]
    fn a_desk_from_step_three_keeps_its_turns_and_takes_unavailable() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join(".kbgen")).unwrap();
        let conn = Connection::open(tmp.path().join(FILE)).unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        for step in &MIGRATIONS[..3] {
            conn.execute_batch(step).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO tickets (reference, root, customer, subject, widget, status)
             VALUES ('7KQ2MX', 'r@x', 'a@b.test', 'Refund?', 1, 'open');
             INSERT INTO conversations VALUES (1, '<m@x>', 'Acme', 'https://a.test/', 'en', '0.1.0', 't', 0);
             INSERT INTO turns VALUES (1, 0, 'refund?', 'articles', NULL, 0);
             INSERT INTO turns VALUES (1, 1, 'still?', 'none', NULL, NULL);
             INSERT INTO turn_articles VALUES (1, 0, 0, 'refunds');
             INSERT INTO turn_articles VALUES (1, 0, 1, 'returns');
             PRAGMA user_version = 3;",
        )
        .unwrap();
        assert!(conn
            .execute(
                "INSERT INTO turns VALUES (1, 2, 'q', 'unavailable', NULL, NULL)",
                []
            )
            .is_err());
        drop(conn);
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
        let count = |table: &str| -> i64 {
            store
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!((count("turns"), count("turn_articles")), (2, 2));
        store
            .conn
            .execute(
                "INSERT INTO turns VALUES (1, 2, 'q', 'unavailable', NULL, NULL)",
                [],
            )
            .unwrap();
        // Foreign keys are on again: a turn of no conversation is refused.
        assert!(store
            .conn
            .execute(
                "INSERT INTO turns VALUES (9, 0, 'q', 'none', NULL, NULL)",
                []
            )
            .is_err());
        // Deleting the conversation still takes its turns and their articles with it.
        store.conn.execute("DELETE FROM conversations", []).unwrap();
        assert_eq!((count("turns"), count("turn_articles")), (0, 0));
    }

    #[test]
    fn an_owner_answer_read_before_its_question_joins_the_ticket() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path()).unwrap();
        let owners = vec!["help@acme.test".to_string()];
        let answer = b"From: help@acme.test\r\nTo: a@b.test\r\nMessage-ID: <a@acme>\r\nIn-Reply-To: <q@b>\r\nDate: Mon, 02 Mar 2026 11:00:00 +0000\r\n\r\nyes".to_vec();
        let question = b"From: a@b.test\r\nTo: help@acme.test\r\nMessage-ID: <q@b>\r\nSubject: Q\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\n\r\n?".to_vec();
        for raw in [answer, question] {
            let inc = Incoming {
                raw,
                fallback_date: None,
            };
            store.ingest(&[inc], &owners, |_| Ok(()), || {}).unwrap();
        }
        let t = store.tickets(None).unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].status, "answered");
        assert_eq!(
            t[0].first_response_at
                .zip(t[0].opened_at)
                .map(|(r, o)| r - o),
            Some(3600)
        );
        assert_eq!(t[0].message_count, 2);
    }

    #[test]
    fn forgetting_a_customer_deletes_their_conversation_too() {
        use ticket::block::{encode, Answer, Block, Turn as BlockTurn};
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(tmp.path()).unwrap();
        let block = encode(&Block {
            reference: "7KQ2MX".into(),
            turns: vec![BlockTurn {
                question: "refund?".into(),
                answer: Answer::Articles,
                rule: None,
                articles: vec!["refunds".into()],
                rating: Some(false),
            }],
            ..Block::default()
        });
        let raw = format!("From: a@b.test\r\nTo: help@acme.test\r\nMessage-ID: <q@b>\r\nSubject: [Acme #7KQ2MX] refund?\r\n\r\nhi\r\n\r\n{block}\r\n");
        let inc = Incoming {
            raw: raw.into_bytes(),
            fallback_date: None,
        };
        let stats = store.ingest(&[inc], &[], |_| Ok(()), || {}).unwrap();
        assert_eq!(stats.conversations, 1);
        let rows = |s: &Store| -> (i64, i64, i64) {
            s.conn
                .query_row(
                    "SELECT (SELECT COUNT(*) FROM conversations), (SELECT COUNT(*) FROM turns),
                        (SELECT COUNT(*) FROM turn_articles)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap()
        };
        assert_eq!(rows(&store), (1, 1, 1));
        store.forget("a@b.test").unwrap();
        assert_eq!(rows(&store), (0, 0, 0));
    }
}
