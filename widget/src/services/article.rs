//! Fetches an article's passages, for its results' sections and snippets, and its body, for
//! reading it inside the panel.
//!
//! kbgen writes each article's passages to `widget/articles/<lang>/<id>.bin` and its rendered
//! body to `widget/articles/<lang>/<id>.html` beside the widget (where the help center lets other
//! origins read). The index holds no article text: results show their titles until the passages
//! arrive, and the panel shows the passages (or that it is loading) until the body arrives.
//! Links and images in the body are written for the help center's own pages; they are resolved
//! against the article's URL there, so they work on the owner's site too, and links open in a
//! new tab rather than navigating the visitor away from the page they were on.

use super::fetch::{bytes, text};
use crate::config::absolute;
use solodesk_engine::Passages;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// The URL of an article's file beside the widget (see [`solodesk_engine::article_file`]).
fn article_file(base: &str, article_url: &str, ext: &str) -> String {
    absolute(base, &solodesk_engine::article_file(article_url, ext))
}

/// Fetches the passages of the article at `article_url` and calls `done` with them, or `None`
/// when they could not be had or read.
pub fn fetch_passages(base: &str, article_url: &str, done: yew::Callback<Option<Rc<Passages>>>) {
    let url = article_file(base, article_url, "bin");
    wasm_bindgen_futures::spawn_local(async move {
        let bytes = bytes(&url).await;
        done.emit(
            bytes
                .and_then(|b| Passages::from_bytes(&b).ok())
                .map(Rc::new),
        );
    });
}

/// Fetches the body of the article at `article_url` (relative to the help center root `base`)
/// and calls `done` with its HTML, links resolved against the article's full page, or `None`
/// when it could not be had.
pub fn fetch_body(base: &str, article_url: &str, done: yew::Callback<Option<String>>) {
    let fragment = article_file(base, article_url, "html");
    let page = absolute(base, article_url);
    wasm_bindgen_futures::spawn_local(async move {
        done.emit(
            text(&fragment)
                .await
                .and_then(|html| resolve_links(&html, &page)),
        );
    });
}

/// Makes every link and image in `html` absolute against `page_url`, and web links open a new
/// tab with `rel="noopener noreferrer"`: the owner's page is neither reachable from that tab nor
/// named to the site it opens. Used for article bodies and rule answers alike.
/// Parsed in a `<template>`, whose content is inert: nothing loads or runs while it is fixed.
pub fn resolve_links(html: &str, page_url: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let template: web_sys::HtmlTemplateElement =
        document.create_element("template").ok()?.dyn_into().ok()?;
    template.set_inner_html(html);
    let nodes = template
        .content()
        .query_selector_all("a[href], img[src]")
        .ok()?;
    for i in 0..nodes.length() {
        let Some(el) = nodes
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let link = el.tag_name().eq_ignore_ascii_case("a");
        let attr = if link { "href" } else { "src" };
        let resolved = el
            .get_attribute(attr)
            .and_then(|v| web_sys::Url::new_with_base(&v, page_url).ok());
        if let Some(url) = &resolved {
            let _ = el.set_attribute(attr, &url.href());
        }
        if link {
            let _ = el.set_attribute("rel", "noopener noreferrer");
            // A `mailto:` link opens the mail client, not a blank tab.
            let web = resolved
                .as_ref()
                .is_none_or(|u| matches!(u.protocol().as_str(), "http:" | "https:"));
            if web {
                let _ = el.set_attribute("target", "_blank");
            }
        }
    }
    Some(template.inner_html())
}
