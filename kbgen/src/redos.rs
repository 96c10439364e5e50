//! Refuses rule regexes that can backtrack catastrophically.
//!
//! `kbgen ask` matches rule regexes with regex-lite, which runs in linear time, but the widget hands
//! them to the visitor's browser, whose `RegExp` backtracks: `^(a+)+$` against thirty `a` and a `!`
//! freezes the owner's page for seconds. So a rule regex reaches the index only when it has none of
//! the shapes that make a backtracking engine exponential: a repeated part that itself repeats a
//! part of variable length (`(a+)+`, `(\w+\s?)*`, `(.*,){9}`), or a repeated alternation whose
//! alternatives can start with the same character (`(a|ab)*`, `(\w|\d)+`). Backreferences and
//! lookaround, which no linear engine can run, are refused earlier as regex-lite cannot compile
//! them. The check walks regex-syntax's syntax tree (the parser behind `regex`), so it reads the
//! same pattern regex-lite accepted. It is deliberately conservative: a safe pattern of one of
//! these shapes is refused too, and the message says how to rewrite it.
//!
//! The widget also bounds the text it matches (`engine/src/pattern.rs`), as a second defence for
//! the polynomial cases no static check catches cheaply.

use regex_syntax::ast::{
    self, Ast, ClassAsciiKind, ClassPerlKind, ClassSet, ClassSetItem, RepetitionKind,
    RepetitionRange,
};

/// Why a pattern was refused, and where in the pattern (a character offset, from 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hazard {
    pub at: usize,
    pub message: String,
}

/// `Err` with the first hazardous part of `pattern`; `Ok` for a safe pattern and for one
/// regex-syntax cannot parse (the regex compiler reports those).
pub fn check(pattern: &str) -> Result<(), Hazard> {
    let Ok(tree) = ast::parse::Parser::new().parse(pattern) else {
        return Ok(());
    };
    walk(&tree, false).map_err(|(span, message)| Hazard {
        at: pattern[..span.start.offset.min(pattern.len())]
            .chars()
            .count(),
        message,
    })
}

type Found = (ast::Span, String);

/// Visits `node`; `repeated` says whether an enclosing repetition can run its body more than once.
fn walk(node: &Ast, repeated: bool) -> Result<(), Found> {
    match node {
        Ast::Repetition(rep) => {
            let (min, max) = bounds(&rep.op.kind);
            let many = max.is_none_or(|m| m > 1);
            let variable = max != Some(min);
            if repeated && many && variable {
                return Err((
                    rep.span,
                    "can take exponential time in the visitor's browser: a repetition inside a repeated group (like `(a+)+`); repeat one thing only, e.g. `(a+)+` → `a+`, `(\\w+\\s?)+` → `[\\w\\s]+`".into(),
                ));
            }
            if many {
                if let Some(span) = overlapping_alternatives(&rep.ast) {
                    return Err((
                        span,
                        "can take exponential time in the visitor's browser: a repeated alternation whose alternatives can start alike (like `(a|ab)*`); make the alternatives start differently, or use one character class".into(),
                    ));
                }
            }
            walk(&rep.ast, repeated || many)
        }
        Ast::Group(g) => walk(&g.ast, repeated),
        Ast::Alternation(a) => a.asts.iter().try_for_each(|x| walk(x, repeated)),
        Ast::Concat(c) => c.asts.iter().try_for_each(|x| walk(x, repeated)),
        _ => Ok(()),
    }
}

fn bounds(kind: &RepetitionKind) -> (u32, Option<u32>) {
    match kind {
        RepetitionKind::ZeroOrOne => (0, Some(1)),
        RepetitionKind::ZeroOrMore => (0, None),
        RepetitionKind::OneOrMore => (1, None),
        RepetitionKind::Range(RepetitionRange::Exactly(n)) => (*n, Some(*n)),
        RepetitionKind::Range(RepetitionRange::AtLeast(n)) => (*n, None),
        RepetitionKind::Range(RepetitionRange::Bounded(a, b)) => (*a, Some(*b)),
    }
}

