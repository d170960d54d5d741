//! Command-line parsing and dispatch.

mod check;
mod out;
mod run;
mod test;
mod types;

use std::{io::Write, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand, ValueEnum};

/// Lua scripting for bevy_ecs games, headless and deterministic.
#[derive(Parser, Debug)]
#[command(name = "crescent", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Report formats for `crescent run`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    /// A short table for people.
    Text,
    /// One JSON object on stdout.
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the game in ASSETS headless for a number of frames and print a report.
    Run {
        /// The assets folder.
        #[arg(default_value = "assets")]
        assets: PathBuf,
        /// The main script, relative to ASSETS; runs once before the first frame.
        #[arg(long, default_value = "main.lua")]
        main: PathBuf,
        /// Frames to run.
        #[arg(long, default_value_t = 600)]
        frames: u64,
        /// Frames per second: each frame advances time by exactly 1/hz.
        #[arg(long, default_value_t = 60.0, value_parser = parse_hz, allow_negative_numbers = true)]
        hz: f64,
        /// Report format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        report: ReportFormat,
        /// Hot-reload scripts when their files change; frames are then paced in real time.
        #[arg(long)]
        watch: bool,
    },
    /// Compile every script under ASSETS without running it; print each problem as file:line.
    Check {
        /// The folder to check.
        #[arg(default_value = "assets")]
        assets: PathBuf,
    },
    /// Run Lua test files headless, each test in a fresh world.
    Test {
        /// The assets folder test scripts resolve against.
        #[arg(long, default_value = "assets")]
        assets: PathBuf,
        /// Test files or folders.
        #[arg(default_value = "tests/lua")]
        paths: Vec<PathBuf>,
    },
    /// Write LuaLS annotations (`---@meta`) for the whole Lua API, for editors.
    Types {
        /// The file to write (stdout when omitted).
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
}

fn parse_hz(text: &str) -> Result<f64, String> {
    use crescent::game::{MAX_HZ, MIN_HZ, valid_hz};
    let hz: f64 = text
        .parse()
        .map_err(|e| format!("--hz must be a number of frames per second ({e})"))?;
    if valid_hz(hz) {
        Ok(hz)
    } else {
        Err(format!(
            "--hz must be between {MIN_HZ} and {MAX_HZ}, got {text}"
        ))
    }
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Tests provoke script errors on purpose; `t:errors()` is how they see them.
    init_logging(match cli.command {
        Command::Test { .. } => "error",
        Command::Check { .. } => "warn",
        Command::Run { .. } => "warn",
        Command::Types { .. } => "warn",
    });
    let result = match cli.command {
        Command::Run {
            assets,
            main,
            frames,
            hz,
            report,
            watch,
        } => run::run(run::RunArgs {
            assets,
            main,
            frames,
            hz,
            report,
            watch,
        }),
        Command::Test { assets, paths } => test::test(&assets, &paths),
        Command::Check { assets } => check::check(&assets),
        Command::Types { output } => types::types(output.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // stderr closed too: nothing more can be said.
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logging(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CRESCENT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
