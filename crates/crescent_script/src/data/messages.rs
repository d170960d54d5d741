//! The bevy messages between Rust systems and scripts: [`ScriptEvent`] in, [`ScriptMessage`] out.

use bevy_ecs::{entity::Entity, message::Message};

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
///
/// ```
/// # use bevy_ecs::message::MessageReader;
/// # use crescent_script::ScriptMessage;
/// fn doors(mut messages: MessageReader<ScriptMessage>) {
///     for message in messages.read().filter(|m| m.name == "door_closed") {
///         println!("{:?} closed a door: {}", message.sender, message.payload);
///     }
/// }
/// ```
#[derive(Message, Debug, Clone, PartialEq)]
pub struct ScriptMessage {
    /// The name the script gave.
    pub name: String,
    /// The payload, converted from Lua.
    pub payload: serde_json::Value,
    /// The entity whose script emitted it, if any.
    pub sender: Option<Entity>,
}
