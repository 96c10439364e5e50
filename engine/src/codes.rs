//! The bit codes of the index: the article gaps of a term's postings (Rice codes, or a truncated
//! binary code for a term of one article, see `GapCode`), the field frequencies of each posting
//! (a Huffman code made per index: `FreqWriter` writes it and its table, `FreqCode` reads them)
//! and each term's df (an Elias gamma code).
//!
//! They are apart from `index`, which lays the format out and says where each code is used,
//! because each is a small algorithm of its own with its own round-trip tests; the writer and the
//! reader of each sit side by side, so they cannot drift. The bit streams are `wire`'s.

use crate::index::{Freqs, BODY, FIELDS, HEADING, QUESTIONS, TAGS, TITLE};
use crate::wire::{BitReader, BitWriter, Reader, Writer};
use crate::FormatError;

/// How a term's article gaps are coded, which its df decides (integer arithmetic, so that the
/// writer and every reader agree).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum GapCode {
    /// Rice codes with parameter `k`: with `df` of `articles` articles, a gap is about
    /// `articles / df`, and Golomb codes are shortest with a divisor near 0.69 times the mean
    /// gap (a power of two here, so a gap is a unary quotient and `k` low bits).
    Rice(u32),
    /// A term of one article (most terms are) has one gap, the article itself, below the number
    /// of articles: a truncated binary code of it takes `log2(articles)` bits, where a Rice
    /// code takes about half a bit more.
    Lone(u32),
}

impl GapCode {
    pub(crate) fn new(articles: usize, df: usize) -> GapCode {
        if df == 1 {
            return GapCode::Lone(articles as u32);
        }
        let m = articles as u64 * 69 / (100 * df.max(1) as u64);
        GapCode::Rice(m.checked_ilog2().unwrap_or(0))
    }

    pub(crate) fn write(self, w: &mut BitWriter, gap: u32) {
        match self {
            GapCode::Rice(k) => {
                w.unary(gap >> k);
                w.bits(gap & ((1 << k) - 1), k);
            }
            GapCode::Lone(n) => {
                let (k, short) = truncated(n);
                if k == 0 {
                    // One article: nothing to say.
                } else if gap < short {
                    w.bits(gap, k - 1);
                } else {
                    // `gap + short` is at least `2 * short`: its high bits are not a short code.
                    let v = gap + short;
                    w.bits(v >> 1, k - 1);
                    w.bits(v & 1, 1);
                }
            }
        }
    }

    /// Queries spend their time here and in [`FreqCode::read`], so a Rice code is read from
    /// one look at the next 57 bits.
    pub(crate) fn read(self, r: &mut BitReader<'_>) -> Result<u32, FormatError> {
        match self {
            GapCode::Rice(k) => {
                let w = r.peek();
                let q = w.trailing_ones();
                if q + 1 + k <= 57 {
                    r.skip(q + 1 + k)?;
                    Ok((q << k) | ((w >> (q + 1)) as u32 & ((1 << k) - 1)))
                } else {
                    let q = r.unary()?;
                    Ok(q.checked_shl(k)
                        .filter(|g| g >> k == q)
                        .ok_or(FormatError::Corrupt("posting gap"))?
                        | r.bits(k)?)
                }
            }
            GapCode::Lone(n) => {
                let (k, short) = truncated(n);
                if k == 0 {
                    return Ok(0);
                }
                let v = r.bits(k - 1)?;
                if v < short {
                    Ok(v)
                } else {
                    Ok(((v << 1) | r.bits(1)?) - short)
                }
            }
        }
    }
}

/// A truncated binary code of values below `n`: `k` bits for the largest values and `k - 1`
/// for the `short` smallest (none when `n` is a power of two; `k` is 0 when `n` is at most 1).
fn truncated(n: u32) -> (u32, u32) {
    if n <= 1 {
        return (0, 0);
    }
    let k = 32 - (n - 1).leading_zeros();
    (k, (1u32 << k) - n)
}

/// Writes `v` (at least 1) as an Elias gamma code: its bit length less one in unary, then its
/// bits below the highest. Most terms are in one article or a few, so most dfs take a bit or three.
pub(crate) fn write_gamma(w: &mut BitWriter, v: u32) {
    let bits = v.max(1).ilog2();
    w.unary(bits);
    w.bits(v, bits);
}

