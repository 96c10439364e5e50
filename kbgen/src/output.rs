//! Writes a built site atomically: into a fresh sibling folder first, then swapped into place,
//! so a failed or killed build never leaves a half-written site where the old one was.
//!
//! It also decides which folders kbgen may replace at all ([`check_out`]): the output folder is
//! replaced as a whole, so naming the wrong one must never cost the owner their files.
//!
//! **Invariant:** at every instant `out` holds either the previous complete site or the new one.
//! Where the platform can exchange two names in one step (Linux `renameat2(RENAME_EXCHANGE)`,
//! macOS `renameatx_np`), that is how the new site goes in. Elsewhere the old site is moved aside
//! first; a build killed at that moment leaves it as `.<out>.kbgen-old-*`, and the next build puts
//! it back before anything else.

use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

/// The file every output folder carries, so a later build knows the folder is kbgen's to replace.
pub const MARKER: &str = ".kbgen-output";
const MARKER_TEXT: &str =
    "This folder was written by `kbgen build`; each build replaces all of it.\n";
/// Folders of version control: a folder holding one is never replaced, whatever the flags.
const VCS_DIRS: &[&str] = &[".git", ".hg", ".svn"];
/// Folders of the knowledge base that the output folder may never be nor hold.
const KB_SOURCES: &[&str] = &["articles", "images", "theme", "kbgen.toml"];

/// Refuses an output folder that kbgen must not replace. `force` lets an owner replace a folder
/// that is neither empty nor kbgen's own; nothing lets kbgen replace the knowledge base, a folder
/// holding it or a version-control folder, the current folder or its parents, or the home folder.
pub fn check_out(out: &Path, kb: &Path, force: bool) -> Result<()> {
    let shown = out.display();
    let out_abs = resolve(out);
    let kb_abs = resolve(kb);
    let what_to_do = "kbgen replaces the whole output folder; choose another --out, such as a new `out` folder inside the knowledge base";
    if kb_abs.starts_with(&out_abs) {
        bail!("{shown}: --out is the knowledge-base folder or a folder holding it; {what_to_do}");
    }
    if let Ok(cwd) = std::env::current_dir().and_then(|c| c.canonicalize()) {
        if cwd.starts_with(&out_abs) {
            bail!("{shown}: --out is the current folder or one of its parents; {what_to_do}");
        }
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        if resolve(Path::new(&home)).starts_with(&out_abs) {
            bail!("{shown}: --out is the home folder or one of its parents; {what_to_do}");
        }
    }
    for name in KB_SOURCES {
        let source = kb_abs.join(name);
        if source.exists() && source.starts_with(&out_abs) {
            bail!("{shown}: --out holds the knowledge base's `{name}`; {what_to_do}",);
        }
    }
    let meta = match std::fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => bail!("{shown}: cannot read the output folder: {}", plain_io(&e)),
    };
    if meta.file_type().is_symlink() {
        bail!("{shown}: --out is a symbolic link; give the folder it points to, or another folder");
    }
    if !meta.is_dir() {
        bail!("{shown}: --out exists and is not a folder; choose another --out");
    }
    // One walk, without following links, for what may never be replaced.
    let inside_kb = out_abs.starts_with(&kb_abs);
    let mut empty = true;
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let Ok(entry) = entry else { continue };
        empty = false;
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_dir() && VCS_DIRS.contains(&name.as_ref()) {
            bail!(
                "{}: --out holds a version-control folder; kbgen never replaces such a folder, whatever the flags (build into another folder and copy the files)",
                entry.path().display()
            );
        }
        let article = inside_kb
            && entry.file_type().is_file()
            && entry
                .path()
                .extension()
                .is_some_and(|e| ["md", "mdx", "markdown"].iter().any(|m| e == *m));
        if name == crate::load::CONFIG_FILE || article {
            bail!(
                "{}: --out holds knowledge-base sources (articles or kbgen.toml); kbgen never replaces such a folder, whatever the flags",
                entry.path().display()
            );
        }
    }
    if empty || out.join(MARKER).is_file() || force {
        if force && !empty && !out.join(MARKER).is_file() {
            eprintln!("note: --force: replacing {shown}, which kbgen did not build");
        }
        return Ok(());
    }
    bail!(
        "{shown}: --out is not empty and was not built by kbgen (it has no {MARKER} file); kbgen replaces the whole output folder, so it only writes into an empty folder or one it built. Choose another --out, empty this folder, or pass --force to replace everything in it"
    )
}

