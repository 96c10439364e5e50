//! The ticket against an independent URL parser (`url`, plain percent-decoding) and the desk's
//! reader of the machine block.

use super::block::{self, Answer, Block, BlockError};
use super::mailto::{body_text, is_bidi_control, normalize_newlines};
use super::*;
use proptest::prelude::*;

/// Decodes a mailto URL with the `url` crate: (address, [(key, value)]), CRLF read as `\n`.
fn parse(mailto: &str) -> (String, Vec<(String, String)>) {
    let u = url::Url::parse(mailto).expect("valid URL");
    assert_eq!(u.scheme(), "mailto");
    assert!(u.fragment().is_none(), "no fragment may appear: {mailto}");
    let to = percent_encoding::percent_decode_str(u.path())
        .decode_utf8()
        .unwrap()
        .into_owned();
    // `form_urlencoded` would turn `+` into a space, which mailto does not do, so decode by hand.
    let dec = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .unwrap()
            .replace("\r\n", "\n")
    };
    let pairs = u
        .query()
        .unwrap_or("")
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("key=value");
            (dec(k), dec(v))
        })
        .collect();
    (to, pairs)
}

fn turn(q: &str, answer: Answer, shown: &[(&str, &str)], rating: Option<bool>) -> Turn {
    Turn {
        block: block::Turn {
            question: q.to_string(),
            answer,
            rule: (answer == Answer::Rule).then(|| "returns".to_string()),
            articles: shown.iter().map(|(id, _)| id.to_string()).collect(),
            rating,
        },
        titles: shown.iter().map(|(_, t)| t.to_string()).collect(),
    }
}

fn ticket<'a>(message: &'a str, turns: &'a [Turn]) -> Ticket<'a> {
    Ticket {
        site: "Acme",
        reference: "K7Q2XM",
        name: "Ana",
        email: "ana@example.org",
        message,
        page_url: "https://acme.test/pricing?plan=pro#faq",
        lang: "en",
        time: "2026-11-25T13:00:00.000Z",
        widget_version: "0.1.0",
        turns,
    }
}

/// The block the desk reads from a body, as `kbgen desk` does.
fn desk_block(body: &str) -> Result<Block, BlockError> {
    block::find(body)
}

#[test]
fn builds_subject_body_and_block() {
    let turns = [
        turn(
            "refund?",
            Answer::Rule,
            &[("refunds", "Refunds")],
            Some(false),
        ),
        turn("still no", Answer::None, &[], None),
    ];
    let t = ticket("Order 12 & 13\nplease", &turns);
    let m = compose("owner@acme.test", &t, MAX_URL_LEN, "too long");
    assert!(!m.too_long);
    let (to, pairs) = parse(&m.url);
    assert_eq!(to, "owner@acme.test");
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["subject", "body"]);
    assert_eq!(pairs[0].1, "[Acme #K7Q2XM] still no");
    let body = &pairs[1].1;
    let (human, block_line) = body.trim_end().rsplit_once('\n').unwrap();
    assert_eq!(
        human,
        "Order 12 & 13\nplease\n\n--\nName: Ana\nEmail: ana@example.org\n\
         Page: https://acme.test/pricing?plan=pro#faq\nLanguage: en\n\
         Time: 2026-11-25T13:00:00.000Z\nReference: K7Q2XM\n\nConversation:\n\
         Q: refund?\n  -> rule returns: Refunds\n  helpful: no\nQ: still no\n  -> no answer\n"
    );
    assert!(block_line.starts_with("solodesk:v1:"));
    let b = desk_block(body).unwrap();
    assert_eq!(b.reference, "K7Q2XM");
    assert_eq!(b.omitted, 0);
    assert_eq!(
        b.turns,
        turns.iter().map(|t| t.block.clone()).collect::<Vec<_>>()
    );
    assert_eq!(
        &m.body, body,
        "the link carries the whole ticket when it fits"
    );
}

