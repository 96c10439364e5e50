//! The email ticket: builds the `mailto:` URL that hands the visitor's question to the owner.
//!
//! This is the widget's last line of help, so it must never lose or alter what the visitor typed and
//! must never let them add recipients or headers. It is a pure function so it can be property-tested
//! against an independent URL parser (see the tests at the bottom).
//!
//! Encoding follows RFC 6068: the address and every header value are percent-encoded as UTF-8 with
//! only the unreserved characters left bare, so `&`, `?`, `#`, `%`, `+` and `=` typed by the visitor
//! can never end a field; line breaks are sent as `%0D%0A` as the RFC asks. Some mail clients cut
//! long URLs, so the URL is capped; the full text then goes through "Copy message".

use std::fmt::Write as _;

/// Longest `mailto:` URL we hand to the browser; Outlook and older Windows shells cut near 2,000.
pub const MAX_URL_LEN: usize = 1800;

/// How many characters of the question go into the subject line.
const SUBJECT_QUESTION_CHARS: usize = 60;

/// Everything the owner should receive about one ticket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ticket<'a> {
    /// The owner's site name, shown in the subject: `[site #ref] ...`.
    pub site: &'a str,
    pub reference: &'a str,
    /// The visitor's first question, whose start becomes the subject.
    pub question: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub message: &'a str,
    /// What was asked and shown so far, one line per turn.
    pub transcript: &'a str,
    pub page_url: &'a str,
    pub lang: &'a str,
    /// When the ticket was written, as the visitor's browser sees it (ISO 8601).
    pub time: &'a str,
}

/// The result of [`build`].
#[derive(Clone, Debug, PartialEq)]
pub struct Mailto {
    /// The URL for the "Send email" link, at most `max_len` bytes.
    pub url: String,
    pub subject: String,
    /// The complete body; when `truncated`, the URL holds only its start.
    pub body: String,
    pub truncated: bool,
}

/// Line breaks inside a body are normalised to `\n` here and sent as CRLF.
pub fn normalize_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// The subject line: `[<site> #<reference>] <start of question>`, on one line, without control
/// or bidi formatting characters (a U+202E would show the rest of the subject reversed in the
/// owner's inbox).
pub fn subject(ticket: &Ticket<'_>) -> String {
    let question = subject_text(ticket.question);
    let mut start: String = question.chars().take(SUBJECT_QUESTION_CHARS).collect();
    if start.len() < question.len() {
        start.push('…');
    }
    let site = subject_text(ticket.site);
    let mut s = String::new();
    s.push('[');
    if !site.is_empty() {
        s.push_str(&site);
        s.push(' ');
    }
    s.push('#');
    s.push_str(&subject_text(ticket.reference));
    s.push(']');
    if !start.is_empty() {
        s.push(' ');
        s.push_str(&start);
    }
    s
}

/// The body text of the email, with `\n` line breaks: the visitor's text as typed, except control
/// characters other than line breaks and tabs (NUL and the like), which no mail client shows.
pub fn body(ticket: &Ticket<'_>) -> String {
    let mut b = body_text(ticket.message.trim_end());
    b.push_str("\n\n--\n");
    let mut field = |label: &str, value: &str| {
        let value = one_line(value);
        if !value.is_empty() {
            let _ = writeln!(b, "{label}: {value}");
        }
    };
    field("Name", ticket.name);
    field("Email", ticket.email);
    field("Page", ticket.page_url);
    field("Language", ticket.lang);
    field("Time", ticket.time);
    field("Reference", ticket.reference);
    let transcript = body_text(ticket.transcript.trim());
    if !transcript.is_empty() {
        b.push_str("\nConversation:\n");
        b.push_str(&transcript);
        b.push('\n');
    }
    b
}

/// Builds the `mailto:` URL for `to`, keeping it within `max_len` bytes.
///
/// When the body does not fit, the URL carries its start followed by `truncation_note` (a line in
/// the visitor's language asking them to paste the copied message), and `truncated` is set.
pub fn build(to: &str, ticket: &Ticket<'_>, max_len: usize, truncation_note: &str) -> Mailto {
    let subject = subject(ticket);
    let body = body(ticket);
    let mut url = String::from("mailto:");
    encode_into(&mut url, to.trim(), b"@");
    url.push_str("?subject=");
    encode_into(&mut url, &subject, b"");
    url.push_str("&body=");
    let head = url.len();
    encode_into(&mut url, &body, b"");
    if url.len() <= max_len {
        return Mailto {
            url,
            subject,
            body,
            truncated: false,
        };
    }
    url.truncate(head);
    let mut note = String::from("\n[…]\n");
    note.push_str(&one_line(truncation_note));
    let mut encoded_note = String::new();
    encode_into(&mut encoded_note, &note, b"");
    let budget = max_len.saturating_sub(encoded_note.len());
    let mut buf = String::new();
    for ch in body.chars() {
        buf.clear();
        encode_into(&mut buf, ch.encode_utf8(&mut [0; 4]), b"");
        if url.len() + buf.len() > budget {
            break;
        }
        url.push_str(&buf);
    }
    if url.len() + encoded_note.len() <= max_len {
        url.push_str(&encoded_note);
    }
    Mailto {
        url,
        subject,
        body,
        truncated: true,
    }
}

