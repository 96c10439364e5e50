//! Shortens the names the widget's WebAssembly and its wasm-bindgen glue use to talk to each other.
//!
//! wasm-bindgen names every import after the Rust item plus a 16-digit hash
//! (`__wbg_setAttribute_1a2b3c4d5e6f7a8b`), under the module `./solodesk_widget_bg.js`, and some
//! exports after whole closure signatures (150 characters). These names appear in both files and
//! the hashes do not compress: renaming them to `a`, `b`, ... saves a few KB of gzip. Nothing but
//! the glue sees these names (the loader and the search page use the glue's own JS exports), so
//! the rename is safe when every old name is replaced in the glue; [`shorten`] fails otherwise.

use anyhow::{bail, Context, Result};

/// Renames imports and exports in `wasm` and the glue that refers to them; returns both rewritten.
pub fn shorten(wasm: &[u8], glue: &str) -> Result<(Vec<u8>, String)> {
    let module = parse(wasm)?;
    let mut out = wasm[..8].to_vec();
    let mut glue = glue.to_owned();
    let mut import_names = Vec::new();
    let mut export_names = Vec::new();
    for section in &module {
        let body = match section.id {
            IMPORT_SECTION => rename_imports(section.body, &mut import_names)?,
            EXPORT_SECTION => rename_exports(section.body, &mut export_names)?,
            _ => section.body.to_vec(),
        };
        out.push(section.id);
        leb(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
    }
    // Imports are the keys of the glue's import object (`name: function(...)`), under the module
    // name as a quoted key; exports are read as `wasm.name`.
    for (old, new) in &import_names {
        if old == GLUE_MODULE {
            glue = replace_all(&glue, &format!("\"{old}\":"), &format!("\"{new}\":"))?;
        } else {
            glue = replace_ident(&glue, old, new, ":")?;
        }
    }
    // An export the glue never reads (`__abort_handler`) is renamed all the same.
    for (old, new) in &export_names {
        let read = format!("wasm.{old}");
        if contains_ident(&glue, &read) {
            glue = replace_ident(&glue, &read, &format!("wasm.{new}"), "")?;
        }
    }
    let left = import_names.iter().map(|(old, _)| old.clone());
    let left = left.chain(export_names.iter().map(|(old, _)| format!("wasm.{old}")));
    for old in left {
        if contains_ident(&glue, &old) {
            bail!(
                "the glue still names `{old}` after renaming it; wasm-bindgen changed its output"
            );
        }
    }
    Ok((out, glue))
}

/// The module wasm-bindgen imports everything from.
const GLUE_MODULE: &str = "./solodesk_widget_bg.js";
const IMPORT_SECTION: u8 = 2;
const EXPORT_SECTION: u8 = 7;

struct Section<'a> {
    id: u8,
    body: &'a [u8],
}

fn parse(wasm: &[u8]) -> Result<Vec<Section<'_>>> {
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0") {
        bail!("not a WebAssembly 1.0 module");
    }
    let mut r = Reader { b: wasm, i: 8 };
    let mut sections = Vec::new();
    while r.i < wasm.len() {
        let id = r.byte()?;
        let len = r.leb()? as usize;
        let body = r.take(len)?;
        sections.push(Section { id, body });
    }
    Ok(sections)
}

/// Short names in order: `a`..`z`, `A`..`Z`, then two letters and so on. One may be a JS keyword
/// (`do`, `if`): the glue uses them only as object keys and after `wasm.`, where keywords are
/// allowed.
fn short_name(mut n: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut s = Vec::new();
    loop {
        s.push(ALPHABET[n % ALPHABET.len()]);
        n /= ALPHABET.len();
        if n == 0 {
            break;
        }
        n -= 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn rename_imports(body: &[u8], names: &mut Vec<(String, String)>) -> Result<Vec<u8>> {
    let mut r = Reader { b: body, i: 0 };
    let mut out = Vec::new();
    let count = r.leb()?;
    leb(&mut out, count);
    let mut renamed = 0;
    for _ in 0..count {
        let module = r.name()?;
        let field = r.name()?;
        let kind = r.byte()?;
        let desc_start = r.i;
        match kind {
            0 => {
                r.leb()?;
            }
            1 => {
                r.byte()?;
                r.limits()?;
            }
            2 => r.limits()?,
            3 => {
                r.byte()?;
                r.byte()?;
            }
            4 => {
                r.byte()?;
                r.leb()?;
            }
            k => bail!("import of unknown kind {k}"),
        }
        let (module, field) = if module == GLUE_MODULE {
            if renamed == 0 {
                names.push((GLUE_MODULE.to_owned(), "w".to_owned()));
            }
            let short = short_name(renamed);
            renamed += 1;
            names.push((field.to_owned(), short.clone()));
            ("w".to_owned(), short)
        } else {
            (module.to_owned(), field.to_owned())
        };
        name(&mut out, &module);
        name(&mut out, &field);
        out.push(kind);
        out.extend_from_slice(&body[desc_start..r.i]);
    }
    if r.i != body.len() {
        bail!("import section has trailing bytes");
    }
    Ok(out)
}

fn rename_exports(body: &[u8], names: &mut Vec<(String, String)>) -> Result<Vec<u8>> {
    let mut r = Reader { b: body, i: 0 };
    let mut out = Vec::new();
    let count = r.leb()?;
    leb(&mut out, count);
    for _ in 0..count {
        let old = r.name()?;
        let kind = r.byte()?;
        let index = r.leb()?;
        let short = short_name(names.len());
        names.push((old.to_owned(), short.clone()));
        name(&mut out, &short);
        out.push(kind);
        leb(&mut out, index);
    }
    if r.i != body.len() {
        bail!("export section has trailing bytes");
    }
    Ok(out)
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.b.get(self.i).context("truncated WebAssembly")?;
        self.i += 1;
        Ok(b)
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let s = self
            .b
            .get(self.i..self.i + n)
            .context("truncated WebAssembly")?;
        self.i += n;
        Ok(s)
    }
    fn leb(&mut self) -> Result<u64> {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                bail!("LEB128 number too long");
            }
        }
    }
    fn name(&mut self) -> Result<&'a str> {
        let n = self.leb()? as usize;
        std::str::from_utf8(self.take(n)?).context("name is not UTF-8")
    }
    /// Table and memory limits: flags, minimum, and a maximum when flag bit 0 is set.
    fn limits(&mut self) -> Result<()> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 != 0 {
            self.leb()?;
        }
        Ok(())
    }
}

