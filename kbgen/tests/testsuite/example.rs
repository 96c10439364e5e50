//! The repository's example knowledge base (`site/`) checks clean and builds into pages that parse
//! and fit the strict CSP, with every article in both languages.

use super::*;

#[test]
fn example_site_checks_clean_and_builds() {
    let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../site");
    if !kb.join("kbgen.toml").exists() {
        eprintln!("skipping: {} has no kbgen.toml", kb.display());
        return;
    }
    let (ok, _, err) = run(kbgen().arg("check").arg(&kb).arg("--strict"));
    assert!(ok, "site/ has problems:\n{err}");
    let (_tmp, out) = build(&kb);
    for f in files(&out).iter().filter(|f| f.ends_with(".html")) {
        let p = html::problems(&read(&out.join(f)));
        assert!(p.is_empty(), "{f}: {p:#?}");
    }
    let bytes = std::fs::read(out.join("index.bin")).unwrap();
    let index = solodesk_engine::Index::from_bytes(&bytes).unwrap();
    let en = index.articles().iter().filter(|a| a.lang == "en").count();
    let zh = index.articles().iter().filter(|a| a.lang == "zh").count();
    assert!(en >= 25 && en == zh, "en {en}, zh {zh}");
}