/// The text "Copy message" puts on the clipboard: subject and full body.
pub fn clipboard_text(to: &str, m: &Mailto) -> String {
    format!("To: {to}\nSubject: {}\n\n{}", m.subject, m.body)
}

/// Collapses all whitespace runs, including line breaks, to single spaces, and drops the other
/// control characters.
fn one_line(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.replace(|c: char| c.is_control(), ""))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The bidi formatting characters: marks, embeddings, overrides and isolates.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// [`one_line`] without bidi formatting characters, for the subject.
fn subject_text(s: &str) -> String {
    one_line(&s.replace(is_bidi_control, ""))
}

/// Newlines normalised to `\n`, and control characters other than `\n` and `\t` dropped.
pub fn body_text(s: &str) -> String {
    normalize_newlines(s).replace(|c: char| c.is_control() && c != '\n' && c != '\t', "")
}

/// Percent-encodes `s` as UTF-8, leaving RFC 3986 unreserved characters and `keep` bare.
/// A `\n` becomes `%0D%0A` (RFC 6068 section 5).
fn encode_into(out: &mut String, s: &str, keep: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || keep.contains(&b)
        {
            out.push(b as char);
        } else if b == b'\n' {
            out.push_str("%0D%0A");
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Decodes a mailto URL with the `url` crate: (address, [(key, value)]).
    fn parse(mailto: &str) -> (String, Vec<(String, String)>) {
        let u = url::Url::parse(mailto).expect("valid URL");
        assert_eq!(u.scheme(), "mailto");
        assert!(u.fragment().is_none(), "no fragment may appear: {mailto}");
        let to = percent_encoding::percent_decode_str(u.path())
            .decode_utf8()
            .unwrap()
            .into_owned();
        // `form_urlencoded` would turn `+` into a space, which mailto does not do, so decode by hand.
        let pairs = u
            .query()
            .unwrap_or("")
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').expect("key=value");
                let dec = |s: &str| {
                    percent_encoding::percent_decode_str(s)
                        .decode_utf8()
                        .unwrap()
                        .into_owned()
                };
                (dec(k), dec(v))
            })
            .collect();
        (to, pairs)
    }

    fn ticket<'a>(question: &'a str, message: &'a str, transcript: &'a str) -> Ticket<'a> {
        Ticket {
            site: "Acme",
            reference: "K7Q2XM",
            question,
            name: "Ana",
            email: "ana@example.org",
            message,
            transcript,
            page_url: "https://acme.test/pricing?plan=pro#faq",
            lang: "en",
            time: "2026-11-25T13:00:00.000Z",
        }
    }

    fn check(to: &str, t: &Ticket<'_>, expected_subject: &str, expected_body: &str) {
        let m = build(to, t, MAX_URL_LEN, "too long");
        assert!(!m.truncated);
        let (addr, pairs) = parse(&m.url);
        assert_eq!(addr, to);
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["subject", "body"]);
        assert_eq!(pairs[0].1, expected_subject);
        assert_eq!(pairs[1].1.replace("\r\n", "\n"), expected_body);
    }

    #[test]
    fn builds_subject_and_body() {
        check(
            "owner@acme.test",
            &ticket(
                "How do I get a refund?",
                "How do I get a refund?\nOrder 12 & 13",
                "Q: refund",
            ),
            "[Acme #K7Q2XM] How do I get a refund?",
            "How do I get a refund?\nOrder 12 & 13\n\n--\nName: Ana\nEmail: ana@example.org\n\
             Page: https://acme.test/pricing?plan=pro#faq\nLanguage: en\n\
             Time: 2026-11-25T13:00:00.000Z\nReference: K7Q2XM\n\nConversation:\nQ: refund\n",
        );
    }

    #[test]
    fn subject_is_one_line_and_shortened() {
        let long = "a\nb ".repeat(40);
        let s = subject(&ticket(&long, "", ""));
        assert!(!s.contains('\n'));
        assert!(s.starts_with("[Acme #K7Q2XM] a b a b"));
        assert!(s.ends_with('…'));
    }

    #[test]
    fn visitor_cannot_add_headers_or_recipients() {
        let evil = "x&cc=evil@bad.test&bcc=a@b?subject=y#frag\r\nBcc: z@bad.test %0D%0A+";
        let t = ticket(evil, evil, evil);
        let m = build("owner@acme.test", &t, MAX_URL_LEN, "");
        let (addr, pairs) = parse(&m.url);
        assert_eq!(addr, "owner@acme.test");
        assert_eq!(pairs.len(), 2);
        assert!(pairs[1]
            .1
            .contains("x&cc=evil@bad.test&bcc=a@b?subject=y#frag\r\nBcc: z@bad.test %0D%0A+"));
    }

    #[test]
    fn long_body_is_cut_within_the_cap_and_flagged() {
        let message = "雪".repeat(2000);
        let t = ticket("q", &message, "");
        let m = build(
            "owner@acme.test",
            &t,
            MAX_URL_LEN,
            "Paste the copied message",
        );
        assert!(m.truncated);
        assert!(m.url.len() <= MAX_URL_LEN);
        let (_, pairs) = parse(&m.url);
        assert!(pairs[1].1.starts_with("雪雪雪"));
        assert!(pairs[1].1.ends_with("Paste the copied message"));
        assert_eq!(
            m.body,
            body(&t),
            "the full body stays available for copying"
        );
        assert!(clipboard_text("owner@acme.test", &m).contains(&message));
    }

    #[test]
    fn controls_and_bidi_never_reach_the_subject() {
        let question = "refund\u{202E}gpj.exe\u{0}\u{7}\u{85}now\u{2066}x\u{2069}\u{200F}\u{9f}";
        let message = "a\u{0}b\u{1b}[31mc\td\u{202E}e\r\nf\u{2028}g";
        let t = ticket(question, message, "");
        let m = build("owner@acme.test", &t, MAX_URL_LEN, "");
        let (_, pairs) = parse(&m.url);
        assert_eq!(pairs[0].1, "[Acme #K7Q2XM] refundgpj.exe nowx");
        // The body keeps the text, bidi and line separators included; NUL and ESC go.
        assert!(pairs[1]
            .1
            .starts_with("ab[31mc\td\u{202E}e\r\nf\u{2028}g\r\n\r\n--"));
    }

    proptest! {
        #[test]
        fn no_control_reaches_the_ticket(
            question in "(\\PC|\\p{Cc}|\\p{Cf}){0,80}",
            message in "(\\PC|\\p{Cc}|\\p{Cf}){0,200}",
        ) {
            let t = ticket(&question, &message, "");
            let m = build("owner@acme.test", &t, 100_000, "");
            let (addr, pairs) = parse(&m.url);
            prop_assert_eq!(addr, "owner@acme.test");
            prop_assert_eq!(pairs.len(), 2);
            prop_assert!(!pairs[0].1.contains(|c: char| c.is_control() || is_bidi_control(c)));
            let got = pairs[1].1.replace("\r\n", "\n");
            prop_assert!(!got.contains(|c: char| c.is_control() && c != '\n' && c != '\t'));
            prop_assert!(got.starts_with(&body_text(message.trim_end())));
        }

        #[test]
        fn every_character_arrives_exactly(
            question in "\\PC{0,80}",
            message in "(\\PC|[\n\r&?#%+=]){0,300}",
            transcript in "(\\PC|[\n&?#%+]){0,200}",
            name in "\\PC{0,20}",
        ) {
            let t = Ticket { name: &name, ..ticket(&question, &message, &transcript) };
            let m = build("owner+help@acme.test", &t, 100_000, "");
            prop_assert!(!m.truncated);
            let (addr, pairs) = parse(&m.url);
            prop_assert_eq!(addr, "owner+help@acme.test");
            prop_assert_eq!(pairs.len(), 2);
            prop_assert_eq!(&pairs[0].0, "subject");
            prop_assert_eq!(&pairs[0].1, &subject(&t));
            prop_assert_eq!(&pairs[1].0, "body");
            let got = pairs[1].1.replace("\r\n", "\n");
            prop_assert_eq!(&got, &body(&t));
            // The visitor's message is the body's start, character for character.
            let expected = normalize_newlines(message.trim_end());
            prop_assert!(got.starts_with(&expected));
        }

        #[test]
        fn capped_urls_stay_valid_and_short(message in "(\\PC|\n){0,1500}") {
            let t = ticket("q", &message, "");
            let m = build("owner@acme.test", &t, MAX_URL_LEN, "cut");
            prop_assert!(m.url.len() <= MAX_URL_LEN);
            let (_, pairs) = parse(&m.url);
            prop_assert_eq!(pairs.len(), 2);
            let got = pairs[1].1.replace("\r\n", "\n");
            if m.truncated {
                let kept = got.strip_suffix("\n[…]\ncut").unwrap_or(&got);
                prop_assert!(m.body.starts_with(kept));
            } else {
                prop_assert_eq!(got, m.body);
            }
        }
    }
}
