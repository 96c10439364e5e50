//! The save format of the panel: what the storage service keeps in sessionStorage, so that a
//! reload or the next page of the owner's site shows the panel as the visitor left it.
//!
//! Two strings, saved apart so that a keystroke does not write the whole conversation again:
//! [`State::saved_draft`] (the view, the draft, the contact form and the ticket reference, after
//! a `v1` line) and [`State::saved_turns`] (the conversation and the questions still waiting for
//! an answer). Each line is a record of tab-separated fields, with backslash, tab and newline
//! escaped; [`State::load`] reads the first string followed by the second and gives `None` for
//! anything else, so a damaged entry starts afresh.

use super::{Contact, Link, Reply, State, Turn, View, NOWHERE};

impl State {
    /// Serialises the part of what must survive a reload that typing changes: the view, the
    /// draft and the contact form (with the ticket reference). One record per line, fields
    /// separated by tabs; [`State::load`] reads it followed by [`State::saved_turns`]. The two
    /// are saved apart so that a keystroke does not write the whole conversation again.
    pub fn saved_draft(&self) -> String {
        let mut out = String::from("v1");
        // An open article by its address: the next page may search another index.
        let view = match &self.view {
            View::Home => "h".to_string(),
            View::Article(_) => self.open_article_url().unwrap_or_else(|| "h".into()),
            View::Contact => "c".to_string(),
        };
        let c = &self.contact;
        let edited = if c.edited { "1" } else { "0" };
        record(
            &mut out,
            &[
                "S",
                &self.reference,
                &view,
                &self.draft,
                &c.name,
                &c.email,
                &c.message,
                edited,
            ],
        );
        out
    }

    /// Serialises the conversation and the questions waiting for an answer (see
    /// [`State::saved_draft`]).
    pub fn saved_turns(&self) -> String {
        let mut out = String::new();
        for turn in self.turns.iter() {
            match turn {
                Turn::Question(q) => record(&mut out, &["Q", q]),
                Turn::Feedback(yes) => record(&mut out, &["F", if *yes { "1" } else { "0" }]),
                Turn::Reply(Reply::Nothing) => record(&mut out, &["N"]),
                Turn::Reply(Reply::Unavailable) => record(&mut out, &["U"]),
                Turn::Reply(Reply::Rule { id, html, articles }) => {
                    let mut f = vec!["R".to_string(), id.clone(), html.clone()];
                    link_fields(&mut f, articles);
                    record(&mut out, &f.iter().map(String::as_str).collect::<Vec<_>>());
                }
                Turn::Reply(Reply::Articles(links) | Reply::Weak(links)) => {
                    let weak = matches!(turn, Turn::Reply(Reply::Weak(_)));
                    let mut f = vec![if weak { "W" } else { "A" }.to_string()];
                    link_fields(&mut f, links);
                    record(&mut out, &f.iter().map(String::as_str).collect::<Vec<_>>());
                }
            }
        }
        // A question asked before the index arrived is asked again on the next page.
        for q in &self.pending {
            record(&mut out, &["P", q]);
        }
        out
    }

    /// Reads what [`State::saved_draft`] and then [`State::saved_turns`] wrote; `None` for
    /// anything else, so a bad entry starts afresh.
    pub fn load(saved: &str) -> Option<State> {
        let mut lines = saved.split('\n');
        if lines.next()? != "v1" {
            return None;
        }
        let mut state = State::default();
        for line in lines {
            let f: Vec<String> = line.split('\t').map(unescape).collect::<Option<_>>()?;
            match (f[0].as_str(), f.len()) {
                ("S", 8) => {
                    state.reference = f[1].clone();
                    state.view = match f[2].as_str() {
                        "h" => View::Home,
                        "c" => View::Contact,
                        url => {
                            state.article_url = Some(url.to_string());
                            View::Article(NOWHERE)
                        }
                    };
                    state.draft = f[3].clone();
                    state.contact = Contact {
                        name: f[4].clone(),
                        email: f[5].clone(),
                        message: f[6].clone(),
                        edited: f[7] == "1",
                        tried: false,
                    };
                }
                ("Q", 2) => state.turns_mut().push(Turn::Question(f[1].clone())),
                ("P", 2) => state.pending.push(f[1].clone()),
                ("F", 2) => state.turns_mut().push(Turn::Feedback(f[1] == "1")),
                ("N", 1) => state.turns_mut().push(Turn::Reply(Reply::Nothing)),
                ("U", 1) => state.turns_mut().push(Turn::Reply(Reply::Unavailable)),
                ("R", n) if n >= 3 => state.turns_mut().push(Turn::Reply(Reply::Rule {
                    id: f[1].clone(),
                    html: f[2].clone(),
                    articles: parse_links(&f[3..])?,
                })),
                ("A", _) => state
                    .turns_mut()
                    .push(Turn::Reply(Reply::Articles(parse_links(&f[1..])?))),
                ("W", _) => state
                    .turns_mut()
                    .push(Turn::Reply(Reply::Weak(parse_links(&f[1..])?))),
                _ => return None,
            }
        }
        Some(state)
    }
}

