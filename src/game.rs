//! A headless game: an app with the scripting plugin, stepped one frame at a time.

use std::{
    path::{Path, PathBuf},
    time::Instant,
};

use bevy_app::App;
use bevy_time::TimePlugin;
use crescent_ecs::{CrescentEcsPlugin, DeterministicTimePlugin};
use crescent_script::{CrescentError, ScriptConfig, ScriptRuntime, ScriptingPlugin};

use crate::report::Report;

/// Why a game could not start.
#[derive(Debug, thiserror::Error)]
pub enum GameError {
    /// The assets folder does not exist.
    #[error("assets folder not found: {0}")]
    AssetsNotFound(PathBuf),
    /// The main script does not exist.
    #[error("main script not found: {0}")]
    MainNotFound(PathBuf),
    /// The main script failed to load or run.
    #[error("main script {path} failed: {source}")]
    MainFailed {
        /// The main script's path.
        path: PathBuf,
        /// What went wrong.
        source: CrescentError,
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
    /// Builds the app; fails when the assets folder is missing.
    pub fn new(config: GameConfig) -> Result<Self, GameError> {
        if !config.assets.is_dir() {
            return Err(GameError::AssetsNotFound(config.assets.clone()));
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
            ScriptingPlugin::new(ScriptConfig {
                assets_root,
                ..config.script.clone()
            }),
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
        ScriptRuntime::exec(self.app.world_mut(), &source, &chunk_name)
            .map_err(|source| GameError::MainFailed { path, source })
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

    /// The report of the run so far.
    pub fn report(&mut self) -> Report {
        Report::collect(self.app.world_mut(), &self.frame_times_ms)
    }
}