/// Issue 16 item 2: four questions, two of them Chinese, and a 41-character message used to end
/// in "The message was cut here", with the first question as the subject.
#[test]
fn an_ordinary_conversation_fits_and_names_the_failed_question() {
    let shown = [
        ("shipping-times", "How long does shipping take?"),
        ("international-shipping", "Do you ship abroad?"),
        ("returns", "Returns and refunds"),
    ];
    let turns = [
        turn(
            "what is your return policy",
            Answer::Rule,
            &shown[2..],
            Some(true),
        ),
        turn(
            "how long does shipping take to Canada",
            Answer::Articles,
            &shown,
            None,
        ),
        turn(
            "你们的咖啡豆是什么时候烘焙的？能保证新鲜吗",
            Answer::Articles,
            &shown,
            Some(false),
        ),
        turn(
            "可以开增值税专用发票吗？我们公司需要报销",
            Answer::None,
            &[],
            None,
        ),
    ];
    let message = "Can you send a VAT invoice to my company?";
    assert_eq!(message.chars().count(), 41);
    let t = ticket(message, &turns);
    let m = compose("owner@acme.test", &t, MAX_URL_LEN, "cut");
    assert!(!m.too_long);
    assert!(m.url.len() <= MAX_URL_LEN);
    let (_, pairs) = parse(&m.url);
    assert!(
        pairs[0].1.contains("可以开增值税专用发票吗"),
        "{}",
        pairs[0].1
    );
    assert!(pairs[1].1.starts_with(message));
    assert!(!pairs[1].1.contains("cut"));
    let b = desk_block(&pairs[1].1).unwrap();
    assert_eq!(b.turns.last().unwrap().question, turns[3].block.question);
    assert_eq!(b.turns.len() + b.omitted as usize, 4);
}

/// `n` CJK characters from a simple generator seeded by `seed`, so compression cannot cheat.
fn cjk(seed: usize, n: usize) -> String {
    let mut x = seed as u64 * 2_654_435_761 + 1;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            char::from_u32(0x4e00 + ((x >> 33) % 3000) as u32).unwrap()
        })
        .collect()
}

#[test]
fn older_turns_are_summarised_in_the_text_and_dropped_from_the_block() {
    let turns: Vec<Turn> = (0..30)
        .map(|i| {
            turn(
                &cjk(i, 16),
                Answer::Weak,
                &[("a", &cjk(i + 100, 6)), ("b", &cjk(i + 200, 5))],
                None,
            )
        })
        .collect();
    let t = ticket("请帮我看看", &turns);
    let m = compose("owner@acme.test", &t, MAX_URL_LEN, "cut");
    assert!(!m.too_long);
    assert!(
        m.turns_in_link < 30 && m.turns_in_link > 1,
        "{}",
        m.turns_in_link
    );
    let (_, pairs) = parse(&m.url);
    let omitted = 30 - m.turns_in_link;
    let b = desk_block(&pairs[1].1).unwrap();
    assert_eq!(b.omitted as usize, omitted);
    let newest: Vec<_> = turns[omitted..].iter().map(|t| t.block.clone()).collect();
    assert_eq!(b.turns, newest);
    // The text keeps fewer (a CJK character costs 9 bytes there) and says how many it left out.
    let text_omitted: usize = pairs[1]
        .1
        .lines()
        .find_map(|l| {
            l.strip_suffix(" earlier questions omitted)")?
                .strip_prefix('(')?
                .parse()
                .ok()
        })
        .expect("the omitted line");
    assert!(text_omitted >= omitted && text_omitted < 30);
    let shown = pairs[1].1.matches("\nQ: ").count();
    assert_eq!(shown, 30 - text_omitted);
    assert!(pairs[1]
        .1
        .contains(&format!("Q: {}\n", turns[29].block.question)));
    // The copy holds everything.
    assert_eq!(desk_block(&m.body).unwrap().turns.len(), 30);
}

