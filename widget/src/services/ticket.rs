//! Composes the email ticket from the conversation: the pure [`crate::ticket::compose_with`] plus
//! what only the browser has: the time, and its zlib compressor for the machine block.
//!
//! `CompressionStream` is asynchronous and the form composes on every keystroke, so a block is
//! written at once from the browser's earlier compression of the same JSON when there is one,
//! and otherwise as stored (uncompressed) zlib, a valid but longer block, while its JSON is
//! queued: [`pack_later`] compresses the queue and the form composes again, now fitting more
//! turns in the link. Where the browser has no `CompressionStream`, blocks stay stored.

use crate::config::Config;
use crate::services::deflate;
use crate::services::host::Emitter;
use crate::state::{Action, Post, Reply, State, Turn as StateTurn};
use crate::ticket::{self, block, block::Answer, Mailto, Ticket, Turn};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::{Callback, UseReducerDispatcher, UseReducerHandle};

thread_local! {
    /// Blocks' JSON the browser has compressed, with their zlib bytes: a few per visit, found
    /// by comparing (a map's hashing would cost more code than it saves time here).
    static PACKED: RefCell<Vec<(String, Vec<u8>)>> = const { RefCell::new(Vec::new()) };
    /// Blocks' JSON written stored and waiting for the browser's compressor.
    static WANTED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static PACKING: Cell<bool> = const { Cell::new(false) };
    /// When this page first composed a ticket: one time per page, so that the JSON of a block,
    /// and so its compression, stays the same from keystroke to keystroke.
    static TIME: String = super::host::now_iso();
}

/// The machine block's line: compressed by the browser if it has been, else stored and queued.
fn encode(b: &block::Block) -> String {
    let json = block::to_json(b);
    let packed = PACKED.with(|p| {
        let p = p.borrow();
        p.iter()
            .find(|(j, _)| *j == json)
            .map(|(_, z)| block::line(z))
    });
    if let Some(line) = packed {
        return line;
    }
    if deflate::available() {
        WANTED.with(|w| {
            let mut w = w.borrow_mut();
            if !w.contains(&json) {
                w.push(json.clone());
            }
        });
    }
    block::line(&block::zlib_stored(json.as_bytes()))
}

/// Compresses the blocks the last compositions queued, then calls `done` if any were, so the
/// form composes again with them; does nothing while a run is under way (its `done` follows).
pub fn pack_later(done: impl FnOnce() + 'static) {
    if PACKING.with(Cell::get) || WANTED.with(|w| w.borrow().is_empty()) {
        return;
    }
    PACKING.with(|p| p.set(true));
    wasm_bindgen_futures::spawn_local(async move {
        let wanted = WANTED.with(|w| std::mem::take(&mut *w.borrow_mut()));
        let mut packed = false;
        for json in wanted {
            if let Some(z) = deflate::zlib(json.as_bytes()).await {
                PACKED.with(|p| {
                    let mut p = p.borrow_mut();
                    // A long visit's earlier conversations are not composed again.
                    if p.len() >= 256 {
                        p.clear();
                    }
                    p.push((json, z));
                });
                packed = true;
            }
        }
        PACKING.with(|p| p.set(false));
        if packed {
            done();
        }
    });
}

/// The contact form's "Send" when the owner has a form endpoint (`ticketUrl`): posts the ticket's
/// JSON there once at a time, tells the host page when it went, and dispatches how it went.
pub fn poster(
    state: &UseReducerHandle<State>,
    config: &Rc<Config>,
    dispatch: &UseReducerDispatcher<State>,
    emit: &Emitter,
) -> Option<Callback<()>> {
    if config.ticket_url.is_empty() {
        return None;
    }
    let (state, config, dispatch, emit) = (
        state.clone(),
        config.clone(),
        dispatch.clone(),
        emit.clone(),
    );
    Some(Callback::from(move |_| {
        if state.post == Post::Sending {
            return;
        }
        dispatch.dispatch(Action::Post(Post::Sending));
        let json = json(&state, &config);
        let (url, dispatch, emit) = (config.ticket_url.clone(), dispatch.clone(), emit.clone());
        let (reference, subject) = (state.reference.clone(), compose(&state, &config).subject);
        wasm_bindgen_futures::spawn_local(async move {
            let sent = super::fetch::post_json(&url, &json).await;
            if sent {
                emit.emit(
                    "ticket",
                    &[("reference", &reference), ("subject", &subject)],
                );
            }
            dispatch.dispatch(Action::Post(if sent { Post::Sent } else { Post::Failed }));
        });
    }))
}

