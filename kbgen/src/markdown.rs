//! Markdown to HTML for articles and rule answers, plus what search and navigation need from it.
//!
//! One pass over pulldown-cmark's events produces the HTML, the table of contents, the plain text
//! of each section (for the engine's index) and the problems found (broken links, missing images,
//! constructs from other tools that we do not understand). It does no I/O: link and image targets
//! are resolved through [`Resolve`], which the caller backs with the knowledge base it loaded.

use pulldown_cmark::{
    BlockQuoteKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use solodesk_engine::Section;
use std::collections::{HashMap, HashSet};

/// Rewrites relative link and image targets; `Ok(None)` leaves a target as written.
pub trait Resolve {
    fn link(&self, dest: &str) -> Result<Option<String>, String>;
    fn image(&self, src: &str) -> Result<Option<String>, String>;
}

/// Leaves every target as written, for text with no file around it.
#[cfg(test)]
pub struct NoResolve;

#[cfg(test)]
impl Resolve for NoResolve {
    fn link(&self, _: &str) -> Result<Option<String>, String> {
        Ok(None)
    }
    fn image(&self, _: &str) -> Result<Option<String>, String> {
        Ok(None)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TocEntry {
    pub level: u8,
    pub anchor: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Error(usize, String),
    Warning(usize, String),
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// The first section holds the text before the first heading, with an empty anchor.
    pub sections: Vec<Section>,
    /// Byte offsets are relative to the markdown given to [`render`].
    pub problems: Vec<Problem>,
    /// The first paragraph's text, as a fallback summary.
    pub first_paragraph: String,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Renders `md`; `skip_h1` drops a leading `# Title` that repeats the page title.
pub fn render(md: &str, resolve: &dyn Resolve, skip_h1: Option<&str>) -> Rendered {
    let mut out = Rendered {
        sections: vec![Section::default()],
        ..Default::default()
    };
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut anchors = Anchors::default();
    // While inside a heading: where its opening tag goes, its level, explicit id and text.
    let mut heading: Option<(usize, HeadingLevel, Option<String>, String)> = None;
    let mut skipping_heading = false;
    let mut in_paragraph = 0usize;
    let mut first_paragraph_done = false;
    let mut seen_block = false;
    let mut image_alt: Option<(usize, String)> = None;
    let mut warned_components = HashSet::new();

    for (event, range) in Parser::new_ext(md, options()).into_offset_iter() {
        if skipping_heading {
            if matches!(event, Event::End(TagEnd::Heading(_))) {
                skipping_heading = false;
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                if !seen_block && level == HeadingLevel::H1 {
                    if let Some(title) = skip_h1 {
                        let text = md[range.clone()].trim_start_matches('#').trim();
                        if text.eq_ignore_ascii_case(title.trim()) || text.is_empty() {
                            skipping_heading = true;
                            seen_block = true;
                            continue;
                        }
                    }
                }
                seen_block = true;
                heading = Some((
                    events.len(),
                    level,
                    id.map(|s| s.to_string()),
                    String::new(),
                ));
                events.push(Event::Html(CowStr::Borrowed("")));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((at, _, id, text)) = heading.take() {
                    let base = id.unwrap_or_else(|| slug(&text));
                    let anchor = anchors.unique(&base);
                    let n = level as u8;
                    events[at] = Event::Html(format!("<h{n} id=\"{}\">", escape(&anchor)).into());
                    events.push(Event::Html(
                        format!("<a class=\"anchor\" href=\"#{}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{n}>\n", escape(&anchor))
                            .into(),
                    ));
                    let text = text.trim().to_string();
                    if (2..=3).contains(&n) {
                        out.toc.push(TocEntry {
                            level: n,
                            anchor: anchor.clone(),
                            text: text.clone(),
                        });
                    }
                    out.sections.push(Section {
                        anchor,
                        heading: text,
                        text: String::new(),
                    });
                }
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                seen_block = true;
                let (class, label) = callout(kind);
                events.push(Event::Html(
                    format!("<div class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{label}</p>\n").into(),
                ));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => events.push(Event::Html("</div>\n".into())),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match link_type {
                    LinkType::Email | LinkType::Autolink => dest_url,
                    _ => match resolve.link(&dest_url) {
                        Ok(Some(new)) => new.into(),
                        Ok(None) => dest_url,
                        Err(msg) => {
                            out.problems.push(Problem::Error(range.start, msg));
                            dest_url
                        }
                    },
                };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match resolve.image(&dest_url) {
                    Ok(Some(new)) => new.into(),
                    Ok(None) => dest_url,
                    Err(msg) => {
                        out.problems.push(Problem::Error(range.start, msg));
                        dest_url
                    }
                };
                image_alt = Some((events.len(), String::new()));
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                if let Some((_, alt)) = image_alt.take() {
                    if alt.trim().is_empty() {
                        out.problems.push(Problem::Warning(
                            range.start,
                            "image without alt text".into(),
                        ));
                    }
                }
                events.push(Event::End(TagEnd::Image));
            }
            Event::Start(Tag::Paragraph) => {
                seen_block = true;
                in_paragraph += 1;
                events.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                in_paragraph = in_paragraph.saturating_sub(1);
                if !out.first_paragraph.trim().is_empty() {
                    first_paragraph_done = true;
                }
                push_text(&mut out.sections, "\n");
                events.push(Event::End(TagEnd::Paragraph));
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                if let Some((_, h)) = heading.as_mut().map(|h| (0, &mut h.3)) {
                    h.push_str(t);
                } else {
                    push_text(&mut out.sections, t);
                    if in_paragraph > 0 && !first_paragraph_done {
                        out.first_paragraph.push_str(t);
                    }
                }
                if let Some((_, alt)) = image_alt.as_mut() {
                    alt.push_str(t);
                }
                if let Event::Text(t) = &event {
                    if let Some(i) = t.find("{%") {
                        if warned_components.insert("liquid".to_string()) {
                            out.problems.push(Problem::Warning(
                                range.start + i.min(range.len()),
                                "Liquid tag `{% ... %}` is not supported; shown as text".into(),
                            ));
                        }
                    }
                }
                events.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                push_text(&mut out.sections, " ");
                if in_paragraph > 0 && !first_paragraph_done {
                    out.first_paragraph.push(' ');
                }
                events.push(event);
            }
            Event::End(TagEnd::CodeBlock | TagEnd::Item | TagEnd::TableCell | TagEnd::TableRow) => {
                push_text(&mut out.sections, "\n");
                events.push(event);
            }
            Event::Html(ref h) | Event::InlineHtml(ref h) => {
                // MDX components (capitalised tags) come from other tools; browsers ignore them,
                // their text content still shows, and the owner learns why the layout differs.
                if let Some(name) = component_name(h) {
                    if warned_components.insert(name.clone()) {
                        out.problems.push(Problem::Warning(
                            range.start,
                            format!("MDX component <{name}> is not supported; its content is shown as plain HTML"),
                        ));
                    }
                }
                seen_block = true;
                events.push(event);
            }
            Event::Start(
                Tag::CodeBlock(_) | Tag::List(_) | Tag::Table(_) | Tag::BlockQuote(None),
            ) => {
                seen_block = true;
                events.push(event);
            }
            other => events.push(other),
        }
    }
    if let Some((at, _, _, _)) = heading {
        // Unterminated heading cannot happen with pulldown-cmark, but never leave a hole.
        events[at] = Event::Html("".into());
    }
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    for s in &mut out.sections {
        s.text = collapse_ws(&s.text);
    }
    if out.sections.len() > 1 && out.sections[0].text.is_empty() {
        out.sections.remove(0);
    }
    out.first_paragraph = collapse_ws(&out.first_paragraph);
    out
}

fn push_text(sections: &mut [Section], t: &str) {
    if let Some(s) = sections.last_mut() {
        s.text.push_str(t);
    }
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

fn component_name(html: &str) -> Option<String> {
    let rest = html.trim_start().strip_prefix('<')?;
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    name.chars()
        .next()
        .filter(char::is_ascii_uppercase)
        .map(|_| name)
}

/// A heading's anchor: lowercase letters and digits of any script joined by `-`, so Chinese
/// headings keep readable, stable anchors (`退款政策`) instead of numbered ones.
pub fn slug(text: &str) -> String {
    let mut s = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !s.is_empty() {
                s.push('-');
            }
            dash = false;
            s.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '_' {
            dash = true;
        }
    }
    if s.is_empty() {
        "section".into()
    } else {
        s
    }
}

/// Anchors given so far, and for each base the next suffix to try, so that 20,000 headings
/// alike cost 20,000 steps rather than 200 million (each new "faq" used to try "faq-1", "faq-2",
/// ... up to its own number).
#[derive(Default)]
struct Anchors {
    used: HashSet<String>,
    next: HashMap<String, usize>,
    /// Candidates tried, for the test that holds this linear.
    #[cfg(test)]
    tries: usize,
}

impl Anchors {
    fn unique(&mut self, base: &str) -> String {
        #[cfg(test)]
        {
            self.tries += 1;
        }
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        let n = self.next.entry(base.to_string()).or_insert(1);
        loop {
            #[cfg(test)]
            {
                self.tries += 1;
            }
            // A suffixed anchor may already exist as a heading of its own ("Steps 1" → "steps-1").
            let anchor = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(anchor.clone()) {
                return anchor;
            }
        }
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(md: &str, expected_html: &str) {
        let r = render(md, &NoResolve, None);
        assert_eq!(r.html.trim(), expected_html.trim(), "{md}");
    }

    #[test]
    fn html_output() {
        check(
            "## Refund policy\n\nText",
            "<h2 id=\"refund-policy\">Refund policy<a class=\"anchor\" href=\"#refund-policy\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h2>\n<p>Text</p>",
        );
        check("## 退款 政策\n", "<h2 id=\"退款-政策\">退款 政策<a class=\"anchor\" href=\"#退款-政策\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h2>");
        check(
            "```html\n<script>x</script>\n```",
            "<pre><code class=\"language-html\">&lt;script&gt;x&lt;/script&gt;\n</code></pre>",
        );
        check(
            "> [!NOTE]\n> Be kind",
            "<div class=\"callout callout-note\" role=\"note\"><p class=\"callout-title\">Note</p>\n<p>Be kind</p>\n</div>",
        );
        check("~~old~~", "<p><del>old</del></p>");
        check(
            "- [x] done",
            "<ul>\n<li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\ndone</li>\n</ul>",
        );
        check("| a |\n|---|\n| b |", "<table><thead><tr><th>a</th></tr></thead><tbody>\n<tr><td>b</td></tr>\n</tbody></table>");
    }

    #[test]
    fn sections_toc_and_duplicate_anchors() {
        let r = render(
            "Intro text.\n\n## Steps\n\nDo it.\n\n## Steps\n\n### 修改密码\n\n密码",
            &NoResolve,
            None,
        );
        let got: Vec<(&str, &str, &str)> = r
            .sections
            .iter()
            .map(|s| (s.anchor.as_str(), s.heading.as_str(), s.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("", "", "Intro text."),
                ("steps", "Steps", "Do it."),
                ("steps-1", "Steps", ""),
                ("修改密码", "修改密码", "密码")
            ]
        );
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.first_paragraph, "Intro text.");
    }

    #[test]
    fn duplicate_anchors_cost_linear_time() {
        // Issue 15: 20,000 identical headings took 33-48 s, each one trying every earlier suffix.
        let n = 20_000;
        let mut anchors = Anchors::default();
        let got: Vec<String> = (0..n).map(|_| anchors.unique("faq")).collect();
        assert_eq!((got[0].as_str(), got[n - 1].as_str()), ("faq", "faq-19999"));
        assert!(
            anchors.tries < 2 * n,
            "{} tries for {n} anchors",
            anchors.tries
        );
        // A heading that takes a suffix's name first still gets a unique anchor of its own.
        let r = render(
            "## Steps 1\n\n## Steps\n\n## Steps\n\n## Steps\n",
            &NoResolve,
            None,
        );
        let got: Vec<&str> = r.toc.iter().map(|t| t.anchor.as_str()).collect();
        assert_eq!(got, ["steps-1", "steps", "steps-2", "steps-3"]);
        let md = "## FAQ\n\nText.\n\n".repeat(n);
        let r = render(&md, &NoResolve, None);
        assert_eq!(r.toc.len(), n);
        assert_eq!(r.toc[n - 1].anchor, "faq-19999");
    }

    #[test]
    fn leading_title_heading_is_dropped() {
        let r = render("# Refunds\n\nBody", &NoResolve, Some("Refunds"));
        assert_eq!(r.html.trim(), "<p>Body</p>");
    }

    #[test]
    fn broken_links_and_components_are_problems() {
        struct R;
        impl Resolve for R {
            fn link(&self, d: &str) -> Result<Option<String>, String> {
                if d == "gone.md" {
                    Err("broken link to gone.md".into())
                } else {
                    Ok(Some("/en/ok/".into()))
                }
            }
            fn image(&self, _: &str) -> Result<Option<String>, String> {
                Ok(None)
            }
        }
        let r = render(
            "see [a](gone.md) and [b](ok.md)\n\n<Steps>\nx\n</Steps>\n\n![](i.png)",
            &R,
            None,
        );
        assert!(r.html.contains("href=\"/en/ok/\""));
        assert_eq!(
            r.problems,
            [
                Problem::Error(4, "broken link to gone.md".into()),
                Problem::Warning(
                    33,
                    "MDX component <Steps> is not supported; its content is shown as plain HTML"
                        .into()
                ),
                Problem::Warning(53, "image without alt text".into()),
            ]
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("How do I reset my password?"),
            "how-do-i-reset-my-password"
        );
        assert_eq!(slug("Ärger & Ümlaut"), "ärger-ümlaut");
        assert_eq!(slug("!!!"), "section");
    }
}
