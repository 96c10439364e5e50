//! The checks that need every article at once: ids that are valid and unique per language,
//! `related` ids and rules' `articles` that name an existing article.

use super::resolve::normalize;
use super::{Page, Stats};
use crate::diag::Diagnostics;
use crate::load::Kb;
use crate::rules::RuleDef;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// The articles that are published, and how links find them.
pub(super) struct Known<'a> {
    /// By language and id.
    pub by_id: HashMap<(&'a str, &'a str), usize>,
    /// By file, lexically normalized.
    pub by_path: HashMap<PathBuf, usize>,
    /// Indices into `kb.articles`, in file order.
    pub live: Vec<usize>,
    /// Every id in any language, drafts and refused ids included.
    pub any_lang_ids: HashSet<&'a str>,
}

/// Leaves out drafts (counted) and articles whose id is unusable or taken in their language.
pub(super) fn articles<'a>(kb: &'a Kb, stats: &mut Stats, diags: &mut Diagnostics) -> Known<'a> {
    let mut by_id: HashMap<(&str, &str), usize> = HashMap::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    let mut live: Vec<usize> = Vec::new();
    for (i, a) in kb.articles.iter().enumerate() {
        if a.front.draft {
            stats.drafts += 1;
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
    let any_lang_ids = kb.articles.iter().map(|a| a.id.as_str()).collect();
    Known {
        by_id,
        by_path,
        live,
        any_lang_ids,
    }
}

impl Known<'_> {
    /// Whether `id` is an article in `lang`, or else in any language.
    fn exists(&self, lang: &str, id: &str) -> bool {
        self.by_id.contains_key(&(lang, id)) || self.any_lang_ids.contains(id)
    }
}

/// Related ids must exist (in any language).
pub(super) fn related(kb: &Kb, known: &Known<'_>, pages: &[Page<'_>], diags: &mut Diagnostics) {
    let mut ids: Vec<&str> = Vec::new();
    for p in pages {
        for r in &p.src.front.related {
            if known.exists(&p.src.lang, r) {
                continue;
            }
            if ids.is_empty() {
                ids = known.any_lang_ids.iter().copied().collect();
                ids.sort_unstable();
            }
            let hint = crate::diag::nearest(r, &ids)
                .map(|id| format!(" (did you mean \"{id}\"?)"))
                .unwrap_or_default();
            let msg = format!("`related` names \"{r}\", but no article has that id{hint}");
            let (line, col) = front_matter_position(&p.src.path, p.src.body_line, r);
            // Another tool's `related` may hold titles or paths: a warning there.
            if kb.has_config {
                diags.error(&p.src.path, line, col, msg);
            } else {
                diags.warn(&p.src.path, line, col, msg);
            }
        }
    }
}

/// Where `value` first appears in the front matter of the article at `path` (above
/// `body_line`), as (line, column); the file's start when it cannot be read or found.
fn front_matter_position(path: &std::path::Path, body_line: usize, value: &str) -> (usize, usize) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return (1, 1);
    };
    text.lines()
        .take(body_line.saturating_sub(1))
        .enumerate()
        .skip(1)
        .find_map(|(i, l)| Some((i + 1, l[..l.find(value)?].chars().count() + 1)))
        .unwrap_or((1, 1))
}

/// A rule's `articles` must exist, in the rule's language or another.
pub(super) fn rule_links(rule: &RuleDef, lang: &str, known: &Known<'_>, diags: &mut Diagnostics) {
    for id in &rule.articles {
        if !known.exists(lang, id) {
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
}
