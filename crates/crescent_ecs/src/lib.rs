//! The crescent game world on bevy_ecs: frame counting, opt-in deterministic stepping (a
//! headless app stepped one fixed frame at a time),
//! the core components scripts see, spawn order, and the despawn plumbing the scripting
//! crate hooks into.
//!
//! ```
//! use crescent_ecs::prelude::*;
//!
//! let mut app = headless_app(60.0);
//! let e = app.world_mut().spawn((Position { x: 0.0, y: 0.0 }, Velocity { x: 60.0, y: 0.0 })).id();
//! app.update();
//! let x = app.world().get::<Position>(e).map_or(0.0, |p| p.x);
//! assert!((x - 1.0).abs() < 1e-6, "one fixed step of 1/60 s at 60 units/s");
//! ```

mod components;
mod despawn;
mod movement;
mod spawn_order;
mod stepping;

pub use components::{Name, Position, Velocity};
pub use despawn::{DespawnQueue, apply_despawn_requests, is_alive, is_leaving};
pub use movement::apply_velocity;
pub use spawn_order::{SpawnCounter, SpawnOrder};
pub use stepping::{
    CrescentEcsPlugin, DeterministicTimePlugin, FrameCount, FrameRate, headless_app,
};

/// The types most games need, in one import.
pub mod prelude {
    pub use crate::{
        CrescentEcsPlugin, DespawnQueue, DeterministicTimePlugin, FrameCount, FrameRate, Name,
        Position, SpawnCounter, SpawnOrder, Velocity, headless_app,
    };
}
