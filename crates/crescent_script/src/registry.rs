//! The handler registry: every Lua handler of a runtime, in one slotmap.
//!
//! Components never hold Lua values (an `mlua::Function` that outlives its Lua state
//! panics when called), so entities carry [`HandlerKey`]s and [`InstanceKey`]s: plain
//! `Copy + Send` data that resolve here or fail with a [`StaleKey`].
//!
//! Invariants:
//! - every handler's `instance` is a live instance, and that instance lists the handler;
//! - a key resolves only in the runtime that issued it (keys carry a [`RuntimeId`], and
//!   slotmap versions make a removed slot's old keys fail even after the slot is reused);
//! - `by_event[ev]` lists exactly the handlers of *active* instances for event `ev`
//!   (see [`dispatch_list`](crate::dispatch_list) for its own invariants), and each such
//!   handler's `pos` is its place there; detaching an instance unlists its handlers at once;
//! - dispatch order is `(spawn order, instance attach sequence, handler sequence)`.

use bevy_ecs::entity::Entity;
use mlua::{Function, Table, WeakLua};
use slotmap::SlotMap;

pub(crate) use crate::keys::HandlerSlot;
pub use crate::keys::{EventId, HandlerKey, InstanceKey, RuntimeId};
use crate::{
    StaleKey,
    dispatch_list::{EventList, UNLISTED},
    keys::InstanceSlot,
};

/// The position of a handler in dispatch order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Order {
    spawn: u64,
    instance: u64,
    handler: u64,
}

/// Where an instance is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceState {
    /// Attached; `init` has not run yet, no handler is dispatched.
    Pending,
    /// `init` ran; handlers are dispatched.
    Active,
    /// Despawned or detached; only `final` may still run before removal.
    Detaching {
        /// Whether the instance was active, i.e. whether `final` is owed.
        was_active: bool,
    },
}

/// One handler: the Lua function, the instance's `self`, its event and its owner.
#[derive(Debug)]
pub struct HandlerEntry {
    /// The handler function.
    pub func: Function,
    /// The owning instance's `self` table.
    pub this: Table,
    /// The event it handles.
    pub event: EventId,
    /// The entity that owns it.
    pub owner: Entity,
    /// The instance that owns it.
    pub instance: InstanceKey,
    /// Added at run time with `self:on` (kept across hot reloads), not by the script table.
    pub dynamic: bool,
    order: Order,
    pub(crate) pos: usize,
}

/// One script attached to one entity.
#[derive(Debug)]
pub struct Instance {
    /// The entity it is attached to.
    pub entity: Entity,
    /// Index of its script in the runtime's script cache.
    pub script: usize,
    /// Its `self` table.
    pub this: Table,
    /// Its handlers, in registration order.
    pub handlers: Vec<HandlerKey>,
    /// Life-cycle state.
    pub state: InstanceState,
    spawn: u64,
    seq: u64,
}