#[test]
fn only_a_message_too_long_for_any_link_is_cut_and_the_copy_has_it_all() {
    let message = "雪".repeat(2000);
    let turns = [turn("q", Answer::None, &[], None)];
    let t = ticket(&message, &turns);
    let m = compose(
        "owner@acme.test",
        &t,
        MAX_URL_LEN,
        "Paste the copied message",
    );
    assert!(m.too_long);
    assert!(m.url.len() <= MAX_URL_LEN);
    let (_, pairs) = parse(&m.url);
    let body = &pairs[1].1;
    assert!(body.starts_with("雪雪雪"));
    // The note follows the cut, then what a short message would have had after it: the
    // visitor's fields and the failed turn's block, which the desk reads.
    let note = body
        .find("\n[…]\nPaste the copied message\n\n--\n")
        .expect(body);
    assert!(
        body[note..].contains("Name: Ana\nEmail: ana@example.org\n"),
        "{body}"
    );
    assert!(body[note..].contains("Reference: K7Q2XM\n"), "{body}");
    assert_eq!(desk_block(body).unwrap().turns[0].question, "q");
    assert_eq!(m.turns_in_link, 1);
    let copy = clipboard_text("owner@acme.test", &m);
    assert!(copy.starts_with("To: owner@acme.test\nSubject: [Acme #K7Q2XM] q\n\n"));
    assert!(copy.contains(&message));
    assert_eq!(desk_block(&copy).unwrap().turns[0].question, "q");
}

#[test]
fn visitor_cannot_add_headers_or_recipients() {
    let evil = "x&cc=evil@bad.test&bcc=a@b?subject=y#frag\r\nBcc: z@bad.test %0D%0A+";
    let turns = [turn(evil, Answer::None, &[], None)];
    let m = compose("owner@acme.test", &ticket(evil, &turns), MAX_URL_LEN, "");
    let (addr, pairs) = parse(&m.url);
    assert_eq!(addr, "owner@acme.test");
    assert_eq!(pairs.len(), 2);
    assert!(pairs[1]
        .1
        .starts_with("x&cc=evil@bad.test&bcc=a@b?subject=y#frag\nBcc: z@bad.test %0D%0A+"));
}

#[test]
fn controls_and_bidi_never_reach_the_subject() {
    let question = "refund\u{202E}gpj.exe\u{0}\u{7}\u{85}now\u{2066}x\u{2069}\u{200F}\u{9f}";
    let message = "a\u{0}b\u{1b}[31mc\td\u{202E}e\r\nf\u{2028}g";
    let turns = [turn(question, Answer::None, &[], None)];
    let m = compose("owner@acme.test", &ticket(message, &turns), MAX_URL_LEN, "");
    let (_, pairs) = parse(&m.url);
    assert_eq!(pairs[0].1, "[Acme #K7Q2XM] refundgpj.exe nowx");
    // The body keeps the text, bidi and line separators included; NUL and ESC go.
    assert!(pairs[1]
        .1
        .starts_with("ab[31mc\td\u{202E}e\nf\u{2028}g\n\n--"));
}

#[test]
fn the_desk_reads_blocks_quoted_or_wrapped_and_refuses_cut_ones() {
    let turns = [
        turn(
            "退货政策是什么",
            Answer::Rule,
            &[("returns", "退货")],
            Some(false),
        ),
        turn(
            "还是不明白 \"quote\" \\ \n",
            Answer::Weak,
            &[("a", "A"), ("b", "B")],
            None,
        ),
    ];
    let t = ticket("help", &turns);
    let m = compose("owner@acme.test", &t, MAX_URL_LEN, "");
    let want = desk_block(&m.body).unwrap();
    assert_eq!(
        want.turns,
        turns.iter().map(|t| t.block.clone()).collect::<Vec<_>>()
    );
    assert_eq!(want.page, t.page_url);
    assert_eq!(want.lang, "en");
    assert_eq!(want.widget_version, "0.1.0");
    // A reply quoting the whole ticket with "> ".
    let quoted: String = m.body.lines().map(|l| format!("> {l}\n")).collect();
    let reply = format!("Thanks, fixed.\n\nOn Monday Ana wrote:\n{quoted}");
    assert_eq!(desk_block(&reply).unwrap(), want);
    // A mail client that wraps at 72 columns.
    let line = m.body.lines().find(|l| l.starts_with("solodesk:")).unwrap();
    let wrapped: String = line
        .as_bytes()
        .chunks(72)
        .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
        .collect();
    assert_eq!(
        desk_block(&format!("hi\n{wrapped}\n-- \nsig")).unwrap(),
        want
    );
    // Cut anywhere: refused, never misread.
    for cut in 12..line.len() {
        let got = desk_block(&format!("x\n{}\n\nsent from my phone", &line[..cut]));
        assert_eq!(got, Err(BlockError::Damaged), "cut at {cut}");
    }
    assert_eq!(desk_block("no block"), Err(BlockError::Missing));
    assert_eq!(desk_block("solodesk:v2:AAAA"), Err(BlockError::Version(2)));
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z ?&%#+=]{1,60}",
        "[\u{4e00}-\u{9fa5}？，]{1,40}",
        "[\u{0621}-\u{064a} ؟]{1,50}",
    ]
}

