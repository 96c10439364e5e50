//! UI strings in the visitor's language.
//!
//! Each locale is one flat JSON file in `widget/locales/`, so translators edit data, not code. The
//! files are compiled in and read into [`Strings`], a struct with one required field per string: a
//! file that misses a key fails `every_locale_has_every_key`, never a visitor's panel. The owner can
//! override any string from `widget-config.json` (`"strings": {"greeting": "..."}`).
//!
//! The reader is a small flat-object JSON parser rather than serde_json because every kilobyte of
//! the WebAssembly module counts against the widget's size budget.

/// Locales shipped with the widget: (language subtag, file contents).
pub const LOCALES: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en.json")),
    ("zh", include_str!("../locales/zh.json")),
    ("ar", include_str!("../locales/ar.json")),
];

/// Languages written right to left; the panel gets `dir="rtl"` for them.
const RTL: &[&str] = &["ar", "fa", "he", "ur"];

macro_rules! strings {
    ($($key:ident),* $(,)?) => {
        /// Every string the panel shows, in one language.
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct Strings { $(pub $key: String,)* }

        impl Strings {
            /// The names of all keys, as they appear in the locale files.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($key)),*];

            // `get` and `set` look the key up in `KEYS` and index these arrays rather than
            // `match` on the key, which compiled to two string switches of ~1.5 KB wasm each.
            fn slots(&self) -> [&String; Self::KEYS.len()] {
                [$(&self.$key),*]
            }

            fn slots_mut(&mut self) -> [&mut String; Self::KEYS.len()] {
                [$(&mut self.$key),*]
            }

            /// One string by key, `None` for an unknown key.
            pub fn get(&self, key: &str) -> Option<&str> {
                let i = Self::KEYS.iter().position(|k| *k == key)?;
                Some(self.slots()[i])
            }

            /// Sets one string by key; returns false for an unknown key.
            pub fn set(&mut self, key: &str, value: String) -> bool {
                let Some(i) = Self::KEYS.iter().position(|k| *k == key) else {
                    return false;
                };
                *self.slots_mut()[i] = value;
                true
            }
        }
    };
}

strings! {
    title, close, greeting, placeholder, ask, suggested, popular, results, no_results, you, answer,
    best_articles, nothing_found, related, feedback, yes, no, thanks, sorry, contact_us,
    contact_intro, name, email, email_invalid, message, message_required, send, send_hint, too_long,
    truncation_note, copy, copied, copy_failed, reference, back, full_article, unavailable,
    new_answer,
}

/// Why a locale file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocaleError {
    Syntax { offset: usize },
    MissingKey(&'static str),
    UnknownKey(String),
}

impl std::fmt::Display for LocaleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocaleError::Syntax { offset } => {
                write!(f, "byte {offset}: invalid JSON string object")
            }
            LocaleError::MissingKey(k) => write!(f, "missing key \"{k}\""),
            LocaleError::UnknownKey(k) => write!(f, "unknown key \"{k}\""),
        }
    }
}

impl std::error::Error for LocaleError {}

impl Strings {
    /// Reads a locale file: a JSON object whose values are all strings, with exactly the keys of
    /// [`Strings::KEYS`].
    pub fn parse(json: &str) -> Result<Strings, LocaleError> {
        let pairs = parse_flat_object(json)?;
        let mut s = Strings::default();
        for (k, v) in pairs {
            if !s.set(&k, v) {
                return Err(LocaleError::UnknownKey(k));
            }
        }
        for key in Strings::KEYS {
            if s.get(key).is_none_or(str::is_empty) {
                return Err(LocaleError::MissingKey(key));
            }
        }
        Ok(s)
    }

    /// The strings of a shipped locale (`en`, `zh`, `ar`), English when `lang` is not shipped.
    pub fn for_lang(lang: &str) -> Strings {
        let file = LOCALES
            .iter()
            .find(|(l, _)| *l == lang)
            .unwrap_or(&LOCALES[0])
            .1;
        // Shipped files are checked by the tests, so a failure here cannot reach a visitor; the
        // default keeps the panel alive rather than panicking if it ever did.
        Strings::parse(file).unwrap_or_default()
    }
}

/// Chooses the UI language: the owner's config first, then the page's `lang`, then the browser's
/// preferred languages; each is reduced to its primary subtag and used when a locale ships for it.
pub fn pick_lang<'a>(candidates: impl IntoIterator<Item = &'a str>) -> &'static str {
    for c in candidates {
        let primary = c
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if let Some((l, _)) = LOCALES.iter().find(|(l, _)| *l == primary) {
            return l;
        }
    }
    "en"
}

