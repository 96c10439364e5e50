//! A search snippet with the matched words in `<mark>`; the text stays escaped.

use crate::state::highlight_runs;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub text: AttrValue,
    pub highlights: Vec<(u32, u32)>,
}

#[function_component]
pub fn Snippet(props: &Props) -> Html {
    let runs = highlight_runs(&props.text, &props.highlights);
    html! {
        <span class="sd-snippet">
            { for runs.into_iter().map(|(t, hit)| if hit {
                html! { <mark>{ t.to_string() }</mark> }
            } else {
                html! { t.to_string() }
            }) }
        </span>
    }
}
