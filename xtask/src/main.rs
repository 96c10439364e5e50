//! `cargo xtask <task>`: the project's tasks that cargo alone cannot express.
//!
//! - `setup`: installs what building the widget and the tests need (see `xtask/setup.sh`).
//! - `widget [--out DIR]`: builds the widget bundle from source into `kbgen/assets/widget/`, the
//!   copy `kbgen` ships, or into DIR; prints each file's size raw, gzip and brotli.
//! - `wasm-test [--bench]`: the engine's and the widget's WebAssembly tests in headless Chromium;
//!   `--bench` adds the engine's query latency in wasm.
//! - `ci`: the one test command: setup, the guardrails (`cargo fmt --check`, clippy with
//!   `-D warnings`, which includes `too_many_lines` at 150 lines, rustdoc with `-D warnings`), a
//!   from-source widget build, then every test,
//!   native and then wasm.

mod stamp;
mod wasm_names;
mod wasm_test;
mod widget;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["setup"] => setup(),
        ["widget"] => widget::build(&root().join(widget::SHIPPED)),
        ["widget", "--out", dir] => widget::build(Path::new(dir)),
        ["wasm-test"] => wasm_test::run_all(false),
        ["wasm-test", "--bench"] => wasm_test::run_all(true),
        ["ci"] => ci(),
        _ => bail!(
            "usage: cargo xtask <setup | widget [--out DIR] | wasm-test [--bench] | ci>\n\
             \n  setup      install the wasm toolchain, wasm-bindgen-cli, wasm-opt and Chromium if missing\
             \n  widget     build the widget bundle that kbgen ships (kbgen/assets/widget/)\
             \n  wasm-test  the engine's and the widget's wasm tests in headless Chromium;\
             \n             --bench adds the engine's query latency in wasm (1,000 and 20,000 articles)\
             \n  ci         the README's test command: setup, widget build from source, every test"
        ),
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

fn setup() -> Result<()> {
    run(Command::new("bash").arg(root().join("xtask/setup.sh")))
}

fn ci() -> Result<()> {
    let started = std::time::Instant::now();
    setup()?;
    // Guardrails first: they are quick and say most plainly what is wrong.
    run(Command::new(cargo())
        .current_dir(root())
        .args(["fmt", "--all", "--check"]))?;
    run(Command::new(cargo()).current_dir(root()).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(Command::new(cargo())
        .current_dir(root())
        .env("RUSTDOCFLAGS", "-D warnings")
        .args(["doc", "--workspace", "--no-deps"]))?;
    // Building from source proves the pipeline works on this machine; the tests then run against
    // the bundle kbgen ships, whose freshness a test checks (see `stamp`).
    widget::build(&root().join("target/widget-ci"))?;
    // setup installs Dovecot, so the desk's IMAP tests must run here rather than skip.
    run(Command::new(cargo())
        .current_dir(root())
        .env("KBGEN_REQUIRE_DOVECOT", "1")
        .args(["test", "--workspace", "--no-fail-fast"]))?;
    // The same engine and widget compiled to wasm32, in headless Chromium (not the benchmark).
    wasm_test::run_all(false)?;
    eprintln!(
        "xtask ci: all done in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The cargo that runs this xtask.
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Runs a command, failing with its command line when it does not succeed.
fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}
