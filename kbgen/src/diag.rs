//! Problems found in a knowledge base, collected over a whole run and reported together.
//!
//! Parsers never stop at the first problem and never panic: they push a [`Diagnostic`] and go on,
//! so the owner fixes everything in one round instead of one error per build.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem at a place in a file; line and column are 1-based, 0 means "the whole file".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.col.max(1))?;
        }
        write!(f, ": {kind}: {}", self.message)
    }
}

/// The problems of one run, in the order they were found.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn error(&mut self, path: &Path, line: usize, col: usize, message: impl Into<String>) {
        self.push(Severity::Error, path, line, col, message.into());
    }

    pub fn warn(&mut self, path: &Path, line: usize, col: usize, message: impl Into<String>) {
        self.push(Severity::Warning, path, line, col, message.into());
    }

    fn push(&mut self, severity: Severity, path: &Path, line: usize, col: usize, message: String) {
        self.items.push(Diagnostic {
            severity,
            path: path.to_path_buf(),
            line,
            col,
            message,
        });
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn errors(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    /// Sorted by file and position so the report reads like a compiler's.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
        v
    }
}

/// The 1-based line and column of byte offset `at` in `text`, counting columns in characters.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = floor_char_boundary(text, at.min(text.len()));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The known name closest to `key`, when it is close enough to be a likely typo.
pub fn nearest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(&key.to_lowercase(), k), *k))
        .filter(|(d, k)| *d <= (k.len().max(key.len()) / 2).max(1))
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let check = |text: &str, at: usize, expected: (usize, usize)| {
            assert_eq!(line_col(text, at), expected, "{text:?} at {at}");
        };
        check("abc", 0, (1, 1));
        check("abc\ndef", 5, (2, 2));
        check("标题\nx", 7, (2, 1));
        check("标题", 3, (1, 2));
        check("", 10, (1, 1));
    }

    #[test]
    fn nearest_suggests_typos_only() {
        let known = ["title", "tags", "summary", "questions"];
        let check =
            |key: &str, expected: Option<&str>| assert_eq!(nearest(key, &known), expected, "{key}");
        check("titel", Some("title"));
        check("tag", Some("tags"));
        check("question", Some("questions"));
        check("layout", None);
    }
}
