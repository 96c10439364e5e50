//! Behaviour of the engine through its public API: ranking, the index format, the rule responder.
//!
//! One small multilingual knowledge base (`fixture`) serves every test, so each test reads as
//! "this query finds that article".

use solodesk_engine::{
    Article, FormatError, Index, IndexBuilder, Located, Passages, Question, Rule, SearchOptions,
    Section, BLOCK_ARTICLES, FORMAT_VERSION, MAGIC, PASSAGES_MAGIC,
};

fn article(id: &str, lang: &str, title: &str, sections: &[(&str, &str, &str)]) -> Article {
    Article {
        id: id.into(),
        lang: lang.into(),
        title: title.into(),
        url: format!("{lang}/{id}/"),
        summary: format!("About {id}"),
        sections: sections
            .iter()
            .map(|(anchor, heading, text)| Section {
                anchor: (*anchor).into(),
                heading: (*heading).into(),
                text: (*text).into(),
            })
            .collect(),
        ..Article::default()
    }
}

fn refunds() -> Article {
    Article {
        category: "Billing".into(),
        questions: vec!["I was charged twice".into(), "money back".into()],
        tags: vec!["billing".into()],
        pages: vec!["/checkout*".into()],
        ..article(
            "refunds",
            "en",
            "Refunds",
            &[
                ("", "", "We refund any order within 30 days of purchase."),
                (
                    "cancel",
                    "Cancelled orders",
                    "A cancelled order is refunded automatically to the card you paid with.",
                ),
                (
                    "shipping",
                    "Shipping costs",
                    "Shipping costs are not refunded unless the parcel arrived damaged.",
                ),
            ],
        )
    }
}

fn zh_refund() -> Article {
    article(
        "zh-refund",
        "zh",
        "如何申请退款",
        &[(
            "",
            "",
            "在订单页面点击申请退款，我们会在三个工作日内处理。iPhone 退款请联系苹果。",
        )],
    )
}

fn builder() -> IndexBuilder {
    let mut b = IndexBuilder::new();
    b.add_article(refunds());
    b.add_article(article(
        "password",
        "en",
        "Reset your password",
        &[
            (
                "",
                "",
                "Forgot your password? Use the link on the sign-in page to reset it.",
            ),
            (
                "two-factor",
                "Two-factor authentication",
                "Keep your recovery codes somewhere safe.",
            ),
        ],
    ));
    b.add_article(article(
        "account",
        "en",
        "Delete your account",
        &[("", "", "You can delete your account and all your data from the settings page. Your password is not kept.")],
    ));
    b.add_article(article(
        "password-policy",
        "en",
        "Password policy",
        &[(
            "",
            "",
            "Passwords need twelve characters. Refund requests are handled by the billing team.",
        )],
    ));
    b.add_article(zh_refund());
    b.add_article(article(
        "zh-password",
        "zh",
        "修改密码",
        &[("", "", "登录后在账户设置中修改密码。")],
    ));
    b.add_article(article(
        "ja-shinkansen",
        "ja",
        "新幹線のチケット",
        &[("", "", "新幹線の切符はオンラインで予約できます。")],
    ));
    b.add_article(article(
        "ja-password",
        "ja",
        "パスワードを忘れた場合",
        &[("", "", "ログイン画面からパスワードを再設定してください。")],
    ));
    b.add_article(article(
        "fr-remboursement",
        "fr",
        "Remboursements",
        &[(
            "",
            "",
            "Nous remboursons toute commande annulée sous trente jours.",
        )],
    ));
    b.add_rule(Rule {
        id: "hours".into(),
        lang: "en".into(),
        phrasings: vec![
            "what are your opening hours".into(),
            "when are you open".into(),
            "what time does support open".into(),
        ],
        keywords: vec!["opening hours".into()],
        answer_html: "<p>Monday to Friday, 9 to 5.</p>".into(),
        ..Rule::default()
    });
    b.add_rule(Rule {
        id: "refund".into(),
        lang: "en".into(),
        phrasings: vec![
            "how do I get a refund".into(),
            "I want my money back".into(),
            "refund my order".into(),
        ],
        answer_html: "<p>See our refund policy.</p>".into(),
        articles: vec!["refunds".into()],
        ..Rule::default()
    });
    b.add_rule(Rule {
        id: "order-number".into(),
        lang: "en".into(),
        phrasings: vec!["where is my order".into()],
        regex: Some(r"\border\s*#?\d{5,}".into()),
        answer_html: "<p>Track it here.</p>".into(),
        priority: 1,
        ..Rule::default()
    });
    b
}

fn index() -> Index {
    Index::from_bytes(&builder().build()).expect("the fixture index reads back")
}

/// Checks that the first result of `query` is article `expected` (an id, or "" for no result).
fn check(index: &Index, query: &str, expected: &str) {
    let hits = index.search(query, &SearchOptions::default());
    let got = hits.first().map_or("", |h| h.id.as_str());
    let all: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(got, expected, "query {query:?} ranked {all:?}");
}

#[path = "support/made_up_words.rs"]
mod made_up_words;

mod ranking {
    use super::*;

    /// A pasted page or log is searched by its first 64 words only (`MAX_QUERY_WORDS`).
    #[test]
    fn a_long_paste_is_searched_by_its_first_words() {
        let index = index();
        let filler = "qx ".repeat(100);
        check(&index, &format!("refund {filler}"), "refunds");
        check(&index, &format!("{filler}refund"), "");
        let late = format!("{filler}when are you open?");
        assert!(index
            .match_rules(&late, None)
            .iter()
            .all(|m| m.id != "hours"));
        assert_eq!(index.match_rules("when are you open?", None)[0].id, "hours");
    }