/// `p` made absolute with its existing part's symlinks resolved, so that two names of one folder
/// compare equal; the part that does not exist yet is normalized lexically.
fn resolve(p: &Path) -> PathBuf {
    let abs = std::env::current_dir().map_or_else(|_| p.to_path_buf(), |c| c.join(p));
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            let mut out = c;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(n) => out.push(n),
                    _ => {}
                }
            }
            return out;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return abs,
        }
    }
}

/// An I/O error's text without Rust's "(os error N)" suffix.
pub fn plain_io(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Aborts the process at a named point when `KBGEN_FAULT` says so, the way a kill at that instant
/// would; the atomicity tests use it to stop a build exactly between two steps.
fn fault_point(name: &str) {
    if std::env::var("KBGEN_FAULT").is_ok_and(|f| f == name) {
        eprintln!("KBGEN_FAULT={name}: aborting here");
        std::process::abort();
    }
}

/// Writes `files` and copies `copies` into `out` via a temporary sibling; `extra` may add files
/// (e.g. the widget bundle) to the temporary folder before the swap. Every file gets its
/// precompressed siblings ([`pack`], at [`Effort::Best`]), also before the swap, so they always
/// match.
pub fn write_atomic(
    out: &Path,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
    copies: &std::collections::BTreeMap<String, PathBuf>,
    extra: impl FnOnce(&Path) -> Result<()>,
) -> Result<Precompressed> {
    write_atomic_with(out, files, copies, extra, Effort::Best)
}

/// [`write_atomic`] with the compression effort chosen.
pub fn write_atomic_with(
    out: &Path,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
    copies: &std::collections::BTreeMap<String, PathBuf>,
    extra: impl FnOnce(&Path) -> Result<()>,
    effort: Effort,
) -> Result<Precompressed> {
    let (parent, name) = parent_and_name(out);
    std::fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;
    let tmp = parent.join(format!(".{name}.kbgen-tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.kbgen-old-{}", std::process::id()));
    recover_and_clean(out, &parent, &name)?;
    let result = (|| -> Result<Precompressed> {
        std::fs::create_dir(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        // The marker goes first, so that even a leftover of a killed build is recognisably ours.
        std::fs::write(tmp.join(MARKER), MARKER_TEXT)
            .with_context(|| format!("writing {}", tmp.join(MARKER).display()))?;
        // Folders first, then every file on all cores, each compressed from memory as it is
        // written: no second pass reads the site back.
        let folders: std::collections::BTreeSet<&Path> = files
            .keys()
            .chain(copies.keys())
            .filter_map(|rel| Path::new(rel).parent())
            .collect();
        for dir in folders {
            let dir = tmp.join(dir);
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let mut largest_first: Vec<(&String, &Vec<u8>)> = files.iter().collect();
        largest_first.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(b.0)));
        let written = parallel_each(&largest_first, |(rel, bytes)| -> Result<Option<Packed>> {
            let path = tmp.join(rel);
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
            if effort == Effort::Preview || !worth_packing(&path, bytes.len() as u64) {
                return Ok(None);
            }
            pack(&path, Path::new(rel), bytes, out).map(Some)
        });
        for (rel, src) in copies {
            let path = tmp.join(rel);
            std::fs::copy(src, &path)
                .with_context(|| format!("copying {} to {}", src.display(), path.display()))?;
        }
        extra(&tmp)?;
        let done: std::collections::HashSet<PathBuf> =
            files.keys().map(|rel| tmp.join(rel)).collect();
        let rest = precompress(&tmp, out, effort, &done)?;
        tally(written.into_iter().chain(rest))
    })();
    let packed = match result {
        Ok(packed) => packed,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    fault_point("before-swap");
    match std::fs::symlink_metadata(out) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            let _ = std::fs::remove_dir_all(&tmp);
            bail!("{}: exists and is not a folder", out.display());
        }
        Err(_) => {
            // Nothing to replace: one rename puts the new site in place.
            if let Err(e) = std::fs::rename(&tmp, out) {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e).with_context(|| format!("moving the new site to {}", out.display()));
            }
            return Ok(packed);
        }
    }
    if !forced_two_step() {
        match exchange(&tmp, out) {
            Ok(true) => {
                // `tmp` now holds the previous site.
                fault_point("after-swap");
                let _ = std::fs::remove_dir_all(&tmp);
                return Ok(packed);
            }
            Ok(false) => {}
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e).with_context(|| format!("moving the new site to {}", out.display()));
            }
        }
    }
    // Without an exchange: the old site moves aside, the new one takes its name, then the old one
    // goes. A kill between the two renames is repaired by the next build's `recover_and_clean`.
    if let Err(e) = std::fs::rename(out, &old) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e).with_context(|| format!("moving the previous {} aside", out.display()));
    }
    fault_point("after-move-aside");
    if let Err(e) = std::fs::rename(&tmp, out) {
        let _ = std::fs::rename(&old, out);
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e).with_context(|| format!("moving the new site to {}", out.display()));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(packed)
}

