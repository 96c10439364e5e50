//! The conversation so far, with the feedback question under the last answer; new answers are
//! announced to screen readers through the live region. Questions asked before the search index
//! arrived follow, with a note that their answer is on its way.

use super::{loading, reply};
use crate::config::Config;
use crate::services::host::Emitter;
use crate::state::{last_exchange, Action, State, Turn};
use std::rc::Rc;
use yew::prelude::*;

/// Everything the conversation shows, compared cheaply: the turns by identity first (the state
/// shares them until a turn is added), the configuration by identity.
#[derive(Properties)]
pub struct Props {
    pub turns: Rc<Vec<Turn>>,
    /// Asked, not answered yet (see [`crate::state::State::pending`]).
    pub pending: Vec<String>,
    pub awaiting_feedback: bool,
    pub offers_ticket: bool,
    pub config: Rc<Config>,
    pub dispatch: UseReducerDispatcher<State>,
    pub emit: Emitter,
}

impl PartialEq for Props {
    fn eq(&self, other: &Self) -> bool {
        self.turns == other.turns
            && self.pending == other.pending
            && self.awaiting_feedback == other.awaiting_feedback
            && self.offers_ticket == other.offers_ticket
            && Rc::ptr_eq(&self.config, &other.config)
            && self.dispatch == other.dispatch
            && self.emit == other.emit
    }
}

/// A component of its own, unlike the panel's other pieces (see [`crate::components`]): the
/// conversation only grows, and as part of the panel's view every keystroke in the question box
/// rendered and compared all of it again, so typing got slower with every question asked. With
/// equal props Yew skips it.
#[function_component]
pub fn Conversation(props: &Props) -> Html {
    let s = &props.config.strings;
    let on_open = {
        let d = props.dispatch.clone();
        Callback::from(move |i: u32| d.dispatch(Action::OpenArticle(i)))
    };
    let owner = if props.config.email.is_empty() {
        &props.config.site
    } else {
        &props.config.email
    };
    let turns = props.turns.iter().map(|t| match t {
        Turn::Question(q) => html! {
            <div class="sd-q"><span class="sd-sr">{ &s.you }{ ": " }</span><bdi dir="auto">{ q }</bdi></div>
        },
        Turn::Reply(r) => reply::view(r, s, owner, &props.config.base, &on_open),
        // The panel's word after a rating stays in the conversation, as the rating does.
        Turn::Feedback(yes) => html! {
            <>
                <div class="sd-q">{ if *yes { &s.yes } else { &s.no } }</div>
                <p class="sd-reply">{ if *yes { &s.thanks } else { &s.sorry } }</p>
            </>
        },
    });
    let pending = props.pending.iter().map(|q| {
        html! {
            <div class="sd-q sd-pending"><span class="sd-sr">{ &s.you }{ ": " }</span><bdi dir="auto">{ q }</bdi></div>
        }
    });
    let waiting = (!props.pending.is_empty()).then(|| loading::view(&props.config));
    let feedback = props.awaiting_feedback.then(|| {
        let on_feedback = {
            let (d, turns, emit) = (
                props.dispatch.clone(),
                props.turns.clone(),
                props.emit.clone(),
            );
            let base = props.config.base.clone();
            Callback::from(move |yes: bool| {
                if let Some((question, reply)) = last_exchange(&turns) {
                    let helpful = ("helpful", if yes { "yes" } else { "no" });
                    emit.reply("feedback", &base, question, reply, &[helpful]);
                }
                d.dispatch(Action::Feedback(yes))
            })
        };
        html! {
            <div class="sd-feedback" role="group" aria-label={s.feedback.clone()}>
                <span>{ &s.feedback }</span>
                <button type="button" class="sd-chip" onclick={on_feedback.reform(|_| true)}>{ &s.yes }</button>
                <button type="button" class="sd-chip" onclick={on_feedback.reform(|_| false)}>{ &s.no }</button>
            </div>
        }
    });
    let after = if props.offers_ticket {
        let d = props.dispatch.clone();
        html! {
            <div class="sd-reply">
                <button type="button" class="sd-button" onclick={move |_| d.dispatch(Action::OpenContact)}>{ &s.contact_us }</button>
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
