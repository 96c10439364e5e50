//! Issue 19: compression was left to the host, and common hosts send none for the index, its
//! shards and the passages. Every build now writes precompressed `.gz` siblings (and `.br` ones for
//! what every visitor fetches), and
//! `_headers` gives `.bin` files a content type CDNs compress.

use super::*;
use std::io::Read;

const COMPRESSIBLE: &[&str] = &[
    "html", "css", "js", "wasm", "json", "xml", "svg", "txt", "bin",
];

/// Adds an article long enough that its passages and body fragment pass the 1 KiB threshold,
/// with a diagram (an SVG image, copied into the site, that passes it too).
pub fn add_long_article(kb: &Path) {
    let bars: String = (0..40)
        .map(|i| {
            format!(
                "<rect x=\"{}\" y=\"0\" width=\"8\" height=\"{}\"/>",
                i * 10,
                i % 7 * 9
            )
        })
        .collect();
    std::fs::write(
        kb.join("images/diagram.svg"),
        format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 400 60\">{bars}</svg>"),
    )
    .unwrap();
    let paragraph = "Parcels leave the bindery in Porto on weekdays; each one is wrapped in kraft paper, \
                     sealed with a linen tape and given a tracking number that the carrier updates twice a day.\n\n";
    let body = format!(
        "---\ntitle: Shipping in detail\nsummary: How parcels travel.\n---\n\n{}![Parcels per day](../../images/diagram.svg)\n\n## Customs\n\n{}",
        paragraph.repeat(12),
        paragraph.repeat(12)
    );
    std::fs::write(kb.join("articles/en/shipping-in-detail.md"), body).unwrap();
}

pub fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

/// Every compressible file of 1 KiB or more gets a smaller gzip sibling; the files every visitor
/// fetches (the index, the shared assets, the widget's bundle) get a smaller brotli sibling too,
/// and the per-article files (pages, passages, body fragments, copied images) none: brotli at a
/// quality a large site can afford packed them no smaller than gzip, for most of a build's time.
#[test]
fn compressible_files_get_smaller_siblings() {
    let (_kb_tmp, kb) = copy_fixture("basic");
    add_long_article(&kb);
    let (_tmp, out) = build(&kb);
    let all = files(&out);
    let (mut with, mut small) = (0, 0);
    for f in &all {
        let path = out.join(f);
        if let Some(original) = f.strip_suffix(".br").or_else(|| f.strip_suffix(".gz")) {
            assert!(all.iter().any(|o| o == original), "{f} has no original");
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let ext = f.rsplit_once('.').map_or("", |(_, e)| e);
        let br = std::fs::read(out.join(format!("{f}.br"))).ok();
        let gz = std::fs::read(out.join(format!("{f}.gz"))).ok();
        if COMPRESSIBLE.contains(&ext) && bytes.len() >= 1024 {
            let gz = gz.expect(f);
            assert_eq!(gunzip(&gz), bytes, "{f}.gz");
            assert!(gz.len() * 10 <= bytes.len() * 9, "{f}.gz is not smaller");
            if let Some(br) = br {
                assert_eq!(unbrotli(&br), bytes, "{f}.br");
                assert!(br.len() * 10 <= bytes.len() * 9, "{f}.br is not smaller");
            }
            with += 1;
        } else {
            assert!(br.is_none() && gz.is_none(), "{f} should have no siblings");
            small += 1;
        }
    }
    let has = |f: &str| all.iter().any(|a| a == f);
    assert!(has("index.bin.br") && has("index.bin.gz"));
    assert!(all
        .iter()
        .any(|f| f.starts_with("assets/") && f.ends_with(".css.br")));
    assert!(all
        .iter()
        .any(|f| f.starts_with("widget/widget-") && f.ends_with(".wasm.br")));
    for f in [
        "images/diagram.svg",
        "index.html",
        "en/refunds/index.html",
        "widget/articles/en/shipping-in-detail.bin",
        "widget/articles/en/shipping-in-detail.html",
    ] {
        assert!(has(&format!("{f}.gz")), "{f}.gz missing");
        assert!(!has(&format!("{f}.br")), "{f}.br written");
    }
    // Small files such as the 100-byte SVG image have none.
    assert!(!all
        .iter()
        .any(|f| f.starts_with("images/label") && (f.ends_with(".br") || f.ends_with(".gz"))));
    assert!(with > 10 && small > 0, "{with} compressed, {small} not");
}

/// The same sources give the same siblings: gzip's header carries no time or name.
#[test]
fn siblings_are_the_same_on_every_build() {
    let (_a, one) = build(&fixture("basic"));
    let (_b, two) = build(&fixture("basic"));
    let siblings: Vec<String> = files(&one)
        .into_iter()
        .filter(|f| f.ends_with(".br") || f.ends_with(".gz"))
        .collect();
    assert!(!siblings.is_empty());
    for f in &siblings {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
            "{f}"
        );
    }
}

/// Cloudflare compresses by content type, and `application/octet-stream` (what hosts call a
/// `.bin` file) is not on its list; `application/x-protobuf` is, and is as opaque to browsers.
#[test]
fn headers_give_bin_files_a_type_cdns_compress() {
    let (_tmp, out) = build(&fixture("basic"));
    let headers = read(&out.join("_headers"));
    assert!(
        headers.contains("/help/*.bin\n  Content-Type: application/x-protobuf\n"),
        "{headers}"
    );
}
