//! The root component: wires the state, the hooks and the views together.
//!
//! It renders at once, before the search index is there: the index arrives later as a
//! [`Command::SetSearch`](crate::Command) and goes into the state like everything else, and
//! questions asked meanwhile are answered when it does. The side effects are the named hooks of
//! [`crate::hooks`]; this file picks the view.

use super::conversation::Conversation;
use super::{article_list, article_view, ask_box, contact_form, header, loading, result_list};
use crate::config::Config;
use crate::hooks::{
    shown_title, use_answer_pending, use_article_body, use_follow_newest, use_host_commands,
    use_live_results, use_persisted_state, use_scroll_to_section, use_shards, use_suggestions,
    use_view_focus, LiveResults, Suggested,
};
use crate::services::host::{Emitter, Shared};
use crate::services::ticket;
use crate::state::{Action, Search, State, View, Wider};
use solodesk_engine::Article;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct Props {
    pub config: Rc<Config>,
    /// Brings the owner's commands and the index (see [`crate::Widget`]).
    pub bus: Shared,
    pub emit: Emitter,
}

impl PartialEq for Props {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.config, &other.config) && self.bus == other.bus && self.emit == other.emit
    }
}

#[function_component]
pub fn App(props: &Props) -> Html {
    let config = props.config.clone();
    let state = use_persisted_state(&config.storage_key());
    let panel = use_node_ref();
    use_view_focus(&state, &panel);
    let article_body = use_article_body(&state, &config.base);
    let dispatch = state.dispatcher();
    // What arrives beside the state (shards, passages) renders again through this.
    let rerender = use_force_update();
    let shards = use_shards(&config.base, state.search.index(), &rerender);
    use_answer_pending(&state, &props.emit, &config, &shards);
    use_host_commands(&props.bus, &dispatch);
    let results = use_live_results(&state, &config, &shards, &rerender);
    use_scroll_to_section(
        &state.view,
        &results.hits,
        &results.located,
        &article_body,
        &panel,
    );
    let suggested = use_suggestions(&state.search, &config, &shards);
    // The conversation follows its newest turn and the live results.
    let body_ref = use_node_ref();
    let onscroll = use_follow_newest(&state, &body_ref);
    // The index, once it is here; until then searches find nothing and questions wait.
    let index = state.search.index();
    let ask = {
        let dispatch = dispatch.clone();
        Callback::from(move |question: String| dispatch.dispatch(Action::Ask(question)))
    };

    let s = &config.strings;
    let go = |a: Action| on_click(&dispatch, a);
    let close = {
        let emit = props.emit.clone();
        Callback::from(move |_| emit.emit("close", &[]))
    };
    let on_back = (state.view != View::Home).then(|| go(Action::Home));

    let body = match (&state.view, &index) {
        (View::Article(i), Some(ix)) if (*i as usize) < ix.articles().len() => {
            let a = &ix.articles()[*i as usize];
            // Reopened after a reload on a sharded index, its title may still be on its way: the
            // article waits for it.
            match shown_title(ix, *i, |k| shards.waits_for(&[k])) {
                Some(title) => article_view::view(
                    &article_view::Props {
                        article: Article { title, ..a.clone() },
                        passages: results.passages.borrow().get(*i).cloned(),
                        body: article_body
                            .as_ref()
                            .filter(|(j, _)| j == i)
                            .and_then(|(_, html)| html.clone()),
                        failed: matches!(&article_body, Some((j, None)) if j == i),
                    },
                    &config,
                ),
                None => loading::view(&config),
            }
        }
        (View::Contact, _) => contact(&state, &config, &dispatch, &props.emit, &rerender),
        _ => home(
            &state,
            &config,
            &dispatch,
            &props.emit,
            &results,
            &suggested,
        ),
    };
    let footer = match state.view {
        View::Home => html! {
            <>
                { ask_box::view(&ask_box::Props {
                    draft: state.draft.clone(),
                    on_input: { let d = dispatch.clone(); Callback::from(move |t| d.dispatch(Action::SetDraft(t))) },
                    on_ask: ask,
                }, &config) }
                <button type="button" class="sd-link sd-contact-link" onclick={go(Action::OpenContact)}>{ &s.contact_us }</button>
            </>
        },
        View::Article(_) => html! {
            <button type="button" class="sd-link sd-contact-link" onclick={go(Action::OpenContact)}>{ &s.contact_us }</button>
        },
        View::Contact => html! {},
    };

    html! {
        <div class="sd-panel" ref={panel} lang={config.lang} dir={if config.rtl { "rtl" } else { "ltr" }}>
            { header::view(&header::Props { on_back, on_close: close }, &config) }
            <div class="sd-body" ref={body_ref} {onscroll}>{ body }</div>
            <div class="sd-footer">{ footer }</div>
        </div>
    }
}

