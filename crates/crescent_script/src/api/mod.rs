//! The Lua API: `world`, entity handles, `time` and `log`.

pub(crate) mod entity;
pub(crate) mod instance;
mod log;
pub(crate) mod query;
pub mod spec;
pub(crate) mod task;
mod world;

use std::rc::Rc;

use mlua::{Lua, Table};

use crate::{CrescentError, runtime::Ctx};

pub use entity::LuaEntity;
pub use instance::Connection;
pub use task::LuaTask;

/// Installs the API globals; returns the `time` table the runtime refreshes each phase.
pub(crate) fn install(lua: &Lua, ctx: &Rc<Ctx>, globals: &Table) -> Result<Table, CrescentError> {
    globals.raw_set("world", world::table(lua)?)?;
    globals.raw_set("log", log::table(lua)?)?;
    globals.raw_set("task", task::table(lua)?)?;
    let time = lua.create_table()?;
    for field in ["dt", "fixed_dt", "elapsed"] {
        time.raw_set(field, 0.0)?;
    }
    time.raw_set("frame", 0)?;
    globals.raw_set("time", time.clone())?;
    let _ = ctx;
    Ok(time)
}

/// A fresh script environment in the runtime that owns `lua`: own globals over the shared built-ins.
pub fn new_env(lua: &Lua) -> Result<Table, CrescentError> {
    crate::sandbox::new_env(lua, &*Ctx::of(lua)?)
}

/// Compiles `source` as the text chunk `@chunk_name` in `env` (bytecode is refused).
pub fn compile(
    lua: &Lua,
    chunk_name: &str,
    source: &[u8],
    env: Table,
) -> Result<mlua::Function, CrescentError> {
    crate::loader::compile_source(lua, chunk_name, source, env)
}

/// Runs `f` with the world lent to the runtime that owns `lua`, if one is lent right now.
pub fn with_world<R>(
    lua: &Lua,
    f: impl FnOnce(&mut bevy_ecs::world::World) -> R,
) -> mlua::Result<R> {
    Ctx::of(lua)?.world.with(f).map_err(lua_err)
}

/// Runs `f` under the runtime's instruction budget, as a handler call would: for code that
/// drives Lua directly and must not hang on a runaway loop (a test body, say).
pub fn budgeted<R>(lua: &Lua, f: impl FnOnce() -> R) -> mlua::Result<R> {
    let ctx = Ctx::of(lua)?;
    let _budget = ctx.budget.enter();
    Ok(f())
}

/// Publishes the script errors reported so far (log, [`ScriptErrorLog`](crate::ScriptErrorLog),
/// messages) without waiting for the end of the current phase.
pub fn publish_errors(lua: &Lua) -> mlua::Result<()> {
    let ctx = Ctx::of(lua)?;
    ctx.world
        .with(|world| crate::systems::publish_errors(world, &ctx))
        .map_err(lua_err)
}

/// Hot-reloads `path` with `source` in place of its file, as `t:reload` does.
pub fn reload(lua: &Lua, path: &str, source: Vec<u8>) -> mlua::Result<bool> {
    crate::reload::reload(lua, &*Ctx::of(lua)?, path, Some(source)).map_err(lua_err)
}

/// The message of an mlua error without its traceback: `file:line: message` where known.
pub fn error_message(err: &mlua::Error) -> String {
    crate::error::split_lua_error(err).0
}

/// Converts an API error into a Lua error raised at the caller's line.
pub(crate) fn lua_err(err: CrescentError) -> mlua::Error {
    mlua::Error::from(err)
}
