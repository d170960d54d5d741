//! The Lua test runner behind `crescent test`.
//!
//! A test file calls `test(name, function(t) ... end)`. Each test runs in a fresh world
//! with a fresh Lua state (the file is run again for every test, so tests share nothing).
//! The test function runs as a coroutine: `t:step(n)` yields to the runner, which steps
//! the app `n` frames outside of Lua and resumes the test.

mod discover;

use std::{
    cell::Cell,
    path::{Path, PathBuf},
    rc::Rc,
};

use bevy_ecs::world::World;
use crescent_script::{CrescentError, ScriptErrorLog, ScriptHost, ScriptRuntime};
use mlua::{Function, Lua, MultiValue, Table, Value, thread::ThreadStatus};

use crate::game::{Game, GameConfig};

pub use discover::{discover, lua_files};

/// The outcome of one test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// The test file, as given.
    pub file: String,
    /// The test's name (the file's name when the file itself failed to load).
    pub name: String,
    /// `None` when it passed, else the failure (`file:line: message`).
    pub failure: Option<String>,
}

impl TestOutcome {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }

    /// The line `crescent test` prints for it.
    pub fn line(&self) -> String {
        match &self.failure {
            None => format!("ok   {} :: {}", self.file, self.name),
            Some(failure) => format!(
                "FAIL {} :: {}\n     {}",
                self.file,
                self.name,
                failure.replace('\n', "\n     ")
            ),
        }
    }
}

/// All outcomes of a run.
#[derive(Debug, Clone, Default)]
pub struct TestSummary {
    /// Every test, in run order.
    pub outcomes: Vec<TestOutcome>,
}

impl TestSummary {
    /// Tests that passed.
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.passed()).count()
    }

    /// Tests that failed.
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed()
    }

    /// The closing line: `N passed, N failed`.
    pub fn closing_line(&self) -> String {
        format!("{} passed, {} failed", self.passed(), self.failed())
    }
}

/// Runs every test in `files` against the assets folder `assets`, calling `on_outcome`
/// as each finishes.
pub fn run_files(
    assets: &Path,
    files: &[PathBuf],
    mut on_outcome: impl FnMut(&TestOutcome),
) -> TestSummary {
    let mut summary = TestSummary::default();
    for file in files {
        for outcome in run_file(assets, file) {
            on_outcome(&outcome);
            summary.outcomes.push(outcome);
        }
    }
    summary
}

/// Runs every test of one file.
pub fn run_file(assets: &Path, file: &Path) -> Vec<TestOutcome> {
    let display = file.to_string_lossy().replace('\\', "/");
    let file_failure = |failure: String| {
        vec![TestOutcome {
            file: display.clone(),
            name: display.clone(),
            failure: Some(failure),
        }]
    };
    let source = match std::fs::read(file) {
        Ok(source) => source,
        Err(err) => return file_failure(format!("cannot read {display}: {err}")),
    };
    let names = match collect_tests(assets, &source, &display) {
        Ok(names) => names,
        Err(err) => return file_failure(err),
    };
    names
        .into_iter()
        .enumerate()
        .map(|(index, name)| TestOutcome {
            failure: run_one(assets, &source, &display, index).err(),
            file: display.clone(),
            name,
        })
        .collect()
}

/// A fresh game for one test: 60 Hz, the given assets folder.
fn fresh_game(assets: &Path) -> Game {
    Game::new_unchecked(GameConfig::new(assets))
}

/// Runs the file in a fresh world and returns its test names and functions.
fn load_tests(lua: &Lua, source: &[u8], chunk: &str) -> Result<Vec<(String, Function)>, String> {
    let host = ScriptHost::of(lua).map_err(|e| e.to_string())?;
    let env = host.new_env().map_err(|e| e.to_string())?;
    let tests = lua.create_table().map_err(|e| e.to_string())?;
    // `test` collects only while the file's top level runs: a call from inside a test
    // body (a nested test) is an error, not a test silently never run.
    let collecting = Rc::new(Cell::new(true));
    let collector = {
        let tests = tests.clone();
        let collecting = Rc::clone(&collecting);
        lua.create_function(move |lua, (name, body): (Value, Value)| {
            if !collecting.get() {
                return Err(mlua::Error::runtime(
                    "test() inside a test: tests cannot be nested; call test(name, fn) at the top level of the file",
                ));
            }
            let Value::String(name) = name else {
                return Err(mlua::Error::runtime(format!(
                    "test(name, fn) expects a string name, got {}",
                    lua_type(&name)
                )));
            };
            let Value::Function(body) = body else {
                return Err(mlua::Error::runtime(format!(
                    "test(name, fn) expects a function as its second argument, got {}",
                    lua_type(&body)
                )));
            };
            let pair = lua.create_table()?;
            pair.raw_set(1, name)?;
            pair.raw_set(2, body)?;
            tests.raw_push(pair)
        })
        .map_err(|e| e.to_string())?
    };
    env.raw_set("test", collector).map_err(|e| e.to_string())?;
    let file = host
        .compile(chunk, source, env)
        .map_err(|e| e.to_string())?;
    let ran = host.budgeted(|| file.call::<()>(()));
    collecting.set(false);
    ran.map_err(|e| ScriptHost::error_message(&e))?;
    let mut out = Vec::new();
    for pair in tests.sequence_values::<Table>() {
        let pair = pair.map_err(|e| e.to_string())?;
        let name: String = pair.raw_get(1).map_err(|e| e.to_string())?;
        let body: Function = pair.raw_get(2).map_err(|e| e.to_string())?;
        out.push((name, body));
    }
    Ok(out)
}

