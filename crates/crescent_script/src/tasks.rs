//! Tasks: Roblox-style coroutines on the world's virtual clock.
//!
//! `task.spawn(fn, ...)` starts a coroutine at once and runs it to its first wait;
//! `task.delay(s, fn, ...)` starts one after `s` seconds; `task.wait(s)` (inside a task)
//! yields until `time.elapsed` has advanced by `s` and returns the time actually waited.
//! The tasks phase (after events) resumes every due task in wake order, then creation
//! order. A task belongs to the instance whose code started it and is cancelled when
//! that instance is detached or its entity despawns: its code never runs again.

use std::collections::BTreeMap;

use mlua::{Function, Lua, MultiValue, Thread, Value, thread::ThreadStatus};
use slotmap::{SlotMap, new_key_type};

use crate::{
    InstanceKey, InstanceState,
    dispatch::{self, Running},
    runtime::Ctx,
};

new_key_type! {
    /// A task in the scheduler.
    pub struct TaskKey;
}

/// Finished coroutines kept for reuse by later tasks.
const POOL_LIMIT: usize = 64;
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

/// Every live task of a runtime.
#[derive(Default)]
pub(crate) struct Scheduler {
    tasks: SlotMap<TaskKey, Task>,
    /// Waiting tasks by (wake time bits, creation seq); non-negative f64 bits sort like the value.
    waiting: BTreeMap<(u64, u64), TaskKey>,
    pool: Vec<Thread>,
    next_seq: u64,
    running: Option<TaskKey>,
    /// Seconds the running task asked to wait, set by `task.wait` just before it yields.
    pending_wait: Option<f64>,
}

impl Scheduler {
    pub(crate) fn clear(&mut self) {
        self.tasks.clear();
        self.waiting.clear();
        self.pool.clear();
    }

    /// Live tasks.
    pub(crate) fn len(&self) -> usize {
        self.tasks.len()
    }

    fn insert(
        &mut self,
        thread: Thread,
        owner: Option<Running>,
        start_args: Option<MultiValue>,
    ) -> TaskKey {
        self.next_seq += 1;
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
        if let Some(bits) = task.wake {
            self.waiting.remove(&(bits, task.seq));
        }
        Some(task)
    }
}

fn new_thread(lua: &Lua, ctx: &Ctx, func: Function) -> mlua::Result<Thread> {
    let pooled = ctx.tasks.borrow_mut().pool.pop();
    match pooled {
        Some(thread) if thread.reset(func.clone()).is_ok() => Ok(thread),
        _ => lua.create_thread(func),
    }
}

/// `task.spawn(fn, ...)`: starts at once, runs to its first wait.
pub(crate) fn spawn(
    lua: &Lua,
    ctx: &Ctx,
    func: Function,
    args: MultiValue,
) -> mlua::Result<TaskKey> {
    let thread = new_thread(lua, ctx, func)?;
    let key = ctx.tasks.borrow_mut().insert(thread, ctx.current(), None);
    resume(ctx, key, args);
    Ok(key)
}

/// `task.delay(seconds, fn, ...)`: starts once `seconds` have passed.
pub(crate) fn delay(
    lua: &Lua,
    ctx: &Ctx,
    seconds: f64,
    func: Function,
    args: MultiValue,
) -> mlua::Result<TaskKey> {
    let thread = new_thread(lua, ctx, func)?;
    let now = ctx.elapsed.get();
    let mut tasks = ctx.tasks.borrow_mut();
    let key = tasks.insert(thread, ctx.current(), Some(args));
    tasks.schedule(key, now + seconds.max(0.0), now);
    Ok(key)
}

/// `task.cancel(t)`: the task never runs again; returns whether it was live.
pub(crate) fn cancel(ctx: &Ctx, key: TaskKey) -> bool {
    ctx.tasks.borrow_mut().remove(key).is_some()
}

/// Whether the running Lua thread is the task being resumed (so `task.wait` may yield).
pub(crate) fn in_task(lua: &Lua, ctx: &Ctx) -> bool {
    let tasks = ctx.tasks.borrow();
    let current = lua.current_thread().to_pointer();
    tasks
        .running
        .and_then(|key| tasks.tasks.get(key))
        .is_some_and(|task| task.thread.to_pointer() == current)
}

