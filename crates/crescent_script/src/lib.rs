//! The Lua side of crescent: one Lua state per world, a slotmap registry of handlers,
//! per-frame dispatch in deterministic order, despawn cleanup, a GC policy and the Lua API.
//!
//! Entities never hold Lua values, only keys ([`HandlerKey`], [`InstanceKey`]) into the
//! runtime's [`HandlerRegistry`]; a stale key is an error value, never a panic.
//!
//! ```no_run
//! use bevy_app::App;
//! use crescent_script::prelude::*;
//!
//! let mut app = App::new();
//! app.add_plugins(ScriptingPlugin::new(ScriptConfig { assets_root: "assets".into(), ..Default::default() }));
//! app.world_mut().spawn(AttachScripts::new(["scripts/mover.lua"]));
//! for _ in 0..60 {
//!     app.update();
//! }
//! ```

pub mod api;
mod components;
mod dispatch;
mod dispatch_list;
mod error;
mod events;
mod gc;
mod handlers;
mod keys;
mod lifecycle;
mod limits;
mod loader;
mod plugin;
mod registry;
mod reload;
mod runtime;
mod sandbox;
mod stats;
mod systems;
mod tasks;
mod watcher;
mod world_access;

pub use components::{ScriptComponent, ScriptComponents, ScriptComponentsAppExt};
pub use error::{CrescentError, ScriptError, StaleKey};
pub use events::{ScriptEmit, ScriptEvent};
pub use gc::{GcKind, GcPolicy};
pub use handlers::{AttachScripts, PendingCleanup, ScriptHandlers};
pub use limits::{BudgetExceeded, HOOK_PERIOD};
pub use loader::{LIFECYCLE_HANDLERS, normalize_path};
pub use plugin::ScriptingPlugin;
pub use registry::{
    EventId, HandlerEntry, HandlerKey, HandlerRegistry, Instance, InstanceKey, InstanceState,
    RuntimeId,
};
pub use runtime::{ScriptConfig, ScriptRuntime};
pub use stats::{ScriptErrorLog, ScriptStats, ScriptedEntities};
pub use systems::ScriptSystems;

/// The types most games need, in one import.
pub mod prelude {
    pub use crate::{
        AttachScripts, GcPolicy, ScriptComponentsAppExt, ScriptConfig, ScriptEmit, ScriptError,
        ScriptErrorLog, ScriptEvent, ScriptHandlers, ScriptRuntime, ScriptStats, ScriptingPlugin,
    };
}
