//! Scripts as bevy_asset assets (feature `asset`), for games that already run bevy_asset.
//!
//! [`ScriptAssetPlugin`] registers the [`LuaScript`] asset and its loader (files ending in
//! `.lua`), so `asset_server.load::<LuaScript>("scripts/guard.lua")` works, and turns
//! every `AssetEvent::<LuaScript>::Modified` into a crescent hot reload of that file: the
//! same reload the `notify` watcher triggers (every instance keeps its `self`, gets the
//! new handlers, `on_reload(self)` runs; a version that does not compile is reported and
//! the old one stays). With bevy_asset's file watcher on (feature `asset_watcher`, and
//! `AssetPlugin { watch_for_changes_override: Some(true), .. }`), editing a file on disk
//! reloads it; so does changing a script through `Assets::<LuaScript>::get_mut`.
//!
//! One rule maps the two worlds: an asset's path in the default asset source *is* its
//! crescent script path, so the plugin requires `AssetPlugin::file_path` and
//! `ScriptingPlugin::assets_root` to name the same folder (both default to `assets`).
//! Crescent keeps compiling scripts itself, from that folder; the asset is how a change
//! reaches it, and a handle is another way to name a script
//! ([`ScriptAssetCommandsExt::attach_script_asset`]).

use std::{collections::BTreeMap, path::Path};

use bevy_app::{App, Plugin, PreUpdate};
use bevy_asset::{
    Asset, AssetApp, AssetEvent, AssetId, AssetLoader, AssetPath, AssetPlugin, AssetServer, Assets,
    AsyncReadExt, Handle, LoadContext,
    io::{AssetSourceId, Reader, file::FileAssetReader},
};
use bevy_ecs::{
    message::{MessageCursor, Messages},
    schedule::IntoScheduleConfigs,
    system::{EntityCommands, Local},
    world::World,
};
use bevy_reflect::TypePath;

use super::{
    commands::ScriptCommandsExt,
    systems::{ScriptSystems, attach_phase, reload_changed},
};
use crate::data::config::ScriptConfig;

/// A Lua script as a Bevy asset: the text of a `.lua` file under the assets folder.
///
/// Loading one does not attach it anywhere; it gives a handle that names the script and
/// makes its changes hot-reload every attached instance. Requires feature `asset` and
/// [`ScriptAssetPlugin`].
///
/// ```no_run
/// use bevy_app::{App, TaskPoolPlugin, Update};
/// use bevy_asset::{AssetPlugin, AssetServer, Handle};
/// use bevy_ecs::prelude::*;
/// use crescent_script::{LuaScript, ScriptAssetCommandsExt, ScriptAssetPlugin, ScriptingPlugin};
///
/// fn spawn_guard(mut commands: Commands, server: Res<AssetServer>) {
///     let guard: Handle<LuaScript> = server.load("scripts/guard.lua");
///     commands.spawn_empty().attach_script_asset(&guard);
/// }
///
/// let mut app = App::new();
/// app.add_plugins((
///     TaskPoolPlugin::default(),
///     AssetPlugin::default(),
///     ScriptingPlugin::default(),
///     ScriptAssetPlugin,
/// ))
/// .add_systems(Update, spawn_guard);
/// app.update();
/// ```
#[derive(Asset, TypePath, Debug, Clone, PartialEq, Eq)]
pub struct LuaScript {
    /// The script's source. Replacing it (through `Assets::get_mut`) hot-reloads the
    /// script, as an edit of its file would.
    pub source: String,
}

/// Loads `.lua` files as [`LuaScript`]s, refusing files over
/// [`ScriptConfig::max_source_bytes`] and files that are not UTF-8.
#[derive(Debug, Clone, TypePath)]
pub struct LuaScriptLoader {
    max_source_bytes: usize,
}

impl LuaScriptLoader {
    /// A loader that refuses sources longer than `max_source_bytes`.
    pub fn new(max_source_bytes: usize) -> Self {
        Self { max_source_bytes }
    }
}

/// Why a `.lua` file did not load as a [`LuaScript`].
#[derive(Debug, thiserror::Error)]
pub enum LuaScriptLoadError {
    /// The file could not be read.
    #[error("cannot read script '{path}': {source}")]
    Io {
        /// The asset path.
        path: String,
        /// The read error.
        source: std::io::Error,
    },
    /// The file is longer than [`ScriptConfig::max_source_bytes`].
    #[error("script '{path}': more than {max} bytes exceeds the limit max_source_bytes = {max}")]
    TooLarge {
        /// The asset path.
        path: String,
        /// The limit's value.
        max: usize,
    },
    /// The file is not UTF-8 text.
    #[error("script '{path}' is not UTF-8 text: {source}")]
    NotUtf8 {
        /// The asset path.
        path: String,
        /// Where the text stops being UTF-8.
        source: std::str::Utf8Error,
    },
}

impl AssetLoader for LuaScriptLoader {
    type Asset = LuaScript;
    type Settings = ();
    type Error = LuaScriptLoadError;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        load_context: &mut LoadContext<'_>,
    ) -> Result<LuaScript, LuaScriptLoadError> {
        let path = load_context.path().to_string();
        // One byte past the limit tells "too large" from "exactly the limit" without
        // reading a huge file whole.
        let cap = u64::try_from(self.max_source_bytes)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let mut bytes = Vec::new();
        if let Err(source) = reader.take(cap).read_to_end(&mut bytes).await {
            return Err(LuaScriptLoadError::Io { path, source });
        }
        if bytes.len() > self.max_source_bytes {
            let max = self.max_source_bytes;
            return Err(LuaScriptLoadError::TooLarge { path, max });
        }
        match String::from_utf8(bytes) {
            Ok(source) => Ok(LuaScript { source }),
            Err(err) => Err(LuaScriptLoadError::NotUtf8 {
                path,
                source: err.utf8_error(),
            }),
        }
    }

    fn extensions(&self) -> &[&str] {
        &["lua"]
    }
}

