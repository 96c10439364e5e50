//! Writes a built site atomically: into a fresh sibling folder first, then swapped into place,
//! so a failed or killed build never leaves a half-written site where the old one was.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Writes `files` and copies `copies` into `out` via a temporary sibling; `extra` may add files
/// (e.g. the widget bundle) to the temporary folder before the swap.
pub fn write_atomic(
    out: &Path,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
    copies: &std::collections::BTreeMap<String, PathBuf>,
    extra: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = parent.join(format!(".{name}.kbgen-tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.kbgen-old-{}", std::process::id()));
    // A build that was killed leaves its temporary folder behind; the site itself is intact.
    // Clear such leftovers of earlier runs for this output folder.
    if let Ok(entries) = std::fs::read_dir(&parent) {
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with(&format!(".{name}.kbgen-tmp-"))
                || n.starts_with(&format!(".{name}.kbgen-old-"))
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    let result = (|| -> Result<()> {
        for (rel, bytes) in files {
            let path = tmp.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        }
        for (rel, src) in copies {
            let path = tmp.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            std::fs::copy(src, &path)
                .with_context(|| format!("copying {} to {}", src.display(), path.display()))?;
        }
        extra(&tmp)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    // Swap: the old site moves aside, the new one takes its name, then the old one goes.
    if out.exists() {
        if !out.is_dir() {
            let _ = std::fs::remove_dir_all(&tmp);
            anyhow::bail!("{} exists and is not a folder", out.display());
        }
        std::fs::rename(out, &old)
            .with_context(|| format!("moving the previous {} aside", out.display()))?;
    }
    if let Err(e) = std::fs::rename(&tmp, out) {
        let _ = std::fs::rename(&old, out);
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e).with_context(|| format!("moving the new site to {}", out.display()));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}
