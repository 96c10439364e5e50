//! The structured data (JSON-LD) pages carry for search engines: schema.org documents, built as
//! JSON since they are an output format of their own.

use crate::config::Config;
use crate::load::SourceArticle;
use serde_json::{json, Value};

/// A home page's `WebSite` with its search action.
pub(super) fn website(c: &Config, lang: &str) -> String {
    script_json(&json!({
        "@context": "https://schema.org", "@type": "WebSite", "name": c.title(lang),
        "url": c.absolute(&format!("{lang}/")), "inLanguage": lang,
        "potentialAction": {"@type": "SearchAction", "target": format!("{}?q={{q}}", c.absolute(&format!("{lang}/search/"))), "query-input": "required name=q"},
    }))
}

/// A category page's breadcrumb: home, category.
pub(super) fn category_breadcrumb(
    c: &Config,
    lang: &str,
    home: &str,
    title: &str,
    cat: &str,
) -> String {
    script_json(
        &json!({"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": home, "item": c.absolute(&format!("{lang}/"))},
            {"@type": "ListItem", "position": 2, "name": title, "item": c.absolute(&format!("{lang}/category/{cat}/"))},
        ]}),
    )
}

/// An article page's `Article`, its breadcrumb (home, category, article) and its FAQ.
pub(super) fn article(
    c: &Config,
    a: &SourceArticle,
    url: &str,
    summary: &str,
    (home, category, cat_title): (&str, &str, &str),
) -> String {
    let lang = a.lang.as_str();
    let mut ld = vec![
        json!({"@context": "https://schema.org", "@type": "Article", "headline": a.title, "description": summary,
               "inLanguage": lang, "url": c.absolute(url), "dateModified": a.front.updated,
               "publisher": {"@type": "Organization", "name": c.title(lang)}}),
        json!({"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": home, "item": c.absolute(&format!("{lang}/"))},
            {"@type": "ListItem", "position": 2, "name": cat_title, "item": c.absolute(&format!("{lang}/category/{category}/"))},
            {"@type": "ListItem", "position": 3, "name": a.title, "item": c.absolute(url)},
        ]}),
    ];
    if let Some(faq) = faq_page(a, summary, &c.absolute(url)) {
        ld.push(faq);
    }
    script_json(&json!(ld))
}

/// An article's FAQPage structured data: one Question, answered by the article. Its `questions`
/// are ways of asking the same thing, not other questions, so they are the Question's
/// `alternateName`s; giving each its own Question would repeat one answer under every one of
/// them, which is not an FAQ (Google's FAQ guidelines ask for distinct questions and answers).
/// The question is the title when it is one ("When will I get my refund?"), else the first of
/// `questions`. Without `questions`, or without a summary to answer with, there is none.
fn faq_page(a: &SourceArticle, summary: &str, url: &str) -> Option<Value> {
    if a.front.questions.is_empty() || summary.trim().is_empty() {
        return None;
    }
    let title_asks = a.title.trim_end().ends_with(['?', '？', '؟']);
    let mut asked: Vec<&str> = Vec::new();
    if title_asks {
        asked.push(&a.title);
    }
    for q in &a.front.questions {
        if !asked
            .iter()
            .any(|x| x.trim().eq_ignore_ascii_case(q.trim()))
        {
            asked.push(q);
        }
    }
    let (name, others) = asked.split_first()?;
    let mut question = json!({"@type": "Question", "name": name,
        "acceptedAnswer": {"@type": "Answer", "text": summary, "url": url}});
    if !others.is_empty() {
        question["alternateName"] = json!(others);
    }
    Some(
        json!({"@context": "https://schema.org", "@type": "FAQPage", "inLanguage": a.lang, "mainEntity": [question]}),
    )
}

/// JSON for a `<script type="application/ld+json">` block: `<` escaped so no text can close it.
fn script_json(v: &Value) -> String {
    // Null fields (an article without `updated`) are left out: validators reject them.
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string(&strip(v))
        .unwrap_or_default()
        .replace('<', "\\u003c")
}
