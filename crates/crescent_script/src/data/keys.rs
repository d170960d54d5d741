//! Keys: the plain, `Copy + Send` handles entities and Rust code keep instead of Lua values.
//!
//! A key names a slotmap slot and the runtime that issued it. Slotmap versions make a
//! removed slot's keys fail even after the slot is reused; the runtime id makes keys of a
//! reset or rebuilt runtime fail in the new one, whose slots start over.

use std::sync::atomic::{AtomicU32, Ordering};

use slotmap::new_key_type;

new_key_type! {
    /// A task in the VM's scheduler.
    pub(crate) struct TaskKey;
    /// A handler's slot in the registry (a key without its runtime).
    pub(crate) struct HandlerSlot;
    /// An instance's slot in the registry.
    pub(crate) struct InstanceSlot;
}

/// Identifies one runtime; keys from another runtime never resolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RuntimeId(u32);

impl RuntimeId {
    pub(crate) fn next() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// A key to one handler in the registry; plain data, safe to keep anywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HandlerKey {
    pub(crate) slot: HandlerSlot,
    pub(crate) runtime: RuntimeId,
}

/// A key to one script instance (one script attached to one entity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InstanceKey {
    pub(crate) slot: InstanceSlot,
    pub(crate) runtime: RuntimeId,
}

/// An interned event name: an index into the registry's event table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct EventId(pub(crate) u32);

impl EventId {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// Handler names with a fixed meaning, in the order a script's handlers are registered;
/// a script's fields with these names must be functions.
pub(crate) const LIFECYCLE_HANDLERS: [&str; 5] =
    ["init", "update", "fixed_update", "final", "on_reload"];
