//! The ticket's machine block: one line `solodesk:v1:<payload>` at the end of the email body,
//! which `kbgen desk` reads whatever a mail client did to the human part above it.
//!
//! This file is the format's single source of truth. The widget compiles it to write the block and
//! kbgen includes it by path (`kbgen/src/desk/ticket.rs`) to read it, so writer and reader cannot
//! drift. It is pure (strings and bytes in, values out) and depends only on std and, off wasm32
//! (never compiled into the widget), `miniz_oxide` and `serde_json`: the widget compresses with
//! the browser's own `CompressionStream("deflate")`, whose output is this zlib format, or, where
//! a browser lacks it, with `zlib_stored` (services/ticket.rs).
//!
//! Version 1's payload is base64url (RFC 4648 section 5, no padding) of zlib (RFC 1950: deflate
//! plus an Adler-32 checksum, so a block cut or altered by a mail client is refused, never
//! misread) of UTF-8 JSON:
//!
//! ```text
//! {"ref":"K7Q2XM",          ticket reference, as in the subject
//!  "site":"Acme",           owner's site name
//!  "page":"https://…",      page the widget was opened on
//!  "lang":"en",             widget language
//!  "wv":"0.1.0",            widget version
//!  "time":"2026-…Z",        when the page first composed the ticket (their clock, ISO 8601)
//!  "omitted":3,             older turns left out of this block to fit the link (absent when 0)
//!  "turns":[                oldest first; the last is the question that failed
//!    {"q":"…",              the question as asked
//!     "a":"rule",           what answered: rule | articles | weak | none | pending |
//!                           unavailable (search could not run in full)
//!     "rule":"returns",     the rule's id (only for "rule")
//!     "ids":["refunds"],    ids of the articles shown (absent when none)
//!     "ok":false}]}         the visitor's rating (absent when not rated)
//! ```
//!
//! Unknown keys are ignored, so later widgets may add fields without a new version; a change of
//! meaning takes `solodesk:v2:`.

use std::fmt::Write as _;

/// The block's line starts with this; the version follows it.
pub const MARK: &str = "solodesk:v";
/// The version this file writes and reads.
pub const VERSION: u32 = 1;

/// What answered a question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Rule,
    Articles,
    /// Articles the engine itself was unsure about.
    Weak,
    None,
    /// Asked but not answered yet when the ticket was written.
    Pending,
    /// Search could not run in full: the index or a shard of it could not be fetched.
    Unavailable,
}

impl Answer {
    fn as_str(self) -> &'static str {
        match self {
            Answer::Rule => "rule",
            Answer::Articles => "articles",
            Answer::Weak => "weak",
            Answer::None => "none",
            Answer::Pending => "pending",
            Answer::Unavailable => "unavailable",
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn parse(s: &str) -> Option<Answer> {
        Some(match s {
            "rule" => Answer::Rule,
            "articles" => Answer::Articles,
            "weak" => Answer::Weak,
            "none" => Answer::None,
            "pending" => Answer::Pending,
            "unavailable" => Answer::Unavailable,
            _ => return None,
        })
    }
}

/// One question of the conversation and what the visitor got for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn {
    pub question: String,
    pub answer: Answer,
    pub rule: Option<String>,
    /// Ids of the articles shown.
    pub articles: Vec<String>,
    pub rating: Option<bool>,
}

/// Everything the block carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Block {
    pub reference: String,
    pub site: String,
    pub page: String,
    pub lang: String,
    pub widget_version: String,
    pub time: String,
    /// Older turns left out to fit the link.
    pub omitted: u32,
    pub turns: Vec<Turn>,
}

/// Why a body's block could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockError {
    /// No `solodesk:v` line.
    Missing,
    /// A version this reader does not know.
    Version(u32),
    /// The payload is incomplete or altered (cut by a mail client, say): it fails to decode,
    /// decompress, pass its checksum or parse.
    Damaged,
}

impl std::fmt::Display for BlockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlockError::Missing => f.write_str("no solodesk machine block"),
            BlockError::Version(v) => write!(f, "unknown solodesk block version {v}"),
            BlockError::Damaged => f.write_str("solodesk machine block is cut or damaged"),
        }
    }
}

impl std::error::Error for BlockError {}

/// The block's line, `solodesk:v1:<payload>`, without a line break, compressed by `miniz_oxide`
/// (kbgen and the tests; the widget uses [`line()`] with the browser's compressor).
#[cfg(not(target_arch = "wasm32"))]
pub fn encode(block: &Block) -> String {
    let json = to_json(block);
    line(&miniz_oxide::deflate::compress_to_vec_zlib(
        json.as_bytes(),
        9,
    ))
}

/// The block's line from the zlib stream of its JSON ([`to_json`]).
pub fn line(zlib: &[u8]) -> String {
    let mut line = format!("{MARK}{VERSION}:");
    base64url_into(&mut line, zlib);
    line
}

