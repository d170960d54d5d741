//! Frames and time: [`CrescentEcsPlugin`] counts frames and keeps the world's bookkeeping,
//! leaving time to Bevy; [`DeterministicTimePlugin`], opt-in, makes every `app.update()`
//! advance time by exactly one fixed step.

use std::time::Duration;

use bevy_app::{App, First, Plugin};
use bevy_ecs::{resource::Resource, schedule::IntoScheduleConfigs, system::ResMut};
use bevy_time::{Fixed, Real, Time, TimePlugin, TimeSystems, TimeUpdateStrategy, Virtual};

use crate::{DespawnQueue, SpawnCounter};

/// The frame rate [`DeterministicTimePlugin`] steps at, in frames per second.
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

/// Sets up the world's bookkeeping: [`FrameCount`], spawn order and despawn requests.
///
/// The scripting plugin adds it; adding it again, before or after, is harmless.
/// It leaves time alone: add Bevy's `TimePlugin` (or `MinimalPlugins`) yourself, in any
/// order, and set `Time<Fixed>` and `TimeUpdateStrategy` as you would without crescent;
/// they are never overwritten. For reproducible stepping add [`DeterministicTimePlugin`].
///
/// ```
/// use bevy_app::App;
/// use bevy_time::TimePlugin;
/// use crescent_ecs::CrescentEcsPlugin;
///
/// let mut app = App::new();
/// app.add_plugins((CrescentEcsPlugin, TimePlugin)); // either order
/// app.update();
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CrescentEcsPlugin;

/// Marks an app [`CrescentEcsPlugin`] has set up, so adding it twice is harmless.
#[derive(Resource)]
struct EcsInstalled;

impl Plugin for CrescentEcsPlugin {
    fn build(&self, app: &mut App) {
        if app.world().contains_resource::<EcsInstalled>() {
            return;
        }
        app.insert_resource(EcsInstalled)
            .init_resource::<FrameCount>()
            .init_resource::<SpawnCounter>()
            .init_resource::<DespawnQueue>()
            .add_systems(First, count_frame.after(TimeSystems));
    }

    /// Other plugins (the scripting plugin) add it for you, before or after you do.
    fn is_unique(&self) -> bool {
        false
    }
}

/// Deterministic stepping, opt-in: every `app.update()` advances virtual time by exactly
/// `1 / hz` and runs exactly one fixed step of `1 / hz`, from the first update; no wall
/// clock is read. For tests, servers and replays; the `crescent` command line uses it.
///
/// It sets `TimeUpdateStrategy::ManualDuration` and `Time<Fixed>` (that is its purpose).
/// It needs Bevy's `TimePlugin`, added before or after it.
///
/// ```
/// use bevy_app::App;
/// use bevy_time::{Time, TimePlugin, Virtual};
/// use crescent_ecs::{CrescentEcsPlugin, DeterministicTimePlugin};
///
/// let mut app = App::new();
/// app.add_plugins((TimePlugin, CrescentEcsPlugin, DeterministicTimePlugin { hz: 30.0 }));
/// app.update();
/// let dt = app.world().resource::<Time<Virtual>>().delta_secs_f64();
/// assert!((dt - 1.0 / 30.0).abs() < 1e-9);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DeterministicTimePlugin {
    /// Frames (and fixed steps) per second.
    pub hz: f64,
}

impl Default for DeterministicTimePlugin {
    fn default() -> Self {
        Self { hz: 60.0 }
    }
}

impl Plugin for DeterministicTimePlugin {
    fn build(&self, app: &mut App) {
        let rate = FrameRate(self.hz);
        // `TimePlugin` only `init`s these, so it keeps them whether it comes before or after.
        app.insert_resource(rate)
            .insert_resource(Time::<Fixed>::from_duration(rate.step()))
            .insert_resource(TimeUpdateStrategy::ManualDuration(rate.step()))
            .init_resource::<Time<Real>>();
        // bevy_time's first update only records its start instant and advances by zero.
        // Recording that instant now makes the first update a full step, so a user's
        // first frame runs one fixed step like every other.
        let mut real = app.world_mut().resource_mut::<Time<Real>>();
        let startup = real.startup();
        real.update_with_instant(startup);
        // Virtual time clamps each frame's delta to `max_delta` (250 ms by default): at
        // 4 Hz or less a frame would advance less than 1/hz and skip its fixed step.
        // A frame's delta is exactly one step here, so let one whole step through.
        let mut virt = app
            .world_mut()
            .get_resource_or_insert_with(Time::<Virtual>::default);
        let max_delta = virt.max_delta().max(rate.step());
        virt.set_max_delta(max_delta);
    }
}

/// A headless app stepping deterministically at `hz`: `TimePlugin`,
/// [`CrescentEcsPlugin`] and [`DeterministicTimePlugin`].
pub fn headless_app(hz: f64) -> App {
    let mut app = App::new();
    app.add_plugins((
        TimePlugin,
        CrescentEcsPlugin,
        DeterministicTimePlugin { hz },
    ));
    app
}
