//! `crescent run`: the game in an assets folder, headless, with a report at the end.

use std::{io::IsTerminal, path::PathBuf, process::ExitCode};

use anyhow::Context;
use crescent::game::{Game, GameConfig};
use indicatif::{ProgressBar, ProgressStyle};

use super::{ReportFormat, out::Out};

/// Arguments of `crescent run`.
pub struct RunArgs {
    pub assets: PathBuf,
    pub main: PathBuf,
    pub frames: u64,
    pub hz: f64,
    pub report: ReportFormat,
    pub watch: bool,
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let mut config = GameConfig::new(&args.assets);
    config.hz = args.hz;
    config.script.watch = args.watch;
    // mlua errors are not `Send`, so they travel to anyhow as text.
    let mut game = Game::new(config).map_err(|e| anyhow::anyhow!("{e}"))?;
    game.run_main(&args.main)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("cannot start the game in {}", args.assets.display()))?;

    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(args.frames);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} frames  {per_sec}  eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    // With --watch there must be time to edit: frames are paced at `hz` in wall-clock
    // time (each still advances virtual time by exactly 1/hz). Otherwise back to back.
    let started = std::time::Instant::now();
    for frame in 1..=args.frames {
        game.step();
        progress.inc(1);
        if args.watch {
            let due = started + std::time::Duration::from_secs_f64(frame as f64 / args.hz);
            std::thread::sleep(due.saturating_duration_since(std::time::Instant::now()));
        }
    }
    progress.finish_and_clear();

    let report = game.report();
    let mut out = Out::default();
    match args.report {
        ReportFormat::Json => out.line(report.to_json())?,
        ReportFormat::Text => {
            out.line(format_args!(
                "crescent run {} ({} Hz)",
                args.assets.display(),
                args.hz
            ))?;
            out.text(report.to_text())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
