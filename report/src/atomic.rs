//! Writing an output file so that a reader never sees it half-written.
//!
//! Each file is written next to its final path under a temporary name and then
//! renamed over it: a rename within one directory replaces the file in one step,
//! where writing in place would leave a truncated file behind a failed write.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Writes `contents` to `<path>.tmp`, then renames that over `path`; on failure the
/// temporary file is removed and `path` is left as it was. A file already at `path`
/// keeps its permissions.
pub fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let result = fs::write(&temporary, contents)
        .with_context(|| format!("cannot write {}", temporary.display()))
        .and_then(|()| match fs::metadata(path) {
            Ok(existing) => fs::set_permissions(&temporary, existing.permissions())
                .with_context(|| format!("cannot set the permissions of {}", temporary.display())),
            Err(_) => Ok(()),
        })
        .and_then(|()| {
            fs::rename(&temporary, path).with_context(|| {
                format!(
                    "cannot rename {} to {}",
                    temporary.display(),
                    path.display()
                )
            })
        });
    if result.is_err() {
        // Best effort: the error being returned is the one that matters.
        let _ = fs::remove_file(&temporary);
    }
    result
}
