//! Live search results while the visitor types: the title at once, then the best section and a
//! highlighted snippet once the article's passages have arrived.

use super::{article_list, snippet};
use crate::config::Config;
use solodesk_engine::{Hit, Located};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub hits: Rc<Vec<Hit>>,
    /// Per hit, where it points, when its passages are at hand.
    pub located: Rc<Vec<Option<Located>>>,
    pub on_open: Callback<u32>,
}

pub fn view(props: &Props, config: &Config) -> Html {
    let s = &config.strings;
    if props.hits.is_empty() {
        return html! { <p class="sd-muted sd-results" role="status">{ &s.no_results }</p> };
    }
    html! {
        <section class="sd-results" aria-label={s.results.clone()}>
            <ul class="sd-list">
                { for props.hits.iter().enumerate().map(|(i, h)| {
                    let located = props.located.get(i).and_then(Option::as_ref);
                    let article = h.article;
                    let onclick = props.on_open.reform(move |_| article);
                    html! {
                        <li>
                            <button type="button" class="sd-item" {onclick}>
                                <span class="sd-item-title" dir="auto" lang={article_list::lang(&h.lang)}>{ &h.title }</span>
                                if let Some(section) = located.and_then(|l| l.section.as_ref()) {
                                    <span class="sd-item-section" dir="auto">{ section }</span>
                                }
                                if let Some(l) = located {
                                    { snippet::view(&l.snippet, &l.highlights) }
                                }
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
