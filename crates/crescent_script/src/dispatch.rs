//! Dispatch: calling handlers in deterministic order, each error caught and reported.

use mlua::{Lua, MultiValue, Value};

use crate::{
    HandlerKey, InstanceState, ScriptError,
    error::split_lua_error,
    registry::EventId,
    runtime::{Counters, Ctx},
};

/// Calls every active handler of `event` with `(self, args...)`, in dispatch order.
///
/// The order is taken once at the start: handlers added meanwhile wait for the next
/// dispatch, handlers removed meanwhile are skipped.
pub(crate) fn dispatch(lua: &Lua, ctx: &Ctx, event: EventId, args: &[Value]) {
    let mut keys = Vec::new();
    ctx.registry.borrow_mut().dispatch_order(event, &mut keys);
    for key in keys {
        call(lua, ctx, key, args, false);
    }
}

/// Calls one handler if its instance may run; returns whether it was called without error.
///
/// `detaching` allows a detaching instance (for `final`).
pub(crate) fn call(lua: &Lua, ctx: &Ctx, key: HandlerKey, args: &[Value], detaching: bool) -> bool {
    let (func, this, entity, instance, event) = {
        let registry = ctx.registry.borrow();
        let Ok(entry) = registry.handler(key) else {
            return false;
        };
        let runnable = match registry.instance(entry.instance).map(|i| i.state) {
            Ok(InstanceState::Active) => true,
            Ok(InstanceState::Detaching { was_active }) => detaching && was_active,
            _ => false,
        };
        if !runnable {
            return false;
        }
        (entry.func.clone(), entry.this.clone(), entry.owner, entry.instance, entry.event)
    };
    let mut values = MultiValue::with_capacity(args.len() + 1);
    values.push_back(Value::Table(this));
    values.extend(args.iter().cloned());
    Counters::bump(&ctx.counters.handler_calls, 1);
    let _ = lua;
    match func.call::<()>(values) {
        Ok(()) => true,
        Err(err) => {
            let (message, traceback) = split_lua_error(&err);
            let (script, event) = {
                let registry = ctx.registry.borrow();
                let script = registry
                    .instance(instance)
                    .map(|inst| ctx.scripts.borrow().path(inst.script).to_owned())
                    .unwrap_or_default();
                (script, registry.event_name(event).to_owned())
            };
            let error = ScriptError {
                frame: ctx.frame.get(),
                entity: Some(entity),
                script,
                event,
                message,
                traceback,
            };
            ctx.report(error);
            false
        }
    }
}

/// The key of the first handler of `event` in an instance, if it has one.
pub(crate) fn handler_of(ctx: &Ctx, instance: crate::InstanceKey, event: &str) -> Option<HandlerKey> {
    let registry = ctx.registry.borrow();
    let event = registry.find_event(event)?;
    let inst = registry.instance(instance).ok()?;
    inst.handlers
        .iter()
        .copied()
        .find(|&key| registry.handler(key).is_ok_and(|entry| entry.event == event))
}
