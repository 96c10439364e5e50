//! `kbgen import faq.csv`: the seed brief's `question,answer` spreadsheet becomes one article per
//! row, and a row whose answer is short also becomes a rule in `rules.toml`, so the widget answers
//! the question in the conversation instead of offering a link to click.
//!
//! Real files come from Excel and friends: UTF-8 with or without a BOM, UTF-16 with a BOM, GBK
//! (Excel's "CSV" on Chinese Windows), `;` or tab separators, headers in the owner's language.
//! The text is third-party: it is escaped so that it stays text in markdown and HTML.
//! Everything but [`run`] and the steps of `Import` it takes (reading the CSV file, writing the
//! articles and rules) is pure.

use anyhow::{bail, Context, Result};
use encoding_rs::Encoding;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Answers up to this many characters are given in the conversation (a rule); longer ones only
/// as articles, where headings of their own and a page to read make sense.
pub const SHORT_ANSWER_CHARS: usize = 400;

/// One CSV record with the line it starts on.
#[derive(Debug, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// A problem in the CSV text at a line and column (1-based, in characters).
#[derive(Debug, PartialEq, Eq)]
pub struct CsvError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// The file's text and how it was read.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    /// "UTF-8", "UTF-8 with BOM", "GB18030 (guessed)", ...
    pub how: String,
}

/// Decodes a CSV file's bytes: the encoding named by `--encoding`, else a BOM's (UTF-8, UTF-16
/// LE/BE), else UTF-8, else GB18030 (a superset of GBK) when the bytes are clean GB18030 with
/// Chinese in them. Anything else is an error with the first bad byte's line and a hint.
pub fn decode(bytes: &[u8], forced: Option<&'static Encoding>) -> Result<Decoded, CsvError> {
    let strict = |enc: &'static Encoding, body: &[u8]| {
        enc.decode_without_bom_handling_and_without_replacement(body)
            .map(|t| t.into_owned())
    };
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        if forced.is_none_or(|f| f == enc) {
            return match strict(enc, &bytes[bom..]) {
                Some(text) => Ok(Decoded {
                    text,
                    how: format!("{} with BOM", enc.name()),
                }),
                None => Err(bad_bytes(bytes, enc.name(), "")),
            };
        }
    }
    if let Some(enc) = forced {
        let body = match Encoding::for_bom(bytes) {
            Some((e, bom)) if e == enc => &bytes[bom..],
            _ => bytes,
        };
        return match strict(enc, body) {
            Some(text) => Ok(Decoded {
                text,
                how: enc.name().to_string(),
            }),
            None => Err(bad_bytes(
                bytes,
                enc.name(),
                "; check the file's encoding and --encoding",
            )),
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_string(),
            how: "UTF-8".into(),
        });
    }
    if let Some(text) = strict(encoding_rs::GB18030, bytes) {
        if text.chars().any(is_cjk) {
            return Ok(Decoded {
                text,
                how: "GB18030/GBK (not UTF-8: guessed; if the text looks wrong, pass --encoding)"
                    .into(),
            });
        }
    }
    Err(bad_bytes(
        bytes,
        "UTF-8",
        ", nor Chinese GBK; save it as \"CSV UTF-8\" (Excel: File › Save As), or name its encoding with --encoding (e.g. --encoding windows-1252, gbk, shift_jis, utf-16le)",
    ))
}

fn bad_bytes(bytes: &[u8], name: &str, hint: &str) -> CsvError {
    let at = match std::str::from_utf8(bytes) {
        Err(e) if name == "UTF-8" => e.valid_up_to(),
        _ => 0,
    };
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    let byte = bytes
        .get(at)
        .map(|b| format!(" (byte 0x{b:02X})"))
        .unwrap_or_default();
    CsvError {
        line: if name == "UTF-8" { line } else { 1 },
        col: if name == "UTF-8" { col } else { 1 },
        message: format!("the file is not {name}{byte}{hint}"),
    }
}

/// The separator of the header line: `,`, `;` or a tab, whichever occurs most outside quotes
/// (`,` on a tie). Excel writes `;` where `,` is the decimal comma.
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// RFC 4180's quoting, which the `csv` crate reads leniently: `"a"b` becomes `ab` and a quote
/// never closed swallows the rest of the file into one field, both without a word. Either would
/// import wrong answers, so they are errors at the place they happen.
pub fn check_quotes(text: &str, delimiter: u8) -> Result<(), CsvError> {
    let delimiter = char::from(delimiter);
    let (mut line, mut col) = (1, 0);
    let mut field_start = true;
    let mut open: Option<(usize, usize)> = None;
    let mut closed = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        col += 1;
        if open.is_some() {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    col += 1;
                } else {
                    open = None;
                    closed = true;
                }
            } else if c == '\n' {
                line += 1;
                col = 0;
            }
            continue;
        }
        if closed && c != delimiter && c != '\r' && c != '\n' {
            return Err(CsvError {
                line,
                col,
                message: format!(
                    "text after a quoted field's closing quote: write a quote inside a quoted field as \"\" (found {c:?})"
                ),
            });
        }
        closed = false;
        match c {
            '"' if field_start => {
                open = Some((line, col));
                field_start = false;
            }
            '\n' => {
                line += 1;
                col = 0;
                field_start = true;
            }
            '\r' => {}
            c if c == delimiter => field_start = true,
            _ => field_start = false,
        }
    }
    match open {
        Some((line, col)) => Err(CsvError {
            line,
            col,
            message: "this quote is never closed, so the rest of the file would be one answer"
                .into(),
        }),
        None => Ok(()),
    }
}

