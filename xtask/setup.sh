#!/usr/bin/env bash
# Gives a fresh Debian 12 machine what building the widget and running every test needs, and skips
# whatever is already there, so running it again costs a few seconds. `cargo xtask setup` and
# `cargo xtask ci` call it; it needs root (or sudo) only when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    sudo_ apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 1. A wasm32 standard library. rustup's own target is preferred when it is installed; rustup cannot
#    download it on our machines, so otherwise Debian's rustc-web (with the std sources, built with
#    -Zbuild-std) and lld's wasm-ld are the route.
if command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "wasm32: rustup target wasm32-unknown-unknown"
else
  missing=()
  [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] || missing+=(rustc-web cargo-web)
  [ -d /usr/lib/rustlib/src/rust/library ] || missing+=(rust-web-src)
  [ -x /usr/lib/llvm-19/bin/wasm-ld ] || missing+=(lld-19)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
  say "wasm32: $(/usr/bin/rustc --version) with -Zbuild-std"
fi

# 2. Chromium and its WebDriver for the browser tests.
#    A small CJK font, so that screenshots of Chinese pages show text rather than boxes.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -d /usr/share/fonts/truetype/wqy ]; then
  apt_install chromium chromium-driver fonts-wqy-microhei
fi
say "browser: $(/usr/bin/chromium --version 2>/dev/null | head -n1)"

# 3. Node.js runs wasm-opt's installer; the machine image normally has it.
if ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi

# 4. wasm-bindgen-cli at exactly the version the widget's wasm-bindgen crate is locked to.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "cargo install wasm-bindgen-cli --version $want (had: ${have:-none})"
  cargo install --quiet wasm-bindgen-cli --version "$want" --force
fi
say "wasm-bindgen: $(wasm-bindgen --version)"

# 5. wasm-opt from npm's binaryen and terser (minifies the wasm-bindgen glue), at the versions
#    xtask/package-lock.json pins.
if [ ! -x xtask/node_modules/binaryen/bin/wasm-opt ] || [ ! -f xtask/node_modules/terser/bin/terser ]; then
  say "npm ci (binaryen, terser)"
  (cd xtask && npm ci --no-audit --no-fund --loglevel=error)
fi
# axe-core, the accessibility checker the browser tests run (tests/package-lock.json pins it).
if [ ! -f tests/node_modules/axe-core/axe.min.js ]; then
  say "npm ci (axe-core)"
  (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
say "wasm-opt: $(xtask/node_modules/binaryen/bin/wasm-opt --version)"
say "terser: $(node xtask/node_modules/terser/bin/terser --version)"

# 6. Dovecot, the real IMAP server `kbgen desk`'s tests start on loopback ports with a throwaway
#    config (kbgen/tests/testsuite/desk.rs), and openssl to make its test certificate. The package
#    also installs a system service; the tests never use it, so it is stopped and disabled where
#    systemd runs, to leave no mail server listening on the machine.
if [ ! -x /usr/sbin/dovecot ] || ! command -v openssl >/dev/null; then
  apt_install dovecot-imapd openssl
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    sudo_ systemctl disable --now dovecot >/dev/null 2>&1 || true
  fi
fi
say "dovecot: $(/usr/sbin/dovecot --version)"
