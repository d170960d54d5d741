//! Unit tests of `tasks`: who a task runs as, cancelling, failures, and `task.wait`'s
//! own errors.

use super::*;

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
