//! Every generated page is well-formed HTML and fits a strict Content-Security-Policy
//! (`script-src 'self'`, no inline styles or scripts).

use super::*;
use html5gum::{Token, Tokenizer};

/// Elements whose end tag HTML lets the parser infer; we still require the rest to nest properly.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "td", "th", "tr", "thead", "tbody", "dt", "dd", "option",
];
const VOID: &[&str] = &[
    "meta", "link", "img", "br", "hr", "input", "source", "col", "wbr", "area", "base", "embed",
    "track",
];

/// Problems of one page: tokenizer errors, mis-nested or unclosed elements, inline code.
pub fn problems(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    for token in Tokenizer::new(html).flatten() {
        match token {
            Token::Error(e) => problems.push(format!("parse error: {e:?}")),
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_lowercase();
                for (k, v) in &tag.attributes {
                    let k = String::from_utf8_lossy(k).to_lowercase();
                    if k == "style" || k.starts_with("on") {
                        problems.push(format!("inline `{k}` on <{name}>"));
                    }
                    let v = String::from_utf8_lossy(v);
                    if k == "href" && v.trim_start().to_lowercase().starts_with("javascript:") {
                        problems.push(format!("javascript: URL on <{name}>"));
                    }
                }
                if name == "style" {
                    problems.push("inline <style>".into());
                }
                if name == "script" {
                    let src = tag.attributes.keys().any(|k| &k[..] == b"src");
                    let ld = tag
                        .attributes
                        .iter()
                        .any(|(k, v)| &k[..] == b"type" && &v[..] == b"application/ld+json");
                    if !src && !ld {
                        problems.push("inline <script>".into());
                    }
                }
                if !VOID.contains(&name.as_str()) && !tag.self_closing {
                    stack.push(name);
                }
            }
            Token::EndTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_lowercase();
                while stack
                    .last()
                    .is_some_and(|top| *top != name && OPTIONAL_END.contains(&top.as_str()))
                {
                    stack.pop();
                }
                match stack.pop() {
                    Some(top) if top == name => {}
                    other => problems.push(format!("</{name}> closes {other:?}")),
                }
            }
            _ => {}
        }
    }
    stack.retain(|t| !OPTIONAL_END.contains(&t.as_str()));
    if !stack.is_empty() {
        problems.push(format!("unclosed: {stack:?}"));
    }
    problems
}

#[test]
fn checker_catches_problems() {
    assert_eq!(problems("<div><p>a</div>"), Vec::<String>::new());
    assert_eq!(
        problems("<div><span>a</div>"),
        ["</div> closes Some(\"span\")", "unclosed: [\"div\"]"]
    );
    assert_eq!(
        problems("<a style=\"x\" onclick=\"y\">a</a>"),
        ["inline `onclick` on <a>", "inline `style` on <a>"]
    );
    assert_eq!(problems("<script>x</script>"), ["inline <script>"]);
    assert!(problems("<div class=\"a\"b>")
        .iter()
        .any(|p| p.starts_with("parse error")));
}

#[test]
fn all_pages_parse_and_fit_strict_csp() {
    for kb in ["basic", "seed-json"] {
        let (_tmp, out) = build(&fixture(kb));
        for f in files(&out).iter().filter(|f| f.ends_with(".html")) {
            let p = problems(&read(&out.join(f)));
            assert!(p.is_empty(), "{kb}/{f}: {p:#?}");
        }
    }
}
