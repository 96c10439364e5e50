//! The stamp that ties the shipped widget bundle to the sources it was built from.
//!
//! Owners get the widget prebuilt inside `kbgen`, so a change to the widget or the engine that is
//! not followed by `cargo xtask widget` would ship stale code without anybody noticing. The stamp is
//! a hash of everything that goes into the bundle: the widget's and the engine's sources, the bundle
//! pipeline, the size profile and the locked versions of the widget's dependencies (only those, so
//! that adding a dependency to kbgen does not ask for a widget rebuild).

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

// kbgen's list of folders no walk goes into, so the stamp skips what kbgen skips.
#[path = "../../kbgen/src/skip.rs"]
mod skip;

/// Source folders and files (relative to the workspace root) whose bytes go into the bundle.
/// Only what is compiled or copied into it, and the pipeline that makes it (`widget.rs`, and
/// `wasm_names.rs`, which rewrites the shipped files): the widget's tests, examples and size-floor
/// script are not, so editing them asks for no rebuild.
const INPUTS: &[&str] = &[
    "engine/Cargo.toml",
    "engine/src",
    "widget/Cargo.toml",
    "widget/build.rs",
    "widget/loader",
    "widget/locales",
    "widget/src",
    "widget/style",
    "xtask/src/widget.rs",
    "xtask/src/wasm_names.rs",
    "xtask/package-lock.json",
];

/// Computes the stamp of the current sources.
pub fn compute(root: &Path) -> Result<String> {
    let mut hasher = Sha256::new();
    let mut files = Vec::new();
    for input in INPUTS {
        collect(&root.join(input), &mut files)?;
    }
    files.sort();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap_or(file);
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        hasher.update(rel.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let manifest: toml::Table = read_toml(&root.join("Cargo.toml"))?;
    let profile = manifest
        .get("profile")
        .and_then(|p| p.get("wasm-release"))
        .map(ToString::to_string)
        .unwrap_or_default();
    hasher.update(profile.as_bytes());
    let lock = read_toml(&root.join("Cargo.lock"))?;
    for package in locked_closure(&lock, "solodesk-widget") {
        hasher.update(package.as_bytes());
        hasher.update([b'\n']);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// The version Cargo.lock resolved for the package `name` (its first, if several are locked).
pub fn locked_version(root: &Path, name: &str) -> Result<String> {
    let lock = read_toml(&root.join("Cargo.lock"))?;
    lock.get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(name))
        .and_then(|p| p.get("version")?.as_str())
        .map(str::to_owned)
        .with_context(|| format!("Cargo.lock has no {name}"))
}

fn read_toml(path: &Path) -> Result<toml::Table> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.parse()
        .with_context(|| format!("parsing {}", path.display()))
}

fn collect(path: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    if path.is_file() {
        out.push(path.to_owned());
        return Ok(());
    }
    for entry in std::fs::read_dir(path).with_context(|| format!("reading {}", path.display()))? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if skip::skipped_dir(&name) {
            continue;
        }
        collect(&path, out)?;
    }
    Ok(())
}

/// `name version` of `root` and every package it depends on, as Cargo.lock resolved them.
fn locked_closure(lock: &toml::Table, root: &str) -> BTreeSet<String> {
    let packages: Vec<&toml::Table> = lock
        .get("package")
        .and_then(|p| p.as_array())
        .map(|a| a.iter().filter_map(|p| p.as_table()).collect())
        .unwrap_or_default();
    let field = |p: &toml::Table, key: &str| {
        p.get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let mut by_name: HashMap<String, Vec<&toml::Table>> = HashMap::new();
    for p in &packages {
        by_name.entry(field(p, "name")).or_default().push(p);
    }
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_owned()];
    while let Some(dep) = todo.pop() {
        // A dependency is written `name`, or `name version` when several versions are locked.
        let mut parts = dep.split_whitespace();
        let name = parts.next().unwrap_or_default();
        let version = parts.next();
        let Some(candidates) = by_name.get(name) else {
            continue;
        };
        for p in candidates {
            let pv = field(p, "version");
            if version.is_some_and(|v| v != pv) {
                continue;
            }
            if seen.insert(format!("{name} {pv}")) {
                if let Some(deps) = p.get("dependencies").and_then(|d| d.as_array()) {
                    todo.extend(deps.iter().filter_map(|d| d.as_str()).map(str::to_owned));
                }
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_widget_bundle_is_up_to_date() {
        let root = crate::root();
        let stamp_file = root.join(crate::widget::SHIPPED).join("STAMP");
        let shipped = std::fs::read_to_string(&stamp_file).unwrap_or_default();
        let current = compute(&root).unwrap();
        assert_eq!(
            shipped.trim(),
            current,
            "the widget bundle that kbgen ships ({}) was built from other sources: \
             run `cargo xtask widget` to rebuild it, then commit it",
            stamp_file.display()
        );
    }

    /// The stamp leaves out the folders kbgen's walks leave out (`kbgen/src/skip.rs`): output and
    /// dependency folders anywhere, and hidden ones; it once knew only `target` and `node_modules`.
    #[test]
    fn stamp_skips_the_folders_kbgen_skips() {
        let root = std::env::temp_dir().join(format!("xtask-stamp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for rel in [
            "src/lib.rs",
            "public/x.js",
            "out/x.js",
            "src/_site/x",
            ".cache/x",
        ] {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let mut files = Vec::new();
        collect(&root, &mut files).unwrap();
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(files, [root.join("src/lib.rs")]);
    }

    #[test]
    fn closure_follows_versions_and_skips_other_packages() {
        let lock: toml::Table = r#"
            [[package]]
            name = "app"
            version = "1.0.0"
            dependencies = ["dep 2.0.0", "leaf"]
            [[package]]
            name = "dep"
            version = "1.0.0"
            [[package]]
            name = "dep"
            version = "2.0.0"
            [[package]]
            name = "leaf"
            version = "0.1.0"
            [[package]]
            name = "unrelated"
            version = "9.9.9"
        "#
        .parse()
        .unwrap();
        let closure: Vec<_> = locked_closure(&lock, "app").into_iter().collect();
        assert_eq!(closure, ["app 1.0.0", "dep 2.0.0", "leaf 0.1.0"]);
    }
}
