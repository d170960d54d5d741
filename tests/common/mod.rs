//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use crescent::game::{Game, GameConfig};
use crescent::script::{ScriptHost, ScriptRuntime};
use mlua::FromLuaMulti;

/// The repository's assets folder.
pub fn repo_assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets")
}

/// A temporary assets folder holding `files` (path, source).
pub fn temp_assets(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, source) in files {
        let full = dir.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(full, source).expect("write script");
    }
    dir
}

/// A 60 Hz game on `assets`.
pub fn game(assets: &Path) -> Game {
    Game::new(GameConfig::new(assets)).expect("game")
}

/// Evaluates a Lua chunk (full API, world lent) and converts its results.
pub fn eval<R: FromLuaMulti>(game: &mut Game, source: &str) -> Result<R, String> {
    ScriptRuntime::lend_world(game.app.world_mut(), |lua| {
        let host = ScriptHost::of(lua).map_err(|e| e.to_string())?;
        let env = host.new_env().map_err(|e| e.to_string())?;
        host.compile("eval", source.as_bytes(), env)
            .map_err(|e| e.to_string())?
            .call::<R>(())
            .map_err(|e| ScriptHost::error_message(&e))
    })
    .map_err(|e| e.to_string())?
}

/// Runs a Lua chunk for its effects, panicking with Lua's message on error.
pub fn exec(game: &mut Game, source: &str) {
    if let Err(err) = eval::<()>(game, source) {
        panic!("Lua failed: {err}");
    }
}

/// Steps `n` frames.
pub fn step(game: &mut Game, n: usize) {
    for _ in 0..n {
        game.step();
    }
}

/// A userdata that holds an `Rc`, so tests can watch Lua release it.
pub struct Token(#[allow(dead_code)] pub std::rc::Rc<()>);

/// Installs `make_token()` in the game's Lua: each call hands Lua a new [`Token`] holding
/// `token`. The factory itself holds only a weak reference, so the strong count is one
/// (the caller's) plus the tokens Lua still holds.
pub fn install_token_factory(game: &mut Game, token: &std::rc::Rc<()>) {
    let weak = std::rc::Rc::downgrade(token);
    ScriptRuntime::lend_world(game.app.world_mut(), move |lua| {
        let factory = lua
            .create_function(move |lua, ()| {
                let token = weak
                    .upgrade()
                    .ok_or_else(|| mlua::Error::runtime("token gone"))?;
                lua.create_any_userdata(Token(token))
            })
            .expect("factory");
        ScriptHost::of(lua)
            .and_then(|host| host.set_global("make_token", factory))
            .expect("global");
    })
    .expect("runtime");
}

/// The entity named `name` (panics when there is none).
pub fn entity_named(game: &mut Game, name: &str) -> bevy_ecs::entity::Entity {
    let world = game.app.world_mut();
    world
        .query::<(bevy_ecs::entity::Entity, &crescent::ecs::Name)>()
        .iter(world)
        .find(|(_, n)| n.as_str() == name)
        .map(|(e, _)| e)
        .unwrap_or_else(|| panic!("no entity named {name}"))
}
