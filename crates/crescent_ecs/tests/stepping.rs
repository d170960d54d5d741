//! Deterministic stepping: exactly one frame of time and one fixed step per update,
//! from the very first update.

use bevy_app::FixedUpdate;
use bevy_ecs::{resource::Resource, system::ResMut};
use bevy_time::{Fixed, Time, Virtual};
use crescent_ecs::prelude::*;

#[derive(Resource, Default)]
struct FixedRuns(u32);

fn count(mut runs: ResMut<FixedRuns>) {
    runs.0 += 1;
}

#[test]
fn every_update_is_one_frame_and_one_fixed_step_from_the_first() {
    // 4 Hz and below: frames longer than bevy's default max delta (250 ms) still advance
    // exactly 1/hz and run their one fixed step.
    for hz in [60.0, 30.0, 144.0, 4.0, 2.0, 1.0, 0.5, 0.01] {
        let mut app = headless_app(hz);
        app.init_resource::<FixedRuns>()
            .add_systems(FixedUpdate, count);
        for frame in 1..=10u32 {
            app.update();
            assert_eq!(
                app.world().resource::<FixedRuns>().0,
                frame,
                "{hz} Hz, frame {frame}"
            );
            assert_eq!(app.world().resource::<FrameCount>().0, u64::from(frame));
            let time = app.world().resource::<Time<Virtual>>();
            assert_eq!(time.delta(), FrameRate(hz).step());
            assert_eq!(time.elapsed(), FrameRate(hz).step() * frame);
        }
        let fixed = app.world().resource::<Time<Fixed>>();
        assert_eq!(fixed.timestep(), FrameRate(hz).step());
    }
}

#[test]
fn movement_integrates_velocity_each_fixed_step() {
    let mut app = headless_app(60.0);
    app.add_plugins(crescent_ecs::MovementPlugin);
    let e = app
        .world_mut()
        .spawn((Position { x: 1.0, y: 2.0 }, Velocity { x: 6.0, y: -12.0 }))
        .id();
    let still = app.world_mut().spawn(Position { x: 5.0, y: 5.0 }).id();
    for _ in 0..60 {
        app.update();
    }
    let p = *app.world().get::<Position>(e).expect("position");
    assert!(
        (p.x - 7.0).abs() < 1e-4 && (p.y + 10.0).abs() < 1e-4,
        "{p:?}"
    );
    assert_eq!(
        app.world().get::<Position>(still),
        Some(&Position { x: 5.0, y: 5.0 })
    );
}

#[test]
fn spawn_order_numbers_entities_as_they_appear_and_counts_the_live_ones() {
    let mut app = headless_app(60.0);
    let world = app.world_mut();
    let a = world.spawn((Name::new("a"), SpawnOrder::default())).id();
    let b = world.spawn(Position::default()).id();
    let c = world.spawn(SpawnOrder::default()).id();
    let order = |world: &bevy_ecs::world::World, e| world.get::<SpawnOrder>(e).map(|o| o.0);
    assert_eq!(
        [order(world, a), order(world, b), order(world, c)],
        [Some(1), Some(2), Some(3)]
    );
    assert_eq!(world.resource::<SpawnCounter>().live(), 3);
    world.despawn(b);
    assert_eq!(world.resource::<SpawnCounter>().live(), 2);
    let d = world.spawn(Velocity::default()).id();
    assert_eq!(order(world, d), Some(4), "numbers are never reused");
}

#[test]
fn despawn_queue_applies_requests_once_in_order() {
    let mut app = headless_app(60.0);
    let world = app.world_mut();
    let a = world.spawn((Name::new("a"), SpawnOrder::default())).id();
    let b = world.spawn(Name::new("b")).id();
    let mut queue = world.resource_mut::<DespawnQueue>();
    assert!(queue.request(b));
    assert!(!queue.request(b), "a second request is a no-op");
    assert!(queue.request(a));
    assert!(queue.is_pending(a));
    assert_eq!(crescent_ecs::apply_despawn_requests(world), 2);
    assert!(world.get_entity(a).is_err() && world.get_entity(b).is_err());
    assert!(world.resource::<DespawnQueue>().is_empty());
    assert_eq!(crescent_ecs::apply_despawn_requests(world), 0);
}
