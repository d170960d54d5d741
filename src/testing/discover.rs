//! Finding Lua test files (and, for `crescent check`, scripts) under the given paths.
//!
//! Symbolic links are followed, but each folder is read once (by its real path), so a
//! link loop ends the walk instead of hanging it, and each file is listed once, however
//! many links lead to it.

use std::{
    collections::HashSet,
    path::{Path, PathBuf},
};

/// Expands `paths` into test files: files as given, folders searched recursively for
/// `*.lua`, sorted; a file reached twice (through links or by being given twice) runs
/// once. Fails naming the first path that does not exist.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut walk = Walk::default();
    for path in paths {
        if path.is_file() {
            walk.file(path.clone());
        } else if path.is_dir() {
            walk.dir(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        } else {
            return Err(format!("test path not found: {}", path.display()));
        }
    }
    Ok(walk.files)
}

/// Every `*.lua` file under `dir`, recursively, sorted, each once.
pub fn lua_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut walk = Walk::default();
    walk.dir(dir)?;
    walk.files.sort();
    Ok(walk.files)
}

#[derive(Default)]
struct Walk {
    files: Vec<PathBuf>,
    /// Real paths of the folders read and the files listed.
    seen: HashSet<PathBuf>,
}

impl Walk {
    fn file(&mut self, path: PathBuf) {
        let real = path.canonicalize().unwrap_or_else(|_| path.clone());
        if self.seen.insert(real) {
            self.files.push(path);
        }
    }

    /// Lists the `.lua` files under `dir` in sorted order, once per real folder.
    fn dir(&mut self, dir: &Path) -> std::io::Result<()> {
        let real = dir.canonicalize()?;
        if !self.seen.insert(real) {
            return Ok(());
        }
        let mut entries = std::fs::read_dir(dir)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<std::io::Result<Vec<_>>>()?;
        entries.sort();
        for path in entries {
            if path.is_dir() {
                self.dir(&path)?;
            } else if path.is_file() && path.extension().is_some_and(|ext| ext == "lua") {
                self.file(path);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn link_loops_end_and_linked_files_are_listed_once() {
        let root = std::env::temp_dir().join(format!("crescent-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/t.lua"), "").unwrap();
        std::os::unix::fs::symlink(&root, root.join("a/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("a/t.lua"), root.join("b.lua")).unwrap();
        let files = lua_files(&root).unwrap();
        assert_eq!(files, vec![root.join("a/t.lua")]);
        let given = discover(&[root.clone(), root.join("a/t.lua")]).unwrap();
        assert_eq!(given.len(), 1);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
