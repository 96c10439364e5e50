//! Turns a loaded knowledge base into the help center: every page, feed, sitemap, the search
//! index and the widget's config, all in memory.
//!
//! Invariant: nothing here writes to disk; [`crate::output`] writes the returned files in one step,
//! so a failed render never leaves a half-written site.

use crate::config::{Category, Config, Localized};
use crate::diag::{line_col, Diagnostics};
use crate::load::{Kb, SourceArticle};
use crate::markdown::{self, Problem, Resolve, TocEntry};
use crate::strings::{self, language_name};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

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
    pub languages: usize,
    pub rules: usize,
    pub pages: usize,
    pub index_bytes: usize,
    /// The index's shards (see `solodesk_engine::IndexBuilder::build_sharded`), if it has any.
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

    // Which articles exist, by language and id, and by file.
    let mut by_id: HashMap<(&str, &str), usize> = HashMap::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    let mut live: Vec<usize> = Vec::new();
    for (i, a) in kb.articles.iter().enumerate() {
        if a.front.draft {
            site.stats.drafts += 1;
            continue;
        }
        if let Err(msg) = crate::load::check_id(&a.id) {
            diags.error(&a.path, 1, 1, msg);
            continue;
        }
        if let Some(&j) = by_id.get(&(a.lang.as_str(), a.id.as_str())) {
            diags.error(
                &a.path,
                1,
                1,
                format!(
                    "duplicate id \"{}\" in language \"{}\" (also used by {})",
                    a.id,
                    a.lang,
                    kb.articles[j].path.display()
                ),
            );
            continue;
        }
        by_id.insert((a.lang.as_str(), a.id.as_str()), i);
        by_path.insert(normalize(&a.path), i);
        live.push(i);
    }

    // Categories: the configured ones, then any that articles name or their folders imply.
    let mut categories: Vec<Category> = config.categories.clone();
    let mut known_categories: HashSet<String> = categories.iter().map(|k| k.id.clone()).collect();
    let mut warned_categories = HashSet::new();
    let mut article_category: HashMap<usize, String> = HashMap::new();
    for &i in &live {
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
            _ => implied_category(a, &config),
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

    // Render every article's markdown.
    let mut pages: Vec<Page<'_>> = Vec::new();
    let mut images: BTreeMap<String, PathBuf> = BTreeMap::new();
    let rendered = parallel_map(&live, |&i| {
        let a = &kb.articles[i];
        let resolver = Resolver {
            kb,
            article: a,
            by_id: &by_id,
            by_path: &by_path,
            base: &base,
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
        let summary = a
            .front
            .summary
            .clone()
            .unwrap_or_else(|| truncate(&r.first_paragraph, 200));
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
    for (rel, src) in &kb.images {
        site.copies
            .entry(rel.clone())
            .or_insert_with(|| src.clone());
    }
    if let Some(logo) = &config.logo {
        let rel = logo.trim_start_matches('/');
        let src = kb.root.join(rel);
        let problem = match crate::load::inside(&kb.root_canon, &src) {
            Ok(true) if src.is_file() => None,
            Ok(_) if src.is_dir() => Some(format!("logo is a folder: `{logo}`")),
            Ok(true) | Err(_) => Some(format!("logo not found: `{logo}`")),
            Ok(false) => Some(format!(
                "logo `{logo}` is outside the knowledge-base folder; it is not published"
            )),
        };
        match problem {
            None => {
                site.copies.entry(rel.to_string()).or_insert(src);
            }
            Some(msg) => {
                let path = kb.root.join(crate::load::CONFIG_FILE);
                let line = crate::config::key_line(
                    &std::fs::read_to_string(&path).unwrap_or_default(),
                    "logo",
                );
                diags.error(&path, line, 1, msg);
            }
        }
    }

    // Related ids must exist (in any language).
    let any_lang_ids: HashSet<&str> = kb.articles.iter().map(|a| a.id.as_str()).collect();
    for p in &pages {
        for r in &p.src.front.related {
            if !by_id.contains_key(&(p.src.lang.as_str(), r.as_str()))
                && !any_lang_ids.contains(r.as_str())
            {
                let msg = format!("`related` names \"{r}\", but no article has that id");
                // Another tool's `related` may hold titles or paths: a warning there.
                if kb.has_config {
                    diags.error(&p.src.path, 1, 1, msg);
                } else {
                    diags.warn(&p.src.path, 1, 1, msg);
                }
            }
        }
    }

    // The search index and the rules.
    let mut builder = solodesk_engine::IndexBuilder::new();
    let languages: Vec<&str> = {
        let mut l: Vec<&str> = pages.iter().map(|p| p.src.lang.as_str()).collect();
        l.dedup();
        l
    };
    let category_at: HashMap<&str, &Category> =
        categories.iter().map(|c| (c.id.as_str(), c)).collect();
    for p in languages.iter().flat_map(|l| popular(&pages, l)) {
        let cat_title = category_at
            .get(p.category.as_str())
            .and_then(|c| c.title.get(&p.src.lang, &config.default_language))
            .unwrap_or_default()
            .to_string();
        builder.add_article(solodesk_engine::Article {
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
        });
    }
    for rule in &kb.rules {
        let lang = rule
            .lang
            .clone()
            .unwrap_or_else(|| config.default_language.clone());
        for id in &rule.articles {
            if !by_id.contains_key(&(lang.as_str(), id.as_str()))
                && !any_lang_ids.contains(id.as_str())
            {
                diags.error(
                    &rule.path,
                    rule.line,
                    rule.col,
                    format!(
                        "rule \"{}\" links article \"{id}\", which does not exist",
                        rule.id
                    ),
                );
            }
        }
        let resolver = RuleResolver {
            config: &config,
            lang: &lang,
            by_id: &by_id,
            kb,
        };
        let r = markdown::render(&rule.answer, &resolver, None);
        for p in r.problems {
            if let Problem::Error(_, m) = p {
                diags.error(
                    &rule.path,
                    rule.line,
                    rule.col,
                    format!("rule \"{}\": {m}", rule.id),
                );
            }
        }
        builder.add_rule(solodesk_engine::Rule {
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
    // The index is built on its own thread while the pages render: it is independent work.
    let shard_bytes = match config.index_shard_kb {
        0 => usize::MAX,
        kb => kb.saturating_mul(1024),
    };
    let index_job = std::thread::spawn(move || builder.build_sharded(shard_bytes));
    type IndexJob = std::thread::JoinHandle<(Vec<u8>, Vec<(String, Vec<u8>)>)>;
    let finish_index = |site: &mut Site, job: IndexJob| {
        let (index, shards) = job.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        site.stats.index_bytes = index.len();
        site.stats.shards = shards.len();
        site.stats.shard_bytes = shards.iter().map(|(_, b)| b.len()).sum();
        site.files.insert("index.bin".into(), index);
        site.files.extend(shards);
    };

    // Assets.
    let css = theme_file(kb, "style.css", include_str!("../theme/style.css"))
        + &brand_css(&config.brand_color);
    let css_name = format!("assets/style.{}.css", short_hash(css.as_bytes()));
    site.files.insert(css_name.clone(), css.into_bytes());
    let search_js = theme_file(kb, "search.js", include_str!("../theme/search.js"));
    let search_js_name = format!("assets/search.{}.js", short_hash(search_js.as_bytes()));
    site.files
        .insert(search_js_name.clone(), search_js.into_bytes());

    let env = match templates(kb) {
        Ok(env) => env,
        Err(e) => {
            diags.error(&kb.root.join("theme"), 0, 0, format!("template error: {e}"));
            finish_index(&mut site, index_job);
            return site;
        }
    };
    let ctx = Ctx::new(
        &config,
        &base,
        format!("{base}{css_name}"),
        format!("{base}{search_js_name}"),
        opts,
        &pages,
        &categories,
    );
    let mut render =
        |name: &str, out: String, vars: Map<String, Value>, diags: &mut Diagnostics| match env
            .get_template(name)
            .and_then(|t| t.render(ctx.template_context(&vars)))
        {
            Ok(html) => {
                site.files.insert(out, html.into_bytes());
                site.stats.pages += 1;
            }
            Err(e) => diags.error(
                &kb.root.join("theme").join(name),
                e.line().unwrap_or(0),
                1,
                format!("template error: {e}"),
            ),
        };

    for lang in &config.languages {
        let home = ctx.home(lang);
        render(
            "home.html",
            format!("{lang}/index.html"),
            home.clone(),
            diags,
        );
        if *lang == config.default_language {
            render("home.html", "index.html".into(), home, diags);
            // "Browse the categories below": the not-found page lists them.
            let mut not_found = ctx.common(lang, "404", "", config.description(lang), None, &[]);
            not_found.insert("categories".into(), ctx.category_cards(lang));
            render("404.html", "404.html".into(), not_found, diags);
        }
        let mut search = ctx.common(
            lang,
            "search",
            &ctx.strings(lang).search,
            config.description(lang),
            Some(&format!("{lang}/search/")),
            &[],
        );
        search.insert("categories".into(), ctx.category_cards(lang));
        search.insert(
            "engine".into(),
            json!(opts.engine.as_ref().map(|e| json!({
                "js": format!("{base}widget/{}", e.js),
                "wasm": format!("{base}widget/{}", e.wasm),
                "index": format!("{base}index.bin"),
            }))),
        );
        render(
            "search.html",
            format!("{lang}/search/index.html"),
            search,
            diags,
        );
        for cat in &categories {
            if let Some(vars) = ctx.category_page(lang, cat) {
                render(
                    "category.html",
                    format!("{lang}/category/{}/index.html", cat.id),
                    vars,
                    diags,
                );
            }
        }
    }
    // Article pages are most of the work; they render in parallel, then join in order.
    let indices: Vec<usize> = (0..pages.len()).collect();
    let article_pages = parallel_map(&indices, |&i| {
        let vars = ctx.article_page(i, &pages[i]);
        let html = env
            .get_template("article.html")
            .and_then(|t| t.render(ctx.template_context(&vars)));
        (format!("{}index.html", pages[i].url), html)
    });
    // The widget reads an article inside its panel from this fragment (the rendered body only),
    // fetched when the visitor opens it, and a result's section and snippet from the article's
    // passages (its plain text, which the index leaves out), fetched for the results it shows;
    // `widget/` is where the help center allows other origins.
    for p in &pages {
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
    for (out, html) in article_pages {
        match html {
            Ok(html) => {
                site.files.insert(out, html.into_bytes());
                site.stats.pages += 1;
            }
            Err(e) => diags.error(
                &kb.root.join("theme").join("article.html"),
                e.line().unwrap_or(0),
                1,
                format!("template error: {e}"),
            ),
        }
    }

    for lang in &config.languages {
        site.files
            .insert(format!("{lang}/feed.xml"), ctx.feed(lang).into_bytes());
    }
    site.files
        .insert("sitemap.xml".into(), ctx.sitemap().into_bytes());
    // Crawlers read robots.txt only at the root of a host: under a base path it would never be
    // read, so it is written only at the root, and otherwise the owner is told what to add there.
    let sitemap_line = format!("Sitemap: {}", config.absolute("sitemap.xml"));
    if base == "/" {
        site.files.insert(
            "robots.txt".into(),
            format!("User-agent: *\nAllow: /\n{sitemap_line}\n").into_bytes(),
        );
    } else {
        let root = config
            .absolute("")
            .strip_suffix(base.as_str())
            .map_or_else(|| "/robots.txt".to_string(), |r| format!("{r}/robots.txt"));
        site.notes.push(format!(
            "no robots.txt written: the help center lives under {base}, and crawlers read robots.txt only at {root}; add this line to that file so they find the sitemap:\n  {sitemap_line}"
        ));
    }
    site.files.insert(
        "favicon.svg".into(),
        favicon(&config.brand_color).into_bytes(),
    );
    site.files.insert(
        "_headers".into(),
        headers(&base, opts, &config).into_bytes(),
    );
    site.files.insert(
        "widget-config.json".into(),
        widget_config(&config).into_bytes(),
    );

    finish_index(&mut site, index_job);
    site.stats.pages_scanned = ctx.scanned.into_inner();
    site.stats.articles = pages.len();
    site.stats.languages = config.languages.len();
    site.stats.rules = kb.rules.len();
    site
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

/// Maps `f` over `items` on all cores, keeping the order; rendering is independent per article.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
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

struct Resolver<'a> {
    kb: &'a Kb,
    article: &'a SourceArticle,
    by_id: &'a HashMap<(&'a str, &'a str), usize>,
    by_path: &'a HashMap<PathBuf, usize>,
    base: &'a str,
    images: std::cell::RefCell<BTreeMap<String, PathBuf>>,
}

fn is_external(dest: &str) -> bool {
    dest.starts_with('/')
        || dest.starts_with('#')
        || dest.starts_with("//")
        || dest
            .split_once(':')
            .is_some_and(|(scheme, _)| !scheme.contains('/') && !scheme.is_empty())
}

fn split_fragment(dest: &str) -> (&str, &str) {
    match dest.find(['#', '?']) {
        Some(i) => (&dest[..i], &dest[i..]),
        None => (dest, ""),
    }
}

impl Resolve for Resolver<'_> {
    fn link(&self, dest: &str) -> Result<Option<String>, String> {
        if is_external(dest) || dest.contains("{{") {
            return Ok(None);
        }
        let (file, frag) = split_fragment(dest);
        if ![".md", ".mdx", ".markdown"]
            .iter()
            .any(|e| file.ends_with(e))
        {
            return Ok(None);
        }
        let dir = self.article.path.parent().unwrap_or(Path::new(""));
        let target = by_file(
            self.by_path,
            &normalize(&dir.join(percent_decode_lossy(file))),
        )
        .or_else(|| {
            let stem = file.rsplit('/').next().unwrap_or(file);
            let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
            let id = crate::load::id_slug(&percent_decode_lossy(stem));
            self.by_id
                .get(&(self.article.lang.as_str(), id.as_str()))
                .copied()
        });
        match target {
            Some(i) => {
                let t = &self.kb.articles[i];
                // Prefer the translation in the reader's language when the link points across.
                let lang = if self
                    .by_id
                    .contains_key(&(self.article.lang.as_str(), t.id.as_str()))
                {
                    &self.article.lang
                } else {
                    &t.lang
                };
                Ok(Some(format!("{}{lang}/{}/{frag}", self.base, t.id)))
            }
            None => Err(format!(
                "broken link: `{dest}` is not an article of this knowledge base"
            )),
        }
    }

    fn image(&self, src: &str) -> Result<Option<String>, String> {
        if is_external(src) || src.starts_with("data:") || src.contains("{{") {
            return Ok(None);
        }
        let (file, _) = split_fragment(src);
        let decoded = percent_decode_lossy(file);
        let dir = self.article.path.parent().unwrap_or(Path::new(""));
        let candidates = [
            dir.join(&decoded),
            self.kb.root.join(&decoded),
            self.kb.root.join("images").join(&decoded),
        ];
        // Only a file inside the knowledge base is published: `..`, `%2e%2e`, an absolute path
        // or a symbolic link that leads outside it is refused, whatever the markdown says.
        let mut outside = false;
        let found = candidates.iter().filter(|p| p.is_file()).find_map(|p| {
            let canon = p.canonicalize().ok()?;
            let inside = canon.starts_with(&self.kb.root_canon);
            outside |= !inside;
            inside.then_some(canon)
        });
        let Some(found) = found else {
            return Err(if outside {
                format!("image `{src}` is outside the knowledge-base folder; it is not published")
            } else {
                format!("image not found: `{src}`")
            });
        };
        let rel = found
            .strip_prefix(&self.kb.root_canon)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let rel = rel.strip_prefix("images/").unwrap_or(&rel).to_string();
        let out = format!("images/{rel}");
        let url = format!("{}{}", self.base, out);
        self.images.borrow_mut().insert(out, found);
        Ok(Some(url))
    }
}

fn by_file(map: &HashMap<PathBuf, usize>, p: &Path) -> Option<usize> {
    map.get(p).copied()
}

/// Links in rule answers point at the help center from the owner's site, so they are absolute.
struct RuleResolver<'a> {
    config: &'a Config,
    lang: &'a str,
    by_id: &'a HashMap<(&'a str, &'a str), usize>,
    kb: &'a Kb,
}

impl Resolve for RuleResolver<'_> {
    fn link(&self, dest: &str) -> Result<Option<String>, String> {
        if is_external(dest) {
            return Ok(None);
        }
        let (file, frag) = split_fragment(dest);
        let stem = file.rsplit('/').next().unwrap_or(file);
        let Some(stem) = [".md", ".mdx", ".markdown"]
            .iter()
            .find_map(|e| stem.strip_suffix(e))
        else {
            return Ok(None);
        };
        let stem = &crate::load::id_slug(&percent_decode_lossy(stem));
        let lang = if self.by_id.contains_key(&(self.lang, stem.as_str())) {
            self.lang
        } else if let Some(a) = self.kb.articles.iter().find(|a| &a.id == stem) {
            a.lang.as_str()
        } else {
            return Err(format!(
                "broken link: `{dest}` is not an article of this knowledge base"
            ));
        };
        Ok(Some(self.config.absolute(&format!("{lang}/{stem}/{frag}"))))
    }
    fn image(&self, _: &str) -> Result<Option<String>, String> {
        Ok(None)
    }
}

/// Lexically normalizes `a/b/../c` so links and files compare equal without touching the disk.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Decodes `%XX` escapes; invalid escapes and invalid UTF-8 are kept as they are (lossily).
pub(crate) fn percent_decode_lossy(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

// The widget's RFC 6068 encoder (pure std), so the help center's tickets and the widget's are
// encoded by the same code. (A plain comment: an outer doc comment would make rustdoc resolve
// the file's own `//!` links from here.)
#[allow(dead_code)]
#[path = "../../widget/src/ticket/mailto.rs"]
mod ticket_mailto;

/// A `mailto:` URL encoded as the widget's ticket is: the address with only `@` left bare besides
/// unreserved characters, header values fully percent-encoded, and line breaks sent as CRLF
/// (`%0D%0A`).
pub fn mailto(to: &str, subject: &str, body: &str) -> String {
    use ticket_mailto::{normalize_newlines, url};
    url(to, &normalize_newlines(subject), &normalize_newlines(body))
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

fn theme_file(kb: &Kb, name: &str, default: &str) -> String {
    kb.theme_override(name)
        .unwrap_or_else(|| default.to_string())
}

fn templates(kb: &Kb) -> Result<minijinja::Environment<'static>, minijinja::Error> {
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
        ("base.html", include_str!("../theme/base.html")),
        ("home.html", include_str!("../theme/home.html")),
        ("category.html", include_str!("../theme/category.html")),
        ("article.html", include_str!("../theme/article.html")),
        ("search.html", include_str!("../theme/search.html")),
        ("404.html", include_str!("../theme/404.html")),
    ];
    for (name, text) in defaults {
        env.add_template_owned(name, theme_file(kb, name, text))?;
    }
    Ok(env)
}

/// What every page is made from. The lookups a page needs (its translations, its neighbours in
/// its category, its related articles) are maps made once here, so a page costs the same however
/// many others there are: scanning every page for each page made a 50,000-article build take
/// minutes.
struct Ctx<'a> {
    config: &'a Config,
    base: &'a str,
    opts: &'a Options,
    pages: &'a [Page<'a>],
    categories: &'a [Category],
    category_at: HashMap<&'a str, &'a Category>,
    /// Pages by id, in page order: one per language the article is written in.
    by_id: HashMap<&'a str, Vec<usize>>,
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
        css: String,
        search_js: String,
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
        let logo = c
            .logo
            .as_ref()
            .map(|l| format!("{base}{}", l.trim_start_matches('/')));
        let shared = c
            .languages
            .iter()
            .chain(pages.iter().map(|p| &p.src.lang))
            .map(|lang| {
                let t = strings::for_site(lang, &c.site_strings);
                let vars = json!({
                    "base": base,
                    "css": css,
                    "search_js": search_js,
                    "live_reload": opts.live_reload,
                    "site": {
                        "title": c.title(lang), "description": c.description(lang), "support_email": c.support_email,
                        "logo": logo, "logo_abs": c.logo.as_ref().map(|l| c.absolute(l.trim_start_matches('/'))),
                    },
                    "t": t,
                });
                (lang.as_str(), (t, minijinja::Value::from(minijinja::value::Serde(&vars))))
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
    fn scan(&self) -> std::slice::Iter<'a, Page<'a>> {
        self.scanned
            .fetch_add(self.pages.len(), std::sync::atomic::Ordering::Relaxed);
        self.pages.iter()
    }

    /// The interface strings of `lang`, with the owner's overrides.
    fn strings(&self, lang: &str) -> &strings::Strings {
        &self.shared[lang].0
    }

    /// A page's own variables together with those every page of its language shares.
    fn template_context(&self, vars: &Map<String, Value>) -> minijinja::Value {
        let lang = vars.get("lang").and_then(Value::as_str).unwrap_or_default();
        let own = minijinja::Value::from(minijinja::value::Serde(vars));
        match self.shared.get(lang) {
            Some((_, shared)) => minijinja::value::merge_maps([own, shared.clone()]),
            None => own,
        }
    }

    fn common(
        &self,
        lang: &str,
        kind: &str,
        title: &str,
        description: &str,
        rel: Option<&str>,
        alternates: &[(String, String)],
    ) -> Map<String, Value> {
        let c = self.config;
        let languages: Vec<Value> = c
            .languages
            .iter()
            .map(|l| {
                let href = alternates
                    .iter()
                    .find(|(al, _)| al == l)
                    .map(|(_, u)| format!("{}{u}", self.base))
                    .unwrap_or_else(|| format!("{}{l}/", self.base));
                json!({"code": l, "name": language_name(l), "href": href, "current": l == lang})
            })
            .collect();
        let alts: Vec<Value> = if alternates.len() > 1 {
            alternates
                .iter()
                .map(|(l, u)| json!({"lang": l, "href": c.absolute(u)}))
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
        let widget = (c.widget_enabled
            && self.opts.loader.is_some()
            && matches!(kind, "home" | "search"))
        .then(|| json!({
                "src": format!("{}widget/{}", self.base, self.opts.loader.as_deref().unwrap_or_default()),
                // The launcher is drawn before widget-config.json is fetched, so its colour
                // and side travel on the tag.
                "color": c.brand_color,
                "position": c.position.as_str(),
                "offsets": crate::widget_bundle::offsets(c),
            }));
        let mut m = Map::new();
        m.insert("lang".into(), json!(lang));
        m.insert(
            "dir".into(),
            json!(if Config::is_rtl(lang) { "rtl" } else { "ltr" }),
        );
        m.insert("page_kind".into(), json!(kind));
        m.insert("page_title".into(), json!(title));
        m.insert(
            "description".into(),
            json!(if description.is_empty() {
                c.title(lang)
            } else {
                description
            }),
        );
        m.insert("canonical".into(), json!(rel.map(|r| c.absolute(r))));
        m.insert("alternates".into(), json!(alts));
        m.insert("x_default".into(), json!(x_default));
        m.insert(
            "og_type".into(),
            json!(if kind == "article" {
                "article"
            } else {
                "website"
            }),
        );
        m.insert("languages".into(), json!(languages));
        m.insert("widget".into(), json!(widget));
        // `base`, `css`, `search_js`, `live_reload`, `site` and `t` are the same on every page of
        // a language: they join in `template_context`.
        m.insert("jsonld".into(), Value::Null);
        m
    }

    fn cat_title(&self, cat: &Category, lang: &str) -> String {
        cat.title
            .get(lang, &self.config.default_language)
            .unwrap_or(&cat.id)
            .to_string()
    }

    /// The pages of `lang` in category `cat`, in reading order.
    fn in_category(&self, lang: &str, cat: &str) -> &[usize] {
        self.by_category
            .get(lang)
            .and_then(|of_lang| of_lang.get(cat))
            .map_or(&[], Vec::as_slice)
    }

    fn category_cards(&self, lang: &str) -> Value {
        let cards: Vec<Value> = self
            .categories
            .iter()
            .filter_map(|c| {
                let count = self.in_category(lang, &c.id).len();
                (count > 0).then(|| {
                    json!({
                        "id": c.id, "title": self.cat_title(c, lang), "count": count,
                        "description": c.description.get(lang, &self.config.default_language).unwrap_or_default(),
                        "href": format!("{}{lang}/category/{}/", self.base, c.id),
                    })
                })
            })
            .collect();
        json!(cards)
    }

    fn link(&self, p: &Page<'_>) -> Value {
        json!({"title": p.src.title, "href": format!("{}{}", self.base, p.url), "summary": p.summary})
    }

    fn home(&self, lang: &str) -> Map<String, Value> {
        let alternates: Vec<(String, String)> = self
            .config
            .languages
            .iter()
            .map(|l| (l.clone(), format!("{l}/")))
            .collect();
        let mut m = self.common(
            lang,
            "home",
            "",
            self.config.description(lang),
            Some(&format!("{lang}/")),
            &alternates,
        );
        m.insert("categories".into(), self.category_cards(lang));
        let featured: Vec<Value> = popular(self.scan().as_slice(), lang)
            .take(POPULAR)
            .map(|p| self.link(p))
            .collect();
        m.insert("featured".into(), json!(featured));
        let ld = json!({
            "@context": "https://schema.org", "@type": "WebSite", "name": self.config.title(lang),
            "url": self.config.absolute(&format!("{lang}/")), "inLanguage": lang,
            "potentialAction": {"@type": "SearchAction", "target": format!("{}?q={{q}}", self.config.absolute(&format!("{lang}/search/"))), "query-input": "required name=q"},
        });
        m.insert("jsonld".into(), json!(script_json(&ld)));
        m
    }

    fn category_page(&self, lang: &str, cat: &Category) -> Option<Map<String, Value>> {
        let articles: Vec<Value> = self
            .in_category(lang, &cat.id)
            .iter()
            .map(|&j| self.link(&self.pages[j]))
            .collect();
        if articles.is_empty() {
            return None;
        }
        let title = self.cat_title(cat, lang);
        let desc = cat
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
        let mut m = self.common(
            lang,
            "category",
            &title,
            &desc,
            Some(&format!("{lang}/category/{}/", cat.id)),
            &alternates,
        );
        m.insert(
            "category".into(),
            json!({"title": title, "description": desc}),
        );
        m.insert("articles".into(), json!(articles));
        let t = self.strings(lang);
        let ld = json!({"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": t.home, "item": self.config.absolute(&format!("{lang}/"))},
            {"@type": "ListItem", "position": 2, "name": title, "item": self.config.absolute(&format!("{lang}/category/{}/", cat.id))},
        ]});
        m.insert("jsonld".into(), json!(script_json(&ld)));
        Some(m)
    }

    fn article_page(&self, i: usize, p: &Page<'_>) -> Map<String, Value> {
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
        let mut m = self.common(
            lang,
            "article",
            &a.title,
            &p.summary,
            Some(&p.url),
            &translations,
        );
        let cat = self.category_at.get(p.category.as_str()).copied();
        let cat_title = cat.map(|k| self.cat_title(k, lang)).unwrap_or_default();
        let cat_href = format!("{}{lang}/category/{}/", self.base, p.category);
        m.insert(
            "category".into(),
            cat.map_or(
                Value::Null,
                |_| json!({"title": cat_title, "href": cat_href}),
            ),
        );
        m.insert(
            "article".into(),
            json!({"id": a.id, "title": a.title, "html": p.html, "updated": a.front.updated, "summary": p.summary}),
        );
        m.insert(
            "toc".into(),
            json!(p
                .toc
                .iter()
                .map(|e| json!({"level": e.level, "anchor": e.anchor, "text": e.text}))
                .collect::<Vec<_>>()),
        );
        let others: Vec<Value> = translations
            .iter()
            .filter(|(l, _)| l != lang)
            .map(|(l, u)| json!({"lang": l, "name": language_name(l), "href": format!("{}{u}", self.base)}))
            .collect();
        m.insert("translations".into(), json!(others));
        let related: Vec<Value> = a
            .front
            .related
            .iter()
            .filter_map(|r| {
                let of_r = self.by_id.get(r.as_str())?;
                let j = of_r
                    .iter()
                    .find(|&&j| self.pages[j].src.lang == lang)
                    .or(of_r.first())?;
                Some(&self.pages[*j])
            })
            .map(|q| self.link(q))
            .collect();
        m.insert("related".into(), json!(related));
        // Previous and next within the category, in reading order.
        let siblings = self.in_category(lang, &p.category);
        let pos = Some(self.category_pos[i]).filter(|&k| siblings.get(k) == Some(&i));
        let prev = pos
            .and_then(|k| k.checked_sub(1))
            .and_then(|k| siblings.get(k))
            .map(|&j| self.link(&self.pages[j]));
        let next = pos
            .and_then(|k| siblings.get(k + 1))
            .map(|&j| self.link(&self.pages[j]));
        m.insert("prev".into(), json!(prev));
        m.insert("next".into(), json!(next));
        let t = self.strings(lang);
        if !c.support_email.is_empty() {
            let subject = format!("[{}] {}: {}", c.title(lang), t.feedback_subject, a.title);
            let body = format!(
                "{}\n\n\n---\n{}\n{}\nid: {} · lang: {}\n",
                t.feedback_body,
                a.title,
                c.absolute(&p.url),
                a.id,
                lang
            );
            let href = mailto(&c.support_email, &subject, &body);
            m.insert("ticket".into(), json!({"href": href}));
        }
        let mut ld = vec![
            json!({"@context": "https://schema.org", "@type": "Article", "headline": a.title, "description": p.summary,
                   "inLanguage": lang, "url": c.absolute(&p.url), "dateModified": a.front.updated,
                   "publisher": {"@type": "Organization", "name": c.title(lang)}}),
            json!({"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": t.home, "item": c.absolute(&format!("{lang}/"))},
                {"@type": "ListItem", "position": 2, "name": cat_title, "item": c.absolute(&format!("{lang}/category/{}/", p.category))},
                {"@type": "ListItem", "position": 3, "name": a.title, "item": c.absolute(&p.url)},
            ]}),
        ];
        if let Some(faq) = faq_page(a, &p.summary, &c.absolute(&p.url)) {
            ld.push(faq);
        }
        m.insert("jsonld".into(), json!(script_json(&json!(ld))));
        m
    }

    fn feed(&self, lang: &str) -> String {
        let c = self.config;
        let mut entries: Vec<&Page<'_>> = self
            .scan()
            .filter(|p| p.src.lang == lang && p.src.front.updated.is_some())
            .collect();
        entries.sort_by(|a, b| {
            b.src
                .front
                .updated
                .cmp(&a.src.front.updated)
                .then(a.src.id.cmp(&b.src.id))
        });
        entries.truncate(50);
        let newest = entries
            .first()
            .and_then(|p| p.src.front.updated.clone())
            .unwrap_or_else(|| "1970-01-01".into());
        let x = markdown::escape;
        let mut s = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n<title>{}</title>\n<id>{}</id>\n<link rel=\"self\" href=\"{}\"/>\n<link href=\"{}\"/>\n<updated>{newest}T00:00:00Z</updated>\n<author><name>{}</name></author>\n",
            x(lang), x(c.title(lang)), x(&c.absolute(&format!("{lang}/"))), x(&c.absolute(&format!("{lang}/feed.xml"))), x(&c.absolute(&format!("{lang}/"))), x(c.title(lang))
        );
        for p in entries {
            let url = c.absolute(&p.url);
            s.push_str(&format!(
                "<entry>\n<title>{}</title>\n<id>{}</id>\n<link href=\"{}\"/>\n<updated>{}T00:00:00Z</updated>\n<summary>{}</summary>\n</entry>\n",
                x(&p.src.title), x(&url), x(&url), p.src.front.updated.as_deref().unwrap_or(&newest), x(&p.summary)
            ));
        }
        s.push_str("</feed>\n");
        s
    }

    fn sitemap(&self) -> String {
        let c = self.config;
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
        for lang in &c.languages {
            s.push_str(&format!(
                "<url><loc>{}</loc></url>\n",
                markdown::escape(&c.absolute(&format!("{lang}/")))
            ));
            for cat in self.categories {
                if !self.in_category(lang, &cat.id).is_empty() {
                    s.push_str(&format!(
                        "<url><loc>{}</loc></url>\n",
                        markdown::escape(&c.absolute(&format!("{lang}/category/{}/", cat.id)))
                    ));
                }
            }
        }
        for p in self.pages {
            let lastmod = p
                .src
                .front
                .updated
                .as_ref()
                .map(|d| format!("<lastmod>{d}</lastmod>"))
                .unwrap_or_default();
            // Translations as hreflang alternates, as search engines read them from sitemaps.
            let translations: Vec<&Page<'_>> = self.by_id[p.src.id.as_str()]
                .iter()
                .map(|&j| &self.pages[j])
                .collect();
            let alternates: String = if translations.len() > 1 {
                translations
                    .iter()
                    .map(|q| {
                        format!(
                            "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                            markdown::escape(&q.src.lang),
                            markdown::escape(&c.absolute(&q.url))
                        )
                    })
                    .collect()
            } else {
                String::new()
            };
            s.push_str(&format!(
                "<url><loc>{}</loc>{lastmod}{alternates}</url>\n",
                markdown::escape(&c.absolute(&p.url))
            ));
        }
        s.push_str("</urlset>\n");
        s
    }
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

fn headers(base: &str, opts: &Options, config: &Config) -> String {
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
    for f in ["index.bin", "widget-config.json"] {
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

fn widget_config(c: &Config) -> String {
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
    let v = json!({
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
    let mut v = v;
    if let Some(url) = &c.ticket_url {
        // The name the loader's `data-ticket-url` gets (`dataset.ticketUrl`).
        v["ticketUrl"] = json!(url);
    }
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

// Colour arithmetic so the owner's brand colour never costs readability (WCAG 2.1 AA, 4.5:1).

fn parse_hex(s: &str) -> Option<[f64; 3]> {
    let h = s.strip_prefix('#')?;
    let h: String = if h.len() == 3 {
        h.chars().flat_map(|c| [c, c]).collect()
    } else {
        h.to_string()
    };
    if h.len() != 6 {
        return None;
    }
    let v = |i: usize| {
        u8::from_str_radix(&h[i..i + 2], 16)
            .ok()
            .map(|x| f64::from(x) / 255.0)
    };
    Some([v(0)?, v(2)?, v(4)?])
}

fn luminance(c: [f64; 3]) -> f64 {
    let f = |x: f64| {
        if x <= 0.03928 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2])
}

pub fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

fn mix(c: [f64; 3], with: [f64; 3], t: f64) -> [f64; 3] {
    [
        c[0] + (with[0] - c[0]) * t,
        c[1] + (with[1] - c[1]) * t,
        c[2] + (with[2] - c[2]) * t,
    ]
}

fn hex(c: [f64; 3]) -> String {
    format!(
        "#{:02x}{:02x}{:02x}",
        (c[0] * 255.0).round() as u8,
        (c[1] * 255.0).round() as u8,
        (c[2] * 255.0).round() as u8
    )
}

/// The colour nearest `c` (towards `toward`) that reaches 4.5:1 against `bg`.
fn readable(c: [f64; 3], bg: [f64; 3], toward: [f64; 3]) -> [f64; 3] {
    (0..=20)
        .map(|i| mix(c, toward, f64::from(i) * 0.05))
        .find(|x| contrast(*x, bg) >= 4.5)
        .unwrap_or(toward)
}

/// The default favicon: a question mark on the brand colour, so no page's first visit asks for
/// a `/favicon.ico` that does not exist (base.html links it unless the owner has a logo).
fn favicon(brand: &str) -> String {
    let colours = brand_colours(brand);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"7\" fill=\"{}\"/><path d=\"M11.5 12a4.5 4.5 0 1 1 6.3 4.1c-1.2.6-1.8 1.4-1.8 2.7V20\" fill=\"none\" stroke=\"{}\" stroke-width=\"3\" stroke-linecap=\"round\"/><circle cx=\"16\" cy=\"25\" r=\"2\" fill=\"{}\"/></svg>\n",
        colours.button, colours.text, colours.text
    )
}

/// The brand colour's uses as `#rrggbb`: buttons and the text on them, links on light and on
/// dark backgrounds.
struct BrandColours {
    button: String,
    text: String,
    link: String,
    link_dark: String,
}

fn brand_colours(brand: &str) -> BrandColours {
    const WHITE: [f64; 3] = [1.0, 1.0, 1.0];
    const BLACK: [f64; 3] = [0.0, 0.0, 0.0];
    let b = parse_hex(brand).unwrap_or([0.14, 0.34, 0.78]);
    let (button, text) = if contrast(b, WHITE) >= 4.5 {
        (b, WHITE)
    } else if contrast(b, [0.07, 0.07, 0.07]) >= 7.0 {
        (b, [0.07, 0.07, 0.07])
    } else {
        (readable(b, WHITE, BLACK), WHITE)
    };
    // Links sit on the page and on cards and the header (style.css: --bg and --card of each
    // scheme): they must read on the one closer to them, so on both.
    let on = |bgs: &[&str], toward| {
        let bgs: Vec<[f64; 3]> = bgs.iter().filter_map(|h| parse_hex(h)).collect();
        (0..=20)
            .map(|i| mix(b, toward, f64::from(i) * 0.05))
            .find(|x| bgs.iter().all(|bg| contrast(*x, *bg) >= 4.5))
            .unwrap_or(toward)
    };
    BrandColours {
        button: hex(button),
        text: hex(text),
        link: hex(on(&LIGHT_BACKGROUNDS, BLACK)),
        link_dark: hex(on(&DARK_BACKGROUNDS, WHITE)),
    }
}

/// `--bg` and `--card` of style.css in light and in dark mode (a test holds them equal).
const LIGHT_BACKGROUNDS: [&str; 2] = ["#ffffff", "#f6f8fa"];
const DARK_BACKGROUNDS: [&str; 2] = ["#0f1217", "#171b22"];

fn brand_css(brand: &str) -> String {
    let c = brand_colours(brand);
    format!(
        "\n:root {{ --brand: {}; --brand-text: {}; --link: {}; }}\n@media (prefers-color-scheme: dark) {{ :root {{ --link: {}; }} }}\n",
        c.button, c.text, c.link, c.link_dark
    )
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

    #[test]
    fn brand_colours_keep_aa_contrast() {
        for brand in [
            "#2456c7", "#ffd400", "#00c2a8", "#000000", "#ffffff", "#ff5a5f",
        ] {
            let css = brand_css(brand);
            let get = |var: &str| {
                let (css, var) = match var.strip_suffix("-dark") {
                    Some(v) => (&css[css.find("@media").unwrap()..], v),
                    None => (css.as_str(), var),
                };
                let at = css.find(&format!("{var}: ")).unwrap() + var.len() + 2;
                parse_hex(&css[at..at + 7]).unwrap()
            };
            assert!(
                contrast(get("--brand"), get("--brand-text")) >= 4.5,
                "{brand}: {css}"
            );
            assert!(
                contrast(get("--link"), [1.0, 1.0, 1.0]) >= 4.5,
                "{brand}: {css}"
            );
            assert!(
                contrast(get("--link-dark"), parse_hex("#0f1217").unwrap()) >= 4.5,
                "{brand}: {css}"
            );
        }
    }

    /// Links are made readable on these backgrounds (`brand_colours`): they must be the
    /// stylesheet's, or the language switcher's link on the dark header falls below AA again.
    #[test]
    fn link_backgrounds_are_the_stylesheets() {
        let css = include_str!("../theme/style.css");
        let dark_at = css.find("prefers-color-scheme: dark").unwrap();
        let get = |block: &str, var: &str| {
            let at = block.find(&format!("{var}: ")).unwrap() + var.len() + 2;
            block[at..at + 7].to_string()
        };
        let (light, dark) = (&css[..dark_at], &css[dark_at..]);
        assert_eq!(
            LIGHT_BACKGROUNDS,
            [get(light, "--bg"), get(light, "--card")]
        );
        assert_eq!(DARK_BACKGROUNDS, [get(dark, "--bg"), get(dark, "--card")]);
        for brand in ["#8b3a2b", "#f5d142", "#1d2b64"] {
            let c = brand_colours(brand);
            for (link, bgs) in [
                (&c.link, LIGHT_BACKGROUNDS),
                (&c.link_dark, DARK_BACKGROUNDS),
            ] {
                for bg in bgs {
                    let ratio = contrast(parse_hex(link).unwrap(), parse_hex(bg).unwrap());
                    assert!(ratio >= 4.5, "{brand}: {link} on {bg} is {ratio:.2}:1");
                }
            }
        }
    }

    /// Search results highlight matched words with `--mark` behind body text (style.css).
    #[test]
    fn highlighted_text_keeps_aa_contrast() {
        let css = include_str!("../theme/style.css");
        let dark_at = css.find("prefers-color-scheme: dark").unwrap();
        let get = |block: &str, var: &str| {
            let at = block.find(&format!("{var}: ")).unwrap() + var.len() + 2;
            parse_hex(&block[at..at + 7]).unwrap()
        };
        let (light, dark) = (&css[..dark_at], &css[dark_at..]);
        for (mode, block) in [("light", light), ("dark", dark)] {
            let c = contrast(get(block, "--fg"), get(block, "--mark"));
            assert!(c >= 4.5, "{mode}: --fg on --mark is {c:.2}:1");
        }
    }

    #[test]
    fn mailto_encoding_is_rfc6068() {
        assert_eq!(
            mailto("help@x.example", "a b&c?d#e%f+g\n退", "x\r\ny\rz"),
            "mailto:help@x.example?subject=a%20b%26c%3Fd%23e%25f%2Bg%0D%0A%E9%80%80&body=x%0D%0Ay%0D%0Az"
        );
    }

    #[test]
    fn paths_normalize() {
        assert_eq!(
            normalize(Path::new("kb/articles/en/../zh/./a.md")),
            PathBuf::from("kb/articles/zh/a.md")
        );
        assert_eq!(percent_decode_lossy("a%20b%2"), "a b%2");
    }
}
