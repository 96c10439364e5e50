//! `kbgen import faq.csv`: the seed brief's `question,answer` CSV becomes one article per row,
//! with a report of what was made and what was skipped.

use anyhow::{Context, Result};
use std::path::Path;
use std::process::ExitCode;

/// One parsed CSV record with the line it starts on.
#[derive(Debug, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// RFC 4180 CSV: quoted fields may hold commas, quotes (`""`) and newlines.
pub fn parse_csv(text: &str) -> Vec<Record> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut line = 1;
    let mut start_line = 1;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => in_quotes = true,
            ',' => fields.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                records.push(Record {
                    line: start_line,
                    fields: std::mem::take(&mut fields),
                });
                line += 1;
                start_line = line;
                any = false;
            }
            _ => field.push(c),
        }
    }
    if any {
        fields.push(field);
        records.push(Record {
            line: start_line,
            fields,
        });
    }
    records.retain(|r| r.fields.iter().any(|f| !f.trim().is_empty()));
    records
}

/// A file-name id from a question: ASCII words joined by `-`, or `faq-<row>` for other scripts.
pub fn id_for(question: &str, row: usize) -> String {
    let slug = crate::markdown::slug(question);
    let ascii: String = slug
        .split('-')
        .filter(|w| w.is_ascii())
        .take(8)
        .collect::<Vec<_>>()
        .join("-");
    if ascii.len() >= 3 {
        ascii
    } else {
        format!("faq-{row}")
    }
}

/// A CSV cell is third-party text, not the owner's markdown: every character that could start
/// HTML (`<`, `>`, `&` for entities), an image or a link (`!`, `[`, `]`), a code span (a backslash
/// would show inside it) or an escape is backslash-escaped, so `<img src=x onerror=...>` or
/// `![](../../.ssh/id_rsa)` in a cell shows as the text it is. Line breaks and other punctuation
/// stay, so paragraphs and lists read as the exporter wrote them.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '<' | '>' | '&' | '!' | '[' | ']' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

pub fn run(
    csv: &Path,
    kb: &Path,
    lang: Option<&str>,
    category: &str,
    force: bool,
) -> Result<ExitCode> {
    let text =
        std::fs::read_to_string(csv).with_context(|| format!("reading {}", csv.display()))?;
    let mut diags = crate::diag::Diagnostics::default();
    let config = std::fs::read_to_string(kb.join(crate::load::CONFIG_FILE))
        .map(|t| crate::config::parse(&t, &kb.join(crate::load::CONFIG_FILE), &mut diags))
        .unwrap_or_default();
    let lang = lang.unwrap_or(&config.default_language).to_string();
    let records = parse_csv(&text);
    let Some((header, rows)) = records.split_first() else {
        anyhow::bail!("{}: empty CSV", csv.display());
    };
    let col = |name: &str| {
        header
            .fields
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(q), Some(a)) = (col("question"), col("answer")) else {
        anyhow::bail!(
            "{}:1:1: the header row must name `question` and `answer` columns",
            csv.display()
        );
    };
    let dir = kb.join("articles").join(&lang).join(category);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let (mut made, mut skipped) = (0, 0);
    let mut used = std::collections::HashSet::new();
    for (n, r) in rows.iter().enumerate() {
        let question = r.fields.get(q).map(|s| s.trim()).unwrap_or("");
        let answer = r.fields.get(a).map(|s| s.trim()).unwrap_or("");
        if question.is_empty() || answer.is_empty() {
            eprintln!(
                "{}:{}:1: skipped: empty question or answer",
                csv.display(),
                r.line
            );
            skipped += 1;
            continue;
        }
        let mut id = id_for(question, n + 1);
        let mut k = 2;
        while !used.insert(id.clone()) {
            id = format!("{}-{k}", id_for(question, n + 1));
            k += 1;
        }
        let path = dir.join(format!("{id}.md"));
        if path.exists() && !force {
            eprintln!(
                "{}:{}:1: skipped: {} exists (use --force to replace)",
                csv.display(),
                r.line,
                path.display()
            );
            skipped += 1;
            continue;
        }
        let body = format!(
            "---\ntitle: {}\nid: {}\ncategory: {}\nquestions: []\nsummary: {}\n---\n\n{}\n",
            yaml_string(question),
            yaml_string(&id),
            yaml_string(category),
            yaml_string(
                &answer
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(160)
                    .collect::<String>()
            ),
            markdown_text(answer)
        );
        std::fs::write(&path, body).with_context(|| format!("writing {}", path.display()))?;
        println!(
            "{}:{}: {} ← {question}",
            csv.display(),
            r.line,
            path.display()
        );
        made += 1;
    }
    println!(
        "imported {made} articles into {} ({skipped} skipped)",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(csv: &str, expected: &[(usize, &[&str])]) {
        let got = parse_csv(csv);
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
            "q,a\r\n\"Returns, how?\",\"Line 1\nLine \"\"2\"\"\"\r\nnext,x",
            &[
                (1, &["q", "a"]),
                (2, &["Returns, how?", "Line 1\nLine \"2\""]),
                (4, &["next", "x"]),
            ],
        );
        check("\n\n", &[]);
    }

    #[test]
    fn cells_are_text_not_markup() {
        assert_eq!(
            markdown_text("Hi <img src=x onerror=alert(1)> & ![k](../../.ssh/id_rsa) `x` ~~~"),
            "Hi \\<img src=x onerror=alert(1)\\> \\& \\!\\[k\\](../../.ssh/id_rsa) \\`x\\` \\~\\~\\~"
        );
        // Line breaks, lists and other punctuation stay as the exporter wrote them.
        assert_eq!(
            markdown_text("Steps:\n- one, two.\n"),
            "Steps:\n- one, two.\n"
        );
    }

    #[test]
    fn ids() {
        assert_eq!(
            id_for("How do I return an item?", 1),
            "how-do-i-return-an-item"
        );
        assert_eq!(id_for("如何退货？", 7), "faq-7");
    }
}
