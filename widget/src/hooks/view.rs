//! Where focus and scroll go as the view changes and the conversation grows.

use crate::state::{State, Turn, View};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Views and answers replace the element that had focus (a result, Yes/No); moves focus to the
/// new view's first field or heading so keyboard users never fall out of the dialog. Answers
/// count on the home view only: one that arrives with the index while the visitor writes in the
/// contact form must not pull focus to its first field.
#[hook]
pub fn use_view_focus(state: &UseReducerHandle<State>, panel: &NodeRef) {
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

/// Keeps the scroll area `body` on the conversation's newest turn and the live results (see
/// `Follow`) after every render; returns the area's `onscroll`, which tells whether the visitor
/// still follows.
#[hook]
pub fn use_follow_newest(state: &UseReducerHandle<State>, body: &NodeRef) -> Callback<Event> {
    let follow = use_mut_ref(Follow::default);
    {
        let (follow, body_ref) = (follow.clone(), body.clone());
        let home = state.view == View::Home;
        // What the visitor did themselves: questions asked (answered or waiting) and ratings.
        let own = state.pending.len()
            + state
                .turns
                .iter()
                .filter(|t| !matches!(t, Turn::Reply(_)))
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
    Callback::from(move |e: Event| {
        let body: web_sys::Element = e.target_unchecked_into();
        let mut f = follow.borrow_mut();
        let top = body.scroll_top();
        // Where the panel put it (its own scroll's event), or near the bottom: keep
        // following; anywhere else the visitor is reading further up, and stays there.
        f.on = f.placed.is_some_and(|p| (top - p).abs() <= 2)
            || body.scroll_height() - top - body.client_height() <= NEAR_BOTTOM;
    })
}

/// Scrolls `body` to show the newest: the live results when there are any, else the newest
/// question with as much of its answer as fits (the question stays at the top when the answer
/// is taller than the view). Of a question taller than a third of the view (a pasted page), only
/// its end shows, so that its answer has the rest. Returns the scroll position set.
fn follow_newest(body: &web_sys::HtmlElement) -> i32 {
    let element = |e: web_sys::Element| e.dyn_into::<web_sys::HtmlElement>().ok();
    let results = body.query_selector(".sd-results").ok().flatten();
    let question = || {
        let all = body.query_selector_all(".sd-conversation > .sd-q").ok()?;
        all.item(all.length().checked_sub(1)?)?.dyn_into().ok()
    };
    let (newest, is_question) = match results {
        Some(r) => (element(r), false),
        None => (question().and_then(element), true),
    };
    let Some(newest) = newest else {
        return body.scroll_top();
    };
    // `.sd-body` is the offset parent of everything in it (it is positioned).
    let bottom = body.scroll_height() - body.client_height();
    let mut top = newest.offset_top() - 8;
    if is_question {
        let end = newest.offset_top() + newest.offset_height();
        top = top.max(end - body.client_height() / 3);
    }
    let top = top.min(bottom).max(0);
    if top != body.scroll_top() {
        body.set_scroll_top(top);
    }
    body.scroll_top()
}
