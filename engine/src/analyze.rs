//! Text analysis shared by index building and querying.
//!
//! The same function turns article text into index terms at build time and a visitor's query into
//! search terms at query time, so the two sides cannot disagree about what a "word" is.
//! Latin, Cyrillic, Greek... text is split into Unicode words (UAX #29), folded (case and
//! diacritics, `É` → `e`) and stemmed with the Snowball stemmer of the text's language.
//! Chinese, Japanese and Korean have no spaces between words, so every run of CJK characters is
//! indexed as single characters plus character pairs: any query of two or more characters, even
//! one that crosses a word boundary, finds the text that contains it.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_segmentation::UnicodeSegmentation;

/// What a token is, which decides how it is matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A folded and stemmed word.
    Word,
    /// A stop word ("the", "how"): kept in short fields, dropped from bodies.
    Stop,
    /// One CJK character.
    CjkChar,
    /// Two adjacent CJK characters.
    CjkPair,
}

/// One term of analyzed text with the byte range of the text it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub term: String,
    /// The folded but unstemmed word; equal to `term` for CJK tokens.
    pub folded: String,
    pub start: u32,
    pub end: u32,
    pub kind: Kind,
}

/// Words longer than this (in bytes) are hashes, URLs or base64 and are not indexed.
const MAX_WORD_BYTES: usize = 40;

/// Is `c` written without spaces between words (Han, kana, Hangul and their punctuation-free kin)?
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x31F0..=0x31FF // Katakana phonetic extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF66..=0xFF9F // Halfwidth Katakana
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0x1100..=0x11FF // Hangul Jamo
        | 0x3130..=0x318F // Hangul compatibility Jamo
        | 0x20000..=0x2FA1F) // extensions B.. and compatibility supplement
}

/// The Snowball stemmer for a language tag (`en`, `fr-CA`, `pt_BR`), if rust-stemmers has one.
pub fn stemmer_for(lang: &str) -> Option<Stemmer> {
    let primary = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let algorithm = match primary.as_str() {
        "en" => Algorithm::English,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "es" => Algorithm::Spanish,
        "it" => Algorithm::Italian,
        "pt" => Algorithm::Portuguese,
        "nl" => Algorithm::Dutch,
        "sv" => Algorithm::Swedish,
        "no" | "nb" | "nn" => Algorithm::Norwegian,
        "da" => Algorithm::Danish,
        "fi" => Algorithm::Finnish,
        "ru" => Algorithm::Russian,
        "hu" => Algorithm::Hungarian,
        "ro" => Algorithm::Romanian,
        "tr" => Algorithm::Turkish,
        "ar" => Algorithm::Arabic,
        "el" => Algorithm::Greek,
        "ta" => Algorithm::Tamil,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// English function words. They carry little meaning in a body of text but matter in titles and
/// questions ("how to"), so bodies drop them and short fields keep them.
const STOP_EN: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
    "could", "did", "do", "does", "for", "from", "had", "has", "have", "how", "i", "if", "in",
    "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "so", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "to", "us", "was", "we", "were", "what",
    "when", "where", "which", "who", "why", "will", "with", "would", "you", "your",
];

/// Is the folded word a stop word? Only English has a list: elsewhere every word counts.
pub fn is_stop(folded: &str) -> bool {
    STOP_EN.binary_search(&folded).is_ok()
}

/// Folds case and diacritics of one non-CJK word: `Ärger` → `arger`, `ＡＢＣ` → `abc`, `don't` → `dont`.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        // Apostrophes inside words ("don't", "l’app") would split the same word two ways.
        if matches!(c, '\'' | '’' | 'ʼ') {
            continue;
        }
        let c = fullwidth_to_ascii(c);
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                out.extend(d.to_lowercase());
            }
        });
    }
    out
}

fn fullwidth_to_ascii(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
        _ => c,
    }
}

