//! Property tests: random sequences of world operations keep the core's invariants.
//!
//! After every operation: the registry holds exactly the handlers the live entities'
//! components name; no key of a dead entity resolves; `final` ran at most once per
//! instance, only after its `init`, never for a live one, and (after a frame) for every
//! instance that went away; errors are `ScriptError`s. The same sequence run twice gives
//! the same stats and the same event journal.

mod common;

use std::collections::{BTreeSet, HashMap};

use bevy_ecs::entity::Entity;
use crescent::game::Game;
use crescent::script::{
    HandlerKey, InstanceState, PendingCleanup, ScriptErrorLog, ScriptHandlers, ScriptRuntime,
    ScriptStats,
};
use proptest::prelude::*;

const JOURNAL: &str = r#"
local j = { entries = {}, uid = 0, bag = {} }
function j.add(e) j.entries[#j.entries + 1] = e end
function j.next_uid() j.uid = j.uid + 1 return j.uid end
function j.base(extra)
  local M = {}
  function M.init(self) self.uid = j.next_uid() j.add("init:" .. self.uid) if extra.init then extra.init(self) end end
  function M.update(self, dt) self.n = (self.n or 0) + 1 if extra.update then extra.update(self, dt) end end
  function M.ping(self, payload, sender) j.add("ping:" .. self.uid) end
  function M.final(self) j.add("final:" .. self.uid) end
  return M
end
return j
"#;

const SCRIPTS: [(&str, &str); 5] = [
    ("p_plain.lua", "local j = require('pjournal') return j.base({})"),
    (
        "p_flaky.lua",
        "local j = require('pjournal') return j.base({ update = function(self) if self.n % 3 == 0 then error('flaky ' .. self.uid) end end })",
    ),
    (
        "p_spawner.lua",
        "local j = require('pjournal') return j.base({
           init = function(self) if self.uid % 2 == 0 then j.bag[#j.bag + 1] = world.spawn{ script = 'p_plain.lua' } end end,
           update = function(self) if self.uid % 3 == 0 and self.n == 3 then self.entity:despawn() end end })",
    ),
    (
        "p_chatter.lua",
        "local j = require('pjournal') return j.base({ update = function(self)
           if self.n % 2 == 0 then world.broadcast('ping', {}) end
           local e = j.bag[(self.uid + self.n) % math.max(#j.bag, 1) + 1]
           if e then e:send('ping', {}) end end })",
    ),
    (
        "p_tasker.lua",
        "local j = require('pjournal') return j.base({ init = function(self)
           task.spawn(function() while true do task.wait(0.05) j.add('tick:' .. self.uid) end end)
           task.delay(0.1, function() j.add('late:' .. self.uid) end) end })",
    ),
];

#[derive(Debug, Clone)]
enum Op {
    Spawn(Vec<usize>),
    Attach(usize, usize),
    Detach(usize, usize),
    DespawnRust(usize),
    DespawnLua(usize),
    Send(usize),
    Broadcast,
    Step(usize),
    Reload(usize),
    Gc,
}

fn op() -> impl Strategy<Value = Op> {
    let script = 0..SCRIPTS.len();
    prop_oneof![
        3 => proptest::collection::vec(script.clone(), 0..=3).prop_map(Op::Spawn),
        1 => (0..8usize, script.clone()).prop_map(|(t, s)| Op::Attach(t, s)),
        1 => (0..8usize, script.clone()).prop_map(|(t, s)| Op::Detach(t, s)),
        1 => (0..8usize).prop_map(Op::DespawnRust),
        1 => (0..8usize).prop_map(Op::DespawnLua),
        1 => (0..8usize).prop_map(Op::Send),
        1 => Just(Op::Broadcast),
        3 => (1..=5usize).prop_map(Op::Step),
        1 => script.prop_map(Op::Reload),
        1 => Just(Op::Gc),
    ]
}

/// Runs Lua and ignores script-level errors (bad targets are part of the game).
fn lua(game: &mut Game, source: &str) {
    let _ = common::eval::<()>(game, source);
}

fn bag_entity(game: &mut Game, index: usize) -> Option<Entity> {
    let bits: Option<i64> = common::eval(
        game,
        &format!("local b = require('pjournal').bag local e = b[{index} % math.max(#b, 1) + 1] return e and e:id()"),
    )
    .ok()?;
    bits.and_then(|b| Entity::try_from_bits(b as u64))
}

