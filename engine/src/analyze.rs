//! Text analysis shared by index building and querying.
//!
//! The same function turns article text into index terms at build time and a visitor's query into
//! search terms at query time, so the two sides cannot disagree about what a "word" is.
//! Latin, Cyrillic, Greek... text is split into Unicode words (UAX #29, then apart at
//! underscores, colons and dots, which it keeps inside words), folded (case and diacritics,
//! `É` → `e`) and stemmed with the Snowball stemmer of the text's language. Web addresses
//! (`https://…`) are skipped.
//! Chinese, Japanese and Korean have no spaces between words, so every run of CJK characters is
//! indexed as single characters plus character pairs: any query of two or more characters, even
//! one that crosses a word boundary, finds the text that contains it.

use crate::fold_table;
use rust_stemmers::{Algorithm, Stemmer};
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

/// Do two language tags name the same language (`zh-CN` and `zh`, `en_GB` and `EN`)?
pub fn same_language(a: &str, b: &str) -> bool {
    // Without allocating: search asks this of every article a query touches.
    a == b || primary_subtag(a).eq_ignore_ascii_case(primary_subtag(b))
}

fn primary_subtag(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or("")
}

/// The Snowball stemmer for a language tag (`en`, `fr-CA`, `pt_BR`), if rust-stemmers has one
/// and this build includes it (feature `all-stemmers`; English is always there).
pub fn stemmer_for(lang: &str) -> Option<Stemmer> {
    let primary = primary_subtag(lang).to_ascii_lowercase();
    let algorithm = match primary.as_str() {
        "en" => Algorithm::English,
        #[cfg(feature = "all-stemmers")]
        "fr" => Algorithm::French,
        #[cfg(feature = "all-stemmers")]
        "de" => Algorithm::German,
        #[cfg(feature = "all-stemmers")]
        "es" => Algorithm::Spanish,
        #[cfg(feature = "all-stemmers")]
        "it" => Algorithm::Italian,
        #[cfg(feature = "all-stemmers")]
        "pt" => Algorithm::Portuguese,
        #[cfg(feature = "all-stemmers")]
        "nl" => Algorithm::Dutch,
        #[cfg(feature = "all-stemmers")]
        "sv" => Algorithm::Swedish,
        #[cfg(feature = "all-stemmers")]
        "no" | "nb" | "nn" => Algorithm::Norwegian,
        #[cfg(feature = "all-stemmers")]
        "da" => Algorithm::Danish,
        #[cfg(feature = "all-stemmers")]
        "fi" => Algorithm::Finnish,
        #[cfg(feature = "all-stemmers")]
        "ru" => Algorithm::Russian,
        #[cfg(feature = "all-stemmers")]
        "hu" => Algorithm::Hungarian,
        #[cfg(feature = "all-stemmers")]
        "ro" => Algorithm::Romanian,
        #[cfg(feature = "all-stemmers")]
        "tr" => Algorithm::Turkish,
        #[cfg(any(feature = "all-stemmers", feature = "arabic"))]
        "ar" => Algorithm::Arabic,
        #[cfg(feature = "all-stemmers")]
        "el" => Algorithm::Greek,
        #[cfg(feature = "all-stemmers")]
        "ta" => Algorithm::Tamil,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// Each distinct language of `langs` with its stemmer ([`stemmer_for`]), in order of first
/// appearance: the index and the rules keep one per language rather than one per text.
pub fn stemmers<'a>(langs: impl IntoIterator<Item = &'a str>) -> Vec<(String, Option<Stemmer>)> {
    let mut out: Vec<(String, Option<Stemmer>)> = Vec::new();
    for lang in langs {
        if !out.iter().any(|(l, _)| l == lang) {
            out.push((lang.to_owned(), stemmer_for(lang)));
        }
    }
    out
}

/// The stemmer of `lang` among those [`stemmers`] made.
pub fn stemmer_in<'a>(
    stemmers: &'a [(String, Option<Stemmer>)],
    lang: &str,
) -> Option<&'a Stemmer> {
    stemmers
        .iter()
        .find(|(l, _)| l == lang)
        .and_then(|(_, s)| s.as_ref())
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