/// Scripts as Bevy assets: registers [`LuaScript`] and [`LuaScriptLoader`], and
/// hot-reloads a script whenever its asset is modified (see the module docs above for
/// the rules). A separate plugin, so headless games and tools keep crescent's own loader
/// and `notify` watcher without bevy_asset.
///
/// Add it after `AssetPlugin` and [`ScriptingPlugin`](crate::ScriptingPlugin), with both
/// pointing at the same folder. Leave `ScriptingPlugin::watch` off when bevy_asset
/// watches, or each change reloads twice.
///
/// # Panics
///
/// In `build`, when `AssetPlugin` or `ScriptingPlugin` was not added before it, or when
/// their folders differ: scripts would then never hot-reload, silently.
///
/// ```
/// use bevy_app::{App, TaskPoolPlugin};
/// use bevy_asset::AssetPlugin;
/// use crescent_script::{ScriptAssetPlugin, ScriptingPlugin};
///
/// let mut app = App::new();
/// app.add_plugins((
///     TaskPoolPlugin::default(),
///     AssetPlugin { file_path: "assets".into(), ..Default::default() },
///     ScriptingPlugin { assets_root: "assets".into(), ..Default::default() },
///     ScriptAssetPlugin,
/// ));
/// app.update();
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct ScriptAssetPlugin;

impl Plugin for ScriptAssetPlugin {
    fn build(&self, app: &mut App) {
        let Some(config) = app.world().get_resource::<ScriptConfig>().cloned() else {
            panic!("ScriptAssetPlugin: add ScriptingPlugin before it");
        };
        let Some(asset_folder) = app
            .get_added_plugins::<AssetPlugin>()
            .first()
            .map(|plugin| FileAssetReader::get_base_path().join(&plugin.file_path))
        else {
            panic!("ScriptAssetPlugin: add AssetPlugin before it");
        };
        if !same_folder(&asset_folder, &config.assets_root) {
            panic!(
                "ScriptAssetPlugin: AssetPlugin's folder {} and ScriptingPlugin's assets_root {} \
                 differ; script assets and crescent's script paths must share one folder",
                asset_folder.display(),
                config.assets_root.display()
            );
        }
        app.init_asset::<LuaScript>()
            .register_asset_loader(LuaScriptLoader::new(config.max_source_bytes))
            .add_systems(
                PreUpdate,
                reload_modified
                    .in_set(ScriptSystems::Attach)
                    .before(attach_phase),
            );
    }
}

fn same_folder(a: &Path, b: &Path) -> bool {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    canonical(a) == canonical(b)
}

/// The crescent script path of an asset path: its path in the default source, with `/`
/// separators. `None` for another source, or a path that is not UTF-8.
fn script_path(path: &AssetPath) -> Option<String> {
    if *path.source() != AssetSourceId::Default {
        return None;
    }
    path.path().to_str().map(|p| p.replace('\\', "/"))
}

/// `PreUpdate`, before the attach phase (where the `notify` watcher's changes reload
/// too): reloads every script whose asset was modified since the last frame.
fn reload_modified(world: &mut World, mut cursor: Local<MessageCursor<AssetEvent<LuaScript>>>) {
    let modified: Vec<AssetId<LuaScript>> = world
        .get_resource::<Messages<AssetEvent<LuaScript>>>()
        .map(|events| {
            cursor
                .read(events)
                .filter_map(|event| match event {
                    AssetEvent::Modified { id } => Some(*id),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    if modified.is_empty() {
        return;
    }
    let max = world
        .get_resource::<ScriptConfig>()
        .map_or(usize::MAX, |config| config.max_source_bytes);
    let (Some(server), Some(assets)) = (
        world.get_resource::<AssetServer>(),
        world.get_resource::<Assets<LuaScript>>(),
    ) else {
        return;
    };
    // By path, so a script modified twice in a frame reloads once, with its last text.
    let mut changed = BTreeMap::new();
    for id in modified {
        // An asset added in code (`assets.add`) has no file for scripts to name.
        let Some(asset_path) = server.get_path(id) else {
            continue;
        };
        let Some(path) = script_path(&asset_path) else {
            tracing::warn!(target: "crescent", "not reloading {asset_path}: scripts come from the default asset source");
            continue;
        };
        let Some(script) = assets.get(id) else {
            continue;
        };
        if script.source.len() > max {
            let err = LuaScriptLoadError::TooLarge { path, max };
            tracing::warn!(target: "crescent", "not reloading: {err}");
            continue;
        }
        changed.insert(path, Some(script.source.clone().into_bytes()));
    }
    reload_changed(world, changed);
}

/// Attaches scripts named by their asset handle, through `Commands`.
pub trait ScriptAssetCommandsExt {
    /// Attaches the script `script` was loaded from, as
    /// [`attach_script`](ScriptCommandsExt::attach_script) does with its path. A handle
    /// without a path in the default source (an asset added in code) attaches nothing
    /// and logs a warning.
    fn attach_script_asset(&mut self, script: &Handle<LuaScript>) -> &mut Self;
}

impl ScriptAssetCommandsExt for EntityCommands<'_> {
    fn attach_script_asset(&mut self, script: &Handle<LuaScript>) -> &mut Self {
        match script.path().and_then(script_path) {
            Some(path) => self.attach_script(path),
            None => {
                let id = self.id();
                tracing::warn!(target: "crescent", "cannot attach {script:?} to {id}: it has no file in the default asset source");
                self
            }
        }
    }
}
