//! `crescent check`: every script compiles, or each problem as `file:line: message`.

use std::{path::Path, process::ExitCode};

use anyhow::Context;

use super::out::Out;

pub fn check(assets: &Path) -> anyhow::Result<ExitCode> {
    crescent::game::check_assets(assets)?;
    let mut out = Out::default();
    let report = crescent::check::check_dir(assets)
        .with_context(|| format!("cannot read {}", assets.display()))?;
    for problem in &report.problems {
        out.line(&problem.message)?;
    }
    if report.problems.is_empty() {
        out.line(format_args!(
            "checked {} scripts in {}: no problems",
            report.files,
            assets.display()
        ))?;
        Ok(ExitCode::SUCCESS)
    } else {
        out.line(format_args!(
            "checked {} scripts in {}: {} with problems",
            report.files,
            assets.display(),
            report.problems.len()
        ))?;
        Ok(ExitCode::FAILURE)
    }
}
