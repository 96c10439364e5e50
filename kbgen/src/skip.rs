//! The folders no walk goes into, for every walk of the project's tools: kbgen's loader
//! (`load.rs`), its preview's watcher (`serve.rs`) and xtask's bundle stamp (`xtask/src/stamp.rs`,
//! which includes this file by path, so it must stay free of dependencies).

/// Folders tools write into (build output, installed dependencies): never articles or sources.
pub const GENERATED_DIRS: &[&str] = &["node_modules", "target", "out", "_site", "public"];

/// Whether a walk leaves out the entry `name` wherever it is: hidden names (`.git`, `.kbgen`).
pub fn hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// Whether a walk leaves out the folder `name`: hidden, or one of [`GENERATED_DIRS`].
pub fn skipped_dir(name: &str) -> bool {
    hidden(name) || GENERATED_DIRS.contains(&name)
}