/// Replaces a few files of a site written by [`write_atomic_with`] at [`Effort::Preview`] (no
/// siblings) where it stands, for `kbgen serve` after an edit: each file is written beside its
/// place and renamed over it, so a request meets the old file or the new one, never half of one.
pub fn update_in_place(
    out: &Path,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
    copies: &std::collections::BTreeMap<String, PathBuf>,
) -> Result<()> {
    let put = |rel: &str, bytes: &[u8]| -> Result<()> {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let tmp = with_ext(&path, "kbgen-new");
        std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))
    };
    for (rel, bytes) in files {
        put(rel, bytes)?;
    }
    for (rel, src) in copies {
        let bytes = std::fs::read(src).with_context(|| format!("reading {}", src.display()))?;
        put(rel, &bytes)?;
    }
    Ok(())
}

/// Extensions of the files that get precompressed siblings: text, WebAssembly, and the engine's
/// binary formats (index, shards, passages), which compress 2–4×. Other images are compressed
/// already.
const COMPRESSIBLE: &[&str] = &[
    "html", "css", "js", "mjs", "wasm", "json", "xml", "svg", "txt", "bin",
];
/// Below this a sibling saves a few hundred bytes, less than the request's own headers.
pub const MIN_COMPRESS: u64 = 1024;
/// How hard a file is packed. Brotli's best quality (11) packs half a megabyte to a megabyte per
/// second and core; quality 5 packs ten times more for about 10% more bytes. Gzip's level 9 takes
/// 40% longer than its default level 6 for 1.2% fewer bytes (measured on a 10,000-article site's
/// per-article files: 3.7 against 2.4 s of CPU). What every visitor fetches (the widget on open,
/// the shared stylesheet and scripts, each language's search index) gets [`Level::BEST`], both
/// siblings. The per-article files (pages, passages, fragments, shards), fetched one at a time but
/// the bulk of a large site, get [`Level::FAST`]: a gzip sibling only. At quality 5, brotli made
/// them no smaller than gzip 6 (widget passages and bodies 0.370 of their size either way, pages
/// 0.289 against 0.302) for twice gzip's time, a quarter of a 50,000-article build; and every
/// browser and every host that serves siblings takes gzip. The level follows from a file's path
/// alone, so a file compresses to the same bytes whatever else the site holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Level {
    /// Brotli's quality, or no brotli sibling.
    brotli: Option<i32>,
    gzip: u32,
}

impl Level {
    const BEST: Level = Level {
        brotli: Some(11),
        gzip: 9,
    };
    const FAST: Level = Level {
        brotli: None,
        gzip: 6,
    };
}

/// How hard [`precompress`] works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// For `kbgen build`: [`Level::BEST`] for what every visitor fetches, [`Level::FAST`] for the
    /// rest.
    Best,
    /// For `kbgen serve`, whose first build must be quick: no siblings (compressing every page
    /// was most of a 10,000-article preview's first build); the preview compresses what it sends
    /// on request instead ([`compress_as`]).
    Preview,
}

/// What [`precompress`] wrote: files with a sibling, and their bytes raw, brotli and gzip.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Precompressed {
    pub files: usize,
    pub raw: u64,
    pub br: u64,
    pub gz: u64,
}

