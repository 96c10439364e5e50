#!/usr/bin/env bash
# Measures the floor under the widget's budget: the gzip size of the smallest useful Yew app (one
# function component with state, an input, a button and a keyed list, mounted on an element),
# built exactly like the widget (xtask/wasm-probe.sh: same compiler flags, wasm-bindgen, wasm-opt),
# with the workspace's Yew and wasm-bindgen versions (Cargo.lock is copied in). Whatever the widget
# adds on top of this number is its own UI, state and the engine.
#
# Usage: widget/yew-floor.sh   (needs what `cargo xtask setup` installs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
mkdir -p "$probe/src"
cp "$root/Cargo.lock" "$probe/"
cat > "$probe/Cargo.toml" <<TOML
[package]
name = "yew-floor-probe"
version = "0.0.0"
edition = "2021"
[lib]
crate-type = ["cdylib"]
[dependencies]
$(grep -E '^(yew|wasm-bindgen|tracing) = ' "$root/Cargo.toml")
web-sys = { version = "*", features = ["HtmlInputElement"] }
[profile.release]
opt-level = "z"
lto = true
codegen-units = 1
panic = "abort"
[workspace]
TOML
cat > "$probe/src/lib.rs" <<'RS'
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[function_component]
fn App() -> Html {
    let items = use_state(Vec::<String>::new);
    let draft = use_state(String::new);
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target().unwrap().unchecked_into();
            draft.set(input.value());
        })
    };
    let onclick = {
        let (items, draft) = (items.clone(), draft.clone());
        Callback::from(move |_| {
            let mut v = (*items).clone();
            v.push((*draft).clone());
            items.set(v);
        })
    };
    html! {
        <div class="app">
            <input value={(*draft).clone()} {oninput} />
            <button {onclick}>{"Add"}</button>
            <ul>{ for items.iter().map(|i| html! { <li key={i.clone()}>{ i }</li> }) }</ul>
        </div>
    }
}

#[wasm_bindgen]
pub fn mount(root: web_sys::Element) {
    yew::Renderer::<App>::with_root(root).render();
}
RS
# shellcheck source=../xtask/wasm-probe.sh
source "$root/xtask/wasm-probe.sh"
size=$(probe_gzip "$probe" yew_floor_probe --bindgen)
echo "minimal Yew app: $size bytes gzip ($(( size / 1024 )) KB), wasm only"
