//! `ScriptingPlugin`: Lua scripting for a bevy `App`.

use bevy_app::{App, FixedUpdate, Plugin, PostUpdate, PreUpdate, Update};
use bevy_ecs::schedule::IntoScheduleConfigs;
use bevy_transform::components::{GlobalTransform, Transform};
use crescent_ecs::{CrescentEcsPlugin, apply_velocity};

use super::{
    systems::{
        ScriptSystems, attach_phase, cleanup_phase, events_phase, fixed_update_phase, gc_phase,
        tasks_phase, update_phase,
    },
    watcher::ScriptWatcher,
};
use crate::{
    data::{
        components::PendingCleanup,
        config::ScriptConfig,
        error::ScriptError,
        messages::{ScriptEvent, ScriptMessage},
        stats::{ScriptErrorLog, ScriptStats, ScriptedEntities},
    },
    frame::components::ScriptComponents,
    runtime::ScriptRuntime,
};

/// Adds a Lua [`ScriptRuntime`] to the app and runs scripts every frame.
///
/// Adds [`CrescentEcsPlugin`] (deterministic 60 Hz stepping) unless it is already added;
/// add it first with `deterministic: false` for wall-clock time.
///
/// # Panics
///
/// In `build`, when the runtime cannot be created or the assets root cannot be watched
/// (with `watch` set): a misconfigured plugin fails at start-up, as Bevy plugins do,
/// rather than leaving every script pending forever.
///
/// ```
/// use bevy_app::App;
/// use crescent_script::{ScriptingPlugin, ScriptConfig};
///
/// let mut app = App::new();
/// app.add_plugins(ScriptingPlugin::new(ScriptConfig { assets_root: "assets".into(), ..Default::default() }));
/// app.update();
/// ```
#[derive(Clone, Debug, Default)]
pub struct ScriptingPlugin {
    /// Runtime configuration.
    pub config: ScriptConfig,
}

impl ScriptingPlugin {
    /// A plugin with this configuration.
    pub fn new(config: ScriptConfig) -> Self {
        Self { config }
    }
}

impl Plugin for ScriptingPlugin {
    fn build(&self, app: &mut App) {
        if !app.is_plugin_added::<CrescentEcsPlugin>() {
            app.add_plugins(CrescentEcsPlugin::default());
        }
        // Bevy's transforms work from scripts out of the box, with or without
        // TransformPlugin (registering a type twice is harmless).
        app.register_type::<Transform>()
            .register_type::<GlobalTransform>();
        if !app.world().contains_resource::<ScriptComponents>() {
            app.insert_resource(ScriptComponents::with_builtins());
        }
        app.add_message::<ScriptError>()
            .add_message::<ScriptEvent>()
            .add_message::<ScriptMessage>()
            .init_resource::<PendingCleanup>()
            .init_resource::<ScriptErrorLog>()
            .init_resource::<ScriptStats>()
            .init_resource::<ScriptedEntities>();
        let runtime = ScriptRuntime::new(self.config.clone())
            .unwrap_or_else(|err| panic!("ScriptingPlugin: cannot create the Lua runtime: {err}"));
        app.world_mut().insert_non_send(runtime);
        if self.config.watch {
            let watcher = ScriptWatcher::start(&self.config.assets_root).unwrap_or_else(|err| {
                panic!(
                    "ScriptingPlugin: cannot watch the assets root {}: {err}",
                    self.config.assets_root.display()
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
                .chain(),
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
