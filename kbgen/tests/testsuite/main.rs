//! CLI integration tests: each module runs the real `kbgen` binary on fixture folders in
//! `tests/fixtures/` and checks the files it writes and what it reports.
//!
//! Snapshots (insta) live in `tests/testsuite/snapshots/`; update them with
//! `INSTA_UPDATE=always cargo test -p kbgen --test testsuite` and review the diff.

mod build;
mod check;
mod compression;
mod corpora;
mod desk;
mod desk_conversation;
mod desk_dashboard;
mod desk_insights;
mod example;
mod foreign;
mod help_center;
mod hostile;
mod html;
mod import;
mod init;
// The made-up words of the engine's shard tests, for the knowledge base of kbgen's.
#[path = "../../../engine/tests/support/made_up_words.rs"]
mod made_up_words;
mod query;
mod sanitize;
mod serve;
mod snapshots;
mod strict;
mod widget_host;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn kbgen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kbgen"))
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn run(cmd: &mut Command) -> (bool, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("kbgen runs");
    (
        status.success(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Builds `kb` into a fresh temporary folder; returns the folder (kept alive) and the output path.
pub fn build(kb: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let (ok, _, err) = run(kbgen().arg("build").arg(kb).arg("--out").arg(&out));
    assert!(ok, "build of {} failed:\n{err}", kb.display());
    (tmp, out)
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Adds `text` at the end of the file at `path`.
pub fn append(path: &Path, text: &str) {
    let mut all = read(path);
    all.push_str(text);
    std::fs::write(path, all).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(
                    p.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    out.sort();
    out
}

/// Copies a fixture into a temporary folder so a test can change it.
pub fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                copy(&p, &to.join(e.file_name()));
            } else {
                std::fs::copy(&p, to.join(e.file_name())).unwrap();
            }
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join(name);
    copy(&fixture(name), &kb);
    (tmp, kb)
}