/// A word of at most 8 bytes as a number that sorts as the word does (its bytes from the
/// highest, zeros after them), so that the stop list is searched by comparing numbers rather
/// than strings (the search was a tenth of an index build, most of it in `memcmp`).
const fn stop_key(word: &[u8]) -> u64 {
    let mut key = 0u64;
    let mut i = 0;
    while i < 8 {
        key <<= 8;
        if i < word.len() {
            key |= word[i] as u64;
        }
        i += 1;
    }
    key
}

/// `STOP_EN` as [`stop_key`]s, in the same (sorted) order.
const STOP_KEYS: [u64; STOP_EN.len()] = {
    let mut keys = [0; STOP_EN.len()];
    let mut i = 0;
    while i < keys.len() {
        keys[i] = stop_key(STOP_EN[i].as_bytes());
        i += 1;
    }
    keys
};

/// Is the folded word a stop word? Only English has a list: elsewhere every word counts.
pub fn is_stop(folded: &str) -> bool {
    // Every stop word has at most 5 letters; the length test spares most words the search.
    folded.len() <= 5
        && STOP_KEYS
            .binary_search(&stop_key(folded.as_bytes()))
            .is_ok()
}

/// Words that make a question a question but say nothing of its topic ("do you have", "please",
/// "هل لديكم"): the English stop words, greetings, courtesy and verbs of asking, and their Arabic
/// counterparts. Only the abstention (`search::confident`) uses them: they are searched like
/// other words, but a result does not become an answer by matching them. Folded, sorted. The
/// `stop-words` crate was the alternative: it carries every language's lists (a 110 KB crate)
/// where the widget needs three short ones, and a list of words to drop from text is not a list
/// of the words that make a question.
#[rustfmt::skip]
const QUESTION_WORDS: &[&str] = &[
    "a", "about", "also", "am", "an", "and", "any", "anybody", "anyone", "anything", "are", "as",
    "at", "be", "been", "but", "by", "can", "cant", "could", "dear", "did", "do", "does", "dont",
    "for", "from", "get", "give", "got", "had", "has", "have", "hello", "help", "here", "hey", "hi",
    "how", "i", "if", "im", "in", "into", "is", "it", "its", "ive", "just", "kindly", "know",
    "let", "like", "maam", "madam", "may", "me", "might", "must", "my", "need", "needs", "no",
    "not", "of", "ok", "okay", "on", "or", "our", "please", "pls", "plz", "r", "shall",
    "should", "sir", "so", "somebody", "someone", "something", "still", "sure", "tell", "thank",
    "thanks", "that", "the", "their", "them", "then", "there", "these", "they", "this", "thx", "to",
    "u", "ur", "us", "want", "wanted", "was", "we", "were", "what", "when", "where", "which", "who",
    "why", "will", "with", "would", "yes", "you", "your", "youre", "أحتاج", "أخبرني", "أريد",
    "أنا", "أنت", "أنتم", "أو", "أود", "أي", "أين", "إلى", "احتاج", "اخبرني", "اريد", "التي",
    "الذي", "الذين", "السلام", "الى", "انا", "انت", "انتم", "او", "اود", "اي", "اين", "بدي", "به",
    "بها", "تلك", "ذلك", "شكرا", "على", "عليكم", "عن", "عند", "عندك", "عندكم", "فضلك", "في", "فيه",
    "فيها", "قد", "كان", "كم", "كيف", "لا", "لدي", "لديك", "لديكم", "لديه", "لك", "لكم", "لم",
    "لماذا", "لن", "لنا", "لو", "لي", "ما", "ماذا", "متى", "مرحبا", "مساعدة", "مساعدتي", "مع",
    "ممكن", "من", "منكم", "نحن", "نعم", "هذا", "هذه", "هل", "هو", "هي", "و", "يرجى", "يكون", "يمكن",
    "يمكنك", "يمكنكم", "يمكنني",
];

/// Chinese characters that make a question (pronouns, particles, 什么, 怎么, 可以, 有, 在, ...) and
/// say nothing of its topic; a CJK pair that holds one is as weak (你们, 店吗). Sorted. Left out
/// although they ask: 个, 会 and 能, which begin or end common topic words (个性, 会员, 功能).
const QUESTION_CHARS: &str =
    "一不么也了什他以们你可吗吧呀告呗呢和哦哪啊嗯嘛在她它就帮怎您想我是有没的要诉请谁这那都问需";

