//! `kbgen serve`: builds into a temporary folder, serves it on 127.0.0.1, rebuilds when a file
//! of the knowledge base changes and tells open pages to reload, or shows them the errors of a
//! build that failed. Also serves `/_demo/`, a page of "the owner's site" with the widget pasted
//! in, to try the widget as visitors will meet it.
//!
//! The answers carry the headers of the output's own `_headers` file (`headers.rs`), so the
//! preview behaves as a correct host would, CORS and CSP included; only `Cache-Control` differs,
//! `no-store` everywhere, so an edit always shows. It answers only requests addressed to a
//! loopback name, so a web page whose domain is pointed at 127.0.0.1 (DNS rebinding) cannot read
//! the preview, and never a file outside the output folder.

mod encoding;
mod headers;
mod http;

use crate::diag::{Diagnostics, Severity};
use crate::load::{self, Kb};
use crate::{output, pipeline, site, widget_bundle};
use anyhow::{Context, Result};
use http::{Request, Response};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};

pub fn run(dir: &Path, port: u16) -> Result<ExitCode> {
    if !dir.is_dir() {
        anyhow::bail!("{}: not a folder", dir.display());
    }
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    let port = listener.local_addr().map_or(port, |a| a.port());
    let base_url = format!("http://127.0.0.1:{port}/");
    clear_stale_builds();
    let out = std::env::temp_dir().join(format!("kbgen-serve-{}", std::process::id()));
    // Ctrl-C (or a SIGTERM) removes this run's build before exiting; only a kill that gives no
    // chance to clean up leaves it, for `clear_stale_builds` on the next start.
    let _ = ctrlc::set_handler({
        let out = out.clone();
        move || {
            // A build being written would put the folder back after its removal: it ends first.
            let _writing = writing();
            remove_build(&out);
            std::process::exit(130);
        }
    });
    // Watching starts before the first build, so a change made while it runs (or right after the
    // URL is printed) is never missed.
    let changes = Changes::watch(dir);
    let preview = Arc::new(Preview {
        dir: dir.to_path_buf(),
        out,
        base_url,
        port,
        status: Mutex::new(Status::default()),
        live: Mutex::new(Live::default()),
        packed: Mutex::default(),
        wanted: (Mutex::new(false), Condvar::new()),
    });
    preview.rebuild();
    // Written without panicking: whoever started us may have closed our stdout already.
    // The desk's page is named only where there is a desk (`kbgen desk sync` made one).
    let desk = if crate::desk::exists(dir) {
        format!("; your desk: {}_desk/", preview.base_url)
    } else {
        String::new()
    };
    let _ = writeln!(
        std::io::stdout(),
        "serving {} at {base}  (demo of your site with the widget: {base}_demo/{desk})\npress Ctrl-C to stop",
        dir.display(),
        base = preview.base_url,
    );

    // An edit to an article is shown at once (`Preview::edit`); the full build that brings the
    // rest of the site (index, lists, feeds) up to date follows on a thread of its own, so the
    // next edit never waits for it.
    let builder = Arc::clone(&preview);
    std::thread::spawn(move || loop {
        builder.wait_for_work();
        builder.rebuild();
    });
    let watched = Arc::clone(&preview);
    std::thread::spawn(move || {
        let mut changes = changes;
        loop {
            let paths = changes.wait(&watched.dir);
            watched.edit(&paths);
            watched.want_rebuild();
        }
    });

    http::serve(listener, move |request| preview.respond(request));
    Ok(ExitCode::SUCCESS)
}

/// What the live-reload script polls: the number of the last change shown, the errors of the
/// last build when it failed (the page keeps showing the last good one under them), and whether
/// the whole site (index, lists, feeds) has caught up with the last change.
#[derive(Debug, Default)]
struct Status {
    version: u64,
    errors: Option<String>,
    complete: bool,
}

struct Preview {
    dir: PathBuf,
    out: PathBuf,
    base_url: String,
    port: u16,
    status: Mutex<Status>,
    live: Mutex<Live>,
    /// Files compressed on request, by path and coding, with the bytes they were made from.
    packed: Mutex<Packed>,
    /// Whether a full build is wanted, for the thread that makes them.
    wanted: (Mutex<bool>, Condvar),
}

