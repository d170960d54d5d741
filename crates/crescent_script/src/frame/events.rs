//! Events: `e:send`, `world.broadcast`, and [`ToScripts`] messages from Rust, delivered after
//! `update`.
//!
//! One FIFO queue per runtime. The events phase delivers in order; events sent while
//! delivering join the back of the queue and are delivered the same frame, up to
//! [`ScriptConfig::max_events_per_frame`](crate::ScriptConfig) per frame; the rest wait
//! for the next frame, so two scripts that ping-pong forever cannot freeze a frame.
//! An entity target is checked at delivery: dead or despawning means dropped and counted.

use bevy_ecs::entity::Entity;
use mlua::{Lua, LuaSerdeExt, Value};

use super::{
    Core,
    dispatch::{self, Call},
    queue::{Queued, QueuedName},
    report::{Cause, Source},
};
use crate::{
    data::{
        components::ScriptHandlers,
        error::CrescentError,
        keys::{EventId, LIFECYCLE_HANDLERS},
        limits::{check_name, preview},
        messages::ToScripts,
    },
    vm::{self, LuaEntity},
};

/// Queues an event from Lua (`e:send` with a target, `world.broadcast` without; the
/// sender is the instance running now, if any), or says why not: a lifecycle handler
/// name, a name longer than `max_name_bytes`, or a full queue (`max_queued_events`).
pub(crate) fn send(
    core: &Core,
    target: Option<Entity>,
    event: &str,
    payload: Value,
) -> Result<(), CrescentError> {
    let what = if target.is_some() {
        "e:send"
    } else {
        "world.broadcast"
    };
    let event = checked_name(core, what, event)?;
    let sender = core.current().map(|r| r.entity);
    core.events().push_back(Queued {
        target,
        event,
        payload,
        sender,
    });
    Ok(())
}

/// The one check every sent event passes: not a lifecycle name, not too long, room in
/// the queue. Returns the name as the queue keeps it (never interned here).
fn checked_name(core: &Core, what: &'static str, event: &str) -> Result<QueuedName, CrescentError> {
    if LIFECYCLE_HANDLERS.contains(&event) {
        return Err(CrescentError::LifecycleEvent {
            what,
            name: event.to_owned(),
        });
    }
    let config = core.config();
    check_name(
        &format!("{what}: event name"),
        event,
        "max_name_bytes",
        config.max_name_bytes,
    )?;
    let queued = core.events().len();
    if queued >= config.max_queued_events {
        return Err(CrescentError::TooLarge {
            what: format!("{what}('{}')", preview(event)),
            size: format!("{queued} events already queued"),
            limit: "max_queued_events",
            max: config.max_queued_events,
        });
    }
    Ok(match core.registry().find_event(event) {
        Some(id) => QueuedName::Known(id),
        None => QueuedName::Named(event.into()),
    })
}

/// Queues events Rust sent as [`ToScripts`] messages; an event with a lifecycle name,
/// an oversized name or a payload Lua cannot hold is reported and dropped.
pub(crate) fn enqueue_from_rust(lua: &Lua, core: &Core, events: Vec<ToScripts>) {
    for event in events {
        let checked = checked_name(core, "ToScripts", &event.event).and_then(|name| {
            let payload = lua.to_value(&event.payload)?;
            Ok((name, payload))
        });
        let (name, payload) = match checked {
            Ok(checked) => checked,
            Err(err) => {
                core.report(Source::Host, &preview(&event.event), Cause::Api(&err));
                core.counters().dropped();
                continue;
            }
        };
        core.events().push_back(Queued {
            target: event.target,
            event: name,
            payload,
            sender: None,
        });
    }
}

/// Delivers queued events in FIFO order, up to the per-frame cap.
pub(crate) fn deliver(core: &Core) {
    for _ in 0..core.config().max_events_per_frame {
        let Some(next) = core.events().pop_front() else {
            return;
        };
        // A handle is the entity's bits: making one costs nothing and cannot fail.
        let sender = next
            .sender
            .map_or(Value::Nil, |e| Value::LightUserData(LuaEntity(e).light()));
        let args = [next.payload, sender];
        // A name no handler had when sent may have one now; if not, nobody hears it.
        let event = match &next.event {
            QueuedName::Known(id) => Some(*id),
            QueuedName::Named(name) => core.registry().find_event(name),
        };
        let delivered = match (next.target, event) {
            (None, Some(event)) => dispatch::dispatch(core, event, &args),
            (Some(entity), Some(event)) => deliver_to(core, entity, event, &args),
            (None, None) => 0,
            (Some(entity), None) => {
                let alive = core
                    .vm()
                    .world()
                    .with(|world| crescent_ecs::is_alive(world, entity));
                if !matches!(alive, Ok(true)) {
                    core.counters().dropped();
                }
                0
            }
        };
        core.counters().delivered(delivered);
    }
}

/// Delivers to one entity's handlers of `event`; a dead or despawning target drops it.
fn deliver_to(core: &Core, entity: Entity, event: EventId, args: &[Value]) -> u64 {
    let subscribed = core.vm().world().with(|world| {
        if !crescent_ecs::is_alive(world, entity) {
            return None;
        }
        let keys = world
            .get::<ScriptHandlers>(entity)
            .map(|h| h.handlers().to_vec())
            .unwrap_or_default();
        Some(core.registry().subscribed(&keys, event))
    });
    let Ok(Some(subscribed)) = subscribed else {
        core.counters().dropped();
        return 0;
    };
    subscribed
        .into_iter()
        .filter(|&key| dispatch::call(core, key, args, false) != Call::Skipped)
        .count() as u64
}

/// `world.emit(name, payload)`'s bounds, checked before anything is copied to Rust: the
/// name within `max_name_bytes`, the payload within `max_payload_bytes`, and the frame's
/// emitted bytes within `max_emit_bytes_per_frame`.
pub(crate) fn check_emit(core: &Core, name: &str, payload: &Value) -> Result<(), CrescentError> {
    let config = core.config();
    check_name(
        "world.emit: message name",
        name,
        "max_name_bytes",
        config.max_name_bytes,
    )?;
    let what = || format!("world.emit('{}'): the payload", preview(name));
    let size = vm::value_size(payload, config.max_payload_bytes)?.ok_or_else(|| {
        CrescentError::TooLarge {
            what: what(),
            size: format!("more than {} bytes", config.max_payload_bytes),
            limit: "max_payload_bytes",
            max: config.max_payload_bytes,
        }
    })?;
    core.charge_emit(size + name.len(), config.max_emit_bytes_per_frame)
        .map(|_| ())
        .ok_or_else(|| CrescentError::TooLarge {
            what: what(),
            size: format!("{size} more bytes this frame"),
            limit: "max_emit_bytes_per_frame",
            max: config.max_emit_bytes_per_frame,
        })
}