fn arb_turn() -> impl Strategy<Value = Turn> {
    (
        arb_text(),
        0..5u8,
        proptest::option::of(any::<bool>()),
        arb_text(),
    )
        .prop_map(|(q, a, rating, title)| {
            let answer = [
                Answer::Rule,
                Answer::Articles,
                Answer::Weak,
                Answer::None,
                Answer::Pending,
            ][a as usize];
            let shown = if matches!(answer, Answer::None | Answer::Pending) {
                vec![]
            } else {
                vec![
                    ("some-article-id", title.as_str()),
                    ("another-one", title.as_str()),
                ]
            };
            turn(&q, answer, &shown, rating)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every conversation of up to 30 turns of en/zh/ar text: the link stays under the cap, the
    /// message and the failed question are whole, the subject has the failed question and the
    /// reference, and the block holds the failed question.
    #[test]
    fn every_conversation_fits_the_budget(
        turns in proptest::collection::vec(arb_turn(), 0..=30),
        message in arb_text(),
    ) {
        let t = ticket(&message, &turns);
        let m = compose("owner@acme.test", &t, MAX_URL_LEN, "cut");
        prop_assert!(m.url.len() <= MAX_URL_LEN);
        prop_assert!(!m.too_long);
        let (to, pairs) = parse(&m.url);
        prop_assert_eq!(to, "owner@acme.test");
        prop_assert!(pairs[0].1.contains("#K7Q2XM]"));
        let body = &pairs[1].1;
        prop_assert!(body.starts_with(message.trim_end()));
        if let Some(f) = failed_turn(&turns) {
            let q = mailto::one_line(&turns[f].block.question);
            let start: String = q.chars().take(40).collect();
            prop_assert!(pairs[0].1.contains(&start));
            prop_assert!(body.contains(&q));
            match desk_block(body) {
                Ok(b) => {
                    prop_assert!(b.turns.iter().any(|x| x.question == turns[f].block.question));
                }
                // Only when the failed turn's block would not fit beside the visitor's text.
                Err(_) => prop_assert!(block_only_len(&t, &m) > MAX_URL_LEN),
            }
        }
    }

    #[test]
    fn no_control_reaches_the_ticket(
        question in "(\\PC|\\p{Cc}|\\p{Cf}){0,80}",
        message in "(\\PC|\\p{Cc}|\\p{Cf}){0,200}",
    ) {
        let turns = [turn(&question, Answer::None, &[], None)];
        let m = compose("owner@acme.test", &ticket(&message, &turns), 100_000, "");
        let (addr, pairs) = parse(&m.url);
        prop_assert_eq!(addr, "owner@acme.test");
        prop_assert_eq!(pairs.len(), 2);
        prop_assert!(!pairs[0].1.contains(|c: char| c.is_control() || is_bidi_control(c)));
        let got = &pairs[1].1;
        prop_assert!(!got.contains(|c: char| c.is_control() && c != '\n' && c != '\t'));
        prop_assert!(got.starts_with(&body_text(message.trim_end())));
    }

    #[test]
    fn every_character_arrives_exactly(
        question in "\\PC{0,80}",
        message in "(\\PC|[\n\r&?#%+=]){0,300}",
        name in "\\PC{0,20}",
    ) {
        let turns = [turn(&question, Answer::Weak, &[("x", "y")], Some(false))];
        let t = Ticket { name: &name, ..ticket(&message, &turns) };
        let m = compose("owner+help@acme.test", &t, 100_000, "");
        prop_assert!(!m.too_long);
        let (addr, pairs) = parse(&m.url);
        prop_assert_eq!(addr, "owner+help@acme.test");
        prop_assert_eq!(&pairs[0].1, &subject(&t));
        prop_assert_eq!(&pairs[1].1, &m.body);
        prop_assert!(pairs[1].1.starts_with(&normalize_newlines(message.trim_end())));
        prop_assert_eq!(&desk_block(&m.body).unwrap().turns[0].question, &question);
    }
}

#[test]
fn an_empty_block_round_trips() {
    let b = Block::default();
    assert_eq!(block::to_json(&b), r#"{"turns":[]}"#);
    assert_eq!(block::find(&block::encode(&b)), Ok(b));
}

/// The figures in ARCHITECTURE.md: how many turns of a realistic conversation fit the link, in
/// English and Chinese, and what zlib saves on the block (`--ignored --nocapture` prints them).
#[test]
#[ignore]
fn measure_turns_that_fit() {
    const EN: [&str; 10] = [
        "what is your return policy",
        "how long does shipping take to Canada",
        "can I change the address on my order",
        "do you engrave initials on the leather covers",
        "my payment failed but the money left my account",
        "where is my parcel, it has been two weeks",
        "do you sell refills for the A5 notebook",
        "can I pay with PayPal or Apple Pay",
        "is there a discount for schools buying 40 notebooks",
        "how do I care for the leather cover",
    ];
    const ZH: [&str; 10] = [
        "你们的退货政策是什么",
        "寄到加拿大需要多长时间",
        "下单以后还能修改收货地址吗",
        "皮面笔记本可以刻字或者做个性化定制吗",
        "付款失败了但是钱已经扣了怎么办",
        "我的包裹两个星期了还没到",
        "A5笔记本有替换内页卖吗",
        "可以用支付宝或者微信支付吗",
        "学校批量购买四十本有折扣吗",
        "皮革封面应该怎么保养",
    ];
    const ARTICLES: [(&str, &str, &str); 10] = [
        ("returns-policy", "Return policy", "退货政策"),
        (
            "shipping-times-and-costs",
            "Shipping times and costs",
            "运送时间和费用",
        ),
        (
            "change-shipping-address",
            "Change the shipping address",
            "修改收货地址",
        ),
        (
            "personalization",
            "Personalization and engraving",
            "个性化与刻字",
        ),
        (
            "pending-or-double-charge",
            "Pending or double charge",
            "待处理或重复扣款",
        ),
        (
            "lost-or-delayed-parcel",
            "Lost or delayed parcel",
            "包裹丢失或延误",
        ),
        ("sizes-and-refills", "Sizes and refills", "尺寸和替换内页"),
        ("payment-methods", "Payment methods", "付款方式"),
        ("wholesale", "Wholesale and bulk orders", "批发和批量订单"),
        ("leather-care", "Leather care", "皮革保养"),
    ];
    let make_turn = |zh: bool, i: usize| {
        let q = if zh { ZH[i % 10] } else { EN[i % 10] };
        let shown: Vec<(&str, &str)> = (0..3)
            .map(|k| {
                let a = ARTICLES[(i + k * 3) % 10];
                (a.0, if zh { a.2 } else { a.1 })
            })
            .collect();
        let answer = if i.is_multiple_of(4) {
            Answer::Rule
        } else {
            Answer::Articles
        };
        turn(q, answer, &shown, Some(!i.is_multiple_of(3)))
    };
    let en = |i: usize| make_turn(false, i);
    let zh = |i: usize| make_turn(true, i);
    for (lang, make, n) in [
        ("en", &en as &dyn Fn(usize) -> Turn, 10),
        ("zh", &zh, 10),
        ("en", &en, 30),
        ("zh", &zh, 30),
    ] {
        // Questions 0..n with the last one failed, as a conversation that ends in a ticket.
        let mut turns: Vec<Turn> = (0..n).map(make).collect();
        turns[n - 1].block.answer = Answer::None;
        turns[n - 1].block.articles.clear();
        turns[n - 1].titles.clear();
        let message = "Can you send a VAT invoice to my company?";
        let t = ticket(message, &turns);
        let m = compose("owner@acme.test", &t, MAX_URL_LEN, "cut");
        let (_, pairs) = parse(&m.url);
        let line = pairs[1].1.lines().last().unwrap().to_string();
        let b = block::find(&pairs[1].1).unwrap();
        let json = block::to_json(&b);
        let mut raw = String::new();
        block::base64url_into(&mut raw, json.as_bytes());
        println!(
            "{lang}: of {n} turns, {} in the block and {} in the text, in {} bytes; block {} chars for {} turns (JSON {} bytes, base64 of it uncompressed {} chars)",
            m.turns_in_link,
            n - pairs[1].1.lines().find_map(|l| l.strip_prefix('(')?.split(' ').next()?.parse::<usize>().ok()).unwrap_or(0),
            m.url.len(),
            line.len(),
            b.turns.len(),
            json.len(),
            raw.len()
        );
    }
}

/// Issue 18 §1: the form endpoint's JSON carries the whole ticket, however long, and reads back
/// as the machine block with the desk's own reader.
#[test]
fn the_form_endpoints_json_holds_every_turn_and_the_visitors_words() {
    let turns: Vec<Turn> = (0..40)
        .map(|i| turn(&format!("问题 {i} \"quoted\"\n"), Answer::None, &[], None))
        .collect();
    let message = "Hello,\n\"line two\" \\ tab\there ".repeat(200);
    let t = ticket(&message, &turns);
    let m = compose("owner@acme.test", &t, MAX_URL_LEN, "too long");
    assert!(m.turns_in_link < 40, "the link had to leave turns out");
    let j = json(&t, &m);
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["message"], message.as_str());
    assert_eq!(v["name"], "Ana");
    assert_eq!(v["email"], "ana@example.org");
    assert_eq!(v["ref"], "K7Q2XM");
    assert_eq!(v["subject"], m.subject.as_str());
    assert_eq!(v["body"], m.body.as_str());
    assert_eq!(v["turns"].as_array().unwrap().len(), 40);
    let b = block::from_json(j.as_bytes()).unwrap();
    assert_eq!(b.omitted, 0);
    assert_eq!(
        b.turns,
        turns.iter().map(|t| t.block.clone()).collect::<Vec<_>>()
    );
    assert_eq!(desk_block(&m.body).unwrap().turns.len(), 40);
}

/// Issue 19: where the browser has no `CompressionStream`, the widget writes the block's zlib
/// by hand as stored deflate blocks; every zlib reader (the desk's `miniz_oxide`) takes it, the
/// Adler-32 included, on both sides of a 65,535-byte block.
#[test]
fn stored_zlib_reads_back_with_the_desks_inflater() {
    for len in [0, 1, 100, 65_535, 65_536, 200_000] {
        let data: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
        let z = block::zlib_stored(&data);
        let back = miniz_oxide::inflate::decompress_to_vec_zlib(&z)
            .unwrap_or_else(|e| panic!("{len}: {e:?}"));
        assert_eq!(back, data, "{len}");
    }
    let mut z = block::zlib_stored(b"{\"turns\":[]}");
    let last = z.len() - 1;
    z[last] ^= 1;
    assert!(
        miniz_oxide::inflate::decompress_to_vec_zlib(&z).is_err(),
        "a wrong Adler-32 is refused"
    );
    // A ticket whose block was written stored reads as the same block.
    let turns = [turn(
        "how long is shipping to Brazil",
        Answer::None,
        &[],
        None,
    )];
    let t = ticket("hi", &turns);
    let stored = |b: &Block| block::line(&block::zlib_stored(block::to_json(b).as_bytes()));
    let m = compose_with("owner@acme.test", &t, MAX_URL_LEN, "", &stored);
    let (_, pairs) = parse(&m.url);
    let b = desk_block(&pairs[1].1).unwrap();
    assert_eq!(b.turns[0].question, "how long is shipping to Brazil");
}

#[test]
fn email_validation() {
    for ok in [
        "",
        "a@b.co",
        "first.last+tag@sub.example.org",
        "用户@例子.中国",
    ] {
        assert!(valid_email(ok), "{ok}");
    }
    for bad in [
        "a",
        "a@b",
        "@b.co",
        "a@b..co",
        "a b@c.de",
        "a@b.co\nBcc: x@y.z",
        "a@b@c.de",
        "<a@b.co>",
    ] {
        assert!(!valid_email(bad), "{bad}");
    }
}

#[test]
fn references_use_the_readable_alphabet() {
    assert_eq!(reference_from(0), "000000");
    let r = reference_from(u64::MAX);
    assert_eq!(r, "ZZZZZZ");
    assert!(!reference_from(0x1234_5678_9abc).contains(['I', 'L', 'O', 'U']));
}

/// Found by `every_conversation_fits_the_budget`: forty Chinese characters of message and of
/// failed question (each 9 bytes in the link, and the question twice, in the subject too) leave
/// too little room for the machine block. The visitor's text stays whole; the block is left out
/// only because even the failed turn's alone would pass the cap, by 2 bytes here.
#[test]
fn the_block_gives_way_to_the_visitors_own_text() {
    let question =
        "？，，一，，丐？忌，倀甌，，？？？？，姩，灖篋椈？掰，？圳，胕？？？？？，誫峗？";
    let turns = [
        turn(
            question,
            Answer::Weak,
            &[("some-article-id", "?"), ("another-one", "?")],
            Some(false),
        ),
        turn(
            "#",
            Answer::Rule,
            &[("some-article-id", "#"), ("another-one", "#")],
            None,
        ),
    ];
    let message =
        "，？一一一？，？？一，？？，，，，，？？一一一，，？，一一，？，一一，？，，一一";
    let t = ticket(message, &turns);
    let m = compose("owner@acme.test", &t, MAX_URL_LEN, "cut");
    assert!(!m.too_long);
    let (_, pairs) = parse(&m.url);
    let body = &pairs[1].1;
    assert!(body.starts_with(message) && body.contains(&format!("Question: {question}")));
    assert_eq!(desk_block(body).unwrap_err(), BlockError::Missing);
    assert!(block_only_len(&t, &m) > MAX_URL_LEN);
}

/// The length of the link that would carry the failed turn's block and no transcript.
fn block_only_len(t: &Ticket<'_>, m: &Mailto) -> usize {
    let (b, _) = super::body(t, Part::BlockOnly, &block::encode);
    mailto::url("owner@acme.test", &m.subject, &b).len()
}

/// A question that met a failed search is told apart from one the knowledge base has no answer
/// for: in the text ("search unavailable") and in the block the desk reads ("unavailable"), so
/// `desk gaps` does not count a network failure as a gap. It is still the question that failed.
#[test]
fn a_failed_search_is_recorded_as_unavailable() {
    let turns = [
        turn(
            "refund?",
            Answer::Rule,
            &[("refunds", "Refunds")],
            Some(true),
        ),
        turn("where is my parcel", Answer::Unavailable, &[], None),
    ];
    let t = ticket("help", &turns);
    let m = compose("owner@acme.test", &t, MAX_URL_LEN, "cut");
    let (_, pairs) = parse(&m.url);
    assert!(
        pairs[1]
            .1
            .contains("Q: where is my parcel\n  -> search unavailable"),
        "{}",
        pairs[1].1
    );
    assert!(pairs[0].1.ends_with("where is my parcel"), "{}", pairs[0].1);
    let b = desk_block(&pairs[1].1).unwrap();
    assert_eq!(b.turns[1].answer, Answer::Unavailable);
    assert_eq!(failed_turn(&turns), Some(1));
}
