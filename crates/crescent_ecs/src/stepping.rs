//! Deterministic stepping: every `app.update()` advances time by exactly one fixed step.

use std::time::Duration;

use bevy_app::{App, First, Plugin};
use bevy_ecs::{resource::Resource, schedule::IntoScheduleConfigs, system::ResMut};
use bevy_time::{Fixed, Real, Time, TimePlugin, TimeSystems, TimeUpdateStrategy, Virtual};

use crate::{DespawnQueue, SpawnCounter};

/// The frame rate the headless app steps at, in frames per second.
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct FrameRate(pub f64);

impl Default for FrameRate {
    fn default() -> Self {
        Self(60.0)
    }
}

impl FrameRate {
    /// One frame's duration.
    pub fn step(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.0)
    }
}

/// Frames begun so far; the first `app.update()` is frame 1.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameCount(pub u64);

fn count_frame(mut frames: ResMut<FrameCount>) {
    frames.0 += 1;
}

/// Sets up the world: time, deterministic stepping at [`FrameRate`], the core components'
/// bookkeeping and the movement system.
///
/// With `deterministic: true` (the default) time advances by exactly `1 / hz` per
/// `app.update()` and the fixed schedule runs exactly once per update, from the first.
/// With `false` bevy's wall-clock time is left in place for real-time games.
#[derive(Clone, Debug)]
pub struct CrescentEcsPlugin {
    /// Frames (and fixed steps) per second.
    pub hz: f64,
    /// Step virtual time by exactly one frame per update instead of by the wall clock.
    pub deterministic: bool,
}

impl Default for CrescentEcsPlugin {
    fn default() -> Self {
        Self {
            hz: 60.0,
            deterministic: true,
        }
    }
}

impl Plugin for CrescentEcsPlugin {
    fn build(&self, app: &mut App) {
        if !app.is_plugin_added::<TimePlugin>() {
            app.add_plugins(TimePlugin);
        }
        let rate = FrameRate(self.hz);
        app.insert_resource(rate)
            .init_resource::<FrameCount>()
            .init_resource::<SpawnCounter>()
            .init_resource::<DespawnQueue>()
            .insert_resource(Time::<Fixed>::from_duration(rate.step()))
            .add_systems(First, count_frame.after(TimeSystems));
        if self.deterministic {
            app.insert_resource(TimeUpdateStrategy::ManualDuration(rate.step()));
            // bevy_time's first update only records its start instant and advances by zero.
            // Recording that instant now makes the first update a full step, so a user's
            // first frame runs one fixed step like every other.
            let mut real = app.world_mut().resource_mut::<Time<Real>>();
            let startup = real.startup();
            real.update_with_instant(startup);
            // Virtual time clamps each frame's delta to `max_delta` (250 ms by default): at
            // 4 Hz or less a frame would advance less than 1/hz and skip its fixed step.
            // A frame's delta is exactly one step here, so let one whole step through.
            let mut virt = app.world_mut().resource_mut::<Time<Virtual>>();
            let max_delta = virt.max_delta().max(rate.step());
            virt.set_max_delta(max_delta);
        }
    }
}

/// A headless app with [`CrescentEcsPlugin`] stepping at `hz`.
pub fn headless_app(hz: f64) -> App {
    let mut app = App::new();
    app.add_plugins(CrescentEcsPlugin {
        hz,
        deterministic: true,
    });
    app
}
