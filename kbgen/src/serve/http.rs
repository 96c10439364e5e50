//! The preview server's HTTP/1.1 layer, on `std::net` with `httparse` reading the request head.
//!
//! A preview server on the owner's machine still meets hostile input: any web page the owner opens
//! can make the browser send requests to it. So every resource a request can hold is bounded: the
//! head's size and header count, the body (none of kbgen's answers needs one, so only a small one is
//! read, and a larger one is refused with 413 before a byte of it is read), the time to send the head
//! and to take the answer, and the number of connections served at once. Each connection gets its
//! own thread, so a client that never reads its answer holds up nobody else, and answers one request
//! then closes, so an idle browser tab holds no thread.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The request line and headers together; a browser's are under 2 KiB.
pub const MAX_HEAD: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;
/// The largest body read (and dropped); a larger one gets 413.
pub const MAX_BODY: u64 = 16 * 1024;
/// Connections served at once; more get 503 at once.
pub const MAX_CONNECTIONS: usize = 64;
/// How long a client may take to send its request, and each write of the answer may wait for it.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// After answering, what the client still sends is read and dropped for this long (at most
/// `LINGER_BYTES`), so that closing with unread data does not reset the connection before the
/// client has read the answer (a refused body is usually still on its way).
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 1 << 20;

/// A request's head; its body (if any, and small) was read and dropped.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent, e.g. `/en/search/?q=x`.
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// A plain-text answer, for refusals.
    pub fn text(status: u16, body: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", format!("{body}\n"))
    }

    /// Sets a header, replacing one of the same name.
    pub fn with(mut self, name: &str, value: &str) -> Response {
        self.set(name, value);
        self
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.into()));
    }
}

/// Accepts connections for ever, each on its own thread, answering with `handle`.
pub fn serve<F>(listener: TcpListener, handle: F)
where
    F: Fn(&Request) -> Response + Send + Sync + 'static,
{
    let handle = Arc::new(handle);
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            // Out of file descriptors, most likely: wait for connections to close.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if open.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            busy(stream);
            continue;
        }
        let slot = Slot::take(&open);
        let handle = Arc::clone(&handle);
        // When the thread cannot start, the closure and its slot are dropped with it.
        let _ = std::thread::Builder::new()
            .name("kbgen-serve".into())
            .spawn(move || {
                let _slot = slot;
                connection(stream, &*handle);
            });
    }
}

/// One place in the count of open connections, given back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(open: &Arc<AtomicUsize>) -> Slot {
        open.fetch_add(1, Ordering::SeqCst);
        Slot(Arc::clone(open))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn busy(mut stream: TcpStream) {
    // A fresh connection's send buffer is empty, so this short write does not wait.
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    let _ = write_response(
        &mut stream,
        &Response::text(503, "too many connections").with("Retry-After", "1"),
        false,
    );
}

fn connection(mut stream: TcpStream, handle: &(dyn Fn(&Request) -> Response + Send + Sync)) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let (response, head_only) = match read_request(&mut stream) {
        Ok(request) => (handle(&request), request.method == "HEAD"),
        Err(Some(refusal)) => (refusal, false),
        Err(None) => return,
    };
    if write_response(&mut stream, &response, head_only).is_err() {
        return;
    }
    let _ = stream.shutdown(Shutdown::Write);
    linger(&mut stream);
}

/// Reads the head and the (small) body; `Err(Some(answer))` refuses the request,
/// `Err(None)` means the client went away.
fn read_request(stream: &mut TcpStream) -> Result<Request, Option<Response>> {
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let (request, head_len, content_length) = loop {
        let room = MAX_HEAD - buf.len();
        if room == 0 {
            return Err(Some(Response::text(431, "request head too large")));
        }
        let want = room.min(chunk.len());
        let n = read_until(stream, &mut chunk[..want], deadline)?;
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Request::new(&mut headers);
        match parsed.parse(&buf) {
            Ok(httparse::Status::Partial) => continue,
            Ok(httparse::Status::Complete(len)) => {
                let request = Request {
                    method: parsed.method.unwrap_or_default().to_string(),
                    target: parsed.path.unwrap_or_default().to_string(),
                    headers: parsed
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_string(),
                                String::from_utf8_lossy(h.value).into_owned(),
                            )
                        })
                        .collect(),
                };
                let length = body_length(&request)?;
                break (request, len, length);
            }
            Err(httparse::Error::TooManyHeaders) => {
                return Err(Some(Response::text(431, "too many header fields")))
            }
            Err(_) => return Err(Some(Response::text(400, "malformed request"))),
        }
    };
    // The body is read only to keep the connection orderly: nothing uses it.
    let mut left = content_length.saturating_sub((buf.len() - head_len) as u64);
    while left > 0 {
        let want = (left as usize).min(chunk.len());
        let n = read_until(stream, &mut chunk[..want], deadline)?;
        left -= n as u64;
    }
    Ok(request)
}

/// The body's declared length, checked against the limit before any of it is read.
fn body_length(request: &Request) -> Result<u64, Option<Response>> {
    if request.header("Transfer-Encoding").is_some() {
        return Err(Some(Response::text(
            411,
            "chunked request bodies are not accepted",
        )));
    }
    let mut length = None;
    for (name, value) in &request.headers {
        if !name.eq_ignore_ascii_case("Content-Length") {
            continue;
        }
        let n: u64 = value
            .trim()
            .parse()
            .map_err(|_| Some(Response::text(400, "bad Content-Length")))?;
        if length.is_some_and(|l| l != n) {
            return Err(Some(Response::text(400, "conflicting Content-Length")));
        }
        length = Some(n);
    }
    let length = length.unwrap_or(0);
    if length > MAX_BODY {
        return Err(Some(Response::text(
            413,
            &format!("request body over {MAX_BODY} bytes"),
        )));
    }
    Ok(length)
}

/// One read that gives up at `deadline` (408) or when the client closes (no answer).
fn read_until(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Instant,
) -> Result<usize, Option<Response>> {
    let now = Instant::now();
    if now >= deadline {
        return Err(Some(Response::text(408, "request timed out")));
    }
    let _ = stream.set_read_timeout(Some((deadline - now).max(Duration::from_millis(1))));
    match stream.read(buf) {
        Ok(0) => Err(None),
        Ok(n) => Ok(n),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Err(Some(Response::text(408, "request timed out")))
        }
        Err(_) => Err(None),
    }
}

fn write_response(stream: &mut TcpStream, response: &Response, head_only: bool) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        // Values come from our own code and the output's `_headers`; a line break would split
        // the answer, so such a header is left out.
        if value.contains(['\r', '\n']) || name.contains(['\r', '\n', ':']) {
            continue;
        }
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        response.body.len()
    ));
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&response.body)?;
    }
    stream.flush()
}

fn linger(stream: &mut TcpStream) {
    let end = Instant::now() + LINGER;
    let mut drained = 0;
    let mut buf = [0u8; 4096];
    while drained < LINGER_BYTES {
        let now = Instant::now();
        if now >= end
            || stream
                .set_read_timeout(Some((end - now).max(Duration::from_millis(1))))
                .is_err()
        {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}
