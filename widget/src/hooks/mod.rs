//! The panel's side effects, one named hook each, so [`crate::components::app::App`] reads as
//! wiring: the state and what is saved of it (`saved`), the index's shards and the questions that
//! wait for them (`index`), the live results and their passages (`results`), the open article's
//! body (`article`), and where focus and scroll go (`view`). The state itself is pure and lives
//! in [`crate::state`]; these hooks only fetch, store and move the page, and dispatch
//! [`crate::state::Action`]s. The layout follows Yew's `examples/function_todomvc`.

mod article;
mod index;
mod results;
mod saved;
mod view;

pub use article::{use_article_body, use_scroll_to_section, ArticleBody};
pub use index::{shown_title, use_answer_pending, use_host_commands, use_shards, ShardFetcher};
pub use results::{use_live_results, use_suggestions, LiveResults, Suggested};
pub use saved::use_persisted_state;
pub use view::{use_follow_newest, use_view_focus};

/// How many articles a reply or a suggestion list shows.
pub const LIST_LIMIT: usize = 5;
