//! The widget's settings, resolved once at mount.
//!
//! The loader hands over a plain object merged from `widget-config.json` and the `data-` attributes
//! of the owner's `<script>` tag, plus what it knows about the page. This module turns those raw,
//! optional values into the [`Config`] the components trust: a chosen language, its strings with
//! the owner's overrides applied, and the direction of the text.

use crate::i18n::{is_rtl, pick_lang, Strings};

/// Settings as the loader passes them: every field may be missing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawConfig {
    pub site: Option<String>,
    pub email: Option<String>,
    /// The help center root URL, ending in `/`.
    pub base: Option<String>,
    pub page_url: Option<String>,
    /// The owner's forced language, if any.
    pub lang: Option<String>,
    /// `<html lang>` of the host page.
    pub page_lang: Option<String>,
    /// `navigator.languages`.
    pub languages: Vec<String>,
    /// The owner's form endpoint (`ticketUrl`), if any.
    pub ticket_url: Option<String>,
    /// Every language's index (`indexAll`), when the loader handed over the page's language's.
    pub index_all: Option<String>,
    /// The owner's string overrides: `(key, text)` for every language, or `(lang.key, text)` for
    /// one language only; the language-specific ones win.
    pub strings: Vec<(String, String)>,
}

/// Resolved settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub site: String,
    /// The owner's address for tickets; empty when the owner configured none.
    pub email: String,
    /// Where "Send" POSTs the ticket as JSON (`[widget] ticket_url`); empty: email only.
    pub ticket_url: String,
    /// Every language's index, fetched when the page's language's cannot answer; empty: the
    /// index handed over is every language's.
    pub index_all: String,
    pub base: String,
    pub page_url: String,
    pub lang: &'static str,
    pub rtl: bool,
    pub strings: Strings,
    /// Owner override keys that do not exist, so the owner can be told (console is off limits).
    pub unknown_strings: Vec<String>,
}

impl Config {
    pub fn resolve(raw: RawConfig) -> Config {
        let candidates = raw
            .lang
            .iter()
            .chain(raw.page_lang.iter())
            .chain(raw.languages.iter())
            .map(String::as_str)
            .filter(|l| !l.is_empty());
        let lang = pick_lang(candidates);
        let mut strings = Strings::for_lang(lang);
        let mut unknown_strings = Vec::new();
        // The site's name in the visitor's language: kbgen writes each language's title among
        // that language's strings, and it wins over `site`, which is one name for every
        // language (the default language's, unless the page says otherwise).
        let mut site = raw.site.unwrap_or_default();
        let (scoped, global): (Vec<_>, Vec<_>) =
            raw.strings.into_iter().partition(|(k, _)| k.contains('.'));
        for (k, v) in global {
            if !v.is_empty() && !strings.set(&k, v) {
                unknown_strings.push(k);
            }
        }
        for (k, v) in scoped {
            let Some((l, key)) = k.split_once('.') else {
                continue;
            };
            if l != lang || v.is_empty() {
                continue;
            }
            if key == "title" {
                site.clone_from(&v);
            }
            if !strings.set(key, v) {
                unknown_strings.push(k);
            }
        }
        Config {
            site,
            email: raw.email.unwrap_or_default().trim().to_string(),
            ticket_url: ticket_url(raw.ticket_url.as_deref().unwrap_or("")),
            index_all: raw.index_all.unwrap_or_default(),
            base: raw.base.unwrap_or_default(),
            page_url: raw.page_url.unwrap_or_default(),
            lang,
            rtl: is_rtl(lang),
            strings,
            unknown_strings,
        }
    }

    /// The sessionStorage key: one conversation per help center.
    pub fn storage_key(&self) -> String {
        let mut k = String::from("solodesk:v1:");
        k.push_str(&self.base);
        k
    }
}

