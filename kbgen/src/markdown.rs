//! Markdown to HTML for articles and rule answers, plus what search and navigation need from it.
//!
//! One pass over pulldown-cmark's events produces the HTML, the table of contents, the plain text
//! of each section (for the engine's index) and the problems found (broken links, missing images,
//! constructs from other tools that we do not understand). It does no I/O: link and image targets
//! are resolved through [`Resolve`], which the caller backs with the knowledge base it loaded.
//!
//! Markdown may carry raw HTML, and the widget shows what kbgen renders inside the owner's own
//! site (their checkout page), where a script would run with the owner's rights. So every HTML
//! string leaves this module through [`sanitize`], an allow-list of tags, attributes and URL
//! schemes (ammonia), at build time: the widget ships no sanitiser and trusts its files. Only the
//! help center's own pages may keep the owner's raw HTML, when `kbgen.toml` opts in.

use pulldown_cmark::{
    BlockQuoteKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use solodesk_engine::Section;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

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

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
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
    /// Sanitised for the help center's pages ([`Target::Page`]).
    pub html: String,
    /// pulldown-cmark's output as the owner wrote it, raw HTML included: only for help-center
    /// pages of an owner who opted in, and as the input of [`sanitize`] for the widget.
    pub unsanitised: String,
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

/// Every image destination in `md`, as [`render`] hands them to [`Resolve::image`], so that the
/// loader can look up the files before rendering touches none.
pub fn image_sources(md: &str) -> Vec<String> {
    Parser::new_ext(md, options())
        .filter_map(|event| match event {
            Event::Start(Tag::Image { dest_url, .. }) => Some(dest_url.into_string()),
            _ => None,
        })
        .collect()
}

/// Renders `md`; `skip_h1` drops a leading `# Title` that repeats the page title.
pub fn render(md: &str, resolve: &dyn Resolve, skip_h1: Option<&str>) -> Rendered {
    let mut renderer = Renderer {
        md,
        resolve,
        skip_h1,
        out: Rendered {
            sections: vec![Section::default()],
            ..Default::default()
        },
        events: Vec::new(),
        anchors: Anchors::default(),
        heading: None,
        skipping_heading: false,
        in_paragraph: 0,
        first_paragraph_done: false,
        seen_block: false,
        image_alt: None,
        warned_components: HashSet::new(),
    };
    for (event, range) in Parser::new_ext(md, options()).into_offset_iter() {
        renderer.event(event, range);
    }
    renderer.finish()
}

/// What [`render`] carries from one of pulldown-cmark's events to the next.
struct Renderer<'a> {
    md: &'a str,
    resolve: &'a dyn Resolve,
    skip_h1: Option<&'a str>,
    out: Rendered,
    /// The events to write as HTML: pulldown-cmark's, with headings, callouts and link and
    /// image targets rewritten.
    events: Vec<Event<'a>>,
    anchors: Anchors,
    /// While inside a heading: where its opening tag goes, its level, explicit id and text.
    heading: Option<(usize, HeadingLevel, Option<String>, String)>,
    skipping_heading: bool,
    in_paragraph: usize,
    first_paragraph_done: bool,
    seen_block: bool,
    image_alt: Option<(usize, String)>,
    /// Constructs already warned about, so that each is reported once per text.
    warned_components: HashSet<String>,
}

