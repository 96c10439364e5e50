//! Issue 16, item 10: "Weak matches look like answers". A question the knowledge base does not
//! cover ("do you have a shop in Bristol I can visit") matched its question words and one common
//! word in unrelated articles, and the widget showed them as an answer. `Index::search_confident`
//! is the one abstention policy of the widget (its "I don't know" and ticket) and of the help
//! center's search page ("No articles match"), and `Index::ask` takes the same decision.
//!
//! The knowledge base here is a small bindery's help center written for this test in English,
//! Chinese and Arabic (the widget's interface languages); the questions are ours, not evaluation
//! data. Out-of-scope questions must be abstained on; in-scope paraphrases, which share only some
//! of their words with the article, must find it and be confident.
//!
//! `known_gaps` (ignored) holds out-of-scope questions the policy still answers: each shares
//! a topic word with an article and adds one the knowledge base lacks ("a shop in Bristol" with
//! "Wholesale for shops"; تبيعون "you sell" with البيع "sale"; 预约 "book" with 预约参观; 理 and 护
//! of 办理护照 with 护理膏). In-scope questions have the same shape ("do you ship to Brazil"),
//! so a threshold on words cannot part them. Run it with `--ignored` when changing the policy;
//! `solodesk-eval --cross` measures the same on real questions asked of other knowledge bases.

use solodesk_engine::{Article, Index, IndexBuilder, Question, SearchOptions, Section};

/// (id, title, text) of each article, per language.
const EN: &[(&str, &str, &str)] = &[
    ("refunds", "Refunds", "We refund any order within 30 days of delivery. The money goes back to the card you paid with within five working days."),
    ("shipping", "Shipping times and costs", "Parcels to Europe take three to five working days; to the rest of the world, seven to twelve. Shipping is free on orders over 60 euros."),
    ("tracking", "Track your order", "When your parcel leaves the workshop we email you a tracking link. Follow it to see where your parcel is."),
    ("password", "Reset your password", "Click Forgot password on the sign-in page and we email you a link to choose a new password."),
    ("payment", "Payment methods", "We accept Visa, Mastercard, American Express, PayPal and bank transfer."),
    ("gift-cards", "Gift cards", "Gift cards come in values from 20 to 200 euros and never expire."),
    ("wholesale", "Wholesale for shops", "Shops and stationers can order our notebooks in bulk at a wholesale price. Write to us with the name of your shop."),
    ("visits", "Visiting the workshop", "Our workshop in Porto is open to visitors on Saturdays from 10 to 1. Book a visit by email."),
    ("leather", "Caring for leather covers", "Rub a little balm into the cover once a year and keep it away from radiators."),
    ("address", "Change the shipping address", "You can change the address of an order until it ships: open the order and choose Edit address."),
    ("cancel", "Cancel an order", "An order can be cancelled within two hours of paying. After that, start a return once it arrives."),
    ("discounts", "Discount codes", "Enter the code at checkout. Only one code works per order."),
    ("personalised", "Personalised notebooks", "We can emboss initials or a name on the cover, up to 12 letters."),
    ("contact", "Contact us", "Need help? Please write to us at hello@bindery.example: we answer every email within two working days. We would also like to know what you think of your notebook."),
    ("damaged", "Damaged or wrong item", "If your notebook arrived damaged, send us a photo and we send a replacement."),
];

const ZH: &[(&str, &str, &str)] = &[
    ("refunds", "退款", "收货后三十天内的任何订单都可以退款。款项会在五个工作日内退回到您付款的银行卡。"),
    ("shipping", "运费和配送时间", "寄往欧洲的包裹需要三到五个工作日，寄往其他地区需要七到十二个工作日。订单满六十欧元免运费。"),
    ("tracking", "查询订单物流", "包裹离开工作室后，我们会通过邮件发送物流跟踪链接，您可以查看包裹到了哪里。"),
    ("password", "重置密码", "在登录页面点击“忘记密码”，我们会给您发送一封邮件，里面有设置新密码的链接。"),
    ("payment", "付款方式", "我们接受 Visa、万事达卡、PayPal、支付宝和银行转账。"),
    ("gift-cards", "礼品卡", "礼品卡面值从二十欧元到两百欧元，永不过期。"),
    ("wholesale", "商店批发", "商店和文具店可以以批发价大量订购我们的笔记本。请写信告诉我们您商店的名称。"),
    ("visits", "参观工作室", "我们位于波尔图的工作室每周六上午十点到一点对访客开放。请通过邮件预约参观。"),
    ("leather", "皮革封面保养", "每年在封面上涂一点护理膏，并远离暖气片。"),
    ("address", "修改收货地址", "订单发货前您可以修改地址：打开订单并选择编辑地址。"),
    ("cancel", "取消订单", "付款后两小时内可以取消订单。之后请在收到货后申请退货。"),
    ("discounts", "优惠码", "在结账时输入优惠码。每个订单只能使用一个优惠码。"),
    ("personalised", "个性化笔记本", "我们可以在封面上压印姓名首字母或名字，最多十二个字母。"),
    ("contact", "联系我们", "需要帮助？请写信到 hello@bindery.example，我们会在两个工作日内回复每一封邮件。也欢迎告诉我们您对笔记本的看法。"),
    ("damaged", "商品损坏或发错", "如果您的笔记本到货时已损坏，请发给我们一张照片，我们会寄出替换品。"),
];

