//! UI strings in the visitor's language.
//!
//! Each locale is one flat JSON file in `widget/locales/`, so translators edit data, not code. The
//! build script compiles the files into [`LOCALES`] (the WebAssembly then needs no JSON reader,
//! about 1 KB of its gzip size) and they are read into [`Strings`], a struct with one required
//! field per string: a file that misses a key fails `every_locale_has_every_key`, never a
//! visitor's panel. The owner can override any string from `widget-config.json`
//! (`"strings": {"greeting": "..."}`).
//!
//! The loader draws the launcher, its fallback and the panel's shell before this crate is there,
//! in words from the same files: `cargo xtask widget` writes them into it, each locale's texts of
//! the keys `widget/loader/loader.js` names. Those only the loader shows start with `loader_` and
//! are left out of [`LOCALES`] and [`Strings`].

// Locales shipped with the widget, English first: (language subtag, (key, text) pairs); written
// by `build.rs` from `widget/locales/*.json`.
include!(concat!(env!("OUT_DIR"), "/locales.rs"));

/// Languages written right to left; the panel gets `dir="rtl"` for them.
mod rtl;
pub use rtl::is_rtl;

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
    best_articles, nothing_found, dont_know, related, feedback, yes, no, thanks, sorry, contact_us,
    contact_intro, name, email, email_invalid, message, message_required, send, send_hint,
    send_hint_long, too_long,
    truncation_note, copy, copied, copy_failed, reference, back, full_article, article_failed,
    unavailable, unavailable_reply,
    new_answer, loading, send_form, sending, sent, send_failed,
}

/// Why a locale file does not fit [`Strings`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocaleError {
    MissingKey(&'static str),
    UnknownKey(String),
}

impl std::fmt::Display for LocaleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocaleError::MissingKey(k) => write!(f, "missing key \"{k}\""),
            LocaleError::UnknownKey(k) => write!(f, "unknown key \"{k}\""),
        }
    }
}

impl std::error::Error for LocaleError {}

impl Strings {
    /// Reads a locale's (key, text) pairs, which must have exactly the keys of [`Strings::KEYS`].
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Result<Strings, LocaleError> {
        let mut s = Strings::default();
        for (k, v) in pairs {
            if !s.set(k, (*v).to_owned()) {
                return Err(LocaleError::UnknownKey((*k).to_owned()));
            }
        }
        for key in Strings::KEYS {
            if s.get(key).is_none_or(str::is_empty) {
                return Err(LocaleError::MissingKey(key));
            }
        }
        Ok(s)
    }

    /// The strings of a shipped locale (one per `widget/locales/*.json`), English when `lang` is
    /// not shipped.
    pub fn for_lang(lang: &str) -> Strings {
        let pairs = LOCALES
            .iter()
            .find(|(l, _)| *l == lang)
            .unwrap_or(&LOCALES[0])
            .1;
        // Shipped files are checked by the tests, so a failure here cannot reach a visitor; the
        // default keeps the panel alive rather than panicking if it ever did.
        Strings::from_pairs(pairs).unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys whose texts the loader shows, in its order: `__LOCALE_WORDS__("key", ...)` in
    /// `widget/loader/loader.js`, which `cargo xtask widget` fills from the locale files.
    fn loader_keys() -> Vec<&'static str> {
        let loader = include_str!("../loader/loader.js");
        let (_, args) = loader
            .split_once("__LOCALE_WORDS__(")
            .expect("widget/loader/loader.js: no __LOCALE_WORDS__(...)");
        let (args, _) = args.split_once(')').unwrap();
        args.split(',')
            .map(|k| k.trim().trim_matches('"'))
            .collect()
    }