/// Parses CSV text (already decoded) with the `csv` crate, after [`check_quotes`]; blank records
/// are dropped, `\r\n` inside fields becomes `\n`.
pub fn parse_csv(text: &str, delimiter: u8) -> Result<Vec<Record>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    check_quotes(text, delimiter)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // csv's own line numbers miscount `\r\n` endings (its record starts at the `\n`): count
    // from the record's byte offset, past the line ends it starts on.
    let line_at = |byte: u64| {
        let bytes = text.as_bytes();
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        while bytes.get(byte).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            byte += 1;
        }
        bytes[..byte].iter().filter(|&&b| b == b'\n').count() + 1
    };
    let mut records = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|e| {
            let line = e.position().map_or(1, |p| line_at(p.byte()));
            CsvError {
                line,
                col: 1,
                message: e.to_string(),
            }
        })?;
        let line = record.position().map_or(1, |p| line_at(p.byte()));
        let fields: Vec<String> = record.iter().map(|f| f.replace("\r\n", "\n")).collect();
        if fields.iter().any(|f| !f.trim().is_empty()) {
            records.push(Record { line, fields });
        }
    }
    Ok(records)
}

/// Header names taken for the question column, compared case-insensitively.
pub const QUESTION_HEADERS: &[&str] = &[
    "question",
    "questions",
    "q",
    "title",
    "faq",
    "问题",
    "問題",
    "问",
    "标题",
    "標題",
    "سؤال",
    "السؤال",
    "frage",
    "pregunta",
    "pergunta",
    "domanda",
    "vraag",
    "質問",
    "질문",
];

/// Header names taken for the answer column.
pub const ANSWER_HEADERS: &[&str] = &[
    "answer",
    "answers",
    "a",
    "body",
    "response",
    "reply",
    "content",
    "答案",
    "回答",
    "答",
    "内容",
    "內容",
    "جواب",
    "الجواب",
    "إجابة",
    "الإجابة",
    "antwort",
    "respuesta",
    "réponse",
    "reponse",
    "resposta",
    "risposta",
    "antwoord",
    "答え",
    "답변",
];

/// The question and answer columns of a header row.
pub fn find_columns(header: &[String]) -> Option<(usize, usize)> {
    let find = |names: &[&str]| {
        header.iter().position(|h| {
            let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
            names.contains(&h.as_str())
        })
    };
    Some((find(QUESTION_HEADERS)?, find(ANSWER_HEADERS)?))
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn is_kana(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF)
}

fn is_hangul(c: char) -> bool {
    matches!(c as u32, 0xAC00..=0xD7AF | 0x1100..=0x11FF)
}

fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c as u32, 0xC0..=0x24F | 0x1E00..=0x1EFF)
}

/// The language a row's script says, when it is not written in Latin letters: `zh` for Chinese
/// characters, `ja` with kana, `ko` for Hangul, `ar` for Arabic. A CJK character counts as about
/// three Latin letters (a word), so "We ship to 中国" stays Latin.
pub fn script_language(text: &str) -> Option<&'static str> {
    let (mut latin, mut han, mut kana, mut hangul, mut arabic) = (0, 0, 0, 0, 0);
    for c in text.chars() {
        if is_latin(c) {
            latin += 1;
        } else if is_cjk(c) {
            han += 1;
        } else if is_kana(c) {
            kana += 1;
        } else if is_hangul(c) {
            hangul += 1;
        } else if is_arabic(c) {
            arabic += 1;
        }
    }
    let (lang, n) = [("ja", kana), ("ko", hangul), ("zh", han), ("ar", arabic)]
        .into_iter()
        .filter(|&(_, n)| n > 0)
        .max_by_key(|&(l, n)| (n + if l == "ja" { han } else { 0 }, l == "ja"))?;
    let n = if lang == "ja" { n + han } else { n };
    let weight = if lang == "ar" { 1 } else { 3 };
    (n * weight >= latin).then_some(lang)
}

