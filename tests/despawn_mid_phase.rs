//! Regression tests for issue 14, bugs 1 and 2: no handler of an entity despawned in the
//! middle of a script phase runs again in that phase, whoever despawns it; and a clone of
//! a scripted entity never shares its scripts.

mod common;

use bevy_ecs::{
    entity::Entity, lifecycle::Add, observer::On, prelude::Component, system::Commands,
};
use common::{eval, exec, game, step, temp_assets};
use crescent::game::Game;
use crescent::script::{
    ScriptComponentsAppExt, ScriptHandlers, ScriptRuntime, ScriptStats, ToScripts,
};
use serde::{Deserialize, Serialize};

/// Marks an entity for death; an observer despawns it the moment it is added.
#[derive(Component, Serialize, Deserialize)]
struct Doomed {
    by: String,
}

const JOURNAL: &str = r#"
local journal = { entries = {} }
function journal.add(entry) journal.entries[#journal.entries + 1] = entry end
return journal
"#;

/// Dooms the victim in `update` when armed, or on a `strike` event; then broadcasts.
const KILLER: &str = r#"
local j = require("journal")
local killer = {}
local function doom()
  local victim = world.find("victim")
  victim:set("Doomed", { by = "killer" })
  j.add("killer:victim_alive=" .. tostring(victim:alive()))
  world.broadcast("ping", {})
end
function killer.update(self)
  if self.armed then
    self.armed = false
    doom()
  end
end
function killer.strike(self) doom() end
function killer.ping(self) j.add("killer:ping") end
return killer
"#;

/// Journals every call it gets, with whether its entity is alive.
const VICTIM: &str = r#"
local j = require("journal")
local victim = {}
function victim.update(self) j.add("victim:update:" .. tostring(self.entity:alive())) end
function victim.ping(self) j.add("victim:ping:" .. tostring(self.entity:alive())) end
function victim.final(self) j.add("victim:final") end
return victim
"#;

fn doomed_game(dir: &tempfile::TempDir) -> Game {
    let mut game = game(dir.path());
    game.app
        .register_script_component::<Doomed>("Doomed")
        .add_observer(|add: On<Add<Doomed>>, mut commands: Commands| {
            commands.entity(add.entity).despawn();
        });
    // Spawn order is dispatch order: the killer's handlers run before the victim's.
    exec(
        &mut game,
        r#"world.spawn{ name = "killer", script = "killer.lua" }
           world.spawn{ name = "victim", script = "victim.lua" }"#,
    );
    step(&mut game, 1);
    exec(&mut game, r#"require("journal").entries = {}"#);
    game
}

fn journal(game: &mut Game) -> Vec<String> {
    eval(game, r#"return require("journal").entries"#).expect("journal")
}

fn assets() -> tempfile::TempDir {
    temp_assets(&[
        ("journal.lua", JOURNAL),
        ("killer.lua", KILLER),
        ("victim.lua", VICTIM),
    ])
}

#[test]
fn an_observer_despawn_during_update_stops_the_victims_handlers_in_that_phase() {
    let dir = assets();
    let mut game = doomed_game(&dir);
    exec(
        &mut game,
        r#"world.find("killer"):script("killer.lua").armed = true"#,
    );
    step(&mut game, 1);
    // The victim's `update` would have come after the killer's in the same list; the
    // broadcast is delivered after `update`: neither reaches the dead victim.
    assert_eq!(
        journal(&mut game),
        ["killer:victim_alive=false", "killer:ping", "victim:final"]
    );
    let stats = game.app.world().resource::<ScriptStats>().clone();
    assert_eq!((stats.entities, stats.instances, stats.errors), (1, 1, 0));
}

#[test]
fn an_observer_despawn_during_event_delivery_stops_the_victims_handlers_at_once() {
    let dir = assets();
    let mut game = doomed_game(&dir);
    let (killer, victim) = (
        common::entity_named(&mut game, "killer"),
        common::entity_named(&mut game, "victim"),
    );
    let mut messages = game
        .app
        .world_mut()
        .resource_mut::<bevy_ecs::message::Messages<ToScripts>>();
    messages.write(ToScripts::to(killer, "strike", serde_json::json!({})));
    messages.write(ToScripts::broadcast("ping", serde_json::json!({})));
    messages.write(ToScripts::to(victim, "ping", serde_json::json!({})));
    step(&mut game, 1);
    assert_eq!(
        journal(&mut game),
        [
            "victim:update:true",
            "killer:victim_alive=false",
            "killer:ping",
            "killer:ping",
            "victim:final"
        ]
    );
    assert!(game.app.world().get_entity(victim).is_err());
}

const COUNTER: &str = r#"
local j = require("journal")
local counter = {}
function counter.init(self) self.updates = 0 end
function counter.update(self) self.updates = self.updates + 1 end
function counter.hello(self) j.add("hello:" .. self.tag) end
function counter.final(self) j.add("final:" .. self.tag) end
return counter
"#;

fn updates(game: &mut Game, name: &str) -> i64 {
    eval(
        game,
        &format!(r#"return world.find("{name}"):script("counter.lua").updates"#),
    )
    .expect("updates")
}

#[test]
fn a_clone_of_a_scripted_entity_gets_no_keys_and_cannot_detach_the_original() {
    let dir = temp_assets(&[("journal.lua", JOURNAL), ("counter.lua", COUNTER)]);
    let mut game = game(dir.path());
    exec(
        &mut game,
        r#"world.spawn{ name = "original", script = "counter.lua", props = { tag = "original" } }"#,
    );
    step(&mut game, 2);
    let original = common::entity_named(&mut game, "original");
    let clone: Entity = game.app.world_mut().entity_mut(original).clone_and_spawn();
    assert!(
        game.app.world().get::<ScriptHandlers>(clone).is_none(),
        "a clone never shares the original's keys"
    );
    // Events to the clone are not answered by the original's script.
    game.app
        .world_mut()
        .write_message(ToScripts::to(clone, "hello", serde_json::json!({})));
    step(&mut game, 1);
    assert_eq!(journal(&mut game), Vec::<String>::new());
    // Despawning the clone leaves the original's script running, `final` uncalled.
    game.app.world_mut().despawn(clone);
    step(&mut game, 2);
    assert_eq!(journal(&mut game), Vec::<String>::new());
    assert_eq!(updates(&mut game, "original"), 5);
    let runtime = game.app.world().non_send::<ScriptRuntime>();
    assert_eq!(runtime.instance_count(), 1);
}

#[test]
fn a_rust_despawn_between_phases_finalizes_only_that_entitys_instances() {
    let dir = temp_assets(&[("journal.lua", JOURNAL), ("counter.lua", COUNTER)]);
    let mut game = game(dir.path());
    exec(
        &mut game,
        r#"world.spawn{ name = "a", script = "counter.lua", props = { tag = "a" } }
           world.spawn{ name = "b", script = "counter.lua", props = { tag = "b" } }"#,
    );
    step(&mut game, 1);
    let b = common::entity_named(&mut game, "b");
    // A despawn of `b` stops only `b`'s instance.
    game.app.world_mut().despawn(b);
    step(&mut game, 1);
    assert_eq!(journal(&mut game), ["final:b"]);
    assert_eq!(updates(&mut game, "a"), 2);
}