/// See `Preview::compressed`.
type Packed = HashMap<(PathBuf, &'static str), (Vec<u8>, Option<Arc<Vec<u8>>>)>;

/// What an edit is rendered from between full builds.
#[derive(Default)]
struct Live {
    /// The knowledge base the last full build loaded, with the articles edited since read again.
    kb: Option<Kb>,
    /// Each article's summary, for the links on an edited page (see `site::Partial`).
    summaries: Arc<HashMap<PathBuf, String>>,
    /// The number of the last change seen.
    change: u64,
    /// The edits shown since the full build began that was last started, to show again over
    /// it: it may have loaded the knowledge base before they were made.
    edits: Vec<Edit>,
    /// A hash of each page being served, to tell whether a full build shows anything new.
    pages: HashMap<String, u64>,
}

/// An edit shown ahead of the full build: the articles read again and the files written.
struct Edit {
    change: u64,
    paths: Vec<PathBuf>,
    files: BTreeMap<String, Vec<u8>>,
    copies: BTreeMap<String, PathBuf>,
    summaries: HashMap<PathBuf, String>,
}

impl Edit {
    /// Writes its files over the served ones and notes what they now show: their pages' hashes
    /// and the edited articles' summaries.
    fn show(
        &self,
        out: &Path,
        pages: &mut HashMap<String, u64>,
        summaries: &mut Arc<HashMap<PathBuf, String>>,
    ) -> Result<()> {
        {
            let _writing = writing();
            output::update_in_place(out, &self.files, &self.copies)?;
        }
        pages.extend(page_hashes(&self.files));
        Arc::make_mut(summaries).extend(self.summaries.clone());
        Ok(())
    }
}

impl Preview {
    fn want_rebuild(&self) {
        let (wanted, signal) = &self.wanted;
        *lock(wanted) = true;
        signal.notify_one();
    }

    fn wait_for_work(&self) {
        let (wanted, signal) = &self.wanted;
        let mut w = lock(wanted);
        while !*w {
            w = signal.wait(w).unwrap_or_else(|e| e.into_inner());
        }
        *w = false;
    }

    /// Builds the whole site into the output folder and puts the edits made meanwhile back over
    /// it; the page reloads when a page differs from what it showed.
    fn rebuild(&self) {
        let start = lock(&self.live).change;
        let result = rebuild(&self.dir, &self.out, &self.pipeline_options());
        let mut live = lock(&self.live);
        let mut status = lock(&self.status);
        // Failed or not, this build has seen every change up to its start.
        status.complete = live.change == start;
        let Ok(mut done) = result.map_err(|errors| status.errors = Some(errors)) else {
            return;
        };
        live.edits.retain(|e| e.change > start);
        for e in &live.edits {
            for path in &e.paths {
                // Unreadable now: the next full build, which this edit asked for, tells.
                let _ = load::reload_article(&mut done.kb, path);
            }
            if let Err(err) = e.show(&self.out, &mut done.pages, &mut done.summaries) {
                eprintln!("error: {err:#}");
            }
        }
        if done.pages != live.pages || status.errors.is_some() || status.version == 0 {
            status.version += 1;
        }
        status.errors = None;
        lock(&self.packed).clear();
        live.kb = Some(done.kb);
        live.summaries = done.summaries;
        live.pages = done.pages;
    }

    /// Shows an edit to articles at once: when every changed file is an article that keeps its
    /// address and language, only its own pages are rendered (links to the others reuse what
    /// the last build knew) and written over the served ones. Anything else (a new or removed
    /// file, the settings, rules, theme, images, an edit with errors) waits for the full build.
    fn edit(&self, paths: &[PathBuf]) {
        let start = std::time::Instant::now();
        let mut live = lock(&self.live);
        live.change += 1;
        let change = live.change;
        {
            let mut status = lock(&self.status);
            status.complete = false;
            if status.errors.is_some() || paths.is_empty() {
                return;
            }
        }
        let summaries = Arc::clone(&live.summaries);
        let Some(kb) = live.kb.as_mut() else {
            return;
        };
        let mut diags = Diagnostics::default();
        let mut edited = Vec::new();
        for path in paths {
            if !path.exists() && !kb.articles.iter().any(|a| a.path == *path) {
                // An editor's temporary file, come and gone.
                continue;
            }
            let (article, found) = match load::reload_article(kb, path) {
                Some(reloaded) => reloaded,
                None => return,
            };
            edited.push(article);
            diags.extend(found);
        }
        if edited.is_empty() {
            return;
        }
        let partial = site::Partial {
            paths: edited.iter().cloned().collect(),
            summaries,
        };
        let (site, found) = pipeline::render_partial(kb, &self.pipeline_options(), partial);
        diags.extend(found);
        if diags.errors() > 0 {
            return;
        }
        let edit = Edit {
            change,
            paths: edited,
            files: site.files,
            copies: site.copies,
            summaries: site.summaries,
        };
        let Live {
            pages, summaries, ..
        } = &mut *live;
        if let Err(e) = edit.show(&self.out, pages, summaries) {
            eprintln!("error: {e:#}");
            return;
        }
        let shown: Vec<&str> = edit
            .files
            .keys()
            .filter_map(|k| k.strip_suffix("index.html"))
            .collect();
        eprintln!("updated /{} in {:.0?}", shown.join(", /"), start.elapsed());
        live.edits.push(edit);
        lock(&self.status).version += 1;
    }

    fn pipeline_options(&self) -> pipeline::Options {
        pipeline::Options {
            base_url: Some(self.base_url.clone()),
            live_reload: true,
            widget: true,
            progress: false,
        }
    }

    fn respond(&self, request: &Request) -> Response {
        let mut response = self.route(request);
        response.set("Cache-Control", "no-store");
        response
    }

    fn route(&self, request: &Request) -> Response {
        match request.header("Host") {
            None => return Response::text(400, "no Host header"),
            Some(host) if !loopback_host(host, self.port) => {
                return Response::text(
                    421,
                    "kbgen serve answers only requests for 127.0.0.1, localhost or [::1] on its own port",
                )
            }
            Some(_) => {}
        }
        let path = request.target.split(['?', '#']).next().unwrap_or("");
        let method = request.method.as_str();
        if !matches!(method, "GET" | "HEAD" | "OPTIONS") {
            return Response::text(405, "only GET, HEAD and OPTIONS")
                .with("Allow", "GET, HEAD, OPTIONS");
        }
        match path {
            "/_kbgen/status" => {
                let status = lock(&self.status);
                let json = serde_json::json!({ "version": status.version, "errors": status.errors, "complete": status.complete });
                return Response::new(200, "application/json", json.to_string())
                    .with("X-Content-Type-Options", "nosniff");
            }
            "/_kbgen/livereload.js" => {
                return Response::new(200, "text/javascript; charset=utf-8", LIVE_RELOAD_JS)
                    .with("X-Content-Type-Options", "nosniff")
            }
            "/_demo/" | "/_demo" => {
                return Response::new(
                    200,
                    "text/html; charset=utf-8",
                    demo_page(&self.dir, &self.base_url),
                )
            }
            p if p == "/_desk" || p.starts_with("/_desk/") => {
                let (status, html) = crate::desk::dashboard_page(&self.dir, &request.target);
                return Response::new(status, "text/html; charset=utf-8", html)
                    .with("Content-Security-Policy", crate::desk::DASHBOARD_CSP);
            }
            _ => {}
        }
        let Some(rel) = request_path(path) else {
            return Response::text(400, "bad path");
        };
        let url_path = format!("/{}", rel.join("/"));
        let accept = request.header("Accept-Encoding").unwrap_or("");
        let mut response = match self.file(&rel, accept) {
            Some(found) => {
                let mut response = Response::new(200, content_type(&found.path), found.bytes);
                if let Some(coding) = found.coding {
                    response.set("Content-Encoding", coding);
                }
                if found.negotiated {
                    response.set("Vary", "Accept-Encoding");
                }
                response
            }
            None => self.not_found(),
        };
        if method == "OPTIONS" {
            response = Response::new(204, "text/plain", Vec::new())
                .with("Allow", "GET, HEAD, OPTIONS")
                .with("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
        }
        let rules = std::fs::read_to_string(self.out.join("_headers")).unwrap_or_default();
        for (name, value) in headers::Rules::parse(&rules).for_path(&url_path) {
            response.set(&name, &value);
        }
        response
    }

    /// The file of the output a request path names: a folder's `index.html`, and never anything
    /// outside the output folder, whatever symlinks it holds. Its bytes are those of its brotli or
    /// gzip sibling when one exists and `accept` (the request's `Accept-Encoding`) allows it, or
    /// compressed here (`Preview::compressed`).
    fn file(&self, rel: &[String], accept: &str) -> Option<Found> {
        let root = self.out.canonicalize().ok()?;
        let inside = |p: &Path| {
            p.canonicalize()
                .ok()
                .filter(|p| p.starts_with(&root) && p.is_file())
        };
        let mut path = root.clone();
        path.extend(rel);
        if path.is_dir() {
            path.push("index.html");
        }
        let path = inside(&path)?;
        let siblings: Vec<(&str, PathBuf)> = encoding::CODINGS
            .iter()
            .filter_map(|&(coding, ext)| {
                let mut name = path.clone().into_os_string();
                name.push(format!(".{ext}"));
                Some((coding, inside(Path::new(&name))?))
            })
            .collect();
        if siblings.is_empty() {
            return self.compressed(path, accept);
        }
        let available: Vec<&str> = siblings.iter().map(|(c, _)| *c).collect();
        let coding = encoding::choose(accept, &available);
        let source = siblings
            .iter()
            .find(|(c, _)| Some(*c) == coding)
            .map_or(&path, |(_, p)| p);
        let bytes = std::fs::read(source).ok()?;
        Some(Found {
            negotiated: true,
            path,
            bytes,
            coding,
        })
    }

    /// A file without siblings (the preview writes none but the widget's own): compressed here
    /// when it is worth it and the client accepts it, as a host that compresses on the fly does;
    /// each compressed file is kept until the next full build.
    fn compressed(&self, path: PathBuf, accept: &str) -> Option<Found> {
        let bytes = std::fs::read(&path).ok()?;
        if !output::compressible(&path) || (bytes.len() as u64) < output::MIN_COMPRESS {
            return Some(Found {
                negotiated: false,
                path,
                bytes,
                coding: None,
            });
        }
        let coding = encoding::choose(accept, &["br", "gzip"]);
        let packed = coding.and_then(|c| {
            let mut cache = lock(&self.packed);
            let key = (path.clone(), c);
            match cache.get(&key) {
                Some((original, packed)) if *original == bytes => packed.clone(),
                _ => {
                    let packed = output::compress_as(&bytes, c).map(Arc::new);
                    cache.insert(key, (bytes.clone(), packed.clone()));
                    packed
                }
            }
        });
        Some(Found {
            negotiated: true,
            path,
            coding: coding.filter(|_| packed.is_some()),
            bytes: packed.map_or(bytes, |p| p.to_vec()),
        })
    }

    fn not_found(&self) -> Response {
        let status = lock(&self.status);
        if let (Some(errors), false) = (&status.errors, self.out.join("index.html").is_file()) {
            // No build has succeeded yet: the errors, and the script that reloads once one does.
            let errors = errors
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            let page = format!("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Build failed</title>\n<script src=\"/_kbgen/livereload.js\" defer></script>\n</head>\n<body>\n<h1>The build failed</h1>\n<pre>{errors}</pre>\n</body>\n</html>\n");
            return Response::new(503, "text/html; charset=utf-8", page);
        }
        let page =
            std::fs::read(self.out.join("404.html")).unwrap_or_else(|_| b"not found".to_vec());
        Response::new(404, "text/html; charset=utf-8", page)
    }
}

/// A file of the output as `Preview::file` found it.
struct Found {
    /// The original's path, which gives the content type.
    path: PathBuf,
    /// The original's bytes, or compressed ones (its sibling's, or made on request) when `coding`
    /// is set.
    bytes: Vec<u8>,
    /// The `Content-Encoding` of `bytes`.
    coding: Option<&'static str>,
    /// Whether the answer depends on `Accept-Encoding` (the file can be sent compressed).
    negotiated: bool,
}

/// Whether a `Host` header names this server by a loopback name: `127.0.0.1`, `localhost` or
/// `[::1]`, with its port (which a browser leaves out only for port 80).
fn loopback_host(host: &str, port: u16) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let (name, given) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((name, tail)) => (name, tail),
            None => return false,
        },
        None => match host.find(':') {
            Some(i) => (&host[..i], &host[i..]),
            None => (host.as_str(), ""),
        },
    };
    let port_ok = match given.strip_prefix(':') {
        Some(p) => p.parse::<u16>() == Ok(port) && !p.starts_with('+'),
        None => given.is_empty() && port == 80,
    };
    port_ok && matches!(name, "127.0.0.1" | "localhost" | "::1")
}