/// The knowledge base's language for a script's language: itself or a regional form of it
/// (`zh` → `zh-Hans`).
pub fn kb_language<'a>(script: &str, languages: &'a [String]) -> Option<&'a str> {
    languages
        .iter()
        .find(|l| l.as_str() == script || l.split('-').next() == Some(script))
        .map(String::as_str)
}

/// The site's language that `text` is written in, when its script says one of them
/// ([`script_language`] and [`kb_language`]): `None` for Latin text or a script the site has no
/// language for.
pub fn written_language<'a>(text: &str, languages: &'a [String]) -> Option<&'a str> {
    kb_language(script_language(text)?, languages)
}

/// A file-name id from a question, the same on every import: its words as a slug (at most eight)
/// for Latin text, else `faq-` and six hex digits of the question's SHA-256.
pub fn id_for(question: &str) -> String {
    let question = question.trim();
    let latin = question.chars().all(|c| !c.is_alphabetic() || is_latin(c));
    if latin {
        let slug = crate::load::id_slug(question);
        let slug: String = slug.split('-').take(8).collect::<Vec<_>>().join("-");
        if slug.len() >= 3 && slug != "article" && crate::load::check_id(&slug).is_ok() {
            return slug;
        }
    }
    let hash = Sha256::digest(question.as_bytes());
    format!("faq-{:02x}{:02x}{:02x}", hash[0], hash[1], hash[2])
}

/// Text from a spreadsheet cell as markdown that shows exactly that text: every character
/// markdown or HTML gives a meaning is backslash-escaped (so `<img onerror=...>` and
/// `![](../../.ssh/id_rsa)` stay words), a line break stays a line break and a blank line a new
/// paragraph.
pub fn markdown_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut paragraphs = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        let line = line.trim();
        if line.is_empty() {
            if !lines.is_empty() {
                paragraphs.push(lines.join("\\\n"));
                lines.clear();
            }
            continue;
        }
        lines.push(escape_line(line));
    }
    paragraphs.join("\n\n")
}

fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    // A line may not start a list, a heading or a quote: `1.` / `1)` keep their digits.
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    for (i, c) in line.char_indices() {
        let list_number = digits > 0 && i == digits && matches!(c, '.' | ')');
        let at_start = i == 0 && matches!(c, '-' | '+' | '=');
        if list_number || at_start || "\\`*_[]{}()<>!#|&~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Rules `kbgen import` writes into `rules.toml`, marked so a later import recognises them.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedRule {
    pub id: String,
    pub lang: String,
    pub question: String,
    /// Markdown, already escaped.
    pub answer: String,
    /// Where it came from, e.g. `faq.csv:3`.
    pub source: String,
}

/// The marker line inside each rule `kbgen import` writes.
const MARK: &str = "# Written by `kbgen import` from ";

fn rule_toml(r: &ImportedRule) -> String {
    let s = |v: &str| toml::Value::String(v.to_string()).to_string();
    format!(
        "[[rule]]\n{MARK}{} (importing again with --force replaces it)\nid = {}\nlang = {}\nphrasings = [{}]\nanswer = {}\n",
        r.source,
        s(&r.id),
        s(&r.lang),
        s(&r.question),
        s(&r.answer)
    )
}

/// What happened to each imported rule in `rules.toml`.
#[derive(Debug, Default, PartialEq)]
pub struct RulesMerge {
    pub text: String,
    pub added: usize,
    pub replaced: usize,
    /// (id, lang, why) of rules left as they were.
    pub kept: Vec<(String, String, &'static str)>,
}

/// `rules.toml`'s text with `rules` added: a rule with the same id and language that an earlier
/// import wrote is replaced with `--force` and kept without; one the owner wrote is always kept.
/// Everything else in the file stays byte for byte.
pub fn merge_rules(existing: &str, rules: &[ImportedRule], force: bool) -> RulesMerge {
    // The file cut into its preamble and one piece per `[[rule]]` table, up to the next table.
    let mut pieces: Vec<String> = vec![String::new()];
    for line in existing.split_inclusive('\n') {
        let t = line.trim();
        // A table header; a line of a multi-line answer may start with `[` too (`[Returns](...)`).
        let header = t.starts_with('[') && t.ends_with(']') && !t.contains("](");
        if t == "[[rule]]" || t == "[[rules]]" || (header && pieces.len() > 1) {
            pieces.push(String::new());
        }
        pieces.last_mut().expect("one piece").push_str(line);
    }
    let key_of = |piece: &str| -> Option<(String, String, bool)> {
        let table: toml::Table = piece
            .trim_start()
            .strip_prefix("[[rule]]")
            .or_else(|| piece.trim_start().strip_prefix("[[rules]]"))?
            .parse()
            .ok()?;
        let id = table.get("id")?.as_str()?.to_string();
        let lang = table
            .get("lang")
            .and_then(|l| l.as_str())
            .unwrap_or("")
            .to_string();
        Some((id, lang, piece.contains(MARK)))
    };
    let mut merge = RulesMerge::default();
    let mut appended = String::new();
    for r in rules {
        let found = pieces.iter().position(|p| {
            key_of(p).is_some_and(|(id, lang, _)| id == r.id && (lang == r.lang || lang.is_empty()))
        });
        match found {
            Some(i) => {
                let ours = key_of(&pieces[i]).is_some_and(|k| k.2);
                if !ours {
                    merge
                        .kept
                        .push((r.id.clone(), r.lang.clone(), "a rule you wrote has this id"));
                } else if !force {
                    merge.kept.push((
                        r.id.clone(),
                        r.lang.clone(),
                        "it exists (use --force to replace it)",
                    ));
                } else {
                    let blank = if i + 1 < pieces.len() { "\n" } else { "" };
                    pieces[i] = rule_toml(r) + blank;
                    merge.replaced += 1;
                }
            }
            None => {
                appended.push('\n');
                appended.push_str(&rule_toml(r));
                merge.added += 1;
            }
        }
    }
    let mut text = pieces.concat();
    if !appended.is_empty() {
        if text.is_empty() {
            text.push_str("# Canned answers for the widget (see kbgen's README).\n");
        } else if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&appended);
    }
    merge.text = text;
    merge
}

