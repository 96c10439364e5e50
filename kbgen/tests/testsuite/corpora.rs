//! The real-world corpora in `../shared/eval/corpora` (MDX components, Liquid tags, odd front
//! matter) build without a panic or an error. Skipped when the evaluation data is absent.

use super::*;

fn corpus(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/eval/corpora")
        .join(rel);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "skipping: {} is absent (evaluation data not available)",
            p.display()
        );
        None
    }
}

#[test]
fn sendgrid_builds() {
    let Some(kb) = corpus("sendgrid-docs/content") else {
        return;
    };
    let (_tmp, out) = build(&kb);
    let n = files(&out)
        .iter()
        .filter(|f| f.starts_with("en/") && f.ends_with("/index.html"))
        .count();
    assert!(n >= 473, "{n} pages");
}

#[test]
fn dify_builds_in_three_languages() {
    let Some(kb) = corpus("dify-docs") else {
        return;
    };
    let (_tmp, out) = build(&kb);
    let bytes = std::fs::read(out.join("index.bin")).unwrap();
    let index = solodesk_engine::Index::from_bytes(&bytes).unwrap();
    for lang in ["en", "zh", "ja"] {
        let n = index.articles().iter().filter(|a| a.lang == lang).count();
        assert_eq!(n, 287, "{lang}");
    }
}
