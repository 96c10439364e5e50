//! The help center's own words (not the owner's content) in the languages we ship, one file per
//! language in `kbgen/locales/`; other languages fall back to English, and the owner can override
//! any string (`[site.strings]`).

use crate::config::Localized;
use include_dir::{include_dir, Dir};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strings {
    pub home: String,
    pub search: String,
    pub search_placeholder: String,
    pub search_label: String,
    pub categories: String,
    pub featured: String,
    /// After a count of one ("1 article"); `articles` after any other count.
    pub article: String,
    pub articles: String,
    pub on_this_page: String,
    pub updated: String,
    pub related: String,
    pub previous: String,
    pub next: String,
    pub helpful: String,
    pub yes: String,
    pub no: String,
    pub thanks: String,
    pub sorry: String,
    pub email_us: String,
    pub feedback_subject: String,
    pub feedback_body: String,
    pub not_found_title: String,
    pub not_found_text: String,
    pub no_js_search: String,
    /// The search page's result count; `{n}` is the number.
    pub results_one: String,
    pub results_other: String,
    /// The search page when nothing matches; `{q}` is the query.
    pub no_results: String,
    pub no_results_help: String,
    pub searching: String,
    pub search_failed: String,
    pub language: String,
    pub skip_to_content: String,
    pub contact: String,
    pub breadcrumb: String,
    pub translations: String,
    /// The category of articles that name none.
    pub general: String,
    /// The title `kbgen import` gives its default category, `faq`.
    pub faq: String,
}

/// One JSON file per language in `kbgen/locales/`, compiled in: a language is added by adding
/// its file (every key of [`Strings`], no other; `every_locale_has_every_key` checks).
static LOCALES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/locales");

/// The help center's words in `lang` (`zh-TW` reads `zh.json`), English where there is no file.
pub fn for_lang(lang: &str) -> Strings {
    let base = lang.split('-').next().unwrap_or(lang);
    LOCALES
        .get_file(format!("{base}.json"))
        .or_else(|| LOCALES.get_file("en.json"))
        .and_then(|f| serde_json::from_slice(f.contents()).ok())
        .expect("kbgen/locales/en.json holds every string (every_locale_has_every_key)")
}

/// The help center's words in `lang` with the owner's `[site.strings]` applied (see
/// [`Localized::exact`]: a table without this language keeps the built-in words).
pub fn for_site(lang: &str, overrides: &BTreeMap<String, Localized>) -> Strings {
    let mut value = serde_json::to_value(for_lang(lang)).expect("strings are plain text");
    for (key, text) in overrides {
        if let (Some(slot), Some(text)) = (value.get_mut(key), text.exact(lang)) {
            *slot = text.into();
        }
    }
    serde_json::from_value(value).expect("only existing keys were replaced, by text")
}

/// Every key of [`Strings`] with its English text, for checking the owner's overrides.
pub fn english() -> Vec<(String, String)> {
    let value = serde_json::to_value(for_lang("en")).expect("strings are plain text");
    value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

/// The help center's name in `lang`, for a site whose owner gave it none (in the languages the
/// help center speaks, see `locales/`; English for the others).
pub fn default_title(lang: &str) -> &'static str {
    match lang {
        "zh-TW" | "zh-Hant" => "幫助中心",
        _ => match lang.split('-').next().unwrap_or(lang) {
            "zh" => "帮助中心",
            "ja" => "ヘルプセンター",
            "ar" => "مركز المساعدة",
            _ => "Help Center",
        },
    }
}

/// The language's own name, for the language switcher.
pub fn language_name(lang: &str) -> &str {
    match lang {
        "en" => "English",
        "zh" | "zh-CN" | "zh-Hans" => "简体中文",
        "zh-TW" | "zh-Hant" => "繁體中文",
        "ja" => "日本語",
        "ko" => "한국어",
        "ar" => "العربية",
        "he" => "עברית",
        "fa" => "فارسی",
        "de" => "Deutsch",
        "fr" => "Français",
        "es" => "Español",
        "pt" => "Português",
        "it" => "Italiano",
        "ru" => "Русский",
        other => other,
    }
}

/// `n` and an English noun for kbgen's own messages: "1 article", "2 articles", "0 warnings".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A locale file missing a key, or holding one the help center does not use, fails here
    /// (`Strings` requires every field and refuses unknown ones) rather than falling back in silence.
    #[test]
    fn every_locale_has_every_key() {
        assert!(LOCALES.get_file("en.json").is_some());
        for f in LOCALES.files() {
            let parsed: Result<Strings, _> = serde_json::from_slice(f.contents());
            assert!(parsed.is_ok(), "{}: {:?}", f.path().display(), parsed.err());
        }
        assert_eq!(for_lang("zh-TW").search, "搜索");
        assert_eq!(for_lang("pt").search, "Search");
    }
}
