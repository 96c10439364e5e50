//! Links and images in markdown, resolved against the articles and the files `load` found: an
//! article link becomes its page's URL, an image its path under `images/`; what resolves to
//! nothing is an error at its place. No disk access: [`crate::load`] looked the files up.

use crate::config::Config;
use crate::load::{Kb, SourceArticle};
use crate::markdown::Resolve;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub(super) struct Resolver<'a> {
    pub kb: &'a Kb,
    pub article: &'a SourceArticle,
    pub by_id: &'a HashMap<(&'a str, &'a str), usize>,
    pub by_path: &'a HashMap<PathBuf, usize>,
    pub base: &'a str,
    pub images: std::cell::RefCell<BTreeMap<String, PathBuf>>,
}

fn is_external(dest: &str) -> bool {
    dest.starts_with('/')
        || dest.starts_with('#')
        || dest.starts_with("//")
        || dest
            .split_once(':')
            .is_some_and(|(scheme, _)| !scheme.contains('/') && !scheme.is_empty())
}

/// `src` after its `/` when it is a path from a site's root (`/images/x.png`), not `//host/`.
/// Left as written, such an image would load from the root of the help center's host, outside
/// a help center published under a path (`/help/`), on its pages and in the widget alike.
pub(crate) fn site_absolute(src: &str) -> Option<&str> {
    src.strip_prefix('/')
        .filter(|rest| !rest.starts_with(['/', '\\']))
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
        let Some(candidates) = image_candidates(&self.kb.root, &self.article.path, src) else {
            return Ok(None);
        };
        // Only a file inside the knowledge base is published: `..`, `%2e%2e`, an absolute path
        // or a symbolic link that leads outside it is refused, whatever the markdown says.
        let mut outside = false;
        let found = candidates.iter().find_map(|p| {
            let canon = self.kb.image_files.get(p)?;
            let inside = canon.starts_with(&self.kb.root_canon);
            outside |= !inside;
            inside.then(|| canon.clone())
        });
        let Some(found) = found else {
            return if outside {
                Err(format!(
                    "image `{src}` is outside the knowledge-base folder; it is not published"
                ))
            } else if site_absolute(split_fragment(src).0).is_some() {
                // Perhaps a file of the site the help center is part of: left as written, and
                // the renderer says where it will load from.
                Ok(None)
            } else {
                Err(format!("image not found: `{src}`"))
            };
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

/// Where an article's image `src` may be, in order: beside the article, at the knowledge base's
/// root, under `images/`; for a path from a site's root (`/images/x.png`, as other tools write
/// a file of their static folder), at the knowledge base's root, under `images/` and under
/// `static/`; `None` for what is not a local file (a URL, `data:`, a template).
pub(crate) fn image_candidates(root: &Path, article: &Path, src: &str) -> Option<[PathBuf; 3]> {
    if src.starts_with("data:") || src.contains("{{") {
        return None;
    }
    let (file, _) = split_fragment(src);
    if let Some(rest) = site_absolute(file) {
        let decoded = percent_decode_lossy(rest);
        return Some([
            root.join(&decoded),
            root.join("images").join(&decoded),
            root.join("static").join(&decoded),
        ]);
    }
    if is_external(src) {
        return None;
    }
    let decoded = percent_decode_lossy(file);
    let dir = article.parent().unwrap_or(Path::new(""));
    Some([
        dir.join(&decoded),
        root.join(&decoded),
        root.join("images").join(&decoded),
    ])
}

fn by_file(map: &HashMap<PathBuf, usize>, p: &Path) -> Option<usize> {
    map.get(p).copied()
}

/// Links in rule answers point at the help center from the owner's site, so they are absolute.
pub(super) struct RuleResolver<'a> {
    pub config: &'a Config,
    pub lang: &'a str,
    pub by_id: &'a HashMap<(&'a str, &'a str), usize>,
    pub kb: &'a Kb,
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
    /// Rule answers show on the owner's site, and kbgen publishes the images of articles only:
    /// a file named here would be a broken image in the widget.
    fn image(&self, src: &str) -> Result<Option<String>, String> {
        if is_external(src) || src.starts_with("data:") {
            return Ok(None);
        }
        Err(format!(
            "image `{src}` in a rule answer is not published (rule answers show on your own site): give its full https:// address, or link to an article that shows it"
        ))
    }
}

/// Lexically normalizes `a/b/../c` so links and files compare equal without touching the disk.
pub(super) fn normalize(p: &Path) -> PathBuf {
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
fn percent_decode_lossy(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize() {
        assert_eq!(
            normalize(Path::new("kb/articles/en/../zh/./a.md")),
            PathBuf::from("kb/articles/zh/a.md")
        );
        assert_eq!(percent_decode_lossy("a%20b%2"), "a b%2");
    }
}
