//! `kbgen serve`: serves the built site and the demo page on 127.0.0.1, and rebuilds (bumping the
//! live-reload version) when an article changes.

use super::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A raw request's answer: status, headers (names lower-cased) and body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `request` as is and reads the answer until the server closes.
fn raw(addr: &str, request: &[u8]) -> Answer {
    let (mut answer, body) = raw_bytes(addr, request);
    answer.body = String::from_utf8_lossy(&body).into_owned();
    answer
}

/// A raw request's answer with its body as bytes (compressed bodies are not text); the
/// `Answer`'s own body is left empty.
fn raw_bytes(addr: &str, request: &[u8]) -> (Answer, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(buf.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let answer = Answer {
        status,
        headers,
        body: String::new(),
    };
    (answer, buf[end..].to_vec())
}

fn get_with(addr: &str, path: &str, extra: &str) -> Answer {
    raw(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n")
            .as_bytes(),
    )
}

fn get(addr: &str, path: &str) -> (u16, String) {
    let a = get_with(addr, path, "");
    (a.status, a.body)
}

/// Kills the server when the test ends, also on failure.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running `kbgen serve` on a free port of 127.0.0.1 (the desk's dashboard tests use it too).
pub(crate) struct Served {
    child: Child,
    url: String,
    /// The first line it printed.
    pub(crate) said: String,
    /// `127.0.0.1:<port>`.
    pub(crate) addr: String,
}

impl Served {
    pub(crate) fn start(kb: &Path) -> Served {
        let mut child = Child(
            kbgen()
                .arg("serve")
                .arg(kb)
                .args(["--port", "0"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        );
        let mut line = String::new();
        let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("URL printed: {line}"))
            .to_string();
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Served {
            child,
            url,
            addr,
            said: line,
        }
    }

    /// The folder it serves from.
    fn out(&self) -> PathBuf {
        std::env::temp_dir().join(format!("kbgen-serve-{}", self.child.0.id()))
    }

    fn port(&self) -> &str {
        self.addr.rsplit(':').next().unwrap()
    }
}

/// A fresh starter knowledge base (`kbgen init`) in a temporary folder.
fn starter() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    assert!(run(kbgen().arg("init").arg(&kb)).0);
    (tmp, kb)
}

/// Polls the live-reload status until `done` accepts it.
fn wait_status(
    addr: &str,
    what: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let (status, body) = get(addr, "/_kbgen/status");
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("status is JSON");
        if done(&v) {
            return v;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{what}: {v}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serves_site_demo_and_live_reload() {
    let (_tmp, kb) = starter();
    let mut served = Served::start(&kb);
    let (addr, url) = (served.addr.clone(), served.url.clone());
    // No desk here: the first line names the demo and no desk page.
    assert!(
        served.said.contains(&format!("{url}_demo/")),
        "{}",
        served.said
    );
    assert!(!served.said.contains("_desk"), "{}", served.said);

    let (status, home) = get(&addr, "/");
    assert_eq!(status, 200);
    assert!(
        home.contains("_kbgen/livereload.js"),
        "pages carry the live-reload script"
    );
    let (status, script) = get(&addr, "/_kbgen/livereload.js");
    assert_eq!(status, 200);
    assert!(script.contains("_kbgen/status"), "{script}");
    assert_eq!(get(&addr, "/en/return-policy/").0, 200);
    assert_eq!(get(&addr, "/no/such/page/").0, 404);
    let (status, demo) = get(&addr, "/_demo/");
    assert_eq!(status, 200);
    assert!(
        demo.contains(&format!("<script src=\"{url}widget/")),
        "{demo}"
    );
    // The same tag as `kbgen snippet`'s, with the launcher's colour and side from kbgen.toml.
    assert!(
        demo.contains(
            "async data-solodesk data-color=\"#2456c7\" data-position=\"right\"></script>"
        ),
        "{demo}"
    );

    let before = wait_status(&addr, "first build", |v| v["version"] == 1);
    assert_eq!(before["errors"], serde_json::Value::Null);
    let article = kb.join("articles/en/orders/track-order.md");
    let text = read(&article).replace(
        "usually ship within 2 working days",
        "ship within 1 working day",
    );
    std::fs::write(&article, text).unwrap();
    wait_status(&addr, "no rebuild after the change", |v| v["version"] == 2);
    assert!(get(&addr, "/en/track-order/")
        .1
        .contains("ship within 1 working day"));

    // Stopping it (SIGTERM, as Ctrl-C's SIGINT) removes its build folder.
    if cfg!(unix) {
        let pid = served.child.0.id();
        let build = served.out();
        assert!(build.is_dir(), "{} while serving", build.display());
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = served.child.0.wait().unwrap();
        assert_eq!(status.code(), Some(130), "exits as interrupted");
        assert!(!build.exists(), "{} left behind", build.display());
    }
}

/// Issue 19: every edit rebuilt the whole site before the page could reload (11 s at 10,000
/// articles). An edit to an article now shows at once, alone, and the full build follows; the
/// open page reloads once for it, and again only when the full build changed other pages.
#[test]
fn an_edit_shows_at_once_and_the_full_build_follows() {
    let (_tmp, kb) = starter();
    let served = Served::start(&kb);
    let addr = &served.addr;
    // Once the page has reloaded for a change (`shown`), when the full build has caught up.
    let complete = |what: &str, shown: u64| {
        wait_status(addr, what, |v| {
            v["complete"] == true && v["version"].as_u64() >= Some(shown)
        })
    };
    assert_eq!(complete("first build", 1)["version"], 1);
    let article = kb.join("articles/en/orders/track-order.md");
    let category = "/en/category/orders/";
    let listed = get(addr, category).1;

    // The body: the page changes, no other page does, so one reload in all.
    std::fs::write(
        &article,
        read(&article).replace("working days", "working days, weekends excepted"),
    )
    .unwrap();
    let v = complete("after a body edit", 2);
    assert_eq!(v["version"], 2, "one reload: {v}");
    assert!(get(addr, "/en/track-order/")
        .1
        .contains("weekends excepted"));
    assert_eq!(get(addr, category).1, listed);

    // The title: the page shows it at once, the category's list with the full build, which
    // reloads the page again.
    std::fs::write(
        &article,
        read(&article).replace("title: Track your order", "title: Where is my parcel"),
    )
    .unwrap();
    let v = complete("after a title edit", 3);
    assert_eq!(v["version"], 4, "the edit, then the lists: {v}");
    assert!(get(addr, category).1.contains("Where is my parcel"));

    // A new article is the full build's alone.
    std::fs::write(
        kb.join("articles/en/orders/gift-wrap.md"),
        "---\ntitle: Gift wrapping\n---\n\nWe wrap any order for free.\n",
    )
    .unwrap();
    let v = complete("after a new article", 5);
    assert_eq!(v["version"], 5, "{v}");
    assert!(get(addr, "/en/gift-wrap/").1.contains("We wrap any order"));
    assert!(get(addr, category).1.contains("Gift wrapping"));
}

/// Issue 15 item 7: `Content-Length: 99999999999` aborted the server (it allocated the whole
/// announced body to drain it). A body over the limit is refused before it is read.
#[test]
fn huge_request_body_is_refused_and_the_server_goes_on() {
    let (_tmp, kb) = starter();
    let served = Served::start(&kb);
    let addr = &served.addr;
    for method in ["POST", "GET"] {
        let answer = raw(
            addr,
            format!(
                "{method} / HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 99999999999\r\n\r\nxxxx"
            )
            .as_bytes(),
        );
        assert_eq!(answer.status, 413, "{method}: {}", answer.body);
    }
    let answer = raw(
        addr,
        format!(
            "POST / HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(answer.status, 411, "{}", answer.body);
    // A head of endless header lines is cut off too.
    let mut endless = format!("GET / HTTP/1.1\r\nHost: {addr}\r\n").into_bytes();
    endless.extend(std::iter::repeat_n(b'a', 1 << 20));
    assert_eq!(raw(addr, &endless).status, 431);
    // A small body is read and dropped, and the request answered.
    let answer = raw(
        addr,
        format!("GET / HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 5\r\n\r\nhello").as_bytes(),
    );
    assert_eq!(answer.status, 200);
    assert_eq!(get(addr, "/en/return-policy/").0, 200, "still serving");
}

/// Issue 15 item 7: one loop answered every request, so clients that never read their answers
/// stalled everyone else. Each of these asks for the widget's wasm many times on one connection
/// and reads nothing; others never finish their request.
#[test]
fn clients_that_never_read_stall_nobody() {
    let (_tmp, kb) = starter();
    let served = Served::start(&kb);
    let addr = &served.addr;
    let wasm = files(&served.out().join("widget"))
        .into_iter()
        .find(|f| f.ends_with(".wasm"))
        .expect("the widget's wasm is served");
    let request = format!("GET /widget/{wasm} HTTP/1.1\r\nHost: {addr}\r\n\r\n").repeat(40);
    let mut idle = Vec::new();
    for _ in 0..20 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        idle.push(s);
    }
    // And some that send half a request and then nothing.
    for _ in 0..20 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /en/ HTTP/1.1\r\nHo").unwrap();
        idle.push(s);
    }
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    let addr2 = addr.clone();
    std::thread::spawn(move || tx.send(get(&addr2, "/en/return-policy/").0));
    let status = rx.recv_timeout(Duration::from_secs(5));
    assert_eq!(status, Ok(200), "answered in {:.1?}", start.elapsed());
    drop(idle);
}

/// Issue 15 item 7: any `Host:` got the preview, so a page whose domain resolves to 127.0.0.1
/// (DNS rebinding) could read it. Only loopback names on the server's port are answered.
#[test]
fn only_loopback_hosts_are_answered() {
    let (_tmp, kb) = starter();
    let served = Served::start(&kb);
    let addr = &served.addr;
    let port = served.port();
    let ask = |host: &str, path: &str| {
        raw(
            addr,
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
    };
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("[::1]:{port}"),
    ] {
        let answer = ask(&host, "/");
        assert_eq!(answer.status, 200, "{host}");
        assert!(answer.body.contains("<html"), "{host}");
    }
    for host in [
        format!("attacker.example:{port}"),
        "attacker.example".to_string(),
        format!("127.0.0.1.attacker.example:{port}"),
        format!("localhost.attacker.example:{port}"),
        "127.0.0.1".to_string(),
        format!("127.0.0.1:{port}0"),
        format!("127.0.0.1:+{port}"),
        format!("[::1]x:{port}"),
        String::new(),
    ] {
        for path in ["/", "/_kbgen/status", "/_demo/", "/widget-config.json"] {
            let answer = ask(&host, path);
            assert_eq!(answer.status, 421, "Host {host:?} {path}");
            assert!(!answer.body.contains("<html"), "Host {host:?} {path}");
        }
    }
    let none = raw(addr, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(none.status, 400);
}

/// Issue 15 item 7: no request path reaches a file outside the output folder, however encoded,
/// nor through a symlink inside it.
#[test]
fn paths_never_leave_the_output_folder() {
    let (tmp, kb) = starter();
    let served = Served::start(&kb);
    let addr = &served.addr;
    let secret = tmp.path().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET-CONTENT").unwrap();
    let out = served.out();
    // From the output folder (a sibling of this test's temporary folder) to the secret.
    let up = format!(
        "../{}/secret.txt",
        tmp.path().file_name().unwrap().to_string_lossy()
    );
    let abs = secret.to_string_lossy().into_owned();
    let attempts = [
        format!("/{up}"),
        format!("/en/../../{up}"),
        format!("/{}", up.replace("..", "%2e%2e")),
        format!("/{}", up.replace("..", "%2E%2E").replace('/', "%2f")),
        format!("/{}", up.replace('/', "%5c")),
        format!("/{}", up.replace('/', "\\")),
        format!("/images%00/{up}"),
        format!("/{up}%00.html"),
        format!("/%c0%ae%c0%ae/{up}"),
        format!("/{}", abs),
        format!("/{}", abs.replace('/', "%2f")),
        format!("//{}", abs.trim_start_matches('/')),
        format!("http://{addr}/{up}"),
        "/leak/secret.txt".to_string(),
        "/leak".to_string(),
    ];
    // A symlink inside the served folder that points out of it.
    #[cfg(unix)]
    std::os::unix::fs::symlink(tmp.path(), out.join("leak")).unwrap();
    for path in &attempts {
        let answer = raw(
            addr,
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert!(
            matches!(answer.status, 400 | 404),
            "{path}: {}",
            answer.status
        );
        assert!(
            !answer.body.contains("TOP-SECRET"),
            "{path} served the secret"
        );
    }
    assert_eq!(get(addr, "/en/return-policy/").0, 200, "still serving");
}

/// Issue 16 item 4: the widget on the owner's own local site (another origin) could not load
/// from `kbgen serve`. Every answer now carries what the output's `_headers` gives its path.
#[test]
fn answers_carry_the_headers_of_the_headers_file() {
    let (_tmp, kb) = starter();
    let served = Served::start(&kb);
    let addr = &served.addr;
    let rules = read(&served.out().join("_headers"));
    let csp = rules
        .lines()
        .find_map(|l| l.trim().strip_prefix("Content-Security-Policy: "))
        .expect("_headers has a CSP")
        .to_string();
    let origin = "Origin: http://localhost:3000\r\n";
    let loader = get_with(addr, "/widget/solodesk.js", origin);
    let mut shared = vec![
        loader,
        get_with(addr, "/widget-config.json", origin),
        get_with(addr, "/index.bin", origin),
    ];
    let bodies = files(&served.out().join("widget/articles"));
    shared.push(get_with(
        addr,
        &format!("/widget/articles/{}", bodies[0]),
        origin,
    ));
    for answer in &shared {
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            answer.header("cross-origin-resource-policy"),
            Some("cross-origin")
        );
        assert_eq!(answer.header("cache-control"), Some("no-store"));
    }
    assert_eq!(
        shared[0].header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    let preflight = raw(
        addr,
        format!("OPTIONS /widget-config.json HTTP/1.1\r\nHost: {addr}\r\n{origin}Access-Control-Request-Method: GET\r\n\r\n").as_bytes(),
    );
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    // Pages: the CSP of `_headers`, not a second policy, and no CORS.
    for path in ["/", "/en/return-policy/", "/no/such/page/"] {
        let page = get_with(addr, path, origin);
        assert_eq!(
            page.header("content-security-policy"),
            Some(csp.as_str()),
            "{path}"
        );
        assert_eq!(
            page.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(page.header("access-control-allow-origin"), None, "{path}");
    }
}

/// Issue 16 item 19: a failed rebuild showed only in the terminal. The live-reload status now
/// carries its errors, which the page's script lays over the page, and clears them once fixed.
#[test]
fn build_errors_reach_the_page_and_clear_when_fixed() {
    let (_tmp, kb) = starter();
    let served = Served::start(&kb);
    let addr = &served.addr;
    wait_status(addr, "first build", |v| v["version"] == 1);
    let article = kb.join("articles/en/orders/track-order.md");
    let good = read(&article);
    let broken = good.replace(
        "title: Track your order",
        "title: [<script>alert(1)</script>",
    );
    assert_ne!(good, broken);
    std::fs::write(&article, &broken).unwrap();
    let failed = wait_status(addr, "errors of the broken build", |v| {
        v["errors"].is_string() && v["complete"] == true
    });
    let errors = failed["errors"].as_str().unwrap();
    assert!(
        errors.contains("track-order.md:") && errors.contains("front matter"),
        "{errors}"
    );
    assert_eq!(failed["version"], 1, "the last good build stays");
    // The last good build is still served, and its script shows the errors as text.
    let (status, page) = get(addr, "/en/track-order/");
    assert_eq!(status, 200);
    assert!(page.contains("_kbgen/livereload.js"));
    let script = get(addr, "/_kbgen/livereload.js").1;
    assert!(script.contains("textContent = errors"), "{script}");
    assert!(!script.contains("innerHTML"), "{script}");

    std::fs::write(&article, &good).unwrap();
    let fixed = wait_status(addr, "errors cleared", |v| v["errors"].is_null());
    assert_eq!(fixed["version"], 2, "a good build reloads the page");
}

/// Issue 16 item 19: when even the first build fails, every page shows the errors (escaped)
/// and reloads once a build succeeds.
#[test]
fn a_first_build_that_fails_shows_its_errors() {
    let (_tmp, kb) = starter();
    let article = kb.join("articles/en/orders/track-order.md");
    let good = read(&article);
    std::fs::write(
        &article,
        good.replace("title: Track your order", "title: [<b>x</b>"),
    )
    .unwrap();
    let served = Served::start(&kb);
    let addr = &served.addr;
    let (status, page) = get(addr, "/");
    assert_eq!(status, 503);
    assert!(
        page.contains("track-order.md:") && page.contains("front matter"),
        "{page}"
    );
    assert!(page.contains("_kbgen/livereload.js"), "{page}");
    assert!(!page.contains("<b>x"), "errors are escaped: {page}");
    std::fs::write(&article, &good).unwrap();
    wait_status(addr, "first good build", |v| v["version"] == 1);
    assert_eq!(get(addr, "/").0, 200);
}

fn get_encoded(addr: &str, method: &str, path: &str, accept: &str) -> (Answer, Vec<u8>) {
    raw_bytes(
        addr,
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{accept}Connection: close\r\n\r\n")
            .as_bytes(),
    )
}

/// Issue 19: `kbgen serve` sent every file uncompressed, so the preview weighed what a host
/// without compression sends (386,839 bytes on opening the widget). It now sends a file's
/// precompressed sibling (the widget's own) to a client that accepts its coding, as nginx's
/// `gzip_static` and `brotli_static` or Caddy's `precompressed` do, and compresses the files it
/// built on request, as a host that compresses on the fly does (it writes no siblings, which
/// were most of a large preview's first build).
#[test]
fn sends_precompressed_siblings_to_clients_that_accept_them() {
    let (tmp, kb) = starter();
    super::compression::add_long_article(&kb);
    let served = Served::start(&kb);
    let addr = &served.addr;
    let out = served.out();
    let passages = files(&out.join("widget/articles"))
        .into_iter()
        .find(|f| {
            f.ends_with(".bin")
                && std::fs::metadata(out.join("widget/articles").join(f))
                    .unwrap()
                    .len()
                    > 2048
        })
        .expect("a passages file worth compressing");
    assert!(
        !out.join("index.bin.br").exists(),
        "the preview writes no siblings"
    );
    let wasm = files(&out.join("widget"))
        .into_iter()
        .find(|f| f.starts_with("widget-") && f.ends_with(".wasm"))
        .expect("the widget's wasm");
    for (path, file, ty) in [
        (
            "/index.bin",
            out.join("index.bin"),
            "application/x-protobuf",
        ),
        (
            &format!("/widget/articles/{passages}") as &str,
            out.join("widget/articles").join(&passages),
            "application/x-protobuf",
        ),
        (
            &format!("/widget/{wasm}"),
            out.join("widget").join(&wasm),
            "application/wasm",
        ),
        (
            "/en/",
            out.join("en/index.html"),
            "text/html; charset=utf-8",
        ),
    ] {
        let original = std::fs::read(&file).unwrap();
        // Chromium's header over HTTPS: brotli.
        let (a, body) = get_encoded(
            addr,
            "GET",
            path,
            "Accept-Encoding: gzip, deflate, br, zstd\r\n",
        );
        assert_eq!(a.status, 200, "{path}");
        assert_eq!(a.header("content-encoding"), Some("br"), "{path}");
        assert_eq!(a.header("vary"), Some("Accept-Encoding"), "{path}");
        assert_eq!(a.header("content-type"), Some(ty), "{path}");
        assert_eq!(
            a.header("content-length"),
            Some(body.len().to_string().as_str())
        );
        assert!(body.len() < original.len(), "{path}");
        assert_eq!(super::compression::unbrotli(&body), original, "{path}");
        // Over plain HTTP browsers offer no brotli: gzip.
        let (a, body) = get_encoded(addr, "GET", path, "Accept-Encoding: gzip, deflate\r\n");
        assert_eq!(a.header("content-encoding"), Some("gzip"), "{path}");
        assert_eq!(super::compression::gunzip(&body), original, "{path}");
        // A client that refuses brotli, and one that asks for nothing, get what they can read.
        let (a, body) = get_encoded(addr, "GET", path, "Accept-Encoding: br;q=0, gzip\r\n");
        assert_eq!(a.header("content-encoding"), Some("gzip"), "{path}");
        assert_eq!(super::compression::gunzip(&body), original, "{path}");
        let (a, body) = get_encoded(addr, "GET", path, "");
        assert_eq!(a.header("content-encoding"), None, "{path}");
        assert_eq!(a.header("vary"), Some("Accept-Encoding"), "{path}");
        assert_eq!(body, original, "{path}");
        // HEAD: the same head as GET, without the body.
        let (a, body) = get_encoded(addr, "HEAD", path, "Accept-Encoding: br\r\n");
        assert_eq!(a.header("content-encoding"), Some("br"), "{path}");
        assert!(body.is_empty(), "{path}");
    }
    // The CORS of `_headers` still comes with the compressed widget files.
    let (a, _) = get_encoded(
        addr,
        "GET",
        "/index.bin",
        "Origin: http://localhost:3000\r\nAccept-Encoding: br\r\n",
    );
    assert_eq!(a.header("access-control-allow-origin"), Some("*"));
    // A file without siblings (too small to gain) is sent as it is, and says nothing varies.
    let (a, body) = get_encoded(addr, "GET", "/favicon.svg", "Accept-Encoding: br, gzip\r\n");
    assert!(!out.join("favicon.svg.br").exists());
    assert_eq!(a.header("content-encoding"), None);
    assert_eq!(a.header("vary"), None);
    assert_eq!(body, std::fs::read(out.join("favicon.svg")).unwrap());
    // A sibling that is a symlink out of the output folder is never sent: the page itself is.
    let secret = tmp.path().join("secret.br");
    std::fs::write(&secret, "TOP-SECRET-CONTENT").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, out.join("en/index.html.br")).unwrap();
    let (a, body) = get_encoded(addr, "GET", "/en/", "Accept-Encoding: br\r\n");
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-encoding"), Some("br"));
    assert_eq!(
        super::compression::unbrotli(&body),
        std::fs::read(out.join("en/index.html")).unwrap()
    );
}
