//! Dispatch: calling handlers in deterministic order, each error caught and reported.

use bevy_ecs::entity::Entity;
use mlua::{MultiValue, Value};

use crate::{
    HandlerKey, InstanceKey, InstanceState, ScriptError,
    error::split_lua_error,
    registry::EventId,
    runtime::{Counters, Ctx},
};

/// What became of one handler call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Call {
    /// Not called: the key is stale or its instance may not run now.
    Skipped,
    /// Called and returned.
    Done,
    /// Called and raised an error, which was reported.
    Failed,
}

/// The instance whose Lua code is running: the `sender` of events it sends and the owner
/// of tasks it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Running {
    pub instance: InstanceKey,
    pub entity: Entity,
}

/// The event whose Lua-side dispatch loop is running, and that dispatch's number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ActiveList {
    pub event: EventId,
    pub seq: u64,
}

/// Calls every active handler of `event` with `(self, args...)`, in dispatch order, in
/// one Rust->Lua call: a Lua loop with `xpcall` per handler (see `dispatch_list`).
///
/// Handlers unlisted meanwhile (despawn, detach, disconnect) are skipped at once;
/// handlers added meanwhile wait for the next dispatch. Returns how many were called.
pub(crate) fn dispatch(ctx: &Ctx, event: EventId, args: &[Value]) -> u64 {
    let Some((fns, selves, n, seq)) = ctx.registry.borrow_mut().begin_dispatch(event) else {
        return 0;
    };
    let calls = if n == 0 {
        0
    } else {
        run_loop(ctx, event, seq, fns, selves, n, args)
    };
    ctx.registry.borrow_mut().end_dispatch(event);
    Counters::bump(&ctx.counters.handler_calls, calls);
    calls
}

fn run_loop(
    ctx: &Ctx,
    event: EventId,
    seq: u64,
    fns: mlua::Table,
    selves: mlua::Table,
    n: usize,
    args: &[Value],
) -> u64 {
    let args = &args[..args.len().min(crate::dispatch_list::MAX_ARGS)];
    let Ok((Some(looper), cur)) =
        ctx.values(|v| (v.loopers.get(args.len()).cloned(), v.cur.clone()))
    else {
        return 0;
    };
    let outer_list = ctx.active_list.replace(Some(ActiveList { event, seq }));
    let outer_running = ctx.running.replace(None);
    let _budget = ctx.budget.enter();
    let mut calls = 0;
    let mut first = 1usize;
    while first <= n {
        let mut values = MultiValue::with_capacity(args.len() + 5);
        values.push_back(Value::Table(fns.clone()));
        values.push_back(Value::Table(selves.clone()));
        values.push_back(Value::Integer(first as i64));
        values.push_back(Value::Integer(n as i64));
        values.push_back(Value::Table(cur.clone()));
        values.extend(args.iter().cloned());
        match looper.call::<u64>(values) {
            Ok(done) => {
                calls += done;
                break;
            }
            Err(err) => {
                let failed = cur
                    .raw_get::<i64>(1)
                    .ok()
                    .and_then(|i| usize::try_from(i).ok());
                let _ = cur.raw_set(1, 0);
                let Some(failed) = failed.filter(|&i| i >= first) else {
                    // The loop itself failed (out of memory, say): report and stop.
                    dispatch_failed(ctx, event, &err);
                    break;
                };
                calls += ctx.registry.borrow().live_between(event, first, failed);
                report_from_loop(ctx, failed, &err);
                first = failed + 1;
            }
        }
    }
    ctx.running.set(outer_running);
    ctx.active_list.set(outer_list);
    calls
}

fn dispatch_failed(ctx: &Ctx, event: EventId, err: &mlua::Error) {
    let event = ctx.registry.borrow().event_name(event).to_owned();
    report(ctx, err, None, event);
}

/// Entry `index` of the active list raised `err` in the Lua loop.
fn report_from_loop(ctx: &Ctx, index: usize, err: &mlua::Error) {
    let Some(active) = ctx.active_list.get() else {
        return;
    };
    let found = {
        let registry = ctx.registry.borrow();
        registry.listed_any(active.event, index).and_then(|key| {
            let entry = registry.handler(key).ok()?;
            Some((
                key,
                Running {
                    instance: entry.instance,
                    entity: entry.owner,
                },
            ))
        })
    };
    let event = ctx.registry.borrow().event_name(active.event).to_owned();
    report(ctx, err, found.map(|(_, running)| running), event.clone());
    if let Some((key, running)) = found {
        let in_a_row = {
            let mut failing = ctx.failing.borrow_mut();
            let streak = failing.entry(key).or_insert((0, 0));
            streak.0 = if streak.1 + 1 == active.seq {
                streak.0 + 1
            } else {
                1
            };
            streak.1 = active.seq;
            streak.0
        };
        disable_if_due(ctx, key, running, event, in_a_row);
    }
}

