//! The one way from a knowledge-base folder to a site in memory, shared by `build`, `serve` and
//! `check`: [`load`] reads the folder, [`site`] renders it, and the
//! caller hands the result to [`output`](crate::output) (or only reports it).
//!
//! What differs between the commands is said once, in [`Options`], rather than by each command
//! assembling the renderer's options its own way.

use crate::diag::Diagnostics;
use crate::load::{self, Kb};
use crate::site::{self, Site};
use crate::strings;
use crate::widget_bundle;
use std::path::Path;

/// What a command asks of the build.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Replaces `site.base_url`, e.g. for `kbgen serve` on 127.0.0.1.
    pub base_url: Option<String>,
    /// Adds the live-reload script that `kbgen serve` answers.
    pub live_reload: bool,
    /// Builds pages with the embedded widget bundle and the search page's engine (`build`,
    /// `serve`); without it (`check`), pages have neither.
    pub widget: bool,
    /// Says on stderr how many articles are being rendered, between loading and rendering.
    pub progress: bool,
}

/// A knowledge base and the site made from it, with every problem found on the way.
pub struct Built {
    pub kb: Kb,
    pub site: Site,
    pub diags: Diagnostics,
    /// Whether the widget bundle belongs in the output (`widget/`): asked for and embedded.
    pub widget: bool,
}

/// Loads `kb_dir` and renders it in memory; nothing is written.
pub fn build(kb_dir: &Path, opts: &Options) -> Built {
    let mut diags = Diagnostics::default();
    let kb = load::load(kb_dir, &mut diags);
    if opts.progress {
        eprintln!("rendering {}", strings::count(kb.articles.len(), "article"));
    }
    let site_opts = site_options(opts, &mut diags);
    let site = site::build(&kb, &site_opts, &mut diags);
    Built {
        kb,
        site,
        diags,
        widget: site_opts.loader.is_some(),
    }
}

/// Renders, from `kb` as it is, only the pages and widget files of `partial`'s articles (see
/// [`site::Partial`]); `kbgen serve` uses it for an edit, before the full build.
pub fn render_partial(kb: &Kb, opts: &Options, partial: site::Partial) -> (Site, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut site_opts = site_options(opts, &mut diags);
    site_opts.only = Some(partial);
    let site = site::build(kb, &site_opts, &mut diags);
    (site, diags)
}

/// The renderer's options for what a command asked.
fn site_options(opts: &Options, diags: &mut Diagnostics) -> site::Options {
    let mut site_opts = site::Options {
        base_url: opts.base_url.clone(),
        live_reload: opts.live_reload,
        ..site::Options::default()
    };
    if !opts.widget {
        return site_opts;
    }
    site_opts.loader = widget_bundle::loader();
    if site_opts.loader.is_none() {
        diags.warn(Path::new("kbgen"), 0, 0, "the embedded widget bundle is empty (run `cargo xtask widget`); pages are built without the widget");
    }
    site_opts.widget_hashed = widget_bundle::manifest()
        .iter()
        .filter(|(k, _)| k.as_str() != "loader.js")
        .filter_map(|(_, v)| v.as_str().map(String::from))
        .collect();
    site_opts.engine = widget_bundle::engine_files();
    site_opts
}

#[cfg(test)]
mod tests {
    use crate::diag::Diagnostics;

