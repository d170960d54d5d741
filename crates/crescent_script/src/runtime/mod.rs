//! Layer 6, the runtime: [`ScriptRuntime`], the thin public handle a world owns, over the
//! private state of all the layers below; [`ScriptHost`], the same runtime seen from code
//! that drives its Lua state directly; and the frame phases the [bevy layer](crate::bevy)
//! schedules.

mod attach;
mod host;
mod phases;

use std::rc::Rc;

use bevy_ecs::{entity::Entity, query::With, world::World};
use bevy_time::{Fixed, Time, Virtual};
use crescent_ecs::FrameCount;
use mlua::{Lua, Table};

pub use self::host::ScriptHost;
use crate::{
    api,
    data::{
        components::{PendingCleanup, ScriptHandlers, StopInstances},
        config::ScriptConfig,
        error::{CrescentError, StaleKey},
        keys::{HandlerKey, InstanceKey},
        stats::RustUsage,
    },
    frame::{
        Core, lifecycle, reload,
        report::{Cause, Source},
    },
    registry::InstanceState,
    vm::{Vm, Who, compile_file},
};

/// One Lua state per world and everything that refers into it: its handler registry,
/// scripts, tasks and events.
///
/// Lives in the world as a non-send resource (the plugin adds it). Dropping it empties
/// the registry and every cached Lua value before the Lua state closes, so no Lua
/// reference outlives its state.
///
/// ```
/// use bevy_ecs::world::World;
/// use crescent_script::{ScriptConfig, ScriptRuntime};
///
/// let mut world = World::new();
/// world.insert_non_send(ScriptRuntime::new(ScriptConfig::default())?);
/// ScriptRuntime::exec(&mut world, b"answer = 6 * 7", "main.lua")?;
/// # Ok::<(), crescent_script::CrescentError>(())
/// ```
pub struct ScriptRuntime {
    core: Rc<Core>,
    lua: Lua,
}

impl ScriptRuntime {
    /// Creates a runtime with a fresh, sandboxed Lua state.
    pub fn new(config: ScriptConfig) -> Result<Self, CrescentError> {
        let (lua, vm) = Vm::new(&config)?;
        let core = Core::new(&lua, vm, config);
        api::install(&lua, &core)?;
        core.vm().seal(&lua)?;
        Ok(Self { core, lua })
    }

    /// The Lua state.
    pub fn lua(&self) -> &Lua {
        &self.lua
    }

    /// This runtime's configuration.
    pub fn config(&self) -> &ScriptConfig {
        self.core.config()
    }

    /// Live handlers in the registry.
    pub fn handler_count(&self) -> usize {
        self.core.registry().handler_count()
    }

    /// Live script instances in the registry.
    pub fn instance_count(&self) -> usize {
        self.core.registry().instance_count()
    }

    /// Whether `key` names a handler this runtime's registry holds (live, or going away
    /// and not yet cleaned up). [`ScriptRuntime::resolve`] says whether it may still run.
    pub fn is_registered(&self, key: HandlerKey) -> bool {
        self.core.registry().handler(key).is_ok()
    }

    /// Every live instance, in attach order.
    pub fn instances(&self) -> Vec<InstanceKey> {
        self.core.registry().instance_keys()
    }

    /// Where an instance is in its life, or why its key is stale.
    pub fn instance_state(&self, key: InstanceKey) -> Result<InstanceState, StaleKey> {
        self.core.registry().instance(key).map(|inst| inst.state())
    }

    /// An instance's handler keys, in registration order.
    pub fn instance_handlers(&self, key: InstanceKey) -> Result<Vec<HandlerKey>, StaleKey> {
        self.core
            .registry()
            .instance(key)
            .map(|inst| inst.handlers().to_vec())
    }

    /// An instance's `self` table (for inspection; keep it out of components).
    pub fn instance_self(&self, key: InstanceKey) -> Result<Table, StaleKey> {
        self.core
            .registry()
            .instance(key)
            .map(|inst| inst.this().clone())
    }

