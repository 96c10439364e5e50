//! `kbgen init`: the starter knowledge base builds and checks cleanly.

use super::*;

#[test]
fn starter_builds_and_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    let (ok, out, err) = run(kbgen().arg("init").arg(&kb));
    assert!(ok, "{err}");
    assert!(
        out.contains("kbgen.toml"),
        "init explains the content model: {out}"
    );
    let (ok, _, err) = run(kbgen().arg("check").arg(&kb).arg("--strict"));
    assert!(ok, "starter has no errors or warnings:\n{err}");
    let (_tmp, site) = build(&kb);
    assert!(site.join("en/return-policy/index.html").exists());
}

#[test]
fn refuses_non_empty_folder() {
    let (ok, _, err) = run(kbgen().arg("init").arg(fixture("basic")));
    assert!(!ok);
    assert!(err.contains("exists and is not empty"), "{err}");
}
