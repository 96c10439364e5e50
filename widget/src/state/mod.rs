//! The panel's state and every way it can change, as a pure reducer.
//!
//! Components only render a [`State`] and dispatch [`Action`]s; the engine is asked outside the
//! reducer and its answer arrives as a [`Reply`], so this module has no browser dependency and is
//! unit-tested natively. The state also knows how to save itself to a string and back (`saved.rs`),
//! which the storage service puts in sessionStorage so a reload or the next page keeps the
//! conversation. The articles' passages fetched so far live beside it in a
//! [`Passages`](passages::Passages) cache, another pure reducer: they are large and belong to the
//! page, not to the saved conversation.
//!
//! The panel is up before the search index has arrived: [`State::search`] says whether it is
//! there, and a question asked before it is kept in [`State::pending`] and answered (by
//! [`Search::reply`]) as soon as it arrives, or fails.

pub mod passages;
mod saved;

use crate::ticket::valid_email;
use solodesk_engine::{Answer, Article, Index, Question};
use std::rc::Rc;

/// The search index as the panel knows it: the loader fetches it while the panel is already up.
#[derive(Clone, Default)]
pub enum Search {
    /// Not here yet: the visitor can type and ask; results and answers wait for it.
    #[default]
    Loading,
    Ready(Rc<Index>),
    /// Missing or unreadable, and why; the panel says so and offers the email ticket.
    Failed(String),
}

/// Compared by identity: an index is only ever replaced by another one, never changed in place.
impl PartialEq for Search {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Search::Loading, Search::Loading) => true,
            (Search::Ready(a), Search::Ready(b)) => Rc::ptr_eq(a, b),
            (Search::Failed(a), Search::Failed(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Search {}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Search::Loading => f.write_str("Loading"),
            Search::Ready(ix) => write!(f, "Ready({} articles)", ix.articles().len()),
            Search::Failed(why) => write!(f, "Failed({why:?})"),
        }
    }
}

impl Search {
    /// An index's bytes, read: a corrupt or wrong-version file is unavailable, with why.
    pub fn read(bytes: &[u8]) -> Search {
        match Index::from_bytes(bytes) {
            Ok(ix) => Search::Ready(Rc::new(ix)),
            Err(e) => Search::Failed(e.to_string()),
        }
    }

    /// The index, once it is here.
    pub fn index(&self) -> Option<Rc<Index>> {
        match self {
            Search::Ready(ix) => Some(ix.clone()),
            _ => None,
        }
    }

    /// The reply to `question`, with at most `limit` articles; `None` while the index is on its
    /// way, [`Reply::Unavailable`] when it failed (the conversation then offers the ticket).
    pub fn reply(&self, question: &Question, limit: usize) -> Option<Reply> {
        match self {
            Search::Loading => None,
            Search::Ready(ix) => Some(Reply::from_answer(&ix.ask(question), ix, limit)),
            Search::Failed(_) => Some(Reply::Unavailable),
        }
    }
}

/// The index of every language, when the loader handed the panel its page's language's own
/// (`Config::index_all`): fetched when that one cannot answer a question, and searched from then
/// on. Not saved: every page starts from its own language's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Wider {
    /// Nothing to fetch: the index is every language's, or the other could not be had.
    #[default]
    None,
    /// There is one, not fetched yet.
    Available,
    Fetching,
}

/// The position of an article that is not in the index (see `State::relink`).
pub const NOWHERE: u32 = u32::MAX;

/// Which screen of the panel is shown.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Home,
    /// An article of the index, by position.
    Article(u32),
    Contact,
}

/// A link to an article, kept with its title so the transcript renders without the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub article: u32,
    pub title: String,
    /// Relative to the help center root.
    pub url: String,
    /// The article's language, which may not be the panel's: the title is marked with it.
    pub lang: String,
}

impl Link {
    /// A link to article `i` of an index, `a`, shown as `title`.
    pub fn to(i: u32, title: String, a: &Article) -> Link {
        Link {
            article: i,
            title,
            url: a.url.clone(),
            lang: a.lang.clone(),
        }
    }
}

