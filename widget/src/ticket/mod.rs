//! The email ticket, composed once for both readers: the owner reads the body's human part, and
//! `kbgen desk` reads the machine block at its end ([`block`]).
//!
//! A `mailto:` link is capped ([`MAX_URL_LEN`]), so the ticket is composed to that budget rather
//! than cut at it. What the visitor wrote (their message and the question that failed, which the
//! subject carries with the reference) is never cut; the conversation is compact (questions, titles
//! of what was shown, ratings) and keeps its newest turns, saying how many older ones were left
//! out; the machine block drops the same older turns. Only when the visitor's own text cannot fit
//! is the link cut, and then "Copy" carries the whole ticket.
//!
//! The ticket's reference ([`reference_from`]) and the check of the visitor's reply address
//! ([`valid_email`]) live here too, with the rest of what a ticket carries.
//!
//! Pure std plus [`block`]'s dependencies, with no reference to the rest of the widget, so kbgen's
//! tests include this folder by path and read what it writes. The machine block's compressor is
//! the caller's ([`compose_with`]): `miniz_oxide` off wasm32 ([`compose`]), the browser's in the
//! widget.

pub mod block;
pub mod mailto;

pub use mailto::MAX_URL_LEN;

/// One question of the conversation: what the machine block records, plus the titles of the
/// articles shown, for the owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn {
    pub block: block::Turn,
    pub titles: Vec<String>,
}

/// Everything the owner should receive about one ticket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ticket<'a> {
    /// The owner's site name, shown in the subject: `[site #ref] ...`.
    pub site: &'a str,
    pub reference: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub message: &'a str,
    pub page_url: &'a str,
    pub lang: &'a str,
    /// When the ticket was written, as the visitor's browser sees it (ISO 8601).
    pub time: &'a str,
    pub widget_version: &'a str,
    /// The conversation, oldest first.
    pub turns: &'a [Turn],
}

/// The result of [`compose`].
#[derive(Clone, Debug, PartialEq)]
pub struct Mailto {
    /// The URL for the "Send email" link, at most the budget's bytes.
    pub url: String,
    pub subject: String,
    /// The whole ticket's body (every turn, the whole block), for "Copy".
    pub body: String,
    /// Set when the visitor's own text alone does not fit a link: the URL then holds its start,
    /// a note to paste the copy, and the fields and block that fit after it.
    pub too_long: bool,
    /// How many turns the link's conversation and block hold.
    pub turns_in_link: usize,
}

/// The turn the ticket is about: the last one that failed (no answer, an unsure one, rated "No",
/// or not answered yet), else the last one.
pub fn failed_turn(turns: &[Turn]) -> Option<usize> {
    turns
        .iter()
        .rposition(|t| {
            t.block.rating == Some(false)
                || matches!(
                    t.block.answer,
                    block::Answer::None
                        | block::Answer::Weak
                        | block::Answer::Pending
                        | block::Answer::Unavailable
                )
        })
        .or(turns.len().checked_sub(1))
}

/// The subject: `[<site> #<reference>] <start of the failed question, else of the message>`.
pub fn subject(t: &Ticket<'_>) -> String {
    let question = failed_turn(t.turns).map_or(t.message, |i| &t.turns[i].block.question);
    mailto::subject(t.site, t.reference, question)
}

/// How much of the conversation a body carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// The failed turn and the newest `text` other turns in the transcript, the failed turn and
    /// the newest `block` others in the machine block.
    Turns {
        text: usize,
        block: usize,
    },
    /// No transcript; a block of the failed turn only.
    BlockOnly,
    Nothing,
}

/// The failed turn `f` and the newest `n` others of `len` turns, oldest first.
fn kept(len: usize, f: usize, n: usize) -> Vec<usize> {
    let mut others: Vec<usize> = (0..len).filter(|&i| i != f).collect();
    let mut kept = others.split_off(others.len().saturating_sub(n));
    kept.push(f);
    kept.sort_unstable();
    kept
}

/// Writes the machine block's line (`block::encode` with some zlib compressor).
pub type Encode<'e> = &'e dyn Fn(&block::Block) -> String;