/// Calls one handler with `(self, args...)` if its instance may run.
///
/// `detaching` also allows an instance that is going away and owes `final`.
pub(crate) fn call(ctx: &Ctx, key: HandlerKey, args: &[Value], detaching: bool) -> Call {
    let (func, this, running, event) = {
        let registry = ctx.registry.borrow();
        let Ok(entry) = registry.handler(key) else {
            return Call::Skipped;
        };
        let runnable = match registry.instance(entry.instance).map(|i| i.state) {
            Ok(InstanceState::Active) => true,
            Ok(InstanceState::Detaching { was_active }) => detaching && was_active,
            _ => false,
        };
        if !runnable {
            return Call::Skipped;
        }
        let running = Running {
            instance: entry.instance,
            entity: entry.owner,
        };
        (entry.func.clone(), entry.this.clone(), running, entry.event)
    };
    let mut values = MultiValue::with_capacity(args.len() + 1);
    values.push_back(Value::Table(this));
    values.extend(args.iter().cloned());
    Counters::bump(&ctx.counters.handler_calls, 1);
    let outer = ctx.running.replace(Some(running));
    let result = {
        let _budget = ctx.budget.enter();
        func.call::<()>(values)
    };
    ctx.running.set(outer);
    match result {
        Ok(()) => {
            if !ctx.failing.borrow().is_empty() {
                ctx.failing.borrow_mut().remove(&key);
            }
            Call::Done
        }
        Err(err) => {
            let event = ctx.registry.borrow().event_name(event).to_owned();
            report(ctx, &err, Some(running), event.clone());
            let in_a_row = {
                let mut failing = ctx.failing.borrow_mut();
                let streak = failing.entry(key).or_insert((0, 0));
                streak.0 += 1;
                streak.0
            };
            disable_if_due(ctx, key, running, event, in_a_row);
            Call::Failed
        }
    }
}

/// Disables a handler whose errors in a row reached the configured limit, reported once.
fn disable_if_due(ctx: &Ctx, key: HandlerKey, running: Running, event: String, in_a_row: u32) {
    let Some(limit) = ctx.config.disable_after_errors else {
        return;
    };
    if in_a_row < limit {
        return;
    }
    ctx.failing.borrow_mut().remove(&key);
    remove_handler(ctx, key);
    ctx.report(ScriptError {
        frame: ctx.frame.get(),
        entity: Some(running.entity),
        script: script_of(ctx, running.instance),
        event,
        message: format!("handler disabled after {limit} errors in a row"),
        traceback: String::new(),
    });
}

/// Removes a handler from the registry and its key from the owner's component.
pub(crate) fn remove_handler(ctx: &Ctx, key: HandlerKey) {
    let removed = ctx.registry.borrow_mut().remove_handler(key);
    if let Ok(entry) = removed {
        let _ = ctx.world.with(|world| {
            if let Some(mut handlers) = world.get_mut::<crate::ScriptHandlers>(entry.owner) {
                handlers.handlers.retain(|k| *k != key);
            }
        });
    }
}

/// Reports a Lua error raised by `running`'s code (or by runtime-level code when `None`).
pub(crate) fn report(ctx: &Ctx, err: &mlua::Error, running: Option<Running>, event: String) {
    let (message, traceback) = split_lua_error(err);
    let script = running.map_or_else(|| "<main>".to_owned(), |r| script_of(ctx, r.instance));
    ctx.report(ScriptError {
        frame: ctx.frame.get(),
        entity: running.map(|r| r.entity),
        script,
        event,
        message,
        traceback,
    });
}

/// The script path of an instance.
pub(crate) fn script_of(ctx: &Ctx, instance: InstanceKey) -> String {
    let registry = ctx.registry.borrow();
    registry
        .instance(instance)
        .map(|inst| ctx.scripts.borrow().path(inst.script).to_owned())
        .unwrap_or_default()
}

/// The key of the first handler of `event` in an instance, if it has one.
pub(crate) fn handler_of(ctx: &Ctx, instance: InstanceKey, event: &str) -> Option<HandlerKey> {
    let registry = ctx.registry.borrow();
    let event = registry.find_event(event)?;
    let inst = registry.instance(instance).ok()?;
    inst.handlers.iter().copied().find(|&key| {
        registry
            .handler(key)
            .is_ok_and(|entry| entry.event == event)
    })
}
