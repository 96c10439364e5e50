//! Turns a loaded knowledge base into the help center: every page, feed, sitemap, the search
//! index and the widget's config, all in memory.
//!
//! [`build`] runs the steps in order; each concern has its module: [`validate`] (ids, `related`,
//! rule links), [`resolve`] (links and images, against what `load` found), [`pages`] (templates
//! and their typed contexts), [`feeds`] (Atom feeds, sitemap, robots.txt), [`headers`]
//! (`_headers`, `widget-config.json`) and [`brand`] (the brand colour's WCAG arithmetic).
//!
//! Invariant: nothing here reads or writes the disk; [`crate::load`] read the knowledge base and
//! [`crate::output`] writes the returned files in one step, so a failed render never leaves a
//! half-written site.

mod brand;
mod context;
mod feeds;
mod headers;
mod jsonld;
mod pages;
mod resolve;
mod validate;

pub(crate) use resolve::{image_candidates, site_absolute};

use crate::config::{Category, Config, Localized};
use crate::diag::{line_col, Diagnostics};
use crate::load::{Kb, SourceArticle};
use crate::markdown::{self, Problem, TocEntry};
use crate::strings;
use resolve::{Resolver, RuleResolver};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use validate::Known;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Replaces `site.base_url`, e.g. for `kbgen serve` on 127.0.0.1.
    pub base_url: Option<String>,
    /// Adds the live-reload script that `kbgen serve` answers.
    pub live_reload: bool,
    /// The widget loader's file name inside `widget/`; `None` builds pages without the widget.
    pub loader: Option<String>,
    /// Content-hashed widget files (no loader) that may be cached forever.
    pub widget_hashed: Vec<String>,
    /// The search page's glue and WebAssembly (the engine's build of the widget crate); `None`
    /// leaves the search page to list categories only.
    pub engine: Option<EngineFiles>,
    /// Renders only some articles' pages, for `kbgen serve` when an article was edited.
    pub only: Option<Partial>,
}

/// What a partial build renders: the pages and widget files of the articles in `paths` (their
/// source files), nothing else (no index, no other page). The other articles' markdown is not
/// rendered: links to them on those pages take their summaries from `summaries` (by source file,
/// as [`Site::summaries`] of an earlier build gave them).
#[derive(Clone, Debug, Default)]
pub struct Partial {
    pub paths: HashSet<PathBuf>,
    pub summaries: std::sync::Arc<HashMap<PathBuf, String>>,
}

/// File names inside `widget/` of the search page's JS glue module and its WebAssembly.
#[derive(Clone, Debug, Default)]
pub struct EngineFiles {
    pub js: String,
    pub wasm: String,
}

#[derive(Debug, Default)]
pub struct Stats {
    pub articles: usize,
    pub languages: Vec<String>,
    pub rules: usize,
    pub pages: usize,
    pub index_bytes: usize,
    /// The search pages' own-language indexes together (see `own_index_languages`), if any.
    pub language_index_bytes: usize,
    /// Every index's shards (see `solodesk_engine::IndexBuilder::build_sharded`), if any.
    pub shards: usize,
    pub shard_bytes: usize,
    /// All articles' passages files together (see `solodesk_engine::Passages`).
    pub passages_bytes: usize,
    pub drafts: usize,
    /// How many pages the page lookups examined one at a time while making the site: a few per
    /// page, never all pages per page (`Ctx::scan`).
    pub pages_scanned: usize,
}

/// The site in memory: generated files by path under the output folder, and files to copy.
#[derive(Debug, Default)]
pub struct Site {
    pub files: BTreeMap<String, Vec<u8>>,
    pub copies: BTreeMap<String, PathBuf>,
    pub stats: Stats,
    /// What the owner must do outside the output folder (e.g. robots.txt at the domain's root).
    pub notes: Vec<String>,
    /// Each rendered article's summary by source file, for a later [`Partial`] build.
    pub summaries: HashMap<PathBuf, String>,
}