    #[test]
    fn english_words_and_stems() {
        let index = index();
        check(&index, "refunded orders ", "refunds");
        check(&index, "delete account ", "account");
        check(&index, "charged twice ", "refunds");
    }

    #[test]
    fn chinese_japanese_and_mixed_script() {
        let index = index();
        check(&index, "申请退款", "zh-refund");
        check(&index, "修改密码", "zh-password");
        check(&index, "新幹線", "ja-shinkansen");
        check(&index, "パスワード", "ja-password");
        // "单页" crosses the boundary between 订单 and 页面.
        check(&index, "单页", "zh-refund");
        check(&index, "iPhone 退款", "zh-refund");
    }

    /// Colloquial 咋 ("how") and 啥 ("what") find articles written with 怎么 and 什么, and the
    /// other way round, ahead of articles that have only the query's other words (each of the
    /// last three queries ranks another article first without the variants).
    #[test]
    fn colloquial_question_words() {
        let mut b = IndexBuilder::new();
        b.add_article(article(
            "pay",
            "zh",
            "付款",
            &[("", "", "我们接受信用卡。")],
        ));
        b.add_article(article(
            "how",
            "zh",
            "怎么付款",
            &[("", "", "在结账页面选择信用卡，然后确认订单。")],
        ));
        b.add_article(article("points", "zh", "积分", &[("", "", "消费得积分。")]));
        b.add_article(article(
            "what",
            "zh",
            "什么是积分",
            &[("", "", "消费得积分。")],
        ));
        b.add_article(article(
            "count",
            "zh",
            "积分是怎么算的",
            &[("", "", "一元一分。")],
        ));
        b.add_article(article(
            "slang",
            "zh",
            "会员是啥",
            &[("", "", "会员有折扣。")],
        ));
        b.add_article(article(
            "upgrade",
            "zh",
            "会员是怎么升级的",
            &[("", "", "消费满一百元。")],
        ));
        let index = Index::from_bytes(&b.build()).expect("reads back");
        check(&index, "付款", "pay");
        check(&index, "咋付款", "how");
        check(&index, "积分是啥", "what");
        check(&index, "会员是什么", "slang");
    }

    #[test]
    fn typos_are_forgiven_but_exact_words_win() {
        let index = index();
        check(&index, "reset pasword ", "password");
        check(&index, "refnud ", "refunds");
        // "policy" is in the index, so it is not read as a typo of anything else.
        check(&index, "policy ", "password-policy");
        check(&index, "authentcation ", "password");
        // Short words get no typo tolerance: "pssw" is not "pass".
        check(&index, "xyzzy ", "");
    }

    #[test]
    fn last_word_is_a_prefix_while_typing() {
        let index = index();
        check(&index, "reset pass", "password");
        check(&index, "authenti", "password");
        // A trailing space ends the word: no prefix matching any more.
        check(&index, "authenti ", "password");
        let hits = index.search("refu", &SearchOptions::default());
        assert!(hits.iter().any(|h| h.id == "refunds"), "{hits:?}");
    }

    /// A word missing from the index finds the words it is the root of, after exact matches and
    /// before typos: "sell" is in no article, "seller" is.
    #[test]
    fn a_root_finds_its_derived_words() {
        let mut b = IndexBuilder::new();
        b.add_article(article(
            "sale",
            "en",
            "Summer sale",
            &[("", "", "Products are cheaper in July.")],
        ));
        b.add_article(article(
            "seller",
            "en",
            "Become a seller",
            &[("", "", "Partners list their products in our shop.")],
        ));
        let index = Index::from_bytes(&b.build()).unwrap();
        check(&index, "can I sell my products here ", "seller");
        check(&index, "cheap ", "sale");
        // Words shorter than four letters are no roots: "che" finds nothing.
        check(&index, "che ", "");
    }

    /// The words of one question asked together outweigh the same words spread over several
    /// questions of another article.
    #[test]
    fn the_closest_question_counts() {
        let mut b = IndexBuilder::new();
        b.add_article(Article {
            questions: vec![
                "change the delivery address".into(),
                "where is my parcel".into(),
            ],
            ..article("address", "en", "Shipping address", &[])
        });
        b.add_article(Article {
            questions: vec![
                "change my password".into(),
                "delivery takes long".into(),
                "address book".into(),
                "change delivery slot".into(),
            ],
            ..article("account", "en", "Your account", &[])
        });
        let index = Index::from_bytes(&b.build()).unwrap();
        check(&index, "change delivery address ", "address");
        check(&index, "change delivery slot ", "account");
    }

    #[test]
    fn exact_title_match_ranks_first() {
        let index = index();
        // "password policy" also appears in "Reset your password", which mentions password twice.
        check(&index, "Password policy", "password-policy");
        check(&index, "reset your password", "password");
    }

    #[test]
    fn visitor_language_comes_first() {
        let index = index();
        let opts = SearchOptions {
            limit: 10,
            lang: Some("fr"),
        };
        let hits = index.search("remboursement refund", &opts);
        assert_eq!(hits[0].id, "fr-remboursement", "{hits:?}");
        let opts = SearchOptions {
            limit: 10,
            lang: Some("en"),
        };
        let hits = index.search("remboursement refund", &opts);
        assert_eq!(hits[0].id, "refunds", "{hits:?}");
    }

