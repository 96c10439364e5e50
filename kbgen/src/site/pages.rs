//! The help center's HTML pages: the templates (built in, or the owner's from `theme/`) and the
//! typed contexts of [`super::context`] they are rendered with.

use super::context::{
    Alternate, ArticlePage, ArticleVars, CategoryCard, CategoryHead, CategoryPage, CategoryRef,
    Common, EngineVars, HomePage, LanguageLink, Link, NotFoundPage, SearchPage, Shared, SiteVars,
    Ticket, Translation, WidgetTag,
};
use super::{
    brand, jsonld, language_index, own_index_languages, parallel_map, popular, short_hash, Options,
    Page, Site, POPULAR,
};
use crate::config::{Category, Config};
use crate::diag::Diagnostics;
use crate::load::Kb;
use crate::markdown;
use crate::strings::{self, language_name};
use serde::Serialize;
use std::collections::HashMap;

// The widget's RFC 6068 encoder (pure std), so the help center's tickets and the widget's are
// encoded by the same code. (A plain comment: an outer doc comment would make rustdoc resolve
// the file's own `//!` links from here.)
#[allow(dead_code)]
#[path = "../../../widget/src/ticket/mailto.rs"]
mod ticket_mailto;

/// A `mailto:` URL encoded as the widget's ticket is: the address with only `@` left bare besides
/// unreserved characters, header values fully percent-encoded, and line breaks sent as CRLF
/// (`%0D%0A`).
fn mailto(to: &str, subject: &str, body: &str) -> String {
    use ticket_mailto::{normalize_newlines, url};
    url(to, &normalize_newlines(subject), &normalize_newlines(body))
}

pub(super) fn theme_file(kb: &Kb, name: &str, default: &str) -> String {
    kb.theme_override(name)
        .unwrap_or_else(|| default.to_string())
}

pub(super) fn templates(kb: &Kb) -> Result<minijinja::Environment<'static>, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    // minijinja's HTML escaping also escapes `/`, which makes every URL unreadable in the source;
    // quotes, `<`, `>` and `&` are what matter, so strings get our escape.
    env.set_formatter(|out, state, value| {
        if matches!(state.auto_escape(), minijinja::AutoEscape::Html) && !value.is_safe() {
            if let Some(s) = value.as_str() {
                return out
                    .write_str(&markdown::escape(s))
                    .map_err(minijinja::Error::from);
            }
        }
        minijinja::escape_formatter(out, state, value)
    });
    let defaults = [
        ("base.html", include_str!("../../theme/base.html")),
        ("home.html", include_str!("../../theme/home.html")),
        ("category.html", include_str!("../../theme/category.html")),
        ("article.html", include_str!("../../theme/article.html")),
        ("search.html", include_str!("../../theme/search.html")),
        ("404.html", include_str!("../../theme/404.html")),
    ];
    for (name, text) in defaults {
        env.add_template_owned(name, theme_file(kb, name, text))?;
    }
    Ok(env)
}

