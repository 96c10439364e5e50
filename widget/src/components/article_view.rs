//! An article read inside the panel from the index's section text, with a link to the full page.

use crate::config::Config;
use crate::state::absolute;
use solodesk_engine::Article;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub article: Article,
}

/// A plain view function rather than a component: a function component costs about 3.5 KB of
/// WebAssembly, and this one has no state of its own.
pub fn view(props: &Props, config: &Config) -> Html {
    let a = &props.article;
    let paragraphs = |text: &str| {
        text.split('\n')
            .filter(|p| !p.trim().is_empty())
            .map(|p| html! { <p>{ p.to_string() }</p> })
            .collect::<Html>()
    };
    html! {
        <article class="sd-article" lang={a.lang.clone()}>
            <h3 class="sd-article-title" tabindex="-1">{ &a.title }</h3>
            { for a.sections.iter().map(|sec| html! {
                <section>
                    if !sec.heading.is_empty() { <h4>{ &sec.heading }</h4> }
                    { paragraphs(&sec.text) }
                </section>
            }) }
            <p><a class="sd-link" href={absolute(&config.base, &a.url)} target="_blank" rel="noopener">
                { &config.strings.full_article }
            </a></p>
        </article>
    }
}
