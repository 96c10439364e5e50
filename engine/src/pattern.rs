//! A rule's regex, run by whichever regex engine the build has.
//!
//! On the host (kbgen, `kbgen ask`, the evaluation) that is regex-lite, and kbgen rejects at build
//! time any rule regex regex-lite cannot compile. In the widget it is the browser's own `RegExp`
//! (feature `js-regex`), because a regex engine compiled into the WebAssembly costs about 21 KB
//! gzip of the visitor's download while every browser already has one. Rule regexes are matched
//! case-insensitively everywhere; owners write the syntax the two share (classes, `\d`, `\b`,
//! alternation, repetition), which is documented in kbgen's README. A pattern the browser
//! rejects is ignored there, as an uncompilable one is on the host: the rule still matches by its
//! phrasings and keywords.

/// How much of a question a rule regex sees: its first 512 bytes (cut at a character), within
/// the first [`crate::analyze::MAX_QUERY_WORDS`] words the caller already kept. kbgen refuses the
/// patterns that backtrack exponentially, and this bound caps what the polynomial ones a static
/// check lets through (`\d+\d+x`) can cost in a browser's backtracking `RegExp`; a question's
/// first 512 bytes say what a rule needs to know.
pub const MAX_MATCHED_BYTES: usize = 512;

/// The start of `text` a rule regex is run on (see [`MAX_MATCHED_BYTES`]).
pub fn matched_prefix(text: &str) -> &str {
    if text.len() <= MAX_MATCHED_BYTES {
        return text;
    }
    let mut end = MAX_MATCHED_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A compiled rule regex.
pub(crate) struct Pattern(Engine);

#[cfg(feature = "regex")]
type Engine = regex_lite::Regex;

#[cfg(all(not(feature = "regex"), feature = "js-regex"))]
type Engine = js_sys::RegExp;

/// Without a regex engine no regex ever matches.
#[cfg(not(any(feature = "regex", feature = "js-regex")))]
type Engine = ();

impl Pattern {
    /// Compiles `source` case-insensitively, or `None` when this engine rejects it.
    pub(crate) fn new(source: &str) -> Option<Pattern> {
        compile(source).map(Pattern)
    }

    /// Whether the pattern matches in the start of `text` (see [`MAX_MATCHED_BYTES`]).
    pub(crate) fn is_match(&self, text: &str) -> bool {
        test(&self.0, matched_prefix(text))
    }
}

#[cfg(feature = "regex")]
fn compile(source: &str) -> Option<Engine> {
    regex_lite::Regex::new(&format!("(?i){source}")).ok()
}

#[cfg(feature = "regex")]
fn test(re: &Engine, text: &str) -> bool {
    re.is_match(text)
}

#[cfg(all(not(feature = "regex"), feature = "js-regex"))]
fn compile(source: &str) -> Option<Engine> {
    use wasm_bindgen::{JsCast, JsValue};
    // JavaScript has no leading inline flags; case-insensitivity is the `i` flag. `u` makes
    // classes and `.` work on characters as in Rust; some patterns valid in Rust (escapes of
    // characters that need none) are errors under `u`, so those are tried without it.
    let source = source.strip_prefix("(?i)").unwrap_or(source);
    let constructor: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("RegExp"))
            .ok()?
            .dyn_into()
            .ok()?;
    ["iu", "i"].into_iter().find_map(|flags| {
        let args = js_sys::Array::of2(&JsValue::from_str(source), &JsValue::from_str(flags));
        js_sys::Reflect::construct(&constructor, &args)
            .ok()?
            .dyn_into()
            .ok()
    })
}

#[cfg(all(not(feature = "regex"), feature = "js-regex"))]
fn test(re: &Engine, text: &str) -> bool {
    re.test(text)
}

#[cfg(not(any(feature = "regex", feature = "js-regex")))]
fn compile(_: &str) -> Option<Engine> {
    None
}

#[cfg(not(any(feature = "regex", feature = "js-regex")))]
fn test(_: &Engine, _: &str) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regex_sees_at_most_512_bytes_cut_at_a_character() {
        assert_eq!(matched_prefix("where is my order"), "where is my order");
        let long = "é".repeat(400);
        let cut = matched_prefix(&long);
        assert_eq!(cut.len(), MAX_MATCHED_BYTES);
        let odd = format!("a{long}");
        assert_eq!(matched_prefix(&odd).len(), MAX_MATCHED_BYTES - 1);
    }
}