/// True when `lang` is written right to left.
pub fn is_rtl(lang: &str) -> bool {
    RTL.contains(&lang)
}

/// Parses `{"key": "value", ...}` with JSON string escapes; no nesting, no other value types.
pub fn parse_flat_object(src: &str) -> Result<Vec<(String, String)>, LocaleError> {
    let mut p = Parser {
        s: src.as_bytes(),
        i: 0,
    };
    let mut out = Vec::new();
    p.ws();
    p.eat(b'{')?;
    p.ws();
    if p.peek() == Some(b'}') {
        p.i += 1;
    } else {
        loop {
            p.ws();
            let k = p.string()?;
            p.ws();
            p.eat(b':')?;
            p.ws();
            let v = p.string()?;
            out.push((k, v));
            p.ws();
            match p.peek() {
                Some(b',') => p.i += 1,
                Some(b'}') => {
                    p.i += 1;
                    break;
                }
                _ => return Err(p.err()),
            }
        }
    }
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err());
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self) -> LocaleError {
        LocaleError::Syntax { offset: self.i }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }
    fn eat(&mut self, b: u8) -> Result<(), LocaleError> {
        if self.peek() == Some(b) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err())
        }
    }
    fn hex4(&mut self) -> Result<u32, LocaleError> {
        let h = self.s.get(self.i..self.i + 4).ok_or_else(|| self.err())?;
        let h = std::str::from_utf8(h).map_err(|_| self.err())?;
        let v = u32::from_str_radix(h, 16).map_err(|_| self.err())?;
        self.i += 4;
        Ok(v)
    }
    fn string(&mut self) -> Result<String, LocaleError> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            let b = self.peek().ok_or_else(|| self.err())?;
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let e = self.peek().ok_or_else(|| self.err())?;
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi) {
                                self.eat(b'\\')?;
                                self.eat(b'u')?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err());
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(cp).ok_or_else(|| self.err())?
                        }
                        _ => return Err(self.err()),
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                0..=0x1f => return Err(self.err()),
                _ => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|_| self.err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_has_every_key() {
        for (lang, file) in LOCALES {
            if let Err(e) = Strings::parse(file) {
                panic!("widget/locales/{lang}.json: {e}");
            }
        }
    }

    #[test]
    fn a_missing_key_is_reported() {
        let mut pairs = parse_flat_object(LOCALES[0].1).unwrap();
        pairs.retain(|(k, _)| k != "greeting");
        let json = format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|(k, v)| format!("{k:?}: {v:?}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(
            Strings::parse(&json),
            Err(LocaleError::MissingKey("greeting"))
        );
        assert_eq!(
            Strings::parse(r#"{"greting": "x"}"#),
            Err(LocaleError::UnknownKey("greting".into()))
        );
    }

    fn check(json: &str, expected: Result<Vec<(&str, &str)>, usize>) {
        let got = parse_flat_object(json);
        let expected = expected
            .map(|v| {
                v.into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .map_err(|offset| LocaleError::Syntax { offset });
        assert_eq!(got, expected, "{json}");
    }

    #[test]
    fn parses_flat_objects() {
        check("{}", Ok(vec![]));
        check(
            r#" {"a": "b" , "c":"d"} "#,
            Ok(vec![("a", "b"), ("c", "d")]),
        );
        check(
            r#"{"a": "x\n\"y\"\\\u00e9\ud83d\ude00/"}"#,
            Ok(vec![("a", "x\n\"y\"\\é😀/")]),
        );
        check(r#"{"a": "雪"}"#, Ok(vec![("a", "雪")]));
        check(r#"{"a": 1}"#, Err(6));
        check(r#"{"a": "b",}"#, Err(10));
        check(r#"{"a": "b"} x"#, Err(11));
        check(r#"{"a": "\ud83d"}"#, Err(13));
    }

    #[test]
    fn picks_language() {
        assert_eq!(pick_lang(["", "zh-CN", "en"]), "zh");
        assert_eq!(pick_lang(["fr-FR", "ar_EG"]), "ar");
        assert_eq!(pick_lang(["de"]), "en");
        assert!(is_rtl(pick_lang(["ar"])));
        assert!(!is_rtl("en"));
    }

    #[test]
    fn owner_overrides_one_string() {
        let mut s = Strings::for_lang("zh");
        assert!(s.set("greeting", "欢迎".into()));
        assert_eq!(s.greeting, "欢迎");
        assert!(!s.set("nope", "x".into()));
    }
}
