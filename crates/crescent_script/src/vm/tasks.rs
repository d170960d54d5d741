//! Tasks: Roblox-style coroutines on the world's virtual clock.
//!
//! `task.spawn(fn, ...)` starts a coroutine at once and runs it to its first wait;
//! `task.delay(s, fn, ...)` starts one after `s` seconds; `task.wait(s)` (inside a task)
//! yields until `time.elapsed` has advanced by `s` and returns the time actually waited.
//! The tasks phase (after events) resumes every due task in wake order, then creation
//! order. A task belongs to the instance whose code started it and is cancelled when
//! that instance is detached or its entity despawns: its code never runs again.
//!
//! The scheduler never holds its own borrow while a task runs, so a task may start,
//! cancel or wait on tasks freely.
//!
//! Every task gets a fresh coroutine, never reused: a thread a script kept (from
//! `coroutine.running()`) can never become another instance's task. And script code may
//! not resume or close a task's thread (the sandbox's `coroutine.resume`/`close` ask
//! [`Scheduler::is_task_thread`]): only the scheduler drives a task.

use std::{
    cell::RefCell,
    collections::{BTreeMap, HashSet},
};

use mlua::{Function, Lua, MultiValue, Table, Thread, Value, thread::ThreadStatus};
use slotmap::SlotMap;

use super::{
    Vm,
    scope::{Running, Who},
};
use crate::data::error::internal_chunk;
use crate::data::keys::{InstanceKey, TaskKey};

/// Slack when comparing wake times, so float sums of frame steps wake on time.
const WAKE_EPSILON: f64 = 1e-9;

struct Task {
    thread: Thread,
    owner: Option<Running>,
    seq: u64,
    waiting_since: f64,
    /// Wake time bits of its entry in `waiting`, if it was ever scheduled (the entry may
    /// have been taken since; removing a missing entry is a no-op).
    wake: Option<u64>,
    /// Arguments for the first resume of a delayed task.
    start_args: Option<MultiValue>,
}

/// A task that raised an error, for the frame layer to report.
pub(crate) struct TaskFailure {
    pub(crate) error: mlua::Error,
    pub(crate) owner: Option<Running>,
}

#[derive(Default)]
struct Tasks {
    tasks: SlotMap<TaskKey, Task>,
    /// Waiting tasks by (wake time bits, creation seq); non-negative f64 bits sort like the value.
    waiting: BTreeMap<(u64, u64), TaskKey>,
    /// The threads of live tasks, by address (a live task holds its thread, so an
    /// address here cannot be reused by another thread).
    threads: HashSet<usize>,
    next_seq: u64,
}

impl Tasks {
    fn insert(
        &mut self,
        thread: Thread,
        owner: Option<Running>,
        start_args: Option<MultiValue>,
    ) -> TaskKey {
        self.next_seq += 1;
        self.threads.insert(thread.to_pointer() as usize);
        self.tasks.insert(Task {
            thread,
            owner,
            seq: self.next_seq,
            waiting_since: 0.0,
            wake: None,
            start_args,
        })
    }

    fn schedule(&mut self, key: TaskKey, wake_at: f64, now: f64) {
        if let Some(task) = self.tasks.get_mut(key) {
            let bits = wake_at.max(0.0).to_bits();
            task.waiting_since = now;
            task.wake = Some(bits);
            self.waiting.insert((bits, task.seq), key);
        }
    }

    fn remove(&mut self, key: TaskKey) -> Option<Task> {
        let task = self.tasks.remove(key)?;
        self.threads.remove(&(task.thread.to_pointer() as usize));
        if let Some(bits) = task.wake {
            self.waiting.remove(&(bits, task.seq));
        }
        debug_assert!(self.waiting.values().all(|&k| k != key));
        Some(task)
    }
}

/// `task.wait` yields from Lua: a Rust callback cannot yield, and raising its error at
/// level 2 points the message at the caller's line. It yields a marker only it holds, so
/// neither a plain `coroutine.yield()` nor a wait whose yield failed and was caught can
/// pass for a wait.
const WAIT: &str = r#"
local prepare, yield, marker = ...
return function(seconds)
  local problem, s = prepare(seconds)
  if problem then
    error(problem, 2)
  end
  return yield(marker, s)
