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

/// Why a module name is refused.
const MODULE_RULE: &str = "modules are named like 'a.b' (non-empty segments separated by '.' or '/', \
     no '\\' or NUL) and load from the assets root only";

/// A module name's canonical name and file: `a.b` and `a/b` are both `a.b`, in `a/b.lua`.
/// Names with an empty segment (`a..b`, `.a`, `a//b`, `/a`) or that could leave the
/// assets root are refused, so one file is one module, under one name.
pub(super) fn module_path(name: &str) -> Result<(String, String), CrescentError> {
    let segments: Vec<&str> = name.split(['.', '/']).collect();
    let refused = name.contains('\\')
        || name.contains('\0')
        || segments.iter().any(|segment| segment.is_empty());
    if refused {
        return Err(CrescentError::BadPath {
            path: name.to_owned(),
            reason: MODULE_RULE,
        });
    }
    let path = normalize_path(&format!("{}.lua", segments.join("/")))?;
    Ok((segments.join("."), path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "the path is empty";
    const SEPARATOR: &str = "use '/' as separator, without NUL bytes";
    const PARENT: &str = "'..' would leave the assets root";
    const ABSOLUTE: &str = "absolute paths are not allowed; paths are relative to the assets root";
    const NO_FILE: &str = "the path names no file";

    /// The refused path and the reason, or the accepted path.
    fn refusal(result: Result<String, CrescentError>) -> Result<String, (String, &'static str)> {
        result.map_err(|err| match err {
            CrescentError::BadPath { path, reason } => (path, reason),
            other => panic!("expected BadPath, got {other:?}"),
        })
    }

    #[test]
    fn normalize_path_refuses_paths_that_leave_the_assets_root() {
        let cases = [
            ("", EMPTY),
            ("a\\b.lua", SEPARATOR),
            ("..\\a.lua", SEPARATOR),
            ("a\0b.lua", SEPARATOR),
            ("../a.lua", PARENT),
            ("a/../b.lua", PARENT),
            ("a/b/..", PARENT),
            ("/a.lua", ABSOLUTE),
            ("//a.lua", ABSOLUTE),
            (".", NO_FILE),
            ("./", NO_FILE),
            ("././/.", NO_FILE),
        ];
        for (path, reason) in cases {
            assert_eq!(
                refusal(normalize_path(path)),
                Err((path.to_owned(), reason)),
                "{path:?}"
            );
        }
        let shown = normalize_path("../x.lua").map_err(|err| err.to_string());
        assert_eq!(
            shown,
            Err("invalid script path '../x.lua': '..' would leave the assets root".to_owned())
        );
    }

    #[test]
    fn normalize_path_drops_dots_and_doubled_separators() {
        let cases = [
            ("./a//b.lua", "a/b.lua"),
            ("a.lua", "a.lua"),
            ("a/./b/./c.lua", "a/b/c.lua"),
            ("scripts/mover.lua", "scripts/mover.lua"),
            ("a..b.lua", "a..b.lua"),
            ("...", "..."),
        ];
        for (path, normal) in cases {
            assert_eq!(
                refusal(normalize_path(path)),
                Ok(normal.to_owned()),
                "{path:?}"
            );
        }
    }

    #[test]
    fn module_path_maps_dots_and_slashes_to_one_canonical_name() {
        let cases = [
            ("a", "a", "a.lua"),
            ("a.b", "a.b", "a/b.lua"),
            ("lib.util.math", "lib.util.math", "lib/util/math.lua"),
            ("a/b", "a.b", "a/b.lua"),
            ("lib/journal", "lib.journal", "lib/journal.lua"),
        ];
        for (name, canonical, path) in cases {
            let got = module_path(name).map_err(|e| e.to_string());
            assert_eq!(got, Ok((canonical.to_owned(), path.to_owned())), "{name:?}");
        }
    }

    #[test]
    fn module_path_refuses_empty_segments_and_names_that_leave_the_assets_root() {
        let names = [
            "",
            "/a",
            "/a.b",
            "..",
            "a..b",
            "..a",
            "a.b..",
            "a\\b",
            ".a",
            "a.",
            "a//b",
            "lib.//journal",
            "a\0",
        ];
        for name in names {
            let err = module_path(name).map_err(|e| e.to_string()).err();
            assert_eq!(
                err,
                Some(format!("invalid script path '{name}': {MODULE_RULE}")),
                "{name:?}"
            );
        }
    }
}
