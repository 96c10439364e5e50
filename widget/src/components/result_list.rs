//! Live search results while the visitor types: title, section and highlighted snippet.

use super::snippet;
use crate::config::Config;
use solodesk_engine::Hit;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub hits: Rc<Vec<Hit>>,
    pub on_open: Callback<u32>,
}

/// A plain view function rather than a component: a function component costs about 3.5 KB of
/// WebAssembly, and this one has no state of its own.
pub fn view(props: &Props, config: &Config) -> Html {
    let s = &config.strings;
    if props.hits.is_empty() {
        return html! { <p class="sd-muted sd-results" role="status">{ &s.no_results }</p> };
    }
    html! {
        <section class="sd-results" aria-label={s.results.clone()}>
            <ul class="sd-list">
                { for props.hits.iter().map(|h| {
                    let article = h.article;
                    let onclick = props.on_open.reform(move |_| article);
                    html! {
                        <li>
                            <button type="button" class="sd-item" {onclick}>
                                <span class="sd-item-title" dir="auto">{ &h.title }</span>
                                if let Some(section) = &h.section {
                                    <span class="sd-item-section" dir="auto">{ section }</span>
                                }
                                { snippet::view(&h.snippet, &h.highlights) }
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