/// The form endpoint when it is one kbgen would accept: `https://`, or `http://` on this machine
/// only. Anything else (a typo in a `data-` attribute) leaves the widget on email, which always
/// works, rather than sending a ticket in the clear.
fn ticket_url(url: &str) -> String {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let local = ["http://localhost", "http://127.0.0.1", "http://[::1]"]
        .iter()
        .any(|p| {
            lower
                .strip_prefix(p)
                .is_some_and(|r| r.is_empty() || r.starts_with([':', '/']))
        });
    if lower.starts_with("https://") && url.len() > 8 || local {
        url.to_string()
    } else {
        String::new()
    }
}

/// Joins a help-center-relative URL to the help center root; absolute URLs pass through.
pub fn absolute(base: &str, url: &str) -> String {
    if url.contains("://") || base.is_empty() {
        return url.to_string();
    }
    let mut s = base.trim_end_matches('/').to_string();
    s.push('/');
    s.push_str(url.trim_start_matches('/'));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: RawConfig, lang: &str, greeting: &str) {
        let c = Config::resolve(raw);
        assert_eq!(c.lang, lang);
        assert_eq!(c.strings.greeting, greeting);
        assert_eq!(c.rtl, lang == "ar");
    }

    #[test]
    fn language_order_is_config_page_browser() {
        let en = Strings::for_lang("en").greeting;
        let zh = Strings::for_lang("zh").greeting;
        let ar = Strings::for_lang("ar").greeting;
        check(RawConfig::default(), "en", &en);
        check(
            RawConfig {
                languages: vec!["fr".into(), "zh-TW".into()],
                ..Default::default()
            },
            "zh",
            &zh,
        );
        check(
            RawConfig {
                page_lang: Some("ar".into()),
                languages: vec!["zh".into()],
                ..Default::default()
            },
            "ar",
            &ar,
        );
        check(
            RawConfig {
                lang: Some("en".into()),
                page_lang: Some("ar".into()),
                ..Default::default()
            },
            "en",
            &en,
        );
    }

    #[test]
    fn owner_overrides_strings() {
        let c = Config::resolve(RawConfig {
            strings: vec![
                ("zh.greeting".into(), "你好呀".into()),
                ("greeting".into(), "Howdy".into()),
                ("nope".into(), "x".into()),
                ("close".into(), "Bye".into()),
            ],
            page_lang: Some("zh-CN".into()),
            ..Default::default()
        });
        assert_eq!(c.strings.greeting, "你好呀");
        assert_eq!(c.strings.close, "Bye");
        assert_eq!(c.unknown_strings, vec!["nope".to_string()]);
    }

    #[test]
    fn a_ticket_url_must_be_https_or_local() {
        for (given, kept) in [
            ("https://forms.example/f/1", true),
            ("http://127.0.0.1:8080/t", true),
            ("http://localhost/t", true),
            ("http://localhost.evil.example/t", false),
            ("http://forms.example/f/1", false),
            ("javascript:alert(1)", false),
            ("https://", false),
        ] {
            let c = Config::resolve(RawConfig {
                ticket_url: Some(given.into()),
                ..Default::default()
            });
            assert_eq!(c.ticket_url.is_empty(), !kept, "{given}");
        }
    }

    /// Issue 16, item 8: the header stayed in the default language's name in a Chinese panel.
    #[test]
    fn the_site_name_is_the_visitors_languages() {
        let raw = |page_lang: &str| RawConfig {
            site: Some("Hilltop Roast Help".into()),
            strings: vec![
                ("zh.title".into(), "山顶烘焙帮助".into()),
                ("ar.title".into(), "مساعدة هيلتوب".into()),
            ],
            page_lang: Some(page_lang.into()),
            ..Default::default()
        };
        assert_eq!(Config::resolve(raw("zh-CN")).site, "山顶烘焙帮助");
        assert_eq!(Config::resolve(raw("ar")).site, "مساعدة هيلتوب");
        assert_eq!(Config::resolve(raw("en")).site, "Hilltop Roast Help");
    }
}
