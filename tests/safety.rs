//! A script is never the reason the game hangs, crashes or runs out of memory.

mod common;

use common::{eval, exec, step, temp_assets};
use crescent::game::{Game, GameConfig};
use crescent::script::{ScriptBudget, ScriptErrorLog, ScriptStats};

const RUNAWAY: &str = r#"
local M = {}
function M.init(self)
  if self.where == "init" then while true do end end
  if self.where == "task" then task.spawn(function() task.wait(0) while true do end end) end
  self.updates = 0
end
function M.update(self, dt)
  self.updates = self.updates + 1
  if self.where == "update" then while true do end end
  if self.where == "pcall" then
    while true do pcall(function() while true do end end) end
  end
  if self.where == "coroutine" then
    local co = coroutine.wrap(function() while true do end end)
    co()
  end
  if self.where == "resume" then
    while true do coroutine.resume(coroutine.create(function() while true do end end)) end
  end
  if self.where == "spawning" then
    while true do task.spawn(function() end) end
  end
end
return M
"#;

const HEALTHY: &str = r#"
return { update = function(self, dt) self.n = (self.n or 0) + 1 end }
"#;

fn errors(game: &Game) -> Vec<crescent::script::ScriptError> {
    game.app.world().resource::<ScriptErrorLog>().errors.clone()
}

#[test]
fn runaway_loops_are_stopped_by_the_budget_in_both_modes() {
    let modes = [
        (
            ScriptBudget::default(),
            "time budget exceeded (50 ms of CPU time)",
        ),
        (
            ScriptBudget::Instructions {
                per_call: 1_000_000,
                per_frame: None,
            },
            "instruction budget exceeded (1000000 instructions)",
        ),
    ];
    for (budget, message) in modes {
        for (where_, event) in [
            ("init", "init"),
            ("update", "update"),
            ("task", "task"),
            ("pcall", "update"),
            ("coroutine", "update"),
            ("resume", "update"),
            ("spawning", "update"),
        ] {
            let assets = temp_assets(&[("runaway.lua", RUNAWAY), ("healthy.lua", HEALTHY)]);
            let mut config = GameConfig::new(assets.path());
            config.script.budget = budget;
            let mut game = Game::new(config).expect("game");
            exec(
                &mut game,
                &format!(
                    r#"world.spawn{{ name = "bad", script = "runaway.lua", props = {{ where = "{where_}" }} }}
                       world.spawn{{ name = "good", script = "healthy.lua" }}"#
                ),
            );
            step(&mut game, 3);
            let errors = errors(&game);
            assert!(!errors.is_empty(), "{where_}: the loop must be stopped");
            let first = &errors[0];
            assert_eq!(first.script, "runaway.lua", "{where_}");
            assert_eq!(first.event, event, "{where_}");
            assert!(first.entity.is_some(), "{where_}");
            assert!(
                first.message.contains(message),
                "{where_}: {}",
                first.message
            );
            let good: i64 = eval(
                &mut game,
                r#"return world.find("good"):script("healthy.lua").n"#,
            )
            .expect("healthy script state");
            assert_eq!(good, 3, "{where_}: other scripts keep running every frame");
        }
    }
}

#[test]
fn a_memory_bomb_is_an_error_and_the_world_keeps_working() {
    let assets = temp_assets(&[
        (
            "bomb.lua",
            r#"
local M = {}
function M.update(self, dt)
  if self.done then return end
  self.done = true
  local hoard = {}
  for i = 1, 1e9 do hoard[i] = string.rep("x", 1024) .. i end
end
return M
"#,
        ),
        (
            "worker.lua",
            r#"
local M = {}
function M.update(self, dt)
  local t = {}
  for i = 1, 1000 do t[i] = { i } end
  self.sum = (self.sum or 0) + #t
end
return M
"#,
        ),
    ]);
    let mut config = GameConfig::new(assets.path());
    config.script.memory_limit = Some(32 * 1024 * 1024);
    config.script.budget = ScriptBudget::Unlimited;
    let mut game = Game::new(config).expect("game");
    exec(
        &mut game,
        r#"world.spawn{ name = "bomb", script = "bomb.lua" }
           world.spawn{ name = "worker", script = "worker.lua" }"#,
    );
    step(&mut game, 5);
    let errors = errors(&game);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].script, "bomb.lua");
    assert!(
        errors[0].message.contains("not enough memory"),
        "{}",
        errors[0].message
    );
    let sum: i64 = eval(
        &mut game,
        r#"return world.find("worker"):script("worker.lua").sum"#,
    )
    .expect("eval");
    assert_eq!(sum, 5000, "the worker ran every frame, after the bomb too");
    exec(
        &mut game,
        r#"for i = 1, 100 do world.spawn{ script = "worker.lua" } end"#,
    );
    step(&mut game, 2);
    assert_eq!(game.app.world().resource::<ScriptStats>().instances, 102);
    assert!(game.app.world().resource::<ScriptStats>().lua_memory_bytes < 32 * 1024 * 1024);
}

