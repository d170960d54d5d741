//! Unit tests of `tasks`: scheduling (when a task runs) here, owners, cancelling and
//! failures in [`owners`].
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

mod owners;