/// Analyzes `text` in language `lang` (its stemmer; `None` stems nothing).
pub fn analyze(text: &str, stemmer: Option<&Stemmer>) -> Vec<Token> {
    let mut tokens = Vec::new();
    // A run of CJK characters as (byte offset, char) pairs; UAX #29 splits ideographs one by one,
    // so adjacent CJK segments are joined here before pairing.
    let mut run: Vec<(usize, char)> = Vec::new();
    for (offset, segment) in text.split_word_bound_indices() {
        let mut chars = segment.chars();
        let Some(first) = chars.next() else { continue };
        if is_cjk(first) {
            for (i, c) in segment.char_indices() {
                if is_cjk(c) {
                    run.push((offset + i, c));
                }
            }
            continue;
        }
        if !segment.chars().any(char::is_alphanumeric) {
            // Spaces and punctuation end a CJK run.
            flush_cjk(&mut run, &mut tokens);
            continue;
        }
        flush_cjk(&mut run, &mut tokens);
        if segment.len() > MAX_WORD_BYTES {
            continue;
        }
        let folded = fold(segment);
        if folded.is_empty() {
            continue;
        }
        let stop = is_stop(&folded);
        let term = match stemmer {
            Some(s) if !stop => s.stem(&folded).into_owned(),
            _ => folded.clone(),
        };
        tokens.push(Token {
            term,
            folded,
            start: offset as u32,
            end: (offset + segment.len()) as u32,
            kind: if stop { Kind::Stop } else { Kind::Word },
        });
    }
    flush_cjk(&mut run, &mut tokens);
    tokens
}

fn flush_cjk(run: &mut Vec<(usize, char)>, tokens: &mut Vec<Token>) {
    for (i, &(offset, c)) in run.iter().enumerate() {
        let end = offset + c.len_utf8();
        let s = c.to_string();
        tokens.push(Token {
            term: s.clone(),
            folded: s,
            start: offset as u32,
            end: end as u32,
            kind: Kind::CjkChar,
        });
        if let Some(&(next_offset, next)) = run.get(i + 1) {
            let mut pair = String::with_capacity(c.len_utf8() + next.len_utf8());
            pair.push(c);
            pair.push(next);
            tokens.push(Token {
                term: pair.clone(),
                folded: pair,
                start: offset as u32,
                end: (next_offset + next.len_utf8()) as u32,
                kind: Kind::CjkPair,
            });
        }
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Analyzes `input` as English and compares `term/kind` pairs written as `term` (word),
    /// `term!` (stop word), `term.` (CJK char), `term:` (CJK pair).
    fn check(lang: &str, input: &str, expected: &str) {
        let stemmer = stemmer_for(lang);
        let got: Vec<String> = analyze(input, stemmer.as_ref())
            .into_iter()
            .map(|t| {
                let mark = match t.kind {
                    Kind::Word => "",
                    Kind::Stop => "!",
                    Kind::CjkChar => ".",
                    Kind::CjkPair => ":",
                };
                format!("{}{mark}", t.term)
            })
            .collect();
        assert_eq!(got.join(" "), expected, "analyzing {input:?}");
    }

    #[test]
    fn words_are_folded_and_stemmed() {
        check(
            "en",
            "Refunds for Cancelled orders",
            "refund for! cancel order",
        );
        check(
            "en",
            "How to reset my password?",
            "how! to! reset my! password",
        );
        check("en", "Café déjà vu, NAÏVE", "cafe deja vu naiv");
        check("en", "don't", "dont");
        check("fr", "Les remboursements", "le rembours");
        check("xx", "Running shoes", "running shoes");
    }

    #[test]
    fn stop_list_is_sorted_for_binary_search() {
        assert!(STOP_EN.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn fullwidth_and_numbers() {
        check(
            "en",
            "ＡＢＣ 100-night trial v2.5",
            "abc 100 night trial v2.5",
        );
    }

    #[test]
    fn cjk_gets_chars_and_pairs() {
        check("zh", "申请退款", "申. 申请: 请. 请退: 退. 退款: 款.");
        check(
            "ja",
            "パスワード",
            "パ. パス: ス. スワ: ワ. ワー: ー. ード: ド.",
        );
        check("zh", "iPhone 退款", "iphone 退. 退款: 款.");
    }

    #[test]
    fn mixed_script_splits_at_script_change() {
        check("en", "iPhone退款", "iphon 退. 退款: 款.");
        check(
            "ko",
            "비밀번호 변경",
            "비. 비밀: 밀. 밀번: 번. 번호: 호. 변. 변경: 경.",
        );
    }

    #[test]
    fn punctuation_ends_a_cjk_run() {
        check("zh", "退款，密码", "退. 退款: 款. 密. 密码: 码.");
    }

    #[test]
    fn byte_ranges_point_at_the_source() {
        let text = "Hé 退款";
        let tokens = analyze(text, None);
        let spans: Vec<&str> = tokens
            .iter()
            .map(|t| &text[t.start as usize..t.end as usize])
            .collect();
        assert_eq!(spans, ["Hé", "退", "退款", "款"]);
    }
}
