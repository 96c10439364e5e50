//! Composes the email ticket from the conversation: the pure [`crate::mailto::build`] plus the
//! time of sending, which only the browser knows.

use crate::config::Config;
use crate::mailto::{self, Mailto, Ticket};
use crate::state::State;

/// The `mailto:` link for the current state.
pub fn compose(state: &State, config: &Config) -> Mailto {
    let c = &state.contact;
    let transcript = state.transcript(&config.base, "Q");
    let time = super::host::now_iso();
    let ticket = Ticket {
        site: &config.site,
        reference: &state.reference,
        question: state.first_question().unwrap_or(&c.message),
        name: c.name.trim(),
        email: c.email.trim(),
        message: &c.message,
        transcript: &transcript,
        page_url: &config.page_url,
        lang: config.lang,
        time: &time,
    };
    mailto::build(
        &config.email,
        &ticket,
        mailto::MAX_URL_LEN,
        &config.strings.truncation_note,
    )
}
