//! One raw message (RFC 5322 bytes, from any source) turned into the few facts the desk keeps.
//!
//! MIME, transfer encodings, legacy charsets (GBK, ISO-2022-JP, …) and HTML-only mail are
//! mail-parser's job; this module only picks fields and normalises addresses and ids.

use mail_parser::{HeaderValue, MessageParser};
use sha2::{Digest, Sha256};

/// What the desk stores of one message.
#[derive(Clone, Debug, PartialEq)]
pub struct Mail {
    /// The Message-ID without angle brackets; a digest of the bytes when the header is missing,
    /// so the same message read twice still has the same id.
    pub message_id: String,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// Lower-cased address.
    pub from: String,
    pub from_name: String,
    pub to: Vec<String>,
    pub subject: String,
    /// Seconds since the epoch, from the Date header.
    pub date: Option<i64>,
    /// The text body (converted from HTML when the message has no text part).
    pub body: String,
    /// Sent by a program, not a person (RFC 3834 `Auto-Submitted`, autoresponder headers,
    /// `Precedence: bulk`): an out-of-office reply must neither answer nor reopen a ticket.
    pub automatic: bool,
    /// Subjects and bodies of attached messages (a ticket forwarded as an attachment), used only
    /// to recognise a widget ticket.
    pub attached: Vec<String>,
}

/// Parses `raw`; `None` when the bytes are not a message (no headers at all).
pub fn parse(raw: &[u8]) -> Option<Mail> {
    let msg = MessageParser::default().parse(raw)?;
    if msg.headers().is_empty() {
        return None;
    }
    let message_id = match msg.message_id() {
        Some(id) if !id.trim().is_empty() => clean_id(id),
        _ => {
            let digest = Sha256::digest(raw);
            let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
            format!("sha256-{hex}@kbgen.invalid")
        }
    };
    let from = msg.from().and_then(|a| a.first());
    let attached = msg
        .attachments()
        .filter_map(|p| p.message())
        .map(|m| {
            format!(
                "{}\n{}",
                m.subject().unwrap_or_default(),
                m.body_text(0).unwrap_or_default()
            )
        })
        .collect();
    let header = |name: &str| msg.header_raw(name).map(|v| v.trim().to_ascii_lowercase());
    let automatic = header("Auto-Submitted").is_some_and(|v| !v.starts_with("no"))
        || header("X-Autoreply").is_some()
        || header("X-Autorespond").is_some()
        || header("Precedence")
            .is_some_and(|v| ["bulk", "junk", "auto_reply"].contains(&v.as_str()));
    Some(Mail {
        message_id,
        automatic,
        in_reply_to: ids(msg.in_reply_to()),
        references: ids(msg.references()),
        from: from
            .and_then(|a| a.address())
            .map(|a| a.trim().to_ascii_lowercase())
            .unwrap_or_default(),
        from_name: from.and_then(|a| a.name()).unwrap_or_default().to_string(),
        to: msg
            .to()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.address())
                    .map(|x| x.trim().to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default(),
        subject: msg.subject().unwrap_or_default().trim().to_string(),
        date: msg.date().map(|d| d.to_timestamp()),
        body: msg
            .body_text(0)
            .map(|b| b.replace("\r\n", "\n"))
            .unwrap_or_default(),
        attached,
    })
}

fn clean_id(id: &str) -> String {
    id.trim().trim_matches(['<', '>']).to_string()
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => t.split_whitespace().map(clean_id).collect(),
        HeaderValue::TextList(l) => l.iter().map(|t| clean_id(t)).collect(),
        _ => Vec::new(),
    }
}

/// An RFC 3339 date for output.
pub fn rfc3339(ts: i64) -> String {
    mail_parser::DateTime::from_timestamp(ts).to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_charsets_and_html_only_mail_come_out_as_text() {
        // "退款" in GBK, quoted-printable.
        let gbk = b"From: a@b.test\r\nSubject: =?GBK?B?zcu/7g==?=\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=CD=CB=BF=EE\r\n";
        let m = parse(gbk).unwrap();
        assert_eq!(m.subject, "退款");
        assert_eq!(m.body.trim(), "退款");
        // "返金" in ISO-2022-JP.
        let jp = b"From: a@b.test\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$BJV6b\x1b(B\r\n";
        assert_eq!(parse(jp).unwrap().body.trim(), "返金");
        let html =
            b"From: a@b.test\r\nContent-Type: text/html\r\n\r\n<p>Where is <b>my order</b>?</p>";
        let body = parse(html).unwrap().body;
        assert!(body.contains("Where is my order?"), "{body}");
        assert!(!body.contains('<'), "{body}");
    }

    #[test]
    fn ids_lose_their_brackets_and_a_missing_id_is_stable() {
        let raw = b"From: A <A@B.test>\r\nMessage-ID: <x1@b.test>\r\nIn-Reply-To: <p@b.test>\r\nReferences: <r@b.test> <p@b.test>\r\n\r\nhi";
        let m = parse(raw).unwrap();
        assert_eq!(m.message_id, "x1@b.test");
        assert_eq!(m.in_reply_to, ["p@b.test"]);
        assert_eq!(m.references, ["r@b.test", "p@b.test"]);
        assert_eq!(m.from, "a@b.test");
        assert!(!m.automatic);
        let auto = b"From: a@b.test\r\nAuto-Submitted: auto-replied\r\n\r\nI am away";
        assert!(parse(auto).unwrap().automatic);
        let person = b"From: a@b.test\r\nAuto-Submitted: no\r\nPrecedence: list\r\n\r\nhi";
        assert!(!parse(person).unwrap().automatic);
        let anon = b"From: a@b.test\r\n\r\nhi";
        assert_eq!(
            parse(anon).unwrap().message_id,
            parse(anon).unwrap().message_id
        );
        assert_ne!(
            parse(anon).unwrap().message_id,
            parse(b"From: a@b.test\r\n\r\nho").unwrap().message_id
        );
    }
}
