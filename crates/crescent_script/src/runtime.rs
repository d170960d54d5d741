//! The script runtime: one Lua state per world and everything that refers into it.

use std::{
    cell::{Cell, RefCell},
    path::PathBuf,
    rc::Rc,
};

use bevy_ecs::{entity::Entity, world::World};
use mlua::{Lua, Table};

use crate::{
    CrescentError, GcPolicy, HandlerKey, HandlerRegistry, InstanceKey, ScriptError, StaleKey,
    loader::ScriptCache, registry::RuntimeId, sandbox, world_access::WorldSlot,
};

/// How a [`ScriptRuntime`] is set up.
#[derive(Clone, Debug)]
pub struct ScriptConfig {
    /// Folder that script paths and `require` resolve against.
    pub assets_root: PathBuf,
    /// When and how much the Lua garbage collector runs.
    pub gc: GcPolicy,
    /// How many errors [`ScriptErrorLog`](crate::ScriptErrorLog) keeps (all are counted).
    pub error_log_capacity: usize,
    /// Lua VM instructions one handler call, `init` or task resume may run (counted in
    /// steps of [`HOOK_PERIOD`](crate::HOOK_PERIOD)); `None` for no limit.
    pub instruction_budget: Option<u64>,
    /// Bytes the Lua state may allocate; `None` for no limit.
    pub memory_limit: Option<usize>,
    /// Disable (remove) a handler after this many errors in a row, reported once.
    pub disable_after_errors: Option<u32>,
    /// Log a recurring error (same script and event) at most once per this many frames.
    pub log_every_frames: u64,
    /// Watch the assets root and hot-reload changed scripts.
    pub watch: bool,
    /// Events delivered per frame at most; the rest wait for the next frame.
    pub max_events_per_frame: usize,
    /// Rounds of `init` per frame: an `init` that spawns entities whose `init` spawns more
    /// is run again up to this many times in the same frame; the rest wait a frame.
    pub max_init_rounds: usize,
}

impl Default for ScriptConfig {
    fn default() -> Self {
        Self {
            assets_root: PathBuf::from("assets"),
            gc: GcPolicy::default(),
            error_log_capacity: 1000,
            instruction_budget: Some(1_000_000),
            memory_limit: Some(512 * 1024 * 1024),
            disable_after_errors: None,
            log_every_frames: 60,
            max_events_per_frame: 100_000,
            watch: false,
            max_init_rounds: 16,
        }
    }
}

/// Counters the runtime keeps across frames.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub handler_calls: Cell<u64>,
    pub errors: Cell<u64>,
    pub events_delivered: Cell<u64>,
    pub events_dropped: Cell<u64>,
    pub gc_steps: Cell<u64>,
    /// Instances removed since the last full collection.
    pub released: Cell<u64>,
    /// A full collection is owed to finish freeing what the last one finalized.
    pub followup: Cell<bool>,
    pub gc_cycles: Cell<u64>,
}

impl Counters {
    pub(crate) fn bump(cell: &Cell<u64>, by: u64) {
        cell.set(cell.get().wrapping_add(by));
    }
}

/// State shared between the runtime and the Rust callbacks it installs in Lua.
///
/// Callbacks hold an `Rc<Ctx>`; `Ctx` holds no `Lua` handle, so there is no cycle, and
/// [`ScriptRuntime`]'s `Drop` empties every Lua value in here before the state closes.
pub(crate) struct Ctx {
    pub id: RuntimeId,
    pub config: ScriptConfig,
    pub registry: RefCell<HandlerRegistry>,
    pub scripts: RefCell<ScriptCache>,
    pub world: WorldSlot,
    pub pending_init: RefCell<Vec<InstanceKey>>,
    pub events: RefCell<crate::events::EventQueue>,
    pub tasks: RefCell<crate::tasks::Scheduler>,
    pub selves: RefCell<std::collections::HashMap<usize, InstanceKey>>,
    pub errors: RefCell<Vec<ScriptError>>,
    pub watcher: RefCell<Option<crate::watcher::ScriptWatcher>>,
    pub frame: Cell<u64>,
    /// `time.elapsed` of the current frame, in seconds.
    pub elapsed: Cell<f64>,
    pub running: Cell<Option<crate::dispatch::Running>>,
    pub counters: Counters,
    pub budget: crate::limits::Budget,
    /// Errors in a row per handler, for [`ScriptConfig::disable_after_errors`].
    /// Per failing handler: errors in a row, and the dispatch number of the last one.
    pub failing: RefCell<std::collections::HashMap<HandlerKey, (u32, u64)>>,
    /// The Lua-side dispatch running now, if any.
    pub active_list: Cell<Option<crate::dispatch::ActiveList>>,
    /// Last frame each (script, event) error was logged, and how many were not logged since.
    pub log_limiter: RefCell<std::collections::HashMap<(String, String), (u64, u64)>>,
    pub lua_values: RefCell<Option<LuaValues>>,
}