/// Reads what [`write_gamma`] wrote (a df, the one thing coded so).
pub(crate) fn read_gamma(r: &mut BitReader<'_>) -> Result<u32, FormatError> {
    let bits = r.unary()?;
    if bits >= 32 {
        return Err(FormatError::Corrupt("document frequency"));
    }
    Ok((1u32 << bits) | r.bits(bits)?)
}

/// Longest code of a frequency symbol: decoding looks the next this many bits up in a table.
const MAX_FREQ_BITS: u32 = 12;

/// The frequency symbol of a posting: its field byte (see `pack_fields`), or 0 when the
/// frequencies do not fit in one, which the longer form after it says (see `FreqCode::write`).
pub(crate) fn freq_symbol(f: &Freqs) -> u8 {
    let fits =
        f[TITLE] <= 1 && f[QUESTIONS] <= 3 && f[TAGS] <= 1 && f[HEADING] <= 1 && f[BODY] <= 7;
    if fits {
        pack_fields(f)
    } else {
        0
    }
}

/// The frequency codes: a canonical prefix (Huffman) code of the frequency symbols, made per
/// index from how often each occurs, so that the usual "once in the body" takes one bit and
/// rare combinations of fields a few more. A fixed code cannot fit every knowledge base: how
/// often words repeat in an article differs from one to the next. The code is written as its
/// symbols with their code lengths, two bytes a symbol (stackfaq uses 15 of them).
#[derive(Debug)]
pub(crate) struct FreqCode {
    /// Per value of the next `MAX_FREQ_BITS` bits (lowest first), the symbol they begin with
    /// and its length (`symbol << 4 | length`); 0 where no code begins so.
    table: Vec<u16>,
}

/// Assigns the codes of a canonical prefix code from `(symbol, length)` pairs in canonical
/// order (by length, then symbol), which is also how the index stores them, and calls
/// `f(symbol, code, length)` with each code's bits in reading order (lowest first). Fails
/// on pairs out of that order, lengths out of range or more codes than lengths allow.
fn canonical_codes(
    lengths: impl Iterator<Item = Result<(u8, u8), FormatError>>,
    mut f: impl FnMut(u8, u32, u32),
) -> Result<(), FormatError> {
    let bad = FormatError::Corrupt("frequency code");
    let (mut code, mut len, mut last) = (0u32, 0u32, 0u32);
    for pair in lengths {
        let (symbol, l) = pair?;
        let l = u32::from(l);
        // Lengths are at least 1, so `key` is above the 0 that `last` starts at.
        let key = l << 8 | u32::from(symbol);
        if key <= last || l == 0 || l > MAX_FREQ_BITS {
            return Err(bad);
        }
        last = key;
        code <<= l - len;
        len = l;
        if code >> l != 0 {
            return Err(bad);
        }
        // Codes are read lowest bit first: the first bit of a code is its lowest.
        f(symbol, code.reverse_bits() >> (32 - l), l);
        code += 1;
    }
    Ok(())
}

/// The writer's side of [`FreqCode`]: each symbol's code.
pub(crate) struct FreqWriter {
    /// `(symbol, length)` in canonical order.
    lengths: Vec<(u8, u8)>,
    /// Per symbol, its code (bits in reading order) and length (0 when unused).
    codes: [(u32, u32); 256],
}

impl FreqWriter {
    /// The Huffman code for symbols seen `counts` times, its lengths capped at
    /// `MAX_FREQ_BITS` by flattening the counts until they fit. Ties are broken by symbol,
    /// so equal counts give equal codes.
    pub(crate) fn new(counts: &[u32; 256]) -> FreqWriter {
        let mut shift = 0;
        let mut lengths = loop {
            let flat = counts.map(|c| if c == 0 { 0 } else { (c >> shift).max(1) });
            let lengths = huffman_lengths(&flat);
            if lengths.iter().all(|&(_, l)| u32::from(l) <= MAX_FREQ_BITS) {
                break lengths;
            }
            shift += 1;
        };
        lengths.sort_unstable_by_key(|&(s, l)| (l, s));
        let mut codes = [(0, 0); 256];
        canonical_codes(lengths.iter().map(|&p| Ok(p)), |s, code, l| {
            codes[usize::from(s)] = (code, l);
        })
        .expect("Huffman code lengths make a prefix code");
        FreqWriter { lengths, codes }
    }

