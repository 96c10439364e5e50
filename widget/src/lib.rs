//! The Solodesk widget: the panel a visitor opens on the owner's site.
//!
//! The loader (`widget/loader/loader.js`) draws the launcher inside a Shadow DOM and only fetches
//! this WebAssembly module when the visitor opens the widget; it then calls [`mount`] with the
//! element inside the shadow root where the panel lives.

use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[function_component(App)]
fn app() -> Html {
    html! {
        <div class="sd-panel" role="dialog" aria-label="Support">
            <p class="sd-greeting">{ "Hi! How can we help?" }</p>
        </div>
    }
}

/// Mounts the panel on `root`, an element inside the loader's shadow root.
#[wasm_bindgen]
pub fn mount(root: web_sys::Element) {
    yew::Renderer::<App>::with_root(root).render();
}
