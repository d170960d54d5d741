//! The demo's movement: velocity integrates into position once per fixed step.

use bevy_app::{App, FixedUpdate, Plugin};
use bevy_ecs::system::{Query, Res};
use bevy_time::{Fixed, Time};

use crate::{Position, Velocity};

/// The demo's [`Position`] and [`Velocity`] (registered for reflection, so scripts reach
/// them by name) and [`apply_velocity`] in `FixedUpdate`. Not part of what every app gets:
/// the `crescent` command line adds it, a game adds it if it wants these components.
///
/// ```
/// use crescent_ecs::prelude::*;
///
/// let mut app = headless_app(60.0);
/// app.add_plugins(MovementPlugin);
/// let e = app.world_mut().spawn((Position { x: 0.0, y: 0.0 }, Velocity { x: 60.0, y: 0.0 })).id();
/// app.update();
/// let x = app.world().get::<Position>(e).map_or(0.0, |p| p.x);
/// assert!((x - 1.0).abs() < 1e-6, "one fixed step of 1/60 s at 60 units/s");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct MovementPlugin;

impl Plugin for MovementPlugin {
    fn build(&self, app: &mut App) {
        app.register_type::<Position>()
            .register_type::<Velocity>()
            .add_systems(FixedUpdate, apply_velocity);
    }
}

/// Moves every entity with a [`Velocity`] by `velocity * fixed_dt`; runs in `FixedUpdate`.
pub fn apply_velocity(time: Res<Time<Fixed>>, mut movers: Query<(&mut Position, &Velocity)>) {
    let dt = time.delta_secs_f64();
    for (mut position, velocity) in &mut movers {
        position.x += velocity.x * dt;
        position.y += velocity.y * dt;
    }
}
