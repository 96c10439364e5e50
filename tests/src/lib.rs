//! Helpers shared by the cross-crate and real-browser tests: building a knowledge base with the
//! `kbgen` binary, serving a folder on 127.0.0.1, and driving headless Chromium over WebDriver.
//!
//! Browser tests talk only to servers they start themselves on 127.0.0.1.

pub mod browser;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_owned()
}

/// The `kbgen` binary that `cargo test --workspace` built beside this test binary.
pub fn kbgen_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("KBGEN_BIN") {
        return path.into();
    }
    // Test binaries live in target/<profile>/deps; the workspace's binaries one level up.
    let exe = std::env::current_exe().expect("test binary path");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("kbgen");
    assert!(
        bin.exists(),
        "{} does not exist: run the tests with `cargo test --workspace` (which builds kbgen) or set KBGEN_BIN",
        bin.display()
    );
    bin
}

/// Runs `kbgen build <kb> --out <out>` and panics with its output when it fails.
pub fn kbgen_build(kb: &Path, out: &Path) {
    let output = Command::new(kbgen_bin())
        .arg("build")
        .arg(kb)
        .arg("--out")
        .arg(out)
        .output()
        .expect("running kbgen");
    assert!(
        output.status.success(),
        "kbgen build {} failed:\n{}{}",
        kb.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A fresh, empty folder (tempfile's), named after the test's `name` so a leftover one says
/// whose it is; removed when dropped.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("solodesk-test-{name}-"))
            .tempdir()
            .expect("creating a temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// Copies a folder (a knowledge base, say) into `to`, subfolders included.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Splits a `mailto:` URL into its decoded address and header fields, with an independent parser
/// (`url`) and plain percent-decoding: in mailto, `+` is a plus, not a space.
pub fn decode_mailto(href: &str) -> (String, Vec<(String, String)>) {
    let u = url::Url::parse(href).unwrap_or_else(|e| panic!("{href}: {e}"));
    assert_eq!(u.scheme(), "mailto");
    assert_eq!(u.fragment(), None, "a fragment would cut the body: {href}");
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .into_owned()
    };
    let fields = u
        .query()
        .unwrap_or("")
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("key=value");
            (decode(k), decode(v))
        })
        .collect();
    (decode(u.path()), fields)
}
