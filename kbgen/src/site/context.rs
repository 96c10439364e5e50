//! What each template sees, as typed structs: a template's variables are these fields (and those
//! of [`Shared`], which every page of a language has), so a key a template reads is a field here.

use crate::markdown::TocEntry;
use crate::strings::Strings;
use serde::Serialize;

/// Variables every page of one language shares, serialized once per language.
#[derive(Serialize)]
pub(super) struct Shared<'a> {
    pub base: &'a str,
    /// The stylesheet's and the search script's content-hashed URLs.
    pub css: &'a str,
    pub search_js: &'a str,
    pub live_reload: bool,
    pub site: SiteVars<'a>,
    pub t: &'a Strings,
}

#[derive(Serialize)]
pub(super) struct SiteVars<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub support_email: &'a str,
    pub logo: Option<String>,
    pub logo_abs: Option<String>,
}

/// Variables of every page (`base.html`).
#[derive(Serialize)]
pub(super) struct Common<'a> {
    pub lang: &'a str,
    /// `rtl` or `ltr`.
    pub dir: &'static str,
    /// `home`, `search`, `category`, `article` or `404`.
    pub page_kind: &'static str,
    pub page_title: String,
    pub description: String,
    pub canonical: Option<String>,
    /// hreflang alternates, when the page exists in more than one language.
    pub alternates: Vec<Alternate>,
    pub x_default: String,
    pub og_type: &'static str,
    /// The language switcher.
    pub languages: Vec<LanguageLink>,
    /// The launcher's script tag, on pages that carry it.
    pub widget: Option<WidgetTag>,
    /// JSON-LD, ready for a `<script>` block.
    pub jsonld: Option<String>,
}

#[derive(Serialize)]
pub(super) struct Alternate {
    pub lang: String,
    pub href: String,
}

#[derive(Serialize)]
pub(super) struct LanguageLink {
    pub code: String,
    pub name: String,
    pub href: String,
    pub current: bool,
}

#[derive(Serialize)]
pub(super) struct WidgetTag {
    pub src: String,
    /// The launcher is drawn before widget-config.json is fetched, so its colour and side travel
    /// on the tag.
    pub color: String,
    pub position: &'static str,
    pub offsets: String,
}

/// A category on the home, search and not-found pages.
#[derive(Serialize)]
pub(super) struct CategoryCard {
    pub id: String,
    pub title: String,
    pub count: usize,
    pub description: String,
    pub href: String,
}

/// An article in a list.
#[derive(Serialize)]
pub(super) struct Link {
    pub title: String,
    pub href: String,
    pub summary: String,
}

/// `home.html`.
#[derive(Serialize)]
pub(super) struct HomePage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub categories: Vec<CategoryCard>,
    pub featured: Vec<Link>,
}

/// `404.html`: "Browse the categories below".
#[derive(Serialize)]
pub(super) struct NotFoundPage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub categories: Vec<CategoryCard>,
}

/// `search.html`.
#[derive(Serialize)]
pub(super) struct SearchPage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub categories: Vec<CategoryCard>,
    /// The search engine's glue, WebAssembly and index; without it the page lists categories.
    pub engine: Option<EngineVars>,
}

#[derive(Serialize)]
pub(super) struct EngineVars {
    pub js: String,
    pub wasm: String,
    /// The index the page searches first: its own language's when the site has one per language.
    pub index: String,
    /// With an own-language index: `index.bin`, all languages, for results in the others.
    pub index_all: Option<String>,
}

/// `category.html`.
#[derive(Serialize)]
pub(super) struct CategoryPage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub category: CategoryHead,
    pub articles: Vec<Link>,
}

#[derive(Serialize)]
pub(super) struct CategoryHead {
    pub title: String,
    pub description: String,
}

/// `article.html`.
#[derive(Serialize)]
pub(super) struct ArticlePage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    /// The breadcrumb's category, when it is a known one.
    pub category: Option<CategoryRef>,
    pub article: ArticleVars<'a>,
    pub toc: &'a [TocEntry],
    /// The article in the site's other languages.
    pub translations: Vec<Translation>,
    pub related: Vec<Link>,
    /// Neighbours within the category, in reading order.
    pub prev: Option<Link>,
    pub next: Option<Link>,
    /// "Was this helpful? → No": a mailto link, when the site has a support address.
    pub ticket: Option<Ticket>,
}

#[derive(Serialize)]
pub(super) struct CategoryRef {
    pub title: String,
    pub href: String,
}

#[derive(Serialize)]
pub(super) struct ArticleVars<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub html: &'a str,
    pub updated: Option<&'a str>,
    pub summary: &'a str,
}

#[derive(Serialize)]
pub(super) struct Translation {
    pub lang: String,
    pub name: String,
    pub href: String,
}

#[derive(Serialize)]
pub(super) struct Ticket {
    pub href: String,
}
