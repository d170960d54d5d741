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
    /// Events dropped so far: receiver dead or despawning, or the event refused (a
    /// lifecycle name, a name over `max_name_bytes`, a full queue).
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

/// What script input makes Rust hold right now, outside the Lua heap: every entry here
/// is bounded by a [`ScriptConfig`](crate::ScriptConfig) limit (or a documented cap).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RustUsage {
    /// Interned event names (at most `max_event_names`).
    pub event_names: usize,
    /// Bytes those names hold (each at most `max_name_bytes`).
    pub event_name_bytes: usize,
    /// Events queued (at most `max_queued_events`).
    pub queued_events: usize,
    /// Failing-handler streaks kept (live handlers only, after a publish).
    pub error_streaks: usize,
    /// `(script, event)` pairs the error log's rate limit remembers (at most 4096).
    pub logged_pairs: usize,
    /// Errors waiting to be published (at most `error_log_capacity`, or 1000 if larger).
    pub pending_errors: usize,
    /// Live tasks.
    pub tasks: usize,
}
