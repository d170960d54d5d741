//! Shared set-up for the benches: a temp assets folder, a game, raw mlua baselines.
#![allow(dead_code)]

use std::path::Path;

use crescent::game::{Game, GameConfig};
use crescent::script::{ScriptHost, ScriptRuntime};
use mlua::{Function, Lua, Table};

/// The trivial handler every dispatch bench runs, crescent and baselines alike.
pub const MOVER: &str = r#"
local M = {}
function M.init(self) self.x = 0 end
function M.update(self, dt) self.x = self.x + dt end
function M.ping(self, payload, sender) self.x = self.x + payload end
function M.final(self) self.x = nil end
return M
"#;

/// A temp assets folder with `files`.
pub fn assets(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, source) in files {
        std::fs::write(dir.path().join(path), source).expect("write");
    }
    dir
}

/// A game on `dir`, adjusted by `tweak`.
pub fn game(dir: &Path, tweak: impl FnOnce(&mut GameConfig)) -> Game {
    let mut config = GameConfig::new(dir);
    tweak(&mut config);
    Game::new(config).expect("game")
}

/// Runs Lua source with the world lent.
pub fn exec(game: &mut Game, source: &str) {
    ScriptRuntime::lend_world(game.app.world_mut(), |lua| {
        let host = ScriptHost::of(lua).expect("host");
        let env = host.new_env().expect("env");
        host.compile("bench", source.as_bytes(), env)
            .expect("compile")
            .call::<()>(())
            .expect("run");
    })
    .expect("runtime");
}

/// A game with `n` entities running `mover.lua`, past their `init`.
pub fn movers(dir: &Path, n: usize, tweak: impl FnOnce(&mut GameConfig)) -> Game {
    let mut game = game(dir, tweak);
    exec(
        &mut game,
        &format!("for i = 1, {n} do world.spawn{{ script = 'mover.lua' }} end"),
    );
    game.step();
    game.step();
    game
}

/// Lua's used memory in the game's runtime.
pub fn lua_memory(game: &mut Game, collect: bool) -> usize {
    ScriptRuntime::lend_world(game.app.world_mut(), |lua| {
        if collect {
            let _ = lua.gc_collect();
            let _ = lua.gc_collect();
        }
        lua.used_memory()
    })
    .expect("runtime")
}

/// The raw-mlua baseline: the same handler closures and `self` tables, in plain Lua.
pub struct Raw {
    pub lua: Lua,
    pub calls: Vec<(Function, Table)>,
    pub fns: Table,
    pub selves: Table,
}

impl Raw {
    /// `n` instances of `MOVER`'s `event` handler.
    pub fn new(n: usize, event: &str) -> Self {
        let lua = Lua::new();
        let module: Table = lua.load(MOVER).eval().expect("module");
        let handler: Function = module.get(event).expect("handler");
        let fns = lua.create_table().expect("table");
        let selves = lua.create_table().expect("table");
        let mut calls = Vec::with_capacity(n);
        for i in 1..=n {
            let this = lua.create_table().expect("table");
            this.set("x", 0.0).expect("set");
            fns.raw_set(i, handler.clone()).expect("set");
            selves.raw_set(i, this.clone()).expect("set");
            calls.push((handler.clone(), this));
        }
        Self {
            lua,
            calls,
            fns,
            selves,
        }
    }

    /// A pure-Lua loop calling every handler with `(self, arg)` inside one Lua call.
    pub fn lua_loop(&self) -> Function {
        self.lua
            .load("return function(fns, selves, n, a) for i = 1, n do fns[i](selves[i], a) end end")
            .eval()
            .expect("loop")
    }
}

/// Runs Lua source with the world lent; its error as text instead of a panic (for probes).
pub fn try_exec(game: &mut Game, source: &str) -> Result<(), String> {
    ScriptRuntime::lend_world(game.app.world_mut(), |lua| {
        let host = ScriptHost::of(lua).map_err(|e| e.to_string())?;
        let env = host.new_env().map_err(|e| e.to_string())?;
        host.compile("probe", source.as_bytes(), env)
            .map_err(|e| e.to_string())?
            .call::<()>(())
            .map_err(|e| e.to_string())
    })
    .map_err(|e| e.to_string())?
}

/// A game with `n` entities spawned by `world.spawn{ <fields> }` (`fields` may use the loop's
/// `i`), stepped twice so every `init` has run.
pub fn spawned(dir: &Path, n: usize, fields: &str, tweak: impl FnOnce(&mut GameConfig)) -> Game {
    let mut game = game(dir, tweak);
    exec(
        &mut game,
        &format!("for i = 1, {n} do world.spawn{{ {fields} }} end"),
    );
    game.step();
    game.step();
    game
}

/// Script errors reported so far, and the first one kept (as text).
pub fn script_errors(game: &Game) -> (u64, Option<String>) {
    game.app
        .world()
        .get_resource::<crescent::script::ScriptErrorLog>()
        .map_or((0, None), |log| {
            (log.total, log.errors.first().map(ToString::to_string))
        })
}

/// Panics when any script error has been reported: a bench must time working scripts.
pub fn assert_no_script_errors(game: &Game, what: &str) {
    let (total, first) = script_errors(game);
    assert!(
        total == 0,
        "{what}: {total} script errors, first: {}",
        first.unwrap_or_default()
    );
}
