//! crescent in a Bevy app as an out-of-tree game would build it (issue 14): Bevy's own
//! `TaskPoolPlugin`, `TimePlugin` and `TransformPlugin` in any order, the user's time
//! settings, a move made by a script propagated to `GlobalTransform` the same frame
//! (under Bevy's ambiguity detection), hierarchy despawn, clones, and two apps in one
//! process.

mod common;

use std::time::Duration;

use bevy_app::{App, FixedUpdate, Last, PostUpdate, TaskPoolPlugin};
use bevy_ecs::{
    hierarchy::ChildOf,
    message::{MessageReader, Messages},
    prelude::Resource,
    query::With,
    schedule::{IntoScheduleConfigs, LogLevel, ScheduleBuildSettings},
    system::{Query, Res, ResMut},
};
use bevy_time::{Fixed, Time, TimePlugin, TimeUpdateStrategy, Virtual};
use bevy_transform::{
    TransformPlugin, TransformSystems,
    components::{GlobalTransform, Transform},
};
use common::temp_assets;
use crescent::ecs::Position;
use crescent::script::prelude::*;
use serde_json::json;

const MOVER: &str = r#"
local mover = {}
function mover.fixed_update(self, dt) world.emit("fixed", {}) end
function mover.update(self, dt) world.emit("dt", { dt = dt, time_dt = time.dt }) end
function mover.push(self, payload)
  local p = self.entity:get("Position")
  self.entity:set("Position", { x = p.x + payload.dx, y = p.y })
end
function mover.final(self) world.emit("final", { tag = self.tag }) end
return mover
"#;

/// What the Rust side saw: Lua's `dt` and Bevy's, fixed steps on both sides, finals.
#[derive(Resource, Default)]
struct Seen {
    lua_dt: Vec<f64>,
    bevy_dt: Vec<f64>,
    lua_fixed: u32,
    bevy_fixed: u32,
    finals: Vec<String>,
}

fn count_fixed(mut seen: ResMut<Seen>) {
    seen.bevy_fixed += 1;
}

fn read_scripts(
    mut messages: MessageReader<ScriptMessage>,
    time: Res<Time<Virtual>>,
    mut seen: ResMut<Seen>,
) {
    seen.bevy_dt.push(time.delta_secs_f64());
    for message in messages.read() {
        match message.name.as_str() {
            "dt" => {
                let dt = message.payload["dt"].as_f64().unwrap_or(f64::NAN);
                seen.lua_dt.push(dt);
            }
            "fixed" => seen.lua_fixed += 1,
            "final" => {
                let tag = message.payload["tag"].as_str().unwrap_or("?").to_owned();
                seen.finals.push(tag);
            }
            _ => {}
        }
    }
}

/// The game's own bridge from script state to Bevy's transforms.
fn sync_transforms(mut moved: Query<(&Position, &mut Transform)>) {
    for (position, mut transform) in &mut moved {
        transform.translation.x = position.x as f32;
    }
}

/// The game's app: the scripting plugin added before Bevy's `TimePlugin`, with the
/// user's own fixed rate and time strategy inserted first, and `TransformPlugin` after.
/// `PostUpdate` fails on any ambiguity: the plugin orders the script phases before
/// transform propagation without the user's help.
fn user_app(assets: &std::path::Path) -> App {
    let mut app = App::new();
    app.insert_resource(Time::<Fixed>::from_hz(30.0))
        .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(8)))
        .add_plugins((
            TaskPoolPlugin::default(),
            ScriptingPlugin {
                assets_root: assets.to_path_buf(),
                ..Default::default()
            },
            TimePlugin,
        ))
        .init_resource::<Seen>()
        // The demo's Position, reached by reflection (MovementPlugin would add movement too).
        .register_type::<Position>()
        .add_systems(FixedUpdate, count_fixed)
        .add_systems(Last, read_scripts)
        .add_plugins(TransformPlugin)
        .edit_schedule(PostUpdate, |schedule| {
            schedule.set_build_settings(ScheduleBuildSettings {
                ambiguity_detection: LogLevel::Error,
                ..Default::default()
            });
        });
    app
}

fn mover(tag: &str) -> AttachScripts {
    AttachScripts::new(["mover.lua"]).with_props(json!({ "tag": tag }))
}

#[test]
fn the_users_time_settings_are_kept_and_lua_sees_bevys_time() {
    let dir = temp_assets(&[("mover.lua", MOVER)]);
    let mut app = user_app(dir.path());
    app.world_mut().spawn((mover("m"), Position::default()));
    for _ in 0..40 {
        app.update();
    }
    let world = app.world();
    assert_eq!(
        world.resource::<Time<Fixed>>().timestep(),
        Duration::from_secs_f64(1.0 / 30.0)
    );
    assert!(matches!(
        world.resource::<TimeUpdateStrategy>(),
        TimeUpdateStrategy::ManualDuration(d) if *d == Duration::from_millis(8)
    ));
    let seen = world.resource::<Seen>();
    // Lua's `dt` is exactly `Time<Virtual>`'s delta, frame by frame (the first frame
    // runs `init` only).
    assert_eq!(seen.lua_dt.len(), 40);
    assert_eq!(seen.lua_dt, seen.bevy_dt);
    // `fixed_update` runs once per `FixedUpdate` run, at the user's 30 Hz.
    assert!(seen.bevy_fixed > 0);
    assert_eq!(seen.lua_fixed, seen.bevy_fixed);
    assert!(seen.bevy_fixed < 40, "30 Hz fixed steps over 8 ms frames");
    assert_eq!(world.resource::<ScriptErrorLog>().total, 0);
}