    /// With `all-stemmers` the French stemmer matches; without it, the index term that begins
    /// the word ("rembours" of "remboursements") stands in for the stem.
    #[test]
    fn other_languages_match_with_or_without_their_stemmer() {
        let index = index();
        check(&index, "remboursements ", "fr-remboursement");
        check(&index, "annulées ", "fr-remboursement");
    }

    #[test]
    fn limit_and_empty_queries() {
        let index = index();
        assert!(index.search("", &SearchOptions::default()).is_empty());
        assert!(index.search("  ?! ", &SearchOptions::default()).is_empty());
        assert_eq!(
            index
                .search(
                    "password",
                    &SearchOptions {
                        limit: 1,
                        lang: None
                    }
                )
                .len(),
            1
        );
    }

    #[test]
    fn page_suggestions() {
        let index = index();
        assert_eq!(
            index.suggest_for_page("https://shop.example/checkout/pay"),
            [0]
        );
        assert!(index
            .suggest_for_page("https://shop.example/about")
            .is_empty());
    }
}

mod rules {
    use super::*;

    /// Regression: translations share their id, and a rule's linked article used to resolve to
    /// whichever translation came last, so the English rule linked the Chinese article.
    #[test]
    fn linked_articles_are_in_the_rules_language() {
        let mut b = IndexBuilder::new();
        b.add_article(article(
            "refunds",
            "en",
            "Refunds",
            &[("", "", "We refund orders.")],
        ));
        b.add_article(article("refunds", "zh", "退款", &[("", "", "我们退款。")]));
        for (lang, phrasing) in [("en", "refund my order"), ("zh", "我要退款")] {
            b.add_rule(Rule {
                id: "refund".into(),
                lang: lang.into(),
                phrasings: vec![phrasing.into()],
                answer_html: "<p>Refunds.</p>".into(),
                articles: vec!["refunds".into()],
                ..Rule::default()
            });
        }
        let index = Index::from_bytes(&b.build()).unwrap();
        for (question, lang) in [("refund my order", "en"), ("我要退款", "zh")] {
            let answer = index.ask(&Question {
                text: question,
                lang: Some(lang),
                ..Question::default()
            });
            let rule = answer
                .rule
                .unwrap_or_else(|| panic!("{question:?} gets a rule answer"));
            let linked: Vec<&str> = rule
                .articles
                .iter()
                .map(|&i| index.articles()[i as usize].lang.as_str())
                .collect();
            assert_eq!(linked, [lang], "{question:?}");
        }
    }

    /// Each language's copy of a rule carries the same regex; an order number alone matches
    /// both equally, and the visitor gets the copy in their language.
    #[test]
    fn a_tie_goes_to_the_rule_in_the_visitors_language() {
        let mut b = IndexBuilder::new();
        for (lang, phrasing, answer) in [
            ("en", "where is my parcel", "<p>Tracking.</p>"),
            ("zh", "我的包裹在哪里", "<p>物流。</p>"),
        ] {
            b.add_rule(Rule {
                id: "tracking".into(),
                lang: lang.into(),
                phrasings: vec![phrasing.into()],
                regex: Some(r"\bIT-\d{4,}\b".into()),
                answer_html: answer.into(),
                ..Rule::default()
            });
        }
        let index = Index::from_bytes(&b.build()).unwrap();
        for (lang, expected) in [
            ("zh", "<p>物流。</p>"),
            ("zh-CN", "<p>物流。</p>"),
            ("en", "<p>Tracking.</p>"),
        ] {
            let answer = index.ask(&Question {
                text: "IT-20931",
                lang: Some(lang),
                ..Question::default()
            });
            let rule = answer.rule.expect("the regex answers");
            assert_eq!(rule.answer_html, expected, "{lang}");
        }
    }

    fn ask(index: &Index, text: &str) -> Option<String> {
        index
            .ask(&Question {
                text,
                ..Question::default()
            })
            .rule
            .map(|r| r.id)
    }

    #[test]
    fn answers_paraphrases() {
        let index = index();
        assert_eq!(ask(&index, "when do you open?").as_deref(), Some("hours"));
        assert_eq!(
            ask(&index, "can I get a refund?").as_deref(),
            Some("refund")
        );
        let typo = index.match_rules("refnud my order please", None);
        assert_eq!(typo[0].id, "refund");
    }

    /// A word no rule uses finds the rule words it is the root of, as in search.
    #[test]
    fn a_root_finds_its_derived_words() {
        let mut b = IndexBuilder::new();
        for (id, phrasings) in [
            ("seller", ["how do I become a seller", "seller account"]),
            ("order", ["where is my order", "track my order"]),
        ] {
            b.add_rule(Rule {
                id: id.into(),
                lang: "en".into(),
                phrasings: phrasings.map(String::from).to_vec(),
                ..Rule::default()
            });
        }
        let index = Index::from_bytes(&b.build()).unwrap();
        let matches = index.match_rules("sell my products", None);
        assert_eq!(matches.first().map(|m| m.id.as_str()), Some("seller"));
    }

    #[test]
    fn abstains_out_of_scope() {
        let index = index();
        for q in [
            "do you ship to Canada",
            "my cat ate the charger",
            "hello",
            "",
        ] {
            assert_eq!(ask(&index, q), None, "{q:?} got a confident answer");
        }
    }

