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

/// The shards asked for so far, those that could not be had (searched without from then on,
/// rather than waited for forever), and how many have come back either way.
#[derive(Default)]
pub struct Shards {
    requested: Vec<usize>,
    lost: Vec<usize>,
    arrived: u32,
}

impl Shards {
    /// How many shards have come back: searches depend on it, to run again.
    pub fn arrived(&self) -> u32 {
        self.arrived
    }

    /// Must a search that found `missing` wait? Yes while any of them may still come.
    pub fn waits_for(&self, missing: &[usize]) -> bool {
        missing.iter().any(|k| !self.lost.contains(k))
    }
}

/// Fetches the shards in `missing` that were not asked for yet, adds each to `index` and calls
/// `arrived` when it is in (or could not be had).
pub fn fetch(
    shards: &Rc<RefCell<Shards>>,
    index: &Rc<Index>,
    base: &str,
    missing: &[usize],
    arrived: &Callback<()>,
) {
    for &k in missing {
        if shards.borrow().requested.contains(&k) {
            continue;
        }
        shards.borrow_mut().requested.push(k);
        let url = absolute(base, &index.shard_file(k));
        let (shards, index, arrived) = (shards.clone(), index.clone(), arrived.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let added = bytes(&url)
                .await
                .is_some_and(|b| index.add_shard(&b).is_ok());
            let mut s = shards.borrow_mut();
            if !added {
                s.lost.push(k);
            }
            s.arrived += 1;
            drop(s);
            arrived.emit(());
        });
    }
}