/// A click that dispatches `action`.
fn on_click<E>(dispatch: &UseReducerDispatcher<State>, action: Action) -> Callback<E> {
    let d = dispatch.clone();
    Callback::from(move |_| d.dispatch(action.clone()))
}

/// The contact form, with the ticket it would send as it stands.
fn contact(
    state: &UseReducerHandle<State>,
    config: &Rc<Config>,
    dispatch: &UseReducerDispatcher<State>,
    emit: &Emitter,
    rerender: &UseForceUpdateHandle,
) -> Html {
    let mailto = ticket::compose(state, config);
    // Blocks written uncompressed meanwhile are compressed, and the form composed again.
    ticket::pack_later({
        let rerender = rerender.clone();
        move || rerender.force_update()
    });
    let (reference, subject) = (state.reference.clone(), mailto.subject.clone());
    let on_sent = {
        let emit = emit.clone();
        Callback::from(move |_| {
            emit.emit(
                "ticket",
                &[("reference", &reference), ("subject", &subject)],
            )
        })
    };
    let on_post = ticket::poster(state, config, dispatch, emit);
    html! {
        { contact_form::view(&contact_form::Props { contact: state.contact.clone(), mailto, copy: state.copy, dispatch: dispatch.clone(), on_sent, on_post, post: state.post }, config) }
    }
}

/// The conversation, with the live results or suggestions under it.
fn home(
    state: &State,
    config: &Rc<Config>,
    dispatch: &UseReducerDispatcher<State>,
    emit: &Emitter,
    results: &LiveResults,
    suggested: &Suggested,
) -> Html {
    let s = &config.strings;
    let open_article = {
        let d = dispatch.clone();
        Callback::from(move |i: u32| d.dispatch(Action::OpenArticle(i)))
    };
    // The page's language's index failed and every language's is on its way: still loading.
    let failed = match &state.search {
        Search::Failed(why) if state.wider == Wider::None => Some(why),
        _ => None,
    };
    let loading = state.search == Search::Loading
        || matches!(state.search, Search::Failed(_)) && failed.is_none();
    // Results that wait for shards of the index show the same note, and so do suggestions
    // whose titles are on their way.
    let loading_results = if state.draft.trim().is_empty() {
        state.turns.is_empty() && suggested.pending
    } else {
        results.shards_due
    };
    // While the index is on its way, a small note stands where the results or the
    // suggestions will be; a pending question has it in the conversation, and one is enough.
    let list = if loading_results
        || loading
            && state.pending.is_empty()
            && (!state.draft.trim().is_empty() || state.turns.is_empty())
    {
        loading::view(config)
    } else if loading || failed.is_some() {
        // No index (yet): nothing to list, rather than "no matching articles".
        html! {}
    } else if !state.draft.trim().is_empty() {
        result_list::view(
            &result_list::Props {
                hits: results.hits.clone(),
                located: results.located.clone(),
                on_open: open_article,
            },
            config,
        )
    } else if state.turns.is_empty() && !suggested.links.is_empty() {
        let heading = if suggested.for_page {
            s.suggested.clone()
        } else {
            s.popular.clone()
        };
        html! {
            <section class="sd-suggested" aria-label={heading.clone()}>
                <h3 class="sd-h">{ heading }</h3>
                { article_list::view(&suggested.links, &open_article) }
            </section>
        }
    } else {
        html! {}
    };
    // Why it failed ("index.en.bin: TypeError: Failed to fetch") is for the owner, who finds
    // it in the element's `data-why`; the visitor reads what they can do. Once the conversation
    // offers the contact form under its own answer, one button there is enough.
    let unavailable = failed.map(|why| html! {
        <div class="sd-notice" role="alert" data-why={why.to_string()}>
            <p>{ &s.unavailable }</p>
            if !state.offers_ticket() {
                <button type="button" class="sd-button" onclick={on_click(dispatch, Action::OpenContact)}>{ &s.contact_us }</button>
            }
        </div>
    });
    html! {
        <>
            { for unavailable }
            <p class="sd-greeting">{ &s.greeting }</p>
            <Conversation
                turns={state.turns.clone()}
                pending={state.pending.clone()}
                awaiting_feedback={state.awaiting_feedback()}
                offers_ticket={state.offers_ticket()}
                config={config.clone()}
                dispatch={dispatch.clone()}
                emit={emit.clone()}
            />
            { list }
        </>
    }
}
