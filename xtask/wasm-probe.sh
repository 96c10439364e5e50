# Sourced by the size probes (engine/wasm-size.sh, widget/yew-floor.sh): builds a probe cdylib in
# a folder the way `cargo xtask widget` builds the widget, and prints its gzip size in bytes.
#
#   probe_gzip <probe dir> <wasm file stem> [--bindgen] [cargo build args...]
#
# The way: Debian's rustc-web with std built for size, opt-level z, LTO, the widget's rustc flags
# (panics abort without formatting), wasm-bindgen when the probe uses it (`--bindgen`), then
# wasm-opt with the widget's flags when `cargo xtask setup` has installed it. Keep the flags in
# step with xtask/src/widget.rs (SIZE_RUSTFLAGS, WASM_FEATURES and the wasm-opt call).
xtask_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

probe_gzip() {
  local dir="$1" stem="$2"
  shift 2
  local bindgen=false
  if [[ "${1:-}" == --bindgen ]]; then
    bindgen=true
    shift
  fi
  local target="${CARGO_TARGET_DIR:-$xtask_dir/../target/wasm-size}"
  (cd "$dir" && RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none" \
    RUSTC=/usr/bin/rustc /usr/bin/cargo build -q --release "$@" --target wasm32-unknown-unknown \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size --target-dir "$target")
  local wasm="$target/wasm32-unknown-unknown/release/$stem.wasm"
  if $bindgen; then
    wasm-bindgen --target web --no-typescript --out-dir "$dir/bindgen" "$wasm"
    wasm="$dir/bindgen/${stem}_bg.wasm"
  fi
  local wasm_opt="$xtask_dir/node_modules/binaryen/bin/wasm-opt"
  if [[ -x "$wasm_opt" ]]; then
    "$wasm_opt" -Os --converge --one-caller-inline-max-function-size=20 --low-memory-unused \
      --enable-bulk-memory --enable-mutable-globals \
      --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types --enable-multivalue \
      --strip-producers --strip-target-features --strip-debug "$wasm" -o "$dir/opt.wasm"
    wasm="$dir/opt.wasm"
  fi
  gzip -9c "$wasm" | wc -c
}
