//! A hostile script, driven at random: huge names, ever-new event names, lifecycle names
//! as events, coroutine handles kept across tasks, writes to `package`, failing and
//! despawned handlers, huge error messages. Whatever the sequence: no panic, every
//! Rust-side structure script input grows stays within its limit, and a bystander
//! script's view of the shared tables (and of its own tasks) never changes.

mod common;

use crescent::game::{Game, GameConfig};
use crescent::script::{RustUsage, ScriptConfig, ScriptErrorLog, ScriptRuntime, ToScripts};
use proptest::prelude::*;

const JOURNAL: &str = "return { bad = {}, kept = {}, uid = 0 }";

/// The bystander: checks every frame that its view of the shared tables is what it was,
/// and that its tasks are resumed by the scheduler only.
const VICTIM: &str = r#"
local hj = require("hj")
local function view()
  return table.concat({
    type(string.format), type(package.loaded.string.format), package.config,
    package.path, tostring(rawequal(package.loaded.hj, hj)), type(table.insert),
    type(coroutine.resume), type(require("string").rep), tostring(package.loaded.injected),
  }, "|")
end
local victim = {}
function victim.init(self)
  self.view = view()
  self.inits = (self.inits or 0) + 1
  if self.inits > 1 then hj.bad[#hj.bad + 1] = "init ran twice" end
end
function victim.update(self, dt)
  if type(dt) ~= "number" then hj.bad[#hj.bad + 1] = "update got dt " .. tostring(dt) end
  if view() ~= self.view then hj.bad[#hj.bad + 1] = "view changed: " .. view() end
  task.spawn(function()
    local waited = task.wait(0)
    if type(waited) ~= "number" then hj.bad[#hj.bad + 1] = "task got " .. tostring(waited) end
  end)
end
function victim.final(self)
  hj.bad[#hj.bad + 1] = "final ran on a live victim"
end
return victim
"#;

const FAILING: &str = "return { update = function() error(string.rep('e', 100000)) end }";
const HOSTILE: &str = "return { init = function(self) end }";

#[derive(Clone, Debug)]
enum Op {
    HugeName(usize),
    UniqueEvents(usize),
    UniqueHandlers(usize),
    Lifecycle(usize),
    LifecycleFromRust(usize),
    KeepCoroutine,
    UseKept,
    PackageWrite(usize),
    Failing,
    Step(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1usize..300).prop_map(Op::HugeName),
        (1usize..200).prop_map(Op::UniqueEvents),
        (1usize..100).prop_map(Op::UniqueHandlers),
        (0usize..5).prop_map(Op::Lifecycle),
        (0usize..5).prop_map(Op::LifecycleFromRust),
        Just(Op::KeepCoroutine),
        Just(Op::UseKept),
        (0usize..6).prop_map(Op::PackageWrite),
        Just(Op::Failing),
        (1usize..4).prop_map(Op::Step),
    ]
}

const LIFECYCLE: [&str; 5] = ["init", "update", "fixed_update", "final", "on_reload"];

const PACKAGE_WRITES: [&str; 6] = [
    "package.loaded.string.format = nil",
    "package.config = 'poison'; package.path = 'poison'",
    "package.loaded.hj = 'poison'; package.loaded.injected = 'poison'",
    "package.loaded.table.insert = nil; string.format = nil",
    "package.loaded.coroutine.resume = nil; package.loaded.package = nil",
    "local s = require('string'); s.rep = nil; package = nil",
];

fn config() -> ScriptConfig {
    ScriptConfig {
        max_name_bytes: 64,
        max_event_names: 300,
        max_queued_events: 500,
        error_log_capacity: 50,
        max_error_bytes: 256,
        max_payload_bytes: 4096,
        ..ScriptConfig::default()
    }
}

fn lua_op(op: &Op) -> String {
    match op {
        Op::HugeName(len) => format!(
            "local n = string.rep('x', {len}) local v = world.find('victim')
             v:send(n, 1) world.broadcast(n)
             pcall(world.spawn, {{ name = n }}) pcall(world.emit, n, {{}})
             pcall(world.emit, 'p', {{ string.rep('y', {len} * 20) }})"
        ),
        Op::UniqueEvents(n) => format!(
            "local hj = require('hj') for i = 1, {n} do hj.uid = hj.uid + 1
             world.broadcast('u' .. hj.uid, i) world.find('victim'):send('v' .. hj.uid) end"
        ),
        Op::UniqueHandlers(n) => format!(
            "local hj = require('hj') local s = world.find('hostile'):script('hostile.lua')
             for i = 1, {n} do hj.uid = hj.uid + 1 pcall(s.on, s, 'h' .. hj.uid, function() end) end"
        ),
        Op::Lifecycle(i) => format!(
            "world.find('victim'):send('{0}', 'x') world.broadcast('{0}', 'x')",
            LIFECYCLE[*i]
        ),
        Op::LifecycleFromRust(_) => String::new(),
        Op::KeepCoroutine => "local hj = require('hj')
             task.spawn(function() hj.kept[#hj.kept + 1] = coroutine.running()
             local w = task.wait(0.02)
             if type(w) ~= 'number' then hj.bad[#hj.bad + 1] = 'kept task got ' .. tostring(w) end end)"
            .to_owned(),
        Op::UseKept => "for _, co in ipairs(require('hj').kept) do
             pcall(coroutine.resume, co, 'injected') pcall(coroutine.close, co) end"
            .to_owned(),
        Op::PackageWrite(i) => format!("pcall(function() {} end)", PACKAGE_WRITES[*i]),
        Op::Failing => "world.spawn{ script = 'failing.lua' } world.spawn{ script = 'failing.lua' }:despawn()"
            .to_owned(),
        Op::Step(_) => String::new(),
    }
}

fn usage(game: &Game) -> RustUsage {
    game.app
        .world()
        .get_non_send::<ScriptRuntime>()
        .expect("runtime")
        .rust_usage()
}

fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let assets = common::temp_assets(&[
        ("hj.lua", JOURNAL),
        ("victim.lua", VICTIM),
        ("failing.lua", FAILING),
        ("hostile.lua", HOSTILE),
    ]);
    let limits = config();
    let mut game = Game::new(GameConfig {
        script: limits.clone(),
        ..GameConfig::new(assets.path())
    })
    .expect("game");
    common::exec(
        &mut game,
        "world.spawn{ name = 'victim', script = 'victim.lua' }
         world.spawn{ name = 'hostile', script = 'hostile.lua' }",
    );
    common::step(&mut game, 1);
    for op in ops {
        match op {
            Op::Step(n) => common::step(&mut game, *n),
            Op::LifecycleFromRust(i) => {
                game.app
                    .world_mut()
                    .write_message(ToScripts::broadcast(LIFECYCLE[*i], serde_json::json!(1)));
                common::step(&mut game, 1);
            }
            other => {
                // A refused operation is fine; a Lua error escaping pcall is too: the
                // point is what it does to Rust and to the bystander.
                let _ = common::eval::<()>(&mut game, &lua_op(other));
            }
        }
        let used = usage(&game);
        prop_assert!(used.event_names <= limits.max_event_names, "{used:?}");
        prop_assert!(
            used.event_name_bytes <= limits.max_event_names * limits.max_name_bytes,
            "{used:?}"
        );
        prop_assert!(used.queued_events <= limits.max_queued_events, "{used:?}");
        prop_assert!(
            used.pending_errors <= limits.error_log_capacity.max(1000),
            "{used:?}"
        );
        prop_assert!(used.logged_pairs <= 4096, "{used:?}");
        prop_assert!(used.tasks <= 1000, "{used:?}");
    }
    common::step(&mut game, 2);
    let used = usage(&game);
    let handlers = game
        .app
        .world()
        .get_non_send::<ScriptRuntime>()
        .expect("runtime")
        .handler_count();
    prop_assert!(
        used.error_streaks <= handlers,
        "{used:?}, {handlers} handlers"
    );
    let log = game.app.world().resource::<ScriptErrorLog>();
    for error in &log.errors {
        prop_assert!(
            error.message.len() <= limits.max_error_bytes + 64,
            "{}",
            error.message.len()
        );
        prop_assert!(error.traceback.len() <= limits.max_error_bytes + 64);
    }
    let bad: Vec<String> =
        common::eval(&mut game, "return require('hj').bad").map_err(TestCaseError::fail)?;
    prop_assert!(bad.is_empty(), "the bystander saw: {bad:?}");
    let watching: bool = common::eval(
        &mut game,
        "local v = world.find('victim') return v ~= nil and v:script('victim.lua').view ~= nil",
    )
    .map_err(TestCaseError::fail)?;
    prop_assert!(watching, "the bystander is alive and checked its view");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, max_shrink_iters: 100, ..ProptestConfig::default() })]

    #[test]
    fn hostile_operations_stay_bounded_and_never_reach_a_bystander(
        ops in proptest::collection::vec(op(), 1..24)
    ) {
        run(&ops)?;
    }
}

#[test]
fn every_kind_of_hostile_operation_at_once() {
    let ops: Vec<Op> = vec![
        Op::HugeName(5000),
        Op::UniqueEvents(400),
        Op::UniqueHandlers(400),
        Op::KeepCoroutine,
        Op::Step(1),
        Op::KeepCoroutine,
        Op::UseKept,
        Op::Step(2),
        Op::UseKept,
        Op::Lifecycle(0),
        Op::Lifecycle(3),
        Op::LifecycleFromRust(1),
        Op::LifecycleFromRust(3),
        Op::PackageWrite(0),
        Op::PackageWrite(1),
        Op::PackageWrite(2),
        Op::PackageWrite(3),
        Op::PackageWrite(4),
        Op::PackageWrite(5),
        Op::Failing,
        Op::Step(3),
    ];
    run(&ops).expect("bounded and unreached");
}
