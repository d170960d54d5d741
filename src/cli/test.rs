//! `crescent test`: Lua test files, one fresh world per test.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use crescent::testing;

pub fn test(assets: &Path, paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let files = testing::discover(paths).map_err(anyhow::Error::msg)?;
    if files.is_empty() {
        anyhow::bail!("no Lua test files found in {}", display_paths(paths));
    }
    let summary = testing::run_files(assets, &files, |outcome| println!("{}", outcome.line()));
    println!("{}", summary.closing_line());
    Ok(if summary.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
