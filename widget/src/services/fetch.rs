//! GET requests to the help center, a way to start them a task later, and the ticket's POST to
//! the owner's form endpoint; bound to the browser's `fetch` and `AbortController` by name instead
//! of through web-sys so no extra web-sys features are compiled in (gloo-net's `http`, on
//! web-sys's `Request`, was 2.2 KB gzip more), with gloo-timers' `Timeout` for `setTimeout`.

use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch(url: &str) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch_with(url: &str, init: &JsValue) -> Result<js_sys::Promise, JsValue>;

    #[derive(Clone)]
    type AbortController;
    #[wasm_bindgen(constructor, catch)]
    fn new() -> Result<AbortController, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> JsValue;
    #[wasm_bindgen(method)]
    fn abort(this: &AbortController);

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
/// The timeout is forgotten rather than kept, so its small closure stays allocated after it ran
/// (once per batch of articles a page shows for the first time); awaiting gloo's `TimeoutFuture`
/// instead would free it, for 0.5 KB more gzip.
pub fn later(work: impl FnOnce() + 'static) {
    Timeout::new(0, work).forget();
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

/// How long the form endpoint has to answer before the ticket goes by email instead.
pub const POST_TIMEOUT_MS: u32 = 10_000;

/// POSTs `json` to `url` (`Content-Type: application/json`, no cookies) and says whether the
/// endpoint accepted it: a 2xx status within [`POST_TIMEOUT_MS`]. A refusal (4xx), a failure
/// (5xx), a network or CORS error and a timeout are all `false`.
pub async fn post_json(url: &str, json: &str) -> bool {
    let init = js_sys::Object::new();
    let set = |o: &js_sys::Object, k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(o, &JsValue::from_str(k), v);
    };
    let headers = js_sys::Object::new();
    set(&headers, "Content-Type", &"application/json".into());
    set(&headers, "Accept", &"application/json".into());
    set(&init, "method", &"POST".into());
    set(&init, "headers", &headers);
    set(&init, "body", &json.into());
    set(&init, "credentials", &"omit".into());
    let controller = AbortController::new().ok();
    if let Some(c) = &controller {
        set(&init, "signal", &c.signal());
    }
    // The timer aborts the request, which rejects the fetch: one await covers every failure.
    // Dropping it, once the fetch settled, clears it.
    let timer = controller.as_ref().map(|c| {
        let c = c.clone();
        Timeout::new(POST_TIMEOUT_MS, move || c.abort())
    });
    let ok = match fetch_with(url, &init) {
        Ok(p) => JsFuture::from(p)
            .await
            .is_ok_and(|r| r.unchecked_into::<Response>().ok()),
        Err(_) => false,
    };
    drop(timer);
    ok
}