/// What the engine answered, reduced to what the conversation shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// A rule's owner-written answer (HTML rendered by kbgen) with its linked articles.
    Rule {
        id: String,
        /// The rule's language, which may not be the panel's: the answer is marked with it.
        lang: String,
        html: String,
        articles: Vec<Link>,
    },
    Articles(Vec<Link>),
    /// Articles the engine itself is unsure about (`offer_ticket`): the panel says it does not
    /// know and shows the contact button; the articles stay for the ticket's transcript.
    Weak(Vec<Link>),
    Nothing,
    /// Search could not run in full (its index or a shard of it could not be fetched): the panel
    /// says so, not that the knowledge base has no answer, and the ticket records it apart from
    /// the questions it does not answer (`desk gaps`).
    Unavailable,
}

impl Reply {
    /// Whether it answers the question (a rule, or articles the engine is sure of). "I don't
    /// know" ([`Reply::Weak`], [`Reply::Nothing`]) and [`Reply::Unavailable`] do not: they are
    /// not rated, and they point to the contact form.
    pub fn answers(&self) -> bool {
        matches!(self, Reply::Rule { .. } | Reply::Articles(_))
    }

    /// Turns the engine's answer into a reply; articles are capped at `limit`.
    pub fn from_answer(answer: &Answer, index: &Index, limit: usize) -> Reply {
        // A title not here (its block of a sharded index) is the id, as in the hits: the
        // question waits for the blocks a search wanted, so that is only when one was lost.
        let link = |i: u32| {
            let a = index.articles().get(i as usize)?;
            Some(Link::to(i, index.title_or_id(i)?.to_owned(), a))
        };
        if let Some(rule) = &answer.rule {
            return Reply::Rule {
                id: rule.id.clone(),
                lang: rule.lang.clone(),
                html: rule.answer_html.clone(),
                articles: rule
                    .articles
                    .iter()
                    .filter_map(|&i| link(i))
                    .take(limit)
                    .collect(),
            };
        }
        let links: Vec<Link> = answer
            .articles
            .iter()
            .take(limit)
            .map(|h| Link {
                article: h.article,
                title: h.title.clone(),
                url: h.url.clone(),
                lang: h.lang.clone(),
            })
            .collect();
        if links.is_empty() {
            Reply::Nothing
        } else if answer.offer_ticket {
            Reply::Weak(links)
        } else {
            Reply::Articles(links)
        }
    }
}

/// One entry of the conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Turn {
    Question(String),
    Reply(Reply),
    /// The visitor's answer to "Did this answer your question?".
    Feedback(bool),
}

/// The contact form's fields.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub message: String,
    /// Set once the visitor edits the message, so it is no longer replaced by their question.
    pub edited: bool,
    /// Set after a send attempt, so validation messages show only then.
    pub tried: bool,
}

/// Where sending the ticket to the owner's form endpoint stands (`[widget] ticket_url`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Post {
    #[default]
    Idle,
    Sending,
    Sent,
    /// The endpoint refused it, failed or did not answer in time: the form offers the email
    /// ticket instead, with everything the visitor wrote still in it.
    Failed,
}

/// Result of the last "Copy message".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Copy {
    Done,
    Failed,
}

/// Everything the panel shows.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct State {
    pub view: View,
    /// What is typed in the ask box.
    pub draft: String,
    /// Shared between the states a keystroke makes: the reducer clones the state on every action,
    /// and a conversation copied per keystroke would cost in proportion to its length (see
    /// `State::turns_mut`).
    pub turns: Rc<Vec<Turn>>,
    pub contact: Contact,
    /// The ticket reference, the same for the whole conversation.
    pub reference: String,
    pub copy: Option<Copy>,
    /// The ticket's POST to the owner's form endpoint, if any; not saved.
    pub post: Post,
    /// The index, or whether it is still on its way; not saved, every page fetches its own.
    pub search: Search,
    /// Questions asked and not answered yet, oldest first: asked before the index arrived, or
    /// waiting for the engine's reply in the moment between asking and answering.
    pub pending: Vec<String>,
    pub wider: Wider,
    /// The open article's address while its position in the index is not known: restored from
    /// storage, it is found in the index when that arrives.
    pub article_url: Option<String>,
}

