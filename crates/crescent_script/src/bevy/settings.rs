//! [`ScriptingPlugin`]'s settings, Bevy style: fields on the plugin, kept in the world as
//! the [`ScriptConfig`] resource, and the assets root resolved the way `bevy_asset`
//! resolves its folder.

use std::path::{Path, PathBuf};

use crate::data::config::{GcPolicy, ScriptBudget, ScriptConfig};

/// Lua scripting for a Bevy `App`: one [`ScriptRuntime`](crate::ScriptRuntime) per world,
/// the frame phases in [`ScriptSystems`](crate::ScriptSystems) sets, and the settings
/// below (kept as the [`ScriptConfig`] resource once built).
///
/// It leaves time to Bevy: add `TimePlugin` (or `MinimalPlugins`) in any order, and Lua's
/// `dt` is `Time<Virtual>`'s delta, `fixed_update` runs with `FixedUpdate`. Add
/// [`DeterministicTimePlugin`](crescent_ecs::DeterministicTimePlugin) for exactly one
/// frame of time per `app.update()`.
///
/// A relative `assets_root` is resolved like `bevy_asset`'s folder: against
/// `BEVY_ASSET_ROOT` if set, else `CARGO_MANIFEST_DIR` (set by `cargo run` and
/// `cargo test`), else the current directory.
///
/// # Panics
///
/// In `build`, when the runtime cannot be created or the assets root cannot be watched
/// (with `watch` set, a missing folder included): a misconfigured plugin fails at
/// start-up, as Bevy plugins do, rather than leaving every script pending forever.
///
/// ```
/// use bevy_app::App;
/// use bevy_time::TimePlugin;
/// use crescent_script::prelude::*;
///
/// let mut app = App::new();
/// app.add_plugins((
///     TimePlugin,
///     ScriptingPlugin { assets_root: "assets".into(), ..Default::default() },
/// ));
/// app.update();
/// assert_eq!(app.world().resource::<ScriptConfig>().watch, false);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptingPlugin {
    /// Folder that script paths and `require` resolve against (see above for a relative one).
    pub assets_root: PathBuf,
    /// Watch the assets root and hot-reload changed scripts.
    pub watch: bool,
    /// When and how much the Lua garbage collector runs.
    pub gc: GcPolicy,
    /// How long a call and a frame's calls may run. See [`ScriptConfig::budget`].
    pub budget: ScriptBudget,
    /// Bytes the Lua state may allocate; `None` for no limit.
    pub memory_limit: Option<usize>,
    /// Events delivered per frame at most; the rest wait for the next frame.
    pub max_events_per_frame: usize,
    /// Rounds of `init` per frame (see [`ScriptConfig::max_init_rounds`]).
    pub max_init_rounds: usize,
    /// How many errors [`ScriptErrorLog`](crate::ScriptErrorLog) keeps.
    pub error_log_capacity: usize,
    /// Disable a handler after this many errors in a row, reported once.
    pub disable_after_errors: Option<u32>,
    /// Log a recurring error (same script and event) at most once per this many frames.
    pub log_every_frames: u64,
    /// See [`ScriptConfig::max_name_bytes`].
    pub max_name_bytes: usize,
    /// See [`ScriptConfig::max_event_names`].
    pub max_event_names: usize,
    /// See [`ScriptConfig::max_queued_events`].
    pub max_queued_events: usize,
    /// See [`ScriptConfig::max_payload_bytes`].
    pub max_payload_bytes: usize,
    /// See [`ScriptConfig::max_emit_bytes_per_frame`].
    pub max_emit_bytes_per_frame: usize,
    /// See [`ScriptConfig::max_error_bytes`].
    pub max_error_bytes: usize,
    /// See [`ScriptConfig::max_source_bytes`].
    pub max_source_bytes: usize,
}

impl Default for ScriptingPlugin {
    fn default() -> Self {
        Self::new(ScriptConfig::default())
    }
}

impl From<ScriptConfig> for ScriptingPlugin {
    fn from(config: ScriptConfig) -> Self {
        Self::new(config)
    }
}

impl ScriptingPlugin {
    /// A plugin with the settings of `config`.
    pub fn new(config: ScriptConfig) -> Self {
        let ScriptConfig {
            assets_root,
            gc,
            error_log_capacity,
            budget,
            memory_limit,
            disable_after_errors,
            log_every_frames,
            watch,
            max_events_per_frame,
            max_init_rounds,
            max_name_bytes,
            max_event_names,
            max_queued_events,
            max_payload_bytes,
            max_emit_bytes_per_frame,
            max_error_bytes,
            max_source_bytes,
        } = config;
        Self {
            assets_root,
            watch,
            gc,
            budget,
            memory_limit,
            max_events_per_frame,
            max_init_rounds,
            error_log_capacity,
            disable_after_errors,
            log_every_frames,
            max_name_bytes,
            max_event_names,
            max_queued_events,
            max_payload_bytes,
            max_emit_bytes_per_frame,
            max_error_bytes,
            max_source_bytes,
        }
    }

    /// The runtime configuration these settings make, `assets_root` as given.
    pub fn config(&self) -> ScriptConfig {
        ScriptConfig {
            assets_root: self.assets_root.clone(),
            gc: self.gc,
            error_log_capacity: self.error_log_capacity,
            budget: self.budget,
            memory_limit: self.memory_limit,
            disable_after_errors: self.disable_after_errors,
            log_every_frames: self.log_every_frames,
            watch: self.watch,
            max_events_per_frame: self.max_events_per_frame,
            max_init_rounds: self.max_init_rounds,
            max_name_bytes: self.max_name_bytes,
            max_event_names: self.max_event_names,
            max_queued_events: self.max_queued_events,
            max_payload_bytes: self.max_payload_bytes,
            max_emit_bytes_per_frame: self.max_emit_bytes_per_frame,
            max_error_bytes: self.max_error_bytes,
            max_source_bytes: self.max_source_bytes,
        }
    }

    /// The configuration the plugin builds with: [`ScriptingPlugin::config`] with the
    /// assets root resolved by [`resolve_assets_root`].
    pub fn resolved_config(&self) -> ScriptConfig {
        ScriptConfig {
            assets_root: resolve_assets_root(&self.assets_root),
            ..self.config()
        }
    }
}

/// Resolves an assets root the way `bevy_asset` does: an absolute path as is; a relative
/// one against `BEVY_ASSET_ROOT`, else `CARGO_MANIFEST_DIR`, else the current directory.
///
/// ```
/// use std::path::Path;
/// use crescent_script::resolve_assets_root;
///
/// let absolute = std::env::temp_dir().join("game");
/// assert_eq!(resolve_assets_root(&absolute), absolute);
/// assert!(resolve_assets_root(Path::new("assets")).ends_with("assets"));
/// ```
pub fn resolve_assets_root(root: &Path) -> PathBuf {
    if root.is_absolute() {
        return root.to_path_buf();
    }
    let base = ["BEVY_ASSET_ROOT", "CARGO_MANIFEST_DIR"]
        .iter()
        .find_map(|var| std::env::var_os(var).filter(|v| !v.is_empty()))
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok());
    match base {
        Some(base) => base.join(root),
        None => root.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_defaults_are_the_config_defaults() {
        assert_eq!(ScriptingPlugin::default().config(), ScriptConfig::default());
        let config = ScriptConfig {
            watch: true,
            max_init_rounds: 3,
            ..ScriptConfig::default()
        };
        assert_eq!(ScriptingPlugin::new(config.clone()).config(), config);
    }
}
