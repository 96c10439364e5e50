//! A plain list of article links that open inside the panel.

use crate::state::Link;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub links: Vec<Link>,
    pub on_open: Callback<u32>,
}

#[function_component]
pub fn ArticleList(props: &Props) -> Html {
    html! {
        <ul class="sd-list">
            { for props.links.iter().map(|l| {
                let article = l.article;
                let onclick = props.on_open.reform(move |_| article);
                html! {
                    <li><button type="button" class="sd-item" {onclick}>
                        <span class="sd-item-title">{ &l.title }</span>
                    </button></li>
                }
            }) }
        </ul>
    }
}