/// Lua values the runtime keeps at hand.
pub(crate) struct LuaValues {
    /// The `time` table, refreshed every phase.
    pub time: Table,
    /// Metatable of script environments (`__index` = globals).
    pub env_meta: Table,
    /// Metatable of each environment's read-only `time` view.
    pub time_meta: Table,
    /// `package.loaded`: modules by name.
    pub package_loaded: Table,
    /// Metatable of every instance's `self` (`self:on`).
    pub instance_meta: Table,
    /// The Lua dispatch loops, by argument count.
    pub loopers: Vec<mlua::Function>,
    /// `cur[1]`: the list entry the dispatch loop is running (0 between handlers).
    pub cur: Table,
}

impl Ctx {
    /// The `Rc<Ctx>` installed in a Lua state by [`ScriptRuntime::new`].
    pub(crate) fn of(lua: &Lua) -> mlua::Result<Rc<Ctx>> {
        lua.app_data_ref::<Rc<Ctx>>()
            .map(|ctx| Rc::clone(&ctx))
            .ok_or_else(|| mlua::Error::RuntimeError("crescent runtime is gone".into()))
    }

    pub(crate) fn values<R>(&self, f: impl FnOnce(&LuaValues) -> R) -> Result<R, CrescentError> {
        self.lua_values
            .borrow()
            .as_ref()
            .map(f)
            .ok_or(CrescentError::WorldUnavailable)
    }

    /// The instance whose code is running: set by Rust-side calls, or read from the
    /// Lua dispatch loop's current entry.
    pub(crate) fn current(&self) -> Option<crate::dispatch::Running> {
        if let Some(running) = self.running.get() {
            return Some(running);
        }
        let active = self.active_list.get()?;
        let index = self.values(|v| v.cur.raw_get::<i64>(1)).ok()?.ok()?;
        let registry = self.registry.try_borrow().ok()?;
        let key = registry.listed_any(active.event, usize::try_from(index).ok()?)?;
        let entry = registry.handler(key).ok()?;
        Some(crate::dispatch::Running {
            instance: entry.instance,
            entity: entry.owner,
        })
    }

    pub(crate) fn report(&self, error: ScriptError) {
        Counters::bump(&self.counters.errors, 1);
        self.errors.borrow_mut().push(error);
    }
}

/// One Lua state per world, the [`HandlerRegistry`] of its handlers, and its scripts.
///
/// Lives in the world as a non-send resource. Dropping it empties the registry and every
/// cached Lua value before the Lua state closes, so no Lua reference outlives its state.
pub struct ScriptRuntime {
    pub(crate) ctx: Rc<Ctx>,
    pub(crate) lua: Lua,
}

impl ScriptRuntime {
    /// Creates a runtime with a fresh, sandboxed Lua state.
    pub fn new(config: ScriptConfig) -> Result<Self, CrescentError> {
        let id = RuntimeId::next();
        let lua = sandbox::new_lua()?;
        let ctx = Rc::new(Ctx {
            id,
            registry: RefCell::new(HandlerRegistry::new(id, lua.weak())),
            scripts: RefCell::new(ScriptCache::new(config.assets_root.clone())),
            config,
            world: WorldSlot::default(),
            pending_init: RefCell::default(),
            events: RefCell::default(),
            tasks: RefCell::default(),
            selves: RefCell::default(),
            errors: RefCell::default(),
            watcher: RefCell::new(None),
            frame: Cell::new(0),
            elapsed: Cell::new(0.0),
            running: Cell::new(None),
            counters: Counters::default(),
            budget: Default::default(),
            failing: RefCell::default(),
            active_list: Cell::new(None),
            log_limiter: RefCell::default(),
            lua_values: RefCell::new(None),
        });
        lua.set_app_data(Rc::clone(&ctx));
        crate::limits::install(
            &lua,
            &Rc::downgrade(&ctx),
            ctx.config.instruction_budget,
            ctx.config.memory_limit,
        )?;
        let values = sandbox::install(&lua, &ctx)?;
        *ctx.lua_values.borrow_mut() = Some(values);
        crate::gc::apply_mode(&lua, &ctx.config.gc);
        if ctx.config.watch {
            let watcher = crate::watcher::ScriptWatcher::start(&ctx.config.assets_root)?;
            *ctx.watcher.borrow_mut() = Some(watcher);
        }
        Ok(Self { ctx, lua })
    }

    /// The Lua state.
    pub fn lua(&self) -> &Lua {
        &self.lua
    }

    /// This runtime's configuration.
    pub fn config(&self) -> &ScriptConfig {
        &self.ctx.config
    }