end
"#;

/// Every live task of a runtime.
#[derive(Default)]
pub(crate) struct Scheduler {
    inner: RefCell<Tasks>,
    /// `task.wait` and the marker it yields.
    wait: RefCell<Option<(Function, Table)>>,
}

impl Scheduler {
    /// Live tasks.
    pub(crate) fn len(&self) -> usize {
        self.inner.borrow().tasks.len()
    }

    pub(super) fn clear(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.tasks.clear();
        inner.waiting.clear();
        inner.threads.clear();
        self.wait.borrow_mut().take();
    }

    /// Builds `task.wait`.
    pub(super) fn install_wait(&self, lua: &Lua) -> mlua::Result<()> {
        let prepare = lua.create_function(|lua, seconds: Value| {
            let seconds = match seconds {
                Value::Nil => None,
                Value::Integer(i) => Some(i as f64),
                Value::Number(n) => Some(n),
                other => {
                    let problem = format!(
                        "task.wait expects a number of seconds, got {}",
                        other.type_name()
                    );
                    return Ok((Some(problem), 0.0));
                }
            };
            Ok(match Vm::of(lua)?.prepare_wait(lua, seconds) {
                Ok(seconds) => (None, seconds),
                Err(problem) => (Some(problem), 0.0),
            })
        })?;
        let coroutine: Table = lua.globals().raw_get("coroutine")?;
        let yield_fn: Function = coroutine.raw_get("yield")?;
        let marker = lua.create_table()?;
        let wait: Function = lua.load(WAIT).set_name(internal_chunk("task.wait")).call((
            prepare,
            yield_fn,
            marker.clone(),
        ))?;
        *self.wait.borrow_mut() = Some((wait, marker));
        Ok(())
    }

    /// `task.wait(seconds)`: yields the running task until `seconds` have passed.
    pub(crate) fn wait_function(&self) -> Option<Function> {
        self.wait.borrow().as_ref().map(|(wait, _)| wait.clone())
    }

    /// The seconds a task that yielded `values` waits: what `task.wait` asked for, or 0
    /// for any other yield.
    fn waited(&self, values: &MultiValue) -> f64 {
        let wait = self.wait.borrow();
        let is_wait = matches!(
            (values.front(), wait.as_ref()),
            (Some(Value::Table(yielded)), Some((_, marker))) if yielded == marker
        );
        match values.get(1) {
            Some(Value::Number(seconds)) if is_wait => *seconds,
            Some(Value::Integer(seconds)) if is_wait => *seconds as f64,
            _ => 0.0,
        }
    }

    /// A fresh thread for a new task (never a finished task's: see the module doc).
    fn new_thread(&self, lua: &Lua, func: Function) -> mlua::Result<Thread> {
        let thread = lua.create_thread(func)?;
        if Vm::of(lua)?.budget().hooks_when_armed() {
            // mlua gives new threads its global hook; in time mode only armed threads trap.
            thread.remove_hook();
        }
        Ok(thread)
    }

    /// Whether `thread` is a live task's: script code may not resume or close it.
    pub(crate) fn is_task_thread(&self, thread: &Thread) -> bool {
        self.inner
            .borrow()
            .threads
            .contains(&(thread.to_pointer() as usize))
    }

    /// `task.cancel(t)`: the task never runs again; returns whether it was live.
    pub(crate) fn cancel(&self, key: TaskKey) -> bool {
        self.inner.borrow_mut().remove(key).is_some()
    }

    /// Cancels every task an instance started.
    pub(crate) fn cancel_owned(&self, instance: InstanceKey) {
        let mut inner = self.inner.borrow_mut();
        let owned: Vec<TaskKey> = inner
            .tasks
            .iter()
            .filter(|(_, t)| t.owner.is_some_and(|o| o.instance == instance))
            .map(|(k, _)| k)
            .collect();
        for key in owned {
            inner.remove(key);
        }
    }
}

impl Vm {
    /// `task.spawn(fn, ...)` by `owner`: starts at once and runs to its first wait.
    pub(crate) fn spawn_task(
        &self,
        lua: &Lua,
        func: Function,
        args: MultiValue,
        owner: Option<Running>,
    ) -> mlua::Result<(TaskKey, Option<TaskFailure>)> {
        let thread = self.tasks().new_thread(lua, func)?;
        let key = self.tasks().inner.borrow_mut().insert(thread, owner, None);
        Ok((key, self.resume(key, args)))
    }

