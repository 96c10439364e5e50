//! What the home view lists: the live results as the visitor types, with their passages, and
//! the suggestions when nothing is typed.

use super::{shown_title, ShardFetcher, LIST_LIMIT};
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

/// What the panel suggests before anything is typed.
#[derive(Debug, Default, PartialEq)]
pub struct Suggested {
    /// Articles for the page the visitor is on, rather than the first ones in their language.
    pub for_page: bool,
    pub links: Vec<Link>,
    /// Their titles are on their way (blocks of a sharded index): the list is not shown yet.
    pub pending: bool,
}

/// Articles for the page the visitor is on, or else the first ones in their language; none
/// until the index is here. On a sharded index they show once their titles' blocks are here
/// (`use_shards` fetches what they wanted), so they are listed again as shards arrive.
#[hook]
pub fn use_suggestions(
    search: &Search,
    config: &Rc<Config>,
    shards: &ShardFetcher,
) -> Rc<Suggested> {
    let (config, shards) = (config.clone(), shards.clone());
    use_memo(
        (search.clone(), shards.arrivals),
        move |(search, _)| match search {
            Search::Ready(ix) => suggestions(ix, &config, &|k| shards.waits_for(&[k])),
            _ => Suggested::default(),
        },
    )
}

/// [`use_suggestions`], where `due(k)` says whether shard `k` may still come.
fn suggestions(ix: &Index, config: &Config, due: &dyn Fn(usize) -> bool) -> Suggested {
    // All of the chosen articles with their titles, or pending while a title is on its way
    // (its block of a sharded index): a list that filled in as blocks arrived would reshuffle.
    // Each is asked for, so all their blocks are fetched at once.
    let titled = |for_page: bool, chosen: Vec<u32>| -> Suggested {
        let mut pending = false;
        let links = chosen
            .into_iter()
            .filter_map(|i| {
                let title = shown_title(ix, i, due);
                pending |= title.is_none();
                let a = ix.articles().get(i as usize)?;
                Some(Link::to(i, title.unwrap_or_default(), a))
            })
            .collect();
        Suggested {
            for_page,
            links: if pending { Vec::new() } else { links },
            pending,
        }
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
    if !for_page.is_empty() {
        for_page.truncate(LIST_LIMIT);
        return titled(true, for_page);
    }
    // The first articles in the visitor's language; on a page in a language the panel does
    // not speak (its strings fall back to English), it loaded that language's index: its first.
    let first = |lang: Option<&str>| -> Vec<u32> {
        let articles = ix.articles().iter().enumerate();
        articles
            .filter(|(_, a)| lang.is_none_or(|l| a.lang == l))
            .map(|(i, _)| i as u32)
            .take(LIST_LIMIT)
            .collect()
    };
    let mut popular = first(Some(config.lang));
    if popular.is_empty() {
        popular = first(None);
    }
    titled(false, popular)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;
    use solodesk_engine::{Article, IndexBuilder, Section};

    fn articles(b: &mut IndexBuilder, lang: &str, n: usize) {
        for k in 0..n {
            b.add_article(Article {
                id: format!("{lang}{k}"),
                lang: lang.into(),
                title: format!("Article {k} about parcels, binding and leather ({lang})"),
                url: format!("{lang}/{lang}{k}/"),
                sections: vec![Section {
                    text: format!("parcel {k} leather binding journal paper thread {k}x"),
                    ..Section::default()
                }],
                ..Article::default()
            });
        }
    }

    fn config(lang: &str) -> Config {
        Config::resolve(RawConfig {
            lang: Some(lang.into()),
            ..RawConfig::default()
        })
    }

    fn ids(links: &[Link], ix: &Index) -> Vec<String> {
        let a = ix.articles();
        links
            .iter()
            .map(|l| a[l.article as usize].id.clone())
            .collect()
    }

    /// A page in a language the panel does not speak (Spanish: its strings fall back to
    /// English) loads that language's index, whose first articles it suggests.
    #[test]
    fn a_page_in_another_language_suggests_its_index_s_first_articles() {
        let mut b = IndexBuilder::new();
        articles(&mut b, "es", 8);
        let ix = Index::from_bytes(&b.build()).unwrap();
        let s = suggestions(&ix, &config("en"), &|_| true);
        assert!(!s.for_page && !s.pending);
        assert_eq!(ids(&s.links, &ix), ["es0", "es1", "es2", "es3", "es4"]);
    }

    /// On a sharded index the first five's titles are in blocks: the suggestions ask for those
    /// blocks only (opening the panel fetched every block of the language), and show when all
    /// five are in, in their order.
    #[test]
    fn suggestions_on_a_sharded_index_wait_for_their_blocks_only() {
        let mut b = IndexBuilder::new();
        articles(&mut b, "en", 300);
        articles(&mut b, "zh", 300);
        let (head, shards) = b.build_sharded_above(1_000, 500);
        let ix = Index::from_bytes(&head).unwrap();
        assert!(ix.title_shard(0).is_some(), "titles are in blocks");
        let s = suggestions(&ix, &config("zh"), &|_| true);
        assert!(s.pending && s.links.is_empty());
        let wanted = ix.missing_shards();
        assert_eq!(wanted, [ix.title_shard(300).unwrap()]);
        let files: std::collections::HashMap<_, _> = shards.into_iter().collect();
        for k in wanted {
            ix.add_shard(&files[&ix.shard_file(k)]).unwrap();
        }
        let s = suggestions(&ix, &config("zh"), &|_| true);
        assert!(!s.pending);
        assert_eq!(ids(&s.links, &ix), ["zh0", "zh1", "zh2", "zh3", "zh4"]);
        assert!(s.links.iter().all(|l| l.title.ends_with("(zh)")));

        // A block that could not be had: the articles are named by their ids.
        let ix = Index::from_bytes(&head).unwrap();
        let s = suggestions(&ix, &config("en"), &|_| false);
        assert!(!s.pending);
        assert_eq!(
            s.links.iter().map(|l| l.title.as_str()).collect::<Vec<_>>(),
            ["en0", "en1", "en2", "en3", "en4"]
        );
    }
}