#[test]
fn every_kind_of_failure_is_reported_and_none_crash() {
    let assets = temp_assets(&[(
        "faults.lua",
        r#"
local M = {}
local deep = setmetatable({}, {})
getmetatable(deep).__index = function(t, k) return t[k] end
function M.update(self, dt)
  local kind = self.kind
  if kind == "stack" then return deep.x end
  if kind == "table" then error({ code = 7 }) end
  if kind == "nil" then error() end
  if kind == "callback" then self.entity:set("Position", { x = "far" }) end
  if kind == "unknown" then self.entity:get("Mana") end
  if kind == "final" then self.entity:despawn() end
end
function M.final(self)
  if self.kind == "final" then error("final failed") end
end
return M
"#,
    )]);
    let mut game = common::game(assets.path());
    exec(
        &mut game,
        r#"for _, kind in ipairs({ "stack", "table", "nil", "callback", "unknown", "final" }) do
             world.spawn{ name = kind, script = "faults.lua", props = { kind = kind } }
           end"#,
    );
    step(&mut game, 1);
    let errors = errors(&game);
    let by_event = |event: &str| errors.iter().filter(|e| e.event == event).count();
    assert_eq!(by_event("update"), 5, "{errors:#?}");
    assert_eq!(by_event("final"), 1, "{errors:#?}");
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert!(messages[0].contains("stack overflow"), "{messages:?}");
    assert!(messages[0].contains("faults.lua:4:"), "{messages:?}");
    assert_eq!(messages[1], "(error object is a table value)");
    assert_eq!(messages[2], "(error object is a nil value)");
    assert!(
        messages[3].contains("bad value for component Position, field 'x'"),
        "{messages:?}"
    );
    assert!(
        messages[4].contains("unknown component 'Mana'"),
        "{messages:?}"
    );
    assert!(
        messages[5].contains("faults.lua:15: final failed"),
        "{messages:?}"
    );
    assert!(
        errors[0].traceback.contains("faults.lua:4"),
        "{}",
        errors[0].traceback
    );
    let stats = game.app.world().resource::<ScriptStats>();
    assert_eq!(
        stats.instances, 5,
        "the entity whose final failed is gone anyway"
    );
    step(&mut game, 1);
    assert_eq!(
        errors_len(&game),
        11,
        "the failing handlers keep being called (and reported)"
    );
}

fn errors_len(game: &Game) -> usize {
    game.app.world().resource::<ScriptErrorLog>().errors.len()
}

#[test]
fn a_handler_failing_in_a_row_is_disabled_once_reported() {
    let assets = temp_assets(&[(
        "flaky.lua",
        r#"
local M = {}
function M.update(self, dt)
  self.calls = (self.calls or 0) + 1
  if self.calls % 2 == 0 or self.calls > 5 then error("flaky " .. self.calls) end
end
function M.ping(self) self.pinged = true end
return M
"#,
    )]);
    let mut config = GameConfig::new(assets.path());
    config.script.disable_after_errors = Some(3);
    let mut game = Game::new(config).expect("game");
    exec(
        &mut game,
        r#"world.spawn{ name = "f", script = "flaky.lua" }"#,
    );
    step(&mut game, 20);
    let errors = errors(&game);
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    // calls 2 and 4 fail alone; 6, 7, 8 fail in a row and the third disables it.
    assert_eq!(messages.len(), 6, "{messages:?}");
    assert!(messages[4].contains("flaky 8"), "{messages:?}");
    assert_eq!(messages[5], "handler disabled after 3 errors in a row");
    let (calls, pinged): (i64, bool) = {
        exec(&mut game, r#"world.find("f"):send("ping")"#);
        step(&mut game, 1);
        eval(
            &mut game,
            r#"local s = world.find("f"):script("flaky.lua") return s.calls, s.pinged"#,
        )
        .expect("eval")
    };
    assert_eq!(calls, 8, "update was never called again");
    assert!(pinged, "the instance's other handlers still work");
}