fn link_fields(f: &mut Vec<String>, links: &[Link]) {
    for l in links {
        f.push(l.article.to_string());
        f.push(l.title.clone());
        f.push(l.url.clone());
    }
}

fn parse_links(f: &[String]) -> Option<Vec<Link>> {
    if !f.len().is_multiple_of(3) {
        return None;
    }
    f.chunks(3)
        .map(|c| {
            Some(Link {
                article: c[0].parse().ok()?,
                title: c[1].clone(),
                url: c[2].clone(),
            })
        })
        .collect()
}

/// Appends one line of the saved state: its fields, escaped and separated by tabs.
fn record(out: &mut String, fields: &[&str]) {
    out.push('\n');
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        escape_into(out, f);
    }
}

fn escape_into(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
}

fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(match chars.next()? {
                '\\' => '\\',
                'n' => '\n',
                't' => '\t',
                _ => return None,
            });
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::tests::{link, run};
    use crate::state::Action;

    /// What the storage service saves: the draft's part, then the conversation's.
    fn saved(s: &State) -> String {
        s.saved_draft() + &s.saved_turns()
    }

    #[test]
    fn a_pending_question_reaches_the_contact_form_and_the_next_page() {
        let s = run(vec![
            Action::Ask("where is my parcel".into()),
            Action::OpenContact,
        ]);
        assert_eq!(s.contact.message, "where is my parcel");
        let loaded = State::load(&saved(&s)).unwrap();
        assert_eq!(loaded.pending, ["where is my parcel"]);
        assert_eq!(loaded, s);
    }

    #[test]
    fn save_and_load_round_trip() {
        let s = run(vec![
            Action::Asked {
                question: "tab\there\\n and\nnewline 雪 😀".into(),
                reply: Reply::Rule {
                    id: "refunds".into(),
                    html: "<p>Yes, within <b>30</b> days.</p>".into(),
                    articles: vec![link(3, "refunds")],
                },
            },
            Action::Feedback(false),
            Action::SetName("Ana\tB".into()),
            Action::SetMessage("draft\nkept".into()),
            Action::Asked {
                question: "x".into(),
                reply: Reply::Nothing,
            },
            Action::Asked {
                question: "offline".into(),
                reply: Reply::Unavailable,
            },
            Action::Asked {
                question: "w".into(),
                reply: Reply::Weak(vec![link(4, "weak")]),
            },
            Action::Asked {
                question: "y".into(),
                reply: Reply::Articles(vec![link(1, "a"), link(2, "b")]),
            },
            Action::OpenArticle(2),
            Action::SetDraft("typing…".into()),
        ]);
        // The open article is kept by its address: the next page may search another index.
        let loaded = State::load(&saved(&s)).unwrap();
        assert_eq!(
            (&loaded.view, loaded.article_url.as_deref()),
            (&View::Article(NOWHERE), Some("en/b/"))
        );
        assert_eq!(
            State {
                view: View::Article(2),
                article_url: None,
                ..loaded
            },
            State {
                article_url: None,
                ..s
            }
        );
    }

    #[test]
    fn load_rejects_garbage() {
        for bad in [
            "",
            "v0",
            "v1\nS\tonly",
            "v1\nZ",
            "v1\nA\t1\tx",
            "v1\nQ\tbad\\escape",
        ] {
            assert_eq!(State::load(bad), None, "{bad:?}");
        }
    }
}