/// Everything that can happen to the panel.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    SetDraft(String),
    /// The visitor asked `question` (Enter, or the owner's `ask`): it leaves the box and waits
    /// in [`State::pending`] for the engine's reply.
    Ask(String),
    /// The engine's `reply` to `question` (usually the oldest pending one).
    Asked {
        question: String,
        reply: Reply,
    },
    /// The index arrived, or could not be had.
    SetSearch(Search),
    Wider(Wider),
    /// Every language's index arrived (see [`Wider`]), or could not be had (the page's
    /// language's stays).
    Widened(Search),
    Feedback(bool),
    OpenArticle(u32),
    OpenContact,
    Home,
    SetName(String),
    SetEmail(String),
    SetMessage(String),
    /// From the owner's JS API; empty fields are left as they are.
    Prefill {
        name: String,
        email: String,
        message: String,
    },
    /// The visitor pressed "Send email"; the reducer records the attempt for validation.
    TriedSend,
    Copied(Copy),
    Post(Post),
}

impl yew::Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        s.apply(action);
        Rc::new(s)
    }
}

impl State {
    /// A fresh conversation with its ticket reference.
    pub fn new(reference: String) -> State {
        State {
            reference,
            ..State::default()
        }
    }

    pub fn apply(&mut self, action: Action) {
        match action {
            Action::SetDraft(d) => self.draft = d,
            Action::Ask(question) => {
                let question = question.trim().to_string();
                if question.is_empty() {
                    return;
                }
                self.pending.push(question);
                self.draft.clear();
                self.view = View::Home;
            }
            Action::Asked { question, reply } => {
                let question = question.trim().to_string();
                if question.is_empty() {
                    return;
                }
                // Not the draft: the visitor may have typed the next question meanwhile.
                if let Some(i) = self.pending.iter().position(|p| *p == question) {
                    self.pending.remove(i);
                }
                let turns = self.turns_mut();
                turns.push(Turn::Question(question));
                turns.push(Turn::Reply(reply));
            }
            Action::SetSearch(search) => {
                if let Search::Ready(ix) = &search {
                    self.relink(ix);
                }
                self.search = search;
            }
            Action::Wider(w) => self.wider = w,
            Action::Widened(found) => {
                if let Search::Ready(ix) = &found {
                    self.relink(ix);
                    self.search = found;
                }
                self.wider = Wider::None;
            }
            Action::Feedback(yes) => {
                if self.awaiting_feedback() {
                    self.turns_mut().push(Turn::Feedback(yes));
                    if !yes {
                        self.open_contact();
                    }
                }
            }
            Action::OpenArticle(i) => {
                self.view = View::Article(i);
                // Before the index is here, only the conversation's links can be opened: the
                // article is found by its address when the index arrives (see `relink`).
                self.article_url = match self.search {
                    Search::Ready(_) => None,
                    _ => self.links().find(|l| l.article == i).map(|l| l.url.clone()),
                };
            }
            Action::OpenContact => self.open_contact(),
            Action::Home => self.view = View::Home,
            Action::SetName(v) => self.contact.name = v,
            Action::SetEmail(v) => self.contact.email = v,
            Action::SetMessage(v) => {
                self.contact.message = v;
                self.contact.edited = true;
                self.copy = None;
            }
            Action::Prefill {
                name,
                email,
                message,
            } => {
                if !name.is_empty() {
                    self.contact.name = name;
                }
                if !email.is_empty() {
                    self.contact.email = email;
                }
                if !message.is_empty() {
                    self.contact.message = message;
                    self.contact.edited = true;
                }
            }
            Action::TriedSend => self.contact.tried = true,
            Action::Copied(c) => self.copy = Some(c),
            Action::Post(p) => self.post = p,
        }
    }

    /// The conversation to change: copied once if an earlier state still shares it.
    fn turns_mut(&mut self) -> &mut Vec<Turn> {
        Rc::make_mut(&mut self.turns)
    }

    /// Every link of the conversation's replies.
    fn links(&self) -> impl Iterator<Item = &Link> {
        self.turns.iter().flat_map(|t| match t {
            Turn::Reply(Reply::Rule { articles: l, .. } | Reply::Articles(l) | Reply::Weak(l)) => {
                l.as_slice()
            }
            _ => &[],
        })
    }

