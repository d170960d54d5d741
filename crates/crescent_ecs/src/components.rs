//! The components crescent provides to every game and script.

use bevy_ecs::component::Component;
use serde::{Deserialize, Serialize};

use crate::SpawnOrder;

/// A human-readable entity name; `world.find(name)` looks entities up by it.
#[derive(Component, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[require(SpawnOrder)]
pub struct Name(pub String);

impl Name {
    /// Creates a name.
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A position in world units; missing fields default to 0 when set from Lua.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[require(SpawnOrder)]
pub struct Position {
    /// Horizontal coordinate.
    pub x: f64,
    /// Vertical coordinate.
    pub y: f64,
}

/// A velocity in world units per second, applied to [`Position`] every fixed step.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[require(SpawnOrder)]
pub struct Velocity {
    /// Horizontal speed.
    pub x: f64,
    /// Vertical speed.
    pub y: f64,
}
