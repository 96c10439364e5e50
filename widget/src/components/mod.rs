//! The panel's components, one per file, each with its `Props`; stateless pieces (`snippet`,
//! `article_list`, `reply`) are plain view functions to save the per-component WebAssembly.
//!
//! They render what [`crate::state::State`] holds and turn clicks and keys into
//! [`crate::state::Action`]s; UI strings come from the [`crate::config::Config`] context. Visitor
//! and article text always goes through Yew's escaping; only a rule's `answer_html`, written by the
//! owner and rendered by kbgen, is inserted as HTML.

pub mod app;
pub mod article_list;
pub mod article_view;
pub mod ask_box;
pub mod contact_form;
pub mod conversation;
pub mod header;
pub mod reply;
pub mod result_list;
pub mod snippet;

use crate::config::Config;
use std::rc::Rc;

/// The resolved config from the app's context; every component sits under the provider.
#[yew::hook]
pub fn use_config() -> Rc<Config> {
    yew::use_context::<Rc<Config>>()
        .unwrap_or_else(|| Rc::new(Config::resolve(crate::config::RawConfig::default())))
}
