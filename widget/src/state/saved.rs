//! The save format of the panel: what the storage service keeps in sessionStorage, so that a
//! reload or the next page of the owner's site shows the panel as the visitor left it.
//!
//! Two strings, saved apart so that a keystroke does not write the whole conversation again:
//! [`State::saved_draft`] (the view, the draft, the contact form and the ticket reference, after a
//! version line, `v2`) and [`State::saved_turns`] (the conversation and the questions still waiting
//! for an answer). Each line is a record of tab-separated fields, with backslash, tab and newline
//! escaped; [`State::load`] reads the first string followed by the second and gives `None` for
//! anything else, so a damaged entry starts afresh. Version 2 keeps the language of each link and
//! rule answer; an entry of version 1, saved before an update, is still read, without them.

use super::{Contact, Link, Reply, State, Turn, View, NOWHERE};

impl State {
    /// Serialises the part of what must survive a reload that typing changes: the view, the
    /// draft and the contact form (with the ticket reference). One record per line, fields
    /// separated by tabs; [`State::load`] reads it followed by [`State::saved_turns`]. The two
    /// are saved apart so that a keystroke does not write the whole conversation again.
    pub fn saved_draft(&self) -> String {
        let mut out = String::from(VERSION);
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
                Turn::Reply(Reply::Rule {
                    id,
                    lang,
                    html,
                    articles,
                }) => {
                    let mut f = vec!["R".to_string(), id.clone(), lang.clone(), html.clone()];
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
        // Version 1 had no languages: its links are three fields, its rules one fewer.
        let v1 = match lines.next()? {
            VERSION => false,
            "v1" => true,
            _ => return None,
        };
        let langs = usize::from(!v1);
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
                ("R", n) if n >= 3 + langs => state.turns_mut().push(Turn::Reply(Reply::Rule {
                    id: f[1].clone(),
                    lang: f[2..2 + langs].concat(),
                    html: f[2 + langs].clone(),
                    articles: parse_links(&f[3 + langs..], langs)?,
                })),
                ("A", _) => state
                    .turns_mut()
                    .push(Turn::Reply(Reply::Articles(parse_links(&f[1..], langs)?))),
                ("W", _) => state
                    .turns_mut()
                    .push(Turn::Reply(Reply::Weak(parse_links(&f[1..], langs)?))),
                _ => return None,
            }
        }
        Some(state)
    }
}

/// The first line of what [`State::saved_draft`] writes.
const VERSION: &str = "v2";

fn link_fields(f: &mut Vec<String>, links: &[Link]) {
    for l in links {
        f.push(l.article.to_string());
        f.push(l.title.clone());
        f.push(l.url.clone());
        f.push(l.lang.clone());
    }
}

/// Links of four fields each, or of three (`langs` 0: version 1, no language).
fn parse_links(f: &[String], langs: usize) -> Option<Vec<Link>> {
    let width = 3 + langs;
    if !f.len().is_multiple_of(width) {
        return None;
    }
    f.chunks(width)
        .map(|c| {
            Some(Link {
                article: c[0].parse().ok()?,
                title: c[1].clone(),
                url: c[2].clone(),
                lang: c[3..].concat(),
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
                    lang: "es".into(),
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

    /// What a visitor's tab saved before the update that added languages still loads, so their
    /// conversation and draft survive it; its links and answers just have no language.
    #[test]
    fn an_entry_saved_before_languages_loads() {
        let saved = "v1\nS\tK7Q2XM\th\tand the lid?\t\t\t\t0\nQ\trefund?\n\
                     R\trefunds\t<p>Within 30 days.</p>\t3\tRefunds\ten/refunds/\n\
                     A\t1\ta\ten/a/\t2\tb\ten/b/";
        let s = State::load(saved).expect("a version 1 entry loads");
        assert_eq!(s.draft, "and the lid?");
        let Some(Turn::Reply(Reply::Rule { lang, articles, .. })) = s.turns.get(1) else {
            panic!("no rule answer in {:?}", s.turns);
        };
        assert_eq!((lang.as_str(), articles.len()), ("", 1));
        let Some(Turn::Reply(Reply::Articles(links))) = s.turns.get(2) else {
            panic!("no articles in {:?}", s.turns);
        };
        let titles: Vec<(&str, &str)> = links
            .iter()
            .map(|l| (l.title.as_str(), l.lang.as_str()))
            .collect();
        assert_eq!(titles, [("a", ""), ("b", "")]);
        // Saved again, it is the new version, languages and all.
        assert!(s.saved_draft().starts_with("v2\n"));
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
            // A version 2 link has four fields.
            "v2\nA\t1\ta\ten/a/",
        ] {
            assert_eq!(State::load(bad), None, "{bad:?}");
        }
    }
}
