//! The index's side: the owner's commands (the index among them), its shards, and the questions
//! that wait for both.

use super::LIST_LIMIT;
use crate::config::Config;
use crate::services::fetch::bytes;
use crate::services::host::{Emitter, Shared};
use crate::services::shards::{self, Shards};
use crate::state::{Action, Reply, Search, State, Wider};
use crate::Command;
use solodesk_engine::Index;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// A large index's shards, fetched as searches need them (see `services::shards`).
#[derive(Clone)]
pub struct ShardFetcher {
    pub shards: Rc<RefCell<Shards>>,
    /// How many shards arrived (or failed) so far; the searches depend on it.
    pub arrivals: u32,
    base: String,
    arrived: Callback<()>,
}

impl ShardFetcher {
    /// Fetches the shards in `missing` not asked for yet.
    pub fn fetch(&self, ix: &Rc<Index>, missing: &[usize]) {
        shards::fetch(&self.shards, ix, &self.base, missing, &self.arrived)
    }

    /// Whether results needing `missing` must wait for shards still on their way.
    pub fn waits_for(&self, missing: &[usize]) -> bool {
        self.shards.borrow().waits_for(missing)
    }
}

/// The title article `i` is shown with: none while the block of a sharded index that holds it
/// may still come (`due`, as [`ShardFetcher::waits_for`] says; it is then marked as wanted,
/// for `use_shards` to fetch), its id once that block could not be had.
pub fn shown_title(ix: &Index, i: u32, due: impl Fn(usize) -> bool) -> Option<String> {
    if ix.title(i).is_none() && ix.title_shard(i).is_some_and(due) {
        return None;
    }
    ix.title_or_id(i).map(str::to_owned)
}

/// The shards of `index` fetched so far; each arrival renders again through `rerender`. Another
/// index (every language's, after the page's language's) starts afresh: its shards are others.
/// After each render it fetches what the render wanted and nothing else fetches: the blocks of
/// titles of a sharded index that suggestions and an article reopened after a reload show.
#[hook]
pub fn use_shards(
    base: &str,
    index: Option<Rc<Index>>,
    rerender: &UseForceUpdateHandle,
) -> ShardFetcher {
    let shards = use_per_index::<Shards>(&index);
    let arrivals = shards.borrow().arrived();
    let rerender = rerender.clone();
    let fetcher = ShardFetcher {
        shards,
        arrivals,
        base: base.to_owned(),
        arrived: Callback::from(move |()| rerender.force_update()),
    };
    {
        let fetcher = fetcher.clone();
        use_effect(move || {
            if let Some(ix) = index {
                fetcher.fetch(&ix, &ix.missing_shards());
            }
        });
    }
    fetcher
}

/// Every question waits in `pending` until the engine can answer it: at once when the index is
/// here, else when it arrives (or fails, which answers with the ticket), and until the shards its
/// words need are here too. Each answer is told to the host page.
#[hook]
pub fn use_answer_pending(
    state: &UseReducerHandle<State>,
    emit: &Emitter,
    config: &Rc<Config>,
    shards: &ShardFetcher,
) {
    {
        // With the page's language's index, every language's is there to fetch (see `Wider`).
        let (dispatch, wider) = (state.dispatcher(), !config.index_all.is_empty());
        use_effect_with((), move |_| {
            if wider {
                dispatch.dispatch(Action::Wider(Wider::Available));
            }
        });
    }
    let (state, emit, config, shards) =
        (state.clone(), emit.clone(), config.clone(), shards.clone());
    let waiting = (state.search.clone(), state.pending.clone(), shards.arrivals);
    use_effect_with(waiting, move |_| {
        let mut answers = state.answer_pending(&config.page_url, config.lang, LIST_LIMIT);
        if let Some(ix) = state.search.index() {
            let missing = ix.missing_shards();
            if shards.waits_for(&missing) {
                return shards.fetch(&ix, &missing);
            }
            // A shard its words needed could not be had: "no answer" would be a guess.
            if !missing.is_empty() {
                for a in &mut answers {
                    if let Action::Asked { reply, .. } = a {
                        if !reply.answers() {
                            *reply = Reply::Unavailable;
                        }
                    }
                }
            }
        }
        for a in answers {
            match &a {
                Action::Asked { question, reply } => {
                    emit.reply("answer", &config.base, question, reply, &[])
                }
                Action::Wider(Wider::Fetching) => fetch_wider(&config.index_all, &state),
                _ => {}
            }
            state.dispatch(a);
        }
    });
}

/// Fetches every language's index (see `Wider`) and hands it to the state, or says it failed.
fn fetch_wider(url: &str, state: &UseReducerHandle<State>) {
    let (url, dispatch) = (url.to_owned(), state.dispatcher());
    wasm_bindgen_futures::spawn_local(async move {
        // Why it failed is no one's business: the page's language's index stays.
        let found = bytes(&url)
            .await
            .map_or(Search::Failed(String::new()), |b| Search::read(&b));
        dispatch.dispatch(Action::Widened(found));
    });
}

/// Turns the owner's commands (see [`crate::Widget`]), the index among them, into actions.
#[hook]
pub fn use_host_commands(bus: &Shared, dispatch: &UseReducerDispatcher<State>) {
    let (bus, dispatch) = (bus.clone(), dispatch.clone());
    use_effect_with((), move |_| {
        bus.0.attach(Callback::from(move |c| {
            dispatch.dispatch(match c {
                Command::Ask(text) => Action::Ask(text),
                Command::SetSearch(search) => Action::SetSearch(search),
                Command::Prefill {
                    name,
                    email,
                    message,
                } => Action::Prefill {
                    name,
                    email,
                    message,
                },
                Command::Contact => Action::OpenContact,
            })
        }))
    });
}

/// A cache of what was fetched for `index`, by position in it: another index (every language's
/// after the page's language's) starts it afresh, since its positions are others.
#[hook]
pub fn use_per_index<T: Default + 'static>(index: &Option<Rc<Index>>) -> Rc<RefCell<T>> {
    let cache = use_mut_ref(T::default);
    // Held, not only its address: a new index could take a dropped one's.
    let of = use_mut_ref(|| None::<Rc<Index>>);
    let ptr = |i: &Option<Rc<Index>>| i.as_ref().map(Rc::as_ptr);
    if ptr(&of.borrow()) != ptr(index) {
        *of.borrow_mut() = index.clone();
        *cache.borrow_mut() = T::default();
    }
    cache
}