const AR: &[(&str, &str, &str)] = &[
    ("refunds", "استرداد المبلغ", "نعيد المبلغ لأي طلب خلال ثلاثين يوما من التسليم. يعود المال إلى البطاقة التي دفعت بها خلال خمسة أيام عمل."),
    ("shipping", "مدة الشحن وتكلفته", "تصل الطرود إلى أوروبا خلال ثلاثة إلى خمسة أيام عمل. الشحن مجاني للطلبات التي تزيد عن ستين يورو."),
    ("tracking", "تتبع طلبك", "عندما يغادر الطرد الورشة نرسل إليك رابط التتبع بالبريد الإلكتروني لترى أين وصل طردك."),
    ("password", "إعادة تعيين كلمة المرور", "اضغط على نسيت كلمة المرور في صفحة تسجيل الدخول وسنرسل إليك رابطا لاختيار كلمة مرور جديدة."),
    ("payment", "طرق الدفع", "نقبل فيزا وماستركارد وباي بال والتحويل البنكي."),
    ("gift-cards", "بطاقات الهدايا", "تتوفر بطاقات الهدايا بقيم من عشرين إلى مئتي يورو ولا تنتهي صلاحيتها أبدا."),
    ("wholesale", "البيع بالجملة للمتاجر", "يمكن للمتاجر ومحلات القرطاسية طلب دفاترنا بكميات كبيرة بسعر الجملة. راسلنا مع اسم متجرك."),
    ("visits", "زيارة الورشة", "ورشتنا في بورتو مفتوحة للزوار أيام السبت من العاشرة حتى الواحدة. احجز زيارتك بالبريد الإلكتروني."),
    ("leather", "العناية بالأغلفة الجلدية", "ضع قليلا من البلسم على الغلاف مرة في السنة وأبعده عن المدفأة."),
    ("address", "تغيير عنوان الشحن", "يمكنك تغيير عنوان الطلب حتى يتم شحنه: افتح الطلب واختر تعديل العنوان."),
    ("cancel", "إلغاء الطلب", "يمكن إلغاء الطلب خلال ساعتين من الدفع. بعد ذلك ابدأ الإرجاع عند وصوله."),
    ("discounts", "رموز الخصم", "أدخل الرمز عند الدفع. يعمل رمز واحد فقط لكل طلب."),
    ("personalised", "دفاتر مخصصة", "يمكننا نقش الأحرف الأولى أو اسم على الغلاف حتى اثني عشر حرفا."),
    ("contact", "اتصل بنا", "هل تحتاج إلى مساعدة؟ يرجى مراسلتنا على hello@bindery.example وسنرد على كل رسالة خلال يومي عمل. يسعدنا أيضا أن نعرف رأيك في دفترك."),
    ("damaged", "منتج تالف أو خاطئ", "إذا وصل دفترك تالفا أرسل إلينا صورة وسنرسل بديلا."),
];

fn index() -> Index {
    let mut b = IndexBuilder::new();
    for (lang, articles) in [("en", EN), ("zh", ZH), ("ar", AR)] {
        for (id, title, text) in articles {
            b.add_article(Article {
                id: format!("{lang}-{id}"),
                lang: lang.into(),
                title: (*title).into(),
                url: format!("{lang}/{id}/"),
                sections: vec![Section {
                    text: (*text).into(),
                    ..Section::default()
                }],
                ..Article::default()
            });
        }
    }
    Index::from_bytes(&b.build()).unwrap()
}

/// Whether `question`, asked in `lang`, is answered; and when `expected` names an article, that
/// it comes first. `ask` (the widget's reply) must take the same decision.
fn decision(ix: &Index, lang: &str, question: &str) -> (bool, String) {
    let opts = SearchOptions {
        limit: 5,
        lang: Some(lang),
    };
    let (hits, confident) = ix.search_confident(question, &opts);
    let asked = ix.ask(&Question {
        text: question,
        lang: Some(lang),
        ..Default::default()
    });
    assert_eq!(
        asked.offer_ticket, !confident,
        "{question:?}: ask and search_confident disagree"
    );
    let top = hits.first().map_or(String::new(), |h| h.id.clone());
    (confident, top)
}

