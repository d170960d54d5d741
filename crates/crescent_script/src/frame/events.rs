//! Events: `e:send`, `world.broadcast`, and [`ScriptEvent`]s from Rust, delivered after
//! `update`.
//!
//! One FIFO queue per runtime. The events phase delivers in order; events sent while
//! delivering join the back of the queue and are delivered the same frame, up to
//! [`ScriptConfig::max_events_per_frame`](crate::ScriptConfig) per frame; the rest wait
//! for the next frame, so two scripts that ping-pong forever cannot freeze a frame.
//! An entity target is checked at delivery: dead or despawning means dropped and counted.

use bevy_ecs::entity::Entity;
use mlua::{IntoLua, Lua, LuaSerdeExt, Value};

use super::{
    Core,
    dispatch::{self, Call},
    queue::Queued,
    report::{Cause, Source},
};
use crate::{
    data::{components::ScriptHandlers, keys::EventId, messages::ScriptEvent},
    vm::LuaEntity,
};

/// Queues an event from Lua; the sender is the instance running now, if any.
pub(crate) fn send(core: &Core, target: Option<Entity>, event: &str, payload: Value) {
    let event = core.registry_mut().event_id(event);
    let sender = core.current().map(|r| r.entity);
    core.events().push_back(Queued {
        target,
        event,
        payload,
        sender,
    });
}

/// Queues events Rust sent as [`ScriptEvent`] messages; a payload Lua cannot hold is
/// reported and its event dropped.
pub(crate) fn enqueue_from_rust(lua: &Lua, core: &Core, events: Vec<ScriptEvent>) {
    for event in events {
        let payload = match lua.to_value(&event.payload) {
            Ok(payload) => payload,
            Err(err) => {
                core.report(Source::Host, &event.event, Cause::Lua(&err));
                core.counters().dropped();
                continue;
            }
        };
        let id = core.registry_mut().event_id(&event.event);
        core.events().push_back(Queued {
            target: event.target,
            event: id,
            payload,
            sender: None,
        });
    }
}

/// Delivers queued events in FIFO order, up to the per-frame cap.
pub(crate) fn deliver(lua: &Lua, core: &Core) {
    // One handle per sender, reused while consecutive events share it (the usual case:
    // one script sending to many).
    let mut last_sender: Option<(Entity, Value)> = None;
    for _ in 0..core.config().max_events_per_frame {
        let Some(next) = core.events().pop_front() else {
            return;
        };
        let sender = match next.sender {
            None => Value::Nil,
            Some(e) => match &last_sender {
                Some((cached, handle)) if *cached == e => handle.clone(),
                _ => match LuaEntity(e).into_lua(lua) {
                    Ok(handle) => {
                        last_sender = Some((e, handle.clone()));
                        handle
                    }
                    Err(err) => {
                        let name = core.registry().event_name(next.event).to_owned();
                        core.report(Source::Host, &name, Cause::Lua(&err));
                        core.counters().dropped();
                        continue;
                    }
                },
            },
        };
        let args = [next.payload, sender];
        let delivered = match next.target {
            None => dispatch::dispatch(core, next.event, &args),
            Some(entity) => deliver_to(core, entity, next.event, &args),
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
