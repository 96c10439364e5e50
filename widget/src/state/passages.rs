//! The passages cache: the articles' passages fetched so far, another pure reducer, kept beside
//! the [`State`](super::State) rather than in it (see [`Passages`]).

use solodesk_engine::Passages as ArticlePassages;
use std::rc::Rc;

/// An article's passages, fetched once per page (see `services::article::fetch_passages`).
#[derive(Clone, Debug, PartialEq)]
pub enum Fetch {
    Loading,
    Ready(Rc<ArticlePassages>),
    /// Missing or unreadable: the result stays title-only and is not asked for again.
    Failed,
}

/// The passages of the articles results have shown, by position in the index: what turns a
/// result's title into its section and snippet. An article absent from it was never asked for.
/// A list rather than a map: it holds the few articles one visit's results show, and a map's
/// code would cost more WebAssembly than the searches save.
///
/// A cache beside the state rather than in it: asking for passages changes nothing on screen,
/// so only an arrival renders again, and the views depend on [`Passages::arrived`] rather than
/// on comparing the cache.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Passages {
    entries: Vec<(u32, Fetch)>,
    arrived: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PassagesAction {
    /// Fetches of these articles started.
    Requested(Vec<u32>),
    /// An article's passages arrived, or `None` when they could not be had.
    Arrived(u32, Option<Rc<ArticlePassages>>),
}

impl Passages {
    pub fn apply(&mut self, action: PassagesAction) {
        match action {
            PassagesAction::Requested(articles) => {
                for a in articles {
                    if self.entry(a).is_none() {
                        self.entries.push((a, Fetch::Loading));
                    }
                }
            }
            PassagesAction::Arrived(a, p) => {
                let fetch = p.map_or(Fetch::Failed, Fetch::Ready);
                match self.entries.iter_mut().find(|(b, _)| *b == a) {
                    Some(e) => e.1 = fetch,
                    None => self.entries.push((a, fetch)),
                }
                self.arrived += 1;
            }
        }
    }

    /// How many fetches have come back, either way: what shows passages depends on it.
    pub fn arrived(&self) -> u32 {
        self.arrived
    }

    fn entry(&self, article: u32) -> Option<&Fetch> {
        self.entries
            .iter()
            .find(|(a, _)| *a == article)
            .map(|(_, f)| f)
    }

    /// The articles of `shown` that were never asked for, each once, in order.
    pub fn missing(&self, shown: &[u32]) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for &a in shown {
            if self.entry(a).is_none() && !out.contains(&a) {
                out.push(a);
            }
        }
        out
    }

    pub fn get(&self, article: u32) -> Option<&Rc<ArticlePassages>> {
        match self.entry(article) {
            Some(Fetch::Ready(p)) => Some(p),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_are_asked_for_once_and_kept() {
        let p = Rc::new(ArticlePassages::new("About refunds".into(), Vec::new()));
        let mut cache = Passages::default();
        assert_eq!(cache.missing(&[3, 1, 3]), [3, 1]);
        cache.apply(PassagesAction::Requested(vec![3, 1]));
        assert_eq!(
            cache.missing(&[3, 1, 2]),
            [2],
            "loading ones are not asked again"
        );
        assert_eq!(cache.get(3), None);
        assert_eq!(cache.arrived(), 0, "asking shows nothing new");
        cache.apply(PassagesAction::Arrived(3, Some(p.clone())));
        cache.apply(PassagesAction::Arrived(1, None));
        assert_eq!(cache.arrived(), 2);
        assert_eq!(cache.get(3), Some(&p));
        assert_eq!(
            cache.get(1),
            None,
            "a failed fetch leaves the result title-only"
        );
        assert_eq!(
            cache.missing(&[3, 1]),
            Vec::<u32>::new(),
            "nor are failed ones"
        );
        // A late duplicate request never forgets what arrived.
        cache.apply(PassagesAction::Requested(vec![3]));
        assert_eq!(cache.get(3), Some(&p));
    }
}
