//! The index's side: the owner's commands (the index among them), its shards, and the questions
//! that wait for both.

use super::LIST_LIMIT;
use crate::config::Config;
use crate::services::host::{Emitter, Shared};
use crate::services::shards::{self, Shards};
use crate::state::{Action, State};
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

/// The shards fetched so far; each arrival renders again through `rerender`.
#[hook]
pub fn use_shards(base: &str, rerender: &UseForceUpdateHandle) -> ShardFetcher {
    let shards = use_mut_ref(Shards::default);
    let arrivals = shards.borrow().arrived();
    let rerender = rerender.clone();
    ShardFetcher {
        shards,
        arrivals,
        base: base.to_owned(),
        arrived: Callback::from(move |()| rerender.force_update()),
    }
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
    let (state, emit, config, shards) =
        (state.clone(), emit.clone(), config.clone(), shards.clone());
    let waiting = (state.search.clone(), state.pending.clone(), shards.arrivals);
    use_effect_with(waiting, move |_| {
        let answers = state.answer_pending(&config.page_url, config.lang, LIST_LIMIT);
        if let Some(ix) = state.search.index() {
            let missing = ix.missing_shards();
            if shards.waits_for(&missing) {
                return shards.fetch(&ix, &missing);
            }
        }
        for a in answers {
            if let Action::Asked { question, reply } = &a {
                emit.reply("answer", &config.base, question, reply, &[]);
            }
            state.dispatch(a);
        }
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