/// The span of an alternation directly under a repetition (through groups) two of whose
/// alternatives can begin with the same character.
fn overlapping_alternatives(node: &Ast) -> Option<ast::Span> {
    match node {
        Ast::Group(g) => overlapping_alternatives(&g.ast),
        Ast::Alternation(a) => {
            let firsts: Vec<Chars> = a.asts.iter().map(|x| first(x).0).collect();
            let clash = firsts
                .iter()
                .enumerate()
                .any(|(i, x)| firsts[i + 1..].iter().any(|y| x.meets(y)));
            clash.then_some(a.span)
        }
        _ => None,
    }
}

/// A set of characters, coarsely: ASCII exactly (case-folded, as rule regexes are matched
/// case-insensitively), anything beyond ASCII as a few known characters or "any of them".
#[derive(Clone, Default)]
struct Chars {
    ascii: u128,
    any_other: bool,
    others: Vec<char>,
}

impl Chars {
    fn all() -> Chars {
        Chars {
            ascii: u128::MAX,
            any_other: true,
            others: Vec::new(),
        }
    }

    fn range(lo: char, hi: char) -> Chars {
        let mut s = Chars::default();
        for c in lo..=hi.min('\u{7f}') {
            s.add(c);
        }
        if hi > '\u{7f}' {
            if hi as u32 - (lo.max('\u{80}') as u32) < 64 {
                s.others.extend(lo.max('\u{80}')..=hi);
            } else {
                s.any_other = true;
            }
        }
        s
    }

    fn add(&mut self, c: char) {
        if c.is_ascii() {
            self.ascii |= 1 << c.to_ascii_lowercase() as u32;
            self.ascii |= 1 << c.to_ascii_uppercase() as u32;
        } else {
            self.others.extend(c.to_lowercase().chain(c.to_uppercase()));
            self.others.push(c);
        }
    }

    fn union(&mut self, other: Chars) {
        self.ascii |= other.ascii;
        self.any_other |= other.any_other;
        self.others.extend(other.others);
    }

    /// The complement; which characters beyond ASCII it holds is not tracked, so any may be.
    fn negate(self) -> Chars {
        Chars {
            ascii: !self.ascii,
            any_other: true,
            others: Vec::new(),
        }
    }

    fn meets(&self, other: &Chars) -> bool {
        self.ascii & other.ascii != 0
            || (self.any_other && (other.any_other || !other.others.is_empty()))
            || (other.any_other && !self.others.is_empty())
            || self.others.iter().any(|c| other.others.contains(c))
    }

    fn ascii_where(f: impl Fn(u8) -> bool) -> Chars {
        let mut s = Chars::default();
        for b in 0..128u8 {
            if f(b) {
                s.ascii |= 1 << b;
            }
        }
        s
    }
}

/// The characters `node` can begin with, and whether it can match the empty string.
fn first(node: &Ast) -> (Chars, bool) {
    match node {
        Ast::Empty(_) | Ast::Flags(_) | Ast::Assertion(_) => (Chars::default(), true),
        Ast::Literal(l) => {
            let mut s = Chars::default();
            s.add(l.c);
            (s, false)
        }
        Ast::Dot(_) => (Chars::all(), false),
        Ast::ClassPerl(p) => (perl(p), false),
        Ast::ClassUnicode(u) => {
            // A Unicode class (`\pL`) may hold ASCII letters and digits and anything beyond.
            let s = Chars {
                any_other: true,
                ..Chars::ascii_where(|b| b.is_ascii_alphanumeric())
            };
            (if u.negated { Chars::all() } else { s }, false)
        }
        Ast::ClassBracketed(b) => (bracketed(b), false),
        Ast::Repetition(r) => {
            let (s, empty) = first(&r.ast);
            (s, empty || bounds(&r.op.kind).0 == 0)
        }
        Ast::Group(g) => first(&g.ast),
        Ast::Alternation(a) => {
            let mut s = Chars::default();
            let mut empty = false;
            for x in &a.asts {
                let (f, e) = first(x);
                s.union(f);
                empty |= e;
            }
            (s, empty)
        }
        Ast::Concat(c) => {
            let mut s = Chars::default();
            for x in &c.asts {
                let (f, e) = first(x);
                s.union(f);
                if !e {
                    return (s, false);
                }
            }
            (s, true)
        }
    }
}

