//! Layer 2, the handler registry: every Lua handler and script instance of a runtime, in
//! slotmaps, and per event the dispatch list that orders them.
//!
//! Components never hold Lua values (an `mlua::Function` that outlives its Lua state
//! panics when called), so entities carry [`HandlerKey`]s and [`InstanceKey`]s: plain
//! `Copy + Send` data that resolve here or fail with a [`StaleKey`]. The registry stores
//! Lua values but never calls Lua and never sees the world; the [VM](crate::vm) above it
//! runs what it holds. Below it: [plain data](crate::data).
//!
//! Invariants (checked with `debug_assert!` where they are established, and all at once
//! by `check` in the unit tests):
//! - every handler's `instance` is a live instance, and that instance lists the handler;
//! - a key resolves only in the runtime that issued it (keys carry a `RuntimeId`, and
//!   slotmap versions make a removed slot's old keys fail even after the slot is reused);
//! - `lists[ev]` lists exactly the handlers of *active* instances for event `ev` (see
//!   `dispatch_list` for its own invariants), and each listed handler's `pos` is its place
//!   there; detaching an instance unlists its handlers at once;
//! - `selves` maps each instance's `self` table (by address) to the instance;
//! - dispatch order is `(spawn order, instance attach sequence, handler sequence)`.
//!
//! Entries are added and removed here; keeping them listed per event, and handing a list
//! to the dispatch loop, is in [`runs`].

#[cfg(test)]
mod check;
mod dispatch_list;
mod entries;
mod event_names;
mod runs;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use bevy_ecs::entity::Entity;
use mlua::{Function, Table, WeakLua};
use slotmap::SlotMap;

use self::{
    dispatch_list::{EventList, UNLISTED},
    event_names::EventNames,
};
use crate::data::{
    error::{CrescentError, StaleKey},
    keys::{EventId, HandlerKey, HandlerSlot, InstanceKey, InstanceSlot, RuntimeId},
};
pub use entries::InstanceState;
use entries::Order;
pub(crate) use entries::{HandlerEntry, Instance};

/// Lifecycle handlers are called one instance at a time, never dispatched as a list.
const UNLISTED_EVENTS: [&str; 3] = ["init", "final", "on_reload"];

/// Every handler and script instance of one runtime.
pub(crate) struct HandlerRegistry {
    runtime: RuntimeId,
    handlers: SlotMap<HandlerSlot, HandlerEntry>,
    instances: SlotMap<InstanceSlot, Instance>,
    lists: Vec<EventList>,
    events: EventNames,
    selves: HashMap<usize, InstanceKey>,
    lua: WeakLua,
    next_seq: u64,
}

impl std::fmt::Debug for HandlerRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlerRegistry")
            .field("runtime", &self.runtime)
            .field("handlers", &self.handlers.len())
            .field("instances", &self.instances.len())
            .finish()
    }
}

impl HandlerRegistry {
    pub(crate) fn new(runtime: RuntimeId, lua: WeakLua) -> Self {
        Self {
            runtime,
            handlers: SlotMap::with_key(),
            instances: SlotMap::with_key(),
            lists: Vec::new(),
            events: EventNames::default(),
            selves: HashMap::new(),
            lua,
            next_seq: 0,
        }
        .with_lists()
    }

    fn with_lists(mut self) -> Self {
        self.sync_lists();
        self
    }

    /// Sets the caps on event names (count, bytes each); call before any name is interned
    /// beyond the lifecycle names.
    pub(crate) fn limit_event_names(&mut self, max_names: usize, max_bytes: usize) {
        self.events = EventNames::new(max_names, max_bytes);
        self.lists.clear();
        self.sync_lists();
    }

    /// Interns an event name; refuses one too long or one too many (see [`EventNames`]).
    pub(crate) fn event_id(&mut self, name: &str) -> Result<EventId, CrescentError> {
        let (id, new) = self.events.intern(name)?;
        if new {
            self.sync_lists();
        }
        debug_assert!(id.index() < self.lists.len());
        Ok(id)
    }

    /// One dispatch list per interned name.
    fn sync_lists(&mut self) {
        while self.lists.len() < self.events.usage().0 {
            let name = self.events.name(EventId(self.lists.len() as u32));
            let listed = !UNLISTED_EVENTS.contains(&name);
            self.lists.push(EventList::new(listed));
        }
    }

    /// Event names interned, and the bytes they hold.
    pub(crate) fn event_names_usage(&self) -> (usize, usize) {
        self.events.usage()
    }

    /// Looks an event name up without interning it.
    pub(crate) fn find_event(&self, name: &str) -> Option<EventId> {
        self.events.find(name)
    }

