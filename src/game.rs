//! A headless game: an app with the scripting plugin, stepped one frame at a time.

use std::{
    path::{Path, PathBuf},
    time::Instant,
};

use bevy_app::App;
use bevy_time::TimePlugin;
use crescent_ecs::{CrescentEcsPlugin, DeterministicTimePlugin, MovementPlugin};
use crescent_script::{CrescentError, ScriptConfig, ScriptHost, ScriptRuntime, ScriptingPlugin};

use crate::report::Report;

/// Why a game could not start.
#[derive(Debug, thiserror::Error)]
pub enum GameError {
    /// The assets folder does not exist.
    #[error("assets folder not found: {0}")]
    AssetsNotFound(PathBuf),
    /// The assets path is a file.
    #[error("the assets path {0} is a file; give the folder that holds main.lua and scripts/")]
    AssetsNotAFolder(PathBuf),
    /// The frame rate is out of range.
    #[error("the frame rate must be between {MIN_HZ} and {MAX_HZ} frames per second, got {0}")]
    BadHz(f64),
    /// The main script does not exist.
    #[error("main script not found: {0}")]
    MainNotFound(PathBuf),
    /// The main script failed to load or run.
    #[error("main script {path} failed: {message}")]
    MainFailed {
        /// The main script's path.
        path: PathBuf,
        /// What went wrong (`file:line: ...`; an error object that is not a string is
        /// described, never shown as an address).
        message: String,
    },
    /// The main script could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The Lua runtime could not be created.
    #[error("the Lua runtime could not be created")]
    NoRuntime,
}

/// The lowest frame rate a game runs at: one frame per 1000 s.
pub const MIN_HZ: f64 = 0.001;
/// The highest frame rate a game runs at.
pub const MAX_HZ: f64 = 10_000.0;

/// Whether `hz` is a usable frame rate (finite, within [`MIN_HZ`]..=[`MAX_HZ`]).
pub fn valid_hz(hz: f64) -> bool {
    (MIN_HZ..=MAX_HZ).contains(&hz)
}

/// How to build a [`Game`].
#[derive(Clone, Debug)]
pub struct GameConfig {
    /// The assets folder: scripts and `require` resolve against it.
    pub assets: PathBuf,
    /// Frames per second; every frame advances time by exactly `1 / hz`.
    pub hz: f64,
    /// Everything else about the runtime (its `assets_root` is replaced by `assets`).
    pub script: ScriptConfig,
}

impl GameConfig {
    /// Defaults (60 Hz, default GC policy) for the assets folder `assets`.
    pub fn new(assets: impl Into<PathBuf>) -> Self {
        Self {
            assets: assets.into(),
            hz: 60.0,
            script: ScriptConfig::default(),
        }
    }
}

/// A headless scripted world and the frame times measured while stepping it.
pub struct Game {
    /// The bevy app.
    pub app: App,
    config: GameConfig,
    frame_times_ms: Vec<f64>,
}

impl Game {
    /// Builds the app; fails when the assets folder is missing (or a file) or the frame
    /// rate is out of range.
    pub fn new(config: GameConfig) -> Result<Self, GameError> {
        check_assets(&config.assets)?;
        if !valid_hz(config.hz) {
            return Err(GameError::BadHz(config.hz));
        }
        Ok(Self::new_unchecked(config))
    }

    /// Builds the app without checking the assets folder (scripts may never be loaded).
    pub fn new_unchecked(config: GameConfig) -> Self {
        // The command line's paths are relative to the current directory, not to
        // `BEVY_ASSET_ROOT` or the manifest: hand the plugin an absolute root.
        let assets_root = std::path::absolute(&config.assets).unwrap_or(config.assets.clone());
        let mut app = App::new();
        app.add_plugins((
            TimePlugin,
            CrescentEcsPlugin,
            DeterministicTimePlugin { hz: config.hz },
            // The demo's Position, Velocity and movement: scripts and Lua tests use them.
            MovementPlugin,
            ScriptingPlugin {
                assets_root,
                ..config.script.clone()
            },
        ));
        Self {
            app,
            config,
            frame_times_ms: Vec::new(),
        }
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &GameConfig {
        &self.config
    }

    /// Runs the main script (relative to the assets folder) once, before the first frame.
    pub fn run_main(&mut self, main: impl AsRef<Path>) -> Result<(), GameError> {
        let relative = main.as_ref();
        let path = self.config.assets.join(relative);
        if !path.is_file() {
            return Err(GameError::MainNotFound(path));
        }
        let source = std::fs::read(&path).map_err(|source| GameError::Io {
            path: path.clone(),
            source,
        })?;
        let chunk_name = relative.to_string_lossy().replace('\\', "/");
        ScriptRuntime::exec(self.app.world_mut(), &source, &chunk_name).map_err(|err| {
            let message = match &err {
                CrescentError::Lua(lua) => ScriptHost::error_message(lua),
                other => other.to_string(),
            };
            GameError::MainFailed { path, message }
        })
    }

    /// Runs one frame and records how long it took.
    pub fn step(&mut self) {
        let start = Instant::now();
        self.app.update();
        self.frame_times_ms
            .push(start.elapsed().as_secs_f64() * 1000.0);
    }

    /// Frame times so far, in milliseconds.
    pub fn frame_times_ms(&self) -> &[f64] {
        &self.frame_times_ms
    }

    /// The report of the run so far (stats refreshed now, so a run of 0 frames reports
    /// what `main.lua` built).
    pub fn report(&mut self) -> Report {
        ScriptRuntime::refresh_stats(self.app.world_mut());
        Report::collect(self.app.world_mut(), &self.frame_times_ms)
    }
}

/// Checks that `assets` is a folder: missing and file are two different messages.
pub fn check_assets(assets: &Path) -> Result<(), GameError> {
    if assets.is_dir() {
        Ok(())
    } else if assets.exists() {
        Err(GameError::AssetsNotAFolder(assets.to_path_buf()))
    } else {
        Err(GameError::AssetsNotFound(assets.to_path_buf()))
    }
}
