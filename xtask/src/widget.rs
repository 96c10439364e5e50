//! Builds the widget bundle: compile to wasm32 → wasm-bindgen → wasm-opt → content-hashed files,
//! for the widget crate twice: the panel the loader mounts, and the help center search page's
//! engine (the crate without its `panel` feature).
//!
//! The loader keeps a stable name (`solodesk.js`) because owners paste its URL into their sites
//! once; everything it loads carries a content hash in its name, so it can be cached for ever.

use crate::{root, run, stamp, wasm_names};
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the bundle that `kbgen` embeds lives, relative to the workspace root.
pub const SHIPPED: &str = "kbgen/assets/widget";
/// The loader's stable file name.
const LOADER: &str = "solodesk.js";
/// The loader's placeholder for its words, called with the locale keys it needs.
const WORDS: &str = "__LOCALE_WORDS__(";
/// The loader's placeholder for the locales written right to left.
const RTL_LOCALES: &str = "__RTL_LOCALES__";
/// WebAssembly features rustc enables for wasm32 by default; wasm-opt must accept them.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Builds the bundle into `out`, replacing what was there.
pub fn build(out: &Path) -> Result<()> {
    let root = root();
    // The search page's build first: both builds of the crate write the same file.
    let (search_wasm, search_glue) = module(&root, Build::SearchPage)?;
    let (wasm, glue) = module(&root, Build::Panel)?;
    let mut files = vec![hashed("widget", "wasm", wasm), hashed("widget", "js", glue)];
    let css = root.join("widget/style/widget.css");
    if css.exists() {
        let css = String::from_utf8(read(&css)?).context("widget.css is not UTF-8")?;
        files.push(hashed("widget", "css", minify_css(&css).into_bytes()));
    }
    let loader = String::from_utf8(read(&root.join("widget/loader/loader.js"))?)
        .context("loader.js is not UTF-8")?;
    let mut loader = loader_words(&loader, &read_locales(&root)?)?;
    for (placeholder, logical) in [
        ("__WIDGET_JS__", "widget.js"),
        ("__WIDGET_WASM__", "widget.wasm"),
        ("__WIDGET_CSS__", "widget.css"),
    ] {
        if let Some(file) = files.iter().find(|f| f.logical == logical) {
            loader = loader.replace(placeholder, &file.name);
        }
    }
    let loader = minify_js(&root, &root.join("target/widget-bindgen"), &loader, false)?;
    files.push(Bundled {
        logical: "loader.js".into(),
        name: LOADER.into(),
        bytes: loader,
    });
    files.push(hashed("search", "wasm", search_wasm));
    files.push(hashed("search", "js", search_glue));

    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut manifest = serde_json::Map::new();
    for file in &files {
        std::fs::write(out.join(&file.name), &file.bytes)?;
        manifest.insert(file.logical.clone(), file.name.clone().into());
    }
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    std::fs::write(out.join("STAMP"), stamp::compute(&root)? + "\n")?;
    print_sizes(out, &files)
}

/// The two builds of the widget crate.
#[derive(Clone, Copy, PartialEq)]
enum Build {
    /// The panel the loader mounts (default features).
    Panel,
    /// The help center search page's engine (`--no-default-features`: no Yew).
    SearchPage,
}