/// Every handler and script instance of one runtime.
pub struct HandlerRegistry {
    runtime: RuntimeId,
    pub(crate) handlers: SlotMap<HandlerSlot, HandlerEntry>,
    instances: SlotMap<InstanceSlot, Instance>,
    pub(crate) by_event: Vec<EventList>,
    pub(crate) lua: WeakLua,
    event_names: Vec<String>,
    event_ids: std::collections::HashMap<String, EventId>,
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
            lua,
            runtime,
            handlers: SlotMap::with_key(),
            instances: SlotMap::with_key(),
            by_event: Vec::new(),
            event_names: Vec::new(),
            event_ids: Default::default(),
            next_seq: 0,
        }
    }

    /// The runtime that issued this registry's keys.
    pub fn runtime(&self) -> RuntimeId {
        self.runtime
    }

    /// Interns an event name.
    pub fn event_id(&mut self, name: &str) -> EventId {
        if let Some(&id) = self.event_ids.get(name) {
            return id;
        }
        let id = EventId(self.event_names.len() as u32);
        self.event_names.push(name.to_owned());
        self.event_ids.insert(name.to_owned(), id);
        // Lifecycle handlers are called one instance at a time, never as a list.
        let listed = !matches!(name, "init" | "final" | "on_reload");
        self.by_event.push(if listed {
            EventList::new()
        } else {
            EventList::unlisted()
        });
        id
    }

    /// Looks an event name up without interning it.
    pub fn find_event(&self, name: &str) -> Option<EventId> {
        self.event_ids.get(name).copied()
    }

    /// The name of an interned event.
    pub fn event_name(&self, id: EventId) -> &str {
        self.event_names
            .get(id.0 as usize)
            .map_or("<unknown event>", String::as_str)
    }

    /// Live handlers.
    pub fn handler_count(&self) -> usize {
        self.handlers.len()
    }

    /// Live instances.
    pub fn instance_count(&self) -> usize {
        self.instances.len()
    }

    /// Resolves a handler key.
    pub fn handler(&self, key: HandlerKey) -> Result<&HandlerEntry, StaleKey> {
        if key.runtime != self.runtime {
            return Err(StaleKey::OtherRuntime);
        }
        self.handlers.get(key.slot).ok_or(StaleKey::Removed)
    }

    /// Resolves an instance key.
    pub fn instance(&self, key: InstanceKey) -> Result<&Instance, StaleKey> {
        if key.runtime != self.runtime {
            return Err(StaleKey::OtherRuntime);
        }
        self.instances.get(key.slot).ok_or(StaleKey::Removed)
    }

    pub(crate) fn instance_mut(&mut self, key: InstanceKey) -> Result<&mut Instance, StaleKey> {
        if key.runtime != self.runtime {
            return Err(StaleKey::OtherRuntime);
        }
        self.instances.get_mut(key.slot).ok_or(StaleKey::Removed)
    }

    /// Every live instance key, in attach order.
    pub fn instance_keys(&self) -> Vec<InstanceKey> {
        let mut keys: Vec<_> = self
            .instances
            .iter()
            .map(|(slot, inst)| (inst.seq, slot))
            .collect();
        keys.sort_unstable_by_key(|&(seq, _)| seq);
        keys.into_iter()
            .map(|(_, slot)| InstanceKey {
                slot,
                runtime: self.runtime,
            })
            .collect()
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
        let slot = self.instances.insert(Instance {
            entity,
            script,
            this,
            handlers: Vec::new(),
            state: InstanceState::Pending,
            spawn,
            seq: self.next_seq,
        });
        InstanceKey {
            slot,
            runtime: self.runtime,
        }
    }

    /// Adds a handler to an instance; it is dispatched once the instance is active.
    pub(crate) fn insert_handler(
        &mut self,
        instance: InstanceKey,
        event: EventId,
        func: Function,
        dynamic: bool,
    ) -> Result<HandlerKey, StaleKey> {
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
        let key = HandlerKey {
            slot,
            runtime: self.runtime,
        };
        self.instance_mut(instance)?.handlers.push(key);
        if active {
            self.index(slot, event, order);
        }
        Ok(key)
    }

    fn index(&mut self, slot: HandlerSlot, event: EventId, order: Order) {
        let (Some(list), Some(entry)) = (
            self.by_event.get_mut(event.0 as usize),
            self.handlers.get_mut(slot),
        ) else {
            return;
        };
        if entry.pos == UNLISTED {
            entry.pos = list.push(&self.lua, order, slot, &entry.func, &entry.this);
        }
    }

    fn unlist(&mut self, slot: HandlerSlot) {
        let Some(entry) = self.handlers.get_mut(slot) else {
            return;
        };
        if entry.pos == UNLISTED {
            return;
        }
        let event = entry.event;
        if let Some(list) = self.by_event.get_mut(event.0 as usize) {
            list.tombstone(entry.pos);
        }
        entry.pos = UNLISTED;
        // Compact here too: an event that is only ever sent to single entities is never
        // dispatched as a list, and its tombstones would otherwise pile up.
        self.prepare(event);
    }

    /// Marks an instance active and makes its handlers dispatchable.
    pub(crate) fn activate(&mut self, instance: InstanceKey) -> Result<(), StaleKey> {
        let inst = self.instance_mut(instance)?;
        if inst.state != InstanceState::Pending {
            return Ok(());
        }
        inst.state = InstanceState::Active;
        let slots: Vec<HandlerSlot> = inst.handlers.iter().map(|k| k.slot).collect();
        for slot in slots {
            if let Some(entry) = self.handlers.get(slot) {
                let (event, order) = (entry.event, entry.order);
                self.index(slot, event, order);
            }
        }
        Ok(())
    }

    /// Marks an instance as going away and unlists its handlers; returns whether `final`
    /// is owed.
    pub(crate) fn begin_detach(&mut self, instance: InstanceKey) -> Result<bool, StaleKey> {
        let inst = self.instance_mut(instance)?;
        match inst.state {
            InstanceState::Detaching { .. } => Ok(false),
            state => {
                let was_active = state == InstanceState::Active;
                inst.state = InstanceState::Detaching { was_active };
                let slots: Vec<HandlerSlot> = inst.handlers.iter().map(|k| k.slot).collect();
                for slot in slots {
                    self.unlist(slot);
                }
                Ok(was_active)
            }
        }
    }

    /// Removes one handler; its key goes stale.
    pub(crate) fn remove_handler(&mut self, key: HandlerKey) -> Result<HandlerEntry, StaleKey> {
        if key.runtime != self.runtime {
            return Err(StaleKey::OtherRuntime);
        }
        if !self.handlers.contains_key(key.slot) {
            return Err(StaleKey::Removed);
        }
        self.unlist(key.slot);
        let entry = self.handlers.remove(key.slot).ok_or(StaleKey::Removed)?;
        if let Ok(inst) = self.instance_mut(entry.instance) {
            inst.handlers.retain(|k| *k != key);
        }
        Ok(entry)
    }

    /// Removes an instance and all its handlers; their keys go stale.
    pub(crate) fn remove_instance(&mut self, key: InstanceKey) -> Result<Instance, StaleKey> {
        if key.runtime != self.runtime {
            return Err(StaleKey::OtherRuntime);
        }
        let inst = self.instances.remove(key.slot).ok_or(StaleKey::Removed)?;
        for handler in &inst.handlers {
            self.unlist(handler.slot);
            self.handlers.remove(handler.slot);
        }
        Ok(inst)
    }

    /// Sorts live handler keys into dispatch order (stale keys go last).
    pub fn sort_dispatch(&self, keys: &mut [HandlerKey]) {
        keys.sort_by_key(|&key| self.handler(key).map(|entry| entry.order).ok());
        keys.rotate_left(
            keys.iter()
                .take_while(|&&k| self.handler(k).is_err())
                .count(),
        );
    }

    /// Drops every handler and instance (and the Lua values they hold).
    pub(crate) fn clear(&mut self) {
        self.handlers.clear();
        self.instances.clear();
        for list in &mut self.by_event {
            list.clear();
        }
    }
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