    #[test]
    fn answer_links_articles_and_withholds_ticket() {
        let index = index();
        let answer = index.ask(&Question {
            text: "how do I get a refund",
            ..Question::default()
        });
        let rule = answer.rule.expect("a rule answers");
        assert_eq!(rule.articles, [0]);
        assert!(rule.confidence >= index.rule_threshold());
        assert!(!answer.offer_ticket);
        assert_eq!(answer.articles[0].id, "refunds");
    }

    #[test]
    fn offers_ticket_when_nothing_fits() {
        let index = index();
        let answer = index.ask(&Question {
            text: "quantum teleportation lessons",
            ..Question::default()
        });
        assert!(answer.rule.is_none() && answer.offer_ticket, "{answer:?}");
    }

    #[test]
    fn regex_and_keywords() {
        let index = index();
        #[cfg(feature = "regex")]
        assert_eq!(
            ask(&index, "status of ORDER #123456").as_deref(),
            Some("order-number")
        );
        assert_eq!(ask(&index, "opening hours").as_deref(), Some("hours"));
    }

    #[test]
    fn threshold_is_the_owners() {
        let mut b = builder();
        b.set_rule_threshold(1.0);
        let strict = Index::from_bytes(&b.build()).unwrap();
        assert_eq!(ask(&strict, "when do you open?"), None);
        let matches = strict.match_rules("when do you open?", None);
        assert_eq!(matches[0].id, "hours");
    }
}

mod locate {
    use super::*;

    /// Searches `query`, expects `article` first, and locates it in `passages`: checks the URL,
    /// the section and the snippet with its highlighted words in `[` `]`.
    fn check(index: &Index, article: &Article, query: &str, expected: (&str, Option<&str>, &str)) {
        let hits = index.search(query, &SearchOptions::default());
        assert_eq!(
            hits.first().map(|h| h.id.as_str()),
            Some(article.id.as_str())
        );
        assert_eq!(hits[0].url, article.url, "search points at the article");
        let passages = Passages::from_bytes(&Passages::encode(article)).unwrap();
        let located = index.locate(hits[0].article, &passages, query, None);
        assert_eq!(
            (
                located.url.as_str(),
                located.section.as_deref(),
                marked(&located).as_str()
            ),
            expected,
            "{query:?}"
        );
    }

    fn marked(l: &Located) -> String {
        let mut out = String::new();
        let mut at = 0;
        for &(a, b) in &l.highlights {
            out.push_str(&l.snippet[at..a as usize]);
            out.push('[');
            out.push_str(&l.snippet[a as usize..b as usize]);
            out.push(']');
            at = b as usize;
        }
        out.push_str(&l.snippet[at..]);
        out
    }

    #[test]
    fn the_section_with_the_words_wins() {
        let index = index();
        check(
            &index,
            &refunds(),
            "shipping costs damaged",
            (
                "en/refunds/#shipping",
                Some("Shipping costs"),
                "[Shipping] [costs] are not refunded unless the parcel arrived [damaged].",
            ),
        );
        // A match in the heading outweighs the same word in another section's body.
        check(
            &index,
            &refunds(),
            "refund cancelled",
            (
                "en/refunds/#cancel",
                Some("Cancelled orders"),
                "A [cancelled] order is [refunded] automatically to the card you paid with.",
            ),
        );
        // Nothing but the title matches: the top of the article, without an anchor.
        check(
            &index,
            &refunds(),
            "charged twice",
            (
                "en/refunds/",
                None,
                "We refund any order within 30 days of purchase.",
            ),
        );
    }

    /// The widget locates the same passages again on each keystroke; the analysis kept from the
    /// first query must serve the next ones exactly as fresh passages would.
    #[test]
    fn passages_located_again_for_other_queries_give_the_same_answers() {
        let index = index();
        let article = refunds();
        let bytes = Passages::encode(&article);
        let kept = Passages::from_bytes(&bytes).unwrap();
        for query in [
            "refund cancelled",
            "shipping costs damaged",
            "charged twice",
            "ref",
        ] {
            let fresh = Passages::from_bytes(&bytes).unwrap();
            let a = index.search(query, &SearchOptions::default())[0].article;
            assert_eq!(
                index.locate(a, &kept, query, None),
                index.locate(a, &fresh, query, None),
                "{query:?}"
            );
        }
    }

    #[test]
    fn cjk_highlights_cover_the_matched_run() {
        check(
            &index(),
            &zh_refund(),
            "申请退款",
            (
                "zh/zh-refund/",
                None,
                "在订单页面点击[申请退款]，我们会在三个工作日内处理。iPhone [退款]请联系苹果。",
            ),
        );
    }

    #[test]
    fn the_snippet_is_a_window_around_the_matches() {
        let filler = "Our team reads every message and answers within a day. ".repeat(4);
        let long = article(
            "long",
            "en",
            "Deliveries",
            &[(
                "",
                "",
                &format!("{filler}Parcels to Iceland travel by ferry every Tuesday. {filler}"),
            )],
        );
        let mut b = builder();
        b.add_article(long.clone());
        let index = Index::from_bytes(&b.build()).unwrap();
        check(
            &index,
            &long,
            "iceland ferry",
            (
                "en/long/",
                None,
                "…and answers within a day. Parcels to [Iceland] travel by [ferry] every \
                 Tuesday. Our team reads every message and answers within a day. Our team reads…",
            ),
        );
    }

