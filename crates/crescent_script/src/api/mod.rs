//! Layer 5, the Lua API bindings: `world`, entity handles, `self:on`, `task`, `log`.
//!
//! Bindings only: each function converts its Lua arguments, calls a verb of the
//! frame layer (or reads the world through the VM's world slot), and
//! converts the result back. No rule of the runtime lives here.
//!
//! [`spec`] describes the whole API as data; `crescent types` renders it as LuaLS
//! annotations and the tests check it against these bindings.

mod components;
mod entity;
mod instance;
mod log;
mod query;
pub mod spec;
mod task;
mod world;

use mlua::Lua;

use crate::{data::error::CrescentError, frame::Core};

/// Installs the API globals and the metatable of every instance's `self`.
pub(crate) fn install(lua: &Lua, core: &Core) -> Result<(), CrescentError> {
    let globals = lua.globals();
    globals.raw_set("world", world::table(lua)?)?;
    globals.raw_set("log", log::table(lua)?)?;
    globals.raw_set("task", task::table(lua)?)?;
    entity::register(lua)?;
    core.set_instance_meta(instance::instance_meta(lua)?);
    Ok(())
}