/// The `mailto:` link for the current state.
pub fn compose(state: &State, config: &Config) -> Mailto {
    with_ticket(state, config, |t| mailto(t, config))
}

/// The ticket as JSON for the owner's form endpoint (schema: [`ticket::json`]).
pub fn json(state: &State, config: &Config) -> String {
    with_ticket(state, config, |t| ticket::json(t, &mailto(t, config)))
}

fn mailto(t: &Ticket<'_>, config: &Config) -> Mailto {
    ticket::compose_with(
        &config.email,
        t,
        ticket::MAX_URL_LEN,
        &config.strings.truncation_note,
        &encode,
    )
}

fn with_ticket<R>(state: &State, config: &Config, f: impl FnOnce(&Ticket<'_>) -> R) -> R {
    let c = &state.contact;
    let time = TIME.with(String::clone);
    let turns = turns(state);
    let ticket = Ticket {
        site: &config.site,
        reference: &state.reference,
        name: c.name.trim(),
        email: c.email.trim(),
        message: &c.message,
        page_url: &config.page_url,
        lang: config.lang,
        time: &time,
        widget_version: env!("CARGO_PKG_VERSION"),
        turns: &turns,
    };
    f(&ticket)
}

/// The conversation as the ticket records it: each question with what answered it and its
/// rating, then the questions still waiting for an answer.
pub fn turns(state: &State) -> Vec<Turn> {
    let mut out: Vec<Turn> = Vec::new();
    let push = |out: &mut Vec<Turn>, question: &str, answer: Answer| {
        out.push(Turn {
            block: ticket::block::Turn {
                question: question.to_string(),
                answer,
                rule: None,
                articles: Vec::new(),
                rating: None,
            },
            titles: Vec::new(),
        });
    };
    for t in state.turns.iter() {
        match t {
            StateTurn::Question(q) => push(&mut out, q, Answer::Pending),
            StateTurn::Reply(r) => {
                let Some(last) = out.last_mut() else { continue };
                let (answer, links) = match r {
                    Reply::Rule { id, articles, .. } => {
                        last.block.rule = Some(id.clone());
                        (Answer::Rule, articles.as_slice())
                    }
                    Reply::Articles(l) => (Answer::Articles, l.as_slice()),
                    Reply::Weak(l) => (Answer::Weak, l.as_slice()),
                    Reply::Nothing => (Answer::None, &[][..]),
                    Reply::Unavailable => (Answer::Unavailable, &[][..]),
                };
                last.block.answer = answer;
                for l in links {
                    last.block
                        .articles
                        .push(ticket::article_id(&l.url).to_string());
                    last.titles.push(l.title.clone());
                }
            }
            StateTurn::Feedback(yes) => {
                if let Some(last) = out.last_mut() {
                    last.block.rating = Some(*yes);
                }
            }
        }
    }
    for q in &state.pending {
        push(&mut out, q, Answer::Pending);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, Link};

    #[test]
    fn the_conversation_becomes_ticket_turns() {
        let mut s = State::new("K7Q2XM".into());
        s.apply(Action::Asked {
            question: "refund?".into(),
            reply: Reply::Rule {
                id: "r1".into(),
                lang: "en".into(),
                html: "<p>Within 30 days.</p>".into(),
                articles: vec![Link {
                    article: 0,
                    title: "Refunds".into(),
                    url: "en/refunds/".into(),
                    lang: "en".into(),
                }],
            },
        });
        s.apply(Action::Feedback(false));
        s.apply(Action::Ask("where is my parcel".into()));
        let t = turns(&s);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].block.rule.as_deref(), Some("r1"));
        assert_eq!(t[0].block.articles, ["refunds"]);
        assert_eq!(t[0].titles, ["Refunds"]);
        assert_eq!(t[0].block.rating, Some(false));
        assert_eq!(t[1].block.question, "where is my parcel");
        assert_eq!(t[1].block.answer, Answer::Pending);
        assert_eq!(ticket::failed_turn(&t), Some(1));
    }
}