    /// Every locale has every key of the panel and of the loader: the loader's own (`loader_*`)
    /// read from the files themselves, since the build leaves them out of `LOCALES`, and the
    /// panel's that the loader shows too. A file's `loader_*` key the loader does not name is a
    /// typo that would otherwise show English.
    #[test]
    fn every_locale_has_every_key() {
        for (lang, pairs) in LOCALES {
            if let Err(e) = Strings::from_pairs(pairs) {
                panic!("widget/locales/{lang}.json: {e}");
            }
        }
        let keys = loader_keys();
        let (own, shared): (Vec<&str>, Vec<&str>) =
            keys.iter().partition(|k| k.starts_with("loader_"));
        assert!(!own.is_empty() && !shared.is_empty(), "{keys:?}");
        for key in shared {
            assert!(
                Strings::KEYS.contains(&key),
                "widget/loader/loader.js: \"{key}\" is not a key of widget/locales/"
            );
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let map: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&text).unwrap();
            let missing: Vec<&&str> = own
                .iter()
                .filter(|k| {
                    map.get(**k)
                        .and_then(|v| v.as_str())
                        .is_none_or(str::is_empty)
                })
                .collect();
            let unknown: Vec<&String> = map
                .keys()
                .filter(|k| k.starts_with("loader_") && !own.contains(&k.as_str()))
                .collect();
            assert!(
                missing.is_empty() && unknown.is_empty(),
                "widget/locales/{name}: missing loader keys {missing:?}, unknown loader keys {unknown:?}"
            );
        }
    }

    /// Issue 17: `build.rs` listed the locales by hand, so a file dropped into `widget/locales/`
    /// was silently left out of the widget. Every file there is a shipped language, English first.
    #[test]
    fn every_locale_file_is_shipped() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                Some(name.strip_suffix(".json")?.to_owned())
            })
            .collect();
        files.sort();
        let mut shipped: Vec<String> = LOCALES.iter().map(|(l, _)| (*l).to_owned()).collect();
        assert_eq!(shipped[0], "en", "English is the fallback, first");
        shipped.sort();
        assert_eq!(
            shipped, files,
            "widget/locales/*.json vs the compiled LOCALES"
        );
    }

    /// Every language has exactly the keys of `en.json`, read from the files themselves.
    #[test]
    fn every_language_has_the_keys_of_english() {
        let keys = |lang: &str| -> std::collections::BTreeSet<&str> {
            let (_, pairs) = LOCALES.iter().find(|(l, _)| *l == lang).unwrap();
            pairs.iter().map(|(k, _)| *k).collect()
        };
        let english = keys("en");
        for (lang, _) in LOCALES {
            let other = keys(lang);
            let missing: Vec<_> = english.difference(&other).collect();
            let unknown: Vec<_> = other.difference(&english).collect();
            assert!(
                missing.is_empty() && unknown.is_empty(),
                "widget/locales/{lang}.json: missing keys {missing:?}, unknown keys {unknown:?}"
            );
        }
    }

    #[test]
    fn a_missing_or_unknown_key_is_reported() {
        let mut pairs = LOCALES[0].1.to_vec();
        pairs.retain(|(k, _)| *k != "greeting");
        assert_eq!(
            Strings::from_pairs(&pairs),
            Err(LocaleError::MissingKey("greeting"))
        );
        assert_eq!(
            Strings::from_pairs(&[("greting", "x")]),
            Err(LocaleError::UnknownKey("greting".into()))
        );
    }

    /// The build script turns JSON escapes into the same text a JSON reader would.
    #[test]
    fn locale_text_is_decoded() {
        assert_eq!(Strings::for_lang("zh").title, "帮助");
        assert_eq!(Strings::for_lang("en").placeholder, "Type your question…");
    }

    #[test]
    fn picks_language() {
        assert_eq!(pick_lang(["", "zh-CN", "en"]), "zh");
        assert_eq!(pick_lang(["tlh-KL", "ar_EG"]), "ar");
        assert_eq!(pick_lang(["tlh"]), "en");
        assert!(is_rtl(pick_lang(["ar"])));
        assert!(!is_rtl("en"));
    }

    /// Issue 17: the widget knew 4 right-to-left languages and kbgen 8; both now read one list.
    #[test]
    fn right_to_left_languages_are_the_ones_kbgen_knows() {
        for l in [
            "ar", "ckb", "dv", "fa", "he", "ps", "ur", "yi", "fa-IR", "he_IL", "AR",
        ] {
            assert!(is_rtl(l), "{l}");
        }
        for l in ["en", "zh", "ja", "ka", "arn", "psa", ""] {
            assert!(!is_rtl(l), "{l}");
        }
    }

    #[test]
    fn owner_overrides_one_string() {
        let mut s = Strings::for_lang("zh");
        assert!(s.set("greeting", "欢迎".into()));
        assert_eq!(s.greeting, "欢迎");
        assert!(!s.set("nope", "x".into()));
    }
}
