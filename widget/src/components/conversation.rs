//! The conversation so far, with the feedback question under the last answer; new answers are
//! announced to screen readers through the live region. Questions asked before the search index
//! arrived follow, with a note that their answer is on its way.

use super::{loading, reply};
use crate::config::Config;
use crate::state::Turn;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub turns: Vec<Turn>,
    /// Asked, not answered yet (see [`crate::state::State::pending`]).
    pub pending: Vec<String>,
    pub awaiting_feedback: bool,
    pub offers_ticket: bool,
    pub on_open: Callback<u32>,
    pub on_feedback: Callback<bool>,
    pub on_contact: Callback<MouseEvent>,
}

/// A plain view function rather than a component: a function component costs about 3.5 KB of
/// WebAssembly, and this one has no state of its own.
pub fn view(props: &Props, config: &Config) -> Html {
    let s = &config.strings;
    let turns = props.turns.iter().map(|t| match t {
        Turn::Question(q) => html! {
            <div class="sd-q"><span class="sd-sr">{ &s.you }{ ": " }</span><bdi>{ q }</bdi></div>
        },
        Turn::Reply(r) => reply::view(r, s, &props.on_open),
        Turn::Feedback(yes) => html! {
            <div class="sd-q">{ if *yes { &s.yes } else { &s.no } }</div>
        },
    });
    let pending = props.pending.iter().map(|q| {
        html! {
            <div class="sd-q sd-pending"><span class="sd-sr">{ &s.you }{ ": " }</span><bdi>{ q }</bdi></div>
        }
    });
    let waiting = (!props.pending.is_empty()).then(|| loading::view(config));
    let feedback = props.awaiting_feedback.then(|| {
        html! {
            <div class="sd-feedback" role="group" aria-label={s.feedback.clone()}>
                <span>{ &s.feedback }</span>
                <button type="button" class="sd-chip" onclick={props.on_feedback.reform(|_| true)}>{ &s.yes }</button>
                <button type="button" class="sd-chip" onclick={props.on_feedback.reform(|_| false)}>{ &s.no }</button>
            </div>
        }
    });
    let after = if let Some(Turn::Feedback(true)) = props.turns.last() {
        html! { <p class="sd-reply">{ &s.thanks }</p> }
    } else if props.offers_ticket {
        html! {
            <div class="sd-reply">
                if matches!(props.turns.last(), Some(Turn::Feedback(false))) { <p>{ &s.sorry }</p> }
                <button type="button" class="sd-button" onclick={props.on_contact.clone()}>{ &s.contact_us }</button>
            </div>
        }
    } else {
        html! {}
    };
    html! {
        <div class="sd-conversation" aria-live="polite" aria-relevant="additions">
            { for turns }
            { for feedback }
            { after }
            { for pending }
            { for waiting }
        </div>
    }
}
