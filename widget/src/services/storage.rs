//! Keeps the conversation and the draft in sessionStorage, so a reload or the next page of the
//! owner's site continues where the visitor was; the tab's session ends it, and nothing is stored
//! that outlives it (no cookies, no localStorage).

use crate::state::State;

fn storage() -> Option<web_sys::Storage> {
    // Access throws in sandboxed frames and with storage disabled; the panel then just forgets.
    web_sys::window()?.session_storage().ok().flatten()
}

/// The saved state under `key`, if there is one that reads back.
pub fn load(key: &str) -> Option<State> {
    State::load(&storage()?.get_item(key).ok().flatten()?)
}

/// Saves `state` under `key`; a full or disabled storage is ignored.
pub fn save(key: &str, state: &State) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, &state.save());
    }
}
