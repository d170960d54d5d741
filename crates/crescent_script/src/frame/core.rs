//! [`Core`]: one runtime's state, as the frame's verbs and the Lua API bindings see it.
//!
//! Each part is owned by the module named after it and kept behind private fields:
//! the [`Vm`] (layer 3), the [`HandlerRegistry`] (layer 2), the event queue, the error
//! reporter and the counters. The registry is the one part handed out as a `RefCell`
//! borrow: it never calls out, so a borrow is only ever held across registry calls,
//! never across a Lua call.

use std::{
    cell::{Cell, Ref, RefCell, RefMut},
    rc::Rc,
};

use bevy_ecs::world::World;
use mlua::{Lua, Table};

use super::{
    components::ComponentTable,
    queue::EventQueue,
    report::{Cause, Reporter, Source},
};
use crate::{
    data::{
        config::ScriptConfig,
        error::CrescentError,
        keys::{InstanceKey, RuntimeId},
    },
    registry::HandlerRegistry,
    vm::{Running, Vm, Who},
};

/// Counts the runtime keeps across frames (the rest live with what they count).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    handler_calls: Cell<u64>,
    events_delivered: Cell<u64>,
    events_dropped: Cell<u64>,
}

impl Counters {
    pub(super) fn calls(&self, n: u64) {
        self.handler_calls
            .set(self.handler_calls.get().wrapping_add(n));
    }

    pub(super) fn delivered(&self, n: u64) {
        self.events_delivered
            .set(self.events_delivered.get().wrapping_add(n));
    }

    pub(super) fn dropped(&self) {
        self.events_dropped
            .set(self.events_dropped.get().wrapping_add(1));
    }

    /// Handler calls so far.
    pub(crate) fn handler_calls(&self) -> u64 {
        self.handler_calls.get()
    }

    /// Events delivered so far.
    pub(crate) fn events_delivered(&self) -> u64 {
        self.events_delivered.get()
    }

    /// Events dropped so far.
    pub(crate) fn events_dropped(&self) -> u64 {
        self.events_dropped.get()
    }
}

/// Errors kept between two publishes at least, whatever `error_log_capacity` says (a
/// game that keeps no log still gets its `ScriptError` messages).
const MIN_PENDING_ERRORS: usize = 1000;

/// One runtime's state: VM, registry, events, errors, counters.
pub(crate) struct Core {
    id: RuntimeId,
    config: ScriptConfig,
    vm: Rc<Vm>,
    registry: RefCell<HandlerRegistry>,
    pending_init: RefCell<Vec<InstanceKey>>,
    /// The metatable of every instance's `self` (its methods come from the API layer).
    instance_meta: RefCell<Option<Table>>,
    events: EventQueue,
    reporter: Reporter,
    counters: Counters,
    components: RefCell<ComponentTable>,
    /// `world.emit` bytes this frame: (frame, bytes).
    emitted: Cell<(u64, usize)>,
}

impl Core {
    /// Builds the state of a new runtime around `vm`, installed as `lua`'s app data.
    pub(crate) fn new(lua: &Lua, vm: Rc<Vm>, config: ScriptConfig) -> Rc<Core> {
        let id = RuntimeId::next();
        let core = Rc::new(Core {
            id,
            registry: RefCell::new({
                let mut registry = HandlerRegistry::new(id, lua.weak());
                registry.limit_event_names(config.max_event_names, config.max_name_bytes);
                registry
            }),
            pending_init: RefCell::default(),
            instance_meta: RefCell::default(),
            events: EventQueue::default(),
            reporter: Reporter::new(
                config.error_log_capacity.max(MIN_PENDING_ERRORS),
                config.max_error_bytes,
            ),
            counters: Counters::default(),
            components: RefCell::default(),
            emitted: Cell::new((0, 0)),
            config,
            vm,
        });
        lua.set_app_data(Rc::clone(&core));
        core
    }

    /// The state of the runtime that owns `lua`.
    pub(crate) fn of(lua: &Lua) -> mlua::Result<Rc<Core>> {
        lua.app_data_ref::<Rc<Core>>()
            .map(|core| Rc::clone(&core))
            .ok_or_else(|| mlua::Error::runtime(CrescentError::RuntimeClosed))
    }

    /// This runtime's id (its keys carry it).
    pub(crate) fn id(&self) -> RuntimeId {
        self.id
    }

    /// The configuration.
    pub(crate) fn config(&self) -> &ScriptConfig {
        &self.config
    }