    /// `task.delay(seconds, fn, ...)` by `owner`: starts once `seconds` have passed.
    pub(crate) fn delay_task(
        &self,
        lua: &Lua,
        seconds: f64,
        func: Function,
        args: MultiValue,
        owner: Option<Running>,
    ) -> mlua::Result<TaskKey> {
        let thread = self.tasks().new_thread(lua, func)?;
        let now = self.clock().elapsed();
        let mut tasks = self.tasks().inner.borrow_mut();
        let key = tasks.insert(thread, owner, Some(args));
        tasks.schedule(key, now + seconds.max(0.0), now);
        Ok(key)
    }

    /// Resumes every task whose wake time has come, in (wake time, creation) order; a task
    /// whose owner is no longer active (`owner_active` says no) is cancelled instead.
    pub(crate) fn run_due_tasks(
        &self,
        owner_active: impl Fn(InstanceKey) -> bool,
    ) -> Vec<TaskFailure> {
        let now = self.clock().elapsed();
        let due: Vec<TaskKey> = {
            let mut tasks = self.tasks().inner.borrow_mut();
            let later = tasks
                .waiting
                .split_off(&((now + WAKE_EPSILON).to_bits(), u64::MAX));
            std::mem::replace(&mut tasks.waiting, later)
                .into_values()
                .collect()
        };
        let mut failures = Vec::new();
        for key in due {
            let next = {
                let mut tasks = self.tasks().inner.borrow_mut();
                tasks.tasks.get_mut(key).map(|task| {
                    let args = task.start_args.take().unwrap_or_else(|| {
                        MultiValue::from_iter([Value::Number(now - task.waiting_since)])
                    });
                    (args, task.owner)
                })
            };
            let Some((args, owner)) = next else { continue };
            if owner.is_none_or(|o| owner_active(o.instance)) {
                failures.extend(self.resume(key, args));
            } else {
                self.tasks().cancel(key);
            }
        }
        failures
    }

    /// Resumes one task and files it by what it did: waited, finished or failed.
    fn resume(&self, key: TaskKey, args: MultiValue) -> Option<TaskFailure> {
        let (thread, owner) = {
            let tasks = self.tasks().inner.borrow();
            let task = tasks.tasks.get(key)?;
            (task.thread.clone(), task.owner)
        };
        let result = {
            let _scope = self.enter(Some(Who::Task { key, owner }));
            thread.resume::<MultiValue>(args)
        };
        let now = self.clock().elapsed();
        let seconds = match &result {
            Ok(values) if thread.status() == ThreadStatus::Resumable => {
                Some(self.tasks().waited(values))
            }
            _ => None,
        };
        let mut tasks = self.tasks().inner.borrow_mut();
        match (result, seconds) {
            (Err(error), _) => {
                tasks.remove(key);
                Some(TaskFailure { error, owner })
            }
            (Ok(_), Some(seconds)) => {
                tasks.schedule(key, now + seconds, now);
                None
            }
            (Ok(_), None) => {
                tasks.remove(key);
                None
            }
        }
    }

    /// `task.wait`'s check before it yields: inside a task, with a sensible duration;
    /// returns the seconds to wait.
    pub(crate) fn prepare_wait(&self, lua: &Lua, seconds: Option<f64>) -> Result<f64, String> {
        let seconds = seconds.unwrap_or(0.0);
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(format!(
                "task.wait expects a non-negative number of seconds, got {seconds}"
            ));
        }
        let current = lua.current_thread().to_pointer();
        let in_task = self.scope().task().is_some_and(|key| {
            self.tasks()
                .inner
                .borrow()
                .tasks
                .get(key)
                .is_some_and(|task| task.thread.to_pointer() == current)
        });
        if !in_task {
            return Err(
                "task.wait can only be called inside a task (start one with task.spawn or task.delay)"
                    .into(),
            );
        }
        Ok(seconds)
    }
}

#[cfg(test)]
#[path = "tasks_tests/mod.rs"]
mod tests;
