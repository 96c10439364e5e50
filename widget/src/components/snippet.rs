//! A search snippet with the matched words in `<mark>`; the text stays escaped.

use crate::highlight::highlight_runs;
use yew::prelude::*;

pub fn view(text: &str, highlights: &[(u32, u32)]) -> Html {
    html! {
        <span class="sd-snippet" dir="auto">
            { for highlight_runs(text, highlights).into_iter().map(|(t, hit)| if hit {
                html! { <mark>{ t.to_string() }</mark> }
            } else {
                html! { t.to_string() }
            }) }
        </span>
    }
}
