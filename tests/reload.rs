//! Hot reload from Rust and through the file watcher, end to end.

mod common;

use std::time::{Duration, Instant};

use common::{eval, exec, step, temp_assets};
use crescent::game::{Game, GameConfig};
use crescent::script::{ScriptHandlers, ScriptRuntime, StaleKey};

const V1: &str = "local M = {}\nfunction M.update(self) self.v = 1 end\nreturn M\n";
const V2: &str = "local M = {}\nfunction M.update(self) self.v = 2 end\nfunction M.on_reload(self) self.r = true end\nreturn M\n";

fn handler_keys(game: &mut Game) -> Vec<crescent::script::HandlerKey> {
    let world = game.app.world_mut();
    world
        .query::<&ScriptHandlers>()
        .iter(world)
        .flat_map(|h| h.handlers().to_vec())
        .collect()
}

#[test]
fn reload_reissues_keys_consistently() {
    let assets = temp_assets(&[("s.lua", V1)]);
    let mut game = common::game(assets.path());
    exec(&mut game, r#"world.spawn{ name = "e", script = "s.lua" }"#);
    step(&mut game, 1);
    let old = handler_keys(&mut game);
    assert_eq!(old.len(), 1);
    assert!(ScriptRuntime::reload(game.app.world_mut(), "s.lua", Some(V2.into())).expect("reload"));
    let new = handler_keys(&mut game);
    assert_eq!(new.len(), 2, "update and on_reload");
    let runtime = game
        .app
        .world()
        .get_non_send::<ScriptRuntime>()
        .expect("runtime");
    assert_eq!(
        ScriptRuntime::resolve(game.app.world(), old[0]),
        Err(StaleKey::Removed)
    );
    for key in &new {
        assert!(ScriptRuntime::resolve(game.app.world(), *key).is_ok());
    }
    assert_eq!(runtime.handler_count(), 2);
    step(&mut game, 1);
    let (v, r): (i64, bool) = eval(
        &mut game,
        r#"local s = world.find("e"):script("s.lua") return s.v, s.r"#,
    )
    .expect("eval");
    assert_eq!((v, r), (2, true));
    assert!(!ScriptRuntime::reload(game.app.world_mut(), "never_loaded.lua", None).expect("no-op"));
}

#[test]
fn module_changes_reach_scripts_through_other_modules() {
    let assets = temp_assets(&[
        (
            "base.lua",
            "return { word = function() return 'one' end, hits = 0 }\n",
        ),
        (
            "middle.lua",
            "local base = require('base')\nreturn { say = function() base.hits = base.hits + 1 return base.word() end }\n",
        ),
        (
            "s.lua",
            "local middle = require('middle')\nreturn { update = function(self) self.said = middle.say() end }\n",
        ),
    ]);
    let mut game = common::game(assets.path());
    exec(&mut game, r#"world.spawn{ name = "e", script = "s.lua" }"#);
    step(&mut game, 2);
    std::fs::write(
        assets.path().join("base.lua"),
        "return { word = function() return 'two' end, hits = 0 }\n",
    )
    .expect("write");
    assert!(ScriptRuntime::reload(game.app.world_mut(), "base.lua", None).expect("reload"));
    step(&mut game, 1);
    let (said, hits): (String, i64) = eval(
        &mut game,
        r#"return world.find("e"):script("s.lua").said, require("base").hits"#,
    )
    .expect("eval");
    assert_eq!(said, "two");
    assert_eq!(hits, 3, "the module's data carried over the reload");
}

#[test]
fn the_watcher_reloads_a_changed_file() {
    let assets = temp_assets(&[("s.lua", V1)]);
    let mut config = GameConfig::new(assets.path());
    config.script.watch = true;
    let mut game = Game::new(config).expect("game");
    exec(&mut game, r#"world.spawn{ name = "e", script = "s.lua" }"#);
    step(&mut game, 1);
    std::thread::sleep(Duration::from_millis(100));
    std::fs::write(assets.path().join("s.lua"), V2).expect("write");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut v = 1;
    while v != 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        step(&mut game, 1);
        v = eval(&mut game, r#"return world.find("e"):script("s.lua").v"#).expect("eval");
    }
    assert_eq!(v, 2, "the new update ran after the file changed");
    let reloaded: bool =
        eval(&mut game, r#"return world.find("e"):script("s.lua").r"#).expect("eval");
    assert!(reloaded, "on_reload ran");

    std::fs::write(assets.path().join("s.lua"), "return {").expect("write");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut reported = false;
    while !reported && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        step(&mut game, 1);
        let log = game
            .app
            .world()
            .resource::<crescent::script::ScriptErrorLog>();
        reported = log
            .errors
            .iter()
            .any(|e| e.event == "reload" && e.message.contains("s.lua:1:"));
    }
    assert!(reported, "a broken save is reported with file:line");
    let v: i64 = eval(&mut game, r#"return world.find("e"):script("s.lua").v"#).expect("eval");
    assert_eq!(v, 2, "and the last good handlers keep running");
}
