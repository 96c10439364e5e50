//! A canned answer must answer what was asked. A one-person bike shop's site with two rules
//! (opening hours, puncture repairs) answered "are you open to wholesale" with its opening hours
//! (confidence 1.00, "open" being a keyword), "how do I book a repair", the title of one of its
//! articles, with the price of a puncture repair (0.63), and "how much is a full service" with
//! the same (0.52, from "how much is a" alone). The rule matcher's calibration was fitted on rule
//! sets of 21 to 57 rules; with two, one shared word makes a rule the clear winner. `Index::ask`
//! now gives a rule's answer only when the rule's own words (phrasings, keywords, answer) hold
//! more than half of the question's words (`RULE_COVERAGE`); otherwise the articles answer.
//!
//! The shop, its articles and its rules are written for this test; the questions are ours.

use solodesk_engine::{Article, Index, IndexBuilder, Question, Rule, Section};

const ARTICLES: &[(&str, &str, &str, &str)] = &[
    ("book-a-repair", "en", "How do I book a repair?", "Send a message with your bike's make and what is wrong, and I reply with the first free slot. Drop the bike off that morning."),
    ("service-prices", "en", "Service prices", "Puncture repair 12 euros. Basic service 45 euros. Full service 95 euros. Wheel truing 20 euros. Parts are extra."),
    ("opening-hours", "en", "Opening hours and address", "The workshop at Rua das Flores 12 is open Tuesday to Saturday, 9:00 to 17:00. Closed on Sunday and Monday."),
    ("tubeless", "en", "Tubeless tyre setup", "I convert wheels to tubeless and refresh the sealant every six months."),
    ("payment", "en", "Paying for a repair", "Pay by card or cash when you collect the bike."),
    ("营业时间", "zh", "营业时间和地址", "工作室周二至周六九点到十七点营业，周日和周一休息。"),
];

fn rule(id: &str, lang: &str, phrasings: &[&str], keywords: &[&str], answer: &str) -> Rule {
    Rule {
        id: id.into(),
        lang: lang.into(),
        phrasings: phrasings.iter().map(|p| p.to_string()).collect(),
        keywords: keywords.iter().map(|k| k.to_string()).collect(),
        answer_html: answer.into(),
        ..Rule::default()
    }
}

fn index() -> Index {
    let mut b = IndexBuilder::new();
    for (id, lang, title, text) in ARTICLES {
        b.add_article(Article {
            id: (*id).into(),
            lang: (*lang).into(),
            title: (*title).into(),
            url: format!("{lang}/{id}/"),
            sections: vec![Section {
                text: (*text).into(),
                ..Section::default()
            }],
            ..Article::default()
        });
    }
    b.add_rule(rule(
        "opening-hours",
        "en",
        &[
            "when are you open",
            "what are your opening hours",
            "are you open on sunday",
        ],
        &["open", "hours"],
        "<p>I'm open <strong>Tuesday–Saturday, 9:00–17:00</strong> at Rua das Flores 12.</p>",
    ));
    b.add_rule(rule(
        "puncture",
        "en",
        &["how much is a puncture repair", "can you fix a flat tyre", "I have a flat tire"],
        &["puncture", "flat"],
        "<p>A puncture repair is <strong>12 euros</strong> and done while you wait. See <a href=\"../service-prices/\">prices</a>.</p>",
    ));
    b.add_rule(rule(
        "opening-hours-zh",
        "zh",
        &["你们几点开门", "营业时间", "周日开门吗"],
        &[],
        "<p>营业时间：周二至周六 9:00–17:00。</p>",
    ));
    Index::from_bytes(&b.build()).unwrap()
}

fn rule_for(ix: &Index, lang: &str, question: &str) -> Option<String> {
    ix.ask(&Question {
        text: question,
        lang: Some(lang),
        ..Default::default()
    })
    .rule
    .map(|r| r.id)
}

#[test]
fn a_rule_does_not_answer_what_its_words_do_not_hold() {
    let ix = index();
    for question in [
        "how do I book a repair",
        "how much is a full service",
        "are you open to wholesale",
        "do you sell second hand bikes",
    ] {
        // The matcher alone is confident of some rule for the first three: the gate decides.
        let answered = rule_for(&ix, "en", question);
        assert_eq!(answered, None, "{question:?} got a canned answer");
    }
    assert!(
        ix.match_rules("are you open to wholesale", Some("en"))[0].confidence
            >= ix.rule_threshold(),
        "the matcher no longer picks the rule; this test no longer tests the gate"
    );
    // The articles answer instead: the one the question names first.
    let asked = ix.ask(&Question {
        text: "how do I book a repair",
        lang: Some("en"),
        ..Default::default()
    });
    assert_eq!(asked.articles[0].id, "book-a-repair");
    assert!(!asked.offer_ticket);
}

#[test]
fn a_rule_answers_its_questions_and_their_paraphrases() {
    let ix = index();
    for (lang, question, id) in [
        ("en", "when are you open", "opening-hours"),
        ("en", "what are your opening hours?", "opening-hours"),
        // "Saturday" is in the rule's answer, not in its phrasings.
        ("en", "are you open on saturday", "opening-hours"),
        ("en", "opening hours", "opening-hours"),
        ("en", "can you fix a flat tyre", "puncture"),
        ("en", "how do I book a puncture repair", "puncture"),
        // A typo and a word of the answer ("prices").
        ("en", "punctre repair price", "puncture"),
        ("en", "I have a flat", "puncture"),
        ("zh", "你们几点开门", "opening-hours-zh"),
        ("zh", "周日开门吗", "opening-hours-zh"),
    ] {
        assert_eq!(
            rule_for(&ix, lang, question).as_deref(),
            Some(id),
            "{question:?}"
        );
    }
}