    /// The name of an interned event.
    pub(crate) fn event_name(&self, id: EventId) -> &str {
        self.events.name(id)
    }

    /// Live handlers.
    pub(crate) fn handler_count(&self) -> usize {
        self.handlers.len()
    }

    /// Live instances.
    pub(crate) fn instance_count(&self) -> usize {
        self.instances.len()
    }

    /// Resolves a handler key.
    pub(crate) fn handler(&self, key: HandlerKey) -> Result<&HandlerEntry, StaleKey> {
        self.check_runtime(key.runtime)?;
        self.handlers.get(key.slot).ok_or(StaleKey::Removed)
    }

    /// Resolves an instance key.
    pub(crate) fn instance(&self, key: InstanceKey) -> Result<&Instance, StaleKey> {
        self.check_runtime(key.runtime)?;
        self.instances.get(key.slot).ok_or(StaleKey::Removed)
    }

    fn instance_mut(&mut self, key: InstanceKey) -> Result<&mut Instance, StaleKey> {
        self.check_runtime(key.runtime)?;
        self.instances.get_mut(key.slot).ok_or(StaleKey::Removed)
    }

    /// The one runtime-id check every key goes through.
    fn check_runtime(&self, runtime: RuntimeId) -> Result<(), StaleKey> {
        if runtime == self.runtime {
            Ok(())
        } else {
            Err(StaleKey::OtherRuntime)
        }
    }

    fn handler_key(&self, slot: HandlerSlot) -> HandlerKey {
        HandlerKey {
            slot,
            runtime: self.runtime,
        }
    }

    fn instance_key(&self, slot: InstanceSlot) -> InstanceKey {
        InstanceKey {
            slot,
            runtime: self.runtime,
        }
    }

    /// The instance whose `self` is `this`, if it is still registered.
    pub(crate) fn instance_of_self(&self, this: &Table) -> Option<InstanceKey> {
        self.selves.get(&(this.to_pointer() as usize)).copied()
    }

    /// Every live instance key, in attach order.
    pub(crate) fn instance_keys(&self) -> Vec<InstanceKey> {
        let mut keys: Vec<_> = self
            .instances
            .iter()
            .map(|(slot, inst)| (inst.seq, slot))
            .collect();
        keys.sort_unstable_by_key(|&(seq, _)| seq);
        keys.into_iter()
            .map(|(_, slot)| self.instance_key(slot))
            .collect()
    }

    /// Of `instances`, those still registered, and all their handlers: what an entity's
    /// `ScriptHandlers` must hold.
    pub(crate) fn keys_of(&self, instances: &[InstanceKey]) -> (Vec<InstanceKey>, Vec<HandlerKey>) {
        let live: Vec<InstanceKey> = instances
            .iter()
            .copied()
            .filter(|&key| self.instance(key).is_ok())
            .collect();
        let handlers = live
            .iter()
            .filter_map(|&key| self.instance(key).ok())
            .flat_map(|inst| inst.handlers.iter().copied())
            .collect();
        (live, handlers)
    }

    /// The first handler of `event` in an instance, if it has one.
    pub(crate) fn handler_of(&self, instance: InstanceKey, event: &str) -> Option<HandlerKey> {
        let event = self.find_event(event)?;
        let inst = self.instance(instance).ok()?;
        inst.handlers
            .iter()
            .copied()
            .find(|&key| self.handler(key).is_ok_and(|entry| entry.event == event))
    }

    /// Of `keys`, the handlers of `event`, in dispatch order.
    pub(crate) fn subscribed(&self, keys: &[HandlerKey], event: EventId) -> Vec<HandlerKey> {
        let mut found: Vec<(Order, HandlerKey)> = keys
            .iter()
            .filter_map(|&key| {
                let entry = self.handler(key).ok()?;
                (entry.event == event).then_some((entry.order, key))
            })
            .collect();
        found.sort_unstable_by_key(|&(order, _)| order);
        found.into_iter().map(|(_, key)| key).collect()
    }

    /// Adds a pending instance of `script` on `entity` (spawn order `spawn`).
    pub(crate) fn insert_instance(
        &mut self,
        entity: Entity,
        spawn: u64,
        script: usize,
        this: Table,
    ) -> InstanceKey {
        self.next_seq += 1;
        let address = this.to_pointer() as usize;
        let slot = self.instances.insert(Instance {
            entity,
            script,
            this,
            handlers: Vec::new(),
            state: InstanceState::Pending,
            spawn,
            seq: self.next_seq,
        });
        let key = self.instance_key(slot);
        let previous = self.selves.insert(address, key);
        debug_assert!(previous.is_none(), "two instances share one self table");
        key
    }