/// A zlib stream (RFC 1950) of `data` in stored deflate blocks (RFC 1951, section 3.2.4): no
/// compression, but the same format, checksum included, that every zlib reader takes. The
/// widget's fallback where the browser has no `CompressionStream`.
pub fn zlib_stored(data: &[u8]) -> Vec<u8> {
    const MAX: usize = 65_535;
    let mut out = Vec::with_capacity(data.len() + data.len() / MAX * 5 + 11);
    // CMF: deflate with a 32 KiB window; FLG: no dictionary, level "fastest", and a check value
    // that makes CMF * 256 + FLG a multiple of 31.
    out.extend_from_slice(&[0x78, 0x01]);
    let mut chunks = data.chunks(MAX).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        // BFINAL on the last block, BTYPE 00 (stored), then LEN and its complement, little-endian.
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    // Adler-32 of the data, big-endian.
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// Version 1's JSON, keys in the documented order, empty fields left out.
pub fn to_json(b: &Block) -> String {
    let mut o = String::from("{");
    let key = |o: &mut String, k: &str, v: &str| {
        if !v.is_empty() {
            if o.len() > 1 {
                o.push(',');
            }
            json_str(o, k);
            o.push(':');
            json_str(o, v);
        }
    };
    key(&mut o, "ref", &b.reference);
    key(&mut o, "site", &b.site);
    key(&mut o, "page", &b.page);
    key(&mut o, "lang", &b.lang);
    key(&mut o, "wv", &b.widget_version);
    key(&mut o, "time", &b.time);
    if o.len() > 1 {
        o.push(',');
    }
    if b.omitted > 0 {
        let _ = write!(o, "\"omitted\":{},", b.omitted);
    }
    o.push_str("\"turns\":[");
    for (i, t) in b.turns.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        o.push_str("{\"q\":");
        json_str(&mut o, &t.question);
        o.push_str(",\"a\":");
        json_str(&mut o, t.answer.as_str());
        if let Some(r) = &t.rule {
            o.push_str(",\"rule\":");
            json_str(&mut o, r);
        }
        if !t.articles.is_empty() {
            o.push_str(",\"ids\":[");
            for (j, id) in t.articles.iter().enumerate() {
                if j > 0 {
                    o.push(',');
                }
                json_str(&mut o, id);
            }
            o.push(']');
        }
        if let Some(ok) = t.rating {
            let _ = write!(o, ",\"ok\":{ok}");
        }
        o.push('}');
    }
    o.push_str("]}");
    o
}

/// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
pub fn json_str(o: &mut String, s: &str) {
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub fn base64url_into(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | ((b as u32) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = B64.iter().position(|&b| b == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// Finds the last block in `text` and reads it. Mail clients wrap long lines and quote replies with
/// `>`, so the payload may continue over the following lines made only of base64url characters, and
/// every line may start with `>` and spaces.
#[cfg(not(target_arch = "wasm32"))]
pub fn find(text: &str) -> Result<Block, BlockError> {
    let strip = |l: &str| {
        l.trim_start_matches(|c: char| c == '>' || c.is_whitespace())
            .trim_end()
            .to_string()
    };
    let lines: Vec<String> = text.lines().map(strip).collect();
    let start = lines
        .iter()
        .rposition(|l| l.starts_with(MARK))
        .ok_or(BlockError::Missing)?;
    let rest = &lines[start][MARK.len()..];
    let (version, payload) = rest.split_once(':').ok_or(BlockError::Damaged)?;
    let version: u32 = version.parse().map_err(|_| BlockError::Damaged)?;
    if version != VERSION {
        return Err(BlockError::Version(version));
    }
    let is_b64 = |s: &str| !s.is_empty() && s.bytes().all(|b| B64.contains(&b));
    let mut data = payload.trim_end_matches('=').to_string();
    if !is_b64(&data) {
        return Err(BlockError::Damaged);
    }
    for l in &lines[start + 1..] {
        if !is_b64(l.trim_end_matches('=')) {
            break;
        }
        data.push_str(l.trim_end_matches('='));
    }
    decode_payload(&data)
}

/// Reads a version 1 payload (the part after `solodesk:v1:`).
#[cfg(not(target_arch = "wasm32"))]
pub fn decode_payload(payload: &str) -> Result<Block, BlockError> {
    let packed = base64url_decode(payload).ok_or(BlockError::Damaged)?;
    let json = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, 1 << 20)
        .map_err(|_| BlockError::Damaged)?;
    from_json(&json).ok_or(BlockError::Damaged)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn from_json(json: &[u8]) -> Option<Block> {
    use serde_json::Value;
    let v: Value = serde_json::from_slice(json).ok()?;
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut turns = Vec::new();
    for t in v.get("turns")?.as_array()? {
        turns.push(Turn {
            question: t.get("q")?.as_str()?.to_string(),
            answer: Answer::parse(t.get("a")?.as_str()?)?,
            rule: t.get("rule").and_then(Value::as_str).map(str::to_string),
            articles: match t.get("ids") {
                None => Vec::new(),
                Some(ids) => ids
                    .as_array()?
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect::<Option<_>>()?,
            },
            rating: t.get("ok").and_then(Value::as_bool),
        });
    }
    Some(Block {
        reference: s(&v, "ref"),
        site: s(&v, "site"),
        page: s(&v, "page"),
        lang: s(&v, "lang"),
        widget_version: s(&v, "wv"),
        time: s(&v, "time"),
        omitted: v
            .get("omitted")
            .and_then(Value::as_u64)
            .map_or(0, |n| n as u32),
        turns,
    })
}