fn leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn name(out: &mut Vec<u8>, s: &str) {
    leb(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// Replaces `old` where it stands as a whole identifier and is followed by `then`; fails when
/// there is no such place, as the glue uses every name it imports or exports.
fn replace_ident(text: &str, old: &str, new: &str, then: &str) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in text.match_indices(old) {
        let after = &text[at + old.len()..];
        let whole = !text[..at].chars().last().is_some_and(is_ident)
            && !after.starts_with(is_ident)
            && after.starts_with(then);
        if whole && at >= last {
            out.push_str(&text[last..at]);
            out.push_str(new);
            last = at + old.len();
        }
    }
    if last == 0 {
        bail!("the glue does not name `{old}`; wasm-bindgen changed its output");
    }
    out.push_str(&text[last..]);
    Ok(out)
}

fn replace_all(text: &str, old: &str, new: &str) -> Result<String> {
    if !text.contains(old) {
        bail!("the glue does not name `{old}`; wasm-bindgen changed its output");
    }
    Ok(text.replace(old, new))
}

fn contains_ident(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().last();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing `fields` from `glue` and `env.keep`, exporting the first import as each
    /// of `exports`.
    fn module(glue: &str, fields: &[&str], exports: &[&str]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        let section = |m: &mut Vec<u8>, id: u8, body: Vec<u8>| {
            m.push(id);
            leb(m, body.len() as u64);
            m.extend(body);
        };
        section(&mut m, 1, vec![1, 0x60, 0, 0]);
        let mut imports = Vec::new();
        leb(&mut imports, fields.len() as u64 + 1);
        for f in fields {
            name(&mut imports, glue);
            name(&mut imports, f);
            imports.extend([0, 0]);
        }
        name(&mut imports, "env");
        name(&mut imports, "keep");
        imports.extend([0, 0]);
        section(&mut m, IMPORT_SECTION, imports);
        let mut body = Vec::new();
        leb(&mut body, exports.len() as u64);
        for e in exports {
            name(&mut body, e);
            body.extend([0, 0]);
        }
        section(&mut m, EXPORT_SECTION, body);
        m
    }

    fn check(glue: &str, expected_glue: &str) {
        let fields = ["__wbg_f_1a", "__wbg_f_1ab"];
        let wasm = module(GLUE_MODULE, &fields, &["mount", "__wbindgen_free"]);
        let (wasm, glue) = shorten(&wasm, glue).unwrap();
        assert_eq!(glue, expected_glue);
        assert_eq!(wasm, module("w", &["a", "b"], &["a", "b"]));
    }

    #[test]
    fn renames_imports_exports_and_the_glue_that_names_them() {
        check(
            "const i = { \"./solodesk_widget_bg.js\": { __wbg_f_1a: function() {}, __wbg_f_1ab: x } };\n\
             wasm.mount(); wasm.__wbindgen_free(p); other.mount; __wbg_f_1a_z;",
            "const i = { \"w\": { a: function() {}, b: x } };\n\
             wasm.a(); wasm.b(p); other.mount; __wbg_f_1a_z;",
        );
    }

    #[test]
    fn fails_when_the_glue_does_not_provide_an_import() {
        let wasm = module(GLUE_MODULE, &["__wbg_f_1a"], &[]);
        let glue = "const i = { \"./solodesk_widget_bg.js\": { __wbg_other: 1 } };";
        assert!(shorten(&wasm, glue).is_err());
    }

    #[test]
    fn fails_when_an_old_name_is_left_in_the_glue() {
        let wasm = module(GLUE_MODULE, &["__wbg_f_1a"], &[]);
        let glue = "{ \"./solodesk_widget_bg.js\": { __wbg_f_1a: f } }; g(__wbg_f_1a);";
        assert!(shorten(&wasm, glue).is_err());
    }

    #[test]
    fn short_names_count_in_letters() {
        let names: Vec<String> = [0, 25, 26, 51, 52, 53].map(short_name).into();
        assert_eq!(names, ["a", "z", "A", "Z", "aa", "ab"]);
    }
}
