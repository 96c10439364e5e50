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

/// The starter names example addresses; `kbgen snippet`, which prints what goes on the owner's
/// own site, said nothing, and its tag loaded the widget from example.com, with tickets
/// addressed to help@example.com. `snippet` warns and `build` notes both until they are set;
/// `check` stays clean (the starter is meant to build as it is).
#[test]
fn the_starters_example_addresses_are_pointed_out_until_set() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    assert!(run(kbgen().arg("init").arg(&kb)).0);
    let (ok, _, err) = run(kbgen().arg("snippet").arg(&kb));
    assert!(ok, "{err}");
    for setting in ["site.base_url", "site.support_email"] {
        assert!(
            err.contains(&format!("warning: {setting} is an example address")),
            "{setting}: {err}"
        );
    }
    let (ok, _, err) = run(kbgen()
        .arg("build")
        .arg(&kb)
        .arg("--out")
        .arg(tmp.path().join("out")));
    assert!(
        ok && err.contains("note: site.support_email is an example address"),
        "{err}"
    );
    let config = read(&kb.join("kbgen.toml"))
        .replace("https://example.com/help/", "https://help.myshop.pt/")
        .replace("help@example.com", "ana@myshop.pt");
    std::fs::write(kb.join("kbgen.toml"), config).unwrap();
    let (ok, _, err) = run(kbgen().arg("snippet").arg(&kb));
    assert!(ok && !err.contains("example address"), "{err}");
}
