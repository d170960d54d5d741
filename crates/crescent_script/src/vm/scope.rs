//! Who is running: the one place that sets and restores it.
//!
//! Every path that runs Lua (a handler call, a dispatch loop, a task resume, a script's
//! top level, a test body, the GC phase) enters a [`CallScope`]. The scope records whose
//! code runs (the `sender` of its events, the owner of its tasks), starts the
//! budget, and on drop restores both, so nesting (a handler that starts a task that spawns
//! an entity whose script's top level sends an event) always unwinds to the right caller.

use std::cell::Cell;

use bevy_ecs::entity::Entity;

use super::limits::{Budget, BudgetScope};
use crate::data::keys::{EventId, InstanceKey, TaskKey};

/// A script instance whose code is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Running {
    pub(crate) instance: InstanceKey,
    pub(crate) entity: Entity,
}

/// Whose Lua code runs now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Who {
    /// Host code: a main chunk, a test body, or nothing at all.
    #[default]
    Host,
    /// One instance's handler.
    Instance(Running),
    /// A dispatch loop over `event`'s list, dispatch number `seq`: the running handler is
    /// the loop's cursor entry, resolved only when someone asks.
    List {
        /// The event whose list runs.
        event: EventId,
        /// Its dispatch number.
        seq: u64,
    },
    /// A task, started by `owner` (if an instance started it).
    Task {
        /// The task.
        key: TaskKey,
        /// The instance that started it.
        owner: Option<Running>,
    },
}

/// Who runs now; written only by [`CallScope`].
#[derive(Debug, Default)]
pub(crate) struct Scope {
    who: Cell<Who>,
}

impl Scope {
    /// Whose code runs now.
    pub(crate) fn who(&self) -> Who {
        self.who.get()
    }

    /// The task being resumed, if a task runs now.
    pub(crate) fn task(&self) -> Option<TaskKey> {
        match self.who.get() {
            Who::Task { key, .. } => Some(key),
            _ => None,
        }
    }
}

/// While alive: `who` runs, under the budget. Dropping it restores the caller.
pub(crate) struct CallScope<'a> {
    scope: &'a Scope,
    outer: Who,
    _budget: BudgetScope<'a>,
}

impl Drop for CallScope<'_> {
    fn drop(&mut self) {
        self.scope.who.set(self.outer);
    }
}

impl<'a> CallScope<'a> {
    /// Enters a call in `frame`: `who` runs (or, with `None`, whoever ran keeps running,
    /// as for a script's top level run on its spawner's behalf), under `budget`.
    pub(super) fn enter(
        scope: &'a Scope,
        budget: &'a Budget,
        who: Option<Who>,
        frame: u64,
    ) -> Self {
        let outer = scope.who.get();
        if let Some(who) = who {
            scope.who.set(who);
        }
        CallScope {
            scope,
            outer,
            _budget: budget.enter(frame),
        }
    }
}