    /// The handler registry (read-only).
    pub fn registry(&self) -> std::cell::Ref<'_, HandlerRegistry> {
        self.ctx.registry.borrow()
    }

    /// Resolves a handler key of `world`'s runtime to its event name and owner, or says
    /// why it is stale: issued by another runtime, removed, or its instance detaching or
    /// its entity despawned (even before the cleanup that removes it has run).
    pub fn resolve(world: &World, key: HandlerKey) -> Result<(String, Entity), StaleKey> {
        let runtime = world
            .get_non_send::<ScriptRuntime>()
            .ok_or(StaleKey::OtherRuntime)?;
        let registry = runtime.ctx.registry.borrow();
        let entry = registry.handler(key)?;
        let detaching = matches!(
            registry.instance(entry.instance).map(|i| i.state),
            Ok(crate::InstanceState::Detaching { .. }) | Err(_)
        );
        let gone = !crescent_ecs::is_alive(world, entry.owner)
            || world
                .get_resource::<crate::PendingCleanup>()
                .is_some_and(|p| p.instances().contains(&entry.instance));
        if detaching || gone {
            return Err(StaleKey::Removed);
        }
        Ok((registry.event_name(entry.event).to_owned(), entry.owner))
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
        Self::resolve(world, key)
            .map_err(|stale| CrescentError::Lua(mlua::Error::runtime(stale)))?;
        Self::lend_world(world, |lua| -> Result<mlua::MultiValue, CrescentError> {
            let ctx = Ctx::of(lua)?;
            let (func, this, running) = {
                let registry = ctx.registry.borrow();
                let entry = registry.handler(key).map_err(mlua::Error::runtime)?;
                let running = crate::dispatch::Running {
                    instance: entry.instance,
                    entity: entry.owner,
                };
                (entry.func.clone(), entry.this.clone(), running)
            };
            let mut values = args.into_lua_multi(lua)?;
            values.push_front(mlua::Value::Table(this));
            let outer = ctx.running.replace(Some(running));
            let result = {
                let _budget = ctx.budget.enter();
                func.call(values)
            };
            ctx.running.set(outer);
            Ok(result?)
        })?
    }

    /// Runs `f` with the world's runtime and the world lent to Lua callbacks, then
    /// publishes any script errors reported meanwhile (log, [`ScriptErrorLog`](crate::ScriptErrorLog),
    /// messages). For code that drives Lua directly: a main script, a test runner, a console.
    pub fn lend_world<R>(world: &mut World, f: impl FnOnce(&Lua) -> R) -> Result<R, CrescentError> {
        crate::systems::with_runtime(world, |lua, _| f(lua)).ok_or(CrescentError::NoRuntime)
    }

    /// Runs a chunk of Lua source (chunk name `@chunk_name`) with the full API, in a fresh
    /// environment, with the world lent to it: how `main.lua` runs.
    pub fn exec(world: &mut World, source: &[u8], chunk_name: &str) -> Result<(), CrescentError> {
        Self::lend_world(world, |lua| -> Result<(), CrescentError> {
            let ctx = Ctx::of(lua)?;
            let env = sandbox::new_env(lua, &ctx)?;
            crate::loader::compile_source(lua, chunk_name, source, env)?.call::<()>(())?;
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
            .query_filtered::<bevy_ecs::entity::Entity, bevy_ecs::query::With<crate::ScriptHandlers>>()
            .iter(world)
            .collect();
        for entity in scripted {
            world.entity_mut(entity).remove::<crate::ScriptHandlers>();
        }
        if let Some(mut pending) = world.get_resource_mut::<crate::PendingCleanup>() {
            pending.0.clear();
        }
        world.insert_non_send(fresh);
        Ok(())
    }

    /// Hot-reloads the file at `path` (relative to the assets root) as if it had changed
    /// on disk; with `source`, that text replaces the file. See the `reload` module for
    /// what happens to instances and modules. Returns whether anything was reloaded.
    pub fn reload(
        world: &mut World,
        path: &str,
        source: Option<Vec<u8>>,
    ) -> Result<bool, CrescentError> {
        Self::lend_world(world, |lua| {
            let ctx = Ctx::of(lua)?;
            crate::reload::reload(lua, &ctx, path, source)
        })?
    }

    /// A fresh script environment: its own globals over the shared built-ins.
    pub fn new_env(&self) -> Result<Table, CrescentError> {
        sandbox::new_env(&self.lua, &self.ctx)
    }
}

impl Drop for ScriptRuntime {
    fn drop(&mut self) {
        // Lua values must go while the state is alive; the Ctx itself may outlive this
        // (closures in the state hold it) but is empty of Lua values from here on.
        self.ctx.registry.borrow_mut().clear();
        self.ctx.scripts.borrow_mut().clear();
        self.ctx.pending_init.borrow_mut().clear();
        self.ctx.events.borrow_mut().clear();
        self.ctx.tasks.borrow_mut().clear();
        self.ctx.selves.borrow_mut().clear();
        self.ctx.lua_values.borrow_mut().take();
        self.ctx.watcher.borrow_mut().take();
        self.lua.remove_app_data::<Rc<Ctx>>();
    }
}

impl std::fmt::Debug for ScriptRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let registry = self.ctx.registry.borrow();
        f.debug_struct("ScriptRuntime")
            .field("runtime", &self.ctx.id)
            .field("instances", &registry.instance_count())
            .field("handlers", &registry.handler_count())
            .finish()
    }
}
