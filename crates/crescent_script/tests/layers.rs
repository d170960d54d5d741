//! The crate's layering, checked from its source: every module depends only on its own
//! layer or the layers below (see the crate doc), and the files of one folder form no
//! import cycle among siblings.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

/// Layers from the bottom up; a folder may use only folders at or before its own place.
const LAYERS: [&str; 7] = ["data", "registry", "vm", "frame", "api", "runtime", "bevy"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments (doc links name other layers freely).
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).expect("readable source");
    text.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first identifier after each `prefix` in `code`, including every first-level name of
/// a `prefix{a, b::c}` group.
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = BTreeSet::new();
    for (at, _) in code.match_indices(prefix) {
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        let name = ident(&group[i..]);
                        if !name.is_empty() {
                            names.insert(name);
                        }
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

fn layer_of(name: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == name)
}

#[test]
fn no_module_uses_a_higher_layer() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(src()).expect("under src");
        let Some(own) = relative
            .components()
            .next()
            .and_then(|c| layer_of(&c.as_os_str().to_string_lossy()))
        else {
            continue;
        };
        for used in names_after(&code(file), "crate::") {
            if let Some(layer) = layer_of(&used)
                && layer > own
            {
                violations.push(format!(
                    "{} ({}) uses crate::{used} ({})",
                    relative.display(),
                    LAYERS[own],
                    LAYERS[layer]
                ));
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
    assert!(files.len() > 30, "the source tree was found");
}

#[test]
fn sibling_files_import_no_cycle() {
    let mut folders: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for file in files {
        let folder = file.parent().expect("a folder").to_path_buf();
        folders.entry(folder).or_default().push(file);
    }
    for (folder, files) in &folders {
        let module = |file: &Path| -> String {
            file.file_stem()
                .expect("a file name")
                .to_string_lossy()
                .into_owned()
        };
        let siblings: BTreeSet<String> = fs::read_dir(folder)
            .expect("readable folder")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "rs"))
            .map(|p| module(&p))
            .filter(|m| m != "mod" && m != "lib" && m != "tests")
            .collect();
        // Edges between sibling modules; the folder's own mod.rs is its façade, and a
        // child using it is not a sibling edge.
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in files {
            let from = module(file);
            if !siblings.contains(&from) {
                continue;
            }
            let code = code(file);
            let mut used = names_after(&code, "super::");
            if let Some(layer) = folder
                .strip_prefix(src())
                .ok()
                .and_then(|p| p.to_str())
                .filter(|p| !p.is_empty())
            {
                used.extend(names_after(
                    &code,
                    &format!("crate::{}::", layer.replace('/', "::")),
                ));
            }
            let targets = used
                .into_iter()
                .filter(|m| siblings.contains(m) && *m != from)
                .collect();
            edges.insert(from, targets);
        }
        // Depth-first search for a back edge.
        fn visit(
            node: &str,
            edges: &BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(at) = path.iter().position(|n| n == node) {
                let mut cycle = path[at..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            if done.contains(node) {
                return None;
            }
            path.push(node.to_owned());
            for next in edges.get(node).into_iter().flatten() {
                if let Some(cycle) = visit(next, edges, path, done) {
                    return Some(cycle);
                }
            }
            path.pop();
            done.insert(node.to_owned());
            None
        }
        let mut done = BTreeSet::new();
        for node in edges.keys() {
            let cycle = visit(node, &edges, &mut Vec::new(), &mut done);
            assert!(
                cycle.is_none(),
                "import cycle in {}: {:?}",
                folder.display(),
                cycle
            );
        }
    }
}
