//! `impl Plugin for ScriptingPlugin`: resources, messages, the runtime, the watcher and
//! the phase systems.

use bevy_app::{App, FixedUpdate, Plugin, PostUpdate, PreUpdate, Update};
use bevy_ecs::schedule::IntoScheduleConfigs;
use bevy_transform::{
    TransformSystems,
    components::{GlobalTransform, Transform},
};
use crescent_ecs::{CrescentEcsPlugin, apply_velocity};

use super::{
    settings::ScriptingPlugin,
    systems::{
        ScriptSystems, attach_phase, cleanup_phase, events_phase, fixed_update_phase, gc_phase,
        tasks_phase, update_phase,
    },
    watcher::ScriptWatcher,
};
use crate::{
    data::{
        components::PendingCleanup,
        error::ScriptError,
        messages::{ScriptMessage, ToScripts},
        stats::{ScriptErrorLog, ScriptStats, ScriptedEntities},
    },
    frame::components::ScriptComponents,
    runtime::ScriptRuntime,
};

impl Plugin for ScriptingPlugin {
    fn build(&self, app: &mut App) {
        // Not unique, and a no-op when the user added it too, in either order.
        app.add_plugins(CrescentEcsPlugin);
        // Bevy's transforms work from scripts out of the box, with or without
        // TransformPlugin (registering a type twice is harmless).
        app.register_type::<Transform>()
            .register_type::<GlobalTransform>();
        if !app.world().contains_resource::<ScriptComponents>() {
            app.insert_resource(ScriptComponents::with_builtins());
        }
        let config = self.resolved();
        app.add_message::<ScriptError>()
            .add_message::<ToScripts>()
            .add_message::<ScriptMessage>()
            .init_resource::<PendingCleanup>()
            .init_resource::<ScriptErrorLog>()
            .init_resource::<ScriptStats>()
            .init_resource::<ScriptedEntities>()
            .insert_resource(config.clone());
        let runtime = ScriptRuntime::new(config.clone())
            .unwrap_or_else(|err| panic!("ScriptingPlugin: cannot create the Lua runtime: {err}"));
        app.world_mut().insert_non_send(runtime);
        if config.watch {
            let watcher = ScriptWatcher::start(&config.assets_root).unwrap_or_else(|err| {
                panic!(
                    "ScriptingPlugin: cannot watch the assets root {}: {err}",
                    config.assets_root.display()
                )
            });
            app.world_mut().insert_non_send(watcher);
        }
        app.configure_sets(
            FixedUpdate,
            ScriptSystems::FixedUpdate.before(apply_velocity),
        )
        .configure_sets(
            PostUpdate,
            (
                ScriptSystems::Events,
                ScriptSystems::Tasks,
                ScriptSystems::Cleanup,
                ScriptSystems::Gc,
            )
                .chain()
                .in_set(ScriptSystems::PostUpdate),
        )
        // Whatever a handler, a task or `final` moved reaches `GlobalTransform` this frame,
        // whether or not (and wherever) `TransformPlugin` is added.
        .configure_sets(
            PostUpdate,
            ScriptSystems::PostUpdate.before(TransformSystems::Propagate),
        )
        .add_systems(PreUpdate, attach_phase.in_set(ScriptSystems::Attach))
        .add_systems(
            FixedUpdate,
            fixed_update_phase.in_set(ScriptSystems::FixedUpdate),
        )
        .add_systems(Update, update_phase.in_set(ScriptSystems::Update))
        .add_systems(PostUpdate, events_phase.in_set(ScriptSystems::Events))
        .add_systems(PostUpdate, tasks_phase.in_set(ScriptSystems::Tasks))
        .add_systems(PostUpdate, cleanup_phase.in_set(ScriptSystems::Cleanup))
        .add_systems(PostUpdate, gc_phase.in_set(ScriptSystems::Gc));
    }
}
