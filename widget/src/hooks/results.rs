//! What the home view lists: the live results as the visitor types, with their passages, and
//! the suggestions when nothing is typed.

use super::{ShardFetcher, LIST_LIMIT};
use crate::config::Config;
use crate::services::article;
use crate::services::fetch::later;
use crate::state::passages::{Passages, PassagesAction};
use crate::state::{Link, Search, State};
use solodesk_engine::{Hit, Index, Located, SearchOptions};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The results of the draft, as shown.
pub struct LiveResults {
    /// The engine's confident hits, none while the shards they need are on their way.
    pub hits: Rc<Vec<Hit>>,
    /// Each hit's section and snippet, once its passages are in.
    pub located: Rc<Vec<Option<Located>>>,
    /// The results wait for shards of the index.
    pub shards_due: bool,
    /// The passages fetched so far, once per article.
    pub passages: Rc<RefCell<Passages>>,
}

/// Searches the draft as it is typed, and again when the index or a shard arrives; fetches the
/// missing shards, and the shown results' passages: once per article, then each result gets its
/// section and snippet (until then, or when they cannot be had, its title alone).
#[hook]
pub fn use_live_results(
    state: &UseReducerHandle<State>,
    config: &Rc<Config>,
    shards: &ShardFetcher,
    rerender: &UseForceUpdateHandle,
) -> LiveResults {
    let index: Option<Rc<Index>> = state.search.index();
    let found = {
        let lang = config.lang;
        // Also when the index arrives: what was typed before it gets its results then.
        use_memo(
            (state.draft.clone(), state.search.clone(), shards.arrivals),
            move |(draft, search, _)| match search {
                Search::Ready(ix) if !draft.trim().is_empty() => {
                    let (mut hits, confident) = ix.search_confident(
                        draft,
                        &SearchOptions {
                            limit: LIST_LIMIT,
                            lang: Some(lang),
                        },
                    );
                    // The engine's abstention, as in replies and on the search page: weak
                    // matches are "no matching articles", not results.
                    if !confident {
                        hits.clear();
                    }
                    (Rc::new(hits), ix.missing_shards())
                }
                _ => Default::default(),
            },
        )
    };
    // Until they are here, no results: some of their words' articles are not counted yet.
    let shards_due = shards.waits_for(&found.1);
    let hits = if shards_due {
        Rc::default()
    } else {
        found.0.clone()
    };
    let passages = super::index::use_per_index::<Passages>(&index);
    let passages_in = passages.borrow().arrived();
    {
        let (passages, index, base) = (passages.clone(), index.clone(), config.base.clone());
        let (rerender, shards) = (rerender.clone(), shards.clone());
        use_effect_with((found.clone(), hits.clone()), move |(found, hits)| {
            let Some(ix) = &index else { return };
            shards.fetch(ix, &found.1);
            let shown: Vec<u32> = hits.iter().map(|h| h.article).collect();
            let missing = passages.borrow().missing(&shown);
            if missing.is_empty() {
                return;
            }
            passages
                .borrow_mut()
                .apply(PassagesAction::Requested(missing.clone()));
            // The titles are on screen first; the snippets follow.
            let ix = ix.clone();
            later(move || {
                for i in missing {
                    if let Some(a) = ix.articles().get(i as usize) {
                        let (passages, rerender) = (passages.clone(), rerender.clone());
                        let done = Callback::from(move |p| {
                            passages.borrow_mut().apply(PassagesAction::Arrived(i, p));
                            rerender.force_update();
                        });
                        article::fetch_passages(&base, &a.url, done);
                    }
                }
            });
        });
    }
    let located = {
        let (lang, passages) = (config.lang, passages.clone());
        // The hits too: the index arriving changes them under the same draft.
        use_memo(
            (state.draft.clone(), hits.clone(), passages_in),
            move |(draft, hits, _)| match &index {
                Some(ix) => {
                    let passages = passages.borrow();
                    let results: Vec<_> = hits
                        .iter()
                        .map(|h| (h.article, passages.get(h.article).map(|p| &**p)))
                        .collect();
                    ix.locate_all(&results, draft, Some(lang))
                }
                None => Vec::new(),
            },
        )
    };
    LiveResults {
        hits,
        located,
        shards_due,
        passages,
    }
}

/// Articles for the page the visitor is on (true), or else the first ones in their language
/// (false); none until the index is here. On a sharded index each shows once its title's block
/// is here (`use_shards` fetches what they wanted), so they are listed again as shards arrive.
#[hook]
pub fn use_suggestions(
    search: &Search,
    config: &Rc<Config>,
    shards: &ShardFetcher,
) -> Rc<(bool, Vec<Link>)> {
    let config = config.clone();
    use_memo(
        (search.clone(), shards.arrivals),
        move |(search, _)| match search {
            Search::Ready(ix) => suggestions(ix, &config),
            _ => (false, Vec::new()),
        },
    )
}

fn suggestions(ix: &Index, config: &Config) -> (bool, Vec<Link>) {
    let link = |i: u32| {
        Some(Link {
            article: i,
            title: ix.title(i)?.to_owned(),
            url: ix.articles().get(i as usize)?.url.clone(),
        })
    };
    let mut for_page: Vec<u32> = ix.suggest_for_page(&config.page_url);
    // Prefer the visitor's language, keep the engine's order otherwise.
    for_page.sort_by_key(|&i| {
        ix.articles()
            .get(i as usize)
            .is_none_or(|a| a.lang != config.lang)
    });
    // One entry per article: a translation only shows when the visitor's language lacks it.
    let mut seen = Vec::new();
    for_page.retain(|&i| {
        ix.articles().get(i as usize).is_some_and(|a| {
            let new = !seen.contains(&a.id.as_str());
            seen.push(a.id.as_str());
            new
        })
    });
    let for_page: Vec<_> = for_page
        .into_iter()
        .filter_map(link)
        .take(LIST_LIMIT)
        .collect();
    if !for_page.is_empty() {
        return (true, for_page);
    }
    let popular = ix
        .articles()
        .iter()
        .enumerate()
        .filter(|(_, a)| a.lang == config.lang)
        .filter_map(|(i, _)| link(i as u32))
        .take(LIST_LIMIT)
        .collect();
    (false, popular)
}