/// One article after rendering, as pages and the index need it.
#[derive(Debug)]
struct Page<'a> {
    src: &'a SourceArticle,
    category: String,
    url: String,
    /// The body on the help center's page: sanitised unless the owner opted into raw HTML.
    html: String,
    /// The body in the widget, inside the owner's site: sanitised always.
    widget_html: String,
    toc: Vec<TocEntry>,
    summary: String,
    sections: Vec<solodesk_engine::Section>,
    order: i64,
}

/// Renders `kb` with `opts`; problems go to `diags`, and a site with errors is not to be written.
pub fn build(kb: &Kb, opts: &Options, diags: &mut Diagnostics) -> Site {
    let mut config = kb.config.clone();
    if let Some(b) = &opts.base_url {
        config.base_url = if b.ends_with('/') {
            b.clone()
        } else {
            format!("{b}/")
        };
    }
    let base = config.base_path();
    let mut site = Site::default();

    let known = validate::articles(kb, &mut site.stats, diags);
    let (categories, article_category) = categories(kb, &config, &known.live, diags);
    let pages = render_articles(
        kb,
        &config,
        &base,
        &known,
        &article_category,
        opts.only.as_ref(),
        &mut site,
        diags,
    );
    validate::related(kb, &known, &pages, diags);
    // The indexes are built on threads of their own while the pages render: independent work. A
    // partial build makes none.
    let indexes = opts
        .only
        .is_none()
        .then(|| IndexJobs::start(kb, &config, &known, &pages, &categories, diags));
    let scanned = pages::render(
        kb,
        &config,
        &base,
        opts,
        &pages,
        &categories,
        &mut site,
        diags,
    );
    let finish = |site: &mut Site| indexes.map(|i| i.finish(site));
    let Some(scanned) = scanned else {
        finish(&mut site);
        return site;
    };
    widget_files(&pages, opts.only.as_ref(), &mut site);
    site.stats.pages_scanned = scanned;
    if opts.only.is_some() {
        return site;
    }
    site.files.insert(
        "favicon.svg".into(),
        brand::favicon(&config.brand_color).into_bytes(),
    );
    site.files.insert(
        "_headers".into(),
        headers::headers(&base, opts, &config, &own_index_languages(&pages)).into_bytes(),
    );
    site.files.insert(
        "widget-config.json".into(),
        headers::widget_config(&config, &own_index_languages(&pages)).into_bytes(),
    );

    finish(&mut site);
    site.stats.articles = pages.len();
    site.stats.languages = config.languages.clone();
    site.stats.rules = kb.rules.len();
    site
}

/// The search indexes being built: every language's (`index.bin`) and, on a site in several, each
/// language's own (see [`own_index_languages`]), with their shards.
struct IndexJobs {
    all: IndexJob,
    own: Vec<(String, IndexJob)>,
}

/// An index being built on its thread: its file and its shards' files, by name.
type IndexJob = std::thread::JoinHandle<(Vec<u8>, Vec<(String, Vec<u8>)>)>;

impl IndexJobs {
    fn start(
        kb: &Kb,
        config: &Config,
        known: &Known<'_>,
        pages: &[Page<'_>],
        categories: &[Category],
        diags: &mut Diagnostics,
    ) -> IndexJobs {
        let (builder, rules) = index_builder(kb, config, known, pages, categories, diags);
        let shards = config.index_shard_kb;
        let build =
            |b: solodesk_engine::IndexBuilder| std::thread::spawn(move || build_index(&b, shards));
        IndexJobs {
            all: build(builder),
            // The search page and the widget of a site in several languages load their own
            // language's index (its articles and rules).
            own: language_builders(config, pages, categories, &rules)
                .into_iter()
                .map(|(lang, b)| (lang, build(b)))
                .collect(),
        }
    }

    /// Waits for the indexes and adds them to `site`.
    fn finish(self, site: &mut Site) {
        let join = |job: IndexJob| job.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        let add_shards = |site: &mut Site, shards: Vec<(String, Vec<u8>)>| {
            site.stats.shards += shards.len();
            site.stats.shard_bytes += shards.iter().map(|(_, b)| b.len()).sum::<usize>();
            site.files.extend(shards);
        };
        let (index, shards) = join(self.all);
        site.stats.index_bytes = index.len();
        site.files.insert("index.bin".into(), index);
        add_shards(site, shards);
        for (lang, job) in self.own {
            let (index, shards) = join(job);
            site.stats.language_index_bytes += index.len();
            site.files.insert(language_index(&lang), index);
            add_shards(site, shards);
        }
    }
}

/// An index file and its shards' files (by name): postings above `shard_kb` KiB (`index_shard_kb`,
/// 0 for never) are cut into shards of a sixteenth of it (see `config::DEFAULT_SHARD_KB`).
fn build_index(
    builder: &solodesk_engine::IndexBuilder,
    shard_kb: usize,
) -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
    let above = match shard_kb {
        0 => usize::MAX,
        kb => kb.saturating_mul(1024),
    };
    builder.build_sharded_above(above, (above / 16).max(1))
}