/// A request path's segments, percent-decoded; `None` for anything that could leave the output
/// folder or confuse the file system: `..` and `.` segments (also encoded), NUL and other control
/// characters, backslashes, drive prefixes, invalid UTF-8.
fn request_path(path: &str) -> Option<Vec<String>> {
    if !path.starts_with('/') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    if decoded.contains(|c: char| c == '\\' || c.is_control()) {
        return None;
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        let mut components = Path::new(segment).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(_)), None) => segments.push(segment.to_string()),
            _ => return None,
        }
    }
    Some(segments)
}

pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        _ => "application/octet-stream",
    }
}

fn demo_page(dir: &Path, base_url: &str) -> String {
    // Read again on each visit, so a colour changed in kbgen.toml shows on reload.
    let tag = widget_bundle::script_tag(base_url, &crate::load::site_config(dir));
    let shown = tag
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Demo: your site with the Solodesk widget</title>\n{tag}\n</head>\n<body>\n<h1>Your site</h1>\n<p>This stands for a page of your own site. The support widget in the corner is what your visitors get when you paste this tag:</p>\n<pre><code>{shown}</code></pre>\n<p><a href=\"/\">Back to the help center</a></p>\n</body>\n</html>\n"
    )
}

/// A full build as the preview keeps it, to render edits from until the next.
struct Done {
    kb: Kb,
    summaries: Arc<HashMap<PathBuf, String>>,
    pages: HashMap<String, u64>,
}