/// Does the folded word (or CJK gram) only make a question, not say what it is about? See
/// `QUESTION_WORDS` and `QUESTION_CHARS`.
pub fn is_question_word(folded: &str) -> bool {
    if folded.chars().next().is_some_and(is_cjk) {
        return folded.chars().any(|c| QUESTION_CHARS.contains(c));
    }
    QUESTION_WORDS.binary_search(&folded).is_ok()
}

/// Folds case and diacritics of one non-CJK word: `Ärger` → `arger`, `ＡＢＣ` → `abc`, `don't` → `dont`.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    fold_into(word, &mut out);
    out
}

/// [`fold`] appending to `out`, which the analysis reuses from word to word.
fn fold_into(word: &str, out: &mut String) {
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
        // Combining diacritics of decomposed text ("e" + U+0301) are dropped.
        if ('\u{0300}'..='\u{036F}').contains(&c) {
            continue;
        }
        // A precomposed letter becomes its lowercase base letter: `é` → `e`, `Ş` → `s`, `ệ` → `e`.
        match fold_table::lookup(c) {
            Some(base) => out.push(base),
            None => out.extend(c.to_lowercase()),
        }
    }
}

fn fullwidth_to_ascii(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
        _ => c,
    }
}

/// Remembers stems: the index builder meets the same words over and over, and Snowball
/// stemming is the most expensive step of analysis.
#[derive(Default)]
pub struct StemCache(rustc_hash::FxHashMap<String, String>);

impl StemCache {
    fn stem(&mut self, stemmer: &Stemmer, folded: &str) -> &str {
        if !self.0.contains_key(folded) {
            let s = stemmer.stem(folded).into_owned();
            self.0.insert(folded.to_owned(), s);
        }
        &self.0[folded]
    }
}

/// One token as [`each_token`] meets it; the strings live until the callback returns.
#[derive(Clone, Copy, Debug)]
pub struct TokenRef<'a> {
    pub term: &'a str,
    pub folded: &'a str,
    pub start: u32,
    pub end: u32,
    pub kind: Kind,
}

impl TokenRef<'_> {
    fn to_owned(self) -> Token {
        Token {
            term: self.term.to_owned(),
            folded: self.folded.to_owned(),
            start: self.start,
            end: self.end,
            kind: self.kind,
        }
    }
}

/// How many words of a query or question are searched and matched against the rules. A pasted
/// page or log would otherwise cost time in proportion to its length on every keystroke, and
/// touch every rule a little; search engines cap queries alike (Google at 32 words).
pub const MAX_QUERY_WORDS: usize = 64;

/// The start of `text` up to the end of its [`MAX_QUERY_WORDS`]th word (a CJK character counts
/// as one word), or all of `text` when it is shorter.
pub fn query_prefix(text: &str) -> &str {
    let mut words = 0;
    for (offset, segment) in text.split_word_bound_indices() {
        if segment.chars().any(char::is_alphanumeric) {
            words += 1;
            if words == MAX_QUERY_WORDS {
                return &text[..offset + segment.len()];
            }
        }
    }
    text
}

/// Analyzes `text` with the stemmer of its language (`None` stems nothing).
pub fn analyze(text: &str, stemmer: Option<&Stemmer>) -> Vec<Token> {
    let mut tokens = Vec::new();
    each_token(text, stemmer, None, |t| tokens.push(t.to_owned()));
    tokens
}