    /// Resolves a handler key of `world`'s runtime to its event name and owner, or says
    /// why it is stale: issued by another runtime, removed, or its instance detaching or
    /// its entity despawned (even before the cleanup that removes it has run).
    pub fn resolve(world: &World, key: HandlerKey) -> Result<(String, Entity), StaleKey> {
        let runtime = world
            .get_non_send::<ScriptRuntime>()
            .ok_or(StaleKey::OtherRuntime)?;
        let registry = runtime.core.registry();
        let entry = registry.handler(key)?;
        let detaching = !registry
            .instance(entry.instance())
            .is_ok_and(|inst| inst.is_live());
        let gone = !crescent_ecs::is_alive(world, entry.owner())
            || world
                .get_resource::<PendingCleanup>()
                .is_some_and(|p| p.is_queued(entry.owner(), entry.instance()));
        if detaching || gone {
            return Err(StaleKey::Removed);
        }
        Ok((registry.event_name(entry.event()).to_owned(), entry.owner()))
    }

    /// Calls the handler behind `key` with `(self, args...)`, the world lent to it, after
    /// checking with [`ScriptRuntime::resolve`] that the key is live.
    ///
    /// A stale key is an error value; it never calls another handler's function.
    pub fn call_handler(
        world: &mut World,
        key: HandlerKey,
        args: impl mlua::IntoLuaMulti,
    ) -> Result<mlua::MultiValue, CrescentError> {
        Self::resolve(world, key).map_err(mlua::Error::runtime)?;
        Self::lend_world(world, |lua| -> Result<mlua::MultiValue, CrescentError> {
            let core = Core::of(lua)?;
            let (func, this, running) = {
                let registry = core.registry();
                let entry = registry.handler(key)?;
                let running = crate::vm::Running {
                    instance: entry.instance(),
                    entity: entry.owner(),
                };
                (entry.func().clone(), entry.this().clone(), running)
            };
            let mut values = args.into_lua_multi(lua)?;
            values.push_front(mlua::Value::Table(this));
            let _scope = core.vm().enter(Some(Who::Instance(running)));
            Ok(func.call(values)?)
        })?
    }

    /// Runs `f` with the world's runtime and the world lent to Lua callbacks, then
    /// publishes any script errors reported meanwhile (log, [`ScriptErrorLog`](crate::ScriptErrorLog),
    /// messages). For code that drives Lua directly: a main script, a test runner, a console.
    ///
    /// ```
    /// use bevy_ecs::world::World;
    /// use crescent_script::{ScriptConfig, ScriptRuntime};
    ///
    /// let mut world = World::new();
    /// world.insert_non_send(ScriptRuntime::new(ScriptConfig::default())?);
    /// let sum = ScriptRuntime::lend_world(&mut world, |lua| lua.load("return 2 + 3").eval::<i64>())??;
    /// assert_eq!(sum, 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lend_world<R>(world: &mut World, f: impl FnOnce(&Lua) -> R) -> Result<R, CrescentError> {
        Self::with_core(world, |lua, _| f(lua)).ok_or(CrescentError::NoRuntime)
    }

    /// Lends `world` to the runtime's Lua callbacks while `f` runs, then publishes the
    /// errors `f` reported. `None` when the world has no runtime.
    fn with_core<R>(world: &mut World, f: impl FnOnce(&Lua, &Core) -> R) -> Option<R> {
        let (lua, core) = {
            let runtime = world.get_non_send::<ScriptRuntime>()?;
            (runtime.lua.clone(), Rc::clone(&runtime.core))
        };
        refresh_time(world, &core);
        install_stop_hook(world);
        let result = core.vm().world().lend(world, || f(&lua, &core));
        core.publish_errors(world);
        Some(result)
    }

    /// Runs a chunk of Lua source (chunk name `@chunk_name`) with the full API, in a fresh
    /// environment, with the world lent to it: how `main.lua` runs.
    pub fn exec(world: &mut World, source: &[u8], chunk_name: &str) -> Result<(), CrescentError> {
        Self::lend_world(world, |lua| -> Result<(), CrescentError> {
            let vm = Vm::of(lua)?;
            compile_file(lua, chunk_name, source, vm.new_env(lua)?)?.call::<()>(())?;
            Ok(())
        })?
    }

    /// Replaces the world's runtime with a fresh one (same configuration): a new Lua
    /// state and an empty registry. Every key issued before goes stale; scripts are
    /// detached from their entities without `final` (their Lua state is gone).
    pub fn reset(world: &mut World) -> Result<(), CrescentError> {
        let config = world
            .get_non_send::<ScriptRuntime>()
            .ok_or(CrescentError::NoRuntime)?
            .config()
            .clone();
        let fresh = ScriptRuntime::new(config)?;
        let scripted: Vec<_> = world
            .query_filtered::<Entity, With<ScriptHandlers>>()
            .iter(world)
            .collect();
        for entity in scripted {
            world.entity_mut(entity).remove::<ScriptHandlers>();
        }
        if let Some(mut pending) = world.get_resource_mut::<PendingCleanup>() {
            pending.take();
        }
        world.insert_non_send(fresh);
        Ok(())
    }

    /// Hot-reloads the file at `path` (relative to the assets root) as if it had changed
    /// on disk; with `source`, that text replaces the file. See the frame layer's
    /// `reload` module for what happens to instances and modules. Returns whether
    /// anything was reloaded.
    pub fn reload(
        world: &mut World,
        path: &str,
        source: Option<Vec<u8>>,
    ) -> Result<bool, CrescentError> {
        Self::with_core(world, |lua, core| reload::reload(lua, core, path, source))
            .ok_or(CrescentError::NoRuntime)?
    }

    /// What script input makes Rust hold now, outside the Lua heap (all of it bounded).
    pub fn rust_usage(&self) -> RustUsage {
        let registry = self.core.registry();
        let (event_names, event_name_bytes) = registry.event_names_usage();
        let (error_streaks, logged_pairs, pending_errors) = self.core.reporter().usage();
        RustUsage {
            event_names,
            event_name_bytes,
            queued_events: self.core.events().len(),
            error_streaks,
            logged_pairs,
            pending_errors,
            tasks: self.core.vm().tasks().len(),
        }
    }

    /// A fresh script environment: its own globals over the shared built-ins.
    pub fn new_env(&self) -> Result<Table, CrescentError> {
        self.core.vm().new_env(&self.lua)
    }
}

