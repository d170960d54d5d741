//! `crescent types`: LuaLS annotations (`---@meta`) for the whole Lua API.

use std::{path::Path, process::ExitCode};

use anyhow::Context;

use super::out::Out;

/// Prints the annotations on stdout, or writes them to `output` and says where.
pub fn types(output: Option<&Path>) -> anyhow::Result<ExitCode> {
    let text = crescent::script::api::spec::luals_annotations();
    match output {
        None => {
            Out::default().text(&text)?;
        }
        Some(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Out::default().line(format_args!(
                "wrote LuaLS annotations to {}",
                path.display()
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
