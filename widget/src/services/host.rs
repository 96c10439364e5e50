//! What the panel needs from the page around it: the loader's event callback, the clock and
//! random numbers.

use crate::config::absolute;
use crate::state::Reply;
use crate::Bus;
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// The loader's `emit(event, detail)` callback.
#[derive(Clone, Debug)]
pub struct Emitter(pub js_sys::Function);

impl PartialEq for Emitter {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Emitter {
    /// Tells the loader (and through it the owner's callbacks) that `event` happened.
    pub fn emit(&self, event: &str, detail: &[(&str, &str)]) {
        let obj = js_sys::Object::new();
        for (k, v) in detail {
            let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), &JsValue::from_str(v));
        }
        // The loader catches errors of the owner's callbacks; ignore anything that still escapes.
        let _ = self
            .0
            .call2(&JsValue::NULL, &JsValue::from_str(event), &obj);
    }

    /// Tells the owner's callbacks (`event`) about a reply to `question`, with `extra` fields:
    /// what the reply was (`answer`: "rule", "articles", "unsure" for articles the engine doubts,
    /// or "nothing"), the rule that answered (`rule`, "" for none) and the URLs of the articles
    /// shown (`articles`, separated by spaces, made absolute by `base`). Nothing leaves the page
    /// unless the owner's own script sends it: the owner learns which questions the knowledge
    /// base does not answer.
    pub fn reply(
        &self,
        event: &str,
        base: &str,
        question: &str,
        reply: &Reply,
        extra: &[(&str, &str)],
    ) {
        let (answer, rule, links) = match reply {
            Reply::Rule { id, articles, .. } => ("rule", id.as_str(), &articles[..]),
            Reply::Articles(links) => ("articles", "", &links[..]),
            Reply::Weak(links) => ("unsure", "", &links[..]),
            Reply::Nothing => ("nothing", "", &[][..]),
            Reply::Unavailable => ("unavailable", "", &[][..]),
        };
        let urls: Vec<String> = links.iter().map(|l| absolute(base, &l.url)).collect();
        let urls = urls.join(" ");
        let mut detail = vec![
            ("question", question),
            ("answer", answer),
            ("rule", rule),
            ("articles", urls.as_str()),
        ];
        detail.extend_from_slice(extra);
        self.emit(event, &detail);
    }
}

/// The command bus, compared by identity so props stay cheap to diff.
#[derive(Clone)]
pub struct Shared(pub Rc<Bus>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The visitor's clock, ISO 8601 in UTC.
pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// 30 random bits for a ticket reference; not security-sensitive, only needs to not repeat.
pub fn random_bits() -> u64 {
    (js_sys::Math::random() * f64::from(1u32 << 30)) as u64
}
