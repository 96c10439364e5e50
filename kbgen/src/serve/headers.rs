//! Reads the `_headers` file that `kbgen build` writes (the Netlify / Cloudflare Pages format), so
//! that `kbgen serve` sends what a host applying that file would: one source of truth for the CSP
//! and the CORS of the widget's files, instead of a second copy of the policy here.
//!
//! The format: a line that starts in the first column is a path pattern (`*` matches any run of
//! characters, `:name` one path segment); the indented `Name: value` lines under it are the headers
//! of every path it matches. `#` starts a comment line. Every matching rule applies, in the file's
//! order; when two set the same header, the later one's value is kept.

#[derive(Debug, Default)]
pub struct Rules(Vec<Rule>);

#[derive(Debug)]
struct Rule {
    pattern: String,
    headers: Vec<(String, String)>,
}

impl Rules {
    pub fn parse(text: &str) -> Rules {
        let mut rules: Vec<Rule> = Vec::new();
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if !line.starts_with([' ', '\t']) {
                rules.push(Rule {
                    pattern: trimmed.to_string(),
                    headers: Vec::new(),
                });
            } else if let (Some(rule), Some((name, value))) =
                (rules.last_mut(), trimmed.split_once(':'))
            {
                rules_push(&mut rule.headers, name.trim(), value.trim());
            }
        }
        Rules(rules)
    }

    /// The headers for a request path such as `/widget/solodesk.js`.
    pub fn for_path(&self, path: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for rule in self.0.iter().filter(|r| matches(&r.pattern, path)) {
            for (name, value) in &rule.headers {
                rules_push(&mut out, name, value);
            }
        }
        out
    }
}

fn rules_push(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers.push((name.to_string(), value.to_string()));
}

/// Whether `path` matches `pattern`. Patterns for a full URL (another host) match nothing here.
fn matches(pattern: &str, path: &str) -> bool {
    if !pattern.starts_with('/') {
        return false;
    }
    glob(pattern.as_bytes(), path.as_bytes())
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => (0..=s.len()).any(|i| glob(&p[1..], &s[i..])),
        Some(b':') => {
            let name_end = p[1..]
                .iter()
                .position(|c| !c.is_ascii_alphanumeric() && *c != b'_')
                .map_or(p.len(), |i| i + 1);
            if name_end == 1 {
                return s.first() == Some(&b':') && glob(&p[1..], &s[1..]);
            }
            let seg = s.iter().position(|c| *c == b'/').unwrap_or(s.len());
            seg > 0 && glob(&p[name_end..], &s[seg..])
        }
        Some(c) => s.first() == Some(c) && glob(&p[1..], &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(file: &str, path: &str, expected: &[(&str, &str)]) {
        let got = Rules::parse(file).for_path(path);
        let got: Vec<(&str, &str)> = got.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(got, expected, "{path}");
    }

    const FILE: &str = "# comment\n/*\n  X-Content-Type-Options: nosniff\n  Content-Security-Policy: default-src 'self'; img-src 'self' data: https:\n/widget/*\n  Access-Control-Allow-Origin: *\n  Cache-Control: public, max-age=3600\n/widget/widget-abc.wasm\n  Cache-Control: immutable\n/index-*\n  Access-Control-Allow-Origin: *\n/:lang/feed.xml\n  X-Feed: yes\nhttps://other.example/*\n  X-Other: no\n";

    #[test]
    fn applies_every_matching_rule_in_order() {
        let csp = (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: https:",
        );
        let nosniff = ("X-Content-Type-Options", "nosniff");
        check(FILE, "/", &[nosniff, csp]);
        check(FILE, "/en/return-policy/", &[nosniff, csp]);
        check(
            FILE,
            "/widget/solodesk.js",
            &[
                nosniff,
                csp,
                ("Access-Control-Allow-Origin", "*"),
                ("Cache-Control", "public, max-age=3600"),
            ],
        );
        check(
            FILE,
            "/widget/widget-abc.wasm",
            &[
                nosniff,
                csp,
                ("Access-Control-Allow-Origin", "*"),
                ("Cache-Control", "immutable"),
            ],
        );
        check(
            FILE,
            "/index-1a2b-0.bin",
            &[nosniff, csp, ("Access-Control-Allow-Origin", "*")],
        );
        check(FILE, "/index.bin", &[nosniff, csp]);
        check(FILE, "/zh/feed.xml", &[nosniff, csp, ("X-Feed", "yes")]);
        check(FILE, "/zh/x/feed.xml", &[nosniff, csp]);
    }

    #[test]
    fn empty_or_odd_files_give_nothing() {
        check("", "/", &[]);
        check("  Orphan: header\nnot-a-path\n  X: y\n", "/", &[]);
        check("/a\n", "/a", &[]);
    }
}
