//! An article read inside the panel, with a link to the full page.
//!
//! The body is the article's own HTML from the help center once it has arrived (see
//! `services::article`); until then, or when it cannot be fetched, the article's passages stand
//! in when a search result already fetched them (its sections as plain text), else the body
//! shows that it is loading, or, when it could not be fetched, says so beside the link to the
//! full article.

use crate::config::{absolute, Config};
use solodesk_engine::{Article, Passages};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub article: Article,
    pub passages: Option<Rc<Passages>>,
    /// The article's body HTML, links already resolved, when it has been fetched.
    pub body: Option<AttrValue>,
    /// The body could not be fetched (the network, or the help center lost the file).
    pub failed: bool,
}

pub fn view(props: &Props, config: &Config) -> Html {
    let a = &props.article;
    let content = match &props.body {
        // kbgen rendered this from the owner's markdown and escaped everything that did not come
        // from the owner; it is what the help center's own page shows.
        Some(html) => html! {
            <div class="sd-article-body">{ Html::from_html_unchecked(html.clone()) }</div>
        },
        // Without the body or passages to stand in, the visitor is told, not left with a blank.
        None if props.failed && props.passages.is_none() => html! {
            <p class="sd-notice" role="alert">{ &config.strings.article_failed }</p>
        },
        None => html! {
            <div class="sd-article-body" aria-busy={(!props.failed).then_some("true")}>
                { for props.passages.iter().flat_map(|p| p.sections()).map(|sec| html! {
                    <section>
                        if !sec.heading.is_empty() { <h4>{ &sec.heading }</h4> }
                        if !sec.text.is_empty() { <p>{ sec.text.trim() }</p> }
                    </section>
                }) }
            </div>
        },
    };
    html! {
        <article class="sd-article" lang={a.lang.clone()} dir="auto">
            <h3 class="sd-article-title" tabindex="-1">{ &a.title }</h3>
            { content }
            <p><a class="sd-link" href={absolute(&config.base, &a.url)} target="_blank" rel="noopener noreferrer">
                { &config.strings.full_article }
            </a></p>
        </article>
    }
}
