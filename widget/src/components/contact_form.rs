//! "Contact us": the visitor's details and message become a `mailto:` link to the owner. The
//! owner's address and "Copy" (the whole ticket) are always shown under it, for visitors whose
//! browser has no mail app; the "too long" notice only when their own text cannot fit a link,
//! and then "Send email" copies the whole ticket as it opens the shortened email, whose end asks
//! for it to be pasted: a visitor who only presses Send still has every word they typed.
//! Fields are `dir="auto"`: English typed into the Arabic form keeps its own order.
//!
//! When the owner has a form endpoint (`[widget] ticket_url`), "Send" POSTs the ticket there
//! first; the email link takes over only when that fails, with the form as the visitor left it.

use crate::config::Config;
use crate::services::clipboard;
use crate::state::{Action, Contact, Copy, Post, State};
use crate::ticket::{clipboard_text, Mailto};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub contact: Contact,
    pub mailto: Mailto,
    pub dispatch: UseReducerDispatcher<State>,
    /// Called when the visitor follows a valid "Send email" link.
    pub on_sent: Callback<()>,
    #[prop_or_default]
    pub copy: Option<Copy>,
    /// Sends the ticket to the owner's form endpoint; `None` when there is none.
    #[prop_or_default]
    pub on_post: Option<Callback<()>>,
    #[prop_or_default]
    pub post: Post,
}

pub fn view(props: &Props, config: &Config) -> Html {
    let s = &config.strings;
    let c = &props.contact;
    let d = &props.dispatch;
    let input = |f: fn(String) -> Action| {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            d.dispatch(f(e.target_unchecked_into::<HtmlInputElement>().value()))
        })
    };
    let on_message = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            d.dispatch(Action::SetMessage(
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            ))
        })
    };
    let check = State {
        contact: c.clone(),
        ..State::default()
    };
    let errors = check.contact_errors();
    let show = |key: &str| c.tried && errors.contains(&key);
    let copy = {
        let (d, text) = (d.clone(), clipboard_text(&config.email, &props.mailto));
        Callback::from(move |()| {
            let d = d.clone();
            clipboard::copy(
                text.clone(),
                Callback::from(move |ok| {
                    d.dispatch(Action::Copied(if ok { Copy::Done } else { Copy::Failed }))
                }),
            )
        })
    };
    let onclick = {
        let (d, sent, blocked) = (d.clone(), props.on_sent.clone(), !errors.is_empty());
        // In the click itself: browsers let a page write the clipboard while it handles one.
        let copy = props.mailto.too_long.then(|| copy.clone());
        Callback::from(move |e: MouseEvent| {
            d.dispatch(Action::TriedSend);
            if blocked {
                e.prevent_default();
            } else {
                if let Some(copy) = &copy {
                    copy.emit(());
                }
                sent.emit(());
            }
        })
    };
    if props.post == Post::Sent {
        return html! {
            <div class="sd-form">
                <p class="sd-notice sd-sent" role="status">{ &s.sent }</p>
                <p class="sd-muted">{ &s.reference }{ ": " }{ props.mailto.subject.split(['#', ']']).nth(1).unwrap_or("") }</p>
            </div>
        };
    }
    // The endpoint first; the email link once it has failed.
    let post = props.on_post.clone().filter(|_| props.post != Post::Failed);
    let too_long = props.mailto.too_long && post.is_none();
    let send = match &post {
        Some(on_post) => {
            let (d, on_post, blocked) = (d.clone(), on_post.clone(), !errors.is_empty());
            let onclick = Callback::from(move |_: MouseEvent| {
                d.dispatch(Action::TriedSend);
                if !blocked {
                    on_post.emit(());
                }
            });
            let sending = props.post == Post::Sending;
            html! {
                <button type="button" class="sd-button sd-send" disabled={sending} {onclick}>
                    { if sending { &s.sending } else { &s.send_form } }
                </button>
            }
        }
        None => html! {
            <>
                if props.post == Post::Failed {
                    <p class="sd-error sd-send-failed" role="alert">{ &s.send_failed }</p>
                }
                <a class="sd-button sd-send" href={props.mailto.url.clone()} {onclick}>{ &s.send }</a>
                <p class="sd-muted">{ if too_long { &s.send_hint_long } else { &s.send_hint } }</p>
            </>
        },
    };
    let email_invalid = show("email_invalid");
    let message_missing = show("message_required");
    html! {
        <form class="sd-form" novalidate=true onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <p>{ &s.contact_intro }</p>
            <label class="sd-label">{ &s.name }
                <input class="sd-input" type="text" dir="auto" autocomplete="name" value={c.name.clone()} oninput={input(Action::SetName)} />
            </label>
            <label class="sd-label">{ &s.email }
                <input class="sd-input" type="email" dir="auto" autocomplete="email" value={c.email.clone()}
                    aria-invalid={email_invalid.to_string()} aria-describedby="sd-email-err"
                    oninput={input(Action::SetEmail)} />
            </label>
            if email_invalid { <p class="sd-error" id="sd-email-err" role="alert">{ &s.email_invalid }</p> }
            <label class="sd-label">{ &s.message }
                <textarea class="sd-input sd-textarea" dir="auto" rows="5" value={c.message.clone()}
                    aria-invalid={message_missing.to_string()} oninput={on_message} />
            </label>
            if message_missing { <p class="sd-error" role="alert">{ &s.message_required }</p> }
            // "...paste it into an email to:" ends where the address follows.
            if too_long {
                <div class="sd-notice" role="status">
                    <p>{ &s.too_long }</p>
                    <p class="sd-owner">{ &config.email }</p>
                </div>
            }
            { send }
            if !too_long { <p class="sd-owner">{ &config.email }</p> }
            <button type="button" class="sd-link sd-copy" onclick={copy.reform(|_| ())}>{ &s.copy }</button>
            { match props.copy {
                Some(Copy::Done) => html! { <span class="sd-muted" role="status">{ " " }{ &s.copied }</span> },
                Some(Copy::Failed) => html! { <p class="sd-error" role="alert">{ &s.copy_failed }</p> },
                None => html! {},
            } }
            <p class="sd-muted">{ &s.reference }{ ": " }{ props.mailto.subject.split(['#', ']']).nth(1).unwrap_or("") }</p>
        </form>
    }
}
