//! Copies the full ticket text when it does not fit in a `mailto:` link.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    // Bound by name instead of through web-sys so no extra web-sys features are compiled in.
    #[wasm_bindgen(catch, js_namespace = ["navigator", "clipboard"], js_name = writeText)]
    fn write_text(text: &str) -> Result<js_sys::Promise, JsValue>;
}

/// Writes `text` to the clipboard and reports whether it worked.
pub fn copy(text: String, done: yew::Callback<bool>) {
    wasm_bindgen_futures::spawn_local(async move {
        let ok = match write_text(&text) {
            Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.is_ok(),
            Err(_) => false,
        };
        done.emit(ok);
    });
}