/// Builds into `out` with problems printed; on errors, the old site is kept and the errors
/// are returned as the text the page's overlay shows.
fn rebuild(dir: &Path, out: &Path, opts: &pipeline::Options) -> Result<Done, String> {
    let start = std::time::Instant::now();
    let built = pipeline::build(dir, opts);
    let (site, diags) = (&built.site, &built.diags);
    crate::report(diags, false);
    if diags.errors() > 0 {
        eprintln!(
            "{} errors; still serving the previous build",
            diags.errors()
        );
        return Err(error_text(diags));
    }
    // No siblings: the preview's first build comes before its address is printed, and it
    // compresses what it sends on request (`Preview::file`).
    let writing = writing();
    let result = output::write_atomic_with(
        out,
        &site.files,
        &site.copies,
        |tmp| {
            if built.widget {
                widget_bundle::write(&tmp.join("widget")).context("writing the widget")?;
            }
            Ok(())
        },
        output::Effort::Preview,
    );
    drop(writing);
    match result {
        Ok(_) => {
            eprintln!(
                "built {} in {:.2?}",
                crate::strings::count(site.stats.articles, "article"),
                start.elapsed()
            );
            Ok(Done {
                pages: page_hashes(&built.site.files),
                summaries: Arc::new(built.site.summaries),
                kb: built.kb,
            })
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            Err(format!("error: {e:#}"))
        }
    }
}

