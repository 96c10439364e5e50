//! Fetches the index's shards. A large knowledge base's postings come in files beside
//! `index.bin` (see `solodesk_engine::IndexBuilder::build_sharded`); a search that needed one
//! not here yet says so ([`Index::missing_shards`]), and its results are incomplete until the
//! shard is fetched, added to the index and the search run again.

use super::fetch::bytes;
use crate::config::absolute;
use solodesk_engine::Index;
use std::cell::RefCell;
use std::rc::Rc;
use yew::Callback;

/// A shard that could not be had is asked for again by a later search, this long after (ms): a
/// network that failed for a moment must not leave the knowledge base's words unsearchable
/// until the page is reloaded, and a search run again because the shard failed must not ask
/// for it again at once (a loop while the network is down).
const RETRY_AFTER_MS: f64 = 3000.0;

/// The shards asked for so far, those that could not be had and when (searched without until
/// `RETRY_AFTER_MS` has passed, rather than waited for forever), and how many have come back
/// either way.
#[derive(Default)]
pub struct Shards {
    requested: Vec<usize>,
    lost: Vec<(usize, f64)>,
    arrived: u32,
}

impl Shards {
    /// How many shards have come back: searches depend on it, to run again.
    pub fn arrived(&self) -> u32 {
        self.arrived
    }

    /// Must a search that found `missing` wait? Yes while any of them may still come: on its
    /// way, never asked for, or lost long enough ago to be asked for again.
    pub fn waits_for(&self, missing: &[usize]) -> bool {
        missing.iter().any(|&k| !self.lost_lately(k))
    }

    /// Whether shard `k` could not be had less than `RETRY_AFTER_MS` ago.
    fn lost_lately(&self, k: usize) -> bool {
        let now = js_sys::Date::now();
        self.lost
            .iter()
            .any(|&(l, t)| l == k && now - t < RETRY_AFTER_MS)
    }

    /// Whether shard `k` is to be fetched now (never asked for, or lost long enough ago), and
    /// if so, marks it asked for.
    fn take(&mut self, k: usize) -> bool {
        if self.lost_lately(k) {
            return false;
        }
        if let Some(i) = self.lost.iter().position(|&(l, _)| l == k) {
            self.lost.swap_remove(i);
            return true;
        }
        if self.requested.contains(&k) {
            return false;
        }
        self.requested.push(k);
        true
    }
}

/// Fetches the shards in `missing` that are not here or on their way (a lost one again once
/// `RETRY_AFTER_MS` has passed), adds each to `index` and calls `arrived` when it is in (or
/// could not be had).
pub fn fetch(
    shards: &Rc<RefCell<Shards>>,
    index: &Rc<Index>,
    base: &str,
    missing: &[usize],
    arrived: &Callback<()>,
) {
    for &k in missing {
        if !shards.borrow_mut().take(k) {
            continue;
        }
        let url = absolute(base, &index.shard_file(k));
        let (shards, index, arrived) = (shards.clone(), index.clone(), arrived.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let added = bytes(&url)
                .await
                .is_some_and(|b| index.add_shard(&b).is_ok());
            let mut s = shards.borrow_mut();
            if !added {
                s.lost.push((k, js_sys::Date::now()));
            }
            s.arrived += 1;
            drop(s);
            arrived.emit(());
        });
    }
}