    #[test]
    fn an_article_without_text_shows_its_summary() {
        let bare = Article {
            sections: Vec::new(),
            summary: "Where to find the opening hours of the shop".into(),
            ..article("bare", "en", "Shop hours", &[])
        };
        let mut b = IndexBuilder::new();
        b.add_article(bare.clone());
        let index = Index::from_bytes(&b.build()).unwrap();
        check(
            &index,
            &bare,
            "shop hours",
            (
                "en/bare/",
                None,
                "Where to find the opening [hours] of the [shop]",
            ),
        );
    }
}

mod format {
    use super::*;

    /// 64-bit FNV-1a, to pin the bytes without a dependency.
    fn fnv64_of(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
    }

    fn frozen_path() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/data/index-v{FORMAT_VERSION}.bin"))
    }

    #[test]
    fn starts_with_magic_and_version() {
        let bytes = builder().build();
        assert_eq!(&bytes[..4], MAGIC);
        assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), FORMAT_VERSION);
    }

    #[test]
    fn same_input_same_bytes() {
        assert_eq!(builder().build(), builder().build());
    }

    /// The bytes of the fixture must not change by accident: a change of the format needs a new
    /// `FORMAT_VERSION`, a new frozen file and a new hash here. (Pinned for the writer's build,
    /// kbgen's, with every stemmer: without them French text is indexed unstemmed.)
    #[cfg(feature = "all-stemmers")]
    #[test]
    fn index_hasnt_changed_accidentally() {
        let bytes = builder().build();
        assert_eq!(
            fnv64_of(&bytes),
            0x8fde_cdfd_d724_f04d,
            "index bytes changed ({} bytes)",
            bytes.len()
        );
    }

    /// An article's passages file must not change by accident either: kbgen writes one per
    /// article and the widget reads it, so a change needs a new `PASSAGES_VERSION`.
    #[test]
    fn passages_havent_changed_accidentally() {
        let bytes = Passages::encode(&refunds());
        assert_eq!(&bytes[..4], PASSAGES_MAGIC);
        assert_eq!(
            bytes,
            Passages::encode(&refunds()),
            "same article, same bytes"
        );
        assert_eq!(
            fnv64_of(&bytes),
            0x6260_b025_a83b_df8f,
            "passages bytes changed ({} bytes)",
            bytes.len()
        );
    }

    /// Every released format version decodes (or, once retired, is rejected cleanly).
    /// Regenerate with `INSTA_UPDATE=always cargo test -p solodesk-engine --test engine`
    /// (the one snapshot switch of the workspace, as for insta's snapshots in kbgen)
    /// only when releasing a new format version.
    #[test]
    fn frozen_file_decodes() {
        let path = frozen_path();
        if std::env::var("INSTA_UPDATE").as_deref() == Ok("always") {
            std::fs::write(&path, builder().build()).unwrap();
        }
        let bytes = std::fs::read(&path).expect("frozen index file");
        let index = Index::from_bytes(&bytes).expect("frozen index decodes");
        assert_eq!(index.articles().len(), 9);
        check(&index, "申请退款", "zh-refund");
        check(&index, "reset pasword ", "password");
    }

    /// Versions 1 (before questions were stored one by one), 2 (postings per section, with
    /// snippets), 3 (frequencies in a fixed code, postings always in the index file), 4 (the
    /// text of every term in the index file), 5 (the questions of every article in the index
    /// file) and 6 (the text of every non-CJK term in the index file) are retired: their frozen
    /// files are rejected with
    /// the version they have, so kbgen can say "rebuild the index".
    #[test]
    fn retired_versions_are_rejected_cleanly() {
        for version in [1, 2, 3, 4, 5, 6] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("tests/data/index-v{version}.bin"));
            let bytes = std::fs::read(path).expect("frozen index file of a retired version");
            assert_eq!(&bytes[..4], MAGIC);
            assert_eq!(
                Index::from_bytes(&bytes).unwrap_err(),
                FormatError::UnsupportedVersion {
                    found: version,
                    supported: FORMAT_VERSION
                }
            );
        }
    }

    #[test]
    fn rejects_other_files_cleanly() {
        let good = builder().build();
        assert_eq!(Index::from_bytes(b"").unwrap_err(), FormatError::BadMagic);
        assert_eq!(
            Index::from_bytes(b"PK\x03\x04zip").unwrap_err(),
            FormatError::BadMagic
        );

        let mut other = good.clone();
        other[4..6].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        assert_eq!(
            Index::from_bytes(&other).unwrap_err(),
            FormatError::UnsupportedVersion {
                found: FORMAT_VERSION + 1,
                supported: FORMAT_VERSION
            }
        );
        let mut old = good.clone();
        old[4..6].copy_from_slice(&0u16.to_le_bytes());
        assert!(matches!(
            Index::from_bytes(&old),
            Err(FormatError::UnsupportedVersion { found: 0, .. })
        ));

        // Every truncation and every flipped byte is an error, never a panic or a wrong index.
        for len in 6..good.len() {
            assert!(
                Index::from_bytes(&good[..len]).is_err(),
                "truncated to {len}"
            );
        }
        for i in 6..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x55;
            assert!(Index::from_bytes(&bad).is_err(), "byte {i} flipped");
        }
    }

    /// The index holds no text beyond what ranking needs: sections and summaries live in the
    /// passages files.
    #[test]
    fn articles_keep_metadata_but_no_text() {
        let index = index();
        let a = &index.articles()[0];
        assert_eq!(
            (a.id.as_str(), a.url.as_str(), index.category(0)),
            ("refunds", "en/refunds/", Some("Billing"))
        );
        assert_eq!((a.summary.as_str(), a.sections.len()), ("", 0));
        let bytes = builder().build();
        let text = "Shipping costs are not refunded unless the parcel arrived damaged.";
        assert!(!bytes.windows(text.len()).any(|w| w == text.as_bytes()));
    }
}

