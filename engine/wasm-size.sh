#!/usr/bin/env bash
# Measures the engine's share of a WebAssembly module, gzip: a probe cdylib that reads an index,
# searches, asks, suggests and locates results in an article's passages, minus a baseline cdylib
# that only uses what any Rust widget links
# anyway (formatting, HashMap, lowercase). Both are built like the widget (opt-level z, LTO,
# panic=abort). The probe lives in a temporary folder because the workspace forbids unsafe code
# and a raw `extern "C"` export needs it.
#
# Usage: engine/wasm-size.sh [--no-default-features] [--features a,b]  (of solodesk-engine; the
# widget's own set is `--no-default-features --features js-regex,arabic`)
# Needs Debian's rustc-web (wasm32 std sources) and wasm-ld, as the lead's build notes say.
set -euo pipefail
engine="$(cd "$(dirname "$0")" && pwd)"
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
target="${CARGO_TARGET_DIR:-$engine/../target/wasm-size}"
mkdir -p "$probe/src"
default_features=true
features=""
while (( $# )); do
  case "$1" in
    --no-default-features) default_features=false ;;
    --features) shift; features="$(echo "$1" | sed 's/[^,][^,]*/"&"/g')" ;;
  esac
  shift
done
cat > "$probe/Cargo.toml" <<EOF
[package]
name = "engine-wasm-probe"
version = "0.0.0"
edition = "2021"
[lib]
crate-type = ["cdylib"]
[dependencies]
solodesk-engine = { path = "$engine", default-features = $default_features, features = [$features] }
[features]
baseline = []
[profile.release]
opt-level = "z"
lto = true
codegen-units = 1
panic = "abort"
debug = false
strip = true
[workspace]
EOF
cat > "$probe/src/lib.rs" <<'EOF'
#[cfg(not(feature = "baseline"))]
#[no_mangle]
pub extern "C" fn run(ptr: *const u8, len: usize) -> u32 {
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    let Ok(index) = solodesk_engine::Index::from_bytes(bytes) else { return 0 };
    let q = std::str::from_utf8(&bytes[..8]).unwrap_or("x");
    let hits = index.search(q, &solodesk_engine::SearchOptions::default());
    let a = index.ask(&solodesk_engine::Question { text: q, page_url: None, lang: None });
    let located = match solodesk_engine::Passages::from_bytes(&bytes[8..]) {
        Ok(p) => index.locate_all(&[(0, &p)], q, None).len(),
        Err(_) => 0,
    };
    (hits.len() + a.articles.len() + a.rule.map_or(0, |r| r.answer_html.len())
        + index.suggest_for_page(q).len() + located) as u32
}

#[cfg(feature = "baseline")]
#[no_mangle]
pub extern "C" fn run(ptr: *const u8, len: usize) -> u32 {
    let v: Vec<u8> = unsafe { std::slice::from_raw_parts(ptr, len) }.to_vec();
    let s = String::from_utf8_lossy(&v).to_lowercase();
    let mut m = std::collections::HashMap::new();
    m.insert(s.clone(), v.len() as f32 / 3.0);
    let t = format!("{m:?} {} {:?}", v.len() as f32 * 1.5, s.chars().rev().collect::<Vec<_>>());
    t.len() as u32
}
EOF
build() {
  (cd "$probe" && RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld \
    RUSTC=/usr/bin/rustc /usr/bin/cargo build -q --release "$@" --target wasm32-unknown-unknown \
    -Zbuild-std=std,panic_abort --target-dir "$target")
  gzip -9c "$target/wasm32-unknown-unknown/release/engine_wasm_probe.wasm" | wc -c
}
with=$(build)
without=$(build --features baseline)
echo "probe gzip: $with bytes; baseline gzip: $without bytes; engine share: $(( (with - without) / 1024 )) KB gzip"
