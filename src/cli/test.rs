//! `crescent test`: Lua test files, one fresh world per test.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use crescent::testing;

use super::out::Out;

pub fn test(assets: &Path, paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    crescent::game::check_assets(assets)?;
    let files = testing::discover(paths).map_err(anyhow::Error::msg)?;
    if files.is_empty() {
        anyhow::bail!("no Lua test files found in {}", display_paths(paths));
    }
    let mut out = Out::default();
    let mut failed_output = None;
    let summary = testing::run_files(assets, &files, |outcome| {
        if let Err(err) = out.line(outcome.line()) {
            failed_output.get_or_insert(err);
        }
    });
    if let Some(err) = failed_output {
        return Err(err);
    }
    out.line(summary.closing_line())?;
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