/// The body for `part` of the conversation, with `\n` line breaks, and how many turns its block
/// holds.
fn body(t: &Ticket<'_>, part: Part, encode: Encode<'_>) -> (String, usize) {
    use std::fmt::Write as _;
    let failed = failed_turn(t.turns);
    let message = mailto::body_text(t.message.trim_end());
    let mut b = message.clone();
    b.push_str("\n\n--\n");
    let mut field = |label: &str, value: &str| {
        let value = mailto::one_line(value);
        if !value.is_empty() {
            let _ = writeln!(b, "{label}: {value}");
        }
    };
    field("Name", t.name);
    field("Email", t.email);
    // The failed question is the transcript's last `Q:` line; without a transcript, a field.
    if let (Some(i), Part::BlockOnly | Part::Nothing) = (failed, part) {
        let q = &t.turns[i].block.question;
        if mailto::one_line(q) != mailto::one_line(&message) {
            field("Question", q);
        }
    }
    field("Page", t.page_url);
    field("Language", t.lang);
    field("Time", t.time);
    field("Reference", t.reference);
    // The turns kept: the failed one and the newest others, oldest first.
    let (text, in_block): (Vec<usize>, Vec<usize>) = match (part, failed) {
        (Part::Turns { text, block }, Some(f)) => {
            (kept(t.turns.len(), f, text), kept(t.turns.len(), f, block))
        }
        (Part::BlockOnly, Some(f)) => (Vec::new(), vec![f]),
        _ => (Vec::new(), Vec::new()),
    };
    if let (Part::Turns { .. }, false) = (part, t.turns.is_empty()) {
        b.push_str("\nConversation:\n");
        let omitted = t.turns.len() - text.len();
        if omitted > 0 {
            let s = if omitted == 1 { "" } else { "s" };
            let _ = writeln!(b, "({omitted} earlier question{s} omitted)");
        }
        for &i in &text {
            push_turn(&mut b, &t.turns[i]);
        }
    }
    if part != Part::Nothing && failed.is_some() {
        let blk = machine_block(t, &in_block);
        b.push('\n');
        b.push_str(&encode(&blk));
        b.push('\n');
    }
    (b, in_block.len())
}

/// The machine block of ticket `t` holding the turns at `in_block` (indices into `t.turns`, in
/// order); the rest count as omitted.
fn machine_block(t: &Ticket<'_>, in_block: &[usize]) -> block::Block {
    let turns: Vec<block::Turn> = in_block.iter().map(|&i| t.turns[i].block.clone()).collect();
    block::Block {
        reference: t.reference.to_string(),
        site: t.site.to_string(),
        page: t.page_url.to_string(),
        lang: t.lang.to_string(),
        widget_version: t.widget_version.to_string(),
        time: t.time.to_string(),
        omitted: (t.turns.len() - turns.len()) as u32,
        turns,
    }
}

/// One turn of the human transcript: the question, what answered it (titles, no URLs), the rating.
fn push_turn(b: &mut String, turn: &Turn) {
    let t = &turn.block;
    b.push_str("Q: ");
    b.push_str(&mailto::one_line(&t.question));
    b.push_str("\n  -> ");
    let titles = turn.titles.join("; ");
    match t.answer {
        block::Answer::Rule => {
            b.push_str("rule ");
            b.push_str(t.rule.as_deref().unwrap_or(""));
            if !titles.is_empty() {
                b.push_str(": ");
                b.push_str(&titles);
            }
        }
        block::Answer::Articles => b.push_str(&titles),
        block::Answer::Weak => {
            b.push_str("unsure: ");
            b.push_str(&titles);
        }
        block::Answer::None => b.push_str("no answer"),
        block::Answer::Pending => b.push_str("not answered yet"),
        block::Answer::Unavailable => b.push_str("search unavailable"),
    }
    match t.rating {
        Some(true) => b.push_str("\n  helpful: yes"),
        Some(false) => b.push_str("\n  helpful: no"),
        None => {}
    }
    b.push('\n');
}

/// [`compose_with`] the machine block compressed by `miniz_oxide`.
#[cfg(not(target_arch = "wasm32"))]
pub fn compose(to: &str, t: &Ticket<'_>, max_len: usize, truncation_note: &str) -> Mailto {
    compose_with(to, t, max_len, truncation_note, &block::encode)
}