/// Compiles one build of the widget crate and returns its WebAssembly (through wasm-bindgen and
/// wasm-opt, names shortened) and its minified JS glue.
fn module(root: &Path, build: Build) -> Result<(Vec<u8>, Vec<u8>)> {
    let wasm = compile(root, build)?;
    let bindgen = root.join(match build {
        Build::Panel => "target/widget-bindgen",
        Build::SearchPage => "target/search-bindgen",
    });
    let _ = std::fs::remove_dir_all(&bindgen);
    run(Command::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--no-typescript",
            // Every browser that runs the widget has TextEncoder.encodeInto; the glue need not
            // test for it and carry the fallback. The loader and the search page always say where
            // the wasm is, so the glue's default path is dead code.
            "--encode-into",
            "always",
            "--omit-default-module-path",
            "--out-name",
            "solodesk_widget",
            "--out-dir",
        ])
        .arg(&bindgen)
        .arg(&wasm))
    .context("wasm-bindgen failed; `cargo xtask setup` installs the matching version")?;

    let optimized = bindgen.join("optimized.wasm");
    run(
        Command::new(root.join("xtask/node_modules/binaryen/bin/wasm-opt"))
            // Measured on this widget: -Os with --converge (repeat until it stops shrinking)
            // gives ~0.5 KB less gzip and brotli than -Oz, though ~1 KB more raw bytes; the
            // budget is what travels, so gzip decides.
            .args(["-Os", "--converge"])
            // Binaryen inlines every function that has a single caller, however large. Limited
            // to small ones, the module is ~9 KB larger raw but ~8.4 KB smaller gzipped (~5.7 KB
            // brotli): separate functions repeat the patterns compressors find, inlined bodies
            // are each unique. Measured at limits 0 to 100 000, 20 is the smallest; typing and
            // opening the panel were no slower (the query and click benches, with this flag's
            // bundle as SOLODESK_BASELINE_BUNDLE).
            .arg("--one-caller-inline-max-function-size=20")
            // Lets wasm-opt fold constant offsets into loads and stores (~1.3 KB gzip less),
            // which is sound when no address below 1024 is used: rustc puts the 1 MB stack first,
            // growing down towards 0, so only a stack overflow could get there.
            .arg("--low-memory-unused")
            .args(WASM_FEATURES)
            // Browsers ignore both custom sections; together they are ~270 bytes.
            .args(["--strip-producers", "--strip-target-features"])
            .arg(bindgen.join("solodesk_widget_bg.wasm"))
            .arg("-o")
            .arg(&optimized),
    )
    .context("wasm-opt failed; `cargo xtask setup` installs it")?;

    let glue = String::from_utf8(read(&bindgen.join("solodesk_widget.js"))?)
        .context("the wasm-bindgen glue is not UTF-8")?;
    let (wasm, glue) = wasm_names::shorten(&read(&optimized)?, &glue)?;
    Ok((wasm, minify_js(root, &bindgen, &glue, true)?))
}

/// The one list of the languages written right to left, which the panel and kbgen read too.
#[path = "../../widget/src/i18n/rtl.rs"]
mod rtl;

/// A locale file's keys and texts.
type Locale = serde_json::Map<String, serde_json::Value>;

/// The locale files of `widget/locales/` by language, English first (as `widget/build.rs` orders
/// them; it has already checked them when the widget compiled).
fn read_locales(root: &Path) -> Result<Vec<(String, Locale)>> {
    let dir = root.join("widget/locales");
    let mut locales = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let Some(lang) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        let locale: Locale = serde_json::from_slice(&read(&path)?)
            .with_context(|| format!("widget/locales/{lang}.json"))?;
        locales.push((lang.to_owned(), locale));
    }
    locales.sort_by(|a, b| (a.0 != "en", &a.0).cmp(&(b.0 != "en", &b.0)));
    Ok(locales)
}

/// Writes the loader's words from the `locales` (English first), so that a locale file dropped
/// into `widget/locales/` gives the launcher, the fallback and the panel's shell its words with
/// no edit to the loader: `__LOCALE_WORDS__("key", ...)` becomes `{"<lang>": [texts], ...}`, each
/// locale's texts of those keys in that order (English's where a locale has none), and
/// `__RTL_LOCALES__` the list of the locales written right to left.
fn loader_words(loader: &str, locales: &[(String, Locale)]) -> Result<String> {
    let start = loader
        .find(WORDS)
        .with_context(|| format!("widget/loader/loader.js: no {WORDS}...) for its words"))?;
    let end = start
        + loader[start..]
            .find(')')
            .context("widget/loader/loader.js: no `)` after __LOCALE_WORDS__(")?;
    let keys: Vec<&str> = loader[start + WORDS.len()..end]
        .split(',')
        .map(|k| k.trim().trim_matches('"'))
        .collect();
    let Some(("en", english)) = locales.first().map(|(l, m)| (l.as_str(), m)) else {
        bail!("widget/locales/en.json: missing, it is the fallback");
    };
    // Written by hand, in the locales' order: a JSON map's order depends on serde_json's features.
    let mut table = Vec::new();
    let mut rtl = Vec::new();
    for (lang, locale) in locales {
        let mut texts = Vec::new();
        for key in &keys {
            let Some(text) = locale.get(*key).or_else(|| english.get(*key)) else {
                bail!("widget/locales/en.json: no \"{key}\", which widget/loader/loader.js shows");
            };
            let text = text.as_str().with_context(|| {
                format!("widget/locales/{lang}.json: \"{key}\" is not a string")
            })?;
            texts.push(text);
        }
        table.push(format!(
            "{}:{}",
            serde_json::to_string(lang)?,
            serde_json::to_string(&texts)?
        ));
        if rtl::is_rtl(lang) {
            rtl.push(lang.as_str());
        }
    }
    if !loader.contains(RTL_LOCALES) {
        bail!("widget/loader/loader.js: no {RTL_LOCALES}");
    }
    let table = format!("{{{}}}", table.join(","));
    let filled = format!("{}{table}{}", &loader[..start], &loader[end + 1..]);
    Ok(filled.replace(RTL_LOCALES, &serde_json::to_string(&rtl)?))
}

