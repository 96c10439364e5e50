//! What the panel needs from the page around it: the loader's event callback, the clock and
//! random numbers.

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
