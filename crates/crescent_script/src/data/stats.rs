//! Runtime statistics and the error log, as resources Rust code and reports read.

use bevy_ecs::resource::Resource;
use serde::Serialize;

use super::error::ScriptError;

/// What the scripting runtime holds and has done, refreshed at the end of every frame.
#[derive(Resource, Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptStats {
    /// Live entities with at least one script.
    pub entities: usize,
    /// Live script instances.
    pub instances: usize,
    /// Live registry entries (handlers).
    pub handlers: usize,
    /// Live tasks (running or waiting).
    pub tasks: usize,
    /// Events waiting for delivery (beyond the per-frame cap).
    pub queued_events: usize,
    /// Handler calls so far.
    pub handler_calls: u64,
    /// Script errors so far.
    pub errors: u64,
    /// Events delivered to handlers so far.
    pub events_delivered: u64,
    /// Events dropped so far (receiver dead or despawning).
    pub events_dropped: u64,
    /// Bytes the Lua state uses.
    pub lua_memory_bytes: usize,
    /// `gc_step` calls so far.
    pub gc_steps: u64,
    /// GC cycles completed by the runtime's steps and full collects.
    pub gc_cycles: u64,
}

/// The most recent script errors (up to the configured capacity) and the total count.
#[derive(Resource, Debug, Default, Clone)]
pub struct ScriptErrorLog {
    /// Kept errors, oldest first.
    pub errors: Vec<ScriptError>,
    /// Every error ever reported, kept or not.
    pub total: u64,
}

/// Live entities that carry [`ScriptHandlers`](crate::ScriptHandlers).
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct ScriptedEntities(pub(crate) usize);

impl ScriptedEntities {
    /// How many.
    pub fn count(&self) -> usize {
        self.0
    }
}