fn perl(p: &ast::ClassPerl) -> Chars {
    let s = match p.kind {
        ClassPerlKind::Digit => Chars::ascii_where(|b| b.is_ascii_digit()),
        ClassPerlKind::Space => Chars::ascii_where(|b| b.is_ascii_whitespace() || b == 0x0b),
        ClassPerlKind::Word => Chars::ascii_where(|b| b.is_ascii_alphanumeric() || b == b'_'),
    };
    // Unicode digits, spaces and word characters go beyond ASCII.
    let s = Chars {
        any_other: true,
        ..s
    };
    if p.negated {
        s.negate()
    } else {
        s
    }
}

fn bracketed(b: &ast::ClassBracketed) -> Chars {
    let s = match &b.kind {
        ClassSet::Item(item) => item_chars(item),
        // Intersections and differences: assume the worst.
        ClassSet::BinaryOp(_) => Chars::all(),
    };
    if b.negated {
        s.negate()
    } else {
        s
    }
}

fn item_chars(item: &ClassSetItem) -> Chars {
    match item {
        ClassSetItem::Empty(_) => Chars::default(),
        ClassSetItem::Literal(l) => {
            let mut s = Chars::default();
            s.add(l.c);
            s
        }
        ClassSetItem::Range(r) => Chars::range(r.start.c, r.end.c),
        ClassSetItem::Ascii(a) => {
            let f: fn(u8) -> bool = match a.kind {
                ClassAsciiKind::Alnum => |b| b.is_ascii_alphanumeric(),
                ClassAsciiKind::Alpha => |b| b.is_ascii_alphabetic(),
                ClassAsciiKind::Digit => |b| b.is_ascii_digit(),
                ClassAsciiKind::Lower | ClassAsciiKind::Upper => |b| b.is_ascii_alphabetic(),
                ClassAsciiKind::Space | ClassAsciiKind::Blank => |b| b.is_ascii_whitespace(),
                ClassAsciiKind::Xdigit => |b| b.is_ascii_hexdigit(),
                ClassAsciiKind::Punct => |b| b.is_ascii_punctuation(),
                ClassAsciiKind::Word => |b| b.is_ascii_alphanumeric() || b == b'_',
                _ => |_| true,
            };
            let s = Chars::ascii_where(f);
            if a.negated {
                s.negate()
            } else {
                s
            }
        }
        ClassSetItem::Unicode(_) => Chars::all(),
        ClassSetItem::Perl(p) => perl(p),
        ClassSetItem::Bracketed(b) => bracketed(b),
        ClassSetItem::Union(u) => {
            let mut s = Chars::default();
            for i in &u.items {
                s.union(item_chars(i));
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn refuses_the_shapes_that_backtrack_exponentially() {
        for (pattern, at) in [
            ("^(a+)+$", 2),
            ("(a*)*b", 1),
            ("^(\\w+\\s?)+$", 2),
            ("(?i)^(x+x+)+y$", 6),
            ("(.*a){12}", 1),
            ("^(a|a)*$", 2),
            ("^(a|ab)+$", 2),
            ("(\\w|\\d)+!", 1),
            ("((ab)*|a)+c", 1),
            ("^([a-z]|é|[à-ÿ])+$", 2),
            ("(?:x|X)+y", 3),
        ] {
            let hazard = check(pattern).expect_err(pattern);
            assert_eq!(hazard.at, at, "{pattern}: {}", hazard.message);
            assert!(hazard.message.contains("exponential"), "{pattern}");
        }
    }

    #[test]
    fn keeps_ordinary_rule_regexes() {
        for pattern in [
            "(?i)\\b(IT-\\d{4,}|tracking (?:number|link))\\b",
            "track(ing)?",
            "^where is my (order|parcel)\\??$",
            "(\\d{3}-)+\\d{4}",
            "(ab|cd)+",
            "refund|return|money back",
            "\\b(?:yes|no)\\b",
            "[a-z]+@[a-z]+\\.[a-z]{2,}",
            "(a?){3}",
            "order\\s+#?\\d+",
            "退货|退款",
        ] {
            assert_eq!(check(pattern), Ok(()), "{pattern}");
        }
    }
}