/// A file's compressed forms, `None` where one would not be smaller by a tenth.
struct Siblings {
    br: Option<Vec<u8>>,
    gz: Option<Vec<u8>>,
}

/// [`pack`]s every file of `dir` that is not `done` (written and packed already) and has no
/// siblings yet (the widget bundle comes with its own), on all cores, largest first: the copied
/// files and those the build adds.
fn precompress(
    dir: &Path,
    previous: &Path,
    effort: Effort,
    done: &std::collections::HashSet<PathBuf>,
) -> Result<Vec<Result<Option<Packed>>>> {
    if effort == Effort::Preview {
        return Ok(Vec::new());
    }
    let mut todo: Vec<(PathBuf, u64)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && !done.contains(e.path()))
        .filter_map(|e| Some((e.path().to_path_buf(), e.metadata().ok()?.len())))
        .filter(|(path, len)| worth_packing(path, *len))
        // The widget bundle comes with its siblings, made once when kbgen was compiled.
        .filter(|(p, _)| !with_ext(p, "br").exists() && !with_ext(p, "gz").exists())
        .collect();
    todo.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(parallel_each(&todo, |(path, _)| {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        pack(
            path,
            path.strip_prefix(dir).unwrap_or(path),
            &bytes,
            previous,
        )
        .map(Some)
    }))
}

/// Whether a file of `len` bytes at `path` gets siblings: compressible and at least
/// [`MIN_COMPRESS`] bytes.
fn worth_packing(path: &Path, len: u64) -> bool {
    len >= MIN_COMPRESS && compressible(path)
}

/// A file's raw size and its siblings' sizes, as [`pack`] wrote them.
type Packed = (u64, Option<u64>, Option<u64>);

/// Writes `<file>.gz` (gzip) and, for what every visitor fetches, `<file>.br` (brotli) beside
/// the file at `path` (`rel` in the site) holding `bytes`, at the file's [`Level`], each only
/// when it is at most 90% of the original: hosts that serve precompressed siblings (nginx
/// `gzip_static`/`brotli_static`, Caddy `precompressed`, GitLab Pages, `kbgen serve`) send them
/// to browsers that accept them, at a quality no host spends on the fly. A file the same as in `previous` (the site being replaced) takes that site's siblings
/// once they are checked to decompress to it, so a rebuild compresses only what changed (the
/// widget's WebAssembly never does).
fn pack(path: &Path, rel: &Path, bytes: &[u8], previous: &Path) -> Result<Packed> {
    let level = if every_visitor(rel) {
        Level::BEST
    } else {
        Level::FAST
    };
    let siblings = reuse(&previous.join(rel), bytes).unwrap_or_else(|| compress(bytes, level));
    for (ext, data) in [("br", &siblings.br), ("gz", &siblings.gz)] {
        if let Some(data) = data {
            let sibling = with_ext(path, ext);
            std::fs::write(&sibling, data)
                .with_context(|| format!("writing {}", sibling.display()))?;
        }
    }
    let len = |d: &Option<Vec<u8>>| d.as_ref().map(|d| d.len() as u64);
    Ok((bytes.len() as u64, len(&siblings.br), len(&siblings.gz)))
}

/// What was packed, in all; the first error, if any.
fn tally(packed: impl IntoIterator<Item = Result<Option<Packed>>>) -> Result<Precompressed> {
    let mut done = Precompressed::default();
    for result in packed {
        let Some((raw, br, gz)) = result? else {
            continue;
        };
        if br.is_some() || gz.is_some() {
            done.files += 1;
            done.raw += raw;
            done.br += br.unwrap_or(raw);
            done.gz += gz.unwrap_or(raw);
        }
    }
    Ok(done)
}

/// Whether every visitor of the widget or the help center fetches this file (relative to the
/// output folder): the widget's bundle, its configuration and index, each language's search
/// index (`index.<lang>.bin`), the shared assets.
fn every_visitor(rel: &Path) -> bool {
    let top = rel.components().next().map(|c| c.as_os_str());
    let name = rel.to_string_lossy();
    (top == Some("widget".as_ref()) && !rel.starts_with("widget/articles"))
        || top == Some("assets".as_ref())
        || (rel.components().count() == 1 && name.starts_with("index.") && name.ends_with(".bin"))
        || rel == Path::new("widget-config.json")
}