    pub(crate) fn write_table(&self, w: &mut Writer) {
        w.usize(self.lengths.len());
        for &(symbol, l) in &self.lengths {
            w.u8(symbol);
            w.u8(l);
        }
    }

    /// The symbol's code, and after the symbol 0 the frequencies in full: a byte of title,
    /// questions and tags, and the heading and body counts as varints.
    pub(crate) fn write(&self, w: &mut BitWriter, f: &Freqs) {
        let symbol = freq_symbol(f);
        let (code, len) = self.codes[usize::from(symbol)];
        w.bits(code, len);
        if symbol == 0 {
            w.bits(
                u32::from(pack_fields(&[f[TITLE], f[QUESTIONS], f[TAGS], 0, 0])),
                8,
            );
            w.varint(f[HEADING]);
            w.varint(f[BODY]);
        }
    }
}

impl FreqCode {
    pub(crate) fn read_table(r: &mut Reader<'_>) -> Result<FreqCode, FormatError> {
        let n = r.count()?;
        let mut table = vec![0u16; 1 << MAX_FREQ_BITS];
        let pairs = (0..n).map(|_| Ok((r.u8()?, r.u8()?)));
        canonical_codes(pairs, |symbol, code, l| {
            let mut at = code as usize;
            while at < table.len() {
                table[at] = u16::from(symbol) << 4 | l as u16;
                at += 1 << l;
            }
        })?;
        Ok(FreqCode { table })
    }

    /// Reads what [`FreqWriter::write`] wrote. Queries spend their time here and in
    /// [`GapCode::read`]: a code is found with one look at the next bits.
    pub(crate) fn read(&self, r: &mut BitReader<'_>) -> Result<[f32; FIELDS], FormatError> {
        let entry = self.table[r.peek() as usize & (self.table.len() - 1)];
        let len = u32::from(entry & 0xf);
        if len == 0 {
            return Err(FormatError::Corrupt("frequency code"));
        }
        r.skip(len)?;
        Ok(match (entry >> 4) as u8 {
            0 => {
                let mut f = unpack_fields(r.bits(8)? as u8);
                f[HEADING] = r.varint()? as f32;
                f[BODY] = r.varint()? as f32;
                f
            }
            symbol => unpack_fields(symbol),
        })
    }
}

/// Huffman code lengths of the symbols with a count above zero, as `(symbol, length)`; a lone
/// symbol gets length 1.
fn huffman_lengths(counts: &[u32; 256]) -> Vec<(u8, u8)> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    // Nodes: the used symbols, then the merged pairs; `parent` links them into the tree.
    let symbols: Vec<u8> = (0..=255u8)
        .filter(|&s| counts[usize::from(s)] > 0)
        .collect();
    let mut parent: Vec<usize> = vec![usize::MAX; symbols.len()];
    let mut heap: BinaryHeap<Reverse<(u64, usize)>> = symbols
        .iter()
        .enumerate()
        .map(|(i, &s)| Reverse((u64::from(counts[usize::from(s)]), i)))
        .collect();
    while heap.len() > 1 {
        let (Some(Reverse((a, i))), Some(Reverse((b, j)))) = (heap.pop(), heap.pop()) else {
            break;
        };
        let node = parent.len();
        parent.push(usize::MAX);
        parent[i] = node;
        parent[j] = node;
        heap.push(Reverse((a + b, node)));
    }
    symbols
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let (mut depth, mut at) = (0u8, i);
            while parent[at] != usize::MAX {
                depth = depth.saturating_add(1);
                at = parent[at];
            }
            (s, depth.max(1))
        })
        .collect()
}