/// The analysis itself: calls `f` with every token of `text` in order, without allocating
/// per token; with a stem cache when analyzing many texts of one language (the index builder
/// analyzes megabytes of text with it).
pub fn each_token(
    text: &str,
    stemmer: Option<&Stemmer>,
    cache: Option<&mut StemCache>,
    mut f: impl FnMut(TokenRef<'_>),
) {
    tokenize(text, stemmer, cache, &mut f);
}

/// [`each_token`] with its callback behind a pointer, so that the word breaking and stemming is
/// compiled once rather than once per caller (0.5 KB gzip less in the widget's wasm; a call
/// through a pointer per token costs nothing next to stemming it).
fn tokenize(
    text: &str,
    stemmer: Option<&Stemmer>,
    mut cache: Option<&mut StemCache>,
    f: &mut dyn FnMut(TokenRef<'_>),
) {
    // A run of CJK characters as (byte offset, char) pairs; UAX #29 splits ideographs one by one,
    // so adjacent CJK segments are joined here before pairing.
    let mut run: Vec<(usize, char)> = Vec::new();
    let mut folded = String::new();
    // Where the URL being skipped ends (see `url_end`).
    let mut skip_to = 0;
    for (offset, segment) in word_bounds(text) {
        if offset < skip_to {
            continue;
        }
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
            flush_cjk(&mut run, f);
            continue;
        }
        flush_cjk(&mut run, f);
        if let Some(end) = url_end(text, offset, segment) {
            skip_to = end;
            continue;
        }
        // Unicode word breaking keeps words joined by underscores, colons or dots together
        // (`section_query`, `is:unread`, `range.getValues`, `hi.i` typed without a space);
        // each part is a word of its own, found by a query for it or for the whole (which
        // splits alike), and the index keeps the parts, which other words share, rather than
        // one term per compound of code or search syntax (stackfaq: 0.276 → 0.272 of the
        // text's gzip with underscores and colons; with dots too, and URLs skipped, 0.246).
        // A dot between digits stays (`2.5`, `v1.2`): the number is one word.
        // This runs on every word of every article: bytes rather than `str::split` on chars,
        // and one call of `word`.
        let mut at = 0;
        loop {
            let rest = &segment[at..];
            let bytes = rest.as_bytes();
            let end = (0..bytes.len())
                .position(|i| match bytes[i] {
                    b'_' | b':' => true,
                    b'.' => {
                        !(i > 0
                            && bytes[i - 1].is_ascii_digit()
                            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
                    }
                    _ => false,
                })
                .unwrap_or(rest.len());
            word(
                offset + at,
                &rest[..end],
                stemmer,
                &mut cache,
                &mut folded,
                f,
            );
            if end == rest.len() {
                break;
            }
            at += end + 1;
        }
    }
    flush_cjk(&mut run, f);
}

/// The UAX #29 word boundaries of `text`, as `split_word_bound_indices` finds them (a test
/// compares the two), in a fraction of the time: that function looks every character up in
/// Unicode's tables, which was half of an index build's instructions, while in ASCII the rules
/// come down to a few classes of bytes. So each line that is ASCII, which is most lines of most
/// articles, is split by [`ascii::AsciiWordBounds`]; a line feed always ends a segment (WB3a),
/// and what follows it is split as if the text began there.
/// Only natively: in the widget, which analyzes what a visitor types and never builds an index,
/// it would cost 0.5 KB gzip of WebAssembly and save nothing anyone could notice. The two
/// targets still split alike, which the wasm parity test (`tests/wasm.rs`) checks as well.
#[cfg(not(target_arch = "wasm32"))]
fn word_bounds(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').flat_map(move |line| {
        let base = line.as_ptr() as usize - text.as_ptr() as usize;
        let ascii = line.is_ascii();
        let fast = ascii.then_some(ascii::AsciiWordBounds::new(line));
        let tables = (!ascii).then(|| line.split_word_bound_indices());
        fast.into_iter()
            .flatten()
            .chain(tables.into_iter().flatten())
            .map(move |(offset, segment)| (base + offset, segment))
    })
}

#[cfg(target_arch = "wasm32")]
fn word_bounds(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_word_bound_indices()
}