/// The knowledge base's languages and default language: kbgen.toml's, else the language folders
/// under `articles/` (as `kbgen build` detects them), else `en`.
fn kb_languages(kb: &Path) -> Result<(Vec<String>, String, bool)> {
    let config_path = kb.join(crate::load::CONFIG_FILE);
    match std::fs::read_to_string(&config_path) {
        Ok(text) => {
            let mut diags = crate::diag::Diagnostics::default();
            let c = crate::config::parse(&text, &config_path, &mut diags);
            Ok((c.languages, c.default_language, true))
        }
        Err(_) => {
            let mut langs: Vec<String> = std::fs::read_dir(kb.join("articles"))
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|l| crate::config::is_language_code(l))
                .collect();
            langs.sort();
            let default = crate::config::Config::default().default_language;
            if !langs.contains(&default) {
                langs.insert(0, default.clone());
            }
            Ok((langs, default, false))
        }
    }
}

/// Adds `[categories.<category>]` to kbgen.toml when the site does not define it yet, titled in
/// each language the rows were imported into, so the help center shows "Frequently asked
/// questions" (or "常见问题") rather than the bare id, and the owner sees where to rename it;
/// its `order` puts it after the site's own categories. toml_edit keeps the rest of the file
/// (comments, order, spacing) as the owner wrote it.
fn register_category(config_path: &Path, category: &str, langs: &[&str]) -> Result<()> {
    let text = std::fs::read_to_string(config_path)
        .with_context(|| format!("reading {}", config_path.display()))?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("{}: cannot add the category", config_path.display()))?;
    let categories = doc
        .entry("categories")
        .or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        })
        .as_table_mut()
        .with_context(|| format!("{}: `categories` is not a table", config_path.display()))?;
    if categories.contains_key(category) {
        return Ok(());
    }
    let mut title = toml_edit::InlineTable::new();
    for lang in langs {
        let words = if category == "faq" {
            crate::strings::for_lang(lang).faq
        } else {
            crate::config::humanize(category)
        };
        title.insert(*lang, words.into());
    }
    // After the owner's own categories, which sort by `order` (0 when unset), then by id.
    let last = categories
        .iter()
        .filter_map(|(_, c)| c.get("order")?.as_integer())
        .fold(0, i64::max);
    let mut table = toml_edit::Table::new();
    table.insert("title", toml_edit::value(title));
    table.insert("order", toml_edit::value(last + 1));
    categories.insert(category, toml_edit::Item::Table(table));
    std::fs::write(config_path, doc.to_string())
        .with_context(|| format!("writing {}", config_path.display()))?;
    println!(
        "{}: added [categories.{category}]; rename it there",
        config_path.display()
    );
    Ok(())
}

/// `kbgen import`: the spreadsheet's rows become articles (and the short answers rules), which
/// are written once every row has been read; then the category is added to kbgen.toml and the
/// rules merged into rules.toml.
pub fn run(
    csv: &Path,
    kb: &Path,
    lang: Option<&str>,
    category: &str,
    force: bool,
    encoding: Option<&str>,
) -> Result<ExitCode> {
    let forced = check_arguments(lang, category, encoding)?;
    let (languages, default_language, has_config) = kb_languages(kb)?;
    if let Some(l) = lang {
        if has_config && !languages.iter().any(|x| x == l) {
            bail!(
                "--lang {l}: not one of the site's languages ({}); add it to `languages` in {} first",
                languages.join(", "),
                kb.join(crate::load::CONFIG_FILE).display()
            );
        }
    }
    let import = Import {
        csv,
        kb,
        lang,
        category,
        force,
    };
    let sheet = import.read(forced)?;
    let converted = import.convert(&sheet, &languages, &default_language);
    import.write_articles(&converted.writes)?;
    if has_config && converted.made > 0 {
        let langs: Vec<&str> = converted.per_lang.keys().map(String::as_str).collect();
        register_category(&kb.join(crate::load::CONFIG_FILE), category, &langs)?;
    }
    let rules_path = kb.join("rules.toml");
    let merge = import.write_rules(&rules_path, &converted.rules)?;
    println!("{}", import.summary(&converted, &merge, &rules_path));
    Ok(ExitCode::SUCCESS)
}

