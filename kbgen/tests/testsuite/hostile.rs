//! Hostile knowledge bases and careless `--out` folders (issue 15, items 1, 2, 8, 11 and 13).
//!
//! Each test asserts what the owner sees (a clear error or warning, no raw OS error), that nothing
//! is written outside `--out`, that nothing outside the knowledge base reaches the output, and that
//! the previous output is intact.

use crate::{kbgen, run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A file outside every knowledge base, whose bytes must never reach an output folder.
const SECRET: &str = "TOPSECRET-6f1d";

/// A small knowledge base `<tmp>/kb` with kbgen.toml and one article per given (name, text).
fn kb(tmp: &Path, articles: &[(&str, &str)]) -> PathBuf {
    let kb = tmp.join("kb");
    std::fs::create_dir_all(kb.join("articles/en")).unwrap();
    std::fs::write(
        kb.join("kbgen.toml"),
        "[site]\ntitle = \"Hostile\"\nsupport_email = \"help@example.com\"\nlanguages = [\"en\"]\n",
    )
    .unwrap();
    std::fs::write(
        kb.join("articles/en/welcome.md"),
        "---\ntitle: Welcome\n---\nHello.\n",
    )
    .unwrap();
    for (name, text) in articles {
        std::fs::write(kb.join("articles/en").join(name), text).unwrap();
    }
    kb
}

/// Every file under `dir` with its bytes (symbolic links are not followed).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let kind = e.file_type().unwrap();
            if kind.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(p);
            } else if kind.is_symlink() {
                out.insert(
                    rel,
                    std::fs::read_link(&p)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                        .into_bytes(),
                );
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn build(kb: &Path, out: &Path, args: &[&str]) -> (bool, String) {
    let (ok, _, err) = run(kbgen()
        .arg("build")
        .arg(kb)
        .arg("--out")
        .arg(out)
        .args(args));
    (ok, err)
}

fn check(kb: &Path) -> (bool, String) {
    let (ok, _, err) = run(kbgen().arg("check").arg(kb));
    (ok, err)
}

/// The lines of a report that are errors, without the snippets under them.
fn errors(report: &str) -> Vec<&str> {
    report.lines().filter(|l| l.contains(": error: ")).collect()
}

fn assert_clear(report: &str) {
    assert!(
        !report.contains("os error"),
        "a raw OS error reached the owner:\n{report}"
    );
    assert!(!report.contains("panicked"), "{report}");
}

fn assert_no_secret(out: &Path) {
    for (path, bytes) in tree(out) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SECRET),
            "{path} in the output holds a file from outside the knowledge base"
        );
    }
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

// --- item 1: --out never replaces what it must not ---

/// Refuses `out` with `args`, and asserts the message and that the whole temporary tree (the
/// knowledge base, `out` and everything beside them) is unchanged.
fn assert_refused(root: &Path, kb: &Path, out: &Path, args: &[&str], expect: &str) {
    let before = tree(root);
    let (ok, err) = build(kb, out, args);
    assert!(!ok, "kbgen wrote into {}:\n{err}", out.display());
    assert!(err.contains(expect), "expected {expect:?} in:\n{err}");
    assert!(
        err.contains(&out.display().to_string()),
        "the message names the folder:\n{err}"
    );
    assert_clear(&err);
    assert_eq!(tree(root), before, "nothing may change");
}

#[test]
fn out_at_the_knowledge_base_is_refused_even_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = kb(tmp.path(), &[]);
    for args in [&[][..], &["--force"][..]] {
        assert_refused(
            tmp.path(),
            &kb,
            &kb,
            args,
            "is the knowledge-base folder or a folder holding it",
        );
    }
}

#[test]
fn out_at_a_parent_of_the_knowledge_base_is_refused_even_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = kb(tmp.path(), &[]);
    assert_refused(
        tmp.path(),
        &kb,
        tmp.path(),
        &["--force"],
        "is the knowledge-base folder or a folder holding it",
    );
}

