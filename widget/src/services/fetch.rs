//! GET requests to the help center, and a way to start them a task later; bound to the
//! browser's `fetch` and `setTimeout` by name instead of through web-sys so no extra web-sys
//! features are compiled in.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch(url: &str) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue);

    type Response;
    #[wasm_bindgen(method, getter)]
    fn ok(this: &Response) -> bool;
    #[wasm_bindgen(method, catch)]
    fn text(this: &Response) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(method, catch, js_name = arrayBuffer)]
    fn array_buffer(this: &Response) -> Result<js_sys::Promise, JsValue>;
}

/// Runs `work` in a later task: requests for what is not on screen yet wait until what was just
/// rendered can be painted. Starting a request costs the browser about half a millisecond here.
pub fn later(work: impl FnOnce() + 'static) {
    set_timeout(&Closure::once_into_js(work));
}

/// The response to a GET of `url` when it succeeded.
async fn response(url: &str) -> Option<Response> {
    let response: Response = JsFuture::from(fetch(url).ok()?)
        .await
        .ok()?
        .unchecked_into();
    response.ok().then_some(response)
}

/// The body of a successful GET of `url`, as bytes.
pub async fn bytes(url: &str) -> Option<Vec<u8>> {
    let buffer = JsFuture::from(response(url).await?.array_buffer().ok()?)
        .await
        .ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The body of a successful GET of `url`, as text.
pub async fn text(url: &str) -> Option<String> {
    JsFuture::from(response(url).await?.text().ok()?)
        .await
        .ok()?
        .as_string()
}