    /// Adds a handler to an instance; it is dispatched once the instance is active.
    pub(crate) fn insert_handler(
        &mut self,
        instance: InstanceKey,
        event: EventId,
        func: Function,
        dynamic: bool,
    ) -> Result<HandlerKey, CrescentError> {
        self.next_seq += 1;
        let seq = self.next_seq;
        let inst = self.instance(instance)?;
        let order = Order {
            spawn: inst.spawn,
            instance: inst.seq,
            handler: seq,
        };
        let active = inst.state == InstanceState::Active;
        let (owner, this) = (inst.entity, inst.this.clone());
        let slot = self.handlers.insert(HandlerEntry {
            func,
            this,
            event,
            owner,
            instance,
            dynamic,
            order,
            pos: UNLISTED,
        });
        let key = self.handler_key(slot);
        self.instance_mut(instance)?.handlers.push(key);
        if active {
            self.index(slot)?;
        }
        Ok(key)
    }

    /// Gives an instance its script's handlers (by event name, in registration order),
    /// replacing the script handlers it had; its `self:on` handlers stay.
    pub(crate) fn set_script_handlers(
        &mut self,
        instance: InstanceKey,
        handlers: Vec<(String, Function)>,
    ) -> Result<(), CrescentError> {
        let old: Vec<HandlerKey> = self
            .instance(instance)?
            .handlers
            .iter()
            .copied()
            .filter(|&key| self.handler(key).is_ok_and(|h| !h.dynamic))
            .collect();
        for key in old {
            self.remove_handler(key)?;
        }
        for (name, func) in handlers {
            let event = self.event_id(&name)?;
            self.insert_handler(instance, event, func, false)?;
        }
        Ok(())
    }

    /// Marks an instance active and makes its handlers dispatchable.
    pub(crate) fn activate(&mut self, instance: InstanceKey) -> Result<(), CrescentError> {
        let inst = self.instance_mut(instance)?;
        if inst.state != InstanceState::Pending {
            return Ok(());
        }
        inst.state = InstanceState::Active;
        let slots: Vec<HandlerSlot> = inst.handlers.iter().map(|k| k.slot).collect();
        for slot in slots {
            self.index(slot)?;
        }
        Ok(())
    }

    /// Marks an instance as going away and unlists its handlers; returns whether `final`
    /// is owed. `init_failed` marks an instance whose `init` raised: no `final` is owed.
    pub(crate) fn begin_detach(
        &mut self,
        instance: InstanceKey,
        init_failed: bool,
    ) -> Result<bool, CrescentError> {
        let inst = self.instance_mut(instance)?;
        let was_active = match inst.state {
            InstanceState::Detaching { was_active } => was_active && !init_failed,
            state => state == InstanceState::Active && !init_failed,
        };
        let first = inst.is_live();
        inst.state = InstanceState::Detaching { was_active };
        if first {
            let slots: Vec<HandlerSlot> = inst.handlers.iter().map(|k| k.slot).collect();
            for slot in slots {
                self.unlist(slot)?;
            }
        }
        Ok(first && was_active)
    }

    /// Removes one handler; its key goes stale.
    pub(crate) fn remove_handler(
        &mut self,
        key: HandlerKey,
    ) -> Result<HandlerEntry, CrescentError> {
        self.handler(key)?;
        self.unlist(key.slot)?;
        let entry = self.handlers.remove(key.slot).ok_or(StaleKey::Removed)?;
        if let Ok(inst) = self.instance_mut(entry.instance) {
            inst.handlers.retain(|k| *k != key);
        }
        Ok(entry)
    }

    /// Removes an instance and all its handlers; their keys go stale.
    pub(crate) fn remove_instance(&mut self, key: InstanceKey) -> Result<Instance, CrescentError> {
        self.instance(key)?;
        let slots: Vec<HandlerSlot> = self
            .instance(key)?
            .handlers
            .iter()
            .map(|k| k.slot)
            .collect();
        for &slot in &slots {
            self.unlist(slot)?;
        }
        let inst = self.instances.remove(key.slot).ok_or(StaleKey::Removed)?;
        for slot in slots {
            self.handlers.remove(slot);
        }
        self.selves.remove(&(inst.this.to_pointer() as usize));
        Ok(inst)
    }

    /// Drops every handler and instance (and the Lua values they hold).
    pub(crate) fn clear(&mut self) {
        self.handlers.clear();
        self.instances.clear();
        self.selves.clear();
        for list in &mut self.lists {
            list.clear();
        }
    }
}