/// The issue's `kbgen build docs --out "$PWD"` in a project.
#[test]
fn out_at_the_current_folder_is_refused_even_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    let kb = kb(&project, &[]);
    std::fs::write(project.join("main.rs"), "fn main() {}").unwrap();
    let other = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&other).unwrap();
    let before = tree(tmp.path());
    for out in [&project, &other.join("..")] {
        let (ok, _, err) = run(kbgen()
            .current_dir(if out == &project { &project } else { &other })
            .arg("build")
            .arg(&kb)
            .arg("--out")
            .arg(out)
            .arg("--force"));
        assert!(!ok, "{err}");
        assert!(
            err.contains("the current folder or one of its parents")
                || err.contains("a folder holding it"),
            "{err}"
        );
        assert_clear(&err);
    }
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn out_holding_a_version_control_folder_is_refused_even_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = kb(tmp.path(), &[]);
    for vcs in [".git", ".hg", ".svn"] {
        let out = tmp.path().join(format!("site{vcs}"));
        std::fs::create_dir_all(out.join("deep").join(vcs)).unwrap();
        std::fs::write(out.join("deep").join(vcs).join("HEAD"), "ref").unwrap();
        // Even a folder kbgen built once is not replaced once it holds a repository.
        std::fs::write(out.join(".kbgen-output"), "").unwrap();
        let before = tree(tmp.path());
        let (ok, err) = build(&kb, &out, &["--force"]);
        assert!(!ok, "{err}");
        assert!(err.contains("holds a version-control folder"), "{err}");
        assert!(err.contains(vcs), "{err}");
        assert_clear(&err);
        assert_eq!(tree(tmp.path()), before);
    }
}

#[test]
fn out_holding_the_knowledge_base_articles_is_refused_even_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = kb(tmp.path(), &[]);
    assert_refused(
        tmp.path(),
        &kb,
        &kb.join("articles"),
        &["--force"],
        "holds the knowledge base's `articles`",
    );
}

#[test]
fn out_at_an_unmarked_folder_needs_force() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = kb(tmp.path(), &[]);
    let out = tmp.path().join("public");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("precious.txt"), "the owner's").unwrap();
    assert_refused(tmp.path(), &kb, &out, &[], "pass --force");

    // The owner means it.
    let (ok, err) = build(&kb, &out, &["--force"]);
    assert!(ok, "{err}");
    assert!(!out.join("precious.txt").exists());
    assert!(out.join("index.bin").is_file());
    assert!(out.join(".kbgen-output").is_file(), "every build is marked");
    // From now on the folder is kbgen's: no --force needed.
    let (ok, err) = build(&kb, &out, &[]);
    assert!(ok, "{err}");
}

#[test]
fn out_that_is_a_file_or_a_link_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = kb(tmp.path(), &[]);
    let file = tmp.path().join("site.txt");
    std::fs::write(&file, "a file").unwrap();
    assert_refused(tmp.path(), &kb, &file, &["--force"], "is not a folder");
    #[cfg(unix)]
    {
        let target = tmp.path().join("target-folder");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("x"), "x").unwrap();
        let link = tmp.path().join("link");
        symlink(&target, &link);
        assert_refused(tmp.path(), &kb, &link, &["--force"], "is a symbolic link");
    }
}

#[test]
fn build_without_out_writes_into_the_knowledge_base() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = kb(tmp.path(), &[]);
    let cwd = tmp.path().join("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    let (ok, _, err) = run(kbgen().current_dir(&cwd).arg("build").arg(&kb));
    assert!(ok, "{err}");
    assert!(kb.join("out/index.bin").is_file(), "{err}");
    assert!(tree(&cwd).is_empty(), "nothing in the current folder");
    // And the next build replaces it, without reading it as articles.
    let (ok, _, err) = run(kbgen().current_dir(&cwd).arg("build").arg(&kb));
    assert!(ok, "{err}");
    assert!(
        err.contains("built 1 articles") || err.contains("built 1 article"),
        "{err}"
    );
}

// --- item 2: nothing outside the knowledge base reaches the output ---

#[test]
fn images_outside_the_knowledge_base_are_errors_and_never_published() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("secret.png"), SECRET).unwrap();
    let abs = tmp.path().join("secret.png");
    let abs_encoded = abs.to_string_lossy().replace('/', "%2F");
    let leak = format!(
        "---\ntitle: Leak\n---\n![a](../../../secret.png)\n\n![b](%2e%2e/%2e%2e/%2E%2E/secret.png)\n\n![c][ref]\n\n![d]({abs_encoded})\n\n![e]({})\n\n[ref]: ../../../secret.png\n",
        abs.display()
    );
    let kb = kb(tmp.path(), &[("leak.md", &leak)]);
    let out = tmp.path().join("out");
    let (ok, report) = check(&kb);
    assert!(!ok, "{report}");
    assert_clear(&report);
    let path = kb.join("articles/en/leak.md").display().to_string();
    for line in [4, 6, 8, 10] {
        let want = format!("{path}:{line}:1: error: image `");
        assert!(
            report
                .lines()
                .any(|l| l.starts_with(&want) && l.contains("outside the knowledge-base folder")),
            "expected an error at line {line}:\n{report}"
        );
    }
    // `build` fails on exactly what `check` reported, and writes nothing.
    let (ok, err) = build(&kb, &out, &[]);
    assert!(!ok);
    for e in errors(&err) {
        assert!(report.contains(e), "build's {e:?} is not in check's report");
    }
    assert!(!out.exists());

    // Without kbgen.toml (markdown from another tool) the site builds, still without the file.
    std::fs::remove_file(kb.join("kbgen.toml")).unwrap();
    let (ok, err) = build(&kb, &out, &[]);
    assert!(ok, "{err}");
    assert!(err.contains("outside the knowledge-base folder"), "{err}");
    assert_no_secret(&out);
}

