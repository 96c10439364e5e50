//! The panel's title bar: back (when inside an article or the form) and close.

use crate::config::Config;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub on_back: Option<Callback<MouseEvent>>,
    pub on_close: Callback<MouseEvent>,
}

pub fn view(props: &Props, config: &Config) -> Html {
    let s = &config.strings;
    let title = if config.site.is_empty() {
        s.title.clone()
    } else {
        config.site.clone()
    };
    html! {
        <div class="sd-header">
            if let Some(back) = props.on_back.clone() {
                <button type="button" class="sd-icon sd-back" aria-label={s.back.clone()} title={s.back.clone()} onclick={back}>
                    <span aria-hidden="true">{ "‹" }</span>
                </button>
            }
            <h2 class="sd-title" id="sd-title">{ title }</h2>
            <button type="button" class="sd-icon sd-close" aria-label={s.close.clone()} title={s.close.clone()} onclick={props.on_close.clone()}>
                <span aria-hidden="true">{ "×" }</span>
            </button>
        </div>
    }
}