/// `path` with `.ext` added to its name.
fn with_ext(path: &Path, ext: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{ext}"));
    PathBuf::from(name)
}

/// The siblings of `previous` (a file of the site being replaced) when it holds exactly `bytes`
/// and its siblings decompress to them; a plain file only, never one behind a link.
fn reuse(previous: &Path, bytes: &[u8]) -> Option<Siblings> {
    let plain = |p: &Path, len: Option<u64>| {
        std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file() && len.is_none_or(|l| m.len() == l))
    };
    if !plain(previous, Some(bytes.len() as u64)) || std::fs::read(previous).ok()? != bytes {
        return None;
    }
    let mut found = Siblings { br: None, gz: None };
    for ext in ["br", "gz"] {
        let sibling = with_ext(previous, ext);
        if !plain(&sibling, None) {
            continue;
        }
        let data = std::fs::read(&sibling).ok()?;
        let mut plain_text = Vec::with_capacity(bytes.len());
        let read = if ext == "br" {
            brotli::Decompressor::new(&data[..], 4096)
                .take(bytes.len() as u64 + 1)
                .read_to_end(&mut plain_text)
        } else {
            flate2::read::GzDecoder::new(&data[..])
                .take(bytes.len() as u64 + 1)
                .read_to_end(&mut plain_text)
        };
        if read.is_err() || plain_text != bytes {
            return None;
        }
        if ext == "br" {
            found.br = Some(data);
        } else {
            found.gz = Some(data);
        }
    }
    // A file that had no siblings at all is compressed afresh: the rules may have changed.
    (found.br.is_some() || found.gz.is_some()).then_some(found)
}

/// Whether a file's name says it is worth compressing (see [`COMPRESSIBLE`]).
pub fn compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSIBLE.contains(&e))
}

fn compress(bytes: &[u8], level: Level) -> Siblings {
    Siblings {
        br: level.brotli.and_then(|quality| brotli_at(bytes, quality)),
        gz: gzip(bytes, level.gzip),
    }
}

/// Brotli's quality for what is compressed on request ([`compress_as`]): ten times faster than
/// the best, about 10% larger.
const ON_THE_FLY_BROTLI: i32 = 5;

/// `bytes` in `coding` (`br` at [`ON_THE_FLY_BROTLI`], or `gzip` at the level of the per-article
/// files), as a host that compresses on the fly sends them: for `kbgen serve`, which writes no
/// siblings.
pub fn compress_as(bytes: &[u8], coding: &str) -> Option<Vec<u8>> {
    match coding {
        "br" => brotli_at(bytes, ON_THE_FLY_BROTLI),
        "gzip" => gzip(bytes, Level::FAST.gzip),
        _ => None,
    }
}

/// Kept only when it saves at least a tenth: a host then sends the original, which it can also
/// serve for byte ranges, for little more.
fn worth(packed: Vec<u8>, bytes: &[u8]) -> Option<Vec<u8>> {
    (packed.len() * 10 <= bytes.len() * 9).then_some(packed)
}

fn brotli_at(bytes: &[u8], quality: i32) -> Option<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality,
        size_hint: bytes.len(),
        lgwin: window_bits(bytes.len()),
        ..Default::default()
    };
    let mut br = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &params).ok()?;
    worth(br, bytes)
}

/// Brotli's window for `len` bytes: the smallest that holds them, from 2^18 up to the default 2^22.
/// The encoder zeroes its whole window for every file, which for the default was a tenth of a
/// build's time (most files are a few kilobytes); a window no smaller than the file packs it as
/// small. Below 2^17 brotli picks another match finder, which was 17 times slower at quality
/// 5 on dify-docs' files.
fn window_bits(len: usize) -> i32 {
    let bits = usize::BITS - len.saturating_sub(1).leading_zeros();
    bits.clamp(18, 22) as i32
}

fn gzip(bytes: &[u8], level: u32) -> Option<Vec<u8>> {
    // flate2's gzip header has no file name and a zero time, so the same input gives the same
    // bytes, like everything else a build writes.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    gz.write_all(bytes).ok()?;
    worth(gz.finish().ok()?, bytes)
}

