//! Headless Chromium driven over WebDriver (chromedriver + fantoccini).
//!
//! Each [`Browser`] starts its own chromedriver on a free port of 127.0.0.1 and a Chromium with a
//! fresh profile, and stops both when dropped. Chromium is started with the flags that keep it off
//! the network (no background requests, no component updates).

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::error::CmdError;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A running headless Chromium session.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: crate::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a `width`×`height` window.
    pub async fn start(width: u32, height: u32) -> Browser {
        Browser::start_with(width, height, &[]).await
    }

    /// Like [`Browser::start`], with extra Chromium flags (for instance
    /// `--blink-settings=preferredColorScheme=0` for a dark system theme).
    pub async fn start_with(width: u32, height: u32, extra_args: &[&str]) -> Browser {
        assert!(
            std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists(),
            "{CHROMIUM} and {CHROMEDRIVER} are needed for browser tests: run `cargo xtask setup`"
        );
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let profile = crate::TempDir::new("chromium-profile");
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ]
        .iter()
        .map(|a| a.to_string())
        .collect();
        args.push(format!("--window-size={width},{height}"));
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.extend(extra_args.iter().map(|a| a.to_string()));
        let mut options = json!({ "binary": CHROMIUM, "args": args });
        // Headless Chromium keeps windows at least 500 px wide; phone widths need emulation.
        if width < 500 {
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "touch": true }
            });
        }
        let caps = json!({ "goog:chromeOptions": options });
        let caps = caps
            .as_object()
            .expect("capabilities are an object")
            .clone();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("could not start a Chromium session through chromedriver: {e}"),
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Runs `script` (a function body; `arguments` holds `args`) until it returns something other
    /// than null/false, or panics with `what` after 20 s (a loaded two-core CI machine can take
    /// seconds to compile the widget's wasm; a wait that succeeds returns at once).
    pub async fn wait_for(
        &self,
        what: &str,
        script: &str,
        args: Vec<serde_json::Value>,
    ) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let value = self
                .client
                .execute(script, args.clone())
                .await
                .expect("executing script");
            if !value.is_null() && value != json!(false) {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Runs `script` (a function body; `arguments` holds `args`) once and returns its value.
    pub async fn js(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("executing script failed: {e}\n{script}"))
    }

    /// Presses and releases `key` (a character or a [`fantoccini::key::Key`] as `char`) on
    /// whatever has focus, as a keyboard would; unlike `send_keys` it does not move focus first.
    pub async fn press(&self, key: impl Into<char>) {
        let value = key.into();
        let keys = KeyActions::new("keyboard".to_string())
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
        self.client
            .perform_actions(keys)
            .await
            .expect("pressing a key");
    }

    /// Saves a PNG screenshot of the page to `target/screenshots/<name>.png`, for people to look at.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("taking a screenshot");
        let dir = crate::repo_root().join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("creating target/screenshots");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("writing screenshot");
    }

    /// Runs axe-core (tests/node_modules, installed by `cargo xtask setup`) on the current page
    /// against WCAG 2.1 A and AA and returns each violation as `rule: selector, selector`.
    pub async fn axe(&self) -> Vec<String> {
        let path = crate::repo_root().join("tests/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}: run `cargo xtask setup`", path.display()));
        self.js(&source, Vec::new()).await;
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                   .then((r) => done(r.violations.map((v) => v.id + ': ' +
                       v.nodes.map((n) => n.target.join(' ')).join(', '))))
                   .catch((e) => done(['axe failed: ' + e]));",
                Vec::new(),
            )
            .await
            .expect("running axe");
        serde_json::from_value(found).expect("a list of violations")
    }

    /// Ends the session and stops chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("binding a free port")
        .local_addr()
        .expect("address")
        .port()
}

/// A Chromium DevTools command, through chromedriver's bridge (fantoccini has no method for it).
#[derive(Debug)]
struct Cdp(&'static str, serde_json::Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.0, "params": self.1 });
        (http::Method::POST, Some(body.to_string()))
    }
}

impl Browser {
    /// Runs Chromium's DevTools command `cmd` (`Network.emulateNetworkConditions`, ...) with
    /// `params` and returns its result.
    pub async fn cdp(
        &self,
        cmd: &'static str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, CmdError> {
        self.client.issue_cmd(Cdp(cmd, params)).await
    }
}
