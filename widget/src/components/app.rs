//! The root component: owns the state, talks to the engine, and picks the view.
//!
//! It renders at once, before the search index is there: the index arrives later as a
//! [`Command::SetSearch`] and goes into the state like everything else, and questions asked
//! meanwhile are answered when it does.

use super::conversation::Conversation;
use super::{article_list, article_view, ask_box, contact_form, header, loading, result_list};
use crate::config::Config;
use crate::services::fetch::later;
use crate::services::host::{random_bits, Emitter, Shared};
use crate::services::shards::{self, Shards};
use crate::services::{article, storage, ticket};
use crate::state::{reference_from, Action, Passages, PassagesAction, Post, Search, State, View};
use crate::Command;
use solodesk_engine::{Index, SearchOptions};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// How many articles a reply or a suggestion list shows.
const LIST_LIMIT: usize = 5;

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
    let key = config.storage_key();
    let state = use_reducer({
        let key = key.clone();
        move || storage::load(&key).unwrap_or_else(|| State::new(reference_from(random_bits())))
    });
    // Saved in two parts (see `services::storage`): what typing changes, compared as the text
    // saved, and the conversation, compared by identity and written only when it changes.
    {
        let key = key.clone();
        use_effect_with(state.saved_draft(), move |saved| {
            storage::save_draft(&key, saved)
        });
    }
    {
        let s = state.clone();
        use_effect_with((state.turns.clone(), state.pending.clone()), move |_| {
            storage::save_turns(&key, &s.saved_turns())
        });
    }
    // The index, once it is here; until then searches find nothing and questions wait.
    let index: Option<Rc<Index>> = state.search.index();

    // Views and answers replace the element that had focus (a result, Yes/No); move focus to the
    // new view's first field or heading so keyboard users never fall out of the dialog. Answers
    // count on the home view only: one that arrives with the index while the visitor writes in the
    // contact form must not pull focus to its first field.
    let panel = use_node_ref();
    {
        let panel = panel.clone();
        let answers = if state.view == View::Home {
            state.turns.len()
        } else {
            0
        };
        use_effect_with((state.view.clone(), answers), move |(view, _)| {
            // The article and the contact form open at their top, whatever the conversation's
            // scroll was (they share its scroll area), so the form's intro and first field show.
            if *view != View::Home {
                if let Some(body) = panel
                    .cast::<web_sys::Element>()
                    .and_then(|p| p.query_selector(".sd-body").ok().flatten())
                {
                    body.set_scroll_top(0);
                }
            }
            let target = panel
                .cast::<web_sys::Element>()
                .and_then(|p| {
                    p.query_selector(".sd-input, .sd-article-title")
                        .ok()
                        .flatten()
                })
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(t) = target {
                let _ = t.focus();
            }
        });
    }

    // The open article's body, fetched when it opens: (position, HTML or None when unavailable).
    let article_body = use_state(|| None::<(u32, Option<AttrValue>)>);
    {
        let (body, base) = (article_body.clone(), config.base.clone());
        use_effect_with(
            (state.view.clone(), state.search.clone()),
            move |(view, search)| {
                let (View::Article(i), Search::Ready(ix)) = (view, search) else {
                    return;
                };
                let i = *i;
                if body.as_ref().is_some_and(|(j, _)| *j == i) {
                    return;
                }
                if let Some(a) = ix.articles().get(i as usize) {
                    let done = Callback::from(move |html: Option<String>| {
                        body.set(Some((i, html.map(AttrValue::from))))
                    });
                    article::fetch_body(&base, &a.url, done);
                }
            },
        );
    }

    let dispatch = state.dispatcher();
    // What arrives beside the state (shards, passages) renders again through this.
    let rerender = use_force_update();
    // A large index's shards, fetched as searches need them (see `services::shards`); each
    // arrival renders again and counts up `arrivals`, on which the searches depend.
    let shards = use_mut_ref(Shards::default);
    let arrivals = shards.borrow().arrived();
    let fetch_shards = {
        let (shards, base, rerender) = (shards.clone(), config.base.clone(), rerender.clone());
        let arrived = Callback::from(move |()| rerender.force_update());
        move |ix: &Rc<Index>, missing: &[usize]| {
            shards::fetch(&shards, ix, &base, missing, &arrived)
        }
    };
    // Every question waits in `pending` until the engine can answer it: at once when the index is
    // here, else when it arrives (or fails, which answers with the ticket), and until the shards
    // its words need are here too.
    {
        let (state, emit, config) = (state.clone(), props.emit.clone(), config.clone());
        let (shards, fetch_shards) = (shards.clone(), fetch_shards.clone());
        let waiting = (state.search.clone(), state.pending.clone(), arrivals);
        use_effect_with(waiting, move |_| {
            let answers = state.answer_pending(&config.page_url, config.lang, LIST_LIMIT);
            if let Some(ix) = state.search.index() {
                let missing = ix.missing_shards();
                if shards.borrow().waits_for(&missing) {
                    return fetch_shards(&ix, &missing);
                }
            }
            for a in answers {
                if let Action::Asked { question, reply } = &a {
                    emit.reply("answer", &config.base, question, reply, &[]);
                }
                state.dispatch(a);
            }
        });
    }
    let ask = {
        let dispatch = dispatch.clone();
        Callback::from(move |question: String| dispatch.dispatch(Action::Ask(question)))
    };
    {
        let (bus, ask, dispatch) = (props.bus.clone(), ask.clone(), dispatch.clone());
        use_effect_with((), move |_| {
            bus.0.attach(Callback::from(move |c| match c {
                Command::Ask(text) => ask.emit(text),
                Command::SetSearch(search) => dispatch.dispatch(Action::SetSearch(search)),
                Command::Prefill {
                    name,
                    email,
                    message,
                } => dispatch.dispatch(Action::Prefill {
                    name,
                    email,
                    message,
                }),
                Command::Contact => dispatch.dispatch(Action::OpenContact),
            }))
        });
    }

    // The results as typed, and the shards they still need.
    let found = {
        let lang = config.lang;
        // Also when the index arrives: what was typed before it gets its results then.
        use_memo(
            (state.draft.clone(), state.search.clone(), arrivals),
            move |(draft, search, _)| match search {
                Search::Ready(ix) if !draft.trim().is_empty() => {
                    let (mut hits, confident) = ix.search_confident(
                        draft,
                        &SearchOptions {
                            limit: LIST_LIMIT,
                            lang: Some(lang),
                        },
                    );
                    // The engine's abstention, as in replies and on the search page: weak
                    // matches are "no matching articles", not results.
                    if !confident {
                        hits.clear();
                    }
                    (Rc::new(hits), ix.missing_shards())
                }
                _ => Default::default(),
            },
        )
    };
    // Until they are here, no results: some of their words' articles are not counted yet.
    let shards_due = shards.borrow().waits_for(&found.1);
    let hits = if shards_due {
        Rc::default()
    } else {
        found.0.clone()
    };
    // The missing shards are fetched, and the shown results' passages: once per article, then
    // each result gets its section and snippet (until then, or when they cannot be had, its
    // title alone).
    let passages = use_mut_ref(Passages::default);
    let passages_in = passages.borrow().arrived();
    {
        let (passages, index, base) = (passages.clone(), index.clone(), config.base.clone());
        let rerender = rerender.clone();
        use_effect_with((found.clone(), hits.clone()), move |(found, hits)| {
            let Some(ix) = &index else { return };
            fetch_shards(ix, &found.1);
            let shown: Vec<u32> = hits.iter().map(|h| h.article).collect();
            let missing = passages.borrow().missing(&shown);
            if missing.is_empty() {
                return;
            }
            passages
                .borrow_mut()
                .apply(PassagesAction::Requested(missing.clone()));
            // The titles are on screen first; the snippets follow.
            let ix = ix.clone();
            later(move || {
                for i in missing {
                    if let Some(a) = ix.articles().get(i as usize) {
                        let (passages, rerender) = (passages.clone(), rerender.clone());
                        let done = Callback::from(move |p| {
                            passages.borrow_mut().apply(PassagesAction::Arrived(i, p));
                            rerender.force_update();
                        });
                        article::fetch_passages(&base, &a.url, done);
                    }
                }
            });
        });
    }
    let located = {
        let (index, lang, passages) = (index.clone(), config.lang, passages.clone());
        // The hits too: the index arriving changes them under the same draft.
        use_memo(
            (state.draft.clone(), hits.clone(), passages_in),
            move |(draft, hits, _)| match &index {
                Some(ix) => {
                    let passages = passages.borrow();
                    let results: Vec<_> = hits
                        .iter()
                        .map(|h| (h.article, passages.get(h.article).map(|p| &**p)))
                        .collect();
                    ix.locate_all(&results, draft, Some(lang))
                }
                None => Vec::new(),
            },
        )
    };
    // An article opened from a result that points at one of its sections opens at that section
    // once its body is in (the stand-in has no anchors); focus stays on the title.
    {
        let anchor = match &state.view {
            View::Article(i) => hits
                .iter()
                .zip(located.iter())
                .find(|(h, _)| h.article == *i)
                .and_then(|(_, l)| Some(l.as_ref()?.url.split_once('#')?.1.to_string())),
            _ => None,
        };
        let arrived = matches!((&state.view, &*article_body),
            (View::Article(i), Some((j, Some(_)))) if i == j);
        let panel = panel.clone();
        use_effect_with(
            (state.view.clone(), anchor, arrived),
            move |(_, anchor, arrived)| {
                if let (Some(anchor), true, Some(panel)) =
                    (anchor, arrived, panel.cast::<web_sys::Element>())
                {
                    scroll_to_anchor(&panel, anchor);
                }
            },
        );
    }
    let suggested = {
        let config = config.clone();
        use_memo(state.search.clone(), move |search| match search {
            Search::Ready(ix) => suggestions(ix, &config),
            _ => (false, Vec::new()),
        })
    };

    // The conversation follows its newest turn and the live results (see `Follow`).
    let follow = use_mut_ref(Follow::default);
    let body_ref = use_node_ref();
    {
        let (follow, body_ref) = (follow.clone(), body_ref.clone());
        let home = state.view == View::Home;
        // What the visitor did themselves: questions asked (answered or waiting) and ratings.
        let own = state.pending.len()
            + state
                .turns
                .iter()
                .filter(|t| !matches!(t, crate::state::Turn::Reply(_)))
                .count();
        use_effect(move || {
            let mut f = follow.borrow_mut();
            if !home {
                f.home = false;
                return;
            }
            // Back on the conversation, or a question or rating of the visitor's: follow again.
            if !f.home || own != f.own {
                f.on = true;
            }
            f.home = true;
            f.own = own;
            if let (true, Some(body)) = (f.on, body_ref.cast::<web_sys::HtmlElement>()) {
                f.placed = Some(follow_newest(&body));
            }
        });
    }
    let onscroll = {
        let follow = follow.clone();
        Callback::from(move |e: Event| {
            let body: web_sys::Element = e.target_unchecked_into();
            let mut f = follow.borrow_mut();
            let top = body.scroll_top();
            // Where the panel put it (its own scroll's event), or near the bottom: keep
            // following; anywhere else the visitor is reading further up, and stays there.
            f.on = f.placed.is_some_and(|p| (top - p).abs() <= 2)
                || body.scroll_height() - top - body.client_height() <= NEAR_BOTTOM;
        })
    };

    let s = &config.strings;
    let go = |a: Action| {
        let d = dispatch.clone();
        Callback::from(move |_| d.dispatch(a.clone()))
    };
    let open_article = {
        let d = dispatch.clone();
        Callback::from(move |i: u32| d.dispatch(Action::OpenArticle(i)))
    };
    let close = {
        let emit = props.emit.clone();
        Callback::from(move |_| emit.emit("close", &[]))
    };
    let on_back = (state.view != View::Home).then(|| go(Action::Home));

    let body = match (&state.view, &index) {
        (View::Article(i), Some(ix)) if (*i as usize) < ix.articles().len() => html! {
            { article_view::view(&article_view::Props {
                article: ix.articles()[*i as usize].clone(),
                passages: passages.borrow().get(*i).cloned(),
                body: article_body.as_ref().filter(|(j, _)| j == i).and_then(|(_, html)| html.clone()),
            }, &config) }
        },
        (View::Contact, _) => {
            let mailto = ticket::compose(&state, &config);
            // Blocks written uncompressed meanwhile are compressed, and the form composed again.
            ticket::pack_later({
                let rerender = rerender.clone();
                move || rerender.force_update()
            });
            let (emit, reference, subject) = (
                props.emit.clone(),
                state.reference.clone(),
                mailto.subject.clone(),
            );
            let on_sent = Callback::from(move |_| {
                emit.emit(
                    "ticket",
                    &[("reference", &reference), ("subject", &subject)],
                )
            });
            let on_post = (!config.ticket_url.is_empty()).then(|| {
                let (state, config, dispatch, emit) = (
                    state.clone(),
                    config.clone(),
                    dispatch.clone(),
                    props.emit.clone(),
                );
                Callback::from(move |_| {
                    if state.post == Post::Sending {
                        return;
                    }
                    dispatch.dispatch(Action::Post(Post::Sending));
                    let json = ticket::json(&state, &config);
                    let (url, dispatch, emit) =
                        (config.ticket_url.clone(), dispatch.clone(), emit.clone());
                    let (reference, subject) = (
                        state.reference.clone(),
                        ticket::compose(&state, &config).subject,
                    );
                    wasm_bindgen_futures::spawn_local(async move {
                        let sent = crate::services::fetch::post_json(&url, &json).await;
                        if sent {
                            emit.emit(
                                "ticket",
                                &[("reference", &reference), ("subject", &subject)],
                            );
                        }
                        dispatch.dispatch(Action::Post(if sent {
                            Post::Sent
                        } else {
                            Post::Failed
                        }));
                    });
                })
            });
            html! {
                { contact_form::view(&contact_form::Props { contact: state.contact.clone(), mailto, copy: state.copy, dispatch: dispatch.clone(), on_sent, on_post, post: state.post }, &config) }
            }
        }
        _ => {
            let loading = state.search == Search::Loading;
            // Results that wait for shards of the index show the same note.
            let loading_results = !state.draft.trim().is_empty() && shards_due;
            // While the index is on its way, a small note stands where the results or the
            // suggestions will be; a pending question has it in the conversation, and one is enough.
            let list = if loading_results
                || loading
                    && state.pending.is_empty()
                    && (!state.draft.trim().is_empty() || state.turns.is_empty())
            {
                loading::view(&config)
            } else if loading || matches!(state.search, Search::Failed(_)) {
                // No index (yet): nothing to list, rather than "no matching articles".
                html! {}
            } else if !state.draft.trim().is_empty() {
                result_list::view(
                    &result_list::Props {
                        hits: hits.clone(),
                        located: located.clone(),
                        on_open: open_article.clone(),
                    },
                    &config,
                )
            } else if state.turns.is_empty() && !suggested.1.is_empty() {
                let heading = if suggested.0 {
                    s.suggested.clone()
                } else {
                    s.popular.clone()
                };
                html! {
                    <section class="sd-suggested" aria-label={heading.clone()}>
                        <h3 class="sd-h">{ heading }</h3>
                        { article_list::view(&suggested.1, &open_article) }
                    </section>
                }
            } else {
                html! {}
            };
            let failed = match &state.search {
                Search::Failed(why) => Some(why),
                _ => None,
            };
            let unavailable = failed.map(|why| html! {
                <div class="sd-notice" role="alert">
                    <p>{ &s.unavailable }</p>
                    <p class="sd-muted">{ why }</p>
                    <button type="button" class="sd-button" onclick={go(Action::OpenContact)}>{ &s.contact_us }</button>
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
                        emit={props.emit.clone()}
                    />
                    { list }
                </>
            }
        }
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

/// How close to the bottom (px) the visitor's scroll counts as following the conversation.
const NEAR_BOTTOM: i32 = 48;

/// Whether the conversation follows its newest turn: from the third question on, a new answer
/// was below the fold while the view stayed at the top. It follows while the visitor is at (or
/// near) where it put the view or the bottom, and again after each question or rating of
/// theirs; once they scroll up to read, arriving answers and results leave the view alone.
#[derive(Default)]
struct Follow {
    on: bool,
    /// The conversation was on screen at the last render.
    home: bool,
    /// The visitor's own turns at the last render (questions asked and ratings).
    own: usize,
    /// The scroll position the panel last set.
    placed: Option<i32>,
}

/// Scrolls `body` to show the newest: the live results when there are any, else the newest
/// question with as much of its answer as fits (the question stays at the top when the answer
/// is taller than the view). Returns the scroll position set.
fn follow_newest(body: &web_sys::HtmlElement) -> i32 {
    let newest = body
        .query_selector(".sd-results")
        .ok()
        .flatten()
        .or_else(|| {
            let all = body.query_selector_all(".sd-conversation > .sd-q").ok()?;
            all.item(all.length().checked_sub(1)?)?.dyn_into().ok()
        })
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    let Some(newest) = newest else {
        return body.scroll_top();
    };
    // `.sd-body` is the offset parent of everything in it (it is positioned).
    let bottom = body.scroll_height() - body.client_height();
    let top = (newest.offset_top() - 8).min(bottom).max(0);
    if top != body.scroll_top() {
        body.set_scroll_top(top);
    }
    body.scroll_top()
}

/// Articles for the page the visitor is on (true), or else the first ones in their language (false).
fn suggestions(ix: &Index, config: &Config) -> (bool, Vec<crate::state::Link>) {
    let link = |i: u32| {
        ix.articles().get(i as usize).map(|a| crate::state::Link {
            article: i,
            title: a.title.clone(),
            url: a.url.clone(),
        })
    };
    let mut for_page: Vec<u32> = ix.suggest_for_page(&config.page_url);
    // Prefer the visitor's language, keep the engine's order otherwise.
    for_page.sort_by_key(|&i| {
        ix.articles()
            .get(i as usize)
            .is_none_or(|a| a.lang != config.lang)
    });
    // One entry per article: a translation only shows when the visitor's language lacks it.
    let mut seen = Vec::new();
    for_page.retain(|&i| {
        ix.articles().get(i as usize).is_some_and(|a| {
            let new = !seen.contains(&a.id.as_str());
            seen.push(a.id.as_str());
            new
        })
    });
    let for_page: Vec<_> = for_page
        .into_iter()
        .filter_map(link)
        .take(LIST_LIMIT)
        .collect();
    if !for_page.is_empty() {
        return (true, for_page);
    }
    let popular = ix
        .articles()
        .iter()
        .enumerate()
        .filter(|(_, a)| a.lang == config.lang)
        .filter_map(|(i, _)| link(i as u32))
        .take(LIST_LIMIT)
        .collect();
    (false, popular)
}

/// Scrolls the open article's element whose id is `anchor` to the top of the panel. Ids are
/// compared as text, so an anchor needs no escaping for a selector (they may be Chinese).
fn scroll_to_anchor(panel: &web_sys::Element, anchor: &str) {
    let Ok(found) = panel.query_selector_all(".sd-article-body [id]") else {
        return;
    };
    let target = (0..found.length())
        .filter_map(|i| found.item(i)?.dyn_into::<web_sys::Element>().ok())
        .find(|e| e.id() == anchor);
    if let Some(target) = target {
        target.scroll_into_view_with_bool(true);
    }
}
