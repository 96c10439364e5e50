//! The term list of a read index: each term's text by its position in the sorted list (the
//! position is the term's id everywhere else), and the lookup of a word's position.
//!
//! On an index whose postings are in shards, the text of its CJK terms (characters and pairs of
//! characters, which a search only ever looks up whole) travels in the shard that holds their
//! postings instead of in the index file: it was most of a Chinese index file (dify-docs' own
//! Chinese index: 50 of its 73 KB gzip), and a search needs only the shards of its own words,
//! which it fetches for their postings anyway. So does the text of the terms that only one
//! article has (most of a large index's words: names of settings, codes, versions, rare words),
//! which then count for a word typed whole but not for the completions of a prefix, a derived
//! word or a typo: those read the terms that stay in the index file. The dfs of all the terms
//! whose text is in a shard travel with it.

use crate::analyze::is_cjk;
use crate::FormatError;
use std::ops::Range;
use std::sync::OnceLock;

/// Most bytes a term shares with the one before it in front-coded text: the shared length is
/// written as one byte below 0x20, which no term contains, so it also separates the terms.
const MAX_SHARED: usize = 0x1f;

/// Whether a sharded index keeps this term's text in the shard of its postings whatever its
/// number of articles (see the module).
pub(crate) fn deferrable(term: &str) -> bool {
    term.chars().next().is_some_and(is_cjk)
}

/// Sorted terms, front-coded: per term, the length it shares with the one before (one byte
/// below 0x20), then the rest of it.
pub(crate) fn front_code<'a>(terms: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    let mut text = Vec::new();
    let mut previous: &[u8] = &[];
    for term in terms {
        let shared = previous
            .iter()
            .zip(term.as_bytes())
            .take_while(|(a, b)| a == b)
            .count()
            .min(MAX_SHARED);
        // No term has a byte below 0x20 (`analyze` keeps words, and a word never holds a
        // control character).
        debug_assert!(term.bytes().all(|b| b >= 0x20), "{term:?}");
        text.push(shared as u8);
        text.extend_from_slice(&term.as_bytes()[shared..]);
        previous = term.as_bytes();
    }
    text
}

/// Reads [`front_code`]'s bytes back; the terms must be in order, each once.
pub(crate) fn read_front_coded(text: &[u8]) -> Result<Vec<Box<str>>, FormatError> {
    let mut terms: Vec<Box<str>> = Vec::new();
    let mut previous: Vec<u8> = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let shared = usize::from(text[at]);
        if shared > MAX_SHARED || shared > previous.len() {
            return Err(FormatError::Corrupt("term prefix"));
        }
        let end = text[at + 1..]
            .iter()
            .position(|&b| b <= MAX_SHARED as u8)
            .map_or(text.len(), |p| at + 1 + p);
        previous.truncate(shared);
        previous.extend_from_slice(&text[at + 1..end]);
        let term =
            std::str::from_utf8(&previous).map_err(|_| FormatError::Corrupt("invalid UTF-8"))?;
        if terms.last().is_some_and(|t| **t >= *term) {
            return Err(FormatError::Corrupt("terms out of order"));
        }
        terms.push(term.into());
        at = end;
    }
    Ok(terms)
}

/// How a sorted term list alternates between terms whose text is in the index file and terms
/// whose text is in their shard: run lengths, the first of text in the index file (0 when the
/// list starts with a deferred term).
pub(crate) fn runs(deferred: &[bool]) -> Vec<usize> {
    let mut runs = vec![0];
    let mut current = false;
    for &d in deferred {
        if d != current {
            runs.push(0);
            current = d;
        }
        *runs.last_mut().expect("starts with one run") += 1;
    }
    runs
}

/// Where a word is in the term list.
pub(crate) enum Lookup {
    Found(usize),
    /// Its text would be in this shard, which has not been added.
    InShard(usize),
    Absent,
}

/// The term list of a read index (see the module).
pub(crate) struct Terms {
    /// Each term's text by position; empty for a term whose text is in a shard.
    text: Vec<Box<str>>,
    /// Each term's length in chars (0 for those in shards), for the typo search.
    chars: Vec<u8>,
    /// Positions of the terms whose text is in the index file, ascending.
    plain: Vec<u32>,
    /// Positions of the terms whose text is in shards, ascending.
    deferred: Vec<u32>,
    /// Per shard, its part of `deferred`, the first of them and their text once added.
    shards: Vec<Deferred>,
    /// The shards that hold deferred terms, in order (which is the order of their terms).
    routes: Vec<usize>,
}

struct Deferred {
    /// Its terms: a range of `Terms::deferred`.
    range: Range<usize>,
    /// The text of its first term, from the index file (empty when it has none).
    first: Box<str>,
    /// Their text and dfs, once added.
    added: OnceLock<(Vec<Box<str>>, Vec<u32>)>,
}