/// Composes the ticket for `to` within `max_len` bytes of URL (see the module's comment), the
/// machine block written by `encode`. `truncation_note` ends a link whose visitor text had to be
/// cut, in the visitor's language.
pub fn compose_with(
    to: &str,
    t: &Ticket<'_>,
    max_len: usize,
    truncation_note: &str,
    encode: Encode<'_>,
) -> Mailto {
    let subject = subject(t);
    let n = t.turns.len();
    let url_of = |part| {
        let (b, turns) = body(t, part, encode);
        (mailto::url(to, &subject, &b), turns)
    };
    let all = Part::Turns { text: n, block: n };
    let (full, _) = body(t, all, encode);
    // The block first: it is what the desk reads, and a CJK character costs 9 bytes in the text
    // but under 4 in the block. So the most turns in the block with the failed turn alone in the
    // text, then as many turns in the text as still fit beside them.
    // Fewer turns never make a longer link, so binary searches find the most that fit in a few
    // compressions (the form composes again on every keystroke).
    let fits = |part| Some(url_of(part)).filter(|(u, _)| u.len() <= max_len);
    let found = most(n.saturating_sub(1), |block| {
        fits(Part::Turns { text: 0, block })
    })
    .and_then(|(block, _)| most(block, |text| fits(Part::Turns { text, block })))
    .map(|(_, found)| found);
    let found = found
        .or_else(|| fits(Part::BlockOnly))
        .or_else(|| fits(Part::Nothing));
    if let Some((url, turns_in_link)) = found {
        return Mailto {
            url,
            subject,
            body: full,
            too_long: false,
            turns_in_link,
        };
    }
    // The visitor's own text alone is too long: its start and a note to paste the copy, then
    // the rest as it would be under a short message (the fields, and the failed turn's block
    // when it fits), so that a link sent without the pasted copy still names the visitor and
    // carries the conversation to the desk. (Cut from the end, the message took them along.)
    let head = mailto::url(to, &subject, "");
    let note = format!("\n[…]\n{}", mailto::one_line(truncation_note));
    let message = mailto::body_text(t.message.trim_end());
    let without_message = Ticket {
        message: "",
        ..t.clone()
    };
    let around = head.len() + mailto::encoded_len(&note);
    let cut = [Part::BlockOnly, Part::Nothing]
        .into_iter()
        .find_map(|part| {
            let (rest, turns) = body(&without_message, part, encode);
            let budget = max_len.checked_sub(around + mailto::encoded_len(&rest))?;
            let text = format!("{}{note}{rest}", mailto::fit(&message, budget));
            let url = mailto::url(to, &subject, &text);
            (url.len() <= max_len).then_some((url, turns))
        });
    let (url, turns_in_link) = cut.unwrap_or((head, 0));
    Mailto {
        url,
        subject,
        body: full,
        too_long: true,
        turns_in_link,
    }
}

/// The largest `x <= max` for which `f` gives a value, with that value, when `f` gives one for
/// every `x` below a bound and none above it.
fn most<T>(max: usize, f: impl Fn(usize) -> Option<T>) -> Option<(usize, T)> {
    let mut best = (0, f(0)?);
    let (mut lo, mut hi) = (1, max);
    while lo <= hi {
        let mid = lo + (hi - lo) / 2;
        match f(mid) {
            Some(v) => {
                best = (mid, v);
                lo = mid + 1;
            }
            None => hi = mid - 1,
        }
    }
    Some(best)
}

/// The ticket as JSON for the owner's form endpoint (`[widget] ticket_url`), with no length
/// limit: the machine block's fields (see [`block`]'s schema) with every turn, then `name`,
/// `email` and `message` as the visitor typed them, and the email's `subject` and whole `body`
/// (its last line the machine block, so a form backend that forwards the body by email gives
/// `kbgen desk` a ticket it reads like any other).
pub fn json(t: &Ticket<'_>, m: &Mailto) -> String {
    let all: Vec<usize> = (0..t.turns.len()).collect();
    let blk = machine_block(t, &all);
    let mut o = block::to_json(&blk);
    o.pop();
    for (k, v) in [
        ("name", t.name),
        ("email", t.email),
        ("message", t.message),
        ("subject", &m.subject),
        ("body", &m.body),
    ] {
        o.push_str(",\"");
        o.push_str(k);
        o.push_str("\":");
        block::json_str(&mut o, v);
    }
    o.push('}');
    o
}

/// The text "Copy" puts on the clipboard: the whole ticket, address, subject and body.
pub fn clipboard_text(to: &str, m: &Mailto) -> String {
    format!("To: {to}\nSubject: {}\n\n{}", m.subject, m.body)
}

/// An optional email address: empty, or one plausible `local@domain.tld` without spaces or the
/// characters that would make it ambiguous in a mail header.
pub fn valid_email(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() {
        return true;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"@".contains(c);
    s.len() <= 254
        && !local.is_empty()
        && !local.chars().any(bad)
        && !domain.chars().any(bad)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|p| !p.is_empty())
}

/// A ticket reference from random bits: 6 characters of Crockford base32 (no I, L, O, U), short
/// enough to read over the phone and unlikely to repeat for one owner.
pub fn reference_from(bits: u64) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    (0..6)
        .map(|i| ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
        .collect()
}

/// The id of an article from its help-center URL (`<lang>/<id>/`).
pub fn article_id(url: &str) -> &str {
    url.trim_end_matches('/').rsplit('/').next().unwrap_or(url)
}

#[cfg(test)]
mod tests;
