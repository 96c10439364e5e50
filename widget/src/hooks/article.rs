//! The open article: its body, fetched when it opens, and the section a result pointed at.

use crate::state::{Search, State, View};
use solodesk_engine::{Hit, Located};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The open article's body: (position, HTML or None when unavailable).
pub type ArticleBody = Option<(u32, Option<AttrValue>)>;

/// Fetches the body of the article the visitor opens (once per opening of another article).
#[hook]
pub fn use_article_body(state: &UseReducerHandle<State>, base: &str) -> ArticleBody {
    // Kept by the article's address: its position differs in another index (every language's).
    let article_body = use_state(|| None::<(String, Option<AttrValue>)>);
    {
        let (body, base) = (article_body.clone(), base.to_owned());
        use_effect_with(
            (state.view.clone(), state.search.clone()),
            move |(view, search)| {
                let (View::Article(i), Search::Ready(ix)) = (view, search) else {
                    return;
                };
                let Some(a) = ix.articles().get(*i as usize) else {
                    return;
                };
                if body.as_ref().is_some_and(|(url, _)| *url == a.url) {
                    return;
                }
                let url = a.url.clone();
                let done = Callback::from(move |html: Option<String>| {
                    body.set(Some((url.clone(), html.map(AttrValue::from))))
                });
                crate::services::article::fetch_body(&base, &a.url, done);
            },
        );
    }
    // The body of the open article, once it is in.
    (|| {
        let View::Article(i) = state.view else {
            return None;
        };
        let (url, html) = article_body.as_ref()?;
        let open = state.search.index()?.articles().get(i as usize)?.url == *url;
        open.then(|| (i, html.clone()))
    })()
}

/// An article opened from a result that points at one of its sections opens at that section
/// once its body is in (the stand-in has no anchors); focus stays on the title.
#[hook]
pub fn use_scroll_to_section(
    view: &View,
    hits: &[Hit],
    located: &[Option<Located>],
    body: &ArticleBody,
    panel: &NodeRef,
) {
    let anchor = match view {
        View::Article(i) => hits
            .iter()
            .zip(located.iter())
            .find(|(h, _)| h.article == *i)
            .and_then(|(_, l)| Some(l.as_ref()?.url.split_once('#')?.1.to_string())),
        _ => None,
    };
    let arrived = matches!((view, body), (View::Article(i), Some((j, Some(_)))) if i == j);
    let panel = panel.clone();
    use_effect_with(
        (view.clone(), anchor, arrived),
        move |(_, anchor, arrived)| {
            if let (Some(anchor), true, Some(panel)) =
                (anchor, arrived, panel.cast::<web_sys::Element>())
            {
                scroll_to_anchor(&panel, anchor);
            }
        },
    );
}

/// Scrolls the open article's element whose id is `anchor` to the top of the panel. Ids are
/// compared as text, so an anchor needs no escaping for a selector (they may be Chinese).
fn scroll_to_anchor(panel: &web_sys::Element, anchor: &str) {
    let Ok(found) = panel.query_selector_all(".sd-article-body [id]") else {
        return;
    };
    let target = (0..found.length())
        .filter_map(|i| found.item(i)?.dyn_into::<web_sys::Element>().ok())
        .find(|e| e.id() == anchor);
    if let Some(target) = target {
        target.scroll_into_view_with_bool(true);
    }
}
