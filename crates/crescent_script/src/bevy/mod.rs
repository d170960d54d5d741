//! Layer 7, the bevy layer: [`ScriptingPlugin`] and its settings, the systems that run
//! the runtime's phases in [`ScriptSystems`] sets, the file watcher, the `App`
//! extension that exposes components to scripts, and (feature `asset`) scripts as
//! bevy_asset assets.
//!
//! Below: the [runtime](crate::runtime), whose phases these systems schedule.

mod app_ext;
#[cfg(feature = "asset")]
mod asset;
mod commands;
mod plugin;
mod settings;
mod systems;
mod typed;
mod watcher;

#[cfg(feature = "asset")]
pub use self::asset::{
    LuaScript, LuaScriptLoadError, LuaScriptLoader, ScriptAssetCommandsExt, ScriptAssetPlugin,
};
pub use self::{
    app_ext::ScriptComponentsAppExt,
    commands::ScriptCommandsExt,
    settings::{ScriptingPlugin, resolve_assets_root},
    systems::ScriptSystems,
    typed::{ScriptMessageAppExt, ToScriptsWriterExt},
};
