//! The demo's components: a position and a velocity, reflected so scripts reach them
//! by name (`e:get("Position")`), and added by [`MovementPlugin`](crate::MovementPlugin).

use bevy_ecs::{component::Component, reflect::ReflectComponent};
use bevy_reflect::{Reflect, std_traits::ReflectDefault};
use serde::{Deserialize, Serialize};

use crate::SpawnOrder;

/// A position in world units; missing fields default to 0 when set from Lua.
#[derive(Component, Reflect, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[reflect(Component, Default)]
#[serde(default)]
#[require(SpawnOrder)]
pub struct Position {
    /// Horizontal coordinate.
    pub x: f64,
    /// Vertical coordinate.
    pub y: f64,
}

/// A velocity in world units per second, applied to [`Position`] every fixed step.
#[derive(Component, Reflect, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[reflect(Component, Default)]
#[serde(default)]
#[require(SpawnOrder)]
pub struct Velocity {
    /// Horizontal speed.
    pub x: f64,
    /// Vertical speed.
    pub y: f64,
}
