//! The help center's own words (not the owner's content) in the languages we ship; other
//! languages fall back to English, and a theme can override any string in its templates.

use crate::config::Localized;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Strings {
    pub home: String,
    pub search: String,
    pub search_placeholder: String,
    pub search_label: String,
    pub categories: String,
    pub featured: String,
    /// After a count of one ("1 article"); `articles` after any other count.
    pub article: String,
    pub articles: String,
    pub on_this_page: String,
    pub updated: String,
    pub related: String,
    pub previous: String,
    pub next: String,
    pub helpful: String,
    pub yes: String,
    pub no: String,
    pub thanks: String,
    pub sorry: String,
    pub email_us: String,
    pub feedback_subject: String,
    pub feedback_body: String,
    pub not_found_title: String,
    pub not_found_text: String,
    pub no_js_search: String,
    /// The search page's result count; `{n}` is the number.
    pub results_one: String,
    pub results_other: String,
    /// The search page when nothing matches; `{q}` is the query.
    pub no_results: String,
    pub no_results_help: String,
    pub searching: String,
    pub search_failed: String,
    pub language: String,
    pub skip_to_content: String,
    pub contact: String,
    pub breadcrumb: String,
    pub translations: String,
    /// The category of articles that name none.
    pub general: String,
    /// The title `kbgen import` gives its default category, `faq`.
    pub faq: String,
}

pub fn for_lang(lang: &str) -> Strings {
    match lang.split('-').next().unwrap_or(lang) {
        "zh" => Strings {
            home: "首页".into(),
            search: "搜索".into(),
            search_placeholder: "搜索帮助文章…".into(),
            search_label: "搜索帮助中心".into(),
            categories: "分类".into(),
            featured: "热门文章".into(),
            article: "篇文章".into(),
            articles: "篇文章".into(),
            on_this_page: "本页内容".into(),
            updated: "更新于".into(),
            related: "相关文章".into(),
            previous: "上一篇".into(),
            next: "下一篇".into(),
            helpful: "这篇文章有帮助吗？".into(),
            yes: "有帮助".into(),
            no: "没有帮助".into(),
            thanks: "谢谢你的反馈！".into(),
            sorry: "很抱歉没能帮到你。给我们发邮件，我们会亲自回复：".into(),
            email_us: "发送邮件".into(),
            feedback_subject: "文章反馈".into(),
            feedback_body: "这篇文章没有解答我的问题。我想知道：".into(),
            not_found_title: "找不到这个页面".into(),
            not_found_text: "这个页面可能已被移动或删除。试试搜索，或者浏览下面的分类。".into(),
            no_js_search: "搜索需要 JavaScript。你也可以按分类浏览：".into(),
            results_one: "1 个结果".into(),
            results_other: "{n} 个结果".into(),
            no_results: "没有找到与“{q}”相关的文章。".into(),
            no_results_help: "换个说法试试，或者直接问我们，我们会亲自回复。".into(),
            searching: "正在搜索…".into(),
            search_failed: "搜索无法加载。你可以按分类浏览：".into(),
            language: "语言".into(),
            skip_to_content: "跳到正文".into(),
            contact: "联系我们".into(),
            breadcrumb: "导航路径".into(),
            translations: "其他语言版本".into(),
            general: "常规".into(),
            faq: "常见问题".into(),
        },
        "ja" => Strings {
            home: "ホーム".into(),
            search: "検索".into(),
            search_placeholder: "ヘルプ記事を検索…".into(),
            search_label: "ヘルプセンターを検索".into(),
            categories: "カテゴリー".into(),
            featured: "よく読まれている記事".into(),
            article: "件の記事".into(),
            articles: "件の記事".into(),
            on_this_page: "このページの内容".into(),
            updated: "更新日".into(),
            related: "関連記事".into(),
            previous: "前へ".into(),
            next: "次へ".into(),
            helpful: "この記事は役に立ちましたか？".into(),
            yes: "はい".into(),
            no: "いいえ".into(),
            thanks: "フィードバックありがとうございます！".into(),
            sorry: "お役に立てず申し訳ありません。メールでお問い合わせください：".into(),
            email_us: "メールを送る".into(),
            feedback_subject: "記事へのフィードバック".into(),
            feedback_body: "この記事では解決しませんでした。知りたいこと：".into(),
            not_found_title: "ページが見つかりません".into(),
            not_found_text: "このページは移動または削除された可能性があります。検索するか、カテゴリーから探してください。".into(),
            no_js_search: "検索には JavaScript が必要です。カテゴリーから探すこともできます：".into(),
            results_one: "1 件の記事".into(),
            results_other: "{n} 件の記事".into(),
            no_results: "「{q}」に一致する記事はありません。".into(),
            no_results_help: "別の言葉で検索するか、私たちに直接お問い合わせください。担当者がお返事します。".into(),
            searching: "検索中…".into(),
            search_failed: "検索を読み込めませんでした。カテゴリーから探してください：".into(),
            language: "言語".into(),
            skip_to_content: "本文へスキップ".into(),
            contact: "お問い合わせ".into(),
            breadcrumb: "パンくずリスト".into(),
            translations: "他の言語".into(),
            general: "一般".into(),
            faq: "よくある質問".into(),
        },
        "ar" => Strings {
            home: "الرئيسية".into(),
            search: "بحث".into(),
            search_placeholder: "ابحث في مقالات المساعدة…".into(),
            search_label: "ابحث في مركز المساعدة".into(),
            categories: "الأقسام".into(),
            featured: "مقالات مميزة".into(),
            article: "مقالة".into(),
            articles: "مقالات".into(),
            on_this_page: "في هذه الصفحة".into(),
            updated: "آخر تحديث".into(),
            related: "مقالات ذات صلة".into(),
            previous: "السابق".into(),
            next: "التالي".into(),
            helpful: "هل كانت هذه المقالة مفيدة؟".into(),
            yes: "نعم".into(),
            no: "لا".into(),
            thanks: "شكرًا على ملاحظاتك!".into(),
            sorry: "نأسف لعدم تمكننا من المساعدة. راسلنا وسنرد عليك بأنفسنا:".into(),
            email_us: "أرسل بريدًا إلكترونيًا".into(),
            feedback_subject: "ملاحظات على مقالة".into(),
            feedback_body: "لم تُجب هذه المقالة عن سؤالي. أريد أن أعرف:".into(),
            not_found_title: "الصفحة غير موجودة".into(),
            not_found_text: "ربما نُقلت هذه الصفحة أو حُذفت. جرّب البحث أو تصفح الأقسام أدناه.".into(),
            no_js_search: "يتطلب البحث JavaScript. يمكنك أيضًا التصفح حسب القسم:".into(),
            results_one: "النتائج: 1".into(),
            results_other: "النتائج: {n}".into(),
            no_results: "لا توجد مقالات تطابق «{q}».".into(),
            no_results_help: "جرّب كلمات أخرى، أو اسألنا مباشرة وسنرد عليك بأنفسنا.".into(),
            searching: "جارٍ البحث…".into(),
            search_failed: "تعذر تحميل البحث. تصفح حسب القسم:".into(),
            language: "اللغة".into(),
            skip_to_content: "انتقل إلى المحتوى".into(),
            contact: "اتصل بنا".into(),
            breadcrumb: "مسار التنقل".into(),
            translations: "لغات أخرى".into(),
            general: "عام".into(),
            faq: "الأسئلة الشائعة".into(),
        },
        _ => Strings {
            home: "Home".into(),
            search: "Search".into(),
            search_placeholder: "Search help articles…".into(),
            search_label: "Search the help center".into(),
            categories: "Categories".into(),
            featured: "Popular articles".into(),
            article: "article".into(),
            articles: "articles".into(),
            on_this_page: "On this page".into(),
            updated: "Updated".into(),
            related: "Related articles".into(),
            previous: "Previous".into(),
            next: "Next".into(),
            helpful: "Was this article helpful?".into(),
            yes: "Yes".into(),
            no: "No".into(),
            thanks: "Thanks for your feedback!".into(),
            sorry: "Sorry it did not help. Email us and we will answer you personally:".into(),
            email_us: "Send us an email".into(),
            feedback_subject: "Feedback on".into(),
            feedback_body: "This article did not answer my question. What I wanted to know:".into(),
            not_found_title: "Page not found".into(),
            not_found_text: "This page may have moved or been removed. Try searching, or browse the categories below.".into(),
            no_js_search: "Search needs JavaScript. You can also browse by category:".into(),
            results_one: "1 result".into(),
            results_other: "{n} results".into(),
            no_results: "No articles match “{q}”.".into(),
            no_results_help: "Try other words, or ask us directly and we will answer you personally.".into(),
            searching: "Searching…".into(),
            search_failed: "Search could not load. Browse by category instead:".into(),
            language: "Language".into(),
            skip_to_content: "Skip to content".into(),
            contact: "Contact us".into(),
            breadcrumb: "Breadcrumb".into(),
            translations: "Other languages".into(),
            general: "General".into(),
            faq: "Frequently asked questions".into(),
        },
    }
}

