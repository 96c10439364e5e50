//! Highlighted snippets: the engine gives the matched words as byte ranges of the snippet; the
//! panel renders them as runs of text and `<mark>`, the search page takes them as UTF-16 offsets.
//! Shared by both builds of this crate (see `Cargo.toml`'s `panel` feature).

/// Splits `text` into (piece, highlighted) runs from the engine's byte ranges, ignoring ranges that
/// overlap, fall outside the text or cut a character, so a bad range can never break rendering.
pub fn highlight_runs<'a>(text: &'a str, ranges: &[(u32, u32)]) -> Vec<(&'a str, bool)> {
    let mut ranges: Vec<(usize, usize)> = ranges
        .iter()
        .map(|&(a, b)| (a as usize, b as usize))
        .collect();
    ranges.sort_unstable();
    let mut runs = Vec::new();
    let mut at = 0;
    for (a, b) in ranges {
        if a < at
            || a >= b
            || b > text.len()
            || !text.is_char_boundary(a)
            || !text.is_char_boundary(b)
        {
            continue;
        }
        if a > at {
            runs.push((&text[at..a], false));
        }
        runs.push((&text[a..b], true));
        at = b;
    }
    if at < text.len() {
        runs.push((&text[at..], false));
    }
    runs
}

/// The engine's byte ranges of `text` as UTF-16 offsets, dropping ranges that overlap or do not
/// fall on character boundaries (the same ones the widget's snippet view drops).
pub fn utf16_highlights(text: &str, ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut at = 0u32;
    let mut out = Vec::new();
    for (run, hit) in highlight_runs(text, ranges) {
        let len = run.encode_utf16().count() as u32;
        if hit {
            out.push((at, at + len));
        }
        at += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, ranges: &[(u32, u32)], expected: &[&str]) {
        let utf16: Vec<u16> = text.encode_utf16().collect();
        let got: Vec<String> = utf16_highlights(text, ranges)
            .into_iter()
            .map(|(a, b)| String::from_utf16(&utf16[a as usize..b as usize]).unwrap())
            .collect();
        assert_eq!(got, expected, "{text:?} {ranges:?}");
    }

    #[test]
    fn byte_ranges_become_utf16_offsets() {
        check("refund policy", &[(0, 6)], &["refund"]);
        check("a b c", &[(4, 5), (0, 1)], &["a", "c"]);
        // Chinese characters are 3 UTF-8 bytes but one UTF-16 unit.
        check("修改密码的方法", &[(6, 12)], &["密码"]);
        // Characters outside the BMP are two UTF-16 units.
        check("😀 café refund", &[(5, 10), (11, 17)], &["café", "refund"]);
        // Overlapping, reversed, out-of-range and mid-character ranges are dropped.
        check("雪山", &[(0, 1), (3, 6), (2, 1), (0, 99)], &["山"]);
        check("", &[(0, 0)], &[]);
    }

    fn check_runs(text: &str, ranges: &[(u32, u32)], expected: &[(&str, bool)]) {
        assert_eq!(highlight_runs(text, ranges), expected, "{text} {ranges:?}");
    }

    #[test]
    fn highlight_runs_are_safe() {
        check_runs(
            "refund policy",
            &[(0, 6)],
            &[("refund", true), (" policy", false)],
        );
        check_runs(
            "a b c",
            &[(4, 5), (0, 1)],
            &[("a", true), (" b ", false), ("c", true)],
        );
        check_runs("雪山", &[(0, 1), (3, 6)], &[("雪", false), ("山", true)]);
        check_runs(
            "abc",
            &[(1, 9), (2, 1), (0, 2), (1, 3)],
            &[("ab", true), ("c", false)],
        );
        check_runs("", &[(0, 0)], &[]);
    }
}
