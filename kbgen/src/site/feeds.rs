//! What readers and crawlers fetch besides pages: an Atom feed per language, the sitemap (with
//! hreflang alternates) and robots.txt.

use super::pages::Ctx;
use super::{Page, Site};
use crate::markdown;

/// Adds every language's feed, the sitemap and robots.txt (or a note saying where it belongs).
pub(super) fn write(ctx: &Ctx<'_>, site: &mut Site) {
    let (config, base) = (ctx.config, ctx.base);
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
            .strip_suffix(base)
            .map_or_else(|| "/robots.txt".to_string(), |r| format!("{r}/robots.txt"));
        site.notes.push(format!(
            "no robots.txt written: the help center lives under {base}, and crawlers read robots.txt only at {root}; add this line to that file so they find the sitemap:\n  {sitemap_line}"
        ));
    }
}

impl Ctx<'_> {
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