    /// Points the open article and the conversation's links at their articles' positions in
    /// `new`, by address: positions differ between indexes (a language's own and every
    /// language's, one page's and the next's after the owner rebuilt). A link whose article is not
    /// in `new` gets no position, and opens nothing.
    fn relink(&mut self, new: &Index) {
        let at = |url: &str| {
            new.articles()
                .iter()
                .position(|a| a.url == url)
                .map_or(NOWHERE, |i| i as u32)
        };
        if let View::Article(i) = self.view {
            let url = self.article_url.take().or_else(|| {
                let old = self.search.index()?;
                Some(old.articles().get(i as usize)?.url.clone())
            });
            if let Some(url) = url {
                self.view = View::Article(at(&url));
            }
        }
        // Only a conversation whose links moved is copied (see `State::turns`).
        if self.links().all(|l| at(&l.url) == l.article) {
            return;
        }
        for turn in self.turns_mut() {
            if let Turn::Reply(
                Reply::Rule { articles: l, .. } | Reply::Articles(l) | Reply::Weak(l),
            ) = turn
            {
                for link in l {
                    link.article = at(&link.url);
                }
            }
        }
    }

    /// The address of the open article, for saving: from the index, or as restored.
    fn open_article_url(&self) -> Option<String> {
        let View::Article(i) = self.view else {
            return None;
        };
        self.article_url.clone().or_else(|| {
            let ix = self.search.index()?;
            Some(ix.articles().get(i as usize)?.url.clone())
        })
    }

    fn open_contact(&mut self) {
        if !self.contact.edited {
            self.contact.message = self
                .last_question()
                .map(str::to_string)
                .unwrap_or_else(|| self.draft.clone());
        }
        self.view = View::Contact;
    }

    /// The engine's replies to the pending questions, as the actions that record them, oldest
    /// first; none while the index is on its way. `page_url` and `lang` are the visitor's. A
    /// question the page's language's index cannot answer waits for every language's (see
    /// [`Wider`]), which the last action then sends for when it is not on its way yet.
    pub fn answer_pending(&self, page_url: &str, lang: &str, limit: usize) -> Vec<Action> {
        // The page's language's could not be had: every language's may.
        if self.wider == Wider::Available && matches!(self.search, Search::Failed(_)) {
            return vec![Action::Wider(Wider::Fetching)];
        }
        let mut actions = Vec::new();
        for question in &self.pending {
            let q = Question {
                text: question,
                page_url: Some(page_url),
                lang: Some(lang),
            };
            let Some(reply) = self.search.reply(&q, limit) else {
                break;
            };
            if self.wider != Wider::None && !reply.answers() {
                if self.wider == Wider::Available {
                    actions.push(Action::Wider(Wider::Fetching));
                }
                break;
            }
            actions.push(Action::Asked {
                question: question.clone(),
                reply,
            });
        }
        actions
    }

    /// True when the last turn is a reply the visitor has not rated yet. A reply that does not
    /// answer ([`Reply::answers`]) is not rated: it points to the contact form.
    /// (Not while a later question waits for the index: its answer is what comes next.)
    pub fn awaiting_feedback(&self) -> bool {
        self.pending.is_empty()
            && matches!(
                self.turns.last(),
                Some(Turn::Reply(r)) if r.answers()
            )
    }

    /// True when the conversation should point to the contact form: nothing matched or "No".
    pub fn offers_ticket(&self) -> bool {
        self.pending.is_empty()
            && match self.turns.last() {
                Some(Turn::Reply(r)) => !r.answers(),
                Some(Turn::Feedback(rating)) => !rating,
                _ => false,
            }
    }

    pub fn first_question(&self) -> Option<&str> {
        self.turns.iter().find_map(|t| match t {
            Turn::Question(q) => Some(q.as_str()),
            _ => None,
        })
    }

    /// The latest question, answered or still pending.
    pub fn last_question(&self) -> Option<&str> {
        self.pending.last().map(String::as_str).or_else(|| {
            self.turns.iter().rev().find_map(|t| match t {
                Turn::Question(q) => Some(q.as_str()),
                _ => None,
            })
        })
    }

    /// The problems that block sending the contact form, as keys of the UI strings.
    pub fn contact_errors(&self) -> Vec<&'static str> {
        let mut errors = Vec::new();
        if !valid_email(&self.contact.email) {
            errors.push("email_invalid");
        }
        if self.contact.message.trim().is_empty() {
            errors.push("message_required");
        }
        errors
    }
}

