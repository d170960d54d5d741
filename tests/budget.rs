//! The budget cannot be dodged: every escape of issue 12 is stopped with a clear
//! `ScriptError`, in both budget modes, and the frame's other handlers still run.
//!
//! No timed assertions: each test asserts that a loop was stopped and what was reported,
//! never how fast.

mod common;

use common::{eval, exec, step, temp_assets};
use crescent::game::{Game, GameConfig};
use crescent::script::{ScriptBudget, ScriptError, ScriptErrorLog};

/// Escapes: each `where` runs forever unless the budget reaches every Lua thread.
const ESCAPES: &str = r#"
local M = {}
-- A tree of 2^40 short coroutines: each runs far fewer than a hook period of
-- instructions, and no thread loops.
local function tree(d)
  if d > 0 then
    coroutine.wrap(tree)(d - 1)
    coroutine.wrap(tree)(d - 1)
  end
end
local function run(where)
  if where == "tree" then tree(40) end
  if where == "resume_tree" then
    local function node(d)
      while true do
        coroutine.resume(coroutine.create(node), d + 1)
      end
    end
    node(0)
  end
  if where == "pcall" then
    while true do pcall(error, "x") end
  end
  if where == "c_calls" then
    local abs = math.abs
    while true do abs(-1) abs(-2) abs(-3) end
  end
  if where == "xpcall" then
    while true do xpcall(function() while true do end end, function(e) return e end) end
  end
end
function M.init(self)
  if self.at == "init" then run(self.where) end
  if self.at == "task" then task.spawn(function() task.wait(0) run(self.where) end) end
end
function M.update(self, dt)
  if self.at == "update" then run(self.where) end
end
return M
"#;

const HEALTHY: &str = r#"
return { update = function(self, dt) self.n = (self.n or 0) + 1 end }
"#;

