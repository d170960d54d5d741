//! Despawn and detach from Rust: handlers removed and `final` called in the same frame.

mod common;

use bevy_app::Update;
use bevy_ecs::schedule::IntoScheduleConfigs;
use bevy_ecs::{entity::Entity, query::With, system::Commands, system::Query};
use common::{eval, exec, game, repo_assets, step};
use crescent::ecs::Name;
use crescent::script::{ScriptHandlers, ScriptStats, ScriptSystems};

fn journal(game: &mut crescent::game::Game) -> Vec<String> {
    eval(game, r#"return require("testing.journal").entries"#).expect("journal")
}

#[test]
fn despawn_from_a_rust_system_calls_final_in_the_same_frame() {
    let mut game = game(&repo_assets());
    exec(
        &mut game,
        r#"world.spawn{ name = "victim", script = "testing/recorder.lua", props = { tag = "v" } }
                       world.spawn{ name = "keeper", script = "testing/recorder.lua", props = { tag = "k" } }"#,
    );
    step(&mut game, 1);
    let despawn_victim = |mut commands: Commands, named: Query<(Entity, &Name)>| {
        for (entity, name) in &named {
            if name.as_str() == "victim" {
                commands.entity(entity).despawn();
            }
        }
    };
    game.app
        .add_systems(Update, despawn_victim.before(ScriptSystems::Update));
    exec(&mut game, r#"require("testing.journal").clear()"#);
    step(&mut game, 1);
    // Despawned before the scripts' `update`: the victim's update never runs, its
    // `final` runs in this frame's cleanup.
    assert_eq!(
        journal(&mut game),
        ["v:fixed", "k:fixed", "k:update", "v:final"]
    );
    let stats = game.app.world().resource::<ScriptStats>().clone();
    assert_eq!((stats.entities, stats.instances, stats.handlers), (1, 1, 4));
    step(&mut game, 2);
    let entries = journal(&mut game);
    assert_eq!(
        entries.iter().filter(|e| e.starts_with("v:")).count(),
        2,
        "{entries:?}"
    );
}

#[test]
fn removing_script_handlers_from_rust_detaches_every_instance() {
    let mut game = game(&repo_assets());
    exec(
        &mut game,
        r#"world.spawn{ name = "x", script = { "testing/recorder.lua", "testing/counter.lua" }, props = { tag = "x" } }"#,
    );
    step(&mut game, 1);
    let world = game.app.world_mut();
    let entity = world
        .query_filtered::<Entity, With<ScriptHandlers>>()
        .single(world)
        .expect("one scripted entity");
    world.entity_mut(entity).remove::<ScriptHandlers>();
    step(&mut game, 1);
    let entries = journal(&mut game);
    assert_eq!(entries, ["x:init", "x:fixed", "x:update", "x:final"]);
    let stats = game.app.world().resource::<ScriptStats>();
    assert_eq!((stats.entities, stats.instances, stats.handlers), (0, 0, 0));
    let alive: bool = eval(&mut game, r#"return world.find("x"):alive()"#).expect("eval");
    assert!(alive, "the entity itself stays");
}

#[test]
fn rust_attach_scripts_component_attaches_in_the_next_frame() {
    let mut game = game(&repo_assets());
    game.app.world_mut().spawn((
        Name::new("from_rust"),
        crescent::script::AttachScripts::new(["testing/recorder.lua"])
            .with_props(serde_json::json!({ "tag": "rust" })),
    ));
    step(&mut game, 1);
    assert_eq!(
        journal(&mut game),
        ["rust:init", "rust:fixed", "rust:update"]
    );

    game.app
        .world_mut()
        .spawn(crescent::script::AttachScripts::new([
            "testing/missing.lua",
        ]));
    step(&mut game, 1);
    let log = game
        .app
        .world()
        .resource::<crescent::script::ScriptErrorLog>();
    assert_eq!(log.errors.len(), 1);
    assert_eq!(log.errors[0].event, "attach");
    assert!(
        log.errors[0]
            .message
            .contains("script not found: 'testing/missing.lua'")
    );
}
