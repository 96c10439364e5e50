//! The Solodesk widget: the panel a visitor opens on the owner's site.
//!
//! The loader (`widget/loader/loader.js`) draws the launcher inside a Shadow DOM (and, once the page
//! is idle, the panel's invisible shell), and only when the visitor shows intent fetches, in parallel, this module, the stylesheet, `widget-config.json`
//! and the index: its page's language's (`index.<lang>.bin`, named in the config's `indexes`) on a
//! site in several languages, else `index.bin`. It calls [`mount`] as soon as the first three are there, and hands over the
//! index with [`Widget::set_index`] when it arrives: on a real knowledge base the index is the
//! biggest file by far, and the visitor can type and reach "Contact us" while it loads. The loader
//! owns what must work even when this module cannot load: the launcher, showing and hiding the
//! dialog, the focus trap, Esc, and a fallback email link (to the snippet's `data-email`, with what
//! the owner's script asked or prefilled, encoded as `ticket/mailto.rs` does). It never throws into the
//! host page, replays a queue stub's calls (`window.Solodesk = {q: [...]}` or a function pushing
//! to its `q`), and hands this crate only bounded strings. This crate owns everything inside the
//! dialog.
//!
//! Entry point, called by the loader:
//!
//! ```js
//! const widget = mount(root, config, emit);
//! widget.set_index(index);
//! widget.ask("text"); widget.prefill("name", "email", "message"); widget.contact(); widget.destroy();
//! ```
//!
//! `ask` and `prefill` take any value: what is not a string is ignored, and a string is cut (in
//! JavaScript, before it is copied into the WebAssembly) to 2,000 UTF-16 units for a question and
//! 200, 320 and 20,000 for the name, email and message.
//!
//! - `root`: an element inside the loader's shadow root; the panel renders into it.
//! - `config`: a plain object: `site`, `email` (the owner's address), `base` (help center root URL
//!   ending in `/`), `lang` (owner's forced language), `page` (`location.href`), `pageLang`
//!   (`<html lang>`), `languages` (`navigator.languages`), `strings` (overrides: `{key: text}` or
//!   `{lang: {key: text}}`), `indexAll` (the URL of `index.bin` when the index handed over is one
//!   language's: fetched for a question that one cannot answer, or when it failed, and searched
//!   from then on; see `state::Wider`). Missing fields fall back to defaults.
//! - `emit(event, detail)`: called with `"close"` (the panel's close button), `"ticket"` (detail:
//!   `{reference, subject}`), `"answer"` (a question answered; detail: `{question, answer, rule,
//!   articles}`, see `services::host::Emitter::reply`) and `"feedback"` (the visitor's Yes or No to
//!   it; the same detail and `helpful`).
//! - `set_index(index)`: the bytes of the index as a `Uint8Array`, or a string saying why they
//!   could not be fetched; a failed or unreadable index still shows the email ticket with a clear
//!   message. Until it is called the panel says the articles are loading, and questions asked
//!   meanwhile (typed, or through `ask`) are answered when it is.
//!
//! Settings, for `kbgen` (which writes both): `<help center>/widget-config.json` holds
//! `{"site", "email", "color", "position": "left"|"right", "lang", "strings", "ticketUrl"}`; the snippet's
//! `<script src="<help center>/widget/solodesk.js" async>` may carry the same as `data-site`,
//! `data-email`, `data-color`, `data-position`, `data-lang`, `data-ticket-url` (`ticketUrl`, the
//! owner's form endpoint), plus `data-label` (launcher text), `data-site-<lang>` (the site's name
//! in another language, for the loader's shell before the file arrives),
//! `data-prefetch="idle"` and `data-base` (help center root when the loader is not in
//! `<root>/widget/`). Attributes win over the file; the launcher's colour and side come from the
//! attributes only, because the file is fetched when the panel opens.
//!
//! The help center's search page runs `search_page::SearchIndex` from a second build of this
//! crate without its default feature `panel` (no Yew, no panel): the engine and a few exports.
//!
//! Pure modules (`state`, `ticket`, `i18n`, `config`) are unit-tested natively; `components` render,
//! `hooks` run the panel's effects and `services` hold the browser calls they make.

