//! The panel's entry points for the loader: [`mount`] and the [`Widget`] it returns (see the
//! crate documentation), and the [`Bus`] that carries the owner's commands to the running app.

use crate::config::{Config, RawConfig};
use crate::{components, services, state};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Actions sent from the owner's JS API and the loader to the running app.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Ask(String),
    /// The index arrived, or could not be had.
    SetSearch(state::Search),
    Prefill {
        name: String,
        email: String,
        message: String,
    },
    Contact,
}

/// Delivers [`Command`]s to the app, queueing those that arrive before its first render.
#[derive(Default)]
pub struct Bus {
    target: RefCell<Option<yew::Callback<Command>>>,
    queue: RefCell<Vec<Command>>,
}

impl Bus {
    pub fn send(&self, c: Command) {
        let target = self.target.borrow().clone();
        match target {
            Some(cb) => cb.emit(c),
            None => self.queue.borrow_mut().push(c),
        }
    }

    /// Called by the app once it can take commands; replays the queue.
    pub fn attach(&self, cb: yew::Callback<Command>) {
        *self.target.borrow_mut() = Some(cb.clone());
        for c in self.queue.take() {
            cb.emit(c);
        }
    }
}

/// The running widget, returned to the loader.
#[wasm_bindgen]
pub struct Widget {
    app: Option<yew::AppHandle<components::app::App>>,
    bus: Rc<Bus>,
}

#[wasm_bindgen]
impl Widget {
    /// Hands over `index.bin`: its bytes (`Uint8Array`), or a string saying why it could not be
    /// fetched. Read here, so a corrupt or wrong-version file shows as unavailable, with why.
    pub fn set_index(&self, index: JsValue) {
        if self.app.is_none() {
            return;
        }
        let search = match index.dyn_into::<js_sys::Uint8Array>() {
            Ok(bytes) => state::Search::read(&bytes.to_vec()),
            Err(other) => state::Search::Failed(other.as_string().unwrap_or_default()),
        };
        self.bus.send(Command::SetSearch(search));
    }

    /// Asks `text` (a string; its first `MAX_QUESTION_CHARS` (2,000) characters) as if the visitor
    /// typed it and pressed Enter; anything else is ignored.
    pub fn ask(&self, text: JsValue) {
        let text = bounded_text(&text, MAX_QUESTION_CHARS);
        if !text.trim().is_empty() {
            self.bus.send(Command::Ask(text));
        }
    }

    /// Fills the contact form; empty strings, and values that are not strings, leave a field as
    /// it is. Each field is bounded (see `MAX_FIELD_CHARS`).
    pub fn prefill(&self, name: JsValue, email: JsValue, message: JsValue) {
        self.bus.send(Command::Prefill {
            name: bounded_text(&name, MAX_FIELD_CHARS[0]),
            email: bounded_text(&email, MAX_FIELD_CHARS[1]),
            message: bounded_text(&message, MAX_FIELD_CHARS[2]),
        });
    }

    /// Shows the contact form.
    pub fn contact(&self) {
        self.bus.send(Command::Contact);
    }

    /// True once the panel has rendered and takes commands at once: the loader hands its shell
    /// over then (the input events it sends reach the app in order with its commands).
    pub fn ready(&self) -> bool {
        self.bus.target.borrow().is_some()
    }

    /// Removes the panel from the page.
    pub fn destroy(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }
}

/// Mounts the panel on `root`, without its index (see [`Widget::set_index`]); see the crate
/// documentation for the arguments.
#[wasm_bindgen]
pub fn mount(root: web_sys::Element, config: JsValue, emit: js_sys::Function) -> Widget {
    let config = Rc::new(Config::resolve(raw_config(&config)));
    let bus = Rc::new(Bus::default());
    let props = components::app::Props {
        config,
        bus: services::host::Shared(bus.clone()),
        emit: services::host::Emitter(emit),
    };
    let app = yew::Renderer::<components::app::App>::with_root_and_props(root, props).render();
    Widget {
        app: Some(app),
        bus,
    }
}

/// The longest question the owner's scripts can ask, in UTF-16 units (JavaScript's length): a
/// pasted page must not block the visitor's tab while it is analyzed.
pub const MAX_QUESTION_CHARS: u32 = 2000;

/// The longest name, email and message `prefill` takes, in UTF-16 units.
pub const MAX_FIELD_CHARS: [u32; 3] = [200, 320, 20_000];

/// `value`'s first `max` UTF-16 units when it is a string (cut before a split surrogate pair), or
/// `""`; the string is cut in JavaScript, so a huge one is never copied into the WebAssembly.
fn bounded_text(value: &JsValue, max: u32) -> String {
    let Some(s) = value.dyn_ref::<js_sys::JsString>() else {
        return String::new();
    };
    if s.length() <= max {
        return s.as_string().unwrap_or_default();
    }
    let end = if (55296.0..56320.0).contains(&s.char_code_at(max - 1)) {
        // A high surrogate (U+D800..U+DBFF) whose pair would be cut off.
        max - 1
    } else {
        max
    };
    s.slice(0, end).as_string().unwrap_or_default()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

/// Reads the loader's config object; anything of the wrong type counts as missing.
fn raw_config(c: &JsValue) -> RawConfig {
    let mut strings = Vec::new();
    let overrides = get(c, "strings");
    if overrides.is_object() {
        for entry in js_sys::Object::entries(overrides.unchecked_ref()).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            let (key, value) = (pair.get(0).as_string().unwrap_or_default(), pair.get(1));
            if let Some(v) = value.as_string() {
                strings.push((key, v));
            } else if value.is_object() {
                for inner in js_sys::Object::entries(value.unchecked_ref()).iter() {
                    let inner: js_sys::Array = inner.unchecked_into();
                    if let (Some(k), Some(v)) = (inner.get(0).as_string(), inner.get(1).as_string())
                    {
                        strings.push((key.clone() + "." + &k, v));
                    }
                }
            }
        }
    }
    let languages = get(c, "languages");
    let languages = if js_sys::Array::is_array(&languages) {
        js_sys::Array::from(&languages)
            .iter()
            .filter_map(|l| l.as_string())
            .collect()
    } else {
        Vec::new()
    };
    RawConfig {
        // One name each, the `data-` attribute's, in the tag and in `widget-config.json` alike.
        site: get_string(c, "site"),
        email: get_string(c, "email"),
        base: get_string(c, "base"),
        page_url: get_string(c, "page"),
        lang: get_string(c, "lang"),
        page_lang: get_string(c, "pageLang"),
        languages,
        // `data-ticket-url` on the snippet, `ticketUrl` in `widget-config.json`.
        ticket_url: get_string(c, "ticketUrl"),
        index_all: get_string(c, "indexAll"),
        strings,
    }
}