/// Cancels every task an instance started.
pub(crate) fn cancel_owned(ctx: &Ctx, instance: InstanceKey) {
    let mut tasks = ctx.tasks.borrow_mut();
    let owned: Vec<TaskKey> = tasks
        .tasks
        .iter()
        .filter(|(_, t)| t.owner.is_some_and(|o| o.instance == instance))
        .map(|(k, _)| k)
        .collect();
    for key in owned {
        tasks.remove(key);
    }
}

/// Resumes every task whose wake time has come, in (wake time, creation) order.
pub(crate) fn run_due(ctx: &Ctx) {
    let now = ctx.elapsed.get();
    let due: Vec<TaskKey> = {
        let mut tasks = ctx.tasks.borrow_mut();
        let later = tasks
            .waiting
            .split_off(&((now + WAKE_EPSILON).to_bits(), u64::MAX));
        let due = std::mem::replace(&mut tasks.waiting, later);
        due.into_values().collect()
    };
    for key in due {
        let (args, owner_ok) = {
            let mut tasks = ctx.tasks.borrow_mut();
            let Some(task) = tasks.tasks.get_mut(key) else {
                continue;
            };
            let args = task.start_args.take().unwrap_or_else(|| {
                MultiValue::from_iter([Value::Number(now - task.waiting_since)])
            });
            let owner = task.owner;
            drop(tasks);
            (args, owner.is_none_or(|o| owner_active(ctx, o.instance)))
        };
        if owner_ok {
            resume(ctx, key, args);
        } else {
            cancel(ctx, key);
        }
    }
}

fn owner_active(ctx: &Ctx, instance: InstanceKey) -> bool {
    matches!(
        ctx.registry.borrow().instance(instance).map(|i| i.state),
        Ok(InstanceState::Active)
    )
}

/// Resumes one task and files it by what it did: waited, finished or failed.
fn resume(ctx: &Ctx, key: TaskKey, args: MultiValue) {
    let Some((thread, owner)) = ctx
        .tasks
        .borrow()
        .tasks
        .get(key)
        .map(|t| (t.thread.clone(), t.owner))
    else {
        return;
    };
    let outer_task = ctx.tasks.borrow_mut().running.replace(key);
    let outer_running = ctx.running.replace(owner);
    let outer_list = ctx.active_list.replace(None);
    let result = {
        let _budget = ctx.budget.enter();
        thread.resume::<MultiValue>(args)
    };
    ctx.running.set(outer_running);
    ctx.active_list.set(outer_list);
    ctx.tasks.borrow_mut().running = outer_task;

    let now = ctx.elapsed.get();
    match result {
        Err(err) => {
            ctx.tasks.borrow_mut().remove(key);
            dispatch::report(ctx, &err, owner, "task".to_owned());
        }
        Ok(_) if thread.status() == ThreadStatus::Resumable => {
            let seconds = ctx.tasks.borrow_mut().pending_wait.take().unwrap_or(0.0);
            ctx.tasks.borrow_mut().schedule(key, now + seconds, now);
        }
        Ok(_) => {
            let mut tasks = ctx.tasks.borrow_mut();
            if tasks.remove(key).is_some() && tasks.pool.len() < POOL_LIMIT {
                tasks.pool.push(thread);
            }
        }
    }
}

/// `task.wait`'s check before it yields: inside a task, with a sensible duration.
pub(crate) fn prepare_wait(lua: &Lua, ctx: &Ctx, seconds: Option<f64>) -> Result<(), String> {
    let seconds = seconds.unwrap_or(0.0);
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(format!(
            "task.wait expects a non-negative number of seconds, got {seconds}"
        ));
    }
    if !in_task(lua, ctx) {
        return Err(
            "task.wait can only be called inside a task (start one with task.spawn or task.delay)"
                .into(),
        );
    }
    ctx.tasks.borrow_mut().pending_wait = Some(seconds);
    Ok(())
}
