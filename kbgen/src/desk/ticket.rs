//! Recognising what the widget put into a ticket email: its reference, the `Key: value` lines
//! under the body's `--` and, separately, the versioned machine block.
//!
//! Pure functions over text. The widget (`widget/src/mailto.rs`) writes the subject
//! `[<site> #<REF>] <question>` and a body ending in `Reference: <REF>`; mail clients prefix
//! "Re:"/"Fwd:", quote lines with `>`, re-wrap and change case, so recognition accepts all that.

use base64::Engine as _;

/// The widget's reference alphabet: Crockford base32 (no I, L, O, U), six characters.
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const WIDGET_REF_LEN: usize = 6;

/// Upper-cases `s` and checks it is a widget reference.
pub fn normalize_reference(s: &str) -> Option<String> {
    let up = s.trim().to_ascii_uppercase();
    (up.len() == WIDGET_REF_LEN && up.bytes().all(|b| ALPHABET.contains(&b))).then_some(up)
}

/// `[anything #REF]` anywhere in a subject (`Re: Fwd: [Acme #7KQ2MX] How do I…`).
pub fn reference_in_subject(subject: &str) -> Option<String> {
    let mut rest = subject;
    while let Some(i) = rest.find('#') {
        let after = &rest[i + 1..];
        if let Some(end) = after.find(']') {
            if let Some(r) = normalize_reference(&after[..end]) {
                return Some(r);
            }
        }
        rest = after;
    }
    None
}

/// The fields the widget writes under the body's `--` line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WidgetFields {
    pub reference: Option<String>,
    /// The visitor's address, from an unquoted `Email:` line only: a quoted one belongs to the
    /// message being replied to.
    pub email: Option<String>,
    pub page: Option<String>,
    pub lang: Option<String>,
}

/// Reads `Reference:` (quoted or not) and, when a reference is there, the unquoted
/// `Email:`/`Page:`/`Language:` lines.
pub fn widget_fields(body: &str) -> WidgetFields {
    let mut f = WidgetFields::default();
    for line in body.lines() {
        let unquoted = line.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
        let quoted = unquoted.len() != line.trim_start().len();
        let Some((key, value)) = unquoted.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "reference" if f.reference.is_none() => f.reference = normalize_reference(value),
            "email" if !quoted && f.email.is_none() && value.contains('@') => {
                f.email = Some(value.trim_matches(['<', '>']).to_ascii_lowercase());
            }
            "page" if !quoted && f.page.is_none() => f.page = Some(value.to_string()),
            "language" if !quoted && f.lang.is_none() => f.lang = Some(value.to_string()),
            _ => {}
        }
    }
    if f.reference.is_none() {
        return WidgetFields::default();
    }
    f
}

/// A `solodesk:v<N>:<base64url>` block as found in a body; what the payload holds is the
/// version's business ([`MachineBlock::reference`] reads what it can).
#[derive(Clone, Debug, PartialEq)]
pub struct MachineBlock {
    pub version: u32,
    pub payload: Vec<u8>,
}

impl MachineBlock {
    /// The reference when the payload is JSON with a `reference` (or `ref`) string; other
    /// payload encodings are to be added here as the widget's block gains them.
    pub fn reference(&self) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(&self.payload).ok()?;
        ["reference", "ref"]
            .iter()
            .find_map(|k| v.get(k)?.as_str())
            .and_then(normalize_reference)
    }
}

/// Finds the last machine block in `text`. Mail clients wrap long lines and quote them with `>`,
/// so the payload continues over following lines made only of base64url characters. Returns
/// `None` for a block that does not decode (cut by a mail client).
pub fn machine_block(text: &str) -> Option<MachineBlock> {
    const MARK: &str = "solodesk:v";
    let lines: Vec<&str> = text.lines().collect();
    let strip = |l: &str| -> String {
        l.trim_start_matches(|c: char| c == '>' || c.is_whitespace())
            .trim_end()
            .to_string()
    };
    let start = lines.iter().rposition(|l| strip(l).starts_with(MARK))?;
    let first = strip(lines[start]);
    let rest = &first[MARK.len()..];
    let (version, payload) = rest.split_once(':')?;
    let version: u32 = version.parse().ok()?;
    let is_b64 = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
    };
    if !is_b64(payload) {
        return None;
    }
    let mut data = payload.to_string();
    for l in &lines[start + 1..] {
        let l = strip(l);
        if !is_b64(&l) {
            break;
        }
        data.push_str(&l);
    }
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .ok()?;
    Some(MachineBlock { version, payload })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_references_survive_mail_clients() {
        let check = |s: &str, want: Option<&str>| {
            assert_eq!(reference_in_subject(s).as_deref(), want, "{s}");
        };
        check("[Acme #7KQ2MX] How do I get a refund?", Some("7KQ2MX"));
        check("Re: Fwd: [Acme Shop #7kq2mx] How…", Some("7KQ2MX"));
        check("[#7KQ2MX]", Some("7KQ2MX"));
        check("Order #1234] shipped", None);
        check("[Acme #7KQ2MI] has an I", None);
        check("issue #12 and [Acme #ABCDEF] later", Some("ABCDEF"));
    }

    #[test]
    fn body_fields_only_trust_unquoted_contact_lines() {
        let body = "Hi\n\n--\nName: Ann\nEmail: Ann@Example.com\nPage: https://x.test/p\nLanguage: zh\nReference: 7KQ2MX\n";
        let f = widget_fields(body);
        assert_eq!(f.reference.as_deref(), Some("7KQ2MX"));
        assert_eq!(f.email.as_deref(), Some("ann@example.com"));
        assert_eq!(f.lang.as_deref(), Some("zh"));
        let reply = "Thanks!\n\n> --\n> Email: ann@example.com\n> Reference: 7KQ2MX\n";
        let f = widget_fields(reply);
        assert_eq!(f.reference.as_deref(), Some("7KQ2MX"));
        assert_eq!(f.email, None);
        assert_eq!(widget_fields("Email: a@b.c\n"), WidgetFields::default());
    }

    #[test]
    fn machine_blocks_are_read_even_when_wrapped_or_quoted_and_refused_when_cut() {
        let payload = br#"{"reference":"7KQ2MX","lang":"en"}"#;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
        let (a, b) = b64.split_at(20);
        let text = format!("hello\n> solodesk:v1:{a}\n> {b}\n> \n> bye");
        let block = machine_block(&text).expect("block");
        assert_eq!(block.version, 1);
        assert_eq!(block.reference().as_deref(), Some("7KQ2MX"));
        let cut = format!("solodesk:v1:{}", &b64[..b64.len() - 1]);
        let cut_block = machine_block(&cut);
        assert!(cut_block.is_none_or(|b| b.reference().is_none()));
        assert_eq!(machine_block("solodesk:v1:https://x/"), None);
    }
}