/// The help center's words in `lang` with the owner's `[site.strings]` applied (see
/// [`Localized::exact`]: a table without this language keeps the built-in words).
pub fn for_site(lang: &str, overrides: &BTreeMap<String, Localized>) -> Strings {
    let mut value = serde_json::to_value(for_lang(lang)).expect("strings are plain text");
    for (key, text) in overrides {
        if let (Some(slot), Some(text)) = (value.get_mut(key), text.exact(lang)) {
            *slot = text.into();
        }
    }
    serde_json::from_value(value).expect("only existing keys were replaced, by text")
}

/// Every key of [`Strings`] with its English text, for checking the owner's overrides.
pub fn english() -> Vec<(String, String)> {
    let value = serde_json::to_value(for_lang("en")).expect("strings are plain text");
    value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

/// The language's own name, for the language switcher.
pub fn language_name(lang: &str) -> &str {
    match lang {
        "en" => "English",
        "zh" | "zh-CN" | "zh-Hans" => "简体中文",
        "zh-TW" | "zh-Hant" => "繁體中文",
        "ja" => "日本語",
        "ko" => "한국어",
        "ar" => "العربية",
        "he" => "עברית",
        "fa" => "فارسی",
        "de" => "Deutsch",
        "fr" => "Français",
        "es" => "Español",
        "pt" => "Português",
        "it" => "Italiano",
        "ru" => "Русский",
        other => other,
    }
}

/// `n` and an English noun for kbgen's own messages: "1 article", "2 articles", "0 warnings".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
