//! `crescent check`: every script compiles, or each problem as `file:line: message`.

use std::{path::Path, process::ExitCode};

use anyhow::Context;

pub fn check(assets: &Path) -> anyhow::Result<ExitCode> {
    if !assets.is_dir() {
        anyhow::bail!("assets folder not found: {}", assets.display());
    }
    let report = crescent::check::check_dir(assets)
        .with_context(|| format!("cannot read {}", assets.display()))?;
    for problem in &report.problems {
        println!("{}", problem.message);
    }
    if report.problems.is_empty() {
        println!(
            "checked {} scripts in {}: no problems",
            report.files,
            assets.display()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "checked {} scripts in {}: {} with problems",
            report.files,
            assets.display(),
            report.problems.len()
        );
        Ok(ExitCode::FAILURE)
    }
}