impl Terms {
    /// Terms whose text is all in the index file.
    pub fn whole(text: Vec<Box<str>>) -> Result<Terms, FormatError> {
        let n = text.len();
        // No shard, so no first term to read.
        Terms::split(n, text, &[n], &[], &mut || {
            Err(FormatError::Corrupt("term runs"))
        })
    }

    /// `n` terms of which the `plain` ones (in order) are in the index file and the others in
    /// shards, as `runs` (see [`runs`]) lay them out; shard `k` holds the terms at positions
    /// `shard_terms[k]`, and `first` reads the text of the first deferred term of each shard
    /// that has one, in shard order.
    pub fn split(
        n: usize,
        plain: Vec<Box<str>>,
        runs: &[usize],
        shard_terms: &[Range<usize>],
        first: &mut dyn FnMut() -> Result<String, FormatError>,
    ) -> Result<Terms, FormatError> {
        let corrupt = || FormatError::Corrupt("term runs");
        let mut text: Vec<Box<str>> = Vec::with_capacity(n.min(1 << 24));
        let (mut kept, mut deferred) = (Vec::new(), Vec::new());
        let mut plain = plain.into_iter();
        for (i, &run) in runs.iter().enumerate() {
            if run > n - text.len() {
                return Err(corrupt());
            }
            for _ in 0..run {
                let at = text.len() as u32;
                if i % 2 == 0 {
                    kept.push(at);
                    text.push(plain.next().ok_or_else(corrupt)?);
                } else {
                    deferred.push(at);
                    text.push(Box::default());
                }
            }
        }
        if text.len() != n || plain.next().is_some() {
            return Err(corrupt());
        }
        // Shards hold ascending runs of terms, so one walk finds each one's deferred terms.
        let mut shards = Vec::with_capacity(shard_terms.len());
        let mut routes = Vec::new();
        let mut at = 0;
        for (k, terms) in shard_terms.iter().enumerate() {
            while deferred
                .get(at)
                .is_some_and(|&p| (p as usize) < terms.start)
            {
                at += 1;
            }
            let start = at;
            while deferred.get(at).is_some_and(|&p| (p as usize) < terms.end) {
                at += 1;
            }
            let first = if start < at {
                routes.push(k);
                first()?.into_boxed_str()
            } else {
                Box::default()
            };
            shards.push(Deferred {
                range: start..at,
                first,
                added: OnceLock::new(),
            });
        }
        Ok(Terms {
            chars: text
                .iter()
                .map(|t| t.chars().count().min(255) as u8)
                .collect(),
            text,
            plain: kept,
            deferred,
            shards,
            routes,
        })
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// The text of term `t`; empty while the shard that holds it has not been added.
    pub fn text(&self, t: usize) -> &str {
        if !self.text[t].is_empty() {
            return &self.text[t];
        }
        self.added(t).map_or("", |(text, _)| text)
    }

    /// The df of deferred term `t` once its shard is added; 0 for another term (the index
    /// file has its df) or while its shard is not here.
    pub fn df(&self, t: usize) -> u32 {
        self.added(t).map_or(0, |(_, df)| df)
    }

    /// The text and df of deferred term `t`, once its shard is added.
    fn added(&self, t: usize) -> Option<(&str, u32)> {
        let i = self.deferred.binary_search(&(t as u32)).ok()?;
        let shard = &self.shards[self.shards.partition_point(|s| s.range.end <= i)];
        let (text, dfs) = shard.added.get()?;
        let i = i.checked_sub(shard.range.start)?;
        Some((&**text.get(i)?, *dfs.get(i)?))
    }

    /// How many deferred terms shard `k` holds.
    pub fn deferred_in(&self, k: usize) -> usize {
        self.shards.get(k).map_or(0, |s| s.range.len())
    }

    /// Term `t`'s length in chars, up to 255 (0 while its text is in a shard).
    pub fn chars(&self, t: usize) -> usize {
        usize::from(self.chars[t])
    }

    /// The terms whose text is in the index file, with their positions: every term but the
    /// deferred ones of a sharded index (see the module).
    pub fn plain(&self) -> impl Iterator<Item = (usize, &str)> + '_ {
        self.plain
            .iter()
            .map(|&t| (t as usize, &*self.text[t as usize]))
    }