fn modes() -> [(ScriptBudget, &'static str); 2] {
    [
        (
            ScriptBudget::Time {
                per_call: std::time::Duration::from_millis(20),
                per_frame: None,
            },
            "time budget exceeded (20 ms of CPU time)",
        ),
        (
            ScriptBudget::Instructions {
                per_call: 200_000,
                per_frame: None,
            },
            "instruction budget exceeded (200000 instructions)",
        ),
    ]
}

fn game_with(files: &[(&str, &str)], budget: ScriptBudget) -> (tempfile::TempDir, Game) {
    let assets = temp_assets(files);
    let mut config = GameConfig::new(assets.path());
    config.script.budget = budget;
    let game = Game::new(config).expect("game");
    (assets, game)
}

fn errors(game: &Game) -> Vec<ScriptError> {
    game.app.world().resource::<ScriptErrorLog>().errors.clone()
}

#[test]
fn every_escape_is_stopped_in_every_place_in_both_modes() {
    for (budget, message) in modes() {
        for where_ in ["tree", "resume_tree", "pcall", "c_calls", "xpcall"] {
            for at in ["init", "update", "task"] {
                let case = format!("{where_} in {at}, {message}");
                let (_assets, mut game) =
                    game_with(&[("escape.lua", ESCAPES), ("healthy.lua", HEALTHY)], budget);
                exec(
                    &mut game,
                    &format!(
                        r#"world.spawn{{ script = "escape.lua", props = {{ where = "{where_}", at = "{at}" }} }}
                           world.spawn{{ name = "good", script = "healthy.lua" }}"#
                    ),
                );
                step(&mut game, 3);
                let errors = errors(&game);
                let first = errors
                    .first()
                    .unwrap_or_else(|| panic!("{case}: not stopped"));
                assert_eq!(first.script, "escape.lua", "{case}");
                assert!(first.message.contains(message), "{case}: {}", first.message);
                let good: i64 = eval(
                    &mut game,
                    r#"return world.find("good"):script("healthy.lua").n"#,
                )
                .expect("healthy state");
                assert_eq!(good, 3, "{case}: the other handlers run every frame");
            }
        }
    }
}

#[test]
fn a_script_top_level_that_never_ends_is_stopped_in_both_modes() {
    for (budget, message) in modes() {
        let looping = "local function tree(d)
                         if d > 0 then coroutine.wrap(tree)(d - 1) coroutine.wrap(tree)(d - 1) end
                       end
                       tree(40)";
        let (_assets, mut game) = game_with(&[("top.lua", looping)], budget);
        let err = eval::<()>(&mut game, r#"world.spawn{ script = "top.lua" }"#)
            .expect_err("the top level is stopped");
        assert!(err.contains("top.lua: error while loading"), "{err}");
        assert!(err.contains(message), "{err}");
    }
}

/// Handlers that each do a little work, together far more than one call's budget, with
/// one that never ends: only that one fails.
const WORKER: &str = r#"
return { update = function(self, dt)
  local x = 0
  for i = 1, 20000 do x = x + i % 7 end
  self.n = (self.n or 0) + 1
end }
"#;

const SPINNER: &str = r#"
return { update = function(self, dt) while true do end end }
"#;

#[test]
fn only_the_handler_past_its_own_limit_fails_in_a_dispatch_loop() {
    for (budget, message) in modes() {
        let (_assets, mut game) =
            game_with(&[("worker.lua", WORKER), ("spinner.lua", SPINNER)], budget);
        exec(
            &mut game,
            r#"for i = 1, 200 do
                 world.spawn{ name = "w" .. i, script = "worker.lua" }
                 if i == 100 then world.spawn{ script = "spinner.lua" } end
               end"#,
        );
        step(&mut game, 2);
        let errors = errors(&game);
        assert!(
            errors.iter().all(|e| e.script == "spinner.lua"),
            "{message}: only the spinner fails: {errors:?}"
        );
        assert_eq!(errors.len(), 2, "{message}: once a frame");
        assert!(errors[0].message.contains(message), "{}", errors[0].message);
        let ran: i64 = eval(
            &mut game,
            r#"local n = 0
               for i = 1, 200 do n = n + world.find("w" .. i):script("worker.lua").n end
               return n"#,
        )
        .expect("workers");
        assert_eq!(ran, 400, "{message}: every worker ran in both frames");
    }
}

/// A world that grows its own work: each `ping` handler runs just under the call budget
/// and sends two more pings.
const PINGER: &str = r#"
return {
  init = function(self) self.entity:send("ping") end,
  ping = function(self)
    local x = 0
    for i = 1, 40000 do x = x + i end
    self.entity:send("ping")
    self.entity:send("ping")
  end,
}
"#;

#[test]
fn a_frame_cap_bounds_a_world_that_grows_its_own_work() {
    for (budget, message) in [
        (
            ScriptBudget::Instructions {
                per_call: 1_000_000,
                per_frame: Some(5_000_000),
            },
            "frame budget exceeded (5000000 instructions per frame)",
        ),
        (
            ScriptBudget::Time {
                per_call: std::time::Duration::from_millis(50),
                per_frame: Some(std::time::Duration::from_millis(100)),
            },
            "frame budget exceeded (100 ms of CPU time per frame)",
        ),
    ] {
        let (_assets, mut game) = game_with(&[("pinger.lua", PINGER)], budget);
        exec(&mut game, r#"world.spawn{ script = "pinger.lua" }"#);
        step(&mut game, 12);
        let errors = errors(&game);
        assert!(
            errors.iter().any(|e| e.message.contains(message)),
            "{message}: {:?}",
            errors.iter().map(|e| &e.message).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_frame_over_its_cap_stops_the_next_calls_at_once() {
    let budget = ScriptBudget::Instructions {
        per_call: 1_000_000,
        per_frame: Some(3_000_000),
    };
    let (_assets, mut game) = game_with(&[("spinner.lua", SPINNER)], budget);
    exec(
        &mut game,
        r#"for i = 1, 10 do world.spawn{ script = "spinner.lua" } end"#,
    );
    step(&mut game, 2);
    let errors = errors(&game);
    let per_call = errors
        .iter()
        .filter(|e| e.message.contains("instruction budget exceeded"))
        .count();
    let per_frame = errors
        .iter()
        .filter(|e| e.message.contains("frame budget exceeded"))
        .count();
    assert_eq!(errors.len(), 20, "every spinner, every frame, is stopped");
    assert!(
        (2..=6).contains(&per_call) && per_frame >= 14,
        "about three calls' worth per frame, then every call fails fast: {per_call} per call, {per_frame} per frame"
    );
}