/// Lets [`ScriptHandlers`]' removal hook stop a despawned entity's instances at once, on
/// this thread (the runtime's): see [`StopInstances`].
fn install_stop_hook(world: &mut World) {
    let thread = std::thread::current().id();
    let installed = world
        .get_resource::<StopInstances>()
        .is_some_and(|hook| hook.thread == thread);
    if !installed {
        world.insert_resource(StopInstances {
            thread,
            stop: stop_instances,
        });
    }
}

/// [`StopInstances::stop`]: takes those of `instances` that `entity` owns out of every
/// dispatch list before the hook returns, so the rest of a running phase skips them.
///
/// It borrows the registry mutably, so no code may hold a registry borrow while it
/// changes the world (every `world().with` in the frame and API layers borrows the
/// registry only inside or after, never across, a world change).
fn stop_instances(world: &World, entity: Entity, instances: &[InstanceKey]) {
    let Some(runtime) = world.get_non_send::<ScriptRuntime>() else {
        return;
    };
    let core = &runtime.core;
    if let Err(err) = lifecycle::stop_owned(core, entity, instances) {
        core.report(Source::Host, "cleanup", Cause::Api(&err));
    }
}

/// Sets the Lua clock from the world's `Time` and `FrameCount`.
fn refresh_time(world: &World, core: &Core) {
    let frame = world.get_resource::<FrameCount>().map_or(0, |f| f.0);
    let (dt, elapsed) = world
        .get_resource::<Time<Virtual>>()
        .map_or((0.0, 0.0), |t| (t.delta_secs_f64(), t.elapsed_secs_f64()));
    let fixed_dt = world
        .get_resource::<Time<Fixed>>()
        .map_or(0.0, |t| t.timestep().as_secs_f64());
    if let Err(err) = core.vm().clock().set(frame, dt, fixed_dt, elapsed) {
        core.report(Source::Host, "time", Cause::Lua(&err));
    }
}

impl Drop for ScriptRuntime {
    fn drop(&mut self) {
        // Lua values must go while the state is alive.
        self.core.clear(&self.lua);
    }
}

impl std::fmt::Debug for ScriptRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let registry = self.core.registry();
        f.debug_struct("ScriptRuntime")
            .field("runtime", &self.core.id())
            .field("instances", &registry.instance_count())
            .field("handlers", &registry.handler_count())
            .finish()
    }
}
