//! `crescent check`: compile every script under a folder without running it.

use std::path::Path;

use mlua::{Lua, chunk::ChunkMode};

/// One file that does not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, relative to the checked folder.
    pub file: String,
    /// `file:line: message`, as Lua reports it.
    pub message: String,
}

/// What a check found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Files compiled.
    pub files: usize,
    /// Files that did not compile.
    pub problems: Vec<Problem>,
}

/// Compiles every `.lua` file under `root` (recursively, in sorted order) as text.
pub fn check_dir(root: &Path) -> std::io::Result<CheckReport> {
    let files = crate::testing::lua_files(root)?;
    let lua = Lua::new();
    let mut report = CheckReport::default();
    for path in files {
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        report.files += 1;
        let problem = match std::fs::read(&path) {
            Err(err) => Some(format!("{relative}: cannot read: {err}")),
            Ok(source) => lua
                .load(source)
                .set_name(format!("@{relative}"))
                .set_mode(ChunkMode::Text)
                .into_function()
                .err()
                .map(|err| crescent_script::ScriptHost::error_message(&err)),
        };
        if let Some(message) = problem {
            report.problems.push(Problem {
                file: relative,
                message,
            });
        }
    }
    Ok(report)
}
