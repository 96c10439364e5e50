//! Recognising what the widget put into a ticket email: its reference, the `Key: value` lines
//! under the body's `--` and, separately, the versioned machine block.
//!
//! Pure functions over text. The widget (`widget/src/ticket/`) writes the subject
//! `[<site> #<REF>] <question>` and a body ending in `Reference: <REF>`; mail clients prefix
//! "Re:"/"Fwd:", quote lines with `>`, re-wrap and change case, so recognition accepts all that.

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

/// The widget's machine block (`solodesk:v1:...`), read by the very file the widget writes it with:
/// the format has one source of truth, `widget/src/ticket/block.rs`.
#[allow(dead_code)]
#[path = "../../../widget/src/ticket/block.rs"]
pub mod block;

/// The widget's whole ticket module, so the tests below read what the widget's own code writes.
/// It brings a second copy of `block.rs`: the widget's copy writes, the desk's reads.
#[cfg(test)]
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../../../widget/src/ticket/mod.rs"]
mod widget_ticket;

/// The reference in the body's machine block, when the body has an intact one.
pub fn block_reference(text: &str) -> Option<String> {
    block::find(text)
        .ok()
        .and_then(|b| normalize_reference(&b.reference))
}

/// `text` without the widget's machine block: its line and the lines of base64url a mail client
/// wrapped it onto, quoted or not. What the owner reads of a message; the block is shown as the
/// conversation it holds. Text with no block that reads back comes back as it is: a visitor who
/// types `solodesk:v1:` above their own words cannot hide those words from the owner.
pub fn without_block(text: &str) -> String {
    if block::find(text).is_err() {
        return text.to_string();
    }
    fn bare(l: &str) -> &str {
        l.trim_start_matches(|c: char| c == '>' || c.is_whitespace())
            .trim_end()
    }
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().rposition(|l| bare(l).starts_with(block::MARK)) else {
        return text.to_string();
    };
    let base64url = |l: &str| {
        let l = bare(l).trim_end_matches('=');
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| !base64url(l))
        .map_or(lines.len(), |n| start + 1 + n);
    let mut kept = lines[..start].to_vec();
    kept.extend(&lines[end..]);
    kept.join("\n").trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The block goes, wrapped and quoted as mail clients leave it; the visitor's words and
    /// the fields stay. A message without a block, or with a line that only looks like one
    /// (typed to hide the words below it), is untouched.
    #[test]
    fn the_block_is_left_out_of_what_the_owner_reads() {
        let b = block::Block {
            reference: "7KQ2MX".into(),
            ..block::Block::default()
        };
        let line = block::encode(&b);
        let (head, tail) = line.split_at(line.len() / 2);
        let body =
            format!("Where is my order?\n\n--\nReference: 7KQ2MX\n> {head}\n> {tail}\n\nThanks");
        assert_eq!(block::find(&body).map(|f| f.reference), Ok("7KQ2MX".into()));
        assert_eq!(
            without_block(&body),
            "Where is my order?\n\n--\nReference: 7KQ2MX\n\nThanks"
        );
        let plain = "No block here.\nsolodesk is a word.";
        assert_eq!(without_block(plain), plain);
        let feigned = "solodesk:v1:AAAA\nmy\nreal\ncomplaint";
        assert_eq!(without_block(feigned), feigned);
    }

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

    /// Decodes a `mailto:` URL's body as a mail client does, CRLF line breaks included.
    fn mailto_body(url: &str) -> String {
        let query = url.split_once('?').unwrap().1;
        let body = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("body="))
            .unwrap();
        percent_encoding::percent_decode_str(body)
            .decode_utf8()
            .unwrap()
            .into_owned()
    }

    /// Issue 18: the desk decodes exactly what the widget writes, even quoted in a reply, and
    /// refuses a block a mail client cut rather than misreading it.
    #[test]
    fn the_desk_reads_the_block_the_widget_writes() {
        use widget_ticket::block::{Answer, Turn as BlockTurn};
        let turn =
            |q: &str, answer, rule: Option<&str>, ids: &[&str], rating| widget_ticket::Turn {
                block: BlockTurn {
                    question: q.into(),
                    answer,
                    rule: rule.map(str::to_string),
                    articles: ids.iter().map(|s| s.to_string()).collect(),
                    rating,
                },
                titles: ids.iter().map(|s| s.to_uppercase()).collect(),
            };
        let turns = [
            turn(
                "return policy?",
                Answer::Rule,
                Some("returns"),
                &["refunds"],
                Some(true),
            ),
            turn(
                "烘焙日期是哪天",
                Answer::Articles,
                None,
                &["roast", "fresh"],
                Some(false),
            ),
            turn("能开发票吗", Answer::None, None, &[], None),
        ];
        let t = widget_ticket::Ticket {
            site: "Acme",
            reference: "9XW4RT",
            name: "王伟",
            email: "wei@example.cn",
            message: "我需要增值税发票。",
            page_url: "https://acme.test/zh/checkout?step=2",
            lang: "zh",
            time: "2026-03-02T10:00:00Z",
            widget_version: "0.1.0",
            turns: &turns,
        };
        let m = widget_ticket::compose("help@acme.test", &t, widget_ticket::MAX_URL_LEN, "");
        let body = mailto_body(&m.url);
        let got = block::find(&body).expect("an intact block");
        assert_eq!(got.reference, "9XW4RT");
        assert_eq!(got.site, "Acme");
        assert_eq!(got.page, t.page_url);
        assert_eq!(got.lang, "zh");
        assert_eq!(got.widget_version, "0.1.0");
        assert_eq!(got.time, t.time);
        assert_eq!(got.omitted, 0);
        assert_eq!(got.turns.len(), 3);
        for (g, w) in got.turns.iter().zip(&turns) {
            assert_eq!(g.question, w.block.question);
            assert_eq!(g.answer as u8, w.block.answer as u8);
            assert_eq!(g.rule, w.block.rule);
            assert_eq!(g.articles, w.block.articles);
            assert_eq!(g.rating, w.block.rating);
        }
        assert_eq!(block_reference(&body).as_deref(), Some("9XW4RT"));

        // A reply quoting the whole ticket.
        let quoted: String = body.lines().map(|l| format!("> {l}\r\n")).collect();
        let reply = format!("Done, invoice attached.\r\n\r\nOn Mon, Wei wrote:\r\n{quoted}");
        assert_eq!(block::find(&reply), Ok(got.clone()));

        // A mail client that cut the body in the middle of the block.
        let line = body
            .lines()
            .find(|l| l.starts_with("solodesk:v1:"))
            .unwrap();
        for cut in [13, line.len() / 2, line.len() - 1] {
            let cut_body = format!("{}\r\n", &line[..cut]);
            assert_eq!(
                block::find(&cut_body),
                Err(block::BlockError::Damaged),
                "cut at {cut}"
            );
            assert_eq!(block_reference(&cut_body), None);
        }
        assert_eq!(
            block::find("solodesk:v1:https://x/"),
            Err(block::BlockError::Damaged)
        );
    }
}
