//! One answer of the conversation: a rule's answer, the best articles, or an honest "I don't
//! know" when the engine is not confident (`Index::search_confident`, the same policy as the help
//! center's search page); the conversation puts the contact button under it.

use super::article_list;
use crate::i18n::Strings;
use crate::services::article::resolve_links;
use crate::state::Reply;
use yew::prelude::*;

/// `owner` is whom the visitor can write to: the owner's address, else the site's name. `base`
/// is the help center's root URL: links in a rule answer resolve against it, not against the
/// owner's page, and open a new tab, as links in articles do.
pub fn view(reply: &Reply, s: &Strings, owner: &str, base: &str, on_open: &Callback<u32>) -> Html {
    match reply {
        Reply::Rule {
            html,
            articles,
            lang,
            ..
        } => {
            let html = resolve_links(html, base).unwrap_or_else(|| html.clone());
            html! {
            <div class="sd-reply sd-rule">
                // Owner-written markdown rendered by kbgen at build time; never visitor text.
                // `dir="auto"`: an answer in another script than the panel's (an English rule
                // in an Arabic panel) is laid out in its own direction, as titles are.
                <div class="sd-answer" dir="auto" lang={article_list::lang(lang)}>{ Html::from_html_unchecked(AttrValue::from(html)) }</div>
                if !articles.is_empty() {
                    <p class="sd-h">{ &s.related }</p>
                    { article_list::view(articles, on_open) }
                }
            </div>
            }
        }
        Reply::Articles(links) => html! {
            <div class="sd-reply">
                <p>{ &s.best_articles }</p>
                { article_list::view(links, on_open) }
            </div>
        },
        // Weak matches are not shown as an answer: the visitor is better served by the owner.
        Reply::Weak(_) => {
            let (before, after) = s
                .dont_know
                .split_once("{owner}")
                .unwrap_or((&s.dont_know, ""));
            html! {
                <div class="sd-reply sd-unsure">
                    <p>{ before }<bdi class="sd-owner-name">{ owner }</bdi>{ after }</p>
                </div>
            }
        }
        Reply::Nothing => html! { <div class="sd-reply"><p>{ &s.nothing_found }</p></div> },
        // What happened to this question: the notice above the conversation, when the index is
        // missing, already says that search is unavailable and that email still works.
        Reply::Unavailable => html! { <div class="sd-reply"><p>{ &s.unavailable_reply }</p></div> },
    }
}