struct Bundled {
    logical: String,
    name: String,
    bytes: Vec<u8>,
}

fn hashed(stem: &str, ext: &str, bytes: Vec<u8>) -> Bundled {
    let hash = format!("{:x}", Sha256::digest(&bytes));
    Bundled {
        logical: format!("{stem}.{ext}"),
        name: format!("{stem}-{}.{ext}", &hash[..10]),
        bytes,
    }
}

/// Minifies JavaScript with terser (from `xtask/node_modules`, see `package.json`): the
/// wasm-bindgen glue (`module`: its exported names, which the loader and the search page import,
/// stay) and the loader (a classic script; one function, so every name inside is shortened).
/// Comments, indentation and long local names are a quarter of the glue's gzip size and a sixth
/// of the loader's.
fn minify_js(root: &Path, dir: &Path, js: &str, module: bool) -> Result<Vec<u8>> {
    let (input, output) = (dir.join("in.js"), dir.join("out.js"));
    std::fs::write(&input, js)?;
    let mut cmd = Command::new("node");
    cmd.arg(root.join("xtask/node_modules/terser/bin/terser"))
        .arg(&input)
        .args(["--compress", "passes=2", "--mangle", "--output"])
        .arg(&output);
    if module {
        cmd.arg("--module");
    }
    run(&mut cmd).context("terser failed; `cargo xtask setup` installs it")?;
    read(&output)
}

/// Drops comments and the whitespace a stylesheet does not need (about a fifth of its gzip size),
/// conservatively: quoted strings are copied as they are, runs of whitespace become one space,
/// and a space goes only where it touches `{`, `}`, `;` or `,`, never around `:` or a
/// combinator, where it can change what a selector means.
fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                space = true;
            }
            c if c.is_whitespace() => space = true,
            _ => {
                let tight = |c: char| matches!(c, '{' | '}' | ';' | ',');
                if space && !out.is_empty() && !tight(c) && !out.ends_with(tight) {
                    out.push(' ');
                }
                space = false;
                if c == '}' && out.ends_with(';') {
                    out.pop();
                }
                out.push(c);
                if c == '"' || c == '\'' {
                    for q in chars.by_ref() {
                        out.push(q);
                        if q == c {
                            break;
                        }
                    }
                }
            }
        }
    }
    out.push('\n');
    out
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// A `cargo` for wasm32 on this machine: the subcommand and its arguments are the caller's.
pub struct WasmCargo {
    pub cmd: Command,
    /// Where the artifacts go; each route has its own, as the two compilers' outputs do not mix.
    pub target_dir: PathBuf,
    /// True on the Debian route, where std is built from source (`-Zbuild-std`).
    pub build_std: bool,
}

/// Chooses rustup's wasm32-unknown-unknown target when it is installed, and otherwise Debian's
/// rustc-web building std from source; `task` names the caller in what is printed.
pub fn wasm_cargo(root: &Path, task: &str) -> Result<WasmCargo> {
    let rustup_target = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == "wasm32-unknown-unknown")
        })
        .unwrap_or(false);
    if rustup_target {
        eprintln!("xtask {task}: compiling with rustup's wasm32-unknown-unknown target");
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(root);
        return Ok(WasmCargo {
            cmd,
            target_dir: root.join("target/wasm"),
            build_std: false,
        });
    }
    if !Path::new("/usr/bin/rustc").exists() {
        bail!("no wasm32 toolchain: run `cargo xtask setup`");
    }
    eprintln!("xtask {task}: compiling with Debian's rustc-web and -Zbuild-std");
    let mut cmd = Command::new("/usr/bin/cargo");
    // rustup's proxies would otherwise pick rustup's rustc, which has no wasm32 std here.
    for var in [
        "RUSTUP_TOOLCHAIN",
        "RUSTC_WRAPPER",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTC",
    ] {
        cmd.env_remove(var);
    }
    cmd.current_dir(root)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTC", "/usr/bin/rustc")
        .env("RUSTDOC", "/usr/bin/rustdoc")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER",
            "/usr/lib/llvm-19/bin/wasm-ld",
        )
        .arg("-Zbuild-std=std,panic_abort");
    Ok(WasmCargo {
        cmd,
        target_dir: root.join("target/wasm-debian"),
        build_std: true,
    })
}

/// The rustc flags of [`size_flags`].
pub const SIZE_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none";