#[test]
fn a_move_made_in_an_event_handler_is_propagated_the_same_frame() {
    let dir = temp_assets(&[("mover.lua", MOVER)]);
    let mut app = user_app(dir.path());
    app.add_systems(
        PostUpdate,
        sync_transforms
            .after(ScriptSystems::PostUpdate)
            .before(TransformSystems::Propagate),
    );
    let e = app
        .world_mut()
        .spawn((mover("m"), Position::default(), Transform::default()))
        .id();
    app.update();
    app.world_mut()
        .resource_mut::<Messages<ToScripts>>()
        .write(ToScripts::to(e, "push", json!({ "dx": 5.0 })));
    app.update();
    let world = app.world();
    assert_eq!(world.get::<Position>(e).map(|p| p.x), Some(5.0));
    let global = world.get::<GlobalTransform>(e).map(|g| g.translation().x);
    assert_eq!(global, Some(5.0), "propagated in the frame of the move");
}

#[test]
fn a_hierarchy_despawn_finalizes_every_scripted_descendant_in_one_frame() {
    let dir = temp_assets(&[("mover.lua", MOVER)]);
    let mut app = user_app(dir.path());
    let parent = app.world_mut().spawn(mover("parent")).id();
    let child = app
        .world_mut()
        .spawn((mover("child"), ChildOf(parent)))
        .id();
    app.world_mut().spawn((mover("grandchild"), ChildOf(child)));
    app.world_mut().spawn(mover("bystander"));
    app.update();
    app.world_mut().despawn(parent);
    app.update();
    let mut finals = app.world().resource::<Seen>().finals.clone();
    finals.sort();
    assert_eq!(finals, ["child", "grandchild", "parent"]);
    let runtime = app.world().non_send::<ScriptRuntime>();
    assert_eq!(runtime.instance_count(), 1);
}

#[test]
fn a_clone_made_while_scripts_run_keeps_the_original_intact() {
    let dir = temp_assets(&[("mover.lua", MOVER)]);
    let mut app = user_app(dir.path());
    let original = app
        .world_mut()
        .spawn((mover("original"), Position::default()))
        .id();
    app.update();
    let clone = app.world_mut().entity_mut(original).clone_and_spawn();
    app.world_mut().despawn(clone);
    app.update();
    assert!(app.world().resource::<Seen>().finals.is_empty());
    let scripted = app
        .world_mut()
        .query_filtered::<bevy_ecs::entity::Entity, With<ScriptHandlers>>()
        .iter(app.world())
        .collect::<Vec<_>>();
    assert_eq!(scripted, [original]);
}

#[test]
fn two_apps_in_one_process_keep_their_scripts_apart() {
    let dir = temp_assets(&[("mover.lua", MOVER)]);
    let mut a = user_app(dir.path());
    let mut b = user_app(dir.path());
    let in_a = a.world_mut().spawn(mover("a")).id();
    b.world_mut().spawn(mover("b1"));
    b.world_mut().spawn(mover("b2"));
    for _ in 0..3 {
        a.update();
        b.update();
    }
    let key = a
        .world()
        .get::<ScriptHandlers>(in_a)
        .map(|h| h.handlers()[0]);
    let key = key.expect("a's handlers");
    assert!(ScriptRuntime::resolve(a.world(), key).is_ok());
    assert!(
        ScriptRuntime::resolve(b.world(), key).is_err(),
        "a's key in b"
    );
    a.world_mut().despawn(in_a);
    a.update();
    b.update();
    assert_eq!(a.world().resource::<Seen>().finals, ["a"]);
    assert!(b.world().resource::<Seen>().finals.is_empty());
    assert_eq!(b.world().non_send::<ScriptRuntime>().instance_count(), 2);
}

#[test]
#[should_panic(expected = "ScriptingPlugin: cannot watch the assets root")]
fn a_missing_assets_root_with_watch_on_fails_in_build() {
    App::new().add_plugins(ScriptingPlugin {
        assets_root: "no/such".into(),
        watch: true,
        ..Default::default()
    });
}

#[test]
fn the_scripting_plugin_before_time_plugin_does_not_panic() {
    let mut app = App::new();
    app.add_plugins((ScriptingPlugin::default(), TimePlugin));
    app.update();
    assert!(app.world().contains_resource::<Time<Virtual>>());
}

#[test]
fn commands_attach_and_detach_scripts() {
    let dir = temp_assets(&[("mover.lua", MOVER)]);
    let mut app = user_app(dir.path());
    let e = app.world_mut().spawn(Position::default()).id();
    let mut queue = bevy_ecs::world::CommandQueue::default();
    let mut commands = bevy_ecs::system::Commands::new(&mut queue, app.world());
    commands.entity(e).attach_script("mover.lua");
    queue.apply(app.world_mut());
    app.update();
    let runtime = app.world().non_send::<ScriptRuntime>();
    assert_eq!(runtime.instance_count(), 1);
    let mut commands = bevy_ecs::system::Commands::new(&mut queue, app.world());
    commands.entity(e).detach_script("mover.lua");
    queue.apply(app.world_mut());
    app.update();
    assert_eq!(app.world().non_send::<ScriptRuntime>().instance_count(), 0);
    assert_eq!(app.world().resource::<Seen>().finals.len(), 1);
    assert_eq!(app.world().resource::<ScriptErrorLog>().total, 0);
}