fn apply(game: &mut Game, op: &Op) {
    let path = |s: usize| SCRIPTS[s].0;
    match op {
        Op::Spawn(scripts) => {
            let list: Vec<String> = scripts.iter().map(|&s| format!("'{}'", path(s))).collect();
            lua(
                game,
                &format!(
                    "local j = require('pjournal') j.bag[#j.bag + 1] = world.spawn{{ script = {{ {} }} }}",
                    list.join(", ")
                ),
            );
        }
        Op::Attach(t, s) => lua(
            game,
            &format!(
                "local b = require('pjournal').bag local e = b[{t} % math.max(#b, 1) + 1] if e and e:alive() then e:attach('{}') end",
                path(*s)
            ),
        ),
        Op::Detach(t, s) => lua(
            game,
            &format!(
                "local b = require('pjournal').bag local e = b[{t} % math.max(#b, 1) + 1] if e then e:detach('{}') end",
                path(*s)
            ),
        ),
        Op::DespawnLua(t) => lua(
            game,
            &format!(
                "local b = require('pjournal').bag local e = b[{t} % math.max(#b, 1) + 1] if e then e:despawn() end"
            ),
        ),
        Op::DespawnRust(t) => {
            if let Some(entity) = bag_entity(game, *t) {
                let _ = game.app.world_mut().try_despawn(entity);
            }
        }
        Op::Send(t) => lua(
            game,
            &format!(
                "local b = require('pjournal').bag local e = b[{t} % math.max(#b, 1) + 1] if e then e:send('ping', {{}}) end"
            ),
        ),
        Op::Broadcast => lua(game, "world.broadcast('ping', {})"),
        Op::Step(n) => (0..*n).for_each(|_| game.step()),
        Op::Reload(s) => {
            let source = format!("{}\n-- reloaded", SCRIPTS[*s].1);
            let _ =
                ScriptRuntime::reload(game.app.world_mut(), path(*s), Some(source.into_bytes()));
        }
        Op::Gc => {
            let _ = ScriptRuntime::lend_world(game.app.world_mut(), |lua| lua.gc_collect());
        }
    }
}

/// Checks the invariants; `after_frame` adds the ones that hold once cleanup has run.
fn check(
    game: &mut Game,
    seen: &mut HashMap<HandlerKey, Entity>,
    after_frame: bool,
) -> Result<(), TestCaseError> {
    let world = game.app.world_mut();
    let mut query = world.query::<(Entity, &ScriptHandlers)>();
    for (entity, handlers) in query.iter(world) {
        for key in handlers.handlers() {
            seen.insert(*key, entity);
        }
    }
    let runtime = world
        .get_non_send::<ScriptRuntime>()
        .ok_or_else(|| TestCaseError::fail("runtime"))?;
    // Instances detached or despawned from Rust between frames are cleaned up when the
    // next frame starts; until then they wait in `PendingCleanup`, handlers and all.
    let mut expected: Vec<HandlerKey> = Vec::new();
    for (_, handlers) in query.iter(world) {
        expected.extend(handlers.handlers().iter().copied());
    }
    for &instance in world.resource::<PendingCleanup>().instances() {
        if let Ok(handlers) = runtime.instance_handlers(instance) {
            expected.extend(handlers);
        }
    }
    let expected: std::collections::HashSet<HandlerKey> = expected.into_iter().collect();
    prop_assert_eq!(
        runtime.handler_count(),
        expected.len(),
        "registry == reachable keys"
    );
    for key in &expected {
        prop_assert!(
            runtime.is_registered(*key),
            "a reachable key is not in the registry"
        );
    }
    for (key, entity) in seen.iter() {
        if world.get_entity(*entity).is_err() {
            prop_assert!(
                ScriptRuntime::resolve(world, *key).is_err(),
                "a dead entity's key resolves"
            );
        }
    }
    let mut live_uids = BTreeSet::new();
    for key in runtime.instances() {
        if runtime.instance_state(key) == Ok(InstanceState::Active)
            && let Ok(this) = runtime.instance_self(key)
            && let Ok(Some(uid)) = this.raw_get::<Option<i64>>("uid")
        {
            live_uids.insert(uid);
        }
    }
    let entries: Vec<String> =
        common::eval(game, "return require('pjournal').entries").unwrap_or_default();
    let count = |kind: &str, uid: i64| {
        entries
            .iter()
            .filter(|e| **e == format!("{kind}:{uid}"))
            .count()
    };
    let uids: BTreeSet<i64> = entries
        .iter()
        .filter_map(|e| e.strip_prefix("init:").and_then(|u| u.parse().ok()))
        .collect();
    for uid in uids {
        prop_assert_eq!(count("init", uid), 1);
        let finals = count("final", uid);
        prop_assert!(finals <= 1, "final twice for {}", uid);
        if live_uids.contains(&uid) {
            prop_assert_eq!(finals, 0, "final for live instance {}", uid);
        } else if after_frame {
            prop_assert_eq!(finals, 1, "no final for gone instance {}", uid);
        }
    }
    let log = game.app.world().resource::<ScriptErrorLog>();
    for error in &log.errors {
        prop_assert!(!error.script.is_empty() && !error.event.is_empty());
        prop_assert!(!error.message.contains("panicked"));
    }
    Ok(())
}

fn run(ops: &[Op]) -> Result<(ScriptStats, Vec<String>), TestCaseError> {
    let mut files: Vec<(&str, &str)> = SCRIPTS.to_vec();
    files.push(("pjournal.lua", JOURNAL));
    let assets = common::temp_assets(&files);
    let mut game = common::game(assets.path());
    let mut seen = HashMap::new();
    for op in ops {
        apply(&mut game, op);
        check(&mut game, &mut seen, matches!(op, Op::Step(_)))?;
    }
    game.step();
    check(&mut game, &mut seen, true)?;
    let mut stats = game.app.world().resource::<ScriptStats>().clone();
    stats.lua_memory_bytes = 0;
    let entries: Vec<String> =
        common::eval(&mut game, "return require('pjournal').entries").unwrap_or_default();
    Ok((stats, entries))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_worlds_keep_the_invariants(ops in proptest::collection::vec(op(), 1..40)) {
        let first = run(&ops)?;
        let second = run(&ops)?;
        prop_assert_eq!(&first.0, &second.0, "same stats");
        prop_assert_eq!(&first.1, &second.1, "same journal");
    }
}
