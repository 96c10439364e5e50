//! Snapshots of rendered pages: any change to the theme or renderer shows up as a reviewable diff.

use super::*;

/// The page without the content-hashed stylesheet name, which changes with every CSS edit.
fn page(out: &std::path::Path, rel: &str) -> String {
    let html = read(&out.join(rel));
    let start = html
        .find("/help/assets/style.")
        .map(|i| i + "/help/assets/style.".len());
    match start {
        Some(s) => format!("{}HASH{}", &html[..s], &html[s + 10..]),
        None => html,
    }
}

#[test]
fn rendered_pages() {
    let (_tmp, out) = build(&fixture("basic"));
    insta::assert_snapshot!("en_refunds", page(&out, "en/refunds/index.html"));
    insta::assert_snapshot!("zh_refunds", page(&out, "zh/refunds/index.html"));
    insta::assert_snapshot!("en_home", page(&out, "en/index.html"));
    insta::assert_snapshot!("zh_category", page(&out, "zh/category/orders/index.html"));
}
