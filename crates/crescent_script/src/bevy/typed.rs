//! Typed messages between Rust and scripts, over the untyped [`ScriptMessage`] and
//! [`ToScripts`]: a script's `world.emit(name, payload)` arriving as a real message
//! `T`, and events to scripts built from any `Serialize` payload.

use bevy_app::{App, PostUpdate};
use bevy_ecs::{
    entity::Entity,
    message::{Message, MessageReader, MessageWriter},
    schedule::IntoScheduleConfigs,
    system::Res,
};
use crescent_ecs::FrameCount;
use serde::{Serialize, de::DeserializeOwned};

use super::systems::ScriptSystems;
use crate::data::{
    error::ScriptError,
    messages::{ScriptMessage, ToScripts},
};

/// Typed script messages on an [`App`].
pub trait ScriptMessageAppExt {
    /// Delivers every `world.emit(name, payload)` as a message `T` too, deserialized from
    /// the payload, after the frame's script phases (`PostUpdate`). A payload that does
    /// not convert is a [`ScriptError`] message naming `name` and the field, and no `T`.
    ///
    /// ```
    /// use bevy_app::App;
    /// use bevy_ecs::message::{Message, Messages};
    /// use crescent_script::prelude::*;
    /// use serde::Deserialize;
    ///
    /// #[derive(Message, Deserialize, Debug, PartialEq)]
    /// struct DoorClosed { door: u32 }
    ///
    /// let mut app = App::new();
    /// app.add_plugins(ScriptingPlugin::default())
    ///     .add_script_message::<DoorClosed>("door_closed");
    /// ScriptRuntime::exec(app.world_mut(), b"world.emit('door_closed', { door = 7 })", "main.lua")?;
    /// app.update();
    /// let mut cursor = app.world().resource::<Messages<DoorClosed>>().get_cursor();
    /// let got: Vec<_> = cursor.read(app.world().resource::<Messages<DoorClosed>>()).collect();
    /// assert_eq!(got, [&DoorClosed { door: 7 }]);
    /// # Ok::<(), crescent_script::CrescentError>(())
    /// ```
    fn add_script_message<T: Message + DeserializeOwned>(&mut self, name: &str) -> &mut Self;
}

impl ScriptMessageAppExt for App {
    fn add_script_message<T: Message + DeserializeOwned>(&mut self, name: &str) -> &mut Self {
        let name = name.to_owned();
        let forward = move |mut emitted: MessageReader<ScriptMessage>,
                            mut typed: MessageWriter<T>,
                            mut errors: MessageWriter<ScriptError>,
                            frame: Option<Res<FrameCount>>| {
            for message in emitted.read().filter(|m| m.name == name) {
                match serde_path_to_error::deserialize::<_, T>(&message.payload) {
                    Ok(value) => {
                        typed.write(value);
                    }
                    Err(err) => {
                        let text = format!(
                            "world.emit(\"{name}\"): the payload does not convert to {}: {err}",
                            std::any::type_name::<T>()
                        );
                        tracing::warn!(target: "crescent", "{text}");
                        errors.write(ScriptError {
                            frame: frame.as_ref().map_or(0, |f| f.0),
                            entity: message.sender,
                            script: String::new(),
                            event: name.clone(),
                            message: text,
                            traceback: String::new(),
                        });
                    }
                }
            }
        };
        self.add_message::<T>()
            .add_systems(PostUpdate, forward.after(ScriptSystems::PostUpdate))
    }
}

/// Sends typed events to scripts: the payload is serialized here, so a payload that
/// cannot become a Lua value is an error for the sender, not a dropped event later.
///
/// ```
/// use bevy_ecs::message::MessageWriter;
/// use crescent_script::{ToScripts, ToScriptsWriterExt};
/// use serde::Serialize;
///
/// #[derive(Serialize)]
/// struct Wave { number: u32, heal: i32 }
///
/// fn end_wave(mut events: MessageWriter<ToScripts>) {
///     if let Err(err) = events.broadcast_typed("wave_over", &Wave { number: 2, heal: 15 }) {
///         eprintln!("{err}");
///     }
/// }
/// ```
pub trait ToScriptsWriterExt {
    /// Sends `event` with `payload` to `target`'s handlers.
    fn send_typed<P: Serialize>(
        &mut self,
        target: Entity,
        event: &str,
        payload: &P,
    ) -> Result<(), serde_json::Error>;

    /// Broadcasts `event` with `payload` to every handler of `event`.
    fn broadcast_typed<P: Serialize>(
        &mut self,
        event: &str,
        payload: &P,
    ) -> Result<(), serde_json::Error>;
}

impl ToScriptsWriterExt for MessageWriter<'_, ToScripts> {
    fn send_typed<P: Serialize>(
        &mut self,
        target: Entity,
        event: &str,
        payload: &P,
    ) -> Result<(), serde_json::Error> {
        let payload = serde_json::to_value(payload)?;
        self.write(ToScripts::to(target, event, payload));
        Ok(())
    }

    fn broadcast_typed<P: Serialize>(
        &mut self,
        event: &str,
        payload: &P,
    ) -> Result<(), serde_json::Error> {
        let payload = serde_json::to_value(payload)?;
        self.write(ToScripts::broadcast(event, payload));
        Ok(())
    }
}
