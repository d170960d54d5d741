//! Unit tests of `tasks`.
use std::{cell::RefCell, rc::Rc};

use bevy_ecs::entity::Entity;
use mlua::{Function, Lua, MultiValue, Table, Value};
use slotmap::SlotMap;

use super::{Running, TaskFailure, Vm, Who};
use crate::data::{
    config::ScriptConfig,
    keys::{InstanceKey, InstanceSlot, RuntimeId, TaskKey},
};

const OUTSIDE: &str =
    "task.wait can only be called inside a task (start one with task.spawn or task.delay)";

/// A sealed VM, its `task.wait` (as `wait`), and a `log` table tasks append to.
struct Fixture {
    lua: Lua,
    vm: Rc<Vm>,
    wait: Function,
    log: Table,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.vm.clear(&self.lua);
    }
}

impl Fixture {
    fn new() -> Self {
        let (lua, vm) = Vm::new(&ScriptConfig::default()).expect("vm");
        vm.seal(&lua).expect("seal");
        let wait = vm.tasks().wait_function().expect("task.wait is installed");
        let log = lua.create_table().expect("log");
        Self { lua, vm, wait, log }
    }

    /// The Lua function `expr`; it sees `wait`, `log`, `note(text)` (appends to
    /// `log`) and the globals.
    fn func(&self, expr: &str) -> Function {
        self.lua
            .load(format!(
                "local wait, log = ...\n\
                 local function note(text) log[#log + 1] = text end\n\
                 return {expr}"
            ))
            .set_name("=test")
            .call((self.wait.clone(), self.log.clone()))
            .expect("compiles")
    }

    /// A task body: notes `name:start`, then `name@<waited>` after each of `waits`.
    fn waiter(&self, waits: &str) -> Function {
        self.func(&format!(
            "function(name)\n\
               note(name .. ':start')\n\
               for _, s in ipairs({{{waits}}}) do\n\
                 note(string.format('%s@%.2f', name, wait(s)))\n\
               end\n\
             end"
        ))
    }

    /// The log so far, emptied.
    fn take_log(&self) -> Vec<String> {
        let log = self
            .log
            .sequence_values::<String>()
            .collect::<mlua::Result<_>>()
            .expect("log entries are strings");
        self.log.clear().expect("clear");
        log
    }

    fn args(&self, name: &str) -> MultiValue {
        MultiValue::from_iter([Value::String(self.lua.create_string(name).expect("string"))])
    }

    /// Spawns `func(name)`; it must not fail before its first wait.
    fn spawn(&self, func: &Function, name: &str, owner: Option<Running>) -> TaskKey {
        let (key, failure) = self
            .vm
            .spawn_task(&self.lua, func.clone(), self.args(name), owner)
            .expect("spawn");
        assert!(failure.is_none(), "{name} failed at once");
        key
    }

    fn delay(&self, seconds: f64, func: &Function, name: &str) -> TaskKey {
        self.vm
            .delay_task(&self.lua, seconds, func.clone(), self.args(name), None)
            .expect("delay")
    }

    /// Advances the clock to `elapsed` and runs the due tasks, every owner active.
    fn run_at(&self, elapsed: f64) -> Vec<TaskFailure> {
        self.at(elapsed);
        self.vm.run_due_tasks(|_| true)
    }

    fn at(&self, elapsed: f64) {
        let frame = self.vm.clock().frame() + 1;
        self.vm
            .clock()
            .set(frame, 1.0 / 60.0, 1.0 / 60.0, elapsed)
            .expect("clock");
    }
}

/// `n` distinct owners (instances on distinct entities) of one runtime.
fn owners(n: u32) -> Vec<Running> {
    let runtime = RuntimeId::next();
    let mut slots: SlotMap<InstanceSlot, ()> = SlotMap::with_key();
    (1..=n)
        .map(|i| Running {
            instance: InstanceKey {
                slot: slots.insert(()),
                runtime,
            },
            entity: Entity::from_raw_u32(i).expect("valid index"),
        })
        .collect()
}

#[test]
fn spawn_runs_a_task_to_its_first_wait_at_once() {
    let f = Fixture::new();
    let body = f.func("function(name) note(name .. ':a'); wait(1); note(name .. ':b') end");
    f.spawn(&body, "t", None);
    assert_eq!(f.take_log(), ["t:a"], "ran up to its wait, not past it");
    assert_eq!(f.vm.tasks().len(), 1);

    let done = f.func("function(name) note(name .. ':done') end");
    f.spawn(&done, "u", None);
    assert_eq!(f.take_log(), ["u:done"]);
    assert_eq!(
        f.vm.tasks().len(),
        1,
        "a task that never waits is gone at once"
    );
}