/// Renders every page into `site`: the stylesheet and search script, then home, not-found,
/// search and category pages per language, then the articles (in parallel). Returns how many
/// pages the page lookups examined one by one (see [`Ctx::scan`]), or `None` when the templates
/// do not compile (the error is reported).
#[allow(clippy::too_many_arguments)]
pub(super) fn render(
    kb: &Kb,
    config: &Config,
    base: &str,
    opts: &Options,
    pages: &[Page<'_>],
    categories: &[Category],
    site: &mut Site,
    diags: &mut Diagnostics,
) -> Option<usize> {
    let css = theme_file(kb, "style.css", include_str!("../../theme/style.css"))
        + &brand::brand_css(&config.brand_color);
    let css_name = format!("assets/style.{}.css", short_hash(css.as_bytes()));
    site.files.insert(css_name.clone(), css.into_bytes());
    let search_js = theme_file(kb, "search.js", include_str!("../../theme/search.js"));
    let search_js_name = format!("assets/search.{}.js", short_hash(search_js.as_bytes()));
    site.files
        .insert(search_js_name.clone(), search_js.into_bytes());

    let env = match templates(kb) {
        Ok(env) => env,
        Err(e) => {
            diags.error(&kb.root.join("theme"), 0, 0, format!("template error: {e}"));
            return None;
        }
    };
    let ctx = Ctx::new(
        config,
        base,
        &format!("{base}{css_name}"),
        &format!("{base}{search_js_name}"),
        opts,
        pages,
        categories,
    );
    let mut page = |name: &str, out: String, vars: minijinja::Value, diags: &mut Diagnostics| {
        let html = env.get_template(name).and_then(|t| t.render(vars));
        add_page(kb, site, name, out, html, diags);
    };
    // A partial build renders its articles' pages only.
    let languages = if opts.only.is_some() {
        &[][..]
    } else {
        &config.languages[..]
    };
    for lang in languages {
        let home = ctx.template_context(lang, &ctx.home(lang));
        page(
            "home.html",
            format!("{lang}/index.html"),
            home.clone(),
            diags,
        );
        if *lang == config.default_language {
            page("home.html", "index.html".into(), home, diags);
            let not_found = NotFoundPage {
                common: ctx.common(lang, "404", "", config.description(lang), None, &[]),
                categories: ctx.category_cards(lang),
            };
            let vars = ctx.template_context(lang, &not_found);
            page("404.html", "404.html".into(), vars, diags);
        }
        let vars = ctx.template_context(lang, &ctx.search(lang));
        page(
            "search.html",
            format!("{lang}/search/index.html"),
            vars,
            diags,
        );
        for cat in categories {
            if let Some(vars) = ctx.category_page(lang, cat) {
                let vars = ctx.template_context(lang, &vars);
                let out = format!("{lang}/category/{}/index.html", cat.id);
                page("category.html", out, vars, diags);
            }
        }
    }
    // Article pages are most of the work; they render in parallel, then join in order.
    let indices: Vec<usize> = (0..pages.len())
        .filter(|&i| super::wanted(opts.only.as_ref(), &pages[i].src.path))
        .collect();
    let article_pages = parallel_map(&indices, |&i| {
        let vars = ctx.template_context(&pages[i].src.lang, &ctx.article_page(i, &pages[i]));
        let html = env
            .get_template("article.html")
            .and_then(|t| t.render(vars));
        (format!("{}index.html", pages[i].url), html)
    });
    for (out, html) in article_pages {
        add_page(kb, site, "article.html", out, html, diags);
    }
    if opts.only.is_none() {
        super::feeds::write(&ctx, site);
    }
    Some(ctx.scanned.into_inner())
}

/// Adds a rendered page to the site, or reports its template's error.
fn add_page(
    kb: &Kb,
    site: &mut Site,
    template: &str,
    out: String,
    html: Result<String, minijinja::Error>,
    diags: &mut Diagnostics,
) {
    match html {
        Ok(html) => {
            site.files.insert(out, html.into_bytes());
            site.stats.pages += 1;
        }
        Err(e) => diags.error(
            &kb.root.join("theme").join(template),
            e.line().unwrap_or(0),
            1,
            format!("template error: {e}"),
        ),
    }
}

/// What every page is made from. The lookups a page needs (its translations, its neighbours in
/// its category, its related articles) are maps made once here, so a page costs the same however
/// many others there are: scanning every page for each page made a 50,000-article build take
/// minutes.
pub(super) struct Ctx<'a> {
    pub config: &'a Config,
    pub base: &'a str,
    opts: &'a Options,
    pub pages: &'a [Page<'a>],
    pub categories: &'a [Category],
    category_at: HashMap<&'a str, &'a Category>,
    /// Pages by id, in page order: one per language the article is written in.
    pub by_id: HashMap<&'a str, Vec<usize>>,
    /// Pages of each language and category, in reading order.
    by_category: HashMap<&'a str, HashMap<&'a str, Vec<usize>>>,
    /// Each page's position in its `by_category` list.
    category_pos: Vec<usize>,
    /// Per language: its interface strings, and the template variables every page of that
    /// language shares (the strings, the site, the assets), converted for the templates once.
    shared: HashMap<&'a str, (strings::Strings, minijinja::Value)>,
    /// How many pages the page lookups have examined one by one (see [`Ctx::scan`]); a test holds
    /// this linear in the number of pages.
    scanned: std::sync::atomic::AtomicUsize,
}