/// [`word_bounds`]' split of ASCII lines: only native, see there.
#[cfg(not(target_arch = "wasm32"))]
mod ascii {
    /// UAX #29 word boundaries of ASCII text (see [`super::word_bounds`]).
    pub(super) struct AsciiWordBounds<'a> {
        text: &'a str,
        at: usize,
    }

    impl<'a> AsciiWordBounds<'a> {
        pub(super) fn new(text: &'a str) -> Self {
            AsciiWordBounds { text, at: 0 }
        }
    }

    /// The UAX #29 word-break classes of ASCII bytes (`.` and `'` are MidNumLet and Single_Quote,
    /// which the rules treat alike).
    #[derive(Clone, Copy, PartialEq)]
    enum Wb {
        Letter,
        Numeric,
        ExtendNumLet,
        MidLetter,
        MidNumLetQ,
        MidNum,
        Space,
        Cr,
        Other,
    }

    fn wb(b: u8) -> Wb {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => Wb::Letter,
            b'0'..=b'9' => Wb::Numeric,
            b'_' => Wb::ExtendNumLet,
            b':' => Wb::MidLetter,
            b'.' | b'\'' => Wb::MidNumLetQ,
            b',' | b';' => Wb::MidNum,
            b' ' => Wb::Space,
            b'\r' => Wb::Cr,
            // Line feeds and other breaks stand alone, like any other byte.
            _ => Wb::Other,
        }
    }

    impl<'a> Iterator for AsciiWordBounds<'a> {
        type Item = (usize, &'a str);

        fn next(&mut self) -> Option<(usize, &'a str)> {
            let b = self.text.as_bytes();
            let start = self.at;
            let class = wb(*b.get(start)?);
            let mut end = start + 1;
            match class {
                // WB3: CR × LF.
                Wb::Cr if b.get(end) == Some(&b'\n') => end += 1,
                // WB3d: WSegSpace × WSegSpace.
                Wb::Space => end += b[end..].iter().take_while(|&&c| c == b' ').count(),
                // WB5, 8, 9, 10, 13a, 13b: letters, digits and underscores hold together; WB6, 7:
                // a MidLetter or MidNumLetQ between letters, WB11, 12: a MidNum or MidNumLetQ
                // between digits, too.
                Wb::Letter | Wb::Numeric | Wb::ExtendNumLet => {
                    while let Some(&c) = b.get(end) {
                        let step = match wb(c) {
                            Wb::Letter | Wb::Numeric | Wb::ExtendNumLet => 1,
                            mid @ (Wb::MidLetter | Wb::MidNumLetQ | Wb::MidNum) => {
                                let next = b.get(end + 1).map(|&n| wb(n));
                                let joins = match wb(b[end - 1]) {
                                    Wb::Letter => mid != Wb::MidNum && next == Some(Wb::Letter),
                                    Wb::Numeric => {
                                        mid != Wb::MidLetter && next == Some(Wb::Numeric)
                                    }
                                    _ => false,
                                };
                                if joins {
                                    2
                                } else {
                                    0
                                }
                            }
                            _ => 0,
                        };
                        if step == 0 {
                            break;
                        }
                        end += step;
                    }
                }
                _ => {}
            }
            self.at = end;
            Some((start, &self.text[start..end]))
        }
    }
}

/// Where the web address that starts with `segment` at byte `offset` of `text` ends, if it is
/// one (`http://` or `https://`, up to a space, a non-ASCII character, `<`, `>` or `"`).
/// Addresses are not words: their hosts, paths, ids and percent escapes are what nobody
/// searches for, and as terms they are most of a technical FAQ's terms found in one article
/// only; the host's words (`facebook` of `facebook.com`) also weigh on ranking for articles
/// that merely link there. With dots split, skipping them takes stackfaq's index from 0.261 to
/// 0.246 of the text's gzip and R@1 from .797 to .803. (An address in a Markdown link's target
/// is never text to begin with; this is for addresses written out.)
fn url_end(text: &str, offset: usize, segment: &str) -> Option<usize> {
    let scheme = segment.eq_ignore_ascii_case("http") || segment.eq_ignore_ascii_case("https");
    let after = offset + segment.len();
    if !scheme || !text[after..].starts_with("://") {
        return None;
    }
    let len = text[after..]
        .find(|c: char| c.is_whitespace() || !c.is_ascii() || matches!(c, '<' | '>' | '"'))
        .unwrap_or(text.len() - after);
    Some(after + len)
}

