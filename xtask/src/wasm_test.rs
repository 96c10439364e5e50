//! Runs the WebAssembly tests in headless Chromium: the engine's (`engine/tests/wasm.rs`, the same
//! answers as natively) and the widget's (`widget/tests/browser.rs`, the panel mounted in a shadow
//! root and driven through the DOM), with `--bench` the engine's query latency in wasm as well.
//!
//! The tests compile with the toolchain route of the widget build ([`widget::wasm_cargo`]) but
//! without its size flags, so a failing assertion prints its message; cargo hands each test
//! module to `wasm-bindgen-test-runner`, which serves it to Chromium through chromedriver.

use crate::{root, run, widget};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Flags for Chromium besides those the runner always adds (`headless`, `no-sandbox`,
/// `disable-dev-shm-usage`): no GPU, and no background traffic or first-run work that would
/// compete with the tests on a busy machine.
const CHROMIUM_ARGS: &[&str] = &[
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Runs the tests; with `bench`, also the ignored latency benchmark, built the way the widget
/// ships (see [`bench()`]).
pub fn run_all(bench: bool) -> Result<()> {
    let root = root();
    let runner = runner(&root)?;
    for path in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(path).exists() {
            bail!("{path} is missing: run `cargo xtask setup`");
        }
    }
    let webdriver = root.join("target/wasm-test/webdriver.json");
    std::fs::create_dir_all(webdriver.parent().expect("a parent"))?;
    let caps = serde_json::json!({
        "goog:chromeOptions": { "binary": CHROMIUM, "args": CHROMIUM_ARGS }
    });
    std::fs::write(&webdriver, serde_json::to_string_pretty(&caps)? + "\n")
        .with_context(|| format!("writing {}", webdriver.display()))?;

    let started = std::time::Instant::now();
    // Both suites run even when the first fails, so one run shows every failure.
    let failed: Vec<String> = [("solodesk-engine", "wasm"), ("solodesk-widget", "browser")]
        .into_iter()
        .filter_map(|(package, target)| {
            test(&root, &runner, &webdriver, package, target)
                .err()
                .map(|e| format!("{package} --test {target}: {e:#}"))
        })
        .collect();
    if !failed.is_empty() {
        bail!("wasm tests failed:\n{}", failed.join("\n"));
    }
    eprintln!(
        "xtask wasm-test: tests passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    if bench {
        self::bench(&root, &runner, &webdriver)?;
    }
    Ok(())
}

/// `cargo test -p <package> --test <target>` for wasm32 with the runner, in the dev profile.
fn test(root: &Path, runner: &Path, webdriver: &Path, package: &str, target: &str) -> Result<()> {
    let mut wasm = widget::wasm_cargo(root, "wasm-test")?;
    browser_env(&mut wasm.cmd, runner, webdriver, 120);
    wasm.cmd
        // Without debug info the widget's test module is a fifth of its size, which Chromium
        // loads and wasm-bindgen processes faster; panics still say where they happened.
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .args(["test", "--package", package, "--test", target])
        .args(["--target", "wasm32-unknown-unknown", "--target-dir"])
        .arg(&wasm.target_dir)
        // Without it the runner drops a failed assertion's message when panics abort.
        .args(["--", "--nocapture"]);
    run(&mut wasm.cmd)
}

/// The engine's query latency in wasm, compiled as the widget ships it: the `wasm-release`
/// profile (optimized for size) and, on the Debian route, the widget's std and panic flags.
/// Only wasm-opt is left out, which rewrites the module after the compiler.
fn bench(root: &Path, runner: &Path, webdriver: &Path) -> Result<()> {
    let mut wasm = widget::wasm_cargo(root, "wasm-test --bench")?;
    widget::size_flags(&mut wasm);
    if wasm.build_std {
        // The size flags abort on panic, which the test harness accepts only when told so.
        wasm.cmd.env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            format!("{} -Zpanic_abort_tests", widget::SIZE_RUSTFLAGS),
        );
    }
    // A target folder of its own: with flags that differ in that one switch, the bench and the
    // widget build would otherwise rebuild std and every dependency for each other.
    let mut dir = wasm.target_dir.into_os_string();
    dir.push("-bench");
    wasm.target_dir = dir.into();
    // Building 20,000 articles and timing 2,000 queries per size takes a few minutes here.
    browser_env(&mut wasm.cmd, runner, webdriver, 900);
    wasm.cmd
        .args(["test", "--package", "solodesk-engine", "--test", "wasm"])
        .args(["--profile", "wasm-release"])
        .args(["--target", "wasm32-unknown-unknown", "--target-dir"])
        .arg(&wasm.target_dir)
        .args(["--", "--include-ignored", "--nocapture", "query_latency"]);
    run(&mut wasm.cmd)
}

/// What `wasm-bindgen-test-runner` needs to drive headless Chromium.
fn browser_env(cmd: &mut Command, runner: &Path, webdriver: &Path, timeout_secs: u32) {
    cmd.env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", runner)
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", webdriver)
        // The runner's limit is for a whole test module, 20 s by default; a busy machine needs more.
        .env("WASM_BINDGEN_TEST_TIMEOUT", timeout_secs.to_string())
        .env_remove("NO_HEADLESS");
}

/// `wasm-bindgen-test-runner`, which must come from the wasm-bindgen-cli of the locked
/// wasm-bindgen: the two speak a private protocol.
fn runner(root: &Path) -> Result<PathBuf> {
    let want = crate::stamp::locked_version(root, "wasm-bindgen")?;
    let mut candidates = vec![PathBuf::from("wasm-bindgen-test-runner")];
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cargo/bin/wasm-bindgen-test-runner"));
    }
    for runner in candidates {
        let Ok(out) = Command::new(&runner).arg("--version").output() else {
            continue;
        };
        let version = String::from_utf8_lossy(&out.stdout);
        if version.split_whitespace().nth(1) == Some(want.as_str()) {
            return Ok(runner);
        }
        bail!(
            "{} is {}, but Cargo.lock has wasm-bindgen {want}: run `cargo xtask setup`",
            runner.display(),
            version.trim()
        );
    }
    bail!("wasm-bindgen-test-runner not found: run `cargo xtask setup`")
}