mod shards {
    use super::made_up_words::{word, words};
    use super::*;
    use std::collections::HashMap;

    /// Articles of 40 words each, common words more often than rare ones, and a question of
    /// four of their words: postings enough for dozens of checkpoints.
    fn large(articles: usize) -> IndexBuilder {
        large_asked(articles, true)
    }

    /// [`large`], with or without the questions.
    fn large_asked(articles: usize, asked: bool) -> IndexBuilder {
        let mut next = words(7);
        let mut b = IndexBuilder::new();
        for a in 0..articles {
            let title: Vec<String> = (0..3).map(|_| next()).collect();
            let text: Vec<String> = (0..40).map(|_| next()).collect();
            let question = format!("{} {} {} {}", text[0], text[9], text[20], title[2]);
            b.add_article(Article {
                questions: if asked { vec![question] } else { vec![] },
                ..article(
                    &format!("a{a}"),
                    "en",
                    &title.join(" "),
                    &[("", "", &text.join(" "))],
                )
            });
        }
        b
    }

    fn ranked(hits: &[solodesk_engine::Hit]) -> Vec<(String, String)> {
        hits.iter()
            .map(|h| (h.id.clone(), format!("{:.4}", h.score)))
            .collect()
    }

    /// Searches `index`, adding the shards each search says are missing, until none is;
    /// returns the results and how many shards were added.
    fn search_fetching(
        index: &Index,
        files: &HashMap<String, Vec<u8>>,
        q: &str,
    ) -> (Vec<(String, String)>, usize) {
        let mut added = 0;
        loop {
            let hits = index.search(q, &SearchOptions::default());
            let missing = index.missing_shards();
            if missing.is_empty() {
                return (ranked(&hits), added);
            }
            for k in missing {
                let bytes = &files[&index.shard_file(k)];
                assert_eq!(index.add_shard(bytes), Ok(k));
                added += 1;
            }
        }
    }

    #[test]
    fn a_search_fetches_only_the_shards_of_its_words_and_ranks_as_the_whole_index() {
        let b = large(400);
        let whole = Index::from_bytes(&b.build()).unwrap();
        let (head, shards) = b.build_sharded(2_000);
        assert!(shards.len() >= 4, "{} shards", shards.len());
        let index = Index::from_bytes(&head).unwrap();
        assert_eq!(index.shard_count(), shards.len());
        assert_eq!(whole.shard_count(), 0);
        let files: HashMap<String, Vec<u8>> = shards.into_iter().collect();

        let first = word(3);
        let (hits, added) = search_fetching(&index, &files, &first);
        assert!(!hits.is_empty());
        assert!(
            (1..files.len()).contains(&added),
            "{first:?} needed {added} of {} shards",
            files.len()
        );
        let queries = [
            first,
            format!("{} {}", word(10), word(200)),
            format!("{} {}", word(1), &word(77)[..4]),
            // One letter off: the typo search reaches other words' postings.
            word(40).replacen('k', "x", 1),
            format!("{} {} {}", word(5), word(300), word(6)),
        ];
        for q in &queries {
            let (hits, _) = search_fetching(&index, &files, q);
            assert_eq!(
                hits,
                ranked(&whole.search(q, &SearchOptions::default())),
                "{q:?}"
            );
        }
    }

