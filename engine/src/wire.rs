//! Byte- and bit-level primitives of the index format: varints, strings, bit streams (the
//! postings' Rice codes) and a checksum.
//!
//! Kept apart from the index layout so that the layout code reads as a list of fields and every
//! bounds check lives in one place: a short or damaged file becomes a `FormatError`, never a panic.

use crate::FormatError;

/// Appends values to an index being written.
#[derive(Debug, Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    /// Starts a file framed as [`framed`] reads it: `magic`, then `version`.
    pub fn framed(magic: &[u8; 4], version: u16) -> Writer {
        let mut buf = magic.to_vec();
        buf.extend_from_slice(&version.to_le_bytes());
        Writer { buf }
    }

    /// Ends a framed file with the checksum of everything before it, and returns the checksum.
    pub fn end_frame(&mut self) -> u32 {
        let sum = checksum(&self.buf);
        self.buf.extend_from_slice(&sum.to_le_bytes());
        sum
    }

    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    pub fn usize(&mut self, v: usize) {
        self.varint(v as u64);
    }

    /// Signed values in zigzag form so that small negatives stay small.
    pub fn i64(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.usize(b.len());
        self.buf.extend_from_slice(b);
    }

    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub fn strs(&mut self, v: &[String]) {
        self.usize(v.len());
        for s in v {
            self.str(s);
        }
    }
}

/// Reads values from index bytes, failing with [`FormatError::Corrupt`] instead of panicking.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub fn u8(&mut self) -> Result<u8, FormatError> {
        let b = *self
            .buf
            .get(self.pos)
            .ok_or(FormatError::Corrupt("unexpected end"))?;
        self.pos += 1;
        Ok(b)
    }

    pub fn varint(&mut self) -> Result<u64, FormatError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(FormatError::Corrupt("varint too long"))
    }

    pub fn usize(&mut self) -> Result<usize, FormatError> {
        usize::try_from(self.varint()?).map_err(|_| FormatError::Corrupt("number too large"))
    }

    /// A count of items that each take at least one byte: larger than what is left is corrupt,
    /// which keeps a damaged count from allocating gigabytes.
    pub fn count(&mut self) -> Result<usize, FormatError> {
        let n = self.usize()?;
        if n > self.buf.len() - self.pos {
            return Err(FormatError::Corrupt("count larger than the file"));
        }
        Ok(n)
    }

    pub fn i64(&mut self) -> Result<i64, FormatError> {
        let v = self.varint()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    pub fn bytes(&mut self) -> Result<&'a [u8], FormatError> {
        let n = self.usize()?;
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or(FormatError::Corrupt("unexpected end"))?;
        let b = &self.buf[self.pos..end];
        self.pos = end;
        Ok(b)
    }

    pub fn str(&mut self) -> Result<&'a str, FormatError> {
        std::str::from_utf8(self.bytes()?).map_err(|_| FormatError::Corrupt("invalid UTF-8"))
    }

    pub fn string(&mut self) -> Result<String, FormatError> {
        self.str().map(str::to_owned)
    }

    pub fn strings(&mut self) -> Result<Vec<String>, FormatError> {
        let n = self.count()?;
        (0..n).map(|_| self.string()).collect()
    }
}

/// Appends bits, least significant first within each byte: the postings' Rice codes.
#[derive(Debug, Default)]
pub struct BitWriter {
    pub buf: Vec<u8>,
    /// Bits used in the last byte of `buf` (0 when it is full or there is none).
    used: u32,
}

impl BitWriter {
    /// The `n` low bits of `v` (n <= 32), lowest first.
    pub fn bits(&mut self, v: u32, n: u32) {
        for i in 0..n {
            self.bit((v >> i) & 1 == 1);
        }
    }

    pub fn bit(&mut self, one: bool) {
        if self.used == 0 {
            self.buf.push(0);
        }
        if one {
            if let Some(last) = self.buf.last_mut() {
                *last |= 1 << self.used;
            }
        }
        self.used = (self.used + 1) % 8;
    }

    /// How many bits were written.
    pub fn bit_len(&self) -> usize {
        self.buf.len() * 8 - (8 - self.used as usize) % 8
    }

    /// `q` one bits and a zero.
    pub fn unary(&mut self, q: u32) {
        for _ in 0..q {
            self.bit(true);
        }
        self.bit(false);
    }

    /// A varint in whole bytes of bits, for the rare large values.
    pub fn varint(&mut self, mut v: u32) {
        while v >= 0x80 {
            self.bits((v & 0x7f) | 0x80, 8);
            v >>= 7;
        }
        self.bits(v, 8);
    }
}

