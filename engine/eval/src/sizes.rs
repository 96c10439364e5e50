//! Sizes of an index: gzip lengths and where the bytes go per part of the format.
//!
//! Shared by the evaluation (`--sizes`) and the engine's benchmark (which includes this file by
//! path), so both print the same table.

pub fn gzip_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip in memory");
    e.finish().expect("gzip in memory").len()
}

/// Where an index's bytes go: per part of the format, its raw bytes, its gzip size alone, and
/// what it costs in the gzipped index (the gzip size of the index without that part, subtracted
/// from the whole's), also as a share of the text's gzip size.
pub fn parts_table(
    name: &str,
    bytes: &[u8],
    parts: &[(&'static str, std::ops::Range<usize>)],
    text_gz: usize,
) -> String {
    let whole = gzip_len(bytes);
    let mut labels: Vec<&str> = Vec::new();
    for (l, _) in parts {
        if !labels.contains(l) {
            labels.push(l);
        }
    }
    let mut out = format!(
        "{name}: index {} B, gzip {whole} B = {:.3}x the text's gzip ({text_gz} B)\n\
         | part | bytes | gzip alone | gzip cost | x text gzip |\n|---|---|---|---|---|\n",
        bytes.len(),
        whole as f64 / text_gz as f64
    );
    for label in labels {
        let (mut with, mut without) = (Vec::new(), Vec::new());
        for (l, r) in parts {
            if *l == label { &mut with } else { &mut without }.extend_from_slice(&bytes[r.clone()]);
        }
        let cost = whole as i64 - gzip_len(&without) as i64;
        out.push_str(&format!(
            "| {label} | {} | {} | {cost} | {:.3} |\n",
            with.len(),
            gzip_len(&with),
            cost as f64 / text_gz as f64
        ));
    }
    out
}