fn check_out_of_scope(lang: &str, questions: &[&str]) {
    let ix = index();
    let answered: Vec<String> = questions
        .iter()
        .filter_map(|q| {
            let (confident, top) = decision(&ix, lang, q);
            confident.then(|| format!("{q:?} answered with {top}"))
        })
        .collect();
    assert!(answered.is_empty(), "out of scope, yet: {answered:#?}");
}

fn check_in_scope(lang: &str, questions: &[(&str, &str)]) {
    let ix = index();
    let wrong: Vec<String> = questions
        .iter()
        .filter_map(|(q, id)| {
            let (confident, top) = decision(&ix, lang, q);
            let want = format!("{lang}-{id}");
            (!confident || top != want)
                .then(|| format!("{q:?}: confident {confident}, first {top}, want {want}"))
        })
        .collect();
    assert!(wrong.is_empty(), "in scope, yet: {wrong:#?}");
}

#[test]
fn out_of_scope_english_questions_are_not_answered() {
    check_out_of_scope(
        "en",
        &[
            "is there a store in Manchester where I can buy your notebooks",
            "can I bring my dog to a cooking class",
            "what is the weather like in Lisbon tomorrow",
            "do you repair laptops",
            "how do I renew my passport",
            "can you recommend a good dentist near me",
            "hi, can you help me find a good dentist please",
            "please tell me the football score",
            "can you help me with my homework",
        ],
    );
}

#[test]
fn in_scope_english_paraphrases_are_answered() {
    check_in_scope(
        "en",
        &[
            ("when do I get my money back", "refunds"),
            ("I forgot my password", "password"),
            ("where is my parcel", "tracking"),
            ("which payment methods do you accept", "payment"),
            ("can I visit your workshop in Porto", "visits"),
            ("my notebook arrived damaged", "damaged"),
            ("can you emboss my name on a notebook", "personalised"),
            ("do gift cards expire", "gift-cards"),
            ("how much is shipping to Europe", "shipping"),
            ("I want to cancel my order", "cancel"),
        ],
    );
}

#[test]
fn out_of_scope_chinese_questions_are_not_answered() {
    check_out_of_scope(
        "zh",
        &[
            "你们在北京有门店吗",
            "你们在北京有门店吗？",
            "你们卖咖啡豆吗",
            "明天上海天气怎么样",
            "附近有好的牙医吗",
            "请帮我找一个好的牙医",
            "请告诉我足球比赛的比分",
            "你们可以送外卖吗",
        ],
    );
}

#[test]
fn in_scope_chinese_paraphrases_are_answered() {
    check_in_scope(
        "zh",
        &[
            ("我忘记密码了", "password"),
            ("我的包裹到哪里了", "tracking"),
            ("退款多久到账", "refunds"),
            ("可以用支付宝付款吗", "payment"),
            ("可以去你们的工作室参观吗", "visits"),
            ("礼品卡会过期吗", "gift-cards"),
            ("笔记本到货时坏了", "damaged"),
            ("我想取消订单", "cancel"),
        ],
    );
}

#[test]
fn out_of_scope_arabic_questions_are_not_answered() {
    check_out_of_scope(
        "ar",
        &[
            "هل لديكم متجر في دبي",
            "هل لديكم متجر في دبي؟",
            "كيف أجدد جواز سفري",
            "ما حالة الطقس في القاهرة غدا",
            "هل يمكنكم مساعدتي في إيجاد طبيب أسنان",
            "هل يمكنني حجز موعد عند الحلاق",
            "أين يمكنني ركن سيارتي",
            "أحتاج مساعدة في واجبي المدرسي",
        ],
    );
}

#[test]
fn in_scope_arabic_paraphrases_are_answered() {
    check_in_scope(
        "ar",
        &[
            ("نسيت كلمة المرور", "password"),
            ("أين طردي", "tracking"),
            ("متى يعود المال إلى بطاقتي", "refunds"),
            ("هل يمكنني زيارة الورشة", "visits"),
            ("هل تنتهي صلاحية بطاقات الهدايا", "gift-cards"),
            ("أريد إلغاء الطلب", "cancel"),
        ],
    );
}

/// Out-of-scope questions the current policy still answers (see the module's opening comment):
/// the target of issue 16's item 10, kept here so a policy change can be checked against them.
#[test]
#[ignore = "issue 16 item 10 is open: these still get an unrelated article as an answer"]
fn known_gaps() {
    check_out_of_scope(
        "en",
        &[
            "do you have a shop in Bristol I can visit",
            "do you have a shop in Bristol I can visit?",
            "do you have a shop in Dubai",
        ],
    );
    check_out_of_scope("zh", &["我想预约理发", "我需要帮助做作业", "怎么办理护照"]);
    check_out_of_scope("ar", &["هل تبيعون القهوة"]);
}
