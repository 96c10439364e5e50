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
