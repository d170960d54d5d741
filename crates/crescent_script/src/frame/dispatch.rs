//! Dispatch: calling handlers in deterministic order, each error caught and reported.
//!
//! A list dispatch (`update`, `fixed_update`, a broadcast) is one Rust->Lua call into the
//! VM's dispatch loop, with no `pcall` per handler: when a handler raises, the loop
//! unwinds to here with its cursor on the failed entry, the error is reported against
//! that handler, and the loop is entered again after it. A direct call (`init`, `final`,
//! `on_reload`, an event sent to one entity) calls one handler.

use mlua::{MultiValue, Value};

use super::{
    Core,
    keys::remove_handler,
    report::{Cause, Source},
};
use crate::{
    data::keys::{EventId, HandlerKey},
    registry::InstanceState,
    vm::{LoopError, Running, Who},
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

/// Calls every active handler of `event` with `(self, args...)`, in dispatch order.
///
/// Handlers unlisted meanwhile (despawn, detach, disconnect) are skipped at once;
/// handlers added meanwhile wait for the next dispatch. Returns how many were called.
pub(crate) fn dispatch(core: &Core, event: EventId, args: &[Value]) -> u64 {
    let begun = core.registry_mut().begin_dispatch(event);
    let run = match begun {
        Ok(Some(run)) => run,
        Ok(None) => return 0,
        Err(err) => {
            let name = core.registry().event_name(event).to_owned();
            core.report(Source::Host, &name, Cause::Lua(&err));
            return 0;
        }
    };
    let mut calls = 0;
    if run.len > 0 {
        let _scope = core.vm().enter(Some(Who::List {
            event,
            seq: run.seq,
        }));
        let mut first = 1usize;
        while first <= run.len {
            match core
                .vm()
                .looper()
                .run(&run.fns, &run.selves, first, run.len, args)
            {
                Ok(done) => {
                    calls += done;
                    break;
                }
                Err(LoopError { error, at: None }) => {
                    // The loop itself failed (out of memory, say): report and stop.
                    let name = core.registry().event_name(event).to_owned();
                    core.report(Source::Host, &name, Cause::Lua(&error));
                    break;
                }
                Err(LoopError {
                    error,
                    at: Some(failed),
                }) => {
                    calls += core.registry().live_between(event, first, failed);
                    failed_in_list(core, event, run.seq, failed, &error);
                    first = failed + 1;
                }
            }
        }
    }
    core.registry_mut().end_dispatch(event);
    core.counters().calls(calls);
    calls
}

/// Entry `index` of `event`'s list raised `err` in dispatch number `seq`.
fn failed_in_list(core: &Core, event: EventId, seq: u64, index: usize, err: &mlua::Error) {
    let found = {
        let registry = core.registry();
        registry.listed_any(event, index).and_then(|key| {
            let entry = registry.handler(key).ok()?;
            Some((key, running_of(entry)))
        })
    };
    let name = core.registry().event_name(event).to_owned();
    match found {
        Some((key, running)) => {
            core.report(Source::Instance(running), &name, Cause::Lua(err));
            let in_a_row = core.reporter().failed(key, Some(seq));
            disable_if_due(core, key, running, &name, in_a_row);
        }
        None => core.report(Source::Host, &name, Cause::Lua(err)),
    }
}

fn running_of(entry: &crate::registry::HandlerEntry) -> Running {
    Running {
        instance: entry.instance(),
        entity: entry.owner(),
    }
}

/// Calls one handler with `(self, args...)` if its instance may run: an active instance,
/// or with `detaching`, one going away that still owes `final`.
pub(crate) fn call(core: &Core, key: HandlerKey, args: &[Value], detaching: bool) -> Call {
    let (func, this, running, event) = {
        let registry = core.registry();
        let Ok(entry) = registry.handler(key) else {
            return Call::Skipped;
        };
        let runnable = match registry.instance(entry.instance()).map(|i| i.state()) {
            Ok(InstanceState::Active) => true,
            Ok(InstanceState::Detaching { was_active }) => detaching && was_active,
            _ => false,
        };
        if !runnable {
            return Call::Skipped;
        }
        (
            entry.func().clone(),
            entry.this().clone(),
            running_of(entry),
            entry.event(),
        )
    };
    let mut values = MultiValue::with_capacity(args.len() + 1);
    values.push_back(Value::Table(this));
    values.extend(args.iter().cloned());
    core.counters().calls(1);
    let result = {
        let _scope = core.vm().enter(Some(Who::Instance(running)));
        func.call::<()>(values)
    };
    match result {
        Ok(()) => {
            core.reporter().clear_streak(key);
            Call::Done
        }
        Err(err) => {
            let name = core.registry().event_name(event).to_owned();
            core.report(Source::Instance(running), &name, Cause::Lua(&err));
            let in_a_row = core.reporter().failed(key, None);
            disable_if_due(core, key, running, &name, in_a_row);
            Call::Failed
        }
    }
}

/// Calls the instance's first handler of the lifecycle `event`, if it has one.
pub(crate) fn call_lifecycle(
    core: &Core,
    instance: crate::data::keys::InstanceKey,
    event: &str,
    detaching: bool,
) -> Call {
    let key = core.registry().handler_of(instance, event);
    key.map_or(Call::Skipped, |key| call(core, key, &[], detaching))
}

/// Disables a handler whose errors in a row reached the configured limit, reported once.
fn disable_if_due(core: &Core, key: HandlerKey, running: Running, event: &str, in_a_row: u32) {
    let Some(limit) = core.config().disable_after_errors else {
        return;
    };
    if in_a_row < limit {
        return;
    }
    if let Err(err) = remove_handler(core, key) {
        core.report(Source::Instance(running), event, Cause::Api(&err));
    }
    core.report(
        Source::Instance(running),
        event,
        Cause::Text(format!("handler disabled after {limit} errors in a row")),
    );
}
