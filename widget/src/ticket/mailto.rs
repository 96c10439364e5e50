//! RFC 6068 `mailto:` encoding for the email ticket (composed in `super`, the ticket module).
//!
//! The address and every header value are percent-encoded as UTF-8 with only the unreserved
//! characters left bare, so `&`, `?`, `#`, `%`, `+` and `=` typed by the visitor can never end a
//! field or add a recipient or header; line breaks are sent as `%0D%0A` as the RFC asks. Pure std,
//! so kbgen's desk tests include this file by path. Some mail clients cut long URLs, so the ticket
//! is composed to [`MAX_URL_LEN`].

/// Longest `mailto:` URL we hand to the browser; Outlook and older Windows shells cut near 2,000.
pub const MAX_URL_LEN: usize = 1800;

/// How many characters of the question go into the subject line.
const SUBJECT_QUESTION_CHARS: usize = 60;

/// Line breaks inside a body are normalised to `\n` here and sent as CRLF.
pub fn normalize_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// The subject line: `[<site> #<reference>] <start of question>`, on one line, without control
/// or bidi formatting characters (a U+202E would show the rest of the subject reversed in the
/// owner's inbox).
pub fn subject(site: &str, reference: &str, question: &str) -> String {
    let question = subject_text(question);
    let mut start: String = question.chars().take(SUBJECT_QUESTION_CHARS).collect();
    if start.len() < question.len() {
        start.push('…');
    }
    let site = subject_text(site);
    let mut s = String::new();
    s.push('[');
    if !site.is_empty() {
        s.push_str(&site);
        s.push(' ');
    }
    s.push('#');
    s.push_str(&subject_text(reference));
    s.push(']');
    if !start.is_empty() {
        s.push(' ');
        s.push_str(&start);
    }
    s
}

/// The `mailto:` URL for `to` with `subject` and `body` (line breaks `\n`, sent as CRLF).
pub fn url(to: &str, subject: &str, body: &str) -> String {
    let mut url = String::from("mailto:");
    encode_into(&mut url, to.trim(), b"@");
    url.push_str("?subject=");
    encode_into(&mut url, subject, b"");
    url.push_str("&body=");
    encode_into(&mut url, body, b"");
    url
}

/// How many bytes `s` takes once percent-encoded as a header value.
pub fn encoded_len(s: &str) -> usize {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                1
            } else if b == b'\n' {
                6
            } else {
                3
            }
        })
        .sum()
}

/// The longest start of `s` whose encoding takes at most `budget` bytes, cut between characters.
pub fn fit(s: &str, budget: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += encoded_len(c.encode_utf8(&mut [0; 4]));
        if used > budget {
            return &s[..i];
        }
    }
    s
}

/// Collapses all whitespace runs, including line breaks, to single spaces, and drops the other
/// control characters.
pub fn one_line(s: &str) -> String {
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
pub fn subject_text(s: &str) -> String {
    one_line(&s.replace(is_bidi_control, ""))
}

/// Newlines normalised to `\n`, and control characters other than `\n` and `\t` dropped.
pub fn body_text(s: &str) -> String {
    normalize_newlines(s).replace(|c: char| c.is_control() && c != '\n' && c != '\t', "")
}

/// Percent-encodes `s` as UTF-8, leaving RFC 3986 unreserved characters and `keep` bare.
/// A `\n` becomes `%0D%0A` (RFC 6068 section 5).
pub fn encode_into(out: &mut String, s: &str, keep: &[u8]) {
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
