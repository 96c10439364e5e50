//! The question box: every keystroke updates the live results, Enter asks.

use crate::config::Config;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub draft: String,
    pub on_input: Callback<String>,
    pub on_ask: Callback<String>,
}

pub fn view(props: &Props, config: &Config) -> Html {
    let s = &config.strings;
    let oninput = props
        .on_input
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let onkeydown = {
        let ask = props.on_ask.clone();
        Callback::from(move |e: KeyboardEvent| {
            // `isComposing` keeps Enter that confirms a Chinese IME candidate from asking.
            if e.key() == "Enter" && !e.is_composing() {
                e.prevent_default();
                ask.emit(e.target_unchecked_into::<HtmlInputElement>().value());
            }
        })
    };
    let onclick = {
        let (ask, draft) = (props.on_ask.clone(), props.draft.clone());
        Callback::from(move |_| ask.emit(draft.clone()))
    };
    html! {
        <div class="sd-ask" role="search">
            <input class="sd-input" type="text" dir="auto" autocomplete="off" enterkeyhint="send"
                aria-label={s.placeholder.clone()} placeholder={s.placeholder.clone()}
                value={props.draft.clone()} {oninput} {onkeydown} />
            <button type="button" class="sd-button" {onclick}>{ &s.ask }</button>
        </div>
    }
}
