//! Compiles the locale files (`locales/*.json`) into Rust constants, so the WebAssembly carries
//! the strings but no JSON reader: the reader and the files' syntax were ~1 KB of its gzip size.
//! A file that is not a flat object of strings fails the build with its path, line and column;
//! `i18n::tests::every_locale_has_every_key` checks the keys.

use std::fmt::Write;

/// Locales shipped with the widget, English first: it is the fallback.
const LOCALES: &[&str] = &["en", "zh", "ar"];

fn main() {
    let mut out = String::from("pub const LOCALES: &[(&str, &[(&str, &str)])] = &[\n");
    let mut errors = Vec::new();
    for lang in LOCALES {
        let path = format!("locales/{lang}.json");
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
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