/// Reads what a [`BitWriter`] wrote, from any bit position.
#[derive(Debug)]
pub struct BitReader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub fn new(buf: &'a [u8], pos: usize) -> Self {
        BitReader { buf, pos }
    }

    /// The bit position of the next read.
    #[cfg(test)]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next (at least) 57 bits, lowest first, without consuming them; past the end are
    /// zeros.
    pub fn peek(&self) -> u64 {
        let at = self.pos / 8;
        let word = match self.buf.get(at..at + 8) {
            Some(&[a, b, c, d, e, f, g, h]) => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
            _ => {
                let mut word = [0u8; 8];
                let end = self.buf.len().min(at + 8);
                if at < end {
                    word[..end - at].copy_from_slice(&self.buf[at..end]);
                }
                u64::from_le_bytes(word)
            }
        };
        word >> (self.pos % 8)
    }

    /// Consumes `n` bits already looked at with [`BitReader::peek`].
    pub fn skip(&mut self, n: u32) -> Result<(), FormatError> {
        if self.pos + n as usize > self.buf.len() * 8 {
            return Err(FormatError::Corrupt("unexpected end"));
        }
        self.pos += n as usize;
        Ok(())
    }

    /// `n` bits (n <= 32).
    pub fn bits(&mut self, n: u32) -> Result<u32, FormatError> {
        if self.pos + n as usize > self.buf.len() * 8 {
            return Err(FormatError::Corrupt("unexpected end"));
        }
        let v = (self.peek() & ((1u64 << n) - 1)) as u32;
        self.pos += n as usize;
        Ok(v)
    }

    /// The count of one bits before the next zero, which is consumed too.
    pub fn unary(&mut self) -> Result<u32, FormatError> {
        let mut q = 0u32;
        loop {
            let ones = self.peek().trailing_ones();
            // 57 bits are always valid in `peek`: fewer ones mean the zero is in the window.
            let run = ones.min(57);
            if self.pos + run as usize >= self.buf.len() * 8 {
                return Err(FormatError::Corrupt("unexpected end"));
            }
            q = q.saturating_add(run);
            self.pos += run as usize;
            if ones < 57 {
                self.pos += 1;
                return Ok(q);
            }
        }
    }

    pub fn varint(&mut self) -> Result<u32, FormatError> {
        let mut v = 0u32;
        for shift in (0..32).step_by(7) {
            let b = self.bits(8)?;
            v |= (b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(FormatError::Corrupt("varint too long"))
    }
}

/// The body of a file framed as `magic | u16 LE version | body | u32 LE checksum`, as the
/// index, its shards and the passages files are (see [`Writer::framed`]); a typed error when
/// the frame is not right.
pub fn framed<'a>(bytes: &'a [u8], magic: &[u8; 4], version: u16) -> Result<&'a [u8], FormatError> {
    if bytes.len() < 6 || &bytes[..4] != magic {
        return Err(FormatError::BadMagic);
    }
    let found = u16::from_le_bytes([bytes[4], bytes[5]]);
    if found != version {
        return Err(FormatError::UnsupportedVersion {
            found,
            supported: version,
        });
    }
    if bytes.len() < 10 {
        return Err(FormatError::Corrupt("unexpected end"));
    }
    let (content, sum) = bytes.split_at(bytes.len() - 4);
    if checksum(content) != u32::from_le_bytes([sum[0], sum[1], sum[2], sum[3]]) {
        return Err(FormatError::Corrupt("checksum mismatch"));
    }
    Ok(&content[6..])
}

/// 32-bit FNV-1a: enough to tell a damaged or truncated download from a good one, and tiny.
pub fn checksum(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(values: &[i64]) {
        let mut w = Writer::default();
        for &v in values {
            w.i64(v);
            w.varint(v.unsigned_abs());
        }
        let mut r = Reader::new(&w.buf);
        for &v in values {
            assert_eq!(r.i64().unwrap(), v);
            assert_eq!(r.varint().unwrap(), v.unsigned_abs());
        }
        assert!(r.is_empty());
    }

    #[test]
    fn numbers_round_trip() {
        check(&[0, 1, -1, 127, 128, -129, 300, i64::MAX, i64::MIN + 1]);
    }

    #[test]
    fn bits_round_trip() {
        let mut w = BitWriter::default();
        w.bits(5, 3);
        w.unary(0);
        w.unary(70);
        w.varint(300);
        w.bits(1, 1);
        w.unary(2);
        let mut r = BitReader::new(&w.buf, 0);
        assert_eq!(r.bits(3), Ok(5));
        assert_eq!(r.unary(), Ok(0));
        assert_eq!(r.unary(), Ok(70));
        assert_eq!(r.varint(), Ok(300));
        assert_eq!(r.bits(1), Ok(1));
        assert_eq!(r.unary(), Ok(2));
        assert_eq!(r.position(), 3 + 1 + 71 + 16 + 1 + 3);
        // Past the end: an error, never a panic (the last byte's one spare bit reads as 0).
        assert!(r.bits(8).is_err());
        assert_eq!(r.unary(), Ok(0));
        assert!(r.unary().is_err());
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        let mut r = Reader::new(&[0x80]);
        assert_eq!(r.varint(), Err(FormatError::Corrupt("unexpected end")));
        let mut r = Reader::new(&[5, b'a']);
        assert_eq!(r.str(), Err(FormatError::Corrupt("unexpected end")));
    }
}
