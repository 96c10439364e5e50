//! One answer of the conversation: a rule's answer or the best articles.

use super::{article_list::ArticleList, use_config};
use crate::state::Reply;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub reply: Reply,
    pub on_open: Callback<u32>,
}

#[function_component]
pub fn ReplyView(props: &Props) -> Html {
    let config = use_config();
    let s = &config.strings;
    match &props.reply {
        Reply::Rule { html, articles, .. } => html! {
            <div class="sd-reply sd-rule">
                // Owner-written markdown rendered by kbgen at build time; never visitor text.
                <div class="sd-answer">{ Html::from_html_unchecked(AttrValue::from(html.clone())) }</div>
                if !articles.is_empty() {
                    <p class="sd-h">{ &s.related }</p>
                    <ArticleList links={articles.clone()} on_open={props.on_open.clone()} />
                }
            </div>
        },
        Reply::Articles(links) => html! {
            <div class="sd-reply">
                <p>{ &s.best_articles }</p>
                <ArticleList links={links.clone()} on_open={props.on_open.clone()} />
            </div>
        },
        Reply::Nothing => html! { <div class="sd-reply"><p>{ &s.nothing_found }</p></div> },
    }
}
