//! The limits script input lives under, where Lua alone cannot show them: symlinks out
//! of the assets root, events from Rust with lifecycle names, the caps on distinct event
//! names and queued events, error texts cut to `max_error_bytes`.

mod common;

use crescent::game::{Game, GameConfig};
use crescent::script::{ScriptConfig, ScriptErrorLog, ToScripts};

fn game_with(assets: &std::path::Path, script: ScriptConfig) -> Game {
    Game::new(GameConfig {
        script,
        ..GameConfig::new(assets)
    })
    .expect("game")
}

fn messages(game: &Game) -> Vec<String> {
    game.app
        .world()
        .resource::<ScriptErrorLog>()
        .errors
        .iter()
        .map(|e| e.message.clone())
        .collect()
}

#[cfg(unix)]
#[test]
fn symlinks_leading_out_of_the_assets_root_are_not_followed() {
    let outside = common::temp_assets(&[
        ("secret.lua", "return { init = function() end }"),
        ("dir/mod.lua", "return 42"),
    ]);
    let assets = common::temp_assets(&[("lib/inside.lua", "return 7")]);
    let root = assets.path();
    std::os::unix::fs::symlink(outside.path().join("secret.lua"), root.join("secret.lua"))
        .expect("link");
    std::os::unix::fs::symlink(outside.path().join("dir"), root.join("out")).expect("link");
    std::os::unix::fs::symlink(root.join("lib/inside.lua"), root.join("alias.lua")).expect("link");
    let mut game = common::game(root);
    let refused = "it is a symbolic link (or inside one) that leads outside the assets root";
    let spawn = common::eval::<()>(&mut game, "world.spawn{ script = 'secret.lua' }");
    assert_eq!(
        spawn.err().as_deref(),
        Some(format!("eval:1: spawn: invalid script path 'secret.lua': {refused}").as_str()),
        "the script line and the API function, then the reason"
    );
    let module = common::eval::<()>(&mut game, "require('out.mod')");
    let message = module.err().unwrap_or_default();
    assert!(
        message.contains(&format!("invalid script path 'out/mod.lua': {refused}")),
        "{message}"
    );
    // A link that stays inside the root is followed.
    assert_eq!(
        common::eval::<i64>(&mut game, "return require('alias')"),
        Ok(7)
    );
}

#[test]
fn events_from_rust_with_lifecycle_names_are_reported_and_dropped() {
    let assets = common::temp_assets(&[(
        "s.lua",
        "return { update = function(self, dt) assert(type(dt) == 'number', 'dt ' .. tostring(dt)) end,
                  final = function() error('final ran') end }",
    )]);
    let mut game = common::game(assets.path());
    common::exec(&mut game, "world.spawn{ script = 's.lua' }");
    common::step(&mut game, 1);
    for name in ["init", "update", "fixed_update", "final", "on_reload"] {
        game.app
            .world_mut()
            .write_message(ToScripts::broadcast(name, serde_json::json!("x")));
    }
    common::step(&mut game, 1);
    let expected: Vec<String> = ["init", "update", "fixed_update", "final", "on_reload"]
        .iter()
        .map(|name| {
            format!(
                "ToScripts: '{name}' is a lifecycle handler, not an event; it cannot be sent or broadcast"
            )
        })
        .collect();
    assert_eq!(messages(&game), expected);
}

#[test]
fn distinct_event_names_and_queued_events_are_capped() {
    let assets = common::temp_assets(&[("s.lua", "return { init = function() end }")]);
    let mut game = game_with(
        assets.path(),
        ScriptConfig {
            max_event_names: 8,
            max_queued_events: 3,
            ..ScriptConfig::default()
        },
    );
    // Five lifecycle names are interned from the start: three more fit.
    let result = common::eval::<()>(
        &mut game,
        "local s = world.spawn{ script = 's.lua' }:script('s.lua')
         for i = 1, 3 do s:on('e' .. i, function() end) end
         s:on('e4', function() end)",
    );
    let message = result.err().unwrap_or_default();
    assert!(
        message.contains(
            "new event name 'e4': 8 distinct names already exceeds the limit max_event_names = 8"
        ),
        "{message}"
    );
    // Sending never interns: any number of new names may be sent, up to the queue's cap.
    let result = common::eval::<()>(
        &mut game,
        "for i = 1, 4 do world.broadcast('fresh' .. i) end",
    );
    let message = result.err().unwrap_or_default();
    assert!(
        message.contains(
            "world.broadcast('fresh4'): 3 events already queued exceeds the limit max_queued_events = 3"
        ),
        "the fourth is refused at the call: {message}"
    );
    common::step(&mut game, 1);
}

#[test]
fn long_error_messages_and_tracebacks_are_cut_to_max_error_bytes() {
    let assets = common::temp_assets(&[(
        "s.lua",
        "local function deep(n) if n == 0 then error(string.rep('e', 100000)) end return deep(n - 1) + 1 end
         return { update = function() deep(500) end }",
    )]);
    let mut game = game_with(
        assets.path(),
        ScriptConfig {
            max_error_bytes: 100,
            ..ScriptConfig::default()
        },
    );
    common::exec(&mut game, "world.spawn{ script = 's.lua' }");
    common::step(&mut game, 1);
    let log = game.app.world().resource::<ScriptErrorLog>();
    let error = &log.errors[0];
    assert!(
        error.message.starts_with("s.lua:1: eeee"),
        "{}",
        error.message
    );
    assert!(
        error
            .message
            .ends_with("... (99909 of 100009 bytes cut off)"),
        "{}",
        error.message
    );
    assert!(error.traceback.len() < 200, "{}", error.traceback);
    assert!(
        error.traceback.contains("bytes cut off)"),
        "{}",
        error.traceback
    );
}

#[test]
fn a_frames_emits_and_a_loaded_chunk_are_capped() {
    let assets = common::temp_assets(&[("s.lua", "return {}")]);
    let mut game = game_with(
        assets.path(),
        ScriptConfig {
            max_emit_bytes_per_frame: 1000,
            max_source_bytes: 100,
            ..ScriptConfig::default()
        },
    );
    let emit = "world.emit('m', { string.rep('x', 400) })";
    common::exec(&mut game, emit);
    common::exec(&mut game, emit);
    let third = common::eval::<()>(&mut game, emit)
        .err()
        .unwrap_or_default();
    assert!(
        third.contains(
            "world.emit('m'): the payload: 413 more bytes this frame exceeds the limit \
             max_emit_bytes_per_frame = 1000"
        ),
        "{third}"
    );
    common::step(&mut game, 1);
    common::exec(&mut game, emit);

    let load = common::eval::<()>(&mut game, "load(string.rep(' ', 200))")
        .err()
        .unwrap_or_default();
    assert!(
        load.contains(
            "load: the chunk: 200 bytes or more exceeds the limit max_source_bytes = 100"
        ),
        "{load}"
    );
    assert_eq!(
        common::eval::<i64>(&mut game, "return load('return 5')()"),
        Ok(5)
    );
}