/// Refuses a `--lang`, `--category` or `--encoding` that cannot be used, before anything is
/// read; the encoding `--encoding` names.
fn check_arguments(
    lang: Option<&str>,
    category: &str,
    encoding: Option<&str>,
) -> Result<Option<&'static Encoding>> {
    if let Some(l) = lang {
        if !crate::config::is_language_code(l) {
            bail!("--lang {l:?}: not a language code like `en`, `zh` or `pt-BR`");
        }
    }
    if category.is_empty() {
        bail!("--category \"\": name a category, like `faq`");
    }
    if crate::load::check_id(category).is_err() {
        bail!("--category {category:?}: a category becomes a folder and a page address, so use lowercase letters, digits, `-` and `_`, like `faq` or `shipping-faq`");
    }
    Ok(match encoding {
        Some(label) => Some(Encoding::for_label(label.trim().as_bytes()).with_context(|| {
            format!("--encoding {label:?}: unknown encoding (try utf-8, gbk, gb18030, big5, shift_jis, utf-16le, utf-16be, windows-1252)")
        })?),
        None => None,
    })
}

/// What `kbgen import` was asked to do, its arguments checked.
struct Import<'a> {
    csv: &'a Path,
    kb: &'a Path,
    lang: Option<&'a str>,
    category: &'a str,
    force: bool,
}

/// The spreadsheet's records, its header row first, and its question and answer columns.
struct Sheet {
    records: Vec<Record>,
    question: usize,
    answer: usize,
}

/// What the rows became, before anything is written.
#[derive(Default)]
struct Converted {
    /// Per article: its path, its text, the row's line and what to print after its path.
    writes: Vec<(PathBuf, String, usize, String)>,
    rules: Vec<ImportedRule>,
    /// Articles per language.
    per_lang: BTreeMap<String, usize>,
    made: usize,
    skipped: usize,
}

