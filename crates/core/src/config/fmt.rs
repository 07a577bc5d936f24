//! TEMPORARY placeholder until the loader work lands `fmt`.
use std::path::{Path, PathBuf};
pub fn format_dir(dir: &Path, recursive: bool) -> std::io::Result<Vec<(PathBuf, String, String)>> {
    let _ = (dir, recursive);
    Ok(Vec::new())
}