#[cfg(unix)]
#[test]
fn symlinks_leading_outside_the_knowledge_base_are_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("secret.png"), SECRET).unwrap();
    std::fs::write(
        tmp.path().join("outside.md"),
        format!("---\ntitle: Outside\n---\n{SECRET}\n"),
    )
    .unwrap();
    std::fs::create_dir_all(tmp.path().join("outside-dir")).unwrap();
    std::fs::write(tmp.path().join("outside-dir/a.png"), SECRET).unwrap();
    std::fs::write(
        tmp.path().join("outside-dir/b.md"),
        format!("---\ntitle: B\n---\n{SECRET}\n"),
    )
    .unwrap();
    std::fs::write(tmp.path().join("secret.html"), SECRET).unwrap();
    let kb = kb(
        tmp.path(),
        &[(
            "pic.md",
            "---\ntitle: Pic\n---\n![key](../../images/key.png)\n",
        )],
    );
    std::fs::create_dir_all(kb.join("images")).unwrap();
    std::fs::create_dir_all(kb.join("theme")).unwrap();
    symlink(
        tmp.path().join("outside.md"),
        kb.join("articles/en/linked.md"),
    );
    symlink(
        tmp.path().join("outside-dir"),
        kb.join("articles/en/linked-dir"),
    );
    symlink(tmp.path().join("secret.png"), kb.join("images/key.png"));
    symlink(tmp.path().join("outside-dir"), kb.join("images/dir"));
    symlink(tmp.path().join("secret.html"), kb.join("theme/base.html"));
    symlink(tmp.path().join("secret.png"), kb.join("rules.toml"));
    // A link that stays inside the knowledge base is fine.
    std::fs::write(kb.join("images/real.png"), "png").unwrap();
    symlink(kb.join("images/real.png"), kb.join("images/alias.png"));

    let (ok, report) = check(&kb);
    assert!(!ok, "{report}");
    assert_clear(&report);
    for link in [
        "articles/en/linked.md",
        "articles/en/linked-dir",
        "images/key.png",
        "images/dir",
        "theme/base.html",
        "rules.toml",
    ] {
        let want = format!("{}: error: ", kb.join(link).display());
        assert!(
            report
                .lines()
                .any(|l| l.starts_with(&want) && l.contains("outside the knowledge-base folder")),
            "expected an error for {link}:\n{report}"
        );
    }
    let out = tmp.path().join("out");
    let (ok, err) = build(&kb, &out, &[]);
    assert!(!ok, "{err}");
    assert!(!out.exists());

    std::fs::remove_file(kb.join("kbgen.toml")).unwrap();
    let (ok, err) = build(&kb, &out, &[]);
    assert!(ok, "{err}");
    assert_no_secret(&out);
    assert!(
        out.join("images/alias.png").is_file(),
        "links inside are kept"
    );

    // The images and theme folders themselves as links out.
    let kb2 = tmp.path().join("kb2");
    std::fs::create_dir_all(kb2.join("articles")).unwrap();
    std::fs::write(kb2.join("articles/a.md"), "---\ntitle: A\n---\nx\n").unwrap();
    symlink(tmp.path().join("outside-dir"), kb2.join("images"));
    symlink(tmp.path().join("outside-dir"), kb2.join("theme"));
    let (ok, report) = check(&kb2);
    assert!(ok, "warnings without kbgen.toml:\n{report}");
    for link in ["images", "theme"] {
        let want = format!("{}: warning: ", kb2.join(link).display());
        assert!(
            report.lines().any(|l| l.starts_with(&want)),
            "expected a warning for {link}:\n{report}"
        );
    }
    let out2 = tmp.path().join("out2");
    let (ok, err) = build(&kb2, &out2, &[]);
    assert!(ok, "{err}");
    assert_no_secret(&out2);
}

