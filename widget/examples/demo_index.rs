//! Writes a small index (English, Chinese and Arabic articles plus two rules) for trying the widget
//! by hand before kbgen builds the real site: `cargo run -p solodesk-widget --example demo_index -- index.bin [N]`,
//! where `N` adds that many synthetic English articles for latency checks.

use solodesk_engine::{Article, IndexBuilder, Rule, Section};

fn article(
    id: &str,
    lang: &str,
    title: &str,
    pages: &[&str],
    sections: &[(&str, &str)],
) -> Article {
    Article {
        id: id.into(),
        lang: lang.into(),
        title: title.into(),
        url: format!("{lang}/{id}/"),
        summary: sections
            .first()
            .map(|s| s.1.to_string())
            .unwrap_or_default(),
        pages: pages.iter().map(|p| p.to_string()).collect(),
        sections: sections
            .iter()
            .map(|(h, t)| Section {
                anchor: h.to_lowercase().replace(' ', "-"),
                heading: h.to_string(),
                text: t.to_string(),
            })
            .collect(),
        ..Article::default()
    }
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "index.bin".into());
    let mut b = IndexBuilder::new();
    b.add_article(article("refunds", "en", "Refunds and returns", &["/pricing"], &[
        ("", "You can get a full refund within 30 days of purchase."),
        ("How to ask for a refund", "Reply to your receipt email or use the contact form.\nWe refund to the original payment method within 5 business days."),
    ]));
    b.add_article(article(
        "reset-password",
        "en",
        "Reset your password",
        &["/login"],
        &[
            (
                "",
                "Forgot your password? Use the reset link on the sign-in page.",
            ),
            (
                "No email arrived",
                "Check your spam folder, then ask us for help.",
            ),
        ],
    ));
    b.add_article(article(
        "shipping",
        "en",
        "Shipping times",
        &["/pricing", "/shop*"],
        &[(
            "",
            "Orders ship within 2 business days. Delivery takes 3 to 7 days.",
        )],
    ));
    b.add_article(article(
        "refunds",
        "zh",
        "退款与退货",
        &[],
        &[
            ("", "购买后 30 天内可以全额退款。"),
            ("如何申请退款", "回复您的收据邮件，或使用联系表单。"),
        ],
    ));
    b.add_article(article(
        "shipping",
        "zh",
        "发货时间",
        &[],
        &[("", "订单在两个工作日内发货。")],
    ));
    b.add_article(article(
        "refunds",
        "ar",
        "الاسترداد والإرجاع",
        &[],
        &[("", "يمكنك استرداد المبلغ كاملًا خلال 30 يومًا من الشراء.")],
    ));
    b.add_rule(Rule {
        id: "refund-window".into(),
        lang: "en".into(),
        phrasings: vec!["can i get a refund".into(), "how do i get a refund".into()],
        keywords: vec!["refund".into()],
        answer_html: "<p>Yes: you can get a <strong>full refund within 30 days</strong> of purchase. Just reply to your receipt email.</p>".into(),
        articles: vec!["refunds".into()],
        priority: 1,
        ..Rule::default()
    });
    b.add_rule(Rule {
        id: "refund-window-zh".into(),
        lang: "zh".into(),
        phrasings: vec!["可以退款吗".into()],
        answer_html: "<p>可以：购买后 <strong>30 天内</strong>全额退款。</p>".into(),
        articles: vec!["refunds".into()],
        ..Rule::default()
    });
    let synthetic: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    const WORDS: &[&str] = &[
        "account", "billing", "invoice", "export", "import", "password", "login", "team", "plan",
        "upgrade", "cancel", "refund", "shipping", "order", "tracking", "api", "webhook", "backup",
        "privacy", "language",
    ];
    for i in 0..synthetic {
        let w = |k: usize| WORDS[(i * 7 + k * 13) % WORDS.len()];
        let title = format!("How to {} your {} {}", w(0), w(1), i);
        let body = format!(
            "This guide explains {} and {} for the {} page. Steps: open settings, choose {}, then save. \
             If the {} fails, check the {} and try again.",
            w(2), w(3), w(4), w(5), w(6), w(7)
        );
        let id = format!("synthetic-{i}");
        b.add_article(article(
            &id,
            "en",
            &title,
            &[],
            &[("", &body), ("Troubleshooting", &body)],
        ));
    }
    std::fs::write(&out, b.build()).unwrap_or_else(|e| panic!("{out}: {e}"));
    println!("wrote {out}");
}
