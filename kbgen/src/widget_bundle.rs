//! The prebuilt widget bundle that ships inside `kbgen`, so owners need no wasm toolchain.
//!
//! `cargo xtask widget` builds `kbgen/assets/widget/` from source; `STAMP` there records a hash of
//! the sources it was built from, and a test fails when the sources moved on without a rebuild.

use crate::{config::Config, site};
use anyhow::{Context, Result};
use include_dir::{include_dir, Dir};
use std::path::Path;

static BUNDLE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/widget");
/// The bundle's files compressed once by `build.rs` (`<file>.br`, `<file>.gz`), written beside them.
static PRECOMPRESSED: Dir<'static> = include_dir!("$OUT_DIR/widget-precompressed");

/// The bundle's manifest: logical name → content-hashed file name.
pub fn manifest() -> serde_json::Map<String, serde_json::Value> {
    BUNDLE
        .get_file("manifest.json")
        .and_then(|f| serde_json::from_slice(f.contents()).ok())
        .unwrap_or_default()
}

/// The loader's file name inside `widget/`, which the snippet and every page point at; `None`
/// when the embedded bundle has no widget.
pub fn loader() -> Option<String> {
    manifest()
        .get("loader.js")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// The file names (inside `widget/`) of the search page's JS glue and WebAssembly: the widget
/// crate built without its panel, the same engine; `None` when the embedded bundle has none.
pub fn engine_files() -> Option<site::EngineFiles> {
    let m = manifest();
    let name = |k: &str| m.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    Some(site::EngineFiles {
        js: name("search.js")?,
        wasm: name("search.wasm")?,
    })
}

/// Every key of the widget's UI strings with its English text (`widget/locales/en.json`), for
/// checking the owner's `[widget.strings]`. The `loader_*` words are compiled into the loader,
/// which draws before any configuration arrives, so they are not the owner's to set there.
pub fn english_strings() -> Vec<(String, String)> {
    let locale: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(include_str!("../../widget/locales/en.json")).unwrap_or_default();
    locale
        .into_iter()
        .filter(|(k, _)| !k.starts_with("loader_"))
        .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
        .collect()
}

/// Writes the bundle's files into `dir` and returns the loader's file name.
pub fn write(dir: &Path) -> Result<String> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for file in BUNDLE.files().chain(PRECOMPRESSED.files()) {
        let path = dir.join(file.path());
        std::fs::write(&path, file.contents())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    loader().context("the embedded widget bundle has no loader; run `cargo xtask widget`")
}

/// The tag owners paste into their pages: the loader under `base` (which ends in `/`), with the
/// owner's address and site name, so the widget's email ticket reaches the owner even when
/// widget-config.json cannot be read (no CORS on the host, a 404, a host page whose `fetch` is
/// broken), and the launcher's colour and side, because the loader draws the launcher before it
/// fetches widget-config.json, and so are its offsets; the site's name in each language, for the
/// panel's shell. `kbgen snippet` prints it and `kbgen serve`'s demo page uses it.
pub fn script_tag(base: &str, config: &Config) -> String {
    let loader = loader().unwrap_or_else(|| "loader.js".into());
    let mut owner = String::new();
    for (name, value) in [
        ("email", config.support_email.as_str()),
        ("site", config.title(&config.default_language)),
        ("ticket-url", config.ticket_url.as_deref().unwrap_or("")),
    ] {
        if !value.trim().is_empty() {
            owner.push_str(&format!(" data-{name}=\"{}\"", attribute(value.trim())));
        }
    }
    // The site's name in each other language (by primary subtag, as the loader picks its
    // language), so the panel's shell names it in the visitor's before widget-config.json arrives.
    let default_title = config.title(&config.default_language);
    let mut named = vec![config.default_language.as_str()];
    for lang in &config.languages {
        let primary = lang.split('-').next().unwrap_or_default();
        let title = config.title(lang).trim();
        if (2..=3).contains(&primary.len())
            && primary.bytes().all(|b| b.is_ascii_lowercase())
            && !named.contains(&primary)
            && !title.is_empty()
            && title != default_title.trim()
        {
            named.push(primary);
            owner.push_str(&format!(" data-site-{primary}=\"{}\"", attribute(title)));
        }
    }
    let color = if config.brand_color.is_empty() {
        String::new()
    } else {
        format!(" data-color=\"{}\"", attribute(&config.brand_color))
    };
    format!(
        "<script src=\"{base}widget/{loader}\"{owner} async data-solodesk{color} data-position=\"{}\"{}></script>",
        config.position.as_str(),
        offsets(config)
    )
}

/// The launcher's offsets the owner set in `[widget]`, as the tag's attributes (with a leading
/// space each); none when the owner kept the defaults.
pub fn offsets(config: &Config) -> String {
    [
        ("offset-x", config.offset_x),
        ("offset-y", config.offset_y),
        ("offset-y-mobile", config.offset_y_mobile),
    ]
    .iter()
    .filter_map(|(name, px)| px.map(|px| format!(" data-{name}=\"{px}\"")))
    .collect()
}

/// Escapes `s` for a double-quoted HTML attribute.
fn attribute(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The origin (`scheme://host[:port]`) of the help center at `base`, or `None` when `base` is not
/// an absolute URL.
pub fn origin(base: &str) -> Option<&str> {
    let (scheme, rest) = base.split_once("://")?;
    if scheme.is_empty() || rest.is_empty() {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&base[..scheme.len() + 3 + end])
}

/// What the owner's site must allow for the widget, as Content-Security-Policy directives (to
/// merge into the site's own policy): the loader and the widget's module and WebAssembly come
/// from the help center (`script-src`, with `'wasm-unsafe-eval'` to compile the WebAssembly), it
/// fetches its configuration, index and articles (`connect-src`), its stylesheet (`style-src`)
/// and the articles' images (`img-src`) from there too; it POSTs tickets to the owner's form
/// endpoint (`ticket`, the origin of `[widget] ticket_url`), when there is one.
pub fn csp_lines(origin: &str, ticket: Option<&str>) -> [String; 4] {
    let ticket = ticket.map_or(String::new(), |t| format!(" {t}"));
    [
        format!("script-src {origin} 'wasm-unsafe-eval'"),
        format!("connect-src {origin}{ticket}"),
        format!("style-src {origin}"),
        format!("img-src {origin}"),
    ]
}
