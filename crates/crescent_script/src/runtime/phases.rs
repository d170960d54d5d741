//! The frame phases, in SPEC §2's order, as the bevy layer's systems run them: attach and
//! `init` -> `fixed_update` -> `update` -> events -> tasks -> cleanup (despawns, `final`,
//! handler removal) -> GC step and stats.
//!
//! Each phase lends the world to Lua for its duration (refreshing `time` first) and
//! publishes the errors it reported before it returns. Every phase first marks the
//! instances of entities despawned from Rust since the last phase as detaching, so no
//! handler of a despawned entity runs.

use bevy_ecs::world::World;
use mlua::Value;

use super::ScriptRuntime;
use crate::{
    data::{
        messages::ToScripts,
        stats::{ScriptStats, ScriptedEntities},
    },
    frame::{Core, dispatch, events, lifecycle, tasks},
};

impl ScriptRuntime {
    /// Attach phase: clean up between-frame despawns, attach requested scripts, run `init`.
    pub(crate) fn attach_phase(world: &mut World) {
        Self::with_core(world, |lua, core| {
            lifecycle::sync_pending(core);
            lifecycle::cleanup(core);
            lifecycle::attach_requested(lua, core);
            lifecycle::run_inits(core);
        });
    }

    /// `fixed_update(self, fixed_dt)` on every active instance.
    pub(crate) fn fixed_update_phase(world: &mut World) {
        Self::with_core(world, |_, core| {
            let dt = core.vm().clock().fixed_dt();
            dispatch_tick(core, "fixed_update", dt);
        });
    }

    /// `update(self, dt)` on every active instance.
    pub(crate) fn update_phase(world: &mut World) {
        Self::with_core(world, |_, core| {
            let dt = core.vm().clock().dt();
            dispatch_tick(core, "update", dt);
        });
    }

    /// Events phase: queue `from_rust`, then deliver queued events.
    pub(crate) fn events_phase(world: &mut World, from_rust: Vec<ToScripts>) {
        Self::with_core(world, |lua, core| {
            lifecycle::sync_pending(core);
            events::enqueue_from_rust(lua, core, from_rust);
            events::deliver(core);
        });
    }

    /// Tasks phase: resume every task whose wait is over.
    pub(crate) fn tasks_phase(world: &mut World) {
        Self::with_core(world, |_, core| {
            lifecycle::sync_pending(core);
            tasks::run_due(core);
        });
    }

    /// Cleanup phase: apply despawns, call `final`, remove handlers.
    pub(crate) fn cleanup_phase(world: &mut World) {
        Self::with_core(world, |_, core| {
            lifecycle::sync_pending(core);
            lifecycle::cleanup(core);
        });
    }

    /// GC phase: run the GC policy and refresh [`ScriptStats`].
    pub(crate) fn gc_phase(world: &mut World) {
        Self::with_core(world, |lua, core| {
            let vm = core.vm();
            let _scope = vm.enter(None);
            let live = core.registry().instance_count();
            vm.collector()
                .run(lua, &core.config().gc, vm.clock().frame(), live);
        });
        Self::refresh_stats(world);
    }

    /// Refreshes [`ScriptStats`] now (the GC phase does it every frame; a report taken
    /// before the first frame needs it too).
    pub fn refresh_stats(world: &mut World) {
        let stats = Self::with_core(world, |lua, core| {
            let vm = core.vm();
            let registry = core.registry();
            ScriptStats {
                entities: 0,
                instances: registry.instance_count(),
                handlers: registry.handler_count(),
                tasks: vm.tasks().len(),
                queued_events: core.events().len(),
                handler_calls: core.counters().handler_calls(),
                errors: core.reporter().total(),
                events_delivered: core.counters().events_delivered(),
                events_dropped: core.counters().events_dropped(),
                lua_memory_bytes: lua.used_memory(),
                gc_steps: vm.collector().steps(),
                gc_cycles: vm.collector().cycles(),
            }
        });
        if let Some(mut stats) = stats {
            stats.entities = world
                .get_resource::<ScriptedEntities>()
                .map_or(0, ScriptedEntities::count);
            world.insert_resource(stats);
        }
    }
}

/// Dispatches the per-frame lifecycle `event` with `dt`.
fn dispatch_tick(core: &Core, event: &str, dt: f64) {
    lifecycle::sync_pending(core);
    // Lifecycle names are interned when the registry is made: this cannot fail.
    let Some(event) = core.registry().find_event(event) else {
        return;
    };
    dispatch::dispatch(core, event, &[Value::Number(dt)]);
}
