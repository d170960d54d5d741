//! Events across the Rust/Lua boundary, the per-frame cap, and dropped-event counting.

mod common;

use bevy_app::Update;
use bevy_ecs::{
    entity::Entity,
    message::{MessageReader, MessageWriter},
    resource::Resource,
    system::ResMut,
};
use common::{eval, exec, repo_assets, step, temp_assets};
use crescent::game::{Game, GameConfig};
use crescent::script::{ScriptMessage, ScriptStats, ToScripts};

const PING_PONG: &str = r#"
local M = {}
function M.ping(self, payload, sender)
  self.count = (self.count or 0) + 1
  sender:send("ping", payload)
end
return M
"#;

#[test]
fn ping_pong_forever_is_capped_per_frame_and_continues_next_frame() {
    let assets = temp_assets(&[("pp.lua", PING_PONG)]);
    let mut config = GameConfig::new(assets.path());
    config.script.max_events_per_frame = 10;
    let mut game = Game::new(config).expect("game");
    exec(
        &mut game,
        r#"world.spawn{ name = "a", script = "pp.lua" }
           world.spawn{ name = "b", script = "pp.lua" }"#,
    );
    step(&mut game, 1);
    // `a` serves: every delivery answers its sender, forever.
    exec(
        &mut game,
        r#"local a = world.find("a")
           a:script("pp.lua"):on("serve", function(self) world.find("b"):send("ping", {}) end)
           a:send("serve")"#,
    );
    step(&mut game, 1);
    let stats = game.app.world().resource::<ScriptStats>().clone();
    assert_eq!(stats.queued_events, 1, "the rally goes on next frame");
    let delivered_after_one = stats.events_delivered;
    step(&mut game, 3);
    let stats = game.app.world().resource::<ScriptStats>().clone();
    assert_eq!(
        stats.events_delivered - delivered_after_one,
        30,
        "10 per frame"
    );
    let total: i64 = eval(&mut game, r#"return (world.find("a"):script("pp.lua").count or 0) + world.find("b"):script("pp.lua").count"#).expect("eval");
    assert_eq!(
        total, 39,
        "9 pings in the first frame (after the serve), then 10 per frame"
    );
}

#[test]
fn events_to_dead_entities_are_counted_as_dropped() {
    let mut game = common::game(&repo_assets());
    exec(
        &mut game,
        r#"local a = world.spawn{ name = "a", script = "testing/listener.lua", props = { tag = "a" } }
                       a:despawn()
                       a:send("ping", { n = 1 })
                       a:send("ping", { n = 2 })"#,
    );
    step(&mut game, 1);
    let stats = game.app.world().resource::<ScriptStats>();
    assert_eq!((stats.events_dropped, stats.events_delivered), (2, 0));
}

#[derive(Resource, Default)]
struct Emitted(Vec<(String, serde_json::Value, bool)>);

/// Keeps every `ScriptMessage` in the [`Emitted`] resource: (name, payload, has a sender).
fn collect_emitted(game: &mut crescent::game::Game) {
    game.app.init_resource::<Emitted>().add_systems(
        Update,
        |mut emitted: ResMut<Emitted>, mut reader: MessageReader<ScriptMessage>| {
            for msg in reader.read() {
                emitted
                    .0
                    .push((msg.name.clone(), msg.payload.clone(), msg.sender.is_some()));
            }
        },
    );
}

/// A game collecting what scripts emit, with one entity `name` running `file` (`source`),
/// past its first frame. The assets folder lives as long as the returned guard.
fn scripted(name: &str, file: &str, source: &str) -> (tempfile::TempDir, Game, Entity) {
    let assets = temp_assets(&[(file, source)]);
    let mut game = common::game(assets.path());
    collect_emitted(&mut game);
    exec(
        &mut game,
        &format!("world.spawn{{ name = {name:?}, script = {file:?} }}"),
    );
    step(&mut game, 1);
    let entity = common::entity_named(&mut game, name);
    (assets, game, entity)
}

/// Sends `event` from Rust to `target` and runs the two frames that deliver it.
fn deliver(game: &mut Game, target: Entity, event: &str, payload: serde_json::Value) {
    game.app
        .world_mut()
        .write_message(ToScripts::to(target, event, payload));
    step(game, 2);
}

#[test]
fn rust_systems_send_events_to_scripts_and_read_what_scripts_emit() {
    let (_assets, mut game, door) = scripted(
        "door",
        "door.lua",
        r#"
local door = {}
function door.open(self, payload, sender)
  self.opened_by = payload.who
  world.emit("door_opened", { by = payload.who, code = payload.code + 1, tags = { "a", "b" } })
end
return door
"#,
    );
    deliver(
        &mut game,
        door,
        "open",
        serde_json::json!({ "who": "guard", "code": 41 }),
    );
    let opened_by: String = eval(
        &mut game,
        r#"return world.find("door"):script("door.lua").opened_by"#,
    )
    .expect("eval");
    assert_eq!(opened_by, "guard");
    let emitted = &game.app.world().resource::<Emitted>().0;
    assert_eq!(emitted.len(), 1, "{emitted:?}");
    assert_eq!(emitted[0].0, "door_opened");
    assert_eq!(
        emitted[0].1,
        serde_json::json!({ "by": "guard", "code": 42, "tags": ["a", "b"] })
    );
    assert!(emitted[0].2, "the door's entity is the sender");

    // A broadcast from a Rust system reaches every subscriber.
    game.app.add_systems(
        Update,
        |mut writer: MessageWriter<ToScripts>, mut sent: bevy_ecs::system::Local<bool>| {
            if !*sent {
                writer.write(ToScripts::broadcast(
                    "open",
                    serde_json::json!({ "who": "everyone", "code": 0 }),
                ));
                *sent = true;
            }
        },
    );
    step(&mut game, 1);
    let opened_by: String = eval(
        &mut game,
        r#"return world.find("door"):script("door.lua").opened_by"#,
    )
    .expect("eval");
    assert_eq!(opened_by, "everyone");
}

#[test]
fn emitting_a_function_is_a_clear_error() {
    let mut game = common::game(&repo_assets());
    let err = eval::<()>(&mut game, r#"world.emit("bad", { f = function() end })"#)
        .expect_err("must fail");
    assert!(
        err.contains("world.emit('bad'): payload cannot be sent to Rust"),
        "{err}"
    );
}

#[test]
fn entities_travel_in_payloads_as_their_ids_both_ways() {
    let (_assets, mut game, target) = scripted(
        "target",
        "target.lua",
        r#"
local t = {}
function t.hit(self, payload)
  local attacker = world.entity(payload.attacker)
  world.emit("hit_back", { by = self.entity, at = attacker, same = attacker == world.find("attacker") })
end
return t
"#,
    );
    exec(&mut game, r#"world.spawn{ name = "attacker" }"#);
    let attacker = common::entity_named(&mut game, "attacker");
    deliver(
        &mut game,
        target,
        "hit",
        serde_json::json!({ "attacker": attacker.to_bits() }),
    );
    let emitted = &game.app.world().resource::<Emitted>().0;
    assert_eq!(emitted.len(), 1, "{emitted:?}");
    assert_eq!(
        emitted[0].1,
        serde_json::json!({ "by": target.to_bits(), "at": attacker.to_bits(), "same": true }),
        "a handle in a payload for Rust is the entity's id"
    );
    let message: String = eval(
        &mut game,
        "local ok, err = pcall(world.entity, 0) return tostring(err)",
    )
    .expect("eval");
    assert!(
        message.contains("world.entity: 0 is not an entity id (ids come from e:id())"),
        "{message}"
    );
    let gone: bool = eval(
        &mut game,
        "local e = world.spawn{} local id = e:id() e:despawn() return world.entity(id) == nil",
    )
    .expect("eval");
    assert!(gone, "an id of an entity that is not live gives nil");
}

#[test]
fn handles_deep_in_a_payload_become_ids_and_the_scripts_table_is_untouched() {
    let mut game = common::game(&common::repo_assets());
    collect_emitted(&mut game);
    let untouched: bool = eval(
        &mut game,
        r#"local e = world.spawn{ name = "deep" }
           local payload = { list = { 1, { who = e } }, plain = { n = 2 } }
           world.emit("deep", payload)
           return payload.list[2].who == e"#,
    )
    .expect("emit");
    assert!(untouched, "the script's own table still holds the handle");
    step(&mut game, 1);
    let deep = common::entity_named(&mut game, "deep");
    let emitted = &game.app.world().resource::<Emitted>().0;
    assert_eq!(
        emitted[0].1,
        serde_json::json!({ "list": [1, { "who": deep.to_bits() }], "plain": { "n": 2 } })
    );
    let err = eval::<()>(
        &mut game,
        r#"local t = { who = world.find("deep") } t.self = t world.emit("loop", t)"#,
    )
    .expect_err("a cycle");
    assert!(
        err.contains("world.emit('loop'): payload cannot be sent to Rust: deserialize error: recursive table detected"),
        "{err}"
    );
}

#[test]
fn a_json_null_from_rust_is_not_an_entity() {
    let assets = temp_assets(&[(
        "nulls.lua",
        r#"
local t = {}
function t.probe(self, payload)
  local ok, err = pcall(function() return payload.x:alive() end)
  world.emit("probed", { text = tostring(payload.x), ok = ok, err = tostring(err) })
end
return t
"#,
    )]);
    let mut game = common::game(assets.path());
    collect_emitted(&mut game);
    exec(
        &mut game,
        r#"world.spawn{ name = "n", script = "nulls.lua" }"#,
    );
    step(&mut game, 1);
    let target = common::entity_named(&mut game, "n");
    game.app.world_mut().write_message(ToScripts::to(
        target,
        "probe",
        serde_json::json!({ "x": null }),
    ));
    step(&mut game, 2);
    let emitted = &game.app.world().resource::<Emitted>().0;
    let payload = &emitted[0].1;
    assert_eq!(payload["text"], "null");
    assert_eq!(payload["ok"], false);
    let err = payload["err"].as_str().unwrap_or_default();
    assert!(err.contains("expected an entity, got null"), "{err}");
}
