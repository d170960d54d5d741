//! The frame phases as exclusive systems, in [`ScriptSystems`] sets.
//!
//! Order within one `app.update()` (SPEC §2): attach pending scripts and run `init`
//! (`PreUpdate`) -> `fixed_update` (`FixedUpdate`, before movement) -> `update`
//! (`Update`) -> events (`PostUpdate`) -> tasks (`PostUpdate`) -> cleanup: despawns
//! requested by scripts, `final`, handler removal (`PostUpdate`) -> GC step and stats
//! (`PostUpdate`, last).

use bevy_ecs::{
    message::{MessageCursor, Messages},
    schedule::SystemSet,
    system::Local,
    world::World,
};

use super::watcher::ScriptWatcher;
use crate::{data::messages::ToScripts, runtime::ScriptRuntime};

/// The scripting phases of a frame, in order.
///
/// Script handlers can write any component, so order your systems against these sets.
/// The phases after `update` (events, tasks, cleanup, GC) are all in
/// [`ScriptSystems::PostUpdate`], which the plugin orders before `bevy_transform`'s
/// `TransformSystems::Propagate`: a move made in an event handler, a task or `final`
/// reaches `GlobalTransform` the same frame. A system that copies script state into
/// `Transform` goes between the two:
///
/// ```
/// use bevy_app::{App, PostUpdate};
/// use bevy_ecs::schedule::IntoScheduleConfigs;
/// use bevy_transform::TransformSystems;
/// use crescent_script::{ScriptSystems, ScriptingPlugin};
///
/// fn sync_transforms() { /* Position -> Transform */ }
///
/// let mut app = App::new();
/// app.add_plugins(ScriptingPlugin::default()).add_systems(
///     PostUpdate,
///     sync_transforms
///         .after(ScriptSystems::PostUpdate)
///         .before(TransformSystems::Propagate),
/// );
/// app.update();
/// ```
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScriptSystems {
    /// Attach requested scripts, run `init` (in `PreUpdate`).
    Attach,
    /// Dispatch `fixed_update` (in `FixedUpdate`).
    FixedUpdate,
    /// Dispatch `update` (in `Update`).
    Update,
    /// Deliver events (in `PostUpdate`).
    Events,
    /// Resume due tasks (in `PostUpdate`).
    Tasks,
    /// Apply despawns, call `final`, remove handlers (in `PostUpdate`).
    Cleanup,
    /// Step the GC and refresh [`ScriptStats`](crate::ScriptStats) (in `PostUpdate`).
    Gc,
    /// Every phase in `PostUpdate` (`Events`, `Tasks`, `Cleanup`, `Gc`): the set to order
    /// against transform propagation and other `PostUpdate` systems.
    PostUpdate,
}

/// `PreUpdate`: reload changed scripts, clean up between-frame despawns, attach
/// requested scripts, run `init`.
pub(super) fn attach_phase(world: &mut World) {
    let changed = world
        .get_non_send::<ScriptWatcher>()
        .map(ScriptWatcher::changed)
        .unwrap_or_default();
    reload_changed(world, changed.into_iter().map(|path| (path, None)));
    ScriptRuntime::attach_phase(world);
}

/// Hot-reloads changed files, whoever noticed the change (the `notify` watcher, or
/// bevy_asset with feature `asset`): each `(path, source)` is a path relative to the
/// assets root and its new text, or `None` to read the file. Failures to compile are
/// reported by the runtime as `ScriptError`s; this only logs what it could not start.
pub(super) fn reload_changed(
    world: &mut World,
    changed: impl IntoIterator<Item = (String, Option<Vec<u8>>)>,
) {
    for (path, source) in changed {
        tracing::info!(target: "crescent", "reloading {path}");
        if let Err(err) = ScriptRuntime::reload(world, &path, source) {
            tracing::warn!(target: "crescent", "cannot reload {path}: {err}");
        }
    }
}

/// `FixedUpdate`: `fixed_update(self, fixed_dt)` on every active instance.
pub(super) fn fixed_update_phase(world: &mut World) {
    ScriptRuntime::fixed_update_phase(world);
}

/// `Update`: `update(self, dt)` on every active instance.
pub(super) fn update_phase(world: &mut World) {
    ScriptRuntime::update_phase(world);
}

/// `PostUpdate`: deliver queued events and events Rust sent as [`ToScripts`] messages.
pub(super) fn events_phase(world: &mut World, mut cursor: Local<MessageCursor<ToScripts>>) {
    let from_rust: Vec<ToScripts> = world
        .get_resource::<Messages<ToScripts>>()
        .map(|messages| cursor.read(messages).cloned().collect())
        .unwrap_or_default();
    ScriptRuntime::events_phase(world, from_rust);
}

/// `PostUpdate`: resume every task whose wait is over.
pub(super) fn tasks_phase(world: &mut World) {
    ScriptRuntime::tasks_phase(world);
}

/// `PostUpdate`: apply despawns, call `final`, remove handlers.
pub(super) fn cleanup_phase(world: &mut World) {
    ScriptRuntime::cleanup_phase(world);
}

/// `PostUpdate`, last: run the GC policy and refresh `ScriptStats`.
pub(super) fn gc_phase(world: &mut World) {
    ScriptRuntime::gc_phase(world);
}
