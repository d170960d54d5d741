//! What the registry stores: one [`HandlerEntry`] per handler, one [`Instance`] per attached
//! script, and the [`Order`] that sorts them for dispatch.

use bevy_ecs::entity::Entity;
use mlua::{Function, Table};

use crate::data::keys::{EventId, HandlerKey, InstanceKey};

/// The position of a handler in dispatch order: spawn order, then attach, then registration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Order {
    pub(super) spawn: u64,
    pub(super) instance: u64,
    pub(super) handler: u64,
}

/// Where an instance is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
pub(crate) struct HandlerEntry {
    pub(super) func: Function,
    pub(super) this: Table,
    pub(super) event: EventId,
    pub(super) owner: Entity,
    pub(super) instance: InstanceKey,
    /// Added at run time with `self:on` (kept across hot reloads), not by the script table.
    pub(super) dynamic: bool,
    pub(super) order: Order,
    /// Its index in its event's dispatch list, or `UNLISTED`.
    pub(super) pos: usize,
}

impl HandlerEntry {
    /// The handler function.
    pub(crate) fn func(&self) -> &Function {
        &self.func
    }

    /// The owning instance's `self`.
    pub(crate) fn this(&self) -> &Table {
        &self.this
    }

    /// The event it handles.
    pub(crate) fn event(&self) -> EventId {
        self.event
    }

    /// The entity that owns it.
    pub(crate) fn owner(&self) -> Entity {
        self.owner
    }

    /// The instance that owns it.
    pub(crate) fn instance(&self) -> InstanceKey {
        self.instance
    }
}

/// One script attached to one entity.
#[derive(Debug)]
pub(crate) struct Instance {
    pub(super) entity: Entity,
    pub(super) script: usize,
    pub(super) this: Table,
    pub(super) handlers: Vec<HandlerKey>,
    pub(super) state: InstanceState,
    pub(super) spawn: u64,
    pub(super) seq: u64,
}

impl Instance {
    /// The entity it is attached to.
    pub(crate) fn entity(&self) -> Entity {
        self.entity
    }

    /// Index of its script in the VM's script cache.
    pub(crate) fn script(&self) -> usize {
        self.script
    }

    /// Its `self` table.
    pub(crate) fn this(&self) -> &Table {
        &self.this
    }

    /// Its handlers, in registration order.
    pub(crate) fn handlers(&self) -> &[HandlerKey] {
        &self.handlers
    }

    /// Life-cycle state.
    pub(crate) fn state(&self) -> InstanceState {
        self.state
    }

    /// Attached and not going away.
    pub(crate) fn is_live(&self) -> bool {
        !matches!(self.state, InstanceState::Detaching { .. })
    }
}
