//! A plain list of article links that open inside the panel.

use crate::state::Link;
use yew::prelude::*;

/// The `lang` attribute of a text in `lang`: none when unknown, so that it inherits the panel's.
/// A title or answer in another language than the panel's (found in every language's index, or
/// the only one there is) is then read aloud in its own.
pub fn lang(lang: &str) -> Option<AttrValue> {
    (!lang.is_empty()).then(|| AttrValue::from(lang.to_owned()))
}

pub fn view(links: &[Link], on_open: &Callback<u32>) -> Html {
    html! {
        <ul class="sd-list">
            { for links.iter().map(|l| {
                let article = l.article;
                let onclick = on_open.reform(move |_| article);
                html! {
                    <li><button type="button" class="sd-item" {onclick}>
                        <span class="sd-item-title" dir="auto" lang={lang(&l.lang)}>{ &l.title }</span>
                    </button></li>
                }
            }) }
        </ul>
    }
}
