//! Issue 14, bug 4: the user's time settings are theirs. `CrescentEcsPlugin` leaves time
//! to Bevy; deterministic stepping is the opt-in `DeterministicTimePlugin`; neither
//! cares whether `TimePlugin` comes before or after.

use std::time::Duration;

use bevy_app::App;
use bevy_time::{Fixed, Time, TimePlugin, TimeUpdateStrategy, Virtual};
use crescent_ecs::prelude::*;

#[test]
fn crescent_ecs_keeps_the_users_fixed_rate_and_strategy_in_any_order() {
    for ecs_first in [true, false] {
        let mut app = App::new();
        app.insert_resource(Time::<Fixed>::from_hz(30.0))
            .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(5)));
        if ecs_first {
            app.add_plugins((CrescentEcsPlugin, TimePlugin));
        } else {
            app.add_plugins((TimePlugin, CrescentEcsPlugin));
        }
        app.update();
        app.update();
        let world = app.world();
        assert_eq!(
            world.resource::<Time<Fixed>>().timestep(),
            Duration::from_secs_f64(1.0 / 30.0)
        );
        assert_eq!(
            world.resource::<Time<Virtual>>().delta(),
            Duration::from_millis(5)
        );
        assert_eq!(world.resource::<FrameCount>().0, 2);
    }
}

#[test]
fn crescent_ecs_added_twice_counts_each_frame_once() {
    let mut app = App::new();
    app.add_plugins((CrescentEcsPlugin, TimePlugin))
        .add_plugins(CrescentEcsPlugin);
    app.update();
    assert_eq!(app.world().resource::<FrameCount>().0, 1);
}

#[test]
fn deterministic_stepping_works_before_or_after_time_plugin() {
    for deterministic_first in [true, false] {
        let mut app = App::new();
        let stepping = DeterministicTimePlugin { hz: 50.0 };
        if deterministic_first {
            app.add_plugins((stepping, CrescentEcsPlugin, TimePlugin));
        } else {
            app.add_plugins((TimePlugin, CrescentEcsPlugin, stepping));
        }
        app.update();
        let time = app.world().resource::<Time<Virtual>>();
        assert_eq!(
            time.delta(),
            Duration::from_millis(20),
            "{deterministic_first}"
        );
        assert_eq!(
            app.world().resource::<Time<Fixed>>().timestep(),
            Duration::from_millis(20)
        );
    }
}
