//! Finding Lua test files under the paths given on the command line.

use std::path::{Path, PathBuf};

/// Expands `paths` into test files: files as given, folders searched recursively for
/// `*.lua`, sorted. Fails naming the first path that does not exist.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
        } else if path.is_dir() {
            let found =
                lua_files(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            files.extend(found);
        } else {
            return Err(format!("test path not found: {}", path.display()));
        }
    }
    Ok(files)
}

/// Every `*.lua` file under `dir`, recursively, sorted.
pub fn lua_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    walk(dir, &mut found)?;
    found.sort();
    Ok(found)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "lua") {
            out.push(path);
        }
    }
    Ok(())
}