/// A CSV from a third party cannot publish outside files: `kbgen import` escapes its cells, so
/// an image in one is the text of an image (and the gate above would stop one that got through).
#[test]
fn imported_csv_rows_cannot_publish_outside_files() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".ssh")).unwrap();
    std::fs::write(tmp.path().join(".ssh/id_rsa"), SECRET).unwrap();
    let kb = kb(tmp.path(), &[]);
    let csv = tmp.path().join("faq.csv");
    std::fs::write(
        &csv,
        "question,answer\n\"Where is my key?\",\"Here: ![](../../../../.ssh/id_rsa)\"\n",
    )
    .unwrap();
    let (ok, _, err) = run(kbgen().arg("import").arg(&csv).arg("--kb").arg(&kb));
    assert!(ok, "{err}");
    let (ok, report) = check(&kb);
    assert!(ok, "{report}");
    let out = tmp.path().join("out");
    let (ok, err) = build(&kb, &out, &[]);
    assert!(ok, "{err}");
    assert_no_secret(&out);
    let page = std::fs::read_to_string(out.join("en/where-is-my-key/index.html")).unwrap();
    assert!(
        page.contains("<p>Here: ![](../../../../.ssh/id_rsa)</p>"),
        "{page}"
    );
}

// --- item 11: symlink loops ---

/// Runs `cmd` and fails the test if it has not finished within `limit`.
fn run_bounded(cmd: &mut Command, limit: Duration) -> (bool, String) {
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return (status.success(), err);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("kbgen hung on symbolic link loops: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_neither_hang_nor_show_raw_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = kb(tmp.path(), &[]);
    std::fs::create_dir_all(kb.join("images/sub")).unwrap();
    std::fs::write(kb.join("images/real.png"), "png").unwrap();
    // Two loops back to an ancestor, and a pair of links that point at each other.
    symlink("..", kb.join("images/sub/up"));
    symlink("../images", kb.join("images/again"));
    symlink("b", kb.join("images/a"));
    symlink("a", kb.join("images/b"));
    symlink("../en", kb.join("articles/en/loop"));
    let out = tmp.path().join("out");
    let limit = Duration::from_secs(60);
    let (ok, report) = run_bounded(kbgen().arg("check").arg(&kb), limit);
    assert!(ok, "loops are warnings:\n{report}");
    let (ok, err) = run_bounded(kbgen().arg("build").arg(&kb).arg("--out").arg(&out), limit);
    assert!(ok, "{err}");
    for text in [&report, &err] {
        assert_clear(text);
        assert!(text.contains("symbolic link loop"), "{text}");
        assert!(text.contains("leads nowhere"), "{text}");
    }
    assert!(out.join("images/real.png").is_file());
}

// --- item 13: ids and languages that cannot be file names ---

/// Asserts that `check` fails, that `build` fails on the same errors without a raw OS error, and
/// that the previous output is intact; returns check's report.
fn assert_check_matches_build(kb: &Path, out: &Path) -> String {
    let before = tree(out);
    let (ok, report) = check(kb);
    assert!(!ok, "{report}");
    assert_clear(&report);
    let (ok, err) = build(kb, out, &[]);
    assert!(!ok, "{err}");
    assert_clear(&err);
    assert!(!errors(&err).is_empty(), "{err}");
    for e in errors(&err) {
        assert!(
            report.contains(e),
            "build's {e:?} is not in check's report:\n{report}"
        );
    }
    assert_eq!(tree(out), before, "the previous site is intact");
    report
}

#[test]
fn unsafe_ids_are_reported_by_check_exactly_as_build_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = kb(tmp.path(), &[]);
    let out = tmp.path().join("out");
    let (ok, err) = build(&kb, &out, &[]);
    assert!(ok, "a first good site: {err}");
    let long = "x".repeat(300);
    let cases: &[(&str, String, &str)] = &[
        ("nul.md", "\"a\\0b\"".into(), "like \"a-b\""),
        ("long.md", long, "at most 100 bytes"),
        ("index.md", "index.html".into(), "is reserved"),
        ("percent.md", "50%-off".into(), "like \"50-off\""),
        ("upper.md", "Refunds".into(), "like \"refunds\""),
        ("dots.md", "..".into(), "cannot be a page address"),
    ];
    for (name, id, _) in cases {
        std::fs::write(
            kb.join("articles/en").join(name),
            format!("---\ntitle: T\nid: {id}\n---\nx\n"),
        )
        .unwrap();
    }
    let report = assert_check_matches_build(&kb, &out);
    for (name, _, expect) in cases {
        let path = kb.join("articles/en").join(name).display().to_string();
        assert!(
            errors(&report)
                .iter()
                .any(|l| l.starts_with(&format!("{path}:1:1: error: ")) && l.contains(expect)),
            "expected {expect:?} for {name}:\n{report}"
        );
    }
}