/// A hash of each HTML page among `files`, by path.
fn page_hashes(files: &BTreeMap<String, Vec<u8>>) -> HashMap<String, u64> {
    use std::hash::{Hash, Hasher};
    files
        .iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .map(|(k, v)| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            v.hash(&mut h);
            (k.clone(), h.finish())
        })
        .collect()
}

/// A failed build's errors, one per line as the terminal shows them, for the page's overlay.
fn error_text(diags: &Diagnostics) -> String {
    const SHOWN: usize = 50;
    let errors: Vec<String> = diags
        .sorted()
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    let mut text = errors[..errors.len().min(SHOWN)].join("\n");
    if errors.len() > SHOWN {
        text.push_str(&format!("\n… and {} more errors", errors.len() - SHOWN));
    }
    text
}

/// The live-reload script every preview page loads: it polls `/_kbgen/status` five times a second
/// (an edit shows in about 100 ms, see `Preview::edit`; a loopback request costs nothing), reloads
/// the page after a good build, and lays a failed build's errors over the page (as text) until then.
/// It uses nothing the output's CSP forbids: a script from the same origin, a same-origin fetch,
/// and styles set through the CSSOM rather than a `style` attribute.
const LIVE_RELOAD_JS: &str = r##"// kbgen serve: reloads the page after a rebuild; shows a failed build's errors over it.
(() => {
  let seen = null;
  let overlay = null;
  const base = document.currentScript ? new URL("..", document.currentScript.src).href : "/";
  const show = (errors) => {
    if (!errors) {
      if (overlay) overlay.remove();
      overlay = null;
      return;
    }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "kbgen-build-errors";
      overlay.setAttribute("role", "alert");
      Object.assign(overlay.style, {
        position: "fixed", inset: "0", zIndex: "2147483647", overflow: "auto", margin: "0",
        padding: "24px", background: "rgba(24, 24, 28, 0.96)", color: "#ffffff",
        font: "15px/1.5 system-ui, sans-serif", textAlign: "left", direction: "ltr",
      });
      const title = document.createElement("p");
      title.textContent = "kbgen: the build failed. This page is the last good build; it reloads once the errors are fixed.";
      Object.assign(title.style, { margin: "0 0 12px", fontWeight: "bold" });
      const pre = document.createElement("pre");
      Object.assign(pre.style, {
        whiteSpace: "pre-wrap", margin: "0", color: "#ffc4c4",
        font: "14px/1.5 ui-monospace, Menlo, Consolas, monospace",
      });
      overlay.append(title, pre);
      document.body.append(overlay);
    }
    overlay.lastChild.textContent = errors;
  };
  const poll = () =>
    fetch(base + "_kbgen/status", { cache: "no-store" })
      .then((r) => r.json())
      .then((s) => {
        if (seen !== null && s.version !== seen) {
          location.reload();
          return;
        }
        seen = s.version;
        show(s.errors);
      })
      .catch(() => {})
      .finally(() => setTimeout(poll, 200));
  poll();
})();
"##;