impl<'a> Ctx<'a> {
    fn new(
        config: &'a Config,
        base: &'a str,
        css: &str,
        search_js: &str,
        opts: &'a Options,
        pages: &'a [Page<'a>],
        categories: &'a [Category],
    ) -> Self {
        let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_category: HashMap<&str, HashMap<&str, Vec<usize>>> = HashMap::new();
        let mut category_pos = Vec::with_capacity(pages.len());
        for (i, p) in pages.iter().enumerate() {
            by_id.entry(p.src.id.as_str()).or_default().push(i);
            let siblings = by_category
                .entry(p.src.lang.as_str())
                .or_default()
                .entry(p.category.as_str())
                .or_default();
            category_pos.push(siblings.len());
            siblings.push(i);
        }
        let c = config;
        // Each language's once: made per page, they cost more than a partial build's page.
        let mut languages: Vec<&String> = c.languages.iter().collect();
        for p in pages {
            if !languages.contains(&&p.src.lang) {
                languages.push(&p.src.lang);
            }
        }
        let shared = languages
            .into_iter()
            .map(|lang| {
                let t = strings::for_site(lang, &c.site_strings);
                let vars = Shared {
                    base,
                    css,
                    search_js,
                    live_reload: opts.live_reload,
                    site: SiteVars {
                        title: c.title(lang),
                        description: c.description(lang),
                        support_email: &c.support_email,
                        logo: c
                            .logo
                            .as_ref()
                            .map(|l| format!("{base}{}", l.trim_start_matches('/'))),
                        logo_abs: c
                            .logo
                            .as_ref()
                            .map(|l| c.absolute(l.trim_start_matches('/'))),
                    },
                    t: &t,
                };
                let vars = minijinja::Value::from(minijinja::value::Serde(&vars));
                (lang.as_str(), (t, vars))
            })
            .collect();
        Ctx {
            config,
            base,
            opts,
            pages,
            categories,
            category_at: categories.iter().map(|c| (c.id.as_str(), c)).collect(),
            by_id,
            by_category,
            category_pos,
            shared,
            scanned: Default::default(),
        }
    }

    /// Every page, for the few lookups that must see them all (a language's feed and popular
    /// articles); counted, so that a lookup per page cannot become a scan per page unnoticed.
    pub fn scan(&self) -> std::slice::Iter<'a, Page<'a>> {
        self.scanned
            .fetch_add(self.pages.len(), std::sync::atomic::Ordering::Relaxed);
        self.pages.iter()
    }

    /// The interface strings of `lang`, with the owner's overrides.
    fn strings(&self, lang: &str) -> &strings::Strings {
        &self.shared[lang].0
    }

    /// A page's own variables together with those every page of its language shares.
    fn template_context(&self, lang: &str, vars: &impl Serialize) -> minijinja::Value {
        let own = minijinja::Value::from(minijinja::value::Serde(vars));
        match self.shared.get(lang) {
            Some((_, shared)) => minijinja::value::merge_maps([own, shared.clone()]),
            None => own,
        }
    }

    fn common(
        &self,
        lang: &'a str,
        kind: &'static str,
        title: &str,
        description: &str,
        rel: Option<&str>,
        alternates: &[(String, String)],
    ) -> Common<'a> {
        let c = self.config;
        let languages = c
            .languages
            .iter()
            .map(|l| {
                let href = alternates
                    .iter()
                    .find(|(al, _)| al == l)
                    .map(|(_, u)| format!("{}{u}", self.base))
                    .unwrap_or_else(|| format!("{}{l}/", self.base));
                LanguageLink {
                    code: l.clone(),
                    name: language_name(l).to_string(),
                    href,
                    current: l == lang,
                }
            })
            .collect();
        let alts = if alternates.len() > 1 {
            alternates
                .iter()
                .map(|(l, u)| Alternate {
                    lang: l.clone(),
                    href: c.absolute(u),
                })
                .collect()
        } else {
            Vec::new()
        };
        let x_default = alternates
            .iter()
            .find(|(l, _)| *l == c.default_language)
            .or(alternates.first())
            .map(|(_, u)| c.absolute(u))
            .unwrap_or_default();
        // The launcher floats over the page, so only the pages where a visitor looks for an
        // answer carry it (home and search, whose "no results" opens its contact form); pages
        // people read (articles, categories, not found) stay uncovered and reach the owner
        // through "Was this helpful? → No" or the search box.
        let widget = match &self.opts.loader {
            Some(loader) if c.widget_enabled && matches!(kind, "home" | "search") => {
                Some(WidgetTag {
                    src: format!("{}widget/{loader}", self.base),
                    color: c.brand_color.clone(),
                    position: c.position.as_str(),
                    offsets: crate::widget_bundle::offsets(c),
                })
            }
            _ => None,
        };
        Common {
            lang,
            dir: if Config::is_rtl(lang) { "rtl" } else { "ltr" },
            page_kind: kind,
            page_title: title.to_string(),
            description: if description.is_empty() {
                c.title(lang)
            } else {
                description
            }
            .to_string(),
            canonical: rel.map(|r| c.absolute(r)),
            alternates: alts,
            x_default,
            og_type: if kind == "article" {
                "article"
            } else {
                "website"
            },
            languages,
            widget,
            // `base`, `css`, `search_js`, `live_reload`, `site` and `t` are the same on every
            // page of a language: they join in `template_context`.
            jsonld: None,
        }
    }

    fn cat_title(&self, cat: &Category, lang: &str) -> String {
        cat.title
            .get(lang, &self.config.default_language)
            .unwrap_or(&cat.id)
            .to_string()
    }

    /// The pages of `lang` in category `cat`, in reading order.
    pub fn in_category(&self, lang: &str, cat: &str) -> &[usize] {
        self.by_category
            .get(lang)
            .and_then(|of_lang| of_lang.get(cat))
            .map_or(&[], Vec::as_slice)
    }

    fn category_cards(&self, lang: &str) -> Vec<CategoryCard> {
        self.categories
            .iter()
            .filter_map(|c| {
                let count = self.in_category(lang, &c.id).len();
                (count > 0).then(|| CategoryCard {
                    id: c.id.clone(),
                    title: self.cat_title(c, lang),
                    count,
                    description: c
                        .description
                        .get(lang, &self.config.default_language)
                        .unwrap_or_default()
                        .to_string(),
                    href: format!("{}{lang}/category/{}/", self.base, c.id),
                })
            })
            .collect()
    }

    fn link(&self, p: &Page<'_>) -> Link {
        Link {
            title: p.src.title.clone(),
            href: format!("{}{}", self.base, p.url),
            summary: p.summary.clone(),
        }
    }

    fn home(&self, lang: &'a str) -> HomePage<'a> {
        let alternates: Vec<(String, String)> = self
            .config
            .languages
            .iter()
            .map(|l| (l.clone(), format!("{l}/")))
            .collect();
        let mut common = self.common(
            lang,
            "home",
            "",
            self.config.description(lang),
            Some(&format!("{lang}/")),
            &alternates,
        );
        common.jsonld = Some(jsonld::website(self.config, lang));
        HomePage {
            common,
            categories: self.category_cards(lang),
            featured: popular(self.scan().as_slice(), lang)
                .take(POPULAR)
                .map(|p| self.link(p))
                .collect(),
        }
    }

    fn search(&self, lang: &'a str) -> SearchPage<'a> {
        SearchPage {
            common: self.common(
                lang,
                "search",
                &self.strings(lang).search,
                self.config.description(lang),
                Some(&format!("{lang}/search/")),
                &[],
            ),
            categories: self.category_cards(lang),
            engine: self.opts.engine.as_ref().map(|e| {
                let all = format!("{}index.bin", self.base);
                let own = own_index_languages(self.pages).contains(&lang);
                EngineVars {
                    js: format!("{}widget/{}", self.base, e.js),
                    wasm: format!("{}widget/{}", self.base, e.wasm),
                    index: if own {
                        format!("{}{}", self.base, language_index(lang))
                    } else {
                        all.clone()
                    },
                    index_all: own.then_some(all),
                }
            }),
        }
    }

    fn category_page(&self, lang: &'a str, cat: &Category) -> Option<CategoryPage<'a>> {
        let articles: Vec<Link> = self
            .in_category(lang, &cat.id)
            .iter()
            .map(|&j| self.link(&self.pages[j]))
            .collect();
        if articles.is_empty() {
            return None;
        }
        let title = self.cat_title(cat, lang);
        let description = cat
            .description
            .get(lang, &self.config.default_language)
            .unwrap_or_default()
            .to_string();
        let alternates: Vec<(String, String)> = self
            .config
            .languages
            .iter()
            .filter(|l| !self.in_category(l, &cat.id).is_empty())
            .map(|l| (l.clone(), format!("{l}/category/{}/", cat.id)))
            .collect();
        let mut common = self.common(
            lang,
            "category",
            &title,
            &description,
            Some(&format!("{lang}/category/{}/", cat.id)),
            &alternates,
        );
        let home = &self.strings(lang).home;
        common.jsonld = Some(jsonld::category_breadcrumb(
            self.config,
            lang,
            home,
            &title,
            &cat.id,
        ));
        Some(CategoryPage {
            common,
            category: CategoryHead { title, description },
            articles,
        })
    }

    fn article_page(&self, i: usize, p: &'a Page<'a>) -> ArticlePage<'a> {
        let a = p.src;
        let lang = a.lang.as_str();
        let c = self.config;
        let of_id = self.by_id.get(a.id.as_str()).map_or(&[][..], Vec::as_slice);
        let translations: Vec<(String, String)> = c
            .languages
            .iter()
            .filter(|l| of_id.iter().any(|&j| self.pages[j].src.lang == **l))
            .map(|l| (l.clone(), format!("{l}/{}/", a.id)))
            .collect();
        let mut common = self.common(
            lang,
            "article",
            &a.title,
            &p.summary,
            Some(&p.url),
            &translations,
        );
        let cat = self.category_at.get(p.category.as_str()).copied();
        let cat_title = cat.map(|k| self.cat_title(k, lang)).unwrap_or_default();
        let t = self.strings(lang);
        common.jsonld = Some(jsonld::article(
            c,
            a,
            &p.url,
            &p.summary,
            (&t.home, &p.category, &cat_title),
        ));
        // Previous and next within the category, in reading order.
        let siblings = self.in_category(lang, &p.category);
        let pos = Some(self.category_pos[i]).filter(|&k| siblings.get(k) == Some(&i));
        let neighbour = |k: Option<usize>| {
            k.and_then(|k| siblings.get(k))
                .map(|&j| self.link(&self.pages[j]))
        };
        ArticlePage {
            common,
            category: cat.map(|_| CategoryRef {
                href: format!("{}{lang}/category/{}/", self.base, p.category),
                title: cat_title.clone(),
            }),
            article: ArticleVars {
                id: &a.id,
                title: &a.title,
                html: &p.html,
                updated: a.front.updated.as_deref(),
                summary: &p.summary,
            },
            toc: &p.toc,
            translations: translations
                .iter()
                .filter(|(l, _)| l != lang)
                .map(|(l, u)| Translation {
                    lang: l.clone(),
                    name: language_name(l).to_string(),
                    href: format!("{}{u}", self.base),
                })
                .collect(),
            related: self.related(p),
            prev: neighbour(pos.and_then(|k| k.checked_sub(1))),
            next: neighbour(pos.map(|k| k + 1)),
            ticket: (!c.support_email.is_empty()).then(|| self.ticket(p, t)),
        }
    }

    /// An article's `related`, each in the reader's language when written in it.
    fn related(&self, p: &Page<'_>) -> Vec<Link> {
        let lang = p.src.lang.as_str();
        p.src
            .front
            .related
            .iter()
            .filter_map(|r| {
                let of_r = self.by_id.get(r.as_str())?;
                let j = of_r
                    .iter()
                    .find(|&&j| self.pages[j].src.lang == lang)
                    .or(of_r.first())?;
                Some(self.link(&self.pages[*j]))
            })
            .collect()
    }

    /// "Was this helpful? → No": an email to the owner naming the article.
    fn ticket(&self, p: &Page<'_>, t: &strings::Strings) -> Ticket {
        let (a, c) = (p.src, self.config);
        let subject = format!("[{}] {}: {}", c.title(&a.lang), t.feedback_subject, a.title);
        let body = format!(
            "{}\n\n\n---\n{}\n{}\nid: {} · lang: {}\n",
            t.feedback_body,
            a.title,
            c.absolute(&p.url),
            a.id,
            a.lang
        );
        Ticket {
            href: mailto(&c.support_email, &subject, &body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailto_encoding_is_rfc6068() {
        assert_eq!(
            mailto("help@x.example", "a b&c?d#e%f+g\n退", "x\r\ny\rz"),
            "mailto:help@x.example?subject=a%20b%26c%3Fd%23e%25f%2Bg%0D%0A%E9%80%80&body=x%0D%0Ay%0D%0Az"
        );
    }
}