/// Packs per-field frequencies into one byte: title (bit 0), questions (bits 1-2, 0-3),
/// tags (bit 3), heading (bit 4), body (bits 5-7, 0-7). BM25 saturates long before the caps.
fn pack_fields(f: &Freqs) -> u8 {
    (f[TITLE].min(1) as u8)
        | ((f[QUESTIONS].min(3) as u8) << 1)
        | ((f[TAGS].min(1) as u8) << 3)
        | ((f[HEADING].min(1) as u8) << 4)
        | ((f[BODY].min(7) as u8) << 5)
}

fn unpack_fields(b: u8) -> [f32; FIELDS] {
    [
        f32::from(b & 1),
        f32::from((b >> 1) & 3),
        f32::from((b >> 3) & 1),
        f32::from((b >> 4) & 1),
        f32::from(b >> 5),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The field byte of a posting whose only match is one occurrence in the body.
    const PLAIN: u8 = 1 << 5;

    /// A gap coded with `code` takes `bits` and reads back, and so does the gap after it.
    fn check_gap(code: GapCode, gap: u32, bits: usize) {
        let mut w = BitWriter::default();
        code.write(&mut w, gap);
        code.write(&mut w, 0);
        let mut r = BitReader::new(&w.buf, 0);
        assert_eq!(code.read(&mut r), Ok(gap), "{code:?}");
        assert_eq!(r.position(), bits, "{code:?} {gap}");
        assert_eq!(code.read(&mut r), Ok(0));
    }

    #[test]
    fn gaps_round_trip() {
        check_gap(GapCode::Rice(0), 0, 1);
        check_gap(GapCode::Rice(2), 5, 4);
        check_gap(GapCode::Rice(4), 300, 18 + 1 + 4);
        // 125 articles: 3 of the 128 values of 7 bits are spared, so 0-2 take 6 bits.
        check_gap(GapCode::Lone(125), 0, 6);
        check_gap(GapCode::Lone(125), 2, 6);
        check_gap(GapCode::Lone(125), 3, 7);
        check_gap(GapCode::Lone(125), 124, 7);
        check_gap(GapCode::Lone(128), 127, 7);
        check_gap(GapCode::Lone(1), 0, 0);
    }

    fn check_gap_code(articles: usize, df: usize, code: GapCode) {
        assert_eq!(
            GapCode::new(articles, df),
            code,
            "{articles} articles, df {df}"
        );
    }

    #[test]
    fn gap_codes() {
        check_gap_code(1000, 1000, GapCode::Rice(0));
        check_gap_code(1000, 500, GapCode::Rice(0));
        check_gap_code(1000, 100, GapCode::Rice(2));
        check_gap_code(1000, 2, GapCode::Rice(8));
        check_gap_code(1000, 1, GapCode::Lone(1000));
        check_gap_code(0, 0, GapCode::Rice(0));
    }

    #[test]
    fn dfs_round_trip() {
        // A df of `b` bits takes `2b - 1`.
        let dfs = [
            (1, 1),
            (2, 3),
            (3, 3),
            (7, 5),
            (8, 7),
            (1000, 19),
            (u32::MAX, 63),
        ];
        let mut w = BitWriter::default();
        for (df, _) in dfs {
            write_gamma(&mut w, df);
        }
        let mut r = BitReader::new(&w.buf, 0);
        for (df, bits) in dfs {
            let at = r.position();
            assert_eq!(read_gamma(&mut r), Ok(df));
            assert_eq!(r.position() - at, bits, "{df}");
        }
        // 32 or more ones before the zero would be a df of 33 bits or more.
        let mut w = BitWriter::default();
        w.unary(32);
        w.bits(0, 32);
        assert_eq!(
            read_gamma(&mut BitReader::new(&w.buf, 0)),
            Err(FormatError::Corrupt("document frequency"))
        );
    }

    /// With symbols seen `counts` times, the code of each frequency in `freqs` takes
    /// `bits` (the symbol's code and, for the symbol 0, what follows it) and reads back, also
    /// after the code went through its table in the index.
    fn check_freqs(counts: &[(Freqs, u32)], freqs: &[(Freqs, usize)]) {
        let mut all = [0u32; 256];
        for (f, n) in counts {
            all[usize::from(freq_symbol(f))] += n;
        }
        let code = FreqWriter::new(&all);
        let mut table = Writer::default();
        code.write_table(&mut table);
        let read = FreqCode::read_table(&mut Reader::new(&table.buf)).expect("table reads");
        let mut w = BitWriter::default();
        for (f, _) in freqs {
            code.write(&mut w, f);
        }
        let mut r = BitReader::new(&w.buf, 0);
        for (f, bits) in freqs {
            let at = r.position();
            assert_eq!(read.read(&mut r), Ok(f.map(|v| v as f32)), "{f:?}");
            assert_eq!(r.position() - at, *bits, "{f:?}");
        }
    }

    #[test]
    fn frequencies_round_trip() {
        let body = |n| [0, 0, 0, 0, n];
        // The common case takes one bit, the rarer more; the symbol 0 is followed by the
        // frequencies in full (a byte and two varints of a byte or two).
        let counts = [
            (body(1), 100),
            (body(2), 30),
            (body(3), 10),
            ([1, 0, 0, 0, 1], 10),
            ([0, 0, 0, 0, 200], 1),
        ];
        check_freqs(
            &counts,
            &[
                (body(1), 1),
                (body(2), 2),
                (body(3), 3),
                ([1, 0, 0, 0, 1], 4),
                ([0, 0, 0, 0, 200], 4 + 8 + 8 + 16),
                ([1, 2, 1, 4, 31], 4 + 8 + 8 + 8),
            ],
        );
        // A lone symbol still takes a bit.
        check_freqs(&[(body(1), 5)], &[(body(1), 1), (body(1), 1)]);
        // Very skewed counts are flattened until no code is longer than the table allows.
        let skewed: Vec<(Freqs, u32)> = (1..=7)
            .flat_map(|n| {
                [
                    (body(n), 1 << (3 * n)),
                    ([1, 0, 0, 1, n], 1),
                    ([1, 3, 1, 1, n], 1),
                ]
            })
            .collect();
        let mut all = [0u32; 256];
        for (f, n) in &skewed {
            all[usize::from(freq_symbol(f))] += n;
        }
        let code = FreqWriter::new(&all);
        assert!(code
            .lengths
            .iter()
            .all(|&(_, l)| u32::from(l) <= MAX_FREQ_BITS));
        assert_eq!(code.lengths.len(), 21);
    }

    fn check_bad_table(lengths: &[(u8, u8)]) {
        let mut w = Writer::default();
        w.usize(lengths.len());
        for &(s, l) in lengths {
            w.u8(s);
            w.u8(l);
        }
        assert_eq!(
            FreqCode::read_table(&mut Reader::new(&w.buf)).map(|_| ()),
            Err(FormatError::Corrupt("frequency code")),
            "{lengths:?}"
        );
    }

    #[test]
    fn damaged_frequency_codes_are_rejected() {
        // Three codes of one bit, a length of 0 or above the limit, out of canonical order.
        // (A symbol twice, with two lengths, only wastes codes: the first is read.)
        check_bad_table(&[(1, 1), (2, 1), (3, 1)]);
        check_bad_table(&[(1, 0)]);
        check_bad_table(&[(1, 13)]);
        check_bad_table(&[(2, 1), (1, 1)]);
        check_bad_table(&[(1, 2), (2, 2), (1, 2)]);
        // A code that leaves bit patterns unused reads them as damage, not as a symbol.
        let mut w = Writer::default();
        w.usize(1);
        w.u8(PLAIN);
        w.u8(2);
        let code = FreqCode::read_table(&mut Reader::new(&w.buf)).expect("incomplete but valid");
        let mut r = BitReader::new(&[0b11], 0);
        assert_eq!(
            code.read(&mut r),
            Err(FormatError::Corrupt("frequency code"))
        );
    }

    #[test]
    fn field_bytes_round_trip() {
        let f = [1, 2, 1, 0, 5];
        assert_eq!(unpack_fields(pack_fields(&f)), [1.0, 2.0, 1.0, 0.0, 5.0]);
        assert_eq!(pack_fields(&[0, 0, 0, 0, 1]), PLAIN);
        assert_eq!(freq_symbol(&[0, 0, 0, 0, 3]), 3 * PLAIN);
        assert_eq!(freq_symbol(&[0, 0, 0, 0, 8]), 0);
    }
}