/// The search index [`build`] writes as `index.bin` (with its shards' files, by name), and
/// nothing else: no page, no language's own index, no widget file. For the owner's desk, which
/// asks the knowledge base its visitors' questions: at 10,000 articles, making the whole site
/// for it took three times as long.
pub fn index_files(kb: &Kb, diags: &mut Diagnostics) -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
    let config = &kb.config;
    let mut site = Site::default();
    let known = validate::articles(kb, &mut site.stats, diags);
    let (categories, article_category) = categories(kb, config, &known.live, diags);
    let pages = render_articles(
        kb,
        config,
        &config.base_path(),
        &known,
        &article_category,
        None,
        &mut site,
        diags,
    );
    let (builder, _) = index_builder(kb, config, &known, &pages, &categories, diags);
    build_index(&builder, config.index_shard_kb)
}

/// Categories: the configured ones, then any that articles name or their folders imply; and each
/// published article's category id.
fn categories(
    kb: &Kb,
    config: &Config,
    live: &[usize],
    diags: &mut Diagnostics,
) -> (Vec<Category>, HashMap<usize, String>) {
    let mut categories: Vec<Category> = config.categories.clone();
    let mut known_categories: HashSet<String> = categories.iter().map(|k| k.id.clone()).collect();
    let mut warned_categories = HashSet::new();
    let mut article_category: HashMap<usize, String> = HashMap::new();
    for &i in live {
        let a = &kb.articles[i];
        let cat = match &a.front.category {
            Some(c) if !c.is_empty() => {
                let id = markdown::slug(c);
                if !config.categories.is_empty()
                    && !config.categories.iter().any(|k| k.id == id)
                    && warned_categories.insert(id.clone())
                {
                    diags.warn(
                        &a.path,
                        1,
                        1,
                        format!("category \"{c}\" is not defined in kbgen.toml"),
                    );
                }
                id
            }
            _ => implied_category(a, config),
        };
        if known_categories.insert(cat.clone()) {
            let title = if cat == "general" {
                config
                    .languages
                    .iter()
                    .map(|l| {
                        (
                            l.clone(),
                            strings::for_site(l, &config.site_strings).general,
                        )
                    })
                    .collect()
            } else {
                [("*".to_string(), crate::config::humanize(&cat))].into()
            };
            categories.push(Category {
                id: cat.clone(),
                order: i64::MAX,
                title: Localized(title),
                description: Localized::default(),
            });
        }
        article_category.insert(i, cat);
    }
    (categories, article_category)
}