impl Import<'_> {
    /// Reads and decodes the CSV file and finds its question and answer columns, saying how it
    /// read them.
    fn read(&self, forced: Option<&'static Encoding>) -> Result<Sheet> {
        let csv = self.csv;
        let bytes = std::fs::read(csv).with_context(|| format!("reading {}", csv.display()))?;
        let at =
            |e: CsvError| anyhow::anyhow!("{}:{}:{}: {}", csv.display(), e.line, e.col, e.message);
        let decoded = decode(&bytes, forced).map_err(at)?;
        let delimiter = sniff_delimiter(&decoded.text);
        let mut records = parse_csv(&decoded.text, delimiter).map_err(at)?;
        // A line of one field starting with `#` above the header is a title or a comment (the
        // seed brief prints its file under `# knowledge_base.csv`): no header has one column.
        let comments = records
            .iter()
            .take_while(|r| r.fields.len() == 1 && r.fields[0].trim_start().starts_with('#'))
            .count();
        for r in &records[..comments] {
            eprintln!(
                "{}:{}:1: skipped: a comment above the header row",
                csv.display(),
                r.line
            );
        }
        records.drain(..comments);
        let Some(header) = records.first() else {
            bail!("{}: the file has no rows", csv.display());
        };
        let Some((q, a)) = find_columns(&header.fields) else {
            bail!(
                "{}:{}:1: the header row names no question and answer columns (it has {}); name them `question` and `answer` (or `问题` and `答案`, `q` and `a`, `title` and `body`)",
                csv.display(),
                header.line,
                header
                    .fields
                    .iter()
                    .map(|f| format!("{:?}", f.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        let separator = match delimiter {
            b';' => "`;`",
            b'\t' => "tab",
            _ => "`,`",
        };
        eprintln!(
            "{}: read as {}, {separator}-separated; questions from column {:?}, answers from column {:?}",
            csv.display(),
            decoded.how,
            header.fields[q].trim(),
            header.fields[a].trim()
        );
        Ok(Sheet {
            records,
            question: q,
            answer: a,
        })
    }

    /// Each row with a question and an answer as an article, in the row's language, under an
    /// id no other row of that language has; rows that cannot be imported are reported and
    /// skipped.
    fn convert(&self, sheet: &Sheet, languages: &[String], default_language: &str) -> Converted {
        let csv = self.csv;
        let file_name = csv.file_name().map_or_else(
            || csv.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut converted = Converted::default();
        let mut used = HashSet::new();
        for r in &sheet.records[1..] {
            let question = r.fields.get(sheet.question).map_or("", |s| s.trim());
            let answer = r.fields.get(sheet.answer).map_or("", |s| s.trim());
            if question.is_empty() || answer.is_empty() {
                eprintln!(
                    "{}:{}:1: skipped: empty question or answer",
                    csv.display(),
                    r.line
                );
                converted.skipped += 1;
                continue;
            }
            let row_lang = self.row_language(r.line, question, answer, languages, default_language);
            let base = id_for(question);
            let mut id = base.clone();
            let mut k = 2;
            while !used.insert((row_lang.clone(), id.clone())) {
                id = format!("{base}-{k}");
                k += 1;
            }
            let dir = self.kb.join("articles").join(&row_lang).join(self.category);
            let path = dir.join(format!("{id}.md"));
            if path.exists() && !self.force {
                eprintln!(
                    "{}:{}:1: skipped: {} exists (use --force to replace it)",
                    csv.display(),
                    r.line,
                    path.display()
                );
                converted.skipped += 1;
                continue;
            }
            let body = markdown_text(answer);
            let article = self.article(question, answer, &body, &id, &row_lang);
            let short = answer.chars().count() <= SHORT_ANSWER_CHARS;
            if short {
                converted.rules.push(ImportedRule {
                    id: id.clone(),
                    lang: row_lang.clone(),
                    question: question.to_string(),
                    answer: body,
                    source: format!("{file_name}:{}", r.line),
                });
            }
            let note = if short {
                " (and a rule: answered in the conversation)"
            } else {
                ""
            };
            converted
                .writes
                .push((path, article, r.line, format!("{note} ← {question}")));
            *converted.per_lang.entry(row_lang).or_default() += 1;
            converted.made += 1;
        }
        converted
    }

    /// The row's language: `--lang`, else the one its script says when the site has it, else
    /// the default language.
    fn row_language(
        &self,
        line: usize,
        question: &str,
        answer: &str,
        languages: &[String],
        default_language: &str,
    ) -> String {
        if let Some(l) = self.lang {
            return l.to_string();
        }
        let Some(script) = script_language(&format!("{question}\n{answer}")) else {
            return default_language.to_string();
        };
        match kb_language(script, languages) {
            Some(l) => l.to_string(),
            None => {
                eprintln!(
                    "{}:{line}:1: warning: this row looks like {script}, which is not one of the site's languages ({}); imported as {default_language} (add {script:?} to `languages` in kbgen.toml, or pass --lang)",
                    self.csv.display(),
                    languages.join(", ")
                );
                default_language.to_string()
            }
        }
    }

    /// An article's file: front matter, then the answer as markdown (`body`).
    fn article(&self, question: &str, answer: &str, body: &str, id: &str, lang: &str) -> String {
        let summary: String = answer
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(160)
            .collect();
        let json = |s: &str| serde_json::to_string(s).unwrap_or_default();
        format!(
            "---\ntitle: {}\nid: {}\nlang: {}\ncategory: {}\nsummary: {}\n---\n\n{body}\n",
            json(question),
            json(id),
            json(lang),
            json(self.category),
            json(&summary),
        )
    }

    fn write_articles(&self, writes: &[(PathBuf, String, usize, String)]) -> Result<()> {
        for (path, article, line, what) in writes {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            std::fs::write(path, article).with_context(|| format!("writing {}", path.display()))?;
            println!("{}:{line}: {}{what}", self.csv.display(), path.display());
        }
        Ok(())
    }

    /// Merges `rules` into `rules_path` (see [`merge_rules`]), saying which were left as they
    /// were; the file is written only when it changes.
    fn write_rules(&self, rules_path: &Path, rules: &[ImportedRule]) -> Result<RulesMerge> {
        if rules.is_empty() {
            return Ok(RulesMerge::default());
        }
        let existing = match std::fs::read_to_string(rules_path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", rules_path.display())),
        };
        let merge = merge_rules(&existing, rules, self.force);
        for (id, l, why) in &merge.kept {
            eprintln!(
                "{}: rule {id:?} ({l}) left as it is: {why}",
                rules_path.display()
            );
        }
        if merge.text != existing {
            std::fs::write(rules_path, &merge.text)
                .with_context(|| format!("writing {}", rules_path.display()))?;
        }
        Ok(merge)
    }

    /// The closing line: articles (per language), rules and skipped rows.
    fn summary(&self, converted: &Converted, merge: &RulesMerge, rules_path: &Path) -> String {
        let made = converted.made;
        let mut summary = format!(
            "imported {} into {}",
            crate::strings::count(made, "article"),
            self.kb
                .join("articles")
                .join("<lang>")
                .join(self.category)
                .display()
        );
        if converted.per_lang.len() > 1 || (made > 0 && self.lang.is_none()) {
            let langs: Vec<String> = converted
                .per_lang
                .iter()
                .map(|(l, n)| format!("{n} {l}"))
                .collect();
            let _ = write!(summary, " ({})", langs.join(", "));
        }
        if merge.added + merge.replaced > 0 {
            let _ = write!(
                summary,
                " and {} into {}",
                crate::strings::count(merge.added + merge.replaced, "rule"),
                rules_path.display()
            );
        }
        let _ = write!(summary, "; {} skipped", converted.skipped);
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(csv: &str, expected: &[(usize, &[&str])]) {
        let got = parse_csv(csv, sniff_delimiter(csv)).expect("valid CSV");
        let got: Vec<(usize, Vec<&str>)> = got
            .iter()
            .map(|r| (r.line, r.fields.iter().map(String::as_str).collect()))
            .collect();
        let expected: Vec<(usize, Vec<&str>)> =
            expected.iter().map(|(l, f)| (*l, f.to_vec())).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn csv_quoting() {
        check(
            "question,answer\nHi,Hello\n",
            &[(1, &["question", "answer"]), (2, &["Hi", "Hello"])],
        );
        check(
            "q,a\r\n\"Returns, how?\",\"Line 1\r\nLine \"\"2\"\"\"\r\nnext,x",
            &[
                (1, &["q", "a"]),
                (2, &["Returns, how?", "Line 1\nLine \"2\""]),
                (4, &["next", "x"]),
            ],
        );
        check(
            "Question;Answer\n\"Prix, TVA?\";Oui; 20 %\n",
            &[
                (1, &["Question", "Answer"]),
                (2, &["Prix, TVA?", "Oui", " 20 %"]),
            ],
        );
        check(
            "q\ta\nx\t\"y\ty\"\n",
            &[(1, &["q", "a"]), (2, &["x", "y\ty"])],
        );
        check("\n\n", &[]);
    }

    #[test]
    fn bad_quotes_are_errors_where_they_are() {
        let err = |t: &str| {
            let e = parse_csv(t, b',').unwrap_err();
            (e.line, e.col)
        };
        assert_eq!(err("q,a\nx,\"a\"b\n"), (2, 6));
        assert_eq!(err("q,a\nx,y\nz,\"never\nclosed\n"), (3, 3));
        // A quote inside an unquoted field is text, as spreadsheets write it.
        assert!(parse_csv("q,a\nthe \"best\" beans,yes\n", b',').is_ok());
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter("question,answer\n"), b',');
        assert_eq!(sniff_delimiter("Question;Answer\n\"a,b,c\";x"), b';');
        assert_eq!(sniff_delimiter("\"q;x\",a\n"), b',');
        assert_eq!(sniff_delimiter("q\ta\n"), b'\t');
    }

    #[test]
    fn headers() {
        let h = |v: &[&str]| find_columns(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(h(&["question", "answer"]), Some((0, 1)));
        assert_eq!(h(&["id", " Answer ", "QUESTION"]), Some((2, 1)));
        assert_eq!(h(&["问题", "答案"]), Some((0, 1)));
        assert_eq!(h(&["q", "a"]), Some((0, 1)));
        assert_eq!(h(&["Title", "Body"]), Some((0, 1)));
        assert_eq!(h(&["foo", "bar"]), None);
    }

    #[test]
    fn encodings() {
        let (gbk, _, _) = encoding_rs::GBK.encode("问题,答案\n有低因咖啡吗？,有。\n");
        let d = decode(&gbk, None).unwrap();
        assert!(d.text.starts_with("问题,答案"), "{}", d.text);
        assert!(d.how.starts_with("GB18030"), "{}", d.how);
        let d = decode("\u{feff}q,a\n".as_bytes(), None).unwrap();
        assert_eq!(
            (d.text.as_str(), d.how.as_str()),
            ("q,a\n", "UTF-8 with BOM")
        );
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        utf16.extend("q,a\n退款,好".encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode(&utf16, None).unwrap();
        assert_eq!(
            (d.text.as_str(), d.how.as_str()),
            ("q,a\n退款,好", "UTF-16LE with BOM")
        );
        let mut utf16be: Vec<u8> = vec![0xFE, 0xFF];
        utf16be.extend("q\ta\n退款\t好".encode_utf16().flat_map(u16::to_be_bytes));
        let d = decode(&utf16be, None).unwrap();
        assert_eq!(
            (d.text.as_str(), d.how.as_str()),
            ("q\ta\n退款\t好", "UTF-16BE with BOM")
        );
        // Latin-1 "café," is neither UTF-8 nor clean GBK: an error at the byte, with a hint.
        let e = decode(b"q,a\nx,caf\xe9,\n", None).unwrap_err();
        assert_eq!((e.line, e.col), (2, 6));
        assert!(e.message.contains("--encoding"), "{}", e.message);
        let d = decode(b"q,a\nx,caf\xe9\n", Some(encoding_rs::WINDOWS_1252)).unwrap();
        assert_eq!(d.text, "q,a\nx,café\n");
    }

    #[test]
    fn ids() {
        assert_eq!(
            id_for("How do I return an item?"),
            "how-do-i-return-an-item"
        );
        assert_eq!(id_for("Ça coûte combien ?"), "ça-coûte-combien");
        assert_eq!(id_for("如何退货？"), id_for(" 如何退货？ "));
        assert!(id_for("如何退货？").starts_with("faq-"));
        assert_ne!(id_for("如何退货？"), id_for("如何付款？"));
        assert_eq!(id_for("如何退货？").len(), "faq-".len() + 6);
        assert!(id_for("PayPal 可以吗？").starts_with("faq-"));
        assert!(id_for("???").starts_with("faq-"));
    }

    #[test]
    fn languages_by_script() {
        assert_eq!(script_language("Do you sell decaf? Yes."), None);
        assert_eq!(script_language("你们卖低因咖啡吗？有的。"), Some("zh"));
        assert_eq!(script_language("可以用 PayPal 付款吗？可以。"), Some("zh"));
        assert_eq!(script_language("We ship to 中国 and Japan."), None);
        assert_eq!(script_language("هل تشحنون إلى دبي؟"), Some("ar"));
        assert_eq!(script_language("カフェインレスはありますか"), Some("ja"));
        let langs = ["en".to_string(), "zh-Hans".to_string()];
        assert_eq!(kb_language("zh", &langs), Some("zh-Hans"));
        assert_eq!(kb_language("ar", &langs), None);
    }

    #[test]
    fn cells_stay_text() {
        assert_eq!(
            markdown_text("<img src=x onerror=alert(1)>\n![](../../.ssh/id_rsa)"),
            "\\<img src=x onerror=alert\\(1\\)\\>\\\n\\!\\[\\]\\(../../.ssh/id\\_rsa\\)"
        );
        assert_eq!(
            markdown_text("Line one\r\nLine two\n\n\n- not a list\n1. nor this\n# nor a heading"),
            "Line one\\\nLine two\n\n\\- not a list\\\n1\\. nor this\\\n\\# nor a heading"
        );
        let html = crate::markdown::render(
            &markdown_text("<script>x</script> *a* [l](javascript:x) &amp;\nnext"),
            &crate::markdown::NoResolve,
            None,
        )
        .html;
        assert_eq!(
            html.trim(),
            "<p>&lt;script&gt;x&lt;/script&gt; *a* [l](javascript:x) &amp;amp;<br>\nnext</p>"
        );
    }

    fn rule(id: &str, lang: &str, answer: &str) -> ImportedRule {
        ImportedRule {
            id: id.into(),
            lang: lang.into(),
            question: format!("{id}?"),
            answer: answer.into(),
            source: "faq.csv:2".into(),
        }
    }

    #[test]
    fn rules_merge_into_rules_toml() {
        // The owner's rule, whose answer has a line that starts like a table header.
        let owner = "# mine\n[[rule]]\nid = \"decaf\"\nphrasings = [\"decaf\"]\nanswer = \"\"\"\nMine.\n[See](decaf.md)\"\"\"\n";
        let first = merge_rules(
            owner,
            &[rule("decaf", "en", "New."), rule("hours", "en", "8–5.")],
            false,
        );
        assert_eq!((first.added, first.replaced, first.kept.len()), (1, 0, 1));
        assert!(first.text.starts_with(owner), "{}", first.text);
        assert!(
            first.text.contains(
                "id = \"hours\"\nlang = \"en\"\nphrasings = [\"hours?\"]\nanswer = \"8–5.\"\n"
            ),
            "{}",
            first.text
        );
        // Again without --force: nothing changes; with it, the imported rule is replaced in place.
        let again = merge_rules(&first.text, &[rule("hours", "en", "9–5.")], false);
        assert_eq!((again.text.as_str(), again.added), (first.text.as_str(), 0));
        let forced = merge_rules(&first.text, &[rule("hours", "en", "9–5.")], true);
        assert_eq!((forced.added, forced.replaced), (0, 1));
        assert_eq!(forced.text, first.text.replace("8–5.", "9–5."));
        // The same id in another language is another rule.
        let zh = merge_rules(&first.text, &[rule("hours", "zh", "八点")], true);
        assert_eq!(zh.added, 1);
        // What it writes is rules.toml as kbgen reads it.
        let mut diags = crate::diag::Diagnostics::default();
        let parsed = crate::rules::parse(
            &zh.text,
            crate::rules::Format::Toml,
            Path::new("rules.toml"),
            &mut diags,
        );
        assert!(diags.items.is_empty(), "{:?}", diags.items);
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[2].answer, "八点");
    }
}
