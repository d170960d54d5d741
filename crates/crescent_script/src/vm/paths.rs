//! Script and module paths: relative to the assets root, `/`-separated, never leaving it.

use std::path::{Component, Path};

use crate::data::error::CrescentError;

/// Normalises a script path relative to the assets root, refusing anything that leaves it.
pub(crate) fn normalize_path(path: &str) -> Result<String, CrescentError> {
    let bad = |reason| CrescentError::BadPath {
        path: path.to_owned(),
        reason,
    };
    if path.is_empty() {
        return Err(bad("the path is empty"));
    }
    if path.contains('\\') || path.contains('\0') {
        return Err(bad("use '/' as separator, without NUL bytes"));
    }
    let mut parts = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => return Err(bad("'..' would leave the assets root")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(bad(
                    "absolute paths are not allowed; paths are relative to the assets root",
                ));
            }
        }
    }
    if parts.is_empty() {
        return Err(bad("the path names no file"));
    }
    Ok(parts.join("/"))
}

/// `a.b` -> `a/b.lua`, refusing names that would leave the assets root.
pub(super) fn module_path(name: &str) -> Result<String, CrescentError> {
    if name.starts_with('/') || name.contains("..") || name.contains('\\') {
        return Err(CrescentError::BadPath {
            path: name.to_owned(),
            reason: "modules are named like 'a.b' and load from the assets root only",
        });
    }
    normalize_path(&format!("{}.lua", name.replace('.', "/")))
}