#[test]
fn due_tasks_resume_in_wake_then_creation_order_with_the_time_waited() {
    let f = Fixture::new();
    f.at(0.0);
    f.spawn(&f.waiter("1.0"), "a", None);
    f.spawn(&f.waiter("0.5, 0.25"), "b", None);
    f.spawn(&f.waiter("0.5"), "c", None);
    assert_eq!(f.take_log(), ["a:start", "b:start", "c:start"]);

    assert!(f.run_at(0.4).is_empty());
    assert!(f.take_log().is_empty(), "nothing is due at 0.4");

    assert!(f.run_at(0.5).is_empty());
    assert_eq!(
        f.take_log(),
        ["b@0.50", "c@0.50"],
        "same wake time: creation order"
    );
    assert_eq!(f.vm.tasks().len(), 2, "c finished, b waits again");

    // Woken late: each gets the time it actually waited, and wakes in wake order
    // (b at 0.75 before a at 1.0) though a was created first.
    assert!(f.run_at(1.25).is_empty());
    assert_eq!(f.take_log(), ["b@0.75", "a@1.25"]);
    assert_eq!(f.vm.tasks().len(), 0);
}

#[test]
fn a_wake_time_that_float_steps_miss_by_a_rounding_error_is_due() {
    let f = Fixture::new();
    f.spawn(&f.waiter("1"), "a", None);
    f.take_log();
    // Ten frames of 0.1 sum to 0.9999999999999999, just short of 1.
    let elapsed = (0..10).fold(0.0, |t, _| t + 0.1);
    assert!(elapsed < 1.0);
    f.run_at(elapsed);
    assert_eq!(f.take_log(), ["a@1.00"]);
}

#[test]
fn a_wait_of_zero_resumes_once_per_run() {
    let f = Fixture::new();
    let body =
        f.func("function() local n = 0 while true do n = n + 1 note('n' .. n) wait() end end");
    f.spawn(&body, "loop", None);
    assert_eq!(f.take_log(), ["n1"]);
    f.run_at(0.0);
    assert_eq!(f.take_log(), ["n2"], "not resumed again in the same run");
    f.run_at(0.0);
    assert_eq!(f.take_log(), ["n3"]);
}

#[test]
fn a_delayed_task_starts_on_time_with_its_arguments() {
    let f = Fixture::new();
    f.at(2.0);
    f.delay(1.0, &f.waiter("0.5"), "d");
    assert!(
        f.take_log().is_empty(),
        "a delayed task does not start at once"
    );
    assert_eq!(f.vm.tasks().len(), 1);
    f.run_at(2.99);
    assert!(f.take_log().is_empty(), "nor before its time");
    f.run_at(3.0);
    assert_eq!(
        f.take_log(),
        ["d:start"],
        "it gets its arguments, not a time"
    );
    f.run_at(3.5);
    assert_eq!(f.take_log(), ["d@0.50"]);

    // A negative delay is no delay.
    f.delay(-5.0, &f.waiter(""), "now");
    f.run_at(3.5);
    assert_eq!(f.take_log(), ["now:start"]);
    assert_eq!(f.vm.tasks().len(), 0);
}

#[test]
fn cancelled_tasks_never_run_again() {
    let f = Fixture::new();
    let waiting = f.spawn(&f.waiter("1"), "w", None);
    let delayed = f.delay(1.0, &f.waiter(""), "d");
    let kept = f.spawn(&f.waiter("1"), "k", None);
    f.take_log();
    assert!(f.vm.tasks().cancel(waiting));
    assert!(f.vm.tasks().cancel(delayed));
    assert!(
        !f.vm.tasks().cancel(waiting),
        "cancelling twice finds nothing"
    );
    assert_eq!(f.vm.tasks().len(), 1);
    f.run_at(5.0);
    assert_eq!(f.take_log(), ["k@5.00"]);
    assert!(!f.vm.tasks().cancel(kept), "a finished task is gone");
}

