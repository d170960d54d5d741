//! Events: `e:send`, `world.broadcast`, Rust <-> Lua messages, delivered after `update`.
//!
//! One FIFO queue per runtime. The events phase delivers in order; events sent while
//! delivering join the back of the queue and are delivered the same frame, up to
//! [`ScriptConfig::max_events_per_frame`](crate::ScriptConfig) per frame; the rest wait
//! for the next frame, so two scripts that ping-pong forever cannot freeze a frame.
//! An entity target is checked at delivery: dead or despawning means dropped and counted.

use std::collections::VecDeque;

use bevy_ecs::{entity::Entity, message::Message};
use mlua::{Lua, LuaSerdeExt, Value};

use crate::{
    ScriptHandlers,
    api::LuaEntity,
    dispatch,
    registry::EventId,
    runtime::{Counters, Ctx},
};

/// An event from Rust to scripts: to one entity's handlers, or broadcast to every handler.
///
/// ```
/// # use crescent_script::ScriptEvent;
/// let hit = ScriptEvent::broadcast("round_over", serde_json::json!({ "winner": "red" }));
/// assert_eq!(hit.target, None);
/// ```
#[derive(Message, Debug, Clone, PartialEq)]
pub struct ScriptEvent {
    /// The receiving entity; `None` broadcasts.
    pub target: Option<Entity>,
    /// Event name: the handler field or `self:on` name that receives it.
    pub event: String,
    /// The payload, converted to a Lua value.
    pub payload: serde_json::Value,
}

impl ScriptEvent {
    /// An event for one entity's handlers.
    pub fn to(target: Entity, event: impl Into<String>, payload: serde_json::Value) -> Self {
        Self {
            target: Some(target),
            event: event.into(),
            payload,
        }
    }

    /// An event for every handler of `event`.
    pub fn broadcast(event: impl Into<String>, payload: serde_json::Value) -> Self {
        Self {
            target: None,
            event: event.into(),
            payload,
        }
    }
}

/// A message a script sent to Rust with `world.emit(name, payload)`.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct ScriptEmit {
    /// The name the script gave.
    pub name: String,
    /// The payload, converted from Lua.
    pub payload: serde_json::Value,
    /// The entity whose script emitted it, if any.
    pub sender: Option<Entity>,
}

/// One queued event.
pub(crate) struct Queued {
    target: Option<Entity>,
    event: EventId,
    payload: Value,
    sender: Option<Entity>,
}

/// The runtime's event queue.
#[derive(Default)]
pub(crate) struct EventQueue {
    queue: VecDeque<Queued>,
}

impl EventQueue {
    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }
}

/// Queues an event from Lua; the sender is the instance running now, if any.
pub(crate) fn send(ctx: &Ctx, target: Option<Entity>, event: &str, payload: Value) {
    let event = ctx.registry.borrow_mut().event_id(event);
    let sender = ctx.current().map(|r| r.entity);
    ctx.events.borrow_mut().queue.push_back(Queued {
        target,
        event,
        payload,
        sender,
    });
}

/// Queues events Rust sent as [`ScriptEvent`] messages.
pub(crate) fn enqueue_from_rust(lua: &Lua, ctx: &Ctx, events: Vec<ScriptEvent>) {
    for event in events {
        let payload = lua.to_value(&event.payload).unwrap_or(Value::Nil);
        let id = ctx.registry.borrow_mut().event_id(&event.event);
        ctx.events.borrow_mut().queue.push_back(Queued {
            target: event.target,
            event: id,
            payload,
            sender: None,
        });
    }
}

/// Delivers queued events in FIFO order, up to the per-frame cap.
pub(crate) fn deliver(lua: &Lua, ctx: &Ctx) {
    let cap = ctx.config.max_events_per_frame;
    // One handle per sender, reused while consecutive events share it (the usual case:
    // one script sending to many).
    let mut last_sender: Option<(Entity, Value)> = None;
    for _ in 0..cap {
        let Some(next) = ctx.events.borrow_mut().queue.pop_front() else {
            return;
        };
        let sender = match next.sender {
            None => Value::Nil,
            Some(e) => match &last_sender {
                Some((cached, handle)) if *cached == e => handle.clone(),
                _ => {
                    let handle = lua
                        .create_userdata(LuaEntity(e))
                        .map_or(Value::Nil, Value::UserData);
                    last_sender = Some((e, handle.clone()));
                    handle
                }
            },
        };
        let args = [next.payload, sender];
        let delivered = match next.target {
            None => dispatch::dispatch(ctx, next.event, &args),
            Some(entity) => deliver_to(ctx, entity, next.event, &args),
        };
        Counters::bump(&ctx.counters.events_delivered, delivered);
    }
}

/// Delivers to one entity's handlers of `event`; a dead or despawning target drops it.
fn deliver_to(ctx: &Ctx, entity: Entity, event: EventId, args: &[Value]) -> u64 {
    let subscribed = ctx.world.with(|world| {
        if !crescent_ecs::is_alive(world, entity) {
            return None;
        }
        let registry = ctx.registry.borrow();
        let mut keys: Vec<_> = world
            .get::<ScriptHandlers>(entity)
            .map(|h| {
                h.handlers
                    .iter()
                    .copied()
                    .filter(|&key| registry.handler(key).is_ok_and(|h| h.event == event))
                    .collect()
            })
            .unwrap_or_default();
        registry.sort_dispatch(&mut keys);
        Some(keys)
    });
    let Ok(Some(subscribed)) = subscribed else {
        Counters::bump(&ctx.counters.events_dropped, 1);
        return 0;
    };
    subscribed
        .into_iter()
        .filter(|&key| dispatch::call(ctx, key, args, false) != dispatch::Call::Skipped)
        .count() as u64
}