/// The name Lua's `type()` gives a value (mlua says "integer" for some numbers).
fn lua_type(value: &Value) -> &'static str {
    match value {
        Value::Integer(_) | Value::Number(_) => "number",
        other => other.type_name(),
    }
}

fn collect_tests(assets: &Path, source: &[u8], chunk: &str) -> Result<Vec<String>, String> {
    let mut game = fresh_game(assets);
    let names =
        ScriptRuntime::lend_world(game.app.world_mut(), |lua| load_tests(lua, source, chunk))
            .map_err(|e| e.to_string())??;
    Ok(names.into_iter().map(|(name, _)| name).collect())
}

/// Runs test number `index` of the file in a fresh world.
/// Frames one test may step in all (about 28 minutes of game time at 60 Hz): a test that
/// asks for more fails at once rather than keeping the run busy for hours.
pub const MAX_FRAMES_PER_TEST: i64 = 100_000;

fn run_one(assets: &Path, source: &[u8], chunk: &str, index: usize) -> Result<(), String> {
    let mut game = fresh_game(assets);
    let (thread, t, step) =
        ScriptRuntime::lend_world(game.app.world_mut(), |lua| -> Result<_, String> {
            let tests = load_tests(lua, source, chunk)?;
            let (_, body) = tests
                .into_iter()
                .nth(index)
                .ok_or_else(|| format!("test #{} vanished when {chunk} ran again", index + 1))?;
            let step = lua.create_table().map_err(|e| e.to_string())?;
            let t = harness(lua, &step).map_err(|e| e.to_string())?;
            let thread = lua.create_thread(body).map_err(|e| e.to_string())?;
            Ok((thread, t, step))
        })
        .map_err(|e| e.to_string())??;
    let mut args = Some(t);
    let mut stepped: i64 = 0;
    loop {
        // Each stretch of a test between two `t:step`s runs under the instruction budget,
        // like a task resume, so a runaway loop fails the test instead of hanging the run.
        let resumed = ScriptRuntime::lend_world(game.app.world_mut(), |lua| {
            let host = ScriptHost::of(lua)?;
            Ok::<_, CrescentError>(host.budgeted(|| match args.take() {
                Some(t) => thread.resume::<MultiValue>(t),
                None => thread.resume::<MultiValue>(()),
            }))
        })
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        let values = resumed.map_err(|e| ScriptHost::error_message(&e))?;
        if thread.status() != ThreadStatus::Resumable {
            return Ok(());
        }
        let frames = match (values.front(), values.get(1)) {
            (Some(Value::Table(token)), Some(n)) if *token == step => match n {
                Value::Integer(i) => *i,
                Value::Number(x) => *x as i64,
                _ => 0,
            },
            _ => {
                return Err(
                    "the test yielded outside t:step (coroutine.yield at the test's top level)"
                        .into(),
                );
            }
        };
        stepped = stepped.saturating_add(frames);
        if stepped > MAX_FRAMES_PER_TEST {
            return Err(format!(
                "t:step({frames}) takes the test past {MAX_FRAMES_PER_TEST} frames, the most one test may run"
            ));
        }
        for _ in 0..frames {
            game.step();
        }
    }
}

/// Builds `t` for one test: the Lua harness plus `t:errors()` reading the world's error log.
fn harness(lua: &Lua, step: &Table) -> mlua::Result<Table> {
    let errors = lua.create_function(|lua, ()| {
        let host = ScriptHost::of(lua)?;
        host.publish_errors()?;
        let log = host.with_world(|world: &mut World| {
            world
                .get_resource::<ScriptErrorLog>()
                .map(|l| l.errors.clone())
                .unwrap_or_default()
        })?;
        let list = lua.create_table()?;
        for error in log {
            let entry = lua.create_table()?;
            entry.raw_set("frame", error.frame)?;
            entry.raw_set("entity", error.entity.map(|e| e.to_bits() as i64))?;
            entry.raw_set("script", error.script)?;
            entry.raw_set("event", error.event)?;
            entry.raw_set("message", error.message)?;
            entry.raw_set("traceback", error.traceback)?;
            list.raw_push(entry)?;
        }
        Ok(list)
    })?;
    let reload = lua.create_function(|lua, (path, source): (String, mlua::LuaString)| {
        Ok(ScriptHost::of(lua)?.reload(&path, source.as_bytes().to_vec())?)
    })?;
    lua.load(include_str!("harness.lua"))
        .set_name("@crescent/harness.lua")
        .call::<Table>((step.clone(), errors, reload))
}
