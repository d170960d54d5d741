//! Error reporting: every caught failure becomes one [`ScriptError`], built here and only
//! here (`Core::report` names the source, [`Reporter`] builds the error), then published
//! at the end of the phase (log line, [`ScriptErrorLog`], message).
//!
//! Also the one streak rule behind `disable_after_errors`: a handler's errors are "in a
//! row" while no call of it succeeds in between. A direct call's success is seen and
//! ends the streak; a dispatch loop only sees failures, so there a failure continues
//! the streak only if the handler also failed in the list's previous dispatch.

use std::{
    cell::{Cell, RefCell},
    collections::HashMap,
};

use bevy_ecs::{entity::Entity, world::World};

use crate::{
    data::{
        error::{CrescentError, ScriptError, split_lua_error},
        keys::HandlerKey,
        limits::truncate,
        stats::ScriptErrorLog,
    },
    vm::Running,
};

/// What failed: whose code, or which file.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    /// An instance's code (a handler, its `init`, a task it started).
    Instance(Running),
    /// A file, on behalf of an entity or of nobody (attach, reload).
    File {
        /// The entity it was for.
        entity: Option<Entity>,
        /// The script path.
        path: String,
    },
    /// Host code: a main chunk, a test body, a task nobody owns.
    Host,
}

/// Why it failed.
pub(crate) enum Cause<'a> {
    /// A Lua error.
    Lua(&'a mlua::Error),
    /// An API or load error.
    Api(&'a CrescentError),
    /// A message of the runtime's own.
    Text(String),
}

impl Cause<'_> {
    fn split(&self) -> (String, String) {
        match self {
            Cause::Lua(err) => split_lua_error(err),
            Cause::Api(CrescentError::Lua(err)) => split_lua_error(err),
            Cause::Api(err) => (err.to_string(), String::new()),
            Cause::Text(text) => (text.clone(), String::new()),
        }
    }
}

/// `(script, event)` pairs the log's rate limit remembers; beyond this it starts over.
const LOGGED_KEYS_LIMIT: usize = 4096;

/// Errors waiting to be published, streaks, and the log's rate limit.
///
/// Everything here is bounded: at most `max_pending` errors wait between two publishes
/// (the rest are only counted), each message and traceback is cut to `max_error_bytes`,
/// streaks of removed handlers are pruned, and the rate limit forgets old pairs.
#[derive(Debug, Default)]
pub(crate) struct Reporter {
    pending: RefCell<Vec<ScriptError>>,
    /// Errors reported but not kept since the last publish (`max_pending` reached).
    held_back: Cell<u64>,
    max_pending: usize,
    max_error_bytes: usize,
    total: Cell<u64>,
    /// Per failing handler: errors in a row, and the dispatch number of the last one.
    streaks: RefCell<HashMap<HandlerKey, (u32, u64)>>,
    /// Last frame each (script, event) error was logged, and how many were held back since.
    logged: RefCell<HashMap<(String, String), (u64, u64)>>,
}

impl Reporter {
    /// A reporter keeping at most `max_pending` errors between publishes, each message
    /// and traceback at most `max_error_bytes` long.
    pub(crate) fn new(max_pending: usize, max_error_bytes: usize) -> Self {
        Self {
            max_pending,
            max_error_bytes,
            ..Self::default()
        }
    }

    /// Entries held in the streak and rate-limit maps, and errors pending (for tests and
    /// the property test's memory bound).
    pub(crate) fn usage(&self) -> (usize, usize, usize) {
        (
            self.streaks.borrow().len(),
            self.logged.borrow().len(),
            self.pending.borrow().len(),
        )
    }

    /// Forgets the streaks of handlers that are gone (`live` says which remain).
    pub(super) fn prune_streaks(&self, live: impl Fn(HandlerKey) -> bool) {
        self.streaks.borrow_mut().retain(|&key, _| live(key));
    }

    /// Script errors reported so far.
    pub(crate) fn total(&self) -> u64 {
        self.total.get()
    }

    /// Records a failure of `key`; `dispatch` is the list's dispatch number when it failed
    /// in a dispatch loop, `None` for a direct call. Returns the errors in a row.
    pub(super) fn failed(&self, key: HandlerKey, dispatch: Option<u64>) -> u32 {
        let mut streaks = self.streaks.borrow_mut();
        let streak = streaks.entry(key).or_insert((0, 0));
        let continues = match dispatch {
            None => true,
            Some(seq) => streak.1 + 1 == seq,
        };
        streak.0 = if continues { streak.0 + 1 } else { 1 };
        streak.1 = dispatch.unwrap_or(streak.1);
        streak.0
    }

