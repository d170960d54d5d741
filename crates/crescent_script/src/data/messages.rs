//! The bevy messages between Rust systems and scripts: [`ToScripts`] in, [`ScriptMessage`]
//! out. Both are bevy `Message`s (buffered, read with `MessageReader`), not observer
//! `Event`s, hence names without "event".

use bevy_ecs::{entity::Entity, message::Message};

/// A message from Rust to scripts: an event for one entity's handlers, or broadcast to
/// every handler of that event. Scripts receive it as `handler(self, payload, sender)`
/// with no sender, in the frame's events phase.
///
/// ```
/// # use crescent_script::ToScripts;
/// let hit = ToScripts::broadcast("round_over", serde_json::json!({ "winner": "red" }));
/// assert_eq!(hit.target, None);
/// ```
#[derive(Message, Debug, Clone, PartialEq)]
pub struct ToScripts {
    /// The receiving entity; `None` broadcasts.
    pub target: Option<Entity>,
    /// Event name: the handler field or `self:on` name that receives it.
    pub event: String,
    /// The payload, converted to a Lua value.
    pub payload: serde_json::Value,
}

/// The former name of [`ToScripts`].
#[deprecated(
    since = "0.1.0",
    note = "renamed to ToScripts: a bevy Message to scripts, not an observer Event"
)]
pub type ScriptEvent = ToScripts;

impl ToScripts {
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