/// Builds std for size and drops panic formatting, Debug formatting and panic locations, when std
/// is built from source anyway: a panic in the widget aborts either way, and the bytes matter on
/// the visitor's connection. Tests must not use this: they need the panic messages.
pub fn size_flags(wasm: &mut WasmCargo) {
    if wasm.build_std {
        wasm.cmd
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                SIZE_RUSTFLAGS,
            )
            .arg("-Zbuild-std-features=optimize_for_size");
    }
}

/// Compiles the widget crate to wasm32 (see [`wasm_cargo`]) for size.
fn compile(root: &Path, build: Build) -> Result<PathBuf> {
    let mut wasm = wasm_cargo(root, "widget")?;
    size_flags(&mut wasm);
    let WasmCargo {
        mut cmd,
        target_dir,
        ..
    } = wasm;
    cmd.args([
        "build",
        "--package",
        "solodesk-widget",
        "--lib",
        "--profile",
        "wasm-release",
    ])
    .args(["--target", "wasm32-unknown-unknown", "--target-dir"])
    .arg(&target_dir);
    if build == Build::SearchPage {
        cmd.arg("--no-default-features");
    }
    run(&mut cmd)?;
    Ok(target_dir.join("wasm32-unknown-unknown/wasm-release/solodesk_widget.wasm"))
}

/// Prints each file's sizes, what the widget fetches when opened (its JS, WebAssembly and CSS)
/// and what the search page fetches before its first answer besides the index (its JS and
/// WebAssembly).
fn print_sizes(out: &Path, files: &[Bundled]) -> Result<()> {
    println!("widget bundle in {}:", out.display());
    println!(
        "{:<28} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    let (mut on_open, mut search) = ((0, 0), (0, 0));
    for file in files {
        let (gz, br) = (gzip_len(&file.bytes)?, brotli_len(&file.bytes)?);
        let sum = if file.logical.starts_with("search.") {
            Some(&mut search)
        } else {
            (file.logical != "loader.js").then_some(&mut on_open)
        };
        if let Some(sum) = sum {
            sum.0 += gz;
            sum.1 += br;
        }
        println!(
            "{:<28} {:>10} {:>10} {:>10}",
            file.name,
            file.bytes.len(),
            gz,
            br
        );
    }
    for (what, (gz, br)) in [
        ("widget: fetched on open", on_open),
        ("search page: its engine", search),
    ] {
        println!("{what:<28} {:>10} {gz:>10} {br:>10}", "");
    }
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len())
}

fn brotli_len(bytes: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out.len())
}

#[cfg(test)]
mod tests {
    use super::{loader_words, minify_css, Locale};

    fn check(input: &str, expected: &str) {
        assert_eq!(minify_css(input), format!("{expected}\n"), "{input:?}");
    }

    #[test]
    fn minifies_without_changing_meaning() {
        check("/* note */\n.a {\n  color: red;\n}\n", ".a{color: red}");
        check(".a :hover, .b > .c { x: 1 }", ".a :hover,.b > .c{x: 1}");
        check(
            ":host([data-pos=left]) .d { right: auto; left: 0; }",
            ":host([data-pos=left]) .d{right: auto;left: 0}",
        );
        check(
            ".r::before { content: \"a  /* b */ ;\"; }",
            ".r::before{content: \"a  /* b */ ;\"}",
        );
        check(
            "@media (prefers-color-scheme: dark) {\n  .d { --x: #fff; }\n}",
            "@media (prefers-color-scheme: dark){.d{--x: #fff}}",
        );
        check(
            "font: 15px/1.45 \"Segoe UI\", sans-serif;",
            "font: 15px/1.45 \"Segoe UI\",sans-serif;",
        );
    }

    fn locale(json: &str) -> Locale {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_loader_gets_every_locales_words_english_where_one_has_none() {
        let locales = [
            (
                "en",
                r#"{"loader_label": "Help", "close": "Close", "title": "Help"}"#,
            ),
            ("ar", r#"{"loader_label": "مساعدة", "close": "إغلاق"}"#),
            ("fr", r#"{"close": "Fermer", "title": "Aide"}"#),
        ]
        .map(|(lang, json)| (lang.to_string(), locale(json)));
        let loader = r#"const t = __LOCALE_WORDS__("loader_label", "close"); f(__RTL_LOCALES__);"#;
        assert_eq!(
            loader_words(loader, &locales).unwrap(),
            r#"const t = {"en":["Help","Close"],"ar":["مساعدة","إغلاق"],"fr":["Help","Fermer"]}; f(["ar"]);"#
        );
        let unknown = r#"__LOCALE_WORDS__("nope"); __RTL_LOCALES__"#;
        assert!(loader_words(unknown, &locales).is_err());
        assert!(loader_words("__RTL_LOCALES__", &locales).is_err());
    }
}
