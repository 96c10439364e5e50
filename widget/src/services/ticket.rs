//! Composes the email ticket from the conversation: the pure [`crate::ticket::compose`] plus the
//! time of sending, which only the browser knows.

use crate::config::Config;
use crate::state::{Reply, State, Turn as StateTurn};
use crate::ticket::{self, block::Answer, Mailto, Ticket, Turn};

/// The `mailto:` link for the current state.
pub fn compose(state: &State, config: &Config) -> Mailto {
    with_ticket(state, config, |t| mailto(t, config))
}

/// The ticket as JSON for the owner's form endpoint (schema: [`ticket::json`]).
pub fn json(state: &State, config: &Config) -> String {
    with_ticket(state, config, |t| ticket::json(t, &mailto(t, config)))
}

fn mailto(t: &Ticket<'_>, config: &Config) -> Mailto {
    ticket::compose(
        &config.email,
        t,
        ticket::MAX_URL_LEN,
        &config.strings.truncation_note,
    )
}

fn with_ticket<R>(state: &State, config: &Config, f: impl FnOnce(&Ticket<'_>) -> R) -> R {
    let c = &state.contact;
    let time = super::host::now_iso();
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
                html: "<p>Within 30 days.</p>".into(),
                articles: vec![Link {
                    article: 0,
                    title: "Refunds".into(),
                    url: "en/refunds/".into(),
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