#[test]
fn a_task_may_cancel_itself_and_spawn_tasks_while_it_runs() {
    let f = Fixture::new();
    let vm = Rc::clone(&f.vm);
    let cancel_self = f
        .lua
        .create_function(move |_, ()| {
            let key = vm.scope().task().expect("inside a task");
            Ok(vm.tasks().cancel(key))
        })
        .expect("function");
    f.lua
        .globals()
        .raw_set("cancel_self", cancel_self)
        .expect("global");
    let inner = f.waiter("1");
    f.lua.globals().raw_set("inner", inner).expect("global");
    let spawn = f
        .lua
        .create_function(|lua, (func, name): (Function, String)| {
            let vm = Vm::of(lua)?;
            let args = MultiValue::from_iter([Value::String(lua.create_string(&name)?)]);
            vm.spawn_task(lua, func, args, None).map(|_| ())
        })
        .expect("function");
    f.lua.globals().raw_set("spawn", spawn).expect("global");

    let outer = f.func(
        "function() note('outer:start'); spawn(inner, 'inner'); note('outer:spawned'); \
         wait(0.5); note(tostring(cancel_self())); wait(0.5); note('outer:never') end",
    );
    f.spawn(&outer, "outer", None);
    assert_eq!(
        f.take_log(),
        ["outer:start", "inner:start", "outer:spawned"]
    );
    assert_eq!(f.vm.tasks().len(), 2);
    f.run_at(0.5);
    assert_eq!(f.take_log(), ["true"]);
    assert_eq!(f.vm.tasks().len(), 1, "the outer task cancelled itself");
    f.run_at(2.0);
    assert_eq!(f.take_log(), ["inner@2.00"]);
    assert_eq!(f.vm.tasks().len(), 0);
}

#[test]
fn a_task_runs_as_itself_and_its_caller_is_restored() {
    let f = Fixture::new();
    let [owner] = owners(1)[..] else {
        unreachable!()
    };
    let seen: Rc<RefCell<Vec<Who>>> = Rc::default();
    let record = Rc::clone(&seen);
    let who = f
        .lua
        .create_function(move |lua, ()| {
            record.borrow_mut().push(Vm::of(lua)?.scope().who());
            Ok(())
        })
        .expect("function");
    f.lua.globals().raw_set("who", who).expect("global");
    let body = f.func("function() who(); wait(1); who() end");
    let key = f.spawn(&body, "t", Some(owner));
    assert_eq!(f.vm.scope().who(), Who::Host);
    f.run_at(1.0);
    assert_eq!(f.vm.scope().who(), Who::Host);
    let expected = Who::Task {
        key,
        owner: Some(owner),
    };
    assert_eq!(*seen.borrow(), [expected, expected]);
}

#[test]
fn cancel_owned_cancels_only_that_owners_tasks() {
    let f = Fixture::new();
    let o = owners(2);
    let body = f.waiter("1");
    f.spawn(&body, "x1", Some(o[0]));
    f.spawn(&body, "y", Some(o[1]));
    f.spawn(&body, "x2", Some(o[0]));
    f.spawn(&body, "none", None);
    f.vm.delay_task(&f.lua, 0.5, body.clone(), f.args("x3"), Some(o[0]))
        .expect("delay");
    f.take_log();
    assert_eq!(f.vm.tasks().len(), 5);
    f.vm.tasks().cancel_owned(o[0].instance);
    assert_eq!(f.vm.tasks().len(), 2);
    f.run_at(1.0);
    assert_eq!(f.take_log(), ["y@1.00", "none@1.00"]);
}

#[test]
fn tasks_of_inactive_owners_are_cancelled_instead_of_resumed() {
    let f = Fixture::new();
    let o = owners(2);
    let body = f.waiter("1, 1");
    f.spawn(&body, "gone", Some(o[0]));
    f.spawn(&body, "here", Some(o[1]));
    f.spawn(&body, "none", None);
    f.take_log();
    f.at(1.0);
    let failures = f.vm.run_due_tasks(|instance| instance != o[0].instance);
    assert!(failures.is_empty());
    assert_eq!(f.take_log(), ["here@1.00", "none@1.00"]);
    assert_eq!(
        f.vm.tasks().len(),
        2,
        "the inactive owner's task is cancelled"
    );
    f.run_at(2.0);
    assert_eq!(
        f.take_log(),
        ["here@1.00", "none@1.00"],
        "and does not come back once its owner is active"
    );
}

