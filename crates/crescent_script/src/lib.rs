//! The Lua side of crescent: one Lua state per world, a slotmap registry of handlers,
//! per-frame dispatch in deterministic order, despawn cleanup, a GC policy and the Lua API.
//!
//! Entities never hold Lua values, only keys ([`HandlerKey`], [`InstanceKey`]) into the
//! runtime's handler registry; a stale key is an error value, never a panic.
//!
//! ```no_run
//! use bevy_app::App;
//! use bevy_time::TimePlugin;
//! use crescent_script::prelude::*;
//!
//! let mut app = App::new();
//! app.add_plugins((TimePlugin, ScriptingPlugin { assets_root: "assets".into(), ..Default::default() }));
//! app.world_mut().spawn(AttachScripts::new(["scripts/mover.lua"]));
//! for _ in 0..60 {
//!     app.update();
//! }
//! ```
//!
//! # Features
//!
//! - `asset`: scripts as bevy_asset assets for games that run bevy_asset: `LuaScript`,
//!   its loader and `ScriptAssetPlugin`, which hot-reloads a script whenever its asset
//!   is modified. Off by default; headless use needs only crescent's own loader and
//!   `notify` watcher.
//! - `asset_watcher`: `asset` with bevy_asset's file watcher, so edited files reload.
//!
//! # Layers
//!
//! Each layer is a folder, depends only on the layers below it, and owns its state
//! behind private fields:
//!
//! ```text
//! 7 bevy/      ScriptingPlugin, the phase systems, the file watcher, App extension,
//!              script assets (feature `asset`)
//! 6 runtime/   ScriptRuntime (the world's handle), ScriptHost, the frame phases
//! 5 api/       the Lua bindings: world, entity handles, self:on, task, log; api::spec
//! 4 frame/     the frame's verbs: lifecycle, dispatch, events, tasks, reload, keys,
//!              error reports, component values; `Core` holds one runtime's state
//! 3 vm/        the Lua state: sandbox, loader, compile rule, budget and memory limit,
//!              call scope, tasks, GC, clock, dispatch loop, world slot, handle types
//! 2 registry/  the slotmap of handlers and instances, event names, dispatch lists
//! 1 data/      config, errors, keys, ECS components and messages, stats
//! ```
//!
//! Where one `update` goes: the bevy layer's `update_phase` system calls the runtime's
//! dispatch phase, which lends the world to the VM and asks the frame layer to
//! `dispatch` the `update` event; dispatch takes the event's list from the registry
//! (rebuilt in order if due), enters a call scope (`Who::List`) and runs the VM's
//! dispatch loop over it in one Rust->Lua call; a handler that raises unwinds to
//! dispatch, which reports it (one `ScriptError` builder) and resumes the loop after it.
//!
//! Where one `e:send("hit", payload)` goes: the API binding calls the frame layer's
//! `events::send`, which checks the name (not a lifecycle handler's, within
//! `max_name_bytes`, room in the queue; else a reported `ScriptError`), takes the sender
//! from the call scope (the running instance) and queues the event under the name's id
//! if some handler has it, else under the name itself (sending never interns). In the
//! events phase, `events::deliver` pops it, checks the target is alive, picks the
//! target's `hit` handlers from its `ScriptHandlers` keys in dispatch order, and calls
//! each directly.

pub mod api;
mod bevy;
mod data;
mod frame;
mod registry;
mod runtime;
mod vm;

pub use self::{
    bevy::{
        ScriptCommandsExt, ScriptComponentsAppExt, ScriptMessageAppExt, ScriptSystems,
        ScriptingPlugin, ToScriptsWriterExt, resolve_assets_root,
    },
    data::{
        components::{AttachScripts, PendingCleanup, ScriptHandlers},
        config::{GcKind, GcPolicy, ScriptBudget, ScriptConfig},
        error::{BudgetExceeded, CrescentError, ScriptError, StaleKey},
        keys::{HandlerKey, InstanceKey},
        messages::{ScriptMessage, ToScripts},
        stats::{RustUsage, ScriptErrorLog, ScriptStats, ScriptedEntities},
    },
    frame::components::ScriptComponents,
    registry::InstanceState,
    runtime::{ScriptHost, ScriptRuntime},
};

#[cfg(feature = "asset")]
pub use self::bevy::{
    LuaScript, LuaScriptLoadError, LuaScriptLoader, ScriptAssetCommandsExt, ScriptAssetPlugin,
};

/// The former name of [`ToScripts`]; `ScriptEventWriterExt` is now [`ToScriptsWriterExt`].
#[allow(deprecated)]
pub use self::data::messages::ScriptEvent;

/// The types most games need, in one import.
pub mod prelude {
    pub use crate::{
        AttachScripts, GcPolicy, ScriptBudget, ScriptCommandsExt, ScriptComponentsAppExt,
        ScriptConfig, ScriptError, ScriptErrorLog, ScriptHandlers, ScriptMessage,
        ScriptMessageAppExt, ScriptRuntime, ScriptStats, ScriptSystems, ScriptingPlugin, ToScripts,
        ToScriptsWriterExt,
    };

    #[cfg(feature = "asset")]
    pub use crate::{LuaScript, ScriptAssetCommandsExt, ScriptAssetPlugin};

    /// Kept so code written before the rename still builds, with a deprecation warning.
    #[allow(deprecated)]
    pub use crate::ScriptEvent;
}
