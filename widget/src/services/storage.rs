//! Keeps the conversation and the draft in sessionStorage, so a reload or the next page of the
//! owner's site continues where the visitor was; the tab's session ends it, and nothing is stored
//! that outlives it (no cookies, no localStorage).
//!
//! Two entries: `key` holds the draft's part ([`State::saved_draft`]), which every keystroke
//! changes, and `key` + `:turns` the conversation ([`State::saved_turns`]), written only when
//! it grows, so typing costs the same however long the conversation is.

use crate::state::State;

/// Added to the key of the draft's entry for the conversation's.
const TURNS: &str = ":turns";

fn storage() -> Option<web_sys::Storage> {
    // Access throws in sandboxed frames and with storage disabled; the panel then just forgets.
    web_sys::window()?.session_storage().ok().flatten()
}

/// The saved state under `key`, if there is one that reads back.
pub fn load(key: &str) -> Option<State> {
    let s = storage()?;
    let mut saved = s.get_item(key).ok().flatten()?;
    saved.push_str(
        &s.get_item(&turns_key(key))
            .ok()
            .flatten()
            .unwrap_or_default(),
    );
    State::load(&saved)
}

/// Saves the draft's part ([`State::saved_draft`]) under `key`; a full or disabled storage is
/// ignored.
pub fn save_draft(key: &str, saved: &str) {
    set(key, saved);
}

/// Saves the conversation ([`State::saved_turns`]) beside the draft's part under `key`.
pub fn save_turns(key: &str, saved: &str) {
    set(&turns_key(key), saved);
}

fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

fn turns_key(key: &str) -> String {
    format!("{key}{TURNS}")
}
