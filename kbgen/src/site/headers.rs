//! What the host and the widget read about the site: the `_headers` file (security and caching
//! headers for Netlify and Cloudflare Pages) and `widget-config.json`.

use super::Options;
use crate::config::Config;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub(super) fn headers(base: &str, opts: &Options, config: &Config, own_indexes: &[&str]) -> String {
    let mut s = String::new();
    // The widget on the help center's own pages POSTs tickets to the owner's form endpoint.
    let ticket = crate::config::ticket_origin(config).map_or(String::new(), |o| format!(" {o}"));
    s.push_str(&format!(
        "{base}*\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: strict-origin-when-cross-origin\n  Content-Security-Policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'{ticket}; object-src 'none'; base-uri 'self'; frame-ancestors 'self'\n"
    ));
    s.push_str(&format!(
        "{base}assets/*\n  Cache-Control: public, max-age=31536000, immutable\n"
    ));
    // What the widget fetches from the owner's site: readable by other origins.
    let shared = "  Access-Control-Allow-Origin: *\n  Cross-Origin-Resource-Policy: cross-origin\n";
    s.push_str(&format!(
        "{base}widget/*\n{shared}  Cache-Control: public, max-age=3600\n"
    ));
    for f in &opts.widget_hashed {
        s.push_str(&format!(
            "{base}widget/{f}\n  Cache-Control: public, max-age=31536000, immutable\n"
        ));
    }
    // Shards are named by the index's checksum: a new build never reuses a name.
    s.push_str(&format!(
        "{base}index-*\n{shared}  Cache-Control: public, max-age=31536000, immutable\n"
    ));
    // Each language's own index is for its search page and the widget on that language's pages.
    let own = own_indexes.iter().map(|l| super::language_index(l));
    for f in ["index.bin".to_string(), "widget-config.json".to_string()]
        .into_iter()
        .chain(own)
    {
        s.push_str(&format!(
            "{base}{f}\n{shared}  Cache-Control: public, max-age=300\n"
        ));
    }
    // The index, its shards and the passages shrink 2-3x, but by their name hosts send them as
    // `application/octet-stream`, which CDNs that compress by type (Cloudflare) leave alone.
    // `application/x-protobuf` is on Cloudflare's default list, and browsers read both as bytes.
    s.push_str(&format!(
        "{base}*.bin\n  Content-Type: application/x-protobuf\n"
    ));
    s
}

pub(super) fn widget_config(c: &Config, own_indexes: &[&str]) -> String {
    let greeting: BTreeMap<String, String> = c
        .languages
        .iter()
        .filter_map(|l| {
            c.greeting
                .get(l, &c.default_language)
                .map(|g| (l.clone(), g.to_string()))
        })
        .collect();
    // Per language, the owner's greeting and any other words of theirs (`[widget.strings]`).
    let strings: Map<String, Value> = c
        .languages
        .iter()
        .map(|l| {
            let mut words: Map<String, Value> = c
                .widget_strings
                .iter()
                .filter_map(|(key, text)| Some((key.clone(), json!(text.exact(l)?))))
                .collect();
            if let Some(g) = greeting.get(l) {
                words.entry("greeting").or_insert(json!(g));
            }
            // The panel's header names the site in the visitor's language.
            let title = c.title(l);
            if !title.is_empty() {
                words.entry("title").or_insert(json!(title));
            }
            (l.clone(), Value::Object(words))
        })
        .filter(|(_, words)| words.as_object().is_some_and(|w| !w.is_empty()))
        .collect();
    // Each setting once, under the name of the tag's `data-` attribute as the loader's dataset
    // reads it (`data-offset-y` is `offsetY`), so the widget reads one name (widget/src/lib.rs).
    // The greeting is one of each language's `strings`.
    let mut v = json!({
        // One file serves every language: the default language's name; pages give the widget
        // their own language's name through the script tag's `data-site`.
        "site": c.title(&c.default_language),
        "email": c.support_email,
        "color": c.brand_color,
        "languages": c.languages,
        "default_language": c.default_language,
        "position": c.position.as_str(),
        "offsetX": c.offset_x,
        "offsetY": c.offset_y,
        "offsetYMobile": c.offset_y_mobile,
        "base_url": c.base_url,
        "index": "index.bin",
        "strings": strings,
    });
    if !own_indexes.is_empty() {
        // The widget loads its page's language's index, and `index` only when that cannot answer.
        let own: Map<String, Value> = own_indexes
            .iter()
            .map(|l| (l.to_string(), json!(super::language_index(l))))
            .collect();
        v["indexes"] = Value::Object(own);
    }
    if let Some(url) = &c.ticket_url {
        // The name the loader's `data-ticket-url` gets (`dataset.ticketUrl`).
        v["ticketUrl"] = json!(url);
    }
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}