/// `m`'s guard, also after a thread panicked holding it: the preview's state stays usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Held while the preview writes its output folder, so that Ctrl-C removes it only between writes.
fn writing() -> std::sync::MutexGuard<'static, ()> {
    static WRITING: Mutex<()> = Mutex::new(());
    lock(&WRITING)
}

/// Removes a serve build folder and the temporary siblings an interrupted rebuild leaves.
fn remove_build(out: &Path) {
    let _ = std::fs::remove_dir_all(out);
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return;
    };
    let prefix = format!(".{}.kbgen-", name.to_string_lossy());
    for e in std::fs::read_dir(parent).into_iter().flatten().flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Removes the build folders of earlier `kbgen serve` runs that are no longer running (they were
/// killed without a chance to clean up). Linux only: it asks `/proc`.
fn clear_stale_builds() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        // The build folder, or the temporary sibling of a first build that was killed.
        let Some(pid) = name
            .strip_prefix("kbgen-serve-")
            .or_else(|| name.strip_prefix(".kbgen-serve-"))
            .and_then(|p| p.split('.').next()?.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            remove_build(&std::env::temp_dir().join(format!("kbgen-serve-{pid}")));
        }
    }
}

/// How the preview learns that the knowledge base changed.
enum Changes {
    /// The operating system's notifications (`notify`: inotify, FSEvents, ReadDirectoryChangesW):
    /// an idle preview does no work at all, however large the knowledge base. The watcher lives
    /// as long as this value.
    Notified {
        _watcher: notify::RecommendedWatcher,
        events: mpsc::Receiver<Vec<PathBuf>>,
    },
    /// Where notifications cannot be had (a network file system, the inotify watch limit): paths,
    /// sizes and modification times compared every 400 ms, which walks the whole folder each time.
    Polled(Vec<(PathBuf, u64, SystemTime)>),
}

