//! Which knowledge-base category a ticket's question belongs to, asked of the engine.
//!
//! The index is the one `kbgen build` would write, built in memory from the knowledge base (no
//! file is written), and the question is searched as the widget searches it: the category of the
//! best-ranked article is the ticket's, when the search is confident of it. A ticket nothing
//! matches with confidence keeps no category and is asked again at the next sync, when the
//! knowledge base may cover it.

use solodesk_engine::{Index, SearchOptions};
use std::path::Path;

pub struct Classifier {
    index: Index,
}

impl Classifier {
    /// `None` when the knowledge base has no article to compare with.
    pub fn new(kb: &Path) -> Option<Classifier> {
        let mut diags = crate::diag::Diagnostics::default();
        let loaded = crate::load::load(kb, &mut diags);
        Some(Classifier {
            index: index_of(&loaded)?,
        })
    }

    /// The category title of the article that best answers `question`, in `lang` when known;
    /// `None` when no article answers it with confidence (the widget's own abstention): a weak
    /// best match put every ticket of a four-article desk, wholesale and Arabic ones included,
    /// in the category of whatever ranked first.
    pub fn category(&self, question: &str, lang: Option<&str>) -> Option<String> {
        let (hits, confident) = self
            .index
            .search_confident(question, &SearchOptions { limit: 1, lang });
        if !confident {
            return None;
        }
        let category = self.index.category(hits.first()?.article)?;
        (!category.is_empty()).then(|| category.to_owned())
    }
}

/// The index `kbgen build` would write for `loaded`, built in memory (no file is written) and read
/// back as the widget reads it; `None` when the knowledge base has no article.
pub fn index_of(loaded: &crate::load::Kb) -> Option<Index> {
    if loaded.articles.is_empty() {
        return None;
    }
    let mut diags = crate::diag::Diagnostics::default();
    let (index, shards) = crate::site::index_files(loaded, &mut diags);
    let index = Index::from_bytes(&index).ok()?;
    for (_, shard) in &shards {
        index.add_shard(shard).ok()?;
    }
    Some(index)
}

/// The visitor's question in a first message: the subject and the body above the widget's `--`
/// line (or its first 600 characters), quoted lines left out.
pub fn question_text(subject: &str, body: &str) -> String {
    let mut q = String::from(subject);
    for line in body.lines() {
        if line.trim_end() == "--" || q.len() > 600 {
            break;
        }
        if !line.trim_start().starts_with('>') {
            q.push('\n');
            q.push_str(line);
        }
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A question the knowledge base answers takes its article's category; one it does not
    /// answer takes none, rather than the category of whatever ranked first.
    #[test]
    fn only_a_confident_match_gives_a_category() {
        let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        let c = Classifier::new(&kb).expect("articles");
        assert_eq!(
            c.category("can I get my money back for a return", Some("en"))
                .as_deref(),
            Some("Orders")
        );
        assert_eq!(
            c.category("do you sell wholesale to schools in Iceland", Some("en")),
            None
        );
    }
}
