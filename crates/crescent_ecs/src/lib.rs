//! The crescent game world on bevy_ecs: frame counting, opt-in deterministic stepping
//! ([`DeterministicTimePlugin`]: a headless app stepped one fixed frame at a time), spawn
//! order, the despawn plumbing the scripting crate hooks into, and the demo's optional
//! movement ([`MovementPlugin`]: `Position`, `Velocity`).
//!
//! ```
//! use crescent_ecs::prelude::*;
//!
//! let mut app = headless_app(60.0);
//! app.add_plugins(MovementPlugin);
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

/// Bevy's own `Name`: what `world.find` matches and scripts read as `e:get("Name")`.
pub use bevy_ecs::name::Name;
pub use components::{Position, Velocity};
pub use despawn::{DespawnQueue, apply_despawn_requests, is_alive, is_leaving};
pub use movement::{MovementPlugin, apply_velocity};
pub use spawn_order::{SpawnCounter, SpawnOrder};
pub use stepping::{
    CrescentEcsPlugin, DeterministicTimePlugin, FrameCount, FrameRate, headless_app,
};

/// The types most games need, in one import.
pub mod prelude {
    pub use crate::{
        CrescentEcsPlugin, DespawnQueue, DeterministicTimePlugin, FrameCount, FrameRate,
        MovementPlugin, Name, Position, SpawnCounter, SpawnOrder, Velocity, headless_app,
    };
}
