//! Lesson one from mlua's history: a key that outlived its handler, entity or runtime
//! resolves to a clear error, never a panic and never another handler's function.

mod common;

use common::{exec, game, repo_assets, step};
use crescent::script::{CrescentError, HandlerKey, ScriptHandlers, ScriptRuntime, StaleKey};

fn keys_of(
    game: &mut crescent::game::Game,
    name: &str,
) -> (bevy_ecs::entity::Entity, Vec<HandlerKey>) {
    let entity = common::entity_named(game, name);
    let handlers = game
        .app
        .world()
        .get::<ScriptHandlers>(entity)
        .expect("entity with handlers");
    (entity, handlers.handlers().to_vec())
}

fn runtime(game: &crescent::game::Game) -> &ScriptRuntime {
    game.app
        .world()
        .get_non_send::<ScriptRuntime>()
        .expect("runtime")
}

#[test]
fn keys_of_a_despawned_entity_are_stale_even_after_slot_reuse() {
    let mut game = game(&repo_assets());
    exec(
        &mut game,
        r#"world.spawn{ name = "old", script = "testing/counter.lua" }"#,
    );
    step(&mut game, 1);
    let (entity, keys) = keys_of(&mut game, "old");
    assert_eq!(keys.len(), 3, "init, update, fixed_update");
    assert!(ScriptRuntime::resolve(game.app.world(), keys[0]).is_ok());

    // Despawned from Rust: cleanup runs in the next frame's attach phase.
    game.app.world_mut().despawn(entity);
    step(&mut game, 1);
    for key in &keys {
        assert_eq!(
            ScriptRuntime::resolve(game.app.world(), *key),
            Err(StaleKey::Removed)
        );
    }

    // New handlers reuse the freed slots; the old keys must not reach them.
    exec(
        &mut game,
        r#"for i = 1, 5 do world.spawn{ name = "new" .. i, script = "testing/recorder.lua", props = { tag = "n" } } end"#,
    );
    step(&mut game, 1);
    assert_eq!(runtime(&game).handler_count(), 20);
    for key in &keys {
        assert_eq!(
            ScriptRuntime::resolve(game.app.world(), *key),
            Err(StaleKey::Removed)
        );
        let err = ScriptRuntime::call_handler(game.app.world_mut(), *key, ())
            .expect_err("stale key must not call");
        assert!(
            err.to_string()
                .contains("stale key: its handler was removed"),
            "{err}"
        );
    }
}

#[test]
fn keys_kept_across_a_runtime_reset_are_stale_and_never_call() {
    let mut game = game(&repo_assets());
    exec(
        &mut game,
        r#"world.spawn{ name = "before", script = "testing/counter.lua" }"#,
    );
    step(&mut game, 1);
    let (_, keys) = keys_of(&mut game, "before");

    ScriptRuntime::reset(game.app.world_mut()).expect("reset");
    // The new runtime's registry starts from slot 1 again, like the old one did.
    exec(
        &mut game,
        r#"world.spawn{ name = "after", script = "testing/counter.lua" }"#,
    );
    step(&mut game, 2);
    let (_, new_keys) = keys_of(&mut game, "after");
    assert_eq!(new_keys.len(), 3);

    for key in &keys {
        assert_eq!(
            ScriptRuntime::resolve(game.app.world(), *key),
            Err(StaleKey::OtherRuntime)
        );
        match ScriptRuntime::call_handler(game.app.world_mut(), *key, ()) {
            Err(CrescentError::Lua(err)) => {
                assert!(
                    err.to_string().contains("issued by another script runtime"),
                    "{err}"
                )
            }
            other => panic!("expected a stale-key error, got {other:?}"),
        }
    }
    let counter_updates: i64 = common::eval(
        &mut game,
        r#"return world.find("after"):script("testing/counter.lua").updates"#,
    )
    .expect("eval");
    assert_eq!(counter_updates, 2, "only the new runtime's handlers run");
}

#[test]
fn dropping_the_runtime_with_keys_alive_does_not_panic() {
    let mut game = game(&repo_assets());
    exec(
        &mut game,
        r#"for i = 1, 10 do world.spawn{ script = "testing/counter.lua" } end"#,
    );
    step(&mut game, 1);
    let runtime = game
        .app
        .world_mut()
        .remove_non_send::<ScriptRuntime>()
        .expect("runtime");
    drop(runtime);
    // Entities still carry keys into the dropped runtime; frames go on without scripts.
    step(&mut game, 3);
    let world = game.app.world_mut();
    let keyed = world.query::<&ScriptHandlers>().iter(world).count();
    assert_eq!(keyed, 10);
}