/// Renders every published article's markdown (in parallel), reports its problems at their line,
/// and adds the images it names to the files to copy; the pages come back in reading order.
/// With `only`, the other articles are not rendered: their pages have no body and the summary
/// `only` remembers.
#[allow(clippy::too_many_arguments)]
fn render_articles<'a>(
    kb: &'a Kb,
    config: &Config,
    base: &str,
    known: &Known<'_>,
    article_category: &HashMap<usize, String>,
    only: Option<&Partial>,
    site: &mut Site,
    diags: &mut Diagnostics,
) -> Vec<Page<'a>> {
    let mut pages: Vec<Page<'_>> = Vec::new();
    let mut images: BTreeMap<String, PathBuf> = BTreeMap::new();
    let rendered = parallel_map(&known.live, |&i| {
        let a = &kb.articles[i];
        if !wanted(only, &a.path) {
            // Its remembered summary stands for its first paragraph (see below).
            let summary = only
                .and_then(|o| o.summaries.get(&a.path).cloned())
                .unwrap_or_default();
            let r = markdown::Rendered {
                first_paragraph: summary,
                ..Default::default()
            };
            return (i, r, String::new(), BTreeMap::new());
        }
        let resolver = Resolver {
            kb,
            article: a,
            by_id: &known.by_id,
            by_path: &known.by_path,
            base,
            images: Default::default(),
        };
        let r = markdown::render(&a.body, &resolver, Some(&a.title));
        let widget_html = markdown::sanitize(&r.unsanitised, markdown::Target::Widget);
        (i, r, widget_html, resolver.images.into_inner())
    });
    for (i, r, widget_html, found) in rendered {
        let a = &kb.articles[i];
        images.extend(found);
        for p in r.problems {
            let (off, msg, err) = match p {
                Problem::Error(o, m) => (o, m, true),
                Problem::Warning(o, m) => (o, m, false),
            };
            let (line, col) = line_col(&a.body, off);
            let line = a.body_line + line - 1;
            // Without kbgen.toml this is markdown from another tool: build it, but say what broke.
            if err && kb.has_config {
                diags.error(&a.path, line, col, msg);
            } else {
                diags.warn(&a.path, line, col, msg);
            }
        }
        let summary = if wanted(only, &a.path) {
            let summary = a
                .front
                .summary
                .clone()
                .unwrap_or_else(|| truncate(&r.first_paragraph, 200));
            site.summaries.insert(a.path.clone(), summary.clone());
            summary
        } else {
            r.first_paragraph
        };
        pages.push(Page {
            src: a,
            category: article_category[&i].clone(),
            url: format!("{}/{}/", a.lang, a.id),
            widget_html,
            html: if config.raw_html {
                r.unsanitised
            } else {
                r.html
            },
            toc: r.toc,
            summary,
            sections: r.sections,
            order: a.front.order.unwrap_or(i64::MAX),
        });
    }
    pages.sort_by(|x, y| {
        (&x.src.lang, x.order, &x.src.title).cmp(&(&y.src.lang, y.order, &y.src.title))
    });
    site.copies.extend(images);
    if only.is_some() {
        // The images folder and the logo are there from the full build.
        return pages;
    }
    for (rel, src) in &kb.images {
        site.copies
            .entry(rel.clone())
            .or_insert_with(|| src.clone());
    }
    if let Some((rel, src)) = &kb.logo {
        site.copies
            .entry(rel.clone())
            .or_insert_with(|| src.clone());
    }
    pages
}