#[cfg(feature = "panel")]
pub mod components;
#[cfg(feature = "panel")]
pub mod config;
pub mod highlight;
#[cfg(feature = "panel")]
pub mod hooks;
#[cfg(feature = "panel")]
pub mod i18n;
#[cfg(feature = "panel")]
mod panel;
#[cfg(not(feature = "panel"))]
pub mod search_page;
#[cfg(feature = "panel")]
pub mod services;
#[cfg(feature = "panel")]
pub mod state;
#[cfg(feature = "panel")]
pub mod ticket;

#[cfg(feature = "panel")]
pub use panel::{mount, Bus, Command, Widget};

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(test)]
mod tests {
    /// The host page's root font size leaks into the Shadow DOM through `rem`, so sizes are px.
    #[test]
    fn styles_use_no_rem_units() {
        let css = include_str!("../style/widget.css");
        let loader = include_str!("../loader/loader.js");
        for (name, text) in [
            ("widget/style/widget.css", css),
            ("widget/loader/loader.js", loader),
        ] {
            for (n, line) in text.lines().enumerate() {
                let bytes = line.as_bytes();
                let rem = line.match_indices("rem").any(|(i, _)| {
                    i > 0
                        && bytes[i - 1].is_ascii_digit()
                        && !bytes.get(i + 3).is_some_and(u8::is_ascii_alphabetic)
                });
                assert!(!rem, "{name}:{}: uses rem units", n + 1);
            }
        }
    }

    /// Strict CSP blocks `style="..."` attributes, so nothing may set them; CSSOM is fine.
    #[test]
    fn no_inline_style_attributes() {
        let loader = include_str!("../loader/loader.js");
        assert!(!loader.contains("style=") && !loader.contains("\"style\""));
        assert!(!loader.contains("cssText"));
    }

    /// Reads `--sd-name: #rrggbb;` declarations: (light palette, dark palette overrides applied).
    fn palettes(css: &str) -> [std::collections::HashMap<String, [f64; 3]>; 2] {
        let mut light = std::collections::HashMap::new();
        let mut dark = None::<std::collections::HashMap<String, [f64; 3]>>;
        for line in css.lines() {
            if line.contains("prefers-color-scheme: dark") {
                dark = Some(light.clone());
            }
            let line = line.trim();
            let Some(rest) = line.strip_prefix("--sd-") else {
                continue;
            };
            let Some((name, value)) = rest.split_once(':') else {
                continue;
            };
            let hex = value
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_end_matches(';');
            if hex.len() != 7 || !hex.starts_with('#') {
                continue;
            }
            let v = u32::from_str_radix(&hex[1..], 16).unwrap();
            let rgb = [(v >> 16) as f64, ((v >> 8) & 255) as f64, (v & 255) as f64];
            match &mut dark {
                Some(d) => d.insert(name.to_string(), rgb),
                None => light.insert(name.to_string(), rgb),
            };
        }
        [light, dark.expect("a dark palette")]
    }

    fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
        let lum = |c: [f64; 3]| {
            let f = |x: f64| {
                let x = x / 255.0;
                if x <= 0.04045 {
                    x / 12.92
                } else {
                    ((x + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2])
        };
        let (x, y) = (lum(a) + 0.05, lum(b) + 0.05);
        x.max(y) / x.min(y)
    }

    /// WCAG AA: 4.5:1 for the text colour pairs the stylesheet uses, in light and dark mode.
    #[test]
    fn text_colours_meet_aa_contrast() {
        let css = include_str!("../style/widget.css");
        let pairs = [
            ("fg", "bg"),
            ("muted", "bg"),
            ("link", "bg"),
            ("err", "bg"),
            ("fg", "soft"),
            ("muted", "soft"),
            ("fg", "mark"),
        ];
        for (mode, p) in ["light", "dark"].iter().zip(palettes(css)) {
            for (fg, bg) in pairs {
                let c = contrast(p[fg], p[bg]);
                assert!(c >= 4.5, "{mode}: --sd-{fg} on --sd-{bg} is {c:.2}:1");
            }
        }
        // The default brand colour carries white text (header, launcher, buttons).
        assert!(contrast([31.0, 79.0, 209.0], [255.0; 3]) >= 4.5);
    }
}
