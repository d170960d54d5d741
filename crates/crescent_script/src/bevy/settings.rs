//! [`ScriptingPlugin`]'s settings, Bevy style: fields on the plugin (which is the
//! [`ScriptConfig`] itself), kept in the world as that resource, and the assets root
//! resolved the way `bevy_asset` resolves its folder.

use std::path::{Path, PathBuf};

use crate::data::config::ScriptConfig;

/// Lua scripting for a Bevy `App`: one [`ScriptRuntime`](crate::ScriptRuntime) per world,
/// the frame phases in [`ScriptSystems`](crate::ScriptSystems) sets, and the settings of
/// [`ScriptConfig`] as its fields (kept as that resource once built).
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
///
/// The plugin *is* its configuration: one type, so a setting cannot be added to one and
/// forgotten in the other.
pub type ScriptingPlugin = ScriptConfig;

impl ScriptConfig {
    /// The configuration the plugin builds with: this one, with the assets root resolved
    /// by [`resolve_assets_root`].
    pub fn resolved(&self) -> ScriptConfig {
        ScriptConfig {
            assets_root: resolve_assets_root(&self.assets_root),
            ..self.clone()
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
