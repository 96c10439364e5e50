//! `include_dir!` embeds `assets/widget/` and `starter/` without telling cargo, so a rebuilt widget
//! bundle or an edited starter would not rebuild kbgen; this makes cargo watch both folders.
//!
//! It also compresses the widget bundle once, here, into `$OUT_DIR/widget-precompressed/`
//! (`<file>.br` at brotli quality 11, `<file>.gz` at gzip level 9, each only when it saves a
//! tenth), which kbgen embeds and writes beside the bundle: the same half megabyte of WebAssembly
//! and script would otherwise cost every `kbgen build` about a second of brotli.

use std::io::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=assets/widget");
    println!("cargo:rerun-if-changed=starter");
    let out = Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("widget-precompressed");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("creating OUT_DIR/widget-precompressed");
    let Ok(entries) = std::fs::read_dir("assets/widget") else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let compressible = path
            .extension()
            .is_some_and(|e| ["js", "wasm", "css", "json"].iter().any(|c| e == *c));
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        // The same rule as kbgen's `output::precompress`, which leaves these files alone.
        if !compressible || bytes.len() < 1024 {
            continue;
        }
        let worth = |c: &[u8]| c.len() * 10 <= bytes.len() * 9;
        let name = entry.file_name().to_string_lossy().into_owned();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            size_hint: bytes.len(),
            ..Default::default()
        };
        let mut br = Vec::new();
        brotli::BrotliCompress(&mut &bytes[..], &mut br, &params).expect("brotli into memory");
        if worth(&br) {
            std::fs::write(out.join(format!("{name}.br")), &br).expect("writing OUT_DIR");
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes).expect("gzip into memory");
        let gz = gz.finish().expect("gzip into memory");
        if worth(&gz) {
            std::fs::write(out.join(format!("{name}.gz")), &gz).expect("writing OUT_DIR");
        }
    }
}