    /// 300 articles of made-up Chinese (400 characters, the first ones far more often) under
    /// English titles, and the 400 characters.
    fn chinese(articles: usize) -> (IndexBuilder, Vec<char>) {
        let chars: Vec<char> = ('\u{4e00}'..).take(400).collect();
        let mut seed = 0x9e37_79b9_u64;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let r = (seed >> 33) as usize;
            // Two draws, the smaller kept: low characters are common, high ones rare.
            chars[(r % 400).min((r / 400) % 400)]
        };
        let mut b = IndexBuilder::new();
        for a in 0..articles {
            let text: String = (0..60).map(|_| next()).collect();
            b.add_article(article(
                &format!("a{a}"),
                "zh",
                &format!("Article {a}"),
                &[("", "", &text)],
            ));
        }
        (b, chars)
    }

    /// Issue 19: most of a Chinese index file was its terms' text (dify-docs: 50 of 73 KB
    /// gzip). On a sharded index a CJK term's text is in the shard of its postings, so the
    /// index file holds none of it, and a Chinese search fetches only its words' shards and
    /// ranks as the whole index.
    #[test]
    fn chinese_terms_travel_in_their_shards() {
        let (b, chars) = chinese(300);
        let whole = b.build();
        let (head, shards) = b.build_sharded(2_000);
        assert!(shards.len() >= 4, "{} shards", shards.len());
        // Chinese characters in a file's bytes.
        let count = |bytes: &[u8]| {
            let utf8: Vec<String> = chars.iter().map(|c| c.to_string()).collect();
            bytes
                .windows(3)
                .filter(|w| utf8.iter().any(|c| c.as_bytes() == *w))
                .count()
        };
        assert!(
            count(&whole) > 10 * shards.len(),
            "the whole index keeps its terms' text"
        );
        // Of the Chinese terms, the index file keeps the first of each shard: where it begins.
        assert!(
            count(&head) <= 2 * shards.len(),
            "{} characters in the sharded index file, {} shards",
            count(&head),
            shards.len()
        );
        // Every shard of postings has some (the blocks of titles have none: titles are not
        // Chinese here).
        assert!(shards.iter().filter(|(_, s)| count(s) > 0).count() >= 4);

        let whole = Index::from_bytes(&whole).unwrap();
        let files: HashMap<String, Vec<u8>> = shards.into_iter().collect();
        let pair: String = chars[3..5].iter().collect();
        let rare: String = [chars[1], chars[390]].iter().collect();
        for q in [
            pair.clone(),
            rare,
            chars[250].to_string(),
            format!("{pair} {}", chars[120]),
            format!("article {pair}"),
        ] {
            let index = Index::from_bytes(&head).unwrap();
            let (hits, added) = search_fetching(&index, &files, &q);
            assert!(!hits.is_empty(), "{q:?}");
            assert!(
                (1..files.len()).contains(&added),
                "{q:?} needed {added} of {} shards",
                files.len()
            );
            assert_eq!(
                hits,
                ranked(&whole.search(&q, &SearchOptions::default())),
                "{q:?}"
            );
        }
        let missing: String = ['\u{9fa4}', '\u{9fa5}'].iter().collect();
        let index = Index::from_bytes(&head).unwrap();
        assert_eq!(search_fetching(&index, &files, &missing).0, []);
    }

    /// Issue 19: most words of a large index are in one article only (15,131 of the 24,218
    /// non-CJK terms of pingcap's Chinese docs). On a sharded index their text travels in their
    /// shards, like CJK terms': the index file does not hold them, and a search for one fetches
    /// its shard and ranks as the whole index; an unknown word costs a shard, then is absent.
    #[test]
    fn words_of_one_article_travel_in_their_shards() {
        let mut b = large(400);
        // Each begins with its own letter, which no other word has, so that front coding (a
        // term is written as the part it does not share with the one before) keeps it whole.
        let rare: Vec<String> = "bcdfghjpwxyz"
            .chars()
            .map(|c| format!("{c}quetzal"))
            .collect();
        let common: Vec<String> = (0..40).map(word).collect();
        for (a, rare) in rare.iter().enumerate() {
            b.add_article(article(
                &format!("rare{a}"),
                "en",
                &format!("Rare {a}"),
                &[("", "", &format!("{} {rare}", common.join(" ")))],
            ));
        }
        let whole_bytes = b.build();
        let whole = Index::from_bytes(&whole_bytes).unwrap();
        let (head, shards) = b.build_sharded(2_000);
        let files: HashMap<String, Vec<u8>> = shards.into_iter().collect();
        let has = |bytes: &[u8], w: &str| bytes.windows(w.len()).any(|x| x == w.as_bytes());
        // The index file keeps the first deferred term of each shard, where the shard begins.
        let kept = rare.iter().filter(|w| has(&head, w)).count();
        assert!(kept * 4 < rare.len(), "the index file keeps {kept} of them");
        for (a, rare) in rare.iter().enumerate() {
            assert!(has(&whole_bytes, rare), "the whole index keeps {rare:?}");
            assert!(
                files.values().any(|s| has(s, rare)),
                "no shard has {rare:?}"
            );
            let index = Index::from_bytes(&head).unwrap();
            let (hits, added) = search_fetching(&index, &files, rare);
            assert_eq!(hits.first().map(|h| h.0.clone()), Some(format!("rare{a}")));
            assert!(
                (1..files.len()).contains(&added),
                "{rare:?}: {added} shards"
            );
            let expected = ranked(&whole.search(rare, &SearchOptions::default()));
            assert_eq!(hits, expected, "{rare:?}");
        }
        // A word no article has costs the shard it would be in, then finds nothing.
        let index = Index::from_bytes(&head).unwrap();
        assert_eq!(search_fetching(&index, &files, "zzyzx"), (vec![], 1));
    }

    /// Issue 19: the articles' questions were a third of a 50,000-article index file, which every
    /// search fetches. Which questions have a word, with their norms, now travels with the
    /// word's postings; the index file keeps a byte per article (how many questions it has).
    #[test]
    fn questions_travel_with_their_words_shards() {
        let size = |asked: bool| {
            let b = large_asked(400, asked);
            let (head, shards) = b.build_sharded(2_000);
            let shards: usize = shards.iter().map(|(_, s)| s.len()).sum();
            (b.build().len(), head.len(), shards)
        };
        let (whole, head, shards) = size(false);
        let (whole_asked, head_asked, shards_asked) = size(true);
        assert!(whole_asked > whole + 4 * 400, "{whole} → {whole_asked}");
        assert!(shards_asked > shards + 4 * 400, "{shards} → {shards_asked}");
        assert!(head_asked < head + 400 + 64, "{head} → {head_asked}");
    }

    /// Issue 19: titles were 261 KB gzip of a 25,000-article index file. A sharded index keeps
    /// them in blocks of articles, which a search fetches for the articles it returns and for
    /// the leaders whose title has every word of the query (an exact title goes first).
    #[test]
    fn titles_travel_in_blocks_that_searches_fetch() {
        let b = large(2_000);
        let whole = Index::from_bytes(&b.build()).unwrap();
        let (head, shards) = b.build_sharded(2_000);
        let index = Index::from_bytes(&head).unwrap();
        // The blocks come after the postings' shards.
        let postings = shards.len() - 2_000usize.div_ceil(BLOCK_ARTICLES);
        let title = whole.title(123).unwrap().to_owned();
        assert!(!head.windows(title.len()).any(|w| w == title.as_bytes()));
        assert_eq!(index.title(123), None, "not here yet");
        let block = index.missing_shards();
        assert_eq!(block, [postings + 123 / BLOCK_ARTICLES]);
        assert_eq!(index.title_shard(123), Some(block[0]));
        assert_eq!(whole.title_shard(123), None);
        let files: HashMap<String, Vec<u8>> = shards.into_iter().collect();
        index
            .add_shard(&files[&index.shard_file(block[0])])
            .unwrap();
        assert_eq!(index.title(123), Some(title.as_str()));
        assert_eq!(index.title_shard(123), None);
        assert_eq!(index.category(123), whole.category(123));

        // A search for an article's title: the exact title first, with the whole index's
        // titles, from a few blocks.
        let index = Index::from_bytes(&head).unwrap();
        let (hits, _) = search_fetching(&index, &files, &title);
        assert_eq!(
            hits,
            ranked(&whole.search(&title, &SearchOptions::default()))
        );
        assert_eq!(hits[0].0, "a123");
        let titled = index.search(&title, &SearchOptions::default());
        assert!(titled
            .iter()
            .all(|h| Some(h.title.as_str()) == whole.title(h.article)));
        // The blocks of the ten results and of few leaders more, of 2,000 / BLOCK_ARTICLES.
        let fetched = (0..2_000).filter(|&a| index.title(a).is_some()).count();
        assert!(
            fetched <= BLOCK_ARTICLES * 12,
            "{fetched} titles fetched for ten results"
        );

        // Blocks that cannot be had (the network failed): results name their article by id.
        let index = Index::from_bytes(&head).unwrap();
        for k in 0..postings {
            index.add_shard(&files[&index.shard_file(k)]).unwrap();
        }
        let hits = index.search(&title, &SearchOptions::default());
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|h| h.title == h.id), "{hits:?}");
    }

    /// Blocks cost a search a round trip more: titles that take less than the postings kept
    /// whole stay in the index file of a sharded index.
    #[test]
    fn a_few_hundred_titles_stay_in_the_index_file() {
        let b = large(400);
        let whole = Index::from_bytes(&b.build()).unwrap();
        let titles: usize = (0..400).map(|a| whole.title(a).unwrap().len()).sum();
        let (head, shards) = b.build_sharded_above(titles + 1, 1_000);
        let index = Index::from_bytes(&head).unwrap();
        assert!(!shards.is_empty(), "the postings are sharded");
        assert!(index.title(399).is_some());
        assert_eq!(index.missing_shards(), Vec::<usize>::new());
        let (head, _) = b.build_sharded_above(titles - 1, 1_000);
        assert_eq!(Index::from_bytes(&head).unwrap().title(399), None);
    }

    #[test]
    fn a_small_index_keeps_its_postings() {
        let (head, shards) = builder().build_sharded(1 << 20);
        assert!(shards.is_empty());
        assert_eq!(head, builder().build());
    }

    /// Issue 19: shards of 32 KiB made a Chinese first search on dify fetch 1.3-1.7 times
    /// Pagefind's bytes (a word's shard carried many other words' postings); kbgen now keeps the
    /// postings whole up to one size and cuts them smaller above it.
    #[test]
    fn postings_stay_whole_below_the_threshold_and_shard_small_above() {
        let (head, shards) = large(200).build_sharded_above(1 << 20, 500);
        assert!(shards.is_empty());
        assert_eq!(head, large(200).build());
        let (_, coarse) = large(200).build_sharded_above(1_000, 4_000);
        let (head, fine) = large(200).build_sharded_above(1_000, 1_000);
        assert!(
            fine.len() > coarse.len() && coarse.len() > 1,
            "{} {}",
            fine.len(),
            coarse.len()
        );
        assert_eq!((head.clone(), fine), large(200).build_sharded(1_000));
    }

    #[test]
    fn same_input_same_shards() {
        assert_eq!(large(100).build_sharded(500), large(100).build_sharded(500));
    }

    #[test]
    fn a_shard_of_another_build_or_a_damaged_one_is_rejected() {
        let (head, shards) = large(200).build_sharded(1_000);
        let index = Index::from_bytes(&head).unwrap();
        let (_, other) = large(201).build_sharded(1_000);
        assert_eq!(
            index.add_shard(&other[0].1),
            Err(FormatError::Corrupt("shard of another index"))
        );
        let good = &shards[1].1;
        assert_eq!(
            index.add_shard(&good[..good.len() - 1]),
            Err(FormatError::Corrupt("checksum mismatch"))
        );
        assert_eq!(index.add_shard(&head), Err(FormatError::BadMagic));
        assert_eq!(index.add_shard(good), Ok(1));
        assert_eq!(index.add_shard(good), Ok(1), "adding twice is harmless");
    }
}
