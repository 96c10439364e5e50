//! The state, restored from the visitor's storage and saved back as it changes.

use crate::services::host::random_bits;
use crate::services::storage;
use crate::state::State;
use crate::ticket::reference_from;
use yew::prelude::*;

/// The panel's one reducer, read from storage under `key` (a new conversation with a fresh
/// reference when nothing is saved) and saved in two parts (see `services::storage`): what typing
/// changes, compared as the text saved, and the conversation, compared by identity and written
/// only when it changes.
#[hook]
pub fn use_persisted_state(key: &str) -> UseReducerHandle<State> {
    let state = use_reducer({
        let key = key.to_owned();
        move || storage::load(&key).unwrap_or_else(|| State::new(reference_from(random_bits())))
    });
    {
        let key = key.to_owned();
        use_effect_with(state.saved_draft(), move |saved| {
            storage::save_draft(&key, saved)
        });
    }
    {
        let (s, key) = (state.clone(), key.to_owned());
        use_effect_with((state.turns.clone(), state.pending.clone()), move |_| {
            storage::save_turns(&key, &s.saved_turns())
        });
    }
    state
}