/// One word of [`tokenize`] at byte `offset`: folded, and stemmed unless it is a stop word.
fn word(
    offset: usize,
    segment: &str,
    stemmer: Option<&Stemmer>,
    cache: &mut Option<&mut StemCache>,
    folded: &mut String,
    f: &mut dyn FnMut(TokenRef<'_>),
) {
    if segment.len() > MAX_WORD_BYTES {
        return;
    }
    folded.clear();
    fold_into(segment, folded);
    if folded.is_empty() {
        return;
    }
    let stop = is_stop(folded);
    let stemmed;
    let term: &str = match (stemmer, cache.as_deref_mut()) {
        (Some(s), Some(c)) if !stop => c.stem(s, folded),
        (Some(s), None) if !stop => {
            stemmed = s.stem(folded);
            &stemmed
        }
        _ => folded,
    };
    f(TokenRef {
        term,
        folded,
        start: offset as u32,
        end: (offset + segment.len()) as u32,
        kind: if stop { Kind::Stop } else { Kind::Word },
    });
}

fn flush_cjk(run: &mut Vec<(usize, char)>, f: &mut dyn FnMut(TokenRef<'_>)) {
    let mut buf = [0u8; 8];
    for (i, &(offset, c)) in run.iter().enumerate() {
        let n = c.encode_utf8(&mut buf).len();
        let one = std::str::from_utf8(&buf[..n]).unwrap_or_default();
        f(TokenRef {
            term: one,
            folded: one,
            start: offset as u32,
            end: (offset + n) as u32,
            kind: Kind::CjkChar,
        });
        if let Some(&(next_offset, next)) = run.get(i + 1) {
            let m = next.encode_utf8(&mut buf[n..]).len();
            let pair = std::str::from_utf8(&buf[..n + m]).unwrap_or_default();
            f(TokenRef {
                term: pair,
                folded: pair,
                start: offset as u32,
                end: (next_offset + m) as u32,
                kind: Kind::CjkPair,
            });
        }
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_queries_are_cut_after_their_64th_word() {
        let words: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        let long = words.join(", ");
        let cut = query_prefix(&long);
        assert!(cut.ends_with("w63"), "{cut}");
        assert_eq!(analyze(cut, None).len(), MAX_QUERY_WORDS);
        let short = "how do I get a refund?";
        assert_eq!(query_prefix(short), short);
        // A CJK character is a word; the cut stays on a character boundary.
        let zh = "申请退款".repeat(20);
        assert_eq!(query_prefix(&zh).chars().count(), MAX_QUERY_WORDS);
    }

    #[test]
    fn language_tags_compare_by_their_primary_subtag() {
        assert!(same_language("zh-CN", "zh"));
        assert!(same_language("en_GB", "EN"));
        assert!(same_language("pt-BR", "pt_PT"));
        assert!(!same_language("en", "eng"));
        assert!(!same_language("zh", "ja"));
        assert!(!same_language("", "en"));
    }

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
        #[cfg(feature = "all-stemmers")]
        check("fr", "Les remboursements", "le rembours");
        check("xx", "Running shoes", "running shoes");
    }

    /// The folding table equals Unicode's canonical decomposition without combining marks,
    /// lowercased, for Latin, Greek and Vietnamese letters, and has nothing else.
    #[test]
    fn table_matches_unicode_normalization() {
        use unicode_normalization::char::{decompose_canonical, is_combining_mark};
        assert!(
            fold_table::FOLD.windows(2).all(|w| w[0] >> 16 < w[1] >> 16),
            "sorted for binary search"
        );
        let ranges = [0xC0..0x250, 0x370..0x400, 0x1E00..0x1F00];
        for code in 0..=0x10FFFF {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let mut base = String::new();
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    base.push(d);
                }
            });
            let mut chars = base.chars();
            let expected = match (chars.next(), chars.next()) {
                (Some(b), None) if b != c && ranges.iter().any(|r| r.contains(&code)) => {
                    let lower: Vec<char> = b.to_lowercase().collect();
                    assert_eq!(lower.len(), 1, "U+{code:04X} lowercases to one letter");
                    Some(lower[0])
                }
                _ => None,
            };
            assert_eq!(fold_table::lookup(c), expected, "U+{code:04X}");
        }
    }

    #[test]
    fn decomposed_input_folds_like_precomposed() {
        assert_eq!(fold("e\u{301}te\u{301}"), fold("été"));
        assert_eq!(fold("Ærøskøbing ŞİŞLİ Việt"), "ærøskøbing sisli viet");
    }

    #[test]
    fn question_words_are_sorted_and_folded() {
        assert!(QUESTION_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(QUESTION_WORDS.iter().all(|w| fold(w) == *w));
        assert!(STOP_EN.iter().all(|w| is_question_word(w)));
        for word in [
            "shop", "bristol", "refund", "متجر", "دبي", "北京", "门店", "店",
        ] {
            assert!(!is_question_word(word), "{word}");
        }
        for word in ["please", "هل", "لديكم", "你们", "吗", "店吗"] {
            assert!(is_question_word(word), "{word}");
        }
    }

    #[test]
    fn stop_list_is_sorted_and_short_for_is_stop() {
        assert!(STOP_EN.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_EN.iter().all(|w| w.len() <= 5));
        assert!(STOP_EN.iter().all(|w| is_stop(w)));
        for word in [
            "", "ab", "abou", "abouts", "yo", "youre", "z", "tha", "wherever",
        ] {
            assert!(!is_stop(word), "{word}");
        }
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
    fn compounds_of_code_and_search_syntax_are_split() {
        check(
            "en",
            "section_query is:unread __init__",
            "section queri is! unread init",
        );
        // Dotted names and words typed without a space after a full stop are split; a
        // number's decimal point is not.
        check(
            "en",
            "Range.getValues thanks.bye v2.5 10.25",
            "rang getvalu thank bye v2.5 10.25",
        );
        let text = "a_b";
        let spans: Vec<&str> = analyze(text, None)
            .iter()
            .map(|t| &text[t.start as usize..t.end as usize])
            .collect();
        assert_eq!(spans, ["a", "b"]);
    }

    /// `word_bounds` finds the boundaries `split_word_bound_indices` does: on every string of up
    /// to four characters from one ASCII byte of each word-break class, a few of class Other and
    /// a few non-ASCII characters that the rules treat apart (a letter, a combining accent, a
    /// zero-width joiner, a regional indicator, an ideograph, a curly apostrophe), and on many
    /// longer ones drawn from the same characters and from text with code and numbers.
    #[test]
    fn word_bounds_are_uax29s() {
        fn check(text: &str) {
            let fast: Vec<(usize, &str)> = word_bounds(text).collect();
            let uax29: Vec<(usize, &str)> = text.split_word_bound_indices().collect();
            assert_eq!(fast, uax29, "{text:?}");
        }
        let alphabet: Vec<char> = "aZ7_:.',; \r\n\t\"-\x0b/é\u{301}\u{200d}🇫退’"
            .chars()
            .collect();
        fn all(alphabet: &[char], text: &mut String, left: usize, check: &dyn Fn(&str)) {
            check(text);
            if left > 0 {
                for &c in alphabet {
                    text.push(c);
                    all(alphabet, text, left - 1, check);
                    text.pop();
                }
            }
        }
        all(&alphabet, &mut String::new(), 4, &check);
        // Longer strings from a fixed xorshift sequence, so a failure repeats.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let words = [
            "v2.5",
            "1,000",
            "don't",
            "a.b",
            "x_1",
            "is:unread",
            "10:30",
            "e.g.",
            "  ",
        ];
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..next() % 24 {
                let r = next();
                if r % 4 == 0 {
                    s.push_str(words[(r >> 8) as usize % words.len()]);
                } else {
                    s.push(alphabet[(r >> 8) as usize % alphabet.len()]);
                }
            }
            check(&s);
        }
    }

    #[test]
    fn web_addresses_are_skipped() {
        check(
            "en",
            "Open https://example.com/help/delete_account?x=%20y then Settings",
            "open then! set",
        );
        check("en", "HTTP://EXAMPLE.COM/A", "");
        // Up to a character that cannot be in an address.
        check(
            "zh",
            "详见https://example.com/a页面 <http://x.io>ok",
            "详. 详见: 见. 页. 页面: 面. ok",
        );
        // Without `://` these are words.
        check("en", "http https: secure", "http https secur");
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
