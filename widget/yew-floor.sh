#!/usr/bin/env bash
# Measures the floor under the widget's budget: the gzip size of the smallest useful Yew app (one
# function component with state, an input, a button and a keyed list, mounted on an element),
# built exactly like the widget (xtask/wasm-probe.sh: same compiler flags, wasm-bindgen, wasm-opt),
# with the workspace's Yew and wasm-bindgen versions (Cargo.lock is copied in). Whatever the widget
# adds on top of this number is its own UI, state and the engine.
#
# With --with-engine the same app answers from the engine, with the widget's engine features: it
# reads an index handed to `mount`, lists the titles the search finds as the visitor types, and
# shows the rule's answer on the button. That is the floor under any Yew widget that answers in
# the browser, before its own panel, contact form, mailto and locales.
#
# --keep DIR leaves the probe's glue and wasm there (probe.js, probe.wasm), for the widget's query
# bench to type into (SOLODESK_FLOOR_PROBE, see tests/tests/widget.rs).
#
# Usage: widget/yew-floor.sh [--with-engine] [--keep DIR]   (needs what `cargo xtask setup` installs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
mkdir -p "$probe/src"
cp "$root/Cargo.lock" "$probe/"
with_engine=false
keep=""
while (( $# )); do
  case "$1" in
    --with-engine) with_engine=true ;;
    --keep) shift; keep="$1" ;;
  esac
  shift
done
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
solodesk-engine = { path = "$root/engine", default-features = false, features = ["js-regex", "arabic"], optional = true }
$(grep -E '^talc = ' "$root/Cargo.toml" | sed 's/}$/, optional = true }/')
[features]
engine = ["dep:solodesk-engine", "dep:talc"]
[profile.release]
opt-level = "z"
lto = true
codegen-units = 1
panic = "abort"
[workspace]
TOML
# The app: the smallest one, or the same one answering with the engine.
if ! $with_engine; then
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
else
  cat > "$probe/src/lib.rs" <<'RS'
use solodesk_engine::{Index, Question, SearchOptions};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties)]
struct Props {
    index: Rc<Index>,
}

impl PartialEq for Props {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.index, &other.index)
    }
}

#[function_component]
fn App(props: &Props) -> Html {
    let answer = use_state(String::new);
    let draft = use_state(String::new);
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target().unwrap().unchecked_into();
            draft.set(input.value());
        })
    };
    let onclick = {
        let (index, answer, draft) = (props.index.clone(), answer.clone(), draft.clone());
        Callback::from(move |_| {
            let q = Question { text: &draft, page_url: None, lang: Some("en") };
            answer.set(index.ask(&q).rule.map(|r| r.answer_html).unwrap_or_default());
        })
    };
    let options = SearchOptions { limit: 5, lang: Some("en") };
    let hits = props.index.search(&draft, &options);
    html! {
        <div class="app">
            <input value={(*draft).clone()} {oninput} />
            <button {onclick}>{"Ask"}</button>
            <p>{ (*answer).clone() }</p>
            <ul>{ for hits.iter().map(|h| html! { <li key={h.article}>{ &h.title }</li> }) }</ul>
        </div>
    }
}

// The widget's allocator (see widget/src/lib.rs).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen]
pub fn mount(root: web_sys::Element, index: Vec<u8>) {
    if let Ok(index) = Index::from_bytes(&index) {
        let props = Props { index: Rc::new(index) };
        yew::Renderer::<App>::with_root_and_props(root, props).render();
    }
}
RS
fi
# shellcheck source=../xtask/wasm-probe.sh
source "$root/xtask/wasm-probe.sh"
if $with_engine; then
  what="minimal Yew app answering with the engine"
  size=$(probe_gzip "$probe" yew_floor_probe --bindgen --features engine)
else
  what="minimal Yew app"
  size=$(probe_gzip "$probe" yew_floor_probe --bindgen)
fi
echo "$what: $size bytes gzip ($(( size / 1024 )) KB), wasm only"
# Its wasm-bindgen glue, minified as the widget's is (xtask/src/widget.rs, `minify_js`).
terser="$root/xtask/node_modules/terser/bin/terser"
if [[ -f "$terser" ]]; then
  node "$terser" "$probe/bindgen/yew_floor_probe.js" --compress passes=2 --mangle --module \
    --output "$probe/glue.js"
  glue=$(gzip -9c "$probe/glue.js" | wc -c)
  echo "$what: glue $glue bytes gzip; wasm and glue $(( size + glue )) bytes ($(( (size + glue) / 1024 )) KB)"
fi
if [[ -n "$keep" ]]; then
  mkdir -p "$keep"
  cp "$probe/bindgen/yew_floor_probe.js" "$keep/probe.js"
  if [[ -f "$probe/opt.wasm" ]]; then
    cp "$probe/opt.wasm" "$keep/probe.wasm"
  else
    cp "$probe/bindgen/yew_floor_probe_bg.wasm" "$keep/probe.wasm"
  fi
fi
