//! The movement system: velocity integrates into position once per fixed step.

use bevy_ecs::system::{Query, Res};
use bevy_time::{Fixed, Time};

use crate::{Position, Velocity};

/// Moves every entity with a [`Velocity`] by `velocity * fixed_dt`; runs in `FixedUpdate`.
pub fn apply_velocity(time: Res<Time<Fixed>>, mut movers: Query<(&mut Position, &Velocity)>) {
    let dt = time.delta_secs_f64();
    for (mut position, velocity) in &mut movers {
        position.x += velocity.x * dt;
        position.y += velocity.y * dt;
    }
}