/// Ids taken from file names are made safe instead of refused, and the page, the widget's body
/// and the links agree on them.
#[test]
fn ids_from_file_names_are_slugged_consistently() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = kb(
        tmp.path(),
        &[
            ("50% Off Deals.md", "---\ntitle: Deals\n---\nx\n"),
            (
                "links.md",
                "---\ntitle: Links\n---\nSee [deals](50%25%20Off%20Deals.md).\n",
            ),
        ],
    );
    let out = tmp.path().join("out");
    let (ok, err) = build(&kb, &out, &[]);
    assert!(ok, "{err}");
    assert!(out.join("en/50-off-deals/index.html").is_file());
    assert!(out.join("widget/articles/en/50-off-deals.html").is_file());
    let links = std::fs::read_to_string(out.join("en/links/index.html")).unwrap();
    assert!(links.contains("en/50-off-deals/\""), "{links}");
}

#[test]
fn languages_must_be_language_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = kb(tmp.path(), &[]);
    let out = tmp.path().join("site/out");
    std::fs::create_dir_all(&out).unwrap();
    let (ok, err) = build(&kb, &out, &[]);
    assert!(ok, "{err}");
    let outside_before = tree(tmp.path());
    for bad in ["../../../x", "en/../../x", "EN", "e", "en_US", ""] {
        std::fs::write(
            kb.join("kbgen.toml"),
            format!("[site]\ntitle = \"Hostile\"\nsupport_email = \"help@example.com\"\nlanguages = [\"en\", \"{bad}\"]\n"),
        )
        .unwrap();
        let report = assert_check_matches_build(&kb, &out);
        // The column of the bad entry: `languages = ["en", ` is 19 characters.
        let want = format!("{}:4:20: error: ", kb.join("kbgen.toml").display());
        assert!(
            report
                .lines()
                .any(|l| l.starts_with(&want) && l.contains("language codes")),
            "{bad:?}:\n{report}"
        );
    }
    std::fs::write(
        kb.join("kbgen.toml"),
        "[site]\ntitle = \"Hostile\"\nsupport_email = \"help@example.com\"\ndefault_language = \"../x\"\n",
    )
    .unwrap();
    let report = assert_check_matches_build(&kb, &out);
    assert!(
        report.contains("`site.default_language` must be a language code"),
        "{report}"
    );
    // Nothing was written beside the output, in the knowledge base or above it.
    let mut after = tree(tmp.path());
    after.remove("kb/kbgen.toml");
    let mut before = outside_before;
    before.remove("kb/kbgen.toml");
    assert_eq!(after, before);
}

// --- item 8: the swap leaves a complete site at every instant ---

/// A knowledge base of `n` articles whose pages differ with `version`.
fn medium_kb(dir: &Path, n: usize, version: usize) {
    let articles = dir.join("articles/en");
    std::fs::create_dir_all(&articles).unwrap();
    std::fs::write(
        dir.join("kbgen.toml"),
        "[site]\ntitle = \"Medium\"\nsupport_email = \"help@example.com\"\nlanguages = [\"en\"]\n",
    )
    .unwrap();
    for i in 0..n {
        std::fs::write(
            articles.join(format!("a{i}.md")),
            format!("---\ntitle: Article {i} v{version}\n---\nVersion {version} of article {i} about parcels, refunds and passwords.\n\n## Steps\n\nOne, two, three.\n"),
        )
        .unwrap();
    }
    // Version 1 has one more article, so the two sites differ in their file lists too.
    let extra = articles.join("extra.md");
    if version == 1 {
        std::fs::write(&extra, "---\ntitle: Extra\n---\nOnly in version 1.\n").unwrap();
    } else {
        let _ = std::fs::remove_file(extra);
    }
}

fn leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".kbgen-"))
        .collect()
}

