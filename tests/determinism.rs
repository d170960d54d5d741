//! Replays are deterministic across processes: the same scripts give the same results in
//! every run, not just within one process.
//!
//! Stock Lua seeds its string hash from the clock and from addresses, so `pairs` over
//! string keys (and all that follows from it) changes from one process to the next;
//! crescent builds Lua with a fixed seed. The instruction budget stops a loop at the same
//! instruction everywhere. The test runs this file's report in two child processes (this
//! test binary, run again for this one test) and in its own, and compares all three.

mod common;

use std::process::Command;

use common::{eval, exec, step, temp_assets};
use crescent::game::{Game, GameConfig};
use crescent::script::{ScriptBudget, ScriptErrorLog};

const CHILD: &str = "CRESCENT_DETERMINISM_CHILD";
const MARK: &str = "REPORT:";

const COUNTER: &str = r#"
return {
  init = function(self) self.n = 0 end,
  update = function(self, dt)
    if self.mode == "loop" then
      while true do self.n = self.n + 1 end
    end
    local function tree(d)
      if d > 0 then
        self.n = self.n + 1
        coroutine.wrap(tree)(d - 1)
        coroutine.wrap(tree)(d - 1)
      end
    end
    tree(30)
  end,
}
"#;

/// What the scripts observably did: string-key and entity-key order, and where the budget
/// stopped a loop and a coroutine tree.
fn report() -> String {
    let assets = temp_assets(&[("counter.lua", COUNTER)]);
    let mut config = GameConfig::new(assets.path());
    config.script.budget = ScriptBudget::Instructions {
        per_call: 300_000,
        per_frame: None,
    };
    let mut game = Game::new(config).expect("game");
    let order: String = eval(
        &mut game,
        r#"local t = {}
           for i = 1, 200 do t["key" .. (i * 7919 % 1000)] = i end
           t.alpha, t.beta, t.gamma = 1, 2, 3
           local keys = {}
           for k in pairs(t) do keys[#keys + 1] = k end
           -- Entity handles as keys: an entity's handle is its id, not an address.
           local by_entity = {}
           for i = 1, 50 do by_entity[world.spawn{}] = i end
           for _, i in pairs(by_entity) do keys[#keys + 1] = i end
           return table.concat(keys, ",")"#,
    )
    .expect("order");
    exec(
        &mut game,
        r#"world.spawn{ name = "loop", script = "counter.lua", props = { mode = "loop" } }
           world.spawn{ name = "tree", script = "counter.lua", props = { mode = "tree" } }"#,
    );
    step(&mut game, 2);
    let stopped: String = eval(
        &mut game,
        r#"return world.find("loop"):script("counter.lua").n .. "/" ..
                  world.find("tree"):script("counter.lua").n"#,
    )
    .expect("counts");
    let errors = game.app.world().resource::<ScriptErrorLog>().errors.len();
    format!("{order};stopped={stopped};errors={errors}")
}

#[test]
fn pairs_order_and_instruction_budget_stops_are_the_same_in_every_process() {
    let here = report();
    if std::env::var_os(CHILD).is_some() {
        println!("{MARK}{here}");
        return;
    }
    assert!(
        here.contains("alpha") && here.contains("errors=4"),
        "{here}"
    );
    let exe = std::env::current_exe().expect("test binary");
    for run in 0..2 {
        let out = Command::new(&exe)
            .args([
                "pairs_order_and_instruction_budget_stops_are_the_same_in_every_process",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .expect("child process");
        assert!(out.status.success(), "child {run} failed: {out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let child = stdout
            .lines()
            .find_map(|line| line.split_once(MARK).map(|(_, report)| report))
            .unwrap_or_else(|| panic!("child {run} printed no report: {stdout}"));
        assert_eq!(child, here, "child process {run} differs from this one");
    }
}
