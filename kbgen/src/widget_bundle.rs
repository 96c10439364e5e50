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
/// checking the owner's `[widget.strings]`.
pub fn english_strings() -> Vec<(String, String)> {
    let locale: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(include_str!("../../widget/locales/en.json")).unwrap_or_default();
    locale
        .into_iter()
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
/// launcher's colour and side, because the loader draws the launcher before it fetches
/// widget-config.json. `kbgen snippet` prints it and `kbgen serve`'s demo page uses it.
pub fn script_tag(base: &str, config: &Config) -> String {
    let loader = loader().unwrap_or_else(|| "loader.js".into());
    let color = if config.brand_color.is_empty() {
        String::new()
    } else {
        format!(" data-color=\"{}\"", config.brand_color)
    };
    format!(
        "<script src=\"{base}widget/{loader}\" async data-solodesk{color} data-position=\"{}\"></script>",
        config.position.as_str()
    )
}