/// The last question of `turns` and its reply, when the conversation ends with them: what "Did
/// this answer your question?" asks about while it asks (see [`State::awaiting_feedback`]).
pub fn last_exchange(turns: &[Turn]) -> Option<(&str, &Reply)> {
    match &turns[turns.len().saturating_sub(2)..] {
        [Turn::Question(q), Turn::Reply(r)] => Some((q, r)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solodesk_engine::{Article, IndexBuilder, Question, Rule, Section};

    pub(super) fn link(i: u32, t: &str) -> Link {
        Link {
            article: i,
            title: t.into(),
            url: format!("en/{t}/"),
            lang: "en".into(),
        }
    }

    #[test]
    fn typing_shares_the_conversation_and_a_new_turn_leaves_the_old_state_alone() {
        use yew::Reducible;
        let before = Rc::new(run(vec![Action::Asked {
            question: "refund?".into(),
            reply: Reply::Articles(vec![link(0, "r")]),
        }]));
        let typed = before.clone().reduce(Action::SetDraft("and ship".into()));
        assert!(Rc::ptr_eq(&before.turns, &typed.turns));
        assert_eq!(before.saved_turns(), typed.saved_turns());
        assert_ne!(before.saved_draft(), typed.saved_draft());
        let rated = typed.clone().reduce(Action::Feedback(true));
        assert_eq!((typed.turns.len(), rated.turns.len()), (2, 3));
        assert_eq!(rated.turns.last(), Some(&Turn::Feedback(true)));
    }

    pub(super) fn run(actions: Vec<Action>) -> State {
        let mut s = State::new("ABC123".into());
        for a in actions {
            s.apply(a);
        }
        s
    }

    #[test]
    fn asking_records_question_and_reply_and_clears_draft() {
        let s = run(vec![
            Action::SetDraft("refund?".into()),
            Action::Ask(" refund? ".into()),
        ]);
        assert_eq!(s.pending, ["refund?"]);
        assert_eq!(s.draft, "");
        let s = run(vec![
            Action::SetDraft("refund?".into()),
            Action::Ask(" refund? ".into()),
            Action::Asked {
                question: "refund?".into(),
                reply: Reply::Articles(vec![link(0, "r")]),
            },
        ]);
        assert_eq!(
            *s.turns,
            vec![
                Turn::Question("refund?".into()),
                Turn::Reply(Reply::Articles(vec![link(0, "r")]))
            ]
        );
        assert!(s.pending.is_empty());
        assert_eq!(s.draft, "");
        assert!(s.awaiting_feedback());
        assert!(!s.offers_ticket());
    }

    #[test]
    fn an_earlier_answer_asks_nothing_while_a_later_question_waits() {
        let answered = |reply: Reply| {
            vec![
                Action::Ask("refund?".into()),
                Action::Asked {
                    question: "refund?".into(),
                    reply,
                },
                Action::Ask("shipping?".into()),
            ]
        };
        let s = run(answered(Reply::Articles(vec![link(0, "r")])));
        assert_eq!(s.pending, ["shipping?"]);
        assert!(
            !s.awaiting_feedback(),
            "no Yes/No above the waiting question"
        );
        let s = run(answered(Reply::Nothing));
        assert!(
            !s.offers_ticket(),
            "no ticket pointer above the waiting question"
        );
        let mut s = run(answered(Reply::Articles(vec![link(0, "r")])));
        s.apply(Action::Asked {
            question: "shipping?".into(),
            reply: Reply::Articles(vec![link(1, "s")]),
        });
        assert!(s.awaiting_feedback(), "the newest answer asks");
    }

    /// A knowledge base of one article and one rule, for the engine's real replies.
    fn small_index() -> Rc<Index> {
        let mut b = IndexBuilder::new();
        b.add_article(Article {
            title: "Refunds".into(),
            ..article("refunds", "en", "Money back within 30 days.")
        });
        b.add_rule(Rule {
            id: "refund-rule".into(),
            lang: "en".into(),
            phrasings: vec!["can i get a refund".into()],
            answer_html: "<p>Yes.</p>".into(),
            articles: vec!["refunds".into()],
            ..Rule::default()
        });
        Rc::new(Index::from_bytes(&b.build()).unwrap())
    }

    fn article(id: &str, lang: &str, text: &str) -> Article {
        Article {
            id: id.into(),
            lang: lang.into(),
            title: id.into(),
            url: format!("{lang}/{id}/"),
            sections: vec![Section {
                text: text.into(),
                ..Section::default()
            }],
            ..Article::default()
        }
    }

    /// Issue 19: the widget searches its page's language's index (a fraction of every
    /// language's); a question that finds nothing there waits for every language's, and the
    /// links already in the conversation and the open article keep pointing at their articles,
    /// whose positions differ in it.
    #[test]
    fn a_question_the_own_language_cannot_answer_waits_for_every_language() {
        let index = |articles: Vec<Article>| {
            let mut b = IndexBuilder::new();
            articles.into_iter().for_each(|a| b.add_article(a));
            Rc::new(Index::from_bytes(&b.build()).unwrap())
        };
        let refunds = || article("refunds", "en", "Money back within 30 days.");
        let own = index(vec![refunds()]);
        let every = index(vec![
            article("tuihuo", "zh", "退货政策：三十天内退款。"),
            refunds(),
        ]);
        let mut s = State::new("R".into());
        s.apply(Action::Wider(Wider::Available));
        s.apply(Action::SetSearch(Search::Ready(own)));
        s.apply(Action::Ask("money back".into()));
        answer(&mut s);
        assert_eq!(s.turns.len(), 2, "the own language answers: {:?}", s.turns);

        s.apply(Action::Ask("退货政策".into()));
        assert_eq!(
            s.answer_pending("https://shop.example/", "en", 3),
            [Action::Wider(Wider::Fetching)]
        );
        answer(&mut s);
        assert_eq!((s.wider, s.pending.len()), (Wider::Fetching, 1));
        assert!(s
            .answer_pending("https://shop.example/", "en", 3)
            .is_empty());
        // Meanwhile the visitor opens the first answer's article.
        s.apply(Action::OpenArticle(0));

        s.apply(Action::Widened(Search::Ready(every)));
        assert_eq!((s.wider, &s.view), (Wider::None, &View::Article(1)));
        assert_eq!(s.links().map(|l| l.article).collect::<Vec<_>>(), [1]);
        answer(&mut s);
        assert!(s.pending.is_empty());
        match s.turns.last() {
            Some(Turn::Reply(Reply::Articles(l))) => assert_eq!(l[0].url, "zh/tuihuo/"),
            other => panic!("{other:?}"),
        }
    }

    /// When every language's index cannot be had, the page's language's answers as it can.
    #[test]
    fn without_every_languages_index_the_own_answers() {
        let mut s = State::new("R".into());
        s.apply(Action::Wider(Wider::Available));
        s.apply(Action::SetSearch(Search::Ready(small_index())));
        s.apply(Action::Ask("退货政策".into()));
        answer(&mut s);
        s.apply(Action::Widened(Search::Failed("HTTP 404".into())));
        answer(&mut s);
        assert_eq!(s.turns.last(), Some(&Turn::Reply(Reply::Nothing)));
        assert!(matches!(s.search, Search::Ready(_)));
    }

    /// When the page's language's index cannot be had, every language's is fetched at once,
    /// question or not.
    #[test]
    fn a_failed_own_index_sends_for_every_languages() {
        let mut s = State::new("R".into());
        s.apply(Action::Wider(Wider::Available));
        s.apply(Action::SetSearch(Search::Failed("HTTP 404".into())));
        assert_eq!(
            s.answer_pending("https://shop.example/", "en", 3),
            [Action::Wider(Wider::Fetching)]
        );
        answer(&mut s);
        s.apply(Action::Ask("refund".into()));
        assert!(s
            .answer_pending("https://shop.example/", "en", 3)
            .is_empty());
        s.apply(Action::Widened(Search::Ready(small_index())));
        answer(&mut s);
        assert!(
            matches!(s.turns.last(), Some(Turn::Reply(Reply::Rule { .. }))),
            "{:?}",
            s.turns
        );
    }

    /// Applies what the app does after each change: the replies the pending questions can get.
    fn answer(s: &mut State) {
        for a in s.answer_pending("https://shop.example/", "en", 3) {
            s.apply(a);
        }
    }

    /// `actions` in order, answering after each as the app does; then the questions, pending ones
    /// and the draft.
    fn check_asks(actions: Vec<Action>, turns: &[&str], pending: &[&str], draft: &str) {
        let mut s = State::new("ABC123".into());
        for a in actions.clone() {
            s.apply(a);
            answer(&mut s);
        }
        let questions: Vec<&str> = s
            .turns
            .iter()
            .filter_map(|t| match t {
                Turn::Question(q) => Some(q.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            (questions.as_slice(), &s.pending[..], s.draft.as_str()),
            (
                turns,
                &pending.iter().map(|p| p.to_string()).collect::<Vec<_>>()[..],
                draft
            ),
            "{actions:?}"
        );
    }

    #[test]
    fn questions_asked_before_the_index_wait_for_it() {
        let ready = || Action::SetSearch(Search::Ready(small_index()));
        let failed = || Action::SetSearch(Search::Failed("index.bin: HTTP 404".into()));
        let ask = |q: &str| Action::Ask(q.into());
        let typed = |q: &str| Action::SetDraft(q.into());
        // Ask before index → pending; index arrives → answered.
        check_asks(vec![ask("refund?")], &[], &["refund?"], "");
        check_asks(vec![ask("refund?"), ready()], &["refund?"], &[], "");
        // Several, in order; what is typed meanwhile stays in the box.
        check_asks(
            vec![ask("a"), ask("b"), typed("c"), ready()],
            &["a", "b"],
            &[],
            "c",
        );
        // Once the index is here, asking answers at once.
        check_asks(vec![ready(), ask("x")], &["x"], &[], "");
        // A failed index answers too: with nothing, which offers the ticket.
        check_asks(vec![ask("q"), failed()], &["q"], &[], "");
        check_asks(vec![typed("half"), failed()], &[], &[], "half");
    }

    #[test]
    fn the_index_gives_pending_questions_their_real_replies() {
        let mut s = run(vec![
            Action::Ask("can i get a refund".into()),
            Action::Ask("zzzz qqqq".into()),
        ]);
        assert!(
            s.answer_pending("", "en", 3).is_empty(),
            "nothing to answer with yet"
        );
        s.apply(Action::SetSearch(Search::Ready(small_index())));
        answer(&mut s);
        assert!(
            matches!(&s.turns[1], Turn::Reply(Reply::Rule { id, .. }) if id == "refund-rule"),
            "{:?}",
            s.turns
        );
        assert_eq!(s.turns[3], Turn::Reply(Reply::Nothing));
        assert!(s.offers_ticket());

        // Without an index the reply says search is unavailable, not that nothing matches; the
        // ticket is offered and no rating asked.
        let mut s = run(vec![Action::Ask("refund".into())]);
        s.apply(Action::SetSearch(Search::Failed("bad magic".into())));
        answer(&mut s);
        assert_eq!(s.turns[1], Turn::Reply(Reply::Unavailable));
        assert!(s.offers_ticket());
        assert!(!s.awaiting_feedback());
    }

    #[test]
    fn empty_question_is_ignored() {
        let s = run(vec![Action::Asked {
            question: "  ".into(),
            reply: Reply::Nothing,
        }]);
        assert!(s.turns.is_empty());
    }

    #[test]
    fn no_opens_contact_with_the_question() {
        let s = run(vec![
            Action::Asked {
                question: "where is my order".into(),
                reply: Reply::Articles(vec![]),
            },
            Action::Feedback(false),
        ]);
        assert_eq!(s.view, View::Contact);
        assert_eq!(s.contact.message, "where is my order");
        assert!(s.offers_ticket());
        assert!(!s.awaiting_feedback(), "feedback is asked once");
    }

    #[test]
    fn yes_is_recorded_once_and_stays_home() {
        let s = run(vec![
            Action::Asked {
                question: "q".into(),
                reply: Reply::Articles(vec![link(1, "a")]),
            },
            Action::Feedback(true),
            Action::Feedback(false),
        ]);
        assert_eq!(s.turns.last(), Some(&Turn::Feedback(true)));
        assert_eq!(s.turns.len(), 3);
        assert_eq!(s.view, View::Home);
    }

    #[test]
    fn edited_message_is_not_replaced() {
        let s = run(vec![
            Action::OpenContact,
            Action::SetMessage("my own words".into()),
            Action::Home,
            Action::Asked {
                question: "q2".into(),
                reply: Reply::Nothing,
            },
            Action::OpenContact,
        ]);
        assert_eq!(s.contact.message, "my own words");
    }

    #[test]
    fn contact_uses_draft_when_nothing_asked() {
        let s = run(vec![
            Action::SetDraft("half typed".into()),
            Action::OpenContact,
        ]);
        assert_eq!(s.contact.message, "half typed");
    }

    #[test]
    fn prefill_keeps_fields_not_given() {
        let s = run(vec![
            Action::SetName("Ana".into()),
            Action::Prefill {
                name: String::new(),
                email: "a@b.co".into(),
                message: "hi".into(),
            },
        ]);
        assert_eq!(
            (s.contact.name.as_str(), s.contact.email.as_str()),
            ("Ana", "a@b.co")
        );
        assert_eq!(s.contact.message, "hi");
    }

    #[test]
    fn contact_validation() {
        let mut s = run(vec![Action::SetEmail("nope".into())]);
        assert_eq!(
            s.contact_errors(),
            vec!["email_invalid", "message_required"]
        );
        s.apply(Action::SetEmail("ana@example.org".into()));
        s.apply(Action::SetMessage("help".into()));
        assert!(s.contact_errors().is_empty());
    }

    #[test]
    fn reply_from_engine_answer() {
        let index = small_index();
        let ask = |text| {
            index.ask(&Question {
                text,
                page_url: None,
                lang: Some("en"),
            })
        };
        match Reply::from_answer(&ask("can i get a refund"), &index, 3) {
            Reply::Rule { id, articles, .. } => {
                assert_eq!(id, "refund-rule");
                assert_eq!(articles[0].title, "Refunds");
            }
            other => panic!("expected the rule, got {other:?}"),
        }
        assert_eq!(
            Reply::from_answer(&ask("zzzz qqqq"), &index, 3),
            Reply::Nothing
        );
    }

    /// Regression: the English rule linked the Chinese translation of its article (found by the
    /// end-to-end test `a_rule_question_gets_the_rule_answer_and_a_feedback_question`).
    #[test]
    fn rule_links_are_in_the_rule_language() {
        let mut b = IndexBuilder::new();
        for (lang, title) in [("en", "Refunds"), ("zh", "退款")] {
            b.add_article(Article {
                id: "refunds".into(),
                lang: lang.into(),
                title: title.into(),
                url: format!("{lang}/refunds/"),
                sections: vec![Section {
                    text: "Money back within 30 days. 三十天内退款。".into(),
                    ..Section::default()
                }],
                ..Article::default()
            });
        }
        for (lang, phrasing) in [("en", "can i get a refund"), ("zh", "可以退款吗")] {
            b.add_rule(Rule {
                id: "refund-rule".into(),
                lang: lang.into(),
                phrasings: vec![phrasing.into()],
                answer_html: format!("<p>{lang}</p>"),
                articles: vec!["refunds".into()],
                ..Rule::default()
            });
        }
        let index = Index::from_bytes(&b.build()).unwrap();
        let check = |text: &str, lang: &str, expected: &str| {
            let answer = index.ask(&Question {
                text,
                page_url: None,
                lang: Some(lang),
            });
            match Reply::from_answer(&answer, &index, 3) {
                Reply::Rule { articles, .. } => assert_eq!(articles[0].title, expected),
                other => panic!("{text}: expected the rule, got {other:?}"),
            }
        };
        check("can i get a refund", "en", "Refunds");
        check("可以退款吗", "zh", "退款");
    }

    #[test]
    fn unsure_articles_offer_the_ticket_and_ask_no_feedback() {
        let weak = || Action::Asked {
            question: "q".into(),
            reply: Reply::Weak(vec![link(0, "a")]),
        };
        let s = run(vec![weak()]);
        assert!(s.offers_ticket());
        // "I don't know" is not asked "Did this answer your question?" (issue 16, item 10).
        assert!(!s.awaiting_feedback());
    }

    #[test]
    fn feedback_is_about_the_last_question_and_its_reply() {
        let asked = |q: &str, reply: Reply| Action::Asked {
            question: q.into(),
            reply,
        };
        let articles = Reply::Articles(vec![link(0, "a")]);
        let s = run(vec![
            asked("first", Reply::Weak(vec![link(1, "b")])),
            asked("second", articles.clone()),
        ]);
        // As the conversation asks it: while it awaits feedback, about the last exchange.
        let feedback_on = |s: &State| {
            s.awaiting_feedback()
                .then(|| last_exchange(&s.turns).map(|(q, r)| (q.to_string(), r.clone())))
                .flatten()
        };
        assert_eq!(feedback_on(&s), Some(("second".into(), articles.clone())));
        let answered = run(vec![asked("second", articles), Action::Feedback(true)]);
        assert_eq!(feedback_on(&answered), None, "asked once per reply");
        assert_eq!(feedback_on(&run(vec![asked("q", Reply::Nothing)])), None);
        assert_eq!(feedback_on(&run(Vec::new())), None);
    }
}
