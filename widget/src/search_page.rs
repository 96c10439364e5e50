//! The help center's search page runs the widget's engine through this module, from a build of
//! the crate without its `panel` feature: no Yew and no panel, so the page fetches about a third
//! of the widget's WebAssembly before its first answer (`cargo xtask widget` prints both).
//!
//! The page's script (`kbgen/theme/search.js`) imports that build's JS glue, initialises it and
//! asks:
//!
//! ```js
//! const index = new SearchIndex(new Uint8Array(await (await fetch("index.bin")).arrayBuffer()));
//! index.search("refund", "en", 20);
//! // [{article, id, lang, title, url}, ...]
//! // then, with the bytes of the results' passages (widget/articles/<lang>/<id>.bin):
//! index.locateAll([hit.article, ...], [passages, ...], "refund", "en");
//! // [{url, section, snippet, highlights: [[start, end], ...]} or null, ...]
//! ```
//!
//! A large knowledge base's index comes in shards (see `solodesk_engine::IndexBuilder::build_sharded`):
//! after a search, `index.missingShards()` names the shard files it needed and did not have
//! (beside `index.bin`); the page fetches them, hands each to `index.addShard(bytes)` and
//! searches again.
//!
//! `url` is relative to the help center root (the article's from `search`, with the best
//! section's `#anchor` from `locateAll`), `section` is the heading of the best matching section or
//! `null`, and `highlights` are UTF-16 offsets into `snippet` (what `String.slice` takes), sorted
//! and not overlapping. Objects are built with `Reflect` rather than serde, which would add a
//! JSON-like serializer to the WebAssembly.

use crate::highlight::utf16_highlights;
use js_sys::{Array, Object, Reflect};
use solodesk_engine::{Index, Passages, SearchOptions};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// The widget's ticket encoder, the product's one (the search build has no `ticket` module).
#[allow(dead_code)]
#[path = "ticket/mailto.rs"]
mod mailto;

/// The `mailto:` link the search page offers when nothing matches: to the owner's `to`, subject
/// `[site] question` on one line, body the question and the page's address; the same encoding,
/// byte for byte, as the widget's ticket.
#[wasm_bindgen]
pub fn ticket(to: &str, site: &str, question: &str, page: &str) -> String {
    let subject = mailto::subject_text(&format!("[{site}] {question}"));
    let body = mailto::body_text(&format!("{question}\n\n{page}"));
    mailto::url(to, &subject, &body)
}

/// A loaded search index for the search page.
#[wasm_bindgen]
pub struct SearchIndex {
    index: Index,
    /// The passages decoded so far, newest last: an article analyzed once (on its first
    /// [`Index::locate_all`]) is located again cheaply as the visitor keeps typing.
    passages: RefCell<Vec<(u32, Rc<Passages>)>>,
}

/// How many articles' passages [`SearchIndex`] keeps: a few pages of results.
const KEPT_PASSAGES: usize = 60;

#[wasm_bindgen]
impl SearchIndex {
    /// Reads the bytes of `index.bin`; throws a message saying why they are not an index.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &js_sys::Uint8Array) -> Result<SearchIndex, JsValue> {
        Index::from_bytes(&bytes.to_vec())
            .map(|index| SearchIndex {
                index,
                passages: RefCell::default(),
            })
            .map_err(|e| JsValue::from_str(&e.to_string()))
    }

    /// The best `limit` articles for `query`, those in `lang` (the page's language, or `""`) first;
    /// none when the best is not a confident match (`Index::search_confident`, the policy behind
    /// the widget's "I don't know"), so the page says nothing matches where the widget says it
    /// does not know.
    pub fn search(&self, query: &str, lang: &str, limit: u32) -> Array {
        let opts = SearchOptions {
            limit: limit as usize,
            lang: (!lang.is_empty()).then_some(lang),
        };
        let articles = self.index.articles();
        let (hits, confident) = self.index.search_confident(query, &opts);
        hits.into_iter()
            .take_while(|_| confident)
            .map(|h| {
                let lang = articles
                    .get(h.article as usize)
                    .map_or("", |a| a.lang.as_str());
                object(&[
                    ("article", h.article.into()),
                    ("id", JsValue::from_str(&h.id)),
                    ("lang", JsValue::from_str(lang)),
                    ("title", JsValue::from_str(&h.title)),
                    ("url", JsValue::from_str(&h.url)),
                ])
            })
            .collect()
    }

    /// The files of the shards the searches since the last call needed and did not have.
    #[wasm_bindgen(js_name = missingShards)]
    pub fn missing_shards(&self) -> Array {
        self.index
            .missing_shards()
            .into_iter()
            .map(|k| JsValue::from_str(&self.index.shard_file(k)))
            .collect()
    }

    /// Adds a shard file's bytes; throws a message saying why they are not one of this index's.
    #[wasm_bindgen(js_name = addShard)]
    pub fn add_shard(&self, bytes: &js_sys::Uint8Array) -> Result<(), JsValue> {
        self.index
            .add_shard(&bytes.to_vec())
            .map(|_| ())
            .map_err(|e| JsValue::from_str(&e.to_string()))
    }

    /// Where the results for `articles` point, from the bytes of their passages files
    /// (`passages`, in the same order): one `{url, section, snippet, highlights}` per article,
    /// or `null` for one whose bytes are not passages (the page keeps its title alone). One call
    /// for all the results of a query analyzes the query once.
    #[wasm_bindgen(js_name = locateAll)]
    pub fn locate_all(&self, articles: &Array, passages: &Array, query: &str, lang: &str) -> Array {
        let read: Vec<(u32, Option<Rc<Passages>>)> = articles
            .iter()
            .zip(passages.iter())
            .map(|(a, p)| match a.as_f64() {
                Some(a) => (a as u32, self.passages_of(a as u32, p)),
                None => (0, None),
            })
            .collect();
        let results: Vec<(u32, Option<&Passages>)> =
            read.iter().map(|(a, p)| (*a, p.as_deref())).collect();
        let lang = (!lang.is_empty()).then_some(lang);
        self.index
            .locate_all(&results, query, lang)
            .into_iter()
            .map(|l| match l {
                Some(l) => {
                    let highlights = Array::new();
                    for (a, b) in utf16_highlights(&l.snippet, &l.highlights) {
                        highlights.push(&Array::of2(&a.into(), &b.into()));
                    }
                    object(&[
                        ("url", JsValue::from_str(&l.url)),
                        (
                            "section",
                            l.section
                                .as_deref()
                                .map_or(JsValue::NULL, JsValue::from_str),
                        ),
                        ("snippet", JsValue::from_str(&l.snippet)),
                        ("highlights", highlights.into()),
                    ])
                }
                None => JsValue::NULL,
            })
            .collect()
    }
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(key), value);
    }
    o.into()
}

impl SearchIndex {
    /// Article `a`'s passages: those decoded before, else decoded from `bytes` (a
    /// `Uint8Array`) and kept; `None` when they are not passages.
    fn passages_of(&self, a: u32, bytes: JsValue) -> Option<Rc<Passages>> {
        let mut kept = self.passages.borrow_mut();
        if let Some((_, p)) = kept.iter().find(|(k, _)| *k == a) {
            return Some(p.clone());
        }
        let bytes = bytes.dyn_into::<js_sys::Uint8Array>().ok()?.to_vec();
        let p = Rc::new(Passages::from_bytes(&bytes).ok()?);
        if kept.len() == KEPT_PASSAGES {
            kept.remove(0);
        }
        kept.push((a, p.clone()));
        Some(p)
    }
}