    /// Builds the [`ScriptError`] for a failure and queues it for publishing: the one
    /// place a `ScriptError` is made.
    pub(super) fn push(
        &self,
        frame: u64,
        entity: Option<Entity>,
        script: String,
        event: &str,
        cause: Cause<'_>,
    ) {
        self.total.set(self.total.get() + 1);
        let mut pending = self.pending.borrow_mut();
        if pending.len() >= self.max_pending {
            self.held_back.set(self.held_back.get() + 1);
            return;
        }
        let (mut message, mut traceback) = cause.split();
        truncate(&mut message, self.max_error_bytes);
        truncate(&mut traceback, self.max_error_bytes);
        pending.push(ScriptError {
            frame,
            entity,
            script,
            event: event.to_owned(),
            message,
            traceback,
        });
    }

    /// Publishes the errors reported so far: a log line each (at most one per script and
    /// event every `log_every` frames), the [`ScriptErrorLog`] (up to `capacity`), and a
    /// [`ScriptError`] message each.
    pub(super) fn publish(&self, world: &mut World, capacity: usize, log_every: u64) {
        let errors = std::mem::take(&mut *self.pending.borrow_mut());
        let held_back = self.held_back.replace(0);
        if held_back > 0 {
            tracing::warn!(target: "crescent", "{held_back} script errors not kept (more than {} in one phase)", self.max_pending);
            if let Some(mut log) = world.get_resource_mut::<ScriptErrorLog>() {
                log.total += held_back;
            }
        }
        for error in errors {
            self.log_limited(&error, log_every);
            if let Some(mut log) = world.get_resource_mut::<ScriptErrorLog>() {
                log.total += 1;
                if log.errors.len() < capacity {
                    log.errors.push(error.clone());
                }
            }
            world.write_message(error);
        }
    }

    /// Logs an error unless the same script and event was logged within `every` frames;
    /// the next line that gets through says how many were held back.
    fn log_limited(&self, error: &ScriptError, every: u64) {
        let mut logged = self.logged.borrow_mut();
        if logged.len() >= LOGGED_KEYS_LIMIT {
            logged.clear();
        }
        let key = (error.script.clone(), error.event.clone());
        let (last, held) = logged.entry(key).or_insert((0, 0));
        if *last != 0 && error.frame < last.saturating_add(every) {
            *held += 1;
            return;
        }
        if *held > 0 {
            tracing::warn!(target: "crescent", "script error: {error} ({held} similar errors not logged)");
        } else {
            tracing::warn!(target: "crescent", "script error: {error}");
        }
        *last = error.frame.max(1);
        *held = 0;
    }

    /// A direct call of `key` succeeded (or the handler is gone): its streak ends.
    pub(super) fn clear_streak(&self, key: HandlerKey) {
        let mut streaks = self.streaks.borrow_mut();
        if !streaks.is_empty() {
            streaks.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::keys::{HandlerSlot, RuntimeId};
    use slotmap::KeyData;

    fn key(n: u64) -> HandlerKey {
        HandlerKey {
            slot: HandlerSlot::from(KeyData::from_ffi(n | (1 << 32))),
            runtime: RuntimeId::next(),
        }
    }

    #[test]
    fn long_texts_are_cut_and_errors_beyond_the_pending_cap_only_counted() {
        let reporter = Reporter::new(2, 8);
        for _ in 0..3 {
            reporter.push(
                1,
                None,
                "s.lua".into(),
                "update",
                Cause::Text("x".repeat(20)),
            );
        }
        assert_eq!(reporter.total(), 3);
        assert_eq!(reporter.usage().2, 2);
        let pending = reporter.pending.borrow();
        assert_eq!(pending[0].message, "xxxxxxxx... (12 of 20 bytes cut off)");
    }

    #[test]
    fn streaks_of_removed_handlers_are_pruned() {
        let reporter = Reporter::default();
        let (a, b) = (key(3), key(4));
        reporter.failed(a, None);
        reporter.failed(b, None);
        reporter.prune_streaks(|k| k == a);
        assert_eq!(reporter.usage().0, 1);
    }

    #[test]
    fn direct_calls_count_every_failure_until_a_success() {
        let reporter = Reporter::default();
        let k = key(1);
        assert_eq!(reporter.failed(k, None), 1);
        assert_eq!(reporter.failed(k, None), 2);
        reporter.clear_streak(k);
        assert_eq!(reporter.failed(k, None), 1);
    }

    #[test]
    fn dispatch_failures_are_in_a_row_only_in_consecutive_dispatches() {
        let reporter = Reporter::default();
        let k = key(2);
        assert_eq!(reporter.failed(k, Some(4)), 1);
        assert_eq!(reporter.failed(k, Some(5)), 2);
        assert_eq!(
            reporter.failed(k, Some(7)),
            1,
            "dispatch 6 ran it without error"
        );
    }
}