/// The search index's articles (in the order of [`popular`]) and rules, ready to build; and the
/// rules alone, for the languages' own indexes.
fn index_builder(
    kb: &Kb,
    config: &Config,
    known: &Known<'_>,
    pages: &[Page<'_>],
    categories: &[Category],
    diags: &mut Diagnostics,
) -> (solodesk_engine::IndexBuilder, Vec<solodesk_engine::Rule>) {
    let mut builder = solodesk_engine::IndexBuilder::new();
    let category_at: HashMap<&str, &Category> =
        categories.iter().map(|c| (c.id.as_str(), c)).collect();
    for lang in languages(pages) {
        for p in popular(pages, lang) {
            builder.add_article(index_article(p, config, &category_at));
        }
    }
    let rules = index_rules(kb, config, known, diags);
    for rule in &rules {
        builder.add_rule(rule.clone());
    }
    (builder, rules)
}

/// The rules as the index holds them: their answers rendered for the widget, their links checked.
fn index_rules(
    kb: &Kb,
    config: &Config,
    known: &Known<'_>,
    diags: &mut Diagnostics,
) -> Vec<solodesk_engine::Rule> {
    let mut rules = Vec::with_capacity(kb.rules.len());
    for rule in &kb.rules {
        let lang = rule
            .lang
            .clone()
            .unwrap_or_else(|| config.default_language.clone());
        validate::rule_links(rule, &lang, known, diags);
        let resolver = RuleResolver {
            config,
            lang: &lang,
            by_id: &known.by_id,
            kb,
        };
        let r = markdown::render(&rule.answer, &resolver, None);
        // What the answer loses (a script, a `javascript:` link) is said, as for articles.
        for p in r.problems {
            let m = |m| format!("rule \"{}\": {m}", rule.id);
            match p {
                Problem::Error(_, e) => diags.error(&rule.path, rule.line, rule.col, m(e)),
                Problem::Warning(_, w) => diags.warn(&rule.path, rule.line, rule.col, m(w)),
            }
        }
        rules.push(solodesk_engine::Rule {
            id: rule.id.clone(),
            lang,
            phrasings: rule.phrasings.clone(),
            keywords: rule.keywords.clone(),
            regex: rule.regex.clone(),
            answer_html: markdown::sanitize(&r.unsanitised, markdown::Target::Widget),
            articles: rule.articles.clone(),
            priority: rule.priority,
        });
    }
    rules
}

/// The languages of `pages`, in their order (the pages are sorted by language).
fn languages<'p>(pages: &'p [Page<'p>]) -> Vec<&'p str> {
    let mut l: Vec<&str> = pages.iter().map(|p| p.src.lang.as_str()).collect();
    l.dedup();
    l
}

/// The file of `lang`'s own index, which that language's search page and the widget on that
/// language's pages load.
pub(super) fn language_index(lang: &str) -> String {
    format!("index.{lang}.bin")
}

/// The languages that get an index of their own: all of them when articles come in more than one
/// (with one, `index.bin` is that language's index already).
fn own_index_languages<'p>(pages: &'p [Page<'p>]) -> Vec<&'p str> {
    let l = languages(pages);
    if l.len() > 1 {
        l
    } else {
        Vec::new()
    }
}

/// One index per language for its search page and its widget (see [`own_index_languages`]): that
/// language's articles in the order of [`popular`], and its rules.
fn language_builders(
    config: &Config,
    pages: &[Page<'_>],
    categories: &[Category],
    rules: &[solodesk_engine::Rule],
) -> Vec<(String, solodesk_engine::IndexBuilder)> {
    let category_at: HashMap<&str, &Category> =
        categories.iter().map(|c| (c.id.as_str(), c)).collect();
    own_index_languages(pages)
        .into_iter()
        .map(|lang| {
            let mut builder = solodesk_engine::IndexBuilder::new();
            for p in popular(pages, lang) {
                builder.add_article(index_article(p, config, &category_at));
            }
            for rule in rules.iter().filter(|r| r.lang == lang) {
                builder.add_rule(rule.clone());
            }
            (lang.to_string(), builder)
        })
        .collect()
}

/// What the index holds of an article.
fn index_article(
    p: &Page<'_>,
    config: &Config,
    category_at: &HashMap<&str, &Category>,
) -> solodesk_engine::Article {
    let cat_title = category_at
        .get(p.category.as_str())
        .and_then(|c| c.title.get(&p.src.lang, &config.default_language))
        .unwrap_or_default()
        .to_string();
    solodesk_engine::Article {
        id: p.src.id.clone(),
        lang: p.src.lang.clone(),
        title: p.src.title.clone(),
        url: p.url.clone(),
        summary: p.summary.clone(),
        category: cat_title,
        questions: p.src.front.questions.clone(),
        tags: p.src.front.tags.clone(),
        pages: p.src.front.pages.clone(),
        sections: p.sections.clone(),
    }
}

/// The widget reads an article inside its panel from a fragment (the rendered body only),
/// fetched when the visitor opens it, and a result's section and snippet from the article's
/// passages (its plain text, which the index leaves out), fetched for the results it shows;
/// `widget/` is where the help center allows other origins.
fn widget_files(pages: &[Page<'_>], only: Option<&Partial>, site: &mut Site) {
    for p in pages.iter().filter(|p| wanted(only, &p.src.path)) {
        site.files.insert(
            solodesk_engine::article_file(&p.url, "html"),
            p.widget_html.clone().into_bytes(),
        );
        let passages =
            solodesk_engine::Passages::new(p.summary.clone(), p.sections.clone()).to_bytes();
        site.stats.passages_bytes += passages.len();
        site.files
            .insert(solodesk_engine::article_file(&p.url, "bin"), passages);
    }
}

/// Whether a build renders the article of source file `path`: always, unless it is a
/// [`Partial`] one without it.
fn wanted(only: Option<&Partial>, path: &std::path::Path) -> bool {
    only.is_none_or(|o| o.paths.contains(path))
}

/// How many articles the home page lists under "Popular articles".
const POPULAR: usize = 6;

fn is_featured(p: &Page<'_>) -> bool {
    p.src.front.tags.iter().any(|t| t == "featured")
}

/// The articles of `lang` as the owner ranks them: tagged `featured` first, then the rest, each
/// by `order` and then title. The home page's "Popular articles" are the first of these, and the
/// index lists articles in this order, so the widget's "Popular articles" (the first of the
/// visitor's language in the index) are the same.
fn popular<'p>(pages: &'p [Page<'p>], lang: &'p str) -> impl Iterator<Item = &'p Page<'p>> + 'p {
    // `pages` are already by language, order and title; featured ones move ahead, stably.
    let of_lang = move || pages.iter().filter(move |p| p.src.lang == lang);
    of_lang()
        .filter(|p| is_featured(p))
        .chain(of_lang().filter(|p| !is_featured(p)))
}

/// Maps `f` over `items` on all cores, keeping the order (articles are read and rendered each
/// on its own).
pub(crate) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads < 2 || items.len() < 32 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Without a category in the front matter: the first folder inside the language folder, else "general".
fn implied_category(a: &SourceArticle, config: &Config) -> String {
    let rel = match a.rel.split_once('/') {
        Some((first, rest)) if config.languages.iter().any(|l| l == first) => rest,
        _ => a.rel.as_str(),
    };
    match rel.split_once('/') {
        Some((dir, _)) => markdown::slug(dir),
        None => "general".into(),
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_string();
    }
    let cut: String = s.chars().take(max_chars).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

pub fn short_hash(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().take(5).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a knowledge base of `ids` articles in English and Spanish, in 4 categories, each
    /// relating two others, and returns how many pages the page lookups examined.
    fn pages_scanned(ids: usize) -> (usize, usize) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("kbgen.toml"),
            "[site]\ntitle = \"T\"\nlanguages = [\"en\", \"es\"]\n",
        )
        .unwrap();
        for lang in ["en", "es"] {
            for i in 0..ids {
                let folder = dir.path().join(format!("articles/{lang}/c{}", i % 4));
                std::fs::create_dir_all(&folder).unwrap();
                std::fs::write(
                    folder.join(format!("a{i}.md")),
                    format!(
                        "---\ntitle: Article {i}\nupdated: 2024-01-01\nrelated: [a{}, a{}]\n---\n\nText {i}.\n",
                        (i + 1) % ids,
                        (i + 7) % ids
                    ),
                )
                .unwrap();
            }
        }
        let mut diags = Diagnostics::default();
        let kb = crate::load::load(dir.path(), &mut diags);
        let site = build(&kb, &Options::default(), &mut diags);
        assert_eq!(diags.errors(), 0);
        (site.stats.pages_scanned, site.stats.articles)
    }

    /// Each page finds its translations, neighbours and related articles in maps made once: the
    /// pages examined one by one grow with the pages, not with their square (a scan of all pages
    /// per page made 50,000 articles take minutes). Only the feeds and the home pages' popular
    /// articles look at every page, once per language.
    #[test]
    fn pages_are_linked_without_scanning_all_pages_per_page() {
        for ids in [50, 400] {
            let (scanned, articles) = pages_scanned(ids);
            assert_eq!(articles, 2 * ids);
            assert!(
                scanned <= 2 * 2 * articles,
                "{scanned} pages examined for {articles} articles"
            );
        }
    }
}