impl Changes {
    fn watch(dir: &Path) -> Changes {
        let (tx, rx) = mpsc::channel();
        let root = dir.to_path_buf();
        let watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
                Ok(e) if changes_the_site(&root, &e) => {
                    let _ = tx.send(e.paths);
                }
                _ => {}
            })
            .and_then(|mut w| {
                notify::Watcher::watch(&mut w, dir, notify::RecursiveMode::Recursive)?;
                Ok(w)
            });
        match watcher {
            Ok(w) => Changes::Notified {
                _watcher: w,
                events: rx,
            },
            Err(e) => {
                eprintln!(
                    "warning: no file notifications ({e}); checking for changes every 400 ms"
                );
                Changes::Polled(fingerprint(dir))
            }
        }
    }

    /// Returns the files that changed, once something did and the burst of events it came in
    /// (an editor's save is several) has been quiet for [`QUIET`], so one save is one rebuild.
    fn wait(&mut self, dir: &Path) -> Vec<PathBuf> {
        let mut paths = match self {
            Changes::Notified { events, .. } => {
                let Ok(mut paths) = events.recv() else {
                    // The watcher stopped: poll from now on.
                    *self = Changes::Polled(fingerprint(dir));
                    return self.wait(dir);
                };
                while let Ok(more) = events.recv_timeout(QUIET) {
                    paths.extend(more);
                }
                paths
            }
            Changes::Polled(last) => loop {
                std::thread::sleep(Duration::from_millis(400));
                let now = fingerprint(dir);
                if now != *last {
                    let mut changed: Vec<PathBuf> = now
                        .iter()
                        .filter(|f| last.binary_search(f).is_err())
                        .chain(last.iter().filter(|f| now.binary_search(f).is_err()))
                        .map(|(p, ..)| p.clone())
                        .collect();
                    changed.sort();
                    *last = now;
                    break changed;
                }
            },
        };
        paths.sort();
        paths.dedup();
        paths
    }
}

/// How long a burst of file events must be quiet before the preview acts on it: an editor's
/// save (write a temporary file, rename it over the article) takes a few milliseconds.
const QUIET: Duration = Duration::from_millis(50);

/// Whether a file-system event can change the site: not a mere read, and under a path the
/// loader reads (not in `.kbgen/`, the desk's database, nor an editor's hidden swap file, nor an
/// output folder such as `out/`, see `skip.rs`).
fn changes_the_site(root: &Path, event: &notify::Event) -> bool {
    !matches!(event.kind, notify::EventKind::Access(_))
        && event.paths.iter().any(|p| {
            p.strip_prefix(root).map_or(true, |rel| {
                !rel.components().any(|c| {
                    matches!(c, Component::Normal(n) if crate::skip::skipped_dir(&n.to_string_lossy()))
                })
            })
        })
}

