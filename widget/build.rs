//! Compiles the locale files (`locales/*.json`) into Rust constants, so the WebAssembly carries
//! the strings but no JSON reader: the reader and the files' syntax were ~1 KB of its gzip size.
//! Every `locales/<lang>.json` is a locale: adding a language is dropping its file in. A file that
//! is not a flat object of strings, or whose name is not a language subtag, fails the build with
//! its path (and line and column); `i18n::tests` check that every locale has the keys of English.
//! Keys starting with `loader_` are the loader's own words (its launcher and its fallback), which
//! `cargo xtask widget` writes into the loader with the panel's shell's; the panel never shows
//! them, so they are left out of the WebAssembly.

use std::fmt::Write;

/// The locale every other falls back to; it comes first in `LOCALES`.
const FALLBACK: &str = "en";
/// The start of the keys only the loader shows (see the module's comment).
const LOADER_PREFIX: &str = "loader_";

fn main() {
    // A directory here makes cargo rerun this script when a file is added, removed or changed.
    println!("cargo:rerun-if-changed=locales");
    let mut errors = Vec::new();
    let mut langs = Vec::new();
    let entries = std::fs::read_dir("locales").unwrap_or_else(|e| panic!("widget/locales: {e}"));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("widget/locales: {e}"))
            .path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if is_subtag(stem) {
            langs.push(stem.to_owned());
        } else {
            errors.push(format!(
                "widget/{}: the name is not a language subtag (two or three lowercase letters, like fr.json)",
                path.display()
            ));
        }
    }
    // English first (the fallback), then the others in a stable order.
    langs.sort_by_key(|l| (l != FALLBACK, l.clone()));
    if langs.first().is_none_or(|l| l != FALLBACK) {
        errors.push(format!(
            "widget/locales/{FALLBACK}.json: missing, it is the fallback"
        ));
    }

    let mut out = String::from("pub const LOCALES: &[(&str, &[(&str, &str)])] = &[\n");
    for lang in &langs {
        let path = format!("locales/{lang}.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("widget/{path}: {e}"));
        let map: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(&text) {
            Ok(m) => m,
            Err(e) => {
                errors.push(format!("widget/{path}:{}:{}: {e}", e.line(), e.column()));
                continue;
            }
        };
        let _ = writeln!(out, "    ({lang:?}, &[");
        for (key, value) in map {
            match value.as_str() {
                Some(_) if key.starts_with(LOADER_PREFIX) => {}
                // Debug formatting of a str is a valid Rust string literal.
                Some(v) => {
                    let _ = writeln!(out, "        ({key:?}, {v:?}),");
                }
                None => errors.push(format!("widget/{path}: \"{key}\" is not a string")),
            }
        }
        out.push_str("    ]),\n");
    }
    out.push_str("];\n");
    if !errors.is_empty() {
        panic!("{}", errors.join("\n"));
    }
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("locales.rs");
    std::fs::write(dest, out).unwrap();
}

/// A primary language subtag as `i18n::pick_lang` compares them: two or three lowercase letters.
fn is_subtag(s: &str) -> bool {
    (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase())
}