/// Builds version 0 and version 1 of a knowledge base once each and returns both sites.
fn two_sites(
    kb: &Path,
    out: &Path,
    n: usize,
) -> (BTreeMap<String, Vec<u8>>, BTreeMap<String, Vec<u8>>) {
    medium_kb(kb, n, 1);
    let (ok, err) = build(kb, out, &[]);
    assert!(ok, "{err}");
    let new = tree(out);
    medium_kb(kb, n, 0);
    let (ok, err) = build(kb, out, &[]);
    assert!(ok, "{err}");
    let old = tree(out);
    assert_ne!(old, new);
    (old, new)
}

fn build_with_fault(kb: &Path, out: &Path, fault: &str) -> String {
    let (ok, _, err) = run(kbgen()
        .env("KBGEN_FAULT", fault)
        .arg("build")
        .arg(kb)
        .arg("--out")
        .arg(out));
    assert!(!ok, "the fault point {fault} stops the build:\n{err}");
    assert!(err.contains(&format!("KBGEN_FAULT={fault}")), "{err}");
    err
}

#[test]
fn a_build_stopped_at_the_swap_leaves_a_complete_site() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    let out = tmp.path().join("out");
    let (old, new) = two_sites(&kb, &out, 5);

    // Killed with the new site written but not swapped in: the old site is there.
    medium_kb(&kb, 5, 1);
    build_with_fault(&kb, &out, "before-swap");
    assert_eq!(tree(&out), old);
    assert!(!leftovers(tmp.path()).is_empty());

    // Killed right after the swap: the new site is there, the old one is a leftover.
    build_with_fault(&kb, &out, "after-swap");
    assert_eq!(tree(&out), new);

    // The next build clears every leftover.
    let (ok, err) = build(&kb, &out, &[]);
    assert!(ok, "{err}");
    assert_eq!(tree(&out), new);
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

/// Where the platform cannot exchange two folders in one step, the old site is moved aside first;
/// a kill at that instant is repaired by the next build, even one that fails.
#[test]
fn a_build_stopped_between_two_renames_is_recovered_by_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    let out = tmp.path().join("out");
    let (old, new) = two_sites(&kb, &out, 5);
    medium_kb(&kb, 5, 1);
    build_with_fault(&kb, &out, "after-move-aside");

    // A build that stops on errors still puts the previous site back.
    std::fs::write(kb.join("articles/en/broken.md"), "---\nid: Bad Id\n---\n").unwrap();
    let (ok, err) = build(&kb, &out, &[]);
    assert!(!ok, "{err}");
    assert!(err.contains("restored the previous site"), "{err}");
    assert_eq!(tree(&out), old);
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());

    std::fs::remove_file(kb.join("articles/en/broken.md")).unwrap();
    let (ok, err) = build(&kb, &out, &[]);
    assert!(ok, "{err}");
    assert_eq!(tree(&out), new);
}

/// A tiny xorshift, so the kill times vary without a dependency; the seed is printed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[cfg(unix)]
#[test]
fn random_kills_always_leave_the_old_or_the_new_site() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    let out = tmp.path().join("out");
    let start = Instant::now();
    let (old, new) = two_sites(&kb, &out, 150);
    let full = start.elapsed() / 2;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("random kills: seed {seed}, a full build takes {full:?}");
    let mut rng = Rng(seed);
    let mut version = 0;
    for run in 0..20 {
        version = 1 - version;
        medium_kb(&kb, 150, version);
        let mut child = kbgen()
            .arg("build")
            .arg(&kb)
            .arg("--out")
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let wait = rng.below(full.as_millis() as u64 * 12 / 10);
        std::thread::sleep(Duration::from_millis(wait));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let now = tree(&out);
        assert!(
            now == old || now == new,
            "run {run} (seed {seed}, killed after {wait} ms): the output is neither the old nor the new site"
        );
    }
    let (ok, err) = build(&kb, &out, &[]);
    assert!(ok, "{err}");
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

/// Front matter nested 200,000 brackets deep (YAML is parsed by yaml-rust2, pure Rust, since
/// issue 17) is a positioned problem, not a stack overflow; and the summary counts in the
/// singular where it is one.
#[test]
fn deeply_nested_front_matter_is_a_problem_not_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    std::fs::create_dir_all(kb.join("articles/en")).unwrap();
    std::fs::write(
        kb.join("articles/en/a.md"),
        format!("---\ntitle: {}\n---\nbody\n", "[".repeat(200_000)),
    )
    .unwrap();
    let (_, _, err) = run(kbgen().arg("check").arg(&kb));
    assert!(
        err.contains("a.md:2:")
            && err.contains("invalid YAML front matter: recursion limit exceeded"),
        "{err}"
    );
    assert!(err.contains("checked 1 article and 0 rules:"), "{err}");
}