/// Cheap change detection without a watcher: paths, sizes and modification times.
fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
    // Symbolic links are followed, so an edit behind one is seen; walkdir reports a loop of links
    // as an error instead of walking it for ever, and such entries are left out here (`build`
    // reports them).
    let mut v: Vec<_> = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(crate::skip::hidden(&name)
                    || (e.depth() == 1
                        && e.file_type().is_dir()
                        && crate::skip::skipped_dir(&name)))
        })
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((
                e.into_path(),
                meta.len(),
                meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            ))
        })
        .collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The watcher follows links (so an edit behind one rebuilds) but, like `build` and `check`
    /// since issue 15 item 11, never hangs on a loop of them, and ignores the output folder.
    #[cfg(unix)]
    #[test]
    fn the_watcher_walks_past_symlink_loops() {
        let kb = tempfile::tempdir().unwrap();
        let images = kb.path().join("images");
        std::fs::create_dir_all(images.join("a")).unwrap();
        std::fs::create_dir_all(images.join("b")).unwrap();
        std::os::unix::fs::symlink(images.join("b"), images.join("a/to-b")).unwrap();
        std::os::unix::fs::symlink(images.join("a"), images.join("b/to-a")).unwrap();
        std::os::unix::fs::symlink(&images, images.join("a/self")).unwrap();
        std::fs::write(images.join("a/logo.svg"), "<svg/>").unwrap();
        std::fs::create_dir_all(kb.path().join("out")).unwrap();
        std::fs::write(kb.path().join("out/index.html"), "x").unwrap();
        let files = fingerprint(kb.path());
        assert!(
            files.iter().any(|(p, ..)| p.ends_with("a/logo.svg")),
            "{files:?}"
        );
        assert!(
            !files
                .iter()
                .any(|(p, ..)| p.starts_with(kb.path().join("out"))),
            "{files:?}"
        );
    }

    /// A preview killed during its first build leaves only the temporary sibling of its build
    /// folder; the next start removes it too, not only whole build folders.
    #[cfg(target_os = "linux")]
    #[test]
    fn stale_builds_of_dead_previews_are_removed() {
        let dead = (3_900_000..4_000_000)
            .find(|p| !Path::new("/proc").join(p.to_string()).exists())
            .unwrap();
        let tmp = std::env::temp_dir();
        let sibling = tmp.join(format!(".kbgen-serve-{dead}.kbgen-tmp-{dead}"));
        let build = tmp.join(format!("kbgen-serve-{dead}"));
        let mine = tmp.join(format!("kbgen-serve-{}", std::process::id()));
        for d in [&sibling, &build, &mine] {
            std::fs::create_dir_all(d.join("en")).unwrap();
        }
        clear_stale_builds();
        assert!(!sibling.exists() && !build.exists());
        assert!(mine.exists(), "a running preview's build stays");
        std::fs::remove_dir_all(mine).unwrap();
    }

    #[test]
    fn loopback_hosts() {
        for (host, ok) in [
            ("127.0.0.1:4000", true),
            ("localhost:4000", true),
            ("LocalHost:4000", true),
            ("[::1]:4000", true),
            ("127.0.0.1", false),
            ("127.0.0.1:40000", false),
            ("127.0.0.1:+4000", false),
            ("evil.example:4000", false),
            ("localhost.evil.example:4000", false),
            ("[::1]", false),
            ("[::1:4000", false),
            ("", false),
        ] {
            assert_eq!(loopback_host(host, 4000), ok, "{host}");
        }
        assert!(loopback_host("localhost", 80));
    }

    #[test]
    fn request_paths() {
        let ok = |p: &str, segs: &[&str]| {
            assert_eq!(
                request_path(p).as_deref(),
                Some(
                    segs.iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .as_slice()
                ),
                "{p}"
            )
        };
        ok("/", &[]);
        ok("/en/return-policy/", &["en", "return-policy"]);
        ok("//en//x", &["en", "x"]);
        ok("/zh/%E9%80%80%E8%B4%A7/", &["zh", "退货"]);
        for bad in [
            "en/x",
            "/../etc/passwd",
            "/en/%2e%2e/%2E%2E/x",
            "/a/./b",
            "/..%2f..%2fx",
            "/a%5c..%5cx",
            "/a\\b",
            "/a%00b",
            "/a%0ab",
            "/%c0%ae%c0%ae/x",
            "http://127.0.0.1/x",
        ] {
            assert_eq!(request_path(bad), None, "{bad}");
        }
    }
}