    /// Where `term` is.
    pub fn lookup(&self, term: &str) -> Lookup {
        let found = self
            .plain
            .binary_search_by(|&t| (*self.text[t as usize]).cmp(term));
        if let Ok(i) = found {
            return Lookup::Found(self.plain[i] as usize);
        }
        if self.routes.is_empty() {
            return Lookup::Absent;
        }
        let after = self
            .routes
            .partition_point(|&k| *self.shards[k].first <= *term);
        let Some(&k) = after.checked_sub(1).and_then(|r| self.routes.get(r)) else {
            return Lookup::Absent;
        };
        let shard = &self.shards[k];
        match shard.added.get() {
            None => Lookup::InShard(k),
            Some((text, _)) => match text.binary_search_by(|t| (**t).cmp(term)) {
                Ok(i) => Lookup::Found(self.deferred[shard.range.start + i] as usize),
                Err(_) => Lookup::Absent,
            },
        }
    }

    /// The positions of the terms that begin with `prefix`, of those in the index file.
    pub fn completions<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = usize> + 'a {
        let start = self
            .plain
            .partition_point(|&t| *self.text[t as usize] < *prefix);
        self.plain[start..]
            .iter()
            .map(|&t| t as usize)
            .take_while(move |&t| self.text[t].starts_with(prefix))
    }

    /// Adds the text of shard `k`'s terms from its file (front-coded, see [`front_code`]) and
    /// their `dfs`; they must be the ones the index file expects.
    pub fn add(&self, k: usize, text: &[u8], dfs: Vec<u32>) -> Result<(), FormatError> {
        let Some(shard) = self.shards.get(k) else {
            return if text.is_empty() {
                Ok(())
            } else {
                Err(FormatError::Corrupt("shard terms"))
            };
        };
        let terms = read_front_coded(text)?;
        if terms.len() != shard.range.len()
            || dfs.len() != terms.len()
            || terms.first().is_some_and(|t| *t != shard.first)
        {
            return Err(FormatError::Corrupt("shard terms"));
        }
        let _ = shard.added.set((terms, dfs));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_coded_terms_read_back() {
        let terms = ["apple", "apply", "banana", "退款", "退货"];
        let text = front_code(terms);
        let back = read_front_coded(&text).unwrap();
        assert_eq!(back.iter().map(|t| &**t).collect::<Vec<_>>(), terms);
        assert!(read_front_coded(&front_code(["b", "a"])).is_err());
    }

    #[test]
    fn runs_start_with_the_terms_kept() {
        assert_eq!(runs(&[]), [0]);
        assert_eq!(runs(&[true, true, false]), [0, 2, 1]);
        assert_eq!(runs(&[false, true, true, false, false]), [1, 2, 2]);
    }

    /// A term in a shard is found once its shard is added, and only then has its text.
    #[test]
    fn deferred_terms_are_found_once_their_shard_is_added() {
        let all = ["apple", "zebra", "退款", "退货", "配送"];
        let deferred: Vec<bool> = all.iter().map(|t| deferrable(t)).collect();
        let plain = all.iter().filter(|t| !deferrable(t)).map(|&t| t.into());
        // Shard 0 holds "apple" and "zebra", shard 1 "退款" and "退货", shard 2 "配送".
        let mut firsts = ["退款", "配送"].into_iter().map(String::from);
        let terms = Terms::split(
            all.len(),
            plain.collect(),
            &runs(&deferred),
            &[0..2, 2..4, 4..5],
            &mut || Ok(firsts.next().unwrap()),
        )
        .unwrap();
        assert!(matches!(terms.lookup("zebra"), Lookup::Found(1)));
        assert!(matches!(terms.lookup("退货"), Lookup::InShard(1)));
        assert!(matches!(terms.lookup("配送"), Lookup::InShard(2)));
        assert!(matches!(terms.lookup("一"), Lookup::Absent));
        assert!(matches!(terms.lookup("zeb"), Lookup::Absent));
        assert_eq!(terms.text(3), "");
        assert_eq!(terms.df(3), 0);
        let pair = front_code(["退款", "退货"]);
        assert!(
            terms.add(1, &front_code(["退款"]), vec![2]).is_err(),
            "a term short"
        );
        assert!(terms.add(1, &pair, vec![2]).is_err(), "a df short");
        assert!(
            terms
                .add(1, &front_code(["退货", "退款"]), vec![2, 3])
                .is_err(),
            "out of order"
        );
        terms.add(1, &pair, vec![2, 3]).unwrap();
        assert!(matches!(terms.lookup("退货"), Lookup::Found(3)));
        assert!(matches!(terms.lookup("退"), Lookup::Absent));
        assert_eq!((terms.text(3), terms.chars(3), terms.df(3)), ("退货", 0, 3));
        assert_eq!(
            (terms.df(1), terms.df(4)),
            (0, 0),
            "in the index file; not added"
        );
        assert_eq!(terms.completions("z").collect::<Vec<_>>(), [1]);
        assert!(terms.add(0, b"", vec![]).is_ok());
        assert!(terms.add(0, &front_code(["x"]), vec![1]).is_err());
    }
}
