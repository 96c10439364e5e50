//! `kbgen serve`: builds into a temporary folder, serves it on 127.0.0.1, rebuilds when a file
//! of the knowledge base changes and tells open pages to reload. Also serves `/_demo/`, a page
//! of "the owner's site" with the widget pasted in, to try the widget as visitors will meet it.

use crate::diag::Diagnostics;
use crate::{config, load, output, site, widget_bundle};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub fn run(dir: &Path, port: u16) -> Result<ExitCode> {
    if !dir.is_dir() {
        anyhow::bail!("{}: not a folder", dir.display());
    }
    let server = tiny_http::Server::http(("127.0.0.1", port))
        .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let port = server.server_addr().to_ip().map_or(port, |a| a.port());
    let base_url = format!("http://127.0.0.1:{port}/");
    clear_stale_builds();
    let out = std::env::temp_dir().join(format!("kbgen-serve-{}", std::process::id()));
    // Ctrl-C (or a SIGTERM) removes this run's build before exiting; only a kill that gives no
    // chance to clean up leaves it, for `clear_stale_builds` on the next start.
    let _ = ctrlc::set_handler({
        let out = out.clone();
        move || {
            remove_build(&out);
            std::process::exit(130);
        }
    });
    let version = Arc::new(AtomicU64::new(0));
    // Taken before the first build, so a change made while it runs (or right after the URL is
    // printed) is never missed.
    let initial = fingerprint(dir);
    rebuild(dir, &out, &base_url);
    // Written without panicking: whoever started us may have closed our stdout already.
    let _ = writeln!(
        std::io::stdout(),
        "serving {} at {base_url}  (demo of your site with the widget: {base_url}_demo/)\npress Ctrl-C to stop",
        dir.display()
    );

    let watch_dir = dir.to_path_buf();
    let watch_out = out.clone();
    let watch_version = Arc::clone(&version);
    let watch_base = base_url.clone();
    std::thread::spawn(move || {
        let mut last = initial;
        loop {
            std::thread::sleep(Duration::from_millis(400));
            let now = fingerprint(&watch_dir);
            if now != last {
                last = now;
                eprintln!("change detected, rebuilding");
                if rebuild(&watch_dir, &watch_out, &watch_base) {
                    watch_version.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
    });

    for request in server.incoming_requests() {
        let url = request
            .url()
            .split(['?', '#'])
            .next()
            .unwrap_or("/")
            .to_string();
        let response = match url.as_str() {
            "/_kbgen/version" => text(version.load(Ordering::SeqCst).to_string(), "text/plain"),
            "/_demo/" | "/_demo" => text(demo_page(dir, &base_url), "text/html; charset=utf-8"),
            _ => file_response(&out, &url),
        };
        let _ = request.respond(response);
    }
    Ok(ExitCode::SUCCESS)
}

fn text(body: String, content_type: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    tiny_http::Response::from_data(body.into_bytes())
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("static header is valid")
}

fn file_response(root: &Path, url: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let decoded = crate::site::percent_decode_lossy(url);
    let rel = decoded.trim_start_matches('/');
    if rel.split('/').any(|c| c == "..") {
        return text("bad path".into(), "text/plain").with_status_code(400);
    }
    let mut path = root.join(rel);
    if path.is_dir() {
        path = path.join("index.html");
    }
    match std::fs::read(&path) {
        Ok(bytes) => tiny_http::Response::from_data(bytes)
            .with_header(header("Content-Type", content_type(&path)))
            .with_header(header("Cache-Control", "no-store"))
            .with_header(header("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:")),
        Err(_) => {
            let body = std::fs::read(root.join("404.html")).unwrap_or_else(|_| b"not found".to_vec());
            tiny_http::Response::from_data(body).with_header(header("Content-Type", "text/html; charset=utf-8")).with_status_code(404)
        }
    }
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
    let tag = widget_bundle::script_tag(base_url, &config::read_or_default(dir));
    let shown = tag
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Demo: your site with the Solodesk widget</title>\n{tag}\n</head>\n<body>\n<h1>Your site</h1>\n<p>This stands for a page of your own site. The support widget in the corner is what your visitors get when you paste this tag:</p>\n<pre><code>{shown}</code></pre>\n<p><a href=\"/\">Back to the help center</a></p>\n</body>\n</html>\n"
    )
}

/// Builds into `out` with problems printed; `false` (and the old site kept) on errors.
fn rebuild(dir: &Path, out: &Path, base_url: &str) -> bool {
    let start = std::time::Instant::now();
    let mut diags = Diagnostics::default();
    let kb = load::load(dir, &mut diags);
    let loader = widget_bundle::loader();
    let opts = site::Options {
        base_url: Some(base_url.into()),
        live_reload: true,
        loader: loader.clone(),
        widget_hashed: Vec::new(),
        engine: widget_bundle::engine_files(),
    };
    let site = site::build(&kb, &opts, &mut diags);
    crate::report(&diags, false);
    if diags.errors() > 0 {
        eprintln!(
            "{} errors; still serving the previous build",
            diags.errors()
        );
        return false;
    }
    let result = output::write_atomic(out, &site.files, &site.copies, |tmp| {
        if loader.is_some() {
            widget_bundle::write(&tmp.join("widget")).context("writing the widget")?;
        }
        Ok(())
    });
    match result {
        Ok(()) => {
            eprintln!(
                "built {} in {:.2?}",
                crate::strings::count(site.stats.articles, "article"),
                start.elapsed()
            );
            true
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            false
        }
    }
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
        let Some(pid) = name
            .strip_prefix("kbgen-serve-")
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            remove_build(&e.path());
        }
    }
}

/// Cheap change detection without a watcher dependency: paths, sizes and modification times.
fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
    let mut v = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.')
                || (d == dir
                    && matches!(
                        name.as_ref(),
                        "out" | "target" | "node_modules" | "public" | "_site"
                    ))
            {
                continue;
            }
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                v.push((
                    e.path(),
                    meta.len(),
                    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                ));
            }
        }
    }
    v.sort();
    v
}