    /// The VM.
    pub(crate) fn vm(&self) -> &Vm {
        &self.vm
    }

    /// Reads the registry. Never hold the borrow across a call into Lua.
    pub(crate) fn registry(&self) -> Ref<'_, HandlerRegistry> {
        self.registry.borrow()
    }

    /// Changes the registry. Never hold the borrow across a call into Lua.
    pub(crate) fn registry_mut(&self) -> RefMut<'_, HandlerRegistry> {
        self.registry.borrow_mut()
    }

    /// Sets the metatable every new instance's `self` gets.
    pub(crate) fn set_instance_meta(&self, meta: Table) {
        *self.instance_meta.borrow_mut() = Some(meta);
    }

    pub(super) fn instance_meta(&self) -> Result<Table, CrescentError> {
        self.instance_meta
            .borrow()
            .clone()
            .ok_or(CrescentError::RuntimeClosed)
    }

    pub(super) fn queue_init(&self, instance: InstanceKey) {
        self.pending_init.borrow_mut().push(instance);
    }

    pub(super) fn take_pending_inits(&self) -> Vec<InstanceKey> {
        std::mem::take(&mut *self.pending_init.borrow_mut())
    }

    /// The event queue.
    pub(crate) fn events(&self) -> &EventQueue {
        &self.events
    }

    /// The error reporter.
    pub(crate) fn reporter(&self) -> &Reporter {
        &self.reporter
    }

    /// The components scripts have named, resolved. Never hold the borrow across a call
    /// into Lua code.
    pub(crate) fn components(&self) -> &RefCell<ComponentTable> {
        &self.components
    }

    /// Adds `bytes` to this frame's `world.emit` total; returns the new total, or `None`
    /// (adding nothing) when it would pass `max`.
    pub(super) fn charge_emit(&self, bytes: usize, max: usize) -> Option<usize> {
        let frame = self.vm.clock().frame();
        let (at, used) = self.emitted.get();
        let used = if at == frame { used } else { 0 };
        let total = used.checked_add(bytes).filter(|&t| t <= max)?;
        self.emitted.set((frame, total));
        Some(total)
    }

    /// The counters.
    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The instance whose Lua code runs now: the `sender` of the events it sends and the
    /// owner of the tasks it starts. Inside a dispatch loop, the loop's cursor entry.
    pub(crate) fn current(&self) -> Option<Running> {
        match self.vm.scope().who() {
            Who::Host => None,
            Who::Instance(running) => Some(running),
            Who::Task { owner, .. } => owner,
            Who::List { event, .. } => {
                let index = self.vm.looper().cursor()?;
                let registry = self.registry.try_borrow().ok()?;
                let key = registry.listed_any(event, index)?;
                let entry = registry.handler(key).ok()?;
                Some(Running {
                    instance: entry.instance(),
                    entity: entry.owner(),
                })
            }
        }
    }

    /// Reports a failure of `source`'s code in `event`.
    pub(crate) fn report(&self, source: Source, event: &str, cause: Cause<'_>) {
        let (entity, script) = match source {
            Source::Instance(running) => (Some(running.entity), self.script_of(running)),
            Source::File { entity, path } => (entity, path),
            Source::Host => (None, "<main>".to_owned()),
        };
        let frame = self.vm.clock().frame();
        self.reporter.push(frame, entity, script, event, cause);
    }

    /// The script path of a running instance ("" once it is gone).
    fn script_of(&self, running: Running) -> String {
        let script = self
            .registry()
            .instance(running.instance)
            .map(|inst| inst.script());
        script.map_or_else(|_| String::new(), |index| self.vm.loader().path(index))
    }

    /// Publishes the errors reported so far (log, `ScriptErrorLog`, messages).
    pub(crate) fn publish_errors(&self, world: &mut World) {
        let config = &self.config;
        // Streaks of handlers removed since (despawn, detach, reload) go with them.
        if let Ok(registry) = self.registry.try_borrow() {
            self.reporter
                .prune_streaks(|key| registry.handler(key).is_ok());
        }
        self.reporter
            .publish(world, config.error_log_capacity, config.log_every_frames);
    }

    /// Drops every Lua value held here and in the VM; called before the Lua state closes.
    pub(crate) fn clear(&self, lua: &Lua) {
        self.registry.borrow_mut().clear();
        self.pending_init.borrow_mut().clear();
        self.instance_meta.borrow_mut().take();
        self.events.clear();
        self.vm.clear(lua);
        lua.remove_app_data::<Rc<Core>>();
    }
}