    fn write(root: &std::path::Path, rel: &str, text: &str) -> std::path::PathBuf {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `kbgen serve` shows an edit by rendering only the edited article (issue 19: every edit
    /// rebuilt everything, 11 s at 10,000 articles). What it shows must be what the full build
    /// then makes: the same page, fragment and passages, byte for byte, neighbours' links and
    /// summaries included; and nothing else.
    #[test]
    fn a_partial_build_renders_an_edited_article_as_the_full_build_does() {
        let dir = tempfile::tempdir().unwrap();
        let kb_dir = dir.path().join("kb");
        write(
            &kb_dir,
            "kbgen.toml",
            "[site]\ntitle = \"T\"\nlanguages = [\"en\", \"zh\"]\n",
        );
        let article = |title: &str, body: &str| {
            format!("---\ntitle: {title}\ncategory: guides\nrelated: [c]\n---\n\n{body}\n")
        };
        write(
            &kb_dir,
            "articles/en/a.md",
            &article("A", "First words of a. See [b](b.md).\n\n## More\n\nText."),
        );
        let b = write(
            &kb_dir,
            "articles/en/b.md",
            &article("B", "First words of b.\n\n## Steps\n\nOld steps."),
        );
        write(
            &kb_dir,
            "articles/en/c.md",
            &article("C", "First words of c."),
        );
        write(
            &kb_dir,
            "articles/zh/b.md",
            &article("乙", "乙的第一句话。"),
        );
        // A theme may show the related articles' summaries, which come from their markdown.
        write(
            &kb_dir,
            "theme/article.html",
            "{{ article.html }}{% for r in related %}<p>{{ r.summary }}</p>{% endfor %}",
        );
        let opts = super::Options {
            widget: true,
            ..Default::default()
        };
        let before = super::build(&kb_dir, &opts);
        assert_eq!(before.diags.errors(), 0, "{:?}", before.diags.sorted());

        write(
            &kb_dir,
            "articles/en/b.md",
            &article(
                "B",
                "New first words of b, with ![a picture](pic.png).\n\n## Steps\n\nNew steps.",
            ),
        );
        write(&kb_dir, "articles/en/pic.png", "png");
        let mut kb = before.kb;
        let (path, diags) = crate::load::reload_article(&mut kb, &b).unwrap();
        assert_eq!((path.as_path(), diags.errors()), (b.as_path(), 0));
        let partial = crate::site::Partial {
            paths: [path].into(),
            summaries: std::sync::Arc::new(before.site.summaries),
        };
        let (part, diags) = super::render_partial(&kb, &opts, partial);
        assert_eq!(diags.errors(), 0, "{:?}", diags.sorted());
        let after = super::build(&kb_dir, &opts);

        let made: Vec<&str> = part
            .files
            .keys()
            .map(String::as_str)
            .filter(|k| !k.starts_with("assets/"))
            .collect();
        assert_eq!(
            made,
            [
                "en/b/index.html",
                "widget/articles/en/b.bin",
                "widget/articles/en/b.html"
            ]
        );
        for (name, bytes) in &part.files {
            assert!(
                after.site.files[name] == *bytes,
                "{name} differs from the full build's"
            );
        }
        let page = String::from_utf8_lossy(&part.files["en/b/index.html"]);
        assert!(
            page.contains("New steps") && page.contains("First words of c"),
            "{page}"
        );
        let picture: std::collections::BTreeMap<_, _> = after
            .site
            .copies
            .into_iter()
            .filter(|(k, _)| k.ends_with("pic.png"))
            .collect();
        assert_eq!((part.copies.len(), part.copies), (1, picture));
        assert_eq!(
            part.summaries.keys().collect::<Vec<_>>(),
            [&b],
            "only the edited article's summary is new"
        );
        assert!(part.summaries[&b].starts_with("New first words of b"));
    }

    /// An edit that moves an article to another id or language changes other pages' links:
    /// only a full build shows it.
    #[test]
    fn reloading_an_article_that_changes_its_address_asks_for_a_full_build() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(
            dir.path(),
            "articles/en/a.md",
            "---\ntitle: A\n---\n\nText.\n",
        );
        write(dir.path(), "kbgen.toml", "[site]\ntitle = \"T\"\n");
        let mut kb = crate::load::load(dir.path(), &mut Diagnostics::default());
        write(
            dir.path(),
            "articles/en/a.md",
            "---\ntitle: A2\n---\n\nText 2.\n",
        );
        assert!(crate::load::reload_article(&mut kb, &a).is_some());
        assert_eq!(kb.articles[0].title, "A2");
        write(
            dir.path(),
            "articles/en/a.md",
            "---\ntitle: A\nid: other\n---\n\nText.\n",
        );
        assert!(crate::load::reload_article(&mut kb, &a).is_none());
        write(
            dir.path(),
            "articles/en/a.md",
            "---\ntitle: A\ndraft: true\n---\n\nText.\n",
        );
        assert!(crate::load::reload_article(&mut kb, &a).is_none());
        let new = write(
            dir.path(),
            "articles/en/new.md",
            "---\ntitle: N\n---\n\nText.\n",
        );
        assert!(crate::load::reload_article(&mut kb, &new).is_none());
    }

    /// `load` reads everything rendering needs (the logo, images, theme overrides): once the
    /// knowledge base is loaded, its folder can be gone and the site is still made whole.
    #[test]
    fn rendering_reads_nothing_from_the_knowledge_base() {
        let dir = tempfile::tempdir().unwrap();
        let kb_dir = dir.path().join("kb");
        let write = |rel: &str, text: &[u8]| {
            let path = kb_dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "kbgen.toml",
            b"[site]\ntitle = \"T\"\nlogo = \"logo.png\"\n",
        );
        write(
            "articles/a.md",
            b"---\ntitle: A\n---\n\n![shot](shot.png) ![pic](pic.png)\n",
        );
        write("articles/shot.png", b"png");
        write("images/pic.png", b"png");
        write("logo.png", b"png");
        write("theme/style.css", b"body { color: #123456 }");
        let mut diags = Diagnostics::default();
        let kb = crate::load::load(&kb_dir, &mut diags);
        assert_eq!(diags.errors(), 0, "{:?}", diags.sorted());
        std::fs::remove_dir_all(&kb_dir).unwrap();

        let site = crate::site::build(&kb, &crate::site::Options::default(), &mut diags);
        assert_eq!(diags.errors(), 0, "{:?}", diags.sorted());
        let copies: Vec<&str> = site.copies.keys().map(String::as_str).collect();
        assert_eq!(
            copies,
            ["images/articles/shot.png", "images/pic.png", "logo.png"]
        );
        let page = String::from_utf8_lossy(&site.files["en/a/index.html"]);
        assert!(page.contains("/images/articles/shot.png\""), "{page}");
        let css = site
            .files
            .iter()
            .find(|(k, _)| k.starts_with("assets/style") && k.ends_with(".css"))
            .map(|(_, v)| String::from_utf8_lossy(v))
            .unwrap();
        assert!(css.contains("#123456"), "{css}");
    }
}
