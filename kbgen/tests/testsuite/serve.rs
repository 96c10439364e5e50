//! `kbgen serve`: serves the built site and the demo page on 127.0.0.1, and rebuilds (bumping the
//! live-reload version) when an article changes.

use super::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Kills the server when the test ends, also on failure.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serves_site_demo_and_live_reload() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    assert!(run(kbgen().arg("init").arg(&kb)).0);
    let mut child = Child(
        kbgen()
            .arg("serve")
            .arg(&kb)
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
        .expect("URL printed")
        .to_string();
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();

    let (status, home) = get(&addr, "/");
    assert_eq!(status, 200);
    assert!(
        home.contains("_kbgen/livereload.js"),
        "pages carry the live-reload script"
    );
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

    let before = get(&addr, "/_kbgen/version").1;
    let article = kb.join("articles/en/orders/track-order.md");
    let text = read(&article).replace(
        "usually ship within 2 working days",
        "ship within 1 working day",
    );
    std::fs::write(&article, text).unwrap();
    let start = Instant::now();
    loop {
        let now = get(&addr, "/_kbgen/version").1;
        if now != before {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no rebuild after the change"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(get(&addr, "/en/track-order/")
        .1
        .contains("ship within 1 working day"));

    // Stopping it (SIGTERM, as Ctrl-C's SIGINT) removes its build folder.
    if cfg!(unix) {
        let pid = child.0.id();
        let build = std::env::temp_dir().join(format!("kbgen-serve-{pid}"));
        assert!(build.is_dir(), "{} while serving", build.display());
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.0.wait().unwrap();
        assert_eq!(status.code(), Some(130), "exits as interrupted");
        assert!(!build.exists(), "{} left behind", build.display());
    }
}