/// Runs `f` on every item on all cores (at most 8 threads), each thread taking the next item as
/// it finishes one, so one big file does not leave the other cores idle; results in order.
fn parallel_each<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
        .min(items.len());
    if threads < 2 {
        return items.iter().map(&f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// `KBGEN_FAULT=after-move-aside` asks for the two-rename swap that platforms without an exchange
/// use, so that its crash recovery is tested on every platform.
fn forced_two_step() -> bool {
    std::env::var("KBGEN_FAULT").is_ok_and(|f| f == "after-move-aside")
}

/// Exchanges the names `a` and `b` in one step; `Ok(false)` when the platform or file system
/// cannot, and the caller falls back to two renames.
#[cfg(any(target_os = "linux", target_os = "macos"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if [Errno::INVAL, Errno::NOSYS, Errno::NOTSUP, Errno::OPNOTSUPP].contains(&e) => {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

fn parent_and_name(out: &Path) -> (PathBuf, String) {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    (parent, name)
}

/// Repairs what a killed build left: run first by every build, before anything can fail, so
/// that the previous site is back in `out` even when this build stops on errors.
pub fn recover(out: &Path) -> Result<()> {
    let (parent, name) = parent_and_name(out);
    recover_and_clean(out, &parent, &name)
}

/// Before a build: when a killed build left `out` missing and the previous site aside, puts it
/// back; then removes the temporary folders of killed builds.
fn recover_and_clean(out: &Path, parent: &Path, name: &str) -> Result<()> {
    let tmp_prefix = format!(".{name}.kbgen-tmp-");
    let old_prefix = format!(".{name}.kbgen-old-");
    let mut leftovers: Vec<PathBuf> = std::fs::read_dir(parent)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            (n.starts_with(&tmp_prefix) || n.starts_with(&old_prefix))
                && e.file_type().is_ok_and(|t| t.is_dir())
        })
        .map(|e| e.path())
        .collect();
    leftovers.sort();
    if std::fs::symlink_metadata(out).is_err() {
        let aside = leftovers.iter().position(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&old_prefix))
        });
        if let Some(i) = aside {
            let old = leftovers.remove(i);
            std::fs::rename(&old, out).with_context(|| {
                format!(
                    "restoring the previous site from {} to {}",
                    old.display(),
                    out.display()
                )
            })?;
            eprintln!(
                "note: an earlier build was interrupted; restored the previous site to {}",
                out.display()
            );
        }
    }
    for p in leftovers {
        let _ = std::fs::remove_dir_all(p);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What every visitor fetches gets the strongest compression: each language's search index
    /// too, not its shards (fetched by some searches) or an article's passages.
    #[test]
    fn every_visitor_files() {
        for (rel, every) in [
            ("index.bin", true),
            ("index.zh.bin", true),
            ("index-1a2b3c4d-0.bin", false),
            ("widget-config.json", true),
            ("widget/solodesk.js", true),
            ("widget/articles/en/refunds.bin", false),
            ("en/index.html", false),
        ] {
            assert_eq!(every_visitor(Path::new(rel)), every, "{rel}");
        }
    }

    /// Brotli's window holds the whole file up to the default 4 MiB, never below 256 KiB, and
    /// what it packs unpacks to the file.
    #[test]
    fn brotli_window_fits_the_file() {
        for (len, bits) in [
            (0, 18),
            (1_000, 18),
            (1 << 18, 18),
            ((1 << 18) + 1, 19),
            (3_000_000, 22),
            (1 << 22, 22),
            (50_000_000, 22),
        ] {
            assert_eq!(window_bits(len), bits, "{len} bytes");
        }
        let text: Vec<u8> = (0..400_000u32)
            .flat_map(|i| format!("{} ", i.wrapping_mul(2_654_435_761) % 9_973).into_bytes())
            .collect();
        let packed = brotli_at(&text, ON_THE_FLY_BROTLI).expect("text packs");
        let mut unpacked = Vec::new();
        brotli::Decompressor::new(&packed[..], 4096)
            .read_to_end(&mut unpacked)
            .expect("unpacks");
        assert_eq!(unpacked, text);
    }
}