impl<'a> Renderer<'a> {
    fn event(&mut self, event: Event<'a>, range: Range<usize>) {
        if self.skipping_heading {
            if matches!(event, Event::End(TagEnd::Heading(_))) {
                self.skipping_heading = false;
            }
            return;
        }
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => self.start_heading(level, id, range),
            Event::End(TagEnd::Heading(level)) => self.end_heading(level),
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                self.seen_block = true;
                let (class, label) = callout(kind);
                self.events.push(Event::Html(
                    format!("<div class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{label}</p>\n").into(),
                ));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                self.events.push(Event::Html("</div>\n".into()))
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match link_type {
                    LinkType::Email | LinkType::Autolink => dest_url,
                    _ => self.resolved(self.resolve.link(&dest_url), dest_url, range.start),
                };
                self.refused(&dest_url, "link", range.start);
                self.events.push(Event::Start(Tag::Link {
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
                let resolution = self.resolve.image(&dest_url);
                if matches!(resolution, Ok(None)) && crate::site::site_absolute(&dest_url).is_some()
                {
                    self.out.problems.push(Problem::Warning(
                        range.start,
                        site_absolute_image(&dest_url),
                    ));
                }
                let dest_url = self.resolved(resolution, dest_url, range.start);
                self.refused(&dest_url, "image", range.start);
                self.image_alt = Some((self.events.len(), String::new()));
                self.events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => self.end_image(range.start),
            Event::Start(Tag::Paragraph) => {
                self.seen_block = true;
                self.in_paragraph += 1;
                self.events.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                self.in_paragraph = self.in_paragraph.saturating_sub(1);
                if !self.out.first_paragraph.trim().is_empty() {
                    self.first_paragraph_done = true;
                }
                push_text(&mut self.out.sections, "\n");
                self.events.push(Event::End(TagEnd::Paragraph));
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                self.text(t, matches!(event, Event::Text(_)), range);
                self.events.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                push_text(&mut self.out.sections, " ");
                if self.in_paragraph > 0 && !self.first_paragraph_done {
                    self.out.first_paragraph.push(' ');
                }
                self.events.push(event);
            }
            Event::End(TagEnd::CodeBlock | TagEnd::Item | TagEnd::TableCell | TagEnd::TableRow) => {
                push_text(&mut self.out.sections, "\n");
                self.events.push(event);
            }
            Event::Html(ref h) | Event::InlineHtml(ref h) => {
                self.html(h, range.start);
                self.seen_block = true;
                self.events.push(event);
            }
            Event::Start(
                Tag::CodeBlock(_) | Tag::List(_) | Tag::Table(_) | Tag::BlockQuote(None),
            ) => {
                self.seen_block = true;
                self.events.push(event);
            }
            other => self.events.push(other),
        }
    }

    /// A heading's opening tag waits for its text, which gives its anchor; a leading `# Title`
    /// that repeats the page title is skipped instead.
    fn start_heading(&mut self, level: HeadingLevel, id: Option<CowStr<'a>>, range: Range<usize>) {
        if !self.seen_block && level == HeadingLevel::H1 {
            if let Some(title) = self.skip_h1 {
                let text = self.md[range].trim_start_matches('#').trim();
                if text.eq_ignore_ascii_case(title.trim()) || text.is_empty() {
                    self.skipping_heading = true;
                    self.seen_block = true;
                    return;
                }
            }
        }
        self.seen_block = true;
        self.heading = Some((
            self.events.len(),
            level,
            id.map(|s| s.to_string()),
            String::new(),
        ));
        self.events.push(Event::Html(CowStr::Borrowed("")));
    }

    /// Writes the heading's tags with its anchor and starts its section (and its entry in the
    /// table of contents).
    fn end_heading(&mut self, level: HeadingLevel) {
        let Some((at, _, id, text)) = self.heading.take() else {
            return;
        };
        let base = id.unwrap_or_else(|| slug(&text));
        let anchor = self.anchors.unique(&base);
        let n = level as u8;
        self.events[at] = Event::Html(format!("<h{n} id=\"{}\">", escape(&anchor)).into());
        self.events.push(Event::Html(
            format!("<a class=\"anchor\" href=\"#{}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{n}>\n", escape(&anchor))
                .into(),
        ));
        let text = text.trim().to_string();
        if (2..=3).contains(&n) {
            self.out.toc.push(TocEntry {
                level: n,
                anchor: anchor.clone(),
                text: text.clone(),
            });
        }
        self.out.sections.push(Section {
            anchor,
            heading: text,
            text: String::new(),
        });
    }

    /// A link or image target as [`Resolve`] rewrote it; one it refused stays as written and
    /// is reported at `at`.
    fn resolved(
        &mut self,
        resolution: Result<Option<String>, String>,
        dest_url: CowStr<'a>,
        at: usize,
    ) -> CowStr<'a> {
        match resolution {
            Ok(Some(new)) => new.into(),
            Ok(None) => dest_url,
            Err(msg) => {
                self.out.problems.push(Problem::Error(at, msg));
                dest_url
            }
        }
    }

    /// Warns at `at` that a link or image (`what`) to `url` loses its address in [`sanitize`]:
    /// the owner would otherwise find dead text or a broken image in their visitors' browsers.
    fn refused(&mut self, url: &str, what: &str, at: usize) {
        if let Some(scheme) = refused_scheme(url) {
            self.out.problems.push(Problem::Warning(
                at,
                format!("{what} with a `{scheme}:` address is removed: only http, https, mailto and tel addresses and the knowledge base's own files are kept"),
            ));
        }
    }

    fn end_image(&mut self, at: usize) {
        if let Some((_, alt)) = self.image_alt.take() {
            if alt.trim().is_empty() {
                self.out
                    .problems
                    .push(Problem::Warning(at, "image without alt text".into()));
            }
        }
        self.events.push(Event::End(TagEnd::Image));
    }

    /// Text goes to the heading being read, else to the section (and the first paragraph), and
    /// to the alt text of an image being read.
    fn text(&mut self, t: &str, is_text: bool, range: Range<usize>) {
        if let Some(h) = self.heading.as_mut() {
            h.3.push_str(t);
        } else {
            push_text(&mut self.out.sections, t);
            if self.in_paragraph > 0 && !self.first_paragraph_done {
                self.out.first_paragraph.push_str(t);
            }
        }
        if let Some((_, alt)) = self.image_alt.as_mut() {
            alt.push_str(t);
        }
        if is_text {
            if let Some(i) = t.find("{%") {
                if self.warned_components.insert("liquid".to_string()) {
                    self.out.problems.push(Problem::Warning(
                        range.start + i.min(range.len()),
                        "Liquid tag `{% ... %}` is not supported; shown as text".into(),
                    ));
                }
            }
        }
    }

    /// Warns, once per kind, about raw HTML that will not show as the owner expects.
    fn html(&mut self, h: &str, at: usize) {
        // MDX components (capitalised tags) come from other tools; browsers ignore them,
        // their text content still shows, and the owner learns why the layout differs.
        if let Some(name) = component_name(h) {
            if self.warned_components.insert(name.clone()) {
                self.out.problems.push(Problem::Warning(
                    at,
                    format!("MDX component <{name}> is not supported; its content is shown as plain HTML"),
                ));
            }
        }
        // An image in raw HTML is not a file kbgen publishes, as a markdown one is: one of the
        // owner's images would be missing from their pages without a word.
        for src in local_img_srcs(h) {
            if self.warned_components.insert(format!("img {src}")) {
                self.out.problems.push(Problem::Warning(
                    at,
                    if crate::site::site_absolute(&src).is_some() {
                        format!("HTML <img src=\"{src}\"> is a path from a site's root: kbgen publishes only images written in markdown, and this one {FROM_SITE_ROOT}; write it as `![description]({src})` with the file in the knowledge base, or give a full https:// address")
                    } else {
                        format!("HTML <img src=\"{src}\"> is not published: kbgen publishes only images written in markdown; write it as `![description]({src})`, or give a full https:// address")
                    },
                ));
            }
        }
        // The owner learns why an embed or a script of theirs is missing.
        for name in removed_tags(h) {
            if self.warned_components.insert(format!("removed {name}")) {
                self.out.problems.push(Problem::Warning(
                    at,
                    format!("HTML <{name}> is removed: it is not on the allow-list of what may show in your visitors' browsers (`[site] raw_html = true` keeps it on help-center pages, never in the widget)"),
                ));
            }
        }
    }

    /// The HTML, sanitised, and the sections' and first paragraph's text with whitespace
    /// collapsed.
    fn finish(self) -> Rendered {
        let Renderer {
            mut out,
            mut events,
            heading,
            ..
        } = self;
        if let Some((at, _, _, _)) = heading {
            // Unterminated heading cannot happen with pulldown-cmark, but never leave a hole.
            events[at] = Event::Html("".into());
        }
        pulldown_cmark::html::push_html(&mut out.unsanitised, events.into_iter());
        out.html = sanitize(&out.unsanitised, Target::Page);
        for s in &mut out.sections {
            s.text = collapse_ws(&s.text);
        }
        if out.sections.len() > 1 && out.sections[0].text.is_empty() {
            out.sections.remove(0);
        }
        out.first_paragraph = collapse_ws(&out.first_paragraph);
        out
    }
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

/// Where an image written as a path from a site's root loads when kbgen leaves it as written:
/// the help center's pages and the widget (which resolves an article's addresses against the
/// help center) alike.
const FROM_SITE_ROOT: &str =
    "loads from the root of the help center's host, where kbgen does not put it";

/// The warning for a markdown image at a path from a site's root that is no file of the
/// knowledge base.
fn site_absolute_image(src: &str) -> String {
    format!("image `{src}` is a path from a site's root and no file of the knowledge base: it {FROM_SITE_ROOT}; put the file in `images/` and write `images/...`, or give a full https:// address")
}

/// The `src` of each `<img>` in a raw HTML fragment that names a file rather than an address
/// (not `https:`, `//`, `data:` or a template; a path from a site's root is one), read by the
/// sanitiser's own parser.
fn local_img_srcs(html: &str) -> Vec<String> {
    if !html.to_ascii_lowercase().contains("<img") {
        return Vec::new();
    }
    let found = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = found.clone();
    ammonia::Builder::empty()
        .add_tags(["img"])
        .add_tag_attributes("img", ["src"])
        .url_relative(ammonia::UrlRelative::PassThrough)
        .attribute_filter(move |_, attribute, value| {
            let v = value.trim();
            let address = v.is_empty()
                || v.starts_with("//")
                || v.starts_with("data:")
                || v.contains("{{")
                || v.split_once(':')
                    .is_some_and(|(scheme, _)| !scheme.is_empty() && !scheme.contains(['/', '.']));
            if attribute == "src" && !address {
                if let Ok(mut f) = sink.lock() {
                    f.push(v.to_string());
                }
            }
            Some(value.into())
        })
        .clean(html);
    let mut found = found.lock().map(|f| f.clone()).unwrap_or_default();
    found.dedup();
    found
}

/// Lowercase tags in a raw HTML fragment that [`sanitize`] removes; capitalised ones are MDX
/// components, which have their own warning.
fn removed_tags(html: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (i, _) in html.match_indices('<') {
        let name: String = html[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if name.starts_with(|c: char| c.is_ascii_lowercase())
            && !TAGS.contains(&name.as_str())
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
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

/// Where sanitised HTML goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The help center's own pages: links navigate as written.
    Page,
    /// The widget, inside the owner's site (article fragments and rule answers): every link opens
    /// a new tab without a handle on the owner's page (`target="_blank"`,
    /// `rel="noopener noreferrer"`), so an answer never navigates a visitor out of checkout.
    Widget,
}

/// The tags kbgen's own markdown output uses plus harmless formatting; everything else (script,
/// style, iframe, object, embed, form and its controls, svg, math, base, meta, link, template)
/// is removed, with the content of script and style.
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Schemes a link or image may use; anything else (`javascript:`, `vbscript:`, `data:`, `file:`,
/// `blob:`, ...) loses its attribute. Relative URLs stay.
const SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// The scheme of `url` as a browser reads it (control characters and spaces dropped), when it
/// is not one of [`SCHEMES`]. A scheme is a letter, then letters, digits, `+`, `-` and `.` (RFC
/// 3986); anything else before the first `:` makes the URL relative.
fn refused_scheme(url: &str) -> Option<String> {
    let url: String = url
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect();
    let scheme = url.split_once(':')?.0.to_ascii_lowercase();
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    (is_scheme && !SCHEMES.contains(&scheme.as_str())).then_some(scheme)
}

fn builder(target: Target) -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::empty();
    b.tags(TAGS.iter().copied().collect())
        .clean_content_tags(["script", "style"].into_iter().collect())
        .generic_attributes(
            ["id", "class", "lang", "dir", "title"]
                .into_iter()
                .collect(),
        )
        .add_tag_attributes("a", ["href", "hreflang", "aria-hidden", "tabindex"])
        .add_tag_attributes("img", ["src", "alt", "width", "height", "loading"])
        .add_tag_attributes("div", ["role"])
        .add_tag_attributes("ol", ["start"])
        .add_tag_attributes("td", ["colspan", "rowspan", "style"])
        .add_tag_attributes("th", ["colspan", "rowspan", "scope", "style"])
        .add_tag_attributes("input", ["checked", "disabled"])
        .add_tag_attributes("time", ["datetime"])
        .add_tag_attributes("details", ["open"])
        // Task-list boxes are all an article may draw: a checkbox, never a text field or a
        // button. (One forced value per tag: ammonia adds them in a hash map's order, and the
        // same knowledge base must give the same bytes.)
        .set_tag_attribute_value("input", "type", "checkbox")
        // Table alignment is pulldown-cmark's only style.
        .filter_style_properties(["text-align"].into_iter().collect())
        .url_schemes(SCHEMES.iter().copied().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .strip_comments(true)
        .attribute_filter(|_, attr, value| match attr {
            // The widget's own look is `sd-*`: an article cannot dress up as its interface.
            "class" => Some(Cow::Owned(
                value
                    .split_ascii_whitespace()
                    .filter(|c| !c.starts_with("sd-"))
                    .collect::<Vec<_>>()
                    .join(" "),
            )),
            _ => Some(value.into()),
        });
    match target {
        Target::Page => b.link_rel(None),
        Target::Widget => b
            .link_rel(Some("noopener noreferrer"))
            .set_tag_attribute_value("a", "target", "_blank"),
    };
    b
}

static PAGE: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| builder(Target::Page));
static WIDGET: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| builder(Target::Widget));

/// Reduces `html` to the allow-list above: no script, no event handler, no active URL survives.
pub fn sanitize(html: &str, target: Target) -> String {
    let builder: &ammonia::Builder<'static> = match target {
        Target::Page => &PAGE,
        Target::Widget => &WIDGET,
    };
    builder.clean(html).to_string()
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
            "<ul>\n<li><input disabled=\"\" checked=\"\" type=\"checkbox\">\ndone</li>\n</ul>",
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

    /// The public XSS corpus the browser test also runs (`tests/fixtures/xss-payloads.txt`).
    fn corpus() -> Vec<&'static str> {
        include_str!("../../tests/fixtures/xss-payloads.txt")
            .lines()
            .filter(|l| !l.starts_with("# ") && !l.trim().is_empty())
            .collect()
    }

    /// What in sanitised `html` could run script or load an active document: elements that run
    /// or embed, event handler attributes, and URLs with a scheme other than the allowed ones.
    fn active_parts(html: &str) -> Vec<String> {
        use html5gum::{Token, Tokenizer};
        const FORBIDDEN: &[&str] = &[
            "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
            "button", "textarea", "select", "svg", "math", "base", "meta", "link", "template",
            "video", "audio", "source", "isindex", "keygen", "marquee", "body", "html", "xml",
            "image", "animate", "set",
        ];
        let mut found = Vec::new();
        for token in Tokenizer::new(html).flatten() {
            let Token::StartTag(tag) = token else {
                continue;
            };
            let name = String::from_utf8_lossy(&tag.name).to_lowercase();
            if FORBIDDEN.contains(&name.as_str()) {
                found.push(format!("<{name}>"));
            }
            for (k, v) in &tag.attributes {
                let k = String::from_utf8_lossy(k).to_lowercase();
                // What a browser would see as the scheme: control characters and spaces dropped.
                let v: String = String::from_utf8_lossy(v)
                    .chars()
                    .filter(|c| !c.is_control() && !c.is_whitespace())
                    .collect::<String>()
                    .to_lowercase();
                if k.starts_with("on") || k == "formaction" || k == "srcdoc" || k.contains(':') {
                    found.push(format!("<{name} {k}>"));
                }
                if [
                    "href",
                    "src",
                    "action",
                    "background",
                    "poster",
                    "cite",
                    "data",
                ]
                .contains(&k.as_str())
                {
                    // A scheme is a letter and then letters, digits, `+`, `-`, `.` (RFC 3986);
                    // anything else before the first `:` makes the URL relative.
                    let scheme = v.split_once(':').map(|(s, _)| s).unwrap_or("");
                    let relative = !scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                        || !scheme
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
                    if !relative && !["http", "https", "mailto", "tel"].contains(&scheme) {
                        found.push(format!("<{name} {k}={v}>"));
                    }
                }
                if k == "style"
                    && v != "text-align:center"
                    && v != "text-align:left"
                    && v != "text-align:right"
                {
                    found.push(format!("<{name} style={v}>"));
                }
            }
        }
        found
    }

    #[test]
    fn checker_sees_active_parts() {
        assert_eq!(
            active_parts("<p>hi <a href=\"/x\">x</a></p>"),
            Vec::<String>::new()
        );
        assert_eq!(
            active_parts("<img src=x onerror=alert(1)><a href=\"java\tscript:x\">a</a><svg>"),
            ["<img onerror>", "<a href=javascript:x>", "<svg>"]
        );
    }

    /// Issue 15 item 3: 78 of 186 payloads ran from article bodies, 65 from rule answers. Each
    /// payload of the corpus, as a whole article and inside a paragraph, a list item, a table
    /// cell and a link, leaves nothing active in the help center's HTML or the widget's.
    #[test]
    fn xss_corpus_leaves_nothing_active() {
        let corpus = corpus();
        assert!(corpus.len() >= 150, "{} payloads", corpus.len());
        for payload in corpus {
            for md in [
                payload.to_string(),
                format!("Text {payload} text"),
                format!("- {payload}"),
                format!("| a |\n|---|\n| {payload} |"),
                format!("[x]({payload}) ![y]({payload})"),
                format!("<div>\n{payload}\n</div>"),
            ] {
                let r = render(&md, &NoResolve, None);
                for (what, html) in [
                    ("page", r.html.clone()),
                    ("widget", sanitize(&r.unsanitised, Target::Widget)),
                ] {
                    let found = active_parts(&html);
                    assert!(found.is_empty(), "{what}: {found:?}\n{md}\n→ {html}");
                    assert!(!html.to_lowercase().contains("<script"), "{what}: {html}");
                }
            }
        }
    }

    #[test]
    fn sanitised_html_keeps_what_markdown_makes() {
        // Headings keep their anchors, callouts their classes, code its language, tasks a
        // disabled box, tables their alignment, footnotes their links.
        let md = "## Steps\n\n> [!NOTE]\n> Be kind\n\n```rust\nfn a() {}\n```\n\n- [x] done\n\n| a |\n|:-:|\n| b |\n\nSee[^1] <kbd>Ctrl</kbd>.\n\n[^1]: A note.\n\n![Logo](/images/logo.png \"Logo\")";
        let r = render(md, &NoResolve, None);
        assert_eq!(tokens(&r.html), tokens(&r.unsanitised));
    }

    /// Tags with sorted attributes, and text: HTML compared as a browser reads it, whatever the
    /// serialiser's quoting, attribute order or `/>`.
    fn tokens(html: &str) -> Vec<String> {
        use html5gum::{Token, Tokenizer};
        let mut out = Vec::new();
        for token in Tokenizer::new(html).flatten() {
            match token {
                Token::StartTag(tag) => {
                    let mut attrs: Vec<String> = tag
                        .attributes
                        .iter()
                        .map(|(k, v)| {
                            let v = String::from_utf8_lossy(v).replace(": ", ":");
                            format!("{}={v}", String::from_utf8_lossy(k))
                        })
                        .collect();
                    attrs.sort();
                    out.push(format!(
                        "<{} {}>",
                        String::from_utf8_lossy(&tag.name),
                        attrs.join(" ")
                    ));
                }
                Token::EndTag(tag) => {
                    out.push(format!("</{}>", String::from_utf8_lossy(&tag.name)))
                }
                Token::String(t) => out.push(String::from_utf8_lossy(&t).into_owned()),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn widget_links_open_a_new_tab_without_an_opener() {
        // Issue 16 item 6: a rule answer's link must not navigate the owner's page away.
        let r = render(
            "See [Returns](https://help.example/en/returns/) or [mail](mailto:a@b.example).",
            &NoResolve,
            None,
        );
        assert_eq!(
            sanitize(&r.unsanitised, Target::Widget).trim(),
            "<p>See <a href=\"https://help.example/en/returns/\" target=\"_blank\" rel=\"noopener noreferrer\">Returns</a> or <a href=\"mailto:a@b.example\" target=\"_blank\" rel=\"noopener noreferrer\">mail</a>.</p>"
        );
        // Pages link as written.
        assert_eq!(
            r.html.trim(),
            "<p>See <a href=\"https://help.example/en/returns/\">Returns</a> or <a href=\"mailto:a@b.example\">mail</a>.</p>"
        );
    }

    #[test]
    fn removed_html_is_a_warning() {
        let r = render(
            "Watch:\n\n<iframe src=\"https://v.example/1\"></iframe>\n\n<script>x()</script> <b>ok</b>\n\n<Tabs>",
            &NoResolve,
            None,
        );
        let warnings: Vec<&str> = r
            .problems
            .iter()
            .filter_map(|p| match p {
                Problem::Warning(_, m) => m.split(':').next(),
                Problem::Error(..) => None,
            })
            .collect();
        assert_eq!(
            warnings,
            [
                "HTML <iframe> is removed",
                "HTML <script> is removed",
                "MDX component <Tabs> is not supported; its content is shown as plain HTML"
            ]
        );
    }

    #[test]
    fn the_widgets_own_classes_cannot_be_borrowed() {
        let r = render("<p class=\"sd-launcher note\">x</p>", &NoResolve, None);
        assert_eq!(r.html.trim(), "<p class=\"note\">x</p>");
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
