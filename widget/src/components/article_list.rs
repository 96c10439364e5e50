//! A plain list of article links that open inside the panel.

use crate::state::Link;
use yew::prelude::*;

pub fn view(links: &[Link], on_open: &Callback<u32>) -> Html {
    html! {
        <ul class="sd-list">
            { for links.iter().map(|l| {
                let article = l.article;
                let onclick = on_open.reform(move |_| article);
                html! {
                    <li><button type="button" class="sd-item" {onclick}>
                        <span class="sd-item-title" dir="auto">{ &l.title }</span>
                    </button></li>
                }
            }) }
        </ul>
    }
}
