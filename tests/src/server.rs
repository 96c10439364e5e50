//! A small static file server on 127.0.0.1 for browser tests, with optional extra response
//! headers (a strict Content-Security-Policy, for instance) and files held back until the test
//! lets them go (a slow `index.bin`, without guessing how slow is slow enough). Benchmarks serve
//! the precompressed siblings `kbgen build` writes, as a production host does.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Serves a folder until dropped (the listener thread ends with the process).
pub struct StaticServer {
    port: u16,
    holds: Holds,
}

/// What the server sends for a file that has `.br` or `.gz` siblings.
#[derive(Clone, Copy, PartialEq)]
enum Siblings {
    /// The file as it is, as a plain static server does.
    Ignore,
    /// The sibling the request accepts (brotli first), as nginx's `brotli_static`/`gzip_static`,
    /// Caddy's `precompressed` and the common hosts do.
    Serve,
}

/// URL paths whose responses wait for their [`Hold`] to be released.
type Holds = Arc<Mutex<Vec<(String, Arc<Gate>)>>>;

/// Open or shut, with a condition variable to wait on; and a delay before each response.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    changed: Condvar,
    delay: Duration,
}

impl Gate {
    fn release(&self) {
        *self.open.lock().unwrap() = true;
        self.changed.notify_all();
    }

    /// Waits until released, or `limit` passed: a forgotten hold must not hang a test forever.
    fn wait(&self, limit: Duration) {
        if !self.delay.is_zero() {
            std::thread::sleep(self.delay);
            return;
        }
        let open = self.open.lock().unwrap();
        let _ = self.changed.wait_timeout_while(open, limit, |open| !*open);
    }
}

/// A file the server does not answer until [`Hold::release`] (or the hold is dropped).
pub struct Hold(Arc<Gate>);

impl Hold {
    /// Sends the held responses, and answers later requests at once.
    pub fn release(&self) {
        self.0.release();
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.0.release();
    }
}

impl StaticServer {
    /// Serves `root` on a free port of 127.0.0.1.
    pub fn start(root: &Path) -> StaticServer {
        StaticServer::with_headers(root, Vec::new())
    }

    /// Serves `root`, adding `headers` to every response.
    pub fn with_headers(root: &Path, headers: Vec<(String, String)>) -> StaticServer {
        StaticServer::spawn(root, headers, Siblings::Ignore)
    }

    /// Serves `root` as a production host serves a `kbgen build`: a file's `.br` (or `.gz`)
    /// sibling, with its `Content-Encoding`, to a browser that accepts it.
    pub fn precompressed(root: &Path) -> StaticServer {
        StaticServer::spawn(root, Vec::new(), Siblings::Serve)
    }

    fn spawn(root: &Path, headers: Vec<(String, String)>, siblings: Siblings) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let root = Arc::new(root.to_owned());
        let headers = Arc::new(headers);
        let holds = Holds::default();
        let held = Arc::clone(&holds);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, headers, held) =
                    (Arc::clone(&root), Arc::clone(&headers), Arc::clone(&held));
                std::thread::spawn(move || {
                    let _ = serve(stream, &root, &headers, &held, siblings);
                });
            }
        });
        StaticServer { port, holds }
    }

    /// Holds back the responses for `path` (a URL path such as `/index.bin`) until the returned
    /// [`Hold`] is released or dropped, for at most a minute.
    pub fn hold(&self, path: &str) -> Hold {
        let gate = Arc::new(Gate::default());
        self.holds
            .lock()
            .unwrap()
            .push((path.to_string(), Arc::clone(&gate)));
        Hold(gate)
    }

    /// Answers `path` only `by` after each request, as a slow network would deliver a big file;
    /// for benchmarks (tests that need an order use [`StaticServer::hold`]).
    pub fn delay(&self, path: &str, by: Duration) {
        let gate = Arc::new(Gate {
            delay: by,
            ..Gate::default()
        });
        self.holds.lock().unwrap().push((path.to_string(), gate));
    }

    /// `http://127.0.0.1:<port>`, the origin every request of a page under test should go to.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The URL of `path` (which starts without a slash) on this server.
    pub fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }
}

fn serve(
    stream: TcpStream,
    root: &Path,
    headers: &[(String, String)],
    holds: &Holds,
    siblings: Siblings,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        // Of the request headers only Accept-Encoding matters; bodies are not expected.
        let mut accepts = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("accept-encoding") {
                    accepts.extend(
                        value
                            .split(',')
                            .map(|c| c.split(';').next().unwrap_or_default().trim().to_owned()),
                    );
                }
            }
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("/");
        let path = path.split(['?', '#']).next().unwrap_or("/");
        let gates: Vec<Arc<Gate>> = holds
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, g)| Arc::clone(g))
            .collect();
        for gate in gates {
            gate.wait(Duration::from_secs(60));
        }
        let file = resolve(root, path);
        // The sibling the browser accepts, brotli before gzip.
        let encoded = file
            .as_ref()
            .filter(|_| siblings == Siblings::Serve)
            .and_then(|file| {
                [("br", "br"), ("gzip", "gz")]
                    .into_iter()
                    .filter(|(coding, _)| accepts.iter().any(|a| a == coding))
                    .find_map(|(coding, ext)| {
                        let mut sibling = file.clone().into_os_string();
                        sibling.push(format!(".{ext}"));
                        Some((coding, std::fs::read(sibling).ok()?))
                    })
            });
        let coding = encoded.as_ref().map(|(coding, _)| *coding);
        let (status, body, content_type) = match (&file, encoded) {
            (Some(file), Some((_, body))) => ("200 OK", body, content_type(file)),
            (Some(file), None) => match std::fs::read(file) {
                Ok(body) => ("200 OK", body, content_type(file)),
                Err(_) => ("404 Not Found", b"not found".to_vec(), "text/plain"),
            },
            (None, _) => ("404 Not Found", b"not found".to_vec(), "text/plain"),
        };
        let mut response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n",
            body.len()
        );
        if let Some(coding) = coding {
            response.push_str(&format!(
                "Content-Encoding: {coding}\r\nVary: Accept-Encoding\r\n"
            ));
        }
        for (name, value) in headers {
            response.push_str(&format!("{name}: {value}\r\n"));
        }
        response.push_str("\r\n");
        let mut stream = &stream;
        stream.write_all(response.as_bytes())?;
        stream.write_all(&body)?;
    }
}

/// Maps a URL path to a file under `root`, refusing to leave it; folders serve their index.html.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode_lossy(url_path);
    let mut file = root.to_owned();
    for part in decoded.split('/').filter(|p| !p.is_empty()) {
        if part == ".." || part.contains('\\') {
            return None;
        }
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn percent_decode_lossy(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}
