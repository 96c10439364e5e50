//! The panel's pieces, one per file: `app` is the root Yew component (it wires the state and the
//! hooks of [`crate::hooks`] to the views) and `conversation` the other one (it only grows, and Yew skips a component whose props
//! are equal, so typing does not render it again); every other piece is a plain view function,
//! because each function component costs about 4 KB of WebAssembly (1.5 KB gzip) and none of
//! them has state of its own.
//!
//! They render what [`crate::state::State`] holds and turn clicks and keys into
//! [`crate::state::Action`]s; UI strings come from the [`crate::config::Config`] the app passes
//! down. Visitor
//! and article text always goes through Yew's escaping; only HTML that kbgen rendered and sanitised
//! at build time (a rule's `answer_html`, an article's body fragment) is inserted as HTML.

pub mod app;
pub mod article_list;
pub mod article_view;
pub mod ask_box;
pub mod contact_form;
pub mod conversation;
pub mod header;
pub mod loading;
pub mod reply;
pub mod result_list;
pub mod snippet;
