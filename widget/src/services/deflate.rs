//! zlib compression by the browser: `CompressionStream("deflate")` writes exactly the format of
//! the ticket's machine block (RFC 1950), so the widget ships no compressor of its own (about 8 KB
//! gzip of WebAssembly with `miniz_oxide`). Bound by name, like `fetch.rs`, so no web-sys
//! features are compiled in.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    type Blob;
    #[wasm_bindgen(constructor, catch)]
    fn new(parts: &js_sys::Array) -> Result<Blob, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn stream(this: &Blob) -> Result<ReadableStream, JsValue>;

    type ReadableStream;
    #[wasm_bindgen(method, catch, js_name = pipeThrough)]
    fn pipe_through(
        this: &ReadableStream,
        transform: &CompressionStream,
    ) -> Result<ReadableStream, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    type Response;
    #[wasm_bindgen(constructor, catch)]
    fn new(body: &ReadableStream) -> Result<Response, JsValue>;
    #[wasm_bindgen(method, catch, js_name = arrayBuffer)]
    fn array_buffer(this: &Response) -> Result<js_sys::Promise, JsValue>;
}

/// `data` as a zlib stream, or `None` where the browser has no `CompressionStream` (or it fails).
pub async fn zlib(data: &[u8]) -> Option<Vec<u8>> {
    let compressor = CompressionStream::new("deflate").ok()?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(data));
    let stream = Blob::new(&parts).ok()?.stream().ok()?;
    let packed = Response::new(&stream.pipe_through(&compressor).ok()?).ok()?;
    let buffer = JsFuture::from(packed.array_buffer().ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Whether the browser can compress (checked once; the answer does not change on a page).
pub fn available() -> bool {
    thread_local!(static AVAILABLE: bool = CompressionStream::new("deflate").is_ok());
    AVAILABLE.with(|a| *a)
}