#[test]
fn a_failing_task_is_reported_with_its_owner() {
    let f = Fixture::new();
    let o = owners(2);
    let at_once = f.func("function() error('boom at once') end");
    let (_, failure) =
        f.vm.spawn_task(&f.lua, at_once, MultiValue::new(), Some(o[0]))
            .expect("spawn");
    let failure = failure.expect("the task failed");
    assert_eq!(failure.owner, Some(o[0]));
    assert!(
        failure.error.to_string().contains("boom at once"),
        "{}",
        failure.error
    );
    assert_eq!(f.vm.tasks().len(), 0);

    let later = f.func("function() wait(1); error('boom later') end");
    f.spawn(&later, "l", Some(o[1]));
    f.spawn(&f.waiter("1"), "ok", None);
    let failures = f.run_at(1.0);
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].owner, Some(o[1]));
    assert!(failures[0].error.to_string().contains("boom later"));
    assert_eq!(
        f.take_log(),
        ["ok:start", "ok@1.00"],
        "the others still run"
    );
    assert_eq!(f.vm.tasks().len(), 0);
}

#[test]
fn every_task_gets_a_fresh_thread_known_as_a_task_thread_while_it_lives() {
    let f = Fixture::new();
    let kept = f.lua.create_table().expect("table");
    f.lua.globals().raw_set("KEPT", kept.clone()).expect("set");
    let body = f.func("function(name) KEPT[name] = coroutine.running(); wait(1) end");
    f.spawn(&body, "a", None);
    let a: mlua::Thread = kept.raw_get("a").expect("a's thread");
    assert!(
        f.vm.tasks().is_task_thread(&a),
        "a waits: its thread is a task's"
    );
    f.run_at(1.0);
    assert!(!f.vm.tasks().is_task_thread(&a), "a finished");
    f.spawn(&body, "b", None);
    let b: mlua::Thread = kept.raw_get("b").expect("b's thread");
    assert_ne!(a.to_pointer(), b.to_pointer(), "a's thread is not reused");
    assert!(f.vm.tasks().is_task_thread(&b));
    assert!(!f.vm.tasks().is_task_thread(&a));
}

#[test]
fn prepare_wait_refuses_bad_seconds_and_calls_outside_a_task() {
    let f = Fixture::new();
    assert_eq!(
        f.vm.prepare_wait(&f.lua, Some(1.0)),
        Err(OUTSIDE.to_owned())
    );
    assert_eq!(f.vm.prepare_wait(&f.lua, None), Err(OUTSIDE.to_owned()));
    for (seconds, shown) in [
        (-1.0, "-1"),
        (-0.5, "-0.5"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
    ] {
        assert_eq!(
            f.vm.prepare_wait(&f.lua, Some(seconds)),
            Err(format!(
                "task.wait expects a non-negative number of seconds, got {shown}"
            ))
        );
    }

    // From a task, but inside a plain coroutine it started: not the task's thread.
    let body = f.func(
        "function() local ok, err = pcall(coroutine.wrap(function() wait(1) end)); note(tostring(err)) end",
    );
    f.spawn(&body, "t", None);
    let log = f.take_log();
    assert_eq!(log.len(), 1);
    let first_line = |line: &str| line.lines().next().unwrap_or_default().to_owned();
    assert_eq!(
        first_line(&log[0]),
        format!("test:3: {OUTSIDE}"),
        "raised at the caller's line"
    );
    // From the task itself, with a bad duration.
    let bad = f.func("function() local ok, err = pcall(wait, -2); note(tostring(err)) end");
    f.spawn(&bad, "t", None);
    let log = f.take_log();
    assert_eq!(
        first_line(&log[0]),
        "task.wait expects a non-negative number of seconds, got -2"
    );
    assert_eq!(f.vm.tasks().len(), 0);
}

/// A plain `coroutine.yield()` in a task waits 0 seconds; a `task.wait` that was
/// accepted but could not yield must not change that for later yields.
///
/// A wait whose yield failed (and was caught) leaves nothing behind for a later yield.
#[test]
fn a_wait_that_could_not_yield_leaves_no_wait_behind() {
    let f = Fixture::new();
    let failed = f.func(
        "function() local ok, err = pcall(string.gsub, 'a', 'a', function() wait(5) end); \
         note(tostring(err)) end",
    );
    f.spawn(&failed, "a", None);
    assert_eq!(f.take_log(), ["attempt to yield across a C-call boundary"]);
    let plain = f.func("function() coroutine.yield(); note('b resumed') end");
    f.spawn(&plain, "b", None);
    f.run_at(0.0);
    assert_eq!(f.take_log(), ["b resumed"], "a plain yield waits 0 seconds");
}
