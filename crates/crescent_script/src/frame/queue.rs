//! The runtime's event queue: FIFO, Lua payloads held until delivery.

use std::{cell::RefCell, collections::VecDeque};

use bevy_ecs::entity::Entity;
use mlua::Value;

use crate::data::keys::EventId;

/// A queued event's name: interned when some handler has it, else kept as text (sending
/// never interns; a handler added before delivery still gets it).
pub(crate) enum QueuedName {
    /// A name with an id.
    Known(EventId),
    /// A name no handler had when it was sent (at most `max_name_bytes` long).
    Named(Box<str>),
}

/// One queued event.
pub(crate) struct Queued {
    pub(super) target: Option<Entity>,
    pub(super) event: QueuedName,
    pub(super) payload: Value,
    pub(super) sender: Option<Entity>,
}

/// The runtime's event queue.
#[derive(Default)]
pub(crate) struct EventQueue {
    queue: RefCell<VecDeque<Queued>>,
}

impl EventQueue {
    /// Events waiting for delivery.
    pub(crate) fn len(&self) -> usize {
        self.queue.borrow().len()
    }

    pub(super) fn clear(&self) {
        self.queue.borrow_mut().clear();
    }

    pub(super) fn push_back(&self, queued: Queued) {
        self.queue.borrow_mut().push_back(queued);
    }

    pub(super) fn pop_front(&self) -> Option<Queued> {
        self.queue.borrow_mut().pop_front()
    }
}
