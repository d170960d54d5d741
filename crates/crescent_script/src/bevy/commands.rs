//! [`ScriptCommandsExt`]: attaching and detaching scripts through `Commands`.

use bevy_ecs::{system::EntityCommands, world::EntityWorldMut};

use crate::{data::components::AttachScripts, runtime::ScriptRuntime};

/// Attaches and detaches scripts from a system, through `Commands`.
///
/// ```
/// use bevy_app::{App, Update};
/// use bevy_ecs::system::Commands;
/// use crescent_script::{ScriptCommandsExt, ScriptingPlugin};
///
/// fn spawn_guard(mut commands: Commands) {
///     commands.spawn_empty().attach_script("scripts/guard.lua");
/// }
///
/// let mut app = App::new();
/// app.add_plugins(ScriptingPlugin::default()).add_systems(Update, spawn_guard);
/// ```
pub trait ScriptCommandsExt {
    /// Attaches the script at `path` (relative to the assets root) in the next attach
    /// phase, after any other pending attach of this entity: the Rust-side
    /// `e:attach(path)`. A missing or broken script is reported as a
    /// [`ScriptError`](crate::ScriptError).
    fn attach_script(&mut self, path: impl Into<String>) -> &mut Self;

    /// Detaches the script at `path` when the command is applied (its `final` runs in
    /// the frame's cleanup), or cancels its pending attach: the Rust-side `e:detach(path)`.
    /// Detaching a script that is not attached does nothing.
    fn detach_script(&mut self, path: impl Into<String>) -> &mut Self;
}

impl ScriptCommandsExt for EntityCommands<'_> {
    fn attach_script(&mut self, path: impl Into<String>) -> &mut Self {
        let path = path.into();
        self.queue(
            move |mut entity: EntityWorldMut| match entity.get_mut::<AttachScripts>() {
                Some(mut pending) => pending.paths.push(path),
                None => {
                    entity.insert(AttachScripts::new([path]));
                }
            },
        )
    }

    fn detach_script(&mut self, path: impl Into<String>) -> &mut Self {
        let path = path.into();
        self.queue(move |mut entity: EntityWorldMut| {
            if let Some(mut pending) = entity.get_mut::<AttachScripts>() {
                pending.paths.retain(|p| *p != path);
            }
            let id = entity.id();
            let world = entity.into_world_mut();
            if let Err(err) = ScriptRuntime::detach_script(world, id, &path) {
                tracing::warn!(target: "crescent", "cannot detach {path} from {id}: {err}");
            }
        })
    }
}
