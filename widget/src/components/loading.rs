//! Where results or an answer will be while the search index is still on its way: the panel is
//! already usable (the visitor types and asks), and this says the rest is coming.

use crate::config::Config;
use yew::prelude::*;

/// The section is `aria-busy` while it waits for what replaces it; the message is a polite
/// status, so a screen reader says it without interrupting the typing.
pub fn view(config: &Config) -> Html {
    let s = &config.strings;
    html! {
        <section class="sd-loading" aria-busy="true" aria-label={s.results.clone()}>
            <p class="sd-muted" role="status">{ &s.loading }</p>
        </section>
    }
}
